// CheckoutService: two-phase settle (issue #5 item 4) — the capture, the void and the expiry of
// a held sale. The hold itself is a settle whose tenders go into escrow (checkout_service.cpp).
#include <limits>
#include <map>
#include <set>

#include "core/assert.hpp"
#include "service/calendar.hpp"
#include "service/checkout_internal.hpp"
#include "service/checkout_service.hpp"
#include "service/coupon_service.hpp"
#include "service/ledger_txn.hpp"
#include "service/ledger_util.hpp"
#include "service/pass_service.hpp"

namespace onecard::service {

using core::ErrorCode;
using core::MakeError;
using core::Result;
using core::Status;

namespace {

// The sale `id`, which must be held.
Result<storage::SaleRecord> HeldSale(storage::ReadTxn& txn, core::TenantId tenant,
                                     std::int64_t id) {
  ONECARD_TRY(std::optional<storage::SaleRecord> sale, txn.GetSale(tenant, id));
  if (!sale) return MakeError(ErrorCode::kSaleNotFound, "no sale " + std::to_string(id), "sale");
  if (sale->status != storage::SaleStatus::kHeld) {
    return MakeError(ErrorCode::kHoldNotActive,
                     "sale " + std::to_string(id) + " is " +
                         std::string(storage::SaleStatusName(sale->status)) + ", not held",
                     "sale");
  }
  return *sale;
}

// The card the sale's closing entry is written for: the member's, or (a walk-in) the first gift
// card tendered; none when the sale moved nothing on any card.
Result<std::optional<ResolvedCard>> EntryCardOf(LedgerTxn& l, const storage::SaleRecord& sale) {
  core::CardId id = sale.card;
  for (const storage::SaleTenderRecord& t : sale.tenders) {
    if (!id.valid() && t.card.valid()) id = t.card;
  }
  if (!id.valid()) return std::optional<ResolvedCard>{};
  ONECARD_TRY(ResolvedCard card, l.CardById(id));
  return std::optional<ResolvedCard>{std::move(card)};
}

// The member's points and stored value after, for the receipt.
Status FillBalances(storage::ReadTxn& txn, core::TenantId tenant, core::CardId owner, SaleView& v) {
  ONECARD_TRY(std::vector<storage::AccountRecord> accounts, txn.ListAccountsOfCard(tenant, owner));
  std::int64_t points = 0;
  for (const storage::AccountRecord& a : accounts) {
    if (a.key.role != core::AccountRole::kHolder) continue;
    if (core::IsPoints(a.key.asset)) points += a.balance;
    if (a.key.asset == core::Asset::kStoredValue) v.stored_value_balance = a.balance;
  }
  v.points_balance = points;
  return {};
}

// A held sale that is not captured gives back what it reserved outside the ledger: its coupon
// uses, and its visits on passes (off the day's count).
Status ReleaseReservations(storage::WriteTxn& txn, const storage::SaleRecord& sale,
                           core::Timestamp now) {
  ONECARD_CHECK(VoidCoupons(txn, sale.tenant, sale.id));
  for (const storage::SaleLineRecord& line : sale.lines) {
    if (!line.pass_card.valid()) continue;
    ONECARD_CHECK(RecordPassUse(txn, sale.tenant, line.pass_card, sale.member, sale.id,
                                line.line_no, 0, -line.quantity, sale.business_date, now));
  }
  return {};
}

// A capture moves the member on as the sale was priced at the hold: its spend, its points, the
// remainder it carried on by (so a sale settled in between loses or doubles no fen), and the
// tier it reached — unless the member is already at or above it.
Status MoveMemberOnCapture(storage::WriteTxn& txn, const Request& rq, const core::Programme& p,
                           const storage::SaleRecord& sale, core::Timestamp now) {
  ONECARD_TRY(std::optional<storage::MemberStateRecord> stored,
              txn.GetMemberState(rq.tenant.id, sale.member));
  storage::MemberStateRecord state = stored.value_or(storage::MemberStateRecord{});
  state.member = sale.member;
  state.tenant = rq.tenant.id;
  const std::string current = state.tier.empty() ? p.tiers.front().code : state.tier;
  const bool raises =
      sale.tier_after != sale.tier_before && p.TierRank(sale.tier_after) > p.TierRank(current);
  const SaleEffect effect{sale.paid_total,
                          sale.points_earned,
                          state.carried_fen + sale.carried_after - sale.carried_before,
                          current,
                          raises ? sale.tier_after : current,
                          sale.tier_reason,
                          state.downgraded_from};
  return MoveMemberOn(txn, rq, p, sale.programme_version.value_or(0), state, effect, sale.doc_no,
                      sale.id, now);
}

}  // namespace

Result<SaleView> CheckoutService::Capture(const Request& req, const CaptureSaleSpec& spec) {
  return Await<SaleView>(
      [&](Callback<SaleView> done) { CaptureAsync(req, spec, std::move(done)); });
}

void CheckoutService::CaptureAsync(const Request& req, const CaptureSaleSpec& spec,
                                   Callback<SaleView> done) {
  Result<Prepared> prepared = PrepareClose(req, spec.sale, Close::kCapture, spec.references, "");
  if (!prepared) return done(std::move(prepared).error());
  auto audit = AuditOf(req, "sale.capture", "sale", std::to_string(spec.sale));
  writer_.CallAsync<SaleView>(req.tenant.id, req.idempotency_key, std::move(prepared->digest),
                              AuditedBySale(std::move(prepared->run), audit), std::move(done),
                              audit);
}

Result<SaleView> CheckoutService::Void(const Request& req, std::int64_t sale,
                                       const std::string& reason) {
  return Await<SaleView>(
      [&](Callback<SaleView> done) { VoidAsync(req, sale, reason, std::move(done)); });
}

void CheckoutService::VoidAsync(const Request& req, std::int64_t sale, const std::string& reason,
                                Callback<SaleView> done) {
  Result<Prepared> prepared = PrepareClose(req, sale, Close::kVoid, {}, reason);
  if (!prepared) return done(std::move(prepared).error());
  auto audit = AuditOf(req, "sale.void", "sale", std::to_string(sale));
  writer_.CallAsync<SaleView>(req.tenant.id, req.idempotency_key, std::move(prepared->digest),
                              AuditedBySale(std::move(prepared->run), audit), std::move(done),
                              audit);
}

Result<CheckoutService::Prepared> CheckoutService::PrepareClose(
    const Request& req, std::int64_t id, Close how,
    std::vector<std::pair<int, std::string>> references, std::string reason) {
  if (how != Close::kExpire) ONECARD_CHECK(ValidateIdempotencyKey(req.idempotency_key));
  if (how == Close::kVoid && reason.empty()) {
    return MakeError(ErrorCode::kFieldInvalid, "reason is required: why the sale is voided",
                     "reason");
  }
  ONECARD_CHECK(ValidateNotes("", reason));
  std::set<int> named;
  for (std::size_t i = 0; i < references.size(); ++i) {
    const std::string at = "references[" + std::to_string(i) + "]";
    if (references[i].first < 1 || !named.insert(references[i].first).second) {
      return MakeError(ErrorCode::kFieldInvalid,
                       at + ".tender names a tender of the sale by its place from 1, once",
                       at + ".tender");
    }
    if (references[i].second.size() > 64) {
      return MakeError(ErrorCode::kFieldInvalid, at + ".reference is at most 64 bytes",
                       at + ".reference");
    }
  }
  // A capture moves the member's tier by the programme version that priced the sale.
  std::optional<ProgrammeService::InForce> programme;
  if (how == Close::kCapture) {
    std::optional<storage::SaleRecord> sale;
    {
      ONECARD_TRY(std::unique_ptr<storage::ReadTxn> read, store_.BeginRead());
      ONECARD_TRY(sale, read->GetSale(req.tenant.id, id));
    }
    if (!sale) return MakeError(ErrorCode::kSaleNotFound, "no sale " + std::to_string(id), "sale");
    if (sale->member.valid() && sale->programme_version) {
      ONECARD_TRY(programme, programmes_.Version(req.tenant, *sale->programme_version));
    }
  }
  Canonical c = CanonicalOf(req, how == Close::kCapture ? "sale-capture" : "sale-void");
  c.Add("sale", id).Add("reason", reason);
  for (const auto& [tender, reference] : references) c.Add("tender", tender).Add("ref", reference);
  auto shared = std::make_shared<const Request>(req);
  return Prepared{
      c.digest(),
      [this, shared, id, how, references = std::move(references), reason = std::move(reason),
       programme](storage::WriteTxn& txn) -> Result<SaleView> {
        const Request& rq = *shared;
        const core::Timestamp now = clock_.Now();
        ONECARD_TRY(storage::SaleRecord sale, HeldSale(txn, rq.tenant.id, id));
        ONECARD_ASSERT(sale.hold_expires_at.has_value(), "a held sale without its timeout");
        const bool ran_out = now >= *sale.hold_expires_at;
        if (how == Close::kCapture && ran_out) {
          return MakeError(ErrorCode::kHoldExpired,
                           "the hold of sale " + std::to_string(id) + " ran out at " +
                               sale.hold_expires_at->ToIsoUtc() + "; settle the sale again",
                           "sale");
        }
        if (how == Close::kExpire && !ran_out) {
          return MakeError(ErrorCode::kHoldNotActive,
                           "the hold of sale " + std::to_string(id) + " has not run out", "sale");
        }
        for (std::size_t i = 0; i < references.size(); ++i) {
          const auto& [tender, reference] = references[i];
          const auto seq = static_cast<std::size_t>(tender);
          if (seq > sale.tenders.size() || !IsExternal(sale.tenders[seq - 1].method)) {
            const std::string at = "references[" + std::to_string(i) + "].tender";
            return MakeError(ErrorCode::kFieldInvalid,
                             at + ": sale " + std::to_string(id) + " has no external tender " +
                                 std::to_string(tender) + " (cash, bank card, wallet…)",
                             at);
          }
          sale.tenders[seq - 1].reference = reference;
        }

        const bool capture = how == Close::kCapture;
        LedgerTxn l(txn, rq, now, accounts_.get());
        core::EntryPlan plan;
        // Escrow to the store (a capture), or back to the very lots (a void).
        if (sale.hold_entry.valid()) {
          ONECARD_CHECK(PlanEscrowRelease(l, plan, sale.hold_entry,
                                          capture ? std::nullopt : std::optional<std::int64_t>(0),
                                          sale.store));
        }
        ONECARD_TRY(std::optional<ResolvedCard> card, EntryCardOf(l, sale));
        if (capture && sale.points_earned > 0) {
          ONECARD_ASSERT(card.has_value(), "points earned on a sale without a card");
          ONECARD_TRY(core::Asset asset, core::ParseAsset(sale.point_asset, "point_asset"));
          ONECARD_TRY(core::AccountPlanner * holder, l.Holder(card->owner, asset));
          std::optional<core::Timestamp> expires;
          if (sale.points_expire_on) {
            ONECARD_TRY(expires, EndOfLocalDay(rq.tenant.timezone, *sale.points_expire_on));
          }
          const std::size_t mark = plan.moves().size();
          plan.Credit(*holder, sale.points_earned,
                      core::LotSpec{expires, core::LotSource::kEarned, sale.store, {}});
          ONECARD_CHECK(
              l.PostCounterpartsSince(plan, mark, core::AccountRole::kPointsIssued, sale.store));
        }
        sale.entry = {};
        if (!plan.postings().empty()) {
          ONECARD_ASSERT(card.has_value(), "a held sale moved value on no card");
          const std::string why = capture ? "sale" : reason;
          ONECARD_TRY(EntryReceipt receipt,
                      l.Write(l.Header(capture ? core::EntryKind::kSale : core::EntryKind::kVoid,
                                       *card, sale.doc_no, why),
                              plan));
          sale.entry = core::EntryId{receipt.entry_id};
        }
        if (capture && sale.member.valid() && programme) {
          ONECARD_CHECK(MoveMemberOnCapture(txn, rq, *programme->programme, sale, now));
        }
        if (!capture) ONECARD_CHECK(ReleaseReservations(txn, sale, now));
        sale.status = capture               ? storage::SaleStatus::kSettled
                      : how == Close::kVoid ? storage::SaleStatus::kVoided
                                            : storage::SaleStatus::kExpired;
        sale.closed_at = now;
        sale.close_reason = reason;
        ONECARD_CHECK(txn.CloseSale(sale));
        ONECARD_TRY(SaleView v, ViewOfSale(txn, rq.tenant, sale));
        if (card && sale.card.valid()) {
          ONECARD_CHECK(FillBalances(txn, rq.tenant.id, card->owner.id, v));
        }
        return v;
      }};
}

Result<std::int64_t> CheckoutService::ReleaseDueSales() {
  std::int64_t released = 0;
  while (true) {
    std::vector<std::pair<core::TenantId, std::int64_t>> due;
    std::map<core::TenantId, TenantRef> tenants;
    {
      ONECARD_TRY(std::unique_ptr<storage::ReadTxn> read, store_.BeginRead());
      ONECARD_TRY(due, read->ListDueSales(clock_.Now(), 200));
      for (const auto& [tenant, sale] : due) {
        if (tenants.count(tenant)) continue;
        ONECARD_TRY(std::optional<storage::TenantRecord> t, read->GetTenant(tenant));
        ONECARD_ASSERT(t.has_value(), "sale of a missing tenant");
        tenants[tenant] = TenantRef{t->id, t->code, t->timezone};
      }
    }
    if (due.empty()) return released;
    std::int64_t round = 0;
    for (const auto& [tenant, sale] : due) {
      Request req{tenants[tenant], Actor{}, "", ""};
      req.actor.kind = "system";
      ONECARD_TRY(Prepared prepared,
                  PrepareClose(req, sale, Close::kExpire, {}, "the hold ran out uncaptured"));
      auto audit = AuditOf(req, "sale.expire", "sale", std::to_string(sale));
      Result<SaleView> done = writer_.Call<SaleView>(
          tenant, "", "", AuditedBySale(std::move(prepared.run), audit), audit);
      // Captured or voided since it was listed: nothing to do.
      if (!done && done.error().code == ErrorCode::kHoldNotActive) continue;
      if (!done) return done.error();
      ++round;
    }
    released += round;
    if (round == 0) return released;
  }
}

}  // namespace onecard::service
