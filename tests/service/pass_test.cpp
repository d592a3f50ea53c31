// Count cards and period passes at the till (issue #5 item 9, R-505): what a card type pays for;
// a line paid with a pass costs nothing and earns nothing; a count card's uses are taken in the
// sale's write (tills at once never overdraw it) and come back with a return; a period pass
// within its validity and daily limit; refusals change nothing; identify lists the passes.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "service/identify.hpp"
#include "support/test_env.hpp"

namespace onecard::testing {
namespace {

using core::Asset;
using core::ErrorCode;

core::BasketLine Line(const std::string& sku, std::int64_t qty, const std::string& pass = "") {
  core::BasketLine l;
  l.sku = sku;
  l.quantity = qty;
  l.from_catalogue = true;
  l.pass = pass;
  return l;
}

service::SaleSpec Sale(const std::string& card, std::vector<core::BasketLine> lines,
                       std::int64_t cash, const std::string& doc) {
  service::SaleSpec s;
  s.card = card;
  s.lines = std::move(lines);
  if (cash > 0) s.tenders.push_back({"cash", cash, 0, "", "", ""});
  s.doc_no = doc;
  return s;
}

class PassTest : public ::testing::Test {
 protected:
  PassTest() {
    UseProgramme(env_, ExampleProgramme("p3.toml"));  // 10 points a yuan
    AddCategories(env_, {"hair"});
    auto& cat = env_.services().catalogue();
    service::ProductSpec cut;
    cut.sku = "HAIRCUT";
    cut.name = "Haircut";
    cut.list_price = 8000;
    cut.categories = {"hair"};
    EXPECT_TRUE(cat.PutProduct(env_.Req(""), cut));
    service::ProductSpec shampoo;
    shampoo.sku = "SHAMPOO";
    shampoo.name = "Shampoo";
    shampoo.list_price = 5000;
    EXPECT_TRUE(cat.PutProduct(env_.Req(""), shampoo));
    EXPECT_TRUE(env_.services().org().AddCardType(
        env_.Req(""), {"month", "Monthly pass", core::CardKind::kPass, 1, 0}));
    service::PassTermsSpec terms;
    terms.categories = {"hair"};
    auto set = env_.services().passes().SetTerms(env_.Req(""), "count", terms);
    EXPECT_TRUE(set) << set.error().ToString();
    member_card_ = env_.NewCard();
    member_ = env_.MemberOf(member_card_);
    count_card_ = Issue("count");
    Load(count_card_, 5);
  }

  std::string Issue(const std::string& type) {
    service::IssueCardRequest r;
    r.member_id = member_;
    r.type = type;
    auto card = env_.services().cards().Issue(env_.Req(), r);
    EXPECT_TRUE(card) << card.error().ToString();
    return card ? card->card.number : "";
  }

  void Load(const std::string& card, std::int64_t uses) {
    service::TopUpSpec spec;
    spec.card = card;
    spec.asset = Asset::kUses;
    spec.amount = uses;
    auto loaded = env_.services().stored_value().TopUp(env_.Req(), spec);
    ASSERT_TRUE(loaded) << loaded.error().ToString();
  }

  core::Result<service::SaleView> Settle(const service::SaleSpec& s) {
    return env_.services().checkout().Settle(env_.Req("s1"), s);
  }

  std::int64_t Entries() { return QueryInt(env_.db_path(), "SELECT COUNT(*) FROM entries"); }

