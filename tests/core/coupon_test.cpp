// Coupons' terms and codes (core/coupon.hpp): what a coupon takes off priced lines, the
// minimum spend, scope, bundles and stores, caps and "no change", shares that add up, several
// coupons in a row; percent text; unique codes' shape and normalising.
#include "core/coupon.hpp"

#include <gtest/gtest.h>

#include <numeric>

#include "core/programme.hpp"

namespace onecard::core {
namespace {

BasketLine Line(std::string sku, std::int64_t unit, std::int64_t quantity = 1,
                std::vector<std::string> categories = {}, bool bundle = false) {
  BasketLine l;
  l.sku = std::move(sku);
  l.unit_price = unit;
  l.quantity = quantity;
  l.categories = std::move(categories);
  l.bundle = bundle;
  return l;
}

// Lines priced at list (as a tier without discount would).
std::vector<PricedLine> AtList(const std::vector<BasketLine>& lines) {
  std::vector<PricedLine> out;
  for (const BasketLine& l : lines) {
    PricedLine p;
    p.sku = l.sku;
    p.quantity = l.quantity;
    p.list = l.quantity * l.unit_price;
    p.paid = p.list;
    out.push_back(p);
  }
  return out;
}

CouponTerms Fixed(std::int64_t off, std::int64_t min_spend = 0) {
  CouponTerms c;
  c.label = "FIX";
  c.kind = CouponKind::kFixed;
  c.amount_off = off;
  c.min_spend = min_spend;
  return c;
}

CouponTerms Percent(std::int64_t bp, std::int64_t cap = 0) {
  CouponTerms c;
  c.label = "PCT";
  c.kind = CouponKind::kPercent;
  c.percent_off_bp = bp;
  c.max_discount = cap;
  return c;
}

std::int64_t Paid(const std::vector<PricedLine>& lines) {
  return std::accumulate(lines.begin(), lines.end(), std::int64_t{0},
                         [](std::int64_t s, const PricedLine& l) { return s + l.paid; });
}

TEST(CouponTest, AFixedCouponIsSharedOverTheLinesInProportion) {
  const std::vector<BasketLine> lines = {Line("A", 10000), Line("B", 2000, 1)};
  std::vector<PricedLine> priced = AtList(lines);
  std::vector<std::string> explain;
  const std::vector<CouponTerms> coupons = {Fixed(1000, 10000)};
  auto d = ApplyCoupons(priced, lines, coupons, "s1", &explain);
  ASSERT_TRUE(d) << d.error().ToString();
  ASSERT_EQ(d->size(), 1u);
  EXPECT_EQ((*d)[0], 1000);
  // ¥10 over ¥100 and ¥20: 833.33 and 166.67 → 833 + 167 by the largest remainder.
  EXPECT_EQ(priced[0].coupon, 833);
  EXPECT_EQ(priced[1].coupon, 167);
  EXPECT_EQ(priced[0].discount, 833);
  EXPECT_EQ(Paid(priced), 11000);
  ASSERT_EQ(explain.size(), 1u);
  EXPECT_NE(explain[0].find("¥10.00 off ¥120.00"), std::string::npos) << explain[0];
}

TEST(CouponTest, BelowTheMinimumSpendTheCouponIsRefusedAndNothingChanges) {
  const std::vector<BasketLine> lines = {Line("A", 9999)};
  std::vector<PricedLine> priced = AtList(lines);
  const std::vector<CouponTerms> coupons = {Fixed(1000, 10000)};
  auto d = ApplyCoupons(priced, lines, coupons, "s1", nullptr);
  ASSERT_FALSE(d);
  EXPECT_EQ(d.error().code, ErrorCode::kCouponNotApplicable);
  EXPECT_EQ(d.error().field, "coupons[0]");
  EXPECT_NE(d.error().message.find("needs ¥100.00"), std::string::npos) << d.error().message;
  EXPECT_EQ(priced[0].paid, 9999);
}

TEST(CouponTest, APercentCouponRoundsHalfUpAndStopsAtItsCap) {
  const std::vector<BasketLine> lines = {Line("A", 1005)};
  std::vector<PricedLine> priced = AtList(lines);
  const std::vector<CouponTerms> ten = {Percent(1000)};
  auto d = ApplyCoupons(priced, lines, ten, "s1", nullptr);
  ASSERT_TRUE(d);
  EXPECT_EQ((*d)[0], 101);  // 100.5 → 101
  EXPECT_EQ(priced[0].paid, 904);

  const std::vector<BasketLine> big = {Line("A", 100000)};
  std::vector<PricedLine> p2 = AtList(big);
  const std::vector<CouponTerms> capped = {Percent(2000, 5000)};
  auto d2 = ApplyCoupons(p2, big, capped, "s1", nullptr);
  ASSERT_TRUE(d2);
  EXPECT_EQ((*d2)[0], 5000);  // 20% of ¥1,000 = ¥200, capped at ¥50
}

TEST(CouponTest, AFixedCouponGivesNoChange) {
  const std::vector<BasketLine> lines = {Line("A", 3000)};
  std::vector<PricedLine> priced = AtList(lines);
  const std::vector<CouponTerms> coupons = {Fixed(5000)};
  auto d = ApplyCoupons(priced, lines, coupons, "s1", nullptr);
  ASSERT_TRUE(d);
  EXPECT_EQ((*d)[0], 3000);
  EXPECT_EQ(priced[0].paid, 0);
}

TEST(CouponTest, ACouponThatWouldTakeNothingOffIsRefused) {
  const std::vector<BasketLine> free_gift = {Line("GIFT", 0)};
  std::vector<PricedLine> priced = AtList(free_gift);
  const std::vector<CouponTerms> fixed = {Fixed(500)};
  auto d = ApplyCoupons(priced, free_gift, fixed, "s1", nullptr);
  ASSERT_FALSE(d);
  EXPECT_EQ(d.error().code, ErrorCode::kCouponNotApplicable);
  const std::vector<BasketLine> cheap = {Line("A", 1)};
  std::vector<PricedLine> p2 = AtList(cheap);
  const std::vector<CouponTerms> tiny = {Percent(1)};  // 0.01% of 1 fen rounds to nothing
  auto d2 = ApplyCoupons(p2, cheap, tiny, "s1", nullptr);
  ASSERT_FALSE(d2);
  EXPECT_NE(d2.error().message.find("takes nothing off"), std::string::npos);
}

TEST(CouponTest, ScopeCategoriesAndBundlesDecideWhichLinesCount) {
  const std::vector<BasketLine> lines = {Line("TEA", 10000, 1, {"drinks", "tea"}),
                                         Line("CUP", 5000, 1, {"ware"}),
                                         Line("GIFTBOX", 20000, 1, {"tea"}, true)};
  CouponTerms tea = Percent(1000);
  tea.categories = {"tea"};
  std::vector<PricedLine> priced = AtList(lines);
  const std::vector<CouponTerms> coupons = {tea};
  std::vector<std::string> explain;
  auto d = ApplyCoupons(priced, lines, coupons, "s1", &explain);
  ASSERT_TRUE(d);
  EXPECT_EQ((*d)[0], 1000);  // the tea only: the bundle never counts
  EXPECT_EQ(priced[0].coupon, 1000);
  EXPECT_EQ(priced[1].coupon, 0);
  EXPECT_EQ(priced[2].coupon, 0);
  EXPECT_NE(explain[0].find("not the bundles"), std::string::npos) << explain[0];

  CouponTerms by_sku = Fixed(500);
  by_sku.skus = {"CUP"};
  std::vector<PricedLine> p2 = AtList(lines);
  const std::vector<CouponTerms> c2 = {by_sku};
  auto d2 = ApplyCoupons(p2, lines, c2, "s1", nullptr);
  ASSERT_TRUE(d2);
  EXPECT_EQ(p2[1].coupon, 500);

  // Only a bundle in the basket: the coupon is for none of its lines.
  const std::vector<BasketLine> bundle_only = {Line("GIFTBOX", 20000, 1, {"tea"}, true)};
  std::vector<PricedLine> p3 = AtList(bundle_only);
  const std::vector<CouponTerms> any = {Fixed(500)};
  auto d3 = ApplyCoupons(p3, bundle_only, any, "s1", nullptr);
  ASSERT_FALSE(d3);
  EXPECT_EQ(d3.error().code, ErrorCode::kCouponNotApplicable);
  EXPECT_NE(d3.error().message.find("bundles"), std::string::npos) << d3.error().message;
}

TEST(CouponTest, AStoreOutsideTheCouponsStoresIsRefused) {
  const std::vector<BasketLine> lines = {Line("A", 10000)};
  CouponTerms c = Fixed(500);
  c.stores = {"s2"};
  std::vector<PricedLine> priced = AtList(lines);
  const std::vector<CouponTerms> coupons = {c};
  auto d = ApplyCoupons(priced, lines, coupons, "s1", nullptr);
  ASSERT_FALSE(d);
  EXPECT_EQ(d.error().code, ErrorCode::kCouponNotApplicable);
  auto ok = ApplyCoupons(priced, lines, coupons, "s2", nullptr);
  EXPECT_TRUE(ok);
}

TEST(CouponTest, CouponsApplyInOrderEachToWhatIsLeft) {
  const std::vector<BasketLine> lines = {Line("A", 10000)};
  std::vector<PricedLine> priced = AtList(lines);
  const std::vector<CouponTerms> coupons = {Fixed(2000), Percent(1000)};
  auto d = ApplyCoupons(priced, lines, coupons, "s1", nullptr);
  ASSERT_TRUE(d);
  EXPECT_EQ((*d)[0], 2000);
  EXPECT_EQ((*d)[1], 800);  // 10% of the ¥80 left
  EXPECT_EQ(priced[0].paid, 7200);
}

TEST(CouponTest, SharesAlwaysAddUpAndNeverExceedALine) {
  // Many lines of odd prices against odd discounts: the shares add up to the discount exactly.
  for (std::int64_t off = 1; off < 5000; off += 137) {
    std::vector<BasketLine> lines;
    for (int i = 1; i <= 7; ++i) lines.push_back(Line("L" + std::to_string(i), 97 * i + 13, i));
    std::vector<PricedLine> priced = AtList(lines);
    const std::int64_t before = Paid(priced);
    const std::vector<CouponTerms> coupons = {Fixed(off)};
    auto d = ApplyCoupons(priced, lines, coupons, "s1", nullptr);
    ASSERT_TRUE(d);
    EXPECT_EQ(before - Paid(priced), (*d)[0]);
    for (const PricedLine& p : priced) EXPECT_GE(p.paid, 0);
  }
}

TEST(CouponTest, PercentTextParsesStrictly) {
  EXPECT_EQ(*ParsePercentOff("15", "p"), 1500);
  EXPECT_EQ(*ParsePercentOff("12.5", "p"), 1250);
  EXPECT_EQ(*ParsePercentOff("0.01", "p"), 1);
  EXPECT_EQ(*ParsePercentOff("100", "p"), 10000);
  for (const char* bad : {"", "0", "100.01", "12.345", "1e2", "-5", ".5", "5.", "abc", "1000"}) {
    auto r = ParsePercentOff(bad, "percent_off");
    EXPECT_FALSE(r) << bad;
    if (!r) {
      EXPECT_EQ(r.error().field, "percent_off");
    }
  }
  EXPECT_EQ(PercentOffText(1250), "12.5");
  EXPECT_EQ(PercentOffText(1505), "15.05");
  EXPECT_EQ(PercentOffText(2000), "20");
}

TEST(CouponTest, UniqueCodesNormaliseAsCrockfordReadsThem) {
  EXPECT_TRUE(IsUniqueCouponCode("7KQM2XDA9VHCR4TE"));
  EXPECT_FALSE(IsUniqueCouponCode("7KQM2XDA9VHCR4T"));   // 15
  EXPECT_FALSE(IsUniqueCouponCode("7KQM2XDA9VHCR4TU"));  // U is not in the alphabet
  EXPECT_EQ(NormaliseCouponCode("7kqm-2xda 9vhc-r4te"), "7KQM2XDA9VHCR4TE");
  EXPECT_EQ(NormaliseCouponCode("7KQM-2XDA-9VHC-R4TO"), "7KQM2XDA9VHCR4T0");
  EXPECT_EQ(NormaliseCouponCode("IKQM-2XDA-9VHC-R4TL"), "1KQM2XDA9VHCR4T1");
  EXPECT_EQ(NormaliseCouponCode("spring10"), "SPRING10");  // a promo code: upper case only
  EXPECT_EQ(FormatCouponCode("7KQM2XDA9VHCR4TE"), "7KQM-2XDA-9VHC-R4TE");
}

TEST(CouponTest, TermsDescribeThemselves) {
  CouponTerms f = Fixed(1000, 10000);
  EXPECT_EQ(DescribeCoupon(f), "¥10.00 off on ¥100.00 or more");
  EXPECT_EQ(DescribeCoupon(Percent(2000, 5000)), "20% off (at most ¥50.00)");
}

}  // namespace
}  // namespace onecard::core
