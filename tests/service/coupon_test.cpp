// Coupons (issue #5 item 8, R-504): campaigns checked before anything is written; unique codes
// shown once and stored only as hashes; promo codes; a use priced before points are earned and
// recorded with the sale, atomically; single use, per-member and total limits and budgets that
// hold under concurrency and retries; members' own coupons; dates, voiding and stopping;
// guessed codes counted and locked out; a full return gives the use back where the rule says so;
// any coupon on any basket, returned in any pieces, refunds exactly what was paid.
#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>

#include <atomic>
#include <thread>

#include "service/identify.hpp"
#include "support/test_env.hpp"

namespace onecard::testing {
namespace {

using core::ErrorCode;
using nlohmann::json;

std::int64_t Query(TestEnv& env, const std::string& sql) {
  return QueryInt(env.db_path(), sql);
}

service::CampaignSpec Fixed(const std::string& code, std::int64_t off, std::int64_t min_spend) {
  service::CampaignSpec c;
  c.code = code;
  c.name = "Campaign " + code;
  c.kind = "fixed";
  c.amount_off = off;
  c.min_spend = min_spend;
  return c;
}

service::SaleSpec Sale(const std::string& card,
                       std::vector<std::pair<std::string, std::int64_t>> items, std::int64_t cash,
                       const std::string& doc, std::vector<service::CouponUse> coupons) {
  service::SaleSpec s;
  s.card = card;
  for (const auto& [sku, price] : items) {
    core::BasketLine l;
    l.sku = sku;
    l.unit_price = price;
    s.lines.push_back(l);
  }
  if (cash > 0) s.tenders.push_back({"cash", cash, 0, "", "", ""});
  s.doc_no = doc;
  s.coupons = std::move(coupons);
  return s;
}

service::CouponUse Code(const std::string& code) {
  return {code, 0};
}

class CouponTest : public ::testing::Test {
 protected:
  CouponTest() { UseProgramme(env_, ExampleProgramme("p3.toml")); }

  service::CampaignView Make(const service::CampaignSpec& spec) {
    auto c = env_.services().coupons().CreateCampaign(env_.Req(""), spec);
    EXPECT_TRUE(c) << c.error().ToString();
    return c ? *c : service::CampaignView{};
  }
  std::vector<service::CouponView> Issue(const std::string& campaign, const std::string& card,
                                         std::int64_t count = 1) {
    auto v = env_.services().coupons().Issue(env_.Req(""), campaign, {card, count});
    EXPECT_TRUE(v) << v.error().ToString();
    return v ? v->coupons : std::vector<service::CouponView>{};
  }
  service::CampaignView Campaign(const std::string& code) {
    auto c = env_.services().coupons().GetCampaign(env_.tenant(), code);
    EXPECT_TRUE(c) << c.error().ToString();
    return c ? *c : service::CampaignView{};
  }

