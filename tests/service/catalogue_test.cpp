// The catalogue (issue #5, item 1): a category tree, products by SKU with tier prices, promotions
// with a time window, CSV import and export — and checkout pricing catalogue lines with them.
#include <gtest/gtest.h>

#include "service/calendar.hpp"
#include "support/test_env.hpp"

namespace onecard::testing {
namespace {

using core::ErrorCode;
using nlohmann::json;
using service::ProductSpec;
using service::PromotionSpec;

std::int64_t Count(TestEnv& env, const std::string& table) {
  return QueryInt(env.db_path(), "SELECT count(*) FROM " + table);
}

std::vector<std::string> Codes(const std::vector<service::CategoryView>& all) {
  std::vector<std::string> out;
  for (const auto& c : all) out.push_back(c.code);
  return out;
}

ProductSpec Product(const std::string& sku, std::int64_t price,
                    std::vector<std::string> categories = {},
                    std::vector<service::TierPriceView> tier_prices = {}) {
  ProductSpec p;
  p.sku = sku;
  p.name = "Product " + sku;
  p.list_price = price;
  p.categories = std::move(categories);
  p.tier_prices = std::move(tier_prices);
  return p;
}

service::ProductQuery Query(std::string category, std::string text = "", bool retired = false,
                            int limit = 100, std::string after = "") {
  service::ProductQuery q;
  q.category = std::move(category);
  q.text = std::move(text);
  q.include_retired = retired;
  q.limit = limit;
  q.after = std::move(after);
  return q;
}

TEST(CatalogueTest, CategoriesFormATreeThatCannotLoopAndRefusalsChangeNothing) {
  TestEnv env;
  auto& cat = env.services().catalogue();
  ASSERT_TRUE(cat.AddCategory(env.Req(""), "tea", "Tea 茶叶", ""));
  ASSERT_TRUE(cat.AddCategory(env.Req(""), "green", "Green tea", "tea"));
  auto longjing = cat.AddCategory(env.Req(""), "longjing", "Longjing", "green");
  ASSERT_TRUE(longjing) << longjing.error().ToString();
  EXPECT_EQ(longjing->parent, "green");
  EXPECT_EQ(longjing->path, (std::vector<std::string>{"tea", "green", "longjing"}));
  ASSERT_TRUE(cat.AddCategory(env.Req(""), "bakery", "Bakery", ""));
  ASSERT_TRUE(cat.AddCategory(env.Req(""), "black", "Black tea", "tea"));

  auto all = cat.ListCategories(env.tenant());
  ASSERT_TRUE(all);
  // Each category after its parent, siblings by code.
  EXPECT_EQ(Codes(*all), (std::vector<std::string>{"bakery", "tea", "black", "green", "longjing"}));

  const std::int64_t audits = Count(env, "audit_log");
  EXPECT_EQ(cat.AddCategory(env.Req(""), "tea", "Again", "").error().code, ErrorCode::kCodeTaken);
  auto orphan = cat.AddCategory(env.Req(""), "oolong", "Oolong", "nowhere");
  EXPECT_EQ(orphan.error().code, ErrorCode::kCategoryNotFound);
  EXPECT_EQ(orphan.error().field, "parent");
  EXPECT_EQ(cat.AddCategory(env.Req(""), "Bad Code", "x", "").error().field, "code");
  EXPECT_EQ(cat.AddCategory(env.Req(""), "empty", "", "").error().field, "name");
  // Moving a category below itself or below one of its own would make a loop.
  auto loop = cat.UpdateCategory(env.Req(""), "tea", std::nullopt, std::string("longjing"));
  EXPECT_EQ(loop.error().code, ErrorCode::kFieldInvalid);
  EXPECT_EQ(loop.error().field, "parent");
  EXPECT_NE(loop.error().message.find("below itself"), std::string::npos);
  EXPECT_EQ(cat.UpdateCategory(env.Req(""), "tea", std::nullopt, std::string("tea")).error().field,
            "parent");
  EXPECT_EQ(cat.UpdateCategory(env.Req(""), "nope", std::string("x"), std::nullopt).error().code,
            ErrorCode::kCategoryNotFound);
  EXPECT_EQ(cat.UpdateCategory(env.Req(""), "tea", std::nullopt, std::nullopt).error().code,
            ErrorCode::kFieldInvalid);
  EXPECT_EQ(Count(env, "categories"), 5);
  EXPECT_EQ(Count(env, "audit_log"), audits);

  // Green tea moves to the top and is renamed; longjing follows it.
  auto moved =
      cat.UpdateCategory(env.Req(""), "green", std::string("Green tea 绿茶"), std::string(""));
  ASSERT_TRUE(moved) << moved.error().ToString();
  EXPECT_EQ(moved->parent, "");
  EXPECT_EQ(moved->name, "Green tea 绿茶");
  all = cat.ListCategories(env.tenant());
  ASSERT_TRUE(all);
  EXPECT_EQ(Codes(*all), (std::vector<std::string>{"bakery", "green", "longjing", "tea", "black"}));
  EXPECT_EQ((*all)[2].path, (std::vector<std::string>{"green", "longjing"}));
  EXPECT_EQ(Count(env, "audit_log WHERE action = 'category.update' AND before IS NOT NULL"), 1);
}

TEST(CatalogueTest, ProductsArePutReplacedListedAndCheckedChangingNothingWhenRefused) {
  TestEnv env;
  AddCategories(env, {"non-earning"});
  auto& cat = env.services().catalogue();
  // Tier prices name the programme's tiers: none yet.
  auto early = cat.PutProduct(env.Req(""), Product("SOFA-1", 300000, {}, {{"silver", 270000}}));
  EXPECT_EQ(early.error().field, "tier_prices.silver");
  EXPECT_NE(early.error().message.find("no programme yet"), std::string::npos);
  UseProgramme(env, ExampleProgramme("p2.toml"));
  ASSERT_TRUE(cat.AddCategory(env.Req(""), "furniture", "Furniture", ""));
  ASSERT_TRUE(cat.AddCategory(env.Req(""), "sofas", "Sofas", "furniture"));

  ProductSpec sofa = Product("SOFA-1", 300000, {"sofas"}, {{"silver", 270000}, {"gold", 250000}});
  sofa.name = "Three-seat sofa 三人沙发";
  auto put = cat.PutProduct(env.Req(""), sofa);
  ASSERT_TRUE(put) << put.error().ToString();
  EXPECT_EQ(put->status, "active");
  EXPECT_EQ(put->item_class, "goods");
  ASSERT_EQ(put->tier_prices.size(), 2U);
  EXPECT_EQ(put->tier_prices[0].tier, "gold");  // by tier code
  EXPECT_EQ(put->tier_prices[0].price, 250000);
  ASSERT_TRUE(cat.PutProduct(env.Req(""), Product("CHAIR-1", 50000, {"furniture"})));
  ProductSpec stool = Product("STOOL-1", 9900, {"furniture"});
  stool.status = "retired";
  ASSERT_TRUE(cat.PutProduct(env.Req(""), stool));

  // Refusals name the field and write nothing.
  const std::int64_t products = Count(env, "products");
  const std::int64_t audits = Count(env, "audit_log");
  struct Bad {
    ProductSpec spec;
    ErrorCode code;
    std::string field;
  };
  std::vector<Bad> bad = {
      {Product("SOFA-1", 300000, {}, {{"silver", 300001}}), ErrorCode::kFieldInvalid,
       "tier_prices.silver"},
      {Product("SOFA-1", 300000, {}, {{"diamond", 1}}), ErrorCode::kFieldInvalid,
       "tier_prices.diamond"},
      {Product("SOFA-1", 300000, {}, {{"gold", 1}, {"gold", 2}}), ErrorCode::kFieldInvalid,
       "tier_prices.gold"},
      {Product("SOFA-1", 300000, {"beds"}), ErrorCode::kCategoryNotFound, "categories"},
      {Product("SOFA 1", 300000), ErrorCode::kFieldInvalid, "sku"},
      {Product("SOFA-1", -1), ErrorCode::kFieldInvalid, "list_price"},
  };
  bad.push_back({Product("SOFA-1", 300000), ErrorCode::kFieldInvalid, "name"});
  bad.back().spec.name = "";
  bad.push_back({Product("SOFA-1", 300000), ErrorCode::kFieldInvalid, "status"});
  bad.back().spec.status = "gone";
  bad.push_back({Product("SOFA-1", 300000), ErrorCode::kCodeMalformed, "item_class"});
  bad.back().spec.item_class = "Goods!";
  for (const Bad& b : bad) {
    auto r = cat.PutProduct(env.Req(""), b.spec);
    ASSERT_FALSE(r) << b.field;
    EXPECT_EQ(r.error().code, b.code) << r.error().ToString();
    EXPECT_EQ(r.error().field, b.field) << r.error().ToString();
  }
  EXPECT_EQ(Count(env, "products"), products);
  EXPECT_EQ(Count(env, "audit_log"), audits);
  auto kept = cat.GetProduct(env.tenant(), "SOFA-1");
  ASSERT_TRUE(kept);
  EXPECT_EQ(kept->tier_prices.size(), 2U);
  EXPECT_EQ(cat.GetProduct(env.tenant(), "NOPE").error().code, ErrorCode::kProductNotFound);

  // Listing: by SKU, a category takes in the ones below it, retired only when asked for.
  auto in_furniture = cat.ListProducts(env.tenant(), Query("furniture"));
  ASSERT_TRUE(in_furniture) << in_furniture.error().ToString();
  ASSERT_EQ(in_furniture->products.size(), 2U);
  EXPECT_EQ(in_furniture->products[0].sku, "CHAIR-1");
  EXPECT_EQ(in_furniture->products[1].sku, "SOFA-1");
  auto with_retired = cat.ListProducts(env.tenant(), Query("", "", true));
  ASSERT_TRUE(with_retired);
  EXPECT_EQ(with_retired->products.size(), 3U);
  auto by_name = cat.ListProducts(env.tenant(), Query("", "沙发"));
  ASSERT_TRUE(by_name);
  ASSERT_EQ(by_name->products.size(), 1U);
  EXPECT_EQ(by_name->products[0].sku, "SOFA-1");
  auto page1 = cat.ListProducts(env.tenant(), Query("", "", true, 2));
  ASSERT_TRUE(page1);
  ASSERT_EQ(page1->products.size(), 2U);
  EXPECT_EQ(page1->next, "SOFA-1");
  auto page2 = cat.ListProducts(env.tenant(), Query("", "", true, 2, page1->next));
  ASSERT_TRUE(page2);
  ASSERT_EQ(page2->products.size(), 1U);
  EXPECT_EQ(page2->products[0].sku, "STOOL-1");
  EXPECT_EQ(page2->next, "");
  EXPECT_EQ(cat.ListProducts(env.tenant(), Query("beds")).error().code,
            ErrorCode::kCategoryNotFound);
  EXPECT_EQ(cat.ListProducts(env.tenant(), Query("", "", false, 0)).error().field, "limit");

  // A PUT replaces the product: what is not given goes back to its default.
  env.clock().AdvanceSeconds(60);
  auto replaced = cat.PutProduct(env.Req(""), Product("SOFA-1", 320000));
  ASSERT_TRUE(replaced) << replaced.error().ToString();
  EXPECT_TRUE(replaced->categories.empty());
  EXPECT_TRUE(replaced->tier_prices.empty());
  EXPECT_EQ(replaced->created_at, put->created_at);
  EXPECT_GT(replaced->updated_at, put->updated_at);
  EXPECT_EQ(Count(env, "product_tier_prices"), 0);
  EXPECT_EQ(Count(env, "audit_log WHERE action = 'product.put' AND before LIKE '%270000%'"), 1)
      << "the audit keeps what it was";
  env.clock().AdvanceSeconds(60);
  auto same = cat.PutProduct(env.Req(""), Product("SOFA-1", 320000));
  ASSERT_TRUE(same);
  EXPECT_EQ(same->updated_at, replaced->updated_at) << "nothing changed, so not updated";
}

class CataloguePricing : public ::testing::Test {
 protected:
  void SetUp() override {
    AddCategories(env_, {"non-earning", "furniture"});
    UseProgramme(env_, ExampleProgramme("p2.toml"));
    auto& cat = env_.services().catalogue();
    ASSERT_TRUE(cat.AddCategory(env_.Req(""), "wrapping", "Gift wrap", "non-earning"));
    ProductSpec sofa = Product("SOFA-1", 300000, {"furniture"}, {{"silver", 270000}});
    ASSERT_TRUE(cat.PutProduct(env_.Req(""), sofa));
    ProductSpec labour = Product("FIT-1", 20000);
    labour.item_class = "labour";
    ASSERT_TRUE(cat.PutProduct(env_.Req(""), labour));
    ASSERT_TRUE(cat.PutProduct(env_.Req(""), Product("WRAP", 1000, {"wrapping"})));
    ProductSpec old = Product("OLD-1", 1000);
    old.status = "retired";
    ASSERT_TRUE(cat.PutProduct(env_.Req(""), old));
    card_ = env_.NewCard();
    ASSERT_TRUE(env_.services().tiers().SetTier(env_.Req(""), core::MemberId{env_.MemberOf(card_)},
                                                "silver", "test", ""));
  }

