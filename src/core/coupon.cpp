#include "core/coupon.hpp"

#include <algorithm>

#include "core/assert.hpp"
#include "core/lists.hpp"
#include "core/money.hpp"
#include "core/programme.hpp"

namespace onecard::core {
namespace {

// Whether the coupon is for the line (bundles never are).
bool AppliesTo(const CouponTerms& c, const BasketLine& l) {
  if (l.bundle) return false;
  if (c.skus.empty() && c.categories.empty()) return true;
  if (Contains(c.skus, l.sku)) return true;
  return std::any_of(l.categories.begin(), l.categories.end(),
                     [&](const std::string& cat) { return Contains(c.categories, cat); });
}

}  // namespace

std::string PercentOffText(std::int64_t bp) {
  std::string out = std::to_string(bp / 100);
  const std::int64_t frac = bp % 100;
  if (frac != 0) {
    out += '.';
    out += static_cast<char>('0' + frac / 10);
    if (frac % 10 != 0) out += static_cast<char>('0' + frac % 10);
  }
  return out;
}

std::string DescribeCoupon(const CouponTerms& c) {
  std::string out = c.kind == CouponKind::kPercent ? PercentOffText(c.percent_off_bp) + "% off"
                                                   : YuanSign(c.amount_off) + " off";
  if (c.kind == CouponKind::kPercent && c.max_discount > 0) {
    out += " (at most " + YuanSign(c.max_discount) + ")";
  }
  if (c.min_spend > 0) out += " on " + YuanSign(c.min_spend) + " or more";
  return out;
}

Result<std::int64_t> ParsePercentOff(std::string_view text, std::string_view field) {
  const auto bad = [&] {
    return MakeError(ErrorCode::kFieldInvalid,
                     std::string(field) +
                         " must be a percentage from 0.01 to 100 with at most "
                         "two decimals (\"15\", \"12.5\")",
                     std::string(field));
  };
  const std::size_t dot = text.find('.');
  const std::string_view whole = text.substr(0, dot);
  const std::string_view frac = dot == std::string_view::npos ? "" : text.substr(dot + 1);
  if (whole.empty() || whole.size() > 3 || frac.size() > 2 ||
      (dot != std::string_view::npos && frac.empty())) {
    return bad();
  }
  std::int64_t bp = 0;
  for (char ch : whole) {
    if (ch < '0' || ch > '9') return bad();
    bp = bp * 10 + (ch - '0');
  }
  bp *= 100;
  for (std::size_t i = 0; i < 2; ++i) {
    const char ch = i < frac.size() ? frac[i] : '0';
    if (ch < '0' || ch > '9') return bad();
    bp += (ch - '0') * (i == 0 ? 10 : 1);
  }
  if (bp < 1 || bp > 10000) return bad();
  return bp;
}

std::string NormaliseCouponCode(std::string_view code) {
  std::string out;
  out.reserve(code.size());
  for (char ch : code) {
    if (ch == ' ' || ch == '-') continue;
    if (ch >= 'a' && ch <= 'z') ch = static_cast<char>(ch - 'a' + 'A');
    out += ch;
  }
  if (out.size() == 16) {  // a unique code: read the letters people confuse as Crockford does
    std::string mapped = out;
    for (char& ch : mapped) {
      if (ch == 'O') ch = '0';
      if (ch == 'I' || ch == 'L') ch = '1';
    }
    if (IsUniqueCouponCode(mapped)) return mapped;
  }
  return out;
}

bool IsUniqueCouponCode(std::string_view code) {
  return code.size() == 16 && std::all_of(code.begin(), code.end(), [](char ch) {
           return kCouponAlphabet.find(ch) != std::string_view::npos;
         });
}

std::string FormatCouponCode(std::string_view code) {
  if (!IsUniqueCouponCode(code)) return std::string(code);
  std::string out;
  for (std::size_t i = 0; i < code.size(); i += 4) {
    if (i > 0) out += '-';
    out += code.substr(i, 4);
  }
  return out;
}

Result<std::vector<std::int64_t>> ApplyCoupons(std::vector<PricedLine>& priced,
                                               std::span<const BasketLine> lines,
                                               std::span<const CouponTerms> coupons,
                                               std::string_view store,
                                               std::vector<std::string>* explain) {
  ONECARD_ASSERT(priced.size() == lines.size(), "priced lines do not match the basket");
  std::vector<std::int64_t> out;
  out.reserve(coupons.size());
  for (std::size_t k = 0; k < coupons.size(); ++k) {
    const CouponTerms& c = coupons[k];
    const std::string field = "coupons[" + std::to_string(k) + "]";
    if (!c.stores.empty() && !Contains(c.stores, store)) {
      return MakeError(ErrorCode::kCouponNotApplicable,
                       c.label + " is not for store " + std::string(store), field);
    }
    std::vector<std::int64_t> weights(priced.size(), 0);
    std::int64_t base = 0;
    bool any_bundle = false;
    bool any_line = false;
    for (std::size_t i = 0; i < priced.size(); ++i) {
      if (lines[i].bundle) any_bundle = true;
      if (!AppliesTo(c, lines[i])) continue;
      any_line = true;
      weights[i] = priced[i].paid;
      base += priced[i].paid;
    }
    if (!any_line) {
      return MakeError(ErrorCode::kCouponNotApplicable,
                       c.label + " is for none of the basket's lines" +
                           (any_bundle ? " (coupons never apply to bundles)" : ""),
                       field);
    }
    if (base < c.min_spend) {
      return MakeError(ErrorCode::kCouponNotApplicable,
                       c.label + " needs " + YuanSign(c.min_spend) +
                           " of the goods it is for; the basket has " + YuanSign(base),
                       field);
    }
    std::int64_t discount = 0;
    std::string how;
    if (c.kind == CouponKind::kPercent) {
      ONECARD_TRY(discount, MulDiv(base, c.percent_off_bp, 10000, Rounding::kHalfUp));
      how = PercentOffText(c.percent_off_bp) + "% of " + YuanSign(base) + " = " +
            YuanSign(discount) + " (rounded half up to the fen)";
      if (c.max_discount > 0 && discount > c.max_discount) {
        discount = c.max_discount;
        how += ", capped at " + YuanSign(c.max_discount);
      }
    } else {
      discount = std::min(c.amount_off, base);
      how = YuanSign(c.amount_off) + " off " + YuanSign(base);
      if (discount < c.amount_off) how += " (no change is given: " + YuanSign(discount) + ")";
    }
    if (discount == 0) {  // a use would be spent on nothing
      return MakeError(ErrorCode::kCouponNotApplicable,
                       c.label + " takes nothing off " + YuanSign(base), field);
    }
    const std::vector<std::int64_t> shares = Apportion(discount, weights);
    for (std::size_t i = 0; i < priced.size(); ++i) {
      priced[i].discount += shares[i];
      priced[i].coupon += shares[i];
      priced[i].paid -= shares[i];
    }
    if (explain != nullptr) {
      explain->push_back("coupon " + c.label + ": " + how + ", shared over the lines it is for" +
                         (any_bundle ? " (not the bundles)" : ""));
    }
    out.push_back(discount);
  }
  return out;
}

}  // namespace onecard::core
