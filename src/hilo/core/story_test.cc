#include "hilo/core/story.h"

#include <gtest/gtest.h>

namespace hilo {
namespace {

Event Make(int seq, EventKind kind, Id actor, std::string name, Role role, Value body, bool internal = false) {
  Event e;
  e.seq = seq;
  e.kind = kind;
  e.at = seq * kHour;
  e.actor_id = actor;
  e.actor_name = std::move(name);
  e.actor_role = role;
  e.body = std::move(body);
  e.internal = internal;
  return e;
}

Value Obj(std::initializer_list<std::pair<const char*, Value>> kv) {
  Value v = Value::MakeObject();
  for (const auto& [k, val] : kv) v.Set(k, val);
  return v;
}

TEST(Story, SummarisesFactsTriesPromisesAndPeople) {
  Case c{.id = 7, .subject = "Wi-Fi", .status = CaseStatus::kOpen, .reask_count = 1};
  std::vector<Event> events = {
      Make(1, EventKind::kContact, 1, "Ana", Role::kAgent, Obj({{"channel", "phone"}})),
      Make(2, EventKind::kSymptomReport, 1, "Ana", Role::kAgent,
           Obj({{"what", "Wi-Fi drops"}, {"since", Value(std::int64_t{86400})}, {"devices", Value::MakeArray({"laptop 1", "laptop 2"})}})),
      Make(3, EventKind::kAction, 1, "Ana", Role::kAgent, Obj({{"what", "Rebooted gateway"}, {"result", "no change"}})),
      Make(4, EventKind::kContact, 2, "Bruno", Role::kAgent, Obj({{"channel", "chat"}})),
      Make(5, EventKind::kPromise, 2, "Bruno", Role::kAgent, Obj({{"text", "Call back"}, {"due", Value(std::int64_t{5 * kHour})}})),
      Make(6, EventKind::kNote, 2, "Bruno", Role::kAgent, Obj({{"text", "secret"}}), true),
      Make(7, EventKind::kMessage, 0, "Carlos", Role::kCustomer, Obj({{"text", "hello"}})),
  };
  Story s = BuildStory(c, events, 10 * kHour, Audience::kStaff);
  EXPECT_EQ(s.facts.what, "Wi-Fi drops");
  EXPECT_EQ(s.facts.devices.size(), 2u);
  ASSERT_EQ(s.tried.size(), 1u);
  EXPECT_EQ(s.tried[0].who, "Ana");
  ASSERT_EQ(s.promises.size(), 1u);
  EXPECT_TRUE(s.promises[0].overdue);
  EXPECT_EQ(s.contacts, 2);
  EXPECT_EQ(s.people, 2);
  EXPECT_EQ(s.channels.size(), 2u);

  std::string es = RenderStory(s, Language::kEs);
  EXPECT_NE(es.find("Problema: Wi-Fi drops"), std::string::npos) << es;
  EXPECT_NE(es.find("ATRASADO"), std::string::npos) << es;
  EXPECT_NE(es.find("2 contactos (teléfono, chat), atendido por 2 personas"), std::string::npos) << es;
  std::string en = RenderStory(s, Language::kEn);
  EXPECT_NE(en.find("Rebooted gateway (Ana): no change"), std::string::npos) << en;
  EXPECT_EQ(RenderStory(s, Language::kEn), en) << "the story is deterministic";
}

TEST(Story, CustomerAudienceLeavesOutInternalEvents) {
  Case c{.id = 1};
  std::vector<Event> events = {
      Make(1, EventKind::kSymptomReport, 1, "Ana", Role::kAgent, Obj({{"what", "internal guess"}}), true),
  };
  EXPECT_EQ(BuildStory(c, events, 0, Audience::kCustomer).facts.what, "");
  EXPECT_EQ(BuildStory(c, events, 0, Audience::kStaff).facts.what, "internal guess");
}

}  // namespace
}  // namespace hilo
