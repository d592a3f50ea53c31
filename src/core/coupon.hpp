// Coupons' terms and codes (issue #5 item 8, R-504): what a coupon takes off a priced basket,
// and how its codes are written. Pure functions; the services keep campaigns, codes and uses.
//
// A coupon takes a percentage (of the lines it applies to, rounded half up to the fen, at most
// `max_discount`) or a fixed amount (at most what those lines cost: no change is given) off the
// basket after the tier's and the catalogue's prices. It applies to the lines of its SKUs and
// categories (none named: every line), never to a bundle, only at its stores, and only when
// those lines come to at least `min_spend`. The discount is shared over the lines it applies to
// in proportion to what each costs (largest remainders), so a return refunds each line what was
// really paid for it. Several coupons apply one after the other, each to what is left.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"

namespace onecard::core {

enum class CouponKind : std::uint8_t { kPercent, kFixed };

struct CouponTerms {
  std::string label;  // how the explanation names it: "campaign SPRING (¥10 off ¥100)"
  CouponKind kind = CouponKind::kFixed;
  std::int64_t percent_off_bp = 0;  // kPercent: basis points (1000 = 10 % off)
  std::int64_t amount_off = 0;      // kFixed: fen
  std::int64_t max_discount = 0;    // kPercent: fen at most; 0: no cap
  std::int64_t min_spend = 0;       // fen of the lines it applies to
  std::vector<std::string> skus;    // with `categories` empty: every line
  std::vector<std::string> categories;
  std::vector<std::string> stores;  // empty: every store
};

// "¥10 off", "20% off (at most ¥50)", with " on ¥100 or more" when there is a minimum.
std::string DescribeCoupon(const CouponTerms& terms);

// "12.5" → 1250 basis points; 0.01 to 100, at most two decimals. Error: kFieldInvalid naming
// `field`.
Result<std::int64_t> ParsePercentOff(std::string_view text, std::string_view field);
// 1250 → "12.5".
std::string PercentOffText(std::int64_t basis_points);

// Unique coupon codes: 16 characters of Crockford's base 32 (80 random bits), written in groups
// of four ("7KQM-2XDA-9VHC-R4TE"). Normalising upper-cases, drops spaces and hyphens and reads
// O as 0 and I, L as 1, so a code read over the phone still matches.
std::string NormaliseCouponCode(std::string_view code);
std::string FormatCouponCode(std::string_view normalised);
// Whether a normalised code has the shape of a unique code.
bool IsUniqueCouponCode(std::string_view normalised);
inline constexpr std::string_view kCouponAlphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

}  // namespace onecard::core
