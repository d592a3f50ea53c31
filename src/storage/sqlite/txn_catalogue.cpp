// SqliteTxn: the catalogue — categories, products with their categories and tier prices, and
// promotions.
#include "storage/sqlite/rows.hpp"
#include "storage/sqlite/txn.hpp"

namespace onecard::storage::sqlite {
namespace {

#define ONECARD_PRODUCT_COLS                                                               \
  "SELECT id, tenant_id, sku, name, list_price, item_class, non_earning, bundle, status, " \
  "created_at, updated_at FROM products "

#define ONECARD_PROMOTION_COLS                                                               \
  "SELECT r.id, r.tenant_id, r.product_id, p.sku, r.name, r.price, r.starts_at, r.ends_at, " \
  "r.created_by, r.created_at FROM promotions r JOIN products p ON p.id = r.product_id "

ProductRecord ReadProduct(const Stmt& st) {
  ProductRecord r;
  r.id = st.Int(0);
  r.tenant = TenantId{st.Int(1)};
  r.sku = st.Text(2);
  r.name = st.Text(3);
  r.list_price = st.Int(4);
  r.item_class = st.Text(5);
  r.non_earning = st.Int(6) != 0;
  r.bundle = st.Int(7) != 0;
  r.status = st.Text(8);
  r.created_at = Timestamp{st.Int(9)};
  r.updated_at = Timestamp{st.Int(10)};
  return r;
}

PromotionRecord ReadPromotion(const Stmt& st) {
  return PromotionRecord{st.Int(0),
                         TenantId{st.Int(1)},
                         st.Int(2),
                         st.Text(3),
                         st.Text(4),
                         st.Int(5),
                         Timestamp{st.Int(6)},
                         Timestamp{st.Int(7)},
                         st.Text(8),
                         Timestamp{st.Int(9)}};
}

}  // namespace

Result<std::vector<CategoryRecord>> SqliteTxn::ListCategories(TenantId tenant) {
  ONECARD_TRY(Stmt st, Prepare("SELECT id, tenant_id, COALESCE(parent_id, 0), code, name "
                               "FROM categories WHERE tenant_id = ?1 ORDER BY code"));
  st.Bind(1, tenant.value);
  return ReadAll<CategoryRecord>(st, [](const Stmt& s) {
    return CategoryRecord{s.Int(0), TenantId{s.Int(1)}, s.Int(2), s.Text(3), s.Text(4)};
  });
}

// Fills a product's categories and tier prices.
Status SqliteTxn::LoadProductDetail(ProductRecord& p) {
  {
    ONECARD_TRY(Stmt st, Prepare("SELECT category_id FROM product_categories "
                                 "WHERE product_id = ?1 ORDER BY category_id"));
    st.Bind(1, p.id);
    ONECARD_TRY(p.categories, ReadAll<std::int64_t>(st, [](const Stmt& s) { return s.Int(0); }));
  }
  ONECARD_TRY(Stmt st, Prepare("SELECT tier, price FROM product_tier_prices "
                               "WHERE product_id = ?1 ORDER BY tier"));
  st.Bind(1, p.id);
  ONECARD_TRY(p.tier_prices, ReadAll<TierPriceRecord>(st, [](const Stmt& s) {
                return TierPriceRecord{s.Text(0), s.Int(1)};
              }));
  return {};
}

Result<std::optional<ProductRecord>> SqliteTxn::FindProduct(TenantId tenant, std::string_view sku) {
  ONECARD_TRY(Stmt st, Prepare(ONECARD_PRODUCT_COLS "WHERE tenant_id = ?1 AND sku = ?2"));
  st.Bind(1, tenant.value).Bind(2, sku);
  ONECARD_TRY(std::optional<ProductRecord> p, ReadOne<ProductRecord>(st, ReadProduct));
  if (p) ONECARD_CHECK(LoadProductDetail(*p));
  return p;
}

Result<std::vector<ProductRecord>> SqliteTxn::ListProducts(TenantId tenant,
                                                           const ProductFilter& f) {
  ONECARD_TRY(Stmt st,
              Prepare(ONECARD_PRODUCT_COLS
                      "WHERE tenant_id = ?1 AND sku > ?2 AND (?3 = 1 OR status = 'active') "
                      "AND (?4 = 0 OR id IN (SELECT product_id FROM product_categories "
                      "  WHERE category_id IN (WITH RECURSIVE below(id) AS (SELECT ?4 UNION "
                      "    SELECT c.id FROM categories c JOIN below ON c.parent_id = below.id) "
                      "  SELECT id FROM below))) "
                      "AND (?5 = '' OR instr(lower(sku), lower(?5)) > 0 "
                      "     OR instr(lower(name), lower(?5)) > 0) "
                      "ORDER BY sku LIMIT ?6"));
  st.Bind(1, tenant.value).Bind(2, f.after_sku).Bind(3, std::int64_t{f.include_retired ? 1 : 0});
  st.Bind(4, f.category).Bind(5, f.text).Bind(6, std::int64_t{f.limit});
  ONECARD_TRY(std::vector<ProductRecord> out, ReadAll<ProductRecord>(st, ReadProduct));
  for (ProductRecord& p : out) ONECARD_CHECK(LoadProductDetail(p));
  return out;
}

Result<std::vector<PromotionRecord>> SqliteTxn::ListPromotions(TenantId tenant,
                                                               std::int64_t product) {
  ONECARD_TRY(Stmt st,
              Prepare(ONECARD_PROMOTION_COLS
                      "WHERE r.tenant_id = ?1 AND r.product_id = ?2 ORDER BY r.starts_at, r.id"));
  st.Bind(1, tenant.value).Bind(2, product);
  return ReadAll<PromotionRecord>(st, ReadPromotion);
}

Result<std::vector<PromotionRecord>> SqliteTxn::ListCurrentPromotions(TenantId tenant,
                                                                      Timestamp at) {
  ONECARD_TRY(Stmt st,
              Prepare(ONECARD_PROMOTION_COLS
                      "WHERE r.tenant_id = ?1 AND r.ends_at > ?2 ORDER BY r.starts_at, r.id"));
  st.Bind(1, tenant.value).Bind(2, at.micros);
  return ReadAll<PromotionRecord>(st, ReadPromotion);
}

Result<std::optional<PromotionRecord>> SqliteTxn::GetPromotion(TenantId tenant, std::int64_t id) {
  ONECARD_TRY(Stmt st, Prepare(ONECARD_PROMOTION_COLS "WHERE r.tenant_id = ?1 AND r.id = ?2"));
  st.Bind(1, tenant.value).Bind(2, id);
  return ReadOne<PromotionRecord>(st, ReadPromotion);
}

Result<std::int64_t> SqliteTxn::InsertCategory(const CategoryRecord& c) {
  RequireWritable();
  ONECARD_TRY(Stmt st, Prepare("INSERT INTO categories (tenant_id, parent_id, code, name) "
                               "VALUES (?1, ?2, ?3, ?4)"));
  st.Bind(1, c.tenant.value).BindId(2, c.parent).Bind(3, c.code).Bind(4, c.name);
  ONECARD_CHECK(st.Run());
  return conn_.LastInsertId();
}

Status SqliteTxn::UpdateCategory(const CategoryRecord& c) {
  RequireWritable();
  ONECARD_TRY(Stmt st, Prepare("UPDATE categories SET parent_id = ?3, name = ?4 "
                               "WHERE tenant_id = ?1 AND id = ?2"));
  st.Bind(1, c.tenant.value).Bind(2, c.id).BindId(3, c.parent).Bind(4, c.name);
  return st.Run();
}

Result<std::int64_t> SqliteTxn::PutProduct(const ProductRecord& p) {
  RequireWritable();
  std::int64_t id = p.id;
  if (id == 0) {
    ONECARD_TRY(Stmt st, Prepare("INSERT INTO products (tenant_id, sku, name, list_price, "
                                 "item_class, non_earning, bundle, status, created_at, "
                                 "updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)"));
    st.Bind(1, p.tenant.value).Bind(2, p.sku).Bind(3, p.name).Bind(4, p.list_price);
    st.Bind(5, p.item_class).Bind(6, std::int64_t{p.non_earning}).Bind(7, std::int64_t{p.bundle});
    st.Bind(8, p.status).Bind(9, p.created_at.micros).Bind(10, p.updated_at.micros);
    ONECARD_CHECK(st.Run());
    id = conn_.LastInsertId();
  } else {
    ONECARD_TRY(Stmt st, Prepare("UPDATE products SET name = ?3, list_price = ?4, item_class = ?5, "
                                 "non_earning = ?6, bundle = ?7, status = ?8, updated_at = ?9 "
                                 "WHERE tenant_id = ?1 AND id = ?2"));
    st.Bind(1, p.tenant.value).Bind(2, id).Bind(3, p.name).Bind(4, p.list_price);
    st.Bind(5, p.item_class).Bind(6, std::int64_t{p.non_earning}).Bind(7, std::int64_t{p.bundle});
    st.Bind(8, p.status).Bind(9, p.updated_at.micros);
    ONECARD_CHECK(st.Run());
    ONECARD_TRY(Stmt del, Prepare("DELETE FROM product_categories WHERE product_id = ?1"));
    del.Bind(1, id);
    ONECARD_CHECK(del.Run());
    ONECARD_TRY(Stmt del2, Prepare("DELETE FROM product_tier_prices WHERE product_id = ?1"));
    del2.Bind(1, id);
    ONECARD_CHECK(del2.Run());
  }
  for (std::int64_t category : p.categories) {
    ONECARD_TRY(Stmt st, Prepare("INSERT INTO product_categories (product_id, category_id, "
                                 "tenant_id) VALUES (?1, ?2, ?3)"));
    st.Bind(1, id).Bind(2, category).Bind(3, p.tenant.value);
    ONECARD_CHECK(st.Run());
  }
  for (const TierPriceRecord& t : p.tier_prices) {
    ONECARD_TRY(Stmt st, Prepare("INSERT INTO product_tier_prices (product_id, tier, tenant_id, "
                                 "price) VALUES (?1, ?2, ?3, ?4)"));
    st.Bind(1, id).Bind(2, t.tier).Bind(3, p.tenant.value).Bind(4, t.price);
    ONECARD_CHECK(st.Run());
  }
  return id;
}

Result<std::int64_t> SqliteTxn::InsertPromotion(const PromotionRecord& p) {
  RequireWritable();
  ONECARD_TRY(Stmt st, Prepare("INSERT INTO promotions (tenant_id, product_id, name, price, "
                               "starts_at, ends_at, created_by, created_at) "
                               "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"));
  st.Bind(1, p.tenant.value).Bind(2, p.product).Bind(3, p.name).Bind(4, p.price);
  st.Bind(5, p.starts_at.micros).Bind(6, p.ends_at.micros).Bind(7, p.created_by);
  st.Bind(8, p.created_at.micros);
  ONECARD_CHECK(st.Run());
  return conn_.LastInsertId();
}

Status SqliteTxn::UpdatePromotion(const PromotionRecord& p) {
  RequireWritable();
  ONECARD_TRY(Stmt st,
              Prepare("UPDATE promotions SET ends_at = ?3 WHERE tenant_id = ?1 AND id = ?2"));
  st.Bind(1, p.tenant.value).Bind(2, p.id).Bind(3, p.ends_at.micros);
  return st.Run();
}

}  // namespace onecard::storage::sqlite
