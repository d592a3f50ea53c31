// CouponService: coupon campaigns and their coupons (issue #5 item 8, R-504).
//
// A campaign says what its coupons take off (core/coupon.hpp: a percentage with an optional cap,
// or a fixed amount; a minimum spend; the SKUs, categories and stores; never bundles), when
// (valid_from … valid_until, local dates; an issued coupon may be limited to `valid_days` from
// its issue) and how often: uses per coupon, uses per member, uses in all, and a budget of
// discount in fen. Its coupons are one shared promo code ("SPRING10"), or unique codes made here
// — issued to a member, or as an anonymous batch of bearer coupons — of 80 random bits, shown in
// the reply that made them and stored only as SHA-256 of the normalised code. A member's own
// coupons may be used by id once the member's card is presented; nobody else's can.
//
// Checkout (service/checkout_service.cpp) locates the codes a till sends (LocateCoupons: an
// unknown code is counted against the principal and client address; `max_failures_per_client`
// of them within `lockout` lock that till out of coupon codes), checks them inside its write
// (HoldCoupons), prices with their terms and records each use next to the sale (RedeemCoupons),
// atomically with the sale. A return of everything the sale sold restores the uses when the
// campaign says so (RestoreCoupons).
//
//   CouponService coupons(store, clock, writer, {});
//   coupons.CreateCampaign(req, {.code = "spring", .name = "Spring", .kind = "fixed",
//                                .amount_off = 1000, .min_spend = 10000});
//   coupons.Issue(req, "spring", {.card = "880000000013"});
//
// Thread-safe.
#pragma once

#include <chrono>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "core/coupon.hpp"
#include "service/clock.hpp"
#include "service/context.hpp"
#include "service/json.hpp"
#include "service/writer.hpp"
#include "storage/store.hpp"

