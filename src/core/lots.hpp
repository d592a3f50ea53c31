// Lot arithmetic: how an entry takes value from, and gives value to, card accounts.
//
// Every card account's balance is made of lots (amount, remaining, expiry, where and how it was
// issued) plus a debt (≤ 0) when the account has a credit limit:
//     balance = Σ remaining of its lots + debt,   −credit_limit ≤ debt ≤ 0.
// Each change is a LotMove (into or out of one lot, or into or out of the debt), recorded with
// the entry, so `verify` can recompute every lot and balance from the journal.
//
// Rules (R-404, DESIGN "ledger, not balances"):
//  - a debit takes from usable lots (not expired at `now`) earliest expiry first, never-expiring
//    last, then lower asset (non-cashable before cashable points) then older lot; after the lots it
//    goes into debt as far as the credit limit allows; it is all or nothing;
//  - a credit repays debt first, and the rest becomes one new lot;
//  - a reversal restores the exact lots an entry took (Restore) and takes back the exact lots it
//    created (TakeBack, falling back to a normal debit for what was already spent).
//
// EntryPlan collects the postings, new lots and moves of one entry; AccountPlanner holds one
// account's state as the plan is made, so later steps of the same entry see earlier ones. Pure:
// no I/O, the caller loads the snapshot and applies the plan. Not thread-safe (per-entry objects).
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/asset.hpp"
#include "core/ids.hpp"
#include "core/ledger.hpp"
#include "core/time.hpp"

namespace onecard::core {

// How a lot came to be; settlement and refunds later depend on it (a stored-value refund forfeits
// bonus lots, settlement sums spent lots by issuing store).
enum class LotSource : std::uint8_t { kEarned, kBonus, kPaid, kAdjusted, kRestored, kTransferred };
std::string_view LotSourceName(LotSource source);
Result<LotSource> ParseLotSource(std::string_view text);

struct LotView {
  LotId id;
  Asset asset = Asset::kPoints;
  std::int64_t remaining = 0;
  std::optional<Timestamp> expires_at;  // none: never expires
  LotSource source = LotSource::kEarned;
  StoreId issuer_store;
  LotId origin;
  std::int64_t amount = 0;  // as created (for display; planning uses `remaining`)
};

// The template of a lot a credit creates.
struct LotSpec {
  std::optional<Timestamp> expires_at;
  LotSource source = LotSource::kEarned;
  StoreId issuer_store;
  LotId origin;  // the lot this one continues (transfers), if any
};

struct NewLot {
  AccountId account;
  Asset asset = Asset::kPoints;
  std::int64_t amount = 0;
  LotSpec spec;
};

struct LotMove {
  AccountId account;
  LotId lot;               // the lot changed; invalid when the move is on the debt or creates a lot
  int new_lot = -1;        // index into EntryPlan::new_lots() when this move creates that lot
  std::int64_t delta = 0;  // >0 into the lot (or repays debt), <0 out of it (or borrows)

  bool is_debt() const { return !lot.valid() && new_lot < 0; }
};

// One card account's state while an entry is planned.
struct AccountSnapshot {
  AccountId id;
  Asset asset = Asset::kPoints;
  std::int64_t balance = 0;
  std::int64_t debt = 0;          // ≤ 0
  std::int64_t credit_limit = 0;  // ≥ 0
  std::vector<LotView> lots;      // every lot with remaining > 0 (expired or not)
  // Whether `lots` was loaded. A credit needs no lots, so callers may skip reading them and
  // load them later with AccountPlanner::SetLots, before any step that takes value.
  bool lots_loaded = true;
};

class AccountPlanner {
 public:
  AccountPlanner(AccountSnapshot snapshot, Timestamp now);

  AccountId id() const { return s_.id; }
  Asset asset() const { return s_.asset; }
  std::int64_t balance() const { return s_.balance; }
  std::int64_t debt() const { return s_.debt; }
  std::int64_t credit_limit() const { return s_.credit_limit; }
  bool lots_loaded() const { return s_.lots_loaded; }
  // Supplies the lots of a snapshot taken without them; only before any lot has moved.
  void SetLots(std::vector<LotView> lots);
  // What a debit may take now: remaining of unexpired lots plus the room left under the limit.
  std::int64_t Available() const;
  // Remaining of lots past their expiry that no expiry run has written off yet.
  std::int64_t ExpiredPending() const;
  const std::vector<LotView>& lots() const;
  Timestamp now() const { return now_; }

 private:
  friend class EntryPlan;
  LotView* FindLot(LotId id);
  bool Usable(const LotView& lot) const;

  AccountSnapshot s_;
  Timestamp now_;
  bool lot_moved_ = false;
};

class EntryPlan {
 public:
  // A posting on an account without lots (the tenant's or a store's side). Postings on the same
  // account within one entry are merged.
  void Post(AccountId account, Asset asset, std::int64_t amount);

  // Takes `amount` from the accounts (one asset group, e.g. both kinds of points) in consumption
  // order, then from their credit room in the order given. All or nothing: returns 0 when planned,
  // otherwise the shortfall, with nothing recorded.
  std::int64_t Debit(std::span<AccountPlanner* const> accounts, std::int64_t amount);
  std::int64_t Debit(AccountPlanner& account, std::int64_t amount);

  // Adds `amount` (> 0): repays debt first, the rest becomes a new lot per `spec`.
  void Credit(AccountPlanner& account, std::int64_t amount, const LotSpec& spec);

  // Puts `amount` back into lot `lot` (undoing an earlier take from it). If the lot is not
  // known (an invalid id: the take was from debt), the amount repays debt and any rest becomes a
  // new lot with `fallback`.
  void Restore(AccountPlanner& account, LotId lot, std::int64_t amount, const LotSpec& fallback);

  // Undoes an earlier credit into lot `lot` (or, with an invalid id, a debt repayment): takes
  // from that lot first (even if expired), then as a normal Debit. Returns the shortfall
  // (0 when planned); on shortfall nothing is recorded.
  std::int64_t TakeBack(AccountPlanner& account, LotId lot, std::int64_t amount);

  // Writes off every lot of `account` that expires at or before `cutoff`. Returns the amount.
  std::int64_t ExpireLots(AccountPlanner& account, Timestamp cutoff);

  // Moves everything `from` holds into `to` lot by lot (same expiry, source and issuer; each new
  // lot names its origin) and the debt with it. Both accounts hold the same asset.
  void TransferAll(AccountPlanner& from, AccountPlanner& to);

  const std::vector<Posting>& postings() const { return postings_; }
  const std::vector<NewLot>& new_lots() const { return new_lots_; }
  const std::vector<LotMove>& moves() const { return moves_; }
  // Empty when the postings balance; see DescribeImbalance.
  std::string Imbalance() const { return DescribeImbalance(postings_); }
  // Drops postings whose merged amount is 0 (e.g. a hold fully returned within one entry).
  void DropZeroPostings();

 private:
  void Move(AccountPlanner& account, LotId lot, int new_lot, std::int64_t delta);
  void NewLotMove(AccountPlanner& account, std::int64_t amount, const LotSpec& spec);
  void RepayOrLot(AccountPlanner& account, std::int64_t amount, const LotSpec& spec);

  std::vector<Posting> postings_;
  std::vector<NewLot> new_lots_;
  std::vector<LotMove> moves_;
};

}  // namespace onecard::core
