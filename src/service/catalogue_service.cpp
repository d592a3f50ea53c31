#include "service/catalogue_service.hpp"

#include <algorithm>
#include <map>
#include <set>

#include "core/csv.hpp"
#include "core/money.hpp"
#include "service/calendar.hpp"
#include "service/digest.hpp"

namespace onecard::service {

using core::ErrorCode;
using core::MakeError;
using core::Result;
using core::Status;

namespace {

constexpr std::size_t kMaxCsvBytes = 16 * 1024 * 1024;
constexpr std::size_t kMaxCsvRows = 100'000;
constexpr std::size_t kMaxProblems = 100;
constexpr std::size_t kMaxCategoriesPerProduct = 20;
constexpr std::int64_t kMaxUnitPrice = core::kAmountMax / 1'000'000;  // ¥10,000,000

core::Error Invalid(std::string message, std::string field) {
  return MakeError(ErrorCode::kFieldInvalid, std::move(message), std::move(field));
}

// SKUs: 1–64 of A-Z a-z 0-9 . _ - (barcodes, article numbers; safe in a URL path and a CSV).
Status ValidateSku(std::string_view sku, const std::string& field) {
  bool ok = !sku.empty() && sku.size() <= 64;
  for (char c : sku) {
    ok = ok && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                c == '.' || c == '_' || c == '-');
  }
  if (ok) return {};
  return Invalid(
      "\"" + std::string(sku) + "\" is not a SKU: use 1 to 64 of A-Z, a-z, 0-9, '.', '_' and '-'",
      field);
}

Status ValidateName(std::string_view name, const std::string& field) {
  ONECARD_CHECK(core::ValidateText(name, field, 200));
  if (name.empty()) return Invalid("a name is required", field);
  return {};
}

std::string StatusAt(const storage::PromotionRecord& p, core::Timestamp now) {
  if (p.ends_at == p.starts_at) return "cancelled";
  if (p.ends_at <= now) return "ended";
  if (p.starts_at <= now) return "in_force";
  return "scheduled";
}

PromotionView ToView(const storage::PromotionRecord& p, core::Timestamp now) {
  return PromotionView{p.id,        p.sku,     p.name,           p.price,
                       p.starts_at, p.ends_at, StatusAt(p, now), p.created_by};
}

CategoryView ToView(const CategoryTree& tree, const storage::CategoryRecord& c) {
  const storage::CategoryRecord* parent = tree.Get(c.parent);
  return CategoryView{c.code, c.name, parent != nullptr ? parent->code : "", tree.Path(c.id)};
}

ProductView ToView(const CategoryTree& tree, const storage::ProductRecord& p) {
  ProductView v;
  v.sku = p.sku;
  v.name = p.name;
  v.list_price = p.list_price;
  v.item_class = p.item_class;
  for (std::int64_t id : p.categories) {
    if (const storage::CategoryRecord* c = tree.Get(id)) v.categories.push_back(c->code);
  }
  std::sort(v.categories.begin(), v.categories.end());
  v.non_earning = p.non_earning;
  v.bundle = p.bundle;
  v.status = p.status;
  for (const storage::TierPriceRecord& t : p.tier_prices)
    v.tier_prices.push_back({t.tier, t.price});
  v.created_at = p.created_at;
  v.updated_at = p.updated_at;
  return v;
}

// What a product must satisfy, whatever wrote it: the first problem, naming the field by
// `name_of` (API field names or CSV columns).
struct ProductRules {
  const CategoryTree& tree;
  const std::set<std::string, std::less<>>& tiers;
};

Result<storage::ProductRecord> BuildProduct(const ProductRules& rules, const ProductSpec& s,
                                            const std::vector<storage::PromotionRecord>& promotions,
                                            core::Timestamp now) {
  ONECARD_CHECK(ValidateSku(s.sku, "sku"));
  ONECARD_CHECK(ValidateName(s.name, "name"));
  if (s.list_price < 0 || s.list_price > kMaxUnitPrice) {
    return Invalid("a list price is ¥0 to ¥10,000,000", "list_price");
  }
  ONECARD_CHECK(core::ValidateCode(s.item_class, "item_class"));
  if (s.status != "active" && s.status != "retired") {
    return Invalid("status is active or retired, not \"" + s.status + "\"", "status");
  }
  storage::ProductRecord r;
  r.sku = s.sku;
  r.name = s.name;
  r.list_price = s.list_price;
  r.item_class = s.item_class;
  r.non_earning = s.non_earning;
  r.bundle = s.bundle;
  r.status = s.status;
  if (s.categories.size() > kMaxCategoriesPerProduct) {
    return Invalid("a product is in at most 20 categories", "categories");
  }
  for (const std::string& code : s.categories) {
    const storage::CategoryRecord* c = rules.tree.Find(code);
    if (c == nullptr) {
      return MakeError(ErrorCode::kCategoryNotFound,
                       "the catalogue has no category " + code + " (see `onecard category list`)",
                       "categories");
    }
    if (std::find(r.categories.begin(), r.categories.end(), c->id) == r.categories.end()) {
      r.categories.push_back(c->id);
    }
  }
  std::sort(r.categories.begin(), r.categories.end());
  for (const TierPriceView& t : s.tier_prices) {
    const std::string field = "tier_prices." + t.tier;
    if (!rules.tiers.contains(t.tier)) {
      return Invalid("no programme version has a tier " + t.tier +
                         (rules.tiers.empty() ? " (the tenant has no programme yet)" : ""),
                     field);
    }
    if (t.price < 0 || t.price > s.list_price) {
      return Invalid("the " + t.tier + " price " + core::YuanSign(t.price) +
                         " must be from ¥0 to the list price " + core::YuanSign(s.list_price),
                     field);
    }
    for (const storage::TierPriceRecord& seen : r.tier_prices) {
      if (seen.tier == t.tier) return Invalid("tier " + t.tier + " is priced twice", field);
    }
    r.tier_prices.push_back({t.tier, t.price});
  }
  std::sort(r.tier_prices.begin(), r.tier_prices.end(),
            [](const auto& a, const auto& b) { return a.tier < b.tier; });
  for (const storage::PromotionRecord& p : promotions) {
    if (p.ends_at > now && p.ends_at != p.starts_at && p.price > s.list_price) {
      return Invalid("promotion " + std::to_string(p.id) + " (" + p.name + ") sells it at " +
                         core::YuanSign(p.price) + ", above a list price of " +
                         core::YuanSign(s.list_price) + "; end the promotion first",
                     "list_price");
    }
  }
  return r;
}

bool SameContent(const storage::ProductRecord& a, const storage::ProductRecord& b) {
  auto same_prices = [](const auto& x, const auto& y) {
    return x.size() == y.size() && std::equal(x.begin(), x.end(), y.begin(), [](auto& p, auto& q) {
             return p.tier == q.tier && p.price == q.price;
           });
  };
  return a.name == b.name && a.list_price == b.list_price && a.item_class == b.item_class &&
         a.non_earning == b.non_earning && a.bundle == b.bundle && a.status == b.status &&
         a.categories == b.categories && same_prices(a.tier_prices, b.tier_prices);
}

ProductSpec SpecOf(const CategoryTree& tree, const storage::ProductRecord& p) {
  ProductView v = ToView(tree, p);
  return ProductSpec{v.sku,         v.name,   v.list_price, v.item_class, v.categories,
                     v.non_earning, v.bundle, v.status,     v.tier_prices};
}

struct Catalogue {
  CategoryTree tree;
  std::set<std::string, std::less<>> tiers;
};

std::string Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return std::string(s);
}

