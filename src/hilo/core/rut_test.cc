#include "hilo/core/rut.h"

#include <gtest/gtest.h>

namespace hilo {
namespace {

TEST(Rut, NormalisesValidRuts) {
  EXPECT_EQ(*NormalizeRut("12.345.678-5"), "12345678-5");
  EXPECT_EQ(*NormalizeRut("123456785"), "12345678-5");
  EXPECT_EQ(*NormalizeRut("7.654.321-6"), "7654321-6");
  EXPECT_EQ(*NormalizeRut("10.000.013-k"), "10000013-K");
}

TEST(Rut, ComputesCheckDigits) {
  EXPECT_EQ(RutCheckDigit("12345678"), '5');
  EXPECT_EQ(RutCheckDigit("10000013"), 'K');
  EXPECT_EQ(RutCheckDigit("11111111"), '1');
}

TEST(Rut, RejectsWrongCheckDigitAndGarbage) {
  auto wrong = NormalizeRut("12.345.678-9");
  ASSERT_FALSE(wrong);
  EXPECT_EQ(wrong.error().code, Errc::kInvalidArgument);
  EXPECT_EQ(wrong.error().field, "national_id");
  EXPECT_FALSE(NormalizeRut("abc"));
  EXPECT_FALSE(NormalizeRut(""));
  EXPECT_FALSE(NormalizeRut("1K2-3"));
}

}  // namespace
}  // namespace hilo
