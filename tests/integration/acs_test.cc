// The ACS through real CWMP over HTTP on loopback, driven by simulated gateways.
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <algorithm>
#include <thread>

#include "acs_fixture.h"
#include "hilo/cwmp/auth.h"
#include "hilo/telemetry/snapshot.h"

namespace hilo::testing {
namespace {

using cwmp::DataModel;
using cwmp::SimDevice;

std::string Param(AcsFixture& f, SimDevice& dev, const std::string& name) {
  (void)f;
  return dev.GetValue(name, 0).value_or("");
}

class Acs : public AcsFixture {};

// POSTs a body over a plain blocking socket (send everything the server takes, then read the
// status line), independent of hilo's own HTTP client.
int RawPostStatus(std::uint16_t port, const std::string& body) {
  namespace asio = boost::asio;
  asio::io_context ioc;
  asio::ip::tcp::socket socket(ioc);
  boost::system::error_code ec;
  socket.connect({asio::ip::make_address("127.0.0.1"), port}, ec);
  if (ec) return -1;
  std::string request = "POST / HTTP/1.1\r\nHost: x\r\nContent-Type: text/xml\r\nContent-Length: " +
                        std::to_string(body.size()) + "\r\n\r\n" + body;
  asio::write(socket, asio::buffer(request), ec);  // may fail once the server has answered and closed
  std::string response;
  char buf[4096];
  while (true) {
    std::size_t n = socket.read_some(asio::buffer(buf), ec);
    response.append(buf, n);
    if (ec || response.find("\r\n") != std::string::npos) break;
  }
  if (response.size() < 12 || !response.starts_with("HTTP/1.1 ")) return -2;
  return std::atoi(response.c_str() + 9);
}

TEST_F(Acs, Tr181GatewayBootstrapsIsProvisionedAndReportsWifi) {
  SimDevice dev(Config("SN181"));
  auto s = RunSession(dev, {});
  ASSERT_TRUE(s.completed) << "posts=" << s.posts << " status=" << s.last_status;
  // Statistics first, then the provisioning tasks.
  ASSERT_GE(s.rpcs.size(), 4u);
  EXPECT_EQ(s.rpcs[0], "InformResponse");
  EXPECT_EQ(s.rpcs[1], "GetParameterValues");
  EXPECT_TRUE(std::find(s.rpcs.begin(), s.rpcs.end(), "SetParameterValues") != s.rpcs.end());
  EXPECT_TRUE(std::find(s.rpcs.begin(), s.rpcs.end(), "SetParameterAttributes") != s.rpcs.end());
  EXPECT_EQ(dev.PeriodicInformInterval(), 300u);
  EXPECT_EQ(dev.ConnectionRequestUsername(), "SN181");
  Cpe cpe = GetCpe("SN181");
  EXPECT_EQ(cpe.data_model, "tr181");
  EXPECT_EQ(cpe.device_id, 0) << "unknown gateways are let in and listed for linking";
  EXPECT_TRUE(cpe.provisioned);
  Read([&](StoreReader& r) {
    auto unlinked = r.ListCpes(true, 10);
    ASSERT_EQ(unlinked->size(), 1u);
    auto tasks = r.TasksOf(cpe.id, false, 10);
    for (const auto& t : *tasks) EXPECT_EQ(t.status, TaskStatus::kDone) << TaskKindName(t.kind) << " " << t.fault_string;
    auto history = r.CpeHistory(cpe.id, 0, clock_);
    ASSERT_EQ(history->size(), 1u);
    auto snap = telemetry::SnapshotFromValue(history->front().snapshot);
    EXPECT_EQ(snap.radios.size(), 2u);
    EXPECT_FALSE(snap.clients.empty());
    EXPECT_EQ(snap.serial, "SN181");
  });
}

TEST_F(Acs, Tr098GatewayWorksTooAndStartsWithPeriodicOnly) {
  auto config = Config("SN098", DataModel::kTr098);
  config.bootstrapped = true;  // never sends 0 BOOTSTRAP
  SimDevice dev(config);
  auto s = RunSession(dev, {std::string(cwmp::kEventPeriodic)});
  ASSERT_TRUE(s.completed);
  Cpe cpe = GetCpe("SN098");
  EXPECT_EQ(cpe.data_model, "tr098");
  EXPECT_TRUE(cpe.provisioned) << "a gateway first seen on a periodic inform is provisioned too";
  Read([&](StoreReader& r) {
    auto snap = telemetry::SnapshotFromValue(r.CpeHistory(cpe.id, 0, clock_)->back().snapshot);
    EXPECT_GE(snap.radios.size(), 2u);
    EXPECT_FALSE(snap.clients.empty());
  });
}

TEST_F(Acs, ImportedSerialIsLinkedOnFirstInform) {
  Id customer = 0, device = 0;
  ASSERT_TRUE(store_->WriteSync([&](StoreTx& tx) -> Status {
    customer = *tx.InsertCustomer({.name = "Carlos"});
    device = *tx.InsertDevice({.customer_id = customer, .kind = DeviceKind::kGateway, .oui = "A0B1C2",
                               .product_class = "HGW-3000", .serial = "SNLINK"});
    return Ok();
  }));
  SimDevice dev(Config("SNLINK"));
  ASSERT_TRUE(RunSession(dev, {}).completed);
  Cpe cpe = GetCpe("SNLINK");
  EXPECT_EQ(cpe.device_id, device);
  EXPECT_EQ(cpe.customer_id, customer);
}

TEST_F(Acs, EveryRpcRunsAsATaskWithItsResult) {
  SimDevice dev(Config("SNRPC"));
  ASSERT_TRUE(RunSession(dev, {}).completed);
  Id cpe = GetCpe("SNRPC").id;
  Id gpv = Queue(cpe, TaskKind::kGetParameterValues, Obj({{"names", Value::MakeArray({"Device.DeviceInfo.SoftwareVersion"})}}));
  Id spv = Queue(cpe, TaskKind::kSetParameterValues,
                 Obj({{"values", Value::MakeArray({Obj({{"name", "Device.WiFi.Radio.1.Channel"}, {"value", "11"}, {"type", "xsd:unsignedInt"}})})}}));
  Id gpn = Queue(cpe, TaskKind::kGetParameterNames, Obj({{"path", "Device.WiFi."}, {"next_level", true}}));
  Id gpa = Queue(cpe, TaskKind::kGetParameterAttributes, Obj({{"names", Value::MakeArray({"Device.WiFi.Radio.1.Channel"})}}));
  Id add = Queue(cpe, TaskKind::kAddObject, Obj({{"object", "Device.NAT.PortMapping."}}));
  Id bad = Queue(cpe, TaskKind::kSetParameterValues,
                 Obj({{"values", Value::MakeArray({Obj({{"name", "Device.DeviceInfo.UpTime"}, {"value", "5"}, {"type", "xsd:unsignedInt"}})})}}));
  auto s = RunSession(dev, {std::string(cwmp::kEventPeriodic)});
  ASSERT_TRUE(s.completed);
  EXPECT_EQ(Task(gpv).status, TaskStatus::kDone);
  EXPECT_EQ(Task(gpv).result.Get("parameters").AsArray().at(0).Get("value").AsString(), "4.2.1");
  EXPECT_EQ(Task(spv).status, TaskStatus::kDone);
  EXPECT_EQ(Param(*this, dev, "Device.WiFi.Radio.1.Channel"), "11");
  EXPECT_EQ(Task(gpn).status, TaskStatus::kDone);
  EXPECT_FALSE(Task(gpn).result.Get("parameters").AsArray().empty());
  EXPECT_EQ(Task(gpa).status, TaskStatus::kDone);
  EXPECT_EQ(Task(gpa).result.Get("parameters").AsArray().at(0).Get("notification").AsInt(), 2) << "provisioned active";
  EXPECT_EQ(Task(add).status, TaskStatus::kDone);
  Id instance = Task(add).result.Get("instance_number").AsInt();
  EXPECT_GT(instance, 0);
  EXPECT_EQ(Task(bad).status, TaskStatus::kFault) << "UpTime is read-only";
  EXPECT_EQ(Task(bad).fault_code, 9003);
  EXPECT_FALSE(Task(bad).result.Get("parameter_faults").AsArray().empty());

  Id del = Queue(cpe, TaskKind::kDeleteObject, Obj({{"object", "Device.NAT.PortMapping." + std::to_string(instance) + "."}}));
  Id spa = Queue(cpe, TaskKind::kSetParameterAttributes,
                 Obj({{"attributes", Value::MakeArray({Obj({{"name", "Device.WiFi.SSID.1.SSID"}, {"notification", 1}})})}}));
  Id dl = Queue(cpe, TaskKind::kDownload, Obj({{"url", "http://127.0.0.1:1/fw-4.1.9.bin"}, {"target_file_name", "fw-4.1.9.bin"}}));
  ASSERT_TRUE(RunSession(dev, {std::string(cwmp::kEventPeriodic)}).completed);
  EXPECT_EQ(Task(del).status, TaskStatus::kDone);
  EXPECT_EQ(Task(spa).status, TaskStatus::kDone);
  // The download reports completion with a TransferComplete in the next session.
  ASSERT_TRUE(RunSession(dev, {}).completed);
  EXPECT_EQ(Task(dl).status, TaskStatus::kDone) << Task(dl).fault_string;
  EXPECT_EQ(GetCpe("SNRPC").software_version, "4.1.9");

  Id reboot = Queue(cpe, TaskKind::kReboot, Value::MakeObject());
  ASSERT_TRUE(RunSession(dev, {std::string(cwmp::kEventPeriodic)}).completed);
  EXPECT_EQ(Task(reboot).status, TaskStatus::kDone);
  ASSERT_TRUE(RunSession(dev, {}).completed);
  EXPECT_NE(GetCpe("SNRPC").last_events.find("M Reboot"), std::string::npos);
  Id reset = Queue(cpe, TaskKind::kFactoryReset, Value::MakeObject());
  ASSERT_TRUE(RunSession(dev, {std::string(cwmp::kEventPeriodic)}).completed);
  EXPECT_EQ(Task(reset).status, TaskStatus::kDone);
}

TEST_F(Acs, DigestAuthRightAndWrongCredentials) {
  StopAcs();
  options_.auth = cwmp::AcsAuthMode::kDigest;
  options_.username = "cpe";
  options_.password = "s3cret";
  StartAcs();
  SimDevice dev(Config("SNAUTH"));
  // No credentials: a Digest challenge, nothing recorded.
  auto denied = RunSession(dev, {});
  EXPECT_EQ(denied.last_status, 401);
  Read([&](StoreReader& r) { EXPECT_FALSE(*r.FindCpe("A0B1C2", "HGW-3000", "SNAUTH")); });
  // Answer the challenge properly.
  net::HttpClient client("127.0.0.1", port_);
  auto first = client.Send({.method = "POST", .target = "/", .body = cwmp::WriteEnvelope(dev.BeginSession({}, clock_))});
  ASSERT_TRUE(first);
  ASSERT_EQ(first->status, 401);
  auto good = cwmp::BuildDigestAuthorization(first->Header("www-authenticate"), "cpe", "s3cret", "POST", "/", "abcdef", 1);
  ASSERT_TRUE(good);
  auto ok = RunSession(dev, {}, *good);
  EXPECT_TRUE(ok.completed);
  auto wrong = cwmp::BuildDigestAuthorization(first->Header("www-authenticate"), "cpe", "guess", "POST", "/", "abcdef", 1);
  SimDevice other(Config("SNAUTH2"));
  EXPECT_EQ(RunSession(other, {}, *wrong).last_status, 401);
  // Basic sent pre-emptively by a CPE without Digest is accepted when right.
  SimDevice basic(Config("SNBASIC"));
  EXPECT_TRUE(RunSession(basic, {}, cwmp::BuildBasicAuthorization("cpe", "s3cret")).completed);
  EXPECT_EQ(RunSession(basic, {}, cwmp::BuildBasicAuthorization("cpe", "nope")).last_status, 401);
  EXPECT_GE(acs_->Stats().auth_failures, 2u);
}

TEST_F(Acs, TaskSurvivesARestart) {
  SimDevice dev(Config("SNRESTART"));
  ASSERT_TRUE(RunSession(dev, {}).completed);
  Id task = Queue(GetCpe("SNRESTART").id, TaskKind::kSetParameterValues,
                  Obj({{"values", Value::MakeArray({Obj({{"name", "Device.WiFi.Radio.1.Channel"}, {"value", "6"}, {"type", "xsd:unsignedInt"}})})}}));
  Restart();
  dev.AcknowledgeInform({}, clock_);  // no-op for the device; the ACS moved
  auto config_url = "http://127.0.0.1:" + std::to_string(port_) + "/";
  (void)config_url;
  ASSERT_TRUE(RunSession(dev, {std::string(cwmp::kEventPeriodic)}).completed);
  EXPECT_EQ(Task(task).status, TaskStatus::kDone);
  EXPECT_EQ(Param(*this, dev, "Device.WiFi.Radio.1.Channel"), "6");
}

TEST_F(Acs, CpeThatDisconnectsMidSessionLosesNoTask) {
  SimDevice dev(Config("SNDROP"));
  ASSERT_TRUE(RunSession(dev, {}).completed);
  Id task = Queue(GetCpe("SNDROP").id, TaskKind::kReboot, Value::MakeObject());
  // Inform, empty POST (gets statistics request), statistics answer (gets the Reboot)... then gone.
  // (The gateway learnt its statistics paths in the first session: one request each.)
  auto cut = RunSession(dev, {std::string(cwmp::kEventPeriodic)}, "", 3);
  EXPECT_FALSE(cut.completed);
  EXPECT_EQ(Task(task).status, TaskStatus::kSent) << ::testing::PrintToString(cut.rpcs);
  clock_ += 60;
  acs_->SweepIdleSessions();
  EXPECT_EQ(acs_->Stats().active_sessions, 0u) << "no session leaks";
  ASSERT_TRUE(store_->WriteSync([](StoreTx&) { return Ok(); }));  // let the requeue commit
  EXPECT_EQ(Task(task).status, TaskStatus::kPending);
  SimDevice fresh(Config("SNDROP"));
  fresh.AcknowledgeInform({}, clock_);
  ASSERT_TRUE(RunSession(fresh, {std::string(cwmp::kEventPeriodic)}).completed);
  EXPECT_EQ(Task(task).status, TaskStatus::kDone);
}

TEST_F(Acs, BadEnvelopesGetFaultsAndNeverCrash) {
  net::HttpClient client("127.0.0.1", port_);
  auto malformed = client.Send({.method = "POST", .target = "/", .body = "<soap:Envelope><soap:Body><cwmp:Inform>"});
  ASSERT_TRUE(malformed);
  EXPECT_EQ(malformed->status, 400);
  auto fault = cwmp::ParseEnvelope(malformed->body);
  ASSERT_TRUE(fault) << "the ACS's fault is well-formed SOAP";
  ASSERT_TRUE(fault->body && std::holds_alternative<cwmp::Fault>(*fault->body));
  EXPECT_EQ(std::get<cwmp::Fault>(*fault->body).fault_code, 8003u);

  net::HttpClient c2("127.0.0.1", port_);
  auto not_inform = c2.Send({.method = "POST", .target = "/", .body = cwmp::WriteEnvelope({.id = "1", .body = cwmp::GetRPCMethods{}})});
  ASSERT_TRUE(not_inform);
  EXPECT_EQ(not_inform->status, 400);

  // An unknown RPC inside a session: fault 8000, the session goes on.
  SimDevice dev(Config("SNBAD"));
  net::HttpClient c3("127.0.0.1", port_);
  auto inform = c3.Send({.method = "POST", .target = "/", .body = cwmp::WriteEnvelope(dev.BeginSession({}, clock_))});
  ASSERT_TRUE(inform);
  ASSERT_EQ(inform->status, 200);
  std::string unknown =
      R"(<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:cwmp="urn:dslforum-org:cwmp-1-0">)"
      R"(<soapenv:Header><cwmp:ID soapenv:mustUnderstand="1">9</cwmp:ID></soapenv:Header>)"
      R"(<soapenv:Body><cwmp:X_Vendor_Hello/></soapenv:Body></soapenv:Envelope>)";
  auto r = c3.Send({.method = "POST", .target = "/", .body = unknown});
  ASSERT_TRUE(r);
  auto f = cwmp::ParseEnvelope(r->body);
  ASSERT_TRUE(f && f->body && std::holds_alternative<cwmp::Fault>(*f->body));
  EXPECT_EQ(std::get<cwmp::Fault>(*f->body).fault_code, 8000u);
  EXPECT_EQ(f->id, "9");
  auto rpc = c3.Send({.method = "POST", .target = "/", .body = ""});  // empty POST: the session continues
  ASSERT_TRUE(rpc);
  EXPECT_EQ(rpc->status, 200);

  // A response with the wrong cwmp:ID: a fault, and the session ends.
  auto wrong_id = cwmp::WriteEnvelope({.id = "not-what-we-sent", .body = cwmp::GetParameterValuesResponse{}});
  auto w = c3.Send({.method = "POST", .target = "/", .body = wrong_id});
  ASSERT_TRUE(w);
  auto wf = cwmp::ParseEnvelope(w->body);
  ASSERT_TRUE(wf && wf->body && std::holds_alternative<cwmp::Fault>(*wf->body));

  // Oversize: refused by the HTTP layer before any parsing.
  StopAcs();
  StartAcs();
  EXPECT_EQ(RawPostStatus(port_, std::string((1 << 20) + 1024, 'x')), 413);
}

TEST_F(Acs, SimulatorFaultsShowInTheSnapshot) {
  SimDevice dev(Config("SNFAULT"));
  dev.InjectFault(cwmp::SimFault::kWifiCongestion24, clock_ - kHour);
  dev.InjectFault(cwmp::SimFault::kWeakClient, clock_ - kHour);
  ASSERT_TRUE(RunSession(dev, {}).completed);
  Read([&](StoreReader& r) {
    Id cpe = GetCpe("SNFAULT").id;
    auto snap = telemetry::SnapshotFromValue(r.CpeHistory(cpe, 0, clock_)->back().snapshot);
    const telemetry::Radio* r24 = snap.FindRadioByBand(telemetry::Band::k2_4GHz);
    ASSERT_NE(r24, nullptr);
    ASSERT_TRUE(r24->noise_dbm);
    EXPECT_GT(*r24->noise_dbm, -80) << "congestion raises the noise floor";
    const telemetry::Client* weak = snap.FindClient(telemetry::MacKey(dev.WeakClientMac()));
    ASSERT_NE(weak, nullptr);
    ASSERT_TRUE(weak->signal_dbm);
    EXPECT_LT(*weak->signal_dbm, -75);
  });
}

}  // namespace
}  // namespace hilo::testing

