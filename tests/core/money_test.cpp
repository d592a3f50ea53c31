#include "core/money.hpp"

#include <gtest/gtest.h>

namespace onecard::core {
namespace {

TEST(MoneyTest, ParsesYuanToFen) {
  EXPECT_EQ(Money::Parse("12", "amount", SignPolicy::kPositiveOnly)->fen(), 1200);
  EXPECT_EQ(Money::Parse("12.3", "amount", SignPolicy::kPositiveOnly)->fen(), 1230);
  EXPECT_EQ(Money::Parse("12.34", "amount", SignPolicy::kPositiveOnly)->fen(), 1234);
  EXPECT_EQ(Money::Parse("0.01", "amount", SignPolicy::kPositiveOnly)->fen(), 1);
  EXPECT_EQ(Money::Parse("-5.5", "amount", SignPolicy::kAllowNegative)->fen(), -550);
}

// Prices may be free: zero and above, never negative ("-0" is zero).
TEST(MoneyTest, ZeroOrPositiveTakesZeroAndRefusesNegatives) {
  EXPECT_EQ(Money::Parse("0", "price", SignPolicy::kZeroOrPositive)->fen(), 0);
  EXPECT_EQ(Money::Parse("0.00", "price", SignPolicy::kZeroOrPositive)->fen(), 0);
  EXPECT_EQ(Money::Parse("-0", "price", SignPolicy::kZeroOrPositive)->fen(), 0);
  EXPECT_EQ(Money::Parse("12.50", "price", SignPolicy::kZeroOrPositive)->fen(), 1250);
  auto negative = Money::Parse("-1", "price", SignPolicy::kZeroOrPositive);
  ASSERT_FALSE(negative);
  EXPECT_EQ(negative.error().code, ErrorCode::kAmountNotPositive);
  EXPECT_NE(negative.error().message.find("zero or more"), std::string::npos);
  EXPECT_EQ(Money::Parse("0", "amount", SignPolicy::kPositiveOnly).error().code,
            ErrorCode::kAmountNotPositive);
  EXPECT_EQ(Money::Parse("0", "amount", SignPolicy::kAllowNegative).error().code,
            ErrorCode::kAmountNotPositive);
}

TEST(MoneyTest, RefusesMalformedAmountsNamingTheField) {
  for (const char* bad : {"", "abc", "1.", ".5", "1..2", "1e3", "1,000", " 1", "1 ", "--1", "1-"}) {
    Result<Money> r = Money::Parse(bad, "amount", SignPolicy::kPositiveOnly);
    ASSERT_FALSE(r) << bad;
    EXPECT_EQ(r.error().code, ErrorCode::kAmountMalformed) << bad;
    EXPECT_EQ(r.error().field, "amount");
  }
}

TEST(MoneyTest, RefusesMoreThanTwoDecimalsInsteadOfRounding) {
  Result<Money> r = Money::Parse("12.345", "amount", SignPolicy::kPositiveOnly);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kAmountMalformed);
  EXPECT_NE(r.error().message.find("two decimals"), std::string::npos);
}

TEST(MoneyTest, RefusesZeroNegativeAndOverflowingAmounts) {
  EXPECT_EQ(Money::Parse("0", "a", SignPolicy::kPositiveOnly).error().code,
            ErrorCode::kAmountNotPositive);
  EXPECT_EQ(Money::Parse("0.00", "a", SignPolicy::kAllowNegative).error().code,
            ErrorCode::kAmountNotPositive);
  EXPECT_EQ(Money::Parse("-1", "a", SignPolicy::kPositiveOnly).error().code,
            ErrorCode::kAmountNotPositive);
  EXPECT_EQ(Money::Parse("10000000000000.01", "a", SignPolicy::kPositiveOnly).error().code,
            ErrorCode::kAmountTooLarge);
  EXPECT_EQ(Money::Parse("99999999999999999999999999", "a", SignPolicy::kPositiveOnly).error().code,
            ErrorCode::kAmountTooLarge);
  // The largest allowed amount parses exactly.
  EXPECT_EQ(Money::Parse("10000000000000", "a", SignPolicy::kPositiveOnly)->fen(), kAmountMax);
}

TEST(MoneyTest, FormatsWithTwoDecimals) {
  EXPECT_EQ(Money::Fen(1234).ToString(), "12.34");
  EXPECT_EQ(Money::Fen(5).ToString(), "0.05");
  EXPECT_EQ(Money::Fen(-50).ToString(), "-0.50");
  EXPECT_EQ(Money::Fen(0).ToString(), "0.00");
  EXPECT_EQ(Money::Fen(INT64_MIN).ToString(), "-92233720368547758.08");
}

TEST(MoneyTest, CheckedArithmeticReportsOverflow) {
  EXPECT_EQ(Money::Fen(100).Plus(Money::Fen(23))->fen(), 123);
  EXPECT_EQ(Money::Fen(INT64_MAX).Plus(Money::Fen(1)).error().code, ErrorCode::kAmountTooLarge);
  EXPECT_EQ(Money::Fen(INT64_MIN).Minus(Money::Fen(1)).error().code, ErrorCode::kAmountTooLarge);
  EXPECT_EQ(Points::Of(INT64_MAX).Plus(Points::Of(1)).error().code, ErrorCode::kAmountTooLarge);
  EXPECT_EQ(Points::Of(5).Minus(Points::Of(7))->count(), -2);
}

TEST(MoneyTest, PointsParseWholeNumbersOnly) {
  EXPECT_EQ(Points::Parse("120", "points", SignPolicy::kPositiveOnly)->count(), 120);
  EXPECT_EQ(Points::Parse("-50", "points", SignPolicy::kAllowNegative)->count(), -50);
  EXPECT_EQ(Points::Parse("1.5", "points", SignPolicy::kPositiveOnly).error().code,
            ErrorCode::kAmountMalformed);
}

TEST(MulDivTest, RoundsAsNamed) {
  // 7 × 1 / 2 = 3.5
  EXPECT_EQ(*MulDiv(7, 1, 2, Rounding::kFloor), 3);
  EXPECT_EQ(*MulDiv(7, 1, 2, Rounding::kCeiling), 4);
  EXPECT_EQ(*MulDiv(7, 1, 2, Rounding::kTowardZero), 3);
  EXPECT_EQ(*MulDiv(7, 1, 2, Rounding::kHalfUp), 4);
  EXPECT_EQ(*MulDiv(7, 1, 2, Rounding::kHalfEven), 4);
  EXPECT_EQ(*MulDiv(5, 1, 2, Rounding::kHalfEven), 2);  // 2.5 → 2
  // Negative values: -3.5
  EXPECT_EQ(*MulDiv(-7, 1, 2, Rounding::kFloor), -4);
  EXPECT_EQ(*MulDiv(-7, 1, 2, Rounding::kCeiling), -3);
  EXPECT_EQ(*MulDiv(-7, 1, 2, Rounding::kTowardZero), -3);
  EXPECT_EQ(*MulDiv(-7, 1, 2, Rounding::kHalfUp), -4);
  EXPECT_EQ(*MulDiv(-7, 1, 2, Rounding::kHalfEven), -4);
  EXPECT_EQ(*MulDiv(-5, 1, 2, Rounding::kHalfEven), -2);
  // A negative denominator flips the sign exactly.
  EXPECT_EQ(*MulDiv(7, 1, -2, Rounding::kFloor), -4);
  // Below half and above half.
  EXPECT_EQ(*MulDiv(10, 1, 3, Rounding::kHalfUp), 3);
  EXPECT_EQ(*MulDiv(20, 1, 3, Rounding::kHalfUp), 7);
}

TEST(MulDivTest, ComputesIn128BitsAndRefusesResultsOutsideInt64) {
  // 9e18 × 3 / 4 overflows 64 bits in the middle but not in the result.
  EXPECT_EQ(*MulDiv(9'000'000'000'000'000'000, 3, 4, Rounding::kFloor), 6'750'000'000'000'000'000);
  EXPECT_EQ(MulDiv(INT64_MAX, 2, 1, Rounding::kFloor).error().code, ErrorCode::kAmountTooLarge);
  EXPECT_EQ(MulDiv(1, 1, 0, Rounding::kFloor).error().code, ErrorCode::kInvalidArgument);
}

TEST(ApportionTest, SplitsInProportionByLargestRemaindersWithinEachWeight) {
  const std::vector<std::int64_t> tenders = {1000, 5000, 6000};
  EXPECT_EQ(Apportion(2000, tenders), (std::vector<std::int64_t>{167, 833, 1000}));
  EXPECT_EQ(Apportion(12000, tenders), tenders);
  EXPECT_EQ(Apportion(0, tenders), (std::vector<std::int64_t>{0, 0, 0}));
  EXPECT_EQ(Apportion(1, std::vector<std::int64_t>{1, 1}), (std::vector<std::int64_t>{1, 0}));
  EXPECT_EQ(Apportion(2, std::vector<std::int64_t>{0, 3, 0}), (std::vector<std::int64_t>{0, 2, 0}));
  // Every split of every amount adds up and stays within its weights.
  const std::vector<std::int64_t> odd = {7, 0, 13, 1, 29};
  for (std::int64_t amount = 0; amount <= 50; ++amount) {
    const std::vector<std::int64_t> parts = Apportion(amount, odd);
    std::int64_t sum = 0;
    for (std::size_t i = 0; i < parts.size(); ++i) {
      EXPECT_GE(parts[i], 0);
      EXPECT_LE(parts[i], odd[i]);
      sum += parts[i];
    }
    EXPECT_EQ(sum, amount);
  }
}

TEST(MoneyTest, GroupsThousands) {
  EXPECT_EQ(GroupThousands(0), "0");
  EXPECT_EQ(GroupThousands(999), "999");
  EXPECT_EQ(GroupThousands(1000), "1,000");
  EXPECT_EQ(GroupThousands(-1234567), "-1,234,567");
}

}  // namespace
}  // namespace onecard::core
