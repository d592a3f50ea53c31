#include "core/money.hpp"

#include <algorithm>
#include <cstdlib>

#include "core/assert.hpp"
#include "core/int128.hpp"

namespace onecard::core {
namespace {

bool IsDigit(char c) {
  return c >= '0' && c <= '9';
}

// Parses [sign] digits [. d[d]] into minor units with `decimals` implied decimal places.
Result<std::int64_t> ParseUnits(std::string_view text, std::string_view field, SignPolicy sign,
                                int decimals) {
  const std::string f(field);
  const std::string quoted = "\"" + std::string(text) + "\"";
  std::string_view s = text;
  bool negative = false;
  if (!s.empty() && (s.front() == '-' || s.front() == '+')) {
    negative = s.front() == '-';
    s.remove_prefix(1);
  }
  const std::string shape =
      decimals == 2 ? "a number of yuan such as 12 or 12.34" : "a whole number such as 120";
  if (s.empty()) return MakeError(ErrorCode::kAmountMalformed, quoted + " is not " + shape, f);
  std::size_t dot = s.find('.');
  std::string_view whole = s.substr(0, dot);
  std::string_view frac = dot == std::string_view::npos ? std::string_view{} : s.substr(dot + 1);
  bool ok = !whole.empty();
  for (char c : whole) ok = ok && IsDigit(c);
  for (char c : frac) ok = ok && IsDigit(c);
  if (dot != std::string_view::npos) ok = ok && decimals > 0 && !frac.empty();
  if (!ok) return MakeError(ErrorCode::kAmountMalformed, quoted + " is not " + shape, f);
  if (static_cast<int>(frac.size()) > decimals) {
    return MakeError(ErrorCode::kAmountMalformed,
                     quoted + " has more than two decimals; amounts are exact to the fen", f);
  }
  // Accumulate with a bound well above kAmountMax so that overflow is impossible.
  Int128 units = 0;
  for (char c : whole) {
    units = units * 10 + (c - '0');
    if (units > kAmountMax * Int128{100}) break;
  }
  for (int i = 0; i < decimals; ++i) {
    units = units * 10 +
            (i < static_cast<int>(frac.size()) ? frac[static_cast<std::size_t>(i)] - '0' : 0);
  }
  if (units > kAmountMax) {
    return MakeError(ErrorCode::kAmountTooLarge,
                     quoted + " is larger than the most one operation may carry", f);
  }
  if (negative && units != 0 && sign != SignPolicy::kAllowNegative) {
    return MakeError(
        ErrorCode::kAmountNotPositive,
        quoted + " is negative; give " +
            (sign == SignPolicy::kZeroOrPositive ? "zero or more" : "a positive amount"),
        f);
  }
  if (units == 0 && sign == SignPolicy::kZeroOrPositive) return 0;
  if (units == 0) {
    return MakeError(ErrorCode::kAmountNotPositive, quoted + " is zero; give a non-zero amount", f);
  }
  auto value = static_cast<std::int64_t>(units);
  return negative ? -value : value;
}

}  // namespace

std::string_view RoundingName(Rounding r) {
  switch (r) {
    case Rounding::kFloor:
      return "floor";
    case Rounding::kCeiling:
      return "ceiling";
    case Rounding::kTowardZero:
      return "toward_zero";
    case Rounding::kHalfUp:
      return "half_up";
    case Rounding::kHalfEven:
      return "half_even";
  }
  return "floor";
}

Result<std::int64_t> MulDiv(std::int64_t value, std::int64_t numerator, std::int64_t denominator,
                            Rounding rounding) {
  if (denominator == 0) return MakeError(ErrorCode::kInvalidArgument, "division by zero");
  Int128 n = Int128{value} * numerator;
  Int128 d = denominator;
  if (d < 0) {
    n = -n;
    d = -d;
  }
  Int128 q = n / d;  // truncated toward zero
  Int128 r = n % d;  // same sign as n
  if (r != 0) {
    const bool negative = n < 0;
    switch (rounding) {
      case Rounding::kTowardZero:
        break;
      case Rounding::kFloor:
        if (negative) q -= 1;
        break;
      case Rounding::kCeiling:
        if (!negative) q += 1;
        break;
      case Rounding::kHalfUp:
      case Rounding::kHalfEven: {
        const Int128 twice = (r < 0 ? -r : r) * 2;
        bool away = twice > d;
        if (twice == d) away = rounding == Rounding::kHalfUp || (q % 2 != 0);
        if (away) q += negative ? -1 : 1;
        break;
      }
    }
  }
  if (q > INT64_MAX || q < INT64_MIN) {
    return MakeError(ErrorCode::kAmountTooLarge, "result does not fit in 64 bits");
  }
  return static_cast<std::int64_t>(q);
}

Result<std::int64_t> CheckedAdd(std::int64_t a, std::int64_t b) {
  std::int64_t out = 0;
  if (__builtin_add_overflow(a, b, &out)) {
    return MakeError(ErrorCode::kAmountTooLarge, "sum does not fit in 64 bits");
  }
  return out;
}

Result<std::int64_t> CheckedSub(std::int64_t a, std::int64_t b) {
  std::int64_t out = 0;
  if (__builtin_sub_overflow(a, b, &out)) {
    return MakeError(ErrorCode::kAmountTooLarge, "difference does not fit in 64 bits");
  }
  return out;
}

Result<Money> Money::Parse(std::string_view text, std::string_view field, SignPolicy sign) {
  ONECARD_TRY(std::int64_t fen, ParseUnits(text, field, sign, 2));
  return Money(fen);
}

std::string Money::ToString() const {
  // Work in unsigned magnitude so that INT64_MIN formats too.
  const bool negative = fen_ < 0;
  const std::uint64_t mag =
      negative ? 0 - static_cast<std::uint64_t>(fen_) : static_cast<std::uint64_t>(fen_);
  std::string frac = std::to_string(mag % 100);
  if (frac.size() < 2) frac.insert(0, "0");
  return (negative ? "-" : "") + std::to_string(mag / 100) + "." + frac;
}

Result<Money> Money::Plus(Money other) const {
  ONECARD_TRY(std::int64_t sum, CheckedAdd(fen_, other.fen_));
  return Money(sum);
}

Result<Money> Money::Minus(Money other) const {
  ONECARD_TRY(std::int64_t diff, CheckedSub(fen_, other.fen_));
  return Money(diff);
}

Result<Points> Points::Parse(std::string_view text, std::string_view field, SignPolicy sign) {
  ONECARD_TRY(std::int64_t points, ParseUnits(text, field, sign, 0));
  return Points(points);
}

std::string Points::ToString() const {
  return std::to_string(points_);
}

Result<Points> Points::Plus(Points other) const {
  ONECARD_TRY(std::int64_t sum, CheckedAdd(points_, other.points_));
  return Points(sum);
}

Result<Points> Points::Minus(Points other) const {
  ONECARD_TRY(std::int64_t diff, CheckedSub(points_, other.points_));
  return Points(diff);
}

Result<std::int64_t> ParseCount(std::string_view text, std::string_view field, SignPolicy sign) {
  return ParseUnits(text, field, sign, 0);
}

std::string GroupThousands(std::int64_t value) {
  const bool negative = value < 0;
  const std::uint64_t mag =
      negative ? 0 - static_cast<std::uint64_t>(value) : static_cast<std::uint64_t>(value);
  std::string digits = std::to_string(mag);
  std::string out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return negative ? "-" + out : out;
}

std::vector<std::int64_t> Apportion(std::int64_t amount, std::span<const std::int64_t> weights) {
  std::vector<std::int64_t> parts(weights.size(), 0);
  Int128 total = 0;
  for (std::int64_t w : weights) {
    ONECARD_ASSERT(w >= 0, "a negative weight");
    total += w;
  }
  ONECARD_ASSERT(amount >= 0 && amount <= total, "an amount beyond its weights");
  if (amount == 0) return parts;
  std::int64_t given = 0;
  std::vector<std::pair<Int128, std::size_t>> remainders;
  for (std::size_t i = 0; i < weights.size(); ++i) {
    const Int128 exact = static_cast<Int128>(weights[i]) * amount;
    parts[i] = static_cast<std::int64_t>(exact / total);
    given += parts[i];
    if (parts[i] < weights[i]) remainders.emplace_back(exact % total, i);
  }
  std::stable_sort(remainders.begin(), remainders.end(),
                   [](const auto& a, const auto& b) { return a.first > b.first; });
  // Σ floor ≥ amount − (n − 1), and a part below its weight can always take one more.
  for (std::size_t k = 0; given < amount; ++k, ++given) parts[remainders[k].second] += 1;
  return parts;
}

}  // namespace onecard::core
