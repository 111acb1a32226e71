#include "hilo/cwmp/sim_fleet.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <type_traits>

#include "hilo/cwmp/auth.h"
#include "hilo/cwmp/soap.h"
#include "hilo/net/http_server.h"

namespace hilo::cwmp {
namespace {

using Clock = std::chrono::steady_clock;

constexpr std::string_view kCrRealm = "HiloSim";
constexpr std::string_view kCrPrefix = "/cr/";
constexpr std::size_t kMaxNonces = 4096;
constexpr auto kNonceLifetime = std::chrono::seconds(60);
constexpr std::size_t kReservoirSize = 8192;

// SplitMix64: a stateless mixer, so schedules are a pure function of (seed, index, n).
std::uint64_t Mix(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

std::string Hex(std::uint64_t a, std::uint64_t b) {
  char buf[33];
  std::snprintf(buf, sizeof buf, "%016llx%016llx", static_cast<unsigned long long>(a),
                static_cast<unsigned long long>(b));
  return buf;
}

// Per-thread cnonces for Digest answers: unpredictable enough for a simulator, never shared.
std::string NewCnonce() {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  return Hex(rng(), rng()).substr(0, 16);
}

// Calls fn() with the mutex held when there is one.
template <typename Fn>
decltype(auto) Locked(std::mutex* mu, Fn&& fn) {
  if (mu == nullptr) return fn();
  std::lock_guard lock(*mu);
  return fn();
}

enum class AuthScheme { kNone, kBasic, kDigest };

struct AuthState {
  AuthScheme scheme = AuthScheme::kNone;
  std::string challenge;  // the last Digest WWW-Authenticate value
  unsigned nc = 0;
};

// The first WWW-Authenticate value with this scheme ("Digest", "Basic"), or "".
std::string_view FindChallenge(const net::ClientResponse& r, std::string_view scheme) {
  for (const auto& [name, value] : r.headers) {
    if (name != "www-authenticate") continue;
    std::string_view v = value;
    // A header may list several challenges ("Basic realm=x, Digest realm=y").
    for (std::size_t at = 0; at + scheme.size() <= v.size(); ++at) {
      bool match = at == 0 || v[at - 1] == ' ' || v[at - 1] == ',';
      for (std::size_t i = 0; match && i < scheme.size(); ++i)
        match = std::tolower(static_cast<unsigned char>(v[at + i])) ==
                std::tolower(static_cast<unsigned char>(scheme[i]));
      if (match) return v;
    }
  }
  return {};
}

// POSTs `request`, answering 401 challenges. Digest answers are kept for the rest of the
// session (nc counting up) since many ACSs authenticate every message; a 401 to an answer
// built from a challenge received for this very POST means the credentials are wrong.
Result<net::ClientResponse> PostWithAuth(net::HttpClient& client, const AcsEndpoint& acs,
                                         const net::ClientRequest& request, AuthState& auth,
                                         SessionReport& report) {
  bool answered_fresh_challenge = false;
  for (;;) {
    net::ClientRequest r = request;
    const bool has_creds = !acs.username.empty();
    if (auth.scheme == AuthScheme::kDigest) {
      auto h = BuildDigestAuthorization(auth.challenge, acs.username, acs.password, "POST",
                                        acs.target, NewCnonce(), ++auth.nc);
      if (!h) return Fail(Errc::kUnauthenticated, "cannot answer the ACS's Digest challenge: " + h.error().message);
      r.headers.emplace_back("Authorization", std::move(*h));
    } else if (has_creds && (auth.scheme == AuthScheme::kBasic || acs.preemptive_basic)) {
      r.headers.emplace_back("Authorization", BuildBasicAuthorization(acs.username, acs.password));
    }
    ++report.http_requests;
    auto resp = client.Send(r);
    if (!resp) return std::unexpected(resp.error());
    if (resp->status != 401) return resp;
    ++report.auth_challenges;
    if (!has_creds) return Fail(Errc::kUnauthenticated, "the ACS demands authentication and no credentials are configured");
    if (answered_fresh_challenge) return Fail(Errc::kUnauthenticated, "the ACS refused the credentials");
    if (std::string_view digest = FindChallenge(*resp, "Digest"); !digest.empty()) {
      auth.scheme = AuthScheme::kDigest;
      auth.challenge = std::string(digest);
      auth.nc = 0;
      report.digest = true;
    } else if (!FindChallenge(*resp, "Basic").empty()) {
      auth.scheme = AuthScheme::kBasic;
    } else {
      return Fail(Errc::kUnauthenticated, "401 without a Basic or Digest challenge");
    }
    answered_fresh_challenge = true;
  }
}

std::string SoapAction(const Envelope& env) {
  // Requests name their method; responses and faults carry an empty SOAPAction, which every
  // ACS accepts.
  if (env.body && IsRequest(*env.body))
    return "\"" + std::string(CwmpNamespace(env.version)) + "#" + std::string(MethodName(*env.body)) + "\"";
  return "\"\"";
}

}  // namespace

Result<AcsEndpoint> AcsEndpointFromUrl(std::string_view url, std::string username,
                                       std::string password, bool preemptive_basic) {
  auto parsed = net::ParseHttpUrl(url);
  if (!parsed) return std::unexpected(parsed.error());
  AcsEndpoint out;
  out.host = std::move(parsed->host);
  out.port = parsed->port;
  out.target = std::move(parsed->target);
  out.username = std::move(username);
  out.password = std::move(password);
  out.preemptive_basic = preemptive_basic;
  return out;
}

Result<SessionReport> RunOneSession(SimDevice& device, net::HttpClient& client,
                                    const AcsEndpoint& acs, std::vector<std::string> events,
                                    Time now, const SessionOptions& options) {
  const auto started = Clock::now();
  SessionReport report;
  Envelope out = Locked(options.device_mutex, [&] { return device.BeginSession(std::move(events), now); });
  if (auto* inform = out.body ? std::get_if<Inform>(&*out.body) : nullptr) {
    if (!options.send_boot_events) {
      std::erase_if(inform->events, [](const EventStruct& e) {
        return e.event_code == kEventBootstrap || e.event_code == kEventBoot;
      });
      if (inform->events.empty()) inform->events.push_back({std::string(kEventPeriodic), ""});
    }
    for (const EventStruct& e : inform->events) report.events.push_back(e.event_code);
  }
  client.ClearCookies();
  AuthState auth;
  bool inform_accepted = false;
  // Any failure abandons the session and drops the connection, as a CPE does.
  auto abandon = [&](Errc code, std::string message) {
    client.Close();
    return Fail(code, std::move(message));
  };
  for (int exchange = 0;; ++exchange) {
    if (exchange >= options.max_exchanges)
      return abandon(Errc::kFailedPrecondition, "the ACS did not end the session after " +
                                                    std::to_string(exchange) + " exchanges");
    net::ClientRequest request;
    request.method = "POST";
    request.target = acs.target;
    request.body = WriteEnvelope(out);
    if (!request.body.empty()) {
      request.headers.emplace_back("Content-Type", "text/xml; charset=\"utf-8\"");
      request.headers.emplace_back("SOAPAction", SoapAction(out));
    }
    auto resp = PostWithAuth(client, acs, request, auth, report);
    if (!resp) return abandon(resp.error().code, resp.error().message);
    if (resp->status < 200 || resp->status >= 300)
      return abandon(Errc::kUnavailable, "the ACS answered HTTP " + std::to_string(resp->status));
    auto in = ParseEnvelope(resp->body);
    if (!in) return abandon(Errc::kInvalidArgument, "malformed ACS reply: " + in.error().message);
    // The ACS's response to our request must echo its cwmp:ID; counted, not fatal, because
    // some ACSs get it wrong and CPEs carry on.
    if (out.body && IsRequest(*out.body) && in->body && !IsRequest(*in->body) && in->id != out.id)
      ++report.id_mismatches;
    if (!inform_accepted) {
      if (!in->body || !std::holds_alternative<InformResponse>(*in->body))
        return abandon(Errc::kFailedPrecondition,
                       std::string("the ACS did not accept the Inform: ") +
                           (in->body ? std::string(MethodName(*in->body)) : "empty reply"));
      inform_accepted = true;
    }
    if (in->body && IsRequest(*in->body)) report.acs_requests.emplace_back(MethodName(*in->body));
    auto next = Locked(options.device_mutex, [&] { return device.Continue(*in, now); });
    if (!next) {
      if (in->body)
        return abandon(Errc::kFailedPrecondition,
                       "the session ended on an unexpected " + std::string(MethodName(*in->body)));
      break;
    }
    out = std::move(*next);
  }
  if (options.close_connection) client.Close();
  report.duration_ms = std::chrono::duration<double, std::milli>(Clock::now() - started).count();
  return report;
}

// ---- SimFleet ---------------------------------------------------------------------------------

SimFleet::SimFleet(SimFleetOptions options)
    : options_(std::move(options)), nonce_rng_(std::random_device{}()) {
  opaque_ = Hex(nonce_rng_(), nonce_rng_());
  if (!options_.now) {
    options_.now = [] {
      return static_cast<Time>(std::chrono::duration_cast<std::chrono::seconds>(
                                   std::chrono::system_clock::now().time_since_epoch())
                                   .count());
    };
  }
}

SimFleet::~SimFleet() { Stop(); }

Time SimFleet::Now() const { return options_.now(); }

Result<std::uint16_t> SimFleet::Start() {
  {
    std::lock_guard lock(sched_mu_);
    if (started_) return Fail(Errc::kFailedPrecondition, "the fleet was already started");
  }
  if (options_.devices < 1) return Fail(Errc::kInvalidArgument, "devices must be at least 1", "devices");
  if (options_.threads < 1) return Fail(Errc::kInvalidArgument, "threads must be at least 1", "threads");
  if (options_.periodic_interval_s < 1)
    return Fail(Errc::kInvalidArgument, "periodic_interval_s must be at least 1", "periodic_interval_s");
  auto acs = AcsEndpointFromUrl(options_.acs_url, options_.acs_username, options_.acs_password,
                                options_.preemptive_basic);
  if (!acs) return std::unexpected(acs.error());
  acs_ = std::move(*acs);

  cr_server_ = std::make_unique<net::HttpServer>(
      net::ServerOptions{.address = options_.cr_listen_host, .port = options_.cr_port, .threads = 1,
                         .body_limit = 4096, .idle_timeout_s = 30, .server_name = "hilo-sim"},
      [this](net::HttpRequest&& req, net::Responder respond) {
        HandleConnectionRequest(std::move(req), respond);
      });
  auto port = cr_server_->Start();
  if (!port) return std::unexpected(port.error());
  cr_port_ = *port;

  const Time start = Now();
  const int n = options_.devices;
  const int width = std::max<int>(6, static_cast<int>(std::to_string(n - 1).size()));
  const DataModel other = options_.model == DataModel::kTr181 ? DataModel::kTr098 : DataModel::kTr181;
  const int window = options_.first_inform_window_s > 0 ? options_.first_inform_window_s
                                                        : options_.periodic_interval_s;
  slots_.reserve(static_cast<std::size_t>(n));
  for (int i = 0; i < n; ++i) {
    auto slot = std::make_unique<Slot>();
    if (i == 0 && !options_.first_serial.empty()) {
      slot->serial = options_.first_serial;
    } else {
      std::string digits = std::to_string(i);
      slot->serial = options_.serial_prefix + std::string(static_cast<std::size_t>(width) - digits.size(), '0') + digits;
    }
    SimDeviceConfig c;
    c.oui = options_.oui;
    c.product_class = options_.product_class;
    c.serial_number = slot->serial;
    // Bresenham-style spread: device i uses the other model when floor((i+1)r) > floor(ir).
    const double r = std::clamp(options_.mix_ratio, 0.0, 1.0);
    const bool use_other = static_cast<long>((i + 1) * r) > static_cast<long>(i * r);
    c.data_model = use_other ? other : options_.model;
    const std::uint64_t seed = Mix(options_.seed * 0x100000001b3ULL + static_cast<std::uint64_t>(i));
    c.seed = seed;
    c.radios = options_.radios;
    c.docsis = options_.docsis && c.data_model == DataModel::kTr181;
    c.acs_url = options_.acs_url;
    c.acs_username = options_.acs_username;
    c.acs_password = options_.acs_password;
    c.connection_request_url = "http://" + options_.cr_listen_host + ":" + std::to_string(cr_port_) +
                               std::string(kCrPrefix) + slot->serial;
    c.connection_request_username = options_.cr_username;
    c.connection_request_password = options_.cr_password;
    c.periodic_inform_interval = static_cast<unsigned>(options_.periodic_interval_s);
    // Powered on a little before the simulation starts, each at its own time.
    c.boot_time = start - 60 - static_cast<Time>(Mix(seed) % 3600);
    c.bootstrapped = false;
    slot->device = std::make_unique<SimDevice>(std::move(c));
    const Time offset = options_.spread_first_inform
                            ? static_cast<Time>(Mix(seed ^ 0xf1a7) % static_cast<std::uint64_t>(window))
                            : 0;
    slot->next_periodic = start + offset;
    slot->interval_s = static_cast<unsigned>(options_.periodic_interval_s);
    slot->next_check = options_.event_check_interval_s > 0 ? slot->next_periodic : 0;
    if (!by_serial_.emplace(slot->serial, i).second) {
      cr_server_->Stop();
      slots_.clear();
      by_serial_.clear();
      return Fail(Errc::kInvalidArgument, "duplicate serial " + slot->serial, "first_serial");
    }
    slots_.push_back(std::move(slot));
  }
  for (const auto& [index, fault] : options_.faults) {
    if (index < 0 || index >= n) continue;
    slots_[static_cast<std::size_t>(index)]->device->InjectFault(fault.first, fault.second);
  }
  devices_ready_.store(true, std::memory_order_release);
  {
    std::lock_guard lock(sched_mu_);
    started_ = true;
    for (int i = 0; i < n; ++i) due_.push({DueOf(*slots_[static_cast<std::size_t>(i)]), i});
  }
  for (int t = 0; t < options_.threads; ++t) workers_.emplace_back([this] { WorkerLoop(); });
  return cr_port_;
}

void SimFleet::Stop() {
  {
    std::lock_guard lock(sched_mu_);
    if (stopping_) return;
    stopping_ = true;
  }
  sched_cv_.notify_all();
  idle_cv_.notify_all();
  if (cr_server_) cr_server_->Stop();
  for (auto& t : workers_) t.join();
  workers_.clear();
}

const std::string& SimFleet::Serial(int index) const {
  return slots_.at(static_cast<std::size_t>(index))->serial;
}

std::string SimFleet::ConnectionRequestUrl(int index) const {
  return "http://" + options_.cr_listen_host + ":" + std::to_string(cr_port_) + std::string(kCrPrefix) +
         Serial(index);
}

int SimFleet::IndexOf(std::string_view serial) const {
  auto it = by_serial_.find(std::string(serial));
  return it == by_serial_.end() ? -1 : it->second;
}

Time SimFleet::DueOf(const Slot& slot) const {
  if (options_.event_check_interval_s > 0 && slot.booted) return std::min(slot.next_periodic, slot.next_check);
  return slot.next_periodic;
}

void SimFleet::Wake() { sched_cv_.notify_all(); }

void SimFleet::QueueUrgent(int index) {
  Slot& slot = *slots_[static_cast<std::size_t>(index)];
  if (slot.urgent_queued || slot.busy) return;  // a busy device is re-queued by Finish
  slot.urgent_queued = true;
  urgent_.push_back(index);
  sched_cv_.notify_one();
}

void SimFleet::TriggerSession(int index, std::vector<std::string> events) {
  if (index < 0 || index >= size()) return;
  std::lock_guard lock(sched_mu_);
  if (stopping_) return;
  Slot& slot = *slots_[static_cast<std::size_t>(index)];
  for (std::string& e : events) {
    if (std::find(slot.urgent_events.begin(), slot.urgent_events.end(), e) == slot.urgent_events.end())
      slot.urgent_events.push_back(std::move(e));
  }
  // A session with no extra events still makes sense: it delivers the device's own events.
  if (slot.urgent_events.empty()) slot.urgent_events.emplace_back();
  QueueUrgent(index);
}

bool SimFleet::NextJob(Job& job) {
  while (!urgent_.empty()) {
    const int index = urgent_.front();
    urgent_.pop_front();
    Slot& slot = *slots_[static_cast<std::size_t>(index)];
    slot.urgent_queued = false;
    if (slot.busy) continue;  // Finish re-queues it with its events
    job.index = index;
    job.kind = JobKind::kUrgent;
    job.events.clear();
    for (std::string& e : slot.urgent_events)
      if (!e.empty()) job.events.push_back(std::move(e));
    slot.urgent_events.clear();
    slot.busy = true;
    return true;
  }
  if (due_.empty()) return false;
  const Time now = Now();
  while (!due_.empty() && due_.top().at <= now) {
    const Due d = due_.top();
    due_.pop();
    Slot& slot = *slots_[static_cast<std::size_t>(d.index)];
    // Entries go stale when a device is rescheduled; its current entry is the one that matches.
    if (slot.busy || d.at != DueOf(slot)) continue;
    slot.busy = true;
    job.index = d.index;
    job.events.clear();
    if (now >= slot.next_periodic) {
      job.kind = JobKind::kPeriodic;
      // The very first session carries the device's own boot events only.
      if (slot.booted || !options_.send_boot_events) job.events.emplace_back(kEventPeriodic);
    } else {
      job.kind = JobKind::kCheck;
    }
    return true;
  }
  return false;
}

void SimFleet::WorkerLoop() {
  ClientCache clients;
  std::unique_lock lock(sched_mu_);
  while (!stopping_) {
    Job job;
    if (!NextJob(job)) {
      sched_cv_.wait_for(lock, std::chrono::milliseconds(std::max(1, options_.poll_interval_ms)));
      continue;
    }
    lock.unlock();
    const Outcome outcome = Execute(job, clients);
    lock.lock();
    Finish(job, outcome);
  }
}

SimFleet::Outcome SimFleet::Execute(const Job& job, ClientCache& clients) {
  Slot& slot = *slots_[static_cast<std::size_t>(job.index)];
  Outcome outcome;
  const Time now = Now();
  outcome.started_at = now;
  std::string url;
  {
    std::lock_guard lock(slot.mu);
    if (job.kind == JobKind::kCheck && slot.device->PendingEvents(now).empty()) {
      outcome.interval_s = slot.device->PeriodicInformInterval();
      return outcome;  // nothing to say: no session
    }
    url = slot.device->AcsUrl();
  }
  outcome.ran = true;
  AcsEndpoint acs = acs_;
  if (url != options_.acs_url) {
    // The ACS moved this device (ManagementServer.URL): follow it, keeping the credentials.
    if (auto moved = AcsEndpointFromUrl(url, acs_.username, acs_.password, acs_.preemptive_basic)) acs = std::move(*moved);
  }
  const std::string key = acs.host + ":" + std::to_string(acs.port);
  auto it = clients.find(key);
  if (it == clients.end()) {
    if (clients.size() >= 8) clients.clear();  // bounded: only a misbehaving ACS spreads devices that far
    it = clients.emplace(key, net::HttpClient(acs.host, acs.port, options_.http_timeout_ms)).first;
  }
  SessionOptions so;
  so.send_boot_events = options_.send_boot_events;
  so.device_mutex = &slot.mu;
  so.close_connection = !options_.keep_connections;
  const auto started = Clock::now();
  auto report = RunOneSession(*slot.device, it->second, acs, job.events, now, so);
  const double ms = std::chrono::duration<double, std::milli>(Clock::now() - started).count();
  outcome.ok = report.has_value();
  RecordSession(outcome.ok, ms, outcome.ok ? std::string() : slot.serial + ": " + report.error().message);
  {
    std::lock_guard lock(slot.mu);
    outcome.interval_s = slot.device->PeriodicInformInterval();
    // After a Reboot or Download the device informs again at once, as a real one does when
    // it comes back up.
    if (outcome.ok) outcome.more_pending = !slot.device->PendingEvents(Now()).empty();
  }
  return outcome;
}

Time SimFleet::RetryDelay(int index, int failures, unsigned interval_s) const {
  // TR-069 3.2.1.1 with the default m = 5 s, k = 2: the n-th retry waits between
  // 5 * 2^(n-1) and 5 * 2^n seconds; capped here at the periodic interval.
  const int n = std::clamp(failures, 1, 10);
  const Time low = Time{5} << (n - 1);
  const Time jitter = static_cast<Time>(
      Mix(options_.seed ^ (static_cast<std::uint64_t>(index) << 20) ^ static_cast<std::uint64_t>(failures)) %
      static_cast<std::uint64_t>(low));
  return std::min<Time>(low + jitter, std::max<Time>(1, interval_s));
}

void SimFleet::Finish(const Job& job, const Outcome& outcome) {
  Slot& slot = *slots_[static_cast<std::size_t>(job.index)];
  // Schedules count from when the job ran, not from when it finished, so that a slow session
  // (or a test advancing its clock meanwhile) does not shift the device's phase.
  const Time at = outcome.started_at;
  const Time interval = std::max<Time>(1, outcome.interval_s);
  slot.busy = false;
  if (outcome.ran) {
    if (outcome.ok) {
      slot.failures = 0;
      if (job.kind == JobKind::kPeriodic) {
        // Keep the device's phase; when the fleet is behind, catch up no faster than "now".
        slot.next_periodic = slot.booted ? std::max(slot.next_periodic + interval, at) : at + interval;
      }
      slot.booted = true;
      if (outcome.interval_s != slot.interval_s) {
        // The ACS changed PeriodicInformInterval in this session: the new schedule starts now.
        slot.interval_s = outcome.interval_s;
        slot.next_periodic = at + interval;
      }
      if (outcome.more_pending && slot.urgent_events.empty()) slot.urgent_events.emplace_back();
    } else {
      ++slot.failures;
      slot.next_periodic = at + RetryDelay(job.index, slot.failures, static_cast<unsigned>(interval));
    }
  }
  if (options_.event_check_interval_s > 0) slot.next_check = at + options_.event_check_interval_s;
  due_.push({DueOf(slot), job.index});
  if (!slot.urgent_events.empty()) QueueUrgent(job.index);
  idle_cv_.notify_all();
}

bool SimFleet::RunSessionNow(int index, std::vector<std::string> events) {
  if (index < 0 || index >= size()) return false;
  Slot& slot = *slots_[static_cast<std::size_t>(index)];
  Job job{index, JobKind::kUrgent, std::move(events)};
  {
    std::unique_lock lock(sched_mu_);
    idle_cv_.wait(lock, [&] { return !slot.busy || stopping_; });
    if (stopping_) return false;
    slot.busy = true;
  }
  ClientCache clients;
  const Outcome outcome = Execute(job, clients);
  std::lock_guard lock(sched_mu_);
  Finish(job, outcome);
  return outcome.ok;
}

void SimFleet::RecordSession(bool ok, double ms, const std::string& error) {
  std::lock_guard lock(stats_mu_);
  if (!ok) {
    ++stats_.sessions_failed;
    stats_.last_error = error;
    return;
  }
  ++stats_.sessions_ok;
  // Algorithm R: a uniform sample of every session so far, in bounded memory.
  ++reservoir_seen_;
  if (reservoir_.size() < kReservoirSize) {
    reservoir_.push_back(ms);
  } else {
    const std::uint64_t j = reservoir_rng_() % reservoir_seen_;
    if (j < kReservoirSize) reservoir_[j] = ms;
  }
}

SimFleetStats SimFleet::stats() const {
  std::vector<double> sample;
  SimFleetStats out;
  {
    std::lock_guard lock(stats_mu_);
    out = stats_;
    sample = reservoir_;
  }
  if (!sample.empty()) {
    auto pick = [&](double q) {
      const auto k = static_cast<std::size_t>(q * static_cast<double>(sample.size() - 1));
      std::nth_element(sample.begin(), sample.begin() + static_cast<std::ptrdiff_t>(k), sample.end());
      return sample[k];
    };
    out.p50_session_ms = pick(0.50);
    out.p99_session_ms = pick(0.99);
  }
  return out;
}

// ---- Connection requests ----------------------------------------------------------------------

std::string SimFleet::NewNonce() {
  std::lock_guard lock(nonce_mu_);
  const auto now = Clock::now();
  // Forget expired nonces first, then the oldest beyond the cap: the table stays bounded
  // whatever a scanner sends.
  while (!nonce_order_.empty()) {
    auto it = nonces_.find(nonce_order_.front());
    const bool expired = it == nonces_.end() || now - it->second > kNonceLifetime;
    if (!expired && nonces_.size() < kMaxNonces) break;
    if (it != nonces_.end()) nonces_.erase(it);
    nonce_order_.pop_front();
  }
  std::string nonce = Hex(nonce_rng_(), nonce_rng_());
  nonces_.emplace(nonce, now);
  nonce_order_.push_back(nonce);
  return nonce;
}

bool SimFleet::TakeNonce(const std::string& nonce) {
  std::lock_guard lock(nonce_mu_);
  auto it = nonces_.find(nonce);
  if (it == nonces_.end()) return false;
  const bool fresh = Clock::now() - it->second <= kNonceLifetime;
  nonces_.erase(it);  // single use: a replayed request is challenged again
  return fresh;
}

void SimFleet::HandleConnectionRequest(net::HttpRequest&& request,
                                       const std::function<void(net::HttpResponse)>& respond) {
  auto challenge = [&](bool stale) {
    net::HttpResponse r = net::HttpResponse::Text(401, "");
    r.headers.emplace_back("WWW-Authenticate",
                           BuildDigestChallenge({.realm = std::string(kCrRealm), .nonce = NewNonce(),
                                                 .opaque = opaque_, .stale = stale}));
    respond(std::move(r));
  };
  auto refuse = [&](int status) {
    {
      std::lock_guard lock(stats_mu_);
      ++stats_.connection_requests_refused;
    }
    if (status == 401) return challenge(false);
    respond(net::HttpResponse::Text(status, ""));
  };
  if (!devices_ready_.load(std::memory_order_acquire)) return respond(net::HttpResponse::Text(503, ""));
  if (!request.path.starts_with(kCrPrefix)) return refuse(404);
  const int index = IndexOf(net::UrlDecode(std::string_view(request.path).substr(kCrPrefix.size())));
  if (index < 0 || index >= size()) return refuse(404);
  if (request.method != "GET") {
    net::HttpResponse r = net::HttpResponse::Text(405, "");
    r.headers.emplace_back("Allow", "GET");
    return respond(std::move(r));
  }
  const std::string_view header = request.Header("authorization");
  if (header.empty()) return challenge(false);  // the normal first step, not a refusal
  auto digest = ParseDigestAuthorization(header);
  if (!digest || digest->realm != kCrRealm || digest->uri != request.path) return refuse(401);
  std::string user;
  std::string password;
  WithDevice(index, [&](SimDevice& d) {
    user = d.ConnectionRequestUsername();
    password = d.ConnectionRequestPassword();
  });
  if (digest->username != user || !VerifyDigest(*digest, "GET", password)) return refuse(401);
  // Right credentials on a nonce we did not issue (or already used, or expired): RFC 7616's
  // stale=true tells the client to retry with the new nonce rather than ask for a password.
  if (!TakeNonce(digest->nonce)) return challenge(true);
  {
    std::lock_guard lock(stats_mu_);
    ++stats_.connection_requests;
  }
  // The session itself runs on a worker: the ACS gets its 200 at once, then the Inform.
  TriggerSession(index, {std::string(kEventConnectionRequest)});
  respond(net::HttpResponse::Text(200, ""));
}

}  // namespace hilo::cwmp
