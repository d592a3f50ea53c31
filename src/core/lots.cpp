#include "core/lots.hpp"

#include <algorithm>
#include <array>

#include "core/assert.hpp"

namespace onecard::core {
namespace {

constexpr std::array<std::string_view, 6> kSourceNames = {"earned",   "bonus",    "paid",
                                                          "adjusted", "restored", "transferred"};

// Consumption order: earliest expiry first, never-expiring last; then non-cashable before
// cashable points (the less valuable kind goes first); then the older lot.
bool ConsumesBefore(const LotView& a, const LotView& b) {
  if (a.expires_at.has_value() != b.expires_at.has_value()) return a.expires_at.has_value();
  if (a.expires_at && *a.expires_at != *b.expires_at) return *a.expires_at < *b.expires_at;
  if (a.asset != b.asset) return a.asset < b.asset;
  return a.id < b.id;
}

}  // namespace

std::string_view LotSourceName(LotSource source) {
  return kSourceNames.at(static_cast<std::size_t>(source));
}

Result<LotSource> ParseLotSource(std::string_view text) {
  for (std::size_t i = 0; i < kSourceNames.size(); ++i) {
    if (kSourceNames[i] == text) return static_cast<LotSource>(i);
  }
  return MakeError(ErrorCode::kInvalidArgument,
                   "\"" + std::string(text) + "\" is not a lot source");
}

AccountPlanner::AccountPlanner(AccountSnapshot snapshot, Timestamp now)
    : s_(std::move(snapshot)), now_(now) {
  ONECARD_ASSERT(s_.debt <= 0 && s_.credit_limit >= 0, "account snapshot out of range");
}

void AccountPlanner::SetLots(std::vector<LotView> lots) {
  ONECARD_ASSERT(!lot_moved_, "lots supplied after a lot moved");
  s_.lots = std::move(lots);
  s_.lots_loaded = true;
}

const std::vector<LotView>& AccountPlanner::lots() const {
  ONECARD_ASSERT(s_.lots_loaded, "lots used before they were loaded");
  return s_.lots;
}

bool AccountPlanner::Usable(const LotView& lot) const {
  return lot.remaining > 0 && (!lot.expires_at || *lot.expires_at > now_);
}

std::int64_t AccountPlanner::Available() const {
  std::int64_t sum = s_.credit_limit + s_.debt;
  for (const LotView& lot : lots()) {
    if (Usable(lot)) sum += lot.remaining;
  }
  return sum;
}

std::int64_t AccountPlanner::ExpiredPending() const {
  std::int64_t sum = 0;
  for (const LotView& lot : lots()) {
    if (lot.remaining > 0 && !Usable(lot)) sum += lot.remaining;
  }
  return sum;
}

LotView* AccountPlanner::FindLot(LotId id) {
  for (LotView& lot : s_.lots) {
    if (lot.id == id) return &lot;
  }
  return nullptr;
}

void EntryPlan::Post(AccountId account, Asset asset, std::int64_t amount) {
  ONECARD_ASSERT(account.valid(), "posting without an account");
  for (auto it = postings_.begin(); it != postings_.end(); ++it) {
    if (it->account == account) {
      ONECARD_ASSERT(it->asset == asset, "one account, two assets");
      it->amount += amount;
      // Moves that net to nothing on an account (points restored to one lot and as many taken
      // back from another) post nothing there; the moves still say which lots changed.
      if (it->amount == 0) postings_.erase(it);
      return;
    }
  }
  if (amount != 0) postings_.push_back(Posting{account, asset, amount});
}

void EntryPlan::Move(AccountPlanner& account, LotId lot, int new_lot, std::int64_t delta) {
  ONECARD_ASSERT(delta != 0, "empty lot move");
  if (lot.valid()) {
    account.lot_moved_ = true;
    if (LotView* view = account.FindLot(lot)) {
      view->remaining += delta;
      ONECARD_ASSERT(view->remaining >= 0, "lot over-consumed");
    }
  } else if (new_lot < 0) {
    account.s_.debt += delta;
    ONECARD_ASSERT(account.s_.debt <= 0, "debt above zero");
    ONECARD_ASSERT(account.s_.debt >= -account.s_.credit_limit, "debt beyond the credit limit");
  }
  account.s_.balance += delta;
  moves_.push_back(LotMove{account.id(), lot, new_lot, delta});
  Post(account.id(), account.asset(), delta);
}

void EntryPlan::NewLotMove(AccountPlanner& account, std::int64_t amount, const LotSpec& spec) {
  new_lots_.push_back(NewLot{account.id(), account.asset(), amount, spec});
  Move(account, LotId{}, static_cast<int>(new_lots_.size() - 1), amount);
}

void EntryPlan::RepayOrLot(AccountPlanner& account, std::int64_t amount, const LotSpec& spec) {
  ONECARD_ASSERT(amount > 0, "credit of a non-positive amount");
  const std::int64_t repay = std::min(amount, -account.debt());
  if (repay > 0) Move(account, LotId{}, -1, repay);
  if (amount - repay > 0) NewLotMove(account, amount - repay, spec);
}

std::int64_t EntryPlan::Debit(std::span<AccountPlanner* const> accounts, std::int64_t amount) {
  ONECARD_ASSERT(amount > 0, "debit of a non-positive amount");
  struct Candidate {
    AccountPlanner* account;
    LotView lot;
  };
  std::vector<Candidate> candidates;
  std::int64_t available = 0;
  for (AccountPlanner* a : accounts) {
    available += a->credit_limit() + a->debt();
    for (const LotView& lot : a->lots()) {
      if (a->Usable(lot)) {
        candidates.push_back({a, lot});
        available += lot.remaining;
      }
    }
  }
  if (available < amount) return amount - available;
  std::sort(candidates.begin(), candidates.end(),
            [](const Candidate& x, const Candidate& y) { return ConsumesBefore(x.lot, y.lot); });
  std::int64_t need = amount;
  for (const Candidate& c : candidates) {
    if (need == 0) break;
    const std::int64_t take = std::min(need, c.lot.remaining);
    Move(*c.account, c.lot.id, -1, -take);
    need -= take;
  }
  for (AccountPlanner* a : accounts) {
    if (need == 0) break;
    const std::int64_t take = std::min(need, a->credit_limit() + a->debt());
    if (take > 0) {
      Move(*a, LotId{}, -1, -take);
      need -= take;
    }
  }
  ONECARD_ASSERT(need == 0, "debit plan fell short after the availability check");
  return 0;
}

std::int64_t EntryPlan::Debit(AccountPlanner& account, std::int64_t amount) {
  AccountPlanner* one[] = {&account};
  return Debit(std::span<AccountPlanner* const>(one), amount);
}

void EntryPlan::Credit(AccountPlanner& account, std::int64_t amount, const LotSpec& spec) {
  RepayOrLot(account, amount, spec);
}

void EntryPlan::Restore(AccountPlanner& account, LotId lot, std::int64_t amount,
                        const LotSpec& fallback) {
  ONECARD_ASSERT(amount > 0, "restore of a non-positive amount");
  if (lot.valid()) {
    Move(account, lot, -1, amount);
  } else {
    RepayOrLot(account, amount, fallback);
  }
}

std::int64_t EntryPlan::TakeBack(AccountPlanner& account, LotId lot, std::int64_t amount) {
  ONECARD_ASSERT(amount > 0, "take-back of a non-positive amount");
  std::int64_t from_lot = 0;
  std::int64_t available_elsewhere = account.Available();
  if (lot.valid()) {
    if (const LotView* view = account.FindLot(lot)) {
      from_lot = std::min(amount, view->remaining);
      if (account.Usable(*view)) available_elsewhere -= view->remaining;
    }
  }
  const std::int64_t rest = amount - from_lot;
  if (rest > 0 && available_elsewhere < rest) return rest - available_elsewhere;
  if (from_lot > 0) Move(account, lot, -1, -from_lot);
  if (rest > 0) {
    const std::int64_t shortfall = Debit(account, rest);
    ONECARD_ASSERT(shortfall == 0, "take-back debit fell short after the availability check");
  }
  return 0;
}

std::int64_t EntryPlan::ExpireLots(AccountPlanner& account, Timestamp cutoff) {
  std::int64_t total = 0;
  const std::vector<LotView> lots = account.lots();
  for (const LotView& lot : lots) {
    if (lot.remaining > 0 && lot.expires_at && *lot.expires_at <= cutoff) {
      Move(account, lot.id, -1, -lot.remaining);
      total += lot.remaining;
    }
  }
  return total;
}

void EntryPlan::TransferAll(AccountPlanner& from, AccountPlanner& to) {
  ONECARD_ASSERT(from.asset() == to.asset(), "transfer between assets");
  const std::vector<LotView> lots = from.lots();
  for (const LotView& lot : lots) {
    if (lot.remaining <= 0) continue;
    Move(from, lot.id, -1, -lot.remaining);
    NewLotMove(to, lot.remaining,
               LotSpec{lot.expires_at, lot.source, lot.issuer_store,
                       lot.origin.valid() ? lot.origin : lot.id});
  }
  if (from.debt() < 0) {
    const std::int64_t debt = from.debt();
    Move(from, LotId{}, -1, -debt);
    Move(to, LotId{}, -1, debt);
  }
}

void EntryPlan::DropZeroPostings() {
  std::erase_if(postings_, [](const Posting& p) { return p.amount == 0; });
}

}  // namespace onecard::core
