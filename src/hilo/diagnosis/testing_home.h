#pragma once
// Synthetic homes for tests and benchmarks (header-only; not part of the library).
//
//   DiagnosisInput in = testing::HealthyHome(now, /*clients=*/3, /*radios=*/2, /*history=*/288);
//   in.current.clients[0].signal_dbm = -82;       // then break exactly one thing
//
// A healthy home: strong clients (-52..-62 dBm, 2-4 % retries, SNR 35), quiet channels with a few
// weak neighbours, a stable uptime, clean DOCSIS counters that grow like real ones.

#include <string>

#include "hilo/diagnosis/engine.h"

namespace hilo::diagnosis::testing {

inline std::string TestMac(int i) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string mac = "a4:5e:60:00:00:00";
  mac[15] = kHex[(i >> 4) & 15];
  mac[16] = kHex[i & 15];
  mac[12] = kHex[(i >> 8) & 15];
  return mac;
}

inline telemetry::DeviceSnapshot HealthySnapshot(Time at, int clients, int radios, Time boot = 0) {
  using namespace telemetry;
  DeviceSnapshot s;
  s.oui = "00D09E";
  s.product_class = "HGW";
  s.serial = "SN0001";
  s.software_version = "7.2.0";
  s.data_model = DataModel::kTr181;
  s.taken_at = at;
  if (boot == 0) boot = at - 20 * kDay;
  s.uptime_s = at - boot;
  static constexpr Band kBands[3] = {Band::k2_4GHz, Band::k5GHz, Band::k6GHz};
  static constexpr int kChannels[3] = {1, 36, 37};
  for (int r = 0; r < radios && r < 3; ++r) {
    Radio radio;
    radio.index = r + 1;
    radio.band = kBands[r];
    radio.enabled = true;
    radio.channel = kChannels[r];
    radio.auto_channel = true;
    radio.bandwidth = r == 0 ? "20MHz" : "80MHz";
    radio.transmit_power_pct = 100;
    radio.noise_dbm = -92;
    radio.utilization_pct = 18;
    radio.receive_other_pct = 5;
    const auto elapsed = static_cast<std::uint64_t>(at - boot);
    radio.stats.packets_sent = 1000 * elapsed;
    radio.stats.packets_received = 800 * elapsed;
    radio.stats.errors_sent = elapsed / 10;  // 0.01 %
    radio.stats.total_channel_changes = 1;
    s.radios.push_back(radio);
    s.access_points.push_back({r + 1, "Casa", r + 1, true, elapsed, 0, elapsed});
  }
  for (int i = 0; i < clients; ++i) {
    Client c;
    c.mac = TestMac(i + 1);
    c.mac_key = MacKey(c.mac);
    const int r = radios > 0 ? (i % 3 == 0 ? 0 : (radios > 1 ? 1 : 0)) : 0;
    if (radios > 2 && i % 5 == 4) c.radio_index = 3;
    else c.radio_index = r + 1;
    c.ap_index = c.radio_index;
    c.band = kBands[c.radio_index - 1];
    c.operating_standard = c.band == Band::k2_4GHz ? "n" : "ax";
    c.signal_dbm = -52 - (i % 6) * 2;
    c.noise_dbm = -92;
    c.snr_db = 92 + *c.signal_dbm;
    c.downlink_kbps = c.band == Band::k2_4GHz ? 144000 : 866000;
    c.uplink_kbps = *c.downlink_kbps / 2;
    c.retransmissions_pct = 2 + i % 3;
    c.active = true;
    c.association_time = boot + 60 + i;
    s.clients.push_back(c);
    s.hosts.push_back({c.mac, "192.168.0." + std::to_string(10 + i), "device-" + std::to_string(i + 1), "Wi-Fi", true});
  }
  s.hosts.push_back({"a4:5e:60:00:0f:ff", "192.168.0.2", "tv-box", "Ethernet", true});
  // A few neighbours, none strong on our channels.
  s.neighbors.push_back({"10:00:00:00:00:01", "Vecino1", 6, Band::k2_4GHz, "20MHz", -78});
  s.neighbors.push_back({"10:00:00:00:00:02", "Vecino2", 11, Band::k2_4GHz, "20MHz", -84});
  s.neighbors.push_back({"10:00:00:00:00:03", "Vecino3", 1, Band::k2_4GHz, "20MHz", -88});
  s.neighbors.push_back({"10:00:00:00:00:04", "Vecino4", 149, Band::k5GHz, "80MHz", -80});
  const auto t = static_cast<std::uint64_t>(at - boot);
  for (int d = 0; d < 4; ++d) {
    DocsisDownstream ds;
    ds.index = d + 1;
    ds.modulation = "QAM256";
    ds.frequency_hz = 555e6 + d * 6e6;
    ds.power_dbmv = 1.5 + d * 0.3;
    ds.snr_db = 38.5;
    ds.unerrored = 3000 * t;
    ds.corrected = t / 5;
    ds.uncorrectable = t / 5000;
    s.docsis_downstream.push_back(ds);
  }
  for (int u = 0; u < 2; ++u) s.docsis_upstream.push_back({u + 1, 44.0 + u, 1, 0});
  s.temperature_c = 55;
  s.temperature_high_alarm_c = 90;
  s.cpu_pct = 22;
  s.memory_total_kib = 524288;
  s.memory_free_kib = 200000;
  s.reboots.boot_count = 5;
  s.reboots.watchdog_boot_count = 0;
  return s;
}

// history_count snapshots every `step` seconds before `now`, then the current one at `now`.
inline DiagnosisInput HealthyHome(Time now, int clients, int radios, int history_count, Time step = 300) {
  DiagnosisInput in;
  in.now = now;
  const Time boot = now - 20 * kDay;
  in.history.reserve(static_cast<std::size_t>(history_count));
  for (int k = history_count; k >= 1; --k) in.history.push_back(HealthySnapshot(now - k * step, clients, radios, boot));
  in.current = HealthySnapshot(now, clients, radios, boot);
  return in;
}

}  // namespace hilo::diagnosis::testing
