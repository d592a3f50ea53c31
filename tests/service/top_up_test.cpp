// Top-ups under the programme (issue #5 item 6, R-501): bonus plans by tier and amount band as a
// separate lot that may expire; deposit tiers reached by a single top-up, in the same write;
// the stores and staff allowed to take top-ups; limits; entered bonuses only where no plan
// decides; quotes that write nothing; retries that apply once.
#include <gtest/gtest.h>

#include "support/test_env.hpp"

namespace onecard::testing {
namespace {

using core::Asset;
using core::ErrorCode;

constexpr const char* kProgramme = R"(
[programme]
code = "salon"
name = "Salon with stored value"
effective_from = "2026-01-01"

[earn]
rate = { points = 1, per = 1 }

[[tiers]]
code = "member"
point_value = "0.01"

[[tiers]]
code = "gold"
discount = "10%"
point_value = "0.01"
entry = { deposit = 2000 }

[stored_value]
stores = ["s1"]
roles = ["store_manager"]
min_top_up = 10
max_top_up = 50000

[[stored_value.bonus]]
name = "members 5%"
tiers = ["member"]
from = 100
percent = "5%"
valid_months = 3

[[stored_value.bonus]]
name = "gold: 50 for every 500"
tiers = ["gold"]
fixed = 50
every = 500
)";

std::int64_t Query(TestEnv& env, const std::string& sql) {
  return QueryInt(env.db_path(), sql);
}

service::TopUpSpec Spec(const std::string& card, std::int64_t fen) {
  service::TopUpSpec s;
  s.card = card;
  s.amount = fen;
  return s;
}

// A request from staff signed in over the API, with their role.
service::Request StaffReq(TestEnv& env, const std::string& store, const std::string& role) {
  service::Request r = env.Req(store);
  r.actor.kind = "staff";
  r.actor.staff = "wang";
  r.actor.role = role;
  return r;
}

class TopUpTest : public ::testing::Test {
 protected:
  TopUpTest() { UseProgramme(env_, kProgramme); }

  service::TopUpView TopUp(const std::string& card, std::int64_t fen,
                           const std::string& store = "s1") {
    auto v = env_.services().stored_value().TopUp(env_.Req(store), Spec(card, fen));
    EXPECT_TRUE(v) << v.error().ToString();
    return v ? *v : service::TopUpView{};
  }

  std::int64_t Entries() { return Query(env_, "SELECT COUNT(*) FROM entries"); }