std::vector<std::string> SplitBars(std::string_view text) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= text.size()) {
    const std::size_t bar = text.find('|', start);
    std::string part =
        Trim(text.substr(start, bar == std::string_view::npos ? text.npos : bar - start));
    if (!part.empty()) out.push_back(std::move(part));
    if (bar == std::string_view::npos) break;
    start = bar + 1;
  }
  return out;
}

}  // namespace

// ----- categories -----

Result<CategoryView> CatalogueService::AddCategory(const Request& req, std::string_view code,
                                                   std::string_view name, std::string_view parent) {
  ONECARD_CHECK(core::ValidateCode(code, "code"));
  ONECARD_CHECK(ValidateName(name, "name"));
  return writer_.Call<CategoryView>(
      req.tenant.id, req.idempotency_key,
      Canonical("category").Add("code", code).Add("name", name).Add("parent", parent).digest(),
      [&](storage::WriteTxn& txn) -> Result<CategoryView> {
        ONECARD_TRY(std::vector<storage::CategoryRecord> all, txn.ListCategories(req.tenant.id));
        CategoryTree tree(std::move(all));
        if (tree.Find(code) != nullptr) {
          return MakeError(ErrorCode::kCodeTaken,
                           "category " + std::string(code) + " exists already", "code");
        }
        storage::CategoryRecord c{0, req.tenant.id, 0, std::string(code), std::string(name)};
        if (!parent.empty()) {
          const storage::CategoryRecord* p = tree.Find(parent);
          if (p == nullptr) {
            return MakeError(ErrorCode::kCategoryNotFound,
                             "the catalogue has no category " + std::string(parent), "parent");
          }
          c.parent = p->id;
        }
        ONECARD_TRY(c.id, txn.InsertCategory(c));
        ONECARD_TRY(std::vector<storage::CategoryRecord> now, txn.ListCategories(req.tenant.id));
        CategoryTree after(std::move(now));
        return ToView(after, *after.Get(c.id));
      },
      AuditOf(req, "category.add", "category", std::string(code)));
}

