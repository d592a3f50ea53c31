// LedgerService: the expiry run, and the reads (balances, history, entries).
#include <atomic>
#include <future>

#include "core/assert.hpp"
#include "service/calendar.hpp"
#include "service/ledger_service.hpp"
#include "service/ledger_txn.hpp"
#include "service/ledger_util.hpp"

namespace onecard::service {

using core::ErrorCode;
using core::MakeError;
using core::Result;
using core::Status;

namespace {

struct Expired {
  core::Asset asset = core::Asset::kPoints;
  std::int64_t amount = 0;
};
void to_json(nlohmann::json& j, const Expired& e) {
  j = {{"asset", e.asset}, {"amount", e.amount}};
}
void from_json(const nlohmann::json& j, Expired& e) {
  j.at("asset").get_to(e.asset);
  j.at("amount").get_to(e.amount);
}

}  // namespace

Result<ExpiryReport> LedgerService::Expire(const Request& req, core::CivilDate as_of) {
  ONECARD_TRY(core::Timestamp cutoff, EndOfLocalDay(req.tenant.timezone, as_of));
  if (cutoff > clock_.Now()) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "business date " + as_of.ToString() + " has not ended yet in " +
                         req.tenant.timezone + "; expiry runs for dates that have ended",
                     "as_of");
  }
  ExpiryReport report;
  report.as_of = as_of;
  report.cutoff = cutoff;
  ONECARD_TRY(report.holds_released, ReleaseDueHolds());
  const std::string reason = "expired as of " + as_of.ToString();
  core::AccountId after;
  while (true) {
    std::vector<core::AccountId> accounts;
    {
      ONECARD_TRY(std::unique_ptr<storage::ReadTxn> read, store_.BeginRead());
      ONECARD_TRY(accounts, read->ListAccountsWithExpiringLots(req.tenant.id, cutoff, after, 500));
    }
    if (accounts.empty()) return report;
    after = accounts.back();
    // One command per account, submitted together so the writer commits them in groups.
    std::vector<std::future<Result<Expired>>> results;
    results.reserve(accounts.size());
    for (core::AccountId account : accounts) {
      auto promise = std::make_shared<std::promise<Result<Expired>>>();
      results.push_back(promise->get_future());
      writer_.CallAsync<Expired>(
          req.tenant.id, "", "",
          [this, &req, account, cutoff, &reason](storage::WriteTxn& txn) -> Result<Expired> {
            LedgerTxn l(txn, req, clock_.Now(), accounts_.get());
            ONECARD_TRY(core::AccountPlanner * holder, l.HolderById(account));
            core::EntryPlan plan;
            const std::int64_t amount = plan.ExpireLots(*holder, cutoff);
            if (amount == 0) return Expired{holder->asset(), 0};  // expired by an earlier run
            ONECARD_CHECK(l.PostCounterparts(plan, core::AccountRole::kExpired, {}));
            ONECARD_TRY(ResolvedCard card, l.CardOfAccount(account));
            storage::EntryRecord header = l.Header(core::EntryKind::kExpiry, card, "", reason);
            header.store = {};
            ONECARD_CHECK(l.Write(header, plan));
            return Expired{holder->asset(), amount};
          },
          [promise](Result<Expired> r) { promise->set_value(std::move(r)); },
          AuditOf(req, "points.expire", "account", std::to_string(account.value)));
    }
    // Wait for every command before looking at any: they refer to this frame's variables.
    std::vector<Result<Expired>> outcomes;
    outcomes.reserve(results.size());
    for (auto& f : results) outcomes.push_back(f.get());
    for (Result<Expired>& r : outcomes) {
      if (!r) return std::move(r).error();
      if (r->amount == 0) continue;
      report.accounts += 1;
      report.entries += 1;
      if (r->asset == core::Asset::kPoints) {
        report.points_expired += r->amount;
      } else if (r->asset == core::Asset::kCashablePoints) {
        report.cashable_points_expired += r->amount;
      } else {
        report.other_expired += r->amount;
      }
    }
  }
}

