// Coupon routes: campaigns, issuing coupons to members or as batches, looking coupons up and
// voiding them, and checking a code at the till (issue #5, R-504).
#include "http/api_internal.hpp"
#include "service/services.hpp"

namespace onecard::http {
namespace {

using core::ErrorCode;
using core::MakeError;
using core::Result;
using P = service::Permission;
using Routes = std::vector<std::unique_ptr<Api::Route>>;
using S = service::Services&;
using R = const service::Request&;

Result<std::optional<core::CivilDate>> OptDate(Fields& f, std::string_view field) {
  ONECARD_TRY(std::optional<std::string> text, f.OptText(field, 10));
  if (!text) return std::optional<core::CivilDate>{};
  ONECARD_TRY(core::CivilDate d, core::CivilDate::Parse(*text, field));
  return std::optional<core::CivilDate>(d);
}

// A campaign for some stores only may be made by whoever covers them all; one for every store
// needs a tenant-wide principal.
core::Status CoversStores(const service::Principal& who, const std::vector<std::string>& stores) {
  if (who.TenantWide()) return {};
  if (stores.empty()) {
    return MakeError(ErrorCode::kForbidden,
                     "a campaign for every store is made at head office; name the stores of your "
                     "scope in stores",
                     "stores");
  }
  for (const std::string& s : stores) {
    if (!who.CoversStore(s)) {
      return MakeError(ErrorCode::kForbidden, "store " + s + " is outside your scope", "stores");
    }
  }
  return {};
}

void PostCampaign(S services, const CallPtr& call) {
  auto b = BeginWrite(call, false, false);
  if (!b) return;
  service::CampaignSpec c;
  Fields& f = b->fields;
  ONECARD_TRY_REPLY(c.code, f.Text("code", 40));
  ONECARD_TRY_REPLY(c.name, f.Text("name", 200));
  ONECARD_TRY_REPLY(c.kind, f.Text("kind", 10));
  ONECARD_TRY_REPLY(c.percent_off, f.TextOr("percent_off", "", 6));
  ONECARD_TRY_REPLY(std::optional<std::int64_t> amount_off, f.OptInt("amount_off"));
  c.amount_off = amount_off.value_or(0);
  ONECARD_TRY_REPLY(std::optional<std::int64_t> max_discount, f.OptInt("max_discount"));
  c.max_discount = max_discount.value_or(0);
  ONECARD_TRY_REPLY(std::optional<std::int64_t> min_spend, f.OptInt("min_spend"));
  c.min_spend = min_spend.value_or(0);
  ONECARD_TRY_REPLY(c.skus, f.Strings("skus"));
  ONECARD_TRY_REPLY(c.categories, f.Strings("categories"));
  ONECARD_TRY_REPLY(c.stores, f.Strings("stores"));
  ONECARD_TRY_REPLY(c.valid_from, OptDate(f, "valid_from"));
  ONECARD_TRY_REPLY(c.valid_until, OptDate(f, "valid_until"));
  ONECARD_TRY_REPLY(std::optional<std::int64_t> valid_days, f.OptInt("valid_days"));
  c.valid_days = valid_days.value_or(0);
  ONECARD_TRY_REPLY(c.promo_code, f.TextOr("promo_code", "", 64));
  ONECARD_TRY_REPLY(c.uses_per_coupon, f.OptInt("uses_per_coupon"));
  ONECARD_TRY_REPLY(std::optional<std::int64_t> per_member, f.OptInt("per_member_limit"));
  c.per_member_limit = per_member.value_or(0);
  ONECARD_TRY_REPLY(std::optional<std::int64_t> total, f.OptInt("total_limit"));
  c.total_limit = total.value_or(0);
  ONECARD_TRY_REPLY(std::optional<std::int64_t> budget, f.OptInt("budget"));
  c.budget = budget.value_or(0);
  ONECARD_TRY_REPLY(std::optional<bool> restore, f.OptBool("restore_on_return"));
  c.restore_on_return = restore.value_or(true);
  ONECARD_CHECK_REPLY(f.Finish());
  ONECARD_CHECK_REPLY(CoversStores(call->Who(), c.stores));
  Blocking(call, [&services, call, req = std::move(b->req), c = std::move(c)] {
    ReplyResult(call, 201, services.coupons().CreateCampaign(req, c));
  });
}

RouteHandler SetState(std::string state) {
  return [state](S services, const CallPtr& call) {
    const std::string code = call->Param("code");
    struct None {};
    AdminWrite<None>(
        services, call, 200, [](Fields&, None&) -> core::Status { return {}; },
        [code, state](S s, R req, const None&) {
          return s.coupons().SetCampaignState(req, code, state);
        });
  };
}

void PostIssue(S services, const CallPtr& call) {
  auto b = BeginWrite(call, true, false);
  if (!b) return;
  service::IssueSpec spec;
  ONECARD_TRY_REPLY(spec.card, b->fields.TextOr("card", "", 40));
  ONECARD_TRY_REPLY(std::optional<std::int64_t> count, b->fields.OptInt("count"));
  spec.count = count.value_or(1);
  ONECARD_CHECK_REPLY(b->fields.Finish());
  if (spec.card.empty()) {  // a batch of bearer coupons is head office's (or marketing's) call
    ONECARD_CHECK_REPLY(service::Require(call->Who(), P::kCouponManage));
  }
  const std::string code = call->Param("code");
  Blocking(call, [&services, call, code, req = std::move(b->req), spec = std::move(spec)] {
    ReplyResult(call, 201, services.coupons().Issue(req, code, spec));
  });
}

void ListCoupons(S s, const CallPtr& call) {
  ONECARD_TRY_REPLY(int limit, QueryLimit(call, 100, 1000));
  std::int64_t after = 0;
  if (const std::string a = QueryText(call, "after"); !a.empty()) {
    ONECARD_TRY_REPLY(after, PositiveId(a, "after"));
  }
  ONECARD_TRY_REPLY(service::CouponPage page,
                    s.coupons().ListCoupons(call->Who().tenant, call->Param("code"),
                                            QueryText(call, "card"), after, limit));
  nlohmann::json next = nullptr;
  if (page.next_after) next = *page.next_after;
  ReplyJson(call, 200, nlohmann::json{{"items", page.items}, {"next_after", next}});
}

void GetCoupon(S s, const CallPtr& call) {
  ONECARD_TRY_REPLY(std::int64_t id, PositiveId(call->Param("id"), "id"));
  ReplyResult(call, 200, s.coupons().GetCoupon(call->Who().tenant, id));
}

void PostVoid(S services, const CallPtr& call) {
  ONECARD_TRY_REPLY(std::int64_t id, PositiveId(call->Param("id"), "id"));
  struct None {};
  AdminWrite<None>(
      services, call, 200, [](Fields&, None&) -> core::Status { return {}; },
      [id](S s, R req, const None&) { return s.coupons().Void(req, id); });
}

void PostCheck(S services, const CallPtr& call) {
  auto b = BeginWrite(call, false, true);
  if (!b) return;
  ONECARD_TRY_REPLY(std::string code, b->fields.Text("code", 64));
  ONECARD_CHECK_REPLY(b->fields.Finish());
  Blocking(call, [&services, call, req = std::move(b->req), code = std::move(code)] {
    ReplyResult(call, 200, services.coupons().Check(req, code));
  });
}

}  // namespace

void AddCouponRoutes(Routes& routes) {
  routes.push_back(
      MakeRoute("GET", "/v1/coupon-campaigns", true, P::kCouponRead, [](S s, const CallPtr& call) {
        ONECARD_TRY_REPLY(std::vector<service::CampaignView> items,
                          s.coupons().ListCampaigns(call->Who().tenant));
        ReplyJson(call, 200, nlohmann::json{{"items", items}});
      }));
  routes.push_back(MakeRoute("POST", "/v1/coupon-campaigns", true, P::kCouponManage, PostCampaign));
  routes.push_back(MakeRoute(
      "GET", "/v1/coupon-campaigns/{code}", true, P::kCouponRead, [](S s, const CallPtr& call) {
        ReplyResult(call, 200, s.coupons().GetCampaign(call->Who().tenant, call->Param("code")));
      }));
  routes.push_back(MakeRoute("POST", "/v1/coupon-campaigns/{code}/stop", true, P::kCouponManage,
                             SetState("stopped")));
  routes.push_back(MakeRoute("POST", "/v1/coupon-campaigns/{code}/resume", true, P::kCouponManage,
                             SetState("active")));
  routes.push_back(
      MakeRoute("POST", "/v1/coupon-campaigns/{code}/coupons", true, P::kCouponIssue, PostIssue));
  routes.push_back(
      MakeRoute("GET", "/v1/coupon-campaigns/{code}/coupons", true, P::kCouponRead, ListCoupons));
  routes.push_back(MakeRoute("GET", "/v1/coupons/{id}", true, P::kCouponRead, GetCoupon));
  routes.push_back(MakeRoute("POST", "/v1/coupons/{id}/void", true, P::kCouponManage, PostVoid));
  routes.push_back(MakeRoute("POST", "/v1/coupons/check", true, P::kCheckout, PostCheck));
}

}  // namespace onecard::http
