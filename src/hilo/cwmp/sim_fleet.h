#pragma once
// SimFleet: N simulated TR-069 gateways (SimDevice) speaking real CWMP over HTTP to an ACS --
// `hilo sim`, the demo's live gateways, ACS tests and the ACS load benchmark.
//
// What each simulated gateway does, as a real CPE would:
//  * its first session carries "0 BOOTSTRAP" + "1 BOOT" (or only "2 PERIODIC" when
//    send_boot_events is false: some CPEs never send the boot events);
//  * then a "2 PERIODIC" session every PeriodicInformInterval seconds, read live from its data
//    model because the ACS may change it; first informs are spread over a window so that a
//    fleet does not stampede the ACS, deterministically from (seed, index);
//  * a session also starts when the device has events of its own (PendingEvents: after a
//    Reboot / Download the ACS asked for -- at once --, a reboot-loop restart or an active
//    notification -- found by a cheap periodic check);
//  * a session that fails (connection refused, timeout, 5xx, malformed reply, Inform refused)
//    is abandoned and retried with TR-069's backoff (5-10 s, 10-20 s, ... capped at the
//    periodic interval): an ACS that is down never stops the fleet;
//  * connection requests: ONE HTTP listener for the whole fleet; device i's
//    ConnectionRequestURL is http://<cr_listen_host>:<port>/cr/<serial>. A GET there is checked
//    with HTTP Digest against the device's ConnectionRequestUsername/Password (which the ACS
//    may change); on success the answer is 200 and a "6 CONNECTION REQUEST" session is queued
//    for a worker thread (never run inside the HTTP handler). Unknown serial: 404; no or wrong
//    credentials: 401 with a fresh challenge.
//
// Ownership and threads: SimFleet owns its devices, `threads` worker threads (each with its own
// blocking HttpClient, cookies cleared per session, connection closed at session end as CPEs
// do) and the connection-request listener. A device is only touched under its own mutex,
// which is held for each call into the SimDevice and never across network I/O, so
// WithDevice() from any thread (tests injecting faults, reading values) is safe while sessions
// run. All public methods are thread-safe.
//
//   SimFleetOptions options;
//   options.acs_url = "http://127.0.0.1:7547/";
//   options.devices = 100;
//   options.first_serial = "HL-STORY-0001";   // the demo's story gateway
//   options.faults = {{0, {SimFault::kFirmwareRegression, now - kDay}}};
//   SimFleet fleet(options);
//   auto cr_port = fleet.Start();              // Result<uint16_t>
//   ...
//   fleet.WithDevice(0, [&](SimDevice& d) { d.ClearFault(SimFault::kWeakClient); });
//   fleet.TriggerSession(0, {std::string(kEventConnectionRequest)});
//   SimFleetStats s = fleet.stats();
//   fleet.Stop();
//
// RunOneSession() is the transport for one session, usable on its own (tests, tools).

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <queue>
#include <random>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <utility>
#include <vector>

#include "hilo/base/error.h"
#include "hilo/base/time.h"
#include "hilo/cwmp/sim_device.h"
#include "hilo/net/http_client.h"

namespace hilo::net {
class HttpServer;
struct HttpRequest;
struct HttpResponse;
}  // namespace hilo::net

