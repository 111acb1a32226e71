#include "hilo/probe/probe_agent.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <thread>

#include "hilo/base/value.h"
#include "hilo/json/json.h"
#include "hilo/net/http_client.h"

namespace hilo::probe {
namespace {

using Clock = std::chrono::steady_clock;
using telemetry::ProbeEvent;
using telemetry::ProbeSample;

constexpr std::string_view kIngestPath = "/api/v1/probes";

// Sleeps until `until` or until stop is set, whichever comes first (checked every 20 ms so that
// Ctrl-C is prompt without a condition variable on the caller's flag).
void SleepUntil(Clock::time_point until, const std::atomic<bool>& stop) {
  while (!stop.load()) {
    const auto now = Clock::now();
    if (now >= until) return;
    std::this_thread::sleep_for(std::min<Clock::duration>(until - now, std::chrono::milliseconds(20)));
  }
}

}  // namespace

ProbeAgent::ProbeAgent(ProbeAgentOptions options) : options_(std::move(options)) {
  if (!options_.now_ms) {
    options_.now_ms = [] {
      return static_cast<std::int64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                           std::chrono::system_clock::now().time_since_epoch())
                                           .count());
    };
  }
  targets_.resize(options_.targets.size());
  for (auto& t : targets_) t.detector = std::make_unique<telemetry::ProbeDetector>(options_.detector);
  batch_limit_ = std::max<std::size_t>(1, options_.max_batch);
}

ProbeAgent::~ProbeAgent() = default;

Status ProbeAgent::Validate() const {
  if (options_.targets.empty()) return Fail(Errc::kInvalidArgument, "no probe targets", "targets");
  if (options_.interval_ms < 1) return Fail(Errc::kInvalidArgument, "interval must be positive", "interval_ms");
  if (options_.timeout_ms < 1) return Fail(Errc::kInvalidArgument, "timeout must be positive", "timeout_ms");
  if (options_.upload_every_ms < 1)
    return Fail(Errc::kInvalidArgument, "upload period must be positive", "upload_every_ms");
  if (!options_.server_url.empty()) {
    auto url = net::ParseHttpUrl(options_.server_url);
    if (!url) return Fail(Errc::kInvalidArgument, "bad server URL: " + url.error().message, "server_url");
    if (options_.gateway_serial.empty())
      return Fail(Errc::kInvalidArgument, "uploads need the gateway serial", "gateway_serial");
  }
  return Ok();
}

Status ProbeAgent::Run(const std::atomic<bool>& stop) {
  HILO_TRY(Validate());
  std::vector<std::thread> threads;
  for (std::size_t i = 0; i < options_.targets.size(); ++i)
    threads.emplace_back([this, i, &stop] { MeasureLoop(i, stop); });
  if (!options_.server_url.empty()) threads.emplace_back([this, &stop] { UploadLoop(stop); });
  for (auto& t : threads) t.join();
  // Close the runs still open so that a cut in progress at exit is reported and kept.
  const std::int64_t end = NowMs();
  std::vector<std::pair<std::size_t, ProbeEvent>> finished;
  {
    std::lock_guard lock(mu_);
    for (std::size_t i = 0; i < targets_.size(); ++i) {
      std::vector<ProbeEvent> out;
      targets_[i].detector->Flush(end, out);
      for (const auto& e : out) {
        events_.push_back({i, e});
        finished.emplace_back(i, e);
      }
    }
  }
  if (options_.on_event)
    for (const auto& [i, e] : finished) options_.on_event(options_.targets[i], e);
  if (!options_.server_url.empty()) {
    // One last attempt per pending batch; what the server still refuses is reported in stats.
    while (UploadOnce()) {
    }
  }
  return Ok();
}

Status ProbeAgent::RunFor(std::chrono::milliseconds duration) {
  std::atomic<bool> stop{false};
  std::thread timer([&] {
    std::this_thread::sleep_for(duration);
    stop = true;
  });
  Status s = Run(stop);
  timer.join();
  return s;
}

void ProbeAgent::MeasureLoop(std::size_t index, const std::atomic<bool>& stop) {
  const ProbeTarget& target = options_.targets[index];
  const auto interval = std::chrono::milliseconds(options_.interval_ms);
  auto tick = Clock::now();
  while (!stop.load()) {
    const std::int64_t at = NowMs();
    const auto sent = Clock::now();
    const CheckResult r = RunCheck(target, options_.timeout_ms);
    Record(index, {at, target.leg, r.ok, r.ok ? r.rtt_ms : 0});
    tick += interval;
    // Ticks that went by during a long check: lost when the target stayed silent (see header),
    // otherwise merely skipped.
    while (tick + interval / 2 <= Clock::now()) {
      if (!r.ok) {
        const auto offset = std::chrono::duration_cast<std::chrono::milliseconds>(tick - sent).count();
        Record(index, {at + offset, target.leg, false, 0});
      }
      tick += interval;
    }
    SleepUntil(tick, stop);
  }
}

