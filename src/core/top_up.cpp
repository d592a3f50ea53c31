// Top-ups under a programme's [stored_value] rules: who may take them, the bonus plan that
// applies, and the tier a deposit reaches (core/programme.hpp).
#include <algorithm>

#include "core/lists.hpp"
#include "core/programme.hpp"

namespace onecard::core {
namespace {

std::string JoinList(const std::vector<std::string>& list) {
  std::string out;
  for (const std::string& s : list) out += (out.empty() ? "" : ", ") + s;
  return out;
}

std::string BandOf(const TopUpPlan& plan) {
  std::string band = "from " + YuanSign(plan.from);
  if (plan.below > 0) band += ", below " + YuanSign(plan.below);
  return band;
}

// The bonus of `plan` on `amount`, with its explanation.
Result<std::int64_t> PlanBonus(const TopUpPlan& plan, std::int64_t amount, std::string& why) {
  if (!plan.percent.IsZero()) {
    ONECARD_TRY(std::int64_t bonus,
                MulDiv(amount, plan.percent.num, plan.percent.den, Rounding::kFloor));
    ONECARD_TRY(Ratio pct, Multiply(plan.percent, Ratio{100, 1}));
    why = pct.ToString() + "%";
    why += " of " + YuanSign(amount) + " = " + YuanSign(bonus) + " (rounded down to the fen)";
    if (plan.cap > 0 && bonus > plan.cap) {
      bonus = plan.cap;
      why += ", capped at " + YuanSign(plan.cap);
    }
    return bonus;
  }
  if (plan.every > 0) {
    const std::int64_t times = amount / plan.every;
    ONECARD_TRY(std::int64_t bonus, MulDiv(times, plan.fixed, 1, Rounding::kFloor));
    why = YuanSign(plan.fixed) + " for every full " + YuanSign(plan.every) + ": " +
          std::to_string(times) + " × " + YuanSign(plan.fixed) + " = " + YuanSign(bonus);
    return bonus;
  }
  why = "a fixed " + YuanSign(plan.fixed);
  return plan.fixed;
}

}  // namespace

Status CheckTopUpTaker(const StoredValueRules& rules, const TopUpTaker& taker) {
  if (taker.store.empty()) {
    if (!rules.head_office) {
      return MakeError(ErrorCode::kTopUpNotPermitted,
                       "top-ups are taken at a store, not at head office (the programme's "
                       "[stored_value] head_office = false)",
                       "store");
    }
  } else if (!rules.stores.empty() && !Contains(rules.stores, taker.store)) {
    return MakeError(ErrorCode::kTopUpNotPermitted,
                     "store " + std::string(taker.store) +
                         " does not take top-ups; the programme's [stored_value] stores are " +
                         JoinList(rules.stores),
                     "store");
  }
  if (taker.trusted || (rules.roles.empty() && rules.operators.empty())) return {};
  if (Contains(rules.roles, taker.role) || Contains(rules.operators, taker.staff)) return {};
  std::string who = rules.roles.empty() ? "" : "staff of the roles " + JoinList(rules.roles);
  if (!rules.operators.empty()) {
    who += (who.empty() ? "" : " and ") + std::string("the operators ") + JoinList(rules.operators);
  }
  return MakeError(ErrorCode::kTopUpNotPermitted,
                   std::string(taker.staff) + " (" + std::string(taker.role) +
                       ") may not take top-ups; the programme's [stored_value] allows " + who,
                   "staff");
}

Result<TopUpOutcome> EvaluateTopUp(const Programme& p, std::string_view tier, std::int64_t amount,
                                   CivilDate date) {
  const std::string tier_code(tier.empty() ? std::string_view(p.tiers.front().code) : tier);
  const int rank = p.TierRank(tier_code);
  if (rank < 0) {
    return MakeError(ErrorCode::kFieldInvalid, "programme " + p.code + " has no tier " + tier_code,
                     "tier");
  }
  const StoredValueRules& rules = p.stored_value;
  if (amount < 1 || (rules.min_top_up > 0 && amount < rules.min_top_up)) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "a top-up is at least " +
                         YuanSign(std::max<std::int64_t>(rules.min_top_up, 1)) +
                         " (asked: " + YuanSign(amount) + ")",
                     "amount");
  }
  if (rules.max_top_up > 0 && amount > rules.max_top_up) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "a top-up is at most " + YuanSign(rules.max_top_up) +
                         " at once (asked: " + YuanSign(amount) + ")",
                     "amount");
  }
  TopUpOutcome out;
  out.tier_after = tier_code;
  const TopUpPlan* plan = nullptr;
  for (const TopUpPlan& candidate : rules.plans) {
    const bool for_tier = candidate.tiers.empty() || Contains(candidate.tiers, tier_code);
    const bool in_band =
        amount >= candidate.from && (candidate.below == 0 || amount < candidate.below);
    if (for_tier && in_band) {
      plan = &candidate;
      break;  // the document's validation lets no two plans match the same top-up
    }
  }
  if (plan == nullptr) {
    out.explain.push_back("top-up " + YuanSign(amount) + " at tier " + tier_code +
                          (rules.plans.empty() ? ": the programme has no bonus plans"
                                               : ": no bonus plan is for this tier and amount"));
  } else {
    std::string why;
    ONECARD_TRY(out.bonus, PlanBonus(*plan, amount, why));
    out.plan = plan->name;
    out.explain.push_back("top-up " + YuanSign(amount) + " at tier " + tier_code + ": plan \"" +
                          plan->name + "\" (" + BandOf(*plan) + "): " + why);
    if (out.bonus > 0 && plan->valid_months > 0) {
      out.bonus_expires_on = date.PlusMonths(plan->valid_months).PlusDays(-1);
      out.explain.push_back("the bonus may be spent until " + out.bonus_expires_on->ToString() +
                            " (" + std::to_string(plan->valid_months) + " months)");
    }
  }
  // The highest tier above the member's whose deposit this top-up meets.
  for (int i = static_cast<int>(p.tiers.size()) - 1; i > rank; --i) {
    const TierRule& t = p.tiers[static_cast<std::size_t>(i)];
    if (t.deposit > 0 && amount >= t.deposit) {
      out.tier_after = t.code;
      out.tier_reason = "a top-up of " + YuanSign(amount) + " meets the deposit of " +
                        YuanSign(t.deposit) + " for tier " + t.code;
      out.explain.push_back(out.tier_reason + ": " + tier_code + " → " + t.code);
      break;
    }
  }
  return out;
}

}  // namespace onecard::core
