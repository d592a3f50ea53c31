#include "core/programme.hpp"

#include <algorithm>
#include <numeric>

#include "core/assert.hpp"
#include "core/int128.hpp"
#include "core/lists.hpp"

namespace onecard::core {
namespace {

using i128 = Int128;

std::string Percent(const Ratio& r) {
  return Ratio{r.num * 100, r.den}.ToString() + "%";
}

Result<std::int64_t> Narrow(i128 v) {
  if (v > kAmountMax * 1000 || v < -kAmountMax * 1000) {
    return MakeError(ErrorCode::kAmountTooLarge, "an amount in the evaluation is too large");
  }
  return static_cast<std::int64_t>(v);
}

// Monday = 1 … Sunday = 7.
int IsoWeekday(const CivilDate& d) {
  const int w = d.Weekday();
  return w == 0 ? 7 : w;
}

bool BirthdayIs(const CivilDate& birthday, const CivilDate& today) {
  if (birthday.month == 2 && birthday.day == 29 && !IsLeapYear(today.year)) {
    return today.month == 2 && today.day == 28;  // kept on the 28th in common years
  }
  return birthday.month == today.month && birthday.day == today.day;
}

bool MultiplierApplies(const Multiplier& m, const MemberState& member, const std::string& tier,
                       const EvalContext& ctx) {
  if (!m.tiers.empty() && !Contains(m.tiers, tier)) return false;
  if (!m.stores.empty() && !Contains(m.stores, ctx.store)) return false;
  switch (m.when) {
    case Multiplier::When::kBirthdayDay:
      return member.birthday && BirthdayIs(*member.birthday, ctx.date);
    case Multiplier::When::kBirthdayMonth:
      return member.birthday && member.birthday->month == ctx.date.month;
    case Multiplier::When::kDates:
      return std::find(m.dates.begin(), m.dates.end(), std::pair{ctx.date.month, ctx.date.day}) !=
             m.dates.end();
    case Multiplier::When::kWeekly:
      return std::find(m.weekdays.begin(), m.weekdays.end(), IsoWeekday(ctx.date)) !=
                 m.weekdays.end() &&
             ctx.minute_of_day >= m.from_minute && ctx.minute_of_day < m.to_minute;
  }
  return false;
}

// Prices every line at `tier` and works out what it earns. `explain` receives the reasons.
struct Priced {
  std::vector<PricedLine> lines;
  std::int64_t list_total = 0;
  std::int64_t discount_total = 0;
  std::int64_t paid_total = 0;
  std::int64_t points = 0;
  std::int64_t carried_fen = 0;
  std::vector<std::int64_t> coupon_discounts;
  std::vector<std::string> explain;
};

Result<Priced> PriceAndEarn(const Programme& p, const TierRule& tier, const MemberState& member,
                            std::span<const BasketLine> lines, const EvalContext& ctx, bool say) {
  Priced out;
  out.lines.reserve(lines.size());
  const std::string at = say ? "tier " + tier.code + ": " : std::string();
  // Prices.
  for (const BasketLine& l : lines) {
    PricedLine pl;
    pl.sku = l.sku;
    pl.quantity = l.quantity;
    ONECARD_TRY(pl.list, Narrow(static_cast<i128>(l.quantity) * l.unit_price));
    const auto tier_price = std::find_if(l.tier_prices.begin(), l.tier_prices.end(),
                                         [&](const TierPrice& t) { return t.tier == tier.code; });
    if (l.promo_price || tier_price != l.tier_prices.end()) {
      // The catalogue's price: a promotion for everyone, else the tier's own price.
      const std::int64_t unit = l.promo_price ? *l.promo_price : tier_price->unit_price;
      if (unit < 0 || unit > l.unit_price) {
        return MakeError(ErrorCode::kInvalidArgument,
                         "the catalogue prices " + l.sku + " at " + YuanSign(unit) +
                             ", above its list price " + YuanSign(l.unit_price),
                         "lines");
      }
      ONECARD_TRY(pl.paid, Narrow(static_cast<i128>(l.quantity) * unit));
      pl.discount = pl.list - pl.paid;
      if (say) {
        out.explain.push_back(
            (l.promo_price ? "promotion " + l.promo + ": " + l.sku + " at " + YuanSign(unit) +
                                 " each for every tier"
                           : at + "catalogue price of " + l.sku + " " + YuanSign(unit) + " each") +
            ": " + YuanSign(pl.list) + " − " + YuanSign(pl.discount) + " = " + YuanSign(pl.paid) +
            " (the tier's discount does not apply)");
      }
      out.list_total += pl.list;
      out.discount_total += pl.discount;
      out.paid_total += pl.paid;
      out.lines.push_back(std::move(pl));
      continue;
    }
    Ratio off = tier.discount;
    for (const ClassDiscount& c : tier.class_discounts) {
      if (c.item_class == l.item_class) off = c.off;
    }
    ONECARD_TRY(pl.discount, MulDiv(pl.list, off.num, off.den, Rounding::kHalfUp));
    pl.paid = pl.list - pl.discount;
    if (say && !off.IsZero()) {
      out.explain.push_back(at + Percent(off) + " off " + l.item_class + " for " + l.sku + ": " +
                            YuanSign(pl.list) + " − " + YuanSign(pl.discount) + " = " +
                            YuanSign(pl.paid) + " (discount rounded half up to the fen)");
    }
    out.list_total += pl.list;
    out.discount_total += pl.discount;
    out.paid_total += pl.paid;
    out.lines.push_back(std::move(pl));
  }

  // Coupons come off what the tier's prices leave.
  if (!ctx.coupons.empty()) {
    ONECARD_TRY(out.coupon_discounts, ApplyCoupons(out.lines, lines, ctx.coupons, ctx.store,
                                                   say ? &out.explain : nullptr));
    for (const std::int64_t d : out.coupon_discounts) {
      out.discount_total += d;
      out.paid_total -= d;
    }
  }

  // What was paid with points earns nothing: its value comes off the lines in proportion.
  for (PricedLine& pl : out.lines) pl.earn_base = pl.paid;
  if (ctx.paid_with_points > 0) {
    if (ctx.paid_with_points > out.paid_total) {
      return MakeError(ErrorCode::kInvalidArgument,
                       "points pay " + YuanSign(ctx.paid_with_points) + " of a purchase of " +
                           YuanSign(out.paid_total),
                       "paid_with_points");
    }
    std::int64_t taken = 0;
    std::vector<std::pair<i128, std::size_t>> remainders;
    for (std::size_t i = 0; i < out.lines.size(); ++i) {
      const i128 exact = static_cast<i128>(out.lines[i].paid) * ctx.paid_with_points;
      const auto share = static_cast<std::int64_t>(exact / out.paid_total);
      out.lines[i].earn_base -= share;
      taken += share;
      remainders.emplace_back(exact % out.paid_total, i);
    }
    std::stable_sort(remainders.begin(), remainders.end(),
                     [](const auto& a, const auto& b) { return a.first > b.first; });
    for (std::size_t k = 0; taken < ctx.paid_with_points; ++k, ++taken) {
      out.lines[remainders[k].second].earn_base -= 1;
    }
    if (say) {
      out.explain.push_back(YuanSign(ctx.paid_with_points) +
                            " paid with points earns nothing (taken off the lines in proportion)");
    }
  }

  // The purchase's multiplier: the tier's, then the bonus multipliers that apply now.
  Ratio multiplier = tier.earn_multiplier;
  if (say && !(multiplier == Ratio{1, 1})) {
    out.explain.push_back(at + "earns ×" + multiplier.ToString());
  }
  Ratio bonus{1, 1};
  bool any_bonus = false;
  std::string bonus_names;
  for (const Multiplier& m : p.multipliers) {
    if (!MultiplierApplies(m, member, tier.code, ctx)) continue;
    any_bonus = true;
    if (p.combine == MultiplierCombination::kMultiply) {
      ONECARD_TRY(bonus, Multiply(bonus, m.factor));
      if (say) {
        bonus_names += (bonus_names.empty() ? "" : ", ") + m.name + " ×" + m.factor.ToString();
      }
    } else if (bonus < m.factor) {
      bonus = m.factor;
      if (say) bonus_names = m.name + " ×" + m.factor.ToString();
    }
  }
  if (any_bonus) {
    if (say)
      out.explain.push_back("multiplier: " + bonus_names +
                            (p.combine == MultiplierCombination::kMultiply
                                 ? " (multiplied)"
                                 : " (the highest applies)"));
    ONECARD_TRY(multiplier, Multiply(multiplier, bonus));
  }

  // Each line's rate: product > category > store > tier > base.
  for (std::size_t i = 0; i < lines.size(); ++i) {
    const BasketLine& l = lines[i];
    PricedLine& pl = out.lines[i];
    std::string why;
    if (l.non_earning) {
      why = l.sku + " is flagged non-earning";
    } else {
      for (const std::string& c : l.categories) {
        if (Contains(p.non_earning_categories, c)) {
          why = l.sku + " is in non-earning category " + c;
          break;
        }
      }
    }
    if (!why.empty()) {
      if (say) out.explain.push_back("no points: " + why);
      continue;
    }
    const EarnOverride* chosen = nullptr;
    for (EarnOverride::Scope scope : {EarnOverride::Scope::kProduct, EarnOverride::Scope::kCategory,
                                      EarnOverride::Scope::kStore, EarnOverride::Scope::kTier}) {
      for (const EarnOverride& o : p.overrides) {
        if (o.scope != scope) continue;
        const bool match =
            (scope == EarnOverride::Scope::kProduct && o.code == l.sku) ||
            (scope == EarnOverride::Scope::kCategory && Contains(l.categories, o.code)) ||
            (scope == EarnOverride::Scope::kStore && o.code == ctx.store) ||
            (scope == EarnOverride::Scope::kTier && o.code == tier.code);
        if (match) {
          chosen = &o;
          break;
        }
      }
      if (chosen) break;
    }
    Ratio rate = chosen ? chosen->rate : p.base_rate;
    if (say && chosen) {
      out.explain.push_back("rate for " + l.sku + ": " + rate.ToString() + " points per fen (" +
                            std::string(ScopeName(chosen->scope)) + " " + chosen->code +
                            " overrides the base " + p.base_rate.ToString() + ")");
    }
    ONECARD_TRY(pl.rate, Multiply(rate, multiplier));
  }

  // Points: lines with the same rate are summed before rounding, so splitting a purchase into
  // lines never changes what it earns; each line then gets its share (largest remainders).
  std::vector<Ratio> rates;
  for (const PricedLine& pl : out.lines) {
    if (!pl.rate.IsZero() && std::find(rates.begin(), rates.end(), pl.rate) == rates.end()) {
      rates.push_back(pl.rate);
    }
  }
  const bool carry = p.carry_remainder && rates.size() == 1;
  for (const Ratio& rate : rates) {
    std::int64_t base = 0;
    std::vector<std::size_t> members;
    for (std::size_t i = 0; i < out.lines.size(); ++i) {
      if (out.lines[i].rate == rate) {
        base += out.lines[i].earn_base;
        members.push_back(i);
      }
    }
    std::int64_t eligible = base + (carry ? member.carried_fen : 0);
    ONECARD_TRY(std::int64_t points, MulDiv(eligible, rate.num, rate.den, p.rounding));
    if (carry) {
      // What the whole points took; the rest waits for the next purchase.
      ONECARD_TRY(std::int64_t used, MulDiv(points, rate.den, rate.num, Rounding::kCeiling));
      out.carried_fen = std::max<std::int64_t>(0, eligible - used);
    }
    if (say) {
      std::string line = "earn: " + YuanSign(base) + " paid";
      if (carry && member.carried_fen > 0)
        line += " + " + YuanSign(member.carried_fen) + " carried";
      line += " × " + rate.ToString() + " points per fen = " + std::to_string(points) +
              " points (" + std::string(RoundingName(p.rounding)) + ")";
      if (carry) line += "; " + YuanSign(out.carried_fen) + " carried to the next purchase";
      out.explain.push_back(line);
    }
    // Shares: floor per line, then one point at a time by largest remainder.
    std::int64_t given = 0;
    std::vector<std::pair<i128, std::size_t>> remainders;
    for (std::size_t i : members) {
      const i128 exact = static_cast<i128>(out.lines[i].earn_base) * rate.num;
      const auto share = static_cast<std::int64_t>(exact / rate.den);
      out.lines[i].points = share;
      given += share;
      remainders.emplace_back(exact % rate.den, i);
    }
    std::stable_sort(remainders.begin(), remainders.end(),
                     [](const auto& a, const auto& b) { return a.first > b.first; });
    std::int64_t left = points - given;
    for (std::size_t k = 0; left > 0; k = (k + 1) % remainders.size(), --left) {
      out.lines[remainders[k].second].points += 1;
    }
    for (std::size_t k = remainders.size(); left < 0 && k-- > 0; ++left) {
      // Rounding down below the floors (a floor rate on a carried negative): take back evenly.
      out.lines[remainders[k].second].points -= 1;
    }
    out.points += points;
  }
  if (say && rates.empty()) out.explain.push_back("earn: nothing in this basket earns points");
  return out;
}

// "¥0.30" for a whole number of fen, else the exact yuan ("0.005 yuan").
std::string FenValue(const Ratio& fen) {
  if (fen.den == 1) return YuanSign(fen.num);
  return Ratio{fen.num, fen.den * 100}.ToString() + " yuan";
}

// What points may still do at tier `t`, for a purchase of `paid` fen.
Result<RedemptionLeft> RedemptionAt(const Programme& p, const TierRule& t, const MemberState& m,
                                    std::int64_t paid, std::vector<std::string>* explain) {
  RedemptionLeft r;
  r.point_value = t.point_value;
  r.gift_classes = t.redeem.gift_classes;
  r.items = t.redeem.items;
  if (t.redeem.per_period > 0) {
    r.redemptions = std::max(0, t.redeem.per_period - m.redemptions_in_period);
  }
  r.cash_out = t.redeem.cash_out && !p.redeem.cash_out_value.IsZero();
  if (r.cash_out) r.cash_out_value = p.redeem.cash_out_value;
  if (t.point_value.IsZero() || m.points_balance <= 0) return r;
  if (m.points_balance < p.redeem.min_balance) {
    if (explain) {
      explain->push_back("redeem: " + std::to_string(m.points_balance) +
                         " points held, below the " + std::to_string(p.redeem.min_balance) +
                         " needed before any are spent");
    }
    return r;
  }
  const std::int64_t cap =
      static_cast<std::int64_t>(i128{paid} * p.redeem.max_share.num / p.redeem.max_share.den);
  ONECARD_TRY(const std::int64_t by_value,
              Narrow(i128{cap} * t.point_value.den / t.point_value.num));
  r.max_points = std::min(m.points_balance, by_value);
  ONECARD_TRY(r.max_value, Narrow(i128{r.max_points} * t.point_value.num / t.point_value.den));
  if (explain) {
    explain->push_back(
        "redeem at " + t.code + ": 1 point = " + FenValue(t.point_value) + "; points may pay " +
        (p.redeem.max_share == Ratio{1, 1} ? std::string("all")
                                           : Percent(p.redeem.max_share) + " = " + YuanSign(cap)) +
        " of " + YuanSign(paid) + " → up to " + std::to_string(r.max_points) + " of the " +
        std::to_string(m.points_balance) + " points held (" + YuanSign(r.max_value) + ")");
  }
  return r;
}

}  // namespace

std::string_view PeriodName(Period period) {
  return period == Period::kMonth ? "month" : "year";
}

std::string Ratio::ToString() const {
  if (den == 1) return std::to_string(num);
  std::int64_t scale = 1;
  for (int digits = 1; digits <= 6; ++digits) {
    scale *= 10;
    if (scale % den == 0) {
      const std::int64_t scaled = num * (scale / den);
      std::string frac = std::to_string(scaled % scale);
      frac.insert(0, static_cast<std::size_t>(digits) - frac.size(), '0');
      while (!frac.empty() && frac.back() == '0') frac.pop_back();
      return std::to_string(scaled / scale) + (frac.empty() ? "" : "." + frac);
    }
  }
  return std::to_string(num) + "/" + std::to_string(den);
}

bool operator==(const Ratio& a, const Ratio& b) {
  return static_cast<i128>(a.num) * b.den == static_cast<i128>(b.num) * a.den;
}

bool operator<(const Ratio& a, const Ratio& b) {
  return static_cast<i128>(a.num) * b.den < static_cast<i128>(b.num) * a.den;
}

Result<Ratio> Multiply(const Ratio& a, const Ratio& b) {
  i128 num = static_cast<i128>(a.num) * b.num;
  i128 den = static_cast<i128>(a.den) * b.den;
  i128 x = num, y = den;
  while (y != 0) {
    const i128 t = x % y;
    x = y;
    y = t;
  }
  if (x > 1) {
    num /= x;
    den /= x;
  }
  if (num > INT64_MAX || den > INT64_MAX) {
    return MakeError(ErrorCode::kAmountTooLarge, "a product of rates is too fine to compute");
  }
  return Ratio{static_cast<std::int64_t>(num), static_cast<std::int64_t>(den)};
}

std::optional<CivilDate> ExpiryDate(const ExpiryRule& rule, CivilDate earned) {
  switch (rule.kind) {
    case ExpiryKind::kNever:
      return std::nullopt;
    case ExpiryKind::kRollingMonths:
      return earned.PlusMonths(rule.months).PlusDays(-1);
    case ExpiryKind::kFiscalYear: {
      CivilDate start{earned.year, rule.start_month, 1};
      if (earned.month >= rule.start_month) start.year += 1;
      return start.PlusDays(-1);
    }
  }
  return std::nullopt;
}

std::string_view ScopeName(EarnOverride::Scope scope) {
  switch (scope) {
    case EarnOverride::Scope::kProduct:
      return "product";
    case EarnOverride::Scope::kCategory:
      return "category";
    case EarnOverride::Scope::kStore:
      return "store";
    case EarnOverride::Scope::kTier:
      return "tier";
  }
  return "?";
}

const TierRule* Programme::FindTier(std::string_view tier_code) const {
  for (const TierRule& t : tiers) {
    if (t.code == tier_code) return &t;
  }
  return nullptr;
}

int Programme::TierRank(std::string_view tier_code) const {
  for (std::size_t i = 0; i < tiers.size(); ++i) {
    if (tiers[i].code == tier_code) return static_cast<int>(i);
  }
  return -1;
}

Result<Evaluation> Evaluate(const Programme& p, const MemberState& member,
                            std::span<const BasketLine> lines, const EvalContext& ctx,
                            Explain explain) {
  const bool say = explain == Explain::kYes;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    const std::string at = "lines[" + std::to_string(i) + "]";
    if (lines[i].sku.empty()) {
      return MakeError(ErrorCode::kInvalidArgument, at + " has no SKU", at + ".sku");
    }
    if (lines[i].quantity < 1 || lines[i].quantity > 1'000'000) {
      return MakeError(ErrorCode::kInvalidArgument,
                       at + " (" + lines[i].sku + "): the quantity must be 1 to 1,000,000",
                       at + ".quantity");
    }
    if (lines[i].unit_price < 0 || lines[i].unit_price > kAmountMax / 1'000'000) {
      return MakeError(ErrorCode::kInvalidArgument,
                       at + " (" + lines[i].sku + "): the price must be 0 to ¥10,000,000",
                       at + ".unit_price");
    }
  }
  ONECARD_ASSERT(!p.tiers.empty(), "a programme without tiers");
  const TierRule* tier = member.tier.empty() ? &p.tiers.front() : p.FindTier(member.tier);
  if (tier == nullptr) {
    return MakeError(ErrorCode::kFieldInvalid,
                     "the member's tier \"" + member.tier + "\" is not in programme " + p.code,
                     "tier");
  }
  ONECARD_TRY(Priced priced, PriceAndEarn(p, *tier, member, lines, ctx, say));

