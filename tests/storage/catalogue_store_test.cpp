// The store's catalogue: categories, products with their categories and tier prices replaced
// whole, listing by a category's subtree, promotions — each tenant seeing only its own.
#include <gtest/gtest.h>

#include "support/test_env.hpp"

namespace onecard::testing {
namespace {

using core::Timestamp;
using storage::CategoryRecord;
using storage::ProductFilter;
using storage::ProductRecord;
using storage::PromotionRecord;

class CatalogueStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto other = env_.services().org().CreateTenant("other", "Other", "Asia/Shanghai");
    ASSERT_TRUE(other) << other.error().ToString();
    other_ = other->id;
  }

  // Runs `body` in a write transaction and commits it.
  template <typename F>
  void Write(F body) {
    auto txn = env_.store().BeginWrite();
    ASSERT_TRUE(txn) << txn.error().ToString();
    body(**txn);
    auto committed = (*txn)->Commit();
    ASSERT_TRUE(committed) << committed.error().ToString();
  }

  std::vector<std::string> Skus(const ProductFilter& f, core::TenantId tenant) {
    auto txn = env_.store().BeginRead();
    EXPECT_TRUE(txn);
    auto rows = (*txn)->ListProducts(tenant, f);
    EXPECT_TRUE(rows) << rows.error().ToString();
    std::vector<std::string> out;
    for (const auto& p : *rows) out.push_back(p.sku);
    return out;
  }

  TestEnv env_;
  core::TenantId other_;
};

TEST_F(CatalogueStoreTest, ProductsAreReplacedWholeAndListedByTheSubtreeOfACategory) {
  const core::TenantId t = env_.tenant().id;
  std::int64_t food = 0, tea = 0, green = 0, toys = 0;
  Write([&](storage::WriteTxn& txn) {
    food = *txn.InsertCategory(CategoryRecord{0, t, 0, "food", "Food"});
    tea = *txn.InsertCategory(CategoryRecord{0, t, food, "tea", "Tea"});
    green = *txn.InsertCategory(CategoryRecord{0, t, tea, "green", "Green"});
    toys = *txn.InsertCategory(CategoryRecord{0, t, 0, "toys", "Toys"});
    ASSERT_GT(toys, 0);
    const Timestamp now{1'000'000};
    ProductRecord lj{0,
                     t,
                     "LJ",
                     "Longjing 龙井",
                     16800,
                     "goods",
                     false,
                     false,
                     "active",
                     {green},
                     {{"gold", 15000}, {"silver", 16000}},
                     now,
                     now};
    ASSERT_TRUE(txn.PutProduct(lj));
    ASSERT_TRUE(txn.PutProduct(ProductRecord{
        0, t, "BEAR", "Bear", 5000, "goods", false, false, "active", {toys, food}, {}, now, now}));
    ASSERT_TRUE(txn.PutProduct(ProductRecord{
        0, t, "OLD", "Old tea", 100, "goods", false, false, "retired", {tea}, {}, now, now}));
    // The other tenant's product with the same SKU and name.
    ASSERT_TRUE(txn.PutProduct(ProductRecord{
        0, other_, "LJ", "Longjing 龙井", 1, "goods", false, false, "active", {}, {}, now, now}));
  });

  ProductFilter f;
  EXPECT_EQ(Skus(f, t), (std::vector<std::string>{"BEAR", "LJ"}));
  f.include_retired = true;
  EXPECT_EQ(Skus(f, t), (std::vector<std::string>{"BEAR", "LJ", "OLD"}));
  f.category = food;
  EXPECT_EQ(Skus(f, t), (std::vector<std::string>{"BEAR", "LJ", "OLD"})) << "the whole subtree";
  f.category = tea;
  EXPECT_EQ(Skus(f, t), (std::vector<std::string>{"LJ", "OLD"}));
  f.category = green;
  EXPECT_EQ(Skus(f, t), (std::vector<std::string>{"LJ"}));
  f.category = 0;
  f.text = "龙井";
  EXPECT_EQ(Skus(f, t), (std::vector<std::string>{"LJ"}));
  f.text = "%";
  EXPECT_TRUE(Skus(f, t).empty()) << "LIKE wildcards are matched literally";
  f.text = "";
  f.after_sku = "BEAR";
  f.limit = 1;
  EXPECT_EQ(Skus(f, t), (std::vector<std::string>{"LJ"}));
  EXPECT_EQ(Skus(ProductFilter{}, other_), (std::vector<std::string>{"LJ"}));

  // Replaced whole: categories and tier prices are what the record says, nothing left behind.
  Write([&](storage::WriteTxn& txn) {
    auto found = txn.FindProduct(t, "LJ");
    ASSERT_TRUE(found && *found);
    ProductRecord lj = **found;
    EXPECT_EQ(lj.categories, (std::vector<std::int64_t>{green}));
    ASSERT_EQ(lj.tier_prices.size(), 2U);
    EXPECT_EQ(lj.tier_prices[0].tier, "gold");
    lj.categories = {toys};
    lj.tier_prices = {{"diamond", 14000}};
    lj.list_price = 17000;
    auto id = txn.PutProduct(lj);
    ASSERT_TRUE(id);
    EXPECT_EQ(*id, lj.id) << "the same product";
  });
  auto txn = env_.store().BeginRead();
  ASSERT_TRUE(txn);
  auto lj = (*txn)->FindProduct(t, "LJ");
  ASSERT_TRUE(lj && *lj);
  EXPECT_EQ((*lj)->list_price, 17000);
  EXPECT_EQ((*lj)->categories, (std::vector<std::int64_t>{toys}));
  ASSERT_EQ((*lj)->tier_prices.size(), 1U);
  EXPECT_EQ((*lj)->tier_prices[0].tier, "diamond");
  auto theirs = (*txn)->FindProduct(other_, "LJ");
  ASSERT_TRUE(theirs && *theirs);
  EXPECT_EQ((*theirs)->list_price, 1);
  auto none = (*txn)->FindProduct(t, "NOPE");
  ASSERT_TRUE(none);
  EXPECT_FALSE(*none);
  EXPECT_EQ(QueryInt(env_.db_path(), "SELECT count(*) FROM product_tier_prices"), 1);
  EXPECT_EQ(QueryInt(env_.db_path(), "SELECT count(*) FROM product_categories"), 4);
}

