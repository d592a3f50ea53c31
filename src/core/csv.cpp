#include "core/csv.hpp"

#include <cstdint>

#include "core/error.hpp"

namespace onecard::core {
namespace {

constexpr std::size_t kMaxFields = 200;

// A signed decimal number ("-45.50", "+3"): a spreadsheet reads it as a number, not a formula.
bool SignedNumber(std::string_view v) {
  if (v.size() < 2 || (v[0] != '-' && v[0] != '+')) return false;
  const std::size_t dot = v.find('.');
  const auto digits = [](std::string_view d) {
    return !d.empty() && d.find_first_not_of("0123456789") == std::string_view::npos;
  };
  if (dot == std::string_view::npos) return digits(v.substr(1));
  return digits(v.substr(1, dot - 1)) && digits(v.substr(dot + 1));
}

bool Formula(std::string_view v) {
  return !v.empty() && !SignedNumber(v) &&
         (v[0] == '=' || v[0] == '+' || v[0] == '-' || v[0] == '@' || v[0] == '\t' || v[0] == '\r');
}

Error Bad(int line, std::string why) {
  return MakeError(ErrorCode::kFieldInvalid, "CSV line " + std::to_string(line) + ": " + why,
                   "csv");
}

// Whether `text` is well-formed UTF-8 (no overlong forms, no surrogates, ≤ U+10FFFF).
bool ValidUtf8(std::string_view text, std::size_t& bad_at) {
  std::size_t i = 0;
  while (i < text.size()) {
    const auto c = static_cast<unsigned char>(text[i]);
    std::size_t n = 0;
    std::uint32_t cp = 0;
    if (c < 0x80) {
      ++i;
      continue;
    } else if ((c & 0xE0) == 0xC0) {
      n = 1;
      cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      n = 2;
      cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      n = 3;
      cp = c & 0x07;
    } else {
      bad_at = i;
      return false;
    }
    for (std::size_t k = 1; k <= n; ++k) {
      if (i + k >= text.size()) {
        bad_at = i;
        return false;
      }
      const auto cc = static_cast<unsigned char>(text[i + k]);
      if ((cc & 0xC0) != 0x80) {
        bad_at = i;
        return false;
      }
      cp = (cp << 6) | (cc & 0x3F);
    }
    const std::uint32_t min = n == 1 ? 0x80 : n == 2 ? 0x800 : 0x10000;
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
      bad_at = i;
      return false;
    }
    i += n + 1;
  }
  return true;
}

std::string Unneutralise(std::string v) {
  if (v.size() >= 2 && v[0] == '\'' && Formula(std::string_view(v).substr(1))) v.erase(0, 1);
  return v;
}

}  // namespace

Result<CsvTable> ParseCsv(std::string_view text, std::size_t max_rows) {
  if (text.starts_with("\xEF\xBB\xBF")) text.remove_prefix(3);
  std::size_t bad_at = 0;
  if (!ValidUtf8(text, bad_at)) {
    int line = 1;
    for (std::size_t i = 0; i < bad_at; ++i) line += text[i] == '\n' ? 1 : 0;
    return Bad(line, "the text is not UTF-8 (save the file as CSV UTF-8)");
  }
  CsvTable out;
  std::vector<std::string> row;
  std::string field;
  int line = 1;
  int row_line = 1;
  bool quoted = false;       // inside quotes
  bool was_quoted = false;   // the current field was quoted (it ended at the closing quote)
  bool row_started = false;  // the current row has a character
  auto end_field = [&]() -> Status {
    if (row.size() >= kMaxFields) {
      return Bad(row_line, "more than " + std::to_string(kMaxFields) + " fields");
    }
    row.push_back(Unneutralise(std::move(field)));
    field.clear();
    was_quoted = false;
    return {};
  };
  auto end_row = [&]() -> Status {
    if (!row_started) return {};  // a blank line
    ONECARD_CHECK(end_field());
    if (out.rows.size() >= max_rows) {
      return Bad(row_line, "more than " + std::to_string(max_rows) + " rows");
    }
    out.rows.push_back(std::move(row));
    out.lines.push_back(row_line);
    row.clear();
    row_started = false;
    return {};
  };
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '\0') return Bad(line, "a NUL byte");
    if (quoted) {
      if (c == '"') {
        if (i + 1 < text.size() && text[i + 1] == '"') {
          field += '"';
          ++i;
        } else {
          quoted = false;
          was_quoted = true;
        }
      } else {
        if (c == '\n') ++line;
        field += c;
      }
      continue;
    }
    if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') continue;
    if (c == '\n' || c == '\r') {
      ONECARD_CHECK(end_row());
      ++line;
      row_line = line;
      continue;
    }
    if (!row_started) {
      row_started = true;
      row_line = line;
    }
    if (c == ',') {
      ONECARD_CHECK(end_field());
      continue;
    }
    if (was_quoted) return Bad(line, "text after a closing quote");
    if (c == '"') {
      if (!field.empty()) return Bad(line, "a quote inside an unquoted field");
      quoted = true;
      continue;
    }
    field += c;
  }
  if (quoted) return Bad(row_line, "a quote that is never closed");
  ONECARD_CHECK(end_row());
  return out;
}

std::string CsvField(std::string_view value) {
  std::string v(value);
  if (Formula(v)) v.insert(v.begin(), '\'');
  // A field that starts with a byte-order mark is quoted, or a reader would take the mark off
  // when the field opens the file.
  if (v.find_first_of(",\"\r\n") == std::string::npos && !v.starts_with("\xEF\xBB\xBF")) {
    return v;
  }
  std::string out = "\"";
  for (char c : v) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
  return out;
}

std::string CsvRecord(std::span<const std::string> fields) {
  std::string out;
  for (std::size_t i = 0; i < fields.size(); ++i) {
    if (i > 0) out += ',';
    out += CsvField(fields[i]);
  }
  out += "\r\n";
  return out;
}

}  // namespace onecard::core
