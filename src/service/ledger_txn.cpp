#include "service/ledger_txn.hpp"

#include <utility>

#include "core/assert.hpp"
#include "core/card.hpp"

namespace onecard::service {

using core::ErrorCode;
using core::MakeError;
using core::Result;
using core::Status;

SystemAccountCache::Key SystemAccountCache::KeyOf(const storage::AccountKey& k) {
  return Key{k.tenant.value, static_cast<int>(k.holder_kind), k.holder_id, static_cast<int>(k.role),
             static_cast<int>(k.asset)};
}

std::optional<core::AccountId> SystemAccountCache::Find(const storage::AccountKey& key) {
  if (generation_ != writer_.failed_commits()) {
    ids_.clear();
    generation_ = writer_.failed_commits();
  }
  auto it = ids_.find(KeyOf(key));
  if (it == ids_.end()) return std::nullopt;
  return it->second;
}

void SystemAccountCache::Remember(const storage::AccountKey& key, core::AccountId id) {
  if (generation_ != writer_.failed_commits()) return;
  ids_.emplace(KeyOf(key), id);
}

LedgerTxn::LedgerTxn(storage::WriteTxn& txn, const Request& request, core::Timestamp now,
                     SystemAccountCache* cache)
    : txn_(txn), request_(request), now_(now), cache_(cache) {}

Result<ResolvedCard> LedgerTxn::Card(std::string_view number, CardUse use) {
  ONECARD_TRY(std::optional<storage::CardRecord> presented,
              txn_.FindCard(request_.tenant.id, number));
  if (!presented) {
    return MakeError(
        ErrorCode::kCardNotFound,
        "no card numbered " + std::string(number) + " in tenant " + request_.tenant.code, "card");
  }
  ResolvedCard card{*presented, *presented};
  if (presented->primary.valid()) {
    ONECARD_TRY(std::optional<storage::CardRecord> owner,
                txn_.GetCard(request_.tenant.id, presented->primary));
    ONECARD_ASSERT(owner.has_value(), "linked card without its primary");
    card.owner = *owner;
  }
  if (use == CardUse::kMoveValue) {
    ONECARD_CHECK(core::CheckCardUsable(card.presented.status, card.presented.number));
    if (card.owner.id != card.presented.id) {
      ONECARD_CHECK(core::CheckCardUsable(card.owner.status, card.owner.number));
    }
  }
  return card;
}

Result<std::pair<ResolvedCard, core::AccountPlanner*>> LedgerTxn::CardAndHolder(
    std::string_view number, core::Asset asset) {
  ONECARD_TRY(std::optional<storage::CardAccount> found,
              txn_.FindCardAndLockAccount(request_.tenant.id, number, asset));
  if (!found || found->card.primary.valid()) {
    // Unknown, or a linked card (whose accounts are its primary's): the general path.
    ONECARD_TRY(ResolvedCard card, Card(number, CardUse::kMoveValue));
    ONECARD_TRY(core::AccountPlanner * holder, Holder(card.owner, asset));
    return std::make_pair(std::move(card), holder);
  }
  ONECARD_CHECK(core::CheckCardUsable(found->card.status, found->card.number));
  ResolvedCard card{found->card, found->card};
  core::AccountPlanner* holder = nullptr;
  if (found->account) {
    holder = Planner(card.owner, *found->account);
  } else {
    ONECARD_TRY(holder, Holder(card.owner, asset));
  }
  return std::make_pair(std::move(card), holder);
}

Result<ResolvedCard> LedgerTxn::CardById(core::CardId id) {
  ONECARD_TRY(std::optional<storage::CardRecord> card, txn_.GetCard(request_.tenant.id, id));
  if (!card) {
    return MakeError(ErrorCode::kCardNotFound, "no card with id " + std::to_string(id.value),
                     "card");
  }
  return Card(card->number, CardUse::kSystem);
}

Result<ResolvedCard> LedgerTxn::CardOfAccount(core::AccountId account) {
  ONECARD_TRY(std::optional<storage::AccountRecord> rec,
              txn_.GetAccount(request_.tenant.id, account));
  ONECARD_ASSERT(rec && rec->key.holder_kind == core::HolderKind::kCard, "a card account expected");
  return CardById(core::CardId{rec->key.holder_id});
}

Result<std::vector<core::AccountPlanner*>> LedgerTxn::Holders(const storage::CardRecord& owner,
                                                              core::AssetSelection selection) {
  std::vector<core::AccountPlanner*> out;
  for (core::Asset asset : core::AssetsOf(selection)) {
    const storage::AccountKey key{request_.tenant.id, core::HolderKind::kCard, owner.id.value,
                                  core::AccountRole::kHolder, asset};
    ONECARD_TRY(std::optional<storage::AccountRecord> found, txn_.LockAccountIfExists(key));
    if (!found) continue;
    core::AccountPlanner* planner = Planner(owner, *found);
    ONECARD_CHECK(LoadLots(*planner));
    out.push_back(planner);
  }
  return out;
}

Result<std::vector<core::LotView>> LoadLotViews(storage::ReadTxn& txn, core::AccountId account) {
  ONECARD_TRY(std::vector<storage::LotRecord> lots, txn.ListOpenLots(account));
  std::vector<core::LotView> views;
  views.reserve(lots.size());
  for (const storage::LotRecord& l : lots) {
    views.push_back(core::LotView{l.id, l.asset, l.remaining, l.expires_at, l.source,
                                  l.issuer_store, l.origin, l.amount});
  }
  return views;
}

Result<core::AccountSnapshot> LoadSnapshot(storage::ReadTxn& txn,
                                           const storage::AccountRecord& account) {
  core::AccountSnapshot snap{
      account.id, account.key.asset, account.balance, account.debt, account.credit_limit, {}, true};
  ONECARD_TRY(snap.lots, LoadLotViews(txn, account.id));
  return snap;
}

Status LedgerTxn::LoadLots(core::AccountPlanner& planner) {
  if (planner.lots_loaded()) return {};
  ONECARD_TRY(std::vector<core::LotView> lots, LoadLotViews(txn_, planner.id()));
  planner.SetLots(std::move(lots));
  return {};
}

Result<core::AccountPlanner*> LedgerTxn::Holder(const storage::CardRecord& owner,
                                                core::Asset asset) {
  const storage::AccountKey key{request_.tenant.id, core::HolderKind::kCard, owner.id.value,
                                core::AccountRole::kHolder, asset};
  ONECARD_TRY(storage::AccountRecord account, txn_.LockAccount(key, owner.member, now_));
  return Planner(owner, account);
}

core::AccountPlanner* LedgerTxn::Planner(const storage::CardRecord& owner,
                                         const storage::AccountRecord& account) {
  auto it = planners_.find(account.id);
  if (it != planners_.end()) return it->second.get();
  core::AccountSnapshot snap{account.id,           account.key.asset,    account.balance,
                             account.debt,         account.credit_limit, {},
                             /*lots_loaded=*/false};
  auto planner = std::make_unique<core::AccountPlanner>(std::move(snap), now_);
  core::AccountPlanner* raw = planner.get();
  planners_.emplace(account.id, std::move(planner));
  card_numbers_.emplace(account.id, owner.number);
  return raw;
}

Result<core::AccountPlanner*> LedgerTxn::HolderById(core::AccountId id) {
  auto it = planners_.find(id);
  if (it != planners_.end()) return it->second.get();
  ONECARD_TRY(std::optional<storage::AccountRecord> account,
              txn_.LockAccountById(request_.tenant.id, id));
  ONECARD_ASSERT(account && account->key.holder_kind == core::HolderKind::kCard,
                 "a card account expected");
  ONECARD_TRY(std::optional<storage::CardRecord> card,
              txn_.GetCard(request_.tenant.id, core::CardId{account->key.holder_id}));
  ONECARD_ASSERT(card.has_value(), "card account without its card");
  ONECARD_TRY(core::AccountPlanner * planner, Holder(*card, account->key.asset));
  ONECARD_CHECK(LoadLots(*planner));
  return planner;
}

Result<core::AccountId> LedgerTxn::System(core::StoreId store, core::AccountRole role,
                                          core::Asset asset) {
  const storage::AccountKey key{
      request_.tenant.id, store.valid() ? core::HolderKind::kStore : core::HolderKind::kTenant,
      store.valid() ? store.value : request_.tenant.id.value, role, asset};
  if (cache_ != nullptr) {
    if (std::optional<core::AccountId> id = cache_->Find(key)) return *id;
  }
  ONECARD_TRY(std::optional<storage::AccountRecord> found, txn_.FindAccount(key));
  if (found) {
    if (cache_ != nullptr) cache_->Remember(key, found->id);
    return found->id;
  }
  return txn_.EnsureAccount(key, now_);
}

Status LedgerTxn::PostCounterparts(core::EntryPlan& plan, core::AccountRole role,
                                   core::StoreId store) {
  std::map<core::Asset, std::int64_t> sums;
  for (const core::Posting& p : plan.postings()) {
    if (IsHolder(p.account)) sums[p.asset] += p.amount;
  }
  for (const auto& [asset, sum] : sums) {
    if (sum == 0) continue;
    ONECARD_TRY(core::AccountId account, System(store, role, asset));
    plan.Post(account, asset, -sum);
  }
  return {};
}

Status LedgerTxn::PostTaken(core::EntryPlan& plan, std::size_t first_move, core::AccountRole role) {
  if (escrow_) return PostCounterpartsSince(plan, first_move, core::AccountRole::kHolds, {});
  return PostCounterpartsSince(plan, first_move, role, request_.actor.store);
}

Status LedgerTxn::PostCounterpartsSince(core::EntryPlan& plan, std::size_t first_move,
                                        core::AccountRole role, core::StoreId store) {
  std::map<core::Asset, std::int64_t> sums;
  const std::vector<core::LotMove>& moves = plan.moves();
  for (std::size_t i = first_move; i < moves.size(); ++i) {
    const auto planner = planners_.find(moves[i].account);
    ONECARD_ASSERT(planner != planners_.end(), "a move on an account this command did not load");
    sums[planner->second->asset()] += moves[i].delta;
  }
  for (const auto& [asset, sum] : sums) {
    if (sum == 0) continue;
    ONECARD_TRY(core::AccountId account, System(store, role, asset));
    plan.Post(account, asset, -sum);
  }
  return {};
}

storage::EntryRecord LedgerTxn::Header(core::EntryKind kind, const ResolvedCard& card,
                                       std::string_view doc_no, std::string_view reason) const {
  storage::EntryRecord e;
  e.tenant = request_.tenant.id;
  e.kind = kind;
  e.doc_no = std::string(doc_no);
  e.store = request_.actor.store;
  e.staff = request_.actor.staff;
  e.reason = std::string(reason);
  e.at = now_;
  e.member = card.presented.member.valid() ? card.presented.member : card.owner.member;
  e.card = card.presented.id;
  return e;
}

Result<EntryReceipt> LedgerTxn::Write(storage::EntryRecord header, const core::EntryPlan& plan) {
  const std::string imbalance = plan.Imbalance();
  ONECARD_ASSERT(imbalance.empty(), "an unbalanced entry was planned");
  const core::TenantId tenant = request_.tenant.id;
  ONECARD_TRY(core::EntryId entry, txn_.InsertEntry(header));

  EntryReceipt receipt;
  receipt.entry_id = entry.value;
  receipt.kind = std::string(core::EntryKindName(header.kind));
  receipt.at = header.at;
  receipt.doc_no = header.doc_no;
  receipt.store = request_.actor.store_code;
  receipt.staff = header.staff;
  receipt.reason = header.reason;
  receipt.member_id = header.member.value;
  receipt.reverses_entry_id = header.reverses.value;
  receipt.hold_id = header.hold.value;

  for (const core::NewLot& n : plan.new_lots()) {
    storage::LotRecord lot{core::LotId{}, tenant,        n.account,     n.asset,
                           n.amount,      n.amount,      n.spec.source, n.spec.issuer_store,
                           entry,         n.spec.origin, header.at,     n.spec.expires_at};
    ONECARD_TRY(core::LotId id, txn_.InsertLot(lot));
    receipt.new_lots.push_back(LotLine{id.value, n.asset, n.amount, n.amount, n.spec.expires_at,
                                       std::string(core::LotSourceName(n.spec.source))});
  }

  // A new lot records its own creation; moves are stored for changes to existing lots and debt.
  std::map<core::AccountId, std::int64_t> debt_deltas;
  for (const core::LotMove& m : plan.moves()) {
    if (m.new_lot >= 0) continue;
    if (m.lot.valid()) {
      ONECARD_CHECK(txn_.ChangeLotRemaining(m.lot, m.delta));
    } else {
      debt_deltas[m.account] += m.delta;
    }
    ONECARD_CHECK(
        txn_.InsertLotMove(tenant, storage::LotMoveRecord{entry, m.account, m.lot, m.delta}));
  }

  // A planner's balance already includes this plan's postings; walk back to the stored balance.
  std::map<core::AccountId, std::int64_t> running;
  for (const core::Posting& p : plan.postings()) {
    if (!IsHolder(p.account)) continue;
    auto it = running.try_emplace(p.account, planners_.at(p.account)->balance()).first;
    it->second -= p.amount;
  }
  for (const core::Posting& p : plan.postings()) {
    std::optional<std::int64_t> balance_after;
    if (IsHolder(p.account)) {
      std::int64_t& balance = running.at(p.account);
      const std::int64_t debt_delta = std::exchange(debt_deltas[p.account], 0);
      ONECARD_CHECK(txn_.ApplyAccountChange(p.account, balance, p.amount, debt_delta));
      balance += p.amount;
      const std::int64_t after = balance;
      balance_after = after;
      receipt.lines.push_back(PostingLine{card_numbers_.at(p.account), p.asset, p.amount, after});
    }
    ONECARD_CHECK(txn_.InsertPosting(
        tenant, storage::PostingRecord{entry, p.account, p.asset, p.amount, balance_after}));
  }
  // Debt moved on an account whose moves net to nothing (so it has no posting).
  for (const auto& [account, debt_delta] : debt_deltas) {
    if (debt_delta == 0) continue;
    const std::int64_t balance = planners_.at(account)->balance();
    ONECARD_CHECK(txn_.ApplyAccountChange(account, balance, 0, debt_delta));
  }
  if (!receipt.lines.empty()) receipt.card_number = receipt.lines.front().card_number;
  return receipt;
}

Result<EntryReceipt> ReadReceipt(storage::ReadTxn& txn, core::TenantId tenant, core::EntryId id) {
  ONECARD_TRY(std::optional<storage::EntryRecord> entry, txn.GetEntry(tenant, id));
  if (!entry) {
    return MakeError(ErrorCode::kEntryNotFound,
                     "no journal entry " + std::to_string(id.value) + " in this tenant", "entry");
  }
  EntryReceipt r;
  r.entry_id = entry->id.value;
  r.kind = std::string(core::EntryKindName(entry->kind));
  r.at = entry->at;
  r.doc_no = entry->doc_no;
  if (entry->store.valid()) {
    ONECARD_TRY(std::optional<storage::StoreRecord> store, txn.GetStore(tenant, entry->store));
    if (store) r.store = store->code;
  }
  r.staff = entry->staff;
  r.reason = entry->reason;
  r.member_id = entry->member.value;
  r.reverses_entry_id = entry->reverses.value;
  r.hold_id = entry->hold.value;
  ONECARD_TRY(std::vector<storage::PostingRecord> postings, txn.ListPostings(id));
  for (const storage::PostingRecord& p : postings) {
    if (!p.balance_after) continue;
    ONECARD_TRY(std::optional<storage::AccountRecord> account, txn.GetAccount(tenant, p.account));
    ONECARD_ASSERT(account.has_value(), "posting on a missing account");
    ONECARD_TRY(std::optional<storage::CardRecord> card,
                txn.GetCard(tenant, core::CardId{account->key.holder_id}));
    r.lines.push_back(PostingLine{card ? card->number : "", p.asset, p.amount, *p.balance_after});
  }
  if (!r.lines.empty()) r.card_number = r.lines.front().card_number;
  ONECARD_TRY(std::vector<storage::LotRecord> lots, txn.ListLotsCreatedBy(id));
  for (const storage::LotRecord& l : lots) {
    r.new_lots.push_back(LotLine{l.id.value, l.asset, l.amount, l.remaining, l.expires_at,
                                 std::string(core::LotSourceName(l.source))});
  }
  return r;
}

Result<storage::CardRecord> FindCardOrFail(storage::ReadTxn& txn, const TenantRef& tenant,
                                           std::string_view number) {
  ONECARD_TRY(std::optional<storage::CardRecord> card, txn.FindCard(tenant.id, number));
  if (!card) {
    return MakeError(ErrorCode::kCardNotFound,
                     "no card numbered " + std::string(number) + " in tenant " + tenant.code,
                     "card");
  }
  return *card;
}

Result<ResolvedCard> ReadUsableCard(storage::ReadTxn& txn, const TenantRef& tenant,
                                    std::string_view number) {
  ONECARD_TRY(storage::CardRecord card, FindCardOrFail(txn, tenant, number));
  ONECARD_CHECK(core::CheckCardUsable(card.status, card.number));
  ResolvedCard out{card, card};
  if (card.primary.valid()) {
    ONECARD_TRY(std::optional<storage::CardRecord> primary, txn.GetCard(tenant.id, card.primary));
    if (primary) out.owner = *primary;
    ONECARD_CHECK(core::CheckCardUsable(out.owner.status, out.owner.number));
  }
  return out;
}

Result<std::int64_t> HolderBalance(storage::ReadTxn& txn, core::TenantId tenant, core::CardId card,
                                   core::Asset asset) {
  ONECARD_TRY(std::vector<storage::AccountRecord> accounts, txn.ListAccountsOfCard(tenant, card));
  for (const storage::AccountRecord& a : accounts) {
    if (a.key.role == core::AccountRole::kHolder && a.key.asset == asset) return a.balance;
  }
  return std::int64_t{0};
}

}  // namespace onecard::service
