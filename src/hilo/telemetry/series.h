#pragma once
// Canonical telemetry metrics and their downsampling.
//
// Every inform / poll appends the canonical samples of the new snapshot to the device's time
// series; old raw samples are folded into per-bucket aggregates (min / max / avg / count) so
// that history is downsampled, never dropped without a trace.
//
//   std::vector<Sample> raw = CanonicalSamples(snapshot);     // "radio.2.4GHz.noise" = -91 ...
//   std::vector<Aggregate> hourly = Downsample(raw_of_last_week, kHour);
//   std::vector<Aggregate> daily = Downsample(hourly, kDay);  // aggregates fold again exactly
//
// Metric names (stable; the API and the charts use them):
//   uptime, cpu, memory.free_pct, temperature, wifi.clients
//   radio.<band>.{channel,noise,utilization,receive_other,clients,errors_sent,packets_sent,
//                 channel_changes}
//   client.<mac>.{signal,snr,retransmissions,downlink_kbps,uplink_kbps}
//   wifi.<band>.neighbors            (strong neighbouring BSSIDs seen on that band)
//   docsis.ds.<i>.{power,snr,mer,corrected,uncorrectable}
//   docsis.us.<i>.{tx_power,t3,t4}
// <band> is "2.4GHz" / "5GHz" / "6GHz"; a second radio on the same band gets "5GHz_2".
// Counters (errors_sent, packets_sent, corrected, ...) are stored cumulative, as reported.

#include <cstdint>
#include <string>
#include <vector>

#include "hilo/base/time.h"
#include "hilo/telemetry/snapshot.h"

namespace hilo::telemetry {

struct Sample {
  Time at = 0;
  std::string metric;
  double value = 0;
};

struct Aggregate {
  Time bucket_start = 0;  // aligned to a multiple of the bucket size
  Time bucket_seconds = 0;
  std::string metric;
  double min = 0;
  double max = 0;
  double avg = 0;
  std::uint32_t count = 0;
};

// Neighbours weaker than this are not counted in wifi.<band>.neighbors (802.11 OFDM defer level).
inline constexpr double kNeighborCountMinDbm = -82.0;

std::vector<Sample> CanonicalSamples(const DeviceSnapshot& snapshot);

// Groups samples by (metric, floor(at / bucket_seconds)). Output is sorted by bucket start, then
// metric. bucket_seconds <= 0 is treated as 1.
std::vector<Aggregate> Downsample(const std::vector<Sample>& samples, Time bucket_seconds);
// Re-aggregates into coarser buckets (e.g. hourly → daily); averages are count-weighted, so the
// result equals downsampling the raw samples directly.
std::vector<Aggregate> Downsample(const std::vector<Aggregate>& aggregates, Time bucket_seconds);

}  // namespace hilo::telemetry