  TestEnv env_;
};

TEST_F(TopUpTest, ThePlansBonusIsASeparateLotThatExpiresOnItsOwn) {
  const std::string card = env_.NewCard();
  const service::TopUpView v = TopUp(card, 100000);  // ¥1,000 at the member tier: 5%
  EXPECT_EQ(v.amount, 100000);
  EXPECT_EQ(v.bonus, 5000);
  EXPECT_EQ(v.plan, "members 5%");
  EXPECT_EQ(v.tier_before, "member");
  EXPECT_EQ(v.tier_after, "member");
  EXPECT_EQ(v.balance_after, 105000);
  EXPECT_EQ(v.programme_version, 1);
  ASSERT_TRUE(v.bonus_expires_on.has_value());
  EXPECT_EQ(v.bonus_expires_on->ToString(), "2027-02-22");  // three months from 2026-11-23
  ASSERT_TRUE(v.entry.has_value());
  EXPECT_GT(v.entry->entry_id, 0);
  EXPECT_EQ(v.entry->kind, "top_up");
  EXPECT_FALSE(v.explain.empty());
  EXPECT_EQ(env_.Balance(card, Asset::kStoredValue), 105000);
  // Two lots: what was paid (no expiry) and the bonus (to the end of its last day).
  EXPECT_EQ(Query(env_,
                  "SELECT COUNT(*) FROM lots WHERE source = 'paid' AND amount = 100000 "
                  "AND expires_at IS NULL"),
            1);
  EXPECT_EQ(Query(env_,
                  "SELECT COUNT(*) FROM lots WHERE source = 'bonus' AND amount = 5000 "
                  "AND expires_at IS NOT NULL"),
            1);
  // The day after the bonus's last day the expiry run takes the bonus only.
  env_.clock().AdvanceSeconds(std::int64_t{92} * 86400);
  auto expired = env_.ledger().Expire(env_.Req(""), *core::CivilDate::Parse("2027-02-22", "d"));
  ASSERT_TRUE(expired) << expired.error().ToString();
  EXPECT_EQ(expired->other_expired, 5000);
  EXPECT_EQ(env_.Balance(card, Asset::kStoredValue), 100000);
  EXPECT_EQ(env_.VerifyProblems(), "");
}

TEST_F(TopUpTest, AQuoteSaysWhatATopUpWouldGiveAndWritesNothing) {
  const std::string card = env_.NewCard();
  const std::int64_t before = Entries();
  auto quote = env_.services().stored_value().QuoteTopUp(env_.Req("s1"), Spec(card, 250000));
  ASSERT_TRUE(quote) << quote.error().ToString();
  EXPECT_TRUE(quote->quote);
  EXPECT_FALSE(quote->entry.has_value());
  EXPECT_EQ(Entries(), before);
  const service::TopUpView real = TopUp(card, 250000);
  EXPECT_EQ(quote->bonus, real.bonus);
  EXPECT_EQ(quote->tier_after, real.tier_after);
  EXPECT_EQ(quote->balance_after, real.balance_after);
  EXPECT_EQ(quote->explain, real.explain);
}

TEST_F(TopUpTest, ADepositReachesItsTierInTheSameWriteAndTheNextSaleIsPricedThere) {
  const std::string card = env_.NewCard();
  const service::TopUpView v = TopUp(card, 200000);  // ¥2,000: the gold deposit
  EXPECT_EQ(v.tier_before, "member");
  EXPECT_EQ(v.tier_after, "gold");
  EXPECT_EQ(v.bonus, 10000);  // the plan of the tier the member was in when paying: 5%
  auto state = env_.services().tiers().State(env_.tenant(), core::MemberId{env_.MemberOf(card)});
  ASSERT_TRUE(state) << state.error().ToString();
  EXPECT_EQ(state->tier, "gold");
  ASSERT_EQ(state->history.size(), 1u);
  EXPECT_EQ(state->history[0].cause, "deposit");
  EXPECT_EQ(state->history[0].from, "member");
  EXPECT_EQ(state->history[0].to, "gold");
  EXPECT_NE(state->history[0].reason.find("deposit of ¥2000.00"), std::string::npos);
  EXPECT_EQ(state->history[0].doc_no, "entry " + std::to_string(v.entry->entry_id));

  // A purchase now is priced at gold's 10% and may be paid from the stored value.
  service::SaleSpec sale;
  sale.card = card;
  core::BasketLine line;
  line.sku = "CUT";
  line.unit_price = 30000;
  sale.lines.push_back(line);
  sale.tenders.push_back({"stored_value", 27000, 0, "", "", ""});
  sale.doc_no = "R-1";
  auto settled = env_.services().checkout().Settle(env_.Req("s1"), sale);
  ASSERT_TRUE(settled) << settled.error().ToString();
  EXPECT_EQ(settled->tier, "gold");
  EXPECT_EQ(settled->due, 27000);
  EXPECT_EQ(env_.Balance(card, Asset::kStoredValue), 210000 - 27000);

  // At gold the gold plan applies; a smaller deposit never moves anyone down.
  const service::TopUpView again = TopUp(card, 120000);
  EXPECT_EQ(again.plan, "gold: 50 for every 500");
  EXPECT_EQ(again.bonus, 10000);  // two full ¥500
  EXPECT_EQ(again.tier_after, "gold");
  EXPECT_EQ(env_.VerifyProblems(), "");
}

TEST_F(TopUpTest, OnlyTheAllowedStoresAndStaffTakeTopUpsAndARefusalWritesNothing) {
  const std::string card = env_.NewCard();
  const std::int64_t before = Entries();
  auto& sv = env_.services().stored_value();
  auto elsewhere = sv.TopUp(env_.Req("s2"), Spec(card, 10000));
  ASSERT_FALSE(elsewhere);
  EXPECT_EQ(elsewhere.error().code, ErrorCode::kTopUpNotPermitted);
  EXPECT_EQ(elsewhere.error().field, "store");
  auto clerk = sv.TopUp(StaffReq(env_, "s1", "clerk"), Spec(card, 10000));
  ASSERT_FALSE(clerk);
  EXPECT_EQ(clerk.error().code, ErrorCode::kTopUpNotPermitted);
  EXPECT_EQ(clerk.error().field, "staff");
  // A quote is refused the same way: the till learns before taking money.
  EXPECT_EQ(sv.QuoteTopUp(StaffReq(env_, "s1", "clerk"), Spec(card, 10000)).error().code,
            ErrorCode::kTopUpNotPermitted);
  EXPECT_EQ(Entries(), before);
  EXPECT_EQ(env_.Balance(card, Asset::kStoredValue), 0);
  auto manager = sv.TopUp(StaffReq(env_, "s1", "store_manager"), Spec(card, 10000));
  ASSERT_TRUE(manager) << manager.error().ToString();
  EXPECT_EQ(manager->entry->staff, "wang");
}

TEST_F(TopUpTest, LimitsAndEnteredBonusesAreCheckedBeforeAnythingIsWritten) {
  const std::string card = env_.NewCard();
  const std::int64_t before = Entries();
  auto& sv = env_.services().stored_value();
  auto small = sv.TopUp(env_.Req("s1"), Spec(card, 999));
  ASSERT_FALSE(small);
  EXPECT_EQ(small.error().field, "amount");
  EXPECT_NE(small.error().message.find("at least ¥10.00"), std::string::npos);
  auto large = sv.TopUp(env_.Req("s1"), Spec(card, 5000001));
  ASSERT_FALSE(large);
  EXPECT_NE(large.error().message.find("at most ¥50000.00"), std::string::npos);
  service::TopUpSpec entered = Spec(card, 10000);
  entered.bonus = 500;
  auto refused = sv.TopUp(env_.Req("s1"), entered);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().field, "bonus");
  EXPECT_EQ(sv.TopUp(env_.Req("s1"), Spec("99999999999", 10000)).error().code,
            ErrorCode::kCardNotFound);
  service::TopUpSpec points = Spec(card, 10000);
  points.asset = Asset::kPoints;
  EXPECT_EQ(sv.TopUp(env_.Req("s1"), points).error().field, "asset");
  EXPECT_EQ(Entries(), before);
}