namespace onecard::service {

struct CouponOptions {
  int max_failures_per_client = 20;
  std::chrono::seconds lockout{30 * 60};
};

struct CampaignSpec {
  std::string code;
  std::string name;
  std::string kind;             // percent | fixed
  std::string percent_off;      // percent: "15", "12.5"
  std::int64_t amount_off = 0;  // fixed: fen
  std::int64_t max_discount = 0;
  std::int64_t min_spend = 0;
  std::vector<std::string> skus;
  std::vector<std::string> categories;
  std::vector<std::string> stores;
  std::optional<core::CivilDate> valid_from;  // default: today
  std::optional<core::CivilDate> valid_until;
  std::int64_t valid_days = 0;
  std::string promo_code;                       // "": unique codes
  std::optional<std::int64_t> uses_per_coupon;  // default 1 (unique), 0 = no limit (promo code)
  std::int64_t per_member_limit = 0;
  std::int64_t total_limit = 0;
  std::int64_t budget = 0;
  bool restore_on_return = true;
};

struct CampaignView {
  std::int64_t id = 0;
  std::string code;
  std::string name;
  std::string kind;
  std::optional<std::string> percent_off;
  std::int64_t amount_off = 0;
  std::int64_t max_discount = 0;
  std::int64_t min_spend = 0;
  std::vector<std::string> skus;
  std::vector<std::string> categories;
  std::vector<std::string> stores;
  core::CivilDate valid_from;
  std::optional<core::CivilDate> valid_until;
  std::int64_t valid_days = 0;
  std::string promo_code;
  std::int64_t uses_per_coupon = 0;
  std::int64_t per_member_limit = 0;
  std::int64_t total_limit = 0;
  std::int64_t budget = 0;
  std::optional<std::int64_t> budget_left;
  bool restore_on_return = true;
  std::string state;
  std::int64_t issued = 0;
  std::int64_t used = 0;
  std::int64_t discount_given = 0;
  std::string terms;  // "¥10 off on ¥100 or more"
  std::string created_by;
  core::Timestamp created_at;
  bool replayed = false;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(CampaignView, id, code, name, kind, percent_off, amount_off,
                                   max_discount, min_spend, skus, categories, stores, valid_from,
                                   valid_until, valid_days, promo_code, uses_per_coupon,
                                   per_member_limit, total_limit, budget, budget_left,
                                   restore_on_return, state, issued, used, discount_given, terms,
                                   created_by, created_at)

// Issuing: to the member of `card` (1–100 coupons), or `count` bearer coupons (1–10,000).
struct IssueSpec {
  std::string card;
  std::int64_t count = 1;
};

struct CouponRedemptionView {
  std::int64_t sale_id = 0;
  std::int64_t discount = 0;
  core::Timestamp at;
  std::optional<std::int64_t> return_id;  // the return that restored the use
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(CouponRedemptionView, sale_id, discount, at, return_id)

struct CouponView {
  std::int64_t id = 0;
  std::string campaign;
  std::string name;
  std::string terms;
  std::string code;  // in the reply that made it only
  std::string hint;  // "…R4TE"
  std::int64_t member_id = 0;
  core::CivilDate valid_from;
  std::optional<core::CivilDate> valid_until;
  std::int64_t used = 0;
  std::optional<std::int64_t> uses_left;  // nullopt: no limit
  std::string state;                      // active | void
  bool usable = false;                    // today, as far as the coupon alone goes
  std::string issued_by;
  core::Timestamp issued_at;
  std::vector<CouponRedemptionView> redemptions;  // a single coupon's view
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(CouponView, id, campaign, name, terms, code, hint, member_id,
                                   valid_from, valid_until, used, uses_left, state, usable,
                                   issued_by, issued_at, redemptions)

struct IssueView {
  std::string campaign;
  std::string card;
  std::int64_t member_id = 0;
  std::vector<CouponView> coupons;
  std::string codes;  // "shown once" | "not shown again"
  bool replayed = false;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(IssueView, campaign, card, member_id, coupons, codes)

struct CouponPage {
  std::vector<CouponView> items;
  std::optional<std::int64_t> next_after;
};

// What a code is, for the till that checks one.
struct CouponCheckView {
  std::string campaign;
  std::string name;
  std::string terms;
  std::string kind;  // promo_code | coupon
  std::optional<std::int64_t> coupon_id;
  std::string hint;
  std::int64_t member_id = 0;  // a member's own coupon: whose
  std::optional<core::CivilDate> valid_until;
  bool usable = false;
  std::string reason;  // why not, when not
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(CouponCheckView, campaign, name, terms, kind, coupon_id, hint,
                                   member_id, valid_until, usable, reason)

// ----- what checkout uses -----

// A coupon a till names: a code (unique or promo), or the id of the member's own coupon.
struct CouponUse {
  std::string code;
  std::int64_t id = 0;
};

// Where a named coupon was found (before the write).
struct CouponRef {
  std::int64_t campaign = 0;
  std::int64_t coupon = 0;  // 0: the campaign's promo code
};

// A coupon checked inside the write, ready to price and record.
struct HeldCoupon {
  storage::CouponCampaignRecord campaign;
  std::optional<storage::CouponRecord> coupon;
  core::CouponTerms terms;
};

// A use of a coupon on a receipt.
struct SaleCouponView {
  std::string campaign;
  std::string name;
  std::optional<std::int64_t> coupon_id;
  std::string hint;  // a unique coupon's last characters; a promo code in full
  std::int64_t discount = 0;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(SaleCouponView, campaign, name, coupon_id, hint, discount)

class CouponService {
 public:
  CouponService(storage::Store& store, const Clock& clock, Writer& writer, CouponOptions options);

