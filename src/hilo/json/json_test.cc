#include "hilo/json/json.h"

#include <gtest/gtest.h>

namespace hilo {
namespace {

TEST(Json, RoundTripsDocuments) {
  auto v = ParseJson(R"({"name":"Muñoz","n":3,"x":1.5,"ok":true,"list":[1,null,"a\"b"]})");
  ASSERT_TRUE(v);
  EXPECT_EQ(v->Get("name").AsString(), "Muñoz");
  EXPECT_EQ(ToJson(*v), R"({"name":"Muñoz","n":3,"x":1.5,"ok":true,"list":[1,null,"a\"b"]})");
}

TEST(Json, RejectsMalformedAndDeepAndLarge) {
  EXPECT_EQ(ParseJson("{\"a\":").error().code, Errc::kInvalidArgument);
  EXPECT_EQ(ParseJson(std::string(100, '['), 1 << 20, 64).error().code, Errc::kInvalidArgument);
  EXPECT_EQ(ParseJson(std::string(2000, ' '), 1000).error().code, Errc::kTooLarge);
}

TEST(Json, EscapesControlCharacters) { EXPECT_EQ(ToJson(Value("a\x01")), "\"a\\u0001\""); }

}  // namespace
}  // namespace hilo