  core::Result<service::SaleView> Quote(const std::string& card, const std::string& lines) {
    auto basket = service::BasketFromJson(json::parse(lines), "lines");
    if (!basket) return basket.error();
    return env_.services().checkout().Quote(env_.Req(),
                                            service::SaleSpec{card, *basket, {}, "", {}});
  }

  TestEnv env_;
  std::string card_;
};

TEST_F(CataloguePricing, ALineBySkuIsPricedFromTheCatalogueAtTheMembersTier) {
  auto q = Quote(card_, R"([{"sku": "SOFA-1"}, {"sku": "FIT-1", "quantity": 2},
                            {"sku": "WRAP", "quantity": 3}])");
  ASSERT_TRUE(q) << q.error().ToString();
  ASSERT_EQ(q->lines.size(), 3U);
  // The silver price of the sofa replaces silver's 5% discount; the others take the discount.
  EXPECT_EQ(q->lines[0].unit_price, 300000);
  EXPECT_EQ(q->lines[0].paid, 270000);
  EXPECT_EQ(q->lines[1].list, 40000);
  EXPECT_EQ(q->lines[1].paid, 38000);
  EXPECT_EQ(q->lines[2].paid, 2850);
  // Gift wrap sits below "non-earning": no points. ¥2,700 + ¥380 = ¥3,080 at silver's 2 points
  // per ¥100 → 61.6, floored.
  EXPECT_EQ(q->lines[2].points, 0);
  EXPECT_EQ(q->points_earned, 61) << json(q->explain).dump(1);
  const std::string why = json(q->explain).dump();
  EXPECT_NE(why.find("catalogue price of SOFA-1"), std::string::npos) << why;

