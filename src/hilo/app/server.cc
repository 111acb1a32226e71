#include "hilo/app/server.h"


#include "hilo/base/worker_pool.h"
#include "hilo/net/http_server.h"

namespace hilo::app {

Result<std::pair<std::string, std::uint16_t>> SplitHostPort(const std::string& listen) {
  auto colon = listen.rfind(':');
  if (colon == std::string::npos) return Fail(Errc::kInvalidArgument, "a listen address is HOST:PORT, not '" + listen + "'");
  int port = std::atoi(listen.c_str() + colon + 1);
  if (port < 0 || port > 65535) return Fail(Errc::kInvalidArgument, "bad port in '" + listen + "'");
  std::string host = listen.substr(0, colon);
  if (host.empty()) host = "0.0.0.0";
  return std::pair{host, static_cast<std::uint16_t>(port)};
}

struct Server::Impl {
  Store& store;
  ServerConfig config;
  std::unique_ptr<http::Api> api;
  std::unique_ptr<cwmp::Acs> acs;
  std::unique_ptr<net::HttpServer> api_server;
  std::unique_ptr<net::HttpServer> acs_server;
  std::unique_ptr<WorkerPool> waker;  // connection requests block on the network: off the I/O threads
  std::uint16_t api_port = 0;
  std::uint16_t acs_port = 0;

  Impl(Store& s, ServerConfig c) : store(s), config(std::move(c)) {}
};

Server::Server(Store& store, ServerConfig config) : impl_(std::make_unique<Impl>(store, std::move(config))) {}
Server::~Server() { Stop(); }

Status Server::Start() {
  auto& c = impl_->config;
  impl_->waker = std::make_unique<WorkerPool>(4);
  http::ApiOptions api_options;
  api_options.now = c.now;
  api_options.access_log = c.access_log;
  api_options.banner = c.banner;
  api_options.password_cost = c.password_cost;
  std::string secret = c.acs.connection_request_secret;
  WorkerPool* waker = impl_->waker.get();
  api_options.wake_gateway = [waker, secret](const Cpe& cpe, std::function<void(Status)> done) {
    waker->Post([cpe, secret, done = std::move(done)] {
      done(cwmp::SendConnectionRequest(cpe.connection_request_url, cpe.serial,
                                       cwmp::ConnectionRequestPassword(secret, cpe.serial)));
    });
  };
  auto engine = std::make_shared<const diagnosis::Engine>(c.thresholds);
  api_options.engine = engine;
  api_options.care = c.care;
  impl_->api = std::make_unique<http::Api>(impl_->store, api_options);

  auto api_hp = SplitHostPort(c.api_listen);
  if (!api_hp) return std::unexpected(api_hp.error());
  net::ServerOptions api_server_options;
  api_server_options.address = api_hp->first;
  api_server_options.port = api_hp->second;
  api_server_options.threads = c.threads;
  api_server_options.error_response = [](int status, std::string_view code, std::string_view message) {
    return http::Api::ErrorResponse(status, code, message);
  };
  http::Api* api = impl_->api.get();
  impl_->api_server = std::make_unique<net::HttpServer>(api_server_options, [api](net::HttpRequest&& r, net::Responder d) {
    api->Handle(std::move(r), std::move(d));
  });
  net::HttpServer* api_server = impl_->api_server.get();
  impl_->api->SetConnectionGauge([api_server] { return api_server->open_connections(); });
  auto api_port = impl_->api_server->Start();
  if (!api_port) return std::unexpected(api_port.error());
  impl_->api_port = *api_port;

  if (!c.acs_listen.empty()) {
    cwmp::AcsOptions acs_options = c.acs;
    acs_options.now = c.now;
    // What the gateway answers reaches the case: remote actions' results and verification.
    care::CareOptions care = c.care;
    acs_options.on_task_finished = [care](StoreTx& tx, const Cpe& cpe, const CpeTask& task, Time now) {
      return care::OnTaskFinished(tx, cpe, task, now, care);
    };
    acs_options.on_snapshot = [care, engine](StoreTx& tx, const Cpe& cpe, const telemetry::DeviceSnapshot& snap, Time now) {
      return care::OnSnapshot(tx, cpe, snap, now, *engine, care);
    };
    impl_->acs = std::make_unique<cwmp::Acs>(impl_->store, acs_options);
    auto acs_hp = SplitHostPort(c.acs_listen);
    if (!acs_hp) return std::unexpected(acs_hp.error());
    net::ServerOptions acs_server_options;
    acs_server_options.address = acs_hp->first;
    acs_server_options.port = acs_hp->second;
    acs_server_options.threads = c.threads;
    acs_server_options.server_name = "hilo-acs";
    cwmp::Acs* acs = impl_->acs.get();
    impl_->acs_server = std::make_unique<net::HttpServer>(acs_server_options, [acs](net::HttpRequest&& r, net::Responder d) {
      acs->Handle(std::move(r), std::move(d));
    });
    auto acs_port = impl_->acs_server->Start();
    if (!acs_port) return std::unexpected(acs_port.error());
    impl_->acs_port = *acs_port;
  }
  return Ok();
}

void Server::Stop() {
  if (!impl_) return;
  // Queued writes answer through the servers' sessions: let them finish while those exist.
  if (impl_->api_server || impl_->acs_server) (void)impl_->store.WriteSync([](StoreTx&) { return Ok(); });
  if (impl_->acs_server) impl_->acs_server->Stop();
  if (impl_->api_server) impl_->api_server->Stop();
  impl_->waker.reset();
  impl_->api.reset();
  impl_->acs.reset();
}

std::uint16_t Server::api_port() const { return impl_->api_port; }
std::uint16_t Server::acs_port() const { return impl_->acs_port; }
http::Api& Server::api() { return *impl_->api; }
cwmp::Acs* Server::acs() { return impl_->acs.get(); }

}  // namespace hilo::app
