// StoredValueService: top-ups under the programme's [stored_value] rules.
#include "service/stored_value_service.hpp"

#include "core/card.hpp"
#include "core/programme.hpp"
#include "service/calendar.hpp"
#include "service/digest.hpp"
#include "service/ledger_txn.hpp"
#include "service/ledger_util.hpp"

namespace onecard::service {
namespace {

using core::ErrorCode;
using core::MakeError;
using core::Result;
using core::Status;

// The programme that governs a top-up: the version in force for stored value, none for uses or
// when the tenant has no programme yet.
Result<std::optional<ProgrammeService::InForce>> Governing(ProgrammeService& programmes,
                                                           const TenantRef& tenant,
                                                           core::Asset asset, core::Timestamp now) {
  if (asset != core::Asset::kStoredValue) return std::optional<ProgrammeService::InForce>{};
  Result<ProgrammeService::InForce> in_force = programmes.VersionAt(tenant, now);
  if (!in_force) {
    if (in_force.error().code == ErrorCode::kProgrammeNotFound) {
      return std::optional<ProgrammeService::InForce>{};
    }
    return std::move(in_force).error();
  }
  return std::optional<ProgrammeService::InForce>{std::move(*in_force)};
}

// The member's tier as the programme knows it ("" stored, or one the version dropped: the
// lowest).
std::string TierOf(const core::Programme& p, const std::optional<storage::MemberStateRecord>& s) {
  if (s && !s->tier.empty() && p.FindTier(s->tier) != nullptr) return s->tier;
  return p.tiers.front().code;
}

// What the top-up gives: under the programme, its plans and deposit tiers; otherwise the bonus
// staff entered.
Result<core::TopUpOutcome> OutcomeOf(const std::optional<ProgrammeService::InForce>& governing,
                                     const std::string& tier, bool has_member,
                                     const TopUpSpec& spec, core::CivilDate date) {
  core::TopUpOutcome out;
  if (governing) {
    ONECARD_TRY(out, core::EvaluateTopUp(*governing->programme, tier, spec.amount, date));
    if (!has_member && out.tier_after != tier) {
      out.explain.push_back("the card has no member: no tier is reached");
      out.tier_after = tier;
      out.tier_reason.clear();
    }
  }
  if (spec.bonus && *spec.bonus > 0) {
    out.bonus = *spec.bonus;
    out.plan = "entered";
    out.explain.push_back("bonus entered by staff: " + core::FormatAmount(spec.asset, *spec.bonus));
  }
  return out;
}

void FillOutcome(TopUpView& v, core::TopUpOutcome outcome) {
  v.bonus = outcome.bonus;
  v.plan = std::move(outcome.plan);
  v.bonus_expires_on = outcome.bonus_expires_on;
  v.tier_after = std::move(outcome.tier_after);
  v.explain = std::move(outcome.explain);
}

// Checks what can be checked before anything is read: the asset, amounts, notes, and — under a
// programme — who takes the top-up, where, and whether a bonus may be entered.
Status Validate(const Request& req, const TopUpSpec& spec,
                const std::optional<ProgrammeService::InForce>& governing) {
  ONECARD_CHECK(RequireLoadableAsset(spec.asset));
  ONECARD_CHECK(ValidateAmount(spec.amount, "amount"));
  if (spec.bonus && (*spec.bonus < 0 || *spec.bonus > core::kAmountMax)) {
    return MakeError(ErrorCode::kAmountNotPositive, "a bonus is zero or more", "bonus");
  }
  ONECARD_CHECK(ValidateNotes(spec.doc_no, spec.reason));
  if (!governing) return {};
  const core::StoredValueRules& rules = governing->programme->stored_value;
  const bool trusted = req.actor.kind == "cli" || req.actor.kind == "system";
  ONECARD_CHECK(core::CheckTopUpTaker(
      rules, {req.actor.store_code, req.actor.staff, req.actor.role, trusted}));
  if (spec.bonus && !rules.plans.empty()) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "the programme's bonus plans decide the bonus (version " +
                         std::to_string(governing->version) + "); leave bonus out",
                     "bonus");
  }
  return {};
}

}  // namespace

