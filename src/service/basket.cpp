#include "service/basket.hpp"

#include <algorithm>
#include <functional>

#include "core/money.hpp"

namespace onecard::service {

using core::ErrorCode;
using core::MakeError;
using core::Result;
using core::Status;

CategoryTree::CategoryTree(std::vector<storage::CategoryRecord> all) : all_(std::move(all)) {
  for (std::size_t i = 0; i < all_.size(); ++i) {
    by_code_.emplace(all_[i].code, i);
    by_id_.emplace(all_[i].id, i);
  }
}

const storage::CategoryRecord* CategoryTree::Find(std::string_view code) const {
  auto it = by_code_.find(code);
  return it == by_code_.end() ? nullptr : &all_[it->second];
}

const storage::CategoryRecord* CategoryTree::Get(std::int64_t id) const {
  auto it = by_id_.find(id);
  return it == by_id_.end() ? nullptr : &all_[it->second];
}

std::vector<std::string> CategoryTree::Path(std::int64_t id) const {
  std::vector<std::string> out;
  // Bounded by the number of categories, so that a cycle (which the services never make) cannot
  // loop forever.
  for (const storage::CategoryRecord* c = Get(id); c != nullptr && out.size() <= all_.size();
       c = Get(c->parent)) {
    out.push_back(c->code);
  }
  std::reverse(out.begin(), out.end());
  return out;
}

bool CategoryTree::IsWithin(std::int64_t id, std::int64_t ancestor) const {
  std::size_t steps = 0;
  for (const storage::CategoryRecord* c = Get(id); c != nullptr && steps <= all_.size();
       c = Get(c->parent), ++steps) {
    if (c->id == ancestor) return true;
  }
  return false;
}

std::vector<const storage::CategoryRecord*> CategoryTree::InTreeOrder() const {
  std::map<std::int64_t, std::vector<const storage::CategoryRecord*>> children;
  for (const storage::CategoryRecord& c : all_) {
    children[Get(c.parent) != nullptr ? c.parent : 0].push_back(&c);
  }
  std::vector<const storage::CategoryRecord*> out;
  std::function<void(std::int64_t)> walk = [&](std::int64_t parent) {
    auto it = children.find(parent);
    if (it == children.end()) return;
    // all_ is by code, so siblings are too.
    for (const storage::CategoryRecord* c : it->second) {
      if (out.size() > all_.size()) return;
      out.push_back(c);
      walk(c->id);
    }
  };
  walk(0);
  return out;
}

namespace {

// The codes of `ids` and of every category above them, each once, in tree-path order.
std::vector<std::string> WithAncestors(const CategoryTree& tree,
                                       const std::vector<std::int64_t>& ids) {
  std::vector<std::string> out;
  for (std::int64_t id : ids) {
    for (std::string& code : tree.Path(id)) {
      if (std::find(out.begin(), out.end(), code) == out.end()) out.push_back(std::move(code));
    }
  }
  return out;
}

}  // namespace

Status ResolveBasket(storage::ReadTxn& txn, core::TenantId tenant,
                     std::vector<core::BasketLine>& lines, core::Timestamp at) {
  std::optional<CategoryTree> tree;
  auto categories = [&]() -> Result<const CategoryTree*> {
    if (!tree) {
      ONECARD_TRY(std::vector<storage::CategoryRecord> all, txn.ListCategories(tenant));
      tree.emplace(std::move(all));
    }
    return &*tree;
  };
  for (std::size_t i = 0; i < lines.size(); ++i) {
    core::BasketLine& line = lines[i];
    const std::string field = "lines[" + std::to_string(i) + "]";
    ONECARD_TRY(std::optional<storage::ProductRecord> product, txn.FindProduct(tenant, line.sku));
    if (!line.from_catalogue) {
      if (product) {
        return MakeError(ErrorCode::kFieldInvalid,
                         line.sku + " is in the catalogue at " +
                             core::YuanSign(product->list_price) +
                             ": leave the price out (a price is for items outside the catalogue)",
                         field + ".price");
      }
      if (line.categories.empty()) continue;
      ONECARD_TRY(const CategoryTree* t, categories());
      std::vector<std::int64_t> ids;
      for (const std::string& code : line.categories) {
        const storage::CategoryRecord* c = t->Find(code);
        if (c == nullptr) {
          return MakeError(ErrorCode::kCategoryNotFound, "the catalogue has no category " + code,
                           field + ".categories");
        }
        ids.push_back(c->id);
      }
      line.categories = WithAncestors(*t, ids);
      continue;
    }
    if (!product) {
      return MakeError(ErrorCode::kProductNotFound,
                       "the catalogue has no product " + line.sku +
                           " (a line without a price names a catalogue product)",
                       field + ".sku");
    }
    if (product->status != "active") {
      return MakeError(ErrorCode::kProductRetired,
                       line.sku + " (" + product->name + ") is retired and no longer sold",
                       field + ".sku");
    }
    line.unit_price = product->list_price;
    line.item_class = product->item_class;
    line.non_earning = product->non_earning;
    line.bundle = product->bundle;
    line.categories.clear();
    if (!product->categories.empty()) {
      ONECARD_TRY(const CategoryTree* t, categories());
      line.categories = WithAncestors(*t, product->categories);
    }
    line.tier_prices.clear();
    for (const storage::TierPriceRecord& tp : product->tier_prices) {
      line.tier_prices.push_back(core::TierPrice{tp.tier, tp.price});
    }
    line.promo_price.reset();
    line.promo.clear();
    ONECARD_TRY(std::vector<storage::PromotionRecord> promotions,
                txn.ListPromotions(tenant, product->id));
    for (const storage::PromotionRecord& p : promotions) {
      if (p.starts_at <= at && at < p.ends_at) {
        line.promo_price = p.price;
        line.promo = p.name;
      }
    }
  }
  return {};
}

}  // namespace onecard::service
