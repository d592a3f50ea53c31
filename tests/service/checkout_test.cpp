// Checkout (issue #5, first part) and member state (issue #4, item 5): a sale priced by the
// programme version in force, paid in a mix of points, stored value and external tenders, earning
// on what was not paid with points — one entry, one sale record, the member's state moved on; the
// tier and its history with cause and receipt; the tier review job; refusals that change nothing.
#include <gtest/gtest.h>

#include <thread>

#include "service/calendar.hpp"
#include "service/identify.hpp"
#include "support/test_env.hpp"

namespace onecard::testing {
namespace {

using core::ErrorCode;
using nlohmann::json;

std::vector<core::BasketLine> Basket(const std::string& lines) {
  auto r = service::BasketFromJson(json::parse(lines), "lines");
  EXPECT_TRUE(r) << r.error().ToString();
  return r ? *r : std::vector<core::BasketLine>{};
}

service::SaleSpec Sale(const std::string& card, const std::string& lines,
                       std::vector<service::TenderSpec> tenders, const std::string& doc) {
  return service::SaleSpec{card, Basket(lines), std::move(tenders), doc, {}};
}

service::TenderSpec Cash(std::int64_t fen) {
  return {"cash", fen, 0, "", "", ""};
}
service::TenderSpec Points(std::int64_t points) {
  return {"points", 0, points, "", "", ""};
}
service::TenderSpec StoredValue(std::int64_t fen) {
  return {"stored_value", fen, 0, "", "", ""};
}

core::Timestamp At(const TestEnv& env, const std::string& date, int hour = 12) {
  auto d = core::CivilDate::Parse(date, "date");
  EXPECT_TRUE(d);
  auto t = service::StartOfLocalDay(env.tenant().timezone, *d);
  EXPECT_TRUE(t);
  return t->PlusSeconds(hour * 3600);
}

std::int64_t Count(TestEnv& env, const std::string& table) {
  return QueryInt(env.db_path(), "SELECT count(*) FROM " + table);
}

TEST(CheckoutTest, PointsPayPartWithinTheShareAndTheRestEarns) {
  TestEnv env;
  UseProgramme(env, ExampleProgramme("p3.toml"));
  const std::string card = env.NewCard();
  env.Earn(card, 1500);
  auto& checkout = env.services().checkout();
  const std::string basket = R"([{"sku": "SHAMPOO", "price": "60.00"},
                                  {"sku": "COMB", "quantity": 2, "price": "20.00"}])";

  // The quote says what points may pay (10% of ¥100 = 1,000 points) and changes nothing.
  auto quote = checkout.Quote(env.Req(), Sale(card, basket, {}, ""));
  ASSERT_TRUE(quote) << quote.error().ToString();
  EXPECT_EQ(quote->due, 10000);
  ASSERT_TRUE(quote->points_left.has_value());
  EXPECT_EQ(quote->points_left->max_points, 1000);
  EXPECT_EQ(quote->points_left->max_value, 1000);
  EXPECT_EQ(quote->points_left->balance, 1500);
  EXPECT_EQ(quote->points_earned, 1000);  // ¥100 × 10 with no points tendered
  EXPECT_EQ(Count(env, "sales"), 0);