  // A walk-in pays the list price.
  auto walk_in = Quote("", R"([{"sku": "SOFA-1"}])");
  ASSERT_TRUE(walk_in) << walk_in.error().ToString();
  EXPECT_EQ(walk_in->due, 300000);

  // Settled, the sale records the catalogue's prices.
  auto basket = service::BasketFromJson(json::parse(R"([{"sku": "SOFA-1"}])"), "lines");
  ASSERT_TRUE(basket);
  auto sale = env_.services().checkout().Settle(
      env_.Req(), service::SaleSpec{card_, *basket, {{"cash", 270000, 0, "", "", ""}}, "R-1", {}});
  ASSERT_TRUE(sale) << sale.error().ToString();
  EXPECT_EQ(sale->lines[0].paid, 270000);
  EXPECT_EQ(sale->points_earned, 54);
  EXPECT_EQ(env_.Balance(card_), 54);
  EXPECT_EQ(env_.VerifyProblems(), "");
}

// The till's retry of a settled sale gets its receipt even after the product is retired; a new
// sale of it is refused.
TEST_F(CataloguePricing, ARetryAfterTheProductIsRetiredGetsTheReceipt) {
  auto basket = service::BasketFromJson(json::parse(R"([{"sku": "FIT-1"}])"), "lines");
  ASSERT_TRUE(basket);
  const service::SaleSpec spec{card_, *basket, {{"cash", 19000, 0, "", "", ""}}, "R-7", {}};
  auto sale = env_.services().checkout().Settle(env_.Keyed("sale-7"), spec);
  ASSERT_TRUE(sale) << sale.error().ToString();
  ProductSpec retired = Product("FIT-1", 20000);
  retired.item_class = "labour";
  retired.status = "retired";
  ASSERT_TRUE(env_.services().catalogue().PutProduct(env_.Req(""), retired));
  auto retry = env_.services().checkout().Settle(env_.Keyed("sale-7"), spec);
  ASSERT_TRUE(retry) << retry.error().ToString();
  EXPECT_EQ(retry->id, sale->id);
  EXPECT_TRUE(retry->replayed);
  service::SaleSpec again = spec;
  again.doc_no = "R-8";
  auto refused = env_.services().checkout().Settle(env_.Keyed("sale-8"), again);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::kProductRetired);
  EXPECT_EQ(Count(env_, "sales"), 1);
}