  // The tier the purchase qualifies for: the highest one above the member's that any condition
  // reaches.
  const int rank = p.TierRank(tier->code);
  const TierRule* next = tier;
  std::string reason;
  bool by_single = false;
  // A member downgraded at a review wins the lost tier (or a higher one) back by spend since the
  // downgrade or by a single purchase, not by what was accumulated before it (P2).
  const int lost_rank = member.downgraded_from.empty() ? -1 : p.TierRank(member.downgraded_from);
  for (std::size_t i = static_cast<std::size_t>(rank) + 1; i < p.tiers.size(); ++i) {
    const TierRule& t = p.tiers[i];
    const bool cumulative_counts = lost_rank < 0 || static_cast<int>(i) < lost_rank;
    std::string why;
    bool single = false;
    for (const SinglePurchase& s : t.single_purchase) {
      if ((s.from_tier.empty() || s.from_tier == tier->code) && s.amount > 0 &&
          priced.paid_total >= s.amount) {
        why = "a single purchase of " + YuanSign(priced.paid_total) + " ≥ " + YuanSign(s.amount) +
              (s.from_tier.empty() ? "" : " (from " + s.from_tier + ")");
        single = true;
        break;
      }
    }
    if (why.empty() && cumulative_counts && t.cumulative_spend > 0 &&
        member.cumulative_spend + priced.paid_total >= t.cumulative_spend) {
      why = "cumulative spend " + YuanSign(member.cumulative_spend + priced.paid_total) + " ≥ " +
            YuanSign(t.cumulative_spend);
    }
    if (why.empty() && cumulative_counts && t.cumulative_points > 0 &&
        member.cumulative_points + priced.points >= t.cumulative_points) {
      why = "cumulative points " + std::to_string(member.cumulative_points + priced.points) +
            " ≥ " + std::to_string(t.cumulative_points);
    }
    if (!why.empty()) {
      next = &t;
      reason = why;
      by_single = single;
    }
  }

