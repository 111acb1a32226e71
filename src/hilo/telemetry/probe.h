#pragma once
// Micro-outage detection on active-probe results (diagnosis-reference.md §4).
//
// Probes run every second on up to four legs (LAN client → gateway, gateway → first hop / CMTS,
// gateway → external anchor, other). ProbeDetector is a streaming state machine: feed one sample
// at a time, in time order per leg; it appends events to a caller-owned vector when they end.
// Feeding is O(1) amortised and allocation-free (all buffers are sized at construction).
//
//   ProbeDetector detector;                         // ProbeConfig{} = reference defaults
//   std::vector<ProbeEvent> events;
//   for (const ProbeSample& s : samples) detector.Feed(s, events);
//   detector.Flush(last_ms + 1000, events);         // closes runs still open at the end
//   auto links = Correlate(events, GatewayEventsFromHistory(history), 5);
//
// Definitions (all in ProbeConfig):
//   lost          no reply, or a reply slower than loss_timeout_ms (2 s, SamKnows convention)
//   kOutage       a run of >= micro_outage_min_losses consecutive losses lasting >= 60 s
//   kMicroOutage  a run of >= 3 consecutive losses lasting < 60 s ("microcorte")
//   kLossBurst    a stretch of losses separated by fewer than burst_gap_min_ok replies (RFC 3611
//                 Gmin = 16) holding >= burst_min_losses losses that were NOT part of a cut:
//                 scattered loss dense enough to hurt calls, yet no single cut
//   kLatencySpike >= 3 consecutive RTTs above max(3 x rolling median, median + 100 ms); the
//                 median is over the last median_window successful RTTs (1 h at 1 s cadence)
// An event starts at the first bad sample and ends at the first good sample after the run
// (for Flush: the time given). Isolated single losses never produce a cut.

#include <cstdint>
#include <limits>
#include <optional>
#include <string_view>
#include <vector>

#include "hilo/base/time.h"
#include "hilo/telemetry/events.h"

namespace hilo::telemetry {

enum class ProbeLeg : std::uint8_t {
  kLanToGateway = 0,
  kGatewayToFirstHop = 1,
  kGatewayToAnchor = 2,
  kOther = 3,
};
inline constexpr int kProbeLegCount = 4;

std::string_view ProbeLegName(ProbeLeg leg);  // "lan_gateway", "gateway_first_hop", "gateway_anchor", "other"
std::optional<ProbeLeg> ParseProbeLeg(std::string_view name);

struct ProbeSample {
  std::int64_t at_ms = 0;  // Unix milliseconds (UTC)
  ProbeLeg leg = ProbeLeg::kGatewayToAnchor;
  bool ok = false;     // a reply arrived
  double rtt_ms = 0;   // meaningful when ok
};

enum class ProbeEventKind : std::uint8_t { kOutage, kMicroOutage, kLossBurst, kLatencySpike };
std::string_view ProbeEventKindName(ProbeEventKind kind);  // "outage", "micro_outage", "loss_burst", "latency_spike"
std::optional<ProbeEventKind> ParseProbeEventKind(std::string_view name);

enum class ProbeSeverity : std::uint8_t { kLow, kMedium, kHigh };
std::string_view ProbeSeverityName(ProbeSeverity severity);  // "low", "medium", "high"
std::optional<ProbeSeverity> ParseProbeSeverity(std::string_view name);

struct ProbeEvent {
  ProbeEventKind kind = ProbeEventKind::kMicroOutage;
  ProbeLeg leg = ProbeLeg::kGatewayToAnchor;
  std::int64_t start_ms = 0;
  std::int64_t end_ms = 0;
  ProbeSeverity severity = ProbeSeverity::kLow;
  std::uint32_t lost = 0;          // lost probes inside the event
  std::uint32_t samples = 0;       // probes inside the event (lost + answered)
  double peak_rtt_ms = 0;          // latency spikes: the worst RTT
  double baseline_rtt_ms = 0;      // latency spikes: the rolling median when it started

