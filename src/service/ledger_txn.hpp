// LedgerTxn: what a value-moving command does inside the writer's transaction — find the card,
// load its accounts and lots into core planners, and store a planned entry (entry, postings with
// balances after, new lots, lot moves, cached balances) in one go.
//
//   LedgerTxn l(txn, request, now);
//   ONECARD_TRY(auto card, l.Card(number, CardUse::kMoveValue));
//   ONECARD_TRY(core::AccountPlanner* points, l.Holder(card.owner, Asset::kPoints));
//   core::EntryPlan plan;
//   plan.Credit(*points, 120, spec);
//   ONECARD_CHECK(l.PostCounterparts(plan, AccountRole::kPointsIssued, request.actor.store));
//   return l.Write(l.Header(EntryKind::kEarn, card, doc_no, reason), plan);
//
// Not thread-safe: lives for one command on the writer thread.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

#include "core/lots.hpp"
#include "service/context.hpp"
#include "service/views.hpp"
#include "service/writer.hpp"
#include "storage/store.hpp"

namespace onecard::service {

// Whether a command needs the card to be able to move value (till and staff operations), or
// only to exist and not be dead (system runs: expiry, hold timeouts).
enum class CardUse : std::uint8_t { kMoveValue, kSystem };

// Ids of the tenant's and stores' accounts, which never change once made, remembered across
// commands. Only ids read back from the database are kept (an account created by a command may
// still vanish if its group fails to commit), and everything is dropped when a commit has failed
// since. Writer thread only.
class SystemAccountCache {
 public:
  explicit SystemAccountCache(const Writer& writer) : writer_(writer) {}
  std::optional<core::AccountId> Find(const storage::AccountKey& key);
  void Remember(const storage::AccountKey& key, core::AccountId id);

 private:
  using Key = std::tuple<std::int64_t, int, std::int64_t, int, int>;
  static Key KeyOf(const storage::AccountKey& k);
  const Writer& writer_;
  std::uint64_t generation_ = 0;
  std::map<Key, core::AccountId> ids_;
};

struct ResolvedCard {
  storage::CardRecord presented;  // the card given
  storage::CardRecord owner;      // the card whose accounts are used (the primary of a linked card)
};

// The card numbered `number`, whatever its state. Errors: kCardNotFound (field "card").
core::Result<storage::CardRecord> FindCardOrFail(storage::ReadTxn& txn, const TenantRef& tenant,
                                                 std::string_view number);
// The card numbered `number` read outside a write, with the card whose accounts it uses (its
// primary when linked), both usable. Errors: kCardNotFound; the card-state errors.
core::Result<ResolvedCard> ReadUsableCard(storage::ReadTxn& txn, const TenantRef& tenant,
                                          std::string_view number);
// The balance of `card`'s holder account of `asset` (0 when it has none).
core::Result<std::int64_t> HolderBalance(storage::ReadTxn& txn, core::TenantId tenant,
                                         core::CardId card, core::Asset asset);

class LedgerTxn;

// Plans the release of what the entry `hold_entry` put in escrow (a hold, or a held sale): the
// first `capture` units it took, in the order it took them (none: all), go to `store`'s
// redeemed-points or sales account; the rest goes back to the exact lots it came from.
core::Status PlanEscrowRelease(LedgerTxn& l, core::EntryPlan& plan, core::EntryId hold_entry,
                               std::optional<std::int64_t> capture, core::StoreId store);

class LedgerTxn {
 public:
  // `cache` (may be null) remembers programme account ids across commands.
  LedgerTxn(storage::WriteTxn& txn, const Request& request, core::Timestamp now,
            SystemAccountCache* cache = nullptr);

  storage::WriteTxn& txn() { return txn_; }
  const Request& request() const { return request_; }
  core::Timestamp now() const { return now_; }

