#include "service/calendar.hpp"

#include <date/tz.h>

#include <cstdio>
#include <exception>

namespace onecard::service {
namespace {

const date::time_zone* FindZone(std::string_view name) {
  try {
    return date::locate_zone(std::string(name));
  } catch (const std::exception&) {
    return nullptr;
  }
}

core::Error UnknownZone(std::string_view name) {
  return core::MakeError(
      core::ErrorCode::kTimeZoneUnknown,
      "\"" + std::string(name) + "\" is not a known time zone; use an IANA name like Asia/Shanghai",
      "timezone");
}

}  // namespace

core::Status ValidateTimeZone(std::string_view name) {
  if (FindZone(name) == nullptr) return UnknownZone(name);
  return {};
}

core::Result<core::Timestamp> StartOfLocalDay(std::string_view tz, core::CivilDate d) {
  return LocalInstant(tz, d, 0);
}

core::Result<core::Timestamp> LocalInstant(std::string_view tz, core::CivilDate d,
                                           int minute_of_day) {
  const date::time_zone* zone = FindZone(tz);
  if (zone == nullptr) return UnknownZone(tz);
  const date::local_seconds local =
      date::local_days{date::year{d.year} / d.month / d.day} + std::chrono::minutes{minute_of_day};
  // A local time that does not exist (a DST jump) maps to the first instant after the gap; an
  // ambiguous one to the earlier instant.
  const auto info = zone->get_info(local);
  std::chrono::sys_seconds sys;
  if (info.result == date::local_info::nonexistent) {
    sys = std::chrono::sys_seconds{info.second.begin.time_since_epoch()};
  } else {
    sys = std::chrono::sys_seconds{local.time_since_epoch()} - info.first.offset;
  }
  return core::Timestamp::FromSeconds(sys.time_since_epoch().count());
}

core::Result<core::Timestamp> EndOfLocalDay(std::string_view tz, core::CivilDate last_valid_day) {
  return StartOfLocalDay(tz, last_valid_day.PlusDays(1));
}

core::Result<std::optional<core::Timestamp>> ExpiryAfterLastDay(std::string_view tz,
                                                                std::string_view date,
                                                                std::string_view field) {
  if (date.empty() || date == "never") return std::optional<core::Timestamp>{};
  ONECARD_TRY(core::CivilDate d, core::CivilDate::Parse(date, field));
  ONECARD_TRY(core::Timestamp t, EndOfLocalDay(tz, d));
  return std::optional<core::Timestamp>(t);
}

core::CivilDate LocalDate(std::string_view tz, core::Timestamp t) {
  std::int64_t secs = t.seconds();
  if (const date::time_zone* zone = FindZone(tz)) {
    const auto info = zone->get_info(std::chrono::sys_seconds{std::chrono::seconds{secs}});
    secs += info.offset.count();
  }
  std::int64_t days = secs / 86400;
  if (secs % 86400 < 0) days -= 1;
  return core::CivilDate::FromDaysSinceEpoch(days);
}

std::string LocalDateTime(std::string_view tz, core::Timestamp t) {
  std::int64_t secs = t.seconds();
  if (const date::time_zone* zone = FindZone(tz)) {
    const auto info = zone->get_info(std::chrono::sys_seconds{std::chrono::seconds{secs}});
    secs += info.offset.count();
  }
  std::int64_t rem = secs % 86400;
  std::int64_t days = secs / 86400;
  if (rem < 0) {
    rem += 86400;
    days -= 1;
  }
  const core::CivilDate d = core::CivilDate::FromDaysSinceEpoch(days);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%s %02d:%02d", d.ToString().c_str(), static_cast<int>(rem / 3600),
                static_cast<int>(rem % 3600 / 60));
  return buf;
}

}  // namespace onecard::service
