// Group commit: commands share one transaction, each in its own savepoint.
#include "service/writer.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <future>
#include <mutex>

#include "support/test_env.hpp"

namespace onecard::testing {
namespace {

using core::ErrorCode;

TEST(WriterTest, AFailingCommandIsRolledBackAloneInsideItsGroup) {
  TestEnv env;
  std::vector<std::string> cards;
  for (int i = 0; i < 3; ++i) cards.push_back(env.NewCard("m" + std::to_string(i)));
  service::Writer& writer = env.services().writer();

  // Hold the writer inside a first command until the others are queued, so that they all run in
  // the next group.
  std::mutex mu;
  std::condition_variable cv;
  bool release = false;
  std::promise<void> first_done;
  std::promise<void> first_running;
  writer.Submit(
      env.tenant().id, "", "",
      [&](storage::WriteTxn&) -> core::Result<std::string> {
        first_running.set_value();
        std::unique_lock lock(mu);
        cv.wait(lock, [&] { return release; });
        return std::string();
      },
      [&](core::Result<std::string>, bool) { first_done.set_value(); });
  first_running.get_future().wait();  // the writer has taken it as a group of its own
  const service::WriterStats before = writer.stats();

  std::vector<std::future<core::Result<service::EntryReceipt>>> results;
  const std::int64_t amounts[] = {10, 999, 20, 30};  // the second spends more than there is
  for (int i = 0; i < 4; ++i) {
    const std::string& card = cards[static_cast<std::size_t>(i % 3)];
    results.push_back(std::async(std::launch::async, [&env, card, i, &amounts] {
      if (i == 1) {
        return env.ledger().Spend(
            env.Req(),
            service::SpendRequest{card, core::AssetSelection::kAnyPoints, amounts[i], "", ""});
      }
      return env.ledger().Earn(
          env.Req(), service::EarnRequest{card, core::Asset::kPoints, amounts[i], {}, "", ""});
    }));
  }
  // Wait until all four are queued behind the blocked command.
  for (int i = 0; i < 5000 && writer.stats().queued < 4; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  EXPECT_EQ(writer.stats().queued, 4);  // (no ASSERT: the writer must be released below)
  {
    std::lock_guard lock(mu);
    release = true;
  }
  cv.notify_all();
  first_done.get_future().wait();

  auto r0 = results[0].get();
  auto r1 = results[1].get();
  auto r2 = results[2].get();
  auto r3 = results[3].get();
  ASSERT_TRUE(r0);
  ASSERT_FALSE(r1);
  EXPECT_EQ(r1.error().code, ErrorCode::kInsufficientBalance);
  ASSERT_TRUE(r2);
  ASSERT_TRUE(r3);
  EXPECT_EQ(env.Balance(cards[0]), 10 + 30);
  EXPECT_EQ(env.Balance(cards[1]), 0);
  EXPECT_EQ(env.Balance(cards[2]), 20);
  const service::WriterStats after = writer.stats();
  EXPECT_EQ(after.commands - before.commands, 5);
  EXPECT_EQ(after.groups - before.groups, 2) << "the four commands shared one group";
  EXPECT_EQ(after.failed - before.failed, 1);
  EXPECT_EQ(env.VerifyProblems(), "");
}

TEST(WriterTest, RepliesOnlyAfterTheGroupIsDurable) {
  TestEnv env(storage::Durability::kFull);
  const std::string card = env.NewCard();
  auto r =
      env.ledger().Earn(env.Req(), service::EarnRequest{card, core::Asset::kPoints, 7, {}, "", ""});
  ASSERT_TRUE(r);
  // By the time the reply arrives, another connection sees the committed entry.
  EXPECT_EQ(QueryInt(env.db_path(),
                     "SELECT count(*) FROM entries WHERE id = " + std::to_string(r->entry_id)),
            1);
}

TEST(WriterTest, TheSameKeyTwiceInOneGroupAppliesOnce) {
  TestEnv env;
  const std::string card = env.NewCard();
  const service::EarnRequest earn{card, core::Asset::kPoints, 5, {}, "", ""};
  std::vector<std::future<core::Result<service::EntryReceipt>>> results;
  for (int i = 0; i < 8; ++i) {
    results.push_back(
        std::async(std::launch::async, [&] { return env.ledger().Earn(env.Keyed("same"), earn); }));
  }
  int fresh = 0;
  for (auto& f : results) {
    auto r = f.get();
    ASSERT_TRUE(r);
    fresh += r->replayed ? 0 : 1;
  }
  EXPECT_EQ(fresh, 1);
  EXPECT_EQ(env.Balance(card), 5);
}

}  // namespace
}  // namespace onecard::testing

namespace onecard::testing {
namespace {

TEST(ReplyEncoderTest, WritesTheSameJsonAsTheGenericConversion) {
  service::EntryReceipt r;
  r.entry_id = 42;
  r.kind = "earn";
  r.at = core::Timestamp{1'795'399'200'123'456};
  r.doc_no = "S-\"1\"\\\n\x01";
  r.store = "s1";
  r.staff = "张伟";
  r.reason = "";
  r.member_id = 7;
  r.card_number = "8800001";
  r.lines = {{"8800001", core::Asset::kPoints, 120, 1200},
             {"8800002", core::Asset::kStoredValue, -5, 0}};
  r.new_lots = {{9, core::Asset::kPoints, 120, 120, std::nullopt, "earned"},
                {10, core::Asset::kUses, 3, 1, core::Timestamp{5}, "paid"}};
  EXPECT_EQ(nlohmann::json::parse(service::EncodeReply(r)), nlohmann::json(r));
  service::HoldReceipt h{3,
                         "8800001",
                         core::AssetSelection::kAnyPoints,
                         100,
                         60,
                         "captured",
                         core::Timestamp{1},
                         core::Timestamp{2},
                         r,
                         false};
  EXPECT_EQ(nlohmann::json::parse(service::EncodeReply(h)), nlohmann::json(h));
  // And it parses back into the same receipt.
  EXPECT_EQ(
      nlohmann::json(nlohmann::json::parse(service::EncodeReply(r)).get<service::EntryReceipt>()),
      nlohmann::json(r));

  // A card's balances (GET …/balance), with lots, an expiry and a hold.
  service::CardBalances b;
  b.card_number = "8800002";
  b.account_card_number = "8800001";
  b.member_id = 7;
  b.member_name = "张伟 \"Zhang\"";
  b.status = "active";
  service::AssetBalance points;
  points.asset = core::Asset::kPoints;
  points.balance = 1200;
  points.available = 1100;
  points.held = 100;
  points.expired_pending = 5;
  points.next_expiry = core::Timestamp{7};
  points.next_expiry_amount = 20;
  points.lots = r.new_lots;
  service::AssetBalance value;
  value.asset = core::Asset::kStoredValue;
  value.debt = 300;
  value.credit_limit = 5000;
  b.assets = {points, value};
  b.holds = {{3, core::AssetSelection::kAnyPoints, 100, core::Timestamp{9}}};
  EXPECT_EQ(nlohmann::json::parse(service::EncodeReply(b)), nlohmann::json(b));
}

}  // namespace
}  // namespace onecard::testing

namespace onecard::testing {
namespace {

// With full durability each group's WAL frames are gathered and written at its sync
// (wal_batching_vfs): readers on other connections must never see part of a group.
TEST(WriterTest, ReadersVerifyingWhileDurableGroupsCommitAlwaysSeeBalancedBooks) {
  TestEnv env(storage::Durability::kFull, 50);
  std::vector<std::string> cards;
  for (int i = 0; i < 5; ++i) cards.push_back(env.NewCard("v" + std::to_string(i)));
  std::atomic<bool> done = false;
  std::atomic<int> verifications = 0;
  std::string problem;
  std::thread reader([&] {
    while (!done) {
      std::string p = env.VerifyProblems();
      if (!p.empty()) {
        problem = p;
        return;
      }
      ++verifications;
    }
  });
  std::vector<std::future<core::Result<service::EntryReceipt>>> pending;
  for (int i = 0; i < 1500; ++i) {
    auto promise = std::make_shared<std::promise<core::Result<service::EntryReceipt>>>();
    pending.push_back(promise->get_future());
    env.ledger().EarnAsync(
        env.Req(),
        service::EarnRequest{
            cards[static_cast<std::size_t>(i % 5)], core::Asset::kPoints, 1 + i % 7, {}, "", ""},
        [promise](core::Result<service::EntryReceipt> r) { promise->set_value(std::move(r)); });
  }
  for (auto& f : pending) ASSERT_TRUE(f.get());
  done = true;
  reader.join();
  EXPECT_EQ(problem, "");
  EXPECT_GT(verifications.load(), 0);
  EXPECT_EQ(env.VerifyProblems(), "");
}

}  // namespace
}  // namespace onecard::testing
