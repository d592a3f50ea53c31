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
#include "service/coupon_service.hpp"
#include "service/json.hpp"
#include "service/ledger_service.hpp"
#include "service/programme_service.hpp"
#include "service/writer.hpp"
#include "storage/store.hpp"

namespace onecard::service {

class SystemAccountCache;
class GiftCardService;

// One way of paying: "points" (points given), "stored_value" (fen from the card's stored value),
// "gift_card" (fen from a gift card, with its PIN; several gift cards may pay one sale), or an
// external method recorded as received — cash, bank_card, wechat, alipay, other.
struct TenderSpec {
  std::string method;
  std::int64_t amount = 0;  // fen; for points, worked out from the points at the tier's value
  std::int64_t points = 0;  // method "points"
  std::string reference;    // bank slip, wallet transaction… (up to 64 bytes)
  std::string card;         // method "gift_card": its number
  std::string pin;          // method "gift_card": its PIN (settle only; never stored)
};

struct SaleSpec {
  std::string card;  // "" = a walk-in sale
  std::vector<core::BasketLine> lines;
  std::vector<TenderSpec> tenders;  // settle: they must add up to the amount due
  std::string doc_no;               // the till's receipt number (settle: required)
  std::vector<CouponUse> coupons;   // applied in order, after the tier's prices
};

struct SaleLineView {
  int line = 0;  // 1, 2, … as a return names it
  std::string sku;
  std::int64_t quantity = 0;
  std::int64_t unit_price = 0;
  std::int64_t list = 0;
  std::int64_t discount = 0;
  std::int64_t paid = 0;
  std::int64_t points = 0;
  std::int64_t returned = 0;  // quantity returned so far
  std::string pass;           // the count card or pass that paid for the line ("" none)
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(SaleLineView, line, sku, quantity, unit_price, list, discount,
                                   paid, points, returned, pass)

struct TenderView {
  std::string method;
  std::int64_t amount = 0;
  std::int64_t points = 0;
  std::string reference;
  std::string card;                           // a gift card's number
  std::optional<std::int64_t> balance_after;  // a gift card's balance after the sale
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(TenderView, method, amount, points, reference, card,
                                   balance_after)

// What points may pay of this basket (a quote).
struct PointsLeftView {
  std::int64_t balance = 0;     // points the member holds that may be spent now
  std::string point_value;      // yuan a point is worth at the tier ("0.01")
  std::int64_t max_points = 0;  // points that may pay part of this basket
  std::int64_t max_value = 0;   // fen those points pay
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(PointsLeftView, balance, point_value, max_points, max_value)

// A return of the sale, in brief (GET of the return gives it whole).
struct SaleReturnBrief {
  std::int64_t id = 0;
  std::string doc_no;
  core::Timestamp at;
  std::int64_t refund = 0;  // fen handed or credited back (after any deduction)
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(SaleReturnBrief, id, doc_no, at, refund)

// A sale or a quote (id 0). Amounts in fen.
struct SaleView {
  std::int64_t id = 0;
  // "quote"; "settled"; a two-phase sale: "held" until "settled" (captured), "voided" or
  // "expired".
  std::string status;
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
  std::int64_t discount_total = 0;  // coupons included
  std::vector<SaleCouponView> coupons;
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
  std::vector<SaleReturnBrief> returns;  // a recorded sale: its returns, oldest first
  // A two-phase sale: until when the hold may be captured; when and why it was closed.
  std::optional<core::Timestamp> hold_expires_at;
  std::optional<core::Timestamp> closed_at;
  std::string close_reason;
  bool replayed = false;
  // The reply's JSON as the writer stored it (not part of the reply): the API answers with it
  // rather than encoding the sale again on the writer's thread.
  std::string encoded_reply;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(SaleView, id, status, doc_no, store, staff, at, business_date,
                                   member_id, card, programme_version, tier_before, tier,
                                   tier_after, tier_reason, lines, list_total, discount_total,
                                   coupons, due, tenders, points_earned, point_asset,
                                   points_expire_on, points_spent, points_value, entry_id,
                                   points_balance, stored_value_balance, points_left, explain,
                                   returns, hold_expires_at, closed_at, close_reason)

// How long a held sale may wait for its capture: 10 s … 24 h (default 5 minutes).
inline constexpr std::int64_t kSaleHoldDefaultSeconds = 300;
inline constexpr std::int64_t kSaleHoldMaxSeconds = 24 * 3600;

// The capture of a held sale: the sale, and references for its external tenders learnt since
// the hold (the bank terminal's slip number…), by the tender's place from 1.
struct CaptureSaleSpec {
  std::int64_t sale = 0;
  std::vector<std::pair<int, std::string>> references;
};

// The sale's JSON, as nlohmann's conversion gives it, written directly (a settle's reply is
// encoded on the writer thread on every call).
std::string EncodeReply(const SaleView& v);

// A return: the sale (by id, or by its receipt number at a store), the lines and quantities
// given back — or all that is left of the sale —, the return's own receipt number and why.
struct ReturnLineSpec {
  int line = 0;  // the sale's line, from 1
  std::int64_t quantity = 0;
};

struct ReturnSpec {
  std::int64_t sale = 0;
  std::string receipt;        // instead of `sale`: the sale's receipt number…
  std::string receipt_store;  // …at this store (default: the store taking the return)
  bool all = false;           // everything of the sale not yet returned
  std::vector<ReturnLineSpec> lines;
  std::string doc_no;  // the return's receipt number (unique per store)
  std::string reason;
};

struct ReturnLineView {
  int line = 0;
  std::string sku;
  std::int64_t quantity = 0;
  std::int64_t list = 0;
  std::int64_t discount = 0;
  std::int64_t paid = 0;    // the line's share of the refund
  std::int64_t points = 0;  // earned points of the line taken back (or short)
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(ReturnLineView, line, sku, quantity, list, discount, paid,
                                   points)

// What goes back to one of the sale's tenders: external ones are handed back by the till, points
// and stored value are restored on the card.
struct ReturnTenderView {
  int seq = 0;  // the sale's tender, from 1
  std::string method;
  std::int64_t amount = 0;    // fen: the tender's share of the refund
  std::int64_t deducted = 0;  // fen kept back for points already spent
  std::int64_t refund = 0;    // amount − deducted
  std::int64_t points = 0;    // method "points": points restored
  std::string reference;
  std::string card;  // method "gift_card": the card the refund goes back onto
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(ReturnTenderView, seq, method, amount, deducted, refund, points,
                                   reference, card)

struct ReturnView {
  std::int64_t id = 0;
  std::int64_t sale_id = 0;
  std::string sale_doc_no;
  std::string sale_store;
  std::string doc_no;
  std::string store;
  std::string staff;
  core::Timestamp at;
  core::CivilDate business_date;
  std::string reason;
  std::int64_t member_id = 0;  // 0: a walk-in sale
  std::string card;
  std::vector<ReturnLineView> lines;
  std::int64_t refund_total = 0;  // fen: the returned lines' share of what was paid
  std::int64_t deducted = 0;
  std::int64_t refund = 0;  // refund_total − deducted
  std::vector<ReturnTenderView> tenders;
  std::int64_t points_restored = 0;    // tendered points given back
  std::int64_t points_taken_back = 0;  // earned points taken back
  std::int64_t points_short = 0;       // earned points already spent (see deducted)
  std::string tier_before;
  std::string tier_after;
  std::int64_t entry_id = 0;
  std::optional<std::int64_t> points_balance;  // after the return (a member's sale)
  std::optional<std::int64_t> stored_value_balance;
  std::vector<SaleCouponView> coupons_restored;  // the sale's coupon uses given back
  std::vector<std::string> explain;
  bool replayed = false;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(ReturnView, id, sale_id, sale_doc_no, sale_store, doc_no, store,
                                   staff, at, business_date, reason, member_id, card, lines,
                                   refund_total, deducted, refund, tenders, points_restored,
                                   points_taken_back, points_short, tier_before, tier_after,
                                   entry_id, points_balance, stored_value_balance, coupons_restored,
                                   explain)

class CheckoutService {
 public:
  CheckoutService(storage::Store& store, const Clock& clock, Writer& writer,
                  ProgrammeService& programmes, GiftCardService& gifts, CouponService& coupons);
  ~CheckoutService();

