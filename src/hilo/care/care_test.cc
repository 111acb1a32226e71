// care/ against the real SQLite store in a temporary directory.
#include "hilo/care/care.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <filesystem>

#include "hilo/core/story.h"
#include "hilo/diagnosis/testing_home.h"
#include "hilo/store/sqlite/sqlite_store.h"

namespace hilo::care {
namespace {

using diagnosis::testing::HealthySnapshot;
using telemetry::Band;
using telemetry::DeviceSnapshot;

constexpr Time kNow = 1795000000;

Value Obj(std::initializer_list<std::pair<const char*, Value>> members) {
  Value v = Value::MakeObject();
  for (const auto& [k, val] : members) v.Set(k, val);
  return v;
}

// The 2.4 GHz radio stuck on a crowded channel 6; its clients retry a lot.
DeviceSnapshot Congested(Time at) {
  DeviceSnapshot s = HealthySnapshot(at, 3, 2, kNow - 20 * kDay);
  telemetry::Radio& r = s.radios[0];
  r.channel = 6;
  r.auto_channel = false;
  r.noise_dbm = -70;
  r.utilization_pct = 80;
  r.receive_other_pct = 45;
  for (int i = 0; i < 6; ++i)
    s.neighbors.push_back({"20:00:00:00:00:0" + std::to_string(i), "N" + std::to_string(i), 6, Band::k2_4GHz, "20MHz", -60.0});
  for (auto& c : s.clients)
    if (c.radio_index == 1) c.retransmissions_pct = 28;
  return s;
}

// After the move to channel 11: quiet again.
DeviceSnapshot Moved(Time at) {
  DeviceSnapshot s = Congested(at);
  telemetry::Radio& r = s.radios[0];
  r.channel = 11;
  r.noise_dbm = -92;
  r.utilization_pct = 20;
  r.receive_other_pct = 5;
  for (auto& c : s.clients) c.retransmissions_pct = 3;
  return s;
}

std::vector<CpeParam> Tr181Radios() {
  return {{"Device.WiFi.Radio.1.OperatingFrequencyBand", "2.4GHz", "xsd:string", kNow},
          {"Device.WiFi.Radio.1.PossibleChannels", "1-13", "xsd:string", kNow},
          {"Device.WiFi.Radio.1.Channel", "6", "xsd:unsignedInt", kNow},
          {"Device.WiFi.Radio.1.AutoChannelEnable", "false", "xsd:boolean", kNow},
          {"Device.WiFi.Radio.2.OperatingFrequencyBand", "5GHz", "xsd:string", kNow},
          {"Device.WiFi.Radio.2.PossibleChannels", "36,40,44,48", "xsd:string", kNow},
          {"Device.WiFi.Radio.2.Channel", "36", "xsd:unsignedInt", kNow},
          {"Device.WiFi.Radio.2.AutoChannelEnable", "true", "xsd:boolean", kNow}};
}

std::vector<CpeParam> Tr098Radios() {
  const std::string w = "InternetGatewayDevice.LANDevice.1.WLANConfiguration.";
  return {{w + "1.Channel", "6", "xsd:unsignedInt", kNow},
          {w + "1.PossibleChannels", "1-11", "xsd:string", kNow},
          {w + "1.AutoChannelEnable", "false", "xsd:boolean", kNow},
          {w + "1.AssociatedDevice.1.MACAddress", "a4:5e:60:00:00:01", "xsd:string", kNow},
          {w + "2.Channel", "44", "xsd:unsignedInt", kNow},
          {w + "2.AutoChannelEnable", "true", "xsd:boolean", kNow}};
}

class Care : public ::testing::Test {
 protected:
  void SetUp() override {
    static std::atomic<int> n{0};
    dir_ = std::filesystem::temp_directory_path() / ("hilo-care-" + std::to_string(::getpid()) + "-" + std::to_string(n++));
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    auto s = SqliteStore::Open((dir_ / "hilo.db").string(), {});
    ASSERT_TRUE(s) << s.error().message;
    store_ = std::move(*s);
    options_.verify_snapshots_not_fixed = 2;
  }
  void TearDown() override {
    store_.reset();
    std::filesystem::remove_all(dir_);
  }

  void Write(const std::function<void(StoreTx&)>& fn) {
    auto s = store_->WriteSync([&](StoreTx& tx) -> Status {
      fn(tx);
      return Ok();
    });
    ASSERT_TRUE(s) << s.error().message;
  }

  // A customer with a site, an internet service at it and (optionally) its gateway.
  void Home(bool with_gateway, std::string data_model = "tr181") {
    Write([&](StoreTx& tx) {
      customer_ = *tx.InsertCustomer({.name = "Carlos"});
      site_ = *tx.InsertSite({.customer_id = customer_, .address = "Av. Siempre Viva 742", .city = "Santiago"});
      service_ = *tx.InsertService({.customer_id = customer_, .site_id = site_, .kind = ServiceKind::kInternet});
      if (with_gateway) gateway_ = AddGateway(tx, "SN1", site_, data_model);
      ContactInput in;
      in.customer_id = customer_;
      in.service_id = service_;
      in.channel = Channel::kChat;
      in.subject = "Wi-Fi se corta";
      in.symptoms = SymptomFacts{"wifi_drops", kNow - 2 * kDay, {"laptop-ana"}, "intermittent", ""};
      auto r = RecordContact(tx, agent_, in, kNow - kHour, {});
      ASSERT_TRUE(r) << r.error().message;
      case_ = r->case_id;
    });
  }

