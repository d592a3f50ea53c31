#include "core/time.hpp"

#include <gtest/gtest.h>

namespace onecard::core {
namespace {

TEST(CivilDateTest, ParsesStrictDates) {
  Result<CivilDate> d = CivilDate::Parse("2026-02-28", "date");
  ASSERT_TRUE(d);
  EXPECT_EQ(d->ToString(), "2026-02-28");
  for (const char* bad : {"2026-02-29", "2026-13-01", "2026-00-10", "2026-1-1", "26-01-01",
                          "2026/01/01", "2026-01-32", "abcd-ef-gh", ""}) {
    Result<CivilDate> r = CivilDate::Parse(bad, "birthday");
    ASSERT_FALSE(r) << bad;
    EXPECT_EQ(r.error().code, ErrorCode::kDateMalformed);
    EXPECT_EQ(r.error().field, "birthday");
  }
  EXPECT_TRUE(CivilDate::Parse("2024-02-29", "d"));  // leap year
}

TEST(CivilDateTest, DayArithmeticRoundTrips) {
  EXPECT_EQ((CivilDate{1970, 1, 1}.DaysSinceEpoch()), 0);
  EXPECT_EQ((CivilDate{2000, 3, 1}.DaysSinceEpoch()), 11017);
  for (std::int64_t d = -800'000; d < 800'000; d += 997) {
    EXPECT_EQ(CivilDate::FromDaysSinceEpoch(d).DaysSinceEpoch(), d);
  }
  EXPECT_EQ((CivilDate{2026, 12, 31}.PlusDays(1)), (CivilDate{2027, 1, 1}));
}

TEST(CivilDateTest, AddsMonthsClampingTheDay) {
  EXPECT_EQ((CivilDate{2026, 1, 31}.PlusMonths(1)), (CivilDate{2026, 2, 28}));
  EXPECT_EQ((CivilDate{2024, 1, 31}.PlusMonths(1)), (CivilDate{2024, 2, 29}));
  EXPECT_EQ((CivilDate{2026, 11, 15}.PlusMonths(14)), (CivilDate{2028, 1, 15}));
  EXPECT_EQ((CivilDate{2026, 3, 15}.PlusMonths(-3)), (CivilDate{2025, 12, 15}));
}

TEST(CivilDateTest, KnowsWeekdays) {
  EXPECT_EQ((CivilDate{1970, 1, 1}.Weekday()), 4);    // Thursday
  EXPECT_EQ((CivilDate{2026, 11, 23}.Weekday()), 1);  // Monday
  EXPECT_EQ((CivilDate{1969, 12, 28}.Weekday()), 0);  // Sunday
}

TEST(TimestampTest, IsoRoundTripsWithMicroseconds) {
  const Timestamp t{1'795'000'000'123'456};
  EXPECT_EQ(t.ToIsoUtc(), "2026-11-18T11:06:40.123456Z");
  EXPECT_EQ(*Timestamp::ParseIsoUtc(t.ToIsoUtc(), "at"), t);
  const Timestamp whole = Timestamp::FromSeconds(1'795'000'000);
  EXPECT_EQ(whole.ToIsoUtc(), "2026-11-18T11:06:40Z");
  EXPECT_EQ(*Timestamp::ParseIsoUtc("2026-11-18T11:06:40.5Z", "at"),
            (Timestamp{whole.micros + 500'000}));
  for (const char* bad : {"2026-11-18 08:26:40Z", "2026-11-18T25:00:00Z", "2026-11-18T08:26:40",
                          "2026-11-18T08:26:40.1234567Z", "x"}) {
    EXPECT_FALSE(Timestamp::ParseIsoUtc(bad, "at")) << bad;
  }
  EXPECT_EQ(Timestamp{-1}.seconds(), -1);
}

}  // namespace
}  // namespace onecard::core