TEST_F(CatalogueStoreTest, PromotionsAreListedByWindowAndOnlyToTheirTenant) {
  const core::TenantId t = env_.tenant().id;
  std::int64_t product = 0;
  std::int64_t past = 0, now_on = 0, later = 0;
  const Timestamp now{10'000'000'000};
  auto at = [&](std::int64_t s) { return now.PlusSeconds(s); };
  Write([&](storage::WriteTxn& txn) {
    product = *txn.PutProduct(ProductRecord{
        0, t, "LJ", "Longjing", 16800, "goods", false, false, "active", {}, {}, now, now});
    past = *txn.InsertPromotion(
        PromotionRecord{0, t, product, "", "Past", 100, at(-200), at(-100), "a", now});
    later = *txn.InsertPromotion(
        PromotionRecord{0, t, product, "", "Later", 300, at(100), at(200), "a", now});
    now_on = *txn.InsertPromotion(
        PromotionRecord{0, t, product, "", "Now", 200, at(-10), at(10), "a", now});
  });
  auto txn = env_.store().BeginRead();
  ASSERT_TRUE(txn);
  auto all = (*txn)->ListPromotions(t, product);
  ASSERT_TRUE(all);
  ASSERT_EQ(all->size(), 3U);
  EXPECT_EQ((*all)[0].name, "Past");  // by start
  EXPECT_EQ((*all)[0].sku, "LJ");
  auto current = (*txn)->ListCurrentPromotions(t, now);
  ASSERT_TRUE(current);
  ASSERT_EQ(current->size(), 2U);
  EXPECT_EQ((*current)[0].id, now_on);
  EXPECT_EQ((*current)[1].id, later);
  auto one = (*txn)->GetPromotion(t, past);
  ASSERT_TRUE(one && *one);
  EXPECT_EQ((*one)->price, 100);
  EXPECT_EQ((*one)->sku, "LJ");
  auto foreign = (*txn)->GetPromotion(other_, past);
  ASSERT_TRUE(foreign);
  EXPECT_FALSE(*foreign) << "another tenant's promotion does not exist for it";
  auto theirs = (*txn)->ListCurrentPromotions(other_, Timestamp{0});
  ASSERT_TRUE(theirs);
  EXPECT_TRUE(theirs->empty());
}

}  // namespace
}  // namespace onecard::testing