  Id AddGateway(StoreTx& tx, const std::string& serial, Id site, const std::string& data_model) {
    Id device = *tx.InsertDevice({.customer_id = customer_, .site_id = site, .kind = DeviceKind::kGateway, .oui = "A0B1C2",
                                  .product_class = "HGW", .serial = serial});
    Cpe cpe;
    cpe.oui = "A0B1C2";
    cpe.product_class = "HGW";
    cpe.serial = serial;
    cpe.device_id = device;
    cpe.customer_id = customer_;
    cpe.data_model = data_model;
    cpe.software_version = "7.2.0";
    return *tx.InsertCpe(cpe);
  }

  void History(Id cpe, const std::function<DeviceSnapshot(Time)>& make, Time from, Time to, Time step = 300) {
    Write([&](StoreTx& tx) {
      for (Time t = from; t <= to; t += step) ASSERT_TRUE(tx.AppendCpeHistory(cpe, {t, telemetry::ToValue(make(t))}));
    });
  }

  std::vector<Event> Events() {
    std::vector<Event> out;
    EXPECT_TRUE(store_->Read([&](StoreReader& r) -> Status {
      out = *r.EventsOf(case_);
      return Ok();
    }));
    return out;
  }

  std::vector<Event> EventsOfKind(EventKind kind) {
    std::vector<Event> out;
    for (auto& e : Events())
      if (e.kind == kind) out.push_back(e);
    return out;
  }

  Result<DiagnosisOutcome> Diagnose(Time now) {
    Result<DiagnosisOutcome> out = Fail(Errc::kInternal, "not run");
    Write([&](StoreTx& tx) { out = DiagnoseCase(tx, agent_, case_, now, engine_, options_); });
    return out;
  }

  Result<RemediationOutcome> Fix(std::string_view action, const Value& params, std::string_view finding, Time now = kNow) {
    Result<RemediationOutcome> out = Fail(Errc::kInternal, "not run");
    Write([&](StoreTx& tx) { out = Remediate(tx, agent_, case_, action, params, finding, now, options_); });
    return out;
  }

  // The ACS ran the task: the gateway answered.
  void Finish(Id task_id, Time at, int fault = 0) {
    Write([&](StoreTx& tx) {
      CpeTask t = *tx.GetTask(task_id);
      t.status = fault ? TaskStatus::kFault : TaskStatus::kDone;
      t.fault_code = fault;
      t.fault_string = fault ? "Invalid parameter value" : "";
      t.done_at = at;
      ASSERT_TRUE(tx.UpdateTask(t));
      ASSERT_TRUE(OnTaskFinished(tx, *tx.GetCpe(gateway_), t, at, options_));
    });
  }

  // A new report from the gateway, as the ACS records it.
  void Report(const DeviceSnapshot& s) {
    Write([&](StoreTx& tx) {
      ASSERT_TRUE(tx.AppendCpeHistory(gateway_, {s.taken_at, telemetry::ToValue(s)}));
      auto r = OnSnapshot(tx, *tx.GetCpe(gateway_), s, s.taken_at, engine_, options_);
      ASSERT_TRUE(r) << r.error().message;
    });
  }

