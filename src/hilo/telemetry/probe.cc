#include "hilo/telemetry/probe.h"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace hilo::telemetry {

std::string_view ProbeLegName(ProbeLeg leg) {
  switch (leg) {
    case ProbeLeg::kLanToGateway: return "lan_gateway";
    case ProbeLeg::kGatewayToFirstHop: return "gateway_first_hop";
    case ProbeLeg::kGatewayToAnchor: return "gateway_anchor";
    case ProbeLeg::kOther: return "other";
  }
  return "other";
}

std::optional<ProbeLeg> ParseProbeLeg(std::string_view name) {
  for (int i = 0; i < kProbeLegCount; ++i) {
    auto leg = static_cast<ProbeLeg>(i);
    if (ProbeLegName(leg) == name) return leg;
  }
  return std::nullopt;
}

std::string_view ProbeEventKindName(ProbeEventKind kind) {
  switch (kind) {
    case ProbeEventKind::kOutage: return "outage";
    case ProbeEventKind::kMicroOutage: return "micro_outage";
    case ProbeEventKind::kLossBurst: return "loss_burst";
    case ProbeEventKind::kLatencySpike: return "latency_spike";
  }
  return "";
}

std::optional<ProbeEventKind> ParseProbeEventKind(std::string_view name) {
  for (auto k : {ProbeEventKind::kOutage, ProbeEventKind::kMicroOutage, ProbeEventKind::kLossBurst,
                 ProbeEventKind::kLatencySpike}) {
    if (ProbeEventKindName(k) == name) return k;
  }
  return std::nullopt;
}

std::string_view ProbeSeverityName(ProbeSeverity severity) {
  switch (severity) {
    case ProbeSeverity::kLow: return "low";
    case ProbeSeverity::kMedium: return "medium";
    case ProbeSeverity::kHigh: return "high";
  }
  return "";
}

std::optional<ProbeSeverity> ParseProbeSeverity(std::string_view name) {
  for (auto s : {ProbeSeverity::kLow, ProbeSeverity::kMedium, ProbeSeverity::kHigh}) {
    if (ProbeSeverityName(s) == name) return s;
  }
  return std::nullopt;
}

ProbeDetector::ProbeDetector(const ProbeConfig& config) : config_(config) {
  if (config_.median_window < 1) config_.median_window = 1;
  if (config_.micro_outage_min_losses < 1) config_.micro_outage_min_losses = 1;
  if (config_.spike_min_consecutive < 1) config_.spike_min_consecutive = 1;
  for (Leg& leg : legs_) {
    leg.ring.assign(static_cast<std::size_t>(config_.median_window), 0);
    leg.hist.assign(kBins, 0);
  }
}

// The median is the lower median: the smallest bin m with count(bins <= m) >= (n + 1) / 2.
// Insert / Remove keep `below` (= samples in bins < med_bin) exact; Rebalance walks med_bin to
// the new median. Steps are amortised O(1) for RTT streams, which move slowly.
void ProbeDetector::Insert(Leg& leg, int bin) {
  ++leg.hist[static_cast<std::size_t>(bin)];
  if (bin < leg.med_bin) ++leg.below;
}

void ProbeDetector::Remove(Leg& leg, int bin) {
  --leg.hist[static_cast<std::size_t>(bin)];
  if (bin < leg.med_bin) --leg.below;
}

void ProbeDetector::Rebalance(Leg& leg) {
  const std::uint32_t n = leg.ring_size;
  if (n == 0) return;
  const std::uint32_t k = (n + 1) / 2;
  while (leg.below + leg.hist[static_cast<std::size_t>(leg.med_bin)] < k) {
    leg.below += leg.hist[static_cast<std::size_t>(leg.med_bin)];
    ++leg.med_bin;
  }
  while (leg.below >= k) {
    --leg.med_bin;
    leg.below -= leg.hist[static_cast<std::size_t>(leg.med_bin)];
  }
}

double ProbeDetector::Median(const Leg& leg) const {
  return leg.ring_size == 0 ? 0.0 : leg.med_bin + 0.5;  // bin centre
}

