#include "service/tier_service.hpp"

#include <algorithm>

#include "service/calendar.hpp"
#include "service/digest.hpp"

namespace onecard::service {
namespace {

using core::ErrorCode;
using core::MakeError;
using core::Result;
using core::Status;
using json = nlohmann::json;

constexpr std::string_view kReviewJob = "tier-review";
constexpr int kPage = 500;

MemberTierView ViewOf(const storage::MemberStateRecord& s,
                      const std::vector<storage::TierChangeRecord>& changes) {
  MemberTierView v;
  v.member_id = s.member.value;
  v.tier = s.tier;
  v.tier_since = s.tier_since;
  v.downgraded_from = s.downgraded_from;
  v.spend_since_downgrade = s.spend_since_downgrade;
  v.cumulative_spend = s.cumulative_spend;
  v.cumulative_points = s.cumulative_points;
  v.carried_fen = s.carried_fen;
  v.purchases = s.purchases;
  v.last_purchase_at = s.last_purchase_at;
  v.reviewed_to = s.reviewed_to;
  for (const storage::TierChangeRecord& c : changes) {
    v.history.push_back({c.from_tier, c.to_tier, c.cause, c.reason, c.doc_no, c.sale_id.value_or(0),
                         c.programme_version, c.staff, c.at});
  }
  return v;
}

Result<MemberTierView> ReadState(storage::ReadTxn& txn, core::TenantId tenant,
                                 core::MemberId member) {
  ONECARD_TRY(std::optional<storage::MemberRecord> m, txn.GetMember(tenant, member));
  if (!m) {
    return MakeError(ErrorCode::kMemberNotFound, "no member " + std::to_string(member.value),
                     "member");
  }
  ONECARD_TRY(std::optional<storage::MemberStateRecord> s, txn.GetMemberState(tenant, member));
  storage::MemberStateRecord state = s.value_or(storage::MemberStateRecord{});
  state.member = member;
  ONECARD_TRY(std::vector<storage::TierChangeRecord> changes, txn.ListTierChanges(tenant, member));
  return ViewOf(state, changes);
}

}  // namespace

Result<MemberTierView> TierService::State(const TenantRef& tenant, core::MemberId member) {
  ONECARD_TRY(std::unique_ptr<storage::ReadTxn> txn, store_.BeginRead());
  return ReadState(*txn, tenant.id, member);
}

Result<MemberTierView> TierService::SetTier(const Request& req, core::MemberId member,
                                            const std::string& tier, const std::string& reason,
                                            const std::string& doc_no) {
  if (reason.empty() || reason.size() > 500) {
    return MakeError(ErrorCode::kFieldInvalid, "a tier change by hand needs a reason (≤ 500 bytes)",
                     "reason");
  }
  if (doc_no.size() > 64) {
    return MakeError(ErrorCode::kFieldInvalid, "doc_no is longer than 64 bytes", "doc_no");
  }
  const core::Timestamp now = clock_.Now();
  ONECARD_TRY(ProgrammeService::InForce in_force, programmes_.VersionAt(req.tenant, now));
  const core::Programme& p = *in_force.programme;
  if (p.FindTier(tier) == nullptr) {
    std::string known;
    for (const core::TierRule& t : p.tiers) known += (known.empty() ? "" : ", ") + t.code;
    return MakeError(ErrorCode::kFieldInvalid,
                     "tier \"" + tier + "\" is not in version " + std::to_string(in_force.version) +
                         " (tiers: " + known + ")",
                     "tier");
  }
  auto audit = AuditOf(req, "member.tier", "member", std::to_string(member.value));
  return writer_.Call<MemberTierView>(
      req.tenant.id, req.idempotency_key,
      Canonical("tier")
          .Add("member", member.value)
          .Add("tier", tier)
          .Add("reason", reason)
          .Add("doc", doc_no)
          .digest(),
      [&](storage::WriteTxn& txn) -> Result<MemberTierView> {
        ONECARD_TRY(MemberTierView before, ReadState(txn, req.tenant.id, member));
        const std::string from = before.tier.empty() ? p.tiers.front().code : before.tier;
        if (from == tier) {
          return MakeError(
              ErrorCode::kFieldInvalid,
              "member " + std::to_string(member.value) + " is in tier " + tier + " already",
              "tier");
        }
        ONECARD_TRY(std::optional<storage::MemberStateRecord> stored,
                    txn.GetMemberState(req.tenant.id, member));
        storage::MemberStateRecord s = stored.value_or(storage::MemberStateRecord{});
        s.member = member;
        s.tenant = req.tenant.id;
        s.tier = tier;
        s.tier_since = now;
        s.downgraded_from.clear();
        s.spend_since_downgrade = 0;
        s.updated_at = now;
        ONECARD_CHECK(txn.PutMemberState(s));
        storage::TierChangeRecord c;
        c.tenant = req.tenant.id;
        c.member = member;
        c.from_tier = from;
        c.to_tier = tier;
        c.cause = "staff";
        c.reason = reason;
        c.doc_no = doc_no;
        c.programme_version = in_force.version;
        c.staff = req.actor.staff;
        c.at = now;
        ONECARD_CHECK(txn.InsertTierChange(c));
        audit->before = json{{"tier", from}}.dump();
        return ReadState(txn, req.tenant.id, member);
      },
      audit);
}

Result<TierReviewReport> TierService::Review(const Request& req, core::CivilDate as_of) {
  const core::Timestamp now = clock_.Now();
  {
    ONECARD_TRY(std::unique_ptr<storage::ReadTxn> txn, store_.BeginRead());
    ONECARD_TRY(std::optional<storage::JobRunRecord> done,
                txn->FindJobRun(req.tenant.id, kReviewJob, as_of));
    if (done) {
      TierReviewReport r = json::parse(done->result).get<TierReviewReport>();
      r.replayed = true;
      return r;
    }
  }
  const core::CivilDate today = LocalDate(req.tenant.timezone, now);
  if (today < as_of) {
    return MakeError(
        ErrorCode::kInvalidArgument,
        "business date " + as_of.ToString() + " has not begun (today is " + today.ToString() + ")",
        "as_of");
  }
  // The rules of the version in force at the end of that business date (or now, on the day).
  ONECARD_TRY(core::Timestamp day_end, StartOfLocalDay(req.tenant.timezone, as_of.PlusDays(1)));
  ONECARD_TRY(ProgrammeService::InForce in_force,
              programmes_.VersionAt(req.tenant, std::min(now, day_end.PlusSeconds(-1))));
  const core::Programme& p = *in_force.programme;
  TierReviewReport report;
  report.as_of = as_of;
  report.programme_version = in_force.version;
  report.ran_at = now;
  report.staff = req.actor.staff;
  std::optional<core::ReviewPeriod> period;
  if (std::optional<core::ReviewPeriod> current = core::ReviewPeriodOf(p, as_of)) {
    period = core::ReviewPeriodOf(p, current->first.PlusDays(-1));
    if (!(period->last < today)) {
      return MakeError(ErrorCode::kInvalidArgument,
                       "the review period " + period->first.ToString() + " to " +
                           period->last.ToString() + " has not ended yet",
                       "as_of");
    }
    report.period_first = period->first;
    report.period_last = period->last;
  } else {
    report.note = "programme " + p.code + " version " + std::to_string(in_force.version) +
                  " has no tier review";
  }
  auto audit = AuditOf(req, "jobs.tier_review", "job", as_of.ToString());
  return writer_.Call<TierReviewReport>(
      req.tenant.id, req.idempotency_key,
      Canonical("tier-review").Add("as_of", as_of.ToString()).digest(),
      [&](storage::WriteTxn& txn) -> Result<TierReviewReport> {
        ONECARD_TRY(std::optional<storage::JobRunRecord> done,
                    txn.FindJobRun(req.tenant.id, kReviewJob, as_of));
        if (done) {  // another run got there first
          TierReviewReport r = json::parse(done->result).get<TierReviewReport>();
          r.replayed = true;
          return r;
        }
        TierReviewReport r = report;
        if (period) {
          ONECARD_TRY(core::Timestamp period_start,
                      StartOfLocalDay(req.tenant.timezone, period->first));
          core::MemberId after;
          while (true) {
            ONECARD_TRY(std::vector<storage::MemberStateRecord> page,
                        txn.ListTieredMembers(req.tenant.id, after, kPage));
            for (storage::MemberStateRecord& s : page) {
              after = s.member;
              if (s.reviewed_to && !(*s.reviewed_to < period->last)) {
                ++r.already;
                continue;
              }
              const core::TierRule* t = p.FindTier(s.tier);
              if (t == nullptr || t->keep_up.spend == 0) continue;  // nothing to judge
              s.reviewed_to = period->last;
              s.updated_at = now;
              if (s.tier_since && period_start < *s.tier_since) {
                ++r.not_yet;
                ONECARD_CHECK(txn.PutMemberState(s));
                continue;
              }
              ++r.judged;
              ONECARD_TRY(std::int64_t spend,
                          txn.SumMemberSpend(req.tenant.id, s.member, period->first, period->last));
              ONECARD_TRY(core::TierReview review, core::ReviewTier(p, s.tier, spend, *period));
              if (!review.downgraded) {
                ++r.kept;
                ONECARD_CHECK(txn.PutMemberState(s));
                continue;
              }
              ++r.downgraded;
              r.changes.push_back({s.member.value, s.tier, review.tier_after, spend});
              storage::TierChangeRecord c;
              c.tenant = req.tenant.id;
              c.member = s.member;
              c.from_tier = s.tier;
              c.to_tier = review.tier_after;
              c.cause = "review";
              c.reason = review.explain;
              c.doc_no = "tier-review " + as_of.ToString();
              c.programme_version = in_force.version;
              c.staff = req.actor.staff;
              c.at = now;
              ONECARD_CHECK(txn.InsertTierChange(c));
              s.downgraded_from = t->keep_up.regain_by_spend ? s.tier : "";
              s.spend_since_downgrade = 0;
              s.tier = review.tier_after;
              s.tier_since = now;
              ONECARD_CHECK(txn.PutMemberState(s));
            }
            if (static_cast<int>(page.size()) < kPage) break;
          }
        }
        storage::JobRunRecord run{req.tenant.id, std::string(kReviewJob), as_of,
                                  now,           req.actor.staff,         json(r).dump()};
        ONECARD_CHECK(txn.InsertJobRun(run));
        return r;
      },
      audit);
}

}  // namespace onecard::service
