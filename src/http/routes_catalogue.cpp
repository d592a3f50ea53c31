// Catalogue routes: categories, products (one by one and as CSV) and promotions (issue #5).
#include "http/api_internal.hpp"
#include "service/calendar.hpp"
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

constexpr std::int64_t kMaxPrice = core::kAmountMax / 1'000'000;

Result<std::int64_t> Price(Fields& f, std::string_view name) {
  ONECARD_TRY(std::int64_t fen, f.Int(name));
  if (fen < 0 || fen > kMaxPrice) {
    return MakeError(ErrorCode::kFieldInvalid,
                     std::string(name) + " is fen per unit, 0 to 1,000,000,000", std::string(name));
  }
  return fen;
}

void PostCategory(S services, const CallPtr& call) {
  struct Spec {
    std::string code, name, parent;
  };
  AdminWrite<Spec>(
      services, call, 201,
      [](Fields& f, Spec& o) -> core::Status {
        ONECARD_TRY(o.code, f.Text("code", 40));
        ONECARD_TRY(o.name, f.Text("name", 200));
        ONECARD_TRY(o.parent, f.TextOr("parent", "", 40));
        return {};
      },
      [](S s, R req, const Spec& o) {
        return s.catalogue().AddCategory(req, o.code, o.name, o.parent);
      });
}

void PatchCategory(S services, const CallPtr& call) {
  struct Spec {
    std::optional<std::string> name, parent;
  };
  AdminWrite<Spec>(
      services, call, 200,
      [](Fields& f, Spec& o) -> core::Status {
        ONECARD_TRY(o.name, f.OptText("name", 200));
        ONECARD_TRY(o.parent, f.OptText("parent", 40));
        return {};
      },
      [call](S s, R req, const Spec& o) {
        return s.catalogue().UpdateCategory(req, call->Param("code"), o.name, o.parent);
      });
}

void ListProducts(S s, const CallPtr& call) {
  service::ProductQuery q;
  ONECARD_TRY_REPLY(q.limit, QueryLimit(call, 100, 500));
  q.after = QueryText(call, "after");
  q.category = QueryText(call, "category");
  q.text = QueryText(call, "q");
  const std::string retired = QueryText(call, "include_retired");
  if (!retired.empty() && retired != "true" && retired != "false") {
    return ReplyError(call, MakeError(ErrorCode::kInvalidArgument,
                                      "include_retired is true or false", "include_retired"));
  }
  q.include_retired = retired == "true";
  ONECARD_TRY_REPLY(service::ProductPage page, s.catalogue().ListProducts(call->Who().tenant, q));
  nlohmann::json next = nullptr;
  if (!page.next.empty()) next = page.next;
  ReplyJson(call, 200, nlohmann::json{{"items", page.products}, {"next_after", next}});
}

void PutProduct(S services, const CallPtr& call) {
  AdminWrite<service::ProductSpec>(
      services, call, 200,
      [call](Fields& f, service::ProductSpec& p) -> core::Status {
        p.sku = call->Param("sku");
        ONECARD_TRY(p.name, f.Text("name", 200));
        ONECARD_TRY(p.list_price, Price(f, "list_price"));
        ONECARD_TRY(p.item_class, f.TextOr("item_class", "goods", 40));
        if (const nlohmann::json* cats = f.Raw("categories")) {
          if (!cats->is_array()) {
            return MakeError(ErrorCode::kFieldInvalid, "categories is a list of category codes",
                             "categories");
          }
          for (const nlohmann::json& c : *cats) {
            if (!c.is_string()) {
              return MakeError(ErrorCode::kFieldInvalid, "categories holds codes (strings)",
                               "categories");
            }
            p.categories.push_back(c.get<std::string>());
          }
        }
        ONECARD_TRY(std::optional<bool> non_earning, f.OptBool("non_earning"));
        p.non_earning = non_earning.value_or(false);
        ONECARD_TRY(std::optional<bool> bundle, f.OptBool("bundle"));
        p.bundle = bundle.value_or(false);
        ONECARD_TRY(p.status, f.TextOr("status", "active", 20));
        if (const nlohmann::json* tiers = f.Raw("tier_prices")) {
          if (!tiers->is_object()) {
            return MakeError(ErrorCode::kFieldInvalid,
                             "tier_prices maps tier codes to fen per unit: {\"gold\": 5000}",
                             "tier_prices");
          }
          for (const auto& [tier, price] : tiers->items()) {
            if (!price.is_number_integer() || price.get<std::int64_t>() < 0 ||
                price.get<std::int64_t>() > kMaxPrice) {
              return MakeError(ErrorCode::kFieldInvalid,
                               "tier_prices." + tier + " is fen per unit, 0 to 1,000,000,000",
                               "tier_prices." + tier);
            }
            p.tier_prices.push_back({tier, price.get<std::int64_t>()});
          }
        }
        return {};
      },
      [](S s, R req, const service::ProductSpec& p) { return s.catalogue().PutProduct(req, p); });
}