TEST_F(TopUpTest, ARetryAppliesOnceAndChangedContentIsAConflict) {
  const std::string card = env_.NewCard();
  auto& sv = env_.services().stored_value();
  auto first = sv.TopUp(env_.Keyed("t-1"), Spec(card, 100000));
  ASSERT_TRUE(first) << first.error().ToString();
  auto again = sv.TopUp(env_.Keyed("t-1"), Spec(card, 100000));
  ASSERT_TRUE(again) << again.error().ToString();
  EXPECT_TRUE(again->replayed);
  EXPECT_EQ(again->entry->entry_id, first->entry->entry_id);
  EXPECT_EQ(again->bonus, first->bonus);
  EXPECT_EQ(again->balance_after, first->balance_after);
  EXPECT_EQ(env_.Balance(card, Asset::kStoredValue), 105000);
  auto changed = sv.TopUp(env_.Keyed("t-1"), Spec(card, 100100));
  ASSERT_FALSE(changed);
  EXPECT_EQ(changed.error().code, ErrorCode::kIdempotencyConflict);
  EXPECT_EQ(env_.Balance(card, Asset::kStoredValue), 105000);
}

TEST(TopUpWithoutPlansTest, StaffEnterTheBonusWhereNoPlanDecidesAndUsesLoadPlainly) {
  TestEnv env;  // no programme at all
  const std::string card = env.NewCard();
  service::TopUpSpec spec = Spec(card, 20000);
  spec.bonus = 1500;
  auto v = env.services().stored_value().TopUp(env.Req("s1"), spec);
  ASSERT_TRUE(v) << v.error().ToString();
  EXPECT_EQ(v->bonus, 1500);
  EXPECT_EQ(v->plan, "entered");
  EXPECT_EQ(v->tier_before, "");
  EXPECT_FALSE(v->programme_version.has_value());
  EXPECT_EQ(v->balance_after, 21500);

  // A programme without a [stored_value] section leaves it so, at any store.
  UseProgramme(env, ExampleProgramme("p1a.toml"));
  auto w = env.services().stored_value().TopUp(env.Req("s2"), spec);
  ASSERT_TRUE(w) << w.error().ToString();
  EXPECT_EQ(w->bonus, 1500);
  EXPECT_EQ(w->tier_before, "ordinary");
  EXPECT_EQ(w->programme_version, 1);

  // Uses (a count card) are loaded as they are; the programme's plans are about money.
  const std::string count = env.NewCard("李娜", "count");
  service::TopUpSpec uses = Spec(count, 10);
  uses.asset = Asset::kUses;
  auto u = env.services().stored_value().TopUp(env.Req("s1"), uses);
  ASSERT_TRUE(u) << u.error().ToString();
  EXPECT_EQ(u->balance_after, 10);
  EXPECT_EQ(u->bonus, 0);
  EXPECT_EQ(env.VerifyProblems(), "");
}

TEST(TopUpOperatorsTest, AProgrammeNamingUnknownStoresRolesOrOperatorsIsRefused) {
  TestEnv env;
  auto added = env.services().programmes().Add(env.Req(""), std::string(R"(
[programme]
code = "x"
name = "x"
effective_from = "2026-01-01"
[earn]
rate = { points = 1, per = 1 }
[[tiers]]
code = "member"
[stored_value]
stores = ["s1", "nowhere"]
roles = ["cashier"]
operators = ["ghost"]
)"));
  ASSERT_FALSE(added);
  EXPECT_NE(added.error().message.find("no store nowhere"), std::string::npos)
      << added.error().message;
  EXPECT_NE(added.error().message.find("no role cashier"), std::string::npos);
  EXPECT_NE(added.error().message.find("named ghost"), std::string::npos);
}

}  // namespace
}  // namespace onecard::testing