TEST_F(CataloguePricing, APromotionInForceOverridesTierPricesForEveryoneAndEndsOnTime) {
  auto& cat = env_.services().catalogue();
  const core::Timestamp now = env_.clock().Now();
  auto promo = cat.AddPromotion(
      env_.Req(""), PromotionSpec{"SOFA-1", "Winter sale", 250000, now.PlusSeconds(3600),
                                  now.PlusSeconds(7 * 86400)});
  ASSERT_TRUE(promo) << promo.error().ToString();
  EXPECT_EQ(promo->status, "scheduled");
  auto before = Quote(card_, R"([{"sku": "SOFA-1"}])");
  ASSERT_TRUE(before);
  EXPECT_EQ(before->due, 270000) << "not started yet";

  env_.clock().AdvanceSeconds(3600);
  auto during = Quote(card_, R"([{"sku": "SOFA-1"}])");
  ASSERT_TRUE(during) << during.error().ToString();
  EXPECT_EQ(during->due, 250000);
  EXPECT_NE(json(during->explain).dump().find("promotion Winter sale"), std::string::npos);
  auto walk_in = Quote("", R"([{"sku": "SOFA-1"}])");
  ASSERT_TRUE(walk_in);
  EXPECT_EQ(walk_in->due, 250000) << "a promotion is for everyone";
  auto listed = cat.GetProduct(env_.tenant(), "SOFA-1");
  ASSERT_TRUE(listed);
  ASSERT_EQ(listed->promotions.size(), 1U);
  EXPECT_EQ(listed->promotions[0].status, "in_force");

  env_.clock().AdvanceSeconds(7 * 86400);
  auto after = Quote(card_, R"([{"sku": "SOFA-1"}])");
  ASSERT_TRUE(after);
  EXPECT_EQ(after->due, 270000) << "the window has closed";
}

