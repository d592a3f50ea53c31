// LedgerService: earn, spend, adjust, top-up, pay, reverse and credit limits.
#include "service/ledger_service.hpp"

#include "core/card.hpp"
#include "core/member.hpp"
#include "service/digest.hpp"
#include "service/ledger_txn.hpp"
#include "service/ledger_util.hpp"

namespace onecard::service {

using core::Asset;
using core::ErrorCode;
using core::MakeError;
using core::Result;
using core::Status;

LedgerService::LedgerService(storage::Store& store, const Clock& clock, Writer& writer)
    : store_(store),
      clock_(clock),
      writer_(writer),
      accounts_(std::make_unique<SystemAccountCache>(writer)) {}

LedgerService::~LedgerService() = default;

template <class T>
void LedgerService::Submit(const Request& req, Result<Prepared<T>> prepared, Callback<T> done,
                           std::shared_ptr<storage::AuditRecord> audit) {
  if (!prepared) return done(std::move(prepared).error());
  if (Status key = ValidateIdempotencyKey(req.idempotency_key); !key) {
    return done(std::move(key).error());
  }
  // The command outlives this call: it keeps its own copy of the request.
  auto shared = std::make_shared<const Request>(req);
  std::shared_ptr<storage::AuditRecord> summary_to = audit;  // not moved-from, whatever the order
  writer_.CallAsync<T>(
      req.tenant.id, req.idempotency_key, std::move(prepared->digest),
      [this, shared, summary_to,
       run = std::move(prepared->run)](storage::WriteTxn& txn) -> Result<T> {
        LedgerTxn l(txn, *shared, clock_.Now(), accounts_.get());
        Result<T> result = run(l);
        // The journal holds the entry itself (lines, balances after, lots): the audit row
        // points at it rather than copying the receipt, which would double what an earn writes.
        if (result && summary_to) summary_to->after = AuditSummary(*result);
        return result;
      },
      std::move(done), std::move(audit));
}

// Each use case is audited as `action` on the object `object` (an expression of `r`).
#define ONECARD_LEDGER_USE_CASE(Name, RequestType, Reply, action, kind, object)               \
  void LedgerService::Name##Async(const Request& req, const RequestType& r,                   \
                                  Callback<Reply> done) {                                     \
    Submit<Reply>(req, Prepare##Name(req, r), std::move(done),                                \
                  AuditOf(req, action, kind, object));                                        \
  }                                                                                           \
  Result<Reply> LedgerService::Name(const Request& req, const RequestType& r) {               \
    return Await<Reply>([&](Callback<Reply> done) { Name##Async(req, r, std::move(done)); }); \
  }

ONECARD_LEDGER_USE_CASE(Earn, EarnRequest, EntryReceipt, "points.earn", "card", r.card)
ONECARD_LEDGER_USE_CASE(Spend, SpendRequest, EntryReceipt, "points.spend", "card", r.card)
ONECARD_LEDGER_USE_CASE(Adjust, AdjustRequest, EntryReceipt, "points.adjust", "card", r.card)
ONECARD_LEDGER_USE_CASE(TopUp, TopUpRequest, EntryReceipt, "value.top_up", "card", r.card)
ONECARD_LEDGER_USE_CASE(Pay, PayRequest, EntryReceipt, "value.pay", "card", r.card)
ONECARD_LEDGER_USE_CASE(Reverse, ReverseRequest, EntryReceipt, "entry.reverse", "entry",
                        std::to_string(r.entry_id))
ONECARD_LEDGER_USE_CASE(Hold, HoldRequest, HoldReceipt, "hold.create", "card", r.card)
ONECARD_LEDGER_USE_CASE(Capture, CaptureRequest, HoldReceipt, "hold.capture", "hold",
                        std::to_string(r.hold_id))
ONECARD_LEDGER_USE_CASE(Void, VoidRequest, HoldReceipt, "hold.void", "hold",
                        std::to_string(r.hold_id))
#undef ONECARD_LEDGER_USE_CASE

Result<LedgerService::Prepared<EntryReceipt>> LedgerService::PrepareEarn(const Request& req,
                                                                         const EarnRequest& r) {
  if (!core::IsPoints(r.asset)) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "earning grants points; load money or uses with a top-up", "asset");
  }
  ONECARD_CHECK(ValidateAmount(r.amount, "amount"));
  ONECARD_CHECK(ValidateNotes(r.doc_no, r.reason));
  Canonical c = CanonicalOf(req, "earn");
  c.Add("card", r.card).Add("asset", core::AssetName(r.asset)).Add("amount", r.amount);
  AddExpiry(c, r.expires_at);
  c.Add("doc", r.doc_no).Add("reason", r.reason);
  return Prepared<EntryReceipt>{
      c.digest(), [req, r](LedgerTxn& l) -> Result<EntryReceipt> {
        ONECARD_CHECK(CheckExpiryAhead(r.expires_at, l.now()));
        ONECARD_TRY(auto found, l.CardAndHolder(r.card, r.asset));
        auto& [card, holder] = found;
        core::EntryPlan plan;
        plan.Credit(*holder, r.amount,
                    core::LotSpec{r.expires_at, core::LotSource::kEarned, req.actor.store, {}});
        ONECARD_CHECK(l.PostCounterparts(plan, core::AccountRole::kPointsIssued, req.actor.store));
        return l.Write(l.Header(core::EntryKind::kEarn, card, r.doc_no, r.reason), plan);
      }};
}

