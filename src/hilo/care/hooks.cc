// ACS hooks: the CPE's answers on the timeline, verification of remote fixes from the next
// reports, scheduled actions, and re-diagnosis when telemetry changes the findings.

#include <algorithm>
#include <set>

#include "hilo/care/care.h"
#include "hilo/care/internal.h"
#include "hilo/diagnosis/findings_value.h"

namespace hilo::care {
namespace {

using diagnosis::Finding;
using telemetry::DeviceSnapshot;

const Event* QueuedEventOf(const std::vector<Event>& events, Id task_id) {
  for (const auto& e : events)
    if (e.kind == EventKind::kRemoteAction && e.body.Get("task_id").AsInt() == task_id &&
        e.body.Get("status").AsString() == "queued")
      return &e;
  return nullptr;
}

bool HasEvent(const std::vector<Event>& events, EventKind kind, Id task_id, std::string_view status = {}) {
  return std::any_of(events.begin(), events.end(), [&](const Event& e) {
    return e.kind == kind && e.body.Get("task_id").AsInt() == task_id &&
           (status.empty() || e.body.Get("status").AsString() == status);
  });
}

// ---- measuring a metric of a finding's evidence in a snapshot

const telemetry::Radio* RadioOf(const DeviceSnapshot& s, std::string_view device) {
  // Evidence names radios "radio <band>" (BandName spelling).
  if (!device.starts_with("radio ")) return nullptr;
  return s.FindRadioByBand(telemetry::ParseBand(device.substr(6)));
}

int IndexOf(std::string_view device, std::string_view prefix) {
  if (!device.starts_with(prefix)) return 0;
  int v = 0;
  for (char ch : device.substr(prefix.size())) {
    if (ch < '0' || ch > '9') return 0;
    v = v * 10 + (ch - '0');
  }
  return v;
}

std::optional<double> CurrentMetric(const DeviceSnapshot& s, std::string_view metric, std::string_view device,
                                    const diagnosis::Thresholds& t) {
  if (s.taken_at == 0) return std::nullopt;
  if (metric.starts_with("radio.")) {
    const telemetry::Radio* r = RadioOf(s, device);
    if (!r) return std::nullopt;
    if (metric == "radio.noise_dbm") return r->noise_dbm;
    if (metric == "radio.utilization_pct") return r->utilization_pct;
    if (metric == "radio.receive_other_pct") return r->receive_other_pct;
    if (metric == "radio.channel_change" && r->channel) return static_cast<double>(*r->channel);
    if (metric == "radio.cochannel_networks") {
      if (!r->channel || s.neighbors.empty()) return std::nullopt;
      int n = 0;
      for (const auto& nb : s.neighbors) {
        telemetry::Band band = nb.band != telemetry::Band::kUnknown ? nb.band
                                                                     : telemetry::BandFromChannel(nb.channel.value_or(0));
        if (band == r->band && nb.channel == r->channel && nb.signal_dbm && *nb.signal_dbm >= t.neighbor_min_signal_dbm)
          ++n;
      }
      return static_cast<double>(n);
    }
    return std::nullopt;
  }
  if (metric.starts_with("client.")) {
    const telemetry::Client* c = s.FindClient(telemetry::MacKey(device));
    if (!c) return std::nullopt;
    if (metric == "client.retransmissions_pct") return c->retransmissions_pct;
    if (metric == "client.signal_dbm") return c->signal_dbm;
    if (metric == "client.snr_db") return c->snr_db;
    return std::nullopt;
  }
  if (metric.starts_with("docsis.ds.")) {
    const int index = IndexOf(device, "ds");
    for (const auto& d : s.docsis_downstream) {
      if (d.index != index) continue;
      if (metric == "docsis.ds.snr_db") return d.snr_db;
      if (metric == "docsis.ds.mer_db") return d.mer_db;
      if (metric == "docsis.ds.power_dbmv") return d.power_dbmv;
    }
    return std::nullopt;
  }
  if (metric == "docsis.us.tx_power_dbmv") {
    const int index = IndexOf(device, "us");
    for (const auto& u : s.docsis_upstream)
      if (u.index == index) return u.tx_power_dbmv;
    return std::nullopt;
  }
  if (metric == "gateway.temperature_c") return s.temperature_c;
  if (metric == "gateway.cpu_pct") return s.cpu_pct;
  return std::nullopt;
}

bool ClientMeasured(const DeviceSnapshot& s, std::uint64_t key) {
  const telemetry::Client* c = s.FindClient(key);
  return c && (!c->active || *c->active) && (c->signal_dbm || c->retransmissions_pct || c->snr_db);
}

// Is the data that would show `code` present after the action? Absence of a finding means
// "fixed" only then (a laptop that is switched off shows no retries, and proves nothing).
bool Observable(std::string_view code, const Value& before_evidence, const DeviceSnapshot& s, Time done_at,
                const diagnosis::DiagnosisInput& in, const diagnosis::Thresholds& t, std::string& why_not) {
  if (s.taken_at == 0 || s.taken_at <= done_at) {
    why_not = "no gateway report since the action";
    return false;
  }
  std::vector<std::uint64_t> macs;
  for (const auto& e : before_evidence.AsArray())
    if (auto key = telemetry::MacKey(e.Get("device").AsString()); key) macs.push_back(key);
  std::sort(macs.begin(), macs.end());
  macs.erase(std::unique(macs.begin(), macs.end()), macs.end());
  auto measured_clients = [&] {
    std::size_t n = 0;
    for (auto k : macs) n += ClientMeasured(s, k) ? 1 : 0;
    return n;
  };
  if (code == "wifi.congestion") {
    bool radio_data = std::any_of(s.radios.begin(), s.radios.end(), [](const telemetry::Radio& r) {
      return r.noise_dbm || r.utilization_pct || r.receive_other_pct;
    });
    if (!radio_data && s.neighbors.empty()) why_not = "the gateway reports no radio load, noise or neighbours";
    return radio_data || !s.neighbors.empty();
  }
  if (code == "common_cause.gateway") {
    const std::size_t need = std::min<std::size_t>(macs.size(), static_cast<std::size_t>(std::max<std::int64_t>(t.common_cause_min_clients, 1)));
    if (macs.empty() ? s.clients.empty() : measured_clients() < need) {
      why_not = "the devices that were degraded are not connected and measured now";
      return false;
    }
    return true;
  }
  if (code == "wifi.retransmissions" || code == "wifi.weak_client" || code == "client.single") {
    if (macs.empty() ? s.clients.empty() : measured_clients() == 0) {
      why_not = "the affected device is not connected and measured now";
      return false;
    }
    return true;
  }
  if (code == "line.docsis") {
    if (s.docsis_downstream.empty() && s.docsis_upstream.empty()) {
      why_not = "the gateway reports no DOCSIS channels";
      return false;
    }
    return true;
  }
  if (code == "gateway.instability") {
    if (!s.uptime_s) why_not = "the gateway reports no uptime";
    return s.uptime_s.has_value();
  }
  if (code == "wifi.micro_outages") {
    if (in.probe_window_end <= done_at) {
      why_not = "no probe results since the action";
      return false;
    }
    return true;
  }
  return true;
}

// The evidence of `code` in the newest diagnosis before `seq`.
Value EvidenceBefore(const std::vector<Event>& events, std::string_view code, int seq) {
  for (auto it = events.rbegin(); it != events.rend(); ++it) {
    if (it->seq >= seq || it->kind != EventKind::kDiagnosis) continue;
    for (const auto& f : it->body.Get("findings").AsArray())
      if (f.Get("code").AsString() == code) return f.Get("evidence");
  }
  return Value::MakeArray();
}

Value Number(std::optional<double> v) { return v ? Value(*v) : Value(); }

// Decides and records the verification of one done action; returns false when it must wait.
Result<bool> Verify(StoreTx& tx, Case& c, const std::vector<Event>& events, const Event& done,
                    const std::vector<Finding>& findings, const GatheredInput& g, const diagnosis::Thresholds& t,
                    Time now, const CareOptions& options) {
  const std::string code = done.body.Get("why").AsString();
  const std::string action = done.body.Get("action").AsString();
  const Id task_id = done.body.Get("task_id").AsInt();
  const DeviceSnapshot& s = g.input.current;
  int post = 0;
  for (const auto& h : g.input.history) post += h.taken_at > done.at ? 1 : 0;
  if (post == 0) return false;

  const Event* queued = QueuedEventOf(events, task_id);
  const Value before = EvidenceBefore(events, code, queued ? queued->seq : done.seq);
  const Finding* still = internal::FindCode(findings, code);
  std::string why_not;
  const bool observable = Observable(code, before, s, done.at, g.input, t, why_not);

  std::string verdict;
  if (!still && observable) verdict = "fixed";
  else if (post < options.verify_snapshots_not_fixed) return false;  // one more report before "not fixed"
  else verdict = still ? "not_fixed" : "unverified";

  Value evidence = Value::MakeArray();
  for (const auto& b : before.AsArray()) {
    const std::string& metric = b.Get("metric").AsString();
    const std::string& device = b.Get("device").AsString();
    std::optional<double> after;
    if (still) {
      for (const auto& e : still->evidence)
        if (e.metric == metric && e.device == device) after = e.value;
    }
    if (!after) after = CurrentMetric(s, metric, device, t);
    Value item = Value::MakeObject();
    item.Set("metric", metric);
    item.Set("device", device);
    item.Set("before", b.Get("value"));
    item.Set("after", Number(after));
    item.Set("threshold", b.Get("threshold"));
    evidence.Push(std::move(item));
  }
  const Value& params = queued ? queued->body.Get("params") : Value::MakeObject();
  if (action == "firmware_rollback" || action == "firmware_update") {
    Value item = Value::MakeObject();
    item.Set("metric", "gateway.software_version");
    item.Set("device", "gateway");
    item.Set("before", params.Get("from_version"));
    item.Set("after", s.software_version);
    item.Set("expected", params.Get("version"));
    evidence.Push(std::move(item));
  }
  if (action == "set_channel" || action == "enable_auto_channel") {
    const telemetry::Radio* r = s.FindRadioByBand(telemetry::ParseBand(params.Get("band").AsString()));
    Value item = Value::MakeObject();
    item.Set("metric", "radio.channel");
    item.Set("device", "radio " + params.Get("band").AsString());
    item.Set("before", params.Get("from_channel"));
    item.Set("after", r && r->channel ? Value(*r->channel) : Value());
    evidence.Push(std::move(item));
  }

  Value body = Value::MakeObject();
  body.Set("task_id", task_id);
  body.Set("action", action);
  body.Set("finding", code);
  body.Set("fixed", verdict == "fixed");
  body.Set("verdict", verdict);
  body.Set("evidence", std::move(evidence));
  Value now_codes = Value::MakeArray();
  for (const auto& f : findings) now_codes.Push(f.code);
  body.Set("findings_now", std::move(now_codes));
  body.Set("snapshots_after", post);
  body.Set("snapshot_at", FormatIsoTime(s.taken_at));
  std::string result;
  if (verdict == "fixed") {
    result = "fixed: " + code + " is gone in " + std::to_string(post) + " report(s) after the action";
  } else if (verdict == "unverified") {
    result = "not verified: " + why_not;
    Value next = Value::MakeObject();
    next.Set("code", "raise_inform_rate");
    next.Set("params", Value::MakeObject());
    next.Set("finding", code);
    body.Set("next_step", std::move(next));
    body.Set("reason", why_not);
  } else {
    // The engine's next recommendation for the finding, skipping what this case already tried.
    std::set<std::string> tried;
    for (const auto& e : events)
      if (e.kind == EventKind::kRemoteAction && e.body.Get("why").AsString() == code)
        tried.insert(e.body.Get("action").AsString());
    tried.insert(action);
    const diagnosis::Action* next = nullptr;
    for (const auto& a : still->next_actions)
      if (!tried.contains(a.code)) {
        next = &a;
        break;
      }
    Value step = Value::MakeObject();
    if (next) {
      step.Set("code", next->code);
      Value p = Value::MakeObject();
      for (const auto& [k, v] : next->params) p.Set(k, v);
      step.Set("params", std::move(p));
    } else {
      // Nothing left to try remotely: a visit, by policy.
      step.Set("code", "dispatch_technician");
      Value p = Value::MakeObject();
      p.Set("reason", "remote_fix_failed");
      step.Set("params", std::move(p));
    }
    step.Set("finding", code);
    const std::string next_code = step.Get("code").AsString();
    body.Set("next_step", std::move(step));
    body.Set("reason", code + " is still there after " + action + " (" + std::to_string(post) + " reports)");
    result = "not fixed: " + code + " persists; next: " + next_code;
  }
  body.Set("what", "Verification of " + action + " against " + code);
  body.Set("result", result);
  auto e = AppendToCase(tx, c, EventKind::kVerification, internal::SystemActor(options), false, std::move(body), now);
  if (!e) return std::unexpected(e.error());
  return true;
}

// Scheduled actions (quiet-hour reboots) whose time has come become tasks now.
Status QueueDueActions(StoreTx& tx, Case& c, const std::vector<Event>& events, const Cpe& cpe, Time now,
                       const CareOptions& options) {
  for (const auto& e : events) {
    if (e.kind != EventKind::kRemoteAction || e.body.Get("status").AsString() != "scheduled" ||
        e.body.Get("gateway_id").AsInt() != cpe.id || e.body.Get("not_before").AsInt() > now)
      continue;
    bool queued = std::any_of(events.begin(), events.end(), [&](const Event& q) {
      return q.kind == EventKind::kRemoteAction && q.body.Get("scheduled_seq").AsInt() == e.seq;
    });
    if (queued) continue;
    auto task = MakeTask(cpe.id, TaskKind::kReboot, Value::MakeObject(), now, options.task_ttl);
    if (!task) return std::unexpected(task.error());
    task->case_id = c.id;
    task->requested_by = e.body.Get("requested_by").AsInt();
    task->reason = e.body.Get("why").AsString();
    auto id = tx.InsertTask(*task);
    if (!id) return std::unexpected(id.error());
    Value body = Value::MakeObject();
    body.Set("what", e.body.Get("what"));
    body.Set("action", e.body.Get("action"));
    body.Set("why", e.body.Get("why"));
    body.Set("params", e.body.Get("params"));
    body.Set("gateway_id", cpe.id);
    body.Set("task_id", *id);
    body.Set("status", "queued");
    body.Set("scheduled_seq", e.seq);
    body.Set("result", "quiet hour reached: queued");
    auto appended = AppendToCase(tx, c, EventKind::kRemoteAction, internal::SystemActor(options), false, std::move(body), now);
    if (!appended) return std::unexpected(appended.error());
  }
  return Ok();
}

std::vector<std::string> SortedCodes(std::vector<std::string> codes) {
  std::sort(codes.begin(), codes.end());
  codes.erase(std::unique(codes.begin(), codes.end()), codes.end());
  return codes;
}

}  // namespace

Status OnTaskFinished(StoreTx& tx, const Cpe& cpe, const CpeTask& task, Time now, const CareOptions& options) {
  if (task.case_id == 0 || (task.status != TaskStatus::kDone && task.status != TaskStatus::kFault)) return Ok();
  auto c = tx.GetCase(task.case_id);
  if (!c) return c.error().code == Errc::kNotFound ? Ok() : Status(std::unexpected(c.error()));
  auto events = tx.EventsOf(task.case_id);
  if (!events) return std::unexpected(events.error());
  const bool done = task.status == TaskStatus::kDone;
  // A CPE may repeat a TransferComplete: its answer is on the timeline once.
  if (HasEvent(*events, EventKind::kRemoteAction, task.id, "done") ||
      HasEvent(*events, EventKind::kRemoteAction, task.id, "fault"))
    return Ok();
  const Event* queued = QueuedEventOf(*events, task.id);
  Value body = Value::MakeObject();
  body.Set("what", queued ? queued->body.Get("what") : Value(std::string(TaskKindName(task.kind))));
  body.Set("action", queued ? queued->body.Get("action") : Value(std::string(TaskKindName(task.kind))));
  body.Set("why", queued ? queued->body.Get("why") : Value(task.reason));
  body.Set("task_id", task.id);
  body.Set("gateway_id", cpe.id);
  body.Set("status", done ? "done" : "fault");
  body.Set("fault_code", task.fault_code);
  body.Set("fault_string", task.fault_string);
  body.Set("result", done ? std::string("the gateway confirmed it")
                          : "the gateway refused: fault " + std::to_string(task.fault_code) +
                                (task.fault_string.empty() ? std::string() : " " + task.fault_string));
  // Verification follows from the gateway's next reports (OnSnapshot).
  body.Set("verification", done ? "pending" : "none");
  auto e = AppendToCase(tx, *c, EventKind::kRemoteAction, internal::SystemActor(options), false, std::move(body), now);
  if (!e) return std::unexpected(e.error());
  return Ok();
}

Status OnSnapshot(StoreTx& tx, const Cpe& cpe, const telemetry::DeviceSnapshot& snapshot, Time now,
                  const diagnosis::Engine& engine, const CareOptions& options) {
  if (cpe.customer_id == 0) return Ok();
  CaseQuery q;
  q.customer_id = cpe.customer_id;
  q.limit = 100;
  auto cases = tx.FindCases(q);
  if (!cases) return std::unexpected(cases.error());
  for (Case& c : *cases) {
    if (!IsOpen(c.status)) continue;
    auto gw = CaseGateway(tx, c);
    if (!gw) return std::unexpected(gw.error());
    if (!*gw || (*gw)->id != cpe.id) continue;
    auto events = tx.EventsOf(c.id);
    if (!events) return std::unexpected(events.error());
    HILO_TRY(QueueDueActions(tx, c, *events, cpe, now, options));

    std::vector<const Event*> pending;
    for (const auto& e : *events) {
      if (e.kind != EventKind::kRemoteAction || e.body.Get("status").AsString() != "done" ||
          e.body.Get("gateway_id").AsInt() != cpe.id || e.body.Get("why").AsString().empty())
        continue;
      if (HasEvent(*events, EventKind::kVerification, e.body.Get("task_id").AsInt())) continue;
      if (snapshot.taken_at > e.at) pending.push_back(&e);
    }
    auto last_codes = internal::LastDiagnosisCodes(*events);
    if (pending.empty() && !last_codes) continue;

    auto g = Gather(tx, c, now, options);
    if (!g) return std::unexpected(g.error());
    const std::vector<Finding> findings = engine.Diagnose(g->input);
    for (const Event* e : pending) {
      auto r = Verify(tx, c, *events, *e, findings, *g, engine.thresholds(), now, options);
      if (!r) return std::unexpected(r.error());
    }
    if (last_codes && SortedCodes(*last_codes) != SortedCodes(internal::Codes(findings))) {
      auto d = internal::AppendDiagnosis(tx, c, internal::SystemActor(options), *g, findings, "telemetry", now);
      if (!d) return std::unexpected(d.error());
    }
  }
  return Ok();
}

}  // namespace hilo::care
