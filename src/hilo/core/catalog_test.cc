#include "hilo/core/catalog.h"

#include <gtest/gtest.h>

namespace hilo {
namespace {

TEST(Catalog, BothLanguagesHaveEveryKey) {
  EXPECT_EQ(CatalogKeys(Language::kEs), CatalogKeys(Language::kEn));
  for (auto key : CatalogKeys(Language::kEs)) {
    EXPECT_NE(Text(Language::kEs, key), key);
    EXPECT_NE(Text(Language::kEn, key), key);
  }
}

TEST(Catalog, FillsPlaceholders) {
  EXPECT_EQ(Text(Language::kEn, "story.status", {{"status", "Open"}}), "Status: Open");
  EXPECT_EQ(Text(Language::kEs, "story.status", {{"status", "Abierto"}}), "Estado: Abierto");
  EXPECT_EQ(Text(Language::kEs, "no.such.key"), "no.such.key");
  EXPECT_EQ(CaseStatusText(Language::kEs, CaseStatus::kPendingCustomer), "Esperando su respuesta");
  EXPECT_EQ(DateText(Language::kEs, 0), "01-01-1970 00:00");
}

}  // namespace
}  // namespace hilo
