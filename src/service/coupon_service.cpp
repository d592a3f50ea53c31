#include "service/coupon_service.hpp"

#include <sodium.h>

#include <algorithm>
#include <map>
#include <set>

#include "core/member.hpp"
#include "core/money.hpp"
#include "service/calendar.hpp"
#include "service/digest.hpp"
#include "service/ledger_util.hpp"

namespace onecard::service {
namespace {

using core::ErrorCode;
using core::MakeError;
using core::Result;
using core::Status;

constexpr std::int64_t kMaxMemberIssue = 100;
constexpr std::int64_t kMaxBatch = 10'000;
constexpr std::int64_t kMaxLimit = 1'000'000'000;
constexpr std::size_t kMaxScope = 100;

core::Error Invalid(std::string message, std::string field) {
  return MakeError(ErrorCode::kFieldInvalid, std::move(message), std::move(field));
}

std::string Who(const Request& req) {
  return req.actor.kind + ":" + req.actor.staff;
}

std::string HashCode(std::string_view normalised) {
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(digest, reinterpret_cast<const unsigned char*>(normalised.data()),
                     normalised.size());
  char hex[2 * sizeof digest + 1];
  return sodium_bin2hex(hex, sizeof hex, digest, sizeof digest);
}

std::string RandomCode() {
  std::string out;
  for (int i = 0; i < 16; ++i) out += core::kCouponAlphabet[randombytes_uniform(32)];
  return out;
}

core::CouponTerms TermsOf(const storage::CouponCampaignRecord& c) {
  core::CouponTerms t;
  t.kind = c.kind == "percent" ? core::CouponKind::kPercent : core::CouponKind::kFixed;
  t.percent_off_bp = c.percent_off_bp;
  t.amount_off = c.amount_off;
  t.max_discount = c.max_discount;
  t.min_spend = c.min_spend;
  t.skus = SplitList(c.skus);
  t.categories = SplitList(c.categories);
  t.stores = SplitList(c.stores);
  t.label = c.code + " (" + core::DescribeCoupon(t) + ")";
  return t;
}

CampaignView ViewOf(const storage::CouponCampaignRecord& c) {
  CampaignView v;
  v.id = c.id;
  v.code = c.code;
  v.name = c.name;
  v.kind = c.kind;
  if (c.kind == "percent") v.percent_off = core::PercentOffText(c.percent_off_bp);
  v.amount_off = c.amount_off;
  v.max_discount = c.max_discount;
  v.min_spend = c.min_spend;
  v.skus = SplitList(c.skus);
  v.categories = SplitList(c.categories);
  v.stores = SplitList(c.stores);
  v.valid_from = c.valid_from;
  v.valid_until = c.valid_until;
  v.valid_days = c.valid_days;
  v.promo_code = c.promo_code;
  v.uses_per_coupon = c.uses_per_coupon;
  v.per_member_limit = c.per_member_limit;
  v.total_limit = c.total_limit;
  v.budget = c.budget;
  if (c.budget > 0) v.budget_left = c.budget - c.discount_given;
  v.restore_on_return = c.restore_on_return;
  v.state = c.state;
  v.issued = c.issued;
  v.used = c.used;
  v.discount_given = c.discount_given;
  v.terms = core::DescribeCoupon(TermsOf(c));
  v.created_by = c.created_by;
  v.created_at = c.created_at;
  return v;
}

bool InDate(core::CivilDate date, core::CivilDate from, const std::optional<core::CivilDate>& to) {
  return from <= date && (!to || date <= *to);
}

// What stops the coupon (or promo code) being used on `date`, as far as it and its campaign go;
// the member checks need the sale. OK: usable.
Status CheckUsable(const storage::CouponCampaignRecord& c,
                   const std::optional<storage::CouponRecord>& k, core::CivilDate date,
                   const std::string& field) {
  const std::string what = k ? "coupon …" + k->hint + " of campaign " + c.code
                             : "promo code " + c.promo_code + " (campaign " + c.code + ")";
  if (c.state != "active") {
    return MakeError(ErrorCode::kCouponVoid, "campaign " + c.code + " is stopped", field);
  }
  if (k && k->state != "active") {
    return MakeError(ErrorCode::kCouponVoid, what + " has been voided", field);
  }
  const core::CivilDate from = k ? k->valid_from : c.valid_from;
  const std::optional<core::CivilDate> until = k ? k->valid_until : c.valid_until;
  if (!InDate(date, from, until)) {
    return MakeError(ErrorCode::kCouponExpired,
                     what + (date < from ? " may be used from " + from.ToString()
                                         : " could be used until " + until->ToString()),
                     field);
  }
  if (k && c.uses_per_coupon > 0 && k->used >= c.uses_per_coupon) {
    return MakeError(ErrorCode::kCouponUsedUp,
                     what + " has been used " + std::to_string(k->used) + " time" +
                         (k->used == 1 ? "" : "s") + " (its limit)",
                     field);
  }
  if (c.total_limit > 0 && c.used >= c.total_limit) {
    return MakeError(ErrorCode::kCouponUsedUp,
                     "campaign " + c.code + " has reached its limit of " +
                         std::to_string(c.total_limit) + " uses",
                     field);
  }
  if (c.budget > 0 && c.discount_given >= c.budget) {
    return MakeError(ErrorCode::kCouponUsedUp,
                     "campaign " + c.code + " has spent its budget of " + core::YuanSign(c.budget),
                     field);
  }
  return {};
}

std::optional<std::int64_t> UsesLeft(const storage::CouponCampaignRecord& c,
                                     const storage::CouponRecord& k) {
  if (c.uses_per_coupon == 0) return std::nullopt;
  return std::max<std::int64_t>(0, c.uses_per_coupon - k.used);
}

CouponView CouponViewOf(const storage::CouponRecord& k, const storage::CouponCampaignRecord& c,
                        core::CivilDate today) {
  CouponView v;
  v.id = k.id;
  v.campaign = c.code;
  v.name = c.name;
  v.terms = core::DescribeCoupon(TermsOf(c));
  v.hint = "…" + k.hint;
  v.member_id = k.member.value;
  v.valid_from = k.valid_from;
  v.valid_until = k.valid_until;
  v.used = k.used;
  v.uses_left = UsesLeft(c, k);
  v.state = k.state;
  v.usable = CheckUsable(c, k, today, "").ok();
  v.issued_by = k.issued_by;
  v.issued_at = k.issued_at;
  return v;
}

Result<storage::CouponCampaignRecord> FindCampaign(storage::ReadTxn& txn, core::TenantId tenant,
                                                   std::string_view code) {
  ONECARD_TRY(std::optional<storage::CouponCampaignRecord> c, txn.FindCouponCampaign(tenant, code));
  if (!c) {
    return MakeError(ErrorCode::kCouponCampaignNotFound, "no coupon campaign " + std::string(code),
                     "campaign");
  }
  return *c;
}

Result<core::MemberId> MemberOfCard(storage::ReadTxn& txn, core::TenantId tenant,
                                    std::string_view number) {
  ONECARD_TRY(std::optional<storage::CardRecord> card, txn.FindCard(tenant, number));
  if (!card) {
    return MakeError(ErrorCode::kCardNotFound, "no card numbered " + std::string(number), "card");
  }
  if (card->member.valid()) return card->member;
  if (card->primary.valid()) {
    ONECARD_TRY(std::optional<storage::CardRecord> primary, txn.GetCard(tenant, card->primary));
    if (primary && primary->member.valid()) return primary->member;
  }
  return MakeError(ErrorCode::kCardHasNoMember, "card " + std::string(number) + " has no member",
                   "card");
}

Status ValidateList(const std::vector<std::string>& list, std::string_view field) {
  if (list.size() > kMaxScope) {
    return Invalid(std::string(field) + " names at most 100", std::string(field));
  }
  for (const std::string& s : list) {
    if (s.empty() || s.size() > 64 || s.find(',') != std::string::npos) {
      return Invalid(std::string(field) + " holds codes of 1 to 64 bytes without commas",
                     std::string(field));
    }
  }
  return {};
}

Status ValidateLimit(std::int64_t n, std::string_view field) {
  if (n < 0 || n > kMaxLimit) {
    return Invalid(std::string(field) + " is 0 (no limit) to 1,000,000,000", std::string(field));
  }
  return {};
}

// A coupon use as a receipt shows it.
SaleCouponView SaleCouponOf(const storage::CouponCampaignRecord& c,
                            const std::optional<storage::CouponRecord>& k, std::int64_t discount) {
  return {c.code, c.name, k ? std::optional(k->id) : std::nullopt, k ? "…" + k->hint : c.promo_code,
          discount};
}

}  // namespace

CouponService::CouponService(storage::Store& store, const Clock& clock, Writer& writer,
                             CouponOptions options)
    : store_(store), clock_(clock), writer_(writer), options_(options) {}

Result<CampaignView> CouponService::CreateCampaign(const Request& req, const CampaignSpec& spec) {
  ONECARD_CHECK(core::ValidateCode(spec.code, "code"));
  if (spec.name.empty()) return Invalid("name is required", "name");
  ONECARD_CHECK(core::ValidateText(spec.name, "name", 200));
  storage::CouponCampaignRecord c;
  c.tenant = req.tenant.id;
  c.code = spec.code;
  c.name = spec.name;
  c.kind = spec.kind;
  if (spec.kind == "percent") {
    ONECARD_TRY(c.percent_off_bp, core::ParsePercentOff(spec.percent_off, "percent_off"));
    if (spec.amount_off != 0) {
      return Invalid("a percent coupon takes percent_off, not amount_off", "amount_off");
    }
    if (spec.max_discount != 0) ONECARD_CHECK(ValidateAmount(spec.max_discount, "max_discount"));
  } else if (spec.kind == "fixed") {
    if (!spec.percent_off.empty()) {
      return Invalid("a fixed coupon takes amount_off, not percent_off", "percent_off");
    }
    ONECARD_CHECK(ValidateAmount(spec.amount_off, "amount_off"));
    if (spec.max_discount != 0) {
      return Invalid("max_discount caps percent coupons; a fixed coupon takes its amount_off",
                     "max_discount");
    }
  } else {
    return Invalid("kind is percent or fixed", "kind");
  }
  c.amount_off = spec.amount_off;
  c.max_discount = spec.max_discount;
  if (spec.min_spend != 0) ONECARD_CHECK(ValidateAmount(spec.min_spend, "min_spend"));
  c.min_spend = spec.min_spend;
  ONECARD_CHECK(ValidateList(spec.skus, "skus"));
  ONECARD_CHECK(ValidateList(spec.categories, "categories"));
  ONECARD_CHECK(ValidateList(spec.stores, "stores"));
  const core::CivilDate today = LocalDate(req.tenant.timezone, clock_.Now());
  c.valid_from = spec.valid_from.value_or(today);
  c.valid_until = spec.valid_until;
  if (c.valid_until && *c.valid_until < c.valid_from) {
    return Invalid("valid_until " + c.valid_until->ToString() + " is before valid_from " +
                       c.valid_from.ToString(),
                   "valid_until");
  }
  if (spec.valid_days < 0 || spec.valid_days > 3650) {
    return Invalid("valid_days is 0 (the campaign's dates) to 3,650", "valid_days");
  }
  c.valid_days = spec.valid_days;
  if (!spec.promo_code.empty()) {
    c.promo_code = core::NormaliseCouponCode(spec.promo_code);
    const bool shape = c.promo_code.size() >= 3 && c.promo_code.size() <= 32 &&
                       std::all_of(c.promo_code.begin(), c.promo_code.end(), [](char ch) {
                         return (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9');
                       });
    if (!shape || core::IsUniqueCouponCode(c.promo_code)) {
      return Invalid(
          "promo_code is 3 to 32 letters and digits, and not shaped like a unique code (16 "
          "characters of its alphabet)",
          "promo_code");
    }
    if (spec.uses_per_coupon && *spec.uses_per_coupon != 0) {
      return Invalid(
          "a promo code is shared: limit it with per_member_limit and total_limit, not "
          "uses_per_coupon",
          "uses_per_coupon");
    }
    if (spec.valid_days != 0) {
      return Invalid("valid_days is for issued coupons; a promo code uses the campaign's dates",
                     "valid_days");
    }
    c.uses_per_coupon = 0;
  } else {
    c.uses_per_coupon = spec.uses_per_coupon.value_or(1);
    ONECARD_CHECK(ValidateLimit(c.uses_per_coupon, "uses_per_coupon"));
  }
  ONECARD_CHECK(ValidateLimit(spec.per_member_limit, "per_member_limit"));
  ONECARD_CHECK(ValidateLimit(spec.total_limit, "total_limit"));
  c.per_member_limit = spec.per_member_limit;
  c.total_limit = spec.total_limit;
  if (spec.budget != 0) ONECARD_CHECK(ValidateAmount(spec.budget, "budget"));
  c.budget = spec.budget;
  c.restore_on_return = spec.restore_on_return;
  c.skus = JoinList(spec.skus);
  c.categories = JoinList(spec.categories);
  c.stores = JoinList(spec.stores);
  c.created_by = req.actor.staff;

  Canonical d = CanonicalOf(req, "coupon.campaign");
  d.Add("code", c.code).Add("name", c.name).Add("kind", c.kind).Add("bp", c.percent_off_bp);
  d.Add("amount", c.amount_off).Add("max", c.max_discount).Add("min", c.min_spend);
  d.Add("skus", c.skus).Add("cats", c.categories).Add("stores", c.stores);
  d.Add("from", spec.valid_from ? spec.valid_from->ToString() : "");
  d.Add("until", c.valid_until ? c.valid_until->ToString() : "").Add("days", c.valid_days);
  d.Add("promo", c.promo_code).Add("uses", c.uses_per_coupon).Add("member", c.per_member_limit);
  d.Add("total", c.total_limit).Add("budget", c.budget).Add("restore", c.restore_on_return ? 1 : 0);
  return writer_.Call<CampaignView>(
      req.tenant.id, req.idempotency_key, d.digest(),
      [&](storage::WriteTxn& txn) -> Result<CampaignView> {
        for (const std::string& sku : spec.skus) {
          ONECARD_TRY(std::optional<storage::ProductRecord> p, txn.FindProduct(c.tenant, sku));
          if (!p) {
            return MakeError(ErrorCode::kProductNotFound, "skus: no product " + sku, "skus");
          }
        }
        if (!spec.categories.empty()) {
          ONECARD_TRY(std::vector<storage::CategoryRecord> all, txn.ListCategories(c.tenant));
          for (const std::string& code : spec.categories) {
            if (std::none_of(all.begin(), all.end(),
                             [&](const storage::CategoryRecord& r) { return r.code == code; })) {
              return MakeError(ErrorCode::kCategoryNotFound, "categories: no category " + code,
                               "categories");
            }
          }
        }
        for (const std::string& code : spec.stores) {
          ONECARD_TRY(std::optional<storage::StoreRecord> s, txn.FindStore(c.tenant, code));
          if (!s) return MakeError(ErrorCode::kStoreNotFound, "stores: no store " + code, "stores");
        }
        ONECARD_TRY(std::optional<storage::CouponCampaignRecord> same,
                    txn.FindCouponCampaign(c.tenant, c.code));
        if (same) {
          return MakeError(ErrorCode::kCodeTaken, "coupon campaign " + c.code + " exists", "code");
        }
        if (!c.promo_code.empty()) {
          ONECARD_TRY(std::optional<storage::CouponCampaignRecord> promo,
                      txn.FindCampaignByPromo(c.tenant, c.promo_code));
          if (promo) {
            return MakeError(ErrorCode::kCodeTaken,
                             "promo code " + c.promo_code + " is campaign " + promo->code + "'s",
                             "promo_code");
          }
        }
        storage::CouponCampaignRecord made = c;
        made.created_at = clock_.Now();
        ONECARD_TRY(made.id, txn.InsertCouponCampaign(made));
        return ViewOf(made);
      },
      AuditOf(req, "coupon.campaign_create", "coupon_campaign", c.code));
}

Result<std::vector<CampaignView>> CouponService::ListCampaigns(const TenantRef& tenant) {
  ONECARD_TRY(std::unique_ptr<storage::ReadTxn> txn, store_.BeginRead());
  ONECARD_TRY(std::vector<storage::CouponCampaignRecord> all, txn->ListCouponCampaigns(tenant.id));
  std::vector<CampaignView> out;
  out.reserve(all.size());
  for (const auto& c : all) out.push_back(ViewOf(c));
  return out;
}

Result<CampaignView> CouponService::GetCampaign(const TenantRef& tenant, std::string_view code) {
  ONECARD_TRY(std::unique_ptr<storage::ReadTxn> txn, store_.BeginRead());
  ONECARD_TRY(storage::CouponCampaignRecord c, FindCampaign(*txn, tenant.id, code));
  return ViewOf(c);
}

Result<CampaignView> CouponService::SetCampaignState(const Request& req, std::string_view code,
                                                     std::string_view state) {
  if (state != "active" && state != "stopped")
    return Invalid("state is active or stopped", "state");
  Canonical d = CanonicalOf(req, "coupon.campaign_state");
  d.Add("code", code).Add("state", state);
  return writer_.Call<CampaignView>(
      req.tenant.id, req.idempotency_key, d.digest(),
      [&](storage::WriteTxn& txn) -> Result<CampaignView> {
        ONECARD_TRY(storage::CouponCampaignRecord c, FindCampaign(txn, req.tenant.id, code));
        c.state = std::string(state);
        ONECARD_CHECK(txn.UpdateCouponCampaign(c));
        return ViewOf(c);
      },
      AuditOf(req, state == "stopped" ? "coupon.campaign_stop" : "coupon.campaign_resume",
              "coupon_campaign", std::string(code)));
}

Result<IssueView> CouponService::Issue(const Request& req, std::string_view campaign,
                                       const IssueSpec& spec) {
  ONECARD_CHECK(ValidateIdempotencyKey(req.idempotency_key));
  const std::int64_t max = spec.card.empty() ? kMaxBatch : kMaxMemberIssue;
  if (spec.count < 1 || spec.count > max) {
    return MakeError(ErrorCode::kInvalidArgument,
                     spec.card.empty() ? "count is 1 to 10,000 coupons in a batch"
                                       : "count is 1 to 100 coupons for a member",
                     "count");
  }
  std::vector<std::string> codes;
  std::set<std::string> seen;
  while (codes.size() < static_cast<std::size_t>(spec.count)) {
    std::string code = RandomCode();
    if (seen.insert(code).second) codes.push_back(std::move(code));
  }
  Canonical d = CanonicalOf(req, "coupon.issue");
  d.Add("campaign", campaign).Add("card", spec.card).Add("count", spec.count);
  Result<IssueView> v = writer_.Call<IssueView>(
      req.tenant.id, req.idempotency_key, d.digest(),
      [&](storage::WriteTxn& txn) -> Result<IssueView> {
        const core::Timestamp now = clock_.Now();
        const core::CivilDate today = LocalDate(req.tenant.timezone, now);
        ONECARD_TRY(storage::CouponCampaignRecord c, FindCampaign(txn, req.tenant.id, campaign));
        if (!c.promo_code.empty()) {
          return MakeError(ErrorCode::kInvalidArgument,
                           "campaign " + c.code + " is used with the shared promo code " +
                               c.promo_code + "; there are no coupons to issue",
                           "campaign");
        }
        if (c.state != "active") {
          return MakeError(ErrorCode::kCouponVoid, "campaign " + c.code + " is stopped",
                           "campaign");
        }
        if (c.valid_until && *c.valid_until < today) {
          return MakeError(ErrorCode::kCouponExpired,
                           "campaign " + c.code + " ended on " + c.valid_until->ToString(),
                           "campaign");
        }
        IssueView out;
        out.campaign = c.code;
        core::MemberId member;
        if (!spec.card.empty()) {
          ONECARD_TRY(member, MemberOfCard(txn, req.tenant.id, spec.card));
          out.card = spec.card;
          out.member_id = member.value;
          if (c.per_member_limit > 0) {
            ONECARD_TRY(std::int64_t held, txn.CountMemberCoupons(c.tenant, c.id, member));
            if (held + spec.count > c.per_member_limit) {
              return MakeError(ErrorCode::kCouponUsedUp,
                               "the member holds " + std::to_string(held) +
                                   " coupons of campaign " + c.code + "; it allows " +
                                   std::to_string(c.per_member_limit) + " per member",
                               "count");
            }
          }
        }
        storage::CouponRecord k;
        k.tenant = req.tenant.id;
        k.campaign = c.id;
        k.member = member;
        k.valid_from = std::max(c.valid_from, today);
        k.valid_until = c.valid_until;
        if (c.valid_days > 0) {  // counted from the first day it may be used
          const core::CivilDate end = k.valid_from.PlusDays(static_cast<int>(c.valid_days - 1));
          if (!k.valid_until || end < *k.valid_until) k.valid_until = end;
        }
        k.issued_by = req.actor.staff;
        k.issued_at = now;
        for (const std::string& code : codes) {
          k.code_hash = HashCode(code);
          k.hint = code.substr(12);
          ONECARD_TRY(k.id, txn.InsertCoupon(k));
          out.coupons.push_back(CouponViewOf(k, c, today));
        }
        c.issued += spec.count;
        ONECARD_CHECK(txn.UpdateCouponCampaign(c));
        return out;
      },
      AuditOf(req, "coupon.issue", "coupon_campaign", std::string(campaign)));
  if (v && !v->replayed) {
    for (std::size_t i = 0; i < v->coupons.size() && i < codes.size(); ++i) {
      v->coupons[i].code = core::FormatCouponCode(codes[i]);
    }
    v->codes = "shown once: hand them out now; they are stored only as hashes";
  } else if (v) {
    v->codes = "not shown again: codes are shown only in the first reply";
  }
  return v;
}

Result<CouponPage> CouponService::ListCoupons(const TenantRef& tenant, std::string_view campaign,
                                              std::string_view card, std::int64_t after,
                                              int limit) {
  ONECARD_TRY(std::unique_ptr<storage::ReadTxn> txn, store_.BeginRead());
  ONECARD_TRY(storage::CouponCampaignRecord c, FindCampaign(*txn, tenant.id, campaign));
  core::MemberId member;
  if (!card.empty()) {
    ONECARD_TRY(member, MemberOfCard(*txn, tenant.id, card));
  }
  ONECARD_TRY(std::vector<storage::CouponRecord> rows,
              txn->ListCoupons(tenant.id, c.id, member, after, limit + 1));
  const core::CivilDate today = LocalDate(tenant.timezone, clock_.Now());
  CouponPage page;
  for (std::size_t i = 0; i < rows.size() && i < static_cast<std::size_t>(limit); ++i) {
    page.items.push_back(CouponViewOf(rows[i], c, today));
  }
  if (rows.size() > static_cast<std::size_t>(limit)) page.next_after = page.items.back().id;
  return page;
}

Result<CouponView> CouponService::GetCoupon(const TenantRef& tenant, std::int64_t id) {
  ONECARD_TRY(std::unique_ptr<storage::ReadTxn> txn, store_.BeginRead());
  ONECARD_TRY(std::optional<storage::CouponRecord> k, txn->GetCoupon(tenant.id, id));
  if (!k) {
    return MakeError(ErrorCode::kCouponNotFound, "no coupon " + std::to_string(id), "id");
  }
  ONECARD_TRY(std::optional<storage::CouponCampaignRecord> c,
              txn->GetCouponCampaign(tenant.id, k->campaign));
  ONECARD_ASSERT(c.has_value(), "a coupon's campaign is missing");
  CouponView v = CouponViewOf(*k, *c, LocalDate(tenant.timezone, clock_.Now()));
  ONECARD_TRY(std::vector<storage::CouponRedemptionRecord> uses,
              txn->ListRedemptionsOfCoupon(tenant.id, id));
  for (const auto& r : uses) {
    v.redemptions.push_back(
        {r.sale, r.discount, r.at, r.return_id == 0 ? std::nullopt : std::optional(r.return_id)});
  }
  return v;
}

Result<CouponView> CouponService::Void(const Request& req, std::int64_t id) {
  Canonical d = CanonicalOf(req, "coupon.void");
  d.Add("id", id);
  return writer_.Call<CouponView>(
      req.tenant.id, req.idempotency_key, d.digest(),
      [&](storage::WriteTxn& txn) -> Result<CouponView> {
        ONECARD_TRY(std::optional<storage::CouponRecord> k, txn.GetCoupon(req.tenant.id, id));
        if (!k) {
          return MakeError(ErrorCode::kCouponNotFound, "no coupon " + std::to_string(id), "id");
        }
        if (k->state == "void") {
          return MakeError(ErrorCode::kCouponVoid,
                           "coupon " + std::to_string(id) + " is void already", "id");
        }
        ONECARD_TRY(std::optional<storage::CouponCampaignRecord> c,
                    txn.GetCouponCampaign(req.tenant.id, k->campaign));
        ONECARD_ASSERT(c.has_value(), "a coupon's campaign is missing");
        k->state = "void";
        ONECARD_CHECK(txn.UpdateCoupon(*k));
        return CouponViewOf(*k, *c, LocalDate(req.tenant.timezone, clock_.Now()));
      },
      AuditOf(req, "coupon.void", "coupon", std::to_string(id)));
}

Status CouponService::RecordGuess(const Request& req, std::string_view code) {
  const std::int64_t lockout = options_.lockout.count();
  // Not the code itself: a near miss of a real code would give part of it away.
  auto audit =
      AuditOf(req, "coupon.code_unknown", "coupon", std::to_string(code.size()) + " characters");
  Result<bool> r = writer_.Call<bool>(
      req.tenant.id, "", "",
      [&](storage::WriteTxn& txn) -> Result<bool> {
        const core::Timestamp now = clock_.Now();
        ONECARD_CHECK(txn.InsertCouponFailure(
            storage::CouponFailureRecord{req.tenant.id, Who(req), req.actor.client, now},
            now.PlusSeconds(-lockout)));
        return true;
      },
      audit);
  if (!r) return r.error();
  return {};
}

Result<std::vector<CouponRef>> CouponService::Locate(const Request& req,
                                                     const std::vector<CouponUse>& uses) {
  std::vector<CouponRef> out;
  if (uses.empty()) return out;
  if (uses.size() > 10) {
    return MakeError(ErrorCode::kFieldInvalid, "at most 10 coupons a sale", "coupons");
  }
  const core::Timestamp now = clock_.Now();
  const std::int64_t lockout = options_.lockout.count();
  ONECARD_TRY(std::unique_ptr<storage::ReadTxn> txn, store_.BeginRead());
  const bool any_code =
      std::any_of(uses.begin(), uses.end(), [](const CouponUse& u) { return !u.code.empty(); });
  if (any_code) {
    ONECARD_TRY(auto counts, txn->CountCouponFailures(req.tenant.id, Who(req), req.actor.client,
                                                      now.PlusSeconds(-lockout)));
    const int max = options_.max_failures_per_client;
    if (counts.first >= max || counts.second >= max) {
      const std::string from =
          counts.first >= max ? req.actor.staff : "address " + req.actor.client;
      return MakeError(ErrorCode::kCouponClientLocked,
                       "too many unknown coupon codes from " + from + "; retry after " +
                           LocalDateTime(req.tenant.timezone, now.PlusSeconds(lockout)),
                       "coupons");
    }
  }
  for (std::size_t i = 0; i < uses.size(); ++i) {
    const CouponUse& u = uses[i];
    const std::string at = "coupons[" + std::to_string(i) + "]";
    if (u.code.empty() == (u.id == 0)) {
      return Invalid(at + " gives a code or the id of the member's coupon (one of them)", at);
    }
    CouponRef ref;
    if (u.id != 0) {
      ONECARD_TRY(std::optional<storage::CouponRecord> k, txn->GetCoupon(req.tenant.id, u.id));
      if (!k) {
        return MakeError(ErrorCode::kCouponNotFound, "no coupon " + std::to_string(u.id),
                         at + ".id");
      }
      if (!k->member.valid()) {
        return MakeError(
            ErrorCode::kCouponNotFound,
            "coupon " + std::to_string(u.id) + " is a bearer coupon: it is used with its code",
            at + ".id");
      }
      ref = {k->campaign, k->id};
    } else {
      if (u.code.size() > 64) return Invalid(at + ".code is at most 64 bytes", at + ".code");
      const std::string code = core::NormaliseCouponCode(u.code);
      ONECARD_TRY(std::optional<storage::CouponCampaignRecord> promo,
                  txn->FindCampaignByPromo(req.tenant.id, code));
      std::optional<storage::CouponRecord> k;
      if (!promo && core::IsUniqueCouponCode(code)) {
        ONECARD_TRY(k, txn->FindCouponByHash(req.tenant.id, HashCode(code)));
      }
      if (promo) {
        ref = {promo->id, 0};
      } else if (k) {
        ref = {k->campaign, k->id};
      } else {
        txn.reset();
        ONECARD_CHECK(RecordGuess(req, code));
        return MakeError(
            ErrorCode::kCouponNotFound,
            "no coupon or promo code " + core::FormatCouponCode(code) + " (counted as a guess)",
            at + ".code");
      }
    }
    for (const CouponRef& earlier : out) {
      if (earlier.campaign == ref.campaign && earlier.coupon == ref.coupon) {
        return Invalid(at + " names a coupon the sale has already", at);
      }
    }
    out.push_back(ref);
  }
  return out;
}

Result<CouponCheckView> CouponService::Check(const Request& req, std::string_view code) {
  Result<std::vector<CouponRef>> located = Locate(req, {CouponUse{std::string(code), 0}});
  if (!located) {
    core::Error e = std::move(located).error();
    e.field = "code";
    return e;
  }
  const std::vector<CouponRef>& refs = *located;
  ONECARD_TRY(std::unique_ptr<storage::ReadTxn> txn, store_.BeginRead());
  ONECARD_TRY(std::optional<storage::CouponCampaignRecord> c,
              txn->GetCouponCampaign(req.tenant.id, refs[0].campaign));
  ONECARD_ASSERT(c.has_value(), "a located campaign is missing");
  std::optional<storage::CouponRecord> k;
  if (refs[0].coupon != 0) {
    ONECARD_TRY(k, txn->GetCoupon(req.tenant.id, refs[0].coupon));
  }
  CouponCheckView v;
  v.campaign = c->code;
  v.name = c->name;
  v.terms = core::DescribeCoupon(TermsOf(*c));
  v.kind = k ? "coupon" : "promo_code";
  if (k) {
    v.coupon_id = k->id;
    v.hint = "…" + k->hint;
    v.member_id = k->member.value;
    v.valid_until = k->valid_until;
  } else {
    v.hint = c->promo_code;
    v.valid_until = c->valid_until;
  }
  const Status usable = CheckUsable(*c, k, LocalDate(req.tenant.timezone, clock_.Now()), "code");
  v.usable = usable.ok();
  if (!usable.ok()) v.reason = usable.error().message;
  return v;
}

Result<std::vector<CouponView>> CouponService::UsableOf(const TenantRef& tenant,
                                                        core::MemberId member,
                                                        core::CivilDate today) {
  ONECARD_TRY(std::unique_ptr<storage::ReadTxn> txn, store_.BeginRead());
  ONECARD_TRY(std::vector<storage::CouponRecord> all, txn->ListCouponsOfMember(tenant.id, member));
  // Each campaign once: its record and whether the member still has uses of it left.
  std::map<std::int64_t, std::pair<storage::CouponCampaignRecord, bool>> campaigns;
  std::vector<CouponView> out;
  for (const storage::CouponRecord& k : all) {
    auto it = campaigns.find(k.campaign);
    if (it == campaigns.end()) {
      ONECARD_TRY(std::optional<storage::CouponCampaignRecord> c,
                  txn->GetCouponCampaign(tenant.id, k.campaign));
      ONECARD_ASSERT(c.has_value(), "a coupon's campaign is missing");
      bool uses_left = true;
      if (c->per_member_limit > 0) {
        ONECARD_TRY(std::int64_t used, txn->CountMemberRedemptions(tenant.id, c->id, member));
        uses_left = used < c->per_member_limit;
      }
      it = campaigns.emplace(k.campaign, std::pair(std::move(*c), uses_left)).first;
    }
    const auto& [c, uses_left] = it->second;
    if (!uses_left || !CheckUsable(c, k, today, "").ok()) continue;
    out.push_back(CouponViewOf(k, c, today));
  }
  std::stable_sort(out.begin(), out.end(), [](const CouponView& a, const CouponView& b) {
    if (a.valid_until.has_value() != b.valid_until.has_value()) return a.valid_until.has_value();
    return a.valid_until && *a.valid_until < *b.valid_until;
  });
  return out;
}

// ----- checkout -----

Result<std::vector<HeldCoupon>> HoldCoupons(storage::ReadTxn& txn, core::TenantId tenant,
                                            const std::vector<CouponRef>& refs,
                                            core::MemberId member, core::CivilDate date) {
  std::vector<HeldCoupon> out;
  out.reserve(refs.size());
  for (std::size_t i = 0; i < refs.size(); ++i) {
    const std::string at = "coupons[" + std::to_string(i) + "]";
    HeldCoupon h;
    ONECARD_TRY(std::optional<storage::CouponCampaignRecord> c,
                txn.GetCouponCampaign(tenant, refs[i].campaign));
    if (!c) return MakeError(ErrorCode::kCouponNotFound, at + ": no such coupon", at);
    h.campaign = std::move(*c);
    if (refs[i].coupon != 0) {
      ONECARD_TRY(h.coupon, txn.GetCoupon(tenant, refs[i].coupon));
      if (!h.coupon) return MakeError(ErrorCode::kCouponNotFound, at + ": no such coupon", at);
    }
    for (const HeldCoupon& earlier : out) {
      if (earlier.campaign.id == h.campaign.id) {
        return MakeError(ErrorCode::kCouponNotApplicable,
                         "one coupon of campaign " + h.campaign.code + " per sale", at);
      }
    }
    ONECARD_CHECK(CheckUsable(h.campaign, h.coupon, date, at));
    if (h.coupon && h.coupon->member.valid() && h.coupon->member != member) {
      return MakeError(ErrorCode::kCouponNotApplicable,
                       member.valid() ? "coupon …" + h.coupon->hint + " is another member's"
                                      : "coupon …" + h.coupon->hint +
                                            " is a member's own: present the member's card",
                       at);
    }
    if (h.campaign.per_member_limit > 0) {
      if (!member.valid()) {
        return MakeError(ErrorCode::kCouponNotApplicable,
                         "campaign " + h.campaign.code + " is limited per member: present the " +
                             "member's card",
                         at);
      }
      ONECARD_TRY(std::int64_t used, txn.CountMemberRedemptions(tenant, h.campaign.id, member));
      if (used >= h.campaign.per_member_limit) {
        return MakeError(ErrorCode::kCouponUsedUp,
                         "the member has used campaign " + h.campaign.code + " " +
                             std::to_string(used) + " time" + (used == 1 ? "" : "s") +
                             " (its limit per member)",
                         at);
      }
    }
    h.terms = TermsOf(h.campaign);
    out.push_back(std::move(h));
  }
  return out;
}

std::vector<SaleCouponView> QuotedCoupons(const std::vector<HeldCoupon>& held,
                                          const std::vector<std::int64_t>& discounts) {
  std::vector<SaleCouponView> out;
  for (std::size_t i = 0; i < held.size() && i < discounts.size(); ++i) {
    out.push_back(SaleCouponOf(held[i].campaign, held[i].coupon, discounts[i]));
  }
  return out;
}

Status CheckCouponBudgets(const std::vector<HeldCoupon>& held,
                          const std::vector<std::int64_t>& discounts) {
  ONECARD_ASSERT(held.size() == discounts.size(), "a discount for every coupon");
  for (std::size_t i = 0; i < held.size(); ++i) {
    const storage::CouponCampaignRecord& c = held[i].campaign;
    if (c.budget > 0 && c.discount_given + discounts[i] > c.budget) {
      return MakeError(
          ErrorCode::kCouponUsedUp,
          "campaign " + c.code + " has " + core::YuanSign(c.budget - c.discount_given) +
              " of its budget left, less than this coupon's " + core::YuanSign(discounts[i]),
          "coupons[" + std::to_string(i) + "]");
    }
  }
  return {};
}

Result<std::vector<SaleCouponView>> RedeemCoupons(storage::WriteTxn& txn,
                                                  std::vector<HeldCoupon>& held,
                                                  const std::vector<std::int64_t>& discounts,
                                                  std::int64_t sale, core::MemberId member,
                                                  core::Timestamp at) {
  std::vector<SaleCouponView> out;
  for (std::size_t i = 0; i < held.size(); ++i) {
    HeldCoupon& h = held[i];
    storage::CouponRedemptionRecord r;
    r.tenant = h.campaign.tenant;
    r.campaign = h.campaign.id;
    r.coupon = h.coupon ? h.coupon->id : 0;
    r.member = member;
    r.sale = sale;
    r.discount = discounts[i];
    r.at = at;
    ONECARD_TRY(r.id, txn.InsertCouponRedemption(r));
    if (h.coupon) {
      h.coupon->used += 1;
      ONECARD_CHECK(txn.UpdateCoupon(*h.coupon));
    }
    h.campaign.used += 1;
    h.campaign.discount_given += discounts[i];
    ONECARD_CHECK(txn.UpdateCouponCampaign(h.campaign));
    out.push_back(SaleCouponOf(h.campaign, h.coupon, discounts[i]));
  }
  return out;
}

Result<std::vector<SaleCouponView>> CouponsOfSale(storage::ReadTxn& txn, core::TenantId tenant,
                                                  std::int64_t sale,
                                                  std::optional<std::int64_t> restored_by) {
  ONECARD_TRY(std::vector<storage::CouponRedemptionRecord> uses,
              txn.ListRedemptionsOfSale(tenant, sale));
  std::vector<SaleCouponView> out;
  for (const auto& r : uses) {
    if (restored_by && r.return_id != *restored_by) continue;
    ONECARD_TRY(std::optional<storage::CouponCampaignRecord> c,
                txn.GetCouponCampaign(tenant, r.campaign));
    ONECARD_ASSERT(c.has_value(), "a redemption's campaign is missing");
    std::optional<storage::CouponRecord> k;
    if (r.coupon != 0) {
      ONECARD_TRY(k, txn.GetCoupon(tenant, r.coupon));
      ONECARD_ASSERT(k.has_value(), "a redemption's coupon is missing");
    }
    out.push_back(SaleCouponOf(*c, k, r.discount));
  }
  return out;
}

namespace {

// Gives one coupon use back: the coupon's and the campaign's counters move back. Returns the
// use as the receipt shows it.
Result<SaleCouponView> GiveUseBack(storage::WriteTxn& txn, core::TenantId tenant,
                                   const storage::CouponRedemptionRecord& r,
                                   storage::CouponCampaignRecord& c) {
  std::optional<storage::CouponRecord> k;
  if (r.coupon != 0) {
    ONECARD_TRY(k, txn.GetCoupon(tenant, r.coupon));
    ONECARD_ASSERT(k.has_value(), "a redemption's coupon is missing");
    k->used -= 1;
    ONECARD_CHECK(txn.UpdateCoupon(*k));
  }
  c.used -= 1;
  c.discount_given -= r.discount;
  ONECARD_CHECK(txn.UpdateCouponCampaign(c));
  return SaleCouponOf(c, k, r.discount);
}

// The uses of a sale still in force (not restored by a return, not voided), each with its
// campaign.
using UseInForce = std::pair<storage::CouponRedemptionRecord, storage::CouponCampaignRecord>;
Result<std::vector<UseInForce>> UsesInForce(storage::ReadTxn& txn, core::TenantId tenant,
                                            std::int64_t sale) {
  ONECARD_TRY(std::vector<storage::CouponRedemptionRecord> uses,
              txn.ListRedemptionsOfSale(tenant, sale));
  std::vector<UseInForce> out;
  for (const auto& r : uses) {
    if (r.return_id != 0 || r.voided) continue;
    ONECARD_TRY(std::optional<storage::CouponCampaignRecord> c,
                txn.GetCouponCampaign(tenant, r.campaign));
    ONECARD_ASSERT(c.has_value(), "a redemption's campaign is missing");
    out.emplace_back(r, std::move(*c));
  }
  return out;
}

}  // namespace

Result<std::vector<SaleCouponView>> RestoreCoupons(storage::WriteTxn& txn, core::TenantId tenant,
                                                   std::int64_t sale, std::int64_t return_id) {
  ONECARD_TRY(std::vector<UseInForce> uses, UsesInForce(txn, tenant, sale));
  std::vector<SaleCouponView> out;
  for (auto& [r, c] : uses) {
    if (!c.restore_on_return) continue;
    ONECARD_CHECK(txn.SetRedemptionReturned(tenant, r.id, return_id));
    ONECARD_TRY(SaleCouponView given, GiveUseBack(txn, tenant, r, c));
    out.push_back(std::move(given));
  }
  return out;
}

Status VoidCoupons(storage::WriteTxn& txn, core::TenantId tenant, std::int64_t sale) {
  ONECARD_TRY(std::vector<UseInForce> uses, UsesInForce(txn, tenant, sale));
  for (auto& [r, c] : uses) ONECARD_CHECK(GiveUseBack(txn, tenant, r, c));
  return txn.SetRedemptionsVoided(tenant, sale);
}

}  // namespace onecard::service