  // Prices the basket as a settle now would, without tenders being required or anything
  // written. Errors: kCardNotFound and the card-state errors; kProgrammeNotFound when no version
  // is in force; the basket's errors (kFieldInvalid naming the line).
  core::Result<SaleView> Quote(const Request& req, const SaleSpec& spec);

  // Settles the sale atomically. Gift-card PINs are checked first (off the writer; a wrong one
  // is counted even though the sale is refused). Errors, besides Quote's: kIdempotencyKeyMissing;
  // the gift-card errors (GiftCardService::CheckPin, kGiftCardExpired);
  // kInvalidArgument when the sale is not at a store, a tender is unknown or repeated, the
  // tenders do not add up to the amount due, or points pay more than the programme allows;
  // kInsufficientBalance; kCodeTaken for a receipt number the store has used;
  // kIdempotencyConflict. Nothing is written on any error.
  core::Result<SaleView> Settle(const Request& req, const SaleSpec& spec);
  // Settle without blocking: `done` gets the durable result on the writer thread (or at once on
  // a validation error) and must be quick.
  void SettleAsync(const Request& req, const SaleSpec& spec, Callback<SaleView> done);

  // Two-phase settle (issue #5 item 4): Hold does all that Settle does — the same pricing,
  // checks and errors, the receipt number taken — but the points, stored value, gift-card value
  // and count-card uses tendered go into escrow, the coupons and pass visits are reserved, and
  // nothing is earned yet: the sale is "held" for `timeout_seconds` (10 s … 24 h). Capture makes
  // it the sale it would have been (escrow to the store, the points priced at the hold earned,
  // the member's state and tier moved on); Void puts everything back exactly. A hold not
  // captured in time is voided by ReleaseDueSales (status "expired"). Errors of Capture and
  // Void: kIdempotencyKeyMissing; kSaleNotFound; kHoldNotActive (the sale is not held);
  // kHoldExpired (a capture after the timeout); kFieldInvalid (a reference names no external
  // tender); kIdempotencyConflict.
  core::Result<SaleView> Hold(const Request& req, const SaleSpec& spec,
                              std::int64_t timeout_seconds);
  void HoldAsync(const Request& req, const SaleSpec& spec, std::int64_t timeout_seconds,
                 Callback<SaleView> done);
  core::Result<SaleView> Capture(const Request& req, const CaptureSaleSpec& spec);
  void CaptureAsync(const Request& req, const CaptureSaleSpec& spec, Callback<SaleView> done);
  core::Result<SaleView> Void(const Request& req, std::int64_t sale, const std::string& reason);
  void VoidAsync(const Request& req, std::int64_t sale, const std::string& reason,
                 Callback<SaleView> done);
  // Voids every held sale whose hold has run out (status "expired"); safe to run at any time.
  // Returns how many.
  core::Result<std::int64_t> ReleaseDueSales();

