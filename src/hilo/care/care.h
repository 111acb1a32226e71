#pragma once
// care/: the company does the tests. Orchestrates diagnosis, remote fixes and their
// verification on a case, over the core::Store interfaces -- no SQL, no sockets, no clock
// ("now" is passed in). Business rules of remediation live here, never in handlers.
//
//   // An agent asks for a diagnosis (inside one write transaction):
//   store.Write([&](StoreTx& tx) -> Status {
//     auto d = care::DiagnoseCase(tx, actor, case_id, now, engine, options);
//     if (!d) return std::unexpected(d.error());
//     if (d->dispatch) ...;                       // a technician visit, by policy, with its reason
//     auto r = care::Remediate(tx, actor, case_id, "set_channel", params, "wifi.congestion", now, options);
//     ...
//   }, done);
//
//   // The ACS tells us what the gateway answered and what it reports next (hooks run inside
//   // the ACS's store transaction):
//   acs_options.on_task_finished = [&](StoreTx& tx, const Cpe& c, const CpeTask& t, Time now) {
//     return care::OnTaskFinished(tx, c, t, now, options);
//   };
//   acs_options.on_snapshot = [&](StoreTx& tx, const Cpe& c, const telemetry::DeviceSnapshot& s, Time now) {
//     return care::OnSnapshot(tx, c, s, now, engine, options);
//   };
//
// Timeline events written here (bodies are Values; see each function):
//   kDiagnosis      {findings: [diagnosis::ToValue(f)...], codes, gateway, window, trigger, dispatch?}
//   kRemoteAction   queued / scheduled (asked by someone), then done / fault (the CPE's answer)
//   kVerification   after a done action: was the finding it answered gone, with before/after
//
// Thread-safety: every function is stateless; it is as thread-safe as the StoreTx / StoreReader
// it is given (the store serialises writers). CareOptions and Engine are read-only.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "hilo/base/error.h"
#include "hilo/base/value.h"
#include "hilo/core/cases.h"
#include "hilo/core/cpe.h"
#include "hilo/core/model.h"
#include "hilo/core/store.h"
#include "hilo/diagnosis/engine.h"
#include "hilo/telemetry/events.h"
#include "hilo/telemetry/probe.h"
#include "hilo/telemetry/snapshot.h"