Result<LedgerService::Prepared<EntryReceipt>> LedgerService::PrepareSpend(const Request& req,
                                                                          const SpendRequest& r) {
  if (core::UnitOf(r.selection) != core::Unit::kPoint) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "spending draws on points; pay with stored value or uses", "kind");
  }
  ONECARD_CHECK(ValidateAmount(r.amount, "amount"));
  ONECARD_CHECK(ValidateNotes(r.doc_no, r.reason));
  Canonical c = CanonicalOf(req, "spend");
  c.Add("card", r.card).Add("selection", core::AssetSelectionName(r.selection));
  c.Add("amount", r.amount).Add("doc", r.doc_no).Add("reason", r.reason);
  return Prepared<EntryReceipt>{
      c.digest(), [req, r](LedgerTxn& l) -> Result<EntryReceipt> {
        ONECARD_TRY(ResolvedCard card, l.Card(r.card, CardUse::kMoveValue));
        ONECARD_TRY(std::vector<core::AccountPlanner*> holders, l.Holders(card.owner, r.selection));
        core::EntryPlan plan;
        if (holders.empty() || plan.Debit(holders, r.amount) > 0) {
          return Insufficient(r.card, "points", AvailableOf(holders), r.amount, core::Unit::kPoint);
        }
        ONECARD_CHECK(
            l.PostCounterparts(plan, core::AccountRole::kPointsRedeemed, req.actor.store));
        return l.Write(l.Header(core::EntryKind::kSpend, card, r.doc_no, r.reason), plan);
      }};
}

