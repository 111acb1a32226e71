#include "hilo/cwmp/soap.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include <gtest/gtest.h>

namespace hilo::cwmp {
namespace {

std::filesystem::path DataDir() {
  const char* root = std::getenv("HILO_SOURCE_DIR");
  return std::filesystem::path(root ? root : ".") / "tests" / "cwmp" / "data";
}

std::string Load(const std::string& name) {
  std::ifstream in(DataDir() / name, std::ios::binary);
  EXPECT_TRUE(in) << "missing golden file " << name;
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

Envelope MustParse(const std::string& name) {
  auto env = ParseEnvelope(Load(name));
  EXPECT_TRUE(env.has_value()) << name << ": " << (env ? "" : env.error().message);
  return env ? *env : Envelope{};
}

// Returns a copy, so that callers may pass a temporary envelope.
template <typename T>
T As(const Envelope& env) {
  if (!env.body || !std::holds_alternative<T>(*env.body)) {
    ADD_FAILURE() << "body is " << (env.body ? MethodName(*env.body) : "empty");
    return T{};
  }
  return std::get<T>(*env.body);
}

// ---- Golden files -------------------------------------------------------------------------

TEST(SoapGolden, Tr181BootInform) {
  const Envelope env = MustParse("inform_tr181_boot.xml");
  EXPECT_EQ(env.version, CwmpVersion::k1_2);
  EXPECT_EQ(env.id, "100");
  EXPECT_TRUE(env.id_must_understand);
  const Inform& m = As<Inform>(env);
  EXPECT_EQ(m.device_id, (DeviceId{"Technicolor", "A0B549", "CGA4233", "CP2019TA3KX"}));
  ASSERT_EQ(m.events.size(), 3u);
  EXPECT_EQ(m.events[0].event_code, kEventBoot);
  EXPECT_EQ(m.events[1], (EventStruct{"M Reboot", "agent-reboot-42"}));
  EXPECT_EQ(m.events[2].event_code, kEventValueChange);
  EXPECT_EQ(m.current_time, "2026-11-28T14:55:00-03:00");
  ASSERT_EQ(m.parameters.size(), 9u);
  EXPECT_EQ(m.parameters[7], (ParameterValue{"Device.WiFi.Radio.1.Channel", "11", "xsd:unsignedInt"}));
  EXPECT_EQ(m.parameters[8].value, "Casa Mu\xC3\xB1oz & Hijos");
  EXPECT_EQ(m.parameters[3].value, "");
}

TEST(SoapGolden, Tr098InformWithSoapenvPrefixAndWhitespace) {
  const Envelope env = MustParse("inform_tr098_soapenv_periodic.xml");
  EXPECT_EQ(env.version, CwmpVersion::k1_0);
  EXPECT_EQ(env.id, "5821");  // surrounding whitespace dropped
  const Inform& m = As<Inform>(env);
  EXPECT_EQ(m.device_id.serial_number, "ZTEGC8A1B2C3");
  ASSERT_EQ(m.events.size(), 1u);
  EXPECT_EQ(m.events[0].event_code, kEventPeriodic);
  EXPECT_EQ(m.retry_count, 2u);
  ASSERT_EQ(m.parameters.size(), 8u);
  EXPECT_EQ(m.parameters[0].type, "xsd:string");  // "xs:" normalised
  EXPECT_EQ(m.parameters.back().value, "10.20.30.40");
}

TEST(SoapGolden, Cwmp14DefaultNamespaceInform) {
  const Envelope env = MustParse("inform_cwmp14_default_namespace.xml");
  EXPECT_EQ(env.version, CwmpVersion::k1_4);
  EXPECT_EQ(env.id, "inf-0001");
  EXPECT_TRUE(env.id_must_understand);
  const Inform& m = As<Inform>(env);
  EXPECT_EQ(m.device_id.manufacturer, "Sagemcom");
  ASSERT_EQ(m.events.size(), 2u);
  EXPECT_EQ(m.events[0].event_code, kEventBootstrap);
  EXPECT_EQ(m.current_time, kUnknownTime);
  ASSERT_EQ(m.parameters.size(), 3u);
  EXPECT_EQ(m.parameters[1].type, "");  // no xsi:type sent
  EXPECT_EQ(m.parameters[2].value, "http://[2001:db8::7]:7547/cr");
  // The reply goes back in cwmp-1-4.
  const std::string reply = WriteEnvelope(ReplyTo(env, InformResponse{1}));
  EXPECT_NE(reply.find("urn:dslforum-org:cwmp-1-4"), std::string::npos);
  EXPECT_NE(reply.find(">inf-0001</cwmp:ID>"), std::string::npos);
}

TEST(SoapGolden, ArrayTypeCountMismatchCdataAndHeaderOrder) {
  const Envelope env = MustParse("inform_arraytype_mismatch.xml");
  EXPECT_EQ(env.version, CwmpVersion::k1_1);
  EXPECT_EQ(env.id, "chunky-7");
  EXPECT_EQ(env.hold_requests, false);
  EXPECT_TRUE(env.no_more_requests);
  const Inform& m = As<Inform>(env);
  EXPECT_EQ(m.device_id.manufacturer, "Askey & Co");
  EXPECT_EQ(m.events.size(), 1u);       // declared 2
  EXPECT_EQ(m.parameters.size(), 40u);  // declared 5
  EXPECT_EQ(m.parameters[16].name, "Device.WiFi.AccessPoint.1.AssociatedDevice.1.MACAddress");
  EXPECT_EQ(m.parameters[16].value, "3C:A9:F4:12:34:01");  // from CDATA
  EXPECT_EQ(m.parameters[1].type, "xsd:boolean");
}

TEST(SoapGolden, CpeFaults) {
  const Fault& f = As<Fault>(MustParse("fault_cpe_9005.xml"));
  EXPECT_EQ(f.soap_fault_code, "Client");
  EXPECT_EQ(f.fault_code, 9005u);
  EXPECT_EQ(f.fault_string, "Invalid parameter name");

  const Envelope spv = MustParse("fault_cpe_spv_9003.xml");
  EXPECT_EQ(spv.id, "spv-9");
  const Fault& g = As<Fault>(spv);
  EXPECT_EQ(g.soap_fault_code, "Client");  // "SOAP-ENV:" stripped
  EXPECT_EQ(g.fault_code, 9003u);
  ASSERT_EQ(g.set_parameter_values_faults.size(), 2u);
  EXPECT_EQ(g.set_parameter_values_faults[0],
            (SetParameterValuesFault{"Device.WiFi.Radio.1.Channel", 9007, "Invalid parameter value"}));
  EXPECT_EQ(g.set_parameter_values_faults[1].fault_code, 9008u);

  const Fault& a = As<Fault>(MustParse("fault_acs_8005.xml"));
  EXPECT_EQ(a.soap_fault_code, "Server");
  EXPECT_EQ(a.fault_code, 8005u);
}

TEST(SoapGolden, TransferCompletes) {
  const TransferComplete& t = As<TransferComplete>(MustParse("transfer_complete.xml"));
  EXPECT_EQ(t.command_key, "fw-rollback-4.2.1");
  EXPECT_EQ(t.fault.fault_code, 0u);
  EXPECT_EQ(t.complete_time, "2026-11-28T15:03:40Z");
  const auto& a = As<AutonomousTransferComplete>(MustParse("autonomous_transfer_complete.xml"));
  EXPECT_TRUE(a.is_download);
  EXPECT_EQ(a.file_type, kFileTypeFirmware);
  EXPECT_EQ(a.file_size, 28311552u);
  EXPECT_EQ(a.fault.fault_code, 9010u);
}

TEST(SoapGolden, RpcResponses) {
  EXPECT_TRUE(std::holds_alternative<GetRPCMethods>(*MustParse("get_rpc_methods_cpe.xml").body));
  EXPECT_EQ(As<GetRPCMethodsResponse>(MustParse("get_rpc_methods_response.xml")).methods.size(), 11u);

  const auto& gpv = As<GetParameterValuesResponse>(MustParse("get_parameter_values_response.xml"));
  ASSERT_EQ(gpv.parameters.size(), 6u);
  EXPECT_EQ(gpv.parameters[1], (ParameterValue{"Device.WiFi.Radio.1.Stats.Noise", "-74", "xsd:int"}));

  EXPECT_EQ(As<SetParameterValuesResponse>(MustParse("set_parameter_values_response.xml")).status, 0);

  const auto& gpn = As<GetParameterNamesResponse>(MustParse("get_parameter_names_response.xml"));
  ASSERT_EQ(gpn.parameters.size(), 3u);
  EXPECT_EQ(gpn.parameters[0], (ParameterInfo{"Device.WiFi.Radio.1.", false}));
  EXPECT_TRUE(gpn.parameters[1].writable);
  EXPECT_FALSE(gpn.parameters[2].writable);  // "false" spelled out

  const auto& gpa =
      As<GetParameterAttributesResponse>(MustParse("get_parameter_attributes_response.xml"));
  ASSERT_EQ(gpa.parameters.size(), 2u);
  EXPECT_EQ(gpa.parameters[0].notification, 2);
  EXPECT_EQ(gpa.parameters[0].access_list, std::vector<std::string>{"Subscriber"});
  EXPECT_TRUE(gpa.parameters[1].access_list.empty());

  As<SetParameterAttributesResponse>(MustParse("set_parameter_attributes_response.xml"));
  EXPECT_EQ(As<AddObjectResponse>(MustParse("add_object_response.xml")),
            (AddObjectResponse{3, 0}));
  EXPECT_EQ(As<DeleteObjectResponse>(MustParse("delete_object_response.xml")).status, 0);
  As<RebootResponse>(MustParse("reboot_response.xml"));
  As<FactoryResetResponse>(MustParse("factory_reset_response.xml"));
  const auto& dl = As<DownloadResponse>(MustParse("download_response.xml"));
  EXPECT_EQ(dl.status, 1);
  EXPECT_EQ(dl.start_time, kUnknownTime);
}

TEST(SoapGolden, AcsRequestsFromOtherAcss) {
  const Envelope spv = MustParse("acs_set_parameter_values.xml");
  EXPECT_EQ(spv.id, "18a2c4f7d01");
  const auto& s = As<SetParameterValues>(spv);
  ASSERT_EQ(s.parameters.size(), 3u);
  EXPECT_EQ(s.parameters[2].value, "<Casa> \"Ana\"");
  EXPECT_EQ(s.parameter_key, "hilo-18");

  const Envelope dl = MustParse("acs_download.xml");
  EXPECT_EQ(dl.version, CwmpVersion::k1_2);
  const auto& d = As<Download>(dl);
  EXPECT_EQ(d.url, "https://fw.example.net/hg2400/hg2400-4.2.1.bin?token=a&b=c");
  EXPECT_EQ(d.password, "s3cr&t");
  EXPECT_EQ(d.file_size, 31457280u);
  EXPECT_EQ(d.target_file_name, "hg2400-4.2.1.bin");

  const auto& spa = As<SetParameterAttributes>(MustParse("acs_set_parameter_attributes.xml"));
  ASSERT_EQ(spa.parameters.size(), 1u);
  EXPECT_TRUE(spa.parameters[0].notification_change);
  EXPECT_EQ(spa.parameters[0].notification, 2);
}

TEST(SoapGolden, EmptyBodyAndUnknownRpc) {
  const Envelope e = MustParse("empty_body.xml");
  EXPECT_TRUE(e.empty());
  EXPECT_EQ(e.id, "nobody");
  const Envelope u = MustParse("unknown_rpc.xml");
  EXPECT_EQ(As<UnknownRpc>(u).method, "ScheduleInform");
  EXPECT_TRUE(IsRequest(*u.body));
}

// Every golden file parses, and writing then parsing it again gives the same envelope.
TEST(SoapGolden, EveryFileParsesAndRoundTrips) {
  int files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(DataDir())) {
    if (entry.path().extension() != ".xml") continue;
    ++files;
    const std::string name = entry.path().filename().string();
    auto env = ParseEnvelope(Load(name));
    ASSERT_TRUE(env) << name << ": " << env.error().message;
    if (env->empty()) continue;
    const std::string written = WriteEnvelope(*env);
    auto again = ParseEnvelope(written);
    ASSERT_TRUE(again) << name << ": " << again.error().message << "\n" << written;
    // Writing is a fixed point after one pass, and nothing the peer sent is lost on the way.
    EXPECT_EQ(WriteEnvelope(*again), written) << name;
    EXPECT_EQ(again->id, env->id) << name;
    EXPECT_EQ(again->version, env->version) << name;
    EXPECT_EQ(again->hold_requests, env->hold_requests) << name;
    EXPECT_EQ(MethodName(*again->body), MethodName(*env->body)) << name;
    if (const auto* inform = std::get_if<Inform>(&*env->body)) {
      const Inform& back = std::get<Inform>(*again->body);
      EXPECT_EQ(back.device_id, inform->device_id) << name;
      EXPECT_EQ(back.events, inform->events) << name;
      ASSERT_EQ(back.parameters.size(), inform->parameters.size()) << name;
      for (std::size_t i = 0; i < back.parameters.size(); ++i) {
        EXPECT_EQ(back.parameters[i].name, inform->parameters[i].name);
        EXPECT_EQ(back.parameters[i].value, inform->parameters[i].value);
      }
    }
  }
  EXPECT_GE(files, 20);
}

// ---- Round trips for every body type ------------------------------------------------------

std::vector<Body> OneOfEach() {
  const std::vector<ParameterValue> params = {
      {"Device.WiFi.SSID.1.SSID", "Caf\xC3\xA9 <&> \"'", "xsd:string"},
      {"Device.WiFi.Radio.1.Channel", "6", "xsd:unsignedInt"},
      {"Device.WiFi.Radio.1.AutoChannelEnable", "1", "xsd:boolean"}};
  return {
      Inform{{"Hilo", "00D09E", "HG-2400", "HL1"},
             {{"1 BOOT", ""}, {"M Reboot", "k1"}},
             1,
             "2026-11-28T14:55:00Z",
             3,
             params},
      TransferComplete{"k2", {9010, "Download failure"}, "2026-11-28T14:00:00Z",
                       "2026-11-28T14:01:00Z"},
      AutonomousTransferComplete{"", "http://x/fw.bin", false, "3 Vendor Configuration File", 12,
                                 "cfg", {0, ""}, "a", "b"},
      GetRPCMethods{},
      InformResponse{1},
      TransferCompleteResponse{},
      AutonomousTransferCompleteResponse{},
      GetRPCMethodsResponse{{"Inform", "TransferComplete", "GetRPCMethods"}},
      GetParameterValues{{"Device.WiFi.", "Device.DeviceInfo.UpTime"}},
      SetParameterValues{params, "key-1"},
      GetParameterNames{"Device.WiFi.Radio.", true},
      GetParameterAttributes{{"Device.WiFi.Radio.1.Channel"}},
      SetParameterAttributes{{{"Device.WiFi.Radio.1.Channel", true, 2, true, {"Subscriber"}},
                              {"Device.WiFi.SSID.", true, 1, false, {}}}},
      AddObject{"Device.NAT.PortMapping.", "k3"},
      DeleteObject{"Device.NAT.PortMapping.2.", "k4"},
      Reboot{"agent-1"},
      FactoryReset{},
      Download{"k5", std::string(kFileTypeFirmware), "https://fw/x-1.2.bin?a=1&b=2", "u", "p&",
               1024, "x-1.2.bin", 5, "http://ok", "http://ko"},
      GetParameterValuesResponse{params},
      SetParameterValuesResponse{1},
      GetParameterNamesResponse{{{"Device.WiFi.", false}, {"Device.WiFi.SSID.1.SSID", true}}},
      GetParameterAttributesResponse{{{"Device.WiFi.Radio.1.Channel", 2, {"Subscriber"}},
                                      {"Device.WiFi.SSID.1.SSID", 0, {}}}},
      SetParameterAttributesResponse{},
      AddObjectResponse{7, 0},
      DeleteObjectResponse{1},
      RebootResponse{},
      FactoryResetResponse{},
      DownloadResponse{0, "2026-11-28T14:00:00Z", "2026-11-28T14:02:00Z"},
      Fault{"Client", "CWMP fault", 9003, "Invalid arguments",
            {{"Device.WiFi.Radio.1.Channel", 9007, "Invalid parameter value"}}},
      UnknownRpc{"ScheduleInform"},
  };
}

TEST(SoapRoundTrip, EveryBodyTypeSurvivesWriteThenParse) {
  std::set<std::size_t> kinds;
  for (const Body& body : OneOfEach()) {
    kinds.insert(body.index());
    for (CwmpVersion v : {CwmpVersion::k1_0, CwmpVersion::k1_2, CwmpVersion::k1_4}) {
      Envelope env;
      env.version = v;
      env.id = "id-" + std::string(MethodName(body));
      env.hold_requests = body.index() % 2 == 0;
      env.body = body;
      const std::string xml = WriteEnvelope(env);
      auto parsed = ParseEnvelope(xml);
      ASSERT_TRUE(parsed) << MethodName(body) << ": " << parsed.error().message << "\n" << xml;
      EXPECT_EQ(*parsed, env) << xml;
    }
  }
  EXPECT_EQ(kinds.size(), std::variant_size_v<Body>) << "OneOfEach misses a body type";
}

TEST(SoapWrite, ArrayTypeCountsMatchItems) {
  GetParameterValuesResponse r;
  for (int i = 0; i < 40; ++i) r.parameters.push_back({"Device.X." + std::to_string(i), "v", ""});
  Envelope env;
  env.body = r;
  const std::string xml = WriteEnvelope(env);
  EXPECT_NE(xml.find("SOAP-ENC:arrayType=\"cwmp:ParameterValueStruct[40]\""), std::string::npos);
  EXPECT_NE(xml.find("<Value xsi:type=\"xsd:string\">v</Value>"), std::string::npos);  // default type
  Envelope ev;
  ev.body = Inform{};
  EXPECT_NE(WriteEnvelope(ev).find("arrayType=\"cwmp:EventStruct[0]\""), std::string::npos);
  Envelope gpv;
  gpv.body = GetParameterValues{{"A.", "B.", "C"}};
  EXPECT_NE(WriteEnvelope(gpv).find("arrayType=\"xsd:string[3]\""), std::string::npos);
}

TEST(SoapWrite, EscapesTextAndDropsWhatXmlCannotCarry) {
  Envelope env;
  env.id = "a<b>&\"c\"";
  env.body = GetParameterValuesResponse{{{"N", std::string("x\x01y\r\nz\tw", 8), "string"}}};
  const std::string xml = WriteEnvelope(env);
  auto parsed = ParseEnvelope(xml);
  ASSERT_TRUE(parsed) << xml;
  EXPECT_EQ(parsed->id, "a<b>&\"c\"");
  const auto& p = std::get<GetParameterValuesResponse>(*parsed->body).parameters.at(0);
  EXPECT_EQ(p.value, "x?y\r\nz\tw");
  EXPECT_EQ(p.type, "xsd:string");
}

TEST(SoapWrite, EmptyEnvelopeIsEmptyBody) {
  Envelope env;
  env.id = "1";
  EXPECT_EQ(WriteEnvelope(env), "");
}

TEST(SoapWrite, UnknownMethodNamesStayWellFormed) {
  Envelope env;
  env.body = UnknownRpc{"Bad Name<>&"};
  auto parsed = ParseEnvelope(WriteEnvelope(env));
  ASSERT_TRUE(parsed);
  EXPECT_EQ(std::get<UnknownRpc>(*parsed->body).method, "BadName");
}

TEST(SoapFault, AcsFaultsAreWellFormed) {
  for (unsigned code : {8000u, 8001u, 8002u, 8003u, 8004u, 8005u}) {
    const std::string xml = WriteSoapFault(CwmpVersion::k1_4, "id-9", code);
    auto env = ParseEnvelope(xml);
    ASSERT_TRUE(env) << xml;
    EXPECT_EQ(env->version, CwmpVersion::k1_4);
    EXPECT_EQ(env->id, "id-9");
    const Fault& f = std::get<Fault>(*env->body);
    EXPECT_EQ(f.fault_code, code);
    EXPECT_EQ(f.soap_fault_code, code == 8003 ? "Client" : "Server");
    EXPECT_EQ(f.soap_fault_string, "CWMP fault");
    EXPECT_EQ(f.fault_string, FaultCodeText(code));
    EXPECT_FALSE(f.fault_string.empty());
  }
  auto custom = ParseEnvelope(WriteSoapFault(CwmpVersion::k1_0, "", 8003, "bad <ID>"));
  ASSERT_TRUE(custom);
  EXPECT_EQ(std::get<Fault>(*custom->body).fault_string, "bad <ID>");
}

TEST(SoapFault, ErrcMapping) {
  EXPECT_EQ(AcsFaultCodeFor(Errc::kInvalidArgument), 8003u);
  EXPECT_EQ(AcsFaultCodeFor(Errc::kTooLarge), 8003u);
  EXPECT_EQ(AcsFaultCodeFor(Errc::kUnavailable), 8005u);
  EXPECT_EQ(AcsFaultCodeFor(Errc::kInternal), 8002u);
  EXPECT_EQ(SoapFaultCodeFor(9007), "Client");
  EXPECT_EQ(SoapFaultCodeFor(9002), "Server");
}

TEST(SoapMisc, NamesAndDirections) {
  EXPECT_EQ(MethodName(Body(SetParameterValues{})), "SetParameterValues");
  EXPECT_EQ(MethodName(Body(DownloadResponse{})), "DownloadResponse");
  EXPECT_EQ(MethodName(Body(Fault{})), "Fault");
  EXPECT_TRUE(IsRequest(Body(Inform{})));
  EXPECT_TRUE(IsRequest(Body(Download{})));
  EXPECT_FALSE(IsRequest(Body(InformResponse{})));
  EXPECT_FALSE(IsRequest(Body(Fault{})));
  for (CwmpVersion v : {CwmpVersion::k1_0, CwmpVersion::k1_1, CwmpVersion::k1_2,
                        CwmpVersion::k1_3, CwmpVersion::k1_4}) {
    EXPECT_EQ(CwmpVersionFromNamespace(CwmpNamespace(v)), v);
  }
  EXPECT_FALSE(CwmpVersionFromNamespace("urn:example"));
}

// ---- Bad input ----------------------------------------------------------------------------

TEST(SoapParse, EmptyPostIsAnEmptyEnvelope) {
  for (std::string_view text : {"", " ", "\r\n\t "}) {
    auto env = ParseEnvelope(text);
    ASSERT_TRUE(env);
    EXPECT_TRUE(env->empty());
  }
}

TEST(SoapParse, MalformedInputIsInvalidArgument) {
  for (std::string_view text :
       {"<", "not xml at all", "<a><b></a>", "<Envelope>", "<?xml version=\"1.0\"?>",
        "<foo/>", "<s:Envelope xmlns:s=\"x\"><s:Header/></s:Envelope>",
        "<Envelope><Body><Inform><MaxEnvelopes>abc</MaxEnvelopes><DeviceId/></Inform></Body></Envelope>",
        "<Envelope><Body><Inform><MaxEnvelopes>1</MaxEnvelopes></Inform></Body></Envelope>",
        "<Envelope><Body><GetParameterNames><NextLevel>maybe</NextLevel></GetParameterNames></Body></Envelope>",
        "<Envelope><Body><AddObjectResponse><InstanceNumber>-1</InstanceNumber></AddObjectResponse></Body></Envelope>",
        "<Envelope><Body><Inform><DeviceId/><RetryCount>99999999999</RetryCount></Inform></Body></Envelope>"}) {
    auto env = ParseEnvelope(text);
    ASSERT_FALSE(env) << text;
    EXPECT_EQ(env.error().code, Errc::kInvalidArgument) << text;
    EXPECT_FALSE(env.error().message.empty());
  }
  auto bad = ParseEnvelope(
      "<Envelope><Body><Inform><DeviceId/><MaxEnvelopes>x1</MaxEnvelopes></Inform></Body></Envelope>");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().field, "MaxEnvelopes");
}

TEST(SoapParse, EveryTruncationOfAGoldenFileFails) {
  for (const char* name : {"inform_tr181_boot.xml", "inform_arraytype_mismatch.xml",
                           "fault_cpe_spv_9003.xml", "acs_download.xml"}) {
    const std::string xml = Load(name);
    const std::size_t end = xml.rfind("Envelope>");
    ASSERT_NE(end, std::string::npos);
    for (std::size_t n = 1; n < end; ++n) {
      auto env = ParseEnvelope(std::string_view(xml).substr(0, n));
      if (env) {
        // Only whitespace-only prefixes may parse (as the empty POST).
        EXPECT_TRUE(env->empty()) << name << " cut at " << n;
        EXPECT_EQ(xml.find_first_not_of(" \r\n\t"), n) << name << " cut at " << n;
      } else {
        EXPECT_EQ(env.error().code, Errc::kInvalidArgument) << name << " cut at " << n;
      }
    }
  }
}

TEST(SoapParse, OversizeIsTooLarge) {
  const std::string xml = Load("inform_tr181_boot.xml");
  auto small = ParseEnvelope(xml, ParseOptions{.max_bytes = 100});
  ASSERT_FALSE(small);
  EXPECT_EQ(small.error().code, Errc::kTooLarge);
  EXPECT_TRUE(ParseEnvelope(xml, ParseOptions{.max_bytes = xml.size()}));

  std::string huge = xml;
  huge.insert(huge.find("<SOAP-ENV:Body>"), std::string((1 << 20) + 1 - xml.size(), ' '));
  ASSERT_EQ(huge.size(), (1u << 20) + 1);
  auto big = ParseEnvelope(huge);  // default limit: 1 MiB
  ASSERT_FALSE(big);
  EXPECT_EQ(big.error().code, Errc::kTooLarge);
  huge.pop_back();
  EXPECT_TRUE(ParseEnvelope(huge));
}

TEST(SoapParse, EntitiesAreNotExpanded) {
  // A DOCTYPE with entity definitions (billion laughs / external entity) must not expand.
  const std::string xml =
      "<?xml version=\"1.0\"?><!DOCTYPE e [<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b \"&a;&a;&a;\">"
      "<!ENTITY x SYSTEM \"file:///etc/passwd\">]>"
      "<Envelope><Header><ID>&b;&x;</ID></Header><Body/></Envelope>";
  auto env = ParseEnvelope(xml);
  if (env) {
    EXPECT_EQ(env->id.find("aaaa"), std::string::npos);
    EXPECT_EQ(env->id.find("root"), std::string::npos);
  }
}

TEST(SoapParse, MutatedGoldenFilesNeverCrash) {
  const std::string base = Load("inform_arraytype_mismatch.xml");
  std::uint64_t state = 12345;
  auto next = [&] {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    return state >> 33;
  };
  int parsed = 0;
  for (int i = 0; i < 3000; ++i) {
    std::string m = base;
    for (int k = 0, flips = 1 + static_cast<int>(next() % 8); k < flips; ++k) {
      const std::size_t pos = next() % m.size();
      switch (next() % 3) {
        case 0: m[pos] = static_cast<char>(next() & 0xFF); break;
        case 1: m.erase(pos, 1 + next() % 20); break;
        default: m.insert(pos, m.substr(next() % m.size(), 1 + next() % 30)); break;
      }
    }
    auto env = ParseEnvelope(m);
    if (env) {
      ++parsed;
      EXPECT_TRUE(ParseEnvelope(WriteEnvelope(*env)) || env->empty());
    } else {
      EXPECT_EQ(env.error().code, Errc::kInvalidArgument);
    }
  }
  EXPECT_GT(parsed, 0);
}

}  // namespace
}  // namespace hilo::cwmp
