// libFuzzer target: the CSV reader behind product imports (issue #5). Whatever the bytes: the
// reader answers a table or a field_invalid error naming the line, never crashes; and a table
// written back with CsvRecord reads back as the same table (what an export and a re-import rely
// on).
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "core/csv.hpp"
#include "core/error.hpp"

namespace {

[[noreturn]] void Fail(const std::string& why) {
  std::fprintf(stderr, "csv_fuzz: %s\n", why.c_str());
  std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace onecard::core;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  Result<CsvTable> t = ParseCsv(text, 1000);
  if (!t) {
    if (t.error().code != ErrorCode::kFieldInvalid || t.error().field != "csv" ||
        t.error().message.find("CSV line ") != 0) {
      Fail("unexpected error: " + t.error().ToString());
    }
    return 0;
  }
  if (t->rows.size() != t->lines.size()) Fail("rows and lines disagree");
  std::string written;
  for (const auto& row : t->rows) written += CsvRecord(row);
  Result<CsvTable> back = ParseCsv(written, 1000);
  if (!back) Fail("a written table does not read back: " + back.error().ToString());
  // A row of one empty field is a blank line once written: the reader skips it.
  std::size_t j = 0;
  for (const auto& row : t->rows) {
    if (row.size() == 1 && row[0].empty()) continue;
    if (j >= back->rows.size() || back->rows[j] != row) Fail("a row changed on the round trip");
    ++j;
  }
  if (j != back->rows.size()) Fail("the round trip added rows");
  return 0;
}
