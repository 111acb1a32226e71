#include "hilo/core/authz.h"

#include <gtest/gtest.h>

namespace hilo {
namespace {

TEST(Authz, AgentsCannotDoManagersActs) {
  EXPECT_FALSE(Allowed(Role::kAgent, Act::kCloseCase));
  EXPECT_FALSE(Allowed(Role::kAgent, Act::kCreateUser));
  EXPECT_TRUE(Allowed(Role::kManager, Act::kCloseCase));
  EXPECT_TRUE(Allowed(Role::kAgent, Act::kAssignCase));
  EXPECT_FALSE(Allowed(Role::kCustomer, Act::kSearchCustomers));
  EXPECT_FALSE(Allowed(Role::kCustomer, Act::kAddNote));
}

TEST(Authz, CustomersSeeOnlyTheirOwnCasesAndNoInternalEvents) {
  User customer{.id = 9, .role = Role::kCustomer, .customer_id = 4};
  Case mine{.id = 1, .customer_id = 4};
  Case theirs{.id = 2, .customer_id = 5};
  EXPECT_TRUE(CanSeeCase(customer, mine));
  EXPECT_FALSE(CanSeeCase(customer, theirs));
  Event note{.kind = EventKind::kNote, .internal = true};
  EXPECT_FALSE(CanSeeEvent(customer, note));
  User agent{.id = 3, .role = Role::kAgent};
  EXPECT_TRUE(CanSeeEvent(agent, note));
  EXPECT_TRUE(CanSeeCase(agent, theirs));
}

}  // namespace
}  // namespace hilo