StoredValueService::StoredValueService(storage::Store& store, const Clock& clock, Writer& writer,
                                       ProgrammeService& programmes)
    : store_(store),
      clock_(clock),
      writer_(writer),
      programmes_(programmes),
      accounts_(std::make_unique<SystemAccountCache>(writer)) {}

StoredValueService::~StoredValueService() = default;

Result<TopUpView> StoredValueService::QuoteTopUp(const Request& req, const TopUpSpec& spec) {
  const core::Timestamp now = clock_.Now();
  ONECARD_TRY(auto governing, Governing(programmes_, req.tenant, spec.asset, now));
  ONECARD_CHECK(Validate(req, spec, governing));
  ONECARD_TRY(std::unique_ptr<storage::ReadTxn> txn, store_.BeginRead());
  ONECARD_TRY(ResolvedCard card, ReadUsableCard(*txn, req.tenant, spec.card));
  TopUpView v;
  v.quote = true;
  v.card = spec.card;
  v.asset = std::string(core::AssetName(spec.asset));
  v.amount = spec.amount;
  const core::MemberId member =
      card.presented.member.valid() ? card.presented.member : card.owner.member;
  v.member_id = member.value;
  if (governing) {
    std::optional<storage::MemberStateRecord> state;
    if (member.valid()) {
      ONECARD_TRY(state, txn->GetMemberState(req.tenant.id, member));
    }
    v.tier_before = TierOf(*governing->programme, state);
    v.programme_version = governing->version;
  }
  ONECARD_TRY(core::TopUpOutcome outcome, OutcomeOf(governing, v.tier_before, member.valid(), spec,
                                                    LocalDate(req.tenant.timezone, now)));
  FillOutcome(v, std::move(outcome));
  ONECARD_TRY(std::int64_t balance, HolderBalance(*txn, req.tenant.id, card.owner.id, spec.asset));
  ONECARD_TRY(v.balance_after, core::CheckedAdd(balance, v.amount + v.bonus));
  return v;
}

Result<TopUpView> StoredValueService::TopUp(const Request& req, const TopUpSpec& spec) {
  return Await<TopUpView>(
      [&](Callback<TopUpView> done) { TopUpAsync(req, spec, std::move(done)); });
}

void StoredValueService::TopUpAsync(const Request& req, const TopUpSpec& spec,
                                    Callback<TopUpView> done) {
  Result<Prepared> prepared = PrepareTopUp(req, spec);
  if (!prepared) return done(std::move(prepared).error());
  writer_.CallAsync<TopUpView>(req.tenant.id, req.idempotency_key, std::move(prepared->digest),
                               std::move(prepared->run), std::move(done),
                               AuditOf(req, "value.top_up", "card", spec.card));
}