  // A recorded sale. Error: kSaleNotFound (also for a sale of another tenant).
  core::Result<SaleView> Get(const TenantRef& tenant, std::int64_t id);
  // The id and store code of the sale a return names (for scope checks). Error: kSaleNotFound.
  core::Result<std::pair<std::int64_t, std::string>> FindSale(const Request& req,
                                                              const ReturnSpec& spec);

  // Takes goods back, atomically (service/checkout_return.cpp): each returned line's share of
  // what was paid, of its discount and of the points it earned (in proportion to the quantity
  // left, rounded half up; the last return of a line takes exactly what is left) is refunded
  // over the sale's tenders in proportion to what each has left to refund (largest
  // remainders); tendered points and stored value go back to the lots they came from, latest
  // taken first; earned points are taken back from the lot they made, then from the member's
  // other points. Points the member has spent meanwhile follow the programme's
  // [returns] points_already_spent: forbid (refused) or deduct_from_refund (their worth at the
  // sale's tier is kept back from the money refunded). The member's spend and points to date
  // shrink; a tier the sale reached is taken back when what is left no longer reaches it.
  // Errors: kIdempotencyKeyMissing; kInvalidArgument (no store, no receipt number or reason,
  // lines malformed); kSaleNotFound; kReturnExceedsSale (more of a line than is left);
  // kSaleAlreadyReturned (nothing left to return); kCodeTaken for a receipt number the store has
  // used; kInsufficientBalance (points spent, policy forbid; or a deduction beyond the money
  // refunded); the card-state errors; kIdempotencyConflict. Nothing is written on any error.
  core::Result<ReturnView> Return(const Request& req, const ReturnSpec& spec);
  void ReturnAsync(const Request& req, const ReturnSpec& spec, Callback<ReturnView> done);
  // A recorded return. Error: kSaleNotFound (naming the return) for an unknown id.
  core::Result<ReturnView> GetReturn(const TenantRef& tenant, std::int64_t id);

 private:
  struct Prepared {
    std::string digest;
    std::function<core::Result<SaleView>(storage::WriteTxn&)> run;
  };
  // `hold_seconds`: a held sale (Hold), none: Settle.
  core::Result<Prepared> PrepareSettle(const Request& req, const SaleSpec& spec,
                                       std::optional<std::int64_t> hold_seconds);
  // The capture (`capture`) or the void of a held sale, as a write.
  enum class Close : std::uint8_t { kCapture, kVoid, kExpire };
  core::Result<Prepared> PrepareClose(const Request& req, std::int64_t sale, Close how,
                                      std::vector<std::pair<int, std::string>> references,
                                      std::string reason);
  struct PreparedReturn {
    std::string digest;
    std::function<core::Result<ReturnView>(storage::WriteTxn&)> run;
  };
  core::Result<PreparedReturn> PrepareReturn(const Request& req, const ReturnSpec& spec);

  storage::Store& store_;
  const Clock& clock_;
  Writer& writer_;
  ProgrammeService& programmes_;
  GiftCardService& gifts_;
  CouponService& coupons_;
  std::unique_ptr<SystemAccountCache> accounts_;
};

// Tenders as JSON: [{"method", "amount" (fen), "points", "reference"}, …]. Errors
// (kFieldInvalid, kFieldUnknown) name the field ("tenders[1].amount").
// Returned lines as JSON: [{"line", "quantity"}, …]. Errors name the field ("lines[0].line").
core::Result<std::vector<ReturnLineSpec>> ReturnLinesFromJson(const nlohmann::json& lines,
                                                              std::string_view field);

core::Result<std::vector<TenderSpec>> TendersFromJson(const nlohmann::json& tenders,
                                                      std::string_view field);
// Coupons as JSON: ["CODE", {"code": "CODE"}, {"id": 12}, …]. Errors name the field
// ("coupons[1].id").
core::Result<std::vector<CouponUse>> CouponUsesFromJson(const nlohmann::json& coupons,
                                                        std::string_view field);

}  // namespace onecard::service
