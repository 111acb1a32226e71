#include "hilo/app/import.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "hilo/store/sqlite/sqlite_store.h"

namespace hilo::app {
namespace {

class ImportTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = std::filesystem::temp_directory_path() / ("hilo-import-" + std::to_string(::getpid()) + ".db");
    for (auto s : {"", "-wal", "-shm"}) std::filesystem::remove(path_.string() + s);
    store_ = std::move(*SqliteStore::Open(path_.string(), {}));
  }
  void TearDown() override {
    store_.reset();
    for (auto s : {"", "-wal", "-shm"}) std::filesystem::remove(path_.string() + s);
  }
  int Count(const std::string& q) {
    int n = 0;
    (void)store_->Read([&](StoreReader& r) -> Status {
      n = static_cast<int>(r.SearchCustomers({q, 100})->size());
      return Ok();
    });
    return n;
  }
  std::filesystem::path path_;
  std::unique_ptr<SqliteStore> store_;
};

TEST_F(ImportTest, ImportsAllKindsLinkedByNationalId) {
  auto c = ImportCsv(*store_, "customers",
                     "national_id,name,phones,emails,language,customer_since\n"
                     "12.345.678-5,Carlos Muñoz,+56 9 8765 4321,carlos@example.cl,es,2001-03-15\n"
                     "7654321-6,Ann Smith,,ann@example.com;ann2@example.com,en,\n");
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->rows, 2);
  ASSERT_TRUE(ImportCsv(*store_, "sites", "customer_national_id,address,city\n12345678-5,Av. Irarrázaval 2401,Ñuñoa\n"));
  auto svc = ImportCsv(*store_, "services", "customer_national_id,kind,plan,status,site_address\n12345678-5,internet,600 Mbps,active,av. irarrazaval 2401\n");
  ASSERT_TRUE(svc) << svc.error().message;
  auto dev = ImportCsv(*store_, "devices", "customer_national_id,kind,oui,product_class,serial,label,mac,site_address\n"
                                           "12345678-5,gateway,A0B1C2,HGW-3000,SN1,Gateway,,\n");
  ASSERT_TRUE(dev) << dev.error().message;
  EXPECT_EQ(Count("SN1"), 1);
  EXPECT_EQ(Count("munoz"), 1);
}

TEST_F(ImportTest, OneBadLineImportsNothingAndNamesLineAndField) {
  auto r = ImportCsv(*store_, "customers",
                     "national_id,name\n"
                     "12.345.678-5,Carlos\n"
                     "7654321-6,Ann\n"
                     "11.111.111-2,Bad Rut\n");
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("line 4, field national_id"), std::string::npos) << r.error().message;
  EXPECT_EQ(r.error().field, "national_id");
  EXPECT_EQ(Count("carlos"), 0) << "all or nothing";
  auto unknown = ImportCsv(*store_, "sites", "customer_national_id,address\n12345678-5,Somewhere\n");
  ASSERT_FALSE(unknown);
  EXPECT_NE(unknown.error().message.find("line 2, field customer_national_id"), std::string::npos);
  auto bad_header = ImportCsv(*store_, "customers", "national_id,nmae\n12345678-5,X\n");
  ASSERT_FALSE(bad_header);
  EXPECT_NE(bad_header.error().message.find("line 1"), std::string::npos);
  auto bad_kind = ImportCsv(*store_, "services", "customer_national_id,kind\n12345678-5,internet\n");
  ASSERT_FALSE(bad_kind);  // customer does not exist
}

}  // namespace
}  // namespace hilo::app
