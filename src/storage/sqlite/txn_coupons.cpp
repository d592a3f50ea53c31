// SqliteTxn: coupons — campaigns, unique coupons, redemptions at sales and unknown codes tried.
#include "storage/sqlite/rows.hpp"
#include "storage/sqlite/txn.hpp"

namespace onecard::storage::sqlite {
namespace {

#define ONECARD_CAMPAIGN_COLS                                                          \
  "SELECT id, tenant_id, code, name, kind, percent_off_bp, amount_off, max_discount, " \
  "min_spend, skus, categories, stores, valid_from, valid_until, valid_days, "         \
  "COALESCE(promo_code, ''), uses_per_coupon, per_member_limit, total_limit, budget, " \
  "restore_on_return, state, issued, used, discount_given, created_by, created_at "    \
  "FROM coupon_campaigns "

#define ONECARD_COUPON_COLS                                                                  \
  "SELECT id, tenant_id, campaign_id, code_hash, hint, COALESCE(member_id, 0), valid_from, " \
  "valid_until, used, state, issued_by, issued_at FROM coupons "

#define ONECARD_REDEMPTION_COLS                                                         \
  "SELECT id, tenant_id, campaign_id, COALESCE(coupon_id, 0), COALESCE(member_id, 0), " \
  "sale_id, discount, at, COALESCE(return_id, 0), voided FROM coupon_redemptions "

Result<CouponCampaignRecord> ReadCampaign(const Stmt& st) {
  CouponCampaignRecord c;
  c.id = st.Int(0);
  c.tenant = TenantId{st.Int(1)};
  c.code = st.Text(2);
  c.name = st.Text(3);
  c.kind = st.Text(4);
  c.percent_off_bp = st.Int(5);
  c.amount_off = st.Int(6);
  c.max_discount = st.Int(7);
  c.min_spend = st.Int(8);
  c.skus = st.Text(9);
  c.categories = st.Text(10);
  c.stores = st.Text(11);
  ONECARD_TRY(c.valid_from, core::CivilDate::Parse(st.Text(12), "valid_from"));
  ONECARD_TRY(c.valid_until, OptDate(st, 13, "valid_until"));
  c.valid_days = st.Int(14);
  c.promo_code = st.Text(15);
  c.uses_per_coupon = st.Int(16);
  c.per_member_limit = st.Int(17);
  c.total_limit = st.Int(18);
  c.budget = st.Int(19);
  c.restore_on_return = st.Int(20) != 0;
  c.state = st.Text(21);
  c.issued = st.Int(22);
  c.used = st.Int(23);
  c.discount_given = st.Int(24);
  c.created_by = st.Text(25);
  c.created_at = Timestamp{st.Int(26)};
  return c;
}

Result<CouponRecord> ReadCoupon(const Stmt& st) {
  CouponRecord c;
  c.id = st.Int(0);
  c.tenant = TenantId{st.Int(1)};
  c.campaign = st.Int(2);
  c.code_hash = st.Text(3);
  c.hint = st.Text(4);
  c.member = MemberId{st.Int(5)};
  ONECARD_TRY(c.valid_from, core::CivilDate::Parse(st.Text(6), "valid_from"));
  ONECARD_TRY(c.valid_until, OptDate(st, 7, "valid_until"));
  c.used = st.Int(8);
  c.state = st.Text(9);
  c.issued_by = st.Text(10);
  c.issued_at = Timestamp{st.Int(11)};
  return c;
}

CouponRedemptionRecord ReadRedemption(const Stmt& st) {
  CouponRedemptionRecord r;
  r.id = st.Int(0);
  r.tenant = TenantId{st.Int(1)};
  r.campaign = st.Int(2);
  r.coupon = st.Int(3);
  r.member = MemberId{st.Int(4)};
  r.sale = st.Int(5);
  r.discount = st.Int(6);
  r.at = Timestamp{st.Int(7)};
  r.return_id = st.Int(8);
  r.voided = st.Int(9) != 0;
  return r;
}

}  // namespace

Result<std::optional<CouponCampaignRecord>> SqliteTxn::FindCouponCampaign(TenantId tenant,
                                                                          std::string_view code) {
  ONECARD_TRY(Stmt st, Prepare(ONECARD_CAMPAIGN_COLS "WHERE tenant_id = ?1 AND code = ?2"));
  st.Bind(1, tenant.value).Bind(2, code);
  return ReadOne<CouponCampaignRecord>(st, ReadCampaign);
}

Result<std::optional<CouponCampaignRecord>> SqliteTxn::GetCouponCampaign(TenantId tenant,
                                                                         std::int64_t id) {
  ONECARD_TRY(Stmt st, Prepare(ONECARD_CAMPAIGN_COLS "WHERE tenant_id = ?1 AND id = ?2"));
  st.Bind(1, tenant.value).Bind(2, id);
  return ReadOne<CouponCampaignRecord>(st, ReadCampaign);
}

Result<std::optional<CouponCampaignRecord>> SqliteTxn::FindCampaignByPromo(TenantId tenant,
                                                                           std::string_view promo) {
  ONECARD_TRY(Stmt st, Prepare(ONECARD_CAMPAIGN_COLS "WHERE tenant_id = ?1 AND promo_code = ?2"));
  st.Bind(1, tenant.value).Bind(2, promo);
  return ReadOne<CouponCampaignRecord>(st, ReadCampaign);
}

Result<std::vector<CouponCampaignRecord>> SqliteTxn::ListCouponCampaigns(TenantId tenant) {
  ONECARD_TRY(Stmt st, Prepare(ONECARD_CAMPAIGN_COLS "WHERE tenant_id = ?1 ORDER BY id DESC"));
  st.Bind(1, tenant.value);
  return ReadAll<CouponCampaignRecord>(st, ReadCampaign);
}

Result<std::optional<CouponRecord>> SqliteTxn::GetCoupon(TenantId tenant, std::int64_t id) {
  ONECARD_TRY(Stmt st, Prepare(ONECARD_COUPON_COLS "WHERE tenant_id = ?1 AND id = ?2"));
  st.Bind(1, tenant.value).Bind(2, id);
  return ReadOne<CouponRecord>(st, ReadCoupon);
}

Result<std::optional<CouponRecord>> SqliteTxn::FindCouponByHash(TenantId tenant,
                                                                std::string_view code_hash) {
  ONECARD_TRY(Stmt st, Prepare(ONECARD_COUPON_COLS "WHERE tenant_id = ?1 AND code_hash = ?2"));
  st.Bind(1, tenant.value).Bind(2, code_hash);
  return ReadOne<CouponRecord>(st, ReadCoupon);
}

Result<std::vector<CouponRecord>> SqliteTxn::ListCoupons(TenantId tenant, std::int64_t campaign,
                                                         MemberId member, std::int64_t after,
                                                         int limit) {
  ONECARD_TRY(Stmt st,
              Prepare(ONECARD_COUPON_COLS "WHERE tenant_id = ?1 AND campaign_id = ?2 AND id > ?3 "
                                          "AND (?4 = 0 OR member_id = ?4) ORDER BY id LIMIT ?5"));
  st.Bind(1, tenant.value).Bind(2, campaign).Bind(3, after).Bind(4, member.value);
  st.Bind(5, std::int64_t{limit});
  return ReadAll<CouponRecord>(st, ReadCoupon);
}

Result<std::vector<CouponRecord>> SqliteTxn::ListCouponsOfMember(TenantId tenant, MemberId member) {
  ONECARD_TRY(Stmt st, Prepare(ONECARD_COUPON_COLS
                               "WHERE tenant_id = ?1 AND member_id = ?2 ORDER BY id DESC"));
  st.Bind(1, tenant.value).Bind(2, member.value);
  return ReadAll<CouponRecord>(st, ReadCoupon);
}

Result<std::int64_t> SqliteTxn::CountMemberRedemptions(TenantId tenant, std::int64_t campaign,
                                                       MemberId member) {
  ONECARD_TRY(Stmt st, Prepare("SELECT count(*) FROM coupon_redemptions WHERE tenant_id = ?1 "
                               "AND campaign_id = ?2 AND member_id = ?3 AND return_id IS NULL "
                               "AND voided = 0"));
  st.Bind(1, tenant.value).Bind(2, campaign).Bind(3, member.value);
  ONECARD_TRY(bool row, st.Step());
  return row ? st.Int(0) : 0;
}

Result<std::int64_t> SqliteTxn::CountMemberCoupons(TenantId tenant, std::int64_t campaign,
                                                   MemberId member) {
  ONECARD_TRY(Stmt st, Prepare("SELECT count(*) FROM coupons WHERE tenant_id = ?1 "
                               "AND campaign_id = ?2 AND member_id = ?3 AND state <> 'void'"));
  st.Bind(1, tenant.value).Bind(2, campaign).Bind(3, member.value);
  ONECARD_TRY(bool row, st.Step());
  return row ? st.Int(0) : 0;
}

Result<std::vector<CouponRedemptionRecord>> SqliteTxn::ListRedemptionsOfSale(TenantId tenant,
                                                                             std::int64_t sale) {
  ONECARD_TRY(Stmt st,
              Prepare(ONECARD_REDEMPTION_COLS "WHERE tenant_id = ?1 AND sale_id = ?2 ORDER BY id"));
  st.Bind(1, tenant.value).Bind(2, sale);
  return ReadAll<CouponRedemptionRecord>(st, ReadRedemption);
}

Result<std::vector<CouponRedemptionRecord>> SqliteTxn::ListRedemptionsOfCoupon(
    TenantId tenant, std::int64_t coupon) {
  ONECARD_TRY(Stmt st, Prepare(ONECARD_REDEMPTION_COLS
                               "WHERE tenant_id = ?1 AND coupon_id = ?2 ORDER BY id"));
  st.Bind(1, tenant.value).Bind(2, coupon);
  return ReadAll<CouponRedemptionRecord>(st, ReadRedemption);
}

Result<std::pair<std::int64_t, std::int64_t>> SqliteTxn::CountCouponFailures(
    TenantId tenant, std::string_view who, std::string_view client, Timestamp since) {
  ONECARD_TRY(Stmt st,
              Prepare("SELECT (SELECT count(*) FROM coupon_code_failures WHERE tenant_id = ?1 "
                      "AND who = ?2 AND at >= ?4), (SELECT count(*) FROM coupon_code_failures "
                      "WHERE tenant_id = ?1 AND client = ?3 AND client <> '' AND at >= ?4)"));
  st.Bind(1, tenant.value).Bind(2, who).Bind(3, client).Bind(4, since.micros);
  ONECARD_TRY(bool row, st.Step());
  if (!row) return std::pair<std::int64_t, std::int64_t>{0, 0};
  return std::pair<std::int64_t, std::int64_t>{st.Int(0), st.Int(1)};
}

Result<std::int64_t> SqliteTxn::InsertCouponCampaign(const CouponCampaignRecord& c) {
  RequireWritable();
  ONECARD_TRY(Stmt st,
              Prepare("INSERT INTO coupon_campaigns (tenant_id, code, name, kind, percent_off_bp, "
                      "amount_off, max_discount, min_spend, skus, categories, stores, valid_from, "
                      "valid_until, valid_days, promo_code, uses_per_coupon, per_member_limit, "
                      "total_limit, budget, restore_on_return, state, issued, used, "
                      "discount_given, created_by, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, "
                      "?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, "
                      "?22, ?23, ?24, ?25, ?26)"));
  st.Bind(1, c.tenant.value).Bind(2, c.code).Bind(3, c.name).Bind(4, c.kind);
  st.Bind(5, c.percent_off_bp).Bind(6, c.amount_off).Bind(7, c.max_discount);
  st.Bind(8, c.min_spend).Bind(9, c.skus).Bind(10, c.categories).Bind(11, c.stores);
  st.Bind(12, c.valid_from.ToString());
  BindOptDate(st, 13, c.valid_until);
  st.Bind(14, c.valid_days);
  if (c.promo_code.empty()) {
    st.BindNull(15);
  } else {
    st.Bind(15, c.promo_code);
  }
  st.Bind(16, c.uses_per_coupon).Bind(17, c.per_member_limit).Bind(18, c.total_limit);
  st.Bind(19, c.budget).Bind(20, std::int64_t{c.restore_on_return ? 1 : 0}).Bind(21, c.state);
  st.Bind(22, c.issued).Bind(23, c.used).Bind(24, c.discount_given).Bind(25, c.created_by);
  st.Bind(26, c.created_at.micros);
  ONECARD_CHECK(st.Run());
  return conn_.LastInsertId();
}

Status SqliteTxn::UpdateCouponCampaign(const CouponCampaignRecord& c) {
  RequireWritable();
  ONECARD_TRY(Stmt st, Prepare("UPDATE coupon_campaigns SET state = ?3, issued = ?4, used = ?5, "
                               "discount_given = ?6 WHERE tenant_id = ?1 AND id = ?2"));
  st.Bind(1, c.tenant.value).Bind(2, c.id).Bind(3, c.state).Bind(4, c.issued).Bind(5, c.used);
  st.Bind(6, c.discount_given);
  return st.Run();
}

Result<std::int64_t> SqliteTxn::InsertCoupon(const CouponRecord& c) {
  RequireWritable();
  ONECARD_TRY(Stmt st, Prepare("INSERT INTO coupons (tenant_id, campaign_id, code_hash, hint, "
                               "member_id, valid_from, valid_until, used, state, issued_by, "
                               "issued_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)"));
  st.Bind(1, c.tenant.value).Bind(2, c.campaign).Bind(3, c.code_hash).Bind(4, c.hint);
  st.BindId(5, c.member.value).Bind(6, c.valid_from.ToString());
  BindOptDate(st, 7, c.valid_until);
  st.Bind(8, c.used).Bind(9, c.state).Bind(10, c.issued_by).Bind(11, c.issued_at.micros);
  ONECARD_CHECK(st.Run());
  return conn_.LastInsertId();
}

Status SqliteTxn::UpdateCoupon(const CouponRecord& c) {
  RequireWritable();
  ONECARD_TRY(Stmt st, Prepare("UPDATE coupons SET used = ?3, state = ?4 "
                               "WHERE tenant_id = ?1 AND id = ?2"));
  st.Bind(1, c.tenant.value).Bind(2, c.id).Bind(3, c.used).Bind(4, c.state);
  return st.Run();
}

Result<std::int64_t> SqliteTxn::InsertCouponRedemption(const CouponRedemptionRecord& r) {
  RequireWritable();
  ONECARD_TRY(Stmt st,
              Prepare("INSERT INTO coupon_redemptions (tenant_id, campaign_id, coupon_id, "
                      "member_id, sale_id, discount, at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)"));
  st.Bind(1, r.tenant.value).Bind(2, r.campaign).BindId(3, r.coupon).BindId(4, r.member.value);
  st.Bind(5, r.sale).Bind(6, r.discount).Bind(7, r.at.micros);
  ONECARD_CHECK(st.Run());
  return conn_.LastInsertId();
}

Status SqliteTxn::SetRedemptionsVoided(TenantId tenant, std::int64_t sale) {
  RequireWritable();
  ONECARD_TRY(Stmt st, Prepare("UPDATE coupon_redemptions SET voided = 1 "
                               "WHERE tenant_id = ?1 AND sale_id = ?2 AND return_id IS NULL"));
  st.Bind(1, tenant.value).Bind(2, sale);
  return st.Run();
}

Status SqliteTxn::SetRedemptionReturned(TenantId tenant, std::int64_t id, std::int64_t return_id) {
  RequireWritable();
  ONECARD_TRY(Stmt st, Prepare("UPDATE coupon_redemptions SET return_id = ?3 "
                               "WHERE tenant_id = ?1 AND id = ?2 AND return_id IS NULL"));
  st.Bind(1, tenant.value).Bind(2, id).Bind(3, return_id);
  return st.Run();
}

Status SqliteTxn::InsertCouponFailure(const CouponFailureRecord& f, Timestamp forget_before) {
  RequireWritable();
  {
    ONECARD_TRY(Stmt del,
                Prepare("DELETE FROM coupon_code_failures WHERE tenant_id = ?1 AND at < ?2"));
    del.Bind(1, f.tenant.value).Bind(2, forget_before.micros);
    ONECARD_CHECK(del.Run());
  }
  ONECARD_TRY(Stmt st, Prepare("INSERT INTO coupon_code_failures (tenant_id, who, client, at) "
                               "VALUES (?1, ?2, ?3, ?4)"));
  st.Bind(1, f.tenant.value).Bind(2, f.who).Bind(3, f.client).Bind(4, f.at.micros);
  return st.Run();
}

}  // namespace onecard::storage::sqlite
