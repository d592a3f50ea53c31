// CSV as spreadsheets write it (RFC 4180): fields separated by commas, a field in double quotes
// when it holds a comma, quote or line break ("" inside for a quote), records ended by CRLF or
// LF. A UTF-8 byte-order mark at the start (Excel's) is skipped. Pure functions; thread-safe.
//
//   Result<CsvTable> t = ParseCsv(text, 50'000);
//   for (std::size_t i = 0; i < t->rows.size(); ++i) use(t->rows[i], t->lines[i]);
//
// On export, a field that a spreadsheet would run as a formula (starting with = + - @, tab or
// CR) is neutralised with a leading apostrophe — except a signed decimal number ("-45.50"),
// which a spreadsheet reads as a number; ParseCsv takes that apostrophe off again, so an
// export reads back as it was.
#pragma once

#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"

namespace onecard::core {

struct CsvTable {
  std::vector<std::vector<std::string>> rows;  // blank lines are skipped
  std::vector<int> lines;                      // the line each row starts on, from 1
};

// Errors (kFieldInvalid, field "csv", message with the line): a quote that is never closed, text
// after a closing quote, a NUL byte, invalid UTF-8, more than `max_rows` rows or more than 200
// fields in a row.
Result<CsvTable> ParseCsv(std::string_view text, std::size_t max_rows);

// One field, quoted when it must be and neutralised when a spreadsheet would run it.
std::string CsvField(std::string_view value);
// A record: the fields joined by commas, ended by CRLF.
std::string CsvRecord(std::span<const std::string> fields);

}  // namespace onecard::core