  // One point more than the share allows is refused, and so are tenders that do not add up.
  auto too_many = checkout.Settle(env.Req(), Sale(card, basket, {Points(1001), Cash(8999)}, "R1"));
  ASSERT_FALSE(too_many);
  EXPECT_EQ(too_many.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(too_many.error().message.find("at most 1000"), std::string::npos)
      << too_many.error().message;
  auto short_paid =
      checkout.Settle(env.Req(), Sale(card, basket, {Points(1000), Cash(8000)}, "R1"));
  ASSERT_FALSE(short_paid);
  EXPECT_EQ(short_paid.error().field, "tenders");
  EXPECT_EQ(Count(env, "sales"), 0);
  EXPECT_EQ(env.Balance(card), 1500);

  // ¥90 + 1,000 points: the ¥10 paid with points earns nothing; ¥90 earns 900.
  auto sale =
      checkout.Settle(env.Keyed("sale-1"), Sale(card, basket, {Points(1000), Cash(9000)}, "R1"));
  ASSERT_TRUE(sale) << sale.error().ToString();
  EXPECT_GT(sale->id, 0);
  EXPECT_EQ(sale->points_spent, 1000);
  EXPECT_EQ(sale->points_value, 1000);
  EXPECT_EQ(sale->points_earned, 900);
  ASSERT_EQ(sale->lines.size(), 2U);
  EXPECT_EQ(sale->lines[0].points + sale->lines[1].points, 900);
  EXPECT_EQ(sale->lines[0].points, 540);  // ¥60 less its ¥6 share of the points, × 10
  ASSERT_TRUE(sale->points_balance.has_value());
  EXPECT_EQ(*sale->points_balance, 1500 - 1000 + 900);
  EXPECT_EQ(env.Balance(card), 1400);
  EXPECT_EQ(sale->programme_version, 1);
  EXPECT_EQ(sale->explain.front(),
            "¥10.00 paid with points earns nothing (taken off the lines in proportion)");

  // A retry with the key returns the same sale and changes nothing; the receipt number cannot be
  // used again with another key.
  auto again =
      checkout.Settle(env.Keyed("sale-1"), Sale(card, basket, {Points(1000), Cash(9000)}, "R1"));
  ASSERT_TRUE(again) << again.error().ToString();
  EXPECT_TRUE(again->replayed);
  EXPECT_EQ(again->id, sale->id);
  auto reused = checkout.Settle(env.Req(), Sale(card, basket, {Cash(10000)}, "R1"));
  ASSERT_FALSE(reused);
  EXPECT_EQ(reused.error().code, ErrorCode::kCodeTaken);
  auto changed = checkout.Settle(env.Keyed("sale-1"), Sale(card, basket, {Cash(10000)}, "R1"));
  ASSERT_FALSE(changed);
  EXPECT_EQ(changed.error().code, ErrorCode::kIdempotencyConflict);
  EXPECT_EQ(Count(env, "sales"), 1);
  EXPECT_EQ(env.Balance(card), 1400);

  // The recorded sale reads back as settled, with its tenders and why.
  auto stored = checkout.Get(env.tenant(), sale->id);
  ASSERT_TRUE(stored) << stored.error().ToString();
  EXPECT_EQ(stored->doc_no, "R1");
  EXPECT_EQ(stored->store, "s1");
  ASSERT_EQ(stored->tenders.size(), 2U);
  EXPECT_EQ(stored->tenders[0].method, "points");
  EXPECT_EQ(stored->tenders[0].amount, 1000);
  EXPECT_EQ(stored->tenders[1].amount, 9000);
  EXPECT_EQ(stored->explain, sale->explain);
  EXPECT_EQ(stored->entry_id, sale->entry_id);

  auto state = env.services().tiers().State(env.tenant(), core::MemberId{env.MemberOf(card)});
  ASSERT_TRUE(state) << state.error().ToString();
  EXPECT_EQ(state->cumulative_spend, 10000);
  EXPECT_EQ(state->cumulative_points, 900);
  EXPECT_EQ(state->purchases, 1);
  EXPECT_EQ(state->tier, "member");
  EXPECT_TRUE(state->history.empty());
  EXPECT_EQ(env.VerifyProblems(), "");
}

// A member whose tier the version now in force no longer has is priced from the lowest tier —
// by the quote as by the settle — and the receipt says why.
TEST(CheckoutTest, ATierTheNewVersionDropsIsPricedFromTheLowestAlikeInQuoteAndSettle) {
  TestEnv env;
  UseProgramme(env, ExampleProgramme("p1a.toml"));
  const std::string card = env.NewCard();
  auto set = env.services().tiers().SetTier(env.Req(""), core::MemberId{env.MemberOf(card)},
                                            "silver", "dealer account", "HO-1");
  ASSERT_TRUE(set) << set.error().ToString();
  env.clock().AdvanceSeconds(1);
  UseProgramme(env, ExampleProgramme("p3.toml"));  // tiers: member, deposit-…
  auto& checkout = env.services().checkout();
  const std::string basket = R"([{"sku": "SHAMPOO", "price": "60.00"}])";
  const std::string note = "tier silver is not in version 2; priced from the lowest tier";
  auto quote = checkout.Quote(env.Req(), Sale(card, basket, {}, ""));
  ASSERT_TRUE(quote) << quote.error().ToString();
  EXPECT_EQ(quote->tier, "member");
  ASSERT_FALSE(quote->explain.empty());
  EXPECT_EQ(quote->explain.front(), note);
  auto sale = checkout.Settle(env.Req(), Sale(card, basket, {Cash(6000)}, "R1"));
  ASSERT_TRUE(sale) << sale.error().ToString();
  EXPECT_EQ(sale->tier, "member");
  EXPECT_EQ(sale->explain.front(), note);
  EXPECT_EQ(sale->due, quote->due);
  EXPECT_EQ(sale->points_earned, quote->points_earned);
}

// The till's first look-up: by card or by phone, one answer with balances and alerts.
TEST(CheckoutTest, IdentifyByCardOrPhoneGivesBalancesTierAndAlerts) {
  TestEnv env;
  service::MemberChanges changes;
  const std::string today = service::LocalDate(env.tenant().timezone, env.clock().Now()).ToString();
  changes.profile = {
      {"name", "陈静"}, {"phone", "13912345678"}, {"birthday", "1990" + today.substr(4)}};
  auto member = env.services().members().Add(env.Req(), changes);
  ASSERT_TRUE(member) << member.error().ToString();
  service::IssueCardRequest issue;
  issue.member_id = member->id;
  issue.type = "member";
  auto issued = env.services().cards().Issue(env.Req(), issue);
  ASSERT_TRUE(issued) << issued.error().ToString();
  const std::string card = issued->card.number;
  env.Earn(card, 300);
  env.Earn(card, 40, env.clock().Now().PlusSeconds(7 * 24 * 3600));
  env.TopUp(card, 12345);

  auto by_phone = service::Identify(env.services(), env.tenant(), {"", "13912345678"});
  ASSERT_TRUE(by_phone) << by_phone.error().ToString();
  EXPECT_EQ(by_phone->member_id, member->id);
  EXPECT_EQ(by_phone->name, "陈静");
  EXPECT_EQ(by_phone->phone, "139****5678");
  EXPECT_EQ(by_phone->card, card);
  EXPECT_EQ(by_phone->points, 340);
  EXPECT_EQ(by_phone->stored_value, 12345);
  EXPECT_EQ(by_phone->next_points_expiry_amount, 40);
  EXPECT_EQ(by_phone->alerts,
            (std::vector<std::string>{
                "birthday today",
                "40 points expire on " +
                    service::LocalDateTime(env.tenant().timezone, *by_phone->next_points_expiry)
                        .substr(0, 10)}));

  ASSERT_TRUE(env.services().cards().Apply(env.Req(), card, core::CardOp::kFreeze, "dispute"));
  auto by_card = service::Identify(env.services(), env.tenant(), {card, ""});
  ASSERT_TRUE(by_card) << by_card.error().ToString();
  EXPECT_EQ(by_card->member_id, member->id);
  ASSERT_FALSE(by_card->alerts.empty());
  EXPECT_EQ(by_card->alerts.front().rfind("card " + card + " is ", 0), 0U)
      << by_card->alerts.front();

  auto nobody = service::Identify(env.services(), env.tenant(), {"", "13000000000"});
  ASSERT_FALSE(nobody);
  EXPECT_EQ(nobody.error().code, ErrorCode::kMemberNotFound);
  EXPECT_FALSE(service::Identify(env.services(), env.tenant(), {"", ""}));
  EXPECT_EQ(service::Identify(env.services(), env.tenant(), {"8899", ""}).error().code,
            ErrorCode::kCardNotFound);
}

TEST(CheckoutTest, StoredValueAndWalkInSalesAndRefusalsChangeNothing) {
  TestEnv env;
  UseProgramme(env, ExampleProgramme("p1a.toml"));
  const std::string card = env.NewCard();
  env.TopUp(card, 50000);
  auto& checkout = env.services().checkout();
  const std::string basket = R"([{"sku": "TEA", "quantity": 3, "price": "100.00"}])";

  auto sale = checkout.Settle(
      env.Req(),
      Sale(card, basket, {StoredValue(20000), {"bank_card", 10000, 0, "SLIP-1", "", ""}}, "R1"));
  ASSERT_TRUE(sale) << sale.error().ToString();
  EXPECT_EQ(sale->points_earned, 300);  // ¥1 = 1 point on everything paid but points
  ASSERT_TRUE(sale->stored_value_balance.has_value());
  EXPECT_EQ(*sale->stored_value_balance, 30000);
  EXPECT_EQ(env.Balance(card, core::Asset::kStoredValue), 30000);
  EXPECT_EQ(env.Balance(card), 300);

  // Not enough stored value, a tender that is not one, points for a walk-in, no store: refused,
  // nothing written.
  const std::int64_t entries = Count(env, "entries");
  auto broke = checkout.Settle(env.Req(), Sale(card, basket, {StoredValue(30001)}, "R2"));
  ASSERT_FALSE(broke);
  EXPECT_EQ(broke.error().code, ErrorCode::kInvalidArgument);  // 300.01 ≠ due
  broke = checkout.Settle(
      env.Req(), Sale(card, R"([{"sku": "X", "price": "400.00"}])", {StoredValue(40000)}, "R2"));
  ASSERT_FALSE(broke);
  EXPECT_EQ(broke.error().code, ErrorCode::kInsufficientBalance);
  EXPECT_EQ(broke.error().field, "tenders[0]");
  auto unknown =
      checkout.Settle(env.Req(), Sale(card, basket, {{"cheque", 30000, 0, "", "", ""}}, "R2"));
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().field, "tenders[0].method");
  auto walk_in_points = checkout.Settle(env.Req(), Sale("", basket, {Points(10)}, "R2"));
  ASSERT_FALSE(walk_in_points);
  EXPECT_EQ(walk_in_points.error().field, "tenders[0].method");
  auto head_office = checkout.Settle(env.Req(""), Sale(card, basket, {Cash(30000)}, "R2"));
  ASSERT_FALSE(head_office);
  EXPECT_EQ(head_office.error().field, "store");
  auto no_key = env.Req();
  no_key.idempotency_key.clear();
  auto unkeyed = checkout.Settle(no_key, Sale(card, basket, {Cash(30000)}, "R2"));
  ASSERT_FALSE(unkeyed);
  EXPECT_EQ(unkeyed.error().code, ErrorCode::kIdempotencyKeyMissing);
  EXPECT_EQ(Count(env, "entries"), entries);
  EXPECT_EQ(Count(env, "sales"), 1);
  EXPECT_EQ(env.Balance(card, core::Asset::kStoredValue), 30000);

