// Active-probe ingestion: the micro-outage detector over batches, kept correct across batch
// boundaries by re-feeding the previous batch's tail, and correlation with gateway events.

#include <algorithm>
#include <array>
#include <limits>

#include "hilo/care/care.h"
#include "hilo/care/internal.h"

namespace hilo::care {
namespace {

using telemetry::ProbeEvent;
using telemetry::ProbeSample;

// Tail encoding in ProbeState::tail: [[at_ms, leg, ok, rtt_ms], ...] oldest first.
std::vector<ProbeSample> TailFromValue(const Value& v) {
  std::vector<ProbeSample> out;
  for (const auto& row : v.AsArray()) {
    const auto& a = row.AsArray();
    if (a.size() != 4) continue;
    const auto leg = a[1].AsInt();
    if (leg < 0 || leg >= telemetry::kProbeLegCount) continue;
    out.push_back(ProbeSample{a[0].AsInt(), static_cast<telemetry::ProbeLeg>(leg), a[2].AsBool(), a[3].AsDouble()});
  }
  return out;
}

Value TailToValue(const std::vector<ProbeSample>& samples) {
  Value v = Value::MakeArray();
  for (const auto& s : samples)
    v.Push(Value::MakeArray({Value(s.at_ms), Value(static_cast<int>(s.leg)), Value(s.ok), Value(s.rtt_ms)}));
  return v;
}

bool Lost(const ProbeSample& s, const telemetry::ProbeConfig& config) { return !s.ok || s.rtt_ms > config.loss_timeout_ms; }

// Per leg: the last `keep` samples, extended back over a trailing run of losses (a cut still
// open must be re-fed whole, or its start would move), at most `max_keep`.
std::vector<ProbeSample> NextTail(const std::vector<ProbeSample>& all, const CareOptions& o) {
  std::array<std::vector<ProbeSample>, telemetry::kProbeLegCount> legs;
  for (const auto& s : all) legs[static_cast<std::size_t>(s.leg)].push_back(s);
  std::vector<ProbeSample> out;
  for (auto& leg : legs) {
    std::size_t trailing = 0;
    while (trailing < leg.size() && Lost(leg[leg.size() - 1 - trailing], o.probe)) ++trailing;
    std::size_t keep = std::max<std::size_t>(static_cast<std::size_t>(std::max(o.probe_tail, 0)), trailing + 1);
    keep = std::min<std::size_t>({keep, static_cast<std::size_t>(std::max(o.probe_tail_max, 1)), leg.size()});
    out.insert(out.end(), leg.end() - static_cast<std::ptrdiff_t>(keep), leg.end());
  }
  std::stable_sort(out.begin(), out.end(), [](const ProbeSample& a, const ProbeSample& b) { return a.at_ms < b.at_ms; });
  return out;
}

}  // namespace

ProbeEventRecord ToRecord(const ProbeEvent& e, Id customer_id, Id cpe_id) {
  ProbeEventRecord r;
  r.customer_id = customer_id;
  r.cpe_id = cpe_id;
  r.kind = std::string(telemetry::ProbeEventKindName(e.kind));
  r.leg = std::string(telemetry::ProbeLegName(e.leg));
  r.start_ms = e.start_ms;
  r.end_ms = e.end_ms;
  r.severity = std::string(telemetry::ProbeSeverityName(e.severity));
  r.lost = e.lost;
  r.samples = e.samples;
  r.peak_rtt_ms = e.peak_rtt_ms;
  r.baseline_rtt_ms = e.baseline_rtt_ms;
  return r;
}

std::optional<ProbeEvent> FromRecord(const ProbeEventRecord& r) {
  auto kind = telemetry::ParseProbeEventKind(r.kind);
  auto leg = telemetry::ParseProbeLeg(r.leg);
  if (!kind || !leg) return std::nullopt;
  ProbeEvent e;
  e.kind = *kind;
  e.leg = *leg;
  e.start_ms = r.start_ms;
  e.end_ms = r.end_ms;
  e.severity = telemetry::ParseProbeSeverity(r.severity).value_or(telemetry::ProbeSeverity::kLow);
  e.lost = static_cast<std::uint32_t>(std::max<std::int64_t>(r.lost, 0));
  e.samples = static_cast<std::uint32_t>(std::max<std::int64_t>(r.samples, 0));
  e.peak_rtt_ms = r.peak_rtt_ms;
  e.baseline_rtt_ms = r.baseline_rtt_ms;
  return e;
}

Result<std::vector<ProbeEvent>> ProbeEventsFor(StoreReader& r, Id customer_id, Time from, Time to) {
  auto records = r.ProbeEventsOf(customer_id, from * 1000, to * 1000);
  if (!records) return std::unexpected(records.error());
  std::vector<ProbeEvent> out;
  out.reserve(records->size());
  for (const auto& rec : *records)
    if (auto e = FromRecord(rec)) out.push_back(*e);
  return out;
}

Result<ProbeIngestOutcome> IngestProbeSamples(StoreTx& tx, Id customer_id, Id cpe_id, std::vector<ProbeSample> samples,
                                              Time now, const CareOptions& options) {
  (void)now;  // instants come from the samples; kept for symmetry with the other rules
  auto customer = tx.GetCustomer(customer_id);
  if (!customer) return std::unexpected(customer.error());
  if (cpe_id != 0) {
    auto cpe = tx.GetCpe(cpe_id);
    if (!cpe) return std::unexpected(cpe.error());
    if (cpe->customer_id != customer_id)
      return Fail(Errc::kInvalidArgument, "the gateway does not belong to this customer", "gateway_id");
  }
  auto state = tx.GetProbeState(customer_id);
  if (!state) return std::unexpected(state.error());
  std::vector<ProbeSample> tail = *state ? TailFromValue((*state)->tail) : std::vector<ProbeSample>{};

  // Newest sample already seen per leg: a retransmitted batch is not counted twice.
  std::array<std::int64_t, telemetry::kProbeLegCount> last{};
  last.fill(std::numeric_limits<std::int64_t>::min());
  for (const auto& s : tail) last[static_cast<std::size_t>(s.leg)] = std::max(last[static_cast<std::size_t>(s.leg)], s.at_ms);
  std::stable_sort(samples.begin(), samples.end(), [](const ProbeSample& a, const ProbeSample& b) { return a.at_ms < b.at_ms; });
  std::erase_if(samples, [&](const ProbeSample& s) {
    const auto leg = static_cast<int>(s.leg);
    return leg < 0 || leg >= telemetry::kProbeLegCount || s.at_ms <= last[static_cast<std::size_t>(leg)];
  });

  ProbeIngestOutcome out;
  if (samples.empty()) return out;
  telemetry::ProbeDetector detector(options.probe);
  std::vector<ProbeEvent> replayed;
  for (const auto& s : tail) detector.Feed(s, replayed);
  // Events the tail alone completes were completed -- and stored -- by the previous batch.
  for (const auto& s : samples) detector.Feed(s, out.events);
  for (int leg = 0; leg < telemetry::kProbeLegCount; ++leg)
    out.in_cut = out.in_cut || detector.InCut(static_cast<telemetry::ProbeLeg>(leg));

  std::vector<ProbeEventRecord> records;
  records.reserve(out.events.size());
  for (const auto& e : out.events) records.push_back(ToRecord(e, customer_id, cpe_id));
  if (!records.empty()) HILO_TRY(tx.AppendProbeEvents(records));

  ProbeState next;
  next.customer_id = customer_id;
  next.cpe_id = cpe_id;
  const std::int64_t first_ms = samples.front().at_ms;
  const bool continuous = *state && first_ms - (*state)->last_ms <= options.probe_coverage_gap_ms;
  next.coverage_start_ms = continuous ? (*state)->coverage_start_ms : first_ms;
  next.last_ms = std::max(*state ? (*state)->last_ms : first_ms, samples.back().at_ms);
  std::vector<ProbeSample> all = std::move(tail);
  all.insert(all.end(), samples.begin(), samples.end());
  next.tail = TailToValue(NextTail(all, options));
  HILO_TRY(tx.PutProbeState(next));

  // What happened at the gateway at those moments (reboots, channel moves, disconnects).
  if (cpe_id != 0 && !out.events.empty()) {
    std::int64_t from_ms = out.events.front().start_ms;
    for (const auto& e : out.events) from_ms = std::min(from_ms, e.start_ms);
    const Time from = from_ms / 1000 - kHour;
    const Time to = next.last_ms / 1000 + kHour;
    auto points = tx.CpeHistory(cpe_id, from, to);
    if (!points) return std::unexpected(points.error());
    std::vector<telemetry::DeviceSnapshot> history;
    for (const auto& p : *points) {
      history.push_back(telemetry::SnapshotFromValue(p.snapshot));
      if (history.back().taken_at == 0) history.back().taken_at = p.at;
    }
    const auto gateway_events = telemetry::GatewayEventsFromHistory(history);
    for (const auto& link : telemetry::Correlate(out.events, gateway_events, options.correlation_tolerance_s))
      out.correlations.push_back({link.probe_event, gateway_events[link.gateway_event], link.offset_ms});
  }
  return out;
}

}  // namespace hilo::care
