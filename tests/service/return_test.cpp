// Returns (issue #5 item 5, R-604): some lines, then the rest; refunds split over the sale's
// tenders in proportion; tendered points and stored value back into the very lots they came
// from; earned points taken back; never more than was sold; twice refused; the programme's
// policy for points already spent; a tier the sale reached taken back; walk-in sales.
#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>

#include "support/test_env.hpp"

namespace onecard::testing {
namespace {

using core::ErrorCode;
using nlohmann::json;

service::SaleSpec Sale(const std::string& card, const std::string& lines,
                       std::vector<service::TenderSpec> tenders, const std::string& doc) {
  auto basket = service::BasketFromJson(json::parse(lines), "lines");
  EXPECT_TRUE(basket) << basket.error().ToString();
  return service::SaleSpec{
      card, basket ? *basket : std::vector<core::BasketLine>{}, std::move(tenders), doc, {}};
}

service::ReturnSpec Lines(std::int64_t sale, std::vector<service::ReturnLineSpec> lines,
                          const std::string& doc) {
  service::ReturnSpec r;
  r.sale = sale;
  r.lines = std::move(lines);
  r.doc_no = doc;
  r.reason = "customer changed their mind";
  return r;
}

service::ReturnSpec All(std::int64_t sale, const std::string& doc) {
  service::ReturnSpec r = Lines(sale, {}, doc);
  r.all = true;
  return r;
}

std::int64_t Query(TestEnv& env, const std::string& sql) {
  return QueryInt(env.db_path(), sql);
}

std::int64_t RefundedTo(const service::ReturnView& r, const std::string& method) {
  std::int64_t sum = 0;
  for (const auto& t : r.tenders) {
    if (t.method == method) sum += t.refund;
  }
  return sum;
}

TEST(ReturnTest, PartThenAllRefundsInProportionIntoTheLotsItCameFrom) {
  TestEnv env;
  UseProgramme(env, ExampleProgramme("p3.toml"));
  const std::string card = env.NewCard();
  env.Earn(card, 1500);    // the lot the points tender takes from
  env.TopUp(card, 50000);  // the lot the stored value tender takes from
  auto& checkout = env.services().checkout();

  // ¥120: ¥10 in points (1,000), ¥50 stored value, ¥60 cash; ¥110 earns 1,100 points.
  auto sale = checkout.Settle(env.Req(), Sale(card,
                                              R"([{"sku": "SHAMPOO", "price": "60.00"},
                          {"sku": "COMB", "quantity": 3, "price": "20.00"}])",
                                              {{"points", 0, 1000, "", "", ""},
                                               {"stored_value", 5000, 0, "", "", ""},
                                               {"cash", 6000, 0, "", "", ""}},
                                              "R1"));
  ASSERT_TRUE(sale) << sale.error().ToString();
  ASSERT_EQ(sale->points_earned, 1100);
  ASSERT_EQ(sale->lines[1].points, 550);  // ¥60 less its ¥5 share of the points, × 10
  EXPECT_EQ(env.Balance(card), 1600);
  EXPECT_EQ(env.Balance(card, core::Asset::kStoredValue), 45000);
  const std::int64_t lots_before = Query(env, "SELECT count(*) FROM lots");

  // One comb of three: a third of the line — ¥20, 183 of its 550 points (half up) — refunded
  // over the tenders in proportion to 1,000 : 5,000 : 6,000 (largest remainder: the points).
  auto one = checkout.Return(env.Keyed("ret-1"), Lines(sale->id, {{2, 1}}, "RT1"));
  ASSERT_TRUE(one) << one.error().ToString();
  EXPECT_EQ(one->refund_total, 2000);
  EXPECT_EQ(one->refund, 2000);
  ASSERT_EQ(one->lines.size(), 1U);
  EXPECT_EQ(one->lines[0].sku, "COMB");
  EXPECT_EQ(one->lines[0].points, 183);
  ASSERT_EQ(one->tenders.size(), 3U);
  EXPECT_EQ(one->tenders[0].amount, 167);
  EXPECT_EQ(one->tenders[0].points, 167);  // at ¥0.01 a point
  EXPECT_EQ(one->tenders[1].amount, 833);
  EXPECT_EQ(one->tenders[2].amount, 1000);
  EXPECT_EQ(one->points_restored, 167);
  EXPECT_EQ(one->points_taken_back, 183);
  EXPECT_EQ(env.Balance(card), 1600 + 167 - 183);
  EXPECT_EQ(env.Balance(card, core::Asset::kStoredValue), 45000 + 833);
  ASSERT_TRUE(one->points_balance.has_value());
  EXPECT_EQ(*one->points_balance, 1584);
  // Into the very lots: no lot is made; the earned lot gives its 183 back, the points lot of
  // 1,500 has its 167 back, the top-up lot its 833.
  EXPECT_EQ(Query(env, "SELECT count(*) FROM lots"), lots_before);
  EXPECT_EQ(Query(env, "SELECT remaining FROM lots WHERE amount = 1500"), 500 + 167);
  EXPECT_EQ(Query(env, "SELECT remaining FROM lots WHERE amount = 1100"), 1100 - 183);
  EXPECT_EQ(Query(env, "SELECT remaining FROM lots WHERE amount = 50000"), 45000 + 833);
  EXPECT_EQ(Query(env, "SELECT count(*) FROM entries WHERE kind = 'return'"), 1);