  // Errors: kCodeMalformed, kFieldInvalid (naming the field: kind and its amount, dates, limits,
  // a promo code's shape), kCategoryNotFound, kStoreNotFound, kProductNotFound, kCodeTaken (the
  // code or promo code is in use), kIdempotencyKeyMissing, kIdempotencyConflict.
  core::Result<CampaignView> CreateCampaign(const Request& req, const CampaignSpec& spec);
  core::Result<std::vector<CampaignView>> ListCampaigns(const TenantRef& tenant);
  // Error: kCouponCampaignNotFound.
  core::Result<CampaignView> GetCampaign(const TenantRef& tenant, std::string_view code);
  // Stops (no more issuing or use) or resumes a campaign. Errors: kCouponCampaignNotFound,
  // kFieldInvalid for another state.
  core::Result<CampaignView> SetCampaignState(const Request& req, std::string_view code,
                                              std::string_view state);
  // Makes unique coupons; their codes are in this reply only. Errors: kCouponCampaignNotFound;
  // kInvalidArgument (a promo-code campaign, a count out of range); kCouponVoid (stopped);
  // kCouponExpired (the campaign has ended); kCardNotFound, kCardHasNoMember; kCouponUsedUp
  // (the member would hold more than the per-member limit); kIdempotencyKeyMissing,
  // kIdempotencyConflict.
  core::Result<IssueView> Issue(const Request& req, std::string_view campaign,
                                const IssueSpec& spec);
  // A campaign's coupons (a member's, given a card), by id after `after`.
  core::Result<CouponPage> ListCoupons(const TenantRef& tenant, std::string_view campaign,
                                       std::string_view card, std::int64_t after, int limit);
  // Error: kCouponNotFound.
  core::Result<CouponView> GetCoupon(const TenantRef& tenant, std::int64_t id);
  // Voids a coupon: it can no longer be used. Errors: kCouponNotFound, kCouponVoid (already).
  core::Result<CouponView> Void(const Request& req, std::int64_t id);
  // What a code is and whether it may be used today (an unknown code is counted as a guess).
  // Errors: kCouponNotFound, kCouponClientLocked.
  core::Result<CouponCheckView> Check(const Request& req, std::string_view code);
  // The member's coupons that may be used today, soonest to end first.
  core::Result<std::vector<CouponView>> UsableOf(const TenantRef& tenant, core::MemberId member,
                                                 core::CivilDate today);

  // Finds the coupons a till names, off the writer. An unknown code is recorded as a guess
  // before the error. Errors (naming "coupons[i]"): kFieldInvalid (neither or both of code and
  // id, the same coupon twice), kCouponNotFound, kCouponClientLocked.
  core::Result<std::vector<CouponRef>> Locate(const Request& req,
                                              const std::vector<CouponUse>& uses);

 private:
  core::Status RecordGuess(const Request& req, std::string_view code);

  storage::Store& store_;
  const Clock& clock_;
  Writer& writer_;
  CouponOptions options_;
};

// Inside a checkout's transaction: checks each located coupon for a sale by `member` (invalid:
// a walk-in) on `date` — campaign and coupon in use and in date, the member's own (a coupon
// issued to a member serves only that member), uses left on the coupon, for the member and in
// all, one coupon per campaign — and gives the terms to price with. Errors naming "coupons[i]":
// kCouponNotFound, kCouponVoid, kCouponExpired, kCouponUsedUp, kCouponNotApplicable.
core::Result<std::vector<HeldCoupon>> HoldCoupons(storage::ReadTxn& txn, core::TenantId tenant,
                                                  const std::vector<CouponRef>& refs,
                                                  core::MemberId member, core::CivilDate date);
// Refuses (kCouponUsedUp) a discount beyond what is left of a campaign's budget.
core::Status CheckCouponBudgets(const std::vector<HeldCoupon>& held,
                                const std::vector<std::int64_t>& discounts);
// The held coupons as a quote's receipt shows them, with what each took off.
std::vector<SaleCouponView> QuotedCoupons(const std::vector<HeldCoupon>& held,
                                          const std::vector<std::int64_t>& discounts);
// Records the uses at the sale and moves the counters on; returns the receipt's lines.
core::Result<std::vector<SaleCouponView>> RedeemCoupons(storage::WriteTxn& txn,
                                                        std::vector<HeldCoupon>& held,
                                                        const std::vector<std::int64_t>& discounts,
                                                        std::int64_t sale, core::MemberId member,
                                                        core::Timestamp at);
// The uses recorded at a sale, for its receipt; given `restored_by`, those that return restored.
core::Result<std::vector<SaleCouponView>> CouponsOfSale(
    storage::ReadTxn& txn, core::TenantId tenant, std::int64_t sale,
    std::optional<std::int64_t> restored_by = std::nullopt);
// After the return `return_id` took back the last of the sale: restores the sale's coupon uses
// whose campaign says so, and returns them.
core::Result<std::vector<SaleCouponView>> RestoreCoupons(storage::WriteTxn& txn,
                                                         core::TenantId tenant, std::int64_t sale,
                                                         std::int64_t return_id);

// A held sale voided or expired: its coupon uses no longer count (marked voided, the counters
// moved back), whatever the campaign says about returns.
core::Status VoidCoupons(storage::WriteTxn& txn, core::TenantId tenant, std::int64_t sale);

}  // namespace onecard::service