Result<LedgerService::Prepared<EntryReceipt>> LedgerService::PrepareAdjust(const Request& req,
                                                                           const AdjustRequest& r) {
  if (r.amount == 0) {
    return MakeError(ErrorCode::kAmountNotPositive, "an adjustment cannot be zero", "amount");
  }
  ONECARD_CHECK(ValidateAmount(r.amount < 0 ? -r.amount : r.amount, "amount"));
  ONECARD_CHECK(ValidateNotes(r.doc_no, r.reason));
  if (r.reason.empty()) {
    return MakeError(ErrorCode::kFieldInvalid, "an adjustment needs a reason", "reason");
  }
  if (r.expires_at && r.amount < 0) {
    return MakeError(ErrorCode::kInvalidArgument, "only an addition has an expiry", "expires");
  }
  Canonical c = CanonicalOf(req, "adjust");
  c.Add("card", r.card).Add("asset", core::AssetName(r.asset)).Add("amount", r.amount);
  AddExpiry(c, r.expires_at);
  c.Add("doc", r.doc_no).Add("reason", r.reason);
  return Prepared<EntryReceipt>{
      c.digest(), [req, r](LedgerTxn& l) -> Result<EntryReceipt> {
        ONECARD_CHECK(CheckExpiryAhead(r.expires_at, l.now()));
        ONECARD_TRY(ResolvedCard card, l.Card(r.card, CardUse::kMoveValue));
        core::EntryPlan plan;
        if (r.amount > 0) {
          ONECARD_TRY(core::AccountPlanner * holder, l.Holder(card.owner, r.asset));
          plan.Credit(*holder, r.amount,
                      core::LotSpec{r.expires_at, core::LotSource::kAdjusted, req.actor.store, {}});
        } else {
          ONECARD_TRY(std::vector<core::AccountPlanner*> holders,
                      l.Holders(card.owner, core::SelectionOf(r.asset)));
          if (holders.empty() || plan.Debit(holders, -r.amount) > 0) {
            return Insufficient(r.card, core::AssetName(r.asset), AvailableOf(holders), -r.amount,
                                core::UnitOf(r.asset));
          }
        }
        ONECARD_CHECK(l.PostCounterparts(plan, core::AccountRole::kAdjustments, req.actor.store));
        return l.Write(l.Header(core::EntryKind::kAdjustment, card, r.doc_no, r.reason), plan);
      }};
}

Result<LedgerService::Prepared<EntryReceipt>> LedgerService::PrepareTopUp(const Request& req,
                                                                          const TopUpRequest& r) {
  ONECARD_CHECK(RequireLoadableAsset(r.asset));
  ONECARD_CHECK(ValidateAmount(r.amount, "amount"));
  if (r.bonus < 0 || r.bonus > core::kAmountMax) {
    return MakeError(ErrorCode::kAmountNotPositive, "a bonus is zero or more", "bonus");
  }
  ONECARD_CHECK(ValidateNotes(r.doc_no, r.reason));
  Canonical c = CanonicalOf(req, "top_up");
  c.Add("card", r.card).Add("asset", core::AssetName(r.asset)).Add("amount", r.amount);
  c.Add("bonus", r.bonus);
  AddExpiry(c, r.expires_at);
  c.Add("doc", r.doc_no).Add("reason", r.reason);
  return Prepared<EntryReceipt>{
      c.digest(), [req, r](LedgerTxn& l) -> Result<EntryReceipt> {
        ONECARD_CHECK(CheckExpiryAhead(r.expires_at, l.now()));
        ONECARD_TRY(auto found, l.CardAndHolder(r.card, r.asset));
        auto& [card, holder] = found;
        core::EntryPlan plan;
        plan.Credit(*holder, r.amount,
                    core::LotSpec{r.expires_at, core::LotSource::kPaid, req.actor.store, {}});
        ONECARD_TRY(core::AccountId float_account,
                    l.System(req.actor.store, core::AccountRole::kFloat, r.asset));
        plan.Post(float_account, r.asset, -r.amount);
        if (r.bonus > 0) {
          plan.Credit(*holder, r.bonus,
                      core::LotSpec{r.expires_at, core::LotSource::kBonus, req.actor.store, {}});
          ONECARD_TRY(core::AccountId bonus_account,
                      l.System(req.actor.store, core::AccountRole::kTopUpBonus, r.asset));
          plan.Post(bonus_account, r.asset, -r.bonus);
        }
        return l.Write(l.Header(core::EntryKind::kTopUp, card, r.doc_no, r.reason), plan);
      }};
}

