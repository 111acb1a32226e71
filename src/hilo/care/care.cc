// Gathering a case's diagnosis input and recording diagnoses on its timeline.

#include <algorithm>
#include <cctype>

#include "hilo/care/care.h"

#include "hilo/base/text.h"
#include "hilo/care/internal.h"
#include "hilo/diagnosis/findings_value.h"

namespace hilo::care {
namespace internal {

Actor SystemActor(const CareOptions& options) { return Actor{0, options.system_name, Role::kAgent, 0}; }

std::vector<std::string> Codes(const std::vector<diagnosis::Finding>& findings) {
  std::vector<std::string> out;
  for (const auto& f : findings) out.push_back(f.code);
  return out;
}

const diagnosis::Finding* FindCode(const std::vector<diagnosis::Finding>& findings, std::string_view code) {
  for (const auto& f : findings)
    if (f.code == code) return &f;
  return nullptr;
}

std::optional<std::pair<std::string, std::string>> DispatchOf(const std::vector<diagnosis::Finding>& findings) {
  for (const auto& f : findings) {
    // evidence.missing never sends a technician: it says which data to collect first.
    if (f.code == "evidence.missing") continue;
    for (const auto& a : f.next_actions)
      if (a.code == "dispatch_technician") return std::make_pair(std::string(a.Param("reason")), f.code);
  }
  return std::nullopt;
}

Result<Event> AppendDiagnosis(StoreTx& tx, Case& c, const Actor& actor, const GatheredInput& g,
                              const std::vector<diagnosis::Finding>& findings, std::string_view trigger, Time now) {
  Value body = Value::MakeObject();
  body.Set("findings", diagnosis::ToValue(findings));
  Value codes = Value::MakeArray();
  for (const auto& code : Codes(findings)) codes.Push(code);
  body.Set("codes", std::move(codes));
  if (g.gateway) {
    Value gw = Value::MakeObject();
    gw.Set("id", g.gateway->id);
    gw.Set("serial", g.gateway->serial);
    gw.Set("snapshot_at", g.input.current.taken_at ? Value(FormatIsoTime(g.input.current.taken_at)) : Value());
    body.Set("gateway", std::move(gw));
  } else {
    body.Set("gateway", Value());
  }
  Value window = Value::MakeObject();
  window.Set("from", FormatIsoTime(g.window_from));
  window.Set("to", FormatIsoTime(g.window_to));
  body.Set("window", std::move(window));
  body.Set("trigger", trigger);
  if (auto d = DispatchOf(findings)) {
    Value dispatch = Value::MakeObject();
    dispatch.Set("reason", d->first);
    dispatch.Set("finding", d->second);
    dispatch.Set("policy", "a technician visit is offered whenever a finding calls for one; no agent can block it");
    body.Set("dispatch", std::move(dispatch));
  }
  // Customer-visible like every step of the case: the story shows a customer the finding codes
  // (and adapters the customer wording), staff the agent wording.
  return AppendToCase(tx, c, EventKind::kDiagnosis, actor, false, std::move(body), now);
}

std::optional<std::vector<std::string>> LastDiagnosisCodes(const std::vector<Event>& events) {
  for (auto it = events.rbegin(); it != events.rend(); ++it) {
    if (it->kind != EventKind::kDiagnosis) continue;
    std::vector<std::string> codes;
    for (const auto& f : it->body.Get("findings").AsArray()) codes.push_back(f.Get("code").AsString());
    return codes;
  }
  return std::nullopt;
}

std::string VersionFromFileName(std::string_view name) {
  if (auto slash = name.rfind('/'); slash != std::string_view::npos) name.remove_prefix(slash + 1);
  // Up to the extension of the image ("4.1.9.bin" -> "4.1.9"): the last dot followed by letters.
  if (auto dot = name.rfind('.'); dot != std::string_view::npos && dot + 1 < name.size() &&
                                  std::isalpha(static_cast<unsigned char>(name[dot + 1])))
    name = name.substr(0, dot);
  std::size_t first = 0;
  while (first < name.size() && !std::isdigit(static_cast<unsigned char>(name[first]))) ++first;
  return std::string(name.substr(first));
}

}  // namespace internal

using internal::VersionFromFileName;

Result<std::optional<Cpe>> CaseGateway(StoreReader& r, const Case& c) {
  auto cpes = r.CpesOfCustomer(c.customer_id);
  if (!cpes) return std::unexpected(cpes.error());
  if (cpes->empty()) return std::optional<Cpe>();
  if (c.service_id != 0) {
    auto services = r.ServicesOf(c.customer_id);
    if (!services) return std::unexpected(services.error());
    Id site = 0;
    for (const auto& s : *services)
      if (s.id == c.service_id) site = s.site_id;
    if (site != 0) {
      auto devices = r.DevicesOf(c.customer_id);
      if (!devices) return std::unexpected(devices.error());
      for (const auto& cpe : *cpes)
        for (const auto& d : *devices)
          if (d.id == cpe.device_id && d.site_id == site) return std::optional<Cpe>(cpe);
    }
  }
  return std::optional<Cpe>(cpes->front());
}

namespace {

// Firmware changes seen as SoftwareVersion changes between consecutive snapshots, placed at the
// boot that installed them when the uptime tells.
void ChangesFromHistory(const std::vector<telemetry::DeviceSnapshot>& history, std::vector<diagnosis::ChangeEvent>& out) {
  for (std::size_t i = 1; i < history.size(); ++i) {
    const auto& prev = history[i - 1];
    const auto& s = history[i];
    if (prev.software_version.empty() || s.software_version.empty() || prev.software_version == s.software_version)
      continue;
    Time at = s.uptime_s && *s.uptime_s < s.taken_at - prev.taken_at ? s.taken_at - *s.uptime_s : s.taken_at;
    out.push_back({diagnosis::ChangeKind::kFirmware, at, prev.software_version, s.software_version, {}});
  }
}

// Changes the ACS made: done Downloads (firmware) and SetParameterValues (configuration) other
// than provisioning the management settings.
Status ChangesFromTasks(StoreReader& r, Id cpe_id, Time from, Time to,
                        const std::vector<telemetry::DeviceSnapshot>& history,
                        std::vector<diagnosis::ChangeEvent>& out, std::vector<Time>& planned_restarts) {
  auto tasks = r.TasksOf(cpe_id, false, 500);
  if (!tasks) return std::unexpected(tasks.error());
  for (auto it = tasks->rbegin(); it != tasks->rend(); ++it) {  // oldest first
    const CpeTask& t = *it;
    if (t.status != TaskStatus::kDone || t.done_at < from || t.done_at > to) continue;
    // What hilo ordered as a fix is told apart from what happened to the customer.
    const bool planned = t.case_id != 0 || t.requested_by != 0;
    if (planned && (t.kind == TaskKind::kReboot || t.kind == TaskKind::kFactoryReset || t.kind == TaskKind::kDownload))
      planned_restarts.push_back(t.done_at);
    if (t.kind == TaskKind::kDownload) {
      std::string version = VersionFromFileName(t.args.Get("target_file_name").AsString());
      if (version.empty()) version = VersionFromFileName(t.args.Get("url").AsString());
      if (version.empty()) continue;
      // Seen in the history already (with the boot time): keep that one, marked as ours.
      auto seen = std::find_if(out.begin(), out.end(), [&](const diagnosis::ChangeEvent& c) {
        return c.kind == diagnosis::ChangeKind::kFirmware && c.to == version && c.at >= t.sent_at - kMinute;
      });
      if (seen != out.end()) {
        seen->planned = seen->planned || planned;
        continue;
      }
      std::string before;
      for (const auto& s : history)
        if (s.taken_at <= t.done_at && !s.software_version.empty()) before = s.software_version;
      out.push_back({diagnosis::ChangeKind::kFirmware, t.done_at, before, version, {}, planned});
    } else if (t.kind == TaskKind::kSetParameterValues && t.reason != "provisioning") {
      for (const auto& v : t.args.Get("values").AsArray()) {
        const std::string& name = v.Get("name").AsString();
        if (name.find(".ManagementServer.") != std::string::npos) continue;
        out.push_back({diagnosis::ChangeKind::kConfiguration, t.done_at, "", v.Get("value").AsString(), name, planned});
      }
    }
  }
  return Ok();
}

}  // namespace

Result<GatheredInput> Gather(StoreReader& r, const Case& c, Time now, const CareOptions& options) {
  GatheredInput g;
  g.window_from = now - options.history_window;
  g.window_to = now;
  diagnosis::DiagnosisInput& in = g.input;
  in.now = now;

  auto events = r.EventsOf(c.id);
  if (!events) return std::unexpected(events.error());
  SymptomFacts facts = CurrentFacts(*events);
  // A case is a complaint: without a structured report its category stands for it, so that
  // "nothing found" reads "evidence missing", never "all fine".
  in.symptoms.what = !facts.what.empty() ? facts.what : (!c.category.empty() ? c.category : "reported_problem");
  in.symptoms.since = facts.since;
  in.symptoms.devices = facts.devices;
  in.symptoms.pattern = diagnosis::ParseSymptomPattern(facts.pattern);

  auto gateway = CaseGateway(r, c);
  if (!gateway) return std::unexpected(gateway.error());
  g.gateway = *gateway;
  if (g.gateway) {
    auto points = r.CpeHistory(g.gateway->id, g.window_from, now);
    if (!points) return std::unexpected(points.error());
    in.history.reserve(points->size());
    for (const auto& p : *points) {
      telemetry::DeviceSnapshot s = telemetry::SnapshotFromValue(p.snapshot);
      if (s.taken_at == 0) s.taken_at = p.at;
      in.history.push_back(std::move(s));
    }
    if (!in.history.empty()) in.current = in.history.back();
    ChangesFromHistory(in.history, in.changes);
    HILO_TRY(ChangesFromTasks(r, g.gateway->id, g.window_from, now, in.history, in.changes, in.planned_restarts));
    std::stable_sort(in.changes.begin(), in.changes.end(),
                     [](const diagnosis::ChangeEvent& a, const diagnosis::ChangeEvent& b) { return a.at < b.at; });
  }

  // Known area outages that cover one of the customer's sites.
  auto outages = r.AreaOutages(g.window_from, now);
  if (!outages) return std::unexpected(outages.error());
  if (!outages->empty()) {
    auto sites = r.SitesOf(c.customer_id);
    if (!sites) return std::unexpected(sites.error());
    for (const auto& o : *outages) {
      bool covers = std::any_of(sites->begin(), sites->end(), [&](const Site& site) {
        return std::any_of(o.cities.begin(), o.cities.end(),
                           [&](const std::string& city) { return FoldForSearch(city) == FoldForSearch(site.city); });
      });
      if (covers)
        in.area_outages.push_back({"outage-" + std::to_string(o.id), true, o.start, o.end, o.description});
    }
  }

  auto probes = ProbeEventsFor(r, c.customer_id, g.window_from, now);
  if (!probes) return std::unexpected(probes.error());
  in.probe_events = std::move(*probes);
  auto state = r.GetProbeState(c.customer_id);
  if (!state) return std::unexpected(state.error());
  if (*state && (*state)->last_ms / 1000 >= g.window_from) {
    in.probe_window_start = std::max<Time>(g.window_from, (*state)->coverage_start_ms / 1000);
    in.probe_window_end = std::min<Time>(now, (*state)->last_ms / 1000);
  } else if (!in.probe_events.empty()) {
    in.probe_window_start = in.probe_events.front().start_ms / 1000;
    in.probe_window_end = in.probe_events.back().end_ms / 1000;
  }
  return g;
}

Result<diagnosis::DiagnosisInput> GatherInput(StoreReader& r, const Case& c, Time now, const CareOptions& options) {
  auto g = Gather(r, c, now, options);
  if (!g) return std::unexpected(g.error());
  return std::move(g->input);
}

Result<DiagnosisOutcome> DiagnoseCase(StoreTx& tx, const Actor& actor, Id case_id, Time now,
                                      const diagnosis::Engine& engine, const CareOptions& options,
                                      std::string_view trigger) {
  if (trigger != "agent" && trigger != "symptom_report" && trigger != "telemetry")
    return Fail(Errc::kInvalidArgument, "trigger is agent, symptom_report or telemetry", "trigger");
  auto c = tx.GetCase(case_id);
  if (!c) return std::unexpected(c.error());
  auto g = Gather(tx, *c, now, options);
  if (!g) return std::unexpected(g.error());
  DiagnosisOutcome out;
  out.findings = engine.Diagnose(g->input);
  out.gateway_id = g->gateway ? g->gateway->id : 0;
  if (auto d = internal::DispatchOf(out.findings)) {
    out.dispatch = true;
    out.dispatch_reason = d->first;
    out.dispatch_finding = d->second;
  }
  auto e = internal::AppendDiagnosis(tx, *c, actor, *g, out.findings, trigger, now);
  if (!e) return std::unexpected(e.error());
  out.event = std::move(*e);
  return out;
}

}  // namespace hilo::care
