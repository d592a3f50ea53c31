// A loyalty programme as data (issue #4), and its evaluator.
//
// A Programme is what a programme document (docs/programmes.md, parsed by src/programme/) says:
// tiers with entry conditions and benefits, earning rates and their overrides, multipliers,
// fixed bonuses, point kind and expiry. Evaluate() is a pure function of (programme, member
// state, basket, store, local time): it prices the basket at the member's tier, computes the
// points to earn and the tier the purchase qualifies for, and explains every decision in one
// line each. It reads no clock, opens no file and parses nothing; the service layer supplies the
// local date and time in the tenant's zone and turns the result into journal entries.
//
//   Result<Evaluation> e = Evaluate(programme, member, lines, {.date = d, .store = "sh01"});
//   for (const std::string& why : e->explain) std::cout << why << '\n';
//
// Money is fen, rates are exact ratios, and every rounding is named. Thread-safe: plain values.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/asset.hpp"
#include "core/coupon.hpp"
#include "core/money.hpp"
#include "core/result.hpp"
#include "core/time.hpp"

namespace onecard::core {

// An exact non-negative ratio: 1.2 is 6/5, "5%" is 1/20, "1 point per ¥100" is 1/10000 per fen.
struct Ratio {
  std::int64_t num = 0;
  std::int64_t den = 1;
  bool IsZero() const { return num == 0; }
  // "6/5" → "1.2" when the decimal is short and exact, else "num/den".
  std::string ToString() const;
};
bool operator==(const Ratio& a, const Ratio& b);  // by value: 2/4 == 1/2
bool operator<(const Ratio& a, const Ratio& b);
// The product, reduced. Error: kAmountTooLarge when it does not fit.
Result<Ratio> Multiply(const Ratio& a, const Ratio& b);

enum class ExpiryKind : std::uint8_t {
  kNever,
  kRollingMonths,  // N months after the day earned, to the end of that day
  kFiscalYear,     // to the end of the fiscal year earned in (any start month)
};

struct ExpiryRule {
  ExpiryKind kind = ExpiryKind::kNever;
  int months = 0;       // kRollingMonths
  int start_month = 1;  // kFiscalYear: 1 = calendar year, 4 = April to March…
};

// The last day on which points earned on `earned` may be spent; nullopt when they never expire.
std::optional<CivilDate> ExpiryDate(const ExpiryRule& rule, CivilDate earned);

// A share taken off an item class's price at a tier ("labour" 20%, "parts" 0%…).
struct ClassDiscount {
  std::string item_class;
  Ratio off;
};

// A single purchase that qualifies for a tier, by the tier the member is in ("" = any lower).
struct SinglePurchase {
  std::string from_tier;
  std::int64_t amount = 0;  // fen paid in one purchase
};

// What a tier may take with points (P2's gift rights): gifts of some classes, so many times per
// period, so many items each time, and whether it may cash points out.
struct RedeemRights {
  std::vector<std::string>
      gift_classes;       // gift classes it may choose from; "*" = any; none: no gifts
  int per_period = 0;     // redemptions per period; 0 = no limit
  int items = 0;          // items per redemption; 0 = no limit
  bool cash_out = false;  // may cash out points ([redeem].cash_out)
};

// Upkeep judged at each review (P2): a tier whose member spent less than `spend` in the period
// just ended drops to `downgrade_to`. With `regain_by_spend`, spend since the downgrade reaching
// `spend` brings the member back (the purchase that crosses the line is still priced at the
// lower tier).
struct KeepUp {
  std::int64_t spend = 0;  // fen per review period; 0: no upkeep
  std::string downgrade_to;
  bool regain_by_spend = false;
};

// A yearly entitlement (P2's visits and gift pack), counted used/unused per year.
struct Perk {
  std::string code;
  std::string name;
  int per_year = 1;
  bool not_in_regain_year = false;  // none in a year the member regained the tier
};

struct TierRule {
  std::string code;
  std::string name;
  // Entry: any one condition qualifies; 0 / empty = not a way into this tier. The lowest tier
  // has none (every member starts there).
  std::int64_t cumulative_spend = 0;   // fen, over the member's counted purchases
  std::int64_t cumulative_points = 0;  // points earned
  std::vector<SinglePurchase> single_purchase;
  std::int64_t deposit = 0;  // fen of stored value topped up at once (P3's salon)
  std::int64_t fee = 0;      // fen, a paid membership (P0): granted by the joining document
  bool assigned = false;     // staff put members in this tier (P0's internal customers)
  // Whether the purchase that reaches this tier by a single purchase is priced and earns at it.
  bool reprice_qualifying_purchase = false;
  // Benefits.
  Ratio discount;  // off every item class not listed below
  std::vector<ClassDiscount> class_discounts;
  Ratio earn_multiplier{1, 1};
  Ratio point_value;  // fen a point is worth when spent (0: not spendable)
  RedeemRights redeem;
  KeepUp keep_up;
  std::vector<Perk> perks;
  Ratio referral_multiplier{1, 1};  // on the referral rewards a member of this tier earns (P1c)
};

enum class Period : std::uint8_t { kMonth, kYear };
std::string_view PeriodName(Period p);

// Spending points, programme-wide.
struct RedeemSettings {
  std::int64_t min_balance = 0;    // points a member must hold before any may be spent
  Ratio max_share{1, 1};           // share of a purchase's price points may pay (P3: 10%)
  Ratio cash_out_value;            // fen per point when cashed out (P1b: 60/100); 0: no cash-out
  Period period = Period::kMonth;  // the period of the tiers' per_period limits
};

// When tiers are reviewed: every `months` (12 or 6) from `start` (month, day) each year.
struct ReviewSettings {
  bool enabled = false;
  int months = 12;
  int start_month = 1;
  int start_day = 1;
};

// Rewards for bringing in members: when the referee registers (P1a), reaches a tier (P2's table
// by referee tier × referrer tier), or spends (P3's share). Multiplied by the referrer's tier's
// referral_multiplier.
struct ReferralRules {
  Asset asset = Asset::kPoints;
  std::int64_t on_registration = 0;
  Ratio share;  // points per fen the referee pays
  struct OnTier {
    std::string referee_tier;
    std::vector<std::pair<std::string, std::int64_t>> by_referrer_tier;  // "" = any other
  };
  std::vector<OnTier> on_tier;
};

// A rate of points per fen that replaces the base rate for some lines or members.
struct EarnOverride {
  enum class Scope : std::uint8_t { kProduct, kCategory, kStore, kTier };
  Scope scope = Scope::kProduct;
  std::string code;
  Ratio rate;  // points per fen; 0: lines in scope earn nothing
};
std::string_view ScopeName(EarnOverride::Scope scope);

struct Multiplier {
  enum class When : std::uint8_t {
    kBirthdayDay,    // the member's birthday (month and day)
    kBirthdayMonth,  // the month of the member's birthday
    kDates,          // listed days of the year (store anniversary, 1 May, 1 October…)
    kWeekly,         // listed weekdays, optionally between two times of day (member day)
  };
  std::string name;
  When when = When::kDates;
  std::vector<std::pair<int, int>> dates;  // (month, day)
  std::vector<int> weekdays;               // 1 = Monday … 7 = Sunday
  int from_minute = 0;                     // kWeekly: [from, to) in minutes after midnight
  int to_minute = 24 * 60;
  Ratio factor{1, 1};
  std::vector<std::string> tiers;   // empty: every tier
  std::vector<std::string> stores;  // empty: every store
};

enum class MultiplierCombination : std::uint8_t { kHighest, kMultiply };

// Points for an event rather than a purchase: registration, first card, sign-in, birthday,
// or a manual rule code (P0's "10 referral: 80 points").
struct FixedBonus {
  std::string event;  // registration | first_card | sign_in | birthday | rule:<code>
  std::string name;
  std::int64_t points = 0;  // 0 with `entered`: the amount is entered by staff
  bool entered = false;
};

// What a return does when points it must take back have been spent already (issue #5): refuse
// the return, or keep back from the refund what those points were worth at the sale's tier.
enum class SpentPointsPolicy : std::uint8_t { kForbid, kDeductFromRefund };
std::string_view SpentPointsPolicyName(SpentPointsPolicy p);

struct ReturnSettings {
  SpentPointsPolicy points_already_spent = SpentPointsPolicy::kForbid;
};

// Stored value: where and by whom top-ups are taken, and the bonus a top-up earns.

// A bonus plan: for top-ups by members of `tiers` (empty: every tier) of at least `from` and,
// when `below` > 0, less than `below` fen. The bonus is `percent` of the top-up (rounded down
// to the fen, at most `cap` when cap > 0), or `fixed` fen — for every full `every` fen when
// every > 0 (¥100 for every ¥1,000). It is a separate lot of stored value, expiring at the end
// of the day `valid_months` months after the top-up when valid_months > 0.
struct TopUpPlan {
  std::string name;
  std::vector<std::string> tiers;
  std::int64_t from = 1;
  std::int64_t below = 0;
  Ratio percent;
  std::int64_t cap = 0;
  std::int64_t fixed = 0;
  std::int64_t every = 0;
  int valid_months = 0;
};

struct StoredValueRules {
  std::vector<std::string> stores;  // stores that take top-ups; empty: every store
  bool head_office = true;          // top-ups not at a store (bulk, company accounts)
  // Who may take top-ups: staff of these roles or these staff / till keys by name. Both empty:
  // everyone whose role has value.top_up.
  std::vector<std::string> roles;
  std::vector<std::string> operators;
  std::int64_t min_top_up = 0;   // fen; 0: any
  std::int64_t max_top_up = 0;   // fen; 0: up to the ledger's limit
  std::vector<TopUpPlan> plans;  // no two match the same tier and amount
};

struct Programme {
  std::string code;
  std::string name;
  CivilDate effective_from;
  Asset point_asset = Asset::kPoints;  // which kind purchases earn (cashable or not)
  ExpiryRule expiry;
  std::vector<int> warn_days_before;  // expiry warnings, e.g. {30, 7, 1}
  std::vector<TierRule> tiers;        // lowest first; at least one
  // Earning on purchases: points per fen paid, overridden per product > category > store > tier.
  Ratio base_rate;
  Rounding rounding = Rounding::kFloor;
  bool carry_remainder = false;  // the fen below a whole point carry to the next purchase (P1b)
  std::vector<EarnOverride> overrides;
  std::vector<std::string> non_earning_categories;
  std::vector<Multiplier> multipliers;
  MultiplierCombination combine = MultiplierCombination::kHighest;
  std::vector<FixedBonus> bonuses;
  RedeemSettings redeem;
  ReviewSettings review;
  std::optional<ReferralRules> referral;
  ReturnSettings returns;
  StoredValueRules stored_value;

