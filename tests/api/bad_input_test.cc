// Bad input gets a clear 4xx in the one error shape, and loses nothing. Never a 500.
#include <gtest/gtest.h>

#include "test_server.h"

namespace hilo::testing {
namespace {

void ExpectError(const Reply& r, int status, const std::string& code, const std::string& field = "") {
  EXPECT_EQ(r.status, status) << r.text;
  EXPECT_EQ(r.json.Get("error").Get("code").AsString(), code) << r.text;
  EXPECT_FALSE(r.json.Get("error").Get("message").AsString().empty());
  if (!field.empty()) {
    EXPECT_EQ(r.json.Get("error").Get("field").AsString(), field) << r.text;
  }
}

TEST(BadInput, MalformedJsonWrongTypesAndUnknownIds) {
  TestServer s;
  s.SeedBasics();
  const auto& agent = s.tokens[Role::kAgent];
  ExpectError(s.Call(agent, "POST", "/api/v1/customers", "{\"name\": "), 400, "invalid_argument");
  ExpectError(s.Call(agent, "POST", "/api/v1/customers", "[1,2]"), 400, "invalid_argument");
  ExpectError(s.Call(agent, "POST", "/api/v1/customers", "\xff\xfe{}"), 400, "invalid_argument");
  ExpectError(s.Post(agent, "/api/v1/customers", Obj({{"name", 42}})), 400, "invalid_argument", "name");
  ExpectError(s.Post(agent, "/api/v1/cases", Obj({{"customer_id", "seven"}})), 400, "invalid_argument", "customer_id");
  ExpectError(s.Post(agent, "/api/v1/cases", Obj({{"customer_id", 999999}})), 404, "not_found");
  ExpectError(s.Get(agent, "/api/v1/cases/999999"), 404, "not_found");
  ExpectError(s.Get(agent, "/api/v1/customers/999999/360"), 404, "not_found");
  ExpectError(s.Get(agent, "/api/v1/cases/abc"), 404, "not_found");
  ExpectError(s.Get(agent, "/api/v1/nothing"), 404, "not_found");
  ExpectError(s.Call(agent, "DELETE", "/api/v1/cases"), 405, "method_not_allowed");
  ExpectError(s.Post(agent, "/api/v1/cases", Obj({{"customer_id", s.customer_id}, {"channel", "pigeon"}})), 400, "invalid_argument", "channel");
  ExpectError(s.Post(agent, "/api/v1/cases", Obj({{"customer_id", s.customer_id}, {"symptoms", Obj({{"what", "x"}, {"since", "yesterday"}})}})),
              400, "invalid_argument", "since");
  ExpectError(s.Post(agent, "/api/v1/cases/1/events", Obj({{"kind", "teleport"}})), 400, "invalid_argument", "kind");
  auto opened = s.Post(agent, "/api/v1/cases", Obj({{"customer_id", s.customer_id}}));
  std::string path = "/api/v1/cases/" + std::to_string(opened.json.Get("case").Get("id").AsInt());
  ExpectError(s.Post(agent, path + "/assign", Obj({{"assignee_id", s.user_ids[Role::kCustomer]}})), 400, "invalid_argument");
  ExpectError(s.Post(agent, path + "/assign", Obj({{"assignee_id", 424242}})), 404, "not_found", "assignee_id");
  ExpectError(s.Post(agent, path + "/events", Obj({{"kind", "message"}, {"body", Obj({{"text", 5}})}})), 400, "invalid_argument", "text");
  ExpectError(s.Post(agent, path + "/events", Obj({{"kind", "promise"}, {"body", Obj({{"text", "x"}})}})), 400, "invalid_argument", "due");
  ExpectError(s.Get(agent, "/api/v1/cases?status=lost"), 400, "invalid_argument", "status");
  ExpectError(s.Get(agent, "/api/v1/customers"), 400, "invalid_argument", "q");
}

TEST(BadInput, BadRutIsRejectedWithItsField) {
  TestServer s;
  s.SeedBasics();
  ExpectError(s.Post(s.tokens[Role::kAgent], "/api/v1/customers", Obj({{"name", "X"}, {"national_id", "12.345.678-9"}})),
              400, "invalid_argument", "national_id");
  auto ok = s.Post(s.tokens[Role::kAgent], "/api/v1/customers", Obj({{"name", "X"}, {"national_id", "12.345.678-5"}}));
  EXPECT_EQ(ok.status, 201);
  ExpectError(s.Post(s.tokens[Role::kAgent], "/api/v1/customers", Obj({{"name", "Y"}, {"national_id", "12345678-5"}})),
              409, "already_exists", "national_id");
}

TEST(BadInput, OversizeBodiesAreRefusedAndNothingIsLost) {
  TestServer s;
  s.SeedBasics();
  const auto& agent = s.tokens[Role::kAgent];
  auto opened = s.Post(agent, "/api/v1/cases", Obj({{"customer_id", s.customer_id}, {"text", "first"}}));
  std::string path = "/api/v1/cases/" + std::to_string(opened.json.Get("case").Get("id").AsInt());
  std::string huge = "{\"kind\":\"message\",\"body\":{\"text\":\"" + std::string(1 << 20, 'a') + "\"}}";
  ExpectError(s.Call(agent, "POST", path + "/events", huge), 413, "too_large");
  // The case is intact and still takes writes.
  EXPECT_EQ(s.Post(agent, path + "/events", Obj({{"kind", "message"}, {"body", Obj({{"text", "after"}})}})).status, 201);
  auto view = s.Get(agent, path);
  EXPECT_EQ(view.json.Get("timeline").AsArray().size(), 2u);
}

TEST(BadInput, DeeplyNestedJsonIsRefused) {
  TestServer s;
  s.SeedBasics();
  ExpectError(s.Call(s.tokens[Role::kAgent], "POST", "/api/v1/customers", std::string(5000, '[') + std::string(5000, ']')),
              400, "invalid_argument");
}

}  // namespace
}  // namespace hilo::testing