Result<CategoryView> CatalogueService::UpdateCategory(const Request& req, std::string_view code,
                                                      std::optional<std::string> name,
                                                      std::optional<std::string> parent) {
  if (name) ONECARD_CHECK(ValidateName(*name, "name"));
  if (!name && !parent) return Invalid("nothing to change: give a name or a parent", "name");
  std::shared_ptr<storage::AuditRecord> audit =
      AuditOf(req, "category.update", "category", std::string(code));
  return writer_.Call<CategoryView>(
      req.tenant.id, req.idempotency_key,
      Canonical("category.update")
          .Add("code", code)
          .Add("name", name.value_or("\x01"))
          .Add("parent", parent.value_or("\x01"))
          .digest(),
      [&](storage::WriteTxn& txn) -> Result<CategoryView> {
        ONECARD_TRY(std::vector<storage::CategoryRecord> all, txn.ListCategories(req.tenant.id));
        CategoryTree tree(std::move(all));
        const storage::CategoryRecord* found = tree.Find(code);
        if (found == nullptr) {
          return MakeError(ErrorCode::kCategoryNotFound,
                           "the catalogue has no category " + std::string(code), "code");
        }
        audit->before = nlohmann::json(ToView(tree, *found)).dump();
        storage::CategoryRecord c = *found;
        if (name) c.name = *name;
        if (parent) {
          if (parent->empty()) {
            c.parent = 0;
          } else {
            const storage::CategoryRecord* p = tree.Find(*parent);
            if (p == nullptr) {
              return MakeError(ErrorCode::kCategoryNotFound,
                               "the catalogue has no category " + *parent, "parent");
            }
            if (tree.IsWithin(p->id, c.id)) {
              return Invalid(
                  "category " + *parent + " is " +
                      (p->id == c.id ? "the category itself" : "below " + std::string(code)) +
                      ": a category cannot be moved below itself",
                  "parent");
            }
            c.parent = p->id;
          }
        }
        ONECARD_CHECK(txn.UpdateCategory(c));
        ONECARD_TRY(std::vector<storage::CategoryRecord> now, txn.ListCategories(req.tenant.id));
        CategoryTree after(std::move(now));
        return ToView(after, *after.Get(c.id));
      },
      audit);
}

Result<std::vector<CategoryView>> CatalogueService::ListCategories(const TenantRef& tenant) {
  ONECARD_TRY(std::unique_ptr<storage::ReadTxn> txn, store_.BeginRead());
  ONECARD_TRY(std::vector<storage::CategoryRecord> all, txn->ListCategories(tenant.id));
  CategoryTree tree(std::move(all));
  std::vector<CategoryView> out;
  for (const storage::CategoryRecord* c : tree.InTreeOrder()) out.push_back(ToView(tree, *c));
  return out;
}

// ----- products -----

namespace {

Result<Catalogue> LoadCatalogue(storage::ReadTxn& txn, core::TenantId tenant,
                                ProgrammeService& programmes) {
  ONECARD_TRY(std::vector<storage::CategoryRecord> all, txn.ListCategories(tenant));
  ONECARD_TRY(auto tiers, programmes.TierCodes(txn, tenant));
  return Catalogue{CategoryTree(std::move(all)), std::move(tiers)};
}

std::string ProductDigest(std::string_view command, const ProductSpec& s) {
  Canonical c(command);
  c.Add("sku", s.sku).Add("name", s.name).Add("price", s.list_price).Add("class", s.item_class);
  for (const std::string& code : s.categories) c.Add("cat", code);
  c.Add("non_earning", s.non_earning ? 1 : 0)
      .Add("bundle", s.bundle ? 1 : 0)
      .Add("status", s.status);
  for (const TierPriceView& t : s.tier_prices) c.Add("tier", t.tier).Add("tier_price", t.price);
  return c.digest();
}

}  // namespace

