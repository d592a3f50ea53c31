// Ledger use cases: what scenario files cannot say as well — error details, receipts, what a
// refused command leaves behind, tenant isolation.
#include <gtest/gtest.h>

#include "support/test_env.hpp"

namespace onecard::testing {
namespace {

using core::Asset;
using core::ErrorCode;

std::int64_t CountRows(TestEnv& env, const char* table) {
  return QueryInt(env.db_path(), std::string("SELECT count(*) FROM ") + table);
}

TEST(LedgerTest, EarnReceiptShowsTheLotAndTheBalanceAfter) {
  TestEnv env;
  const std::string card = env.NewCard();
  const core::Timestamp until = env.ValidUntil("2027-06-30");
  auto r = env.ledger().Earn(env.Req("s2"),
                             service::EarnRequest{card, Asset::kPoints, 120, until, "S-1", "sale"});
  ASSERT_TRUE(r) << r.error().ToString();
  EXPECT_EQ(r->kind, "earn");
  EXPECT_EQ(r->store, "s2");
  EXPECT_EQ(r->staff, "tester");
  EXPECT_EQ(r->doc_no, "S-1");
  EXPECT_EQ(r->at, kStart);
  ASSERT_EQ(r->lines.size(), 1u);
  EXPECT_EQ(r->lines[0].card_number, card);
  EXPECT_EQ(r->lines[0].amount, 120);
  EXPECT_EQ(r->lines[0].balance_after, 120);
  ASSERT_EQ(r->new_lots.size(), 1u);
  EXPECT_EQ(r->new_lots[0].expires_at, until);
  EXPECT_EQ(r->new_lots[0].source, "earned");
  // The programme's side: the store's issued-points account took the other leg.
  EXPECT_EQ(QueryInt(env.db_path(),
                     "SELECT sum(p.amount) FROM postings p JOIN accounts a ON a.id = p.account_id "
                     "WHERE a.role = 'points_issued' AND a.holder_kind = 'store'"),
            -120);
  EXPECT_EQ(env.VerifyProblems(), "");
}

TEST(LedgerTest, RefusedSpendNamesWhatIsMissingAndWritesNothing) {
  TestEnv env;
  const std::string card = env.NewCard();
  env.Earn(card, 80);
  const std::int64_t entries = CountRows(env, "entries");
  const std::int64_t accounts = CountRows(env, "accounts");
  const std::int64_t keys = CountRows(env, "idempotency_keys");
  auto r = env.ledger().Spend(
      env.Req(), service::SpendRequest{card, core::AssetSelection::kAnyPoints, 120, "", ""});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kInsufficientBalance);
  EXPECT_EQ(r.error().message, "card " + card + " has 80 points available; 120 needed");
  EXPECT_EQ(CountRows(env, "entries"), entries);
  EXPECT_EQ(CountRows(env, "accounts"), accounts);
  EXPECT_EQ(CountRows(env, "idempotency_keys"), keys);  // a refused command keeps no key
  EXPECT_EQ(env.Balance(card), 80);
}

TEST(LedgerTest, RefusesBadAmountsAndTextBeforeTouchingTheDatabase) {
  TestEnv env;
  const std::string card = env.NewCard();
  auto earn = [&](std::int64_t amount) {
    return env.ledger().Earn(env.Req(),
                             service::EarnRequest{card, Asset::kPoints, amount, {}, "", ""});
  };
  EXPECT_EQ(earn(0).error().code, ErrorCode::kAmountNotPositive);
  EXPECT_EQ(earn(-5).error().code, ErrorCode::kAmountNotPositive);
  EXPECT_EQ(earn(core::kAmountMax + 1).error().code, ErrorCode::kAmountTooLarge);
  auto bad_doc = env.ledger().Earn(
      env.Req(), service::EarnRequest{card, Asset::kPoints, 1, {}, std::string(65, 'x'), ""});
  EXPECT_EQ(bad_doc.error().field, "doc_no");
  auto past = env.ledger().Earn(
      env.Req(), service::EarnRequest{card, Asset::kPoints, 1, kStart.PlusSeconds(-1), "", ""});
  EXPECT_EQ(past.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(past.error().field, "expires");
  auto money = env.ledger().Earn(env.Req(),
                                 service::EarnRequest{card, Asset::kStoredValue, 100, {}, "", ""});
  EXPECT_EQ(money.error().code, ErrorCode::kInvalidArgument);
  auto no_key =
      env.ledger().Earn(env.Keyed(""), service::EarnRequest{card, Asset::kPoints, 1, {}, "", ""});
  EXPECT_EQ(no_key.error().code, ErrorCode::kIdempotencyKeyMissing);
  auto bad_key = env.ledger().Earn(env.Keyed("a key"),
                                   service::EarnRequest{card, Asset::kPoints, 1, {}, "", ""});
  EXPECT_EQ(bad_key.error().code, ErrorCode::kIdempotencyKeyMalformed);
  EXPECT_EQ(CountRows(env, "entries"), 0);
}

TEST(LedgerTest, UnknownCardIsNotFound) {
  TestEnv env;
  auto r =
      env.ledger().Earn(env.Req(), service::EarnRequest{"99999999", Asset::kPoints, 1, {}, "", ""});
  EXPECT_EQ(r.error().code, ErrorCode::kCardNotFound);
  EXPECT_EQ(r.error().field, "card");
  EXPECT_EQ(env.ledger().Balance(env.tenant(), "99999999").error().code, ErrorCode::kCardNotFound);
}

TEST(LedgerTest, ATenantNeverSeesAnotherTenantsCards) {
  TestEnv env;
  const std::string card = env.NewCard();
  env.Earn(card, 10);
  auto other = env.services().org().CreateTenant("t2", "Other", "Asia/Shanghai");
  ASSERT_TRUE(other);
  const service::Request foreign =
      service::RequestAs(*other, service::ActorNamed("intruder"), "x1");
  auto spend = env.ledger().Spend(
      foreign, service::SpendRequest{card, core::AssetSelection::kAnyPoints, 5, "", ""});
  EXPECT_EQ(spend.error().code, ErrorCode::kCardNotFound);
  EXPECT_EQ(env.ledger().Balance(*other, card).error().code, ErrorCode::kCardNotFound);
  EXPECT_EQ(env.services().members().Show(*other, env.MemberOf(card)).error().code,
            ErrorCode::kMemberNotFound);
  // Members of t1 are not members of t2, and t2 has none of t1's card types.
  service::IssueCardRequest issue;
  issue.member_id = env.MemberOf(card);
  issue.type = "member";
  EXPECT_EQ(env.services().cards().Issue(foreign, issue).error().code,
            ErrorCode::kCardTypeNotFound);
  ASSERT_TRUE(
      env.services().org().AddCardType(foreign, {"member", "M", core::CardKind::kPersonal, 0, 0}));
  EXPECT_EQ(env.services().cards().Issue(service::RequestAs(*other, {}, "x2"), issue).error().code,
            ErrorCode::kMemberNotFound);
  EXPECT_EQ(env.Balance(card), 10);
}

TEST(LedgerTest, ReplayReturnsTheFirstReceiptWithoutApplyingAgain) {
  TestEnv env;
  const std::string card = env.NewCard();
  const service::EarnRequest earn{card, Asset::kPoints, 50, env.ValidUntil("2027-01-31"), "S-9",
                                  ""};
  auto first = env.ledger().Earn(env.Keyed("till-1"), earn);
  ASSERT_TRUE(first);
  env.clock().AdvanceSeconds(3600);
  auto again = env.ledger().Earn(env.Keyed("till-1"), earn);
  ASSERT_TRUE(again);
  EXPECT_TRUE(again->replayed);
  EXPECT_FALSE(first->replayed);
  EXPECT_EQ(nlohmann::json(*again), nlohmann::json(*first));
  EXPECT_EQ(env.Balance(card), 50);
  auto changed = env.ledger().Earn(env.Keyed("till-1"),
                                   service::EarnRequest{card, Asset::kPoints, 51, {}, "S-9", ""});
  EXPECT_EQ(changed.error().code, ErrorCode::kIdempotencyConflict);
  EXPECT_EQ(changed.error().field, "idempotency_key");
}

TEST(LedgerTest, ReplayIsAnsweredEvenAfterItsExpiryHasPassed) {
  // Regression (found by the property test): time-dependent checks run after the key lookup.
  TestEnv env;
  const std::string card = env.NewCard();
  const service::EarnRequest earn{card, Asset::kPoints, 50, kStart.PlusSeconds(86400), "", ""};
  ASSERT_TRUE(env.ledger().Earn(env.Keyed("till-2"), earn));
  env.clock().AdvanceSeconds(3 * 86400);
  auto again = env.ledger().Earn(env.Keyed("till-2"), earn);
  ASSERT_TRUE(again) << again.error().ToString();
  EXPECT_TRUE(again->replayed);
  auto fresh = env.ledger().Earn(env.Keyed("till-3"), earn);
  EXPECT_EQ(fresh.error().field, "expires");
}

TEST(LedgerTest, TopUpBonusIsASeparateLotAgainstTheBonusAccount) {
  TestEnv env;
  const std::string card = env.NewCard();
  auto r = env.TopUp(card, 200000, 20000);
  ASSERT_EQ(r.new_lots.size(), 2u);
  EXPECT_EQ(r.new_lots[0].source, "paid");
  EXPECT_EQ(r.new_lots[1].source, "bonus");
  EXPECT_EQ(env.Balance(card, Asset::kStoredValue), 220000);
  EXPECT_EQ(QueryInt(env.db_path(),
                     "SELECT sum(p.amount) FROM postings p JOIN accounts a ON a.id = p.account_id "
                     "WHERE a.role = 'top_up_bonus'"),
            -20000);
  EXPECT_EQ(QueryInt(env.db_path(),
                     "SELECT sum(p.amount) FROM postings p JOIN accounts a ON a.id = p.account_id "
                     "WHERE a.role = 'float'"),
            -200000);
}

TEST(LedgerTest, ReversalRefusesKindsThatAreNotReversible) {
  TestEnv env;
  const std::string card = env.NewCard();
  auto earn = env.Earn(card, 10);
  auto rev = env.ledger().Reverse(env.Req(), service::ReverseRequest{earn.entry_id, "mistake"});
  ASSERT_TRUE(rev);
  auto rev2 = env.ledger().Reverse(env.Req(), service::ReverseRequest{rev->entry_id, "undo"});
  EXPECT_EQ(rev2.error().code, ErrorCode::kEntryNotReversible);
  EXPECT_EQ(
      env.ledger().Reverse(env.Req(), service::ReverseRequest{earn.entry_id, ""}).error().field,
      "reason");
  EXPECT_EQ(env.ledger().Reverse(env.Req(), service::ReverseRequest{9999, "x"}).error().code,
            ErrorCode::kEntryNotFound);
  auto hold = env.ledger().Hold(
      env.Req(), service::HoldRequest{card, core::AssetSelection::kAnyPoints, 1, 60, ""});
  EXPECT_FALSE(hold);  // nothing left to hold after the reversal
  EXPECT_EQ(env.VerifyProblems(), "");
}

TEST(LedgerTest, HistoryPagesByEntryNewestFirst) {
  TestEnv env;
  const std::string card = env.NewCard();
  for (int i = 1; i <= 5; ++i) env.Earn(card, i);
  auto page = env.ledger().History(env.tenant(), card, {}, {}, 2);
  ASSERT_TRUE(page);
  ASSERT_EQ(page->lines.size(), 2u);
  EXPECT_EQ(page->lines[0].amount, 5);
  EXPECT_EQ(page->lines[1].amount, 4);
  EXPECT_EQ(page->lines[0].balance_after, 15);
  auto next = env.ledger().History(env.tenant(), card, {}, core::EntryId{page->next_before}, 10);
  ASSERT_TRUE(next);
  ASSERT_EQ(next->lines.size(), 3u);
  EXPECT_EQ(next->lines.back().amount, 1);
  EXPECT_EQ(next->next_before, 0);
  auto by_member =
      env.ledger().History(env.tenant(), "", core::MemberId{env.MemberOf(card)}, {}, 50);
  ASSERT_TRUE(by_member);
  EXPECT_EQ(by_member->lines.size(), 5u);
  EXPECT_EQ(env.ledger().History(env.tenant(), "", core::MemberId{77}, {}, 50).error().code,
            ErrorCode::kMemberNotFound);
}

TEST(LedgerTest, CaptureAndCloseRespectHoldRules) {
  TestEnv env;
  const std::string card = env.NewCard();
  env.Earn(card, 100);
  auto hold = env.ledger().Hold(
      env.Req(), service::HoldRequest{card, core::AssetSelection::kAnyPoints, 60, 600, ""});
  ASSERT_TRUE(hold);
  EXPECT_EQ(
      env.ledger().Capture(env.Req(), service::CaptureRequest{hold->hold_id, 61}).error().code,
      ErrorCode::kCaptureExceedsHold);
  EXPECT_EQ(env.ledger().Capture(env.Req(), service::CaptureRequest{424242, {}}).error().code,
            ErrorCode::kHoldNotFound);
  EXPECT_EQ(env.services().cards().Replace(env.Req(), card, "", "lost").error().code,
            ErrorCode::kCardHasActiveHolds);
  EXPECT_EQ(env.services().cards().Apply(env.Req(), card, core::CardOp::kClose, "").error().code,
            ErrorCode::kCardHasActiveHolds);
  auto shown = env.ledger().ShowHold(env.tenant(), hold->hold_id);
  ASSERT_TRUE(shown);
  EXPECT_EQ(shown->status, "active");
  EXPECT_EQ(shown->entry.kind, "hold");
  ASSERT_TRUE(env.ledger().Void(env.Req(), service::VoidRequest{hold->hold_id, "customer left"}));
  EXPECT_EQ(env.ledger().ShowHold(env.tenant(), hold->hold_id)->status, "voided");
  EXPECT_EQ(env.VerifyProblems(), "");
}

}  // namespace
}  // namespace onecard::testing
