// LedgerService: every use case that moves value, plus the reads of balances and history.
//
// Each change is one command through the Writer (one savepoint in a group commit) that writes
// exactly one journal entry, or nothing. Value-changing calls need an idempotency key
// (kIdempotencyKeyMissing otherwise); a replay returns the first receipt with `replayed` set.
// Amounts are in the asset's unit (points, fen, uses) and must be in (0, kAmountMax].
//
// Errors common to the calls: kCardNotFound; kCardInactive/Frozen/Lost/Closed/Replaced;
// kInsufficientBalance; kAmountNotPositive/kAmountTooLarge; kFieldInvalid for bad text;
// kIdempotencyConflict; storage errors. Thread-safe.
#pragma once

#include <functional>
#include <future>
#include <memory>
#include <optional>
#include <string>

#include "core/asset.hpp"
#include "core/time.hpp"
#include "service/clock.hpp"
#include "service/context.hpp"
#include "service/views.hpp"
#include "service/writer.hpp"
#include "storage/store.hpp"

namespace onecard::service {

class LedgerTxn;
class SystemAccountCache;

template <class T>
using Callback = std::function<void(core::Result<T>)>;

// Calls `start` with a callback and waits for the result it is given.
template <class T, class Start>
core::Result<T> Await(Start start) {
  std::promise<core::Result<T>> promise;
  start(Callback<T>([&](core::Result<T> r) { promise.set_value(std::move(r)); }));
  return promise.get_future().get();
}

struct EarnRequest {
  std::string card;
  core::Asset asset = core::Asset::kPoints;  // points or cashable_points
  std::int64_t amount = 0;
  std::optional<core::Timestamp> expires_at;  // none: never expires
  std::string doc_no;
  std::string reason;
};

struct SpendRequest {
  std::string card;
  core::AssetSelection selection = core::AssetSelection::kAnyPoints;  // points kinds only
  std::int64_t amount = 0;
  std::string doc_no;
  std::string reason;
};

// A manual correction: positive adds a lot, negative takes value; a reason is required.
struct AdjustRequest {
  std::string card;
  core::Asset asset = core::Asset::kPoints;
  std::int64_t amount = 0;  // signed, not 0
  std::optional<core::Timestamp> expires_at;
  std::string doc_no;
  std::string reason;
};

// Loads stored value or uses as the ledger sees it: `bonus` (≥ 0) is a separate bonus lot. Tills,
// the API and the command line go through StoredValueService, which applies the programme's
// [stored_value] rules (who, where, how much, the bonus plan, deposit tiers) and then loads.
struct TopUpRequest {
  std::string card;
  core::Asset asset = core::Asset::kStoredValue;
  std::int64_t amount = 0;
  std::int64_t bonus = 0;
  std::optional<core::Timestamp> expires_at;
  std::string doc_no;
  std::string reason;
};

// Pays with stored value, gift value or uses at the request's store.
struct PayRequest {
  std::string card;
  core::Asset asset = core::Asset::kStoredValue;
  std::int64_t amount = 0;
  std::string doc_no;
  std::string reason;
};

struct ReverseRequest {
  std::int64_t entry_id = 0;
  std::string reason;
};

struct HoldRequest {
  std::string card;
  core::AssetSelection selection = core::AssetSelection::kAnyPoints;
  std::int64_t amount = 0;
  std::int64_t timeout_seconds = 600;  // 1 s … 7 days
  std::string doc_no;
};

struct CaptureRequest {
  std::int64_t hold_id = 0;
  std::optional<std::int64_t> amount;  // none: the whole hold
};

struct VoidRequest {
  std::int64_t hold_id = 0;
  std::string reason;
};

struct CreditLimitRequest {
  std::string card;
  core::Asset asset = core::Asset::kStoredValue;
  std::int64_t limit = 0;  // ≥ 0
  std::string reason;
};

inline constexpr std::int64_t kHoldTimeoutMaxSeconds = 7 * 24 * 3600;

class LedgerService {
 public:
  LedgerService(storage::Store& store, const Clock& clock, Writer& writer);
  ~LedgerService();

  // Each use case comes in two forms: XAsync queues the command and calls `done` with its
  // durable result (on the writer thread, or at once on a validation error) without blocking;
  // X waits for it. `done` must be quick: hand the result on.
  void EarnAsync(const Request& req, const EarnRequest& r, Callback<EntryReceipt> done);
  void SpendAsync(const Request& req, const SpendRequest& r, Callback<EntryReceipt> done);
  void AdjustAsync(const Request& req, const AdjustRequest& r, Callback<EntryReceipt> done);
  void TopUpAsync(const Request& req, const TopUpRequest& r, Callback<EntryReceipt> done);
  void PayAsync(const Request& req, const PayRequest& r, Callback<EntryReceipt> done);
  void ReverseAsync(const Request& req, const ReverseRequest& r, Callback<EntryReceipt> done);
  void HoldAsync(const Request& req, const HoldRequest& r, Callback<HoldReceipt> done);
  void CaptureAsync(const Request& req, const CaptureRequest& r, Callback<HoldReceipt> done);
  void VoidAsync(const Request& req, const VoidRequest& r, Callback<HoldReceipt> done);

