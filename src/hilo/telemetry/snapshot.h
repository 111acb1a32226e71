#pragma once
// DeviceSnapshot: one normalised view of a home gateway at one moment, whatever data model
// (TR-181 "Device." or TR-098 "InternetGatewayDevice.") or vendor it came from.
//
//   DeviceSnapshot s = Normalize(params, now);              // from a CWMP parameter tree
//   for (const Client& c : s.clients)
//     if (c.signal_dbm && *c.signal_dbm < -75) ...;        // optional: the CPE may not report it
//   Value v = ToValue(s);                                    // store it / send it as JSON
//   DeviceSnapshot back = SnapshotFromValue(v);              // fixtures, scenario files
//
// Units are normalised at ingest (see diagnosis-reference.md §1.8): dBm for Wi-Fi signal and
// noise, dBmV / dB for DOCSIS (tenths already divided by 10), kbps for PHY rates, percent for
// utilisation and transmit power, seconds for durations, Unix seconds (UTC) for instants.
// Counters stay cumulative as reported; consumers compute deltas across snapshots.
// Anything a CPE did not report (or reported unparsably) is an empty std::optional, never 0.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "hilo/base/time.h"
#include "hilo/base/value.h"

namespace hilo::telemetry {

enum class Band : std::uint8_t { kUnknown, k2_4GHz, k5GHz, k6GHz };

// "2.4GHz", "5GHz", "6GHz", "" for kUnknown.
std::string_view BandName(Band band);
// Accepts the TR-181 spellings ("2.4GHz", "5GHz", "6GHz") and loose ones ("2.4", "5", "5G").
Band ParseBand(std::string_view text);
// Band implied by a channel number when the CPE does not say (1..14 → 2.4 GHz, 32..177 → 5 GHz).
Band BandFromChannel(int channel);

// "AA-BB-CC-DD-EE-FF", "aabb.ccdd.eeff", "AABBCCDDEEFF" → "aa:bb:cc:dd:ee:ff"; "" if not a MAC.
std::string NormalizeMac(std::string_view text);
// The 48-bit MAC as an integer (0 if not a MAC), so hot loops compare integers, not strings.
std::uint64_t MacKey(std::string_view mac);

struct RadioStats {
  std::optional<std::uint64_t> packets_sent;
  std::optional<std::uint64_t> packets_received;
  std::optional<std::uint64_t> errors_sent;
  std::optional<std::uint64_t> errors_received;
  std::optional<std::uint64_t> total_channel_changes;
  std::optional<std::uint64_t> manual_channel_changes;
  std::optional<std::uint64_t> auto_dynamic_channel_changes;
  std::optional<std::uint64_t> auto_dfs_channel_changes;
};

struct Radio {
  int index = 0;  // the CPE's instance number (TR-098: one per band, in order of appearance)
  Band band = Band::kUnknown;
  std::optional<bool> enabled;
  std::optional<int> channel;
  std::string bandwidth;  // "20MHz", "80MHz", ... as reported
  std::optional<bool> auto_channel;
  std::optional<int> transmit_power_pct;  // percent of full power; -1 = auto
  std::optional<double> noise_dbm;        // Radio.Stats.Noise (dBm, not the ANPI code)
  std::optional<double> utilization_pct;  // medium busy, 0..100
  std::optional<double> receive_other_pct;  // airtime used by other BSSs, 0..100
  std::vector<int> channels_in_use;
  std::string channel_last_selection_reason;  // Manual, Auto_DFS, Auto_Dynamic, ...
  std::optional<std::int64_t> channel_last_change_s;  // seconds since the channel came into use
  RadioStats stats;
};

struct AccessPoint {
  int index = 0;
  std::string ssid;
  int radio_index = 0;  // Radio::index, 0 = unknown
  std::optional<bool> enabled;
  std::optional<std::uint64_t> retrans_count;
  std::optional<std::uint64_t> failed_retrans_count;
  std::optional<std::uint64_t> retry_count;
};

// One associated Wi-Fi client (AccessPoint.{i}.AssociatedDevice.{j}).
struct Client {
  std::string mac;  // normalised, lower case with colons
  std::uint64_t mac_key = 0;  // MacKey(mac); filled by Normalize / SnapshotFromValue
  int ap_index = 0;
  int radio_index = 0;
  Band band = Band::kUnknown;
  std::string operating_standard;  // "n", "ac", "ax", ...
  std::optional<double> signal_dbm;  // uplink RSSI; 0 dBm from a CPE means unknown → empty
  std::optional<double> noise_dbm;
  std::optional<double> snr_db;
  std::optional<std::int64_t> downlink_kbps;
  std::optional<std::int64_t> uplink_kbps;
  std::optional<double> retransmissions_pct;  // of the last 100 packets sent to the client
  std::optional<bool> active;
  std::optional<Time> association_time;
};

struct Host {
  std::string mac;
  std::string ip;
  std::string hostname;
  std::string interface_type;  // "Wi-Fi", "Ethernet", "802.11", ... as reported
  std::optional<bool> active;
  bool IsWired() const;
};

struct Neighbor {
  std::string bssid;
  std::string ssid;
  std::optional<int> channel;
  Band band = Band::kUnknown;
  std::string bandwidth;
  std::optional<double> signal_dbm;
};

struct DocsisDownstream {
  int index = 0;
  std::optional<double> frequency_hz;
  std::string modulation;  // "QAM256", "OFDM", ...
  std::optional<double> power_dbmv;
  std::optional<double> snr_db;
  std::optional<double> mer_db;
  std::optional<std::uint64_t> unerrored;
  std::optional<std::uint64_t> corrected;
  std::optional<std::uint64_t> uncorrectable;
};

struct DocsisUpstream {
  int index = 0;
  std::optional<double> tx_power_dbmv;
  std::optional<std::uint64_t> t3_timeouts;
  std::optional<std::uint64_t> t4_timeouts;
};

struct RebootInfo {
  std::optional<std::uint64_t> boot_count;
  std::optional<std::uint64_t> watchdog_boot_count;
  std::optional<std::uint64_t> current_version_boot_count;
  std::string last_reason;
  std::optional<Time> last_time;
  std::optional<bool> last_firmware_updated;
};

enum class DataModel : std::uint8_t { kUnknown, kTr181, kTr098 };

struct DeviceSnapshot {
  // Identity: OUI-ProductClass-SerialNumber is the registry key.
  std::string oui;
  std::string product_class;
  std::string serial;
  std::string manufacturer;
  std::string model;
  std::string software_version;
  std::string hardware_version;
  DataModel data_model = DataModel::kUnknown;