Result<ProductView> CatalogueService::PutProduct(const Request& req, const ProductSpec& spec) {
  ONECARD_CHECK(ValidateSku(spec.sku, "sku"));
  std::shared_ptr<storage::AuditRecord> audit = AuditOf(req, "product.put", "product", spec.sku);
  return writer_.Call<ProductView>(
      req.tenant.id, req.idempotency_key, ProductDigest("product.put", spec),
      [&](storage::WriteTxn& txn) -> Result<ProductView> {
        const core::Timestamp now = clock_.Now();
        ONECARD_TRY(Catalogue cat, LoadCatalogue(txn, req.tenant.id, programmes_));
        ONECARD_TRY(std::optional<storage::ProductRecord> existing,
                    txn.FindProduct(req.tenant.id, spec.sku));
        std::vector<storage::PromotionRecord> promotions;
        if (existing) {
          ONECARD_TRY(promotions, txn.ListPromotions(req.tenant.id, existing->id));
          audit->before = nlohmann::json(ToView(cat.tree, *existing)).dump();
        }
        ONECARD_TRY(storage::ProductRecord r,
                    BuildProduct(ProductRules{cat.tree, cat.tiers}, spec, promotions, now));
        r.tenant = req.tenant.id;
        r.id = existing ? existing->id : 0;
        r.created_at = existing ? existing->created_at : now;
        r.updated_at = existing && SameContent(*existing, r) ? existing->updated_at : now;
        ONECARD_TRY(r.id, txn.PutProduct(r));
        ProductView v = ToView(cat.tree, r);
        for (const storage::PromotionRecord& p : promotions) {
          if (p.ends_at > now && p.ends_at != p.starts_at) v.promotions.push_back(ToView(p, now));
        }
        return v;
      },
      audit);
}

Result<ProductView> CatalogueService::GetProduct(const TenantRef& tenant, std::string_view sku) {
  const core::Timestamp now = clock_.Now();
  ONECARD_TRY(std::unique_ptr<storage::ReadTxn> txn, store_.BeginRead());
  ONECARD_TRY(std::optional<storage::ProductRecord> p, txn->FindProduct(tenant.id, sku));
  if (!p) {
    return MakeError(ErrorCode::kProductNotFound,
                     "the catalogue has no product " + std::string(sku), "sku");
  }
  ONECARD_TRY(std::vector<storage::CategoryRecord> all, txn->ListCategories(tenant.id));
  CategoryTree tree(std::move(all));
  ProductView v = ToView(tree, *p);
  ONECARD_TRY(std::vector<storage::PromotionRecord> promotions,
              txn->ListPromotions(tenant.id, p->id));
  for (const storage::PromotionRecord& pr : promotions) {
    if (pr.ends_at > now && pr.ends_at != pr.starts_at) v.promotions.push_back(ToView(pr, now));
  }
  return v;
}

Result<ProductPage> CatalogueService::ListProducts(const TenantRef& tenant, const ProductQuery& q) {
  if (q.limit < 1 || q.limit > 500) return Invalid("limit is 1 to 500", "limit");
  ONECARD_CHECK(core::ValidateText(q.text, "q", 100));
  ONECARD_TRY(std::unique_ptr<storage::ReadTxn> txn, store_.BeginRead());
  ONECARD_TRY(std::vector<storage::CategoryRecord> all, txn->ListCategories(tenant.id));
  CategoryTree tree(std::move(all));
  storage::ProductFilter f;
  f.after_sku = q.after;
  f.text = q.text;
  f.include_retired = q.include_retired;
  f.limit = q.limit + 1;
  if (!q.category.empty()) {
    const storage::CategoryRecord* c = tree.Find(q.category);
    if (c == nullptr) {
      return MakeError(ErrorCode::kCategoryNotFound, "the catalogue has no category " + q.category,
                       "category");
    }
    f.category = c->id;
  }
  ONECARD_TRY(std::vector<storage::ProductRecord> rows, txn->ListProducts(tenant.id, f));
  ProductPage page;
  for (std::size_t i = 0; i < rows.size() && i < static_cast<std::size_t>(q.limit); ++i) {
    page.products.push_back(ToView(tree, rows[i]));
  }
  if (rows.size() > static_cast<std::size_t>(q.limit)) page.next = page.products.back().sku;
  return page;
}

