// Rows as the repository hands them to services: plain structs, one per stored object.
// Thread-safe: plain values.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/asset.hpp"
#include "core/card.hpp"
#include "core/ids.hpp"
#include "core/ledger.hpp"
#include "core/lots.hpp"
#include "core/member.hpp"
#include "core/time.hpp"

namespace onecard::storage {

using core::AccountId;
using core::CardId;
using core::CardTypeId;
using core::EntryId;
using core::HoldId;
using core::LotId;
using core::MemberId;
using core::RegionId;
using core::StoreId;
using core::TenantId;
using core::Timestamp;

struct TenantRecord {
  TenantId id;
  std::string code;
  std::string name;
  std::string timezone;  // IANA name, e.g. "Asia/Shanghai"
  Timestamp created_at;
};

struct RegionRecord {
  RegionId id;
  TenantId tenant;
  RegionId parent;  // invalid: a top-level region
  std::string code;
  std::string name;
};

struct StoreRecord {
  StoreId id;
  TenantId tenant;
  RegionId region;  // invalid: directly under head office
  std::string code;
  std::string name;
  std::string address;
};

struct CardTypeRecord {
  CardTypeId id;
  TenantId tenant;
  std::string code;
  std::string name;
  core::CardKind kind = core::CardKind::kPersonal;
  int validity_months = 0;   // 0: no expiry
  std::int64_t fee_fen = 0;  // membership fee charged on issue and renewal
};

struct FieldDefRecord {
  TenantId tenant;
  core::FieldDefinition def;
};

struct MemberRecord {
  MemberId id;
  TenantId tenant;
  core::MemberProfile profile;
  core::MemberStatus status = core::MemberStatus::kRegistered;
  core::EnrolChannel channel = core::EnrolChannel::kTill;
  MemberId referrer;
  StoreId home_store;
  Timestamp created_at;
  Timestamp updated_at;
};

struct MemberStatusChange {
  MemberId member;
  core::MemberStatus from = core::MemberStatus::kRegistered;
  core::MemberStatus to = core::MemberStatus::kRegistered;
  std::string reason;
  std::string staff;
  Timestamp at;
};

struct CustomValue {
  std::string key;
  std::string value;
};

struct CardRecord {
  CardId id;
  TenantId tenant;
  MemberId member;  // invalid: a bearer card (gift card) with no member
  CardTypeId type;
  std::string number;
  core::CardStatus status;
  CardId primary;      // a linked card's primary card, whose accounts it uses
  CardId replaced_by;  // set once replaced
  Timestamp issued_at;
  std::optional<core::CivilDate> expires_on;  // membership validity
  int reissue_count = 0;
};

struct CardEventRecord {
  std::int64_t id = 0;
  TenantId tenant;
  CardId card;
  MemberId member;
  core::CardOp op = core::CardOp::kIssue;
  std::string staff;
  StoreId store;
  std::string reason;
  std::string detail;
  std::int64_t fee_fen = 0;
  Timestamp at;
};

// Identifies an account: who holds it, in what role, for which asset.
struct AccountKey {
  TenantId tenant;
  core::HolderKind holder_kind = core::HolderKind::kCard;
  std::int64_t holder_id = 0;  // card id, store id or tenant id
  core::AccountRole role = core::AccountRole::kHolder;
  core::Asset asset = core::Asset::kPoints;
};

struct AccountRecord {
  AccountId id;
  AccountKey key;
  MemberId member;
  std::int64_t balance = 0;  // cached for card accounts only
  std::int64_t debt = 0;
  std::int64_t credit_limit = 0;
};

// A card with, if it has one, its own holder account for some asset.
struct CardAccount {
  CardRecord card;
  std::optional<AccountRecord> account;
};

struct EntryRecord {
  EntryId id;
  TenantId tenant;
  core::EntryKind kind = core::EntryKind::kEarn;
  std::string doc_no;  // the caller's document number (receipt, voucher), may be empty
  StoreId store;
  std::string staff;
  std::string reason;
  Timestamp at;
  MemberId member;
  CardId card;
  EntryId reverses;
  HoldId hold;
};

struct PostingRecord {
  EntryId entry;
  AccountId account;
  core::Asset asset = core::Asset::kPoints;
  std::int64_t amount = 0;
  std::optional<std::int64_t> balance_after;  // card accounts only
};

struct LotRecord {
  LotId id;
  TenantId tenant;
  AccountId account;
  core::Asset asset = core::Asset::kPoints;
  std::int64_t amount = 0;
  std::int64_t remaining = 0;
  core::LotSource source = core::LotSource::kEarned;
  StoreId issuer_store;
  EntryId entry;
  LotId origin;
  Timestamp created_at;
  std::optional<Timestamp> expires_at;
};

struct LotMoveRecord {
  EntryId entry;
  AccountId account;
  LotId lot;  // invalid: the move is on the account's debt
  std::int64_t delta = 0;
};

enum class HoldStatus : std::uint8_t { kActive, kCaptured, kVoided, kExpired };
std::string_view HoldStatusName(HoldStatus status);
core::Result<HoldStatus> ParseHoldStatus(std::string_view text);

struct HoldRecord {
  HoldId id;
  TenantId tenant;
  CardId card;
  MemberId member;
  core::AssetSelection selection = core::AssetSelection::kAnyPoints;
  std::int64_t amount = 0;
  std::int64_t captured = 0;
  HoldStatus status = HoldStatus::kActive;
  Timestamp created_at;
  Timestamp expires_at;
  EntryId hold_entry;
  EntryId close_entry;
  StoreId store;
  std::string staff;
  std::string doc_no;
};

struct IdempotencyRecord {
  std::string digest;
  std::string reply;
};

// One line of an account's or member's history: an entry with its posting on that account.
struct HistoryRow {
  EntryRecord entry;
  PostingRecord posting;
  std::string card_number;
};

struct HistoryQuery {
  TenantId tenant;
  CardId card;      // postings on this card's accounts, or (card invalid)
  MemberId member;  // postings on the accounts of all this member's cards
  EntryId before;   // cursor: only entries older than this (invalid: from the newest)
  int limit = 50;   // entries, not rows: an entry's postings are never split across pages
};

// `verify` findings, one per discrepancy.
struct Discrepancy {
  std::string what;  // "entry", "account", "lot", "hold", "database"
  std::int64_t id = 0;
  std::string detail;  // what is wrong, with the expected and found figures
};

// A person who logs in (issue #3). `role` is a service::Role name; a store- or region-scoped
// user acts only there.
struct StaffUserRecord {
  std::int64_t id = 0;
  TenantId tenant;
  std::string username;
  std::string display_name;
  std::string password_hash;  // argon2id string (libsodium crypto_pwhash_str)
  std::string role;
  StoreId store;
  RegionId region;
  std::string status = "active";   // active | disabled
  std::int64_t failed_logins = 0;  // since the last successful login
  std::optional<Timestamp> locked_until;
  Timestamp created_at;
};

struct SessionRecord {
  std::string token_hash;  // hex BLAKE2b-256 of the token; the token itself is never stored
  TenantId tenant;
  std::int64_t user_id = 0;
  Timestamp created_at;
  Timestamp expires_at;
  std::optional<Timestamp> revoked_at;
  std::string client;
};

// A machine's credential: a till, a web shop, an ERP.
struct ApiKeyRecord {
  std::int64_t id = 0;
  TenantId tenant;
  std::string name;
  std::string key_hash;
  std::string role;
  StoreId store;
  RegionId region;
  std::string status = "active";  // active | revoked
  Timestamp created_at;
  std::optional<Timestamp> revoked_at;
};

struct AuditRecord {
  std::int64_t id = 0;
  TenantId tenant;
  Timestamp at;
  std::string actor;       // username, key name, or "cli:<staff>"
  std::string actor_kind;  // staff | api_key | cli | system
  std::string client;      // address
  StoreId store;
  std::string request_id;
  std::string action;  // "points.earn", "member.update", "staff.login"…
  std::string object_kind;
  std::string object_id;
  std::optional<std::string> before;  // JSON
  std::optional<std::string> after;   // JSON
};

// A version of a tenant's programme document (issue #4).
struct ProgrammeVersionRecord {
  std::int64_t id = 0;
  TenantId tenant;
  int version = 0;  // 1, 2, … per tenant
  std::string code;
  std::string name;
  core::CivilDate effective_from;          // from the document
  std::string document;                    // the TOML text as submitted
  std::string digest;                      // BLAKE2b-256 hex of `document`
  std::string status = "draft";            // draft | active | cancelled
  std::optional<Timestamp> in_force_from;  // active versions
  std::string created_by;
  Timestamp created_at;
  std::string changed_by;  // who activated or cancelled it
  std::optional<Timestamp> changed_at;
};

// A sale settled at a till (issues #4, #5): lines as priced, tenders, and the entry that moved
// the member's value (invalid: none moved).
struct SaleLineRecord {
  int line_no = 0;
  std::string sku;
  std::string item_class;
  std::string categories;  // comma-separated
  bool non_earning = false;
  std::int64_t quantity = 0;
  std::int64_t unit_price = 0;
  std::int64_t list = 0;
  std::int64_t discount = 0;
  std::int64_t paid = 0;
  std::int64_t points = 0;
  CardId pass_card;  // valid: a count card or period pass paid for the line
};

struct SaleTenderRecord {
  int seq = 0;
  std::string method;       // cash | bank_card | wechat | alipay | other | points | stored_value
  std::int64_t amount = 0;  // fen
  std::int64_t points = 0;  // method "points": points given
  std::string reference;
  CardId card;  // method "gift_card": the card paid from
};

// A sale settled at once is kSettled from the start; a two-phase sale is kHeld until it is
// captured (kSettled), voided or expires.
enum class SaleStatus : std::uint8_t { kHeld, kSettled, kVoided, kExpired };
std::string_view SaleStatusName(SaleStatus status);
core::Result<SaleStatus> ParseSaleStatus(std::string_view text);

struct SaleRecord {
  std::int64_t id = 0;
  TenantId tenant;
  MemberId member;  // invalid: a walk-in sale
  CardId card;
  StoreId store;
  std::string doc_no;
  std::string staff;
  Timestamp at;
  core::CivilDate business_date;
  std::optional<int> programme_version;  // none: a walk-in, priced at list
  std::string tier_before;               // the member's tier before the sale
  std::string tier;
  std::string tier_after;
  std::int64_t list_total = 0;
  std::int64_t discount_total = 0;
  std::int64_t paid_total = 0;
  std::int64_t points_earned = 0;
  std::string point_asset;
  std::int64_t points_spent = 0;
  std::int64_t points_value = 0;
  EntryId entry;        // the sale's entry (a held sale: the capture's or the void's, once closed)
  std::string explain;  // JSON array of text
  SaleStatus status = SaleStatus::kSettled;
  EntryId hold_entry;  // a two-phase sale: the entry that put its tenders in escrow
  std::optional<Timestamp> hold_expires_at;
  std::optional<Timestamp> closed_at;  // captured, voided or expired
  std::string close_reason;
  // Priced at the hold, applied at the capture: the earned lot's expiry, the remainder carried
  // before and after, why the tier changes.
  std::optional<core::CivilDate> points_expire_on;
  std::int64_t carried_before = 0;
  std::int64_t carried_after = 0;
  std::string tier_reason;
  std::vector<SaleLineRecord> lines;
  std::vector<SaleTenderRecord> tenders;
};

// What a return took of one sale line.
struct ReturnLineRecord {
  int line_no = 0;  // the sale's line
  std::int64_t quantity = 0;
  std::int64_t list = 0;
  std::int64_t discount = 0;
  std::int64_t paid = 0;
  std::int64_t points = 0;  // earned points of the line taken back (or short)
};

// What a return refunded of one sale tender.
struct ReturnTenderRecord {
  int seq = 0;  // the sale's tender
  std::string method;
  std::int64_t amount = 0;    // fen: the tender's share of the refund, before deduction
  std::int64_t deducted = 0;  // fen of it kept back for points already spent
  std::int64_t points = 0;    // method "points": points restored
};

struct ReturnRecord {
  std::int64_t id = 0;
  TenantId tenant;
  std::int64_t sale_id = 0;
  MemberId member;  // invalid: the sale was a walk-in
  StoreId store;    // where the goods came back
  std::string doc_no;
  std::string staff;
  Timestamp at;
  core::CivilDate business_date;
  std::string reason;
  std::int64_t refund_total = 0;
  std::int64_t deducted = 0;
  std::int64_t points_taken_back = 0;
  std::int64_t points_short = 0;
  std::int64_t points_restored = 0;
  std::string tier_before;
  std::string tier_after;
  EntryId entry;
  std::vector<ReturnLineRecord> lines;
  std::vector<ReturnTenderRecord> tenders;
};

// A member's programme state; a member without a row is in the lowest tier with nothing to date.
struct MemberStateRecord {
  MemberId member;
  TenantId tenant;
  std::string tier;  // "" = the lowest tier
  std::optional<Timestamp> tier_since;
  std::string downgraded_from;
  std::int64_t spend_since_downgrade = 0;
  std::int64_t cumulative_spend = 0;
  std::int64_t cumulative_points = 0;
  std::int64_t carried_fen = 0;
  std::int64_t purchases = 0;
  std::optional<Timestamp> last_purchase_at;
  std::optional<core::CivilDate> reviewed_to;
  Timestamp updated_at;
};

struct TierChangeRecord {
  std::int64_t id = 0;
  TenantId tenant;
  MemberId member;
  std::string from_tier;
  std::string to_tier;
  std::string cause;  // purchase | regain | review | staff | return | deposit
  std::string reason;
  std::string doc_no;
  std::optional<std::int64_t> sale_id;
  std::optional<int> programme_version;
  std::string staff;
  Timestamp at;
};

struct JobRunRecord {
  TenantId tenant;
  std::string job;
  core::CivilDate business_date;
  Timestamp ran_at;
  std::string staff;
  std::string result;  // JSON
};

// The catalogue (issue #5). Codes and SKUs are per tenant.
struct CategoryRecord {
  std::int64_t id = 0;
  TenantId tenant;
  std::int64_t parent = 0;  // 0: a top-level category
  std::string code;
  std::string name;
};

struct TierPriceRecord {
  std::string tier;
  std::int64_t price = 0;  // fen per unit
};

struct ProductRecord {
  std::int64_t id = 0;
  TenantId tenant;
  std::string sku;
  std::string name;
  std::int64_t list_price = 0;  // fen per unit
  std::string item_class = "goods";
  bool non_earning = false;
  bool bundle = false;
  std::string status = "active";             // active | retired
  std::vector<std::int64_t> categories;      // category ids (not their ancestors), ascending
  std::vector<TierPriceRecord> tier_prices;  // by tier code
  Timestamp created_at;
  Timestamp updated_at;
};

struct ProductFilter {
  std::string after_sku;      // "": from the first, in SKU order
  std::int64_t category = 0;  // 0: any; else products in this category or below it
  std::string text;           // "": any; else SKU or name contains it
  bool include_retired = false;
  int limit = 100;
};

struct PromotionRecord {
  std::int64_t id = 0;
  TenantId tenant;
  std::int64_t product = 0;
  std::string sku;  // the product's (read only: filled by the queries)
  std::string name;
  std::int64_t price = 0;  // fen per unit
  Timestamp starts_at;
  Timestamp ends_at;  // exclusive
  std::string created_by;
  Timestamp created_at;
};

struct AuditFilter {
  std::int64_t before_id = 0;  // 0: newest first from the top; else ids below it
  std::string actor;
  std::string action;
  std::string object_kind;
  std::string object_id;
  std::optional<Timestamp> from;
  std::optional<Timestamp> to;
  int limit = 50;
};

// A batch of gift cards: generated here or imported, of one card type, with a face value.
struct GiftBatchRecord {
  std::int64_t id = 0;
  TenantId tenant;
  std::string code;
  std::string name;
  CardTypeId card_type;
  std::int64_t face_value = 0;  // fen (an imported card may carry its own)
  std::string origin;           // generated | imported
  std::int64_t cards = 0;
  std::optional<core::CivilDate> valid_until;  // last business date of use
  std::string secret_id;                       // the server secret that keyed the PIN hashes
  StoreId store;                               // where it was made (none: head office)
  std::string created_by;
  Timestamp created_at;
};

// What a gift card has beyond its card: batch, face value, PIN hash and wrong-PIN count.
struct GiftCardRecord {
  CardId card;
  TenantId tenant;
  std::int64_t batch = 0;
  std::int64_t face_value = 0;
  std::string pin_hash;  // argon2id of HMAC-SHA-256(server secret, PIN)
  int failed_pins = 0;   // wrong PINs in a row
  std::optional<Timestamp> locked_until;
  EntryId activation_entry;  // invalid: not sold yet
};

// A gift card in a listing: the card, its gift record, batch code and gift-value balance.
struct GiftCardRow {
  CardRecord card;
  GiftCardRecord gift;
  std::string batch_code;
  std::int64_t balance = 0;
};

struct GiftPinFailureRecord {
  TenantId tenant;
  std::string who;     // "api_key:till-01"
  std::string client;  // address; "" from this machine
  CardId card;         // invalid: no such card
  Timestamp at;
};

// One change of value on a gift card: a posting on its gift_value account with its entry.
struct GiftMovementRecord {
  EntryId entry;
  std::string kind;  // the entry's kind: top_up (activation), sale, return, adjustment…
  Timestamp at;
  std::string store;  // code ("" for head office)
  std::string doc_no;
  std::string staff;
  std::string number;  // the card
  std::string batch;   // its batch code
  std::int64_t amount = 0;
  std::int64_t balance_after = 0;
};

struct GiftMovementFilter {
  std::optional<Timestamp> from;   // entries at or after
  std::optional<Timestamp> to;     // entries before
  std::vector<std::string> kinds;  // empty: all
  std::string batch;               // "": all batches
  std::int64_t after_entry = 0;    // cursor: entries after this id
  int limit = 100;
};

// Postings on gift cards of one entry kind at one store, between two entry ids.
struct GiftTotalsRow {
  std::string kind;
  std::string store;  // code ("" for head office)
  std::int64_t count = 0;
  std::int64_t credits = 0;  // fen onto cards
  std::int64_t debits = 0;   // fen off cards (≤ 0)
};

struct GiftReportRecord {
  std::int64_t id = 0;
  TenantId tenant;
  Timestamp at;
  std::string staff;
  std::int64_t previous_id = 0;  // 0: the first report
  std::optional<Timestamp> previous_at;
  std::int64_t after_entry = 0;
  std::int64_t last_entry = 0;
  std::int64_t opening = 0;
  std::int64_t closing = 0;
  std::string detail;  // JSON
};

// A coupon campaign: what its coupons do, when and how often they may be used, and its
// counters (kept with the redemptions, in the same transaction).
struct CouponCampaignRecord {
  std::int64_t id = 0;
  TenantId tenant;
  std::string code;
  std::string name;
  std::string kind;                 // percent | fixed
  std::int64_t percent_off_bp = 0;  // percent: basis points off (1000 = 10 %)
  std::int64_t amount_off = 0;      // fixed: fen off
  std::int64_t max_discount = 0;    // percent: at most this many fen; 0: no cap
  std::int64_t min_spend = 0;       // fen of the lines it applies to
  std::string skus;                 // comma-separated; with categories "" = every line
  std::string categories;
  std::string stores;  // "" = every store
  core::CivilDate valid_from;
  std::optional<core::CivilDate> valid_until;
  std::int64_t valid_days = 0;       // an issued coupon may be used this many days (0: campaign's)
  std::string promo_code;            // shared code; "" = unique codes
  std::int64_t uses_per_coupon = 1;  // 0: no limit
  std::int64_t per_member_limit = 0;
  std::int64_t total_limit = 0;
  std::int64_t budget = 0;  // fen of discount; 0: none
  bool restore_on_return = true;
  std::string state = "active";  // active | stopped
  std::int64_t issued = 0;
  std::int64_t used = 0;
  std::int64_t discount_given = 0;
  std::string created_by;
  Timestamp created_at;
};

// A unique coupon: its code only as a hash.
struct CouponRecord {
  std::int64_t id = 0;
  TenantId tenant;
  std::int64_t campaign = 0;
  std::string code_hash;  // SHA-256 hex of the normalised code
  std::string hint;       // last 4 characters
  MemberId member;        // invalid: a bearer coupon
  core::CivilDate valid_from;
  std::optional<core::CivilDate> valid_until;
  std::int64_t used = 0;
  std::string state = "active";  // active | void
  std::string issued_by;
  Timestamp issued_at;
};

// One use of a coupon (or of a promo code) at a sale.
struct CouponRedemptionRecord {
  std::int64_t id = 0;
  TenantId tenant;
  std::int64_t campaign = 0;
  std::int64_t coupon = 0;  // 0: the campaign's promo code
  MemberId member;          // invalid: a walk-in sale
  std::int64_t sale = 0;
  std::int64_t discount = 0;
  Timestamp at;
  std::int64_t return_id = 0;  // 0: not restored
  bool voided = false;         // the held sale was voided or expired
};

struct CouponFailureRecord {
  TenantId tenant;
  std::string who;
  std::string client;
  Timestamp at;
};

// What a count-card or pass card type pays for (issue #5 item 9). Lists are comma-separated.
struct PassTermsRecord {
  CardTypeId card_type;
  TenantId tenant;
  std::string skus;
  std::string categories;
  std::string stores;
  std::int64_t per_day = 0;
  Timestamp updated_at;
};

// A use of a pass at a sale (+quantity) or its return (−quantity).
struct PassUseRecord {
  TenantId tenant;
  CardId card;
  MemberId member;
  std::int64_t sale_id = 0;
  int line_no = 0;
  std::int64_t return_id = 0;  // 0: a use at the sale
  std::int64_t quantity = 0;
  core::CivilDate business_date;
  Timestamp at;
};

}  // namespace onecard::storage
