#include "service/simulation.hpp"

#include <algorithm>

#include "core/int128.hpp"
#include "service/calendar.hpp"

namespace onecard::service {

using core::Result;
using core::Status;

Simulation::Simulation(const core::Programme& draft, std::string time_zone,
                       std::map<std::int64_t, std::string> store_codes,
                       const std::vector<std::pair<core::MemberId, core::CivilDate>>& birthdays,
                       const std::vector<storage::ReadTxn::SaleTotals>& before)
    : draft_(draft), timezone_(std::move(time_zone)), stores_(std::move(store_codes)) {
  for (const auto& [member, birthday] : birthdays) members_[member.value].state.birthday = birthday;
  for (const storage::ReadTxn::SaleTotals& t : before) {
    core::MemberState& s = members_[t.member.value].state;
    s.cumulative_spend = t.spend;
    s.cumulative_points = t.points;
  }
  report_.draft_code = draft.code;
  report_.draft_name = draft.name;
}

Result<int> Simulation::MinuteOf(const storage::SaleRecord& sale) {
  auto it = day_starts_.find(sale.business_date);
  if (it == day_starts_.end()) {
    ONECARD_TRY(core::Timestamp start, StartOfLocalDay(timezone_, sale.business_date));
    it = day_starts_.emplace(sale.business_date, start).first;
  }
  const std::int64_t minutes = (sale.at.micros - it->second.micros) / 60'000'000;
  return static_cast<int>(std::clamp<std::int64_t>(minutes, 0, 24 * 60 - 1));
}

Status Simulation::Add(const storage::SaleRecord& sale) {
  if (!sale.member.valid()) {
    ++report_.walk_in_sales;
    return {};
  }
  Member& m = members_[sale.member.value];
  if (!m.seen) {
    m.seen = true;
    if (draft_.FindTier(sale.tier_before) != nullptr) m.state.tier = sale.tier_before;
  }
  // Lines a count card or pass paid for are no programme's to price: both sides leave them out.
  std::int64_t pass_discount = 0;
  std::size_t n = 0;
  for (const storage::SaleLineRecord& l : sale.lines) {
    if (l.pass_card.valid()) {
      pass_discount += l.discount;
    } else {
      ++n;
    }
  }
  lines_.resize(n);  // the lines of earlier sales are reused, their memory too
  std::size_t next = 0;
  for (const storage::SaleLineRecord& l : sale.lines) {
    if (l.pass_card.valid()) continue;
    core::BasketLine& b = lines_[next++];
    b.categories.clear();
    b.sku = l.sku;
    b.item_class = l.item_class;
    b.quantity = l.quantity;
    b.unit_price = l.unit_price;
    b.non_earning = l.non_earning;
    for (std::size_t from = 0; from < l.categories.size();) {
      const std::size_t comma = std::min(l.categories.find(',', from), l.categories.size());
      b.categories.push_back(l.categories.substr(from, comma - from));
      from = comma + 1;
    }
  }
  const auto store = stores_.find(sale.store.value);
  ONECARD_TRY(int minute, MinuteOf(sale));
  core::EvalContext ctx{sale.business_date, minute, store == stores_.end() ? "" : store->second, 0};

  // The actual side, as recorded.
  ++report_.sales;
  report_.actual.paid += sale.paid_total;
  report_.actual.discounts += sale.discount_total - pass_discount;
  report_.actual.points_issued += sale.points_earned;
  report_.actual.redemption_value += sale.points_value;
  m.figures.actual_points += sale.points_earned;
  m.figures.actual_discount += sale.discount_total - pass_discount;
  m.figures.actual_tier = sale.tier_after;
  ++m.figures.sales;

  // The draft's side.
  Result<core::Evaluation> e = core::Evaluate(draft_, m.state, lines_, ctx, core::Explain::kNo);
  if (e && sale.points_spent > 0) {
    const core::Ratio& value = e->redeem.point_value;
    const core::Int128 fen = static_cast<core::Int128>(sale.points_spent) * value.num / value.den;
    ctx.paid_with_points = static_cast<std::int64_t>(std::min<core::Int128>(fen, e->paid_total));
    report_.draft.redemption_value += ctx.paid_with_points;
    if (ctx.paid_with_points > 0) {
      e = core::Evaluate(draft_, m.state, lines_, ctx, core::Explain::kNo);
    }
  }
  if (!e) {
    ++report_.failed;
    if (report_.failures.size() < 10) {
      report_.failures.push_back("sale " + std::to_string(sale.id) + " (" + sale.doc_no +
                                 "): " + e.error().message);
    }
    return {};
  }
  report_.draft.paid += e->paid_total;
  report_.draft.discounts += e->discount_total;
  report_.draft.points_issued += e->points;
  m.figures.draft_points += e->points;
  m.figures.draft_discount += e->discount_total;
  m.state.cumulative_spend += e->paid_total;
  m.state.cumulative_points += e->points;
  m.state.carried_fen = e->carried_fen;
  m.state.tier = e->tier_after;
  return {};
}

namespace {

std::vector<TierCount> Counts(const std::map<std::string, std::int64_t>& by_tier) {
  std::vector<TierCount> out;
  for (const auto& [tier, n] : by_tier) out.push_back({tier, n});
  return out;
}

}  // namespace

SimulationReport Simulation::Finish(core::CivilDate from, core::CivilDate to, std::size_t top) {
  SimulationReport r = std::move(report_);
  r.from = from;
  r.to = to;
  std::map<std::string, std::int64_t> actual_tiers;
  std::map<std::string, std::int64_t> draft_tiers;
  std::vector<AffectedMember> all;
  for (auto& [id, m] : members_) {
    if (m.figures.sales == 0) continue;
    ++r.members;
    m.figures.member_id = id;
    m.figures.draft_tier = m.state.tier.empty() ? draft_.tiers.front().code : m.state.tier;
    ++actual_tiers[m.figures.actual_tier];
    ++draft_tiers[m.figures.draft_tier];
    all.push_back(std::move(m.figures));
  }
  r.actual.tiers = Counts(actual_tiers);
  r.draft.tiers = Counts(draft_tiers);
  const auto change = [](const AffectedMember& a) {
    return std::pair{std::abs(a.draft_points - a.actual_points),
                     std::abs(a.draft_discount - a.actual_discount)};
  };
  std::sort(all.begin(), all.end(), [&](const AffectedMember& a, const AffectedMember& b) {
    if (change(a) != change(b)) return change(a) > change(b);
    return a.member_id < b.member_id;
  });
  if (all.size() > top) all.resize(top);
  r.most_affected = std::move(all);
  return r;
}

}  // namespace onecard::service
