#pragma once
// ProbeAgent: the measuring loop of `hilo probe`, the small agent a customer or a technician
// runs on a laptop or a box at home to catch micro-outages (cuts of a few seconds) that the
// gateway's own 5-minute reports never show.
//
// Every interval (1 s by default) each target gets one check (checks.h: HTTP GET, TCP connect,
// DNS lookup; timeout 2 s); the result is a telemetry::ProbeSample on the target's leg. Each
// sample goes through a local telemetry::ProbeDetector (one per target), so cuts are reported
// live (on_cut when a run of losses becomes a cut and when it ends, on_event with the finished
// event), and into an upload buffer. Every upload_every_ms the buffer is POSTed to the hilo
// server, `POST <server_url>/api/v1/probes` with `Authorization: Bearer <token>` and
//   {"gateway_serial": "...", "customer_id": 17 (when set),
//    "samples": [{"at_ms": 1796000000123, "leg": "gateway_anchor", "ok": true, "rtt_ms": 12.3},
//                {"at_ms": 1796000001123, "leg": "gateway_anchor", "ok": false}, ...]}
// with leg names from telemetry::ProbeLegName and no rtt_ms on a lost sample. A failed upload keeps its samples and retries
// at the next period -- the home network being down is exactly when the cuts happen -- and the
// buffer drops its oldest samples only beyond max_buffer_ms (1 h) of data. A batch the server
// refuses as malformed (400/422) is dropped rather than retried forever.
//
// A check that hangs past the next tick (a silent target) does not stretch the series: the
// ticks it covered are recorded as lost too, since a probe sent then would have met the same
// silence, so the detector keeps its one-sample-per-interval view.
//
// Threads: Run() starts one measuring thread per target plus one uploader and returns when
// `stop` becomes true (after a final flush of the detectors and one last upload attempt).
// Samples(), Events() and stats() may be called from any thread while it runs; callbacks run
// on the measuring threads and must not call back into Run.
//
//   ProbeAgentOptions o;
//   o.targets = {*ParseProbeTarget("gateway=tcp:192.168.1.1:80"),
//                *ParseProbeTarget("anchor=http:http://hilo.example/healthz")};
//   o.server_url = "http://hilo.example:8080";
//   o.token = token;
//   o.gateway_serial = "HL00000042";
//   o.on_event = [](const ProbeTarget& t, const telemetry::ProbeEvent& e) { print(t, e); };
//   ProbeAgent agent(std::move(o));
//   std::atomic<bool> stop{false};
//   agent.Run(stop);                                   // until SIGINT sets stop

#include <atomic>
#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "hilo/base/error.h"
#include "hilo/probe/checks.h"
#include "hilo/telemetry/probe.h"

namespace hilo::probe {

struct ProbeAgentOptions {
  std::vector<ProbeTarget> targets;
  int interval_ms = 1000;
  int timeout_ms = 2000;
  // Base URL of the hilo server ("http://hilo.example:8080"); empty: measure and print only.
  std::string server_url;
  std::string token;
  std::string gateway_serial;
  std::string customer_id;  // empty: left out; digits only: sent as a JSON integer
  int upload_every_ms = 10'000;
  int upload_timeout_ms = 5'000;
  std::size_t max_batch = 5'000;         // samples per POST (a backlog goes out in several)
  std::int64_t max_buffer_ms = 3'600'000;  // keep at most this much unsent data
  std::size_t history_limit = 100'000;   // samples kept for Samples()
  telemetry::ProbeConfig detector;
  // Wall clock, Unix milliseconds (default: the system clock).
  std::function<std::int64_t()> now_ms;
  // A target's run of losses became a cut (down = true), or ended (down = false).
  std::function<void(const ProbeTarget&, std::int64_t at_ms, bool down)> on_cut;
  // A finished event (micro-outage, outage, loss burst, latency spike) on a target.
  std::function<void(const ProbeTarget&, const telemetry::ProbeEvent&)> on_event;
};

struct ProbeAgentStats {
  std::uint64_t samples = 0;
  std::uint64_t lost = 0;
  std::uint64_t uploads_ok = 0;
  std::uint64_t uploads_failed = 0;     // kept for a retry
  std::uint64_t samples_uploaded = 0;
  std::uint64_t samples_dropped = 0;    // beyond max_buffer_ms, or refused as malformed
  std::size_t buffered = 0;             // waiting for upload
  std::string last_upload_error;
};

// One sample's target and detector event, for Events().
struct TargetEvent {
  std::size_t target = 0;  // index into options.targets
  telemetry::ProbeEvent event;
};

class ProbeAgent {
 public:
  explicit ProbeAgent(ProbeAgentOptions options);
  ~ProbeAgent();
  ProbeAgent(const ProbeAgent&) = delete;
  ProbeAgent& operator=(const ProbeAgent&) = delete;

  // Checks the options. Errors: kInvalidArgument (no targets, bad server_url, intervals < 1).
  Status Validate() const;
  // Measures and uploads until `stop` is true. Not reentrant: one Run at a time.
  Status Run(const std::atomic<bool>& stop);
  // Run for a fixed time (tests, `hilo probe --for`).
  Status RunFor(std::chrono::milliseconds duration);

  // Every sample so far, oldest first (bounded by history_limit), per target.
  std::vector<telemetry::ProbeSample> Samples(std::size_t target) const;
  std::vector<TargetEvent> Events() const;
  ProbeAgentStats stats() const;
  const ProbeAgentOptions& options() const { return options_; }

  // The ingest body for these samples.
  static std::string UploadBody(const std::string& gateway_serial, const std::string& customer_id,
                                const std::vector<telemetry::ProbeSample>& samples);

 private:
  struct Buffered {
    std::uint64_t seq;
    telemetry::ProbeSample sample;
  };
  struct TargetState {
    std::unique_ptr<telemetry::ProbeDetector> detector;
    bool in_cut = false;
    std::deque<telemetry::ProbeSample> history;
  };

  void MeasureLoop(std::size_t index, const std::atomic<bool>& stop);
  void UploadLoop(const std::atomic<bool>& stop);
  void Record(std::size_t index, const telemetry::ProbeSample& sample);
  // One POST of the oldest buffered samples. Returns whether more remain to send right away.
  bool UploadOnce();
  std::int64_t NowMs() const { return options_.now_ms(); }

  ProbeAgentOptions options_;
  mutable std::mutex mu_;  // guards everything below
  std::vector<TargetState> targets_;
  std::vector<TargetEvent> events_;
  std::deque<Buffered> buffer_;
  std::uint64_t next_seq_ = 1;
  std::size_t batch_limit_ = 0;
  ProbeAgentStats stats_;
  std::mutex upload_mu_;  // one upload at a time (the loop and the final flush)
};

}  // namespace hilo::probe
