// The case rules (core/cases.h) against the real SQLite store.
#include <gtest/gtest.h>

#include <filesystem>

#include "hilo/core/cases.h"
#include "hilo/core/story.h"
#include "hilo/store/sqlite/sqlite_store.h"

namespace hilo {
namespace {

class CaseRulesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = std::filesystem::temp_directory_path() / ("hilo-cases-" + std::to_string(::getpid()) + ".db");
    Cleanup();
    store_ = std::move(*SqliteStore::Open(path_.string(), {}));
    Run([&](StoreTx& tx) -> Status {
      customer_ = *tx.InsertCustomer({.name = "Carlos", .language = Language::kEs, .customer_since = 978307200});
      internet_ = *tx.InsertService({.customer_id = customer_, .kind = ServiceKind::kInternet, .plan = "600 Mbps"});
      tv_ = *tx.InsertService({.customer_id = customer_, .kind = ServiceKind::kTv, .plan = "HD"});
      for (int i = 0; i < 4; ++i)
        agents_.push_back(Actor::From(User{.id = *tx.InsertUser({.username = "agent" + std::to_string(i),
                                                                   .display_name = "Agent " + std::to_string(i),
                                                                   .role = Role::kAgent}, "x"),
                                           .display_name = "Agent " + std::to_string(i), .role = Role::kAgent}));
      return Ok();
    });
  }
  void TearDown() override {
    store_.reset();
    Cleanup();
  }
  void Cleanup() {
    for (auto suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path_.string() + suffix);
  }
  void Run(const std::function<Status(StoreTx&)>& fn) {
    auto s = store_->WriteSync(fn);
    ASSERT_TRUE(s) << s.error().message;
  }
  ContactResult Contact(const Actor& who, Time now, Id service, std::string category = "connectivity",
                        std::optional<SymptomFacts> facts = std::nullopt) {
    ContactResult out;
    Run([&](StoreTx& tx) -> Status {
      ContactInput in{.customer_id = customer_, .service_id = service, .category = category,
                      .channel = Channel::kPhone, .symptoms = facts};
      auto r = RecordContact(tx, who, in, now, policy_);
      if (!r) return std::unexpected(r.error());
      out = *r;
      return Ok();
    });
    return out;
  }
  Case Get(Id id) {
    Case c;
    (void)store_->Read([&](StoreReader& r) -> Status { c = *r.GetCase(id); return Ok(); });
    return c;
  }

  std::filesystem::path path_;
  std::unique_ptr<SqliteStore> store_;
  CasePolicy policy_;
  Id customer_ = 0, internet_ = 0, tv_ = 0;
  std::vector<Actor> agents_;
};

TEST_F(CaseRulesTest, ContactsAttachToTheOpenCaseForTheSameServiceAndCategory) {
  auto first = Contact(agents_[0], 1000, internet_);
  EXPECT_EQ(first.outcome, ContactOutcome::kOpened);
  auto second = Contact(agents_[1], 2000, internet_);
  EXPECT_EQ(second.outcome, ContactOutcome::kAttached);
  EXPECT_EQ(second.case_id, first.case_id);
  auto tv = Contact(agents_[1], 3000, tv_);
  EXPECT_EQ(tv.outcome, ContactOutcome::kOpened);
  EXPECT_NE(tv.case_id, first.case_id);
  auto billing = Contact(agents_[1], 3000, internet_, "billing");
  EXPECT_NE(billing.case_id, first.case_id);
  EXPECT_EQ(Get(first.case_id).contact_count, 2);
}

TEST_F(CaseRulesTest, ContactAfterResolutionReopensWithinTheWindowOnly) {
  auto first = Contact(agents_[0], 1000, internet_);
  Run([&](StoreTx& tx) -> Status { return AsStatus(ChangeStatus(tx, agents_[0], first.case_id, CaseStatus::kResolved, "fixed", 2000)); });
  auto again = Contact(agents_[1], 2000 + 29 * kDay, internet_);
  EXPECT_EQ(again.outcome, ContactOutcome::kReopened);
  EXPECT_EQ(again.case_id, first.case_id);
  EXPECT_EQ(Get(first.case_id).reopen_count, 1);
  Run([&](StoreTx& tx) -> Status { return AsStatus(ChangeStatus(tx, agents_[0], first.case_id, CaseStatus::kResolved, "fixed", 3 * kDay * 10)); });
  auto late = Contact(agents_[1], 3 * kDay * 10 + 31 * kDay, internet_);
  EXPECT_EQ(late.outcome, ContactOutcome::kOpened);
  EXPECT_NE(late.case_id, first.case_id);
}

TEST_F(CaseRulesTest, ReasksOfKnownFactsAreCounted) {
  auto c = Contact(agents_[0], 1000, internet_, "connectivity", SymptomFacts{.what = "Wi-Fi drops", .since = 500});
  Run([&](StoreTx& tx) -> Status {
    Value body = Value::MakeObject();
    body.Set("fields", Value::MakeArray({"what", "pattern"}));
    auto e = AddEvent(tx, agents_[1], c.case_id, {EventKind::kReask, false, body}, 2000);
    if (!e) return std::unexpected(e.error());
    EXPECT_EQ(e->body.Get("known").AsArray().size(), 1u);  // "what" was known, "pattern" was not
    Value unknown_only = Value::MakeObject();
    unknown_only.Set("fields", Value::MakeArray({"pattern"}));
    return AsStatus(AddEvent(tx, agents_[1], c.case_id, {EventKind::kReask, false, unknown_only}, 2100));
  });
  EXPECT_EQ(Get(c.case_id).reask_count, 1);
}

TEST_F(CaseRulesTest, StatusTransitionsAreChecked) {
  auto c = Contact(agents_[0], 1000, internet_);
  auto s = store_->WriteSync([&](StoreTx& tx) -> Status {
    HILO_TRY(ChangeStatus(tx, agents_[0], c.case_id, CaseStatus::kResolved, "", 2000));
    auto bad = ChangeStatus(tx, agents_[0], c.case_id, CaseStatus::kPendingCustomer, "", 2100);
    EXPECT_EQ(bad.error().code, Errc::kFailedPrecondition);
    return Ok();
  });
  EXPECT_TRUE(s);
}

TEST_F(CaseRulesTest, SplittingIsExplicitAndLoggedOnBothCases) {
  auto c = Contact(agents_[0], 1000, internet_);
  Case fresh;
  Run([&](StoreTx& tx) -> Status {
    auto r = SplitCase(tx, agents_[0], c.case_id, "billing", "Double charge", "separate issue", 2000);
    if (!r) return std::unexpected(r.error());
    fresh = *r;
    return Ok();
  });
  EXPECT_EQ(fresh.split_from, c.case_id);
  (void)store_->Read([&](StoreReader& r) -> Status {
    EXPECT_EQ(r.EventsOf(c.case_id)->back().kind, EventKind::kSplit);
    EXPECT_EQ(r.EventsOf(fresh.id)->back().body.Get("from_case").AsInt(), c.case_id);
    return Ok();
  });
  auto no_reason = store_->WriteSync([&](StoreTx& tx) -> Status {
    return AsStatus(SplitCase(tx, agents_[0], c.case_id, "", "", "", 3000));
  });
  EXPECT_EQ(no_reason.error().code, Errc::kInvalidArgument);
}

}  // namespace
}  // namespace hilo
