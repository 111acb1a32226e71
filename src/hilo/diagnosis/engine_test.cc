#include "hilo/diagnosis/engine.h"

#include <gtest/gtest.h>

#include "hilo/diagnosis/testing_home.h"

namespace hilo::diagnosis {
namespace {

using telemetry::Band;
using telemetry::DeviceSnapshot;
using telemetry::ProbeEvent;
using telemetry::ProbeEventKind;
using telemetry::ProbeLeg;

constexpr Time kNow = 1'790'000'000;

std::string Codes(const std::vector<Finding>& f) {
  std::string s;
  for (const Finding& x : f) s += x.code + "(" + std::string(SeverityName(x.severity)) + ") ";
  return s;
}

const Finding* Find(const std::vector<Finding>& f, std::string_view code) {
  for (const Finding& x : f) {
    if (x.code == code) return &x;
  }
  return nullptr;
}

bool HasAction(const Finding& f, std::string_view code) {
  for (const Action& a : f.next_actions) {
    if (a.code == code) return true;
  }
  return false;
}

// Applies `fn` to every snapshot taken at or after `from` (history and current).
template <typename Fn>
void From(DiagnosisInput& in, Time from, Fn fn) {
  for (DeviceSnapshot& s : in.history) {
    if (s.taken_at >= from) fn(s);
  }
  if (in.current.taken_at >= from) fn(in.current);
}
template <typename Fn>
void All(DiagnosisInput& in, Fn fn) {
  From(in, 0, fn);
}

DiagnosisInput Home(int clients = 4, int radios = 2, int history = 288) {
  return testing::HealthyHome(kNow, clients, radios, history);
}

void ReportSymptoms(DiagnosisInput& in, SymptomPattern p = SymptomPattern::kIntermittent) {
  in.symptoms.what = "wifi_drops";
  in.symptoms.since = kNow - 2 * kDay;
  in.symptoms.pattern = p;
}

ProbeEvent Cut(ProbeLeg leg, Time at, int seconds) {
  ProbeEvent e;
  e.kind = ProbeEventKind::kMicroOutage;
  e.leg = leg;
  e.start_ms = at * 1000;
  e.end_ms = (at + seconds) * 1000;
  e.lost = static_cast<std::uint32_t>(seconds);
  e.samples = e.lost;
  return e;
}

// ------------------------------------------------------------------------------------- healthy

TEST(Engine, HealthyHomesProduceNoFinding) {
  EXPECT_TRUE(Diagnose(Home()).empty()) << Codes(Diagnose(Home()));
  EXPECT_TRUE(Diagnose(Home(20, 3, 288)).empty()) << Codes(Diagnose(Home(20, 3, 288)));
  EXPECT_TRUE(Diagnose(Home(1, 1, 0)).empty());
  EXPECT_TRUE(Diagnose(Home(0, 2, 12)).empty());
  // One reboot in a day (an update, or the customer) is not instability.
  DiagnosisInput one_reboot = Home();
  From(one_reboot, kNow - 6 * kHour, [](DeviceSnapshot& s) { s.uptime_s = s.taken_at - (kNow - 6 * kHour - 100); });
  EXPECT_TRUE(Diagnose(one_reboot).empty()) << Codes(Diagnose(one_reboot));
  // A fair (-70 dBm) client and busy-but-fine neighbours are not problems.
  DiagnosisInput fair = Home();
  All(fair, [](DeviceSnapshot& s) { s.clients[1].signal_dbm = -70; });
  EXPECT_TRUE(Diagnose(fair).empty()) << Codes(Diagnose(fair));
  // An empty input with no complaint: nothing to say.
  EXPECT_TRUE(Diagnose(DiagnosisInput{}).empty());
}

// ----------------------------------------------------------------------------------- congestion

void AddStrongNeighbors(DeviceSnapshot& s, int channel, int n) {
  for (int i = 0; i < n; ++i) {
    s.neighbors.push_back({"20:00:00:00:00:0" + std::to_string(i), "Depto" + std::to_string(i), channel, Band::k2_4GHz,
                           "20MHz", -60.0 - i});
  }
}

TEST(Engine, CongestionNamesABetterChannel) {
  DiagnosisInput in = Home();
  From(in, kNow - 3 * kHour, [](DeviceSnapshot& s) {
    AddStrongNeighbors(s, 1, 6);
    s.radios[0].utilization_pct = 72;
    for (auto& c : s.clients) {
      if (c.band == Band::k2_4GHz) c.retransmissions_pct = 16;
    }
  });
  auto f = Diagnose(in);
  ASSERT_FALSE(f.empty());
  EXPECT_EQ(f[0].code, "wifi.congestion") << Codes(f);
  EXPECT_EQ(f[0].severity, Severity::kMajor);
  ASSERT_FALSE(f[0].next_actions.empty());
  EXPECT_EQ(f[0].next_actions[0].code, "set_channel");
  EXPECT_EQ(f[0].next_actions[0].Param("channel"), "11");  // 6 has a -78 dBm neighbour, 11 none strong
  EXPECT_EQ(f[0].next_actions[0].Param("band"), "2.4GHz");
  bool saw_cochannel = false;
  for (const Evidence& e : f[0].evidence) {
    if (e.metric == "radio.cochannel_networks") {
      saw_cochannel = true;
      EXPECT_EQ(e.value, 6);
      EXPECT_EQ(e.window_start, kNow - 3 * kHour);  // since when, from the history
    }
  }
  EXPECT_TRUE(saw_cochannel);
  EXPECT_NE(f[0].customer_text_es.find("canal 11"), std::string::npos) << f[0].customer_text_es;
  EXPECT_NE(f[0].customer_text_en.find("channel 11"), std::string::npos);
}

TEST(Engine, CoChannelNeighboursWithoutImpactAreNotAFinding) {
  DiagnosisInput in = Home();
  All(in, [](DeviceSnapshot& s) { AddStrongNeighbors(s, 1, 6); });
  EXPECT_TRUE(Diagnose(in).empty()) << Codes(Diagnose(in));
}

TEST(Engine, HighUtilisationAloneIsCongestion) {
  DiagnosisInput in = Home();
  in.current.radios[1].utilization_pct = 80;
  auto f = Diagnose(in);
  ASSERT_EQ(f.size(), 1u) << Codes(f);
  EXPECT_EQ(f[0].code, "wifi.congestion");
  EXPECT_NE(f[0].agent_text.find("5GHz"), std::string::npos);
}

// ---------------------------------------------------------------------------------- weak client

TEST(Engine, WeakClientNamesTheDeviceAndBand) {
  DiagnosisInput in = Home();
  All(in, [](DeviceSnapshot& s) { s.clients[2].signal_dbm = -81; });
  auto f = Diagnose(in);
  ASSERT_EQ(f.size(), 1u) << Codes(f);
  EXPECT_EQ(f[0].code, "wifi.weak_client");
  ASSERT_EQ(f[0].evidence.size(), 1u);
  EXPECT_EQ(f[0].evidence[0].device, in.current.clients[2].mac);
  EXPECT_EQ(f[0].evidence[0].value, -81);
  EXPECT_EQ(f[0].evidence[0].threshold, -75);
  EXPECT_EQ(f[0].next_actions[0].code, "guide_client_device");
  EXPECT_EQ(f[0].next_actions[0].Param("advice"), "move_closer_or_use_2.4GHz");  // it is on 5 GHz
  EXPECT_NE(f[0].customer_text_es.find("device-3"), std::string::npos);
}

TEST(Engine, TwoWeakClientsSuggestAMesh) {
  DiagnosisInput in = Home();
  All(in, [](DeviceSnapshot& s) {
    s.clients[1].signal_dbm = -80;
    s.clients[2].signal_dbm = -88;
  });
  auto f = Diagnose(in);
  ASSERT_EQ(f.size(), 1u) << Codes(f);
  EXPECT_EQ(f[0].severity, Severity::kMajor);  // -88 is unusable
  EXPECT_TRUE(HasAction(f[0], "offer_mesh_extender"));
}

// ------------------------------------------------------------------------------ retransmissions

TEST(Engine, RetransmissionsOnARadioWithGoodSignal) {
  DiagnosisInput in = Home(6, 2);
  All(in, [](DeviceSnapshot& s) {
    for (auto& c : s.clients) {
      if (c.band == Band::k5GHz) c.retransmissions_pct = 33;
    }
  });
  auto f = Diagnose(in);
  ASSERT_FALSE(f.empty());
  EXPECT_EQ(f[0].code, "wifi.retransmissions") << Codes(f);
  EXPECT_GE(f[0].evidence.size(), 2u);
  EXPECT_FALSE(Find(f, "common_cause.gateway"));  // always like this: no shared onset
}

TEST(Engine, RadioErrorRatioFromCounterDeltas) {
  DiagnosisInput in = Home();
  // ErrorsSent grows 10 % as fast as PacketsSent on 2.4 GHz.
  All(in, [](DeviceSnapshot& s) { s.radios[0].stats.errors_sent = *s.radios[0].stats.packets_sent / 10; });
  auto f = Diagnose(in);
  ASSERT_EQ(f.size(), 1u) << Codes(f);
  EXPECT_EQ(f[0].code, "wifi.retransmissions");
  EXPECT_EQ(f[0].evidence[0].metric, "radio.error_ratio_pct");
  EXPECT_NEAR(f[0].evidence[0].value, 10.0, 0.1);
}

// ------------------------------------------------------------------------------------- gateway

TEST(Engine, RebootLoopIsInstability) {
  DiagnosisInput in = Home();
  // Reboots at -20 h, -12 h, -4 h.
  for (Time boot : {kNow - 20 * kHour, kNow - 12 * kHour, kNow - 4 * kHour}) {
    From(in, boot + 60, [boot](DeviceSnapshot& s) { s.uptime_s = s.taken_at - boot; });
  }
  auto f = Diagnose(in);
  ASSERT_FALSE(f.empty());
  EXPECT_EQ(f[0].code, "gateway.instability") << Codes(f);
  EXPECT_EQ(f[0].severity, Severity::kMajor);
  EXPECT_EQ(f[0].evidence[0].metric, "gateway.reboots");
  EXPECT_EQ(f[0].evidence[0].value, 3);
  EXPECT_EQ(f[0].next_actions.back().code, "dispatch_technician");
}

TEST(Engine, RebootLoopAfterFirmwareProposesRollback) {
  DiagnosisInput in = Home();
  const Time update = kNow - 22 * kHour;
  From(in, update, [](DeviceSnapshot& s) { s.software_version = "7.3.0"; });
  for (Time boot : {update, kNow - 15 * kHour, kNow - 9 * kHour, kNow - 2 * kHour}) {
    From(in, boot + 60, [boot](DeviceSnapshot& s) { s.uptime_s = s.taken_at - boot; });
  }
  auto f = Diagnose(in);
  ASSERT_FALSE(f.empty());
  EXPECT_EQ(f[0].code, "gateway.instability") << Codes(f);
  EXPECT_EQ(f[0].next_actions[0].code, "firmware_rollback");
  EXPECT_EQ(f[0].next_actions[0].Param("to"), "7.2.0");
}

TEST(Engine, Overheating) {
  DiagnosisInput in = Home();
  in.current.temperature_c = 87;  // alarm 90, margin 5
  auto f = Diagnose(in);
  ASSERT_EQ(f.size(), 1u) << Codes(f);
  EXPECT_EQ(f[0].code, "gateway.instability");
  EXPECT_EQ(f[0].severity, Severity::kMinor);
  EXPECT_TRUE(HasAction(f[0], "guide_gateway_ventilation"));
  in.current.temperature_c = 80;
  EXPECT_TRUE(Diagnose(in).empty());
}

// -------------------------------------------------------------------------------- common cause

// Clients 0..n-1 on any band degrade (retries 30 %) from `onset` (each a few minutes apart).
void DegradeFrom(DiagnosisInput& in, Time onset, int n) {
  for (int i = 0; i < n; ++i) {
    From(in, onset + i * 300, [i](DeviceSnapshot& s) { s.clients[static_cast<std::size_t>(i)].retransmissions_pct = 30; });
  }
}

TEST(Engine, CommonCauseAfterFirmwareUpdate) {
  DiagnosisInput in = Home(4, 2);
  ReportSymptoms(in);
  in.changes.push_back({ChangeKind::kFirmware, kNow - 10 * kHour - 1200, "7.2.0", "7.2.1", ""});
  DegradeFrom(in, kNow - 10 * kHour, 3);
  From(in, kNow - 10 * kHour - 1200, [](DeviceSnapshot& s) { s.software_version = "7.2.1"; });
  auto f = Diagnose(in);
  ASSERT_FALSE(f.empty());
  EXPECT_EQ(f[0].code, "common_cause.gateway") << Codes(f);
  EXPECT_GE(f[0].confidence, 0.85);
  EXPECT_EQ(f[0].next_actions[0].code, "firmware_rollback");
  EXPECT_EQ(f[0].next_actions[0].Param("to"), "7.2.0");
  EXPECT_EQ(f[0].next_actions.back().code, "dispatch_technician");
  EXPECT_NE(f[0].customer_text_es.find("no en los equipos"), std::string::npos) << f[0].customer_text_es;
  EXPECT_NE(f[0].customer_text_es.find("7.2.1"), std::string::npos);
  EXPECT_NE(f[0].customer_text_en.find("20 min after"), std::string::npos) << f[0].customer_text_en;
  EXPECT_NE(f[0].agent_text.find(FormatIsoTime(kNow - 10 * kHour)), std::string::npos) << f[0].agent_text;
  // Not three separate device problems:
  EXPECT_FALSE(Find(f, "client.single"));
  EXPECT_FALSE(Find(f, "wifi.retransmissions"));
}

TEST(Engine, CommonCauseFindsTheFirmwareChangeInTelemetry) {
  DiagnosisInput in = Home(5, 2);
  From(in, kNow - 8 * kHour, [](DeviceSnapshot& s) { s.software_version = "7.2.9"; });
  DegradeFrom(in, kNow - 8 * kHour + 900, 4);
  auto f = Diagnose(in);
  ASSERT_FALSE(f.empty());
  EXPECT_EQ(f[0].code, "common_cause.gateway") << Codes(f);
  EXPECT_EQ(f[0].next_actions[0].code, "firmware_rollback");
  EXPECT_NE(f[0].agent_text.find("SoftwareVersion"), std::string::npos);
}

TEST(Engine, CommonCauseWithoutAKnownChangeProposesRebootThenVisit) {
  DiagnosisInput in = Home(4, 2);
  DegradeFrom(in, kNow - 5 * kHour, 3);
  auto f = Diagnose(in);
  ASSERT_FALSE(f.empty());
  EXPECT_EQ(f[0].code, "common_cause.gateway") << Codes(f);
  EXPECT_LT(f[0].confidence, 0.8);
  EXPECT_EQ(f[0].next_actions[0].code, "reboot");
  EXPECT_EQ(f[0].next_actions[1].code, "dispatch_technician");
}

TEST(Engine, DegradationsHoursApartAreNotACommonCause) {
  DiagnosisInput in = Home(4, 2);
  From(in, kNow - 20 * kHour, [](DeviceSnapshot& s) { s.clients[1].retransmissions_pct = 30; });
  From(in, kNow - 6 * kHour, [](DeviceSnapshot& s) { s.clients[2].retransmissions_pct = 30; });
  auto f = Diagnose(in);
  EXPECT_FALSE(Find(f, "common_cause.gateway")) << Codes(f);
  EXPECT_TRUE(Find(f, "wifi.retransmissions")) << Codes(f);  // two 5 GHz clients, good signal
}

// ------------------------------------------------------------------------------------- DOCSIS

TEST(Engine, LowDownstreamSnrNeedsATechnician) {
  DiagnosisInput in = Home();
  in.current.docsis_downstream[2].snr_db = 29.5;
  auto f = Diagnose(in);
  ASSERT_EQ(f.size(), 1u) << Codes(f);
  EXPECT_EQ(f[0].code, "line.docsis");
  EXPECT_EQ(f[0].next_actions[0].code, "dispatch_technician");
  EXPECT_EQ(f[0].evidence[0].device, "ds3");
  EXPECT_EQ(f[0].evidence[0].threshold, 33);
  // 64-QAM has a lower bar.
  in.current.docsis_downstream[2].modulation = "QAM64";
  EXPECT_TRUE(Diagnose(in).empty());
}

TEST(Engine, UncorrectableCodewordsFromDeltasAreCritical) {
  DiagnosisInput in = Home();
  // From 6 h ago, channel 1 loses 3 % of its codewords.
  const Time from = kNow - 6 * kHour;
  std::uint64_t extra = 0;
  for (DeviceSnapshot& s : in.history) {
    if (s.taken_at >= from) extra += 300 * 3000 * 3 / 100;
    s.docsis_downstream[0].uncorrectable = *s.docsis_downstream[0].uncorrectable + extra;
  }
  extra += 300 * 3000 * 3 / 100;
  in.current.docsis_downstream[0].uncorrectable = *in.current.docsis_downstream[0].uncorrectable + extra;
  auto f = Diagnose(in);
  ASSERT_EQ(f.size(), 1u) << Codes(f);
  EXPECT_EQ(f[0].code, "line.docsis");
  EXPECT_EQ(f[0].severity, Severity::kCritical);
  EXPECT_EQ(f[0].evidence[0].metric, "docsis.ds.uncorrectable_pct");
  EXPECT_GT(f[0].evidence[0].value, 0.5);
}

TEST(Engine, T4TimeoutsAndFirstHopCuts) {
  DiagnosisInput in = Home();
  From(in, kNow - 2 * kHour, [](DeviceSnapshot& s) { s.docsis_upstream[0].t4_timeouts = 2; });
  for (int k = 0; k < 4; ++k) in.probe_events.push_back(Cut(ProbeLeg::kGatewayToFirstHop, kNow - 3000 + k * 600, 8));
  auto f = Diagnose(in);
  ASSERT_EQ(f.size(), 1u) << Codes(f);
  EXPECT_EQ(f[0].code, "line.docsis");
  EXPECT_EQ(f[0].severity, Severity::kCritical);
  EXPECT_GE(f[0].confidence, 0.8);
}

// -------------------------------------------------------------------------------- area outage

TEST(Engine, AreaOutageComesFirst) {
  DiagnosisInput in = Home();
  ReportSymptoms(in, SymptomPattern::kConstant);
  in.current.docsis_downstream[0].snr_db = 20;
  in.area_outages.push_back({"OUT-77", true, kNow - 2 * kHour, 0, "Nodo Ñuñoa 14 sin señal"});
  auto f = Diagnose(in);
  ASSERT_GE(f.size(), 2u);
  EXPECT_EQ(f[0].code, "area.outage") << Codes(f);
  EXPECT_EQ(f[0].severity, Severity::kCritical);
  EXPECT_EQ(f[0].next_actions[0].Param("outage_id"), "OUT-77");
  EXPECT_NE(f[0].customer_text_es.find("Ñuñoa"), std::string::npos);
}

TEST(Engine, OutagesElsewhereOrLongOverAreIgnored) {
  DiagnosisInput in = Home();
  in.area_outages.push_back({"A", false, kNow - kHour, 0, "otro nodo"});
  in.area_outages.push_back({"B", true, kNow - 10 * kDay, kNow - 9 * kDay, "antigua"});
  EXPECT_TRUE(Diagnose(in).empty());
}

// ------------------------------------------------------------------------------ single client

TEST(Engine, SingleClientWithGoodSignal) {
  DiagnosisInput in = Home(4, 2);
  in.symptoms.what = "slow";
  in.symptoms.devices = {"device-2"};
  in.symptoms.pattern = SymptomPattern::kSlow;
  All(in, [](DeviceSnapshot& s) { s.clients[1].retransmissions_pct = 45; });
  auto f = Diagnose(in);
  ASSERT_EQ(f.size(), 1u) << Codes(f);
  EXPECT_EQ(f[0].code, "client.single");
  EXPECT_DOUBLE_EQ(f[0].confidence, 0.8);  // the customer named it
  EXPECT_EQ(f[0].next_actions.back().code, "guide_client_device");
  EXPECT_EQ(f[0].next_actions.back().Param("mac"), in.current.clients[1].mac);
}

TEST(Engine, SingleFlappingClient) {
  DiagnosisInput in = Home(3, 2);
  int k = 0;
  for (DeviceSnapshot& s : in.history) {
    if (++k % 20 == 0) s.clients[0].association_time = s.taken_at - 10;
  }
  auto f = Diagnose(in);
  ASSERT_EQ(f.size(), 1u) << Codes(f);
  EXPECT_EQ(f[0].code, "client.single");
  bool saw = false;
  for (const Evidence& e : f[0].evidence) saw = saw || e.metric == "client.reassociations";
  EXPECT_TRUE(saw);
}

// --------------------------------------------------------------------------- micro-outages (LAN)

TEST(Engine, LanCutsWithCleanLineAreWifi) {
  DiagnosisInput in = Home();
  ReportSymptoms(in);
  in.probe_window_start = kNow - 6 * kHour;
  in.probe_window_end = kNow;
  for (int k = 0; k < 12; ++k) in.probe_events.push_back(Cut(ProbeLeg::kLanToGateway, kNow - 5 * kHour + k * 1500, 6));
  auto f = Diagnose(in);
  ASSERT_EQ(f.size(), 1u) << Codes(f);
  EXPECT_EQ(f[0].code, "wifi.micro_outages");
  EXPECT_EQ(f[0].next_actions[0].code, "raise_inform_rate");
  // Two cuts a day are below the flag.
  in.probe_events.resize(2);
  f = Diagnose(in);
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].code, "evidence.missing");
}

