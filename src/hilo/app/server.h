#pragma once
// Server: the whole of `hilo serve` wired together — store, JSON API, ACS, connection
// requests — so that main() and end-to-end tests start exactly the same thing.
//
//   app::Server server(store, {.api_listen = "127.0.0.1:0", .acs_listen = "127.0.0.1:0"});
//   auto started = server.Start();        // binds both ports
//   server.api_port(); server.acs_port();
//   server.Stop();

#include <functional>
#include <memory>
#include <string>

#include "hilo/core/store.h"
#include "hilo/cwmp/acs.h"
#include "hilo/http/api.h"
#include "hilo/care/care.h"
#include "hilo/diagnosis/thresholds.h"

namespace hilo::app {

struct ServerConfig {
  std::string api_listen = "127.0.0.1:8080";
  std::string acs_listen = "127.0.0.1:7547";  // empty: no ACS
  int threads = 2;
  std::function<Time()> now;
  std::FILE* access_log = stdout;
  std::string banner;
  cwmp::AcsOptions acs;        // now/hooks are filled in by Start
  http::Argon2Cost password_cost;
  diagnosis::Thresholds thresholds;  // from config/diagnosis.conf
  care::CareOptions care;
};

class Server {
 public:
  Server(Store& store, ServerConfig config);
  ~Server();
  Status Start();
  void Stop();
  std::uint16_t api_port() const;
  std::uint16_t acs_port() const;
  http::Api& api();
  cwmp::Acs* acs();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

Result<std::pair<std::string, std::uint16_t>> SplitHostPort(const std::string& listen);

}  // namespace hilo::app
