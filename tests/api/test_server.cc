#include "test_server.h"

#include <gtest/gtest.h>
#include <unistd.h>

namespace hilo::testing {

Value Obj(std::initializer_list<std::pair<const char*, Value>> members) {
  Value v = Value::MakeObject();
  for (const auto& [k, val] : members) v.Set(k, val);
  return v;
}

TestServer::TestServer() {
  static std::atomic<int> counter{0};
  dir_ = std::filesystem::temp_directory_path() /
         ("hilo-api-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
  std::filesystem::remove_all(dir_);
  std::filesystem::create_directories(dir_);
  auto store = SqliteStore::Open((dir_ / "hilo.db").string(), {});
  if (!store) throw std::runtime_error(store.error().message);
  store_ = std::move(*store);
  http::ApiOptions options;
  options.now = [this] { return clock_.load(); };
  options.password_cost = {.time_cost = 1, .memory_kib = 1024, .parallelism = 1};
  options.access_log = nullptr;
  options.engine = std::make_shared<const diagnosis::Engine>();
  api_ = std::make_unique<http::Api>(*store_, options);
  net::ServerOptions server_options;
  server_options.threads = 2;
  server_options.error_response = [](int status, std::string_view code, std::string_view message) {
    return http::Api::ErrorResponse(status, code, message);
  };
  server_ = std::make_unique<net::HttpServer>(server_options, [this](net::HttpRequest&& r, net::Responder done) {
    api_->Handle(std::move(r), std::move(done));
  });
  auto port = server_->Start();
  if (!port) throw std::runtime_error(port.error().message);
  port_ = *port;
}

TestServer::~TestServer() {
  server_->Stop();
  api_.reset();
  store_.reset();
  std::filesystem::remove_all(dir_);
}

Id TestServer::AddCustomer(const std::string& name, Language lang) {
  Id id = 0;
  auto s = store_->WriteSync([&](StoreTx& tx) -> Status {
    auto r = tx.InsertCustomer({.name = name, .language = lang, .customer_since = 978307200});
    if (!r) return std::unexpected(r.error());
    id = *r;
    return Ok();
  });
  if (!s) throw std::runtime_error(s.error().message);
  return id;
}

Id TestServer::AddService(Id customer, ServiceKind kind) {
  Id id = 0;
  auto s = store_->WriteSync([&](StoreTx& tx) -> Status {
    auto r = tx.InsertService({.customer_id = customer, .kind = kind, .plan = "plan"});
    if (!r) return std::unexpected(r.error());
    id = *r;
    return Ok();
  });
  if (!s) throw std::runtime_error(s.error().message);
  return id;
}

Id TestServer::AddUser(const std::string& username, Role role, Id customer, const std::string& display) {
  auto hash = http::HashPassword("password123", {.time_cost = 1, .memory_kib = 1024, .parallelism = 1});
  Id id = 0;
  auto s = store_->WriteSync([&](StoreTx& tx) -> Status {
    User u{.username = username, .display_name = display.empty() ? username : display, .role = role,
           .customer_id = customer};
    auto r = tx.InsertUser(u, *hash);
    if (!r) return std::unexpected(r.error());
    id = *r;
    return Ok();
  });
  if (!s) throw std::runtime_error(s.error().message);
  return id;
}

Id TestServer::SeedBasics() {
  customer_id = AddCustomer("Carlos Muñoz");
  service_id = AddService(customer_id);
  for (Role role : {Role::kCustomer, Role::kAgent, Role::kSupervisor, Role::kManager, Role::kTechnician, Role::kAdmin}) {
    std::string name(RoleName(role));
    user_ids[role] = AddUser(name, role, role == Role::kCustomer ? customer_id : 0);
    tokens[role] = Login(name);
  }
  return customer_id;
}

std::string TestServer::Login(const std::string& username, const std::string& password) {
  auto r = Post("", "/api/v1/auth/login", Obj({{"username", username}, {"password", password}}));
  if (r.status != 200) throw std::runtime_error("login failed for " + username + ": " + r.text);
  return r.json.Get("token").AsString();
}

Reply TestServer::Call(const std::string& token, const std::string& method, const std::string& target,
                       const std::string& body, const std::vector<std::pair<std::string, std::string>>& headers) {
  net::HttpClient client("127.0.0.1", port_);
  net::ClientRequest req{.method = method, .target = target, .body = body, .headers = headers};
  if (!token.empty()) req.headers.emplace_back("Authorization", "Bearer " + token);
  if (!body.empty()) req.headers.emplace_back("Content-Type", "application/json");
  auto r = client.Send(req);
  if (!r) throw std::runtime_error("HTTP failed: " + r.error().message);
  Reply out;
  out.status = r->status;
  out.text = r->body;
  if (r->Header("content-type").starts_with("application/json")) {
    auto parsed = ParseJson(r->body);
    if (parsed) out.json = std::move(*parsed);
  }
  return out;
}

}  // namespace hilo::testing