  // A walk-in sale is priced at list and recorded, with nothing moved on any card.
  auto walk_in = checkout.Settle(env.Req("s2"), Sale("", basket, {Cash(30000)}, "R1"));
  ASSERT_TRUE(walk_in) << walk_in.error().ToString();
  EXPECT_EQ(walk_in->member_id, 0);
  EXPECT_EQ(walk_in->entry_id, 0);
  EXPECT_EQ(walk_in->points_earned, 0);
  EXPECT_EQ(Count(env, "entries"), entries);
  EXPECT_EQ(Count(env, "sales"), 2);
  EXPECT_EQ(env.VerifyProblems(), "");
}

TEST(CheckoutTest, ManyTillsPayingFromOneStoredValueNeverOverdraw) {
  TestEnv env;
  UseProgramme(env, ExampleProgramme("p1a.toml"));
  const std::string card = env.NewCard();
  env.TopUp(card, 100000);  // ¥1,000: room for exactly ten ¥100 sales
  std::atomic<int> ok = 0;
  std::atomic<int> refused = 0;
  std::vector<std::thread> tills;
  for (int t = 0; t < 8; ++t) {
    tills.emplace_back([&, t] {
      for (int i = 0; i < 4; ++i) {
        const std::string doc = "T" + std::to_string(t) + "-" + std::to_string(i);
        auto r = env.services().checkout().Settle(
            env.Req(t % 2 == 0 ? "s1" : "s2"),
            Sale(card, R"([{"sku": "X", "price": "100.00"}])", {StoredValue(10000)}, doc));
        if (r) {
          ++ok;
        } else if (r.error().code == ErrorCode::kInsufficientBalance) {
          ++refused;
        } else {
          ADD_FAILURE() << r.error().ToString();
        }
      }
    });
  }
  for (std::thread& t : tills) t.join();
  EXPECT_EQ(ok.load(), 10);
  EXPECT_EQ(refused.load(), 22);
  EXPECT_EQ(env.Balance(card, core::Asset::kStoredValue), 0);
  EXPECT_EQ(env.Balance(card), 1000);  // 100 points a sale
  EXPECT_EQ(Count(env, "sales"), 10);
  EXPECT_EQ(env.VerifyProblems(), "");
}

