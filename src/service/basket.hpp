// A basket's lines completed from the catalogue (issue #5, item 1): what a till sends — a SKU
// and a quantity — becomes a line the evaluator can price. Thread-safe (works in the caller's
// transaction).
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/programme.hpp"
#include "storage/store.hpp"

namespace onecard::service {

// A tenant's categories as a tree, for look-ups by code and walks up to the top.
class CategoryTree {
 public:
  explicit CategoryTree(std::vector<storage::CategoryRecord> all);
  const storage::CategoryRecord* Find(std::string_view code) const;  // nullptr: none
  const storage::CategoryRecord* Get(std::int64_t id) const;         // nullptr: none
  // Codes from the top down to the category (the tree has no cycles: the services keep it so).
  std::vector<std::string> Path(std::int64_t id) const;
  // Whether `id` is `ancestor` or lies below it.
  bool IsWithin(std::int64_t id, std::int64_t ancestor) const;
  // Every category in tree order: each after its parent, siblings by code.
  std::vector<const storage::CategoryRecord*> InTreeOrder() const;

 private:
  std::vector<storage::CategoryRecord> all_;
  std::map<std::string, std::size_t, std::less<>> by_code_;
  std::map<std::int64_t, std::size_t> by_id_;
};

// Fills the catalogue lines (from_catalogue) from the catalogue as it is at `at`: list price,
// categories and their ancestors, item class, flags, tier prices and the promotion in force.
// Checks open-price lines: their SKU is not a product's, their categories exist (ancestors are
// added). Errors name the line ("lines[2].sku"): kProductNotFound, kProductRetired,
// kFieldInvalid (a price given for a catalogue product), kCategoryNotFound.
core::Status ResolveBasket(storage::ReadTxn& txn, core::TenantId tenant,
                           std::vector<core::BasketLine>& lines, core::Timestamp at);

}  // namespace onecard::service
