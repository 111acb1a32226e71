// "Four agents, one story": the product story told the way it should have gone.
#include <gtest/gtest.h>

#include "test_server.h"

namespace hilo::testing {
namespace {

TEST(Scenario, FourAgentsOneStory) {
  TestServer s;
  Id customer = s.AddCustomer("Carlos Muñoz");
  Id internet = s.AddService(customer);
  s.AddService(customer, ServiceKind::kTv);
  s.AddService(customer, ServiceKind::kPhone);
  Id customer_user = s.AddUser("carlos", Role::kCustomer, customer);
  (void)customer_user;
  std::vector<std::string> agents(4);
  for (int i = 1; i <= 4; ++i) s.AddUser("agent" + std::to_string(i), Role::kAgent, 0, "Agent " + std::to_string(i));
  const std::vector<std::string> channels = {"phone", "chat", "phone", "chat"};
  Id case_id = 0;
  for (int day = 0; day < 4; ++day) {
    // Each agent signs in for their own shift.
    agents[static_cast<std::size_t>(day)] = s.Login("agent" + std::to_string(day + 1));
    const std::string& agent = agents[static_cast<std::size_t>(day)];
    if (day > 0) {
      // The agent opens the case first: the story is the first thing there, and it is whole.
      auto view = s.Get(agent, "/api/v1/cases/" + std::to_string(case_id) + "?lang=es");
      ASSERT_EQ(view.status, 200);
      ASSERT_EQ(view.json.AsObject().front().first, "story");
      const Value& story = view.json.Get("story");
      EXPECT_EQ(story.Get("contacts").AsInt(), day) << "day " << day;
      EXPECT_EQ(story.Get("people").AsInt(), day);
      EXPECT_EQ(story.Get("symptoms").Get("what").AsString(), "Wi-Fi se corta en 3 notebooks");
      EXPECT_EQ(story.Get("symptoms").Get("devices").AsArray().size(), 3u);
      EXPECT_EQ(story.Get("tried").AsArray().size(), static_cast<std::size_t>(day));
      EXPECT_NE(story.Get("text").AsString().find("Problema: Wi-Fi se corta en 3 notebooks"), std::string::npos);
      // Known facts are pre-filled: nothing to ask again.
      const Value& known = view.json.Get("known_facts");
      EXPECT_EQ(known.Get("known_fields").AsArray().size(), 4u);
    }
    Value contact = Obj({{"customer_id", customer}, {"service_id", internet}, {"channel", channels[static_cast<std::size_t>(day)]},
                         {"text", "Sigo con cortes de Wi-Fi, día " + std::to_string(day + 1)}});
    if (day == 0) {
      contact.Set("subject", "Wi-Fi intermitente");
      contact.Set("symptoms", Obj({{"what", "Wi-Fi se corta en 3 notebooks"}, {"since", "2025-11-23T20:00:00Z"},
                                   {"devices", Value::MakeArray({"notebook Carlos", "notebook Ana", "notebook Pedro"})},
                                   {"pattern", "intermittent"}}));
    }
    auto r = s.Post(agent, "/api/v1/cases", contact);
    ASSERT_EQ(r.status, 201) << r.text;
    EXPECT_EQ(r.json.Get("outcome").AsString(), day == 0 ? "opened" : "attached");
    if (day == 0) case_id = r.json.Get("case").Get("id").AsInt();
    EXPECT_EQ(r.json.Get("case").Get("id").AsInt(), case_id) << "every contact lands on the one case";
    std::string path = "/api/v1/cases/" + std::to_string(case_id);
    ASSERT_EQ(s.Post(agent, path + "/events",
                     Obj({{"kind", "action"}, {"body", Obj({{"what", "Remote check day " + std::to_string(day + 1)}, {"result", "logged"}})}}))
                  .status, 201);
    if (day == 1) {
      ASSERT_EQ(s.Post(agent, path + "/events",
                       Obj({{"kind", "promise"}, {"body", Obj({{"text", "Llamar de vuelta"}, {"due", FormatIsoTime(s.now() + kDay)}})}}))
                    .status, 201);
    }
    s.Advance(kDay);
  }
  std::string path = "/api/v1/cases/" + std::to_string(case_id);
  agents[3] = s.Login("agent4");
  ASSERT_EQ(s.Post(agents[3], path + "/status", Obj({{"status", "resolved"}, {"reason", "gateway firmware rolled back"}})).status, 200);

  auto final_view = s.Get(agents[3], path);
  EXPECT_EQ(final_view.json.Get("case").Get("reask_count").AsInt(), 0) << "the customer was never re-asked";
  EXPECT_EQ(final_view.json.Get("case").Get("contact_count").AsInt(), 4);
  EXPECT_EQ(final_view.json.Get("story").Get("people").AsInt(), 4);
  EXPECT_EQ(final_view.json.Get("story").Get("channels").AsArray().size(), 2u);

  // A week later the customer writes again from the portal: the same case reopens.
  s.Advance(7 * kDay);
  std::string customer_token = s.Login("carlos");
  auto again = s.Post(customer_token, "/api/v1/cases", Obj({{"customer_id", customer}, {"service_id", internet}, {"text", "Volvió a fallar"}}));
  ASSERT_EQ(again.status, 201) << again.text;
  EXPECT_EQ(again.json.Get("outcome").AsString(), "reopened");
  EXPECT_EQ(again.json.Get("case").Get("id").AsInt(), case_id);
  EXPECT_EQ(again.json.Get("case").Get("reopen_count").AsInt(), 1);
  auto customer_view = s.Get(customer_token, path);
  EXPECT_NE(customer_view.json.Get("story").Get("text").AsString().find("5 contactos"), std::string::npos)
      << customer_view.json.Get("story").Get("text").AsString();
}

}  // namespace
}  // namespace hilo::testing