TEST(Engine, LanCutsAtChannelChangesPinTheChannel) {
  DiagnosisInput in = Home();
  // Auto channel hops between 1 and 6 every hour; each hop cuts the LAN probe.
  int ch = 1;
  Time last_change = 0;
  for (DeviceSnapshot& s : in.history) {
    if (s.taken_at >= kNow - 12 * kHour && (s.taken_at - (kNow - 12 * kHour)) % kHour == 0) {
      ch = ch == 1 ? 6 : 1;
      last_change = s.taken_at;
      in.probe_events.push_back(Cut(ProbeLeg::kLanToGateway, s.taken_at - 3, 5));
    }
    s.radios[0].channel = ch;
    if (last_change) s.radios[0].channel_last_change_s = s.taken_at - last_change;
  }
  in.current.radios[0].channel = ch;
  auto f = Diagnose(in);
  ASSERT_FALSE(f.empty());
  EXPECT_EQ(f[0].code, "wifi.micro_outages") << Codes(f);
  EXPECT_EQ(f[0].next_actions[0].code, "set_channel");
}

// ---------------------------------------------------------------------------- evidence missing

TEST(Engine, NoEvidenceYetSaysWhatIsMissing) {
  DiagnosisInput in;
  in.now = kNow;
  ReportSymptoms(in);
  in.symptoms.devices = {"notebook-sofia"};
  in.current = testing::HealthySnapshot(kNow - 3 * kHour, 3, 2);
  for (auto& c : in.current.clients) c.signal_dbm.reset();  // TR-098 without vendor RSSI
  in.current.neighbors.clear();
  auto f = Diagnose(in);
  ASSERT_EQ(f.size(), 1u) << Codes(f);
  EXPECT_EQ(f[0].code, "evidence.missing");
  std::string metrics;
  for (const Evidence& e : f[0].evidence) metrics += e.metric + " ";
  EXPECT_NE(metrics.find("missing.recent_snapshot"), std::string::npos) << metrics;
  EXPECT_NE(metrics.find("missing.history"), std::string::npos);
  EXPECT_NE(metrics.find("missing.client_signal"), std::string::npos);
  EXPECT_NE(metrics.find("missing.neighbor_scan"), std::string::npos);
  EXPECT_NE(metrics.find("missing.probe_results"), std::string::npos);
  EXPECT_NE(metrics.find("missing.device_not_seen:notebook-sofia"), std::string::npos);
  EXPECT_TRUE(HasAction(f[0], "raise_inform_rate"));
  EXPECT_TRUE(HasAction(f[0], "request_probe"));
  EXPECT_NE(f[0].agent_text.find("NOT 'all fine'"), std::string::npos);
}

