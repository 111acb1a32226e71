#include <gtest/gtest.h>

#include "test_server.h"

namespace hilo::testing {
namespace {

TEST(Api, HealthMetricsAndLandingNeedNoLogin) {
  TestServer s;
  EXPECT_EQ(s.Get("", "/healthz").status, 200);
  auto landing = s.Get("", "/");
  EXPECT_EQ(landing.status, 200);
  EXPECT_NE(landing.text.find("/api/v1/openapi.yaml"), std::string::npos);
  EXPECT_EQ(s.Get("", "/api/v1/me").status, 401);
  auto metrics = s.Get("", "/metrics");
  EXPECT_EQ(metrics.status, 200);
  EXPECT_NE(metrics.text.find("hilo_http_requests_total{route=\"GET /api/v1/me\",status=\"4xx\"} 1"), std::string::npos)
      << metrics.text;
  EXPECT_NE(metrics.text.find("hilo_http_request_duration_seconds_bucket"), std::string::npos);
}

TEST(Api, LoginGivesCookieAndBearerAndLogoutEndsIt) {
  TestServer s;
  s.AddUser("ana", Role::kAgent);
  auto bad = s.Post("", "/api/v1/auth/login", Obj({{"username", "ana"}, {"password", "wrong-password"}}));
  EXPECT_EQ(bad.status, 401);
  EXPECT_EQ(bad.json.Get("error").Get("code").AsString(), "unauthenticated");
  net::HttpClient client("127.0.0.1", s.port());
  auto login = client.Send({.method = "POST", .target = "/api/v1/auth/login",
                            .body = R"({"username":"ana","password":"password123"})"});
  ASSERT_TRUE(login);
  EXPECT_EQ(login->status, 200);
  EXPECT_NE(login->Header("set-cookie").find("HttpOnly"), std::string_view::npos);
  auto me = client.Send({.method = "GET", .target = "/api/v1/me"});  // the cookie jar sends the session
  ASSERT_TRUE(me);
  EXPECT_EQ(me->status, 200);
  EXPECT_NE(me->body.find("\"username\":\"ana\""), std::string::npos);
  std::string token = s.Login("ana");
  EXPECT_EQ(s.Get(token, "/api/v1/me").status, 200);
  EXPECT_EQ(s.Post(token, "/api/v1/auth/logout", Value::MakeObject()).status, 200);
  EXPECT_EQ(s.Get(token, "/api/v1/me").status, 401);
}

TEST(Api, SessionsExpireOnTheClock) {
  TestServer s;
  s.AddUser("ana", Role::kAgent);
  std::string token = s.Login("ana");
  s.Advance(13 * kHour);
  EXPECT_EQ(s.Get(token, "/api/v1/me").status, 401);
}

TEST(Api, CustomersCreateSearchAnd360) {
  TestServer s;
  s.SeedBasics();
  const auto& agent = s.tokens[Role::kAgent];
  auto created = s.Post(agent, "/api/v1/customers",
                        Obj({{"name", "María José Pérez"}, {"national_id", "12.345.678-5"},
                             {"phones", Value::MakeArray({"+56 9 8765 4321"})}, {"emails", Value::MakeArray({"mj@example.cl"})},
                             {"language", "es"}, {"customer_since", "2001-03-01"}}));
  ASSERT_EQ(created.status, 201) << created.text;
  Id id = created.json.Get("id").AsInt();
  EXPECT_EQ(created.json.Get("national_id").AsString(), "12345678-5");
  auto site = s.Post(agent, "/api/v1/customers/" + std::to_string(id) + "/sites", Obj({{"address", "Av. Siempre Viva 742"}, {"city", "Ñuñoa"}}));
  ASSERT_EQ(site.status, 201) << site.text;
  auto svc = s.Post(agent, "/api/v1/customers/" + std::to_string(id) + "/services",
                    Obj({{"kind", "internet"}, {"plan", "600 Mbps"}, {"site_id", site.json.Get("id")}}));
  ASSERT_EQ(svc.status, 201) << svc.text;
  auto dev = s.Post(agent, "/api/v1/customers/" + std::to_string(id) + "/devices",
                    Obj({{"kind", "gateway"}, {"oui", "00D09E"}, {"product_class", "HGW"}, {"serial", "SN-ABC-123"}}));
  ASSERT_EQ(dev.status, 201) << dev.text;

  for (std::string q : {"perez", "MARIA%20JOSE", "12345678-5", "987654321", "MJ@example.cl", "sn-abc-123"}) {
    auto found = s.Get(agent, "/api/v1/customers?q=" + q);
    ASSERT_EQ(found.status, 200);
    ASSERT_EQ(found.json.Get("customers").AsArray().size(), 1u) << q;
    EXPECT_EQ(found.json.Get("customers").AsArray()[0].Get("id").AsInt(), id) << q;
  }
  auto view = s.Get(agent, "/api/v1/customers/" + std::to_string(id) + "/360");
  ASSERT_EQ(view.status, 200);
  EXPECT_EQ(view.json.Get("services").AsArray().size(), 1u);
  EXPECT_EQ(view.json.Get("sites").AsArray().size(), 1u);
  EXPECT_EQ(view.json.Get("devices").AsArray().size(), 1u);
}

TEST(Api, CasesFoundByTheWordsInTheirMessages) {
  TestServer s;
  s.SeedBasics();
  const auto& agent = s.tokens[Role::kAgent];
  auto opened = s.Post(agent, "/api/v1/cases",
                       Obj({{"customer_id", s.customer_id}, {"service_id", s.service_id}, {"channel", "phone"},
                            {"text", "El router se reinicia cada noche y la conexión se cae"}}));
  ASSERT_EQ(opened.status, 201) << opened.text;
  Id case_id = opened.json.Get("case").Get("id").AsInt();
  auto found = s.Get(agent, "/api/v1/cases?q=conexion%20reinicia");
  ASSERT_EQ(found.status, 200);
  ASSERT_EQ(found.json.Get("cases").AsArray().size(), 1u);
  EXPECT_EQ(found.json.Get("cases").AsArray()[0].Get("id").AsInt(), case_id);
  EXPECT_TRUE(s.Get(agent, "/api/v1/cases?q=television").json.Get("cases").AsArray().empty());
}

TEST(Api, CustomerSeesStoryInTheirLanguageWithoutInternalNotes) {
  TestServer s;
  s.SeedBasics();
  const auto& agent = s.tokens[Role::kAgent];
  auto opened = s.Post(agent, "/api/v1/cases", Obj({{"customer_id", s.customer_id}, {"service_id", s.service_id}}));
  std::string path = "/api/v1/cases/" + std::to_string(opened.json.Get("case").Get("id").AsInt());
  ASSERT_EQ(s.Post(agent, path + "/events", Obj({{"kind", "note"}, {"body", Obj({{"text", "customer sounds upset"}})}})).status, 201);
  ASSERT_EQ(s.Post(agent, path + "/events", Obj({{"kind", "message"}, {"body", Obj({{"text", "Revisaremos su equipo"}})}})).status, 201);
  auto mine = s.Get(s.tokens[Role::kCustomer], path);
  ASSERT_EQ(mine.status, 200);
  EXPECT_EQ(mine.text.find("upset"), std::string::npos) << "an internal note reached the customer";
  EXPECT_NE(mine.text.find("Revisaremos"), std::string::npos);
  EXPECT_EQ(mine.json.Get("story").Get("status_text").AsString(), "Abierto");
  auto staff = s.Get(agent, path + "?lang=en");
  EXPECT_NE(staff.text.find("upset"), std::string::npos);
  EXPECT_EQ(staff.json.Get("story").Get("status_text").AsString(), "Open");
}

TEST(Api, AnAreaOutageCoveringTheCustomersCommuneIsNamedByTheDiagnosis) {
  TestServer s;
  s.SeedBasics();
  ASSERT_EQ(s.Post(s.tokens[Role::kAgent], "/api/v1/customers/" + std::to_string(s.customer_id) + "/sites",
                   Obj({{"address", "Av. Irarrázaval 2401"}, {"city", "Ñuñoa"}})).status, 201);
  auto declared = s.Post(s.tokens[Role::kSupervisor], "/api/v1/area-outages",
                         Obj({{"description", "Corte de fibra, nodo Ñuñoa 14"}, {"cities", Value::MakeArray({"NUNOA"})},
                              {"start", FormatIsoTime(s.now() - kHour)}}));
  ASSERT_EQ(declared.status, 201) << declared.text;
  EXPECT_EQ(s.Post(s.tokens[Role::kAgent], "/api/v1/area-outages", Obj({{"description", "x"}, {"cities", Value::MakeArray({"x"})}})).status, 403);
  auto contact = s.Post(s.tokens[Role::kCustomer], "/api/v1/cases",
                        Obj({{"customer_id", s.customer_id}, {"symptoms", Obj({{"what", "No tengo internet"}})}}));
  ASSERT_EQ(contact.status, 201) << contact.text;
  const auto& findings = contact.json.Get("diagnosis").Get("findings").AsArray();
  ASSERT_FALSE(findings.empty()) << contact.text;
  EXPECT_EQ(findings[0].Get("code").AsString(), "area.outage") << contact.text;
  // A customer elsewhere is not told about it.
  Id other = s.AddCustomer("Otra Persona");
  ASSERT_EQ(s.Post(s.tokens[Role::kAgent], "/api/v1/customers/" + std::to_string(other) + "/sites",
                   Obj({{"address", "Calle 1"}, {"city", "Maipú"}})).status, 201);
  auto elsewhere = s.Post(s.tokens[Role::kAgent], "/api/v1/cases",
                          Obj({{"customer_id", other}, {"symptoms", Obj({{"what", "No tengo internet"}})}}));
  for (const auto& f : elsewhere.json.Get("diagnosis").Get("findings").AsArray()) EXPECT_NE(f.Get("code").AsString(), "area.outage");
}

TEST(Api, AgentCannotCloseButSupervisorCan) {
  TestServer s;
  s.SeedBasics();
  auto opened = s.Post(s.tokens[Role::kAgent], "/api/v1/cases", Obj({{"customer_id", s.customer_id}}));
  std::string path = "/api/v1/cases/" + std::to_string(opened.json.Get("case").Get("id").AsInt());
  EXPECT_EQ(s.Post(s.tokens[Role::kAgent], path + "/status", Obj({{"status", "closed"}})).status, 403);
  EXPECT_EQ(s.Post(s.tokens[Role::kSupervisor], path + "/status", Obj({{"status", "closed"}})).status, 200);
  EXPECT_EQ(s.Post(s.tokens[Role::kSupervisor], path + "/status", Obj({{"status", "pending_customer"}})).status, 409);
}

}  // namespace
}  // namespace hilo::testing