  // A retry with the key is the same return; a changed body under it is refused.
  auto replay = checkout.Return(env.Keyed("ret-1"), Lines(sale->id, {{2, 1}}, "RT1"));
  ASSERT_TRUE(replay) << replay.error().ToString();
  EXPECT_TRUE(replay->replayed);
  EXPECT_EQ(replay->id, one->id);
  auto changed = checkout.Return(env.Keyed("ret-1"), Lines(sale->id, {{2, 2}}, "RT1"));
  ASSERT_FALSE(changed);
  EXPECT_EQ(changed.error().code, ErrorCode::kIdempotencyConflict);

  // Never more than was sold, never a receipt number twice, nothing changed by a refusal.
  auto too_many = checkout.Return(env.Req(), Lines(sale->id, {{2, 3}}, "RT2"));
  ASSERT_FALSE(too_many);
  EXPECT_EQ(too_many.error().code, ErrorCode::kReturnExceedsSale);
  EXPECT_NE(too_many.error().message.find("sold 3, 1 returned already"), std::string::npos)
      << too_many.error().message;
  auto no_line = checkout.Return(env.Req(), Lines(sale->id, {{3, 1}}, "RT2"));
  ASSERT_FALSE(no_line);
  EXPECT_EQ(no_line.error().field, "lines[0].line");
  auto same_doc = checkout.Return(env.Req(), Lines(sale->id, {{1, 1}}, "RT1"));
  ASSERT_FALSE(same_doc);
  EXPECT_EQ(same_doc.error().code, ErrorCode::kCodeTaken);
  auto sale_doc = checkout.Return(env.Req(), Lines(sale->id, {{1, 1}}, "R1"));
  ASSERT_FALSE(sale_doc);
  EXPECT_EQ(sale_doc.error().code, ErrorCode::kCodeTaken);
  auto unknown = checkout.Return(env.Req(), Lines(sale->id + 99, {{1, 1}}, "RT2"));
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().code, ErrorCode::kSaleNotFound);
  service::ReturnSpec no_reason = Lines(sale->id, {{1, 1}}, "RT2");
  no_reason.reason.clear();
  EXPECT_FALSE(checkout.Return(env.Req(), no_reason));
  EXPECT_FALSE(checkout.Return(env.Req(""), Lines(sale->id, {{1, 1}}, "RT2")));  // no store
  EXPECT_EQ(Query(env, "SELECT count(*) FROM sale_returns"), 1);
  EXPECT_EQ(env.Balance(card), 1584);

  // The rest, by receipt number: everything left goes back exactly, whatever the rounding.
  service::ReturnSpec rest = All(0, "RT2");
  rest.receipt = "R1";
  // Head office (no store): a return is refused, and so is looking up R1 without its store.
  EXPECT_EQ(checkout.Return(env.Req(""), rest).error().field, "store");
  auto nowhere = checkout.FindSale(env.Req(""), rest);
  ASSERT_FALSE(nowhere);
  EXPECT_EQ(nowhere.error().field, "receipt_store");
  auto two = checkout.Return(env.Req(), rest);
  ASSERT_TRUE(two) << two.error().ToString();
  EXPECT_EQ(two->refund_total, 12000 - 2000);
  EXPECT_EQ(one->points_restored + two->points_restored, 1000);
  EXPECT_EQ(RefundedTo(*one, "stored_value") + RefundedTo(*two, "stored_value"), 5000);
  EXPECT_EQ(RefundedTo(*one, "cash") + RefundedTo(*two, "cash"), 6000);
  EXPECT_EQ(one->points_taken_back + two->points_taken_back, 1100);
  EXPECT_EQ(env.Balance(card), 1500);
  EXPECT_EQ(env.Balance(card, core::Asset::kStoredValue), 50000);
  EXPECT_EQ(Query(env, "SELECT remaining FROM lots WHERE amount = 1500"), 1500);
  EXPECT_EQ(Query(env, "SELECT remaining FROM lots WHERE amount = 1100"), 0);
  EXPECT_EQ(Query(env, "SELECT count(*) FROM lots"), lots_before);

  // Twice is refused; the sale shows what came back; the member's totals are undone.
  auto twice = checkout.Return(env.Req(), All(sale->id, "RT3"));
  ASSERT_FALSE(twice);
  EXPECT_EQ(twice.error().code, ErrorCode::kSaleAlreadyReturned);
  auto stored = checkout.Get(env.tenant(), sale->id);
  ASSERT_TRUE(stored) << stored.error().ToString();
  ASSERT_EQ(stored->returns.size(), 2U);
  EXPECT_EQ(stored->returns[0].doc_no, "RT1");
  EXPECT_EQ(stored->lines[1].returned, 3);
  auto state = env.services().tiers().State(env.tenant(), core::MemberId{env.MemberOf(card)});
  ASSERT_TRUE(state) << state.error().ToString();
  EXPECT_EQ(state->cumulative_spend, 0);
  EXPECT_EQ(state->cumulative_points, 0);
  auto shown = checkout.GetReturn(env.tenant(), one->id);
  ASSERT_TRUE(shown) << shown.error().ToString();
  EXPECT_EQ(shown->explain, one->explain);
  EXPECT_EQ(shown->sale_doc_no, "R1");
  EXPECT_EQ(env.VerifyProblems(), "");
}