Result<LedgerService::Prepared<EntryReceipt>> LedgerService::PreparePay(const Request& req,
                                                                        const PayRequest& r) {
  ONECARD_CHECK(RequireLoadableAsset(r.asset));
  ONECARD_CHECK(ValidateAmount(r.amount, "amount"));
  ONECARD_CHECK(ValidateNotes(r.doc_no, r.reason));
  Canonical c = CanonicalOf(req, "pay");
  c.Add("card", r.card).Add("asset", core::AssetName(r.asset)).Add("amount", r.amount);
  c.Add("doc", r.doc_no).Add("reason", r.reason);
  return Prepared<EntryReceipt>{
      c.digest(), [req, r](LedgerTxn& l) -> Result<EntryReceipt> {
        ONECARD_TRY(ResolvedCard card, l.Card(r.card, CardUse::kMoveValue));
        ONECARD_TRY(std::vector<core::AccountPlanner*> holders,
                    l.Holders(card.owner, core::SelectionOf(r.asset)));
        core::EntryPlan plan;
        if (holders.empty() || plan.Debit(holders, r.amount) > 0) {
          return Insufficient(r.card, core::AssetName(r.asset), AvailableOf(holders), r.amount,
                              core::UnitOf(r.asset));
        }
        ONECARD_CHECK(l.PostCounterparts(plan, core::AccountRole::kSales, req.actor.store));
        return l.Write(l.Header(core::EntryKind::kPayment, card, r.doc_no, r.reason), plan);
      }};
}

Result<LedgerService::Prepared<EntryReceipt>> LedgerService::PrepareReverse(
    const Request& req, const ReverseRequest& r) {
  if (r.entry_id <= 0) {
    return MakeError(ErrorCode::kInvalidArgument, "name the entry to reverse by its id", "entry");
  }
  ONECARD_CHECK(ValidateNotes("", r.reason));
  if (r.reason.empty()) {
    return MakeError(ErrorCode::kFieldInvalid, "a reversal needs a reason", "reason");
  }
  Canonical c = CanonicalOf(req, "reverse");
  c.Add("entry", r.entry_id).Add("reason", r.reason);
  return Prepared<EntryReceipt>{
      c.digest(), [req, r](LedgerTxn& l) -> Result<EntryReceipt> {
        const core::EntryId id{r.entry_id};
        ONECARD_TRY(std::optional<storage::EntryRecord> entry, l.txn().GetEntry(req.tenant.id, id));
        if (!entry) {
          return MakeError(ErrorCode::kEntryNotFound,
                           "no journal entry " + std::to_string(r.entry_id) + " in this tenant",
                           "entry");
        }
        switch (entry->kind) {
          case core::EntryKind::kEarn:
          case core::EntryKind::kSpend:
          case core::EntryKind::kTopUp:
          case core::EntryKind::kPayment:
          case core::EntryKind::kAdjustment:
            break;
          default:
            return MakeError(ErrorCode::kEntryNotReversible,
                             "a " + std::string(core::EntryKindName(entry->kind)) +
                                 " entry cannot be reversed (holds are voided; expired points are "
                                 "given back by an adjustment)",
                             "entry");
        }
        ONECARD_TRY(std::optional<core::EntryId> earlier, l.txn().FindReversal(id));
        if (earlier) {
          return MakeError(ErrorCode::kEntryAlreadyReversed,
                           "entry " + std::to_string(r.entry_id) +
                               " was already reversed by entry " + std::to_string(earlier->value),
                           "entry");
        }
        ONECARD_TRY(std::vector<storage::PostingRecord> postings, l.txn().ListPostings(id));
        ONECARD_TRY(std::vector<storage::LotMoveRecord> moves, l.txn().ListLotMoves(id));
        ONECARD_TRY(std::vector<storage::LotRecord> created, l.txn().ListLotsCreatedBy(id));
        core::EntryPlan plan;
        for (const storage::PostingRecord& p : postings) {
          if (p.balance_after) {
            ONECARD_TRY(ResolvedCard holder_card, l.CardOfAccount(p.account));
            ONECARD_CHECK(
                core::CheckCardUsable(holder_card.owner.status, holder_card.owner.number));
          } else {
            plan.Post(p.account, p.asset, -p.amount);
          }
        }
        const core::LotSpec restored{std::nullopt, core::LotSource::kRestored, req.actor.store, {}};
        // The lots the entry created are taken back like positive moves into them.
        for (const storage::LotRecord& lot : created) {
          moves.push_back(storage::LotMoveRecord{id, lot.account, lot.id, lot.amount});
        }
        for (const storage::LotMoveRecord& m : moves) {
          ONECARD_TRY(core::AccountPlanner * holder, l.HolderById(m.account));
          if (m.delta < 0) {
            plan.Restore(*holder, m.lot, -m.delta, restored);
          } else if (const std::int64_t shortfall = plan.TakeBack(*holder, m.lot, m.delta);
                     shortfall > 0) {
            return MakeError(ErrorCode::kInsufficientBalance,
                             "what entry " + std::to_string(r.entry_id) +
                                 " added has been used since; " +
                                 FormatAmount(holder->asset(), shortfall) + " " +
                                 std::string(core::AssetName(holder->asset())) +
                                 " more would be needed to reverse it",
                             "entry");
          }
        }
        ONECARD_TRY(ResolvedCard card, l.CardById(entry->card));
        storage::EntryRecord header =
            l.Header(core::EntryKind::kReversal, card, entry->doc_no, r.reason);
        header.reverses = id;
        header.member = entry->member;
        return l.Write(header, plan);
      }};
}