  Time taken_at = 0;
  std::optional<std::int64_t> uptime_s;

  std::vector<Radio> radios;
  std::vector<AccessPoint> access_points;
  std::vector<Client> clients;
  std::vector<Host> hosts;
  std::vector<Neighbor> neighbors;
  std::vector<DocsisDownstream> docsis_downstream;
  std::vector<DocsisUpstream> docsis_upstream;

  std::optional<double> temperature_c;             // hottest sensor's current value
  std::optional<double> temperature_max_c;         // its recorded maximum
  std::optional<double> temperature_high_alarm_c;  // its alarm threshold
  std::optional<double> cpu_pct;
  std::optional<std::int64_t> memory_total_kib;
  std::optional<std::int64_t> memory_free_kib;
  RebootInfo reboots;

  const Radio* FindRadio(int index) const;
  const Radio* FindRadioByBand(Band band) const;
  const Client* FindClient(std::uint64_t mac_key) const;
};

std::string_view DataModelName(DataModel model);

// Field names are snake_case; absent optionals are omitted; instants are ISO-8601 UTC strings.
Value ToValue(const DeviceSnapshot& snapshot);
// Forgiving: unknown keys are ignored, missing or mistyped fields stay empty; instants may be
// ISO strings or integer Unix seconds.
DeviceSnapshot SnapshotFromValue(const Value& value);

// Reads a Value holding an instant: integer Unix seconds or an ISO-8601 string.
std::optional<Time> TimeFromValue(const Value& value);

}  // namespace hilo::telemetry
