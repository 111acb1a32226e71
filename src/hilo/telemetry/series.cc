#include "hilo/telemetry/series.h"

#include <algorithm>
#include <map>
#include <optional>
#include <string_view>
#include <utility>

namespace hilo::telemetry {
namespace {

void Add(std::vector<Sample>& out, Time at, std::string metric, double value) {
  out.push_back(Sample{at, std::move(metric), value});
}

template <typename T>
void AddOpt(std::vector<Sample>& out, Time at, const std::string& prefix, std::string_view name,
            const std::optional<T>& v) {
  if (v) Add(out, at, prefix + std::string(name), static_cast<double>(*v));
}

Time BucketStart(Time at, Time bucket) {
  Time q = at / bucket;
  if (at % bucket != 0 && at < 0) --q;  // floor for instants before the epoch
  return q * bucket;
}

// Shared fold for samples and aggregates: key = (bucket_start, metric).
struct Acc {
  double min = 0, max = 0, sum = 0;
  std::uint64_t count = 0;
  void Fold(double lo, double hi, double total, std::uint64_t n) {
    if (count == 0) {
      min = lo;
      max = hi;
    } else {
      min = std::min(min, lo);
      max = std::max(max, hi);
    }
    sum += total;
    count += n;
  }
};

std::vector<Aggregate> Emit(std::map<std::pair<Time, std::string>, Acc>& acc, Time bucket) {
  std::vector<Aggregate> out;
  out.reserve(acc.size());
  for (auto& [key, a] : acc) {
    Aggregate g;
    g.bucket_start = key.first;
    g.bucket_seconds = bucket;
    g.metric = key.second;
    g.min = a.min;
    g.max = a.max;
    g.avg = a.count ? a.sum / static_cast<double>(a.count) : 0;
    g.count = static_cast<std::uint32_t>(a.count);
    out.push_back(std::move(g));
  }
  return out;
}

}  // namespace

std::vector<Sample> CanonicalSamples(const DeviceSnapshot& s) {
  std::vector<Sample> out;
  const Time at = s.taken_at;
  out.reserve(16 + s.radios.size() * 8 + s.clients.size() * 5 + s.docsis_downstream.size() * 5);
  AddOpt(out, at, "", "uptime", s.uptime_s);
  AddOpt(out, at, "", "cpu", s.cpu_pct);
  if (s.memory_total_kib && s.memory_free_kib && *s.memory_total_kib > 0) {
    Add(out, at, "memory.free_pct",
        100.0 * static_cast<double>(*s.memory_free_kib) / static_cast<double>(*s.memory_total_kib));
  }
  AddOpt(out, at, "", "temperature", s.temperature_c);
  if (!s.radios.empty()) Add(out, at, "wifi.clients", static_cast<double>(s.clients.size()));

  // Band labels, disambiguated when two radios share a band (tri-band gateways).
  std::vector<std::pair<int, std::string>> labels;
  for (const Radio& r : s.radios) {
    std::string label = r.band == Band::kUnknown ? "radio" + std::to_string(r.index) : std::string(BandName(r.band));
    int same = 0;
    for (const auto& [idx, l] : labels) {
      if (l == label || l.starts_with(label + "_")) ++same;
    }
    if (same > 0) label += "_" + std::to_string(same + 1);
    labels.emplace_back(r.index, label);
  }
  for (std::size_t i = 0; i < s.radios.size(); ++i) {
    const Radio& r = s.radios[i];
    const std::string prefix = "radio." + labels[i].second + ".";
    AddOpt(out, at, prefix, "channel", r.channel);
    AddOpt(out, at, prefix, "noise", r.noise_dbm);
    AddOpt(out, at, prefix, "utilization", r.utilization_pct);
    AddOpt(out, at, prefix, "receive_other", r.receive_other_pct);
    int clients = 0;
    for (const Client& c : s.clients) clients += c.radio_index == r.index ? 1 : 0;
    Add(out, at, prefix + "clients", clients);
    AddOpt(out, at, prefix, "errors_sent", r.stats.errors_sent);
    AddOpt(out, at, prefix, "packets_sent", r.stats.packets_sent);
    AddOpt(out, at, prefix, "channel_changes", r.stats.total_channel_changes);
  }
  for (const Client& c : s.clients) {
    const std::string prefix = "client." + c.mac + ".";
    AddOpt(out, at, prefix, "signal", c.signal_dbm);
    AddOpt(out, at, prefix, "snr", c.snr_db);
    AddOpt(out, at, prefix, "retransmissions", c.retransmissions_pct);
    AddOpt(out, at, prefix, "downlink_kbps", c.downlink_kbps);
    AddOpt(out, at, prefix, "uplink_kbps", c.uplink_kbps);
  }
  if (!s.neighbors.empty()) {
    int counts[4] = {0, 0, 0, 0};
    for (const Neighbor& n : s.neighbors) {
      if (n.signal_dbm && *n.signal_dbm >= kNeighborCountMinDbm) ++counts[static_cast<int>(n.band)];
    }
    for (Band b : {Band::k2_4GHz, Band::k5GHz, Band::k6GHz}) {
      if (s.FindRadioByBand(b)) {
        Add(out, at, "wifi." + std::string(BandName(b)) + ".neighbors", counts[static_cast<int>(b)]);
      }
    }
  }
  for (const DocsisDownstream& d : s.docsis_downstream) {
    const std::string prefix = "docsis.ds." + std::to_string(d.index) + ".";
    AddOpt(out, at, prefix, "power", d.power_dbmv);
    AddOpt(out, at, prefix, "snr", d.snr_db);
    AddOpt(out, at, prefix, "mer", d.mer_db);
    AddOpt(out, at, prefix, "corrected", d.corrected);
    AddOpt(out, at, prefix, "uncorrectable", d.uncorrectable);
  }
  for (const DocsisUpstream& u : s.docsis_upstream) {
    const std::string prefix = "docsis.us." + std::to_string(u.index) + ".";
    AddOpt(out, at, prefix, "tx_power", u.tx_power_dbmv);
    AddOpt(out, at, prefix, "t3", u.t3_timeouts);
    AddOpt(out, at, prefix, "t4", u.t4_timeouts);
  }
  return out;
}

std::vector<Aggregate> Downsample(const std::vector<Sample>& samples, Time bucket_seconds) {
  const Time bucket = bucket_seconds <= 0 ? 1 : bucket_seconds;
  std::map<std::pair<Time, std::string>, Acc> acc;
  for (const Sample& s : samples) {
    acc[{BucketStart(s.at, bucket), s.metric}].Fold(s.value, s.value, s.value, 1);
  }
  return Emit(acc, bucket);
}

std::vector<Aggregate> Downsample(const std::vector<Aggregate>& aggregates, Time bucket_seconds) {
  const Time bucket = bucket_seconds <= 0 ? 1 : bucket_seconds;
  std::map<std::pair<Time, std::string>, Acc> acc;
  for (const Aggregate& g : aggregates) {
    acc[{BucketStart(g.bucket_start, bucket), g.metric}].Fold(g.min, g.max, g.avg * g.count, g.count);
  }
  return Emit(acc, bucket);
}

}  // namespace hilo::telemetry