  // A tier lost at a review comes back when spend since the downgrade reaches its upkeep (P2);
  // the purchase that crosses the line is still priced at the lower tier.
  if (!member.downgraded_from.empty()) {
    const TierRule* lost = p.FindTier(member.downgraded_from);
    if (lost == nullptr) {
      return MakeError(ErrorCode::kFieldInvalid,
                       "the member's former tier \"" + member.downgraded_from +
                           "\" is not in programme " + p.code,
                       "downgraded_from");
    }
    const std::int64_t since = member.spend_since_downgrade + priced.paid_total;
    if (lost->keep_up.regain_by_spend && p.TierRank(lost->code) > p.TierRank(next->code) &&
        since >= lost->keep_up.spend) {
      next = lost;
      reason = "spend since the downgrade " + YuanSign(since) + " ≥ " +
               YuanSign(lost->keep_up.spend) + " (regained)";
      by_single = false;
    }
  }

  Evaluation e;
  e.point_asset = p.point_asset;
  // A purchase that reaches a tier by itself may be priced at it — unless a coupon the basket
  // carries would no longer apply at the new prices (its minimum spend, say): then it stays at
  // the member's tier rather than refuse the sale.
  std::optional<Priced> again;
  bool coupon_stays = false;
  if (next != tier && by_single && next->reprice_qualifying_purchase) {
    Result<Priced> repriced = PriceAndEarn(p, *next, member, lines, ctx, say);
    if (repriced) {
      again = std::move(*repriced);
    } else if (repriced.error().code == ErrorCode::kCouponNotApplicable) {
      coupon_stays = true;
    } else {
      return std::move(repriced).error();
    }
  }
  if (again) {
    if (say) {
      priced.explain.push_back("tier " + next->code + " reached by " + reason +
                               "; the purchase is priced and earns at " + next->code + ":");
      for (std::string& line : again->explain) priced.explain.push_back(std::move(line));
    }
    again->explain = std::move(priced.explain);
    priced = std::move(*again);
    e.tier = next->code;
  } else {
    e.tier = tier->code;
    if (say && next != tier) {
      priced.explain.push_back(
          "tier " + next->code + " reached by " + reason + "; this purchase stays priced at " +
          tier->code +
          (coupon_stays ? " (a coupon would not apply at " + next->code + "'s prices)" : ""));
    }
  }
  e.tier_after = next->code;
  e.tier_reason = reason;
  e.lines = std::move(priced.lines);
  e.list_total = priced.list_total;
  e.discount_total = priced.discount_total;
  e.paid_total = priced.paid_total;
  e.coupon_discounts = std::move(priced.coupon_discounts);
  e.points = priced.points;
  e.carried_fen = p.carry_remainder ? priced.carried_fen : 0;
  if (p.carry_remainder && priced.points == 0 && priced.carried_fen == 0) {
    e.carried_fen = member.carried_fen;  // nothing earned here: what was carried stays
  }
  e.explain = std::move(priced.explain);
  if (e.points > 0) {
    e.expires_on = ExpiryDate(p.expiry, ctx.date);
    if (say)
      e.explain.push_back(std::to_string(e.points) + " " + std::string(AssetName(p.point_asset)) +
                          (e.expires_on ? " valid to the end of " + e.expires_on->ToString()
                                        : " that never expire"));
  }
  ONECARD_TRY(e.redeem, RedemptionAt(p, *p.FindTier(e.tier), member, e.paid_total,
                                     say ? &e.explain : nullptr));
  return e;
}

