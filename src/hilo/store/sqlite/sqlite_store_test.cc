#include "hilo/store/sqlite/sqlite_store.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <atomic>
#include <filesystem>
#include <thread>

namespace hilo {
namespace {

class SqliteStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("hilo-store-" + std::to_string(::getpid()) + "-" + ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    path_ = (dir_ / "hilo.db").string();
    Reopen();
  }
  void TearDown() override {
    store_.reset();
    std::filesystem::remove_all(dir_);
  }
  void Reopen() {
    store_.reset();
    auto s = SqliteStore::Open(path_, {});
    ASSERT_TRUE(s) << s.error().message;
    store_ = std::move(*s);
  }
  Id AddCustomer(Customer c) {
    Id id = 0;
    auto s = store_->WriteSync([&](StoreTx& tx) -> Status {
      auto r = tx.InsertCustomer(c);
      if (!r) return std::unexpected(r.error());
      id = *r;
      return Ok();
    });
    EXPECT_TRUE(s) << s.error().message;
    return id;
  }
  std::vector<Customer> Search(std::string text) {
    std::vector<Customer> out;
    auto s = store_->Read([&](StoreReader& r) -> Status {
      auto found = r.SearchCustomers({text, 20});
      if (!found) return std::unexpected(found.error());
      out = *found;
      return Ok();
    });
    EXPECT_TRUE(s);
    return out;
  }

  std::filesystem::path dir_;
  std::string path_;
  std::unique_ptr<SqliteStore> store_;
};

TEST_F(SqliteStoreTest, MigratesOnceAndReopens) {
  EXPECT_EQ(store_->SchemaVersion(), LatestSchemaVersion());
  Id id = AddCustomer({.name = "Ana", .language = Language::kEs});
  Reopen();  // migrations are idempotent and data survives
  auto s = store_->Read([&](StoreReader& r) -> Status {
    auto c = r.GetCustomer(id);
    EXPECT_TRUE(c);
    EXPECT_EQ(c->name, "Ana");
    return Ok();
  });
  EXPECT_TRUE(s);
}

TEST_F(SqliteStoreTest, SearchForgivesAccentsAndCaseAcrossFields) {
  Id munoz = AddCustomer({.name = "José Muñoz Pérez", .national_id = "12345678-5", .phones = {"+56 9 1234 5678"},
                          .emails = {"Jose.Munoz@Example.cl"}});
  AddCustomer({.name = "Ana Soto", .national_id = "7654321-6"});
  auto by_name = Search("munoz");
  ASSERT_EQ(by_name.size(), 1u);
  EXPECT_EQ(by_name[0].id, munoz);
  EXPECT_EQ(Search("JOSÉ MUÑOZ").size(), 1u);
  EXPECT_EQ(Search("12.345.678-5").at(0).id, munoz);
  EXPECT_EQ(Search("912345678").at(0).id, munoz);
  EXPECT_EQ(Search("jose.munoz@example.cl").at(0).id, munoz);
  EXPECT_TRUE(Search("nobody").empty());
  EXPECT_TRUE(Search("\"; DROP TABLE customers; --").empty());
}

TEST_F(SqliteStoreTest, DuplicateNationalIdIsAlreadyExists) {
  AddCustomer({.name = "A", .national_id = "12345678-5"});
  auto s = store_->WriteSync([&](StoreTx& tx) -> Status {
    auto r = tx.InsertCustomer({.name = "B", .national_id = "12345678-5"});
    if (!r) return std::unexpected(r.error());
    return Ok();
  });
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().code, Errc::kAlreadyExists);
}

TEST_F(SqliteStoreTest, FailedUnitRollsBackAloneInAGroupCommit) {
  std::atomic<int> done{0};
  std::vector<Status> results(3);
  for (int i = 0; i < 3; ++i) {
    store_->Write(
        [i](StoreTx& tx) -> Status {
          auto r = tx.InsertCustomer({.name = "C" + std::to_string(i)});
          if (!r) return std::unexpected(r.error());
          if (i == 1) return Fail(Errc::kInvalidArgument, "unit 1 fails after writing");
          return Ok();
        },
        [&, i](Status s) {
          results[i] = s;
          ++done;
        });
  }
  while (done < 3) std::this_thread::yield();
  EXPECT_TRUE(results[0]);
  EXPECT_FALSE(results[1]);
  EXPECT_TRUE(results[2]);
  EXPECT_EQ(Search("C0").size(), 1u);
  EXPECT_TRUE(Search("C1").empty());
  EXPECT_EQ(Search("C2").size(), 1u);
}

TEST_F(SqliteStoreTest, TimelineIsAppendOnlyInTheDatabase) {
  Id customer = AddCustomer({.name = "Ana"});
  auto s = store_->WriteSync([&](StoreTx& tx) -> Status {
    Case c{.customer_id = customer, .category = "x", .subject = "x"};
    auto id = tx.InsertCase(c);
    if (!id) return std::unexpected(id.error());
    Event e{.case_id = *id, .seq = 1, .kind = EventKind::kMessage, .body = Value::MakeObject()};
    auto ev = tx.AppendEvent(e);
    if (!ev) return std::unexpected(ev.error());
    auto again = tx.AppendEvent(e);  // same seq: a concurrent writer won
    EXPECT_FALSE(again);
    EXPECT_EQ(again.error().code, Errc::kConflict);
    return Ok();
  });
  ASSERT_TRUE(s) << s.error().message;
  store_.reset();
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path_.c_str(), &db), SQLITE_OK);
  EXPECT_NE(sqlite3_exec(db, "UPDATE events SET body = '{}'", nullptr, nullptr, nullptr), SQLITE_OK);
  EXPECT_NE(sqlite3_exec(db, "DELETE FROM events", nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(db);
}

}  // namespace
}  // namespace hilo
