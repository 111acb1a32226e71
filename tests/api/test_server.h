#pragma once
// TestServer: the real thing on loopback for API tests — a SQLite file in a temporary
// directory, the Api with a simulated clock, the Beast server on an ephemeral port — plus a
// signed-in client per role.

#include <atomic>
#include <filesystem>
#include <map>
#include <memory>
#include <string>

#include "hilo/core/cases.h"
#include "hilo/http/api.h"
#include "hilo/json/json.h"
#include "hilo/net/http_client.h"
#include "hilo/net/http_server.h"
#include "hilo/store/sqlite/sqlite_store.h"

namespace hilo::testing {

struct Reply {
  int status = 0;
  Value json;
  std::string text;
};

class TestServer {
 public:
  TestServer();
  ~TestServer();

  Store& store() { return *store_; }
  std::uint16_t port() const { return port_; }
  Time now() const { return clock_.load(); }
  void Advance(Time seconds) { clock_ += seconds; }

  // Seeds a customer (with an internet service) and one user per role; the customer user
  // belongs to that customer. Returns the customer id.
  Id SeedBasics();
  Id AddCustomer(const std::string& name, Language lang = Language::kEs);
  Id AddService(Id customer, ServiceKind kind = ServiceKind::kInternet);
  Id AddUser(const std::string& username, Role role, Id customer_id = 0, const std::string& display = "");

  // Signs in over HTTP (argon2id at a low test cost) and keeps the bearer token.
  std::string Login(const std::string& username, const std::string& password = "password123");

  Reply Call(const std::string& token, const std::string& method, const std::string& target,
             const std::string& body = "", const std::vector<std::pair<std::string, std::string>>& headers = {});
  Reply Get(const std::string& token, const std::string& target) { return Call(token, "GET", target); }
  Reply Post(const std::string& token, const std::string& target, const Value& body) {
    return Call(token, "POST", target, ToJson(body));
  }

  std::map<Role, std::string> tokens;  // filled by SeedBasics
  std::map<Role, Id> user_ids;
  Id customer_id = 0;
  Id service_id = 0;
  const http::Api& api() const { return *api_; }

 private:
  std::filesystem::path dir_;
  std::atomic<Time> clock_{1764000000};  // 2025-11-24, a fixed simulated start
  std::unique_ptr<SqliteStore> store_;
  std::unique_ptr<http::Api> api_;
  std::unique_ptr<net::HttpServer> server_;
  std::uint16_t port_ = 0;
};

// Value builder: Obj({{"a", 1}, {"b", "x"}}).
Value Obj(std::initializer_list<std::pair<const char*, Value>> members);

}  // namespace hilo::testing