double ProbeDetector::MedianRttMs(ProbeLeg id) const { return Median(legs_[static_cast<int>(id)]); }

bool ProbeDetector::InCut(ProbeLeg id) const {
  const Leg& leg = legs_[static_cast<int>(id)];
  return leg.in_run && leg.run_len >= static_cast<std::uint32_t>(config_.micro_outage_min_losses);
}

void ProbeDetector::CloseLossRun(Leg& leg, ProbeLeg id, std::int64_t end_ms, std::vector<ProbeEvent>& out) {
  if (!leg.in_run) return;
  leg.in_run = false;
  const std::int64_t duration = end_ms - leg.run_start_ms;
  if (leg.run_len >= static_cast<std::uint32_t>(config_.micro_outage_min_losses)) {
    ProbeEvent e;
    e.leg = id;
    e.start_ms = leg.run_start_ms;
    e.end_ms = end_ms;
    e.lost = leg.run_len;
    e.samples = leg.run_len;
    if (duration >= config_.outage_min_ms) {
      e.kind = ProbeEventKind::kOutage;
      e.severity = ProbeSeverity::kHigh;
    } else {
      e.kind = ProbeEventKind::kMicroOutage;
      e.severity = duration >= config_.micro_outage_medium_ms ? ProbeSeverity::kMedium : ProbeSeverity::kLow;
    }
    out.push_back(e);
  } else {
    leg.burst_isolated += leg.run_len;
  }
  leg.burst_end_ms = end_ms;
}

void ProbeDetector::CloseBurst(Leg& leg, ProbeLeg id, std::vector<ProbeEvent>& out) {
  if (!leg.in_burst) return;
  leg.in_burst = false;
  if (leg.burst_isolated >= static_cast<std::uint32_t>(config_.burst_min_losses)) {
    ProbeEvent e;
    e.kind = ProbeEventKind::kLossBurst;
    e.leg = id;
    e.start_ms = leg.burst_start_ms;
    e.end_ms = leg.burst_end_ms;
    e.lost = leg.burst_lost;
    // Samples up to the end of the burst: drop the trailing good streak that closed it.
    e.samples = leg.burst_samples - leg.ok_streak;
    const double ratio = e.samples ? static_cast<double>(e.lost) / e.samples : 0;
    e.severity = ratio >= config_.burst_medium_loss_ratio ? ProbeSeverity::kMedium : ProbeSeverity::kLow;
    out.push_back(e);
  }
}

void ProbeDetector::CloseSpike(Leg& leg, ProbeLeg id, std::int64_t end_ms, std::vector<ProbeEvent>& out) {
  if (leg.spike_len >= static_cast<std::uint32_t>(config_.spike_min_consecutive)) {
    ProbeEvent e;
    e.kind = ProbeEventKind::kLatencySpike;
    e.leg = id;
    e.start_ms = leg.spike_start_ms;
    e.end_ms = end_ms;
    e.samples = leg.spike_len;
    e.peak_rtt_ms = leg.spike_peak;
    e.baseline_rtt_ms = leg.spike_baseline;
    e.severity = leg.spike_peak >= config_.spike_medium_ms ? ProbeSeverity::kMedium : ProbeSeverity::kLow;
    out.push_back(e);
  }
  leg.spike_len = 0;
}