// A member who spent the points a return must take back: refused under `forbid` (the default),
// worth kept back from the refund under `deduct_from_refund`; the tier the sale reached goes.
TEST(ReturnTest, PointsAlreadySpentFollowThePolicyAndTheTierGoesBack) {
  for (const bool deduct : {false, true}) {
    SCOPED_TRACE(deduct ? "deduct_from_refund" : "forbid");
    TestEnv env;
    std::string programme = ExampleProgramme("p1a.toml");
    if (deduct) programme += "\n[returns]\npoints_already_spent = \"deduct_from_refund\"\n";
    UseProgramme(env, programme);
    const std::string card = env.NewCard();
    auto& checkout = env.services().checkout();
    // ¥2,500 earns 2,500 points and reaches silver (¥2,000 to date).
    auto tv = checkout.Settle(env.Req(), Sale(card, R"([{"sku": "TV", "price": "2500.00"}])",
                                              {{"cash", 250000, 0, "", "", ""}}, "R1"));
    ASSERT_TRUE(tv) << tv.error().ToString();
    ASSERT_EQ(tv->tier_after, "silver");
    // 2,000 points pay ¥400 at silver; the ¥100 in cash earns 100.
    auto radio = checkout.Settle(
        env.Req(), Sale(card, R"([{"sku": "RADIO", "price": "500.00"}])",
                        {{"points", 0, 2000, "", "", ""}, {"cash", 10000, 0, "", "", ""}}, "R2"));
    ASSERT_TRUE(radio) << radio.error().ToString();
    ASSERT_EQ(env.Balance(card), 600);

    auto back = checkout.Return(env.Req(), All(tv->id, "RT1"));
    if (!deduct) {
      ASSERT_FALSE(back);
      EXPECT_EQ(back.error().code, ErrorCode::kInsufficientBalance);
      EXPECT_NE(back.error().message.find("spent 1900 of the 2500 points"), std::string::npos)
          << back.error().message;
      EXPECT_EQ(env.Balance(card), 600);
      EXPECT_EQ(Query(env, "SELECT count(*) FROM sale_returns"), 0);
      EXPECT_EQ(Query(env, "SELECT count(*) FROM entries WHERE kind = 'return'"), 0);
      continue;
    }
    ASSERT_TRUE(back) << back.error().ToString();
    // 600 taken back; 1,900 spent, worth ¥190 at ordinary's ¥0.10 (the tier the TV was priced
    // at), kept back from the cash.
    EXPECT_EQ(back->points_taken_back, 600);
    EXPECT_EQ(back->points_short, 1900);
    EXPECT_EQ(back->deducted, 19000);
    EXPECT_EQ(back->refund, 250000 - 19000);
    EXPECT_EQ(RefundedTo(*back, "cash"), 231000);
    EXPECT_EQ(env.Balance(card), 0);
    // ¥500 to date is below silver's ¥2,000: the tier the TV reached goes with it.
    EXPECT_EQ(back->tier_before, "silver");
    EXPECT_EQ(back->tier_after, "ordinary");
    auto state = env.services().tiers().State(env.tenant(), core::MemberId{env.MemberOf(card)});
    ASSERT_TRUE(state) << state.error().ToString();
    EXPECT_EQ(state->tier, "ordinary");
    EXPECT_EQ(state->cumulative_spend, 50000);
    ASSERT_FALSE(state->history.empty());
    EXPECT_EQ(state->history.back().cause, "return");
    EXPECT_EQ(state->history.back().doc_no, "RT1");
    EXPECT_EQ(env.VerifyProblems(), "");
  }
}