  TestEnv env_;
};

TEST_F(CouponTest, ABadCampaignIsRefusedNamingTheFieldAndNothingIsWritten) {
  auto& coupons = env_.services().coupons();
  const auto refused = [&](service::CampaignSpec spec, ErrorCode code, const std::string& field) {
    auto r = coupons.CreateCampaign(env_.Req(""), spec);
    ASSERT_FALSE(r) << spec.code;
    EXPECT_EQ(r.error().code, code) << r.error().ToString();
    EXPECT_EQ(r.error().field, field) << r.error().ToString();
  };
  auto kind = Fixed("a", 1000, 0);
  kind.kind = "bogo";
  refused(kind, ErrorCode::kFieldInvalid, "kind");
  auto both = Fixed("a", 1000, 0);
  both.percent_off = "10";
  refused(both, ErrorCode::kFieldInvalid, "percent_off");
  auto percent = Fixed("a", 0, 0);
  percent.kind = "percent";
  percent.percent_off = "120";
  refused(percent, ErrorCode::kFieldInvalid, "percent_off");
  auto zero = Fixed("a", 0, 0);
  refused(zero, ErrorCode::kAmountNotPositive, "amount_off");
  auto promo = Fixed("a", 1000, 0);
  promo.promo_code = "ABCDEFGHJKMNPQRS";  // the shape of a unique code
  refused(promo, ErrorCode::kFieldInvalid, "promo_code");
  auto dates = Fixed("a", 1000, 0);
  dates.valid_from = core::CivilDate{2026, 12, 1};
  dates.valid_until = core::CivilDate{2026, 11, 30};
  refused(dates, ErrorCode::kFieldInvalid, "valid_until");
  auto sku = Fixed("a", 1000, 0);
  sku.skus = {"NO-SUCH"};
  refused(sku, ErrorCode::kProductNotFound, "skus");
  auto cat = Fixed("a", 1000, 0);
  cat.categories = {"nowhere"};
  refused(cat, ErrorCode::kCategoryNotFound, "categories");
  auto store = Fixed("a", 1000, 0);
  store.stores = {"s9"};
  refused(store, ErrorCode::kStoreNotFound, "stores");
  EXPECT_EQ(Query(env_, "SELECT count(*) FROM coupon_campaigns"), 0);

  Make(Fixed("spring", 1000, 10000));
  refused(Fixed("spring", 500, 0), ErrorCode::kCodeTaken, "code");
  auto p1 = Fixed("p1", 500, 0);
  p1.promo_code = "spring10";
  Make(p1);
  auto p2 = Fixed("p2", 500, 0);
  p2.promo_code = "SPRING10";
  refused(p2, ErrorCode::kCodeTaken, "promo_code");
  EXPECT_EQ(Query(env_, "SELECT count(*) FROM coupon_campaigns"), 2);
}

TEST_F(CouponTest, IssuedCodesAreShownOnceAndStoredOnlyAsHashes) {
  Make(Fixed("spring", 1000, 0));
  const std::string card = env_.NewCard();
  auto& coupons = env_.services().coupons();
  auto first = coupons.Issue(env_.Keyed("issue-1", ""), "spring", {card, 2});
  ASSERT_TRUE(first) << first.error().ToString();
  ASSERT_EQ(first->coupons.size(), 2u);
  EXPECT_NE(first->codes.find("shown once"), std::string::npos);
  for (const auto& c : first->coupons) {
    ASSERT_EQ(c.code.size(), 19u) << c.code;  // XXXX-XXXX-XXXX-XXXX
    EXPECT_EQ(c.hint, "…" + c.code.substr(15));
    EXPECT_EQ(c.member_id, env_.MemberOf(card));
    const std::string plain = core::NormaliseCouponCode(c.code);
    EXPECT_EQ(Query(env_, "SELECT count(*) FROM coupons WHERE code_hash LIKE '%" + plain + "%'"),
              0);
    EXPECT_EQ(
        Query(env_, "SELECT count(*) FROM idempotency_keys WHERE reply LIKE '%" + c.code + "%'"),
        0);
    EXPECT_EQ(Query(env_, "SELECT count(*) FROM audit_log WHERE after LIKE '%" + c.code + "%'"), 0);
  }
  EXPECT_NE(first->coupons[0].code, first->coupons[1].code);
  auto again = coupons.Issue(env_.Keyed("issue-1", ""), "spring", {card, 2});
  ASSERT_TRUE(again) << again.error().ToString();
  EXPECT_TRUE(again->replayed);
  EXPECT_EQ(again->coupons[0].code, "");
  EXPECT_NE(again->codes.find("not shown again"), std::string::npos);
  EXPECT_EQ(Campaign("spring").issued, 2);
  EXPECT_EQ(Query(env_, "SELECT count(*) FROM coupons"), 2);

  // A code is found however it is typed.
  std::string typed = first->coupons[0].code;
  for (char& ch : typed) ch = static_cast<char>(std::tolower(ch));
  auto check = coupons.Check(env_.Req(), typed);
  ASSERT_TRUE(check) << check.error().ToString();
  EXPECT_EQ(check->kind, "coupon");
  EXPECT_TRUE(check->usable);
  EXPECT_EQ(check->member_id, env_.MemberOf(card));
}

TEST_F(CouponTest, APromoCodeComesOffBeforePointsAreEarnedAndTheUseIsRecorded) {
  auto spec = Fixed("spring", 1000, 10000);
  spec.promo_code = "SPRING10";
  Make(spec);
  const std::string card = env_.NewCard();
  auto& checkout = env_.services().checkout();

  // A quote prices with the coupon and records nothing.
  auto quote = checkout.Quote(
      env_.Req(), Sale(card, {{"TEA", 10000}, {"CUP", 2800}}, 0, "", {Code("spring10")}));
  ASSERT_TRUE(quote) << quote.error().ToString();
  EXPECT_EQ(quote->due, 11800);
  ASSERT_EQ(quote->coupons.size(), 1u);
  EXPECT_EQ(quote->coupons[0].discount, 1000);
  EXPECT_EQ(Campaign("spring").used, 0);

  auto sale = checkout.Settle(
      env_.Req(), Sale(card, {{"TEA", 10000}, {"CUP", 2800}}, 11800, "R-1", {Code("SPRING10")}));
  ASSERT_TRUE(sale) << sale.error().ToString();
  EXPECT_EQ(sale->list_total, 12800);
  EXPECT_EQ(sale->discount_total, 1000);
  EXPECT_EQ(sale->due, 11800);
  EXPECT_EQ(sale->points_earned, 1180);  // 10 a yuan on what was paid
  EXPECT_EQ(sale->lines[0].discount + sale->lines[1].discount, 1000);
  EXPECT_EQ(sale->lines[0].discount, 781);  // ¥10 × 100/128, largest remainders
  ASSERT_EQ(sale->coupons.size(), 1u);
  EXPECT_EQ(sale->coupons[0].campaign, "spring");
  EXPECT_EQ(sale->coupons[0].hint, "SPRING10");
  bool explained = false;
  for (const std::string& line : sale->explain) {
    explained = explained || line.find("coupon spring") != std::string::npos;
  }
  EXPECT_TRUE(explained);

  auto read = checkout.Get(env_.tenant(), sale->id);
  ASSERT_TRUE(read);
  ASSERT_EQ(read->coupons.size(), 1u);
  EXPECT_EQ(read->coupons[0].discount, 1000);
  const auto c = Campaign("spring");
  EXPECT_EQ(c.used, 1);
  EXPECT_EQ(c.discount_given, 1000);
  EXPECT_EQ(Query(env_, "SELECT count(*) FROM coupon_redemptions WHERE sale_id = " +
                            std::to_string(sale->id)),
            1);

  // Below the minimum spend: refused, nothing written.
  auto small =
      checkout.Settle(env_.Req(), Sale(card, {{"TEA", 9000}}, 8000, "R-2", {Code("SPRING10")}));
  ASSERT_FALSE(small);
  EXPECT_EQ(small.error().code, ErrorCode::kCouponNotApplicable);
  EXPECT_EQ(Query(env_, "SELECT count(*) FROM sales"), 1);
  EXPECT_EQ(env_.VerifyProblems(), "");
}

TEST_F(CouponTest, ASingleUseCouponIsUsedOnceAndARetryUsesNothingMore) {
  Make(Fixed("once", 500, 0));
  auto batch = env_.services().coupons().Issue(env_.Req(""), "once", {"", 2});
  ASSERT_TRUE(batch) << batch.error().ToString();
  const std::string code = batch->coupons[0].code;
  auto& checkout = env_.services().checkout();
  const service::Request req = env_.Keyed("sale-1");
  auto first = checkout.Settle(req, Sale("", {{"TEA", 3000}}, 2500, "W-1", {Code(code)}));
  ASSERT_TRUE(first) << first.error().ToString();
  EXPECT_EQ(first->due, 2500);
  auto retry = checkout.Settle(req, Sale("", {{"TEA", 3000}}, 2500, "W-1", {Code(code)}));
  ASSERT_TRUE(retry) << retry.error().ToString();
  EXPECT_TRUE(retry->replayed);
  EXPECT_EQ(retry->id, first->id);
  auto second = checkout.Settle(env_.Req(), Sale("", {{"TEA", 3000}}, 2500, "W-2", {Code(code)}));
  ASSERT_FALSE(second);
  EXPECT_EQ(second.error().code, ErrorCode::kCouponUsedUp);
  EXPECT_EQ(second.error().field, "coupons[0]");
  EXPECT_EQ(Campaign("once").used, 1);
  // The same coupon twice in one sale is refused before anything is looked at.
  auto twice = checkout.Settle(env_.Req(),
                               Sale("", {{"TEA", 3000}}, 2000, "W-3",
                                    {Code(batch->coupons[1].code), Code(batch->coupons[1].code)}));
  ASSERT_FALSE(twice);
  EXPECT_EQ(twice.error().field, "coupons[1]");
  EXPECT_EQ(env_.VerifyProblems(), "");
}

TEST_F(CouponTest, AMembersCouponServesThatMemberOnlyAndIsListedAtIdentify) {
  auto spec = Fixed("vip", 2000, 0);
  spec.valid_days = 30;
  Make(spec);
  const std::string card = env_.NewCard("张伟");
  const std::string other = env_.NewCard("李娜");
  const auto mine = Issue("vip", card);
  ASSERT_EQ(mine.size(), 1u);
  EXPECT_EQ(mine[0].valid_until, (core::CivilDate{2026, 12, 22}));  // 30 days from 2026-11-23

  auto who = service::Identify(env_.services(), env_.tenant(), {card, ""});
  ASSERT_TRUE(who) << who.error().ToString();
  ASSERT_EQ(who->coupons.size(), 1u);
  EXPECT_EQ(who->coupons[0].id, mine[0].id);
  EXPECT_EQ(who->coupons[0].code, "");
  auto theirs = service::Identify(env_.services(), env_.tenant(), {other, ""});
  ASSERT_TRUE(theirs);
  EXPECT_TRUE(theirs->coupons.empty());

  auto& checkout = env_.services().checkout();
  auto walk_in =
      checkout.Settle(env_.Req(), Sale("", {{"TEA", 5000}}, 3000, "W-1", {Code(mine[0].code)}));
  ASSERT_FALSE(walk_in);
  EXPECT_EQ(walk_in.error().code, ErrorCode::kCouponNotApplicable);
  auto stranger =
      checkout.Settle(env_.Req(), Sale(other, {{"TEA", 5000}}, 3000, "R-1", {{"", mine[0].id}}));
  ASSERT_FALSE(stranger);
  EXPECT_EQ(stranger.error().code, ErrorCode::kCouponNotApplicable);
  auto used =
      checkout.Settle(env_.Req(), Sale(card, {{"TEA", 5000}}, 3000, "R-2", {{"", mine[0].id}}));
  ASSERT_TRUE(used) << used.error().ToString();
  EXPECT_EQ(used->due, 3000);
  auto after = service::Identify(env_.services(), env_.tenant(), {card, ""});
  ASSERT_TRUE(after);
  EXPECT_TRUE(after->coupons.empty());
  EXPECT_EQ(Query(env_, "SELECT count(*) FROM sales"), 1);

  // 31 days later the member's next coupon has run out.
  const auto next = Issue("vip", card);
  env_.clock().AdvanceSeconds(31 * 24 * 3600);
  auto late =
      checkout.Settle(env_.Req(), Sale(card, {{"TEA", 5000}}, 3000, "R-3", {{"", next[0].id}}));
  ASSERT_FALSE(late);
  EXPECT_EQ(late.error().code, ErrorCode::kCouponExpired);
}

TEST_F(CouponTest, ValidDaysCountFromTheFirstDayACouponMayBeUsed) {
  auto spec = Fixed("xmas", 1000, 0);
  spec.valid_from = core::CivilDate{2026, 12, 20};
  spec.valid_days = 7;
  spec.per_member_limit = 1;
  Make(spec);
  const std::string card = env_.NewCard();
  const auto early = Issue("xmas", card);  // issued on 2026-11-23, before the campaign starts
  ASSERT_EQ(early.size(), 1u);
  EXPECT_EQ(early[0].valid_from, (core::CivilDate{2026, 12, 20}));
  EXPECT_EQ(early[0].valid_until, (core::CivilDate{2026, 12, 26}));
  EXPECT_FALSE(early[0].usable);  // not yet
  // The member holds the one coupon the campaign allows; once it is voided, another may be issued.
  auto second = env_.services().coupons().Issue(env_.Req(""), "xmas", {card, 1});
  ASSERT_FALSE(second);
  EXPECT_EQ(second.error().code, ErrorCode::kCouponUsedUp);
  ASSERT_TRUE(env_.services().coupons().Void(env_.Req(""), early[0].id));
  EXPECT_EQ(Issue("xmas", card).size(), 1u);
}

TEST_F(CouponTest, PerMemberAndTotalLimitsAndTheBudgetHold) {
  auto spec = Fixed("welcome", 1000, 0);
  spec.promo_code = "WELCOME";
  spec.per_member_limit = 1;
  spec.total_limit = 3;
  Make(spec);
  auto budget = Fixed("budget", 1500, 0);
  budget.promo_code = "BUDGET";
  budget.budget = 4000;
  Make(budget);
  auto& checkout = env_.services().checkout();
  const std::string a = env_.NewCard("A");
  const std::string b = env_.NewCard("B");
  const std::string c = env_.NewCard("C");
  const std::string d = env_.NewCard("D");
  ASSERT_TRUE(
      checkout.Settle(env_.Req(), Sale(a, {{"TEA", 5000}}, 4000, "R-1", {Code("welcome")})));
  auto again =
      checkout.Settle(env_.Req(), Sale(a, {{"TEA", 5000}}, 4000, "R-2", {Code("welcome")}));
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code, ErrorCode::kCouponUsedUp);
  auto walk_in =
      checkout.Settle(env_.Req(), Sale("", {{"TEA", 5000}}, 4000, "W-1", {Code("welcome")}));
  ASSERT_FALSE(walk_in);
  EXPECT_EQ(walk_in.error().code, ErrorCode::kCouponNotApplicable);  // needs the member's card
  ASSERT_TRUE(
      checkout.Settle(env_.Req(), Sale(b, {{"TEA", 5000}}, 4000, "R-3", {Code("welcome")})));
  ASSERT_TRUE(
      checkout.Settle(env_.Req(), Sale(c, {{"TEA", 5000}}, 4000, "R-4", {Code("welcome")})));
  auto fourth =
      checkout.Settle(env_.Req(), Sale(d, {{"TEA", 5000}}, 4000, "R-5", {Code("welcome")}));
  ASSERT_FALSE(fourth);
  EXPECT_EQ(fourth.error().code, ErrorCode::kCouponUsedUp);
  EXPECT_EQ(Campaign("welcome").used, 3);

