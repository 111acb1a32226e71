// The agent's side of the ACS, end to end: JSON API -> task -> connection request -> CWMP
// session with a simulated gateway -> the change shows in the gateway and on the agent's screen.
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <thread>

#include "hilo/app/server.h"
#include "hilo/cwmp/sim_fleet.h"
#include "hilo/http/credentials.h"
#include "hilo/json/json.h"
#include "hilo/net/http_client.h"
#include "hilo/store/sqlite/sqlite_store.h"

namespace hilo::testing {
namespace {

Value Obj2(std::initializer_list<std::pair<const char*, Value>> members) {
  Value v = Value::MakeObject();
  for (const auto& [k, val] : members) v.Set(k, val);
  return v;
}

class ApiAcs : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("hilo-e2e-" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    store_ = std::move(*SqliteStore::Open((dir_ / "hilo.db").string(), {}));
    auto hash = http::HashPassword("password123", {.time_cost = 1, .memory_kib = 1024, .parallelism = 1});
    ASSERT_TRUE(store_->WriteSync([&](StoreTx& tx) -> Status {
      customer_ = *tx.InsertCustomer({.name = "Carlos Muñoz"});
      device_ = *tx.InsertDevice({.customer_id = customer_, .kind = DeviceKind::kGateway, .oui = "A0B1C2",
                                  .product_class = "HGW-3000", .serial = "HLO0001001"});
      HILO_TRY(tx.InsertUser({.username = "ana", .display_name = "Ana", .role = Role::kAgent}, *hash));
      return Ok();
    }));
    app::ServerConfig config;
    config.api_listen = "127.0.0.1:0";
    config.acs_listen = "127.0.0.1:0";
    config.now = [] { return static_cast<Time>(std::time(nullptr)); };
    config.access_log = nullptr;
    config.password_cost = {.time_cost = 1, .memory_kib = 1024, .parallelism = 1};
    server_ = std::make_unique<app::Server>(*store_, config);
    ASSERT_TRUE(server_->Start());
    cwmp::SimFleetOptions fleet;
    fleet.acs_url = "http://127.0.0.1:" + std::to_string(server_->acs_port()) + "/";
    fleet.devices = 1;
    fleet.first_serial = "HLO0001001";
    fleet.spread_first_inform = false;
    fleet.now = config.now;
    fleet_ = std::make_unique<cwmp::SimFleet>(fleet);
    ASSERT_TRUE(fleet_->Start());
    ASSERT_TRUE(fleet_->RunSessionNow(0, {}));
    token_ = Login();
  }
  void TearDown() override {
    if (fleet_) fleet_->Stop();
    server_.reset();
    store_.reset();
    std::filesystem::remove_all(dir_);
  }