// P2 through two years: a single purchase lifts a member to silver (the purchase repriced at
// silver), others to platinum; the yearly review keeps the one who spent
// and drops the one who did not to gold; spend since then regains platinum; the review is
// idempotent.
TEST(CheckoutTest, TiersRiseBySalesFallAtTheReviewAndAreRegained) {
  TestEnv env;
  AddCategories(env, {"non-earning"});
  UseProgramme(env, ExampleProgramme("p2.toml"));
  auto& checkout = env.services().checkout();
  auto& tiers = env.services().tiers();
  const std::string a = env.NewCard("A", "gold");
  const std::string b = env.NewCard("B", "gold");
  const std::string c = env.NewCard("C", "gold");
  const core::MemberId ma{env.MemberOf(a)};
  const core::MemberId mb{env.MemberOf(b)};
  const core::MemberId mc{env.MemberOf(c)};

  // ¥6,000 in one purchase: silver, priced at silver (5% off → ¥5,700), earning 57 × 2.
  auto s1 = checkout.Settle(
      env.Req(), Sale(a, R"([{"sku": "SOFA", "price": "6000.00"}])", {Cash(570000)}, "R-A1"));
  ASSERT_TRUE(s1) << s1.error().ToString();
  EXPECT_EQ(s1->tier_before, "ordinary");
  EXPECT_EQ(s1->tier, "silver");
  EXPECT_EQ(s1->tier_after, "silver");
  EXPECT_EQ(s1->due, 570000);
  EXPECT_EQ(s1->points_earned, 114);
  auto state_a = tiers.State(env.tenant(), ma);
  ASSERT_TRUE(state_a) << state_a.error().ToString();
  EXPECT_EQ(state_a->tier, "silver");
  ASSERT_EQ(state_a->history.size(), 1U);
  EXPECT_EQ(state_a->history[0].from, "ordinary");
  EXPECT_EQ(state_a->history[0].to, "silver");
  EXPECT_EQ(state_a->history[0].cause, "purchase");
  EXPECT_EQ(state_a->history[0].doc_no, "R-A1");
  EXPECT_EQ(state_a->history[0].sale_id, s1->id);
  EXPECT_EQ(state_a->history[0].programme_version, 1);

  // B and C reach platinum with ¥50,000 each in one purchase (priced at platinum, 15% off).
  for (const auto& [card, doc] : {std::pair{b, "R-B1"}, std::pair{c, "R-C1"}}) {
    auto s = checkout.Settle(
        env.Req(), Sale(card, R"([{"sku": "CAR", "price": "50000.00"}])", {Cash(4250000)}, doc));
    ASSERT_TRUE(s) << s.error().ToString();
    EXPECT_EQ(s->tier_after, "platinum");
    EXPECT_EQ(s->points_earned, 2125);  // 425 × 5
  }

  // The review at the start of 2027 judges 2026: B and C entered platinum during it.
  env.clock().Set(At(env, "2027-01-01", 1));
  auto first = tiers.Review(env.Req(""), *core::CivilDate::Parse("2027-01-01", "d"));
  ASSERT_TRUE(first) << first.error().ToString();
  EXPECT_EQ(first->period_first->ToString(), "2026-01-01");
  EXPECT_EQ(first->period_last->ToString(), "2026-12-31");
  EXPECT_EQ(first->judged, 0);
  EXPECT_EQ(first->not_yet, 2);

  // In 2027 C spends ¥30,000 (upkeep met), B only ¥1,000.
  env.clock().Set(At(env, "2027-03-01"));
  ASSERT_TRUE(checkout.Settle(
      env.Req(), Sale(c, R"([{"sku": "X", "price": "35294.12"}])", {Cash(3000000)}, "R-C2")));
  ASSERT_TRUE(checkout.Settle(
      env.Req(), Sale(b, R"([{"sku": "Y", "price": "1000.00"}])", {Cash(85000)}, "R-B2")));

  // Not before the year is over.
  auto early = tiers.Review(env.Req(""), *core::CivilDate::Parse("2028-01-01", "d"));
  ASSERT_FALSE(early);
  EXPECT_EQ(early.error().field, "as_of");

  env.clock().Set(At(env, "2028-01-02", 2));
  auto review = tiers.Review(env.Req(""), *core::CivilDate::Parse("2028-01-02", "d"));
  ASSERT_TRUE(review) << review.error().ToString();
  EXPECT_EQ(review->judged, 2);
  EXPECT_EQ(review->kept, 1);
  EXPECT_EQ(review->downgraded, 1);
  ASSERT_EQ(review->changes.size(), 1U);
  EXPECT_EQ(review->changes[0].member_id, mb.value);
  EXPECT_EQ(review->changes[0].to, "gold");
  EXPECT_EQ(review->changes[0].spend, 85000);
  auto state_b = tiers.State(env.tenant(), mb);
  ASSERT_TRUE(state_b);
  EXPECT_EQ(state_b->tier, "gold");
  EXPECT_EQ(state_b->downgraded_from, "platinum");
  EXPECT_EQ(state_b->history.back().cause, "review");
  EXPECT_EQ(state_b->history.back().doc_no, "tier-review 2028-01-02");
  auto state_c = tiers.State(env.tenant(), mc);
  ASSERT_TRUE(state_c);
  EXPECT_EQ(state_c->tier, "platinum");

  // Run again for the date: the same report; for a later date in the same period: nobody twice.
  auto rerun = tiers.Review(env.Req(""), *core::CivilDate::Parse("2028-01-02", "d"));
  ASSERT_TRUE(rerun);
  EXPECT_TRUE(rerun->replayed);
  EXPECT_EQ(rerun->downgraded, 1);
  env.clock().Set(At(env, "2028-02-01"));
  auto later = tiers.Review(env.Req(""), *core::CivilDate::Parse("2028-02-01", "d"));
  ASSERT_TRUE(later) << later.error().ToString();
  EXPECT_FALSE(later->replayed);
  EXPECT_EQ(later->judged, 0);
  EXPECT_EQ(later->already, 2);
  EXPECT_EQ(tiers.State(env.tenant(), mb)->tier, "gold");

  // B spends ¥30,000 again in two purchases at gold (10% off). The first takes B's points to
  // date past platinum's 2,500, which does not bring the lost tier back; the second crosses the
  // upkeep and regains platinum, still priced at gold.
  auto b3 = checkout.Settle(
      env.Req(), Sale(b, R"([{"sku": "Z", "price": "20000.00"}])", {Cash(1800000)}, "R-B3"));
  ASSERT_TRUE(b3) << b3.error().ToString();
  EXPECT_EQ(b3->tier_after, "gold");
  EXPECT_GE(tiers.State(env.tenant(), mb)->cumulative_points, 2500);
  auto regain = checkout.Settle(
      env.Req(), Sale(b, R"([{"sku": "Z", "price": "14000.00"}])", {Cash(1260000)}, "R-B4"));
  ASSERT_TRUE(regain) << regain.error().ToString();
  EXPECT_EQ(regain->tier, "gold");
  EXPECT_EQ(regain->tier_after, "platinum");
  state_b = tiers.State(env.tenant(), mb);
  ASSERT_TRUE(state_b);
  EXPECT_EQ(state_b->tier, "platinum");
  EXPECT_EQ(state_b->downgraded_from, "");
  EXPECT_EQ(state_b->history.back().cause, "regain");
  EXPECT_EQ(state_b->history.back().doc_no, "R-B4");
  EXPECT_EQ(env.VerifyProblems(), "");
}

