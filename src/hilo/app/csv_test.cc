#include "hilo/app/csv.h"

#include <gtest/gtest.h>

namespace hilo::app {
namespace {

TEST(Csv, ParsesQuotesNewlinesAndCrlf) {
  auto t = ParseCsv("a,b\r\n\"x, y\",\"he said \"\"hi\"\"\"\r\n\"multi\nline\",2\n");
  ASSERT_TRUE(t) << t.error().message;
  ASSERT_EQ(t->rows.size(), 2u);
  EXPECT_EQ(t->rows[0].fields[0], "x, y");
  EXPECT_EQ(t->rows[0].fields[1], "he said \"hi\"");
  EXPECT_EQ(t->rows[1].fields[0], "multi\nline");
  EXPECT_EQ(t->rows[1].line, 3);
}

TEST(Csv, BrokenLinesNameTheLine) {
  auto short_row = ParseCsv("a,b\n1,2\n3\n");
  ASSERT_FALSE(short_row);
  EXPECT_NE(short_row.error().message.find("line 3"), std::string::npos) << short_row.error().message;
  auto open_quote = ParseCsv("a,b\n1,\"2\n");
  ASSERT_FALSE(open_quote);
  EXPECT_NE(open_quote.error().message.find("line 2"), std::string::npos) << open_quote.error().message;
  EXPECT_FALSE(ParseCsv(""));
}

}  // namespace
}  // namespace hilo::app
