// CatalogueService: just enough catalogue to price a basket (issue #5, item 1; R-401).
//
// Categories form a tree (a code, a name, a parent). A product is named by its SKU and has a name,
// a list price, an item class (goods, labour, parts… — what the programme's class discounts
// name), the categories it sits in, flags (non-earning; bundle) and a status (active, or retired:
// no longer sold, kept because sales name it). A product may have its own price for a member tier;
// that price replaces the tier's discount. A promotion sets a product's price for everyone for a
// window of time and overrides the tier prices; the windows of one product never overlap.
//
// At the till a line names a catalogue SKU and a quantity; ResolveBasket fills in the rest from
// the catalogue as it is when the sale is made. A line with its own price is an open-price item
// (a department key); its SKU must not be a catalogue product's.
//
// Products are imported from CSV and exported to it, upserting by SKU (see docs/catalogue.md).
// Thread-safe.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "core/programme.hpp"
#include "service/basket.hpp"
#include "service/clock.hpp"
#include "service/context.hpp"
#include "service/json.hpp"
#include "service/programme_service.hpp"
#include "service/writer.hpp"
#include "storage/store.hpp"

namespace onecard::service {

struct CategoryView {
  std::string code;
  std::string name;
  std::string parent;             // "" for a top-level category
  std::vector<std::string> path;  // codes from the top down to this one
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(CategoryView, code, name, parent, path)

struct TierPriceView {
  std::string tier;
  std::int64_t price = 0;  // fen per unit
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(TierPriceView, tier, price)

struct PromotionView {
  std::int64_t id = 0;
  std::string sku;
  std::string name;
  std::int64_t price = 0;  // fen per unit
  core::Timestamp starts_at;
  core::Timestamp ends_at;  // exclusive
  std::string status;       // scheduled | in_force | ended (at the time of asking)
  std::string created_by;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(PromotionView, id, sku, name, price, starts_at, ends_at, status,
                                   created_by)

struct ProductView {
  std::string sku;
  std::string name;
  std::int64_t list_price = 0;  // fen per unit
  std::string item_class;
  std::vector<std::string> categories;  // codes, as set (not their ancestors)
  bool non_earning = false;
  bool bundle = false;
  std::string status;  // active | retired
  std::vector<TierPriceView> tier_prices;
  std::vector<PromotionView> promotions;  // in force or scheduled (only when one is asked for)
  core::Timestamp created_at;
  core::Timestamp updated_at;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(ProductView, sku, name, list_price, item_class, categories,
                                   non_earning, bundle, status, tier_prices, promotions, created_at,
                                   updated_at)

struct ProductPage {
  std::vector<ProductView> products;
  std::string next;  // the cursor for the next page; "" at the end
};

// A product as given: every field is set (a PUT replaces the product).
struct ProductSpec {
  std::string sku;
  std::string name;
  std::int64_t list_price = 0;
  std::string item_class = "goods";
  std::vector<std::string> categories;
  bool non_earning = false;
  bool bundle = false;
  std::string status = "active";
  std::vector<TierPriceView> tier_prices;
};

struct ProductQuery {
  std::string after;     // cursor: the last SKU of the previous page
  std::string category;  // "": any; else products in it or in a category below it
  std::string text;      // SKU or name contains it
  bool include_retired = false;
  int limit = 100;  // 1–500
};

struct ImportProblemView {
  int line = 0;
  std::string column;
  std::string message;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(ImportProblemView, line, column, message)

struct ImportView {
  int rows = 0;
  int created = 0;
  int updated = 0;
  int unchanged = 0;
  bool replayed = false;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(ImportView, rows, created, updated, unchanged)

struct PromotionSpec {
  std::string sku;
  std::string name;
  std::int64_t price = 0;
  core::Timestamp starts_at;
  core::Timestamp ends_at;
};

class CatalogueService {
 public:
  CatalogueService(storage::Store& store, const Clock& clock, Writer& writer,
                   ProgrammeService& programmes)
      : store_(store), clock_(clock), writer_(writer), programmes_(programmes) {}

  // Errors: kCodeMalformed, kFieldInvalid (name), kCodeTaken, kCategoryNotFound (parent).
  core::Result<CategoryView> AddCategory(const Request& req, std::string_view code,
                                         std::string_view name, std::string_view parent);
  // Renames and/or moves a category (nullopt: unchanged; parent "" = to the top). Errors:
  // kCategoryNotFound; kFieldInvalid when the move would put it below itself.
  core::Result<CategoryView> UpdateCategory(const Request& req, std::string_view code,
                                            std::optional<std::string> name,
                                            std::optional<std::string> parent);
  // In tree order (each category after its parent), siblings by code.
  core::Result<std::vector<CategoryView>> ListCategories(const TenantRef& tenant);

  // Creates or replaces the product with the spec's SKU. Errors (naming the field): kFieldInvalid
  // (name, price, item class, status, a tier price above the list price or for a tier no
  // programme version has, a price below a promotion of the product), kCategoryNotFound.
  core::Result<ProductView> PutProduct(const Request& req, const ProductSpec& spec);
  // With its promotions in force or to come. Error: kProductNotFound.
  core::Result<ProductView> GetProduct(const TenantRef& tenant, std::string_view sku);
  // Errors: kCategoryNotFound, kFieldInvalid (limit).
  core::Result<ProductPage> ListProducts(const TenantRef& tenant, const ProductQuery& query);

  // Upserts products from CSV (docs/catalogue.md): all rows or none. Error: kFieldInvalid
  // ("csv") listing the problems (at most 100), each with its line and column.
  core::Result<ImportView> ImportCsv(const Request& req, std::string_view csv);
  // Every product (retired ones too) as CSV, with a price:<tier> column per tier priced.
  core::Result<std::string> ExportCsv(const TenantRef& tenant);

  // Errors: kProductNotFound, kProductRetired, kFieldInvalid (price above the list price; an
  // end not after the start, or already past), kPromotionOverlaps.
  core::Result<PromotionView> AddPromotion(const Request& req, const PromotionSpec& spec);
  // Ends a promotion now (one that has not started is ended before it starts). Errors:
  // kPromotionNotFound; kFieldInvalid when it has ended already.
  core::Result<PromotionView> EndPromotion(const Request& req, std::int64_t id);
  // In force or to come (with `all`, the ended ones too), by start; "" sku = every product.
  core::Result<std::vector<PromotionView>> ListPromotions(const TenantRef& tenant,
                                                          std::string_view sku, bool all);

 private:
  storage::Store& store_;
  const Clock& clock_;
  Writer& writer_;
  ProgrammeService& programmes_;
};

// A price in yuan ("12", "12.50", "0"): fen. Errors (naming `field`): empty, malformed, negative,
// more than two decimals, too large.
core::Result<std::int64_t> ParsePrice(std::string_view text, const std::string& field);
// yes/no, true/false, y/n, 1/0 (any case); empty is no. Error: kFieldInvalid naming `field`.
core::Result<bool> ParseYesNo(std::string_view text, const std::string& field);

// "2026-12-01" (local midnight) or "2026-12-01T09:30" (local) in the tenant's zone. `end` makes a
// bare date mean the end of that day (the next midnight). Error: kFieldInvalid naming `field`.
core::Result<core::Timestamp> ParseLocalInstant(std::string_view tz, std::string_view text,
                                                bool end, std::string_view field);

}  // namespace onecard::service
