// CheckoutService: a sale at the till (issue #5, first part; issue #4 items 3 and 5).
//
// A quote prices a basket for a member with the programme version in force and says what the
// member may pay with points; it changes nothing. A settle does the same inside one write and
// then, all or nothing: takes the points and stored value tendered, earns points on what was
// paid with anything but points, records the sale (lines, tenders, the version that priced it,
// the explanation) and moves the member's state on (spend and points to date, the remainder
// carried, the tier with a history line naming the receipt). External tenders (cash, bank card,
// wallets) are recorded, not moved. A walk-in sale (no card) is priced at list and recorded.
//
//   SaleSpec s{.card = "8800001", .lines = basket, .doc_no = "R-1001"};
//   s.tenders = {{.method = "points", .points = 1000}, {.method = "cash", .amount = 9000}};
//   Result<SaleView> sale = checkout.Settle(request_at_store, s);
//
// Settle needs an idempotency key and a store; the receipt number is unique per store (a second
// sale with the same number is refused, whatever its key). Thread-safe.
#pragma once

#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "core/programme.hpp"
#include "service/clock.hpp"
#include "service/context.hpp"
#include "service/json.hpp"
#include "service/ledger_service.hpp"
#include "service/programme_service.hpp"
#include "service/writer.hpp"
#include "storage/store.hpp"

namespace onecard::service {

class SystemAccountCache;

// One way of paying: "points" (points given), "stored_value" (fen from the card's stored value),
// or an external method recorded as received — cash, bank_card, wechat, alipay, other.
struct TenderSpec {
  std::string method;
  std::int64_t amount = 0;  // fen; for points, worked out from the points at the tier's value
  std::int64_t points = 0;  // method "points"
  std::string reference;    // bank slip, wallet transaction… (up to 64 bytes)
};

struct SaleSpec {
  std::string card;  // "" = a walk-in sale
  std::vector<core::BasketLine> lines;
  std::vector<TenderSpec> tenders;  // settle: they must add up to the amount due
  std::string doc_no;               // the till's receipt number (settle: required)
};

struct SaleLineView {
  std::string sku;
  std::int64_t quantity = 0;
  std::int64_t unit_price = 0;
  std::int64_t list = 0;
  std::int64_t discount = 0;
  std::int64_t paid = 0;
  std::int64_t points = 0;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(SaleLineView, sku, quantity, unit_price, list, discount, paid,
                                   points)

struct TenderView {
  std::string method;
  std::int64_t amount = 0;
  std::int64_t points = 0;
  std::string reference;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(TenderView, method, amount, points, reference)

// What points may pay of this basket (a quote).
struct PointsLeftView {
  std::int64_t balance = 0;     // points the member holds that may be spent now
  std::string point_value;      // yuan a point is worth at the tier ("0.01")
  std::int64_t max_points = 0;  // points that may pay part of this basket
  std::int64_t max_value = 0;   // fen those points pay
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(PointsLeftView, balance, point_value, max_points, max_value)

// A sale (settled) or a quote (id 0). Amounts in fen.
struct SaleView {
  std::int64_t id = 0;
  std::string doc_no;
  std::string store;
  std::string staff;
  core::Timestamp at;
  core::CivilDate business_date;
  std::int64_t member_id = 0;  // 0: walk-in
  std::string card;
  std::optional<int> programme_version;
  std::string tier_before;  // the member's tier before the sale
  std::string tier;         // priced at
  std::string tier_after;
  std::string tier_reason;
  std::vector<SaleLineView> lines;
  std::int64_t list_total = 0;
  std::int64_t discount_total = 0;
  std::int64_t due = 0;
  std::vector<TenderView> tenders;
  std::int64_t points_earned = 0;
  std::string point_asset;
  std::optional<core::CivilDate> points_expire_on;
  std::int64_t points_spent = 0;
  std::int64_t points_value = 0;
  std::int64_t entry_id = 0;  // 0: nothing moved on the card
  // Balances after the sale (a quote: now), for the receipt.
  std::optional<std::int64_t> points_balance;
  std::optional<std::int64_t> stored_value_balance;
  std::optional<PointsLeftView> points_left;  // a quote for a member
  std::vector<std::string> explain;
  bool replayed = false;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(SaleView, id, doc_no, store, staff, at, business_date, member_id,
                                   card, programme_version, tier_before, tier, tier_after,
                                   tier_reason, lines, list_total, discount_total, due, tenders,
                                   points_earned, point_asset, points_expire_on, points_spent,
                                   points_value, entry_id, points_balance, stored_value_balance,
                                   points_left, explain)

class CheckoutService {
 public:
  CheckoutService(storage::Store& store, const Clock& clock, Writer& writer,
                  ProgrammeService& programmes);
  ~CheckoutService();

  // Prices the basket as a settle now would, without tenders being required or anything
  // written. Errors: kCardNotFound and the card-state errors; kProgrammeNotFound when no version
  // is in force; the basket's errors (kFieldInvalid naming the line).
  core::Result<SaleView> Quote(const Request& req, const SaleSpec& spec);

  // Settles the sale atomically. Errors, besides Quote's: kIdempotencyKeyMissing;
  // kInvalidArgument when the sale is not at a store, a tender is unknown or repeated, the
  // tenders do not add up to the amount due, or points pay more than the programme allows;
  // kInsufficientBalance; kCodeTaken for a receipt number the store has used;
  // kIdempotencyConflict. Nothing is written on any error.
  core::Result<SaleView> Settle(const Request& req, const SaleSpec& spec);
  // Settle without blocking: `done` gets the durable result on the writer thread (or at once on
  // a validation error) and must be quick.
  void SettleAsync(const Request& req, const SaleSpec& spec, Callback<SaleView> done);

  // A recorded sale. Error: kSaleNotFound (also for a sale of another tenant).
  core::Result<SaleView> Get(const TenantRef& tenant, std::int64_t id);

 private:
  struct Prepared {
    std::string digest;
    std::function<core::Result<SaleView>(storage::WriteTxn&)> run;
  };
  core::Result<Prepared> PrepareSettle(const Request& req, const SaleSpec& spec);

  storage::Store& store_;
  const Clock& clock_;
  Writer& writer_;
  ProgrammeService& programmes_;
  std::unique_ptr<SystemAccountCache> accounts_;
};

// Tenders as JSON: [{"method", "amount" (fen), "points", "reference"}, …]. Errors
// (kFieldInvalid, kFieldUnknown) name the field ("tenders[1].amount").
core::Result<std::vector<TenderSpec>> TendersFromJson(const nlohmann::json& tenders,
                                                      std::string_view field);

}  // namespace onecard::service
