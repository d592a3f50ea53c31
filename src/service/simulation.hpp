// Simulation: recorded sales replayed under a draft programme (issue #4, item 6), against what
// really happened — without touching the books.
//
// Each member's sales are replayed in order from a state rebuilt from the sales before the
// period (spend and points to date; the tier the member was in before the first replayed sale,
// where the draft has it). Every sale is priced and earned under the draft with the member's
// replayed state; points a member spent pay under the draft at its tier's value (capped at the
// price). Walk-in sales are counted, not compared. Tier reviews are not replayed.
//
//   Simulation sim(draft, "Asia/Shanghai", store_codes, birthdays, totals_before);
//   for (const SaleRecord& s : sales) ONECARD_CHECK(sim.Add(s));
//   SimulationReport r = sim.Finish(10);
//
// Not thread-safe: one replay.
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/programme.hpp"
#include "service/json.hpp"
#include "storage/store.hpp"

namespace onecard::service {

struct TierCount {
  std::string tier;
  std::int64_t members = 0;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(TierCount, tier, members)

// One side of the comparison (amounts in fen).
struct SimulationSide {
  std::int64_t paid = 0;              // amount due over the member sales
  std::int64_t discounts = 0;         // given at the tiers
  std::int64_t points_issued = 0;     // earned on the sales
  std::int64_t redemption_value = 0;  // fen the points spent paid
  std::vector<TierCount> tiers;       // members by tier after their last sale in the period
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(SimulationSide, paid, discounts, points_issued, redemption_value,
                                   tiers)

struct AffectedMember {
  std::int64_t member_id = 0;
  std::int64_t sales = 0;
  std::int64_t actual_points = 0;
  std::int64_t draft_points = 0;
  std::int64_t actual_discount = 0;
  std::int64_t draft_discount = 0;
  std::string actual_tier;
  std::string draft_tier;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(AffectedMember, member_id, sales, actual_points, draft_points,
                                   actual_discount, draft_discount, actual_tier, draft_tier)

struct SimulationReport {
  std::string draft_code;
  std::string draft_name;
  core::CivilDate from;
  core::CivilDate to;
  std::int64_t sales = 0;          // member sales replayed
  std::int64_t walk_in_sales = 0;  // counted, not compared
  std::int64_t members = 0;
  std::int64_t failed = 0;  // sales the draft could not price (reasons below, the first few)
  std::vector<std::string> failures;
  SimulationSide actual;
  SimulationSide draft;
  std::vector<AffectedMember> most_affected;  // by the change in points, then in discount
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(SimulationReport, draft_code, draft_name, from, to, sales,
                                   walk_in_sales, members, failed, failures, actual, draft,
                                   most_affected)

class Simulation {
 public:
  Simulation(const core::Programme& draft, std::string time_zone,
             std::map<std::int64_t, std::string> store_codes,
             const std::vector<std::pair<core::MemberId, core::CivilDate>>& birthdays,
             const std::vector<storage::ReadTxn::SaleTotals>& before);

  // Replays one sale (in the order they were made). Errors only for broken records.
  core::Status Add(const storage::SaleRecord& sale);
  SimulationReport Finish(core::CivilDate from, core::CivilDate to, std::size_t top);

 private:
  struct Member {
    core::MemberState state;  // replayed under the draft
    bool seen = false;
    AffectedMember figures;  // draft_tier is filled in at the end
  };
  core::Result<int> MinuteOf(const storage::SaleRecord& sale);

  const core::Programme& draft_;
  std::string timezone_;
  std::map<std::int64_t, std::string> stores_;
  std::unordered_map<std::int64_t, Member> members_;
  std::map<core::CivilDate, core::Timestamp> day_starts_;
  std::vector<core::BasketLine> lines_;  // reused
  SimulationReport report_;
};

}  // namespace onecard::service
