#pragma once
// AcsFixture: a real ACS on loopback (SQLite file, hilo::cwmp::Acs, Beast server) and a way to
// run real CWMP sessions from simulated gateways against it.

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <memory>

#include "hilo/cwmp/acs.h"
#include "hilo/cwmp/sim_device.h"
#include "hilo/cwmp/soap.h"
#include "hilo/net/http_client.h"
#include "hilo/net/http_server.h"
#include "hilo/store/sqlite/sqlite_store.h"

namespace hilo::testing {

struct SessionResult {
  bool completed = false;
  int posts = 0;
  int last_status = 0;
  std::vector<std::string> rpcs;  // methods the ACS sent
};

class AcsFixture : public ::testing::Test {
 protected:
  void SetUp() override {
    static std::atomic<int> n{0};
    dir_ = std::filesystem::temp_directory_path() / ("hilo-acs-" + std::to_string(::getpid()) + "-" + std::to_string(n++));
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    OpenStore();
    StartAcs();
  }
  void TearDown() override {
    StopAcs();
    store_.reset();
    std::filesystem::remove_all(dir_);
  }
  void OpenStore() {
    auto s = SqliteStore::Open((dir_ / "hilo.db").string(), {});
    ASSERT_TRUE(s) << s.error().message;
    store_ = std::move(*s);
  }
  void StartAcs() {
    options_.now = [this] { return clock_.load(); };
    acs_ = std::make_unique<cwmp::Acs>(*store_, options_);
    server_ = std::make_unique<net::HttpServer>(net::ServerOptions{.port = 0, .threads = 2},
                                                [this](net::HttpRequest&& r, net::Responder d) { acs_->Handle(std::move(r), std::move(d)); });
    auto port = server_->Start();
    ASSERT_TRUE(port) << port.error().message;
    port_ = *port;
  }
  void StopAcs() {
    // Let queued writes finish first: their completions answer through the server's sessions,
    // which must still exist (seen: a double free at teardown under load).
    if (store_) (void)store_->WriteSync([](StoreTx&) { return Ok(); });
    if (server_) server_->Stop();
    server_.reset();
    acs_.reset();
  }
  void Restart() {
    StopAcs();
    store_.reset();
    OpenStore();
    StartAcs();
  }

  cwmp::SimDeviceConfig Config(std::string serial, cwmp::DataModel model = cwmp::DataModel::kTr181) {
    cwmp::SimDeviceConfig c;
    c.serial_number = std::move(serial);
    c.data_model = model;
    c.oui = "A0B1C2";
    c.product_class = "HGW-3000";
    c.boot_time = clock_ - kDay;
    c.acs_url = "http://127.0.0.1:" + std::to_string(port_) + "/";
    return c;
  }

  // One full CWMP session over real HTTP. `auth` is an Authorization header to send first.
  SessionResult RunSession(cwmp::SimDevice& dev, std::vector<std::string> events, const std::string& auth = "",
                           int stop_after_posts = -1) {
    SessionResult result;
    net::HttpClient client("127.0.0.1", port_);
    Time now = clock_;
    cwmp::Envelope out = dev.BeginSession(std::move(events), now);
    for (int guard = 0; guard < 100; ++guard) {
      net::ClientRequest req{.method = "POST", .target = "/", .body = cwmp::WriteEnvelope(out)};
      req.headers.emplace_back("Content-Type", "text/xml; charset=utf-8");
      if (!auth.empty()) req.headers.emplace_back("Authorization", auth);
      auto resp = client.Send(req);
      ++result.posts;
      if (!resp) return result;
      result.last_status = resp->status;
      if (resp->status == 401) return result;
      if (stop_after_posts >= 0 && result.posts >= stop_after_posts) {  // the CPE "disconnects"
        result.rpcs.push_back("cut after: " + resp->body.substr(0, 600));
        return result;
      }
      auto in = cwmp::ParseEnvelope(resp->status == 204 ? std::string_view() : std::string_view(resp->body));
      if (!in) return result;
      if (in->body) result.rpcs.emplace_back(cwmp::MethodName(*in->body));
      auto next = dev.Continue(*in, now);
      if (!next) {
        result.completed = true;
        return result;
      }
      out = *next;
    }
    return result;
  }

  template <typename F>
  void Read(F&& fn) {
    auto s = store_->Read([&](StoreReader& r) -> Status {
      fn(r);
      return Ok();
    });
    ASSERT_TRUE(s) << s.error().message;
  }

  Cpe GetCpe(const std::string& serial) {
    Cpe cpe;
    Read([&](StoreReader& r) {
      auto c = r.FindCpe("A0B1C2", "HGW-3000", serial);
      EXPECT_TRUE(c && *c) << "no CPE " << serial;
      if (c && *c) cpe = **c;
    });
    return cpe;
  }

  Id Queue(Id cpe_id, TaskKind kind, Value args) {
    Id id = 0;
    auto s = store_->WriteSync([&](StoreTx& tx) -> Status {
      auto t = MakeTask(cpe_id, kind, args, clock_, kDay);
      if (!t) return std::unexpected(t.error());
      auto r = tx.InsertTask(*t);
      if (!r) return std::unexpected(r.error());
      id = *r;
      return Ok();
    });
    EXPECT_TRUE(s) << s.error().message;
    return id;
  }

  CpeTask Task(Id id) {
    CpeTask t;
    Read([&](StoreReader& r) { t = *r.GetTask(id); });
    return t;
  }

  std::filesystem::path dir_;
  std::atomic<Time> clock_{1795000000};
  cwmp::AcsOptions options_;
  std::unique_ptr<SqliteStore> store_;
  std::unique_ptr<cwmp::Acs> acs_;
  std::unique_ptr<net::HttpServer> server_;
  std::uint16_t port_ = 0;
};

inline Value Obj(std::initializer_list<std::pair<const char*, Value>> members) {
  Value v = Value::MakeObject();
  for (const auto& [k, val] : members) v.Set(k, val);
  return v;
}

}  // namespace hilo::testing
