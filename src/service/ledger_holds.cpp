// LedgerService: holds (two-phase payments) and their timeouts.
#include <limits>

#include "core/assert.hpp"
#include "service/ledger_service.hpp"
#include "service/ledger_txn.hpp"
#include "service/ledger_util.hpp"

namespace onecard::service {

using core::ErrorCode;
using core::MakeError;
using core::Result;
using core::Status;

Status PlanEscrowRelease(LedgerTxn& l, core::EntryPlan& plan, core::EntryId hold_entry,
                         std::optional<std::int64_t> capture, core::StoreId store) {
  ONECARD_TRY(std::vector<storage::LotMoveRecord> moves, l.txn().ListLotMoves(hold_entry));
  std::map<core::Asset, std::int64_t> taken;
  std::map<core::Asset, std::int64_t> captured;
  std::int64_t to_capture = capture.value_or(std::numeric_limits<std::int64_t>::max());
  const core::LotSpec restored{std::nullopt, core::LotSource::kRestored, store, {}};
  for (const storage::LotMoveRecord& m : moves) {
    ONECARD_ASSERT(m.delta < 0, "a hold entry only takes value");
    ONECARD_TRY(core::AccountPlanner * holder, l.HolderById(m.account));
    const std::int64_t moved = -m.delta;
    const std::int64_t take = std::min(moved, to_capture);
    to_capture -= take;
    taken[holder->asset()] += moved;
    captured[holder->asset()] += take;
    if (moved > take) plan.Restore(*holder, m.lot, moved - take, restored);
  }
  ONECARD_ASSERT(!capture || to_capture == 0, "capture beyond what the hold took");
  for (const auto& [asset, amount] : taken) {
    ONECARD_TRY(core::AccountId escrow, l.System({}, core::AccountRole::kHolds, asset));
    plan.Post(escrow, asset, -amount);
    if (captured[asset] > 0) {
      const core::AccountRole role =
          core::IsPoints(asset) ? core::AccountRole::kPointsRedeemed : core::AccountRole::kSales;
      ONECARD_TRY(core::AccountId dest, l.System(store, role, asset));
      plan.Post(dest, asset, captured[asset]);
    }
  }
  return {};
}

namespace {

// Closes an active hold in the current command: the first `capture` units of what the hold took
// (in the order it took them) go to the store, the rest back to the exact lots.
Result<HoldReceipt> CloseHold(LedgerTxn& l, storage::HoldRecord hold, std::int64_t capture,
                              storage::HoldStatus status, std::string_view reason) {
  ONECARD_TRY(ResolvedCard card, l.CardById(hold.card));
  core::EntryPlan plan;
  ONECARD_CHECK(PlanEscrowRelease(l, plan, hold.hold_entry, capture, hold.store));
  storage::EntryRecord header = l.Header(
      capture > 0 ? core::EntryKind::kCapture : core::EntryKind::kVoid, card, hold.doc_no, reason);
  header.hold = hold.id;
  ONECARD_TRY(EntryReceipt receipt, l.Write(header, plan));
  hold.status = status;
  hold.captured = capture;
  hold.close_entry = core::EntryId{receipt.entry_id};
  ONECARD_CHECK(l.txn().UpdateHold(hold));
  return HoldReceipt{hold.id.value,      card.presented.number,
                     hold.selection,     hold.amount,
                     hold.captured,      std::string(storage::HoldStatusName(hold.status)),
                     hold.created_at,    hold.expires_at,
                     std::move(receipt), false};
}

Result<storage::HoldRecord> ActiveHold(LedgerTxn& l, core::TenantId tenant, std::int64_t id) {
  ONECARD_TRY(std::optional<storage::HoldRecord> hold, l.txn().GetHold(tenant, core::HoldId{id}));
  if (!hold) {
    return MakeError(ErrorCode::kHoldNotFound, "no hold " + std::to_string(id) + " in this tenant",
                     "hold");
  }
  if (hold->status != storage::HoldStatus::kActive) {
    return MakeError(ErrorCode::kHoldNotActive,
                     "hold " + std::to_string(id) + " is already " +
                         std::string(storage::HoldStatusName(hold->status)),
                     "hold");
  }
  return *hold;
}

}  // namespace

Result<LedgerService::Prepared<HoldReceipt>> LedgerService::PrepareHold(const Request& req,
                                                                        const HoldRequest& r) {
  ONECARD_CHECK(ValidateAmount(r.amount, "amount"));
  ONECARD_CHECK(ValidateNotes(r.doc_no, ""));
  if (r.timeout_seconds < 1 || r.timeout_seconds > kHoldTimeoutMaxSeconds) {
    return MakeError(ErrorCode::kInvalidArgument, "a hold times out after 1 second to 7 days",
                     "timeout");
  }
  if (r.selection == core::AssetSelection::kGiftValue) {
    ONECARD_CHECK(RequireLoadableAsset(core::Asset::kGiftValue));
  }
  Canonical c = CanonicalOf(req, "hold");
  c.Add("card", r.card).Add("selection", core::AssetSelectionName(r.selection));
  c.Add("amount", r.amount).Add("timeout", r.timeout_seconds).Add("doc", r.doc_no);
  return Prepared<HoldReceipt>{
      c.digest(), [req, r](LedgerTxn& l) -> Result<HoldReceipt> {
        ONECARD_TRY(ResolvedCard card, l.Card(r.card, CardUse::kMoveValue));
        ONECARD_TRY(std::vector<core::AccountPlanner*> holders, l.Holders(card.owner, r.selection));
        core::EntryPlan plan;
        if (holders.empty() || plan.Debit(holders, r.amount) > 0) {
          return Insufficient(r.card, core::AssetSelectionName(r.selection), AvailableOf(holders),
                              r.amount, core::UnitOf(r.selection));
        }
        ONECARD_CHECK(l.PostCounterparts(plan, core::AccountRole::kHolds, {}));
        ONECARD_TRY(EntryReceipt receipt,
                    l.Write(l.Header(core::EntryKind::kHold, card, r.doc_no, ""), plan));
        storage::HoldRecord hold;
        hold.tenant = req.tenant.id;
        hold.card = card.presented.id;
        hold.member = card.presented.member.valid() ? card.presented.member : card.owner.member;
        hold.selection = r.selection;
        hold.amount = r.amount;
        hold.status = storage::HoldStatus::kActive;
        hold.created_at = l.now();
        hold.expires_at = l.now().PlusSeconds(r.timeout_seconds);
        hold.hold_entry = core::EntryId{receipt.entry_id};
        hold.store = req.actor.store;
        hold.staff = req.actor.staff;
        hold.doc_no = r.doc_no;
        ONECARD_TRY(hold.id, l.txn().InsertHold(hold));
        return HoldReceipt{
            hold.id.value, card.presented.number, hold.selection,  hold.amount,        0,
            "active",      hold.created_at,       hold.expires_at, std::move(receipt), false};
      }};
}

Result<LedgerService::Prepared<HoldReceipt>> LedgerService::PrepareCapture(
    const Request& req, const CaptureRequest& r) {
  if (r.amount) ONECARD_CHECK(ValidateAmount(*r.amount, "amount"));
  Canonical c = CanonicalOf(req, "capture");
  c.Add("hold", r.hold_id).Add("amount", r.amount ? std::to_string(*r.amount) : "all");
  return Prepared<HoldReceipt>{
      c.digest(), [req, r](LedgerTxn& l) -> Result<HoldReceipt> {
        ONECARD_TRY(storage::HoldRecord hold, ActiveHold(l, req.tenant.id, r.hold_id));
        if (l.now() >= hold.expires_at) {
          return MakeError(ErrorCode::kHoldExpired,
                           "hold " + std::to_string(r.hold_id) + " timed out at " +
                               hold.expires_at.ToIsoUtc() + "; take a new hold",
                           "hold");
        }
        const std::int64_t amount = r.amount.value_or(hold.amount);
        if (amount > hold.amount) {
          return MakeError(ErrorCode::kCaptureExceedsHold,
                           "hold " + std::to_string(r.hold_id) + " is for " +
                               std::to_string(hold.amount) + "; cannot capture " +
                               std::to_string(amount),
                           "amount");
        }
        return CloseHold(l, hold, amount, storage::HoldStatus::kCaptured, "");
      }};
}

Result<LedgerService::Prepared<HoldReceipt>> LedgerService::PrepareVoid(const Request& req,
                                                                        const VoidRequest& r) {
  ONECARD_CHECK(ValidateNotes("", r.reason));
  Canonical c = CanonicalOf(req, "void");
  c.Add("hold", r.hold_id).Add("reason", r.reason);
  return Prepared<HoldReceipt>{
      c.digest(), [req, r](LedgerTxn& l) -> Result<HoldReceipt> {
        ONECARD_TRY(storage::HoldRecord hold, ActiveHold(l, req.tenant.id, r.hold_id));
        return CloseHold(l, hold, 0, storage::HoldStatus::kVoided, r.reason);
      }};
}

Result<std::int64_t> LedgerService::ReleaseDueHolds() {
  std::int64_t released = 0;
  while (true) {
    std::vector<storage::HoldRecord> due;
    std::map<core::TenantId, TenantRef> tenants;
    {
      ONECARD_TRY(std::unique_ptr<storage::ReadTxn> read, store_.BeginRead());
      ONECARD_TRY(due, read->ListDueHolds(clock_.Now(), 200));
      for (const storage::HoldRecord& h : due) {
        if (tenants.count(h.tenant)) continue;
        ONECARD_TRY(std::optional<storage::TenantRecord> t, read->GetTenant(h.tenant));
        ONECARD_ASSERT(t.has_value(), "hold of a missing tenant");
        tenants[h.tenant] = TenantRef{t->id, t->code, t->timezone};
      }
    }
    if (due.empty()) return released;
    std::int64_t round = 0;
    for (const storage::HoldRecord& h : due) {
      Request req{tenants[h.tenant], Actor{}, "", ""};
      req.actor.kind = "system";
      Result<bool> done = writer_.Call<bool>(
          h.tenant, "", "",
          [&](storage::WriteTxn& txn) -> Result<bool> {
            LedgerTxn l(txn, req, clock_.Now(), accounts_.get());
            ONECARD_TRY(std::optional<storage::HoldRecord> hold, txn.GetHold(h.tenant, h.id));
            // Captured or voided since it was listed: nothing to do.
            if (!hold || hold->status != storage::HoldStatus::kActive ||
                hold->expires_at > l.now()) {
              return false;
            }
            ONECARD_CHECK(CloseHold(l, *hold, 0, storage::HoldStatus::kExpired, "hold timed out"));
            return true;
          },
          AuditOf(req, "hold.release", "hold", std::to_string(h.id.value)));
      if (!done) return done.error();
      if (*done) ++round;
    }
    released += round;
    if (round == 0) return released;
  }
}

}  // namespace onecard::service