TEST_F(CataloguePricing, UnknownRetiredOrMispricedLinesAreRefused) {
  auto unknown = Quote(card_, R"([{"sku": "SOFA-1"}, {"sku": "NOPE"}])");
  EXPECT_EQ(unknown.error().code, ErrorCode::kProductNotFound);
  EXPECT_EQ(unknown.error().field, "lines[1].sku");
  auto retired = Quote(card_, R"([{"sku": "OLD-1"}])");
  EXPECT_EQ(retired.error().code, ErrorCode::kProductRetired);
  EXPECT_EQ(retired.error().field, "lines[0].sku");
  // A price is for an item outside the catalogue: it may not override a catalogue product's.
  auto open_price = Quote(card_, R"([{"sku": "SOFA-1", "price": "1.00"}])");
  EXPECT_EQ(open_price.error().code, ErrorCode::kFieldInvalid);
  EXPECT_EQ(open_price.error().field, "lines[0].price");
  auto no_category = Quote(card_, R"([{"sku": "MISC", "price": "5.00", "categories": ["toys"]}])");
  EXPECT_EQ(no_category.error().code, ErrorCode::kCategoryNotFound);
  // An open-price line in a known category is priced as given and takes its ancestors' rules.
  auto open = Quote(card_, R"([{"sku": "MISC", "price": "500.00", "categories": ["wrapping"]}])");
  ASSERT_TRUE(open) << open.error().ToString();
  EXPECT_EQ(open->points_earned, 0) << "wrapping is below non-earning";
  auto catalogue_fields = service::BasketFromJson(
      json::parse(R"([{"sku": "SOFA-1", "categories": ["furniture"]}])"), "lines");
  ASSERT_FALSE(catalogue_fields) << "a catalogue line takes its categories from the catalogue";
  EXPECT_EQ(Count(env_, "sales"), 0);
}

