#pragma once
// Findings and diagnosis inputs as Value trees, so adapters can send them as JSON and scenario
// files (tests/diagnosis/*.json, `hilo diagnose FILE`) can describe a home.
//
//   Value v = ToValue(engine.Diagnose(input));     // [{"code": "wifi.congestion", ...}, ...]
//   Result<DiagnosisInput> in = InputFromValue(ParseJson(text)->Get("input"));
//
// Input shape (instants: ISO-8601 strings or integer Unix seconds; probe instants in ms):
//   {"now": "...", "symptoms": {"what", "since", "devices": [...], "pattern"},
//    "current": <snapshot>, "history": [<snapshot>...],
//    "probe_events": [{"kind", "leg", "start_ms", "end_ms", "severity", "lost", "samples",
//                      "peak_rtt_ms", "baseline_rtt_ms"}],
//    "probe_window": {"start", "end"},
//    "area_outages": [{"id", "covers_site", "start", "end", "description"}],
//    "changes": [{"kind": "firmware"|"configuration", "at", "from", "to", "what"}]}
// <snapshot> is telemetry::ToValue's shape.

#include <vector>

#include "hilo/base/error.h"
#include "hilo/base/value.h"
#include "hilo/diagnosis/engine.h"

namespace hilo::diagnosis {

// {"code", "severity", "confidence", "evidence": [{metric, value, threshold, window_start,
//  window_end, device}], "customer_text": {"es", "en"}, "agent_text",
//  "next_actions": [{"code", "params": {...}}]}
Value ToValue(const Finding& finding);
Value ToValue(const std::vector<Finding>& findings);
Value ToValue(const DiagnosisInput& input);

Value ToValue(const telemetry::ProbeEvent& event);

// Errors (kInvalidArgument, with the field): a section of the wrong type ("history" not an
// array, "current" not an object), an unknown probe event kind / leg or change kind, a "now"
// that is not an instant. Missing sections are empty; "now" defaults to current.taken_at.
Result<DiagnosisInput> InputFromValue(const Value& value);

}  // namespace hilo::diagnosis
