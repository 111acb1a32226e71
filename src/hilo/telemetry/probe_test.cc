#include "hilo/telemetry/probe.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <new>
#include <random>
#include <set>

// Counts heap allocations while enabled, to check that feeding the detector allocates nothing.
namespace {
std::atomic<bool> g_count_allocations{false};
std::atomic<long> g_allocations{0};
}  // namespace

// GCC cannot see that these replace the global pair and flags malloc/free as mismatched.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
void* operator new(std::size_t n) {
  if (g_count_allocations.load(std::memory_order_relaxed)) g_allocations.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(n ? n : 1)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
#pragma GCC diagnostic pop

namespace hilo::telemetry {
namespace {

constexpr std::int64_t kT0 = 1'790'000'000'000;  // ms

// One sample per second on one leg; `lost(t)` and `rtt(t)` describe the series.
template <typename LostFn, typename RttFn>
std::vector<ProbeSample> Series(int seconds, ProbeLeg leg, LostFn lost, RttFn rtt) {
  std::vector<ProbeSample> out;
  for (int t = 0; t < seconds; ++t) {
    bool l = lost(t);
    out.push_back({kT0 + t * 1000LL, leg, !l, l ? 0.0 : rtt(t)});
  }
  return out;
}

double Jitter(int t) { return 10.0 + (t * 7919 % 13) * 0.3; }  // 10..13.6 ms, deterministic

TEST(ProbeDetector, KnownOutagesHaveExactBounds) {
  auto samples = Series(
      600, ProbeLeg::kGatewayToFirstHop,
      [](int t) { return (t >= 100 && t < 105) || (t >= 200 && t < 290) || t == 400 || t == 401; }, Jitter);
  auto events = DetectProbeEvents(samples);
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].kind, ProbeEventKind::kMicroOutage);
  EXPECT_EQ(events[0].leg, ProbeLeg::kGatewayToFirstHop);
  EXPECT_EQ(events[0].start_ms, kT0 + 100'000);
  EXPECT_EQ(events[0].end_ms, kT0 + 105'000);
  EXPECT_EQ(events[0].lost, 5u);
  EXPECT_EQ(events[0].severity, ProbeSeverity::kLow);
  EXPECT_EQ(events[1].kind, ProbeEventKind::kOutage);
  EXPECT_EQ(events[1].start_ms, kT0 + 200'000);
  EXPECT_EQ(events[1].end_ms, kT0 + 290'000);
  EXPECT_EQ(events[1].lost, 90u);
  EXPECT_EQ(events[1].severity, ProbeSeverity::kHigh);
}

TEST(ProbeDetector, MicroOutageBoundaries) {
  // Exactly 3 losses = micro-outage; exactly 2 = not; 59 s = micro; 60 s = outage.
  auto samples = Series(
      1000, ProbeLeg::kLanToGateway,
      [](int t) { return (t >= 50 && t < 53) || (t >= 100 && t < 102) || (t >= 200 && t < 259) || (t >= 400 && t < 460); },
      Jitter);
  auto events = DetectProbeEvents(samples);
  ASSERT_EQ(events.size(), 3u);
  EXPECT_EQ(events[0].kind, ProbeEventKind::kMicroOutage);
  EXPECT_EQ(events[0].DurationMs(), 3000);
  EXPECT_EQ(events[1].kind, ProbeEventKind::kMicroOutage);
  EXPECT_EQ(events[1].DurationMs(), 59'000);
  EXPECT_EQ(events[1].severity, ProbeSeverity::kMedium);
  EXPECT_EQ(events[2].kind, ProbeEventKind::kOutage);
  EXPECT_EQ(events[2].DurationMs(), 60'000);
}

TEST(ProbeDetector, IsolatedSingleLossesAreNotCuts) {
  // One lost probe every 20 s for an hour: 5 % loss, but never a cut and never a burst.
  auto samples = Series(3600, ProbeLeg::kGatewayToAnchor, [](int t) { return t % 20 == 7; }, Jitter);
  EXPECT_TRUE(DetectProbeEvents(samples).empty());
  // Pairs of losses far apart are not cuts either.
  auto pairs = Series(3600, ProbeLeg::kGatewayToAnchor, [](int t) { return t % 60 == 7 || t % 60 == 8; }, Jitter);
  EXPECT_TRUE(DetectProbeEvents(pairs).empty());
}

TEST(ProbeDetector, SlowRepliesCountAsLost) {
  auto samples = Series(100, ProbeLeg::kGatewayToAnchor, [](int) { return false; },
                        [](int t) { return (t >= 40 && t < 45) ? 2500.0 : 12.0; });
  auto events = DetectProbeEvents(samples);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].kind, ProbeEventKind::kMicroOutage);
  EXPECT_EQ(events[0].start_ms, kT0 + 40'000);
  EXPECT_EQ(events[0].end_ms, kT0 + 45'000);
}

TEST(ProbeDetector, ScatteredLossIsABurst) {
  // Losses at 300, 303, 306, 309 (and a pair at 312-313): dense but never 3 in a row.
  auto samples = Series(
      600, ProbeLeg::kLanToGateway,
      [](int t) { return t == 300 || t == 303 || t == 306 || t == 309 || t == 312 || t == 313; }, Jitter);
  auto events = DetectProbeEvents(samples);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].kind, ProbeEventKind::kLossBurst);
  EXPECT_EQ(events[0].start_ms, kT0 + 300'000);
  EXPECT_EQ(events[0].end_ms, kT0 + 314'000);
  EXPECT_EQ(events[0].lost, 6u);
  EXPECT_EQ(events[0].samples, 14u);
  EXPECT_EQ(events[0].severity, ProbeSeverity::kMedium);  // 6/14 lost
}

TEST(ProbeDetector, LatencySpikes) {
  auto samples = Series(900, ProbeLeg::kGatewayToAnchor, [](int) { return false; }, [](int t) {
    if (t >= 500 && t < 505) return 300.0;  // spike: 5 samples well above median + 100
    if (t >= 600 && t < 602) return 400.0;  // only 2 high samples: no spike
    if (t >= 700 && t < 710) return 90.0;   // above 3x median but below median + 100: no spike
    if (t >= 10 && t < 13) return 900.0;    // before the median warms up: no verdict
    return Jitter(t);
  });
  auto events = DetectProbeEvents(samples);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].kind, ProbeEventKind::kLatencySpike);
  EXPECT_EQ(events[0].start_ms, kT0 + 500'000);
  EXPECT_EQ(events[0].end_ms, kT0 + 505'000);
  EXPECT_EQ(events[0].samples, 5u);
  EXPECT_EQ(events[0].peak_rtt_ms, 300.0);
  EXPECT_NEAR(events[0].baseline_rtt_ms, 11.5, 2.0);
}

TEST(ProbeDetector, HighBaselineUsesThreeTimesMedian) {
  // Satellite-like 200 ms baseline: the threshold is 600 ms, not 300 ms.
  auto samples = Series(400, ProbeLeg::kGatewayToAnchor, [](int) { return false; }, [](int t) {
    if (t >= 100 && t < 110) return 450.0;
    if (t >= 200 && t < 204) return 700.0;
    return 200.0;
  });
  auto events = DetectProbeEvents(samples);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].start_ms, kT0 + 200'000);
  EXPECT_EQ(events[0].severity, ProbeSeverity::kMedium);
}

TEST(ProbeDetector, RollingMedianMatchesBruteForce) {
  ProbeConfig config;
  config.median_window = 101;
  ProbeDetector d(config);
  std::vector<ProbeEvent> out;
  std::mt19937 rng(42);
  std::uniform_int_distribution<int> dist(0, 3000);  // includes > 2 s (lost) and > bins
  std::vector<int> window;
  for (int t = 0; t < 5000; ++t) {
    int rtt = dist(rng) % (t < 2500 ? 300 : 2000);
    d.Feed({kT0 + t * 1000LL, ProbeLeg::kOther, true, static_cast<double>(rtt)}, out);
    window.push_back(rtt);
    if (window.size() > 101) window.erase(window.begin());
    std::vector<int> sorted = window;
    std::sort(sorted.begin(), sorted.end());
    int lower_median = sorted[(sorted.size() + 1) / 2 - 1];
    ASSERT_EQ(d.MedianRttMs(ProbeLeg::kOther), lower_median + 0.5) << "at t=" << t;
  }
}

TEST(ProbeDetector, LegsAreIndependentAndFlushClosesOpenRuns) {
  ProbeDetector d;
  std::vector<ProbeEvent> out;
  for (int t = 0; t < 100; ++t) {
    d.Feed({kT0 + t * 1000LL, ProbeLeg::kLanToGateway, t < 90, 5.0}, out);  // LAN leg dies at 90 s
    d.Feed({kT0 + t * 1000LL + 10, ProbeLeg::kGatewayToAnchor, true, 20.0}, out);
  }
  EXPECT_TRUE(out.empty());
  EXPECT_TRUE(d.InCut(ProbeLeg::kLanToGateway));
  EXPECT_FALSE(d.InCut(ProbeLeg::kGatewayToAnchor));
  // Out-of-order samples are ignored, not misread as a recovery.
  d.Feed({kT0 + 50'000, ProbeLeg::kLanToGateway, true, 5.0}, out);
  EXPECT_EQ(d.samples_ignored(), 1u);
  d.Flush(kT0 + 100'000, out);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].leg, ProbeLeg::kLanToGateway);
  EXPECT_EQ(out[0].kind, ProbeEventKind::kMicroOutage);
  EXPECT_EQ(out[0].start_ms, kT0 + 90'000);
  EXPECT_EQ(out[0].end_ms, kT0 + 100'000);
  EXPECT_EQ(d.MedianRttMs(ProbeLeg::kGatewayToAnchor), 20.5);
}

TEST(ProbeDetector, FeedDoesNotAllocate) {
  ProbeDetector d;
  std::vector<ProbeEvent> out;
  out.reserve(1024);
  g_allocations = 0;
  g_count_allocations = true;
  for (int t = 0; t < 20000; ++t) {
    bool lost = t % 500 < 4 || t % 97 == 0;
    double rtt = t % 300 < 5 ? 400.0 : 10.0 + t % 7;
    for (int leg = 0; leg < kProbeLegCount; ++leg) {
      d.Feed({kT0 + t * 1000LL + leg, static_cast<ProbeLeg>(leg), !lost, rtt}, out);
    }
  }
  g_count_allocations = false;
  EXPECT_EQ(g_allocations.load(), 0);
  EXPECT_FALSE(out.empty());
}

TEST(Correlate, LinksEventsWithinTolerance) {
  std::vector<ProbeEvent> events(2);
  events[0].start_ms = kT0 + 100'000;
  events[0].end_ms = kT0 + 110'000;
  events[1].start_ms = kT0 + 500'000;
  events[1].end_ms = kT0 + 503'000;
  std::vector<GatewayEvent> gw = {
      {(kT0 + 507'000) / 1000, GatewayEventKind::kClientDisconnect, "aa"},  // 4 s after end 1: linked
      {(kT0 + 96'000) / 1000, GatewayEventKind::kReboot, ""},               // 4 s before start 0: linked
      {(kT0 + 300'000) / 1000, GatewayEventKind::kChannelChange, ""},       // nothing near
      {(kT0 + 94'000) / 1000, GatewayEventKind::kReboot, ""},               // 6 s before: not linked
  };
  auto links = Correlate(events, gw, 5);
  ASSERT_EQ(links.size(), 2u);
  EXPECT_EQ(links[0].probe_event, 0u);
  EXPECT_EQ(links[0].gateway_event, 1u);
  EXPECT_EQ(links[0].offset_ms, -4000);
  EXPECT_EQ(links[1].probe_event, 1u);
  EXPECT_EQ(links[1].gateway_event, 0u);
  EXPECT_EQ(links[1].offset_ms, 7000);
  EXPECT_TRUE(Correlate(events, gw, 0).empty());
}

TEST(ProbeNames, RoundTrip) {
  for (int i = 0; i < kProbeLegCount; ++i) {
    auto leg = static_cast<ProbeLeg>(i);
    EXPECT_EQ(ParseProbeLeg(ProbeLegName(leg)), leg);
  }
  EXPECT_EQ(ParseProbeEventKind("micro_outage"), ProbeEventKind::kMicroOutage);
  EXPECT_EQ(ParseProbeSeverity("high"), ProbeSeverity::kHigh);
  EXPECT_FALSE(ParseProbeLeg("nope"));
}

}  // namespace
}  // namespace hilo::telemetry
