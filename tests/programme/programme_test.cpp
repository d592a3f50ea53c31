// Programmes as data (issue #4): reading and checking documents, and the evaluator — pricing at
// the tier, earning with overrides, multipliers, rounding and carry-over, tier changes, expiry
// and the explanation — on the example programmes and on documents whose numbers are changed.
#include "core/programme.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <sstream>

#include "programme/document.hpp"

namespace onecard::testing {
namespace {

using core::BasketLine;
using core::CivilDate;
using core::EvalContext;
using core::MemberState;

std::string Example(const std::string& name) {
  std::ifstream in(std::string(ONECARD_EXAMPLES_DIR) + "/" + name);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

core::Programme Read(const std::string& text) {
  programme::ProgrammeDocument doc = programme::ReadProgramme(text, "test.toml");
  std::string problems;
  for (const auto& p : doc.problems) problems += p.ToString() + "\n";
  EXPECT_TRUE(doc.programme.has_value()) << problems;
  return doc.programme.value_or(core::Programme{});
}

std::vector<programme::Problem> Problems(const std::string& text) {
  return programme::ReadProgramme(text, "bad.toml").problems;
}

// Whether some problem is on `line` at `path` and says `words`.
bool Has(const std::vector<programme::Problem>& problems, int line, const std::string& path,
         const std::string& words) {
  return std::any_of(problems.begin(), problems.end(), [&](const programme::Problem& p) {
    return p.line == line && p.path == path && p.message.find(words) != std::string::npos;
  });
}

std::string Dump(const std::vector<programme::Problem>& problems) {
  std::string out;
  for (const auto& p : problems) out += p.ToString() + "\n";
  return out;
}

CivilDate Day(const char* text) {
  return *CivilDate::Parse(text, "date");
}

MemberState In(const char* tier) {
  MemberState m;
  m.tier = tier;
  return m;
}

BasketLine Line(std::string sku, std::int64_t qty, std::int64_t price_fen,
                std::vector<std::string> categories = {}, std::string item_class = "goods") {
  BasketLine l;
  l.sku = std::move(sku);
  l.quantity = qty;
  l.unit_price = price_fen;
  l.categories = std::move(categories);
  l.item_class = std::move(item_class);
  return l;
}

bool Explains(const core::Evaluation& e, const std::string& words) {
  return std::any_of(e.explain.begin(), e.explain.end(),
                     [&](const std::string& l) { return l.find(words) != std::string::npos; });
}

TEST(ProgrammeDocumentTest, EveryExampleProgrammeIsValid) {
  for (const char* name :
       {"p0.toml", "p1a.toml", "p1b.toml", "p1c.toml", "p2.toml", "p3.toml", "p4.toml"}) {
    SCOPED_TRACE(name);
    const std::string text = Example(name);
    ASSERT_FALSE(text.empty());
    core::Programme p = Read(text);
    EXPECT_FALSE(p.tiers.empty());
  }
}

TEST(ProgrammeDocumentTest, ABrokenDocumentGetsEveryProblemWithItsLineAndPath) {
  const std::string text = R"([programme]
code = "Bad Code"
name = "Broken"
effective_from = "2026-02-30"
colour = "blue"

[points]
expiry = "rolling"

[earn]
rate = { points = 1, per = "1.005" }
rounding = "sideways"

[[earn.override]]
tier = "platinum"
store = "sh01"
rate = 0

[[tiers]]
code = "base"
entry = { cumulative_spend = 100 }

[[tiers]]
code = "silver"
discount = "150%"
entry = { cumulative_spend = 5000, single_purchase = { gold = 900 } }

[[tiers]]
code = "gold"
entry = { cumulative_spend = 3000 }

[[tiers]]
code = "gold"
earn_multiplier = "x2"
)";
  const std::vector<programme::Problem> problems = Problems(text);
  const std::string all = Dump(problems);
  EXPECT_TRUE(Has(problems, 2, "programme.code", "lower-case")) << all;
  EXPECT_TRUE(Has(problems, 4, "programme.effective_from", "2026-02-30")) << all;
  EXPECT_TRUE(Has(problems, 5, "programme.colour", "unknown field")) << all;
  EXPECT_TRUE(Has(problems, 7, "points.months", "rolling expiry needs months")) << all;
  EXPECT_TRUE(Has(problems, 11, "earn.rate.per", "1.005")) << all;
  EXPECT_TRUE(Has(problems, 12, "earn.rounding", "floor, ceiling")) << all;
  EXPECT_TRUE(Has(problems, 14, "earn.override[0]", "exactly one")) << all;
  EXPECT_TRUE(Has(problems, 21, "tiers[0].entry", "lowest tier")) << all;
  EXPECT_TRUE(Has(problems, 25, "tiers[1].discount", "above 100%")) << all;
  EXPECT_TRUE(Has(problems, 23, "tiers[1].entry.single_purchase.gold", "not below silver")) << all;
  EXPECT_TRUE(Has(problems, 28, "tiers[2].entry.cumulative_spend", "tiers overlap")) << all;
  EXPECT_TRUE(Has(problems, 33, "tiers[3].code", "defined twice")) << all;
  EXPECT_TRUE(Has(problems, 34, "tiers[3].earn_multiplier", "\"x2\"")) << all;
  EXPECT_TRUE(Has(problems, 32, "tiers[3].entry", "needs at least one way in")) << all;
  // And the file-level form lists them all, one per line.
  EXPECT_GE(problems.size(), 14u) << all;
}

TEST(ProgrammeDocumentTest, SyntaxErrorsAndReferencesToUnknownTiersAreRefused) {
  auto syntax = Problems("[programme\ncode = 1");
  ASSERT_EQ(syntax.size(), 1u);
  EXPECT_EQ(syntax[0].line, 1);
  auto unknown = Problems(R"([programme]
code = "x"
name = "x"
effective_from = "2026-01-01"
[earn]
rate = { points = 1, per = 1 }
[[earn.override]]
tier = "vip"
rate = 0
[[earn.multiplier]]
when = "weekly"
weekdays = [8]
from = "18:00"
to = "09:00"
factor = 2
tiers = ["vip"]
[[tiers]]
code = "base"
[[bonus]]
event = "rule:10"
points = 5
[[bonus]]
event = "rule:10"
entered = true
)");
  const std::string all = Dump(unknown);
  EXPECT_TRUE(Has(unknown, 8, "earn.override[0].tier", "no tier vip")) << all;
  EXPECT_TRUE(Has(unknown, 12, "earn.multiplier[0].weekdays[0]", "between 1 and 7")) << all;
  EXPECT_TRUE(Has(unknown, 10, "earn.multiplier[0].to", "after from")) << all;
  EXPECT_TRUE(Has(unknown, 16, "earn.multiplier[0].tiers", "no tier vip")) << all;
  EXPECT_TRUE(Has(unknown, 23, "bonus[1].event", "given twice")) << all;
}

// P2: the tier's discount and multiplier, a non-earning category, and an upgrade by a single
// purchase that reprices the basket at the new tier.
TEST(ProgrammeEvaluateTest, P2PricesAtTheTierAndUpgradesOnASinglePurchase) {
  const core::Programme p = Read(Example("p2.toml"));
  const std::vector<BasketLine> basket = {Line("SOFA", 1, 1'000'000),  // ¥10,000
                                          Line("BAG", 1, 1'000, {"non-earning"})};
  auto silver = core::Evaluate(p, In("silver"), basket, {Day("2026-06-01"), 600, "s1"});
  ASSERT_TRUE(silver) << silver.error().message;
  EXPECT_EQ(silver->tier, "silver");
  EXPECT_EQ(silver->tier_after, "silver");
  EXPECT_EQ(silver->discount_total, 50'050);  // 5% of ¥10,010
  EXPECT_EQ(silver->paid_total, 950'950);
  // ¥9,500 earns at 1 per ¥100 × 2; the bag earns nothing.
  EXPECT_EQ(silver->points, 190);
  EXPECT_EQ(silver->lines[1].points, 0);
  EXPECT_TRUE(Explains(*silver, "BAG is in non-earning category non-earning"));
  EXPECT_FALSE(silver->expires_on.has_value());

  // ¥16,000 from silver reaches gold (≥ ¥15,000 from silver) and is priced at gold.
  const std::vector<BasketLine> big = {Line("SOFA", 1, 1'600'000)};
  auto up = core::Evaluate(p, In("silver"), big, {Day("2026-06-01"), 600, "s1"});
  ASSERT_TRUE(up);
  EXPECT_EQ(up->tier, "gold");
  EXPECT_EQ(up->tier_after, "gold");
  EXPECT_EQ(up->paid_total, 1'440'000);  // 10% off
  EXPECT_EQ(up->points, 432);            // ¥14,400 / 100 × 3
  EXPECT_TRUE(Explains(*up, "tier gold reached by a single purchase"));
  // The same purchase from ordinary is not enough for gold (needs ¥20,000) but is for silver.
  auto from_ordinary = core::Evaluate(p, MemberState{}, big, {Day("2026-06-01"), 600, "s1"});
  ASSERT_TRUE(from_ordinary);
  EXPECT_EQ(from_ordinary->tier_after, "silver");
  // Cumulative points also lead up, without repricing.
  MemberState close;
  close.tier = "silver";
  close.cumulative_points = 790;
  auto by_points = core::Evaluate(p, close, basket, {Day("2026-06-01"), 600, "s1"});
  ASSERT_TRUE(by_points);
  EXPECT_EQ(by_points->tier, "silver");
  EXPECT_EQ(by_points->tier_after, "gold");
  EXPECT_TRUE(Explains(*by_points, "cumulative points 980 ≥ 800"));
}

// The engine follows the document, not the example numbers: change them and the outcome moves.
TEST(ProgrammeEvaluateTest, OutcomesFollowTheDocumentsNumbers) {
  std::string text = Example("p2.toml");
  auto replace = [&](const std::string& from, const std::string& to) {
    const std::size_t at = text.find(from);
    ASSERT_NE(at, std::string::npos) << from;
    text.replace(at, from.size(), to);
  };
  replace("discount = \"5%\"", "discount = \"7.5%\"");
  replace("earn_multiplier = 2", "earn_multiplier = \"2.5\"");
  replace("silver = 15000", "silver = 9000");
  const core::Programme p = Read(text);
  const std::vector<BasketLine> basket = {Line("SOFA", 1, 1'000'000)};
  auto silver = core::Evaluate(p, In("silver"), basket, {Day("2026-06-01"), 600, "s1"});
  ASSERT_TRUE(silver);
  // ¥10,000 from silver now reaches gold (≥ ¥9,000) and is repriced at gold's 10%.
  EXPECT_EQ(silver->tier, "gold");
  EXPECT_EQ(silver->points, 270);
  const std::vector<BasketLine> small = {Line("CUP", 2, 10'000)};  // ¥200
  auto cup = core::Evaluate(p, In("silver"), small, {Day("2026-06-01"), 600, "s1"});
  ASSERT_TRUE(cup);
  EXPECT_EQ(cup->discount_total, 1'500);  // 7.5%
  EXPECT_EQ(cup->points, 4);              // ¥185 → 1 point per ¥100 × 2.5 = 4.625, floor
}

// P1b: a point per full ¥1,000, the remainder carried, cashable, fiscal-year expiry.
TEST(ProgrammeEvaluateTest, P1bCarriesTheRemainderAndExpiresAtTheFiscalYearEnd) {
  const core::Programme p = Read(Example("p1b.toml"));
  MemberState staff;
  auto first = core::Evaluate(p, staff, std::vector{Line("ORDER-1", 1, 250'000)},
                              {Day("2026-12-01"), 600, ""});
  ASSERT_TRUE(first);
  EXPECT_EQ(first->points, 2);
  EXPECT_EQ(first->carried_fen, 50'000);
  EXPECT_EQ(first->point_asset, core::Asset::kCashablePoints);
  ASSERT_TRUE(first->expires_on);
  EXPECT_EQ(first->expires_on->ToString(), "2027-03-31");
  staff.carried_fen = first->carried_fen;
  auto second = core::Evaluate(p, staff, std::vector{Line("ORDER-2", 1, 60'000)},
                               {Day("2027-04-02"), 600, ""});
  ASSERT_TRUE(second);
  EXPECT_EQ(second->points, 1);  // ¥500 carried + ¥600 = ¥1,100
  EXPECT_EQ(second->carried_fen, 10'000);
  EXPECT_EQ(second->expires_on->ToString(), "2028-03-31");
  EXPECT_TRUE(Explains(*second, "¥500.00 carried"));
}

// P4: store and category overrides, the birthday month and special days (the highest applies).
TEST(ProgrammeEvaluateTest, P4OverridesAndMultipliers) {
  const core::Programme p = Read(Example("p4.toml"));
  const std::vector<BasketLine> basket = {Line("DINNER", 1, 10'000),
                                          Line("WINE", 1, 5'000, {"high-margin"})};
  MemberState m;
  m.birthday = Day("1990-05-20");
  auto plain = core::Evaluate(p, m, basket, {Day("2026-06-03"), 600, "old-store"});
  ASSERT_TRUE(plain);
  EXPECT_EQ(plain->points, 10 + 15);  // ¥100 at 1/¥10, ¥50 at 3/¥10
  EXPECT_EQ(plain->lines[0].points, 10);
  EXPECT_EQ(plain->lines[1].points, 15);
  auto at_new = core::Evaluate(p, m, basket, {Day("2026-06-03"), 600, "new-store"});
  ASSERT_TRUE(at_new);
  EXPECT_EQ(at_new->points, 20 + 15);  // the category outranks the store
  // 1 May is a special day and in the birthday month: ×2 once, not ×4.
  auto may_day = core::Evaluate(p, m, basket, {Day("2026-05-01"), 600, "old-store"});
  ASSERT_TRUE(may_day);
  EXPECT_EQ(may_day->points, 50);
  EXPECT_TRUE(Explains(*may_day, "the highest applies"));
  EXPECT_EQ(may_day->expires_on->ToString(), "2028-04-30");  // 24 months
}

// P1c multiplies: VIP ×2 and the birthday month ×2 give ×4; P3's weekly window has edges.
TEST(ProgrammeEvaluateTest, MultipliersCombineAsTheDocumentSays) {
  const core::Programme p1c = Read(Example("p1c.toml"));
  MemberState vip;
  vip.tier = "vip";
  vip.birthday = Day("1985-03-09");
  auto march =
      core::Evaluate(p1c, vip, std::vector{Line("TV", 1, 100'000)}, {Day("2026-03-15"), 600, ""});
  ASSERT_TRUE(march);
  EXPECT_EQ(march->paid_total, 90'000);
  EXPECT_EQ(march->points, 900 * 4);
  const core::Programme p3 = Read(Example("p3.toml"));
  const std::vector<BasketLine> lipstick = {Line("LIP", 1, 9'900)};
  // 2026-12-02 is a Wednesday: 14:00 is in the window, 18:00 is not.
  auto in = core::Evaluate(p3, MemberState{}, lipstick, {Day("2026-12-02"), 14 * 60, ""});
  auto out = core::Evaluate(p3, MemberState{}, lipstick, {Day("2026-12-02"), 18 * 60, ""});
  auto thursday = core::Evaluate(p3, MemberState{}, lipstick, {Day("2026-12-03"), 15 * 60, ""});
  ASSERT_TRUE(in && out && thursday);
  EXPECT_EQ(in->points, 1'485);  // ¥99 × 10 × 1.5
  EXPECT_EQ(out->points, 990);
  EXPECT_EQ(thursday->points, 990);
}

// P0: labour and parts discounted differently; manual rule codes, one entered by staff.
TEST(ProgrammeEvaluateTest, P0ClassDiscountsAndRuleCodes) {
  const core::Programme p = Read(Example("p0.toml"));
  const std::vector<BasketLine> job = {Line("OIL-CHANGE", 1, 20'000, {}, "labour"),
                                       Line("OIL-FILTER", 2, 5'000, {}, "parts"),
                                       Line("WIPERS", 1, 8'000, {"promotion"}, "parts")};
  auto gold = core::Evaluate(p, In("c12"), job, {Day("2026-06-01"), 600, "s1"});
  ASSERT_TRUE(gold);
  EXPECT_EQ(gold->lines[0].paid, 16'000);  // labour 20% off
  EXPECT_EQ(gold->lines[1].paid, 10'000);  // parts 0%
  EXPECT_EQ(gold->points, 26);             // ¥260 at 1 per ¥10; the wipers are a promotion
  EXPECT_EQ(gold->lines[2].points, 0);
  auto internal = core::Evaluate(p, In("c14"), job, {Day("2026-06-01"), 600, "s1"});
  ASSERT_TRUE(internal);
  EXPECT_EQ(internal->paid_total, 0);
  EXPECT_EQ(internal->points, 0);
  EXPECT_TRUE(Explains(*internal, "nothing in this basket earns points") ||
              Explains(*internal, "= 0 points"));
  auto referral = core::EventBonus(p, "rule:10", std::nullopt);
  ASSERT_TRUE(referral);
  EXPECT_EQ(referral->points, 80);
  auto other = core::EventBonus(p, "rule:13", 25);
  ASSERT_TRUE(other);
  EXPECT_EQ(other->points, 25);
  EXPECT_EQ(core::EventBonus(p, "rule:13", std::nullopt).error().code,
            core::ErrorCode::kFieldInvalid);
  EXPECT_EQ(core::EventBonus(p, "rule:10", 5).error().code, core::ErrorCode::kFieldInvalid);
  EXPECT_EQ(core::EventBonus(p, "rule:99", std::nullopt).error().code,
            core::ErrorCode::kFieldInvalid);
}

// Lines at the same rate are summed before rounding (three lines of 4.2495/3 points each still
// earn 4, not 3), and the lines' shares add up to the basket's points.
TEST(ProgrammeEvaluateTest, LineSharesAddUpAndSplittingLinesChangesNothing) {
  const core::Programme p = Read(Example("p2.toml"));
  const std::vector<BasketLine> one = {Line("A", 3, 3'333)};
  const std::vector<BasketLine> three = {Line("A", 1, 3'333), Line("A", 1, 3'333),
                                         Line("A", 1, 3'333)};
  auto a = core::Evaluate(p, In("platinum"), one, {Day("2026-06-01"), 600, ""});
  auto b = core::Evaluate(p, In("platinum"), three, {Day("2026-06-01"), 600, ""});
  ASSERT_TRUE(a && b);
  EXPECT_EQ(a->points, b->points);
  std::int64_t sum = 0;
  for (const auto& l : b->lines) sum += l.points;
  EXPECT_EQ(sum, b->points);
}

// Without the explanation (simulate, benchmarks) the figures are the same.
TEST(ProgrammeEvaluateTest, TheFiguresDoNotDependOnExplaining) {
  for (const char* name : {"p1b.toml", "p2.toml", "p4.toml", "p1c.toml"}) {
    SCOPED_TRACE(name);
    const core::Programme p = Read(Example(name));
    MemberState m = In(p.tiers.back().code.c_str());
    m.birthday = Day("1990-05-20");
    m.carried_fen = 12'345;
    const std::vector<BasketLine> basket = {Line("A", 3, 123'456, {"high-margin"}),
                                            Line("B", 1, 999, {"non-earning"}),
                                            Line("C", 2, 50'001)};
    const EvalContext at{Day("2026-05-01"), 600, "new-store"};
    auto full = core::Evaluate(p, m, basket, at, core::Explain::kYes);
    auto bare = core::Evaluate(p, m, basket, at, core::Explain::kNo);
    ASSERT_TRUE(full && bare);
    EXPECT_FALSE(full->explain.empty());
    EXPECT_TRUE(bare->explain.empty());
    EXPECT_EQ(full->points, bare->points);
    EXPECT_EQ(full->paid_total, bare->paid_total);
    EXPECT_EQ(full->carried_fen, bare->carried_fen);
    EXPECT_EQ(full->tier_after, bare->tier_after);
  }
}

TEST(ProgrammeEvaluateTest, BadBasketsAndUnknownTiersAreRefused) {
  const core::Programme p = Read(Example("p2.toml"));
  const EvalContext at{Day("2026-06-01"), 600, ""};
  auto negative = core::Evaluate(p, MemberState{}, std::vector{Line("A", 1, -5)}, at);
  ASSERT_FALSE(negative);
  EXPECT_EQ(negative.error().field, "lines[0].unit_price");
  auto zero =
      core::Evaluate(p, MemberState{}, std::vector{Line("A", 1, 100), Line("B", 0, 100)}, at);
  ASSERT_FALSE(zero);
  EXPECT_EQ(zero.error().field, "lines[1].quantity");
  auto no_sku = core::Evaluate(p, MemberState{}, std::vector{Line("", 1, 100)}, at);
  ASSERT_FALSE(no_sku);
  EXPECT_EQ(no_sku.error().field, "lines[0].sku");
  auto tier = core::Evaluate(p, In("emerald"), std::vector{Line("A", 1, 100)}, at);
  ASSERT_FALSE(tier);
  EXPECT_EQ(tier.error().code, core::ErrorCode::kFieldInvalid);
}

TEST(ProgrammeEvaluateTest, ExpiryDates) {
  using core::ExpiryKind;
  EXPECT_EQ(core::ExpiryDate({ExpiryKind::kRollingMonths, 12, 1}, Day("2026-02-28"))->ToString(),
            "2027-02-27");
  EXPECT_EQ(core::ExpiryDate({ExpiryKind::kRollingMonths, 1, 1}, Day("2026-01-31"))->ToString(),
            "2026-02-27");
  EXPECT_EQ(core::ExpiryDate({ExpiryKind::kFiscalYear, 0, 1}, Day("2026-12-31"))->ToString(),
            "2026-12-31");
  EXPECT_EQ(core::ExpiryDate({ExpiryKind::kFiscalYear, 0, 7}, Day("2026-06-30"))->ToString(),
            "2026-06-30");
  EXPECT_EQ(core::ExpiryDate({ExpiryKind::kFiscalYear, 0, 7}, Day("2026-07-01"))->ToString(),
            "2027-06-30");
  EXPECT_FALSE(core::ExpiryDate({ExpiryKind::kNever, 0, 1}, Day("2026-07-01")).has_value());
}

// P2's upkeep: the review judges last year's purchases; a downgraded member regains the tier by
// spend since the downgrade, the crossing purchase still priced at gold; a single purchase
// re-upgrades at once and is priced at the higher tier.
TEST(ProgrammeRulesTest, P2ReviewDowngradesAndSpendRegainsTheTier) {
  const core::Programme p = Read(Example("p2.toml"));
  auto period = core::ReviewPeriodOf(p, Day("2027-01-01"));
  ASSERT_TRUE(period);
  EXPECT_EQ(period->first, Day("2027-01-01"));
  EXPECT_EQ(period->last, Day("2027-12-31"));
  const core::ReviewPeriod last_year{Day("2026-01-01"), Day("2026-12-31")};
  auto kept = core::ReviewTier(p, "platinum", 3'000'000, last_year);
  ASSERT_TRUE(kept);
  EXPECT_FALSE(kept->downgraded);
  EXPECT_EQ(kept->tier_after, "platinum");
  auto dropped = core::ReviewTier(p, "black_gold", 5'999'999, last_year);
  ASSERT_TRUE(dropped);
  EXPECT_TRUE(dropped->downgraded);
  EXPECT_EQ(dropped->tier_after, "gold");
  EXPECT_NE(dropped->explain.find("spent ¥59999.99 < ¥60000.00 to keep black_gold"),
            std::string::npos)
      << dropped->explain;
  auto gold = core::ReviewTier(p, "gold", 0, last_year);
  ASSERT_TRUE(gold);
  EXPECT_FALSE(gold->downgraded) << "gold has no upkeep";
  EXPECT_EQ(core::ReviewTier(p, "tin", 0, last_year).error().code, core::ErrorCode::kFieldInvalid);

  // Downgraded from platinum to gold; ¥25,000 spent since. A ¥6,000 purchase crosses ¥30,000:
  // platinum again, but this purchase is priced and earns at gold.
  MemberState m = In("gold");
  m.downgraded_from = "platinum";
  m.spend_since_downgrade = 2'500'000;
  const std::vector<BasketLine> chair = {Line("CHAIR", 1, 600'000)};
  auto regain = core::Evaluate(p, m, chair, {Day("2027-03-01"), 600, "s1"});
  ASSERT_TRUE(regain) << regain.error().message;
  EXPECT_EQ(regain->tier, "gold");
  EXPECT_EQ(regain->tier_after, "platinum");
  EXPECT_EQ(regain->paid_total, 540'000);  // gold's 10% off
  EXPECT_TRUE(Explains(*regain, "spend since the downgrade ¥30400.00 ≥ ¥30000.00 (regained)"));
  // Short of the line: stays gold — whatever points were accumulated before the downgrade.
  m.spend_since_downgrade = 2'000'000;
  EXPECT_EQ(core::Evaluate(p, m, chair, {Day("2027-03-01"), 600, "s1"})->tier_after, "gold");
  m.cumulative_points = 9'000;  // past platinum's 2,500 and black gold's 8,000
  EXPECT_EQ(core::Evaluate(p, m, chair, {Day("2027-03-01"), 600, "s1"})->tier_after, "gold");
  m.cumulative_points = 0;
  // A single purchase of ¥30,000 (paid at gold's price) re-upgrades at once, priced at platinum.
  const std::vector<BasketLine> big = {Line("SUITE", 1, 3'400'000)};
  auto at_once = core::Evaluate(p, m, big, {Day("2027-03-01"), 600, "s1"});
  ASSERT_TRUE(at_once);
  EXPECT_EQ(at_once->tier, "platinum");
  EXPECT_EQ(at_once->paid_total, 2'890'000);  // ¥30,600 at gold reaches it; 15% off
  m.downgraded_from = "tin";
  EXPECT_EQ(core::Evaluate(p, m, chair, {Day("2027-03-01"), 600, "s1"}).error().field,
            "downgraded_from");

  // Change the upkeep and the review period, and the outcome follows.
  std::string text = Example("p2.toml");
  text.replace(text.find("spend = 30000"), 13, "spend = 10000");
  text.replace(text.find("every = \"year\""), 14, "every = \"half_year\"");
  text.replace(text.find("starts = \"01-01\""), 16, "starts = \"04-01\"");
  const core::Programme q = Read(text);
  EXPECT_FALSE(core::ReviewTier(q, "platinum", 1'000'000, last_year)->downgraded);
  auto half = core::ReviewPeriodOf(q, Day("2027-02-10"));
  ASSERT_TRUE(half);
  EXPECT_EQ(half->first, Day("2026-10-01"));
  EXPECT_EQ(half->last, Day("2027-03-31"));
  EXPECT_EQ(core::ReviewPeriodOf(q, Day("2027-04-01"))->first, Day("2027-04-01"));
  EXPECT_FALSE(core::ReviewPeriodOf(Read(Example("p1a.toml")), Day("2027-04-01")))
      << "no [review]: no periods";
}

// What points may do at each tier: P2's gift rights per month and cash-out; P1a's point value
// by tier; P3's 10% split; a minimum balance.
TEST(ProgrammeRulesTest, RedemptionLimitsFollowTheTier) {
  const core::Programme p2 = Read(Example("p2.toml"));
  const std::vector<BasketLine> basket = {Line("VASE", 1, 10'000)};
  MemberState silver = In("silver");
  auto s = core::Evaluate(p2, silver, basket, {Day("2026-06-01"), 600, "s1"});
  ASSERT_TRUE(s);
  EXPECT_EQ(s->redeem.redemptions, 1);
  EXPECT_EQ(s->redeem.items, 1);
  EXPECT_EQ(s->redeem.gift_classes, std::vector<std::string>{"silver"});
  EXPECT_FALSE(s->redeem.cash_out);
  silver.redemptions_in_period = 1;
  EXPECT_EQ(core::Evaluate(p2, silver, basket, {Day("2026-06-01"), 600, "s1"})->redeem.redemptions,
            0)
      << "once a month";
  auto g = core::Evaluate(p2, In("gold"), basket, {Day("2026-06-01"), 600, "s1"});
  EXPECT_EQ(g->redeem.items, 2);
  EXPECT_TRUE(g->redeem.cash_out);
  EXPECT_EQ(g->redeem.cash_out_value, (core::Ratio{1, 1}));  // ¥0.01 = 1 fen a point
  auto b = core::Evaluate(p2, In("black_gold"), basket, {Day("2026-06-01"), 600, "s1"});
  EXPECT_FALSE(b->redeem.redemptions.has_value()) << "no limit";
  EXPECT_EQ(b->redeem.gift_classes, std::vector<std::string>{"*"});

  // P1a: a point is worth more at higher tiers; no share limit.
  const core::Programme p1a = Read(Example("p1a.toml"));
  MemberState rich = In("gold");
  rich.points_balance = 10'000;
  auto gold = core::Evaluate(p1a, rich, basket, {Day("2026-06-01"), 600, "s1"});
  ASSERT_TRUE(gold);
  EXPECT_EQ(gold->redeem.point_value, (core::Ratio{30, 1}));
  EXPECT_EQ(gold->redeem.max_points, 333);  // ¥100 / ¥0.30, floor
  EXPECT_EQ(gold->redeem.max_value, 9'990);
  EXPECT_TRUE(Explains(*gold, "redeem at gold: 1 point = ¥0.30; points may pay all of ¥100.00"));
  rich.points_balance = 100;
  EXPECT_EQ(core::Evaluate(p1a, rich, basket, {Day("2026-06-01"), 600, "s1"})->redeem.max_points,
            100)
      << "no more than the member holds";

  // P3: points pay at most 10% — a ¥100 item is ¥90 + 1,000 points.
  const core::Programme p3 = Read(Example("p3.toml"));
  MemberState m;
  m.points_balance = 50'000;
  auto split = core::Evaluate(p3, m, basket, {Day("2026-06-01"), 600, "s1"});
  ASSERT_TRUE(split);
  EXPECT_EQ(split->redeem.max_points, 1'000);
  EXPECT_EQ(split->redeem.max_value, 1'000);
  // The split ratio and a minimum balance are the document's.
  std::string text = Example("p3.toml");
  text.replace(text.find("max_share = \"10%\""), 17, "max_share = \"25%\"\nmin_balance = 60000");
  const core::Programme q = Read(text);
  EXPECT_EQ(core::Evaluate(q, m, basket, {Day("2026-06-01"), 600, "s1"})->redeem.max_points, 0)
      << "below the minimum balance";
  m.points_balance = 60'000;
  EXPECT_EQ(core::Evaluate(q, m, basket, {Day("2026-06-01"), 600, "s1"})->redeem.max_points, 2'500);
}

TEST(ProgrammeRulesTest, ReferralRewardsByTableShareAndMultiplier) {
  const core::Programme p2 = Read(Example("p2.toml"));
  auto ordinary = core::ReferralReward(p2, "ordinary", "gold");
  ASSERT_TRUE(ordinary);
  EXPECT_EQ(ordinary->points, 388);
  EXPECT_EQ(ordinary->asset, core::Asset::kCashablePoints);
  EXPECT_EQ(core::ReferralReward(p2, "silver", "gold")->points, 408);
  EXPECT_EQ(core::ReferralReward(p2, "", "black_gold")->points, 999) << "\"\": the lowest tier";
  EXPECT_EQ(core::ReferralReward(p2, "platinum", "silver")->points, 178);
  EXPECT_EQ(core::ReferralReward(p2, "silver", "ordinary")->points, 0);
  EXPECT_EQ(core::ReferralReward(p2, "silver", "registration")->points, 0);
  EXPECT_EQ(core::ReferralReward(p2, "tin", "gold").error().code, core::ErrorCode::kFieldInvalid);

  const core::Programme p1a = Read(Example("p1a.toml"));
  EXPECT_EQ(core::ReferralReward(p1a, "ordinary", "registration")->points, 100);
  const core::Programme p1c = Read(Example("p1c.toml"));
  auto vip = core::ReferralReward(p1c, "vip", "registration");
  ASSERT_TRUE(vip);
  EXPECT_EQ(vip->points, 200) << "double referral rewards at VIP";
  EXPECT_NE(vip->explain.find("× 2 at vip = 200"), std::string::npos) << vip->explain;
  EXPECT_EQ(core::ReferralReward(p1c, "senior", "registration")->points, 100);

  const core::Programme p3 = Read(Example("p3.toml"));
  EXPECT_EQ(core::ReferralShare(p3, "member", 12'345)->points, 123);  // ¥123.45 × 1 per ¥1
  EXPECT_EQ(core::ReferralShare(p3, "member", 0)->points, 0);
  EXPECT_EQ(core::ReferralShare(p2, "gold", 100'000)->points, 0) << "P2 shares nothing";
}

TEST(ProgrammeRulesTest, PerksAreCountedPerYearAndNoneInARegainYear) {
  const core::Programme p2 = Read(Example("p2.toml"));
  std::vector<std::pair<std::string, int>> used = {{"gift-pack", 1}};
  auto left = core::PerksLeft(p2, "black_gold", used, false);
  ASSERT_TRUE(left);
  ASSERT_EQ(left->size(), 2u);
  EXPECT_EQ((*left)[0].code, "visit-4d");
  EXPECT_EQ((*left)[0].left, 1);
  EXPECT_EQ((*left)[1].left, 0);
  auto regained = core::PerksLeft(p2, "platinum", {}, true);
  ASSERT_TRUE(regained);
  ASSERT_EQ(regained->size(), 1u);
  EXPECT_EQ((*regained)[0].left, 0);
  EXPECT_NE((*regained)[0].explain.find("none in a year platinum was regained"), std::string::npos);
  EXPECT_TRUE(core::PerksLeft(p2, "gold", {}, false)->empty());
}

TEST(ProgrammeDocumentTest, BadRedemptionReviewReferralAndPerksAreRefused) {
  const std::string head =
      "[programme]\ncode = \"x\"\nname = \"x\"\neffective_from = \"2026-01-01\"\n"  // 1-4
      "[[tiers]]\ncode = \"a\"\n";                                                  // 5-6
  const std::string text = head +
                           "[[tiers]]\ncode = \"b\"\n"                                     // 7-8
                           "entry = { cumulative_spend = 100 }\n"                          // 9
                           "keep_up = { spend = 50, downgrade_to = \"c\" }\n"              // 10
                           "redeem = { cash_out = true, per_period = 0 }\n"                // 11
                           "perks = [{ code = \"v\" }, { code = \"v\", per_year = 0 }]\n"  // 12
                           "[redeem]\nperiod = \"week\"\n"                                 // 13-14
                           "[review]\nstarts = \"02-30\"\n"                                // 15-16
                           "[referral]\n"                                                  // 17
                           "[[referral.on_tier]]\ntier = \"z\"\n"                          // 18-19
                           "points = { a = 1, q = 2 }\n";                                  // 20
  const auto problems = Problems(text);
  EXPECT_TRUE(Has(problems, 7, "tiers[1].keep_up.downgrade_to", "there is no tier c"))
      << Dump(problems);
  EXPECT_TRUE(Has(problems, 11, "tiers[1].redeem.per_period", "between 1 and 1000"))
      << Dump(problems);
  EXPECT_TRUE(Has(problems, 7, "tiers[1].redeem.cash_out", "no cash_out value")) << Dump(problems);
  EXPECT_TRUE(Has(problems, 12, "tiers[1].perks[1].code", "given twice")) << Dump(problems);
  EXPECT_TRUE(Has(problems, 12, "tiers[1].perks[1].per_year", "between 1 and 366"))
      << Dump(problems);
  EXPECT_TRUE(Has(problems, 14, "redeem.period", "month")) << Dump(problems);
  EXPECT_TRUE(Has(problems, 16, "review.starts", "MM-DD")) << Dump(problems);
  EXPECT_TRUE(Has(problems, 19, "referral.on_tier[0].tier", "there is no tier z"))
      << Dump(problems);
  EXPECT_TRUE(Has(problems, 20, "referral.on_tier[0].points.q", "there is no tier q"))
      << Dump(problems);

  // A downgrade must go down, and an upkeep needs a review.
  const auto up = Problems(head +
                           "[[tiers]]\ncode = \"b\"\nentry = { cumulative_spend = 100 }\n"
                           "keep_up = { spend = 50, downgrade_to = \"b\" }\n");
  EXPECT_TRUE(Has(up, 7, "tiers[1].keep_up.downgrade_to", "a downgrade goes down")) << Dump(up);
  EXPECT_TRUE(Has(up, 7, "tiers[1].keep_up", "needs a [review]")) << Dump(up);

  // What a return does with points already spent: one of two policies, said in so many words.
  const auto returns = Problems(head + "[returns]\npoints_already_spent = \"negative\"\n");
  EXPECT_TRUE(Has(returns, 8, "returns.points_already_spent", "not available yet"))
      << Dump(returns);
  const auto other = Problems(head + "[returns]\npoints_already_spent = \"ignore\"\nwhen = 1\n");
  EXPECT_TRUE(Has(other, 8, "returns.points_already_spent", "deduct_from_refund")) << Dump(other);
  EXPECT_EQ(other.size(), 2U) << Dump(other);  // and the unknown field
  auto doc = programme::ReadProgramme(
      head + "[returns]\npoints_already_spent = \"deduct_from_refund\"\n", "x.toml");
  ASSERT_TRUE(doc.programme.has_value()) << Dump(doc.problems);
  EXPECT_EQ(doc.programme->returns.points_already_spent,
            core::SpentPointsPolicy::kDeductFromRefund);
  EXPECT_EQ(programme::ReadProgramme(head, "x.toml").programme->returns.points_already_spent,
            core::SpentPointsPolicy::kForbid);
}

}  // namespace
}  // namespace onecard::testing

namespace onecard::testing {
namespace {

TEST(EvaluateCouponTest, ACouponThatWouldNotApplyAtTheNewTiersPricesKeepsThePurchaseAtTheTier) {
  const core::Programme p = Read(Example("p2.toml"));
  std::vector<BasketLine> basket(1);
  basket[0].sku = "SOFA";
  basket[0].unit_price = 520000;
  core::CouponTerms c;
  c.label = "big";
  c.kind = core::CouponKind::kFixed;
  c.amount_off = 10000;
  c.min_spend = 510000;
  std::vector<core::CouponTerms> coupons = {c};
  // ¥5,200 less ¥100 reaches silver by itself (≥ ¥5,000); at silver's 5% the coupon's minimum of
  // ¥5,100 is no longer met, so the purchase stays priced at ordinary rather than be refused.
  auto kept = core::Evaluate(p, In("ordinary"), basket,
                             EvalContext{Day("2026-03-02"), 600, "s1", 0, coupons});
  ASSERT_TRUE(kept) << kept.error().ToString();
  EXPECT_EQ(kept->tier, "ordinary");
  EXPECT_EQ(kept->tier_after, "silver");
  EXPECT_EQ(kept->paid_total, 510000);
  EXPECT_TRUE(std::any_of(kept->explain.begin(), kept->explain.end(), [](const std::string& l) {
    return l.find("a coupon would not apply at silver's prices") != std::string::npos;
  })) << ::testing::PrintToString(kept->explain);

  // Without the minimum the purchase is repriced at silver, coupon and all.
  coupons[0].min_spend = 0;
  auto repriced = core::Evaluate(p, In("ordinary"), basket,
                                 EvalContext{Day("2026-03-02"), 600, "s1", 0, coupons});
  ASSERT_TRUE(repriced) << repriced.error().ToString();
  EXPECT_EQ(repriced->tier, "silver");
  EXPECT_EQ(repriced->paid_total, 484000);  // ¥5,200 − 5% − ¥100
  ASSERT_EQ(repriced->coupon_discounts.size(), 1u);
  EXPECT_EQ(repriced->coupon_discounts[0], 10000);
}

}  // namespace
}  // namespace onecard::testing

// ---------------------------------------------------------------------------------------------
// Top-ups (issue #5 item 6, R-501): [stored_value] read and checked, bonus plans by tier and
// amount band, deposit tiers, and who may take a top-up where.

namespace onecard::testing {
namespace {

constexpr const char* kTopUpBase = R"(
[programme]
code = "sv"
name = "Stored value"
effective_from = "2026-01-01"

[earn]
rate = { points = 1, per = 1 }

[[tiers]]
code = "member"

[[tiers]]
code = "gold"
entry = { cumulative_spend = 10000 }

[[tiers]]
code = "vip"
entry = { deposit = 5000 }

[[tiers]]
code = "vvip"
entry = { deposit = 8000 }
)";

core::TopUpOutcome TopUp(const core::Programme& p, const char* tier, std::int64_t fen) {
  auto r = core::EvaluateTopUp(p, tier, fen, Day("2026-03-10"));
  EXPECT_TRUE(r) << r.error().ToString();
  return r ? *r : core::TopUpOutcome{};
}

TEST(TopUpPlanTest, PlansGiveTheirBonusByTierAndAmountBand) {
  const core::Programme p = Read(std::string(kTopUpBase) + R"(
[stored_value]
min_top_up = 50
max_top_up = 20000

[[stored_value.bonus]]
name = "small"
tiers = ["member"]
from = 500
below = 2000
fixed = 30

[[stored_value.bonus]]
name = "big"
tiers = ["member"]
from = 2000
percent = "12.5%"
cap = 400
valid_months = 6

[[stored_value.bonus]]
name = "gold every 1000"
tiers = ["gold", "vip"]
fixed = 100
every = 1000
)");
  ASSERT_EQ(p.stored_value.plans.size(), 3u);
  EXPECT_EQ(p.stored_value.min_top_up, 5000);
  // Below the first band: nothing; the band's lower edge is in it, the upper edge is not.
  EXPECT_EQ(TopUp(p, "member", 49999).bonus, 0);
  EXPECT_EQ(TopUp(p, "member", 49999).plan, "");
  EXPECT_EQ(TopUp(p, "member", 50000).bonus, 3000);
  EXPECT_EQ(TopUp(p, "member", 199999).bonus, 3000);
  const core::TopUpOutcome big = TopUp(p, "member", 200000);
  EXPECT_EQ(big.plan, "big");
  EXPECT_EQ(big.bonus, 25000);  // 12.5% of ¥2,000
  EXPECT_EQ(big.bonus_expires_on, Day("2026-09-09"));
  EXPECT_NE(big.explain.front().find("12.5% of ¥2000.00 = ¥250.00"), std::string::npos)
      << big.explain.front();
  // A share is rounded down to the fen; the cap binds above ¥3,200.
  EXPECT_EQ(TopUp(p, "member", 200007).bonus, 25000);  // 25,000.875 fen
  EXPECT_EQ(TopUp(p, "member", 400000).bonus, 40000);
  // "every": ¥100 for each full ¥1,000, for the tiers named; "" is the lowest tier.
  EXPECT_EQ(TopUp(p, "gold", 99999).bonus, 0);
  EXPECT_EQ(TopUp(p, "gold", 250000).bonus, 20000);
  EXPECT_EQ(TopUp(p, "", 250000).plan, "big");
  EXPECT_FALSE(TopUp(p, "gold", 250000).bonus_expires_on.has_value());
  // Limits, and a tier the programme lacks.
  auto small = core::EvaluateTopUp(p, "member", 4999, Day("2026-03-10"));
  ASSERT_FALSE(small);
  EXPECT_EQ(small.error().code, core::ErrorCode::kInvalidArgument);
  EXPECT_EQ(small.error().field, "amount");
  EXPECT_FALSE(core::EvaluateTopUp(p, "member", 2000001, Day("2026-03-10")));
  EXPECT_EQ(core::EvaluateTopUp(p, "silver", 10000, Day("2026-03-10")).error().code,
            core::ErrorCode::kFieldInvalid);
}

TEST(TopUpPlanTest, ADepositReachesTheHighestTierItMeetsAboveTheMembers) {
  const core::Programme p = Read(kTopUpBase);
  EXPECT_EQ(TopUp(p, "member", 499999).tier_after, "member");
  const core::TopUpOutcome vip = TopUp(p, "member", 500000);
  EXPECT_EQ(vip.tier_after, "vip");
  EXPECT_NE(vip.tier_reason.find("deposit of ¥5000.00"), std::string::npos) << vip.tier_reason;
  EXPECT_EQ(TopUp(p, "gold", 900000).tier_after, "vvip");
  // Never down, and not sideways: a vvip topping up ¥5,000 stays vvip.
  EXPECT_EQ(TopUp(p, "vvip", 500000).tier_after, "vvip");
  EXPECT_EQ(TopUp(p, "vip", 500000).tier_after, "vip");
  EXPECT_EQ(TopUp(p, "member", 500000).bonus, 0);  // no plans: no bonus
}

TEST(TopUpPlanTest, TheOutcomesFollowTheDocumentsNumbers) {
  // The same shape with other numbers: the engine holds no example figure.
  std::string text = std::string(kTopUpBase) + R"(
[[stored_value.bonus]]
from = 300
percent = "7%"
)";
  const core::Programme p = Read(text);
  EXPECT_EQ(TopUp(p, "member", 30000).bonus, 2100);
  EXPECT_EQ(TopUp(p, "member", 29999).bonus, 0);
  EXPECT_EQ(p.stored_value.plans[0].name, "plan 1");
  const std::string deeper =
      std::string(text).replace(text.find("deposit = 5000"), 14, "deposit = 6000");
  const core::Programme q = Read(deeper);
  EXPECT_EQ(TopUp(q, "member", 500000).tier_after, "member");
  EXPECT_EQ(TopUp(q, "member", 600000).tier_after, "vip");
}

// The line of the first occurrence of `needle` in `text` (1-based).
int LineOf(const std::string& text, const std::string& needle) {
  const std::size_t at = text.find(needle);
  EXPECT_NE(at, std::string::npos) << needle;
  return 1 + static_cast<int>(std::count(text.begin(), text.begin() + static_cast<long>(at), '\n'));
}

// Whether some problem on a line (any) at `path` says `words`.
bool HasAt(const std::vector<programme::Problem>& problems, const std::string& path,
           const std::string& words) {
  return std::any_of(problems.begin(), problems.end(), [&](const programme::Problem& p) {
    return p.line > 0 && p.path == path && p.message.find(words) != std::string::npos;
  });
}

TEST(TopUpPlanTest, BadPlansAreRefusedNamingTheField) {
  const std::string doc = std::string(kTopUpBase) + R"(
[stored_value]
stores = []
colour = "red"
max_top_up = 10
min_top_up = 20

[[stored_value.bonus]]
name = "both"
percent = "5%"
fixed = 10

[[stored_value.bonus]]
name = "neither"
from = 100

[[stored_value.bonus]]
name = "cap on fixed"
fixed = 10
cap = 5
from = 100000

[[stored_value.bonus]]
name = "every on percent"
percent = "5%"
every = 100
from = 200000

[[stored_value.bonus]]
name = "band upside down"
tiers = ["gold", "platinum"]
from = 500
below = 400
fixed = 1

[[stored_value.bonus]]
name = "overlap"
tiers = ["member"]
from = 1000
below = 3000
fixed = 1

[[stored_value.bonus]]
name = "overlap too"
from = 2000
below = 2500
percent = "1%"
)";
  const auto problems = Problems(doc);
  const std::string all = Dump(problems);
  EXPECT_TRUE(Has(problems, LineOf(doc, "stores = []"), "stored_value.stores", "at least one"))
      << all;
  EXPECT_TRUE(Has(problems, LineOf(doc, "colour"), "stored_value.colour", "unknown field")) << all;
  EXPECT_TRUE(
      Has(problems, LineOf(doc, "max_top_up = 10"), "stored_value.max_top_up", "below min_top_up"))
      << all;
  EXPECT_TRUE(HasAt(problems, "stored_value.bonus[0]", "one of them")) << all;
  EXPECT_TRUE(HasAt(problems, "stored_value.bonus[1]", "one of them")) << all;
  EXPECT_TRUE(
      Has(problems, LineOf(doc, "cap = 5"), "stored_value.bonus[2].cap", "only a percent bonus"))
      << all;
  EXPECT_TRUE(Has(problems, LineOf(doc, "every = 100"), "stored_value.bonus[3].every",
                  "only a fixed bonus"))
      << all;
  EXPECT_TRUE(
      Has(problems, LineOf(doc, "platinum"), "stored_value.bonus[4].tiers", "no tier platinum"))
      << all;
  EXPECT_TRUE(
      Has(problems, LineOf(doc, "below = 400"), "stored_value.bonus[4].below", "above from"))
      << all;
  EXPECT_TRUE(HasAt(problems, "stored_value.bonus[6]",
                    "overlaps stored_value.bonus[5] (\"overlap\"): a top-up of ¥2000.00 at member"))
      << all;
  // Apart by tier or by amount is fine.
  EXPECT_TRUE(Problems(std::string(kTopUpBase) + R"(
[[stored_value.bonus]]
tiers = ["member"]
fixed = 1
[[stored_value.bonus]]
tiers = ["gold"]
fixed = 2
[[stored_value.bonus]]
tiers = ["vip"]
below = 1000
fixed = 3
[[stored_value.bonus]]
tiers = ["vip"]
from = 1000
fixed = 4
)")
                  .empty());
}

TEST(TopUpPlanTest, TakersAreCheckedAgainstTheStoresRolesAndOperators) {
  core::StoredValueRules rules;
  EXPECT_TRUE(core::CheckTopUpTaker(rules, {"s9", "anyone", "clerk", false}));
  EXPECT_TRUE(core::CheckTopUpTaker(rules, {"", "anyone", "clerk", false}));
  rules.stores = {"s1", "s2"};
  rules.head_office = false;
  rules.roles = {"store_manager"};
  rules.operators = {"till-07"};
  EXPECT_TRUE(core::CheckTopUpTaker(rules, {"s1", "boss", "store_manager", false}));
  EXPECT_TRUE(core::CheckTopUpTaker(rules, {"s2", "till-07", "clerk", false}));
  EXPECT_TRUE(core::CheckTopUpTaker(rules, {"s2", "root", "", true}));  // the command line
  const auto store = core::CheckTopUpTaker(rules, {"s3", "boss", "store_manager", false});
  ASSERT_FALSE(store);
  EXPECT_EQ(store.error().code, core::ErrorCode::kTopUpNotPermitted);
  EXPECT_EQ(store.error().field, "store");
  EXPECT_NE(store.error().message.find("s1, s2"), std::string::npos);
  EXPECT_EQ(core::CheckTopUpTaker(rules, {"", "root", "", true}).error().field, "store");
  const auto staff = core::CheckTopUpTaker(rules, {"s1", "wang", "clerk", false});
  ASSERT_FALSE(staff);
  EXPECT_EQ(staff.error().field, "staff");
  EXPECT_NE(staff.error().message.find("wang (clerk) may not take top-ups"), std::string::npos)
      << staff.error().message;
}

TEST(TopUpPlanTest, TheAllianceProgrammeGivesItsBandsBonuses) {
  const core::Programme p = Read(Example("p4.toml"));
  EXPECT_EQ(TopUp(p, "", 49999).bonus, 0);
  EXPECT_EQ(TopUp(p, "", 50000).bonus, 3000);
  EXPECT_EQ(TopUp(p, "", 300000).bonus, 24000);
  EXPECT_EQ(TopUp(p, "", 2000000).bonus, 100000);  // capped at ¥1,000
  EXPECT_FALSE(core::EvaluateTopUp(p, "", 9999, Day("2026-03-10")));
}

}  // namespace
}  // namespace onecard::testing