  // The card with `number` in the request's tenant. Errors: kCardNotFound; with kMoveValue also
  // kCardInactive, kCardFrozen, kCardLost, kCardClosed, kCardReplaced (of either card).
  core::Result<ResolvedCard> Card(std::string_view number, CardUse use);
  // Card(number, kMoveValue) and Holder(owner, asset) in one look-up where it can be done so.
  core::Result<std::pair<ResolvedCard, core::AccountPlanner*>> CardAndHolder(
      std::string_view number, core::Asset asset);
  // The card with id `id` (for stored entries and holds); no usability check.
  core::Result<ResolvedCard> CardById(core::CardId id);
  // The card that holds a card account.
  core::Result<ResolvedCard> CardOfAccount(core::AccountId account);
  // The planner of `owner`'s account for `asset`, created if missing; the same planner for the
  // same account within this command. Its lots are not read (a credit needs none): call
  // LoadLots before taking value from it.
  core::Result<core::AccountPlanner*> Holder(const storage::CardRecord& owner, core::Asset asset);
  // Reads the planner's open lots, once.
  core::Status LoadLots(core::AccountPlanner& planner);
  // Planners of `owner`'s existing accounts for each asset of `selection` (a debit needs no
  // account that does not exist: it would hold nothing).
  core::Result<std::vector<core::AccountPlanner*>> Holders(const storage::CardRecord& owner,
                                                           core::AssetSelection selection);
  // The planner, with its lots, of an account by id (a card account met in a stored entry).
  core::Result<core::AccountPlanner*> HolderById(core::AccountId account);
  // The tenant's (store invalid) or a store's account for a role and asset.
  core::Result<core::AccountId> System(core::StoreId store, core::AccountRole role,
                                       core::Asset asset);
  // Posts, for each asset the plan moved on card accounts, the opposite amount to the `role`
  // account of `store`, so the entry balances.
  core::Status PostCounterparts(core::EntryPlan& plan, core::AccountRole role, core::StoreId store);
  // The same for what the card's accounts moved from the plan's move `first_move` on (a command
  // that posts different parts to different roles).
  core::Status PostCounterpartsSince(core::EntryPlan& plan, std::size_t first_move,
                                     core::AccountRole role, core::StoreId store);

  // What a sale takes from cards (tenders, count-card uses) goes to the request's store account
  // of `role` — or, once TakeIntoEscrow() is called (a held sale), to escrow.
  void TakeIntoEscrow() { escrow_ = true; }
  bool escrow() const { return escrow_; }
  core::Status PostTaken(core::EntryPlan& plan, std::size_t first_move, core::AccountRole role);

  storage::EntryRecord Header(core::EntryKind kind, const ResolvedCard& card,
                              std::string_view doc_no, std::string_view reason) const;
  // Stores the plan as one entry and returns its receipt.
  core::Result<EntryReceipt> Write(storage::EntryRecord header, const core::EntryPlan& plan);

 private:
  bool IsHolder(core::AccountId id) const { return planners_.count(id) > 0; }
  // The planner for a locked card account (made once per command), without its lots.
  core::AccountPlanner* Planner(const storage::CardRecord& owner,
                                const storage::AccountRecord& account);

  storage::WriteTxn& txn_;
  const Request& request_;
  core::Timestamp now_;
  std::map<core::AccountId, std::unique_ptr<core::AccountPlanner>> planners_;
  std::map<core::AccountId, std::string> card_numbers_;  // holder account → card number
  SystemAccountCache* cache_;
  bool escrow_ = false;
};

// Loads a card account's snapshot (balance, debt, limit, open lots) for planning.
core::Result<std::vector<core::LotView>> LoadLotViews(storage::ReadTxn& txn,
                                                      core::AccountId account);
core::Result<core::AccountSnapshot> LoadSnapshot(storage::ReadTxn& txn,
                                                 const storage::AccountRecord& account);

// Receipt of a stored entry, read back (history, reversals, replays of holds).
core::Result<EntryReceipt> ReadReceipt(storage::ReadTxn& txn, core::TenantId tenant,
                                       core::EntryId id);

}  // namespace onecard::service