TEST_F(CataloguePricing, PromotionsNeverOverlapAndCanBeEndedOrCancelled) {
  auto& cat = env_.services().catalogue();
  const core::Timestamp now = env_.clock().Now();
  const std::int64_t day = 86400;
  auto spec = [&](std::int64_t price, std::int64_t from_day, std::int64_t to_day) {
    return PromotionSpec{"SOFA-1", "Promo", price, now.PlusSeconds(from_day * day),
                         now.PlusSeconds(to_day * day)};
  };
  auto a = cat.AddPromotion(env_.Req(""), spec(260000, -3, 7));
  ASSERT_TRUE(a) << a.error().ToString();
  EXPECT_EQ(a->starts_at, now) << "a start in the past means now: past sales keep their prices";
  EXPECT_EQ(a->status, "in_force");

  const std::int64_t promotions = Count(env_, "promotions");
  auto overlap = cat.AddPromotion(env_.Req(""), spec(250000, 3, 10));
  EXPECT_EQ(overlap.error().code, ErrorCode::kPromotionOverlaps);
  EXPECT_EQ(cat.AddPromotion(env_.Req(""), spec(300001, 8, 9)).error().field, "price");
  EXPECT_EQ(cat.AddPromotion(env_.Req(""), spec(1, -5, -1)).error().field, "to");
  EXPECT_EQ(cat.AddPromotion(env_.Req(""), spec(1, 9, 8)).error().field, "to");
  PromotionSpec retired = spec(1, 8, 9);
  retired.sku = "OLD-1";
  EXPECT_EQ(cat.AddPromotion(env_.Req(""), retired).error().code, ErrorCode::kProductRetired);
  retired.sku = "NOPE";
  EXPECT_EQ(cat.AddPromotion(env_.Req(""), retired).error().code, ErrorCode::kProductNotFound);
  EXPECT_EQ(Count(env_, "promotions"), promotions);

  auto b = cat.AddPromotion(env_.Req(""), spec(240000, 7, 14));  // starts as the first ends
  ASSERT_TRUE(b) << b.error().ToString();
  EXPECT_EQ(b->status, "scheduled");
  // The list price may not drop below a promotion still to run.
  auto cheaper = cat.PutProduct(env_.Req(""), Product("SOFA-1", 255000));
  EXPECT_EQ(cheaper.error().field, "list_price");
  auto listed = cat.ListPromotions(env_.tenant(), "", false);
  ASSERT_TRUE(listed);
  EXPECT_EQ(listed->size(), 2U);

  // The one to come is cancelled; the one in force ends now.
  auto cancelled = cat.EndPromotion(env_.Req(""), b->id);
  ASSERT_TRUE(cancelled) << cancelled.error().ToString();
  EXPECT_EQ(cancelled->status, "cancelled");
  EXPECT_EQ(cat.EndPromotion(env_.Req(""), b->id).error().code, ErrorCode::kFieldInvalid);
  EXPECT_EQ(cat.EndPromotion(env_.Req(""), 999).error().code, ErrorCode::kPromotionNotFound);
  ASSERT_TRUE(cat.AddPromotion(env_.Req(""), spec(230000, 7, 14)))
      << "a cancelled promotion leaves its window free";
  env_.clock().AdvanceSeconds(60);
  auto ended = cat.EndPromotion(env_.Req(""), a->id);
  ASSERT_TRUE(ended) << ended.error().ToString();
  EXPECT_EQ(ended->status, "ended");
  EXPECT_EQ(ended->ends_at, env_.clock().Now());
  auto q = Quote(card_, R"([{"sku": "SOFA-1"}])");
  ASSERT_TRUE(q);
  EXPECT_EQ(q->due, 270000);

  auto current = cat.ListPromotions(env_.tenant(), "SOFA-1", false);
  ASSERT_TRUE(current);
  ASSERT_EQ(current->size(), 1U);
  EXPECT_EQ((*current)[0].price, 230000);
  auto all = cat.ListPromotions(env_.tenant(), "", true);
  ASSERT_TRUE(all);
  std::vector<std::string> statuses;
  for (const auto& p : *all) statuses.push_back(p.status);
  EXPECT_EQ(statuses, (std::vector<std::string>{"ended", "cancelled", "scheduled"}));
  EXPECT_EQ(cat.ListPromotions(env_.tenant(), "NOPE", false).error().code,
            ErrorCode::kProductNotFound);
}