TEST(Engine, ComplaintWithCleanDataStillAsksForAProbe) {
  DiagnosisInput in = Home();
  ReportSymptoms(in);
  auto f = Diagnose(in);
  ASSERT_EQ(f.size(), 1u) << Codes(f);
  EXPECT_EQ(f[0].code, "evidence.missing");
  EXPECT_EQ(f[0].evidence[0].metric, "missing.probe_results");
  // With a probe that ran and saw nothing, the gap is "catch it while it happens".
  in.probe_window_start = kNow - 12 * kHour;
  in.probe_window_end = kNow;
  f = Diagnose(in);
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].evidence[0].metric, "missing.fault_during_observation");
}

TEST(Engine, NoSnapshotAtAll) {
  DiagnosisInput in;
  in.now = kNow;
  ReportSymptoms(in);
  auto f = Diagnose(in);
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].evidence[0].metric, "missing.gateway_snapshot");
}

// ------------------------------------------------------------------------------------ ordering

TEST(Engine, FindingsAreSortedBySeverityThenConfidence) {
  DiagnosisInput in = Home(5, 2);
  All(in, [](DeviceSnapshot& s) { s.clients[4].signal_dbm = -79; });  // minor
  in.current.docsis_upstream[0].tx_power_dbmv = 54;                    // critical
  in.current.radios[1].utilization_pct = 85;                           // major
  auto f = Diagnose(in);
  ASSERT_EQ(f.size(), 3u) << Codes(f);
  EXPECT_EQ(f[0].code, "line.docsis");
  EXPECT_EQ(f[1].code, "wifi.congestion");
  EXPECT_EQ(f[2].code, "wifi.weak_client");
  for (const Finding& x : f) {
    EXPECT_FALSE(x.customer_text_es.empty());
    EXPECT_FALSE(x.customer_text_en.empty());
    EXPECT_FALSE(x.agent_text.empty());
    EXPECT_FALSE(x.next_actions.empty());
    EXPECT_GT(x.confidence, 0);
    EXPECT_LE(x.confidence, 1);
  }
}

TEST(Engine, ThresholdsComeFromConfiguration) {
  DiagnosisInput in = Home();
  All(in, [](DeviceSnapshot& s) { s.clients[2].signal_dbm = -72; });
  EXPECT_TRUE(Engine().Diagnose(in).empty());
  Thresholds strict;
  strict.client_signal_weak_dbm = -70;
  auto f = Engine(strict).Diagnose(in);
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].code, "wifi.weak_client");
}

}  // namespace
}  // namespace hilo::diagnosis
