#pragma once
// A small RFC 4180 CSV reader: quoted fields, doubled quotes, CRLF or LF, a header row.
// Errors name the line: kInvalidArgument "line 7: unterminated quoted field".

#include <string>
#include <string_view>
#include <vector>

#include "hilo/base/error.h"

namespace hilo::app {

struct CsvRow {
  int line = 0;  // 1-based line number where the row starts
  std::vector<std::string> fields;
};

struct CsvTable {
  std::vector<std::string> header;
  std::vector<CsvRow> rows;
  // Index of a header column, or -1.
  int Column(std::string_view name) const;
};

Result<CsvTable> ParseCsv(std::string_view text);

}  // namespace hilo::app
