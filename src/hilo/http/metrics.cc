#include "hilo/http/metrics.h"

#include <cstdio>

namespace hilo::http {

Metrics::Metrics(std::vector<std::string> labels)
    : labels_(std::move(labels)), routes_(std::make_unique<PerRoute[]>(labels_.size())) {}

void Metrics::Observe(std::size_t route, int status, double seconds) {
  if (route >= labels_.size()) return;
  auto& r = routes_[route];
  int cls = status / 100;
  if (cls < 1 || cls > 5) cls = 5;
  r.by_class[static_cast<std::size_t>(cls)].fetch_add(1, std::memory_order_relaxed);
  std::size_t b = 0;
  while (b < kBuckets.size() && seconds > kBuckets[b]) ++b;
  r.buckets[b].fetch_add(1, std::memory_order_relaxed);
  r.count.fetch_add(1, std::memory_order_relaxed);
  r.sum_us.fetch_add(static_cast<std::uint64_t>(seconds * 1e6), std::memory_order_relaxed);
}

std::string Metrics::Render(std::uint64_t open_connections) const {
  std::string out;
  char buf[512];
  out += "# HELP hilo_http_requests_total HTTP requests by route and status class.\n";
  out += "# TYPE hilo_http_requests_total counter\n";
  for (std::size_t i = 0; i < labels_.size(); ++i)
    for (std::size_t cls = 1; cls <= 5; ++cls) {
      auto n = routes_[i].by_class[cls].load(std::memory_order_relaxed);
      if (n == 0) continue;
      std::snprintf(buf, sizeof buf, "hilo_http_requests_total{route=\"%s\",status=\"%zuxx\"} %llu\n",
                    labels_[i].c_str(), cls, static_cast<unsigned long long>(n));
      out += buf;
    }
  out += "# HELP hilo_http_request_duration_seconds Time from request read to response queued.\n";
  out += "# TYPE hilo_http_request_duration_seconds histogram\n";
  for (std::size_t i = 0; i < labels_.size(); ++i) {
    const auto& r = routes_[i];
    auto count = r.count.load(std::memory_order_relaxed);
    if (count == 0) continue;
    std::uint64_t cumulative = 0;
    for (std::size_t b = 0; b <= kBuckets.size(); ++b) {
      cumulative += r.buckets[b].load(std::memory_order_relaxed);
      if (b < kBuckets.size())
        std::snprintf(buf, sizeof buf, "hilo_http_request_duration_seconds_bucket{route=\"%s\",le=\"%g\"} %llu\n",
                      labels_[i].c_str(), kBuckets[b], static_cast<unsigned long long>(cumulative));
      else
        std::snprintf(buf, sizeof buf, "hilo_http_request_duration_seconds_bucket{route=\"%s\",le=\"+Inf\"} %llu\n",
                      labels_[i].c_str(), static_cast<unsigned long long>(cumulative));
      out += buf;
    }
    std::snprintf(buf, sizeof buf,
                  "hilo_http_request_duration_seconds_sum{route=\"%s\"} %.6f\n"
                  "hilo_http_request_duration_seconds_count{route=\"%s\"} %llu\n",
                  labels_[i].c_str(), static_cast<double>(r.sum_us.load()) / 1e6, labels_[i].c_str(),
                  static_cast<unsigned long long>(count));
    out += buf;
  }
  out += "# HELP hilo_http_open_connections Open HTTP connections.\n# TYPE hilo_http_open_connections gauge\n";
  out += "hilo_http_open_connections " + std::to_string(open_connections) + "\n";
  return out;
}

}  // namespace hilo::http
