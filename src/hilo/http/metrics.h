#pragma once
// Request metrics in Prometheus text format: counts by route and status, and a latency
// histogram by route. Lock-free on the request path (atomics per route).

#include <array>
#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace hilo::http {

class Metrics {
 public:
  explicit Metrics(std::vector<std::string> route_labels);
  // route: index into the labels given at construction; status: HTTP status.
  void Observe(std::size_t route, int status, double seconds);
  std::string Render(std::uint64_t open_connections) const;

 private:
  static constexpr std::array<double, 11> kBuckets = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                                      0.05,   0.1,   0.25,   0.5,   1.0};
  struct PerRoute {
    std::array<std::atomic<std::uint64_t>, 6> by_class{};  // 1xx..5xx, index = status/100
    std::array<std::atomic<std::uint64_t>, kBuckets.size() + 1> buckets{};
    std::atomic<std::uint64_t> count{0};
    std::atomic<std::uint64_t> sum_us{0};
  };
  std::vector<std::string> labels_;
  std::unique_ptr<PerRoute[]> routes_;
};

}  // namespace hilo::http