  // Budget ¥40 at ¥15 a use: two uses, then ¥10 left is less than a use.
  ASSERT_TRUE(
      checkout.Settle(env_.Req(), Sale("", {{"TEA", 5000}}, 3500, "W-2", {Code("budget")})));
  ASSERT_TRUE(
      checkout.Settle(env_.Req(), Sale("", {{"TEA", 5000}}, 3500, "W-3", {Code("budget")})));
  auto over = checkout.Settle(env_.Req(), Sale("", {{"TEA", 5000}}, 3500, "W-4", {Code("budget")}));
  ASSERT_FALSE(over);
  EXPECT_EQ(over.error().code, ErrorCode::kCouponUsedUp);
  EXPECT_NE(over.error().message.find("¥10.00 of its budget left"), std::string::npos)
      << over.error().message;
  EXPECT_EQ(Campaign("budget").budget_left, 1000);
  EXPECT_EQ(env_.VerifyProblems(), "");
}

TEST_F(CouponTest, VoidedCouponsAndStoppedCampaignsCannotBeUsed) {
  Make(Fixed("x", 500, 0));
  const std::string card = env_.NewCard();
  const auto two = Issue("x", card, 2);
  auto& coupons = env_.services().coupons();
  auto& checkout = env_.services().checkout();
  ASSERT_TRUE(coupons.Void(env_.Req(""), two[0].id));
  auto voided =
      checkout.Settle(env_.Req(), Sale(card, {{"TEA", 5000}}, 4500, "R-1", {{"", two[0].id}}));
  ASSERT_FALSE(voided);
  EXPECT_EQ(voided.error().code, ErrorCode::kCouponVoid);
  auto twice = coupons.Void(env_.Req(""), two[0].id);
  ASSERT_FALSE(twice);
  EXPECT_EQ(twice.error().code, ErrorCode::kCouponVoid);

  ASSERT_TRUE(coupons.SetCampaignState(env_.Req(""), "x", "stopped"));
  auto stopped =
      checkout.Settle(env_.Req(), Sale(card, {{"TEA", 5000}}, 4500, "R-2", {{"", two[1].id}}));
  ASSERT_FALSE(stopped);
  EXPECT_EQ(stopped.error().code, ErrorCode::kCouponVoid);
  auto no_issue = coupons.Issue(env_.Req(""), "x", {card, 1});
  ASSERT_FALSE(no_issue);
  EXPECT_EQ(no_issue.error().code, ErrorCode::kCouponVoid);
  ASSERT_TRUE(coupons.SetCampaignState(env_.Req(""), "x", "active"));
  EXPECT_TRUE(
      checkout.Settle(env_.Req(), Sale(card, {{"TEA", 5000}}, 4500, "R-3", {{"", two[1].id}})));
}

TEST_F(CouponTest, GuessedCodesAreCountedAndLockTheTillOut) {
  auto spec = Fixed("spring", 1000, 0);
  spec.promo_code = "SPRING10";
  Make(spec);
  auto& checkout = env_.services().checkout();
  for (int i = 0; i < 20; ++i) {
    auto r = checkout.Quote(env_.Req(), Sale("", {{"TEA", 5000}}, 0, "",
                                             {Code("ABCD-EFGH-JKMN-PQ" + std::to_string(10 + i))}));
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, ErrorCode::kCouponNotFound) << r.error().ToString();
  }
  EXPECT_EQ(Query(env_, "SELECT count(*) FROM coupon_code_failures"), 20);
  EXPECT_EQ(Query(env_, "SELECT count(*) FROM audit_log WHERE action = 'coupon.code_unknown'"), 20);
  // Locked out, even for a good code, and nothing else is written.
  auto locked =
      checkout.Settle(env_.Req(), Sale("", {{"TEA", 5000}}, 4000, "W-1", {Code("SPRING10")}));
  ASSERT_FALSE(locked);
  EXPECT_EQ(locked.error().code, ErrorCode::kCouponClientLocked);
  EXPECT_NE(locked.error().message.find("retry after"), std::string::npos);
  EXPECT_EQ(Query(env_, "SELECT count(*) FROM sales"), 0);
  // Another till is not locked out; after 30 minutes neither is this one.
  service::Request other = env_.Req();
  other.actor.staff = "till-2";
  EXPECT_TRUE(checkout.Settle(other, Sale("", {{"TEA", 5000}}, 4000, "W-2", {Code("SPRING10")})));
  env_.clock().AdvanceSeconds(31 * 60);
  EXPECT_TRUE(
      checkout.Settle(env_.Req(), Sale("", {{"TEA", 5000}}, 4000, "W-3", {Code("SPRING10")})));
}