TEST(CheckoutTest, StaffPutAMemberInATierWithAReason) {
  TestEnv env;
  AddCategories(env, {"non-earning"});
  UseProgramme(env, ExampleProgramme("p2.toml"));
  auto& tiers = env.services().tiers();
  const core::MemberId m{env.MemberOf(env.NewCard())};
  auto no_reason = tiers.SetTier(env.Req(""), m, "gold", "", "");
  ASSERT_FALSE(no_reason);
  EXPECT_EQ(no_reason.error().field, "reason");
  auto unknown = tiers.SetTier(env.Req(""), m, "diamond", "complaint settled", "");
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().field, "tier");
  EXPECT_NE(unknown.error().message.find("ordinary, silver, gold"), std::string::npos);
  auto missing = tiers.SetTier(env.Req(""), core::MemberId{999}, "gold", "x", "");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, ErrorCode::kMemberNotFound);

  auto set = tiers.SetTier(env.Req(""), m, "gold", "complaint settled", "CS-17");
  ASSERT_TRUE(set) << set.error().ToString();
  EXPECT_EQ(set->tier, "gold");
  ASSERT_EQ(set->history.size(), 1U);
  EXPECT_EQ(set->history[0].cause, "staff");
  EXPECT_EQ(set->history[0].reason, "complaint settled");
  EXPECT_EQ(set->history[0].doc_no, "CS-17");
  auto same = tiers.SetTier(env.Req(""), m, "gold", "again", "");
  ASSERT_FALSE(same);
  EXPECT_EQ(Count(env, "tier_changes"), 1);
}

}  // namespace
}  // namespace onecard::testing

