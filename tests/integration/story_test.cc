// The product story, end to end, the way it should go: three laptops degraded since a firmware
// update; the customer reports it once, by chat; within that contact hilo names the common
// cause with evidence; the remote fix is applied through the ACS and verified from the data.
// Second run: the line is the problem, nothing remote fixes it, and a technician is the next
// step, with its reason. JSON API + ACS + simulated gateway, real HTTP on loopback.
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <thread>

#include "hilo/app/server.h"
#include "hilo/care/care.h"
#include "hilo/diagnosis/findings_value.h"
#include "hilo/cwmp/sim_fleet.h"
#include "hilo/http/credentials.h"
#include "hilo/json/json.h"
#include "hilo/net/http_client.h"
#include "hilo/store/sqlite/sqlite_store.h"

namespace hilo::testing {
namespace {

class Story : public ::testing::Test {
 protected:
  void Start(cwmp::SimFault fault, bool docsis) {
    dir_ = std::filesystem::temp_directory_path() / ("hilo-story-" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    store_ = std::move(*SqliteStore::Open((dir_ / "hilo.db").string(), {}));
    auto hash = http::HashPassword("password123", {.time_cost = 1, .memory_kib = 1024, .parallelism = 1});
    ASSERT_TRUE(store_->WriteSync([&](StoreTx& tx) -> Status {
      customer_ = *tx.InsertCustomer({.name = "Carlos Muñoz", .language = Language::kEs, .customer_since = 978307200});
      internet_ = *tx.InsertService({.customer_id = customer_, .kind = ServiceKind::kInternet, .plan = "600 Mbps"});
      HILO_TRY(tx.InsertDevice({.customer_id = customer_, .kind = DeviceKind::kGateway, .oui = "A0B1C2",
                                .product_class = "HGW-3000", .serial = "HLO0001001"}));
      HILO_TRY(tx.InsertUser({.username = "carlos", .display_name = "Carlos", .role = Role::kCustomer, .customer_id = customer_}, *hash));
      HILO_TRY(tx.InsertUser({.username = "valentina", .display_name = "Valentina", .role = Role::kAgent}, *hash));
      return Ok();
    }));
    app::ServerConfig config;
    config.api_listen = "127.0.0.1:0";
    config.acs_listen = "127.0.0.1:0";
    config.now = [this] { return clock_.load(); };
    config.access_log = nullptr;
    config.password_cost = {.time_cost = 1, .memory_kib = 1024, .parallelism = 1};
    server_ = std::make_unique<app::Server>(*store_, config);
    ASSERT_TRUE(server_->Start());
    cwmp::SimFleetOptions fleet;
    fleet.acs_url = "http://127.0.0.1:" + std::to_string(server_->acs_port()) + "/";
    fleet.devices = 1;
    fleet.first_serial = "HLO0001001";
    fleet.docsis = docsis;
    fleet.spread_first_inform = false;
    fleet.periodic_interval_s = 86400;  // the test drives the sessions
    fleet.now = [this] { return clock_.load(); };
    fleet_ = std::make_unique<cwmp::SimFleet>(fleet);
    ASSERT_TRUE(fleet_->Start());
    // A healthy morning of 5-minute reports, then the fault (a firmware update, or line noise).
    ASSERT_TRUE(fleet_->RunSessionNow(0, {}));
    Sessions(4);
    fleet_->WithDevice(0, [&](cwmp::SimDevice& d) { d.InjectFault(fault, clock_ + 60); });
    Sessions(6);
  }
  void TearDown() override {
    if (fleet_) fleet_->Stop();
    server_.reset();
    store_.reset();
    std::filesystem::remove_all(dir_);
  }
  void Sessions(int n) {
    for (int i = 0; i < n; ++i) {
      clock_ += 5 * kMinute;
      ASSERT_TRUE(fleet_->RunSessionNow(0, {"2 PERIODIC"}));
    }
  }
  Value Call(const std::string& method, const std::string& target, const Value& body, const std::string& token, int* status = nullptr) {
    net::HttpClient client("127.0.0.1", server_->api_port());
    net::ClientRequest req{.method = method, .target = target, .body = body.IsNull() ? "" : ToJson(body)};
    if (!token.empty()) req.headers.emplace_back("Authorization", "Bearer " + token);
    auto r = client.Send(req);
    EXPECT_TRUE(r);
    if (!r) return Value();
    if (status) *status = r->status;
    auto v = ParseJson(r->body);
    return v ? *v : Value();
  }
  std::string Login(const std::string& user) {
    Value body = Value::MakeObject();
    body.Set("username", user);
    body.Set("password", "password123");
    return Call("POST", "/api/v1/auth/login", body, "").Get("token").AsString();
  }
  Value ReportByChat(const std::string& token) {
    Value symptoms = Value::MakeObject();
    symptoms.Set("what", "El Wi-Fi se corta cada pocos minutos en los tres notebooks");
    symptoms.Set("devices", Value::MakeArray({"Notebook Carlos", "Notebook Ana", "Notebook Pedro"}));
    symptoms.Set("pattern", "intermittent");
    Value body = Value::MakeObject();
    body.Set("customer_id", customer_);
    body.Set("service_id", internet_);
    body.Set("channel", "chat");
    body.Set("symptoms", std::move(symptoms));
    int status = 0;
    Value r = Call("POST", "/api/v1/cases", body, token, &status);
    EXPECT_EQ(status, 201) << ToJson(r);
    return r;
  }
  static const Value* FindFinding(const Value& diagnosis, std::string_view code) {
    for (const auto& f : diagnosis.Get("findings").AsArray())
      if (f.Get("code").AsString() == code) return &f;
    return nullptr;
  }
  std::vector<Value> Timeline(Id case_id, const std::string& token, std::string_view kind) {
    std::vector<Value> out;
    Value view = Call("GET", "/api/v1/cases/" + std::to_string(case_id), Value(), token);
    for (const auto& e : view.Get("timeline").AsArray())
      if (e.Get("kind").AsString() == kind) out.push_back(e);
    return out;
  }

  std::filesystem::path dir_;
  std::atomic<Time> clock_{1795000000};
  std::unique_ptr<SqliteStore> store_;
  std::unique_ptr<app::Server> server_;
  std::unique_ptr<cwmp::SimFleet> fleet_;
  Id customer_ = 0, internet_ = 0;
};

TEST_F(Story, OneChatNamesTheCommonCauseAndTheRemoteFixIsVerified) {
  Start(cwmp::SimFault::kFirmwareRegression, false);
  // The customer reports it once, by chat.
  Value contact = ReportByChat(Login("carlos"));
  Id case_id = contact.Get("case").Get("id").AsInt();
  const Value& diagnosis = contact.Get("diagnosis");
  ASSERT_FALSE(diagnosis.Get("findings").AsArray().empty()) << ToJson(contact);
  EXPECT_EQ(diagnosis.Get("findings").AsArray()[0].Get("code").AsString(), "common_cause.gateway") << ToJson(diagnosis);
  const Value* common = FindFinding(diagnosis, "common_cause.gateway");
  ASSERT_NE(common, nullptr);
  EXPECT_FALSE(common->Get("evidence").AsArray().empty()) << "a finding comes with its evidence";
  EXPECT_FALSE(common->Get("customer_text").Get("es").AsString().empty());
  EXPECT_NE(common->Get("agent_text").AsString().find("firmware"), std::string::npos) << common->Get("agent_text").AsString();

  // The agent applies the fix the finding recommends; the gateway is asked to connect now.
  std::string agent = Login("valentina");
  Value rollback;
  for (const auto& a : common->Get("next_actions").AsArray())
    if (a.Get("code").AsString() == "firmware_rollback") rollback = a;
  ASSERT_FALSE(rollback.IsNull()) << ToJson(*common);
  Value fix = Value::MakeObject();
  fix.Set("action", "firmware_rollback");
  fix.Set("finding", "common_cause.gateway");
  fix.Set("params", rollback.Get("params"));
  int status = 0;
  Value queued = Call("POST", "/api/v1/cases/" + std::to_string(case_id) + "/remediate", fix, agent, &status);
  ASSERT_EQ(status, 202) << ToJson(queued);
  EXPECT_TRUE(queued.Get("connection_request").Get("reached").AsBool()) << ToJson(queued);
  // The connection request's session runs the Download; the next reports show the result.
  for (int i = 0; i < 60 && Timeline(case_id, agent, "remote_action").size() < 2; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  Sessions(3);
  auto answers = Timeline(case_id, agent, "remote_action");
  ASSERT_GE(answers.size(), 2u);
  EXPECT_EQ(answers.back().Get("body").Get("status").AsString(), "done") << ToJson(answers.back());
  auto verification = Timeline(case_id, agent, "verification");
  ASSERT_EQ(verification.size(), 1u);
  EXPECT_TRUE(verification[0].Get("body").Get("fixed").AsBool()) << ToJson(verification[0]);

  // One contact, nobody asked the customer anything twice, and the customer sees it all.
  Value mine = Call("GET", "/api/v1/cases/" + std::to_string(case_id), Value(), Login("carlos"));
  EXPECT_EQ(mine.Get("case").Get("contact_count").AsInt(), 1);
  EXPECT_EQ(mine.Get("case").Get("reask_count").AsInt(), 0);
  EXPECT_FALSE(mine.Get("story").Get("findings").AsArray().empty());

  // `hilo diagnose --case --dump`: the home taken from the store, written as a scenario file and
  // read back, gives the engine the same findings (a real home becomes a replayable test case).
  ASSERT_TRUE(store_->Read([&](StoreReader& r) -> Status {
    auto c = r.GetCase(case_id);
    auto input = care::GatherInput(r, *c, clock_, care::CareOptions{});
    if (!input) return std::unexpected(input.error());
    auto text = ToJson(diagnosis::ToValue(*input));
    auto back = diagnosis::InputFromValue(*ParseJson(text, 64 << 20));
    EXPECT_TRUE(back) << (back ? "" : back.error().message);
    if (!back) return Ok();
    diagnosis::Engine engine;
    auto codes = [](const std::vector<diagnosis::Finding>& fs) {
      std::string out;
      for (const auto& f : fs) out += f.code + " ";
      return out;
    };
    EXPECT_EQ(codes(engine.Diagnose(*back)), codes(engine.Diagnose(*input)));
    return Ok();
  }));
}

TEST_F(Story, WhenTheLineIsAtFaultATechnicianIsTheNextStepWithItsReason) {
  Start(cwmp::SimFault::kDocsisNoise, true);
  Value contact = ReportByChat(Login("carlos"));
  const Value& diagnosis = contact.Get("diagnosis");
  ASSERT_NE(FindFinding(diagnosis, "line.docsis"), nullptr) << ToJson(diagnosis);
  EXPECT_TRUE(diagnosis.Get("technician").Get("needed").AsBool()) << ToJson(diagnosis);
  EXPECT_EQ(diagnosis.Get("technician").Get("reason").AsString(), "docsis_line");
  EXPECT_EQ(diagnosis.Get("technician").Get("finding").AsString(), "line.docsis");
  // The customer is not asked to do tests: the company's data said it.
  EXPECT_NE(FindFinding(diagnosis, "line.docsis")->Get("customer_text").Get("es").AsString().find("técnic"), std::string::npos)
      << FindFinding(diagnosis, "line.docsis")->Get("customer_text").Get("es").AsString();
}

}  // namespace
}  // namespace hilo::testing