Result<StoredValueService::Prepared> StoredValueService::PrepareTopUp(const Request& req,
                                                                      const TopUpSpec& spec) {
  ONECARD_CHECK(ValidateIdempotencyKey(req.idempotency_key));
  const core::Timestamp now = clock_.Now();
  ONECARD_TRY(auto governing, Governing(programmes_, req.tenant, spec.asset, now));
  ONECARD_CHECK(Validate(req, spec, governing));
  Canonical c = CanonicalOf(req, "top_up");
  c.Add("card", spec.card).Add("asset", core::AssetName(spec.asset)).Add("amount", spec.amount);
  c.Add("bonus", spec.bonus ? std::to_string(*spec.bonus) : std::string("plan"));
  AddExpiry(c, spec.expires_at);
  c.Add("doc", spec.doc_no).Add("reason", spec.reason);
  const core::CivilDate date = LocalDate(req.tenant.timezone, now);
  return Prepared{
      c.digest(),
      [this, req, spec, governing, now, date](storage::WriteTxn& txn) -> Result<TopUpView> {
        ONECARD_CHECK(CheckExpiryAhead(spec.expires_at, now));
        LedgerTxn l(txn, req, now, accounts_.get());
        ONECARD_TRY(auto found, l.CardAndHolder(spec.card, spec.asset));
        auto& [card, holder] = found;
        const core::MemberId member =
            card.presented.member.valid() ? card.presented.member : card.owner.member;
        TopUpView v;
        v.card = spec.card;
        v.asset = std::string(core::AssetName(spec.asset));
        v.amount = spec.amount;
        v.member_id = member.value;
        std::optional<storage::MemberStateRecord> state;
        if (governing) {
          if (member.valid()) {
            ONECARD_TRY(state, txn.GetMemberState(req.tenant.id, member));
          }
          v.tier_before = TierOf(*governing->programme, state);
          v.programme_version = governing->version;
        }
        ONECARD_TRY(core::TopUpOutcome outcome,
                    OutcomeOf(governing, v.tier_before, member.valid(), spec, date));
        const std::string tier_reason = outcome.tier_reason;
        FillOutcome(v, std::move(outcome));

        const core::StoreId store = req.actor.store;
        core::EntryPlan plan;
        plan.Credit(*holder, spec.amount,
                    core::LotSpec{spec.expires_at, core::LotSource::kPaid, store, {}});
        ONECARD_TRY(core::AccountId float_account,
                    l.System(store, core::AccountRole::kFloat, spec.asset));
        plan.Post(float_account, spec.asset, -spec.amount);
        if (v.bonus > 0) {
          std::optional<core::Timestamp> expires = spec.expires_at;
          if (v.bonus_expires_on) {
            ONECARD_TRY(expires, EndOfLocalDay(req.tenant.timezone, *v.bonus_expires_on));
          }
          plan.Credit(*holder, v.bonus, core::LotSpec{expires, core::LotSource::kBonus, store, {}});
          ONECARD_TRY(core::AccountId bonus_account,
                      l.System(store, core::AccountRole::kTopUpBonus, spec.asset));
          plan.Post(bonus_account, spec.asset, -v.bonus);
        }
        ONECARD_TRY(
            v.entry,
            l.Write(l.Header(core::EntryKind::kTopUp, card, spec.doc_no, spec.reason), plan));
        for (const PostingLine& line : v.entry->lines) {
          if (line.card_number == card.owner.number && line.asset == spec.asset) {
            v.balance_after = line.balance_after;
          }
        }

        // A deposit that reaches a tier moves the member up, in the same transaction.
        if (governing && member.valid() && v.tier_after != v.tier_before) {
          storage::MemberStateRecord s = state.value_or(storage::MemberStateRecord{});
          s.member = member;
          s.tenant = req.tenant.id;
          const core::Programme& p = *governing->programme;
          if (p.TierRank(v.tier_after) >= p.TierRank(s.downgraded_from)) {
            s.downgraded_from.clear();
            s.spend_since_downgrade = 0;
          }
          s.tier = v.tier_after;
          s.tier_since = now;
          s.updated_at = now;
          ONECARD_CHECK(txn.PutMemberState(s));
          storage::TierChangeRecord change;
          change.tenant = req.tenant.id;
          change.member = member;
          change.from_tier = v.tier_before;
          change.to_tier = v.tier_after;
          change.cause = "deposit";
          change.reason = tier_reason;
          change.doc_no =
              spec.doc_no.empty() ? "entry " + std::to_string(v.entry->entry_id) : spec.doc_no;
          change.programme_version = governing->version;
          change.staff = req.actor.staff;
          change.at = now;
          ONECARD_CHECK(txn.InsertTierChange(change));
        }
        return v;
      }};
}

}  // namespace onecard::service