namespace onecard::testing {
namespace {

std::string Replace(std::string text, const std::string& from, const std::string& to) {
  const auto at = text.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  if (at != std::string::npos) text.replace(at, from.size(), to);
  return text;
}

// `simulate` replays recorded sales under a draft: the version that priced them gives back
// exactly what happened; changed rates and thresholds change the outcome accordingly; nothing is
// written.
TEST(SimulateTest, ADraftReplaysRecordedSalesAndTheFiguresFollowItsRules) {
  TestEnv env;
  AddCategories(env, {"non-earning"});
  const std::string p2 = ExampleProgramme("p2.toml");
  UseProgramme(env, p2);
  auto& checkout = env.services().checkout();
  const std::string a = env.NewCard("A");
  const std::string b = env.NewCard("B");
  ASSERT_TRUE(checkout.Settle(
      env.Req(), Sale(a, R"([{"sku": "SOFA", "price": "6000.00"}])", {Cash(570000)}, "R1")));
  ASSERT_TRUE(checkout.Settle(
      env.Req(), Sale(b, R"([{"sku": "LAMP", "price": "1000.00"}])", {Cash(100000)}, "R2")));
  ASSERT_TRUE(checkout.Settle(
      env.Req("s2"), Sale("", R"([{"sku": "LAMP", "price": "100.00"}])", {Cash(10000)}, "R3")));
  const auto from = *core::CivilDate::Parse("2026-11-01", "d");
  const auto to = *core::CivilDate::Parse("2026-11-30", "d");
  auto& programmes = env.services().programmes();
  const std::int64_t entries = Count(env, "entries");

  auto same = programmes.Simulate(env.tenant(), p2, from, to);
  ASSERT_TRUE(same) << same.error().ToString();
  EXPECT_EQ(same->sales, 2);
  EXPECT_EQ(same->walk_in_sales, 1);
  EXPECT_EQ(same->members, 2);
  EXPECT_EQ(same->failed, 0);
  EXPECT_EQ(same->actual.points_issued, 114 + 10);
  EXPECT_EQ(same->draft.points_issued, same->actual.points_issued);
  EXPECT_EQ(same->draft.discounts, same->actual.discounts);
  EXPECT_EQ(same->actual.discounts, 30000);
  EXPECT_EQ(same->draft.paid, same->actual.paid);
  ASSERT_EQ(same->draft.tiers.size(), 2U);
  EXPECT_EQ(same->draft.tiers[0].tier, "ordinary");
  EXPECT_EQ(same->draft.tiers[1].tier, "silver");

  // Twice the rate: twice the points, same prices.
  auto doubled = programmes.Simulate(
      env.tenant(),
      Replace(p2, "rate = { points = 1, per = 100 }", "rate = { points = 2, per = 100 }"), from,
      to);
  ASSERT_TRUE(doubled) << doubled.error().ToString();
  EXPECT_EQ(doubled->draft.points_issued, 2 * (114 + 10));
  EXPECT_EQ(doubled->draft.paid, same->actual.paid);
  ASSERT_FALSE(doubled->most_affected.empty());
  EXPECT_EQ(doubled->most_affected[0].member_id, env.MemberOf(a));
  EXPECT_EQ(doubled->most_affected[0].draft_points, 228);

  // Silver from ¥7,000: A's sofa no longer qualifies — full price, ordinary points.
  auto stricter =
      programmes.Simulate(env.tenant(),
                          Replace(p2, "entry = { single_purchase = 5000, cumulative_points = 200 }",
                                  "entry = { single_purchase = 7000, cumulative_points = 200 }"),
                          from, to);
  ASSERT_TRUE(stricter) << stricter.error().ToString();
  EXPECT_EQ(stricter->draft.discounts, 0);
  EXPECT_EQ(stricter->draft.points_issued, 60 + 10);
  ASSERT_EQ(stricter->draft.tiers.size(), 1U);
  EXPECT_EQ(stricter->draft.tiers[0].tier, "ordinary");
  EXPECT_EQ(stricter->draft.tiers[0].members, 2);

  // Outside the period, nothing; a broken draft or a backwards period is refused.
  auto later = programmes.Simulate(env.tenant(), p2, *core::CivilDate::Parse("2027-01-01", "d"),
                                   *core::CivilDate::Parse("2027-12-31", "d"));
  ASSERT_TRUE(later);
  EXPECT_EQ(later->sales, 0);
  auto broken =
      programmes.Simulate(env.tenant(), Replace(p2, "discount = \"5%\"", "discount = 5"), from, to);
  ASSERT_FALSE(broken);
  EXPECT_EQ(broken.error().code, ErrorCode::kFieldInvalid);
  auto backwards = programmes.Simulate(env.tenant(), p2, to, from);
  ASSERT_FALSE(backwards);
  EXPECT_EQ(backwards.error().field, "to");
  EXPECT_EQ(Count(env, "entries"), entries);
  EXPECT_EQ(Count(env, "sales"), 3);
}

}  // namespace
}  // namespace onecard::testing