  std::int64_t DurationMs() const { return end_ms - start_ms; }
  bool IsCut() const { return kind == ProbeEventKind::kOutage || kind == ProbeEventKind::kMicroOutage; }
};

struct ProbeConfig {
  double loss_timeout_ms = 2000;
  int micro_outage_min_losses = 3;
  std::int64_t outage_min_ms = 60'000;
  std::int64_t micro_outage_medium_ms = 10'000;  // cuts this long are medium severity
  int burst_gap_min_ok = 16;
  int burst_min_losses = 3;
  double burst_medium_loss_ratio = 0.2;
  double spike_factor = 3.0;
  double spike_add_ms = 100.0;
  int spike_min_consecutive = 3;
  double spike_medium_ms = 500.0;  // spikes peaking above this are medium severity
  int median_window = 3600;
  int median_min_samples = 30;  // no spike verdicts before the median means something

  bool operator==(const ProbeConfig&) const = default;
};

class ProbeDetector {
 public:
  explicit ProbeDetector(const ProbeConfig& config = {});

  // Samples for one leg must arrive in time order; an older-than-last sample is ignored.
  // Appends 0..2 events to `out` (e.g. a spike that ends because a cut begins).
  void Feed(const ProbeSample& sample, std::vector<ProbeEvent>& out);
  // Ends every open run at end_ms and reports it when it qualifies.
  void Flush(std::int64_t end_ms, std::vector<ProbeEvent>& out);

  // Rolling median RTT of a leg (0 when no successful sample yet).
  double MedianRttMs(ProbeLeg leg) const;
  // Whether a leg is currently inside a run of >= micro_outage_min_losses losses (live view).
  bool InCut(ProbeLeg leg) const;
  std::uint64_t samples_seen() const { return samples_seen_; }
  std::uint64_t samples_ignored() const { return samples_ignored_; }

 private:
  static constexpr int kBins = 2048;  // 1-ms RTT bins; anything slower counts as lost anyway

  struct Leg {
    std::int64_t last_at_ms = std::numeric_limits<std::int64_t>::min();
    // Current run of consecutive losses.
    bool in_run = false;
    std::int64_t run_start_ms = 0;
    std::uint32_t run_len = 0;
    // Current loss burst (RFC 3611 sense).
    bool in_burst = false;
    std::int64_t burst_start_ms = 0;
    std::int64_t burst_end_ms = 0;
    std::uint32_t burst_lost = 0;
    std::uint32_t burst_isolated = 0;
    std::uint32_t burst_samples = 0;
    std::uint32_t ok_streak = 0;
    // Current run of high RTTs.
    std::uint32_t spike_len = 0;
    std::int64_t spike_start_ms = 0;
    double spike_peak = 0;
    double spike_baseline = 0;
    // Rolling median: a ring of bin numbers plus a histogram and a moving median pointer.
    std::vector<std::uint16_t> ring;
    std::vector<std::uint32_t> hist;
    std::uint32_t ring_head = 0;
    std::uint32_t ring_size = 0;
    int med_bin = 0;
    std::uint32_t below = 0;  // samples in bins < med_bin
  };

  void Insert(Leg& leg, int bin);
  void Remove(Leg& leg, int bin);
  void Rebalance(Leg& leg);
  double Median(const Leg& leg) const;
  void CloseLossRun(Leg& leg, ProbeLeg id, std::int64_t end_ms, std::vector<ProbeEvent>& out);
  void CloseBurst(Leg& leg, ProbeLeg id, std::vector<ProbeEvent>& out);
  void CloseSpike(Leg& leg, ProbeLeg id, std::int64_t end_ms, std::vector<ProbeEvent>& out);

  ProbeConfig config_;
  Leg legs_[kProbeLegCount];
  std::uint64_t samples_seen_ = 0;
  std::uint64_t samples_ignored_ = 0;
};

// Convenience: runs a detector over a whole series (sorted by time per leg) and flushes it at
// the last sample + 1 s.
std::vector<ProbeEvent> DetectProbeEvents(const std::vector<ProbeSample>& samples, const ProbeConfig& config = {});

// A probe event and a gateway event that happened at about the same time.
struct Correlation {
  std::size_t probe_event = 0;    // index into the probe events
  std::size_t gateway_event = 0;  // index into the gateway events
  std::int64_t offset_ms = 0;     // gateway event time - probe event start
};

// Links each probe event to every gateway event within [start - tolerance, end + tolerance].
// Gateway events carry second precision, hence the tolerance (reference §4: ±5 s).
std::vector<Correlation> Correlate(const std::vector<ProbeEvent>& events,
                                   const std::vector<GatewayEvent>& gateway_events, Time tolerance_s);

}  // namespace hilo::telemetry