Result<AssetBalance> LedgerService::SetCreditLimit(const Request& req,
                                                   const CreditLimitRequest& r) {
  if (r.limit < 0 || r.limit > core::kAmountMax) {
    return MakeError(ErrorCode::kInvalidArgument, "a credit limit is zero or more", "limit");
  }
  if (r.asset == core::Asset::kGiftValue) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "a gift card never goes below zero: it has no credit limit", "asset");
  }
  ONECARD_CHECK(ValidateNotes("", r.reason));
  Canonical c = CanonicalOf(req, "credit_limit");
  c.Add("card", r.card).Add("asset", core::AssetName(r.asset)).Add("limit", r.limit);
  c.Add("reason", r.reason);
  if (!req.idempotency_key.empty()) ONECARD_CHECK(ValidateIdempotencyKey(req.idempotency_key));
  return writer_.Call<AssetBalance>(
      req.tenant.id, req.idempotency_key, c.digest(),
      [&](storage::WriteTxn& txn) -> Result<AssetBalance> {
        LedgerTxn l(txn, req, clock_.Now());
        ONECARD_TRY(ResolvedCard card, l.Card(r.card, CardUse::kSystem));
        ONECARD_CHECK(
            core::ApplyCardOp(card.owner.status, core::CardOp::kSetCreditLimit, card.owner.number));
        ONECARD_TRY(core::AccountPlanner * holder, l.Holder(card.owner, r.asset));
        const std::int64_t before = holder->credit_limit();
        ONECARD_CHECK(txn.SetCreditLimit(holder->id(), r.limit));
        ONECARD_CHECK(txn.InsertCardEvent(storage::CardEventRecord{
            0, req.tenant.id, card.owner.id, card.owner.member, core::CardOp::kSetCreditLimit,
            req.actor.staff, req.actor.store, r.reason,
            std::string(core::AssetName(r.asset)) + " credit limit " +
                FormatAmount(r.asset, before) + " -> " + FormatAmount(r.asset, r.limit),
            0, l.now()}));
        ONECARD_TRY(std::optional<storage::AccountRecord> account,
                    txn.GetAccount(req.tenant.id, holder->id()));
        ONECARD_TRY(core::AccountSnapshot snap, LoadSnapshot(txn, *account));
        return BalanceOf(core::AccountPlanner(std::move(snap), l.now()), 0);
      },
      AuditOf(req, "card.set_credit_limit", "card", r.card));
}

}  // namespace onecard::service