// ----- CSV -----

namespace {

// The columns of a products CSV.
struct Columns {
  int sku = -1, name = -1, list_price = -1, item_class = -1, categories = -1, non_earning = -1,
      bundle = -1, status = -1;
  std::vector<std::pair<std::string, int>> tier_prices;  // tier, column
  std::vector<std::string> names;
};

Result<Columns> ReadHeader(const std::vector<std::string>& header,
                           std::vector<ImportProblemView>& problems) {
  Columns c;
  for (std::size_t i = 0; i < header.size(); ++i) {
    std::string name = Trim(header[i]);
    std::transform(name.begin(), name.end(), name.begin(),
                   [](unsigned char ch) { return std::tolower(ch); });
    c.names.push_back(name);
    const int col = static_cast<int>(i);
    int* slot = nullptr;
    if (name == "sku") slot = &c.sku;
    if (name == "name") slot = &c.name;
    if (name == "list_price" || name == "price") slot = &c.list_price;
    if (name == "item_class") slot = &c.item_class;
    if (name == "categories") slot = &c.categories;
    if (name == "non_earning") slot = &c.non_earning;
    if (name == "bundle") slot = &c.bundle;
    if (name == "status") slot = &c.status;
    if (slot != nullptr) {
      if (*slot >= 0) problems.push_back({1, name, "the column appears twice"});
      *slot = col;
    } else if (name.starts_with("price:") && name.size() > 6) {
      c.tier_prices.emplace_back(name.substr(6), col);
    } else {
      problems.push_back({1, name,
                          "unknown column; columns are sku, name, list_price, item_class, "
                          "categories, non_earning, bundle, status and price:<tier>"});
    }
  }
  if (c.sku < 0) problems.push_back({1, "sku", "the header has no sku column"});
  return c;
}

}  // namespace

