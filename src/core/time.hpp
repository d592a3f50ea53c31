// Time values for core: instants (Timestamp, UTC microseconds) and calendar dates (CivilDate).
//
// Core never reads a clock: the current time is passed in by the caller. Turning a business date
// in a tenant's time zone into an instant needs the time-zone database and so happens in the
// service layer (service/calendar.hpp). Thread-safe: plain values.
#pragma once

#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/result.hpp"

namespace onecard::core {

// An instant: microseconds since 1970-01-01T00:00:00Z.
struct Timestamp {
  std::int64_t micros = 0;

  static constexpr Timestamp FromSeconds(std::int64_t s) { return Timestamp{s * 1'000'000}; }
  constexpr std::int64_t seconds() const {
    return micros >= 0 ? micros / 1'000'000 : -((-micros + 999'999) / 1'000'000);
  }
  constexpr Timestamp PlusSeconds(std::int64_t s) const {
    return Timestamp{micros + s * 1'000'000};
  }
  constexpr auto operator<=>(const Timestamp&) const = default;

  // "2026-11-23T06:05:09Z", or "2026-11-23T06:05:09.250000Z" when there are microseconds.
  std::string ToIsoUtc() const;
  // The inverse of ToIsoUtc: "YYYY-MM-DDTHH:MM:SS[.ffffff]Z". Error: kDateMalformed.
  static Result<Timestamp> ParseIsoUtc(std::string_view text, std::string_view field);
};

// A date on the proleptic Gregorian calendar, with no time zone.
struct CivilDate {
  int year = 1970;
  int month = 1;  // 1..12
  int day = 1;    // 1..31

  // Strict "YYYY-MM-DD" with a real day of month (2026-02-29 is refused).
  // Error: kDateMalformed naming `field`.
  static Result<CivilDate> Parse(std::string_view text, std::string_view field);

  std::int64_t DaysSinceEpoch() const;  // 1970-01-01 is 0
  static CivilDate FromDaysSinceEpoch(std::int64_t days);
  CivilDate PlusDays(std::int64_t days) const {
    return FromDaysSinceEpoch(DaysSinceEpoch() + days);
  }
  // Adds calendar months, clamping the day to the target month's length (Jan 31 + 1 = Feb 28/29).
  CivilDate PlusMonths(int months) const;
  int Weekday() const;  // 0 = Sunday … 6 = Saturday

  std::string ToString() const;  // "2026-11-23"
  constexpr auto operator<=>(const CivilDate&) const = default;
};

bool IsLeapYear(int year);
int DaysInMonth(int year, int month);

}  // namespace onecard::core
