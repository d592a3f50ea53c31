// Money (signed 64-bit fen) and Points: the two units of value, kept apart by the type system.
//
// Neither converts implicitly to the other or to floating point (there is no floating point in
// core). Arithmetic that could overflow is checked and returns a Result; every division goes
// through MulDiv, which names its rounding. Parsing is strict: "12.34" is 1234 fen, "12.345" is
// refused rather than rounded. Thread-safe: plain values.
#pragma once

#include <compare>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"

namespace onecard::core {

// The largest amount a single operation may carry, in minor units (fen, points or uses):
// 10^15, i.e. ¥10 trillion. Far above any real payment, and low enough that sums of many such
// amounts stay inside int64.
inline constexpr std::int64_t kAmountMax = 1'000'000'000'000'000;

enum class Rounding : std::uint8_t {
  kFloor,       // toward negative infinity
  kCeiling,     // toward positive infinity
  kTowardZero,  // truncate
  kHalfUp,      // nearest, ties away from zero
  kHalfEven,    // nearest, ties to even (banker's)
};
std::string_view RoundingName(Rounding r);

// value × numerator / denominator, computed exactly in 128 bits and rounded as asked.
// Errors: kInvalidArgument if denominator is 0; kAmountTooLarge if the result leaves int64.
Result<std::int64_t> MulDiv(std::int64_t value, std::int64_t numerator, std::int64_t denominator,
                            Rounding rounding);

// Overflow-checked helpers shared by Money and Points. Error: kAmountTooLarge.
Result<std::int64_t> CheckedAdd(std::int64_t a, std::int64_t b);
Result<std::int64_t> CheckedSub(std::int64_t a, std::int64_t b);

// What a parser accepts: only amounts above zero; also negative ones (never zero); or zero and
// above (prices, which may be free).
enum class SignPolicy : std::uint8_t { kPositiveOnly, kAllowNegative, kZeroOrPositive };

class Money {
 public:
  constexpr Money() = default;
  static constexpr Money Fen(std::int64_t fen) { return Money(fen); }
  static constexpr Money Zero() { return Money(0); }

  constexpr std::int64_t fen() const { return fen_; }

  // Parses yuan with at most two decimals: "12", "12.3", "12.34", and "-12.34" when negatives are
  // allowed. Errors (with `field` named): kAmountMalformed, kAmountNotPositive (zero, or negative
  // when not allowed), kAmountTooLarge (beyond kAmountMax fen).
  static Result<Money> Parse(std::string_view text, std::string_view field, SignPolicy sign);

  // "12.34", "-0.50", "0.00".
  std::string ToString() const;

  Result<Money> Plus(Money other) const;
  Result<Money> Minus(Money other) const;
  constexpr Money Negated() const { return Money(-fen_); }

  constexpr auto operator<=>(const Money&) const = default;

 private:
  constexpr explicit Money(std::int64_t fen) : fen_(fen) {}
  std::int64_t fen_ = 0;
};

class Points {
 public:
  constexpr Points() = default;
  static constexpr Points Of(std::int64_t points) { return Points(points); }
  static constexpr Points Zero() { return Points(0); }

  constexpr std::int64_t count() const { return points_; }

  // Parses a whole number of points: "120", or "-50" when negatives are allowed.
  // Errors: kAmountMalformed, kAmountNotPositive, kAmountTooLarge.
  static Result<Points> Parse(std::string_view text, std::string_view field, SignPolicy sign);

  std::string ToString() const;

  Result<Points> Plus(Points other) const;
  Result<Points> Minus(Points other) const;
  constexpr Points Negated() const { return Points(-points_); }

  constexpr auto operator<=>(const Points&) const = default;

 private:
  constexpr explicit Points(std::int64_t points) : points_(points) {}
  std::int64_t points_ = 0;
};

// Parses a whole positive count (of uses, of items). Same errors as Points::Parse.
Result<std::int64_t> ParseCount(std::string_view text, std::string_view field, SignPolicy sign);

// "1,234,567" — digits grouped by thousands, for people to read.
std::string GroupThousands(std::int64_t value);

// Splits `amount` (0 ≤ amount ≤ Σ weights) over `weights` (each ≥ 0) in proportion: each part is
// the floor of its exact share, then what is left goes one unit at a time to the largest
// remainders (the earlier on a tie). The parts add up to `amount` and none exceeds its weight.
std::vector<std::int64_t> Apportion(std::int64_t amount, std::span<const std::int64_t> weights);

// Fen as yuan for people to read: "12.34"; with the currency sign: "¥12.34".
inline std::string Yuan(std::int64_t fen) {
  return Money::Fen(fen).ToString();
}
inline std::string YuanSign(std::int64_t fen) {
  return "¥" + Yuan(fen);
}

}  // namespace onecard::core