  core::Result<EntryReceipt> Earn(const Request& req, const EarnRequest& r);
  core::Result<EntryReceipt> Spend(const Request& req, const SpendRequest& r);
  core::Result<EntryReceipt> Adjust(const Request& req, const AdjustRequest& r);
  core::Result<EntryReceipt> TopUp(const Request& req, const TopUpRequest& r);
  core::Result<EntryReceipt> Pay(const Request& req, const PayRequest& r);
  // Undoes an entry exactly: the lots it took come back, the lots it made are taken back (or,
  // where already spent, other value is taken). Errors: kEntryNotFound, kEntryNotReversible (a
  // reversal, transfer, expiry… or hold entry), kEntryAlreadyReversed, kInsufficientBalance.
  core::Result<EntryReceipt> Reverse(const Request& req, const ReverseRequest& r);

  // Two-phase payments: a hold moves value into escrow at once; capture pays all or part
  // of it and returns the rest to the exact lots; void returns all. Errors: kHoldNotFound,
  // kHoldNotActive, kHoldExpired (capture after the timeout), kCaptureExceedsHold.
  core::Result<HoldReceipt> Hold(const Request& req, const HoldRequest& r);
  core::Result<HoldReceipt> Capture(const Request& req, const CaptureRequest& r);
  core::Result<HoldReceipt> Void(const Request& req, const VoidRequest& r);
  // Voids every hold whose timeout has passed (status "expired"); safe to run at any time.
  // Returns how many were released.
  core::Result<std::int64_t> ReleaseDueHolds();

  // Writes off lots that expire by the end of the tenant's business date `as_of`, one
  // entry per account; running it again changes nothing. Error: kInvalidArgument when that date
  // has not ended yet in the tenant's time zone.
  core::Result<ExpiryReport> Expire(const Request& req, core::CivilDate as_of);

  // Sets how far below zero a card account may go (member credit, R-502).
  // Error: kCreditLimitBelowDebt when the account already owes more.
  core::Result<AssetBalance> SetCreditLimit(const Request& req, const CreditLimitRequest& r);

  core::Result<CardBalances> Balance(const TenantRef& tenant, std::string_view card);
  // A card's (or, with an empty card, a member's) journal lines, newest first.
  core::Result<HistoryPage> History(const TenantRef& tenant, std::string_view card,
                                    core::MemberId member, core::EntryId before, int limit);
  core::Result<EntryReceipt> Entry(const TenantRef& tenant, core::EntryId id);
  // A hold as it is now, with the entry that opened it. Error: kHoldNotFound.
  core::Result<HoldReceipt> ShowHold(const TenantRef& tenant, std::int64_t hold_id);

 private:
  // A validated command: its content digest and what it does inside the writer's transaction.
  template <class T>
  struct Prepared {
    std::string digest;
    std::function<core::Result<T>(LedgerTxn&)> run;
  };
  core::Result<Prepared<EntryReceipt>> PrepareEarn(const Request& req, const EarnRequest& r);
  core::Result<Prepared<EntryReceipt>> PrepareSpend(const Request& req, const SpendRequest& r);
  core::Result<Prepared<EntryReceipt>> PrepareAdjust(const Request& req, const AdjustRequest& r);
  core::Result<Prepared<EntryReceipt>> PrepareTopUp(const Request& req, const TopUpRequest& r);
  core::Result<Prepared<EntryReceipt>> PreparePay(const Request& req, const PayRequest& r);
  core::Result<Prepared<EntryReceipt>> PrepareReverse(const Request& req, const ReverseRequest& r);
  core::Result<Prepared<HoldReceipt>> PrepareHold(const Request& req, const HoldRequest& r);
  core::Result<Prepared<HoldReceipt>> PrepareCapture(const Request& req, const CaptureRequest& r);
  core::Result<Prepared<HoldReceipt>> PrepareVoid(const Request& req, const VoidRequest& r);
  // Queues a prepared command (checking the idempotency key first), or answers its error.
  template <class T>
  void Submit(const Request& req, core::Result<Prepared<T>> prepared, Callback<T> done,
              std::shared_ptr<storage::AuditRecord> audit);

  storage::Store& store_;
  const Clock& clock_;
  Writer& writer_;
  std::unique_ptr<SystemAccountCache> accounts_;  // used on the writer thread only
};

}  // namespace onecard::service