namespace hilo::care {

struct CareOptions {
  Time history_window = 24 * kHour;  // telemetry history a diagnosis looks at
  Time task_ttl = 7 * kDay;          // how long a queued remote action may wait for the gateway
  // Verification: a verdict needs at least one snapshot taken after the action was done. When
  // the finding is still there, "not fixed" waits for this many post-action snapshots, so a
  // single transitional report does not decide.
  int verify_snapshots_not_fixed = 2;
  // Quiet hour for consented reboots: local hour [quiet_hour, quiet_hour + 1). Local = UTC +
  // utc_offset_s (Chile: -3 h in summer, -4 h in winter; operators set it).
  int quiet_hour = 3;
  Time utc_offset_s = -3 * kHour;
  // Firmware images: Download URL = firmware_url_base + "fw-<version>.bin".
  std::string firmware_url_base = "http://firmware.invalid/";
  // Probe ingestion: samples per leg re-fed to the detector from the previous batch (plus any
  // trailing run of losses, up to probe_tail_max), so cuts and spikes crossing a batch boundary
  // are seen whole.
  int probe_tail = 300;
  int probe_tail_max = 3600;
  std::int64_t probe_coverage_gap_ms = 60'000;  // a longer silence ends continuous coverage
  telemetry::ProbeConfig probe;                  // detector settings
  Time correlation_tolerance_s = 5;
  std::string system_name = "hilo";  // actor name on events written by hilo itself
};

// ---- 1. diagnosis input ------------------------------------------------------------------------

// The gateway a case is about: the one installed at the case's service's site, else the
// customer's first. nullopt when the customer has none linked.
Result<std::optional<Cpe>> CaseGateway(StoreReader& r, const Case& c);

struct GatheredInput {
  diagnosis::DiagnosisInput input;
  std::optional<Cpe> gateway;  // nullopt: no gateway linked
  Time window_from = 0;
  Time window_to = 0;
};

// Everything the engine needs for a case at `now`: symptoms (from the timeline; when the case
// has no structured report, its category counts as the report -- a case is a complaint), the
// gateway's latest snapshot and last history_window of history, probe events of the customer,
// firmware / configuration changes (from the history and from done Download /
// SetParameterValues tasks). No gateway or no history leaves current empty, so the engine
// answers "evidence.missing", never "all fine".
Result<GatheredInput> Gather(StoreReader& r, const Case& c, Time now, const CareOptions& options);
Result<diagnosis::DiagnosisInput> GatherInput(StoreReader& r, const Case& c, Time now, const CareOptions& options);

// ---- 2. diagnosis on the case ------------------------------------------------------------------

struct DiagnosisOutcome {
  Event event;  // the kDiagnosis event appended
  std::vector<diagnosis::Finding> findings;
  Id gateway_id = 0;  // 0 = no gateway
  // A finding proposes a technician visit (policy: offered, never blocked by an agent).
  bool dispatch = false;
  std::string dispatch_reason;   // the action's reason param, e.g. "docsis_line"
  std::string dispatch_finding;  // the finding that proposes it
};

// Runs the engine on the case and appends a kDiagnosis event:
//   {findings: [...], codes: [...], gateway: {id, serial} | null, window: {from, to},
//    trigger: "agent" | "symptom_report" | "telemetry", dispatch?: {reason, finding}}
// Errors: kNotFound (case), kInvalidArgument (unknown trigger).
Result<DiagnosisOutcome> DiagnoseCase(StoreTx& tx, const Actor& actor, Id case_id, Time now,
                                      const diagnosis::Engine& engine, const CareOptions& options,
                                      std::string_view trigger = "agent");

// ---- 3. remote remediation ---------------------------------------------------------------------

struct RemediationOutcome {
  Event event;        // the kRemoteAction event appended
  CpeTask task;       // id set; id == 0 when only scheduled (quiet-hour reboot)
  bool scheduled = false;
  Time not_before = 0;  // scheduled: the task is queued at the first inform at or after this
};

// Turns an engine action code into an ACS task on the case's gateway and records it on the
// timeline: kRemoteAction {what, action, why: finding_code, task_id, gateway_id, status:
// "queued" | "scheduled", params, result}. Actions and params:
//   set_channel {channel, band?="2.4GHz"}  SetParameterValues AutoChannelEnable=false + Channel
//   enable_auto_channel {band?="2.4GHz"}   SetParameterValues AutoChannelEnable=true
//   reboot {when: "now"|"quiet_hour"|"now_with_consent", consent}
//                                          Reboot; quiet_hour and now_with_consent need consent
//   firmware_rollback {version|to, url?}, firmware_update {version, url?}
//                                          Download "1 Firmware Upgrade Image", fw-<version>.bin
//   steer_client_5ghz {mac}                SetParameterValues of the gateway's band-steering
//                                          switch when its tree has one; else refused
//   raise_inform_rate {interval_s?=60}     SetParameterValues PeriodicInformInterval
// Errors: kNotFound (case), kInvalidArgument (unknown action, bad param, empty finding_code:
// every remote action answers a finding), kFailedPrecondition (case not open, no gateway,
// quiet hour without consent, radio / band-steering not on this gateway, already on that
// firmware), kAlreadyExists (the same action is already queued for this case).
Result<RemediationOutcome> Remediate(StoreTx& tx, const Actor& actor, Id case_id, std::string_view action_code,
                                     const Value& params, std::string_view finding_code, Time now,
                                     const CareOptions& options);

// ---- 4. ACS hooks ------------------------------------------------------------------------------

// The CPE answered a task. For tasks of a case: appends kRemoteAction {what, action, why,
// task_id, gateway_id, status: "done"|"fault", fault_code, fault_string, result, verification:
// "pending"|"none"}. A done action is then verified by OnSnapshot.
Status OnTaskFinished(StoreTx& tx, const Cpe& cpe, const CpeTask& task, Time now, const CareOptions& options);

// A new snapshot of `cpe` was stored. For each open case of its customer on this gateway:
//  * queues scheduled actions whose time has come (quiet-hour reboots);
//  * verifies done actions not yet verified, once a snapshot newer than the action exists:
//    kVerification {task_id, action, finding, fixed, evidence: [{metric, device, before, after,
//    threshold}], findings_now: [codes], next_step?: {code, params, finding}, reason}.
//    fixed only when the finding is absent AND the data that shows it is present; not fixed
//    (with the engine's next step) when the finding persists over
//    verify_snapshots_not_fixed post-action snapshots; otherwise it waits for more data;
//  * re-diagnoses cases that already have a diagnosis, appending one (trigger "telemetry")
//    only when the set of finding codes changed.
Status OnSnapshot(StoreTx& tx, const Cpe& cpe, const telemetry::DeviceSnapshot& snapshot, Time now,
                  const diagnosis::Engine& engine, const CareOptions& options);

// ---- 5. active probes --------------------------------------------------------------------------

struct ProbeCorrelation {
  std::size_t probe_event = 0;  // index into ProbeIngestOutcome::events
  telemetry::GatewayEvent gateway_event;
  std::int64_t offset_ms = 0;   // gateway event time - probe event start
};

struct ProbeIngestOutcome {
  std::vector<telemetry::ProbeEvent> events;  // the events this batch completed (stored)
  std::vector<ProbeCorrelation> correlations;  // with the gateway's events (reboots, channel moves...)
  bool in_cut = false;                         // a cut is open at the end of the batch (live view)
};

// Runs the micro-outage detector over one batch of a customer's probe samples (any order; they
// are sorted) and stores the events it completes. Correct across batches: the previous batch's
// tail (options.probe_tail samples per leg, more while a run of losses is open) is kept in the
// store and re-fed first; events completed by the tail alone were stored by the previous call
// and are not repeated. Samples older than the previous batch's newest are ignored. Documented
// edges: a cut open when the probe goes silent is reported only once later samples end it;
// latency spikes are judged against a median of at most probe_tail + batch samples (the
// detector's own window is 1 h).
// Errors: kNotFound (customer), kInvalidArgument (cpe of another customer).
Result<ProbeIngestOutcome> IngestProbeSamples(StoreTx& tx, Id customer_id, Id cpe_id,
                                              std::vector<telemetry::ProbeSample> samples, Time now,
                                              const CareOptions& options);

// Probe events of a customer in [from, to] as the engine's type (unknown kinds are skipped).
Result<std::vector<telemetry::ProbeEvent>> ProbeEventsFor(StoreReader& r, Id customer_id, Time from, Time to);

// Conversions between the detector's events and the store's plain records.
ProbeEventRecord ToRecord(const telemetry::ProbeEvent& e, Id customer_id, Id cpe_id);
std::optional<telemetry::ProbeEvent> FromRecord(const ProbeEventRecord& r);

}  // namespace hilo::care