Result<ImportView> CatalogueService::ImportCsv(const Request& req, std::string_view csv) {
  if (csv.size() > kMaxCsvBytes) {
    return Invalid("the CSV has " + std::to_string(csv.size()) + " bytes; at most 16 MiB are taken",
                   "csv");
  }
  ONECARD_TRY(core::CsvTable table, core::ParseCsv(csv, kMaxCsvRows + 1));  // and the header
  if (table.rows.empty()) return Invalid("the CSV is empty: it needs a header row", "csv");
  return writer_.Call<ImportView>(
      req.tenant.id, req.idempotency_key, Digest("product.import|" + std::string(csv)),
      [&](storage::WriteTxn& txn) -> Result<ImportView> {
        const core::Timestamp now = clock_.Now();
        std::vector<ImportProblemView> problems;
        ONECARD_TRY(Columns cols, ReadHeader(table.rows[0], problems));
        ONECARD_TRY(Catalogue cat, LoadCatalogue(txn, req.tenant.id, programmes_));
        ImportView out;
        std::vector<storage::ProductRecord> writes;
        std::set<std::string, std::less<>> seen;
        // Header problems stop the rows: every row would repeat them.
        const bool header_ok = problems.empty();
        for (std::size_t r = 1;
             header_ok && problems.size() < kMaxProblems && r < table.rows.size(); ++r) {
          const std::vector<std::string>& row = table.rows[r];
          const int line = table.lines[r];
          auto problem = [&](std::string column, std::string message) {
            problems.push_back({line, std::move(column), std::move(message)});
          };
          if (row.size() != cols.names.size()) {
            problem("", "the row has " + std::to_string(row.size()) + " fields; the header has " +
                            std::to_string(cols.names.size()));
            continue;
          }
          ++out.rows;
          auto cell = [&](int col) { return Trim(row[static_cast<std::size_t>(col)]); };
          const std::string sku = cell(cols.sku);
          if (Status ok = ValidateSku(sku, "sku"); !ok) {
            problem("sku", ok.error().message);
            continue;
          }
          if (!seen.insert(sku).second) {
            problem("sku", sku + " appears twice in the file");
            continue;
          }
          Result<std::optional<storage::ProductRecord>> existing =
              txn.FindProduct(req.tenant.id, sku);
          if (!existing) return existing.error();
          ProductSpec spec;
          if (*existing) {
            spec = SpecOf(cat.tree, **existing);
          } else {
            spec.sku = sku;
            if (cols.name < 0 || cols.list_price < 0) {
              problem(cols.name < 0 ? "name" : "list_price",
                      sku + " is a new product: it needs a name and a list_price");
              continue;
            }
          }
          bool ok = true;
          auto fail = [&](const core::Error& e, const std::string& column) {
            problem(column, e.message);
            ok = false;
          };
          if (cols.name >= 0) spec.name = cell(cols.name);
          if (cols.list_price >= 0) {
            Result<std::int64_t> p = ParsePrice(cell(cols.list_price), "list_price");
            if (p)
              spec.list_price = *p;
            else
              fail(p.error(), "list_price");
          }
          if (cols.item_class >= 0) {
            const std::string v = cell(cols.item_class);
            spec.item_class = v.empty() ? "goods" : v;
          }
          if (cols.categories >= 0) spec.categories = SplitBars(cell(cols.categories));
          if (cols.non_earning >= 0) {
            Result<bool> f = ParseYesNo(cell(cols.non_earning), "non_earning");
            if (f)
              spec.non_earning = *f;
            else
              fail(f.error(), "non_earning");
          }
          if (cols.bundle >= 0) {
            Result<bool> f = ParseYesNo(cell(cols.bundle), "bundle");
            if (f)
              spec.bundle = *f;
            else
              fail(f.error(), "bundle");
          }
          if (cols.status >= 0) {
            const std::string v = cell(cols.status);
            spec.status = v.empty() ? "active" : v;
          }
          for (const auto& column : cols.tier_prices) {
            const std::string& tier = column.first;
            const int col = column.second;
            std::erase_if(spec.tier_prices, [&](const TierPriceView& t) { return t.tier == tier; });
            const std::string v = cell(col);
            if (v.empty()) continue;  // an empty cell removes the tier's price
            Result<std::int64_t> p = ParsePrice(v, "price:" + tier);
            if (p)
              spec.tier_prices.push_back({tier, *p});
            else
              fail(p.error(), "price:" + tier);
          }
          if (!ok) continue;
          std::vector<storage::PromotionRecord> promotions;
          if (*existing) {
            ONECARD_TRY(promotions, txn.ListPromotions(req.tenant.id, (*existing)->id));
          }
          Result<storage::ProductRecord> built =
              BuildProduct(ProductRules{cat.tree, cat.tiers}, spec, promotions, now);
          if (!built) {
            std::string column = built.error().field;  // a CSV column, or tier_prices.<tier>
            if (column.starts_with("tier_prices.")) column = "price:" + column.substr(12);
            problem(column, built.error().message);
            continue;
          }
          storage::ProductRecord rec = std::move(*built);
          rec.tenant = req.tenant.id;
          if (*existing) {
            rec.id = (*existing)->id;
            rec.created_at = (*existing)->created_at;
            if (SameContent(**existing, rec)) {
              ++out.unchanged;
              continue;
            }
            ++out.updated;
          } else {
            rec.created_at = now;
            ++out.created;
          }
          rec.updated_at = now;
          writes.push_back(std::move(rec));
        }
        if (!problems.empty()) {
          std::string message =
              "the CSV has " + std::string(problems.size() >= kMaxProblems ? "at least " : "") +
              std::to_string(problems.size()) + (problems.size() == 1 ? " problem" : " problems") +
              "; nothing was imported:";
          for (const ImportProblemView& p : problems) {
            message += "\nline " + std::to_string(p.line) +
                       (p.column.empty() ? "" : ", " + p.column) + ": " + p.message;
          }
          return Invalid(std::move(message), "csv");
        }
        for (const storage::ProductRecord& rec : writes) {
          ONECARD_TRY(std::int64_t id, txn.PutProduct(rec));
          (void)id;
        }
        return out;
      },
      AuditOf(req, "product.import", "product", "csv"));
}