Result<CardBalances> LedgerService::Balance(const TenantRef& tenant, std::string_view number) {
  ONECARD_TRY(std::unique_ptr<storage::ReadTxn> txn, store_.BeginRead());
  ONECARD_TRY(std::optional<storage::CardRecord> card, txn->FindCard(tenant.id, number));
  if (!card) {
    return MakeError(ErrorCode::kCardNotFound,
                     "no card numbered " + std::string(number) + " in tenant " + tenant.code,
                     "card");
  }
  storage::CardRecord owner = *card;
  if (card->primary.valid()) {
    ONECARD_TRY(std::optional<storage::CardRecord> primary, txn->GetCard(tenant.id, card->primary));
    ONECARD_ASSERT(primary.has_value(), "linked card without its primary");
    owner = *primary;
  }
  CardBalances out;
  out.card_number = card->number;
  out.account_card_number = owner.number;
  out.member_id = card->member.value;
  out.status = card->status.Describe();
  if (card->member.valid()) {
    ONECARD_TRY(std::optional<storage::MemberRecord> m, txn->GetMember(tenant.id, card->member));
    if (m) out.member_name = m->profile.name;
  }
  ONECARD_TRY(std::vector<storage::AccountRecord> accounts,
              txn->ListAccountsOfCard(tenant.id, owner.id));

  // What active holds (through the owner card or any card linked to it) took, per asset.
  std::map<core::Asset, std::int64_t> held;
  ONECARD_TRY(std::vector<storage::CardRecord> linked, txn->ListLinkedCards(tenant.id, owner.id));
  linked.push_back(owner);
  for (const storage::CardRecord& c : linked) {
    ONECARD_TRY(std::vector<storage::HoldRecord> holds,
                txn->ListActiveHoldsOfCard(tenant.id, c.id));
    for (const storage::HoldRecord& h : holds) {
      out.holds.push_back(HoldLine{h.id.value, h.selection, h.amount, h.expires_at});
      ONECARD_TRY(std::vector<storage::PostingRecord> postings, txn->ListPostings(h.hold_entry));
      for (const storage::PostingRecord& p : postings) {
        if (p.balance_after) held[p.asset] -= p.amount;
      }
    }
  }
  const core::Timestamp now = clock_.Now();
  for (core::Asset asset : core::kAllAssets) {
    core::AccountSnapshot snap{core::AccountId{}, asset, 0, 0, 0, {}};
    for (const storage::AccountRecord& a : accounts) {
      if (a.key.asset == asset) {
        ONECARD_TRY(snap, LoadSnapshot(*txn, a));
      }
    }
    out.assets.push_back(BalanceOf(core::AccountPlanner(std::move(snap), now), held[asset]));
  }
  return out;
}

Result<HistoryPage> LedgerService::History(const TenantRef& tenant, std::string_view number,
                                           core::MemberId member, core::EntryId before, int limit) {
  if (limit < 1 || limit > 1000) {
    return MakeError(ErrorCode::kInvalidArgument, "a page holds 1 to 1,000 entries", "limit");
  }
  ONECARD_TRY(std::unique_ptr<storage::ReadTxn> txn, store_.BeginRead());
  storage::HistoryQuery q{tenant.id, {}, {}, before, limit};
  if (!number.empty()) {
    ONECARD_TRY(std::optional<storage::CardRecord> card, txn->FindCard(tenant.id, number));
    if (!card) {
      return MakeError(ErrorCode::kCardNotFound,
                       "no card numbered " + std::string(number) + " in tenant " + tenant.code,
                       "card");
    }
    q.card = card->primary.valid() ? card->primary : card->id;
  } else {
    ONECARD_TRY(std::optional<storage::MemberRecord> m, txn->GetMember(tenant.id, member));
    if (!m) {
      return MakeError(ErrorCode::kMemberNotFound,
                       "no member " + std::to_string(member.value) + " in tenant " + tenant.code,
                       "member");
    }
    q.member = member;
  }
  ONECARD_TRY(std::vector<storage::StoreRecord> stores, txn->ListStores(tenant.id));
  std::map<core::StoreId, std::string> store_codes;
  for (const storage::StoreRecord& s : stores) store_codes[s.id] = s.code;
  ONECARD_TRY(std::vector<storage::HistoryRow> rows, txn->History(q));
  HistoryPage page;
  std::int64_t entries = 0;
  std::int64_t last = 0;
  for (const storage::HistoryRow& row : rows) {
    if (row.entry.id.value != last) ++entries;
    last = row.entry.id.value;
    page.lines.push_back(
        HistoryLine{row.entry.id.value, std::string(core::EntryKindName(row.entry.kind)),
                    row.entry.at, row.entry.doc_no, store_codes[row.entry.store], row.entry.staff,
                    row.entry.reason, row.card_number, row.posting.asset, row.posting.amount,
                    row.posting.balance_after.value_or(0), row.entry.reverses.value});
  }
  if (entries == limit) page.next_before = last;
  return page;
}

Result<EntryReceipt> LedgerService::Entry(const TenantRef& tenant, core::EntryId id) {
  ONECARD_TRY(std::unique_ptr<storage::ReadTxn> txn, store_.BeginRead());
  return ReadReceipt(*txn, tenant.id, id);
}

Result<HoldReceipt> LedgerService::ShowHold(const TenantRef& tenant, std::int64_t hold_id) {
  ONECARD_TRY(std::unique_ptr<storage::ReadTxn> txn, store_.BeginRead());
  ONECARD_TRY(std::optional<storage::HoldRecord> hold,
              txn->GetHold(tenant.id, core::HoldId{hold_id}));
  if (!hold) {
    return MakeError(ErrorCode::kHoldNotFound,
                     "no hold " + std::to_string(hold_id) + " in tenant " + tenant.code, "hold");
  }
  ONECARD_TRY(std::optional<storage::CardRecord> card, txn->GetCard(tenant.id, hold->card));
  ONECARD_TRY(EntryReceipt opened, ReadReceipt(*txn, tenant.id, hold->hold_entry));
  return HoldReceipt{hold->id.value,    card ? card->number : "",
                     hold->selection,   hold->amount,
                     hold->captured,    std::string(storage::HoldStatusName(hold->status)),
                     hold->created_at,  hold->expires_at,
                     std::move(opened), false};
}

}  // namespace onecard::service