TEST_F(CouponTest, AReturnOfTheWholeSaleGivesTheUseBackWhereTheRuleSaysSo) {
  Make(Fixed("back", 1000, 0));
  auto keep = Fixed("keep", 500, 0);
  keep.restore_on_return = false;
  Make(keep);
  const std::string card = env_.NewCard();
  const auto back = Issue("back", card);
  const auto kept = Issue("keep", card);
  auto& checkout = env_.services().checkout();
  auto sale = checkout.Settle(env_.Req(), Sale(card, {{"TEA", 6000}, {"CUP", 4000}}, 8500, "R-1",
                                               {{"", back[0].id}, {"", kept[0].id}}));
  ASSERT_TRUE(sale) << sale.error().ToString();
  EXPECT_EQ(sale->due, 8500);
  EXPECT_EQ(sale->lines[0].paid, 5100);  // ¥60 less 60% of ¥15
  EXPECT_EQ(sale->points_earned, 850);

  // A partial return refunds what the line really cost; the coupons stay used.
  service::ReturnSpec part;
  part.sale = sale->id;
  part.lines = {{1, 1}};
  part.doc_no = "RR-1";
  part.reason = "changed mind";
  auto r1 = checkout.Return(env_.Req(), part);
  ASSERT_TRUE(r1) << r1.error().ToString();
  EXPECT_EQ(r1->refund, 5100);
  EXPECT_EQ(r1->points_taken_back, 510);
  EXPECT_TRUE(r1->coupons_restored.empty());
  EXPECT_EQ(Campaign("back").used, 1);

  // The rest back: "back" may be used again, "keep" stays used.
  service::ReturnSpec rest;
  rest.sale = sale->id;
  rest.all = true;
  rest.doc_no = "RR-2";
  rest.reason = "changed mind";
  auto r2 = checkout.Return(env_.Req(), rest);
  ASSERT_TRUE(r2) << r2.error().ToString();
  EXPECT_EQ(r2->refund, 3400);
  ASSERT_EQ(r2->coupons_restored.size(), 1u);
  EXPECT_EQ(r2->coupons_restored[0].campaign, "back");
  EXPECT_EQ(Campaign("back").used, 0);
  EXPECT_EQ(Campaign("back").discount_given, 0);
  EXPECT_EQ(Campaign("keep").used, 1);
  auto shown = checkout.GetReturn(env_.tenant(), r2->id);
  ASSERT_TRUE(shown);
  EXPECT_EQ(shown->coupons_restored.size(), 1u);
  auto coupon = env_.services().coupons().GetCoupon(env_.tenant(), back[0].id);
  ASSERT_TRUE(coupon);
  EXPECT_EQ(coupon->used, 0);
  ASSERT_EQ(coupon->redemptions.size(), 1u);
  EXPECT_EQ(coupon->redemptions[0].return_id, r2->id);
  EXPECT_TRUE(
      checkout.Settle(env_.Req(), Sale(card, {{"TEA", 6000}}, 5000, "R-2", {{"", back[0].id}})));
  EXPECT_EQ(env_.VerifyProblems(), "");
}