  const TierRule* FindTier(std::string_view code) const;
  int TierRank(std::string_view code) const;  // -1 when unknown
};

// ---------------------------------------------------------------------------------------------
// Evaluation

// A catalogue price for one tier: it replaces the tier's discount for the product.
struct TierPrice {
  std::string tier;
  std::int64_t unit_price = 0;  // fen
};

struct BasketLine {
  std::string sku;
  std::vector<std::string> categories;  // the product's categories, with their ancestors
  std::string item_class = "goods";
  std::int64_t quantity = 1;
  std::int64_t unit_price = 0;  // fen, list price before the tier's discount
  bool non_earning = false;     // the product is flagged non-earning (promotional items…)
  bool bundle = false;          // the product is a bundle (coupons do not combine with it)
  // From the catalogue: `from_catalogue` lines name only the SKU and quantity until the services
  // fill the rest; `tier_prices` replace the tier's discount; a promotion in force at the time
  // of the purchase sets the price for every tier (its name explains it).
  bool from_catalogue = false;
  std::vector<TierPrice> tier_prices;
  std::optional<std::int64_t> promo_price;  // fen per unit
  std::string promo;
  // A count card or period pass (card number) that pays for the line at checkout; the services
  // take such lines out of the evaluation (they cost the member nothing and earn nothing).
  std::string pass;
};

struct MemberState {
  std::string tier;  // "" = the lowest tier
  std::optional<CivilDate> birthday;
  std::int64_t cumulative_spend = 0;       // fen, before this purchase
  std::int64_t cumulative_points = 0;      // points earned before this purchase
  std::int64_t carried_fen = 0;            // remainder carried from earlier purchases
  std::int64_t points_balance = 0;         // points held now (of the programme's point asset)
  int redemptions_in_period = 0;           // gift redemptions so far this redemption period
  std::string downgraded_from;             // the tier lost at the last review, "" when none
  std::int64_t spend_since_downgrade = 0;  // fen, before this purchase
};

struct EvalContext {
  CivilDate date;         // local date of the purchase in the tenant's zone
  int minute_of_day = 0;  // local time, minutes after midnight
  std::string store;      // store code
  // Fen of the basket paid with points (a points tender): that part earns nothing, taken off
  // the lines in proportion to what each line costs (largest remainders). ≤ the amount due.
  std::int64_t paid_with_points = 0;
  // Coupons to apply after the tier's prices, in order (core/coupon.hpp).
  std::span<const CouponTerms> coupons = {};
};

struct PricedLine {
  std::string sku;
  std::int64_t quantity = 0;
  std::int64_t list = 0;       // fen: quantity × unit price
  std::int64_t discount = 0;   // fen off at the tier, coupons included
  std::int64_t coupon = 0;     // fen of `discount` that coupons took off
  std::int64_t paid = 0;       // fen: list − discount
  std::int64_t earn_base = 0;  // fen of `paid` that earns: less its share of paid_with_points
  std::int64_t points = 0;     // points this line earns (after rounding; see Evaluation)
  Ratio rate;                  // points per fen applied to the line, multipliers included
};

// What the member may still do with points at the tier the basket is priced at.
struct RedemptionLeft {
  Ratio point_value;               // fen per point
  std::int64_t max_points = 0;     // points that may pay part of this basket
  std::int64_t max_value = 0;      // fen those points pay
  std::optional<int> redemptions;  // gift redemptions left this period; nullopt: no limit
  int items = 0;                   // items per redemption; 0: no limit
  std::vector<std::string> gift_classes;
  bool cash_out = false;
  Ratio cash_out_value;  // fen per point
};

struct Evaluation {
  std::string tier;         // the tier the basket was priced at
  std::string tier_after;   // the tier the member qualifies for after it (may equal `tier`)
  std::string tier_reason;  // why tier_after differs, "" when it does not
  std::vector<PricedLine> lines;
  std::int64_t list_total = 0;
  std::int64_t discount_total = 0;
  std::int64_t paid_total = 0;
  std::int64_t points = 0;  // to earn, of the programme's point asset
  Asset point_asset = Asset::kPoints;
  std::optional<CivilDate> expires_on;  // last day the points may be spent
  std::int64_t carried_fen = 0;         // remainder to carry to the next purchase
  RedemptionLeft redeem;
  std::vector<std::int64_t> coupon_discounts;  // fen each coupon of the context took off
  std::vector<std::string> explain;            // one line per decision
};

// Whether Evaluate writes its explanation (checkout and `explain` do; `simulate` and bulk
// replays need only the figures, and building the lines is most of the cost).
enum class Explain : std::uint8_t { kYes, kNo };

// Errors: kInvalidArgument naming the line ("lines[2].quantity") for a quantity < 1, a negative
// price or an empty SKU; kFieldInvalid for a tier the programme does not have; kAmountTooLarge
// when a total leaves int64.
Result<Evaluation> Evaluate(const Programme& programme, const MemberState& member,
                            std::span<const BasketLine> lines, const EvalContext& context,
                            Explain explain = Explain::kYes);

// Applies `coupons` in order to lines priced at the tier (service/core coupon.hpp says how) and
// returns what each took off; the lines' discount and paid change, and each line's `coupon`
// says its share. `explain`, when given, gets a line per coupon. Errors: kCouponNotApplicable
// naming the coupon ("coupons[1]") when it is not for this store, no line is for it (bundles
// never are), its lines come to less than its minimum spend (after the coupons before it) or it
// would take nothing off.
Result<std::vector<std::int64_t>> ApplyCoupons(std::vector<PricedLine>& priced,
                                               std::span<const BasketLine> lines,
                                               std::span<const CouponTerms> coupons,
                                               std::string_view store,
                                               std::vector<std::string>* explain);

// Points for a fixed bonus event (registration, sign-in, rule:10…) at the member's tier, with its
// explanation. `entered` is the amount staff typed for rules that take one. Errors: kFieldInvalid
// for an event the programme has no bonus for, or an entered amount where none is taken.
struct BonusResult {
  std::int64_t points = 0;
  std::string explain;
  Asset asset = Asset::kPoints;
};
Result<BonusResult> EventBonus(const Programme& programme, std::string_view event,
                               std::optional<std::int64_t> entered);

// ---------------------------------------------------------------------------------------------
// Top-ups

// Who takes a top-up, and where: `store` is the store code ("" = head office), `role` the
// staff's role name, `trusted` for the command line (it acts with the database owner's rights,
// so the roles and operators lists do not bind it; the stores list does).
struct TopUpTaker {
  std::string_view store;
  std::string_view staff;
  std::string_view role;
  bool trusted = false;
};
// Error: kTopUpNotPermitted saying which list leaves the taker out ("store" or "staff").
Status CheckTopUpTaker(const StoredValueRules& rules, const TopUpTaker& taker);

struct TopUpOutcome {
  std::int64_t bonus = 0;  // fen of stored value given on top
  std::string plan;        // the plan's name, "" when none applied
  std::optional<CivilDate> bonus_expires_on;
  std::string tier_after;   // the tier after the top-up (a deposit tier it reaches, or `tier`)
  std::string tier_reason;  // why tier_after differs, "" when it does not
  std::vector<std::string> explain;
};
// The bonus a top-up of `amount` fen on `date` earns a member of `tier` ("" = the lowest), and
// the tier it reaches by a deposit condition (the highest tier above the member's whose deposit
// it meets). Errors: kInvalidArgument ("amount") outside the programme's min_top_up/max_top_up;
// kFieldInvalid for a tier the programme does not have; kAmountTooLarge.
Result<TopUpOutcome> EvaluateTopUp(const Programme& programme, std::string_view tier,
                                   std::int64_t amount, CivilDate date);

// ---------------------------------------------------------------------------------------------
// Reviews, referrals and perks

// A review period: [first, last], local dates.
struct ReviewPeriod {
  CivilDate first;
  CivilDate last;
};
// The review period that contains `date`; nullopt when the programme has no review.
std::optional<ReviewPeriod> ReviewPeriodOf(const Programme& programme, CivilDate date);

struct TierReview {
  std::string tier_after;  // = the tier when kept
  bool downgraded = false;
  std::string explain;
};
// The review of a member in `tier` who spent `period_spend` fen in `period`. Error:
// kFieldInvalid for a tier the programme does not have.
Result<TierReview> ReviewTier(const Programme& programme, std::string_view tier,
                              std::int64_t period_spend, const ReviewPeriod& period);

// The referrer's reward when the referee registers (`event` "registration") or reaches the tier
// `event`; 0 points (with the reason) when the programme gives none for it. Error:
// kFieldInvalid for an unknown referrer tier.
Result<BonusResult> ReferralReward(const Programme& programme, std::string_view referrer_tier,
                                   std::string_view event);
// The referrer's share of a purchase of `paid` fen by the referee (floor).
Result<BonusResult> ReferralShare(const Programme& programme, std::string_view referrer_tier,
                                  std::int64_t paid);

// Whether a member still reaches `tier` after a return took back part of the purchase that
// raised them to it from `from_tier`: by what is kept of that purchase (`kept_paid`, against the
// tier's single-purchase conditions) or by the member's totals after the return. Error:
// kFieldInvalid for a tier the programme does not have.
Result<bool> TierStillReached(const Programme& programme, std::string_view tier,
                              std::string_view from_tier, const MemberState& after_return,
                              std::int64_t kept_paid);

struct PerkLeft {
  std::string code;
  std::string name;
  int left = 0;
  std::string explain;
};
// The perks a member of `tier` has left this year, given how many of each were used
// ((code, count) pairs) and whether the member regained the tier this year. Error: kFieldInvalid
// for an unknown tier.
Result<std::vector<PerkLeft>> PerksLeft(const Programme& programme, std::string_view tier,
                                        std::span<const std::pair<std::string, int>> used_this_year,
                                        bool regained_this_year);

}  // namespace onecard::core