namespace hilo::cwmp {

// ---- One session ----------------------------------------------------------------------------

// Where a CPE posts and how it authenticates to the ACS.
struct AcsEndpoint {
  std::string host;
  std::uint16_t port = 80;
  std::string target = "/";
  std::string username;  // empty: no credentials (a 401 then fails the session)
  std::string password;
  bool preemptive_basic = false;  // send Basic on every POST without waiting for a challenge
};
// "http://host:port/path" plus credentials. Errors: kInvalidArgument.
Result<AcsEndpoint> AcsEndpointFromUrl(std::string_view url, std::string username = {},
                                       std::string password = {}, bool preemptive_basic = false);

struct SessionOptions {
  // false: "0 BOOTSTRAP" and "1 BOOT" never reach the wire (an Inform left without events says
  // "2 PERIODIC"), like CPEs that start straight with periodic informs. The device still counts
  // them as delivered.
  bool send_boot_events = true;
  // Locked around each call into the device (never across network I/O) when not null.
  std::mutex* device_mutex = nullptr;
  // Close the TCP connection when the session ends, as TR-069 CPEs do. false keeps it for the
  // next session (load generation against an ACS that does not tie sessions to connections).
  bool close_connection = true;
  int max_exchanges = 256;  // guard against an ACS that never ends the session
};

struct SessionReport {
  std::vector<std::string> events;        // event codes of the Inform as sent
  std::vector<std::string> acs_requests;  // the ACS's RPCs, in order ("GetParameterValues")
  int http_requests = 0;                  // POSTs, authentication retries included
  int auth_challenges = 0;                // 401s answered
  bool digest = false;                    // the ACS asked for Digest
  int id_mismatches = 0;                  // ACS responses whose cwmp:ID did not echo ours
  double duration_ms = 0;
};

// Runs one complete CWMP session of `device` on the calling thread: BeginSession(events, now),
// POST the Inform, then answer the ACS's RPCs until it sends an empty reply (204 or an empty
// 200). `client` must be connected to acs.host:acs.port; its cookies are cleared first so the
// ACS's session cookie never leaks from one session (or device) to another.
// Errors (the session is abandoned; events not delivered stay pending in the device):
//   kUnavailable        connection refused / reset / timed out, or a non-2xx, non-401 status
//   kUnauthenticated    401 again after answering the challenge, or a 401 with no credentials
//   kInvalidArgument    a reply that is not a CWMP envelope
//   kFailedPrecondition the ACS did not accept the Inform (fault, empty reply), ended on an
//                       unexpected message, or exceeded max_exchanges
Result<SessionReport> RunOneSession(SimDevice& device, net::HttpClient& client,
                                    const AcsEndpoint& acs, std::vector<std::string> events,
                                    Time now, const SessionOptions& options = {});

// ---- The fleet ------------------------------------------------------------------------------

struct SimFleetOptions {
  std::string acs_url = "http://127.0.0.1:7547/";
  int devices = 1;
  DataModel model = DataModel::kTr181;
  // Share of devices (0..1) that use the other data model, spread evenly over the indexes.
  double mix_ratio = 0;
  std::string serial_prefix = "SIM";  // serial = prefix + zero-padded index ("SIM000042")
  std::string first_serial;           // when set, device 0's serial (the demo's story gateway)
  std::string oui = "A0B1C2";
  std::string product_class = "HGW-3000";
  unsigned seed = 1;
  int radios = 2;       // 2 or 3 (SimDeviceConfig::radios)
  bool docsis = false;  // DOCSIS channels on TR-181 devices
  int periodic_interval_s = 300;
  int threads = 4;
  std::string cr_listen_host = "127.0.0.1";
  std::uint16_t cr_port = 0;  // 0: any free port (Start returns it)
  // The connection-request credentials each device starts with; the ACS may change them.
  std::string cr_username = "cr";
  std::string cr_password = "cr-secret";
  // Credentials the devices give the ACS: Basic when preemptive_basic or when the ACS
  // challenges with Basic, Digest when it challenges with Digest.
  std::string acs_username;
  std::string acs_password;
  bool preemptive_basic = false;
  bool send_boot_events = true;
  bool keep_connections = false;  // see SessionOptions::close_connection
  int http_timeout_ms = 10'000;
  // The simulated clock (seconds). Default: the system clock. Tests inject one they advance
  // (then call Wake() to skip the poll delay). Called from several threads.
  std::function<Time()> now;
  // Faults injected before the first session: (device index, (fault, start time)).
  std::vector<std::pair<int, std::pair<SimFault, Time>>> faults;
  // Spread first informs over [start, start + window) (window 0: the periodic interval);
  // false: every device informs at once.
  bool spread_first_inform = true;
  int first_inform_window_s = 0;
  // How often each device is checked for events of its own (reboot loop, active
  // notification); 0 disables the check (events then go out with the next periodic inform).
  int event_check_interval_s = 10;
  // Real-time period at which idle workers re-read the clock.
  int poll_interval_ms = 50;
};

struct SimFleetStats {
  std::uint64_t sessions_ok = 0;
  std::uint64_t sessions_failed = 0;
  std::uint64_t connection_requests = 0;          // accepted (200) connection requests
  std::uint64_t connection_requests_refused = 0;  // 401 after wrong credentials, 404
  double p50_session_ms = 0;  // over a bounded uniform sample of successful sessions
  double p99_session_ms = 0;
  std::string last_error;  // of the most recent failed session
};

class SimFleet {
 public:
  explicit SimFleet(SimFleetOptions options);
  ~SimFleet();  // Stop()
  SimFleet(const SimFleet&) = delete;
  SimFleet& operator=(const SimFleet&) = delete;

  // Binds the connection-request listener, builds the devices (their ConnectionRequestURL
  // needs the bound port) and starts the workers. Returns the listener's port.
  // Errors: kInvalidArgument (bad options or ACS URL), kUnavailable (cannot bind),
  // kFailedPrecondition (already started).
  Result<std::uint16_t> Start();
  // Stops the listener and the workers (sessions in flight finish first). Idempotent.
  void Stop();