Result<std::string> CatalogueService::ExportCsv(const TenantRef& tenant) {
  ONECARD_TRY(std::unique_ptr<storage::ReadTxn> txn, store_.BeginRead());
  ONECARD_TRY(std::vector<storage::CategoryRecord> all, txn->ListCategories(tenant.id));
  CategoryTree tree(std::move(all));
  std::vector<storage::ProductRecord> products;
  storage::ProductFilter f;
  f.include_retired = true;
  f.limit = 1000;
  while (true) {
    ONECARD_TRY(std::vector<storage::ProductRecord> page, txn->ListProducts(tenant.id, f));
    if (page.empty()) break;
    f.after_sku = page.back().sku;
    for (auto& p : page) products.push_back(std::move(p));
  }
  std::set<std::string> tiers;
  for (const auto& p : products) {
    for (const auto& t : p.tier_prices) tiers.insert(t.tier);
  }
  std::vector<std::string> header = {"sku",        "name",        "list_price", "item_class",
                                     "categories", "non_earning", "bundle",     "status"};
  for (const std::string& t : tiers) header.push_back("price:" + t);
  std::string out = core::CsvRecord(header);
  for (const auto& p : products) {
    const ProductView v = ToView(tree, p);
    std::string cats;
    for (const std::string& c : v.categories) cats += (cats.empty() ? "" : "|") + c;
    std::vector<std::string> row = {v.sku,
                                    v.name,
                                    core::Yuan(v.list_price),
                                    v.item_class,
                                    cats,
                                    v.non_earning ? "yes" : "no",
                                    v.bundle ? "yes" : "no",
                                    v.status};
    for (const std::string& t : tiers) {
      auto it = std::find_if(v.tier_prices.begin(), v.tier_prices.end(),
                             [&](const TierPriceView& tp) { return tp.tier == t; });
      row.push_back(it == v.tier_prices.end() ? "" : core::Yuan(it->price));
    }
    out += core::CsvRecord(row);
  }
  return out;
}

// ----- promotions -----

Result<PromotionView> CatalogueService::AddPromotion(const Request& req,
                                                     const PromotionSpec& spec) {
  ONECARD_CHECK(ValidateSku(spec.sku, "sku"));
  ONECARD_CHECK(ValidateName(spec.name, "name"));
  if (spec.price < 0 || spec.price > kMaxUnitPrice)
    return Invalid("a price is ¥0 to ¥10,000,000", "price");
  if (!(spec.starts_at < spec.ends_at)) {
    return Invalid("the promotion ends (" + spec.ends_at.ToIsoUtc() + ") before it starts (" +
                       spec.starts_at.ToIsoUtc() + ")",
                   "to");
  }
  return writer_.Call<PromotionView>(
      req.tenant.id, req.idempotency_key,
      Canonical("promotion")
          .Add("sku", spec.sku)
          .Add("name", spec.name)
          .Add("price", spec.price)
          .Add("from", spec.starts_at.micros)
          .Add("to", spec.ends_at.micros)
          .digest(),
      [&](storage::WriteTxn& txn) -> Result<PromotionView> {
        const core::Timestamp now = clock_.Now();
        if (spec.ends_at <= now) {
          return Invalid("the promotion would end (" + spec.ends_at.ToIsoUtc() + ") in the past",
                         "to");
        }
        ONECARD_TRY(std::optional<storage::ProductRecord> product,
                    txn.FindProduct(req.tenant.id, spec.sku));
        if (!product) {
          return MakeError(ErrorCode::kProductNotFound, "the catalogue has no product " + spec.sku,
                           "sku");
        }
        if (product->status != "active") {
          return MakeError(ErrorCode::kProductRetired, spec.sku + " is retired", "sku");
        }
        if (spec.price > product->list_price) {
          return Invalid("a promotion sells below the list price " +
                             core::YuanSign(product->list_price) + ", not at " +
                             core::YuanSign(spec.price),
                         "price");
        }
        // A start in the past means now: sales already made keep their prices.
        const core::Timestamp start = spec.starts_at < now ? now : spec.starts_at;
        ONECARD_TRY(std::vector<storage::PromotionRecord> others,
                    txn.ListPromotions(req.tenant.id, product->id));
        for (const storage::PromotionRecord& o : others) {
          if (o.starts_at == o.ends_at) continue;  // cancelled
          if (o.starts_at < spec.ends_at && start < o.ends_at) {
            return MakeError(ErrorCode::kPromotionOverlaps,
                             "promotion " + std::to_string(o.id) + " (" + o.name + ") prices " +
                                 spec.sku + " from " + o.starts_at.ToIsoUtc() + " to " +
                                 o.ends_at.ToIsoUtc() + ": promotions of a product never overlap",
                             "from");
          }
        }
        storage::PromotionRecord r{
            0,          req.tenant.id, product->id,  spec.sku,        spec.name,
            spec.price, start,         spec.ends_at, req.actor.staff, now};
        ONECARD_TRY(r.id, txn.InsertPromotion(r));
        return ToView(r, now);
      },
      AuditOf(req, "promotion.add", "product", spec.sku));
}