void ProbeDetector::Feed(const ProbeSample& s, std::vector<ProbeEvent>& out) {
  const int id_num = static_cast<int>(s.leg);
  if (id_num < 0 || id_num >= kProbeLegCount) {
    ++samples_ignored_;
    return;
  }
  Leg& leg = legs_[id_num];
  if (s.at_ms < leg.last_at_ms) {
    ++samples_ignored_;
    return;
  }
  leg.last_at_ms = s.at_ms;
  ++samples_seen_;

  const bool lost = !s.ok || !(s.rtt_ms >= 0) || s.rtt_ms > config_.loss_timeout_ms;
  if (leg.in_burst) ++leg.burst_samples;

  if (lost) {
    CloseSpike(leg, s.leg, s.at_ms, out);
    if (!leg.in_run) {
      leg.in_run = true;
      leg.run_start_ms = s.at_ms;
      leg.run_len = 0;
    }
    ++leg.run_len;
    if (!leg.in_burst) {
      leg.in_burst = true;
      leg.burst_start_ms = s.at_ms;
      leg.burst_lost = 0;
      leg.burst_isolated = 0;
      leg.burst_samples = 1;
    }
    ++leg.burst_lost;
    leg.ok_streak = 0;
    return;
  }

  CloseLossRun(leg, s.leg, s.at_ms, out);
  if (leg.in_burst && ++leg.ok_streak >= static_cast<std::uint32_t>(config_.burst_gap_min_ok)) {
    CloseBurst(leg, s.leg, out);
  }

  // Latency: judge against the median of the samples before this one.
  const double rtt = s.rtt_ms;
  if (leg.ring_size >= static_cast<std::uint32_t>(config_.median_min_samples)) {
    const double median = Median(leg);
    const double threshold = std::max(config_.spike_factor * median, median + config_.spike_add_ms);
    if (rtt > threshold) {
      if (leg.spike_len == 0) {
        leg.spike_start_ms = s.at_ms;
        leg.spike_peak = rtt;
        leg.spike_baseline = median;
      }
      ++leg.spike_len;
      leg.spike_peak = std::max(leg.spike_peak, rtt);
    } else {
      CloseSpike(leg, s.leg, s.at_ms, out);
    }
  }

  const int bin = std::clamp(static_cast<int>(rtt), 0, kBins - 1);
  const auto capacity = static_cast<std::uint32_t>(leg.ring.size());
  if (leg.ring_size == capacity) {
    Remove(leg, leg.ring[leg.ring_head]);
  } else {
    ++leg.ring_size;
  }
  leg.ring[leg.ring_head] = static_cast<std::uint16_t>(bin);
  leg.ring_head = leg.ring_head + 1 == capacity ? 0 : leg.ring_head + 1;
  Insert(leg, bin);
  Rebalance(leg);
}

void ProbeDetector::Flush(std::int64_t end_ms, std::vector<ProbeEvent>& out) {
  for (int i = 0; i < kProbeLegCount; ++i) {
    Leg& leg = legs_[i];
    const auto id = static_cast<ProbeLeg>(i);
    CloseSpike(leg, id, end_ms, out);
    CloseLossRun(leg, id, end_ms, out);
    CloseBurst(leg, id, out);
  }
}

std::vector<ProbeEvent> DetectProbeEvents(const std::vector<ProbeSample>& samples, const ProbeConfig& config) {
  ProbeDetector detector(config);
  std::vector<ProbeEvent> events;
  std::int64_t last = 0;
  for (const ProbeSample& s : samples) {
    detector.Feed(s, events);
    last = std::max(last, s.at_ms);
  }
  if (!samples.empty()) detector.Flush(last + 1000, events);
  std::stable_sort(events.begin(), events.end(),
                   [](const ProbeEvent& a, const ProbeEvent& b) { return a.start_ms < b.start_ms; });
  return events;
}

std::vector<Correlation> Correlate(const std::vector<ProbeEvent>& events,
                                   const std::vector<GatewayEvent>& gateway_events, Time tolerance_s) {
  std::vector<std::size_t> order(gateway_events.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return gateway_events[a].at < gateway_events[b].at; });
  const std::int64_t tol_ms = std::max<Time>(tolerance_s, 0) * 1000;
  std::vector<Correlation> out;
  for (std::size_t i = 0; i < events.size(); ++i) {
    const ProbeEvent& e = events[i];
    const std::int64_t lo = e.start_ms - tol_ms;
    const std::int64_t hi = e.end_ms + tol_ms;
    auto it = std::lower_bound(order.begin(), order.end(), lo, [&](std::size_t g, std::int64_t v) {
      return gateway_events[g].at * 1000 < v;
    });
    for (; it != order.end() && gateway_events[*it].at * 1000 <= hi; ++it) {
      out.push_back(Correlation{i, *it, gateway_events[*it].at * 1000 - e.start_ms});
    }
  }
  return out;
}

}  // namespace hilo::telemetry