namespace onecard::testing {
namespace {

// P1b through a fiscal year of orders: 1 cashable point per full ¥1,000, the remainder carried
// from order to order in the member's state, points valid to the end of the fiscal year (March).
TEST(SeedProgrammeTest, P1bCarriesTheRemainderFromOrderToOrderAndExpiresAtTheFiscalYearEnd) {
  TestEnv env;
  UseProgramme(env, ExampleProgramme("p1b.toml"));
  auto& checkout = env.services().checkout();
  const std::string card = env.NewCard("Sales 1");
  const core::MemberId member{env.MemberOf(card)};
  struct Order {
    const char* date;
    const char* price;
    std::int64_t fen;
    std::int64_t points;  // earned by this order
    std::int64_t carried;
  };
  // ¥2,500 → 2 points, ¥500 carried; ¥700 + 500 → 1 point, ¥200 carried; ¥800 + 200 → 1, 0.
  const Order orders[] = {{"2026-11-24", "2500.00", 250000, 2, 50000},
                          {"2026-12-15", "700.00", 70000, 1, 20000},
                          {"2027-01-20", "800.00", 80000, 1, 0},
                          {"2027-04-02", "999.99", 99999, 0, 99999}};
  int n = 0;
  for (const Order& o : orders) {
    env.clock().Set(At(env, o.date));
    auto sale = checkout.Settle(
        env.Req(), Sale(card, std::string(R"([{"sku": "ORDER", "price": ")") + o.price + "\"}]",
                        {{"bank_card", o.fen, 0, "", "", ""}}, "SO-" + std::to_string(++n)));
    ASSERT_TRUE(sale) << o.date << ": " << sale.error().ToString();
    EXPECT_EQ(sale->points_earned, o.points) << o.date;
    if (o.points > 0) {
      EXPECT_EQ(sale->point_asset, "cashable_points");
      // Earned before April 2027: valid to 2027-03-31.
      EXPECT_EQ(sale->points_expire_on->ToString(), "2027-03-31") << o.date;
    }
    auto state = env.services().tiers().State(env.tenant(), member);
    ASSERT_TRUE(state);
    EXPECT_EQ(state->carried_fen, o.carried) << o.date;
  }
  EXPECT_EQ(env.Balance(card, core::Asset::kCashablePoints), 4);
  // After the fiscal year, the expiry run writes the four points off.
  auto expired = env.ledger().Expire(env.Req(""), *core::CivilDate::Parse("2027-03-31", "d"));
  ASSERT_TRUE(expired) << expired.error().ToString();
  EXPECT_EQ(env.Balance(card, core::Asset::kCashablePoints), 0);
  EXPECT_EQ(env.VerifyProblems(), "");
}

// P1a through fourteen months with two members: earning ¥1 = 1 point (floor), tiers by spend to
// date (one skipped), points paying at the tier's value, returns — one of them taking the tier
// back —, points valid twelve months written off by the expiry run. Then the same year under
// other numbers: the outcomes follow the document, not the code.
TEST(SeedProgrammeTest, P1aTwoMembersThroughAYearOfSalesReturnsAndExpiry) {
  TestEnv env;
  env.clock().Set(At(env, "2025-12-31"));
  UseProgramme(env, ExampleProgramme("p1a.toml"));
  auto& checkout = env.services().checkout();
  const std::string a = env.NewCard("李娜");
  const std::string b = env.NewCard("王芳");
  const auto sell = [&](const std::string& date, const std::string& card, const std::string& doc,
                        const std::string& lines, std::vector<service::TenderSpec> tenders) {
    env.clock().Set(At(env, date));
    auto sale = checkout.Settle(env.Req(), Sale(card, lines, std::move(tenders), doc));
    EXPECT_TRUE(sale) << doc << ": " << sale.error().ToString();
    return sale ? *sale : service::SaleView{};
  };
  const auto has = [](const std::vector<std::string>& lines, const std::string& text) {
    return std::any_of(lines.begin(), lines.end(),
                       [&](const std::string& l) { return l.find(text) != std::string::npos; });
  };

  // A: ¥1,500.50 earns 1,500 (floor), valid to 2027-01-09; ordinary.
  auto jacket =
      sell("2026-01-10", a, "A1", R"([{"sku": "JACKET", "price": "1500.50"}])", {Cash(150050)});
  EXPECT_EQ(jacket.points_earned, 1500);
  EXPECT_EQ(jacket.points_expire_on->ToString(), "2027-01-09");
  EXPECT_EQ(jacket.tier_after, "ordinary");
  EXPECT_TRUE(
      has(jacket.explain, "earn: ¥1500.50 paid × 0.01 points per fen = 1500 points (floor)"))
      << json(jacket.explain).dump();
  // B: ¥12,000 goes past silver straight to gold.
  auto ring = sell("2026-02-14", b, "B1", R"([{"sku": "RING", "price": "12000.00"}])",
                   {{"bank_card", 1200000, 0, "SLIP-B1", "", ""}});
  EXPECT_EQ(ring.tier_after, "gold");
  EXPECT_EQ(ring.tier_reason, "cumulative spend ¥12000.00 ≥ ¥10000.00");
  // A: ¥600 more reaches silver (¥2,100.50 to date); this purchase stays priced at ordinary.
  auto shoes =
      sell("2026-03-05", a, "A2", R"([{"sku": "SHOES", "price": "600.00"}])", {Cash(60000)});
  EXPECT_EQ(shoes.tier, "ordinary");
  EXPECT_EQ(shoes.tier_after, "silver");
  EXPECT_TRUE(has(shoes.explain,
                  "tier silver reached by cumulative spend ¥2100.50 ≥ ¥2000.00; "
                  "this purchase stays priced at ordinary"))
      << json(shoes.explain).dump();
  // A pays ¥100 of a ¥300 bag with 500 points at silver's ¥0.20, from the oldest lot.
  auto bag = sell("2026-04-01", a, "A3", R"([{"sku": "BAG", "price": "300.00"}])",
                  {Points(500), Cash(20000)});
  EXPECT_EQ(bag.points_value, 10000);
  EXPECT_EQ(bag.points_earned, 200);
  EXPECT_EQ(env.Balance(a), 1500 + 600 - 500 + 200);
  EXPECT_EQ(QueryInt(env.db_path(), "SELECT remaining FROM lots WHERE amount = 1500"), 1000);
  // B pays ¥900 of a ¥1,000 watch with 3,000 points at gold's ¥0.30, and brings it back the
  // next day: the points go back into the ring's lot, the 100 earned go, the ¥100 is handed back.
  auto watch = sell("2026-06-01", b, "B2", R"([{"sku": "WATCH", "price": "1000.00"}])",
                    {Points(3000), Cash(10000)});
  EXPECT_EQ(watch.points_value, 90000);
  EXPECT_EQ(env.Balance(b), 12000 - 3000 + 100);
  env.clock().Set(At(env, "2026-06-02"));
  auto watch_back = checkout.Return(
      env.Req(), service::ReturnSpec{watch.id, "", "", true, {}, "BR1", "did not fit"});
  ASSERT_TRUE(watch_back) << watch_back.error().ToString();
  EXPECT_EQ(watch_back->points_restored, 3000);
  EXPECT_EQ(watch_back->points_taken_back, 100);
  EXPECT_EQ(watch_back->tenders[1].refund, 10000);
  EXPECT_EQ(env.Balance(b), 12000);
  EXPECT_EQ(QueryInt(env.db_path(), "SELECT remaining FROM lots WHERE amount = 12000"), 12000);
  EXPECT_EQ(watch_back->tier_after, "gold");
  // A brings the shoes back: ¥1,800.50 to date no longer reaches silver.
  env.clock().Set(At(env, "2026-06-03"));
  auto shoes_back = checkout.Return(
      env.Req(), service::ReturnSpec{shoes.id, "", "", true, {}, "AR1", "wrong size"});
  ASSERT_TRUE(shoes_back) << shoes_back.error().ToString();
  EXPECT_EQ(shoes_back->points_taken_back, 600);
  EXPECT_EQ(shoes_back->tier_after, "ordinary");
  auto state_a = env.services().tiers().State(env.tenant(), core::MemberId{env.MemberOf(a)});
  ASSERT_TRUE(state_a);
  EXPECT_EQ(state_a->tier, "ordinary");
  EXPECT_EQ(state_a->cumulative_spend, 150050 + 30000);
  ASSERT_EQ(state_a->history.size(), 2U);
  EXPECT_EQ(state_a->history[1].cause, "return");
  EXPECT_EQ(env.Balance(a), 1200);

  // A year on, the expiry run writes off what is left of each year-old lot, nothing younger.
  env.clock().Set(At(env, "2027-01-10"));
  auto first = env.ledger().Expire(env.Req(""), *core::CivilDate::Parse("2027-01-09", "d"));
  ASSERT_TRUE(first) << first.error().ToString();
  EXPECT_EQ(first->points_expired, 1000);
  EXPECT_EQ(env.Balance(a), 200);  // the bag's points, valid to 2027-03-31
  EXPECT_EQ(env.Balance(b), 12000);
  env.clock().Set(At(env, "2027-02-14"));
  auto second = env.ledger().Expire(env.Req(""), *core::CivilDate::Parse("2027-02-13", "d"));
  ASSERT_TRUE(second) << second.error().ToString();
  EXPECT_EQ(second->points_expired, 12000);
  EXPECT_EQ(env.Balance(b), 0);
  EXPECT_EQ(env.VerifyProblems(), "");

  // Other numbers, same code: silver from ¥1,000 and 2 points per ¥1.
  TestEnv other;
  other.clock().Set(At(other, "2025-12-31"));
  std::string doc = ExampleProgramme("p1a.toml");
  for (const auto& [from, to] :
       {std::pair<std::string, std::string>{"cumulative_spend = 2000", "cumulative_spend = 1000"},
        {"rate = { points = 1, per = 1 }", "rate = { points = 2, per = 1 }"}}) {
    const auto at = doc.find(from);
    ASSERT_NE(at, std::string::npos) << from;
    doc.replace(at, from.size(), to);
  }
  UseProgramme(other, doc);
  other.clock().Set(At(other, "2026-01-10"));
  const std::string c = other.NewCard("李娜");
  auto again = other.services().checkout().Settle(
      other.Req(), Sale(c, R"([{"sku": "JACKET", "price": "1500.50"}])", {Cash(150050)}, "A1"));
  ASSERT_TRUE(again) << again.error().ToString();
  EXPECT_EQ(again->points_earned, 3001);
  EXPECT_EQ(again->tier_after, "silver");
}

}  // namespace
}  // namespace onecard::testing