Result<BonusResult> EventBonus(const Programme& p, std::string_view event,
                               std::optional<std::int64_t> entered) {
  for (const FixedBonus& b : p.bonuses) {
    if (b.event != event) continue;
    if (b.entered) {
      if (!entered || *entered < 1 || *entered > kAmountMax) {
        return MakeError(ErrorCode::kFieldInvalid,
                         "rule " + b.event + " (" + b.name + ") takes the points staff enter",
                         "points");
      }
      return BonusResult{*entered, b.name + ": " + std::to_string(*entered) + " points entered"};
    }
    if (entered) {
      return MakeError(ErrorCode::kFieldInvalid,
                       "rule " + b.event + " (" + b.name + ") gives a fixed " +
                           std::to_string(b.points) + " points; do not enter an amount",
                       "points");
    }
    return BonusResult{b.points, b.name + ": " + std::to_string(b.points) + " points"};
  }
  return MakeError(ErrorCode::kFieldInvalid,
                   "programme " + p.code + " has no bonus for \"" + std::string(event) + "\"",
                   "event");
}

}  // namespace onecard::core

namespace onecard::core {

// ----- Reviews, referrals, perks -----

std::optional<ReviewPeriod> ReviewPeriodOf(const Programme& p, CivilDate date) {
  if (!p.review.enabled) return std::nullopt;
  // The latest period start on or before `date`: starts fall on the start day of the start
  // month and, for half-yearly reviews, six months later, every year.
  std::optional<CivilDate> first;
  for (int year = date.year - 1; year <= date.year; ++year) {
    const CivilDate base{year, p.review.start_month,
                         std::min(p.review.start_day, DaysInMonth(year, p.review.start_month))};
    for (int step = 0; step < 12; step += p.review.months) {
      const CivilDate start = base.PlusMonths(step);
      if (start <= date && (!first || *first < start)) first = start;
    }
  }
  ONECARD_ASSERT(first.has_value(), "no review period start found");
  const CivilDate next = first->PlusMonths(p.review.months);
  return ReviewPeriod{*first, next.PlusDays(-1)};
}

Result<TierReview> ReviewTier(const Programme& p, std::string_view tier_code,
                              std::int64_t period_spend, const ReviewPeriod& period) {
  const TierRule* t = tier_code.empty() ? &p.tiers.front() : p.FindTier(tier_code);
  if (t == nullptr) {
    return MakeError(ErrorCode::kFieldInvalid,
                     "tier \"" + std::string(tier_code) + "\" is not in programme " + p.code,
                     "tier");
  }
  TierReview r;
  r.tier_after = t->code;
  const std::string span = period.first.ToString() + " to " + period.last.ToString();
  if (t->keep_up.spend == 0) {
    r.explain = "review " + span + ": " + t->code + " has no upkeep; kept";
  } else if (period_spend >= t->keep_up.spend) {
    r.explain = "review " + span + ": spent " + YuanSign(period_spend) + " ≥ " +
                YuanSign(t->keep_up.spend) + " to keep " + t->code + "; kept";
  } else {
    r.tier_after = t->keep_up.downgrade_to;
    r.downgraded = true;
    r.explain = "review " + span + ": spent " + YuanSign(period_spend) + " < " +
                YuanSign(t->keep_up.spend) + " to keep " + t->code + "; down to " + r.tier_after;
  }
  return r;
}

namespace {

Result<const TierRule*> ReferrerTier(const Programme& p, std::string_view code) {
  const TierRule* t = code.empty() ? &p.tiers.front() : p.FindTier(code);
  if (t == nullptr) {
    return MakeError(
        ErrorCode::kFieldInvalid,
        "the referrer's tier \"" + std::string(code) + "\" is not in programme " + p.code, "tier");
  }
  return t;
}

// `points` times the referrer tier's referral multiplier (floor), explained.
Result<BonusResult> Referral(const ReferralRules& rules, const TierRule& referrer,
                             std::int64_t points, std::string what) {
  BonusResult b;
  b.asset = rules.asset;
  ONECARD_TRY(b.points, Narrow(i128{points} * referrer.referral_multiplier.num /
                               referrer.referral_multiplier.den));
  b.explain = "referral: " + std::move(what) + " → " + std::to_string(points) + " points";
  if (!(referrer.referral_multiplier == Ratio{1, 1})) {
    b.explain += " × " + referrer.referral_multiplier.ToString() + " at " + referrer.code + " = " +
                 std::to_string(b.points);
  }
  b.explain += " " + std::string(AssetName(rules.asset));
  return b;
}

}  // namespace

Result<BonusResult> ReferralReward(const Programme& p, std::string_view referrer_tier,
                                   std::string_view event) {
  ONECARD_TRY(const TierRule* referrer, ReferrerTier(p, referrer_tier));
  if (!p.referral) return BonusResult{0, "referral: programme " + p.code + " gives no rewards"};
  const ReferralRules& rules = *p.referral;
  if (event == "registration") {
    return Referral(rules, *referrer, rules.on_registration, "the referee registered");
  }
  for (const ReferralRules::OnTier& t : rules.on_tier) {
    if (t.referee_tier != event) continue;
    std::int64_t points = 0;
    for (const auto& [by, amount] : t.by_referrer_tier) {
      if (by == referrer->code) {
        points = amount;
        break;
      }
      if (by.empty()) points = amount;
    }
    return Referral(
        rules, *referrer, points,
        "the referee reached " + t.referee_tier + ", the referrer is " + referrer->code);
  }
  return BonusResult{0, "referral: nothing for a referee reaching " + std::string(event),
                     rules.asset};
}

Result<BonusResult> ReferralShare(const Programme& p, std::string_view referrer_tier,
                                  std::int64_t paid) {
  ONECARD_TRY(const TierRule* referrer, ReferrerTier(p, referrer_tier));
  if (!p.referral || p.referral->share.IsZero() || paid <= 0) {
    return BonusResult{0, "referral: no share of the referee's spend"};
  }
  ONECARD_TRY(std::int64_t points,
              Narrow(i128{paid} * p.referral->share.num / p.referral->share.den));
  return Referral(*p.referral, *referrer, points,
                  "the referee paid " + YuanSign(paid) + " × " + p.referral->share.ToString() +
                      " points per fen (floor)");
}

Result<std::vector<PerkLeft>> PerksLeft(const Programme& p, std::string_view tier_code,
                                        std::span<const std::pair<std::string, int>> used,
                                        bool regained_this_year) {
  const TierRule* t = tier_code.empty() ? &p.tiers.front() : p.FindTier(tier_code);
  if (t == nullptr) {
    return MakeError(ErrorCode::kFieldInvalid,
                     "tier \"" + std::string(tier_code) + "\" is not in programme " + p.code,
                     "tier");
  }
  std::vector<PerkLeft> out;
  for (const Perk& perk : t->perks) {
    int taken = 0;
    for (const auto& [code, count] : used) {
      if (code == perk.code) taken += count;
    }
    PerkLeft left{perk.code, perk.name, std::max(0, perk.per_year - taken), ""};
    if (regained_this_year && perk.not_in_regain_year) {
      left.left = 0;
      left.explain = perk.name + ": none in a year " + t->code + " was regained";
    } else {
      left.explain = perk.name + ": " + std::to_string(left.left) + " of " +
                     std::to_string(perk.per_year) + " left this year at " + t->code;
    }
    out.push_back(std::move(left));
  }
  return out;
}

std::string_view SpentPointsPolicyName(SpentPointsPolicy p) {
  return p == SpentPointsPolicy::kForbid ? "forbid" : "deduct_from_refund";
}

Result<bool> TierStillReached(const Programme& p, std::string_view tier, std::string_view from_tier,
                              const MemberState& m, std::int64_t kept_paid) {
  const TierRule* t = p.FindTier(tier);
  if (t == nullptr) {
    return MakeError(ErrorCode::kFieldInvalid,
                     "tier \"" + std::string(tier) + "\" is not in programme " + p.code, "tier");
  }
  if (p.TierRank(tier) <= p.TierRank(from_tier)) return true;
  for (const SinglePurchase& s : t->single_purchase) {
    if ((s.from_tier.empty() || s.from_tier == from_tier) && s.amount > 0 &&
        kept_paid >= s.amount) {
      return true;
    }
  }
  if (t->cumulative_spend > 0 && m.cumulative_spend >= t->cumulative_spend) return true;
  if (t->cumulative_points > 0 && m.cumulative_points >= t->cumulative_points) return true;
  return false;
}

}  // namespace onecard::core