TEST_F(CouponTest, ManyTillsUsingOneCouponAtOnceUseItOnce) {
  Make(Fixed("once", 1000, 0));
  auto batch = env_.services().coupons().Issue(env_.Req(""), "once", {"", 1});
  ASSERT_TRUE(batch);
  const std::string code = batch->coupons[0].code;
  auto& checkout = env_.services().checkout();
  std::atomic<int> used{0};
  std::atomic<int> refused{0};
  std::atomic<int> other{0};
  std::vector<std::thread> tills;
  for (int t = 0; t < 8; ++t) {
    tills.emplace_back([&, t] {
      for (int i = 0; i < 4; ++i) {
        const std::string doc = "C-" + std::to_string(t) + "-" + std::to_string(i);
        auto r = checkout.Settle(env_.Req(), Sale("", {{"TEA", 5000}}, 4000, doc, {Code(code)}));
        if (r) {
          ++used;
        } else if (r.error().code == ErrorCode::kCouponUsedUp) {
          ++refused;
        } else {
          ++other;
        }
      }
    });
  }
  for (std::thread& t : tills) t.join();
  EXPECT_EQ(used.load(), 1);
  EXPECT_EQ(refused.load(), 31);
  EXPECT_EQ(other.load(), 0);
  EXPECT_EQ(Query(env_, "SELECT count(*) FROM coupon_redemptions"), 1);
  EXPECT_EQ(env_.VerifyProblems(), "");
}

