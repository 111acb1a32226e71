// Diagnosis engine and micro-outage detector throughput (issue 4, item 8).
//
//   build-diag/bench/hilo_diagnosis_bench --benchmark_min_time=2
//
// Targets: 1,000,000 homes re-diagnosed in under a minute on 2 cores (≈ 8,400 diagnoses/s per
// core) with a full home (3 radios, 20 clients, 24 h of 5-minute snapshots = 288 in history),
// and 1,000,000 probe samples/s per core through ProbeDetector.

#include <benchmark/benchmark.h>

#include <random>

#include "hilo/diagnosis/engine.h"
#include "hilo/diagnosis/testing_home.h"
#include "hilo/telemetry/normalize.h"
#include "hilo/telemetry/probe.h"

namespace {

using namespace hilo;
using namespace hilo::diagnosis;
using telemetry::DeviceSnapshot;

constexpr Time kNow = 1'790'000'000;

DiagnosisInput FullHome() { return testing::HealthyHome(kNow, 20, 3, 288); }

// The story's home, and then some: firmware update 10 h ago, three laptops degraded since,
// a congested 2.4 GHz channel and one weak client.
DiagnosisInput DegradedHome() {
  DiagnosisInput in = FullHome();
  in.symptoms = {"wifi_drops", kNow - 9 * kHour, {"device-2", "device-3"}, SymptomPattern::kIntermittent};
  in.changes.push_back({ChangeKind::kFirmware, kNow - 10 * kHour - 1200, "7.2.0", "7.2.1", ""});
  auto each = [&](Time from, auto fn) {
    for (DeviceSnapshot& s : in.history) {
      if (s.taken_at >= from) fn(s);
    }
    fn(in.current);
  };
  each(kNow - 10 * kHour - 1200, [](DeviceSnapshot& s) { s.software_version = "7.2.1"; });
  each(kNow - 10 * kHour, [](DeviceSnapshot& s) {
    for (int i = 1; i <= 3; ++i) s.clients[static_cast<std::size_t>(i)].retransmissions_pct = 31;
  });
  each(0, [](DeviceSnapshot& s) {
    s.clients[19].signal_dbm = -80;
    for (int i = 0; i < 6; ++i) {
      s.neighbors.push_back({"20:00:00:00:00:0" + std::to_string(i), "Depto", 1, telemetry::Band::k2_4GHz, "20MHz",
                             -60.0 - i});
    }
    s.radios[0].utilization_pct = 70;
  });
  return in;
}

void BM_DiagnoseFullHomeHealthy(benchmark::State& state) {
  static const DiagnosisInput in = FullHome();
  static const Engine engine;
  for (auto _ : state) {
    auto findings = engine.Diagnose(in);
    benchmark::DoNotOptimize(findings);
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["diagnoses/s"] = benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_DiagnoseFullHomeHealthy)->UseRealTime();
BENCHMARK(BM_DiagnoseFullHomeHealthy)->Threads(2)->UseRealTime();

void BM_DiagnoseFullHomeDegraded(benchmark::State& state) {
  static const DiagnosisInput in = DegradedHome();
  static const Engine engine;
  std::size_t n = 0;
  for (auto _ : state) {
    auto findings = engine.Diagnose(in);
    n = findings.size();
    benchmark::DoNotOptimize(findings);
  }
  state.counters["findings"] = benchmark::Counter(static_cast<double>(n), benchmark::Counter::kAvgThreads);
  state.SetItemsProcessed(state.iterations());
  state.counters["diagnoses/s"] = benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_DiagnoseFullHomeDegraded)->UseRealTime();
BENCHMARK(BM_DiagnoseFullHomeDegraded)->Threads(2)->UseRealTime();

// One hour of three legs at 1 s cadence is 10,800 samples; the series below mixes clean RTTs,
// jitter, isolated losses, cuts and spikes so every branch of the detector runs.
std::vector<telemetry::ProbeSample> ProbeSeries(std::size_t n) {
  std::vector<telemetry::ProbeSample> out;
  out.reserve(n);
  std::mt19937 rng(7);
  std::uniform_real_distribution<double> jitter(0, 4);
  for (std::size_t i = 0; i < n; ++i) {
    const auto t = static_cast<std::int64_t>(i / 3);
    const auto leg = static_cast<telemetry::ProbeLeg>(i % 3);
    bool lost = (t % 600) < 4 || (t % 97) == 0;
    double rtt = 8 + jitter(rng) + (leg == telemetry::ProbeLeg::kGatewayToAnchor ? 20 : 0);
    if (t % 900 >= 300 && t % 900 < 305) rtt += 400;
    out.push_back({1'790'000'000'000LL + t * 1000, leg, !lost, rtt});
  }
  return out;
}

void BM_ProbeDetector(benchmark::State& state) {
  static const std::vector<telemetry::ProbeSample> samples = ProbeSeries(1 << 20);
  std::vector<telemetry::ProbeEvent> events;
  events.reserve(1 << 16);
  for (auto _ : state) {
    telemetry::ProbeDetector detector;
    events.clear();
    for (const auto& s : samples) detector.Feed(s, events);
    benchmark::DoNotOptimize(events.data());
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(samples.size()));
  state.counters["events"] = static_cast<double>(events.size());
}
BENCHMARK(BM_ProbeDetector)->Unit(benchmark::kMillisecond)->UseRealTime();

// For the ACS: one full TR-181 parameter tree (3 radios, 20 clients) normalised.
telemetry::ParameterMap FullTree() {
  telemetry::ParameterMap m;
  auto put = [&](std::string k, std::string v) { m[std::move(k)] = {std::move(v), "xsd:string", kNow}; };
  put("Device.DeviceInfo.ManufacturerOUI", "00D09E");
  put("Device.DeviceInfo.SerialNumber", "SN1");
  put("Device.DeviceInfo.SoftwareVersion", "7.2.0");
  put("Device.DeviceInfo.UpTime", "86400");
  for (int r = 1; r <= 3; ++r) {
    const std::string p = "Device.WiFi.Radio." + std::to_string(r) + ".";
    put(p + "OperatingFrequencyBand", r == 1 ? "2.4GHz" : r == 2 ? "5GHz" : "6GHz");
    put(p + "Channel", r == 1 ? "6" : "36");
    put(p + "AutoChannelEnable", "true");
    put(p + "CurrentOperatingChannelBandwidth", "80MHz");
    put(p + "TransmitPower", "100");
    put(p + "Stats.Noise", "-92");
    put(p + "Stats.PacketsSent", "123456789");
    put(p + "Stats.ErrorsSent", "1234");
    put("Device.WiFi.SSID." + std::to_string(r) + ".LowerLayers", "Device.WiFi.Radio." + std::to_string(r) + ".");
    put("Device.WiFi.AccessPoint." + std::to_string(r) + ".SSIDReference", "Device.WiFi.SSID." + std::to_string(r) + ".");
  }
  for (int c = 1; c <= 20; ++c) {
    const std::string p = "Device.WiFi.AccessPoint." + std::to_string(c % 3 + 1) + ".AssociatedDevice." + std::to_string(c) + ".";
    put(p + "MACAddress", testing::TestMac(c));
    put(p + "SignalStrength", "-61");
    put(p + "Retransmissions", "4");
    put(p + "LastDataDownlinkRate", "866000");
    put(p + "LastDataUplinkRate", "400000");
    put(p + "Active", "true");
    put(p + "AssociationTime", "2026-09-21T10:05:00Z");
    put("Device.Hosts.Host." + std::to_string(c) + ".PhysAddress", testing::TestMac(c));
    put("Device.Hosts.Host." + std::to_string(c) + ".HostName", "device-" + std::to_string(c));
  }
  return m;
}

void BM_NormalizeFullTree(benchmark::State& state) {
  static const telemetry::ParameterMap tree = FullTree();
  for (auto _ : state) {
    auto s = telemetry::Normalize(tree, kNow);
    benchmark::DoNotOptimize(s);
  }
  state.counters["params"] = static_cast<double>(tree.size());
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_NormalizeFullTree);

}  // namespace
