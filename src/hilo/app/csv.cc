#include "hilo/app/csv.h"

#include "hilo/base/text.h"

namespace hilo::app {

int CsvTable::Column(std::string_view name) const {
  for (std::size_t i = 0; i < header.size(); ++i)
    if (header[i] == name) return static_cast<int>(i);
  return -1;
}

Result<CsvTable> ParseCsv(std::string_view text) {
  if (!IsValidUtf8(text)) return Fail(Errc::kInvalidArgument, "the file is not valid UTF-8");
  if (text.starts_with("\xEF\xBB\xBF")) text.remove_prefix(3);  // spreadsheet BOM
  std::vector<CsvRow> rows;
  CsvRow row;
  std::string field;
  int line = 1;
  row.line = 1;
  bool in_quotes = false;
  bool field_started = false;
  auto end_field = [&] {
    row.fields.push_back(std::move(field));
    field.clear();
    field_started = false;
  };
  auto end_row = [&] {
    end_field();
    bool blank = row.fields.size() == 1 && row.fields[0].empty();
    if (!blank) rows.push_back(std::move(row));
    row = CsvRow{};
    row.line = line;
  };
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (in_quotes) {
      if (c == '"') {
        if (i + 1 < text.size() && text[i + 1] == '"') {
          field.push_back('"');
          ++i;
        } else {
          in_quotes = false;
        }
      } else {
        if (c == '\n') ++line;
        field.push_back(c);
      }
      continue;
    }
    if (c == '"') {
      if (field_started && !field.empty())
        return Fail(Errc::kInvalidArgument, "line " + std::to_string(line) + ": a quote inside an unquoted field");
      in_quotes = true;
      field_started = true;
    } else if (c == ',') {
      end_field();
    } else if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') {
      continue;
    } else if (c == '\n') {
      ++line;
      end_row();
    } else {
      field.push_back(c);
      field_started = true;
    }
  }
  if (in_quotes) return Fail(Errc::kInvalidArgument, "line " + std::to_string(row.line) + ": unterminated quoted field");
  if (!field.empty() || !row.fields.empty()) end_row();
  if (rows.empty()) return Fail(Errc::kInvalidArgument, "the file is empty: it needs a header row");
  CsvTable table;
  table.header = std::move(rows.front().fields);
  for (auto& h : table.header) h = std::string(Trim(h));
  for (std::size_t i = 1; i < rows.size(); ++i) {
    if (rows[i].fields.size() != table.header.size())
      return Fail(Errc::kInvalidArgument, "line " + std::to_string(rows[i].line) + ": " +
                                              std::to_string(rows[i].fields.size()) + " fields, the header has " +
                                              std::to_string(table.header.size()));
    table.rows.push_back(std::move(rows[i]));
  }
  return table;
}

}  // namespace hilo::app
