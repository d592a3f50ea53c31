#include "core/time.hpp"

#include <cstdio>

namespace onecard::core {
namespace {

// Days from 1970-01-01 to y-m-d on the proleptic Gregorian calendar. The era/year-of-era method:
// shift the year to start in March so the leap day is last, then count whole 400-year eras.
std::int64_t DaysFromCivil(std::int64_t y, unsigned m, unsigned d) {
  y -= m <= 2 ? 1 : 0;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

CivilDate CivilFromDays(std::int64_t z) {
  z += 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const auto doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const std::int64_t y = static_cast<std::int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  return CivilDate{static_cast<int>(y + (m <= 2 ? 1 : 0)), static_cast<int>(m),
                   static_cast<int>(d)};
}

}  // namespace

bool IsLeapYear(int year) {
  return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

int DaysInMonth(int year, int month) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (month == 2 && IsLeapYear(year)) return 29;
  return kDays[month - 1];
}

std::string Timestamp::ToIsoUtc() const {
  const std::int64_t secs = seconds();
  const std::int64_t frac = micros - secs * 1'000'000;
  std::int64_t days = secs / 86400;
  std::int64_t rem = secs % 86400;
  if (rem < 0) {
    rem += 86400;
    days -= 1;
  }
  const CivilDate date = CivilDate::FromDaysSinceEpoch(days);
  char buf[40];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d", date.year, date.month, date.day,
                static_cast<int>(rem / 3600), static_cast<int>(rem % 3600 / 60),
                static_cast<int>(rem % 60));
  std::string out = buf;
  if (frac != 0) {
    std::snprintf(buf, sizeof buf, ".%06d", static_cast<int>(frac));
    out += buf;
  }
  return out + "Z";
}

Result<Timestamp> Timestamp::ParseIsoUtc(std::string_view text, std::string_view field) {
  const auto bad = [&] {
    return MakeError(ErrorCode::kDateMalformed,
                     "\"" + std::string(text) + "\" is not a UTC time like 2026-11-23T06:05:09Z",
                     std::string(field));
  };
  if (text.size() < 20 || text[10] != 'T' || text.back() != 'Z') return bad();
  Result<CivilDate> date = CivilDate::Parse(text.substr(0, 10), field);
  if (!date) return bad();
  const std::string_view clock = text.substr(11, 8);
  if (clock[2] != ':' || clock[5] != ':') return bad();
  int hms[3] = {0, 0, 0};
  for (int i = 0; i < 3; ++i) {
    const char a = clock[static_cast<std::size_t>(i * 3)];
    const char b = clock[static_cast<std::size_t>(i * 3 + 1)];
    if (a < '0' || a > '9' || b < '0' || b > '9') return bad();
    hms[i] = (a - '0') * 10 + (b - '0');
  }
  if (hms[0] > 23 || hms[1] > 59 || hms[2] > 59) return bad();
  std::int64_t micros = 0;
  std::string_view rest = text.substr(19, text.size() - 20);
  if (!rest.empty()) {
    if (rest.front() != '.' || rest.size() < 2 || rest.size() > 7) return bad();
    int digits = 0;
    for (char c : rest.substr(1)) {
      if (c < '0' || c > '9') return bad();
      micros = micros * 10 + (c - '0');
      ++digits;
    }
    for (; digits < 6; ++digits) micros *= 10;
  }
  const std::int64_t secs = date->DaysSinceEpoch() * 86400 + hms[0] * 3600 + hms[1] * 60 + hms[2];
  return Timestamp{secs * 1'000'000 + micros};
}

Result<CivilDate> CivilDate::Parse(std::string_view text, std::string_view field) {
  const auto bad = [&](const std::string& why) {
    return MakeError(ErrorCode::kDateMalformed, "\"" + std::string(text) + "\" " + why,
                     std::string(field));
  };
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') {
    return bad("is not a date of the form YYYY-MM-DD");
  }
  int parts[3] = {0, 0, 0};
  const std::size_t starts[3] = {0, 5, 8};
  const std::size_t lens[3] = {4, 2, 2};
  for (int i = 0; i < 3; ++i) {
    for (std::size_t j = 0; j < lens[i]; ++j) {
      const char c = text[starts[i] + j];
      if (c < '0' || c > '9') return bad("is not a date of the form YYYY-MM-DD");
      parts[i] = parts[i] * 10 + (c - '0');
    }
  }
  CivilDate date{parts[0], parts[1], parts[2]};
  if (date.year < 1900 || date.year > 9999) return bad("has a year outside 1900–9999");
  if (date.month < 1 || date.month > 12) return bad("has no such month");
  if (date.day < 1 || date.day > DaysInMonth(date.year, date.month)) {
    return bad("has no such day in that month");
  }
  return date;
}

std::int64_t CivilDate::DaysSinceEpoch() const {
  return DaysFromCivil(year, static_cast<unsigned>(month), static_cast<unsigned>(day));
}

CivilDate CivilDate::FromDaysSinceEpoch(std::int64_t days) {
  return CivilFromDays(days);
}

CivilDate CivilDate::PlusMonths(int months) const {
  const int index = year * 12 + (month - 1) + months;
  const int y = index >= 0 ? index / 12 : (index - 11) / 12;
  const int m = index - y * 12 + 1;
  const int d = day < DaysInMonth(y, m) ? day : DaysInMonth(y, m);
  return CivilDate{y, m, d};
}

int CivilDate::Weekday() const {
  const std::int64_t z = DaysSinceEpoch();
  return static_cast<int>(z >= -4 ? (z + 4) % 7 : (z + 5) % 7 + 6);
}

std::string CivilDate::ToString() const {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", year, month, day);
  return buf;
}

}  // namespace onecard::core