void PostProductsCsv(S services, const CallPtr& call) {
  ONECARD_TRY_REPLY(service::Request req, MakeRequest(call, false, std::nullopt));
  Blocking(call, [&services, call, req = std::move(req)] {
    ReplyResult(call, 200, services.catalogue().ImportCsv(req, call->req.body));
  });
}

void GetProductsCsv(S services, const CallPtr& call) {
  Blocking(call, [&services, call] {
    ReplyCsv(call, services.catalogue().ExportCsv(call->Who().tenant), "products.csv");
  });
}

void ListPromotions(S s, const CallPtr& call) {
  const std::string all = QueryText(call, "all");
  if (!all.empty() && all != "true" && all != "false") {
    return ReplyError(call, MakeError(ErrorCode::kInvalidArgument, "all is true or false", "all"));
  }
  ONECARD_TRY_REPLY(
      std::vector<service::PromotionView> items,
      s.catalogue().ListPromotions(call->Who().tenant, QueryText(call, "sku"), all == "true"));
  ReplyJson(call, 200, nlohmann::json{{"items", items}});
}

void PostPromotion(S services, const CallPtr& call) {
  const std::string tz = call->Who().tenant.timezone;
  AdminWrite<service::PromotionSpec>(
      services, call, 201,
      [tz](Fields& f, service::PromotionSpec& p) -> core::Status {
        ONECARD_TRY(p.sku, f.Text("sku", 64));
        ONECARD_TRY(p.name, f.Text("name", 200));
        ONECARD_TRY(p.price, Price(f, "price"));
        ONECARD_TRY(std::string from, f.Text("from", 16));
        ONECARD_TRY(std::string to, f.Text("to", 16));
        ONECARD_TRY(p.starts_at, service::ParseLocalInstant(tz, from, false, "from"));
        ONECARD_TRY(p.ends_at, service::ParseLocalInstant(tz, to, true, "to"));
        return {};
      },
      [](S s, R req, const service::PromotionSpec& p) {
        return s.catalogue().AddPromotion(req, p);
      });
}

void PostEndPromotion(S services, const CallPtr& call) {
  ONECARD_TRY_REPLY(std::int64_t id, PositiveId(call->Param("id"), "id"));
  AdminWrite<std::int64_t>(
      services, call, 200,
      [id](Fields&, std::int64_t& out) -> core::Status {
        out = id;
        return {};
      },
      [](S s, R req, std::int64_t promotion) {
        return s.catalogue().EndPromotion(req, promotion);
      });
}

}  // namespace

void AddCatalogueRoutes(Routes& routes) {
  routes.push_back(
      MakeRoute("GET", "/v1/categories", true, P::kCatalogueRead, [](S s, const CallPtr& call) {
        ONECARD_TRY_REPLY(auto items, s.catalogue().ListCategories(call->Who().tenant));
        ReplyJson(call, 200, nlohmann::json{{"items", items}});
      }));
  routes.push_back(MakeRoute("POST", "/v1/categories", true, P::kCatalogueWrite, PostCategory));
  routes.push_back(
      MakeRoute("PATCH", "/v1/categories/{code}", true, P::kCatalogueWrite, PatchCategory));
  routes.push_back(MakeRoute("GET", "/v1/products", true, P::kCatalogueRead, ListProducts));
  routes.push_back(MakeRoute("GET", "/v1/products.csv", true, P::kCatalogueRead, GetProductsCsv));
  routes.push_back(
      MakeRoute("POST", "/v1/products.csv", true, P::kCatalogueWrite, PostProductsCsv));
  routes.push_back(
      MakeRoute("GET", "/v1/products/{sku}", true, P::kCatalogueRead, [](S s, const CallPtr& call) {
        ReplyResult(call, 200, s.catalogue().GetProduct(call->Who().tenant, call->Param("sku")));
      }));
  routes.push_back(MakeRoute("PUT", "/v1/products/{sku}", true, P::kCatalogueWrite, PutProduct));
  routes.push_back(MakeRoute("GET", "/v1/promotions", true, P::kCatalogueRead, ListPromotions));
  routes.push_back(MakeRoute("POST", "/v1/promotions", true, P::kCatalogueWrite, PostPromotion));
  routes.push_back(
      MakeRoute("POST", "/v1/promotions/{id}/end", true, P::kCatalogueWrite, PostEndPromotion));
}

}  // namespace onecard::http
