// Business dates in a tenant's time zone (DESIGN "Units, time, text"): instants are UTC, but a
// birthday, an expiry date or a daily close is a date where the tenant is. Uses the IANA time
// zone database (tzdata) through Howard Hinnant's date library. Thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "core/result.hpp"
#include "core/time.hpp"

namespace onecard::service {

// Ok when `name` is a known IANA zone ("Asia/Shanghai"). Error: kTimeZoneUnknown.
core::Status ValidateTimeZone(std::string_view name);

// The instant a local date begins (local midnight) in zone `tz`. Error: kTimeZoneUnknown.
core::Result<core::Timestamp> StartOfLocalDay(std::string_view tz, core::CivilDate date);
// The instant of a local date and time (minutes after midnight) in zone `tz`; a time in a DST
// gap maps to the end of the gap. Error: kTimeZoneUnknown.
core::Result<core::Timestamp> LocalInstant(std::string_view tz, core::CivilDate date,
                                           int minute_of_day);

// The local date of an instant in zone `tz` (falls back to UTC for an unknown zone).
core::CivilDate LocalDate(std::string_view tz, core::Timestamp t);

// "2026-11-23 14:05" in zone `tz` (UTC for an unknown zone).
std::string LocalDateTime(std::string_view tz, core::Timestamp t);

// An expiry given as the last valid local day becomes the instant after it: the start of the
// next local day. Lots with expires_at ≤ an expiry run's cutoff are written off.
core::Result<core::Timestamp> EndOfLocalDay(std::string_view tz, core::CivilDate last_valid_day);
// The same from text: "YYYY-MM-DD" → the end of that local day; "" or "never" → no expiry.
// Error: kDateMalformed naming `field`.
core::Result<std::optional<core::Timestamp>> ExpiryAfterLastDay(std::string_view tz,
                                                                std::string_view date,
                                                                std::string_view field);

}  // namespace onecard::service
