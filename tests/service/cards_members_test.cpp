// Members and cards: enrolment, custom fields, search, status history; issue, numbers, renew,
// close, replace with credit limits and linked cards.
#include <gtest/gtest.h>

#include "support/test_env.hpp"

namespace onecard::testing {
namespace {

using core::ErrorCode;

service::MemberChanges Profile(std::vector<std::pair<std::string, std::string>> fields) {
  service::MemberChanges c;
  c.profile = std::move(fields);
  return c;
}

TEST(MembersTest, EnrolsWithProfileAndCustomFieldsAndFindsThem) {
  TestEnv env;
  const service::Request req = env.Req("");
  ASSERT_TRUE(env.services().org().DefineField(
      req, {"plate", "车牌", core::FieldType::kText, {}, /*indexed=*/true, false}));
  ASSERT_TRUE(env.services().org().DefineField(
      env.Req(""), {"tea", "Tea", core::FieldType::kChoice, {"绿茶", "红茶"}, false, true}));
  service::MemberChanges c = Profile(
      {{"name", "张伟"}, {"phone", "138 0013 8000"}, {"birthday", "1985-06-15"}, {"city", "上海"}});
  c.custom = {{"plate", "沪A12345"}, {"tea", "红茶"}};
  auto m = env.services().members().Add(env.Req(), c);
  ASSERT_TRUE(m) << m.error().ToString();
  EXPECT_EQ(m->Field("phone"), "13800138000");
  EXPECT_EQ(m->status, "registered");
  EXPECT_EQ(m->home_store, "s1");
  ASSERT_EQ(m->custom.size(), 2u);

  auto find = [&](const std::string& text) {
    auto r = env.services().members().Find(env.tenant(), text, 10);
    EXPECT_TRUE(r) << r.error().ToString();
    return r ? r->size() : 0u;
  };
  EXPECT_EQ(find("13800138000"), 1u);
  EXPECT_EQ(find("8000"), 1u);      // the last digits of a phone, as at a Chinese till
  EXPECT_EQ(find("张"), 1u);        // part of a name
  EXPECT_EQ(find("沪A12345"), 1u);  // an indexed custom field
  EXPECT_EQ(find("红茶"), 0u);      // not indexed
  EXPECT_EQ(find("13900000000"), 0u);
  EXPECT_EQ(env.services().members().Find(env.tenant(), "", 10).error().code,
            ErrorCode::kInvalidArgument);
}

TEST(MembersTest, RefusesUnknownFieldsAndBadValuesWithoutWriting) {
  TestEnv env;
  service::MemberChanges c = Profile({{"name", "李娜"}});
  c.custom = {{"plate", "x"}};
  auto r = env.services().members().Add(env.Req(), c);
  EXPECT_EQ(r.error().code, ErrorCode::kFieldUnknown);
  EXPECT_EQ(r.error().field, "plate");
  EXPECT_EQ(env.services()
                .members()
                .Add(env.Req(), Profile({{"name", "x"}, {"phone", "abc"}}))
                .error()
                .code,
            ErrorCode::kPhoneMalformed);
  EXPECT_EQ(
      env.services().members().Add(env.Req(), Profile({{"phone", "13800138000"}})).error().field,
      "name");
  EXPECT_EQ(env.services()
                .members()
                .Add(env.Req(), Profile({{"name", "x"}, {"birthday", "2030-01-01"}}))
                .error()
                .field,
            "birthday");
  EXPECT_EQ(QueryInt(env.db_path(), "SELECT count(*) FROM members"), 0);
}

TEST(MembersTest, StatusChangesNeedAReasonAndAreKept) {
  TestEnv env;
  auto m = env.services().members().Add(env.Req(), Profile({{"name", "王芳"}}));
  ASSERT_TRUE(m);
  service::MemberChanges to_black;
  to_black.status = core::MemberStatus::kBlacklisted;
  EXPECT_EQ(env.services().members().Update(env.Req(), m->id, to_black).error().field, "reason");
  to_black.reason = "fraudulent returns";
  auto u = env.services().members().Update(env.Req(), m->id, to_black);
  ASSERT_TRUE(u);
  EXPECT_EQ(u->status, "blacklisted");
  ASSERT_EQ(u->status_history.size(), 1u);
  EXPECT_EQ(u->status_history[0].from, "registered");
  EXPECT_EQ(u->status_history[0].reason, "fraudulent returns");
  EXPECT_EQ(u->status_history[0].staff, "tester");
  EXPECT_EQ(env.services().members().Update(env.Req(), 999, to_black).error().code,
            ErrorCode::kMemberNotFound);
}

TEST(CardsTest, IssuesGeneratedLuhnNumbersOrThePhone) {
  TestEnv env;
  const std::string generated = env.NewCard();
  EXPECT_TRUE(core::LuhnValid(generated)) << generated;
  auto m = env.services().members().Add(
      env.Req(), Profile({{"name", "李娜"}, {"phone", "+86 139 0013 9000"}}));
  ASSERT_TRUE(m);
  service::IssueCardRequest r;
  r.member_id = m->id;
  r.type = "gold";
  r.phone_as_number = true;
  auto c = env.services().cards().Issue(env.Req(), r);
  ASSERT_TRUE(c) << c.error().ToString();
  EXPECT_EQ(c->card.number, "8613900139000");
  // Gold cards are valid 24 months and cost a fee, recorded in the card's log.
  ASSERT_TRUE(c->card.expires_on);
  EXPECT_EQ(c->card.expires_on->ToString(), "2028-11-23");
  ASSERT_EQ(c->card.events.size(), 1u);
  EXPECT_EQ(c->card.events[0].fee_fen, 80000);
  // Numbers are unique in a tenant.
  r.phone_as_number = false;
  r.number = c->card.number;
  EXPECT_EQ(env.services().cards().Issue(env.Req(), r).error().code, ErrorCode::kCardNumberTaken);
  r.number = "no spaces";
  EXPECT_EQ(env.services().cards().Issue(env.Req(), r).error().code,
            ErrorCode::kCardNumberMalformed);
  r.number = "";
  r.type = "platinum";
  EXPECT_EQ(env.services().cards().Issue(env.Req(), r).error().code, ErrorCode::kCardTypeNotFound);
}

TEST(CardsTest, RenewExtendsFromTheLaterOfTodayAndTheExpiry) {
  TestEnv env;
  const std::string card = env.NewCard("赵磊", "gold");
  auto renewed = env.services().cards().Apply(env.Req(), card, core::CardOp::kRenew, "paid");
  ASSERT_TRUE(renewed);
  EXPECT_EQ(renewed->card.expires_on->ToString(), "2030-11-23");
  EXPECT_EQ(renewed->card.events.back().fee_fen, 80000);
  auto expiring = env.services().cards().ExpiringBy(env.tenant(), {2030, 12, 1}, 10);
  ASSERT_TRUE(expiring);
  ASSERT_EQ(expiring->size(), 1u);
  EXPECT_EQ((*expiring)[0].number, card);
}

TEST(CardsTest, ReplacementCarriesLotsDebtAndCreditLimit) {
  TestEnv env;
  const std::string card = env.NewCard();
  env.Earn(card, 300, env.ValidUntil("2027-03-31"));
  ASSERT_TRUE(env.ledger().SetCreditLimit(
      env.Req(), service::CreditLimitRequest{card, core::Asset::kStoredValue, 5000, "trusted"}));
  ASSERT_TRUE(env.ledger().Pay(env.Req(),
                               service::PayRequest{card, core::Asset::kStoredValue, 3000, "", ""}));
  auto replaced = env.services().cards().Replace(env.Req(), card, "NEW-0001", "worn out");
  ASSERT_TRUE(replaced) << replaced.error().ToString();
  ASSERT_TRUE(replaced->new_card);
  ASSERT_TRUE(replaced->transfer);
  EXPECT_EQ(replaced->transfer->kind, "transfer");
  EXPECT_EQ(replaced->card.state, "replaced");
  EXPECT_EQ(replaced->card.replaced_by_number, "NEW-0001");
  auto balances = env.ledger().Balance(env.tenant(), "NEW-0001");
  ASSERT_TRUE(balances);
  EXPECT_EQ(balances->assets[0].balance, 300);
  ASSERT_EQ(balances->assets[0].lots.size(), 1u);
  EXPECT_EQ(balances->assets[0].lots[0].expires_at, env.ValidUntil("2027-03-31"));
  EXPECT_EQ(balances->assets[2].balance, -3000);
  EXPECT_EQ(balances->assets[2].debt, -3000);
  EXPECT_EQ(balances->assets[2].credit_limit, 5000);
  // The old number stays dead: it cannot be reissued, reused or used.
  EXPECT_EQ(env.services().cards().Replace(env.Req(), card, "", "again").error().code,
            ErrorCode::kCardStateInvalid);
  service::IssueCardRequest reuse;
  reuse.member_id = env.MemberOf("NEW-0001");
  reuse.type = "member";
  reuse.number = card;
  EXPECT_EQ(env.services().cards().Issue(env.Req(), reuse).error().code,
            ErrorCode::kCardNumberTaken);
  EXPECT_EQ(env.VerifyProblems(), "");
}

TEST(CardsTest, CardOperationsAreLoggedWithStaffStoreAndReason) {
  TestEnv env;
  const std::string card = env.NewCard();
  ASSERT_TRUE(env.services().cards().Apply(env.Req("s2"), card, core::CardOp::kFreeze, "dispute"));
  auto shown = env.services().cards().Show(env.tenant(), card);
  ASSERT_TRUE(shown);
  ASSERT_EQ(shown->events.size(), 2u);
  EXPECT_EQ(shown->events[1].op, "freeze");
  EXPECT_EQ(shown->events[1].staff, "tester");
  EXPECT_EQ(shown->events[1].store, "s2");
  EXPECT_EQ(shown->events[1].reason, "dispute");
  EXPECT_EQ(shown->status, "active, frozen");
}

}  // namespace
}  // namespace onecard::testing
