#pragma once
// The diagnosis engine: a pure function of (reported symptoms, current gateway snapshot, its
// recent history, probe events, known area outages, recent changes, now) → findings with
// evidence, explanations (customer es-CL / en, agent) and ordered next actions.
//
//   Engine engine(*LoadThresholdsFile("config/diagnosis.conf"));   // once; immutable, thread-safe
//   DiagnosisInput in;
//   in.now = now;
//   in.current = Normalize(params, now);
//   in.history = last_24h_snapshots;          // oldest first
//   in.symptoms = {"wifi_drops", since, {"laptop-ana"}, SymptomPattern::kIntermittent};
//   std::vector<Finding> findings = engine.Diagnose(in);
//   if (findings.empty()) ...                 // healthy and nothing reported: no finding at all
//
// Findings are sorted by severity (critical first), then confidence. A healthy home with no
// reported symptom yields an empty list; a reported symptom with nothing found yields
// "evidence.missing" (what to collect next), never "all fine".
//
// Finding codes (stable; the API, the case timeline and the corpus use them):
//   area.outage            a known outage covers the site
//   line.docsis            DOCSIS power / SNR / MER / codewords / T3 / T4, or cuts on the
//                          gateway → first-hop probe leg: a technician, not customer tests
//   gateway.instability    reboots (uptime resets), watchdog, overheating, CPU / memory exhaustion
//   common_cause.gateway   several devices degraded since about the same time: the gateway, its
//                          firmware / configuration or the line, not the devices
//   wifi.congestion        neighbouring networks, utilisation, noise; names a better channel
//   wifi.micro_outages     repeated cuts between the home's devices and the gateway (LAN probe)
//   wifi.retransmissions   high retry / error rates on a radio with good signal
//   wifi.weak_client       a device too far from the gateway (which, how weak, which band)
//   client.single          one device misbehaves while the others are fine
//   evidence.missing       symptoms reported, not enough data to conclude: which data is missing
//
// Action codes: set_channel{band,channel}, enable_auto_channel{band}, reboot, firmware_rollback
// {to,from}, revert_configuration{change}, steer_client_5ghz{mac}, guide_client_device{mac,advice},
// guide_gateway_placement, guide_gateway_ventilation, offer_mesh_extender, dispatch_technician
// {reason}, track_area_outage{outage_id}, raise_inform_rate{interval_s}, request_probe{legs},
// request_neighbor_scan{band}.

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "hilo/base/time.h"
#include "hilo/diagnosis/thresholds.h"
#include "hilo/telemetry/probe.h"
#include "hilo/telemetry/snapshot.h"

namespace hilo::diagnosis {

enum class SymptomPattern : std::uint8_t { kNone, kIntermittent, kConstant, kSlow };
std::string_view SymptomPatternName(SymptomPattern p);  // "none", "intermittent", "constant", "slow"
SymptomPattern ParseSymptomPattern(std::string_view name);  // unknown → kNone

struct SymptomReport {
  std::string what;                  // e.g. "wifi_drops", "slow", "no_internet"; empty = nothing reported
  Time since = 0;                    // when the customer says it started; 0 = unknown
  std::vector<std::string> devices;  // MACs or host names the customer named
  SymptomPattern pattern = SymptomPattern::kNone;
  bool Reported() const { return !what.empty() || pattern != SymptomPattern::kNone; }
};

struct AreaOutage {
  std::string id;
  bool covers_site = true;  // the outage's node / area includes this customer's site
  Time start = 0;
  Time end = 0;  // 0 = still ongoing
  std::string description;
};

enum class ChangeKind : std::uint8_t { kFirmware, kConfiguration };
std::string_view ChangeKindName(ChangeKind k);  // "firmware", "configuration"

struct ChangeEvent {
  ChangeKind kind = ChangeKind::kFirmware;
  Time at = 0;
  std::string from;
  std::string to;
  std::string what;  // configuration: which setting ("Device.WiFi.Radio.1.TransmitPower")
  // Ordered by hilo as a remote fix (a rollback, a channel change): never blamed for
  // instability, and never the version a rollback proposes to return from.
  bool planned = false;
};

struct DiagnosisInput {
  SymptomReport symptoms;
  telemetry::DeviceSnapshot current;              // taken_at == 0: no snapshot available
  std::vector<telemetry::DeviceSnapshot> history;  // time-ordered, oldest first
  std::vector<telemetry::ProbeEvent> probe_events;
  Time probe_window_start = 0;  // when probes covered [start, end]; 0 = no probe ran
  Time probe_window_end = 0;
  std::vector<AreaOutage> area_outages;
  std::vector<ChangeEvent> changes;
  // Restarts hilo itself ordered (reboot, firmware download, factory reset), when they were done:
  // an uptime reset within planned_restart_tolerance_s of one is not counted as instability.
  std::vector<Time> planned_restarts;
  Time now = 0;
};

enum class Severity : std::uint8_t { kInfo, kMinor, kMajor, kCritical };
std::string_view SeverityName(Severity s);  // "info", "minor", "major", "critical"
Severity ParseSeverity(std::string_view name);

struct Evidence {
  std::string metric;  // e.g. "client.signal_dbm", "radio.cochannel_networks", "gateway.reboots"
  double value = 0;
  double threshold = 0;
  Time window_start = 0;
  Time window_end = 0;
  std::string device;  // MAC, host name, "radio 2.4GHz", "ds3", "gateway", outage id, ...
};

struct Action {
  std::string code;
  std::vector<std::pair<std::string, std::string>> params;
  std::string_view Param(std::string_view key) const;
};

struct Finding {
  std::string code;
  Severity severity = Severity::kInfo;
  double confidence = 0;  // 0..1
  std::vector<Evidence> evidence;
  std::string customer_text_es;
  std::string customer_text_en;
  std::string agent_text;
  std::vector<Action> next_actions;  // in the order to try them
};

class Engine {
 public:
  explicit Engine(Thresholds thresholds = {});
  // Pure and const: one Engine serves any number of threads.
  std::vector<Finding> Diagnose(const DiagnosisInput& input) const;
  const Thresholds& thresholds() const { return t_; }

 private:
  Thresholds t_;
};

// Convenience for one-off calls.
std::vector<Finding> Diagnose(const DiagnosisInput& input, const Thresholds& thresholds = {});

}  // namespace hilo::diagnosis
