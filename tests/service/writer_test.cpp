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
  writer.Submit(
      env.tenant().id, "", "",
      [&](storage::WriteTxn&) -> core::Result<std::string> {
        std::unique_lock lock(mu);
        cv.wait(lock, [&] { return release; });
        return std::string();
      },
      [&](core::Result<std::string>, bool) { first_done.set_value(); });
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