  TestEnv env_;
  std::string member_card_;
  std::int64_t member_ = 0;
  std::string count_card_;
};

TEST_F(PassTest, ACountCardPaysForItsLinesAndAReturnGivesTheUsesBack) {
  auto sale = Settle(
      Sale(member_card_, {Line("HAIRCUT", 2, count_card_), Line("SHAMPOO", 1)}, 5000, "R-1"));
  ASSERT_TRUE(sale) << sale.error().ToString();
  EXPECT_EQ(sale->due, 5000);  // the shampoo only
  EXPECT_EQ(sale->list_total, 21000);
  EXPECT_EQ(sale->discount_total, 16000);
  ASSERT_EQ(sale->lines.size(), 2u);
  EXPECT_EQ(sale->lines[0].pass, count_card_);
  EXPECT_EQ(sale->lines[0].paid, 0);
  EXPECT_EQ(sale->lines[0].points, 0);
  EXPECT_EQ(sale->lines[1].paid, 5000);
  EXPECT_EQ(sale->points_earned, 500);  // 10 a yuan on what was paid in money
  EXPECT_EQ(env_.Balance(count_card_, Asset::kUses), 3);
  auto shown = env_.services().checkout().Get(env_.tenant(), sale->id);
  ASSERT_TRUE(shown) << shown.error().ToString();
  EXPECT_EQ(shown->lines[0].pass, count_card_);
  // Replayed under the same programme, the sale comes out the same: the draft does not price the
  // lines the card paid for, and the figures leave them out on both sides.
  const core::CivilDate today = *core::CivilDate::Parse("2026-11-23", "d");
  auto same = env_.services().programmes().Simulate(env_.tenant(), ExampleProgramme("p3.toml"),
                                                    today, today);
  ASSERT_TRUE(same) << same.error().ToString();
  EXPECT_EQ(same->failed, 0);
  EXPECT_EQ(same->draft.paid, same->actual.paid);
  EXPECT_EQ(same->actual.paid, 5000);
  EXPECT_EQ(same->draft.discounts, same->actual.discounts);
  EXPECT_EQ(same->draft.points_issued, 500);

  // One cut back, then the rest of the sale: the uses return to the card, no money for them.
  service::ReturnSpec one;
  one.sale = sale->id;
  one.lines = {{1, 1}};
  one.doc_no = "RT-1";
  one.reason = "not done";
  auto r1 = env_.services().checkout().Return(env_.Req("s1"), one);
  ASSERT_TRUE(r1) << r1.error().ToString();
  EXPECT_EQ(r1->refund, 0);
  EXPECT_EQ(env_.Balance(count_card_, Asset::kUses), 4);
  service::ReturnSpec rest;
  rest.sale = sale->id;
  rest.all = true;
  rest.doc_no = "RT-2";
  rest.reason = "changed mind";
  auto r2 = env_.services().checkout().Return(env_.Req("s1"), rest);
  ASSERT_TRUE(r2) << r2.error().ToString();
  EXPECT_EQ(r2->refund, 5000);
  EXPECT_EQ(env_.Balance(count_card_, Asset::kUses), 5);
  EXPECT_EQ(env_.Balance(member_card_), 0);
  EXPECT_EQ(env_.VerifyProblems(), "");
}

TEST_F(PassTest, ABasketPaidOnlyWithAPassNeedsNoTenderAndAQuotePricesItTheSame) {
  auto quote = env_.services().checkout().Quote(
      env_.Req("s1"), Sale(member_card_, {Line("HAIRCUT", 1, count_card_)}, 0, ""));
  ASSERT_TRUE(quote) << quote.error().ToString();
  EXPECT_EQ(quote->due, 0);
  EXPECT_EQ(quote->lines[0].pass, count_card_);
  auto sale = Settle(Sale(member_card_, {Line("HAIRCUT", 1, count_card_)}, 0, "R-2"));
  ASSERT_TRUE(sale) << sale.error().ToString();
  EXPECT_EQ(sale->due, 0);
  EXPECT_TRUE(sale->tenders.empty());
  EXPECT_EQ(env_.Balance(count_card_, Asset::kUses), 4);
  // A quote for more uses than are left says so before the till tries.
  auto too_many = env_.services().checkout().Quote(
      env_.Req("s1"), Sale(member_card_, {Line("HAIRCUT", 5, count_card_)}, 0, ""));
  ASSERT_FALSE(too_many);
  EXPECT_EQ(too_many.error().code, ErrorCode::kInsufficientBalance);
  EXPECT_EQ(too_many.error().field, "lines[0].pass");
}

TEST_F(PassTest, APassThatCannotPayIsRefusedNamingTheLineAndNothingIsWritten) {
  const std::int64_t before = Entries();
  const auto refused = [&](std::vector<core::BasketLine> lines, const std::string& card = "") {
    auto r = Settle(Sale(card.empty() ? member_card_ : card, std::move(lines), 0, "R-9"));
    EXPECT_FALSE(r);
    return r ? core::Error{} : r.error();
  };
  // An item the card does not pay for.
  core::Error e = refused({Line("SHAMPOO", 1, count_card_)});
  EXPECT_EQ(e.code, ErrorCode::kPassNotApplicable);
  EXPECT_EQ(e.field, "lines[0].pass");
  EXPECT_NE(e.message.find("does not pay for SHAMPOO"), std::string::npos) << e.message;
  // Someone else's count card.
  const std::string other = env_.NewCard("李娜", "count");
  EXPECT_EQ(refused({Line("HAIRCUT", 1, other)}).code, ErrorCode::kPassNotApplicable);
  // A card that is not a pass at all.
  EXPECT_EQ(refused({Line("HAIRCUT", 1, member_card_)}).code, ErrorCode::kPassNotApplicable);
  // More uses than are left.
  e = refused({Line("HAIRCUT", 6, count_card_)});
  EXPECT_EQ(e.code, ErrorCode::kInsufficientBalance);
  EXPECT_EQ(e.field, "lines[0].pass");
  // A walk-in cannot name a pass.
  service::SaleSpec walk_in = Sale("", {Line("HAIRCUT", 1, count_card_)}, 0, "R-9");
  walk_in.tenders.push_back({"cash", 100, 0, "", "", ""});
  auto w = Settle(walk_in);
  ASSERT_FALSE(w);
  EXPECT_EQ(w.error().field, "lines[0].pass");
  // A pass type whose terms were never set.
  const std::string month = Issue("month");
  EXPECT_NE(refused({Line("HAIRCUT", 1, month)}).message.find("pays for nothing yet"),
            std::string::npos);
  EXPECT_EQ(Entries(), before);
  EXPECT_EQ(env_.Balance(count_card_, Asset::kUses), 5);
}

TEST_F(PassTest, APeriodPassKeepsItsDailyLimitAndItsValidity) {
  service::PassTermsSpec terms;
  terms.skus = {"HAIRCUT"};
  terms.per_day = 1;
  ASSERT_TRUE(env_.services().passes().SetTerms(env_.Req(""), "month", terms));
  const std::string month = Issue("month");  // valid one month from today
  auto first = Settle(Sale(member_card_, {Line("HAIRCUT", 1, month)}, 0, "R-10"));
  ASSERT_TRUE(first) << first.error().ToString();
  auto second = Settle(Sale(member_card_, {Line("HAIRCUT", 1, month)}, 0, "R-11"));
  ASSERT_FALSE(second);
  EXPECT_EQ(second.error().code, ErrorCode::kPassLimitReached);

  auto who = service::Identify(env_.services(), env_.tenant(), {member_card_, ""});
  ASSERT_TRUE(who) << who.error().ToString();
  ASSERT_EQ(who->passes.size(), 2u);
  const service::PassView& pass = who->passes[1].card == month ? who->passes[1] : who->passes[0];
  EXPECT_EQ(pass.kind, "pass");
  EXPECT_EQ(pass.used_today, 1);
  EXPECT_FALSE(pass.usable);
  EXPECT_NE(pass.note.find("1 of 1 today"), std::string::npos) << pass.note;

  // Returned, the visit no longer counts; the next day the limit starts again.
  service::ReturnSpec back;
  back.sale = first->id;
  back.all = true;
  back.doc_no = "RT-10";
  back.reason = "wrong customer";
  ASSERT_TRUE(env_.services().checkout().Return(env_.Req("s1"), back));
  ASSERT_TRUE(Settle(Sale(member_card_, {Line("HAIRCUT", 1, month)}, 0, "R-12")));
  env_.clock().AdvanceSeconds(86400);
  ASSERT_TRUE(Settle(Sale(member_card_, {Line("HAIRCUT", 1, month)}, 0, "R-13")));
  // Past its validity the pass is refused.
  env_.clock().AdvanceSeconds(std::int64_t{40} * 86400);
  auto late = Settle(Sale(member_card_, {Line("HAIRCUT", 1, month)}, 0, "R-14"));
  ASSERT_FALSE(late);
  EXPECT_EQ(late.error().code, ErrorCode::kPassExpired);
  EXPECT_EQ(env_.VerifyProblems(), "");
}

// A held sale (issue #5 item 4) reserves the uses and the day's visit; a void gives them back.
TEST_F(PassTest, AHeldSaleReservesUsesAndVisitsAndAVoidGivesThemBack) {
  auto& checkout = env_.services().checkout();
  service::PassTermsSpec terms;
  terms.categories = {"hair"};
  terms.per_day = 1;
  ASSERT_TRUE(env_.services().passes().SetTerms(env_.Req(""), "month", terms));
  const std::string month = Issue("month");
  auto held = checkout.Hold(
      env_.Req("s1"),
      Sale(member_card_, {Line("HAIRCUT", 2, count_card_), Line("HAIRCUT", 1, month)}, 0, "R-1"),
      300);
  ASSERT_TRUE(held) << held.error().ToString();
  EXPECT_EQ(held->status, "held");
  EXPECT_EQ(env_.Balance(count_card_, Asset::kUses), 3);
  // Meanwhile only three uses are left, and today's visit on the pass is taken.
  auto more = Settle(Sale(member_card_, {Line("HAIRCUT", 4, count_card_)}, 0, "R-2"));
  ASSERT_FALSE(more);
  EXPECT_EQ(more.error().code, ErrorCode::kInsufficientBalance);
  auto visit = Settle(Sale(member_card_, {Line("HAIRCUT", 1, month)}, 0, "R-3"));
  ASSERT_FALSE(visit);
  EXPECT_EQ(visit.error().code, ErrorCode::kPassLimitReached);

  auto voided = checkout.Void(env_.Req("s1"), held->id, "customer left");
  ASSERT_TRUE(voided) << voided.error().ToString();
  EXPECT_EQ(env_.Balance(count_card_, Asset::kUses), 5);
  auto all = Settle(Sale(member_card_, {Line("HAIRCUT", 5, count_card_)}, 0, "R-4"));
  ASSERT_TRUE(all) << all.error().ToString();
  EXPECT_EQ(env_.Balance(count_card_, Asset::kUses), 0);
  auto today = Settle(Sale(member_card_, {Line("HAIRCUT", 1, month)}, 0, "R-5"));
  ASSERT_TRUE(today) << today.error().ToString();
  EXPECT_EQ(env_.VerifyProblems(), "");
}

TEST_F(PassTest, ManyTillsUsingOneCountCardAtOnceTakeExactlyItsUses) {
  std::atomic<int> ok = 0;
  std::atomic<int> short_of_uses = 0;
  std::vector<std::thread> tills;
  for (int t = 0; t < 8; ++t) {
    tills.emplace_back([&, t] {
      auto r = Settle(
          Sale(member_card_, {Line("HAIRCUT", 1, count_card_)}, 0, "R-" + std::to_string(100 + t)));
      if (r) {
        ++ok;
      } else if (r.error().code == ErrorCode::kInsufficientBalance) {
        ++short_of_uses;
      }
    });
  }
  for (std::thread& t : tills) t.join();
  EXPECT_EQ(ok.load(), 5);
  EXPECT_EQ(short_of_uses.load(), 3);
  EXPECT_EQ(env_.Balance(count_card_, Asset::kUses), 0);
  EXPECT_EQ(env_.VerifyProblems(), "");
}

TEST_F(PassTest, TermsNameOnlyWhatTheTenantHas) {
  auto& passes = env_.services().passes();
  service::PassTermsSpec terms;
  terms.skus = {"NOPE"};
  EXPECT_EQ(passes.SetTerms(env_.Req(""), "count", terms).error().field, "skus[0]");
  terms.skus = {};
  terms.categories = {"nails"};
  EXPECT_EQ(passes.SetTerms(env_.Req(""), "count", terms).error().field, "categories[0]");
  terms.categories = {"hair"};
  terms.stores = {"s9"};
  EXPECT_EQ(passes.SetTerms(env_.Req(""), "count", terms).error().field, "stores[0]");
  terms.stores = {};
  terms.per_day = -1;
  EXPECT_EQ(passes.SetTerms(env_.Req(""), "count", terms).error().field, "per_day");
  terms.per_day = 0;
  EXPECT_EQ(passes.SetTerms(env_.Req(""), "member", terms).error().field, "card_type");
  EXPECT_EQ(passes.SetTerms(env_.Req(""), "nope", terms).error().code,
            ErrorCode::kCardTypeNotFound);
  EXPECT_EQ(passes.SetTerms(env_.Req(""), "count", {}).error().field, "skus");
  auto shown = passes.Terms(env_.tenant(), "count");
  ASSERT_TRUE(shown) << shown.error().ToString();
  EXPECT_EQ(shown->categories, std::vector<std::string>{"hair"});
  EXPECT_EQ(shown->kind, "count");
}

}  // namespace
}  // namespace onecard::testing
