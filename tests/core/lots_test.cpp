#include "core/lots.hpp"

#include <gtest/gtest.h>

namespace onecard::core {
namespace {

constexpr Timestamp kNow = Timestamp::FromSeconds(1'800'000'000);

LotView Lot(std::int64_t id, std::int64_t remaining, std::optional<std::int64_t> expires_in_s,
            Asset asset = Asset::kPoints) {
  LotView l;
  l.id = LotId{id};
  l.asset = asset;
  l.remaining = remaining;
  l.amount = remaining;
  if (expires_in_s) l.expires_at = kNow.PlusSeconds(*expires_in_s);
  return l;
}

AccountPlanner Account(std::int64_t id, std::vector<LotView> lots, std::int64_t debt = 0,
                       std::int64_t limit = 0, Asset asset = Asset::kPoints) {
  std::int64_t balance = debt;
  for (const LotView& l : lots) balance += l.remaining;
  return AccountPlanner(
      AccountSnapshot{AccountId{id}, asset, balance, debt, limit, std::move(lots)}, kNow);
}

std::int64_t Remaining(const AccountPlanner& a, std::int64_t lot) {
  for (const LotView& l : a.lots()) {
    if (l.id == LotId{lot}) return l.remaining;
  }
  return -1;
}

TEST(LotsTest, DebitTakesEarliestExpiringFirstAndNeverExpiringLast) {
  AccountPlanner a = Account(
      1, {Lot(10, 100, std::nullopt), Lot(11, 50, 3600 * 24 * 90), Lot(12, 30, 3600 * 24 * 10)});
  EntryPlan plan;
  ASSERT_EQ(plan.Debit(a, 60), 0);
  EXPECT_EQ(Remaining(a, 12), 0);    // expires in 10 days: taken first
  EXPECT_EQ(Remaining(a, 11), 20);   // then the 90-day lot
  EXPECT_EQ(Remaining(a, 10), 100);  // never-expiring last
  EXPECT_EQ(a.balance(), 120);
  ASSERT_EQ(plan.postings().size(), 1u);
  EXPECT_EQ(plan.postings()[0].amount, -60);
  ASSERT_EQ(plan.moves().size(), 2u);
  EXPECT_EQ(plan.moves()[0].lot, LotId{12});
  EXPECT_EQ(plan.moves()[0].delta, -30);
  EXPECT_EQ(plan.moves()[1].lot, LotId{11});
  EXPECT_EQ(plan.moves()[1].delta, -30);
}

TEST(LotsTest, DebitIsAllOrNothingAndReportsTheShortfall) {
  AccountPlanner a = Account(1, {Lot(10, 40, std::nullopt)});
  EntryPlan plan;
  EXPECT_EQ(plan.Debit(a, 100), 60);
  EXPECT_TRUE(plan.moves().empty());
  EXPECT_TRUE(plan.postings().empty());
  EXPECT_EQ(Remaining(a, 10), 40);
}

TEST(LotsTest, ExpiredLotsAreNotSpendableButStayInTheBalance) {
  AccountPlanner a = Account(1, {Lot(10, 40, -1), Lot(11, 10, 100)});
  EXPECT_EQ(a.Available(), 10);
  EXPECT_EQ(a.ExpiredPending(), 40);
  EXPECT_EQ(a.balance(), 50);
  EntryPlan plan;
  EXPECT_EQ(plan.Debit(a, 20), 10);
  // A lot that expires exactly now is already expired.
  AccountPlanner b = Account(2, {Lot(20, 5, 0)});
  EXPECT_EQ(b.Available(), 0);
}

TEST(LotsTest, DebitUsesCreditRoomAfterTheLots) {
  AccountPlanner a = Account(1, {Lot(10, 30, std::nullopt)}, 0, 100, Asset::kStoredValue);
  EntryPlan plan;
  ASSERT_EQ(plan.Debit(a, 80), 0);
  EXPECT_EQ(a.debt(), -50);
  EXPECT_EQ(a.balance(), -50);
  EXPECT_EQ(a.Available(), 50);
  ASSERT_EQ(plan.moves().size(), 2u);
  EXPECT_TRUE(plan.moves()[1].is_debt());
  EXPECT_EQ(plan.moves()[1].delta, -50);
  EntryPlan more;
  EXPECT_EQ(more.Debit(a, 51), 1);
}

TEST(LotsTest, CreditRepaysDebtBeforeMakingALot) {
  AccountPlanner a = Account(1, {}, -50, 100, Asset::kStoredValue);
  EntryPlan plan;
  plan.Credit(a, 80, LotSpec{std::nullopt, LotSource::kPaid, StoreId{3}, {}});
  EXPECT_EQ(a.debt(), 0);
  EXPECT_EQ(a.balance(), 30);
  ASSERT_EQ(plan.new_lots().size(), 1u);
  EXPECT_EQ(plan.new_lots()[0].amount, 30);
  EXPECT_EQ(plan.new_lots()[0].spec.issuer_store, StoreId{3});
  ASSERT_EQ(plan.moves().size(), 2u);
  EXPECT_TRUE(plan.moves()[0].is_debt());
  EXPECT_EQ(plan.moves()[0].delta, 50);
  EXPECT_EQ(plan.moves()[1].new_lot, 0);
  EXPECT_EQ(plan.postings()[0].amount, 80);
}

TEST(LotsTest, DebitAcrossBothKindsOfPointsFollowsExpiryThenKind) {
  AccountPlanner plain = Account(1, {Lot(10, 50, 1000), Lot(11, 50, 5000)});
  AccountPlanner cash =
      Account(2, {Lot(20, 50, 1000, Asset::kCashablePoints)}, 0, 0, Asset::kCashablePoints);
  EntryPlan plan;
  AccountPlanner* both[] = {&plain, &cash};
  ASSERT_EQ(plan.Debit(both, 120), 0);
  // Same expiry: non-cashable before cashable; then the later lot.
  EXPECT_EQ(Remaining(plain, 10), 0);
  EXPECT_EQ(Remaining(cash, 20), 0);
  EXPECT_EQ(Remaining(plain, 11), 30);
  ASSERT_EQ(plan.postings().size(), 2u);
  EXPECT_EQ(plan.postings()[0].asset, Asset::kPoints);
  EXPECT_EQ(plan.postings()[0].amount, -70);
  EXPECT_EQ(plan.postings()[1].asset, Asset::kCashablePoints);
  EXPECT_EQ(plan.postings()[1].amount, -50);
}

TEST(LotsTest, RestoreReturnsTheExactLotsAndTakeBackTakesTheCreatedOne) {
  AccountPlanner a = Account(1, {Lot(10, 0, 100), Lot(11, 40, 1000)});
  EntryPlan plan;
  plan.Restore(a, LotId{10}, 25, LotSpec{});
  EXPECT_EQ(Remaining(a, 10), 25);
  EXPECT_EQ(plan.TakeBack(a, LotId{11}, 40), 0);
  EXPECT_EQ(Remaining(a, 11), 0);
  EXPECT_EQ(a.balance(), 25);
}

// Restoring into one lot as much as is taken back from another moves both lots and posts
// nothing on the account (an entry never has a posting of 0).
TEST(LotsTest, MovesThatNetToNothingLeaveNoPostingButKeepTheirMoves) {
  AccountPlanner a = Account(1, {Lot(10, 0, 100), Lot(11, 40, 1000)});
  EntryPlan plan;
  plan.Restore(a, LotId{10}, 18, LotSpec{});
  plan.Post(AccountId{7}, Asset::kPoints, -18);
  EXPECT_EQ(plan.TakeBack(a, LotId{11}, 18), 0);
  plan.Post(AccountId{8}, Asset::kPoints, 18);
  plan.Post(AccountId{9}, Asset::kPoints, 0);
  EXPECT_EQ(plan.moves().size(), 2U);
  ASSERT_EQ(plan.postings().size(), 2U);
  EXPECT_EQ(plan.postings()[0].account, AccountId{7});
  EXPECT_EQ(plan.postings()[1].account, AccountId{8});
  EXPECT_EQ(plan.Imbalance(), "");
  EXPECT_EQ(Remaining(a, 10), 18);
  EXPECT_EQ(Remaining(a, 11), 22);
  EXPECT_EQ(a.balance(), 40);
}

TEST(LotsTest, TakeBackFallsBackToOtherLotsWhenTheLotWasSpent) {
  // Lot 11 (the earn being reversed) has only 10 left of its 40; the rest comes from lot 12.
  AccountPlanner a = Account(1, {Lot(11, 10, 1000), Lot(12, 100, 2000)});
  EntryPlan plan;
  ASSERT_EQ(plan.TakeBack(a, LotId{11}, 40), 0);
  EXPECT_EQ(Remaining(a, 11), 0);
  EXPECT_EQ(Remaining(a, 12), 70);
  // And refuses, recording nothing, when there is not enough at all.
  EntryPlan again;
  EXPECT_EQ(again.TakeBack(a, LotId{11}, 100), 30);
  EXPECT_TRUE(again.moves().empty());
}

TEST(LotsTest, TakeBackCountsTheLotItselfOnlyOnce) {
  // 10 left in the lot, 10 elsewhere: taking back 30 is 10 short, and nothing is recorded.
  AccountPlanner a = Account(1, {Lot(11, 10, 1000), Lot(12, 10, 2000)});
  EntryPlan plan;
  EXPECT_EQ(plan.TakeBack(a, LotId{11}, 30), 10);
  EXPECT_TRUE(plan.moves().empty());
  EXPECT_EQ(a.balance(), 20);
}

TEST(LotsTest, TakeBackWorksOnAnExpiredLot) {
  AccountPlanner a = Account(1, {Lot(11, 40, -100)});
  EntryPlan plan;
  EXPECT_EQ(plan.TakeBack(a, LotId{11}, 40), 0);
  EXPECT_EQ(a.balance(), 0);
}

TEST(LotsTest, RestoreOfDebtRepaysThenMakesALot) {
  AccountPlanner a = Account(1, {}, -20, 100, Asset::kStoredValue);
  EntryPlan plan;
  plan.Restore(a, LotId{}, 50, LotSpec{std::nullopt, LotSource::kRestored, {}, {}});
  EXPECT_EQ(a.debt(), 0);
  EXPECT_EQ(a.balance(), 30);
  ASSERT_EQ(plan.new_lots().size(), 1u);
  EXPECT_EQ(plan.new_lots()[0].spec.source, LotSource::kRestored);
}

TEST(LotsTest, TransferAllMovesEveryLotWithItsExpiryAndTheDebt) {
  LotView earned = Lot(10, 70, 1000);
  earned.source = LotSource::kEarned;
  earned.issuer_store = StoreId{5};
  AccountPlanner from = Account(1, {earned, Lot(11, 30, std::nullopt)}, -10, 50);
  AccountPlanner to = Account(2, {}, 0, 50);
  EntryPlan plan;
  plan.TransferAll(from, to);
  EXPECT_EQ(from.balance(), 0);
  EXPECT_EQ(from.debt(), 0);
  EXPECT_EQ(to.balance(), 90);
  EXPECT_EQ(to.debt(), -10);
  ASSERT_EQ(plan.new_lots().size(), 2u);
  EXPECT_EQ(plan.new_lots()[0].spec.expires_at, kNow.PlusSeconds(1000));
  EXPECT_EQ(plan.new_lots()[0].spec.issuer_store, StoreId{5});
  EXPECT_EQ(plan.new_lots()[0].spec.origin, LotId{10});
  EXPECT_EQ(plan.Imbalance(), "");
}

TEST(LotsTest, ExpireLotsWritesOffOnlyLotsDueByTheCutoff) {
  AccountPlanner a =
      Account(1, {Lot(10, 30, -10), Lot(11, 20, 0), Lot(12, 50, 10), Lot(13, 5, std::nullopt)});
  EntryPlan plan;
  EXPECT_EQ(plan.ExpireLots(a, kNow), 50);
  EXPECT_EQ(Remaining(a, 12), 50);
  EXPECT_EQ(Remaining(a, 13), 5);
  EXPECT_EQ(a.balance(), 55);
  EntryPlan again;
  EXPECT_EQ(again.ExpireLots(a, kNow), 0);  // safe to repeat
}

TEST(LedgerTest, DescribesImbalances) {
  std::vector<Posting> ok = {{AccountId{1}, Asset::kPoints, 10},
                             {AccountId{2}, Asset::kPoints, -10}};
  EXPECT_EQ(DescribeImbalance(ok), "");
  std::vector<Posting> off = {{AccountId{1}, Asset::kPoints, 10},
                              {AccountId{2}, Asset::kPoints, -9}};
  EXPECT_NE(DescribeImbalance(off).find("sum to 1"), std::string::npos);
  std::vector<Posting> mixed = {{AccountId{1}, Asset::kPoints, 10},
                                {AccountId{2}, Asset::kStoredValue, -10}};
  EXPECT_NE(DescribeImbalance(mixed), "");
  std::vector<Posting> one = {{AccountId{1}, Asset::kPoints, 0}};
  EXPECT_NE(DescribeImbalance(one), "");
}

}  // namespace
}  // namespace onecard::core
