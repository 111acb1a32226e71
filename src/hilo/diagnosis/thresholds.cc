#include "hilo/diagnosis/thresholds.h"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <set>
#include <sstream>
#include <system_error>

namespace hilo::diagnosis {
namespace {

// One configurable number: where it lives, whether it must be an integer, what it means.
struct Key {
  std::string_view name;
  double* (*real)(Thresholds&);
  std::int64_t* (*integer)(Thresholds&);
  std::string_view comment;
};

#define HILO_REAL(field) [](Thresholds& t) { return &t.field; }, nullptr
#define HILO_INT(field) nullptr, [](Thresholds& t) -> std::int64_t* { return &t.field; }
// ProbeConfig's int members have neither accessor (nullptr, nullptr); ProbeInt below maps them.

const std::vector<Key>& Keys() {
  static const std::vector<Key> keys = {
      {"client_signal_fair_dbm", HILO_REAL(client_signal_fair_dbm), "[RoT] RSSI below: marginal (-67 = design cell edge)"},
      {"client_signal_weak_dbm", HILO_REAL(client_signal_weak_dbm), "[RoT] RSSI below: weak client"},
      {"client_signal_unusable_dbm", HILO_REAL(client_signal_unusable_dbm), "[RoT] RSSI below: unusable"},
      {"client_snr_min_db", HILO_REAL(client_snr_min_db), "[RoT] SNR below: degraded"},
      {"client_retrans_warn_pct", HILO_REAL(client_retrans_warn_pct), "[RoT] retransmissions (of last 100) good below"},
      {"client_retrans_high_pct", HILO_REAL(client_retrans_high_pct), "[VEN] retransmissions bad above (Cisco < 20 %)"},
      {"steer_signal_dbm", HILO_REAL(steer_signal_dbm), "[RoT] 2.4 GHz client stronger than this could move to 5 GHz"},
      {"client_reassoc_max", HILO_INT(client_reassoc_max), "[RoT] re-associations in the window before a client flaps"},
      {"utilization_high_pct", HILO_REAL(utilization_high_pct), "[VEN] channel utilisation above: congested (Cisco < 50 %)"},
      {"receive_other_high_pct", HILO_REAL(receive_other_high_pct), "[RoT] airtime used by other networks above: congested"},
      {"neighbor_min_signal_dbm", HILO_REAL(neighbor_min_signal_dbm), "[STD] neighbours at or above this make us defer"},
      {"cochannel_max", HILO_INT(cochannel_max), "[RoT] strong co-channel networks tolerated (3-5)"},
      {"noise_high_dbm", HILO_REAL(noise_high_dbm), "[RoT] radio noise floor above: non-Wi-Fi interference"},
      {"radio_error_ratio_high_pct", HILO_REAL(radio_error_ratio_high_pct), "[RoT] radio ErrorsSent/PacketsSent above"},
      {"channel_switch_min_gain", HILO_REAL(channel_switch_min_gain), "[RoT] min congestion-score gain to recommend a channel"},
      {"reboots_max", HILO_INT(reboots_max), "[RoT] uptime resets tolerated in the window"},
      {"temperature_margin_c", HILO_REAL(temperature_margin_c), "[RoT] this close to HighAlarmValue = overheating"},
      {"temperature_high_c", HILO_REAL(temperature_high_c), "[RoT] overheating when the CPE gives no alarm value"},
      {"cpu_high_pct", HILO_REAL(cpu_high_pct), "[RoT] sustained CPU above: exhausted"},
      {"memory_free_min_pct", HILO_REAL(memory_free_min_pct), "[RoT] free memory below: exhausted"},
      {"common_cause_min_clients", HILO_INT(common_cause_min_clients), "[RoT] devices degraded together = common cause"},
      {"onset_tolerance_s", HILO_INT(onset_tolerance_s), "[RoT] onsets this close are the same time"},
      {"change_attribution_s", HILO_INT(change_attribution_s), "[RoT] a change this long before the onset is suspect"},
      {"recovery_samples", HILO_INT(recovery_samples), "[RoT] good snapshots in a row that end a degraded run"},
      {"ds_power_min_dbmv", HILO_REAL(ds_power_min_dbmv), "[VEN] downstream power low limit (spec -15)"},
      {"ds_power_max_dbmv", HILO_REAL(ds_power_max_dbmv), "[VEN] downstream power high limit (spec +15)"},
      {"ds_snr_min_db_64qam", HILO_REAL(ds_snr_min_db_64qam), "[RoT] downstream SNR/MER minimum, 64-QAM"},
      {"ds_snr_min_db", HILO_REAL(ds_snr_min_db), "[RoT] downstream SNR/MER minimum, 256-QAM and above"},
      {"us_tx_power_min_dbmv", HILO_REAL(us_tx_power_min_dbmv), "[RoT] upstream TX power low limit"},
      {"us_tx_power_max_dbmv", HILO_REAL(us_tx_power_max_dbmv), "[VEN] upstream TX power high limit (pinned = re-ranging)"},
      {"uncorrectable_ratio_max_pct", HILO_REAL(uncorrectable_ratio_max_pct), "[VEN] uncorrectable codewords above"},
      {"codewords_min", HILO_INT(codewords_min), "[RoT] codewords needed to judge the ratio"},
      {"t3_per_hour_max", HILO_REAL(t3_per_hour_max), "[RoT] T3 timeouts per hour above: rapidly incrementing"},
      {"t4_max", HILO_INT(t4_max), "[STD] T4 timeouts tolerated in the window (each one is a reset)"},
      {"micro_outages_per_hour_max", HILO_INT(micro_outages_per_hour_max), "[RoT] cuts per hour on one leg"},
      {"micro_outages_per_day_max", HILO_INT(micro_outages_per_day_max), "[RoT] cuts per day on one leg"},
      {"correlation_tolerance_s", HILO_INT(correlation_tolerance_s), "[RoT] probe/gateway event join tolerance"},
      {"probe.loss_timeout_ms", HILO_REAL(probe.loss_timeout_ms), "[VEN] no reply within this = lost (SamKnows 2 s)"},
      {"probe.micro_outage_min_losses", nullptr, nullptr, "[RoT] consecutive losses that make a cut"},
      {"probe.outage_min_ms", HILO_INT(probe.outage_min_ms), "[RoT] cuts this long are outages"},
      {"probe.micro_outage_medium_ms", HILO_INT(probe.micro_outage_medium_ms), "[RoT] cuts this long are medium severity"},
      {"probe.burst_gap_min_ok", nullptr, nullptr, "[STD] RFC 3611 Gmin: replies in a row that end a burst"},
      {"probe.burst_min_losses", nullptr, nullptr, "[RoT] scattered losses that make a burst"},
      {"probe.burst_medium_loss_ratio", HILO_REAL(probe.burst_medium_loss_ratio), "[RoT] burst loss ratio for medium severity"},
      {"probe.spike_factor", HILO_REAL(probe.spike_factor), "[RoT] spike: RTT above factor x rolling median"},
      {"probe.spike_add_ms", HILO_REAL(probe.spike_add_ms), "[RoT] spike: and above median + this"},
      {"probe.spike_min_consecutive", nullptr, nullptr, "[RoT] high RTTs in a row that make a spike"},
      {"probe.spike_medium_ms", HILO_REAL(probe.spike_medium_ms), "[RoT] spikes peaking above this are medium"},
      {"probe.median_window", nullptr, nullptr, "[RoT] successful RTTs in the rolling median (1 h at 1 s)"},
      {"probe.median_min_samples", nullptr, nullptr, "[RoT] RTTs needed before judging spikes"},
      {"window_s", HILO_INT(window_s), "history considered, seconds"},
      {"recent_window_s", HILO_INT(recent_window_s), "counters are also judged over the most recent seconds"},
      {"snapshot_stale_s", HILO_INT(snapshot_stale_s), "a current snapshot older than this is stale"},
      {"min_history_snapshots", HILO_INT(min_history_snapshots), "fewer snapshots in the window: history missing"},
  };
  return keys;
}

#undef HILO_REAL
#undef HILO_INT

// ProbeConfig keeps some counts as int; they are read and written through this switch.
int* ProbeInt(Thresholds& t, std::string_view name) {
  if (name == "probe.micro_outage_min_losses") return &t.probe.micro_outage_min_losses;
  if (name == "probe.burst_gap_min_ok") return &t.probe.burst_gap_min_ok;
  if (name == "probe.burst_min_losses") return &t.probe.burst_min_losses;
  if (name == "probe.spike_min_consecutive") return &t.probe.spike_min_consecutive;
  if (name == "probe.median_window") return &t.probe.median_window;
  if (name == "probe.median_min_samples") return &t.probe.median_min_samples;
  return nullptr;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

std::string LineError(int line, std::string_view what) { return "line " + std::to_string(line) + ": " + std::string(what); }

std::string FormatNumber(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.10g", v);
  return buf;
}

}  // namespace

std::vector<std::string_view> ThresholdKeys() {
  std::vector<std::string_view> out;
  for (const Key& k : Keys()) out.push_back(k.name);
  return out;
}

Result<Thresholds> ParseThresholds(std::string_view text) {
  Thresholds t;
  std::set<std::string, std::less<>> seen;
  int line_no = 0;
  while (!text.empty()) {
    ++line_no;
    std::size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
    if (std::size_t hash = line.find('#'); hash != std::string_view::npos) line = line.substr(0, hash);
    line = Trim(line);
    if (line.empty()) continue;
    std::size_t eq = line.find('=');
    if (eq == std::string_view::npos) {
      return Fail(Errc::kInvalidArgument, LineError(line_no, "expected 'key = value'"), std::to_string(line_no));
    }
    std::string_view key = Trim(line.substr(0, eq));
    std::string_view value = Trim(line.substr(eq + 1));
    const Key* found = nullptr;
    for (const Key& k : Keys()) {
      if (k.name == key) found = &k;
    }
    if (!found) {
      return Fail(Errc::kInvalidArgument, LineError(line_no, "unknown key '" + std::string(key) + "'"),
                  std::string(key));
    }
    if (!seen.insert(std::string(key)).second) {
      return Fail(Errc::kInvalidArgument, LineError(line_no, "key '" + std::string(key) + "' repeated"),
                  std::string(key));
    }
    double number = 0;
    auto [p, ec] = std::from_chars(value.data(), value.data() + value.size(), number);
    if (value.empty() || ec != std::errc() || p != value.data() + value.size() || !std::isfinite(number)) {
      return Fail(Errc::kInvalidArgument,
                  LineError(line_no, "value of '" + std::string(key) + "' is not a number: '" + std::string(value) + "'"),
                  std::string(key));
    }
    if (found->real) {
      *found->real(t) = number;
      continue;
    }
    if (number != std::floor(number) || std::fabs(number) > 9e15) {
      return Fail(Errc::kInvalidArgument,
                  LineError(line_no, "value of '" + std::string(key) + "' must be an integer: '" + std::string(value) + "'"),
                  std::string(key));
    }
    if (found->integer) {
      *found->integer(t) = static_cast<std::int64_t>(number);
    } else if (int* target = ProbeInt(t, key)) {
      if (std::fabs(number) > 1e9) {
        return Fail(Errc::kInvalidArgument, LineError(line_no, "value of '" + std::string(key) + "' out of range"),
                    std::string(key));
      }
      *target = static_cast<int>(number);
    }
  }
  return t;
}

Result<Thresholds> LoadThresholdsFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Fail(Errc::kNotFound, "cannot open thresholds file " + path, "path");
  std::ostringstream text;
  text << in.rdbuf();
  auto t = ParseThresholds(text.str());
  if (!t) return Fail(t.error().code, path + ": " + t.error().message, t.error().field);
  return t;
}

std::string FormatThresholds(const Thresholds& input) {
  Thresholds t = input;  // accessors take a mutable reference
  std::string out;
  for (const Key& k : Keys()) {
    out += "# ";
    out += k.comment;
    out += "\n";
    out += k.name;
    out += " = ";
    if (k.real) out += FormatNumber(*k.real(t));
    else if (k.integer) out += std::to_string(*k.integer(t));
    else out += std::to_string(*ProbeInt(t, k.name));
    out += "\n";
  }
  return out;
}

}  // namespace hilo::diagnosis