TEST(CatalogueCsvTest, ImportUpsertsBySkuAllOrNothingAndAnExportReadsBackUnchanged) {
  TestEnv env;
  AddCategories(env, {"non-earning", "tea", "teaware"});
  UseProgramme(env, ExampleProgramme("p2.toml"));
  auto& cat = env.services().catalogue();
  const std::string csv =
      "\xEF\xBB\xBFsku,name,list_price,item_class,categories,non_earning,bundle,price:gold\r\n"
      "TEA-1,\"Longjing, 250g 龙井\",168.00,goods,tea,no,no,150\r\n"
      "POT-1,Yixing pot,680,goods,teaware|tea,,yes,\r\n"
      "BAG,\"=HYPERLINK(\"\"x\"\")\",1,,,yes,no,\r\n";
  auto first = cat.ImportCsv(env.Req(""), csv);
  ASSERT_TRUE(first) << first.error().ToString();
  EXPECT_EQ(first->rows, 3);
  EXPECT_EQ(first->created, 3);
  auto tea = cat.GetProduct(env.tenant(), "TEA-1");
  ASSERT_TRUE(tea);
  EXPECT_EQ(tea->name, "Longjing, 250g 龙井");
  EXPECT_EQ(tea->list_price, 16800);
  ASSERT_EQ(tea->tier_prices.size(), 1U);
  EXPECT_EQ(tea->tier_prices[0].price, 15000);
  auto pot = cat.GetProduct(env.tenant(), "POT-1");
  ASSERT_TRUE(pot);
  EXPECT_EQ(pot->categories, (std::vector<std::string>{"tea", "teaware"}));
  EXPECT_TRUE(pot->bundle);
  EXPECT_FALSE(pot->non_earning);
  auto bag = cat.GetProduct(env.tenant(), "BAG");
  ASSERT_TRUE(bag);
  EXPECT_TRUE(bag->non_earning);
  EXPECT_EQ(bag->item_class, "goods");

  // The export reads back as it was: nothing changes.
  auto exported = cat.ExportCsv(env.tenant());
  ASSERT_TRUE(exported) << exported.error().ToString();
  EXPECT_NE(exported->find("'=HYPERLINK"), std::string::npos) << "neutralised for spreadsheets";
  EXPECT_NE(exported->find("price:gold"), std::string::npos);
  auto again = cat.ImportCsv(env.Req(""), *exported);
  ASSERT_TRUE(again) << again.error().ToString();
  EXPECT_EQ(again->unchanged, 3);
  EXPECT_EQ(again->created + again->updated, 0);
  auto bag_after = cat.GetProduct(env.tenant(), "BAG");
  ASSERT_TRUE(bag_after);
  EXPECT_EQ(bag_after->name, "=HYPERLINK(\"x\")");

  // A free product (a sample, a paper bag given away) is priced 0, not refused.
  auto free = cat.ImportCsv(env.Req(""), "sku,name,list_price\nSAMPLE,Tea sample,0\n");
  ASSERT_TRUE(free) << free.error().ToString();
  auto sample = cat.GetProduct(env.tenant(), "SAMPLE");
  ASSERT_TRUE(sample);
  EXPECT_EQ(sample->list_price, 0);
  EXPECT_NE(cat.ImportCsv(env.Req(""), "sku,name,list_price\nNEG,Neg,-1\n")
                .error()
                .message.find("line 2, list_price: \"-1\" is negative"),
            std::string::npos);

  // Only the columns given are changed; an empty tier-price cell removes that price.
  auto prices = cat.ImportCsv(env.Req(""), "sku,list_price,price:gold\nTEA-1,158,\nNEW-1,5,\n");
  ASSERT_FALSE(prices) << "NEW-1 is new and has no name";
  EXPECT_NE(prices.error().message.find("line 3, name: NEW-1 is a new product"), std::string::npos)
      << prices.error().message;
  auto update = cat.ImportCsv(env.Req(""), "sku,list_price,price:gold\nTEA-1,158,\n");
  ASSERT_TRUE(update) << update.error().ToString();
  EXPECT_EQ(update->updated, 1);
  tea = cat.GetProduct(env.tenant(), "TEA-1");
  ASSERT_TRUE(tea);
  EXPECT_EQ(tea->name, "Longjing, 250g 龙井");
  EXPECT_EQ(tea->list_price, 15800);
  EXPECT_TRUE(tea->tier_prices.empty());
  EXPECT_EQ(tea->categories, (std::vector<std::string>{"tea"}));

  // A file with problems is refused whole, each problem with its line and column.
  const std::int64_t products = Count(env, "products");
  const std::int64_t audits = Count(env, "audit_log");
  auto broken = cat.ImportCsv(env.Req(""),
                              "sku,name,list_price,categories,price:gold,non_earning\n"
                              "OK-1,Fine,1.00,,,\n"
                              "OK-2,Fine,abc,,,\n"
                              "\n"
                              "OK-3,Fine,1.00,cakes,,\n"
                              "OK-1,Again,1.00,,,\n"
                              "OK-4,Fine,1.00,,2.00,\n"
                              "OK-5,Fine,1.00,,,maybe\n"
                              "OK-6,Fine\n"
                              "TEA-1,,,,,\n");
  ASSERT_FALSE(broken);
  EXPECT_EQ(broken.error().code, ErrorCode::kFieldInvalid);
  EXPECT_EQ(broken.error().field, "csv");
  const std::string& m = broken.error().message;
  for (const char* says :
       {"the CSV has 7 problems; nothing was imported",
        "line 3, list_price:", "line 5, categories: the catalogue has no category cakes",
        "line 6, sku: OK-1 appears twice",
        "line 7, price:gold: the gold price ¥2.00 must be from ¥0 to the list price ¥1.00",
        "line 8, non_earning: \"maybe\" is not yes or no", "line 9: the row has 2 fields",
        "line 10, list_price: a price is required"}) {
    EXPECT_NE(m.find(says), std::string::npos) << says << " in\n" << m;
  }
  EXPECT_EQ(Count(env, "products"), products);
  EXPECT_EQ(Count(env, "audit_log"), audits);
  EXPECT_FALSE(cat.GetProduct(env.tenant(), "OK-1"));

  auto header = cat.ImportCsv(env.Req(""), "sku,colour\nX,red\n");
  ASSERT_FALSE(header);
  EXPECT_NE(header.error().message.find("line 1, colour: unknown column"), std::string::npos);
  EXPECT_EQ(cat.ImportCsv(env.Req(""), "name\nX\n").error().field, "csv");
  EXPECT_EQ(cat.ImportCsv(env.Req(""), "").error().field, "csv");
  EXPECT_EQ(cat.ImportCsv(env.Req(""), "sku,name\n\"X,Y\n").error().field, "csv");

  // A retried import with the same key is answered once; with other content it is a conflict.
  auto keyed = cat.ImportCsv(env.Keyed("import-1", ""), "sku,name,list_price\nK-1,K,1\n");
  ASSERT_TRUE(keyed);
  EXPECT_EQ(keyed->created, 1);
  auto replay = cat.ImportCsv(env.Keyed("import-1", ""), "sku,name,list_price\nK-1,K,1\n");
  ASSERT_TRUE(replay);
  EXPECT_EQ(replay->created, 1) << "the stored answer";
  EXPECT_EQ(cat.ImportCsv(env.Keyed("import-1", ""), "sku,name,list_price\nK-1,K,2\n").error().code,
            ErrorCode::kIdempotencyConflict);
}

}  // namespace
}  // namespace onecard::testing
