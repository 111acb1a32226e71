#pragma once
// Api: the JSON API under /api/v1, plus /healthz, /metrics and the landing page.
//
//   Api api(store, {.now = [] { return WallClock(); }});
//   net::HttpServer server(options, [&api](net::HttpRequest&& r, net::Responder done) {
//     api.Handle(std::move(r), std::move(done));
//   });
//
// Routing, authentication and authorization happen here, once; handlers translate JSON to core
// calls and back. Read routes answer on the calling I/O thread (SQLite reads are
// sub-millisecond); write routes answer from the store's writer thread after the commit.
// Thread-safe.

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "hilo/care/care.h"
#include "hilo/core/cases.h"
#include "hilo/diagnosis/engine.h"
#include "hilo/core/store.h"
#include "hilo/http/credentials.h"
#include "hilo/net/http_server.h"

namespace hilo::http {

struct ApiOptions {
  std::function<Time()> now;            // the clock; tests pass a simulated one
  CasePolicy case_policy;
  Argon2Cost password_cost;
  Time session_ttl = 12 * kHour;
  Time token_ttl = 365 * kDay;
  std::FILE* access_log = stderr;       // one line per request; nullptr = off
  std::string banner;                   // extra text on the landing page (demo logins)
  // Asks a gateway to open a CWMP session now (connection request); wired by the app to the
  // ACS. done(status) may run on any thread. Unset: tasks wait for the next periodic inform.
  std::function<void(const Cpe&, std::function<void(Status)>)> wake_gateway;
  Time task_ttl = 7 * kDay;
  // Diagnosis, remediation and probes (issue 4). Without an engine those routes answer 503.
  std::shared_ptr<const diagnosis::Engine> engine;
  care::CareOptions care;
};

struct RouteInfo {
  std::string method;
  std::string pattern;  // "/api/v1/cases/{id}"
};

class Api {
 public:
  Api(Store& store, ApiOptions options);
  ~Api();

  void Handle(net::HttpRequest&& request, net::Responder respond);
  // Where /metrics reads the open-connection gauge from (the server, once it exists).
  void SetConnectionGauge(std::function<std::uint64_t()> gauge);
  // Every route, for the OpenAPI document test.
  std::vector<RouteInfo> Routes() const;
  // The HTTP error body used for every error (also by the server for 400/413).
  static net::HttpResponse ErrorResponse(int status, std::string_view code, std::string_view message,
                                         std::string_view field = {});

  class Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

// Errc -> HTTP status, in one place.
int HttpStatusFor(Errc code);

}  // namespace hilo::http