  std::string Login() {
    auto r = Call("POST", "/api/v1/auth/login", R"({"username":"ana","password":"password123"})", "");
    return r.Get("token").AsString();
  }
  Value Call(const std::string& method, const std::string& target, const std::string& body, const std::string& token,
             int* status = nullptr) {
    net::HttpClient client("127.0.0.1", server_->api_port());
    net::ClientRequest req{.method = method, .target = target, .body = body};
    if (!token.empty()) req.headers.emplace_back("Authorization", "Bearer " + token);
    auto r = client.Send(req);
    EXPECT_TRUE(r);
    if (!r) return Value();
    if (status) *status = r->status;
    auto v = ParseJson(r->body);
    return v ? *v : Value();
  }
  // Waits (briefly, with a deadline) for the gateway's session to finish the task.
  Value WaitForTask(Id gateway, Id task) {
    for (int i = 0; i < 100; ++i) {
      auto tasks = Call("GET", "/api/v1/gateways/" + std::to_string(gateway) + "/tasks", "", token_);
      for (const auto& t : tasks.Get("tasks").AsArray())
        if (t.Get("id").AsInt() == task && (t.Get("status").AsString() == "done" || t.Get("status").AsString() == "fault"))
          return t;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return Value();
  }

  std::filesystem::path dir_;
  std::unique_ptr<SqliteStore> store_;
  std::unique_ptr<app::Server> server_;
  std::unique_ptr<cwmp::SimFleet> fleet_;
  Id customer_ = 0, device_ = 0;
  std::string token_;
};

TEST_F(ApiAcs, AgentSeesTheLiveGatewayAndReconfiguresAndRebootsIt) {
  auto view = Call("GET", "/api/v1/customers/" + std::to_string(customer_) + "/360", "", token_);
  ASSERT_EQ(view.Get("gateways").AsArray().size(), 1u) << ToJson(view);
  const Value& gw = view.Get("gateways").AsArray()[0];
  EXPECT_TRUE(gw.Get("online").AsBool());
  EXPECT_EQ(gw.Get("device_id").AsInt(), device_) << "linked on its first inform";
  EXPECT_GE(gw.Get("snapshot").Get("radios").AsArray().size(), 2u);
  EXPECT_FALSE(gw.Get("snapshot").Get("clients").AsArray().empty()) << "connected clients with their signal";
  Id gateway = gw.Get("id").AsInt();

  int status = 0;
  auto queued = Call("POST", "/api/v1/gateways/" + std::to_string(gateway) + "/tasks",
                     ToJson(Obj2({{"kind", "set_parameter_values"},
                                  {"args", Obj2({{"values", Value::MakeArray({Obj2({{"name", "Device.WiFi.Radio.1.Channel"},
                                                                                   {"value", "11"}, {"type", "xsd:unsignedInt"}})})}})}})),
                     token_, &status);
  ASSERT_EQ(status, 202) << ToJson(queued);
  EXPECT_TRUE(queued.Get("connection_request").Get("reached").AsBool()) << ToJson(queued);
  auto done = WaitForTask(gateway, queued.Get("task").Get("id").AsInt());
  ASSERT_EQ(done.Get("status").AsString(), "done") << ToJson(done);
  std::string channel = fleet_->WithDevice(0, [](cwmp::SimDevice& d) {
    return d.GetValue("Device.WiFi.Radio.1.Channel", static_cast<Time>(std::time(nullptr))).value_or("");
  });
  EXPECT_EQ(channel, "11");

  auto reboot = Call("POST", "/api/v1/gateways/" + std::to_string(gateway) + "/tasks", R"({"kind":"reboot"})", token_, &status);
  ASSERT_EQ(status, 202);
  auto rebooted = WaitForTask(gateway, reboot.Get("task").Get("id").AsInt());
  EXPECT_EQ(rebooted.Get("status").AsString(), "done");

  // The gateway goes away: the agent is told the task waits for the next periodic inform.
  fleet_->Stop();
  fleet_.reset();
  auto waiting = Call("POST", "/api/v1/gateways/" + std::to_string(gateway) + "/tasks", R"({"kind":"reboot"})", token_, &status);
  ASSERT_EQ(status, 202);
  EXPECT_FALSE(waiting.Get("connection_request").Get("reached").AsBool());
  EXPECT_NE(waiting.Get("connection_request").Get("detail").AsString().find("next periodic inform"), std::string::npos);
  EXPECT_EQ(waiting.Get("task").Get("status").AsString(), "pending");
}

TEST_F(ApiAcs, BadTaskInputIsRefusedClearly) {
  int status = 0;
  auto r = Call("POST", "/api/v1/gateways/999/tasks", R"({"kind":"reboot"})", token_, &status);
  EXPECT_EQ(status, 404);
  r = Call("POST", "/api/v1/gateways/1/tasks", R"({"kind":"explode"})", token_, &status);
  EXPECT_EQ(status, 400);
  r = Call("POST", "/api/v1/gateways/1/tasks", R"({"kind":"download","args":{"url":"ftp://x"}})", token_, &status);
  EXPECT_EQ(status, 400);
  EXPECT_EQ(r.Get("error").Get("field").AsString(), "url");
}

}  // namespace
}  // namespace hilo::testing