TEST_F(CouponTest, VerifyFindsCountersThatDoNotMatchTheUses) {
  auto spec = Fixed("spring", 1000, 0);
  spec.promo_code = "SPRING10";
  Make(spec);
  ASSERT_TRUE(env_.services().checkout().Settle(
      env_.Req(), Sale("", {{"TEA", 5000}}, 4000, "W-1", {Code("SPRING10")})));
  EXPECT_EQ(env_.VerifyProblems(), "");
  ExecSql(env_.db_path(), "UPDATE coupon_campaigns SET used = 0");
  const std::string problems = env_.VerifyProblems();
  EXPECT_NE(problems.find("coupon_campaign"), std::string::npos) << problems;
}

// Any basket, any coupon, any sequence of partial returns: the coupon takes off what its terms
// say, the lines pay the rest, the refunds add up to what was paid, the use comes back exactly
// when the last of the sale does (if the campaign says so), and the books balance at every step.
RC_GTEST_PROP(CouponPropertyTest, AnyCouponAndAnyReturnsRefundExactlyWhatWasPaid, ()) {
  TestEnv env;
  UseProgramme(env, ExampleProgramme("p3.toml"));
  const int n_lines = *rc::gen::inRange(1, 5);
  service::SaleSpec sale;
  std::int64_t list = 0;
  for (int i = 0; i < n_lines; ++i) {
    core::BasketLine l;
    l.sku = "SKU" + std::to_string(i);
    l.unit_price = *rc::gen::inRange<std::int64_t>(1, 20000);
    l.quantity = *rc::gen::inRange<std::int64_t>(1, 6);
    list += l.unit_price * l.quantity;
    sale.lines.push_back(l);
  }
  service::CampaignSpec c;
  c.code = "prop";
  c.name = "Property";
  const bool percent = *rc::gen::arbitrary<bool>();
  c.kind = percent ? "percent" : "fixed";
  if (percent) {
    c.percent_off = core::PercentOffText(*rc::gen::inRange<std::int64_t>(1, 10001));
    c.max_discount = *rc::gen::element<std::int64_t>(0, 1, 500, 5000);
  } else {
    c.amount_off = *rc::gen::inRange<std::int64_t>(1, 30000);
  }
  c.min_spend = *rc::gen::element<std::int64_t>(0, 0, list / 2, list, list + 1);
  c.restore_on_return = *rc::gen::arbitrary<bool>();
  auto& coupons = env.services().coupons();
  RC_ASSERT(coupons.CreateCampaign(env.Req(""), c).ok());
  const std::string card = env.NewCard();
  auto issued = coupons.Issue(env.Req(""), "prop", {card, 1});
  RC_ASSERT(issued.ok());
  sale.card = card;
  sale.coupons = {{"", issued->coupons[0].id}};

  auto& checkout = env.services().checkout();
  auto quote = checkout.Quote(env.Req(), sale);
  if (!quote) {  // below the minimum, or nothing to take off: the settle is refused alike
    RC_ASSERT(quote.error().code == ErrorCode::kCouponNotApplicable);
    sale.tenders = {{"cash", list, 0, "", "", ""}};
    sale.doc_no = "R1";
    auto refused = checkout.Settle(env.Req(), sale);
    RC_ASSERT(!refused.ok());
    RC_ASSERT(refused.error().code == ErrorCode::kCouponNotApplicable);
    RC_ASSERT(QueryInt(env.db_path(), "SELECT count(*) FROM sales") == 0);
    return;
  }
  const std::int64_t discount = quote->coupons.at(0).discount;
  RC_ASSERT(discount > 0);
  RC_ASSERT(discount <= list);
  RC_ASSERT(list >= c.min_spend);
  if (percent) {
    const std::int64_t bp = *core::ParsePercentOff(c.percent_off, "p");
    std::int64_t expected = (list * bp * 2 + 10000) / 20000;  // half up
    if (c.max_discount > 0) expected = std::min(expected, c.max_discount);
    RC_ASSERT(discount == expected);
  } else {
    RC_ASSERT(discount == std::min(c.amount_off, list));
  }
  RC_ASSERT(quote->due == list - discount);
  sale.tenders = {};
  if (quote->due > 0) sale.tenders.push_back({"cash", quote->due, 0, "", "", ""});
  if (sale.tenders.empty()) return;  // a free sale needs no tender; nothing more to return
  sale.doc_no = "R1";
  auto settled = checkout.Settle(env.Req(), sale);
  RC_ASSERT(settled.ok());
  RC_ASSERT(settled->due == quote->due);

  std::vector<std::int64_t> left;
  for (const auto& l : settled->lines) left.push_back(l.quantity);
  std::int64_t refunded = 0;
  int n = 0;
  const auto used = [&] {
    return QueryInt(env.db_path(), "SELECT used FROM coupon_campaigns WHERE code = 'prop'");
  };
  while (std::any_of(left.begin(), left.end(), [](std::int64_t q) { return q > 0; })) {
    service::ReturnSpec r;
    r.sale = settled->id;
    r.doc_no = "RT" + std::to_string(++n);
    r.reason = "property";
    for (std::size_t i = 0; i < left.size(); ++i) {
      if (left[i] == 0 || !*rc::gen::arbitrary<bool>()) continue;
      const std::int64_t q = *rc::gen::inRange<std::int64_t>(1, left[i] + 1);
      r.lines.push_back({static_cast<int>(i + 1), q});
      left[i] -= q;
    }
    if (r.lines.empty()) continue;
    auto back = checkout.Return(env.Req(), r);
    RC_ASSERT(back.ok());
    refunded += back->refund;
    const bool last = std::all_of(left.begin(), left.end(), [](std::int64_t q) { return q == 0; });
    RC_ASSERT(back->coupons_restored.size() == (last && c.restore_on_return ? 1u : 0u));
    RC_ASSERT(used() == (last && c.restore_on_return ? 0 : 1));
    RC_ASSERT(env.VerifyProblems() == "");
  }
  RC_ASSERT(refunded == settled->due);
}

}  // namespace
}  // namespace onecard::testing