  int size() const { return static_cast<int>(slots_.size()); }
  // Valid after Start(); index in [0, size()).
  const std::string& Serial(int index) const;
  std::string ConnectionRequestUrl(int index) const;
  // Index of a serial, or -1.
  int IndexOf(std::string_view serial) const;

  // Calls fn(SimDevice&) under the device's mutex and returns its result. After Start().
  template <typename Fn>
  decltype(auto) WithDevice(int index, Fn&& fn) {
    Slot& slot = *slots_.at(static_cast<std::size_t>(index));
    std::lock_guard lock(slot.mu);
    return std::forward<Fn>(fn)(*slot.device);
  }

  // Queues a session for the device with these extra events; runs as soon as a worker is free
  // (after the device's current session, if one is running).
  void TriggerSession(int index, std::vector<std::string> events);
  // Runs one full session on the calling thread (waiting for the device's current session to
  // end first) and reports whether it completed. Counts in stats() like any other session.
  bool RunSessionNow(int index, std::vector<std::string> events);
  // Workers re-read the clock now (after a test advanced an injected clock).
  void Wake();

  SimFleetStats stats() const;

 private:
  struct Slot {
    std::mutex mu;  // guards device
    std::unique_ptr<SimDevice> device;
    std::string serial;
    // Scheduling state, guarded by sched_mu_.
    bool booted = false;  // a session completed since start
    bool busy = false;
    bool urgent_queued = false;
    std::vector<std::string> urgent_events;
    Time next_periodic = 0;
    Time next_check = 0;
    int failures = 0;  // consecutive failed sessions
    unsigned interval_s = 0;  // PeriodicInformInterval as last read from the device
  };
  struct Due {
    Time at;
    int index;
    bool operator>(const Due& o) const { return at != o.at ? at > o.at : index > o.index; }
  };
  enum class JobKind { kUrgent, kPeriodic, kCheck };
  struct Job {
    int index = -1;
    JobKind kind = JobKind::kPeriodic;
    std::vector<std::string> events;
  };
  struct Outcome {
    bool ran = false;   // a session was attempted
    bool ok = false;
    bool more_pending = false;
    unsigned interval_s = 0;
    Time started_at = 0;  // the simulated time the job ran at: schedules count from it
  };
  // One worker's clients, one per ACS host:port (the ACS may move a device with
  // ManagementServer.URL).
  using ClientCache = std::unordered_map<std::string, net::HttpClient>;

  Time Now() const;
  Time DueOf(const Slot& slot) const;
  void WorkerLoop();
  bool NextJob(Job& job);  // with sched_mu_ held
  Outcome Execute(const Job& job, ClientCache& clients);
  void Finish(const Job& job, const Outcome& outcome);
  void QueueUrgent(int index);  // with sched_mu_ held
  Time RetryDelay(int index, int failures, unsigned interval_s) const;
  void RecordSession(bool ok, double ms, const std::string& error);

  void HandleConnectionRequest(net::HttpRequest&& request,
                               const std::function<void(net::HttpResponse)>& respond);
  std::string NewNonce();
  bool TakeNonce(const std::string& nonce);

  SimFleetOptions options_;
  AcsEndpoint acs_;
  std::vector<std::unique_ptr<Slot>> slots_;
  std::unordered_map<std::string, int> by_serial_;
  std::uint16_t cr_port_ = 0;
  std::unique_ptr<net::HttpServer> cr_server_;
  // Set once slots_ and by_serial_ are complete; the listener answers 503 before that (it has
  // to be bound first, since the devices' ConnectionRequestURL carries its port).
  std::atomic<bool> devices_ready_{false};

  std::mutex sched_mu_;
  std::condition_variable sched_cv_;  // work may be available
  std::condition_variable idle_cv_;   // a device stopped being busy
  std::priority_queue<Due, std::vector<Due>, std::greater<>> due_;
  std::deque<int> urgent_;
  bool started_ = false;
  bool stopping_ = false;
  std::vector<std::thread> workers_;

  std::mutex nonce_mu_;
  std::unordered_map<std::string, std::chrono::steady_clock::time_point> nonces_;
  std::deque<std::string> nonce_order_;
  std::mt19937_64 nonce_rng_;
  std::string opaque_;

  mutable std::mutex stats_mu_;
  SimFleetStats stats_;
  std::vector<double> reservoir_;
  std::uint64_t reservoir_seen_ = 0;
  std::mt19937_64 reservoir_rng_{0x5eed};
};

}  // namespace hilo::cwmp
