#pragma once
// Every number the diagnosis engine judges by, with defaults from diagnosis-reference.md.
// Most are rules of thumb [RoT]: operators re-tune them in config/diagnosis.conf, never in code.
//
//   auto t = LoadThresholdsFile("config/diagnosis.conf");   // Result<Thresholds>
//   if (!t) log(t.error().message);   // "line 12: unknown key 'client_signal_weak'"
//   Engine engine(*t);
//
// File format: one `key = value` per line; `#` starts a comment (whole line or trailing); blank
// lines are ignored; keys not listed keep their default. Unknown keys, values that are not
// numbers (or not integers where an integer is expected) and repeated keys are errors
// (Errc::kInvalidArgument) naming the line and the key.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "hilo/base/error.h"
#include "hilo/telemetry/probe.h"

namespace hilo::diagnosis {

struct Thresholds {
  // --- Wi-Fi clients (reference §3.1) ---
  double client_signal_fair_dbm = -67;      // below: marginal (voice / video glitches)
  double client_signal_weak_dbm = -75;      // below: weak
  double client_signal_unusable_dbm = -85;  // below: unusable
  double client_snr_min_db = 20;            // general minimum SNR
  double client_retrans_warn_pct = 10;      // retries: good below this
  double client_retrans_high_pct = 20;      // retries: bad above this
  double steer_signal_dbm = -65;            // 2.4 GHz clients stronger than this could use 5 GHz
  std::int64_t client_reassoc_max = 6;      // re-associations in the window before a client "flaps"

  // --- Radio / congestion (reference §3.1) ---
  double utilization_high_pct = 50;      // channel busy
  double receive_other_high_pct = 30;    // airtime taken by neighbouring networks
  double neighbor_min_signal_dbm = -82;  // neighbours weaker than this do not make us defer
  std::int64_t cochannel_max = 3;        // strong co-channel BSSIDs tolerated on 2.4 GHz
  double noise_high_dbm = -82;           // radio noise floor above this = non-Wi-Fi interference
  double radio_error_ratio_high_pct = 5;  // ErrorsSent / PacketsSent over the window
  double channel_switch_min_gain = 1.0;  // recommend a channel only if its congestion score is this much lower

  // --- Gateway health (reference §3.3) ---
  std::int64_t reboots_max = 1;        // uptime resets tolerated in the window (one update / manual reboot)
  double temperature_margin_c = 5;     // this close to the high-alarm value counts as overheating
  double temperature_high_c = 85;      // used when the CPE reports no alarm value
  double cpu_high_pct = 90;            // sustained above this = exhausted
  double memory_free_min_pct = 5;      // below this = exhausted

  // --- Common cause ---
  std::int64_t common_cause_min_clients = 2;   // devices degraded together
  std::int64_t onset_tolerance_s = 1800;       // onsets this close are "the same time"
  std::int64_t change_attribution_s = 21600;   // a change up to this long before the onset is its suspect
  std::int64_t recovery_samples = 2;           // good snapshots in a row that end a degraded run

  // --- DOCSIS line (reference §2.2, per channel) ---
  double ds_power_min_dbmv = -12;
  double ds_power_max_dbmv = 12;
  double ds_snr_min_db_64qam = 27;
  double ds_snr_min_db = 33;                 // 256-QAM and above
  double us_tx_power_min_dbmv = 35;
  double us_tx_power_max_dbmv = 51;
  double uncorrectable_ratio_max_pct = 1.0;  // over the window, from deltas
  std::int64_t codewords_min = 10000;        // fewer codewords in the window: ratio not judged
  double t3_per_hour_max = 1.0;
  std::int64_t t4_max = 0;                   // any T4 in the window is a reset

  // --- Active probes (reference §4) ---
  std::int64_t micro_outages_per_hour_max = 3;  // cuts on one leg in any hour: above = flag
  std::int64_t micro_outages_per_day_max = 10;
  std::int64_t correlation_tolerance_s = 5;
  telemetry::ProbeConfig probe;                 // detector settings (probe.* keys)

  // --- Evidence ---
  std::int64_t window_s = 86400;           // history considered
  std::int64_t recent_window_s = 3600;     // counters (codewords, T3) are also judged over this much
  std::int64_t snapshot_stale_s = 1800;    // a current snapshot older than this is stale
  std::int64_t min_history_snapshots = 6;  // fewer: history counts as missing

  bool operator==(const Thresholds&) const = default;
};

// Parses configuration text on top of the defaults.
Result<Thresholds> ParseThresholds(std::string_view text);
// Reads and parses a file; kNotFound if it cannot be opened.
Result<Thresholds> LoadThresholdsFile(const std::string& path);
// The configuration text for `t`, every key with its comment; ParseThresholds(Format(t)) == t.
std::string FormatThresholds(const Thresholds& t);
// All keys, in file order.
std::vector<std::string_view> ThresholdKeys();

}  // namespace hilo::diagnosis
