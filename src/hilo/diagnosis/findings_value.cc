#include "hilo/diagnosis/findings_value.h"

#include <string>

namespace hilo::diagnosis {
namespace {

using telemetry::TimeFromValue;

Result<Time> RequiredTime(const Value& v, const std::string& field) {
  auto t = TimeFromValue(v);
  if (!t) return Fail(Errc::kInvalidArgument, field + " must be an ISO-8601 instant or Unix seconds", field);
  return *t;
}

// Missing → 0; present but unreadable → error.
Result<Time> OptionalTime(const Value& v, const std::string& field) {
  if (v.IsNull()) return Time{0};
  return RequiredTime(v, field);
}

Status CheckArray(const Value& v, const std::string& field) {
  if (!v.IsNull() && !v.IsArray()) return Fail(Errc::kInvalidArgument, field + " must be an array", field);
  return Ok();
}

}  // namespace

Value ToValue(const Finding& f) {
  Value v = Value::MakeObject();
  v.Set("code", f.code);
  v.Set("severity", SeverityName(f.severity));
  v.Set("confidence", f.confidence);
  Value& ev = v.Set("evidence", Value::MakeArray());
  for (const Evidence& e : f.evidence) {
    Value o = Value::MakeObject();
    o.Set("metric", e.metric);
    o.Set("value", e.value);
    o.Set("threshold", e.threshold);
    o.Set("window_start", FormatIsoTime(e.window_start));
    o.Set("window_end", FormatIsoTime(e.window_end));
    o.Set("device", e.device);
    ev.Push(std::move(o));
  }
  Value text = Value::MakeObject();
  text.Set("es", f.customer_text_es);
  text.Set("en", f.customer_text_en);
  v.Set("customer_text", std::move(text));
  v.Set("agent_text", f.agent_text);
  Value& actions = v.Set("next_actions", Value::MakeArray());
  for (const Action& a : f.next_actions) {
    Value o = Value::MakeObject();
    o.Set("code", a.code);
    Value params = Value::MakeObject();
    for (const auto& [k, val] : a.params) params.Set(k, val);
    o.Set("params", std::move(params));
    actions.Push(std::move(o));
  }
  return v;
}

Value ToValue(const std::vector<Finding>& findings) {
  Value v = Value::MakeArray();
  for (const Finding& f : findings) v.Push(ToValue(f));
  return v;
}

Value ToValue(const telemetry::ProbeEvent& e) {
  Value o = Value::MakeObject();
  o.Set("kind", telemetry::ProbeEventKindName(e.kind));
  o.Set("leg", telemetry::ProbeLegName(e.leg));
  o.Set("start_ms", e.start_ms);
  o.Set("end_ms", e.end_ms);
  o.Set("severity", telemetry::ProbeSeverityName(e.severity));
  o.Set("lost", static_cast<std::int64_t>(e.lost));
  o.Set("samples", static_cast<std::int64_t>(e.samples));
  if (e.kind == telemetry::ProbeEventKind::kLatencySpike) {
    o.Set("peak_rtt_ms", e.peak_rtt_ms);
    o.Set("baseline_rtt_ms", e.baseline_rtt_ms);
  }
  return o;
}

Value ToValue(const DiagnosisInput& in) {
  Value v = Value::MakeObject();
  v.Set("now", FormatIsoTime(in.now));
  Value s = Value::MakeObject();
  s.Set("what", in.symptoms.what);
  if (in.symptoms.since) s.Set("since", FormatIsoTime(in.symptoms.since));
  Value devices = Value::MakeArray();
  for (const std::string& d : in.symptoms.devices) devices.Push(d);
  s.Set("devices", std::move(devices));
  s.Set("pattern", SymptomPatternName(in.symptoms.pattern));
  v.Set("symptoms", std::move(s));
  if (in.current.taken_at) v.Set("current", telemetry::ToValue(in.current));
  Value& history = v.Set("history", Value::MakeArray());
  for (const auto& snap : in.history) history.Push(telemetry::ToValue(snap));
  Value& probes = v.Set("probe_events", Value::MakeArray());
  for (const auto& e : in.probe_events) probes.Push(ToValue(e));
  if (in.probe_window_start) {
    Value w = Value::MakeObject();
    w.Set("start", FormatIsoTime(in.probe_window_start));
    w.Set("end", FormatIsoTime(in.probe_window_end));
    v.Set("probe_window", std::move(w));
  }
  Value& outages = v.Set("area_outages", Value::MakeArray());
  for (const AreaOutage& o : in.area_outages) {
    Value x = Value::MakeObject();
    x.Set("id", o.id);
    x.Set("covers_site", o.covers_site);
    x.Set("start", FormatIsoTime(o.start));
    if (o.end) x.Set("end", FormatIsoTime(o.end));
    x.Set("description", o.description);
    outages.Push(std::move(x));
  }
  Value& changes = v.Set("changes", Value::MakeArray());
  for (const ChangeEvent& c : in.changes) {
    Value x = Value::MakeObject();
    x.Set("kind", ChangeKindName(c.kind));
    x.Set("at", FormatIsoTime(c.at));
    x.Set("from", c.from);
    x.Set("to", c.to);
    if (!c.what.empty()) x.Set("what", c.what);
    if (c.planned) x.Set("planned", true);
    changes.Push(std::move(x));
  }
  if (!in.planned_restarts.empty()) {
    Value& restarts = v.Set("planned_restarts", Value::MakeArray());
    for (Time t : in.planned_restarts) restarts.Push(FormatIsoTime(t));
  }
  return v;
}

Result<DiagnosisInput> InputFromValue(const Value& v) {
  if (!v.IsObject()) return Fail(Errc::kInvalidArgument, "diagnosis input must be an object", "input");
  DiagnosisInput in;

  const Value& s = v.Get("symptoms");
  if (!s.IsNull()) {
    if (!s.IsObject()) return Fail(Errc::kInvalidArgument, "symptoms must be an object", "symptoms");
    in.symptoms.what = s.Get("what").AsString();
    auto since = OptionalTime(s.Get("since"), "symptoms.since");
    if (!since) return std::unexpected(since.error());
    in.symptoms.since = *since;
    HILO_TRY(CheckArray(s.Get("devices"), "symptoms.devices"));
    for (const Value& d : s.Get("devices").AsArray()) {
      if (d.IsString()) in.symptoms.devices.push_back(d.AsString());
    }
    in.symptoms.pattern = ParseSymptomPattern(s.Get("pattern").AsString());
  }

  const Value& cur = v.Get("current");
  if (!cur.IsNull()) {
    if (!cur.IsObject()) return Fail(Errc::kInvalidArgument, "current must be a snapshot object", "current");
    in.current = telemetry::SnapshotFromValue(cur);
  }
  HILO_TRY(CheckArray(v.Get("history"), "history"));
  for (const Value& h : v.Get("history").AsArray()) {
    if (!h.IsObject()) return Fail(Errc::kInvalidArgument, "history items must be snapshot objects", "history");
    in.history.push_back(telemetry::SnapshotFromValue(h));
  }

  HILO_TRY(CheckArray(v.Get("probe_events"), "probe_events"));
  for (const Value& e : v.Get("probe_events").AsArray()) {
    telemetry::ProbeEvent pe;
    auto kind = telemetry::ParseProbeEventKind(e.Get("kind").AsString());
    if (!kind) return Fail(Errc::kInvalidArgument, "unknown probe event kind '" + e.Get("kind").AsString() + "'", "probe_events.kind");
    pe.kind = *kind;
    auto leg = telemetry::ParseProbeLeg(e.Get("leg").AsString());
    if (!leg) return Fail(Errc::kInvalidArgument, "unknown probe leg '" + e.Get("leg").AsString() + "'", "probe_events.leg");
    pe.leg = *leg;
    if (!e.Get("start_ms").IsNumber() || !e.Get("end_ms").IsNumber()) {
      return Fail(Errc::kInvalidArgument, "probe events need start_ms and end_ms (Unix milliseconds)", "probe_events.start_ms");
    }
    pe.start_ms = e.Get("start_ms").AsInt();
    pe.end_ms = e.Get("end_ms").AsInt();
    pe.severity = telemetry::ParseProbeSeverity(e.Get("severity").AsString()).value_or(telemetry::ProbeSeverity::kLow);
    pe.lost = static_cast<std::uint32_t>(e.Get("lost").AsInt());
    pe.samples = static_cast<std::uint32_t>(e.Get("samples").AsInt());
    pe.peak_rtt_ms = e.Get("peak_rtt_ms").AsDouble();
    pe.baseline_rtt_ms = e.Get("baseline_rtt_ms").AsDouble();
    in.probe_events.push_back(pe);
  }
  const Value& pw = v.Get("probe_window");
  if (pw.IsObject()) {
    auto a = OptionalTime(pw.Get("start"), "probe_window.start");
    if (!a) return std::unexpected(a.error());
    auto b = OptionalTime(pw.Get("end"), "probe_window.end");
    if (!b) return std::unexpected(b.error());
    in.probe_window_start = *a;
    in.probe_window_end = *b;
  }

  HILO_TRY(CheckArray(v.Get("area_outages"), "area_outages"));
  for (const Value& o : v.Get("area_outages").AsArray()) {
    AreaOutage ao;
    ao.id = o.Get("id").AsString();
    ao.covers_site = o.Get("covers_site").IsBool() ? o.Get("covers_site").AsBool() : true;
    auto start = RequiredTime(o.Get("start"), "area_outages.start");
    if (!start) return std::unexpected(start.error());
    ao.start = *start;
    auto end = OptionalTime(o.Get("end"), "area_outages.end");
    if (!end) return std::unexpected(end.error());
    ao.end = *end;
    ao.description = o.Get("description").AsString();
    in.area_outages.push_back(std::move(ao));
  }

  HILO_TRY(CheckArray(v.Get("changes"), "changes"));
  for (const Value& c : v.Get("changes").AsArray()) {
    ChangeEvent ce;
    const std::string& kind = c.Get("kind").AsString();
    if (kind == "firmware") ce.kind = ChangeKind::kFirmware;
    else if (kind == "configuration") ce.kind = ChangeKind::kConfiguration;
    else return Fail(Errc::kInvalidArgument, "unknown change kind '" + kind + "'", "changes.kind");
    auto at = RequiredTime(c.Get("at"), "changes.at");
    if (!at) return std::unexpected(at.error());
    ce.at = *at;
    ce.from = c.Get("from").AsString();
    ce.to = c.Get("to").AsString();
    ce.what = c.Get("what").AsString();
    ce.planned = c.Get("planned").AsBool();
    in.changes.push_back(std::move(ce));
  }
  if (v.Has("planned_restarts")) {
    HILO_TRY(CheckArray(v.Get("planned_restarts"), "planned_restarts"));
    for (const Value& t : v.Get("planned_restarts").AsArray()) {
      auto at = RequiredTime(t, "planned_restarts");
      if (!at) return std::unexpected(at.error());
      in.planned_restarts.push_back(*at);
    }
  }

  if (v.Has("now")) {
    auto now = RequiredTime(v.Get("now"), "now");
    if (!now) return std::unexpected(now.error());
    in.now = *now;
  } else {
    in.now = in.current.taken_at;
  }
  return in;
}

}  // namespace hilo::diagnosis
