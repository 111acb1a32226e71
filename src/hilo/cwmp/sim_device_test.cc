#include "hilo/cwmp/sim_device.h"

#include <algorithm>
#include <map>

#include <gtest/gtest.h>

namespace hilo::cwmp {
namespace {

constexpr Time kT0 = 1'796'000'000;  // late 2026

SimDeviceConfig Config(DataModel model, std::uint64_t seed = 7) {
  SimDeviceConfig c;
  c.serial_number = "HL0000" + std::to_string(seed);
  c.data_model = model;
  c.seed = seed;
  c.boot_time = kT0 - kDay;
  return c;
}

// Sends `body` as the ACS would (through the codec, so the wire format is exercised too) and
// returns the CPE's answer.
Body Rpc(SimDevice& dev, Body body, Time now) {
  Envelope req;
  req.version = CwmpVersion::k1_2;
  req.id = "acs-1";
  req.body = std::move(body);
  auto parsed = ParseEnvelope(WriteEnvelope(req));
  EXPECT_TRUE(parsed);
  const Envelope resp = dev.Handle(*parsed, now);
  EXPECT_EQ(resp.id, "acs-1");
  EXPECT_EQ(resp.version, CwmpVersion::k1_2);
  auto back = ParseEnvelope(WriteEnvelope(resp));
  EXPECT_TRUE(back);
  return *back->body;
}

std::map<std::string, std::string> Values(SimDevice& dev, const std::string& path, Time now) {
  std::map<std::string, std::string> out;
  Body b = Rpc(dev, GetParameterValues{{path}}, now);
  const auto* r = std::get_if<GetParameterValuesResponse>(&b);
  EXPECT_TRUE(r) << "GetParameterValues " << path << " failed";
  if (r) {
    for (const auto& p : r->parameters) out[p.name] = p.value;
  }
  return out;
}

int Int(SimDevice& dev, const std::string& name, Time now) {
  auto v = dev.GetValue(name, now);
  EXPECT_TRUE(v) << name;
  return v ? std::stoi(*v) : 0;
}

// The AssociatedDevice path prefix of a MAC, e.g. "Device.WiFi.AccessPoint.1.AssociatedDevice.2."
std::string ClientByMac(SimDevice& dev, const std::string& mac, Time now) {
  for (const auto& [name, value] : Values(dev, std::string(dev.root()), now)) {
    if (value == mac && (name.ends_with(".MACAddress") || name.ends_with("AssociatedDeviceMACAddress")) &&
        name.find("AssociatedDevice.") != std::string::npos) {
      return name.substr(0, name.rfind('.') + 1);
    }
  }
  ADD_FAILURE() << "no client " << mac;
  return {};
}

Fault ExpectFault(const Body& b, unsigned code) {
  const auto* f = std::get_if<Fault>(&b);
  EXPECT_TRUE(f) << "expected fault " << code << ", got " << MethodName(b);
  if (!f) return {};
  EXPECT_EQ(f->fault_code, code);
  return *f;
}

// ---- The data model -----------------------------------------------------------------------

TEST(SimDevice, Tr181TreeIsRealistic) {
  SimDevice dev(Config(DataModel::kTr181));
  EXPECT_GT(dev.ParameterCount(), 300u);
  const Time now = kT0;
  EXPECT_EQ(dev.GetValue("Device.DeviceInfo.SerialNumber", now), "HL00007");
  EXPECT_EQ(dev.GetValue("Device.DeviceInfo.UpTime", now), std::to_string(kDay));
  EXPECT_EQ(dev.GetValue("Device.WiFi.Radio.1.OperatingFrequencyBand", now), "2.4GHz");
  EXPECT_EQ(dev.GetValue("Device.WiFi.Radio.2.OperatingFrequencyBand", now), "5GHz");
  EXPECT_FALSE(dev.GetValue("Device.WiFi.Radio.3.Channel", now));
  const int noise = Int(dev, "Device.WiFi.Radio.1.Stats.Noise", now);
  EXPECT_LE(noise, -88);
  EXPECT_GE(noise, -96);
  // Three laptops and the rest of the household are associated, and listed as hosts.
  const auto hosts = Values(dev, "Device.Hosts.Host.", now);
  int laptops = 0;
  for (const auto& [name, value] : hosts) laptops += name.ends_with("HostName") && value.starts_with("laptop");
  EXPECT_EQ(laptops, 3);
  EXPECT_EQ(dev.GetValue("Device.Hosts.HostNumberOfEntries", now), "7");
  const auto ap1 = Values(dev, "Device.WiFi.AccessPoint.1.AssociatedDevice.", now);
  EXPECT_FALSE(ap1.empty());
  for (const auto& [name, value] : ap1) {
    if (name.ends_with(".SignalStrength")) {
      EXPECT_LT(std::stoi(value), -45);
      EXPECT_GT(std::stoi(value), -75);
    }
    if (name.ends_with(".Retransmissions")) { EXPECT_LE(std::stoi(value), 6); }
    if (name.ends_with(".LastDataDownlinkRate")) { EXPECT_GE(std::stoi(value), 1000); }
  }
  const auto neighbours = Values(dev, "Device.WiFi.NeighboringWiFiDiagnostic.Result.", now);
  EXPECT_GE(neighbours.size(), 8u * 8u);
}

TEST(SimDevice, ThreeRadiosAndDocsis) {
  SimDeviceConfig c = Config(DataModel::kTr181);
  c.radios = 3;
  c.docsis = true;
  SimDevice dev(c);
  EXPECT_EQ(dev.GetValue("Device.WiFi.Radio.3.OperatingFrequencyBand", kT0), "6GHz");
  EXPECT_EQ(dev.GetValue("Device.WiFi.RadioNumberOfEntries", kT0), "3");
  const int snr = Int(dev, "Device.DOCSIS.DownstreamChannel.1.SignalQuality.SignalNoise", kT0);
  EXPECT_GE(snr, 370);  // tenths of dB: a clean plant
  EXPECT_EQ(dev.GetValue("Device.DOCSIS.UpstreamChannel.1.Status.T3Timeouts", kT0), "0");
}

TEST(SimDevice, Tr098TreeUsesIgdNamesAndVendorExtensions) {
  SimDevice dev(Config(DataModel::kTr098));
  EXPECT_EQ(dev.root(), "InternetGatewayDevice.");
  EXPECT_GT(dev.ParameterCount(), 150u);
  const std::string w1 = "InternetGatewayDevice.LANDevice.1.WLANConfiguration.1.";
  EXPECT_TRUE(dev.GetValue(w1 + "Channel", kT0));
  EXPECT_TRUE(dev.GetValue(w1 + "X_HILO_Noise", kT0));
  EXPECT_TRUE(dev.GetValue(w1 + "AssociatedDevice.1.AssociatedDeviceMACAddress", kT0));
  EXPECT_TRUE(dev.GetValue(w1 + "AssociatedDevice.1.X_HILO_SignalStrength", kT0));
  EXPECT_FALSE(dev.GetValue("Device.WiFi.Radio.1.Channel", kT0));
  const Inform inform = dev.BuildInform({std::string(kEventPeriodic)}, kT0);
  auto has = [&](std::string_view n) {
    return std::any_of(inform.parameters.begin(), inform.parameters.end(),
                       [&](const ParameterValue& p) { return p.name == n; });
  };
  EXPECT_TRUE(has("InternetGatewayDevice.DeviceSummary"));
  EXPECT_TRUE(has("InternetGatewayDevice.ManagementServer.ConnectionRequestURL"));
  EXPECT_TRUE(has("InternetGatewayDevice.WANDevice.1.WANConnectionDevice.1.WANIPConnection.1.ExternalIPAddress"));
}

TEST(SimDevice, TelemetryIsDeterministicAndCountersGrow) {
  SimDevice a(Config(DataModel::kTr181, 11));
  SimDevice b(Config(DataModel::kTr181, 11));
  SimDevice c(Config(DataModel::kTr181, 12));
  const auto va = Values(a, "Device.", kT0 + 777);
  EXPECT_EQ(va, Values(b, "Device.", kT0 + 777));
  EXPECT_NE(va, Values(c, "Device.", kT0 + 777));
  const std::string bytes = "Device.WiFi.Radio.2.Stats.BytesSent";
  const std::string retrans = "Device.WiFi.SSID.2.Stats.RetransCount";
  std::uint64_t last_bytes = 0, last_retrans = 0;
  for (Time t = kT0; t < kT0 + 2 * kHour; t += 5 * kMinute) {
    const std::uint64_t nb = std::stoull(*a.GetValue(bytes, t));
    const std::uint64_t nr = std::stoull(*a.GetValue(retrans, t));
    EXPECT_GT(nb, last_bytes);
    EXPECT_GE(nr, last_retrans);
    last_bytes = nb;
    last_retrans = nr;
  }
}

// ---- Sessions -----------------------------------------------------------------------------

TEST(SimDevice, FirstSessionBootstrapsThroughTheCodec) {
  SimDevice dev(Config(DataModel::kTr181));
  EXPECT_EQ(dev.PendingEvents(kT0), (std::vector<std::string>{"0 BOOTSTRAP", "1 BOOT"}));
  Envelope out = dev.BeginSession({std::string(kEventPeriodic)}, kT0);
  EXPECT_TRUE(dev.InSession());
  auto inform_env = ParseEnvelope(WriteEnvelope(out));
  ASSERT_TRUE(inform_env);
  const Inform& inform = std::get<Inform>(*inform_env->body);
  EXPECT_EQ(inform.device_id.serial_number, "HL00007");
  ASSERT_EQ(inform.events.size(), 3u);
  EXPECT_EQ(inform.events[0].event_code, kEventBootstrap);
  EXPECT_EQ(inform.events[2].event_code, kEventPeriodic);
  EXPECT_EQ(inform.current_time, FormatIsoTime(kT0));
  bool has_version = false;
  for (const auto& p : inform.parameters) has_version |= p.name == "Device.DeviceInfo.SoftwareVersion";
  EXPECT_TRUE(has_version);

  // ACS: InformResponse -> CPE: empty POST -> ACS: GetParameterValues -> CPE: response
  // -> ACS: empty -> session over.
  auto next = dev.Continue(ReplyTo(*inform_env, InformResponse{1}), kT0);
  ASSERT_TRUE(next);
  EXPECT_TRUE(next->empty());
  Envelope gpv;
  gpv.id = "acs-2";
  gpv.body = GetParameterValues{{"Device.WiFi.Radio.1.Channel"}};
  next = dev.Continue(gpv, kT0 + 1);
  ASSERT_TRUE(next);
  EXPECT_EQ(next->id, "acs-2");
  EXPECT_EQ(std::get<GetParameterValuesResponse>(*next->body).parameters.size(), 1u);
  EXPECT_FALSE(dev.Continue(Envelope{}, kT0 + 2));
  EXPECT_FALSE(dev.InSession());
  EXPECT_TRUE(dev.PendingEvents(kT0 + 3).empty());
}

TEST(SimDevice, FaultedInformKeepsEventsPending) {
  SimDevice dev(Config(DataModel::kTr181));
  Envelope out = dev.BeginSession({}, kT0);
  Envelope fault;
  fault.body = Fault{"Server", "CWMP fault", 8005, "Retry request", {}};
  EXPECT_FALSE(dev.Continue(fault, kT0));
  EXPECT_EQ(dev.PendingEvents(kT0 + 10), (std::vector<std::string>{"0 BOOTSTRAP", "1 BOOT"}));
}

// ---- RPCs ---------------------------------------------------------------------------------

TEST(SimDevice, GetParameterValuesPartialPathsAndErrors) {
  SimDevice dev(Config(DataModel::kTr181));
  const auto radio = Values(dev, "Device.WiFi.Radio.1.", kT0);
  EXPECT_TRUE(radio.contains("Device.WiFi.Radio.1.Channel"));
  EXPECT_TRUE(radio.contains("Device.WiFi.Radio.1.Stats.Noise"));
  EXPECT_FALSE(radio.contains("Device.WiFi.Radio.2.Channel"));
  EXPECT_EQ(Values(dev, "Device.ManagementServer.", kT0).at("Device.ManagementServer.ConnectionRequestPassword"),
            "");  // secrets read back empty
  EXPECT_EQ(dev.ConnectionRequestPassword(), "cr-secret");
  ExpectFault(Rpc(dev, GetParameterValues{{"Device.Nope."}}, kT0), 9005);
  ExpectFault(Rpc(dev, GetParameterValues{{"Device.WiFi.Radio.1.Chanel"}}, kT0), 9005);
  ExpectFault(Rpc(dev, GetParameterValues{{"Device.WiFi.Radio.1"}}, kT0), 9005);  // object sans dot
  const Body typed = Rpc(dev, GetParameterValues{{"Device.WiFi.Radio.1.Channel"}}, kT0);
  EXPECT_EQ(std::get<GetParameterValuesResponse>(typed).parameters.at(0).type, "xsd:unsignedInt");
}

TEST(SimDevice, SetParameterValuesValidatesAtomically) {
  SimDevice dev(Config(DataModel::kTr181));
  const std::string ch = "Device.WiFi.Radio.1.Channel";
  const std::string before = *dev.GetValue(ch, kT0);
  const std::string target = before == "1" ? "6" : "1";

  Fault f = ExpectFault(
      Rpc(dev,
          SetParameterValues{{{ch, target, "xsd:unsignedInt"},
                              {"Device.WiFi.Radio.2.Channel", "14", "xsd:unsignedInt"},
                              {"Device.DeviceInfo.UpTime", "5", "xsd:unsignedInt"},
                              {"Device.WiFi.SSID.1.SSID", "x", "xsd:int"},
                              {"Device.Bogus", "1", ""},
                              {"Device.ManagementServer.PeriodicInformInterval", "-3", ""}},
                             "k"},
          kT0),
      9003);
  std::map<std::string, unsigned> codes;
  for (const auto& e : f.set_parameter_values_faults) codes[e.parameter_name] = e.fault_code;
  EXPECT_EQ(codes.size(), 5u);
  EXPECT_EQ(codes["Device.WiFi.Radio.2.Channel"], 9007u);  // not a 5 GHz channel
  EXPECT_EQ(codes["Device.DeviceInfo.UpTime"], 9008u);
  EXPECT_EQ(codes["Device.WiFi.SSID.1.SSID"], 9006u);
  EXPECT_EQ(codes["Device.Bogus"], 9005u);
  EXPECT_EQ(codes["Device.ManagementServer.PeriodicInformInterval"], 9007u);
  EXPECT_EQ(dev.GetValue(ch, kT0), before);  // nothing applied

  ExpectFault(Rpc(dev, SetParameterValues{{{ch, target, ""}, {ch, target, ""}}, "k"}, kT0), 9003);

  const Body ok = Rpc(dev,
                      SetParameterValues{{{ch, target, "xsd:unsignedInt"},
                                          {"Device.ManagementServer.PeriodicInformInterval", "600", "xsd:unsignedInt"},
                                          {"Device.WiFi.AccessPoint.1.SSIDAdvertisementEnabled", "true", "xsd:boolean"}},
                                         "hilo-5"},
                      kT0);
  EXPECT_EQ(std::get<SetParameterValuesResponse>(ok).status, 0);
  EXPECT_EQ(dev.GetValue(ch, kT0), target);
  EXPECT_EQ(dev.GetValue("Device.WiFi.Radio.1.ChannelLastSelectionReason", kT0), "Manual");
  EXPECT_EQ(dev.GetValue("Device.WiFi.AccessPoint.1.SSIDAdvertisementEnabled", kT0), "1");
  EXPECT_EQ(dev.PeriodicInformInterval(), 600u);
  EXPECT_EQ(dev.GetValue("Device.ManagementServer.ParameterKey", kT0), "hilo-5");
}

TEST(SimDevice, GetParameterNames) {
  SimDevice dev(Config(DataModel::kTr181));
  const Body b = Rpc(dev, GetParameterNames{"Device.WiFi.", true}, kT0);
  std::map<std::string, bool> names;
  for (const auto& p : std::get<GetParameterNamesResponse>(b).parameters) names[p.name] = p.writable;
  EXPECT_TRUE(names.contains("Device.WiFi.Radio."));
  EXPECT_TRUE(names.contains("Device.WiFi.RadioNumberOfEntries"));
  EXPECT_FALSE(names.contains("Device.WiFi.Radio.1."));
  EXPECT_FALSE(names.contains("Device.WiFi."));

  const Body all = Rpc(dev, GetParameterNames{"Device.WiFi.Radio.1.", false}, kT0);
  std::map<std::string, bool> deep;
  for (const auto& p : std::get<GetParameterNamesResponse>(all).parameters) deep[p.name] = p.writable;
  EXPECT_TRUE(deep.contains("Device.WiFi.Radio.1."));
  EXPECT_TRUE(deep.at("Device.WiFi.Radio.1.Channel"));
  EXPECT_FALSE(deep.at("Device.WiFi.Radio.1.Stats.Noise"));
  EXPECT_TRUE(deep.contains("Device.WiFi.Radio.1.Stats."));

  const Body top = Rpc(dev, GetParameterNames{"", true}, kT0);
  EXPECT_EQ(std::get<GetParameterNamesResponse>(top).parameters,
            (std::vector<ParameterInfo>{{"Device.", false}}));
  const Body table = Rpc(dev, GetParameterNames{"Device.NAT.", true}, kT0);
  bool table_writable = false;
  for (const auto& p : std::get<GetParameterNamesResponse>(table).parameters)
    table_writable |= p.name == "Device.NAT.PortMapping." && p.writable;
  EXPECT_TRUE(table_writable);
  ExpectFault(Rpc(dev, GetParameterNames{"Device.WiFi.Radio.1.Channel", true}, kT0), 9003);
  ExpectFault(Rpc(dev, GetParameterNames{"Device.Nope.", false}, kT0), 9005);
}

TEST(SimDevice, AttributesAndValueChangeNotification) {
  SimDevice dev(Config(DataModel::kTr181));
  const std::string sw = "Device.DeviceInfo.SoftwareVersion";
  const Body spa = Rpc(dev,
                       SetParameterAttributes{{{"Device.WiFi.Radio.1.Channel", true, 2, false, {}},
                                               {sw, true, 2, true, {"Subscriber"}},
                                               {"Device.DeviceInfo.UpTime", true, 1, false, {}}}},
                       kT0);
  EXPECT_TRUE(std::holds_alternative<SetParameterAttributesResponse>(spa));
  const Body gpa = Rpc(dev, GetParameterAttributes{{"Device.WiFi.Radio.1.Channel", sw}}, kT0);
  const auto& attrs = std::get<GetParameterAttributesResponse>(gpa).parameters;
  ASSERT_EQ(attrs.size(), 2u);
  EXPECT_EQ(attrs[0].notification, 2);
  EXPECT_EQ(attrs[1].access_list, std::vector<std::string>{"Subscriber"});

  // Active notification on a counter is refused, as TR-181 allows ("canDeny").
  ExpectFault(Rpc(dev, SetParameterAttributes{{{"Device.WiFi.Radio.1.Stats.Noise", true, 2, false, {}}}}, kT0),
              9009);
  ExpectFault(Rpc(dev, SetParameterAttributes{{{"Device.Nope", true, 1, false, {}}}}, kT0), 9005);
  ExpectFault(Rpc(dev, SetParameterAttributes{{{sw, true, 7, false, {}}}}, kT0), 9003);

  // A change the ACS made itself is not notified back.
  Rpc(dev, SetParameterValues{{{"Device.WiFi.Radio.1.Channel", "11", ""}}, "k"}, kT0);
  Envelope s = dev.BeginSession({}, kT0 + 1);
  dev.Continue(ReplyTo(s, InformResponse{1}), kT0 + 1);
  dev.Continue(Envelope{}, kT0 + 1);
  EXPECT_TRUE(dev.PendingEvents(kT0 + 2).empty());

  // A firmware change on the CPE's own initiative is: active -> a session is due now.
  dev.InjectFault(SimFault::kFirmwareRegression, kT0 + 100);
  const auto pending = dev.PendingEvents(kT0 + 200);
  EXPECT_NE(std::find(pending.begin(), pending.end(), "4 VALUE CHANGE"), pending.end());
  EXPECT_NE(std::find(pending.begin(), pending.end(), "1 BOOT"), pending.end());
  const Inform inform = dev.BuildInform(pending, kT0 + 200);
  bool reported_sw = false, reported_uptime = false;
  for (const auto& p : inform.parameters) {
    reported_sw |= p.name == sw && p.value == "4.3.0";
    reported_uptime |= p.name == "Device.DeviceInfo.UpTime";  // passive, and it changed
  }
  EXPECT_TRUE(reported_sw);
  EXPECT_TRUE(reported_uptime);
  dev.AcknowledgeInform(inform, kT0 + 200);
  EXPECT_TRUE(dev.PendingEvents(kT0 + 201).empty());
}

TEST(SimDevice, AddAndDeleteObject) {
  for (DataModel model : {DataModel::kTr181, DataModel::kTr098}) {
    SimDevice dev(Config(model));
    const std::string table =
        model == DataModel::kTr181
            ? "Device.NAT.PortMapping."
            : "InternetGatewayDevice.WANDevice.1.WANConnectionDevice.1.WANIPConnection.1.PortMapping.";
    const Body added = Rpc(dev, AddObject{table, "k1"}, kT0);
    EXPECT_EQ(std::get<AddObjectResponse>(added), (AddObjectResponse{1, 0}));
    const Body second = Rpc(dev, AddObject{table, "k2"}, kT0);
    EXPECT_EQ(std::get<AddObjectResponse>(second).instance_number, 2u);
    EXPECT_TRUE(dev.GetValue(table + "1.ExternalPort", kT0));
    const Body set = Rpc(dev, SetParameterValues{{{table + "2.ExternalPort", "8080", "xsd:unsignedInt"}}, "k3"}, kT0);
    EXPECT_TRUE(std::holds_alternative<SetParameterValuesResponse>(set));
    EXPECT_EQ(std::get<DeleteObjectResponse>(Rpc(dev, DeleteObject{table + "1.", "k4"}, kT0)).status, 0);
    EXPECT_FALSE(dev.GetValue(table + "1.ExternalPort", kT0));
    EXPECT_EQ(dev.GetValue(table + "2.ExternalPort", kT0), "8080");
    ExpectFault(Rpc(dev, DeleteObject{table + "1.", "k5"}, kT0), 9005);
    ExpectFault(Rpc(dev, AddObject{std::string(dev.root()) + "DeviceInfo.", "k6"}, kT0), 9005);
    ExpectFault(Rpc(dev, DeleteObject{std::string(dev.root()) + "DeviceInfo.", "k7"}, kT0), 9005);
  }
}

TEST(SimDevice, RebootRestartsUptimeAndQueuesEvents) {
  SimDevice dev(Config(DataModel::kTr181));
  Envelope s = dev.BeginSession({}, kT0);
  dev.Continue(ReplyTo(s, InformResponse{1}), kT0);
  EXPECT_GT(Int(dev, "Device.DeviceInfo.UpTime", kT0), 1000);
  EXPECT_TRUE(std::holds_alternative<RebootResponse>(Rpc(dev, Reboot{"agent-7"}, kT0)));
  EXPECT_FALSE(dev.Continue(Envelope{}, kT0));
  EXPECT_EQ(Int(dev, "Device.DeviceInfo.UpTime", kT0 + 30), 30);
  EXPECT_EQ(dev.PendingEvents(kT0 + 30), (std::vector<std::string>{"1 BOOT", "M Reboot"}));
  const Envelope next = dev.BeginSession({}, kT0 + 30);
  const Inform& inform = std::get<Inform>(*next.body);
  ASSERT_EQ(inform.events.size(), 2u);
  EXPECT_EQ(inform.events[1], (EventStruct{"M Reboot", "agent-7"}));
  dev.Continue(ReplyTo(next, InformResponse{1}), kT0 + 30);
  EXPECT_TRUE(dev.PendingEvents(kT0 + 31).empty());
}

TEST(SimDevice, FactoryResetRestoresDefaultsAndBootstraps) {
  SimDevice dev(Config(DataModel::kTr181));
  const std::string ssid = "Device.WiFi.SSID.1.SSID";
  const std::string original = *dev.GetValue(ssid, kT0);
  Rpc(dev, SetParameterValues{{{ssid, "Renamed", ""}}, "k"}, kT0);
  EXPECT_EQ(dev.GetValue(ssid, kT0), "Renamed");
  Envelope s = dev.BeginSession({}, kT0);
  dev.Continue(ReplyTo(s, InformResponse{1}), kT0);
  EXPECT_TRUE(std::holds_alternative<FactoryResetResponse>(Rpc(dev, FactoryReset{}, kT0)));
  EXPECT_EQ(dev.GetValue(ssid, kT0 + 5), original);
  EXPECT_EQ(dev.GetValue("Device.DeviceInfo.UpTime", kT0 + 5), "5");
  EXPECT_EQ(dev.PendingEvents(kT0 + 5), (std::vector<std::string>{"0 BOOTSTRAP", "1 BOOT"}));
}

TEST(SimDevice, DownloadInstallsFirmwareAndReportsTransferComplete) {
  SimDevice dev(Config(DataModel::kTr181));
  Envelope s = dev.BeginSession({}, kT0);
  dev.Continue(ReplyTo(s, InformResponse{1}), kT0);
  ExpectFault(Rpc(dev, Download{"k", std::string(kFileTypeFirmware), "", "", "", 0, "", 0, "", ""}, kT0), 9003);
  ExpectFault(Rpc(dev, Download{"k", std::string(kFileTypeFirmware), "tftp://x/fw-5.0.bin", "", "", 0, "", 0, "", ""}, kT0),
              9013);
  const Body r = Rpc(dev,
                     Download{"fw-5", std::string(kFileTypeFirmware),
                              "https://fw.example.net/hg2400/hg2400-5.0.2.bin?sig=1", "", "", 1000,
                              "", 0, "", ""},
                     kT0);
  EXPECT_EQ(std::get<DownloadResponse>(r).status, 1);
  dev.Continue(Envelope{}, kT0);
  EXPECT_EQ(dev.GetValue("Device.DeviceInfo.SoftwareVersion", kT0 + 60), "5.0.2");
  ASSERT_TRUE(dev.PendingTransferComplete());
  EXPECT_EQ(dev.PendingTransferComplete()->command_key, "fw-5");
  EXPECT_EQ(dev.PendingEvents(kT0 + 60),
            (std::vector<std::string>{"1 BOOT", "M Download", "7 TRANSFER COMPLETE"}));

  // Next session: Inform, then the TransferComplete, then the empty POST.
  Envelope inform = dev.BeginSession({}, kT0 + 60);
  auto tc = dev.Continue(ReplyTo(inform, InformResponse{1}), kT0 + 60);
  ASSERT_TRUE(tc);
  const auto& done = std::get<TransferComplete>(*tc->body);
  EXPECT_EQ(done.command_key, "fw-5");
  EXPECT_EQ(done.fault.fault_code, 0u);
  auto empty = dev.Continue(ReplyTo(*tc, TransferCompleteResponse{}), kT0 + 60);
  ASSERT_TRUE(empty);
  EXPECT_TRUE(empty->empty());
  EXPECT_FALSE(dev.Continue(Envelope{}, kT0 + 60));
  EXPECT_FALSE(dev.PendingTransferComplete());
  EXPECT_TRUE(dev.PendingEvents(kT0 + 61).empty());
}

TEST(SimDevice, UnknownAndMisdirectedRpcsGet9000) {
  SimDevice dev(Config(DataModel::kTr181));
  ExpectFault(Rpc(dev, UnknownRpc{"ScheduleInform"}, kT0), 9000);
  ExpectFault(Rpc(dev, InformResponse{1}, kT0), 9000);
  const Body methods = Rpc(dev, GetRPCMethods{}, kT0);
  const auto& list = std::get<GetRPCMethodsResponse>(methods).methods;
  EXPECT_NE(std::find(list.begin(), list.end(), "Download"), list.end());
}

// ---- Injected faults ----------------------------------------------------------------------

TEST(SimFaults, CongestionShowsUpAndAChannelChangeClearsIt) {
  SimDevice dev(Config(DataModel::kTr181));
  const Time start = kT0 + kHour;
  dev.InjectFault(SimFault::kWifiCongestion24, start);
  const std::string r1 = "Device.WiFi.Radio.1.";
  const int channel = Int(dev, r1 + "Channel", kT0);
  EXPECT_LT(Int(dev, r1 + "Stats.Noise", start - 60), -85);
  EXPECT_FALSE(dev.FaultActive(SimFault::kWifiCongestion24, start - 60));

  const Time now = start + 10 * kMinute;
  EXPECT_TRUE(dev.FaultActive(SimFault::kWifiCongestion24, now));
  EXPECT_GT(Int(dev, r1 + "Stats.Noise", now), -78);
  EXPECT_GT(Int(dev, "Device.WiFi.DataElements.Network.Device.1.Radio.1.Utilization", now), 200);
  EXPECT_GT(Int(dev, "Device.WiFi.DataElements.Network.Device.1.Radio.1.ReceiveOther", now), 140);
  EXPECT_EQ(dev.GetValue(r1 + "AutoChannelEnable", now), "0");
  int on_channel = 0;
  for (const auto& [name, value] : Values(dev, "Device.WiFi.NeighboringWiFiDiagnostic.Result.", now))
    on_channel += name.ends_with(".Channel") && value == std::to_string(channel);
  EXPECT_GE(on_channel, 14);
  // 2.4 GHz clients suffer; 5 GHz clients do not.
  for (const auto& [name, value] : Values(dev, "Device.WiFi.AccessPoint.1.AssociatedDevice.", now))
    if (name.ends_with(".Retransmissions")) { EXPECT_GE(std::stoi(value), 25) << name; }
  for (const auto& [name, value] : Values(dev, "Device.WiFi.AccessPoint.2.AssociatedDevice.", now))
    if (name.ends_with(".Retransmissions")) { EXPECT_LE(std::stoi(value), 6) << name; }

  // The agent turns automatic channel selection on: the radio leaves the crowded channel.
  Rpc(dev, SetParameterValues{{{r1 + "AutoChannelEnable", "1", "xsd:boolean"}}, "fix"}, now);
  EXPECT_NE(Int(dev, r1 + "Channel", now), channel);
  EXPECT_EQ(dev.GetValue(r1 + "ChannelLastSelectionReason", now), "Auto_User");
  EXPECT_FALSE(dev.FaultActive(SimFault::kWifiCongestion24, now + 60));
  EXPECT_LT(Int(dev, r1 + "Stats.Noise", now + 60), -85);
  for (const auto& [name, value] : Values(dev, "Device.WiFi.AccessPoint.1.AssociatedDevice.", now + 60))
    if (name.ends_with(".Retransmissions")) { EXPECT_LE(std::stoi(value), 6) << name; }
}

TEST(SimFaults, ManualChannelChangeAlsoClearsCongestion) {
  SimDevice dev(Config(DataModel::kTr098, 3));
  dev.InjectFault(SimFault::kWifiCongestion24, kT0);
  const std::string w1 = "InternetGatewayDevice.LANDevice.1.WLANConfiguration.1.";
  EXPECT_GT(Int(dev, w1 + "X_HILO_Noise", kT0 + 60), -78);
  EXPECT_GE(Int(dev, w1 + "X_HILO_NeighborCount", kT0 + 60), 14);
  const std::string other = *dev.GetValue(w1 + "Channel", kT0) == "1" ? "11" : "1";
  Rpc(dev, SetParameterValues{{{w1 + "Channel", other, "xsd:unsignedInt"}}, "fix"}, kT0 + 60);
  EXPECT_FALSE(dev.FaultActive(SimFault::kWifiCongestion24, kT0 + 120));
  EXPECT_LT(Int(dev, w1 + "X_HILO_Noise", kT0 + 120), -85);
}

TEST(SimFaults, WeakClient) {
  SimDevice dev(Config(DataModel::kTr181));
  dev.InjectFault(SimFault::kWeakClient, kT0);
  const std::string client = ClientByMac(dev, dev.WeakClientMac(), kT0);
  int weak_samples = 0, inactive = 0;
  for (Time t = kT0; t < kT0 + kHour; t += kMinute) {
    const int signal = Int(dev, client + "SignalStrength", t);
    EXPECT_LE(signal, -80);
    EXPECT_GE(signal, -84);
    weak_samples += Int(dev, client + "Retransmissions", t) >= 18;
    inactive += dev.GetValue(client + "Active", t) == "0";
  }
  EXPECT_EQ(weak_samples, 60);
  EXPECT_GT(inactive, 0);  // it drops off now and then
  // Only that client: the others keep their signal.
  for (const auto& [name, value] : Values(dev, "Device.WiFi.AccessPoint.2.AssociatedDevice.", kT0))
    if (name.ends_with(".SignalStrength")) { EXPECT_GT(std::stoi(value), -70); }
}

TEST(SimFaults, RebootLoopAndFactoryResetFixesIt) {
  SimDevice dev(Config(DataModel::kTr181));
  Envelope s = dev.BeginSession({}, kT0);
  dev.Continue(ReplyTo(s, InformResponse{1}), kT0);
  dev.Continue(Envelope{}, kT0);
  dev.InjectFault(SimFault::kRebootLoop, kT0 + 100);
  int resets = 0;
  int last = Int(dev, "Device.DeviceInfo.UpTime", kT0 + 100);
  for (Time t = kT0 + 130; t < kT0 + 100 + 30 * kMinute; t += 30) {
    const int up = Int(dev, "Device.DeviceInfo.UpTime", t);
    EXPECT_LT(up, 3 * kMinute);
    resets += up < last;
    last = up;
  }
  EXPECT_GE(resets, 9);
  EXPECT_NE(dev.PendingEvents(kT0 + 1000)[0], "0 BOOTSTRAP");
  EXPECT_EQ(dev.PendingEvents(kT0 + 1000), (std::vector<std::string>{"1 BOOT"}));

  Rpc(dev, FactoryReset{}, kT0 + 2000);
  EXPECT_FALSE(dev.FaultActive(SimFault::kRebootLoop, kT0 + 3000));
  EXPECT_EQ(Int(dev, "Device.DeviceInfo.UpTime", kT0 + 3000), 1000);
}

TEST(SimFaults, FirmwareRegressionDegradesEveryClientAndRollbackFixesIt) {
  SimDevice dev(Config(DataModel::kTr181));
  const Time start = kT0 + kHour;
  dev.InjectFault(SimFault::kFirmwareRegression, start);
  EXPECT_EQ(dev.GetValue("Device.DeviceInfo.SoftwareVersion", start - 1), "4.2.1");
  const Time now = start + kHour;
  EXPECT_EQ(dev.GetValue("Device.DeviceInfo.SoftwareVersion", now), "4.3.0");
  EXPECT_EQ(dev.PreviousSoftwareVersion(), "4.2.1");
  EXPECT_EQ(Int(dev, "Device.DeviceInfo.UpTime", now), kHour);  // the upgrade rebooted it
  int degraded = 0, clients = 0;
  for (const auto& [name, value] : Values(dev, "Device.WiFi.AccessPoint.", now)) {
    if (!name.ends_with(".Retransmissions")) continue;
    ++clients;
    degraded += std::stoi(value) >= 30;
  }
  EXPECT_EQ(clients, 6);
  EXPECT_EQ(degraded, clients);  // all together

  // A newer image does not help if it is the bad one; the previous version does.
  Rpc(dev, Download{"rollback", std::string(kFileTypeFirmware), "http://fw/hg-4.2.1.bin", "", "", 0, "", 0, "", ""},
      now);
  EXPECT_EQ(dev.GetValue("Device.DeviceInfo.SoftwareVersion", now + 60), "4.2.1");
  EXPECT_FALSE(dev.FaultActive(SimFault::kFirmwareRegression, now + 60));
  for (const auto& [name, value] : Values(dev, "Device.WiFi.AccessPoint.", now + 60))
    if (name.ends_with(".Retransmissions")) { EXPECT_LE(std::stoi(value), 6) << name; }
}

TEST(SimFaults, DocsisNoiseCannotBeFixedRemotely) {
  SimDeviceConfig c = Config(DataModel::kTr181);
  c.docsis = true;
  SimDevice dev(c);
  dev.InjectFault(SimFault::kDocsisNoise, kT0);
  const std::string ds = "Device.DOCSIS.DownstreamChannel.1.SignalQuality.";
  const std::uint64_t u0 = std::stoull(*dev.GetValue(ds + "ExtUncorrectables", kT0));
  const Time later = kT0 + kHour;
  EXPECT_LT(Int(dev, ds + "SignalNoise", later), 280);
  EXPECT_LT(Int(dev, "Device.DOCSIS.DownstreamChannel.1.SignalQualityExt.RxMER", later), 290);
  EXPECT_GT(std::stoull(*dev.GetValue(ds + "ExtUncorrectables", later)), u0 + 10000);
  EXPECT_GT(Int(dev, "Device.DOCSIS.UpstreamChannel.1.Status.T3Timeouts", later), 5);
  Rpc(dev, Reboot{"try"}, later);
  EXPECT_TRUE(dev.FaultActive(SimFault::kDocsisNoise, later + kHour));
  EXPECT_LT(Int(dev, ds + "SignalNoise", later + kHour), 280);
  EXPECT_GT(Int(dev, "Device.DOCSIS.UpstreamChannel.1.Status.T3Timeouts", later + kHour), 5);
}

TEST(SimFaults, Names) {
  for (SimFault f : {SimFault::kWifiCongestion24, SimFault::kWeakClient, SimFault::kRebootLoop,
                     SimFault::kFirmwareRegression, SimFault::kDocsisNoise}) {
    EXPECT_EQ(ParseSimFault(SimFaultName(f)), f);
  }
  EXPECT_FALSE(ParseSimFault("gremlins"));
}

}  // namespace
}  // namespace hilo::cwmp
