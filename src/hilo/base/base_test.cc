#include <gtest/gtest.h>

#include "hilo/base/error.h"
#include "hilo/base/text.h"
#include "hilo/base/time.h"
#include "hilo/base/value.h"

namespace hilo {
namespace {

TEST(Time, RoundTripsIsoText) {
  auto t = ParseIsoTime("2026-11-28T14:55:00Z");
  ASSERT_TRUE(t);
  EXPECT_EQ(FormatIsoTime(*t), "2026-11-28T14:55:00Z");
  EXPECT_EQ(*ParseIsoTime("1970-01-01"), 0);
  EXPECT_EQ(*ParseIsoTime("2026-11-28T11:55:00-03:00"), *t);
  EXPECT_FALSE(ParseIsoTime("2026-13-01"));
  EXPECT_FALSE(ParseIsoTime("yesterday"));
}

TEST(Text, FoldsAccentsAndCase) {
  EXPECT_EQ(FoldForSearch("Muñoz PÉREZ"), "munoz perez");
  EXPECT_EQ(FoldForSearch("Ñuñoa"), "nunoa");
  EXPECT_EQ(DigitsOnly("+56 9 1234-5678"), "56912345678");
  EXPECT_TRUE(IsValidUtf8("canción"));
  EXPECT_FALSE(IsValidUtf8("\xC3"));
  EXPECT_FALSE(IsValidUtf8("\xFF\xFE"));
}

TEST(Value, BuildsAndReadsObjects) {
  Value v = Value::MakeObject();
  v.Set("what", "wifi");
  v.Set("count", 3);
  v.Set("what", "wifi drops");
  v.Set("list", Value::MakeArray({"a", 1}));
  EXPECT_EQ(v.Get("what").AsString(), "wifi drops");
  EXPECT_EQ(v.Get("count").AsInt(), 3);
  EXPECT_TRUE(v.Get("missing").IsNull());
  EXPECT_EQ(v.Get("list").AsArray().size(), 2u);
  EXPECT_EQ(v.AsObject().size(), 3u);
}

TEST(Error, CarriesCodeAndField) {
  Result<int> r = Fail(Errc::kInvalidArgument, "bad", "rut");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().field, "rut");
  EXPECT_EQ(ErrcName(r.error().code), "invalid_argument");
}

}  // namespace
}  // namespace hilo