TEST(ReturnTest, APartialReturnKeepsATierStillReachedAndWalkInsAreRefundedInCash) {
  TestEnv env;
  UseProgramme(env, ExampleProgramme("p1a.toml"));
  const std::string card = env.NewCard();
  auto& checkout = env.services().checkout();
  auto sale = checkout.Settle(env.Req(),
                              Sale(card, R"([{"sku": "CHAIR", "quantity": 4, "price": "700.00"}])",
                                   {{"cash", 280000, 0, "", "", ""}}, "R1"));
  ASSERT_TRUE(sale) << sale.error().ToString();
  ASSERT_EQ(sale->tier_after, "silver");
  // ¥2,100 kept ≥ ¥2,000: still silver.
  auto one = checkout.Return(env.Req(), Lines(sale->id, {{1, 1}}, "RT1"));
  ASSERT_TRUE(one) << one.error().ToString();
  EXPECT_EQ(one->tier_after, "silver");
  EXPECT_EQ(one->points_taken_back, 700);
  // ¥1,400 kept < ¥2,000: back to ordinary.
  auto two = checkout.Return(env.Req(), Lines(sale->id, {{1, 1}}, "RT2"));
  ASSERT_TRUE(two) << two.error().ToString();
  EXPECT_EQ(two->tier_after, "ordinary");
  EXPECT_EQ(env.Balance(card), 1400);

  // A walk-in sale: the cash comes back, nothing moves on any card.
  auto walk_in =
      checkout.Settle(env.Req("s2"), Sale("", R"([{"sku": "PEN", "quantity": 3, "price": "3.33"}])",
                                          {{"cash", 999, 0, "", "", ""}}, "W1"));
  ASSERT_TRUE(walk_in) << walk_in.error().ToString();
  auto pen = checkout.Return(env.Req("s2"), Lines(walk_in->id, {{1, 2}}, "WR1"));
  ASSERT_TRUE(pen) << pen.error().ToString();
  EXPECT_EQ(pen->refund, 666);
  EXPECT_EQ(pen->entry_id, 0);
  EXPECT_EQ(pen->member_id, 0);
  auto last = checkout.Return(env.Req("s2"), All(walk_in->id, "WR2"));
  ASSERT_TRUE(last) << last.error().ToString();
  EXPECT_EQ(last->refund, 333);
  EXPECT_EQ(env.VerifyProblems(), "");
}

// Found by the property below (seed 15799080504826156072): a third return of one line, after
// the tendered points of earlier returns went back into the lot the sale took them from.
TEST(ReturnTest, LaterReturnsOfOneLineStillBalance) {
  TestEnv env;
  UseProgramme(env, ExampleProgramme("p3.toml"));
  const std::string card = env.NewCard();
  env.Earn(card, 100000);
  env.TopUp(card, 10000000);
  const std::int64_t points_before = env.Balance(card);
  auto& checkout = env.services().checkout();
  auto sale = checkout.Settle(env.Req(), Sale(card,
                                              R"([{"sku": "SKU0", "quantity": 4, "price": "1.96"},
                          {"sku": "SKU1", "quantity": 2, "price": "111.47"}])",
                                              {{"points", 0, 2069, "", "", ""},
                                               {"stored_value", 5095, 0, "", "", ""},
                                               {"cash", 15914, 0, "", "", ""}},
                                              "R1"));
  ASSERT_TRUE(sale) << sale.error().ToString();
  int n = 0;
  for (const auto& [line, quantity] :
       std::vector<std::pair<int, std::int64_t>>{{2, 2}, {1, 2}, {1, 1}, {1, 1}}) {
    auto r =
        checkout.Return(env.Req(), Lines(sale->id, {{line, quantity}}, "RT" + std::to_string(++n)));
    ASSERT_TRUE(r) << n << ": " << r.error().ToString();
    EXPECT_EQ(env.VerifyProblems(), "") << n;
  }
  EXPECT_EQ(env.Balance(card), points_before);
}