  std::filesystem::path dir_;
  std::unique_ptr<SqliteStore> store_;
  diagnosis::Engine engine_;
  CareOptions options_;
  Actor agent_{7, "Paula (agent)", Role::kAgent, 0};
  Id customer_ = 0, site_ = 0, service_ = 0, gateway_ = 0, case_ = 0;
};

// ---- 1. input

TEST_F(Care, WithoutGatewayTheEngineSaysEvidenceMissingNotAllFine) {
  Home(false);
  diagnosis::DiagnosisInput in;
  ASSERT_TRUE(store_->Read([&](StoreReader& r) -> Status {
    auto c = r.GetCase(case_);
    auto g = GatherInput(r, *c, kNow, options_);
    EXPECT_TRUE(g) << g.error().message;
    in = *g;
    return Ok();
  }));
  EXPECT_EQ(in.current.taken_at, 0);
  EXPECT_TRUE(in.history.empty());
  EXPECT_EQ(in.symptoms.what, "wifi_drops");
  EXPECT_EQ(in.symptoms.pattern, diagnosis::SymptomPattern::kIntermittent);
  auto d = Diagnose(kNow);
  ASSERT_TRUE(d) << d.error().message;
  ASSERT_EQ(d->findings.size(), 1u);
  EXPECT_EQ(d->findings[0].code, "evidence.missing");
  EXPECT_EQ(d->gateway_id, 0);
  EXPECT_FALSE(d->dispatch) << "missing data asks for data, not for a visit";
  EXPECT_TRUE(d->event.body.Get("gateway").IsNull());
}

TEST_F(Care, GatherPicksTheSiteGatewayAndDerivesChanges) {
  Home(true);
  Id other_site = 0, other = 0;
  Write([&](StoreTx& tx) {
    // A second home of the same customer, whose gateway was listed first.
    other_site = *tx.InsertSite({.customer_id = customer_, .address = "Playa 1", .city = "Valparaíso"});
    other = AddGateway(tx, "SN0", other_site, "tr181");
  });
  // Firmware 7.2.0 -> 7.3.0 seen in the history (a boot 100 s before the report), and the ACS's
  // own changes: a Download and an agent's SetParameterValues (provisioning is not a change).
  History(gateway_, [](Time t) {
    DeviceSnapshot s = HealthySnapshot(t, 3, 2, kNow - 20 * kDay);
    if (t >= kNow - 3 * kHour) {
      s.software_version = "7.3.0";
      s.uptime_s = t - (kNow - 3 * kHour - 100);
    }
    return s;
  }, kNow - 6 * kHour, kNow - 5 * 60);
  Write([&](StoreTx& tx) {
    auto dl = MakeTask(gateway_, TaskKind::kDownload, Obj({{"url", "http://fw/fw-7.4.1.bin"}, {"target_file_name", "fw-7.4.1.bin"}}), kNow - kHour, kDay);
    dl->status = TaskStatus::kDone;
    dl->done_at = kNow - kHour;
    ASSERT_TRUE(tx.InsertTask(*dl));
    Value values = Value::MakeArray({Obj({{"name", "Device.WiFi.Radio.1.TransmitPower"}, {"value", "40"}, {"type", "xsd:int"}})});
    auto spv = MakeTask(gateway_, TaskKind::kSetParameterValues, Obj({{"values", values}}), kNow - 2 * kHour, kDay);
    spv->status = TaskStatus::kDone;
    spv->done_at = kNow - 2 * kHour;
    ASSERT_TRUE(tx.InsertTask(*spv));
    Value mgmt = Value::MakeArray({Obj({{"name", "Device.ManagementServer.PeriodicInformInterval"}, {"value", "300"}, {"type", "xsd:unsignedInt"}})});
    auto prov = MakeTask(gateway_, TaskKind::kSetParameterValues, Obj({{"values", mgmt}}), kNow - 4 * kHour, kDay);
    prov->status = TaskStatus::kDone;
    prov->done_at = kNow - 4 * kHour;
    prov->reason = "provisioning";
    ASSERT_TRUE(tx.InsertTask(*prov));
  });
  GatheredInput g;
  ASSERT_TRUE(store_->Read([&](StoreReader& r) -> Status {
    auto got = Gather(r, *r.GetCase(case_), kNow, options_);
    EXPECT_TRUE(got) << got.error().message;
    g = *got;
    return Ok();
  }));
  ASSERT_TRUE(g.gateway);
  EXPECT_EQ(g.gateway->id, gateway_) << "the gateway at the case's service site, not the first (" << other << ")";
  EXPECT_EQ(g.input.history.size(), 72u);
  EXPECT_EQ(g.input.current.taken_at, kNow - 5 * 60);
  EXPECT_EQ(g.input.current.software_version, "7.3.0");
  ASSERT_EQ(g.input.changes.size(), 3u);
  EXPECT_EQ(g.input.changes[0].kind, diagnosis::ChangeKind::kFirmware);
  EXPECT_EQ(g.input.changes[0].from, "7.2.0");
  EXPECT_EQ(g.input.changes[0].to, "7.3.0");
  EXPECT_EQ(g.input.changes[0].at, kNow - 3 * kHour - 100) << "placed at the boot that installed it";
  EXPECT_EQ(g.input.changes[1].kind, diagnosis::ChangeKind::kConfiguration);
  EXPECT_EQ(g.input.changes[1].what, "Device.WiFi.Radio.1.TransmitPower");
  EXPECT_EQ(g.input.changes[1].to, "40");
  EXPECT_EQ(g.input.changes[2].kind, diagnosis::ChangeKind::kFirmware);
  EXPECT_EQ(g.input.changes[2].from, "7.3.0");
  EXPECT_EQ(g.input.changes[2].to, "7.4.1");
  EXPECT_EQ(g.input.changes[2].at, kNow - kHour);
}

// ---- 2. diagnosis on the case

TEST_F(Care, DiagnoseCaseAppendsAnEventTheStoryShows) {
  Home(true);
  History(gateway_, Congested, kNow - 4 * kHour, kNow - 60);
  auto d = Diagnose(kNow);
  ASSERT_TRUE(d) << d.error().message;
  ASSERT_FALSE(d->findings.empty());
  EXPECT_EQ(d->findings[0].code, "wifi.congestion");
  EXPECT_EQ(d->gateway_id, gateway_);
  const Value& body = d->event.body;
  EXPECT_EQ(d->event.kind, EventKind::kDiagnosis);
  EXPECT_EQ(body.Get("trigger").AsString(), "agent");
  EXPECT_EQ(body.Get("gateway").Get("serial").AsString(), "SN1");
  EXPECT_EQ(body.Get("window").Get("to").AsString(), FormatIsoTime(kNow));
  const Value& f = body.Get("findings").AsArray().at(0);
  EXPECT_EQ(f.Get("code").AsString(), "wifi.congestion");
  EXPECT_FALSE(f.Get("evidence").AsArray().empty());
  EXPECT_FALSE(f.Get("customer_text").Get("es").AsString().empty());
  EXPECT_FALSE(f.Get("next_actions").AsArray().empty());
  auto events = Events();
  Case c;
  ASSERT_TRUE(store_->Read([&](StoreReader& r) -> Status {
    c = *r.GetCase(case_);
    return Ok();
  }));
  Story story = BuildStory(c, events, kNow, Audience::kStaff);
  ASSERT_FALSE(story.findings.empty());
  EXPECT_EQ(story.findings[0], d->findings[0].agent_text);
  EXPECT_NE(RenderStory(story, Language::kEn).find("Wi-Fi congestion"), std::string::npos);
}

TEST_F(Care, ALineProblemProposesATechnicianWithItsReason) {
  Home(true);
  History(gateway_, [](Time t) {
    DeviceSnapshot s = HealthySnapshot(t, 3, 2, kNow - 20 * kDay);
    for (auto& d : s.docsis_downstream) {
      d.snr_db = 24;
      d.mer_db = 24;
    }
    return s;
  }, kNow - 3 * kHour, kNow - 60);
  auto d = Diagnose(kNow);
  ASSERT_TRUE(d) << d.error().message;
  EXPECT_EQ(d->findings.at(0).code, "line.docsis");
  EXPECT_TRUE(d->dispatch);
  EXPECT_EQ(d->dispatch_reason, "docsis_line");
  EXPECT_EQ(d->dispatch_finding, "line.docsis");
  EXPECT_EQ(d->event.body.Get("dispatch").Get("reason").AsString(), "docsis_line");
}

// ---- 3. remediation

TEST_F(Care, SetChannelOnTr181) {
  Home(true);
  Write([&](StoreTx& tx) { ASSERT_TRUE(tx.MergeCpeParams(gateway_, Tr181Radios())); });
  auto r = Fix("set_channel", Obj({{"band", "2.4GHz"}, {"channel", "11"}}), "wifi.congestion");
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->task.kind, TaskKind::kSetParameterValues);
  EXPECT_EQ(r->task.case_id, case_);
  EXPECT_EQ(r->task.requested_by, agent_.id);
  EXPECT_EQ(r->task.reason, "wifi.congestion");
  const auto& values = r->task.args.Get("values").AsArray();
  ASSERT_EQ(values.size(), 2u);
  EXPECT_EQ(values[0].Get("name").AsString(), "Device.WiFi.Radio.1.AutoChannelEnable");
  EXPECT_EQ(values[0].Get("value").AsString(), "false");
  EXPECT_EQ(values[1].Get("name").AsString(), "Device.WiFi.Radio.1.Channel");
  EXPECT_EQ(values[1].Get("value").AsString(), "11");
  EXPECT_EQ(values[1].Get("type").AsString(), "xsd:unsignedInt");
  const Value& body = r->event.body;
  EXPECT_EQ(r->event.kind, EventKind::kRemoteAction);
  EXPECT_EQ(body.Get("status").AsString(), "queued");
  EXPECT_EQ(body.Get("why").AsString(), "wifi.congestion");
  EXPECT_EQ(body.Get("task_id").AsInt(), r->task.id);
  EXPECT_EQ(body.Get("gateway_id").AsInt(), gateway_);
  EXPECT_EQ(r->event.actor_id, agent_.id) << "who asked";
  // Stored as queued for the ACS.
  ASSERT_TRUE(store_->Read([&](StoreReader& rd) -> Status {
    auto t = rd.GetTask(r->task.id);
    EXPECT_EQ(t->status, TaskStatus::kPending);
    return Ok();
  }));
  // The same again is refused; a channel of the other band, an unknown band too.
  EXPECT_EQ(Fix("set_channel", Obj({{"channel", 11}}), "wifi.congestion").error().code, Errc::kAlreadyExists);
  EXPECT_EQ(Fix("set_channel", Obj({{"channel", 36}}), "wifi.congestion").error().code, Errc::kInvalidArgument);
  EXPECT_EQ(Fix("set_channel", Obj({{"channel", 14}}), "wifi.congestion").error().field, "channel") << "not in 1-13";
  EXPECT_EQ(Fix("set_channel", Obj({{"channel", 40}, {"band", "5GHz"}}), "wifi.congestion")->task.args.Get("values").AsArray()[1].Get("name").AsString(),
            "Device.WiFi.Radio.2.Channel");
  auto autoch = Fix("enable_auto_channel", Obj({{"band", "2.4GHz"}}), "wifi.congestion");
  ASSERT_TRUE(autoch) << autoch.error().message;
  EXPECT_EQ(autoch->task.args.Get("values").AsArray().at(0).Get("name").AsString(), "Device.WiFi.Radio.1.AutoChannelEnable");
  EXPECT_EQ(autoch->task.args.Get("values").AsArray().at(0).Get("value").AsString(), "true");
}

TEST_F(Care, SetChannelOnTr098UsesTheWlanConfigurationInstance) {
  Home(true, "tr098");
  Write([&](StoreTx& tx) { ASSERT_TRUE(tx.MergeCpeParams(gateway_, Tr098Radios())); });
  auto r = Fix("set_channel", Obj({{"channel", 1}}), "wifi.congestion");
  ASSERT_TRUE(r) << r.error().message;
  const auto& values = r->task.args.Get("values").AsArray();
  ASSERT_EQ(values.size(), 2u);
  EXPECT_EQ(values[0].Get("name").AsString(), "InternetGatewayDevice.LANDevice.1.WLANConfiguration.1.AutoChannelEnable");
  EXPECT_EQ(values[1].Get("name").AsString(), "InternetGatewayDevice.LANDevice.1.WLANConfiguration.1.Channel");
  EXPECT_EQ(values[1].Get("value").AsString(), "1");
  auto five = Fix("enable_auto_channel", Obj({{"band", "5"}}), "wifi.congestion");
  ASSERT_TRUE(five) << five.error().message;
  EXPECT_EQ(five->task.args.Get("values").AsArray()[0].Get("name").AsString(),
            "InternetGatewayDevice.LANDevice.1.WLANConfiguration.2.AutoChannelEnable");
  EXPECT_EQ(Fix("set_channel", Obj({{"channel", 12}}), "wifi.congestion").error().code, Errc::kInvalidArgument) << "1-11 only";
  EXPECT_EQ(Fix("set_channel", Obj({{"channel", 1}, {"band", "6GHz"}}), "wifi.congestion").error().code, Errc::kFailedPrecondition);
}

TEST_F(Care, RebootNowAndInTheQuietHourWithConsent) {
  Home(true);
  EXPECT_EQ(Fix("reboot", Obj({{"when", "quiet_hour"}}), "gateway.instability").error().code, Errc::kFailedPrecondition);
  EXPECT_EQ(Fix("reboot", Obj({{"when", "now_with_consent"}}), "common_cause.gateway").error().field, "consent");
  EXPECT_EQ(Fix("reboot", Obj({{"when", "tomorrow"}}), "gateway.instability").error().code, Errc::kInvalidArgument);
  auto now = Fix("reboot", Obj({{"when", "now"}, {"consent", true}}), "common_cause.gateway");
  ASSERT_TRUE(now) << now.error().message;
  EXPECT_EQ(now->task.kind, TaskKind::kReboot);
  EXPECT_FALSE(now->scheduled);

  // kNow is 05:46 UTC = 02:46 in Chile (-3): the quiet hour (03:00-04:00) starts at 06:00 UTC.
  auto quiet = Fix("reboot", Obj({{"when", "quiet_hour"}, {"consent", true}}), "gateway.instability");
  ASSERT_TRUE(quiet) << quiet.error().message;
  EXPECT_TRUE(quiet->scheduled);
  EXPECT_EQ(quiet->task.id, 0);
  EXPECT_EQ(quiet->not_before % kDay, 6 * kHour);
  EXPECT_GT(quiet->not_before, kNow);
  EXPECT_LT(quiet->not_before - kNow, kDay);
  EXPECT_EQ(quiet->event.body.Get("status").AsString(), "scheduled");
  EXPECT_EQ(Fix("reboot", Obj({{"when", "quiet_hour"}, {"consent", true}}), "gateway.instability").error().code, Errc::kAlreadyExists);
  auto reboots = [&] {
    int n = 0;
    EXPECT_TRUE(store_->Read([&](StoreReader& r) -> Status {
      auto tasks = r.TasksOf(gateway_, false, 50);
      for (const auto& t : *tasks) n += t.kind == TaskKind::kReboot ? 1 : 0;
      return Ok();
    }));
    return n;
  };
  Report(HealthySnapshot(quiet->not_before - 60, 3, 2));
  EXPECT_EQ(reboots(), 1) << "not before the quiet hour";
  Report(HealthySnapshot(quiet->not_before + 30, 3, 2));
  EXPECT_EQ(reboots(), 2) << "queued at the first inform in the quiet hour";
  Report(HealthySnapshot(quiet->not_before + 330, 3, 2));
  EXPECT_EQ(reboots(), 2) << "once";
  auto remote = EventsOfKind(EventKind::kRemoteAction);
  ASSERT_EQ(remote.size(), 3u);
  EXPECT_EQ(remote.back().body.Get("scheduled_seq").AsInt(), quiet->event.seq);
  EXPECT_EQ(remote.back().body.Get("status").AsString(), "queued");
}

TEST_F(Care, FirmwareSteeringAndRefusals) {
  Home(true);
  Write([&](StoreTx& tx) { ASSERT_TRUE(tx.MergeCpeParams(gateway_, Tr181Radios())); });
  auto back = Fix("firmware_rollback", Obj({{"to", "7.1.9"}, {"from", "7.2.0"}}), "common_cause.gateway");
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_EQ(back->task.kind, TaskKind::kDownload);
  EXPECT_EQ(back->task.args.Get("target_file_name").AsString(), "fw-7.1.9.bin");
  EXPECT_EQ(back->task.args.Get("file_type").AsString(), "1 Firmware Upgrade Image");
  EXPECT_TRUE(back->task.args.Get("url").AsString().ends_with("/fw-7.1.9.bin"));
  auto up = Fix("firmware_update", Obj({{"version", "7.4.0"}, {"url", "https://fw.example/img/fw-7.4.0.bin"}}), "gateway.instability");
  ASSERT_TRUE(up) << up.error().message;
  EXPECT_EQ(up->task.args.Get("url").AsString(), "https://fw.example/img/fw-7.4.0.bin");
  EXPECT_EQ(Fix("firmware_update", Obj({{"version", "7.2.0"}}), "x").error().code, Errc::kFailedPrecondition) << "already on it";
  EXPECT_EQ(Fix("firmware_update", Obj({{"version", "../../etc"}}), "x").error().code, Errc::kInvalidArgument);

  auto steer = Fix("steer_client_5ghz", Obj({{"mac", "A4-5E-60-00-00-01"}}), "wifi.congestion");
  ASSERT_FALSE(steer);
  EXPECT_EQ(steer.error().code, Errc::kFailedPrecondition);
  EXPECT_NE(steer.error().message.find("not possible remotely"), std::string::npos);
  Write([&](StoreTx& tx) {
    ASSERT_TRUE(tx.MergeCpeParams(gateway_, {{"Device.WiFi.X_ACME_BandSteering.Enable", "false", "xsd:boolean", kNow}}));
  });
  steer = Fix("steer_client_5ghz", Obj({{"mac", "A4-5E-60-00-00-01"}}), "wifi.congestion");
  ASSERT_TRUE(steer) << steer.error().message;
  EXPECT_EQ(steer->task.args.Get("values").AsArray()[0].Get("name").AsString(), "Device.WiFi.X_ACME_BandSteering.Enable");
  EXPECT_EQ(steer->event.body.Get("params").Get("mac").AsString(), "a4:5e:60:00:00:01");

  EXPECT_EQ(Fix("dispatch_technician", Obj({}), "line.docsis").error().code, Errc::kInvalidArgument);
  EXPECT_EQ(Fix("format_disk", Obj({}), "x").error().field, "action");
  EXPECT_EQ(Fix("reboot", Obj({}), "").error().field, "finding_code");
  Write([&](StoreTx& tx) { ASSERT_TRUE(ChangeStatus(tx, agent_, case_, CaseStatus::kResolved, "fixed", kNow)); });
  EXPECT_EQ(Fix("reboot", Obj({}), "x").error().code, Errc::kFailedPrecondition) << "closed cases take no actions";
}

TEST_F(Care, NoGatewayNoRemoteAction) {
  Home(false);
  EXPECT_EQ(Fix("reboot", Obj({}), "common_cause.gateway").error().code, Errc::kFailedPrecondition);
}

// ---- 4. hooks: the CPE's answer and verification

TEST_F(Care, ChannelChangeVerifiedFixedWhenTheNextReportIsClean) {
  Home(true);
  Write([&](StoreTx& tx) { ASSERT_TRUE(tx.MergeCpeParams(gateway_, Tr181Radios())); });
  History(gateway_, Congested, kNow - 4 * kHour, kNow - 60);
  auto d = Diagnose(kNow);
  ASSERT_TRUE(d && d->findings.at(0).code == "wifi.congestion");
  auto r = Fix("set_channel", Obj({{"channel", 11}}), "wifi.congestion");
  ASSERT_TRUE(r) << r.error().message;
  Finish(r->task.id, kNow + 60);
  auto remote = EventsOfKind(EventKind::kRemoteAction);
  ASSERT_EQ(remote.size(), 2u);
  EXPECT_EQ(remote[1].body.Get("status").AsString(), "done");
  EXPECT_EQ(remote[1].body.Get("task_id").AsInt(), r->task.id);
  EXPECT_EQ(remote[1].body.Get("verification").AsString(), "pending");
  EXPECT_EQ(remote[1].actor_id, 0) << "the gateway's answer, recorded by hilo";

  // The report taken in the same session, before the task ran, proves nothing.
  Report(Congested(kNow + 60));
  EXPECT_TRUE(EventsOfKind(EventKind::kVerification).empty());
  Report(Moved(kNow + 360));
  auto v = EventsOfKind(EventKind::kVerification);
  ASSERT_EQ(v.size(), 1u);
  const Value& body = v[0].body;
  EXPECT_TRUE(body.Get("fixed").AsBool());
  EXPECT_EQ(body.Get("finding").AsString(), "wifi.congestion");
  EXPECT_EQ(body.Get("task_id").AsInt(), r->task.id);
  EXPECT_TRUE(body.Get("next_step").IsNull());
  bool noise = false, channel = false;
  for (const auto& e : body.Get("evidence").AsArray()) {
    if (e.Get("metric").AsString() == "radio.noise_dbm") {
      noise = true;
      EXPECT_EQ(e.Get("before").AsDouble(), -70);
      EXPECT_EQ(e.Get("after").AsDouble(), -92);
    }
    if (e.Get("metric").AsString() == "radio.channel") {
      channel = true;
      EXPECT_EQ(e.Get("before").AsInt(), 6);
      EXPECT_EQ(e.Get("after").AsInt(), 11);
    }
  }
  EXPECT_TRUE(noise && channel);
  // Once only; and telemetry re-diagnosed the case because its findings changed.
  Report(Moved(kNow + 660));
  EXPECT_EQ(EventsOfKind(EventKind::kVerification).size(), 1u);
  auto diagnoses = EventsOfKind(EventKind::kDiagnosis);
  ASSERT_EQ(diagnoses.size(), 2u) << "one new diagnosis when the codes changed, not one per report";
  EXPECT_EQ(diagnoses[1].body.Get("trigger").AsString(), "telemetry");
  // The story says what was done and that it worked.
  Case c;
  ASSERT_TRUE(store_->Read([&](StoreReader& rd) -> Status {
    c = *rd.GetCase(case_);
    return Ok();
  }));
  std::string text = RenderStory(BuildStory(c, Events(), kNow + 700, Audience::kStaff), Language::kEn);
  EXPECT_NE(text.find("fixed: wifi.congestion is gone"), std::string::npos) << text;
  EXPECT_NE(text.find("channel to 11"), std::string::npos) << text;
}

TEST_F(Care, StillCongestedIsNotFixedAndTheNextStepIsProposed) {
  Home(true);
  Write([&](StoreTx& tx) { ASSERT_TRUE(tx.MergeCpeParams(gateway_, Tr181Radios())); });
  History(gateway_, Congested, kNow - 4 * kHour, kNow - 60);
  ASSERT_TRUE(Diagnose(kNow));
  auto r = Fix("set_channel", Obj({{"channel", 11}}), "wifi.congestion");
  ASSERT_TRUE(r);
  Finish(r->task.id, kNow + 60);
  Report(Congested(kNow + 360));
  EXPECT_TRUE(EventsOfKind(EventKind::kVerification).empty()) << "one report is not enough to say 'not fixed'";
  Report(Congested(kNow + 660));
  auto v = EventsOfKind(EventKind::kVerification);
  ASSERT_EQ(v.size(), 1u);
  EXPECT_FALSE(v[0].body.Get("fixed").AsBool());
  EXPECT_EQ(v[0].body.Get("verdict").AsString(), "not_fixed");
  const Value& next = v[0].body.Get("next_step");
  ASSERT_TRUE(next.IsObject());
  EXPECT_NE(next.Get("code").AsString(), "set_channel") << "not the step that just failed";
  EXPECT_FALSE(next.Get("code").AsString().empty());
}

TEST_F(Care, AFaultIsTheCpesAnswerAndNothingIsVerified) {
  Home(true);
  Write([&](StoreTx& tx) { ASSERT_TRUE(tx.MergeCpeParams(gateway_, Tr181Radios())); });
  History(gateway_, Congested, kNow - kHour, kNow - 60);
  auto r = Fix("set_channel", Obj({{"channel", 11}}), "wifi.congestion");
  ASSERT_TRUE(r);
  Finish(r->task.id, kNow + 60, 9007);
  auto remote = EventsOfKind(EventKind::kRemoteAction);
  ASSERT_EQ(remote.size(), 2u);
  EXPECT_EQ(remote[1].body.Get("status").AsString(), "fault");
  EXPECT_EQ(remote[1].body.Get("fault_code").AsInt(), 9007);
  Report(Moved(kNow + 400));
  Report(Moved(kNow + 700));
  EXPECT_TRUE(EventsOfKind(EventKind::kVerification).empty());
}

TEST_F(Care, AbsentDevicesProveNothing) {
  // Common cause answered by a reboot; afterwards the laptops are switched off: the finding is
  // gone from the data, but so is the data that would show it.
  Home(true);
  History(gateway_, [](Time t) {
    DeviceSnapshot s = HealthySnapshot(t, 3, 2, kNow - 20 * kDay);
    if (t >= kNow - 2 * kHour)
      for (auto& c : s.clients) c.retransmissions_pct = 35;
    return s;
  }, kNow - 6 * kHour, kNow - 60);
  auto d = Diagnose(kNow);
  ASSERT_TRUE(d);
  ASSERT_EQ(d->findings.at(0).code, "common_cause.gateway");
  auto r = Fix("reboot", Obj({{"when", "now_with_consent"}, {"consent", true}}), "common_cause.gateway");
  ASSERT_TRUE(r);
  Finish(r->task.id, kNow + 60);
  auto off = [](Time t) {
    DeviceSnapshot s = HealthySnapshot(t, 3, 2, kNow + 60);
    for (auto& c : s.clients) c.active = false;
    return s;
  };
  Report(off(kNow + 360));
  EXPECT_TRUE(EventsOfKind(EventKind::kVerification).empty()) << "never 'fixed' on hope";
  Report(off(kNow + 660));
  auto v = EventsOfKind(EventKind::kVerification);
  ASSERT_EQ(v.size(), 1u);
  EXPECT_FALSE(v[0].body.Get("fixed").AsBool());
  EXPECT_EQ(v[0].body.Get("verdict").AsString(), "unverified");
}

// ---- 5. probes

std::vector<telemetry::ProbeSample> Samples(std::int64_t from_s, std::int64_t to_s, std::vector<std::int64_t> lost) {
  std::vector<telemetry::ProbeSample> out;
  for (std::int64_t t = from_s; t <= to_s; ++t) {
    bool ok = std::find(lost.begin(), lost.end(), t) == lost.end();
    out.push_back({t * 1000, telemetry::ProbeLeg::kLanToGateway, ok, ok ? 4.0 : 0.0});
  }
  return out;
}

TEST_F(Care, AMicroOutageAcrossTwoBatchesIsFoundWholeAndCorrelated) {
  Home(true);
  const std::int64_t t0 = kNow - 600;
  // The gateway rebooted at t0 + 57 (uptime says so in the report after it).
  Write([&](StoreTx& tx) {
    ASSERT_TRUE(tx.AppendCpeHistory(gateway_, {t0 - 300, telemetry::ToValue(HealthySnapshot(t0 - 300, 3, 2, kNow - kDay))}));
    ASSERT_TRUE(tx.AppendCpeHistory(gateway_, {t0 + 120, telemetry::ToValue(HealthySnapshot(t0 + 120, 3, 2, t0 + 57))}));
  });
  auto ingest = [&](std::vector<telemetry::ProbeSample> batch) {
    Result<ProbeIngestOutcome> out = Fail(Errc::kInternal, "not run");
    Write([&](StoreTx& tx) { out = IngestProbeSamples(tx, customer_, gateway_, batch, kNow, options_); });
    return out;
  };
  // Cut from t0+57 to t0+63 (6 losses): 3 in each 10-second batch. Each half alone is a run of 3
  // or fewer; only together are they the cut with its real start.
  auto first = ingest(Samples(t0 + 50, t0 + 59, {t0 + 57, t0 + 58, t0 + 59}));
  ASSERT_TRUE(first) << first.error().message;
  EXPECT_TRUE(first->events.empty());
  EXPECT_TRUE(first->in_cut);
  auto second = ingest(Samples(t0 + 60, t0 + 69, {t0 + 60, t0 + 61, t0 + 62}));
  ASSERT_TRUE(second) << second.error().message;
  ASSERT_EQ(second->events.size(), 1u);
  const auto& e = second->events[0];
  EXPECT_EQ(e.kind, telemetry::ProbeEventKind::kMicroOutage);
  EXPECT_EQ(e.start_ms, (t0 + 57) * 1000);
  EXPECT_EQ(e.end_ms, (t0 + 63) * 1000);
  EXPECT_EQ(e.lost, 6u);
  ASSERT_EQ(second->correlations.size(), 1u);
  EXPECT_EQ(second->correlations[0].gateway_event.kind, telemetry::GatewayEventKind::kReboot);
  EXPECT_EQ(second->correlations[0].offset_ms, 0);
  // A batch sent twice is not counted twice.
  auto again = ingest(Samples(t0 + 60, t0 + 69, {t0 + 60, t0 + 61, t0 + 62}));
  ASSERT_TRUE(again);
  EXPECT_TRUE(again->events.empty());
  // Stored, and what the next diagnosis sees, with the probe coverage.
  diagnosis::DiagnosisInput in;
  ASSERT_TRUE(store_->Read([&](StoreReader& r) -> Status {
    auto records = r.ProbeEventsOf(customer_, 0, kNow * 1000);
    EXPECT_EQ(records->size(), 1u);
    in = *GatherInput(r, *r.GetCase(case_), kNow, options_);
    return Ok();
  }));
  ASSERT_EQ(in.probe_events.size(), 1u);
  EXPECT_EQ(in.probe_events[0].lost, 6u);
  EXPECT_EQ(in.probe_window_start, t0 + 50);
  EXPECT_EQ(in.probe_window_end, t0 + 69);
  // Someone else's gateway is refused.
  Write([&](StoreTx& tx) {
    Id other = *tx.InsertCustomer({.name = "Otra"});
    auto r = IngestProbeSamples(tx, other, gateway_, Samples(t0, t0 + 5, {}), kNow, options_);
    EXPECT_EQ(r.error().code, Errc::kInvalidArgument);
  });
}

}  // namespace
}  // namespace hilo::care
