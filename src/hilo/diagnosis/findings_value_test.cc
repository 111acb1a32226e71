#include "hilo/diagnosis/findings_value.h"

#include <gtest/gtest.h>

#include "hilo/diagnosis/testing_home.h"

namespace hilo::diagnosis {
namespace {

constexpr Time kNow = 1'790'000'000;

TEST(FindingsValue, FindingShape) {
  Finding f;
  f.code = "wifi.congestion";
  f.severity = Severity::kMajor;
  f.confidence = 0.75;
  f.evidence.push_back({"radio.cochannel_networks", 6, 3, kNow - 3600, kNow, "radio 2.4GHz"});
  f.customer_text_es = "es";
  f.customer_text_en = "en";
  f.agent_text = "agent";
  f.next_actions.push_back({"set_channel", {{"band", "2.4GHz"}, {"channel", "11"}}});
  Value v = ToValue(f);
  EXPECT_EQ(v.Get("code").AsString(), "wifi.congestion");
  EXPECT_EQ(v.Get("severity").AsString(), "major");
  EXPECT_EQ(v.Get("confidence").AsDouble(), 0.75);
  const Value& e = v.Get("evidence").AsArray().at(0);
  EXPECT_EQ(e.Get("metric").AsString(), "radio.cochannel_networks");
  EXPECT_EQ(e.Get("value").AsDouble(), 6);
  EXPECT_EQ(e.Get("window_end").AsString(), FormatIsoTime(kNow));
  EXPECT_EQ(v.Get("customer_text").Get("es").AsString(), "es");
  const Value& a = v.Get("next_actions").AsArray().at(0);
  EXPECT_EQ(a.Get("code").AsString(), "set_channel");
  EXPECT_EQ(a.Get("params").Get("channel").AsString(), "11");
  EXPECT_EQ(ToValue(std::vector<Finding>{f, f}).AsArray().size(), 2u);
}

TEST(FindingsValue, InputRoundTrip) {
  DiagnosisInput in = testing::HealthyHome(kNow, 3, 2, 12);
  in.symptoms = {"wifi_drops", kNow - kDay, {"device-1", "aa:bb:cc:dd:ee:ff"}, SymptomPattern::kIntermittent};
  telemetry::ProbeEvent pe;
  pe.kind = telemetry::ProbeEventKind::kLatencySpike;
  pe.leg = telemetry::ProbeLeg::kLanToGateway;
  pe.start_ms = kNow * 1000 - 5000;
  pe.end_ms = kNow * 1000;
  pe.peak_rtt_ms = 420;
  pe.baseline_rtt_ms = 3.5;
  pe.samples = 5;
  in.probe_events.push_back(pe);
  in.probe_window_start = kNow - kHour;
  in.probe_window_end = kNow;
  in.area_outages.push_back({"OUT-1", true, kNow - 100, 0, "nodo"});
  in.changes.push_back({ChangeKind::kConfiguration, kNow - 500, "100", "40", "Device.WiFi.Radio.1.TransmitPower"});
  Value v = ToValue(in);
  auto back = InputFromValue(v);
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_EQ(ToValue(*back), v);
  EXPECT_EQ(back->history.size(), 12u);
  EXPECT_EQ(back->symptoms.pattern, SymptomPattern::kIntermittent);
  EXPECT_EQ(back->probe_events[0].peak_rtt_ms, 420);
  EXPECT_EQ(back->changes[0].what, "Device.WiFi.Radio.1.TransmitPower");
  // Same input, same findings.
  EXPECT_EQ(ToValue(Diagnose(*back)), ToValue(Diagnose(in)));
}

TEST(FindingsValue, InputErrorsNameTheField) {
  auto not_obj = InputFromValue(Value("x"));
  ASSERT_FALSE(not_obj);
  EXPECT_EQ(not_obj.error().code, Errc::kInvalidArgument);

  Value v = Value::MakeObject();
  v.Set("history", "nope");
  EXPECT_EQ(InputFromValue(v).error().field, "history");

  Value bad_kind = Value::MakeObject();
  Value ev = Value::MakeObject();
  ev.Set("kind", "blackout");
  ev.Set("leg", "lan_gateway");
  bad_kind.Set("probe_events", Value::MakeArray({ev}));
  EXPECT_EQ(InputFromValue(bad_kind).error().field, "probe_events.kind");

  Value bad_now = Value::MakeObject();
  bad_now.Set("now", "yesterday");
  EXPECT_EQ(InputFromValue(bad_now).error().field, "now");

  Value bad_change = Value::MakeObject();
  Value c = Value::MakeObject();
  c.Set("kind", "firmware");
  bad_change.Set("changes", Value::MakeArray({c}));
  EXPECT_EQ(InputFromValue(bad_change).error().field, "changes.at");

  // Missing sections are simply empty.
  Value minimal = Value::MakeObject();
  minimal.Set("now", 1000);
  auto ok = InputFromValue(minimal);
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->now, 1000);
  EXPECT_TRUE(ok->history.empty());
}

}  // namespace
}  // namespace hilo::diagnosis