Result<PromotionView> CatalogueService::EndPromotion(const Request& req, std::int64_t id) {
  std::shared_ptr<storage::AuditRecord> audit =
      AuditOf(req, "promotion.end", "promotion", std::to_string(id));
  return writer_.Call<PromotionView>(
      req.tenant.id, req.idempotency_key, Canonical("promotion.end").Add("id", id).digest(),
      [&](storage::WriteTxn& txn) -> Result<PromotionView> {
        const core::Timestamp now = clock_.Now();
        ONECARD_TRY(std::optional<storage::PromotionRecord> found,
                    txn.GetPromotion(req.tenant.id, id));
        if (!found) {
          return MakeError(ErrorCode::kPromotionNotFound, "no promotion " + std::to_string(id),
                           "id");
        }
        storage::PromotionRecord p = *found;
        const std::string status = StatusAt(p, now);
        if (status == "ended" || status == "cancelled") {
          return Invalid("promotion " + std::to_string(id) + " has " +
                             (status == "ended" ? "ended" : "been cancelled") + " already",
                         "id");
        }
        audit->before = nlohmann::json(ToView(p, now)).dump();
        p.ends_at = status == "scheduled" ? p.starts_at : now;
        ONECARD_CHECK(txn.UpdatePromotion(p));
        return ToView(p, now);
      },
      audit);
}

Result<std::vector<PromotionView>> CatalogueService::ListPromotions(const TenantRef& tenant,
                                                                    std::string_view sku,
                                                                    bool all) {
  const core::Timestamp now = clock_.Now();
  ONECARD_TRY(std::unique_ptr<storage::ReadTxn> txn, store_.BeginRead());
  std::vector<storage::PromotionRecord> rows;
  if (!sku.empty()) {
    ONECARD_TRY(std::optional<storage::ProductRecord> p, txn->FindProduct(tenant.id, sku));
    if (!p) {
      return MakeError(ErrorCode::kProductNotFound,
                       "the catalogue has no product " + std::string(sku), "sku");
    }
    ONECARD_TRY(rows, txn->ListPromotions(tenant.id, p->id));
  } else {
    ONECARD_TRY(rows, txn->ListCurrentPromotions(tenant.id, all ? core::Timestamp{0} : now));
  }
  std::vector<PromotionView> out;
  for (const storage::PromotionRecord& r : rows) {
    const std::string status = StatusAt(r, now);
    if (!all && (status == "ended" || status == "cancelled")) continue;
    out.push_back(ToView(r, now));
  }
  return out;
}

Result<std::int64_t> ParsePrice(std::string_view text, const std::string& field) {
  if (text.empty()) return Invalid("a price is required (yuan, such as 12 or 12.50)", field);
  ONECARD_TRY(core::Money m, core::Money::Parse(text, field, core::SignPolicy::kZeroOrPositive));
  return m.fen();
}

Result<bool> ParseYesNo(std::string_view text, const std::string& field) {
  std::string t(text);
  std::transform(t.begin(), t.end(), t.begin(), [](unsigned char c) { return std::tolower(c); });
  if (t.empty() || t == "no" || t == "false" || t == "0" || t == "n") return false;
  if (t == "yes" || t == "true" || t == "1" || t == "y") return true;
  return Invalid("\"" + std::string(text) + "\" is not yes or no", field);
}

Result<core::Timestamp> ParseLocalInstant(std::string_view tz, std::string_view text, bool end,
                                          std::string_view field) {
  const std::string f(field);
  if (text.size() != 10 && text.size() != 16) {
    return Invalid(f + " is a local date (2026-12-01) or date and time (2026-12-01T09:30)", f);
  }
  ONECARD_TRY(core::CivilDate d, core::CivilDate::Parse(text.substr(0, 10), f));
  if (text.size() == 10) {
    return end ? LocalInstant(tz, d.PlusDays(1), 0) : LocalInstant(tz, d, 0);
  }
  if (text[10] != 'T' && text[10] != ' ') {
    return Invalid(f + " is a local date (2026-12-01) or date and time (2026-12-01T09:30)", f);
  }
  ONECARD_TRY(int minute, ParseLocalTime(text.substr(11), f));
  return LocalInstant(tz, d, minute);
}

}  // namespace onecard::service