// Any basket, any mix of tenders, any sequence of partial returns: once everything is back, the
// card holds exactly what it held before the sale, the refunds add up to what was paid, tender by
// tender, and the books balance at every step.
RC_GTEST_PROP(ReturnPropertyTest, AnySequenceOfReturnsGivesBackExactlyTheSale, ()) {
  const int lines = *rc::gen::inRange(1, 5);
  json basket = json::array();
  for (int i = 0; i < lines; ++i) {
    const std::int64_t fen = *rc::gen::inRange<std::int64_t>(1, 20000);
    basket.push_back({{"sku", "SKU" + std::to_string(i)},
                      {"quantity", *rc::gen::inRange(1, 6)},
                      {"price", core::Yuan(fen)}});
  }
  TestEnv env;
  UseProgramme(env, ExampleProgramme("p3.toml"));
  const std::string card = env.NewCard();
  env.Earn(card, 100000);
  env.TopUp(card, 10000000);
  auto& checkout = env.services().checkout();
  auto quote = checkout.Quote(env.Req(), Sale(card, basket.dump(), {}, ""));
  RC_ASSERT(quote.ok());
  const std::int64_t due = quote->due;
  const std::int64_t points =
      *rc::gen::inRange<std::int64_t>(0, quote->points_left->max_points + 1);
  const std::int64_t points_value = points;  // a point is worth a fen in P3
  const std::int64_t stored = *rc::gen::inRange<std::int64_t>(0, due - points_value + 1);
  std::vector<service::TenderSpec> tenders;
  if (points > 0) tenders.push_back({"points", 0, points, "", "", ""});
  if (stored > 0) tenders.push_back({"stored_value", stored, 0, "", "", ""});
  if (due - points_value - stored > 0)
    tenders.push_back({"cash", due - points_value - stored, 0, "", "", ""});
  const std::int64_t points_before = env.Balance(card);
  const std::int64_t value_before = env.Balance(card, core::Asset::kStoredValue);
  auto sale = checkout.Settle(env.Req(), Sale(card, basket.dump(), tenders, "R1"));
  RC_ASSERT(sale.ok());

  std::vector<std::int64_t> left;
  for (const auto& l : sale->lines) left.push_back(l.quantity);
  std::int64_t refunded = 0;
  std::map<std::string, std::int64_t> by_method;
  int n = 0;
  while (std::any_of(left.begin(), left.end(), [](std::int64_t q) { return q > 0; })) {
    std::vector<service::ReturnLineSpec> back;
    for (std::size_t i = 0; i < left.size(); ++i) {
      if (left[i] == 0 || !*rc::gen::arbitrary<bool>()) continue;
      const std::int64_t q = *rc::gen::inRange<std::int64_t>(1, left[i] + 1);
      back.push_back({static_cast<int>(i + 1), q});
      left[i] -= q;
    }
    if (back.empty()) continue;
    auto r = checkout.Return(env.Req(), Lines(sale->id, back, "RT" + std::to_string(++n)));
    RC_ASSERT(r.ok());
    refunded += r->refund;
    for (const auto& t : r->tenders) by_method[t.method] += t.refund;
    RC_ASSERT(env.VerifyProblems() == "");
  }
  RC_ASSERT(refunded == due);
  RC_ASSERT(by_method["stored_value"] == stored);
  RC_ASSERT(by_method["points"] == points_value);
  RC_ASSERT(env.Balance(card) == points_before);
  RC_ASSERT(env.Balance(card, core::Asset::kStoredValue) == value_before);
  auto again = checkout.Return(env.Req(), All(sale->id, "RT-again"));
  RC_ASSERT(!again.ok());
  RC_ASSERT(again.error().code == ErrorCode::kSaleAlreadyReturned);
}

}  // namespace
}  // namespace onecard::testing
