// Every route x every role. Expectations come from the product rules, written out here on
// purpose (not derived from authz.cc), so a change in either shows up as a failure.
#include <gtest/gtest.h>

#include <set>

#include "test_server.h"

namespace hilo::testing {
namespace {

enum class Expect { kAllowed, kForbidden, kHidden };

struct Probe {
  std::string method;
  std::string route;  // the pattern, to check every route is covered
  std::function<std::string(TestServer&)> target;
  std::function<Value(TestServer&)> body;
  std::set<Role> allowed;
};

const std::set<Role> kAll = {Role::kCustomer, Role::kAgent, Role::kSupervisor, Role::kManager, Role::kTechnician, Role::kAdmin};
const std::set<Role> kStaff = {Role::kAgent, Role::kSupervisor, Role::kManager, Role::kTechnician, Role::kAdmin};
const std::set<Role> kManagers = {Role::kManager, Role::kAdmin};
const std::set<Role> kSupervisors = {Role::kSupervisor, Role::kManager, Role::kAdmin};

struct World {
  Id gateway = 0;
  Id device = 0;
  Id own_case = 0;
  Id other_customer = 0;
  Id other_case = 0;
};

TEST(AuthorizationMatrix, EveryRouteForEveryRole) {
  TestServer s;
  s.SeedBasics();
  World w;
  auto open_case = [&](Id customer) {
    auto r = s.Post(s.tokens[Role::kAgent], "/api/v1/cases", Obj({{"customer_id", customer}}));
    return r.json.Get("case").Get("id").AsInt();
  };
  w.own_case = open_case(s.customer_id);
  w.other_customer = s.AddCustomer("Otra Persona");
  w.other_case = open_case(w.other_customer);
  ASSERT_TRUE(s.store().WriteSync([&](StoreTx& tx) -> Status {
    w.device = *tx.InsertDevice({.customer_id = s.customer_id, .kind = DeviceKind::kGateway, .oui = "A0B1C2",
                                 .product_class = "HGW", .serial = "GW1"});
    w.gateway = *tx.InsertCpe({.oui = "A0B1C2", .product_class = "HGW", .serial = "GW1", .data_model = "tr181"});
    return Ok();
  }));
  auto id = [](Id v) { return std::to_string(v); };
  int counter = 0;

  std::vector<Probe> probes = {
      {"GET", "/api/v1/me", [](auto&) { return "/api/v1/me"; }, nullptr, kAll},
      {"POST", "/api/v1/tokens", [](auto&) { return "/api/v1/tokens"; }, [](auto&) { return Obj({{"name", "crm"}}); }, kManagers},
      {"GET", "/api/v1/customers", [](auto&) { return "/api/v1/customers?q=munoz"; }, nullptr, kStaff},
      {"POST", "/api/v1/customers", [](auto&) { return "/api/v1/customers"; }, [](auto&) { return Obj({{"name", "Nuevo"}}); }, kStaff},
      {"GET", "/api/v1/customers/{id}", [&](auto& t) { return "/api/v1/customers/" + id(t.customer_id); }, nullptr, kAll},
      {"GET", "/api/v1/customers/{id}/360", [&](auto& t) { return "/api/v1/customers/" + id(t.customer_id) + "/360"; }, nullptr, kAll},
      {"POST", "/api/v1/customers/{id}/sites", [&](auto& t) { return "/api/v1/customers/" + id(t.customer_id) + "/sites"; },
       [](auto&) { return Obj({{"address", "Calle 1"}}); }, kStaff},
      {"POST", "/api/v1/customers/{id}/services", [&](auto& t) { return "/api/v1/customers/" + id(t.customer_id) + "/services"; },
       [](auto&) { return Obj({{"kind", "tv"}}); }, kStaff},
      {"POST", "/api/v1/customers/{id}/devices", [&](auto& t) { return "/api/v1/customers/" + id(t.customer_id) + "/devices"; },
       [&](auto&) { return Obj({{"kind", "gateway"}, {"serial", "SN" + std::to_string(counter++)}}); }, kStaff},
      {"GET", "/api/v1/cases", [](auto&) { return "/api/v1/cases"; }, nullptr, kAll},
      {"POST", "/api/v1/cases", [](auto&) { return "/api/v1/cases"; }, [&](auto& t) { return Obj({{"customer_id", t.customer_id}}); }, kAll},
      {"GET", "/api/v1/cases/{id}", [&](auto&) { return "/api/v1/cases/" + id(w.own_case); }, nullptr, kAll},
      {"POST", "/api/v1/cases/{id}/events", [&](auto&) { return "/api/v1/cases/" + id(w.own_case) + "/events"; },
       [](auto&) { return Obj({{"kind", "message"}, {"body", Obj({{"text", "hola"}})}}); }, kAll},
      {"POST", "/api/v1/cases/{id}/status", [&](auto&) { return "/api/v1/cases/" + id(w.own_case) + "/status"; },
       [](auto&) { return Obj({{"status", "pending_customer"}}); }, kStaff},
      {"POST", "/api/v1/cases/{id}/assign", [&](auto&) { return "/api/v1/cases/" + id(w.own_case) + "/assign"; },
       [&](auto& t) { return Obj({{"assignee_id", t.user_ids[Role::kAgent]}}); }, kStaff},
      {"POST", "/api/v1/cases/{id}/split", [&](auto&) { return "/api/v1/cases/" + id(w.own_case) + "/split"; },
       [](auto&) { return Obj({{"reason", "two problems"}}); }, kStaff},
      {"GET", "/api/v1/users", [](auto&) { return "/api/v1/users"; }, nullptr, kSupervisors},
      {"POST", "/api/v1/users", [](auto&) { return "/api/v1/users"; },
       [&](auto&) { return Obj({{"username", "u" + std::to_string(counter++)}, {"password", "password123"}, {"role", "agent"}}); }, kManagers},
      {"POST", "/api/v1/cases/{id}/diagnose", [&](auto&) { return "/api/v1/cases/" + id(w.own_case) + "/diagnose"; },
       [](auto&) { return Value::MakeObject(); }, kStaff},
      {"POST", "/api/v1/cases/{id}/remediate", [&](auto&) { return "/api/v1/cases/" + id(w.own_case) + "/remediate"; },
       [](auto&) { return Obj({{"action", "reboot"}, {"finding", "gateway.instability"}, {"params", Obj({{"when", "now"}})}}); }, kStaff},
      {"POST", "/api/v1/probes", [](auto&) { return "/api/v1/probes"; },
       [&](auto& t) {
         Value samples = Value::MakeArray();
         for (int i = 0; i < 5; ++i)
           samples.Push(Obj({{"at_ms", Value(std::int64_t{1764000000000} + counter * 10000 + i * 1000)}, {"leg", "gateway_anchor"},
                             {"ok", true}, {"rtt_ms", 12.5}}));
         ++counter;
         return Obj({{"customer_id", t.customer_id}, {"samples", std::move(samples)}});
       }, kAll},
      {"GET", "/api/v1/customers/{id}/probe-events", [&](auto& t) { return "/api/v1/customers/" + id(t.customer_id) + "/probe-events"; },
       nullptr, kStaff},
      {"GET", "/api/v1/area-outages", [](auto&) { return "/api/v1/area-outages"; }, nullptr, kStaff},
      {"POST", "/api/v1/area-outages", [](auto&) { return "/api/v1/area-outages"; },
       [](auto&) { return Obj({{"description", "Corte de fibra nodo 14"}, {"cities", Value::MakeArray({"Ñuñoa"})}}); }, kSupervisors},
      {"GET", "/api/v1/gateways", [](auto&) { return "/api/v1/gateways"; }, nullptr, kStaff},
      {"GET", "/api/v1/gateways/{id}", [&](auto&) { return "/api/v1/gateways/" + id(w.gateway); }, nullptr, kStaff},
      {"GET", "/api/v1/gateways/{id}/history", [&](auto&) { return "/api/v1/gateways/" + id(w.gateway) + "/history"; }, nullptr, kStaff},
      {"POST", "/api/v1/gateways/{id}/link", [&](auto&) { return "/api/v1/gateways/" + id(w.gateway) + "/link"; },
       [&](auto&) { return Obj({{"device_id", w.device}}); }, kManagers},
      {"GET", "/api/v1/gateways/{id}/tasks", [&](auto&) { return "/api/v1/gateways/" + id(w.gateway) + "/tasks"; }, nullptr, kStaff},
      {"POST", "/api/v1/gateways/{id}/tasks", [&](auto&) { return "/api/v1/gateways/" + id(w.gateway) + "/tasks"; },
       [](auto&) { return Obj({{"kind", "reboot"}}); }, kStaff},
      {"POST", "/api/v1/auth/logout", [](auto&) { return "/api/v1/auth/logout"; }, [](auto&) { return Value::MakeObject(); }, kAll},
  };

  std::set<std::string> covered;
  for (const auto& p : probes) {
    covered.insert(p.method + " " + p.route);
    std::string target = p.target(s);
    std::string body = p.body ? ToJson(p.body(s)) : "";
    // Without credentials every one of these routes answers 401.
    EXPECT_EQ(s.Call("", p.method, target, body).status, 401) << p.method << " " << target;
    for (Role role : kAll) {
      // Logout ends the session it is called with: use a fresh one.
      std::string token = p.route == "/api/v1/auth/logout" ? s.Login(std::string(RoleName(role))) : s.tokens[role];
      if (p.body) body = ToJson(p.body(s));
      if (p.route == "/api/v1/cases/{id}/status") {
        // Make the transition valid again for the next role.
        (void)s.Post(s.tokens[Role::kAgent], "/api/v1/cases/" + id(w.own_case) + "/status", Obj({{"status", "open"}}));
      }
      auto r = s.Call(token, p.method, target, body);
      bool allowed = p.allowed.count(role) > 0;
      if (allowed) {
        // Allowed means the act was judged on its merits: 2xx, or a domain answer such as 409
        // (remediation on a case without a gateway) -- never 401/403, never a 5xx.
        bool domain_refusal = p.route == "/api/v1/cases/{id}/remediate" && r.status == 409;
        EXPECT_TRUE((r.status >= 200 && r.status < 300) || domain_refusal) << RoleName(role) << " " << p.method << " " << target << " -> " << r.status << " " << r.text;
      } else {
        EXPECT_EQ(r.status, 403) << RoleName(role) << " " << p.method << " " << target << " -> " << r.text;
        EXPECT_EQ(r.json.Get("error").Get("code").AsString(), "permission_denied");
      }
    }
  }
  // Every authenticated route of the API is in the matrix.
  for (const auto& route : s.api().Routes()) {
    if (!route.pattern.starts_with("/api/v1/") || route.pattern == "/api/v1/openapi.yaml" || route.pattern == "/api/v1/auth/login") continue;
    EXPECT_TRUE(covered.count(route.method + " " + route.pattern)) << "not in the matrix: " << route.method << " " << route.pattern;
  }
}

TEST(AuthorizationMatrix, CustomerCannotReachAnotherCustomersRecords) {
  TestServer s;
  s.SeedBasics();
  Id other = s.AddCustomer("Otra Persona");
  auto theirs = s.Post(s.tokens[Role::kAgent], "/api/v1/cases", Obj({{"customer_id", other}, {"text", "secreto"}}));
  std::string path = "/api/v1/cases/" + std::to_string(theirs.json.Get("case").Get("id").AsInt());
  const auto& me = s.tokens[Role::kCustomer];
  EXPECT_EQ(s.Get(me, path).status, 404) << "must not even reveal that the case exists";
  EXPECT_EQ(s.Post(me, path + "/events", Obj({{"kind", "message"}, {"body", Obj({{"text", "x"}})}})).status, 404);
  EXPECT_EQ(s.Get(me, "/api/v1/customers/" + std::to_string(other)).status, 404);
  EXPECT_EQ(s.Get(me, "/api/v1/customers/" + std::to_string(other) + "/360").status, 404);
  EXPECT_EQ(s.Post(me, "/api/v1/cases", Obj({{"customer_id", other}})).status, 404);
  auto listed = s.Get(me, "/api/v1/cases?customer_id=" + std::to_string(other));
  EXPECT_TRUE(listed.json.Get("cases").AsArray().empty());
  auto searched = s.Get(me, "/api/v1/cases?q=secreto");
  EXPECT_TRUE(searched.json.Get("cases").AsArray().empty());
  EXPECT_EQ(s.Post(me, "/api/v1/cases/" + std::to_string(theirs.json.Get("case").Get("id").AsInt()) + "/events",
                   Obj({{"kind", "note"}, {"body", Obj({{"text", "x"}})}})).status, 403);
}

}  // namespace
}  // namespace hilo::testing
