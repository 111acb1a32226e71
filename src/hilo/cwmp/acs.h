#pragma once
// Acs: the TR-069 auto-configuration server. It speaks CWMP over HTTP (sessions kept by
// cookie, or by TCP connection for CPEs that drop cookies), keeps what gateways report, runs
// their task queues, and provisions them.
//
//   cwmp::Acs acs(store, {.now = WallClock});
//   net::HttpServer server({.port = 7547}, [&](net::HttpRequest&& r, net::Responder done) {
//     acs.Handle(std::move(r), std::move(done));
//   });
//
// A session: Inform -> InformResponse; then the CPE's own requests (TransferComplete,
// GetRPCMethods) are answered; then on each empty POST or RPC response the ACS sends the next
// RPC -- first the Wi-Fi statistics (GetParameterValues), then queued tasks in order -- and ends
// with 204 No Content. Tasks live in the store: a task sent in a session that dies goes back to
// pending; none is lost. The default lets an unknown gateway in (and lists it for linking)
// rather than lock it out, because many CPEs treat a 401 or 503 as fatal. Thread-safe.

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "hilo/core/store.h"
#include "hilo/net/http_server.h"
#include "hilo/telemetry/snapshot.h"

namespace hilo::cwmp {

enum class AcsAuthMode { kNone, kBasic, kDigest };

struct AcsOptions {
  std::function<Time()> now;
  AcsAuthMode auth = AcsAuthMode::kNone;
  std::string username;  // shared CPE credentials when auth != kNone
  std::string password;
  bool accept_basic_with_digest = true;  // some CPEs send Basic pre-emptively and have no Digest
  std::string realm = "hilo";
  int periodic_inform_interval_s = 300;  // provisioned on BOOTSTRAP / BOOT
  // Connection-request credentials are provisioned too: username = serial, password derived
  // from this secret and the serial, so the ACS can recompute it and stores no password.
  std::string connection_request_secret = "change-me";
  int session_timeout_s = 30;
  Time task_ttl = 7 * kDay;
  Time history_keep = 24 * kHour;        // raw history kept; older points are downsampled hourly
  // Parameter paths fetched in every session, per data model (partial paths end in '.').
  std::vector<std::string> tr181_stats = {"Device.DeviceInfo.", "Device.WiFi.", "Device.Hosts.", "Device.DOCSIS."};
  std::vector<std::string> tr098_stats = {"InternetGatewayDevice.DeviceInfo.", "InternetGatewayDevice.LANDevice."};
  // Called inside the store transaction that records a finished task (done or fault), and
  // after each new telemetry snapshot: later modules hang remote-action and verification
  // events on the case here.
  std::function<Status(StoreTx&, const Cpe&, const CpeTask&, Time)> on_task_finished;
  std::function<Status(StoreTx&, const Cpe&, const telemetry::DeviceSnapshot&, Time)> on_snapshot;
};

struct AcsStats {
  std::uint64_t sessions_started = 0;
  std::uint64_t sessions_completed = 0;
  std::uint64_t sessions_abandoned = 0;
  std::uint64_t auth_failures = 0;
  std::uint64_t faults_sent = 0;
  std::size_t active_sessions = 0;
};

class Acs {
 public:
  Acs(Store& store, AcsOptions options);
  ~Acs();
  void Handle(net::HttpRequest&& request, net::Responder respond);
  AcsStats Stats() const;
  // Ends idle sessions now (tests; normally done lazily as requests arrive).
  void SweepIdleSessions();

  class Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

// The connection-request password provisioned for a serial.
std::string ConnectionRequestPassword(const std::string& secret, const std::string& serial);

// HTTP GET to the gateway's ConnectionRequestURL with Digest (or Basic) authentication.
// Blocking; call it off the I/O threads. Errors: kUnavailable (unreachable, refused, bad
// credentials), kInvalidArgument (no or bad URL).
Status SendConnectionRequest(const std::string& url, const std::string& username, const std::string& password,
                             int timeout_ms = 3000);

}  // namespace hilo::cwmp