namespace hilo::testing {
namespace {

TEST_F(AcsFixture, OldTelemetryIsDownsampledHourlyNotLost) {
  options_.history_keep = 2 * kHour;
  StopAcs();
  StartAcs();
  cwmp::SimDevice dev(Config("SNHIST"));
  // Three hours of 20-minute sessions.
  for (int i = 0; i < 10; ++i) {
    ASSERT_TRUE(RunSession(dev, {i == 0 ? "" : std::string(cwmp::kEventPeriodic)}).completed);
    clock_ += 20 * kMinute;
  }
  Id cpe = GetCpe("SNHIST").id;
  Read([&](StoreReader& r) {
    auto raw = r.CpeHistory(cpe, 0, clock_);
    auto hourly = r.CpeHourly(cpe, 0, clock_);
    ASSERT_FALSE(hourly->empty()) << "old points were folded into hourly aggregates";
    EXPECT_LT(raw->size(), 10u);
    EXPECT_GE(raw->front().at, clock_ - 3 * kHour);
    const Value& first = hourly->front().snapshot;
    EXPECT_FALSE(first.AsObject().empty());
    EXPECT_GT(first.AsObject().front().second.Get("count").AsInt(), 0);
  });
}

}  // namespace
}  // namespace hilo::testing

namespace hilo::testing {
namespace {

// A flood: many gateways at once, some of which stall after their Inform. Every well-behaved
// session completes, the stalled ones are swept without leaking, and the ACS keeps serving.
TEST_F(AcsFixture, AFloodOfGatewaysWithStallersIsServedAndNothingLeaks) {
  constexpr int kGateways = 120;
  std::atomic<int> completed{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      for (int i = t; i < kGateways; i += 8) {
        cwmp::SimDevice dev(Config("SNFLOOD" + std::to_string(i)));
        if (i % 10 == 0) {
          // Stalls: sends its Inform, then never comes back.
          net::HttpClient client("127.0.0.1", port_);
          (void)client.Send({.method = "POST", .target = "/", .body = cwmp::WriteEnvelope(dev.BeginSession({}, clock_))});
          continue;
        }
        if (RunSession(dev, {}).completed) ++completed;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(completed, kGateways - kGateways / 10);
  EXPECT_EQ(acs_->Stats().active_sessions, static_cast<std::size_t>(kGateways / 10)) << "the stalled ones, until swept";
  clock_ += 60;
  acs_->SweepIdleSessions();
  EXPECT_EQ(acs_->Stats().active_sessions, 0u);
  Read([&](StoreReader& r) { EXPECT_EQ(r.ListCpes(false, 1000)->size(), static_cast<std::size_t>(kGateways)); });
  // Still serving.
  cwmp::SimDevice late(Config("SNLATE"));
  EXPECT_TRUE(RunSession(late, {}).completed);
}

}  // namespace
}  // namespace hilo::testing

namespace hilo::testing {
namespace {

TEST_F(AcsFixture, HoldRequestsMeansTheAcsSendsNothing) {
  cwmp::SimDevice dev(Config("SNHOLD"));
  ASSERT_TRUE(RunSession(dev, {}).completed);
  Id task = Queue(GetCpe("SNHOLD").id, TaskKind::kReboot, Value::MakeObject());
  net::HttpClient client("127.0.0.1", port_);
  cwmp::Envelope inform = dev.BeginSession({std::string(cwmp::kEventPeriodic)}, clock_);
  inform.hold_requests = true;
  auto r1 = client.Send({.method = "POST", .target = "/", .body = cwmp::WriteEnvelope(inform)});
  ASSERT_TRUE(r1);
  ASSERT_EQ(r1->status, 200);
  auto r2 = client.Send({.method = "POST", .target = "/", .body = ""});
  ASSERT_TRUE(r2);
  EXPECT_EQ(r2->status, 204) << "with HoldRequests the ACS must not send requests";
  EXPECT_EQ(Task(task).status, TaskStatus::kPending) << "the task waits for a session that allows it";
  EXPECT_EQ(acs_->Stats().active_sessions, 0u) << "the empty POST ended the session";
}

}  // namespace
}  // namespace hilo::testing
