// TierService: a member's programme state — tier, its history, spend and points to date — and
// the periodic tier review (issue #4, item 5; R-304).
//
// Sales move the state on (CheckoutService); here staff read it, put a member in a tier by hand
// (P0's internal customers, a complaint settled…) with a reason, and the review job judges each
// tiered member's spend over the review period that has ended: a tier whose upkeep was not met
// drops to its downgrade tier, remembering what was lost so that spend may regain it (P2).
//
// The review for business date D judges the latest review period that ended before D. It is
// idempotent twice over: a second run for D returns the first run's report, and a member already
// judged for that period is not judged again (so a run on a later date catches up without
// judging anyone twice). A member who entered the tier during the period is first judged over a
// full period. Thread-safe.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "service/clock.hpp"
#include "service/context.hpp"
#include "service/json.hpp"
#include "service/programme_service.hpp"
#include "service/writer.hpp"
#include "storage/store.hpp"

namespace onecard::service {

using core::Timestamp;

struct TierChangeView {
  std::string from;
  std::string to;
  std::string cause;  // purchase | regain | review | staff | return | deposit
  std::string reason;
  std::string doc_no;
  std::int64_t sale_id = 0;
  std::optional<int> programme_version;
  std::string staff;
  Timestamp at;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(TierChangeView, from, to, cause, reason, doc_no, sale_id,
                                   programme_version, staff, at)

struct MemberTierView {
  std::int64_t member_id = 0;
  std::string tier;  // the stored tier ("" until the first sale or change: the lowest)
  std::optional<Timestamp> tier_since;
  std::string downgraded_from;
  std::int64_t spend_since_downgrade = 0;  // fen
  std::int64_t cumulative_spend = 0;       // fen
  std::int64_t cumulative_points = 0;
  std::int64_t carried_fen = 0;
  std::int64_t purchases = 0;
  std::optional<Timestamp> last_purchase_at;
  std::optional<core::CivilDate> reviewed_to;
  std::vector<TierChangeView> history;  // oldest first
  bool replayed = false;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(MemberTierView, member_id, tier, tier_since, downgraded_from,
                                   spend_since_downgrade, cumulative_spend, cumulative_points,
                                   carried_fen, purchases, last_purchase_at, reviewed_to, history)

struct ReviewedMember {
  std::int64_t member_id = 0;
  std::string from;
  std::string to;
  std::int64_t spend = 0;  // fen in the period
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(ReviewedMember, member_id, from, to, spend)

struct TierReviewReport {
  core::CivilDate as_of;
  std::optional<core::CivilDate> period_first;  // none: the programme has no review
  std::optional<core::CivilDate> period_last;
  int programme_version = 0;
  std::int64_t judged = 0;      // members judged now
  std::int64_t kept = 0;        // … who kept their tier
  std::int64_t downgraded = 0;  // … who dropped (listed in `changes`)
  std::int64_t not_yet = 0;     // entered the tier during the period: judged from the next one
  std::int64_t already = 0;     // judged for this period by an earlier run
  std::vector<ReviewedMember> changes;
  std::string note;
  Timestamp ran_at;
  std::string staff;
  bool replayed = false;  // the report of an earlier run for this date
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(TierReviewReport, as_of, period_first, period_last,
                                   programme_version, judged, kept, downgraded, not_yet, already,
                                   changes, note, ran_at, staff, replayed)

class TierService {
 public:
  TierService(storage::Store& store, const Clock& clock, Writer& writer,
              ProgrammeService& programmes)
      : store_(store), clock_(clock), writer_(writer), programmes_(programmes) {}

  // Error: kMemberNotFound.
  core::Result<MemberTierView> State(const TenantRef& tenant, core::MemberId member);

  // Puts the member in `tier` of the version in force, recording who, why and the document.
  // Errors: kMemberNotFound; kProgrammeNotFound; kFieldInvalid for a tier the programme does not
  // have, an empty reason, or the tier the member is in.
  core::Result<MemberTierView> SetTier(const Request& req, core::MemberId member,
                                       const std::string& tier, const std::string& reason,
                                       const std::string& doc_no);

  // The review job for business date `as_of`, under the version in force at the end of that date
  // (or now, on the day itself). Errors: kProgrammeNotFound when none is; kInvalidArgument when
  // `as_of` lies ahead, or the period to judge has not ended yet, where the tenant is.
  core::Result<TierReviewReport> Review(const Request& req, core::CivilDate as_of);

 private:
  storage::Store& store_;
  const Clock& clock_;
  Writer& writer_;
  ProgrammeService& programmes_;
};

}  // namespace onecard::service