void ProbeAgent::Record(std::size_t index, const ProbeSample& sample) {
  std::vector<ProbeEvent> finished;
  int cut_change = 0;  // +1 entered a cut, -1 left it
  {
    std::lock_guard lock(mu_);
    TargetState& t = targets_[index];
    t.detector->Feed(sample, finished);
    const bool in_cut = t.detector->InCut(sample.leg);
    if (in_cut != t.in_cut) cut_change = in_cut ? 1 : -1;
    t.in_cut = in_cut;
    for (const auto& e : finished) events_.push_back({index, e});
    t.history.push_back(sample);
    while (t.history.size() > options_.history_limit) t.history.pop_front();
    ++stats_.samples;
    if (!sample.ok) ++stats_.lost;
    if (!options_.server_url.empty()) {
      buffer_.push_back({next_seq_++, sample});
      // Bounded by age, not count: an hour of data whatever the number of targets.
      while (!buffer_.empty() && buffer_.front().sample.at_ms < sample.at_ms - options_.max_buffer_ms) {
        buffer_.pop_front();
        ++stats_.samples_dropped;
      }
    }
  }
  const ProbeTarget& target = options_.targets[index];
  if (cut_change != 0 && options_.on_cut) options_.on_cut(target, sample.at_ms, cut_change > 0);
  if (options_.on_event)
    for (const auto& e : finished) options_.on_event(target, e);
}

void ProbeAgent::UploadLoop(const std::atomic<bool>& stop) {
  const auto period = std::chrono::milliseconds(options_.upload_every_ms);
  auto next = Clock::now() + period;
  while (!stop.load()) {
    SleepUntil(next, stop);
    if (stop.load()) break;  // Run does the final upload after the detectors are flushed
    // Drain a backlog (after an outage of the server) in consecutive batches.
    while (!stop.load() && UploadOnce()) {
    }
    next += period;
    if (next < Clock::now()) next = Clock::now() + period;
  }
}

std::string ProbeAgent::UploadBody(const std::string& gateway_serial, const std::string& customer_id,
                                   const std::vector<ProbeSample>& samples) {
  Value body = Value::MakeObject();
  body.Set("gateway_serial", gateway_serial);
  if (!customer_id.empty()) {
    // hilo's ids are integers on the wire ("/api/v1/customers/17"); anything else (an external
    // reference) goes as a string for the server to resolve or refuse.
    std::int64_t id = 0;
    auto [ptr, ec] = std::from_chars(customer_id.data(), customer_id.data() + customer_id.size(), id);
    if (ec == std::errc() && ptr == customer_id.data() + customer_id.size()) {
      body.Set("customer_id", id);
    } else {
      body.Set("customer_id", customer_id);
    }
  }
  Value list = Value::MakeArray();
  for (const ProbeSample& s : samples) {
    Value item = Value::MakeObject();
    item.Set("at_ms", s.at_ms);
    item.Set("leg", telemetry::ProbeLegName(s.leg));
    item.Set("ok", s.ok);
    // 0.1 ms is finer than any of these checks can measure; it keeps bodies small.
    if (s.ok) item.Set("rtt_ms", std::round(s.rtt_ms * 10) / 10);
    list.Push(std::move(item));
  }
  body.Set("samples", std::move(list));
  return ToJson(body);
}

bool ProbeAgent::UploadOnce() {
  std::lock_guard upload_lock(upload_mu_);
  std::vector<ProbeSample> batch;
  std::uint64_t last_seq = 0;
  std::size_t limit = 0;
  {
    std::lock_guard lock(mu_);
    limit = batch_limit_;
    for (std::size_t i = 0; i < buffer_.size() && batch.size() < limit; ++i) {
      batch.push_back(buffer_[i].sample);
      last_seq = buffer_[i].seq;
    }
  }
  if (batch.empty()) return false;
  auto url = net::ParseHttpUrl(options_.server_url);
  if (!url) return false;  // Validate() refused it already
  std::string path = url->target;
  while (!path.empty() && path.back() == '/') path.pop_back();
  path += kIngestPath;

  net::HttpClient client(url->host, url->port, options_.upload_timeout_ms);
  net::ClientRequest request;
  request.method = "POST";
  request.target = path;
  request.body = UploadBody(options_.gateway_serial, options_.customer_id, batch);
  request.headers = {{"Content-Type", "application/json"}};
  if (!options_.token.empty()) request.headers.emplace_back("Authorization", "Bearer " + options_.token);
  auto r = client.Send(request);

  std::lock_guard lock(mu_);
  // Removes the batch from the buffer (whatever of it the age bound has not dropped already).
  auto settle = [&] {
    while (!buffer_.empty() && buffer_.front().seq <= last_seq) buffer_.pop_front();
  };
  if (r && r->status >= 200 && r->status < 300) {
    settle();
    ++stats_.uploads_ok;
    stats_.samples_uploaded += batch.size();
    stats_.last_upload_error.clear();
    return !buffer_.empty() && batch.size() == limit;
  }
  ++stats_.uploads_failed;
  stats_.last_upload_error = r ? "HTTP " + std::to_string(r->status) + " " + r->body.substr(0, 200)
                               : r.error().message;
  if (r && r->status == 413 && limit > 1) {
    batch_limit_ = std::max<std::size_t>(1, limit / 2);  // too big for the server: smaller batches
    return true;
  }
  if (r && (r->status == 400 || r->status == 422 || r->status == 413)) {
    // Malformed in the server's eyes: retrying the same bytes would block the queue forever.
    stats_.samples_dropped += batch.size();
    settle();
  }
  return false;
}

std::vector<ProbeSample> ProbeAgent::Samples(std::size_t target) const {
  std::lock_guard lock(mu_);
  if (target >= targets_.size()) return {};
  return {targets_[target].history.begin(), targets_[target].history.end()};
}

std::vector<TargetEvent> ProbeAgent::Events() const {
  std::lock_guard lock(mu_);
  return events_;
}

ProbeAgentStats ProbeAgent::stats() const {
  std::lock_guard lock(mu_);
  ProbeAgentStats s = stats_;
  s.buffered = buffer_.size();
  return s;
}

}  // namespace hilo::probe
