// Kills a process that is writing (SIGKILL, no chance to clean up) many times, at random
// moments, and proves with verify that nothing acknowledged was lost and nothing half-written
// remains (issue #2, item 17).
#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <random>
#include <set>
#include <sstream>

#include "storage/sqlite/sqlite_store.hpp"
#include "support/test_env.hpp"

extern char** environ;

namespace onecard::testing {
namespace {

struct RunResult {
  std::set<std::string> acked;
  std::set<std::string> refused;
};

// Starts crash_writer, reads its acknowledgements for `millis`, then kills it with SIGKILL.
RunResult RunAndKill(const std::string& db, const std::string& run,
                     const std::vector<std::string>& cards, int millis) {
  int fds[2];
  EXPECT_EQ(::pipe(fds), 0);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, fds[1], 1);
  posix_spawn_file_actions_addclose(&actions, fds[0]);
  std::vector<std::string> args = {ONECARD_CRASH_WRITER, db, run};
  args.insert(args.end(), cards.begin(), cards.end());
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = 0;
  EXPECT_EQ(::posix_spawn(&pid, ONECARD_CRASH_WRITER, &actions, nullptr, argv.data(), environ), 0);
  posix_spawn_file_actions_destroy(&actions);
  ::close(fds[1]);

  RunResult out;
  std::string buffer;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(millis);
  char chunk[4096];
  while (std::chrono::steady_clock::now() < deadline) {
    pollfd p{fds[0], POLLIN, 0};
    if (::poll(&p, 1, 5) <= 0) continue;
    const ssize_t n = ::read(fds[0], chunk, sizeof chunk);
    if (n <= 0) break;
    buffer.append(chunk, static_cast<std::size_t>(n));
  }
  ::kill(pid, SIGKILL);
  int status = 0;
  ::waitpid(pid, &status, 0);
  // Whatever it printed before dying counts: those were acknowledged.
  while (true) {
    const ssize_t n = ::read(fds[0], chunk, sizeof chunk);
    if (n <= 0) break;
    buffer.append(chunk, static_cast<std::size_t>(n));
  }
  ::close(fds[0]);
  std::istringstream lines(buffer);
  std::string line;
  while (std::getline(lines, line)) {
    // A last line may be cut short by the kill; only whole lines count.
    if (lines.eof()) break;
    std::istringstream words(line);
    std::string verb, key;
    words >> verb >> key;
    if (verb == "ack") out.acked.insert(key);
    if (verb == "refused") out.refused.insert(key);
  }
  return out;
}

TEST(CrashTest, KilledWriterLosesNothingAcknowledgedAndLeavesNothingHalfWritten) {
  TempDir dir;
  const std::string db = dir.File("crash.db");
  std::vector<std::string> cards;
  {
    auto store =
        storage::sqlite::OpenStore(db, {storage::OpenMode::kCreate, storage::Durability::kFull});
    ASSERT_TRUE(store);
    service::SystemClock clock;
    service::Services services(**store, clock);
    auto tenant = services.org().CreateTenant("t1", "Crash", "Asia/Shanghai");
    ASSERT_TRUE(tenant);
    const service::Request req = service::RequestAs(*tenant, service::ActorNamed("setup"));
    ASSERT_TRUE(services.org().AddCardType(req, {"member", "M", core::CardKind::kPersonal, 0, 0}));
    for (int i = 0; i < 6; ++i) {
      service::MemberChanges m;
      m.profile = {{"name", "member " + std::to_string(i)}};
      auto added = services.members().Add(req, m);
      ASSERT_TRUE(added);
      service::IssueCardRequest issue;
      issue.member_id = added->id;
      issue.type = "member";
      auto card = services.cards().Issue(req, issue);
      ASSERT_TRUE(card);
      cards.push_back(card->card.number);
    }
  }

  std::mt19937 rng(20261123);
  std::set<std::string> all_acked;
  std::int64_t total_acked = 0;
  constexpr int kRounds = 25;
  for (int round = 0; round < kRounds; ++round) {
    const int millis = std::uniform_int_distribution<int>(30, 250)(rng);
    RunResult run = RunAndKill(db, "r" + std::to_string(round), cards, millis);
    total_acked += static_cast<std::int64_t>(run.acked.size());
    all_acked.insert(run.acked.begin(), run.acked.end());

    auto store =
        storage::sqlite::OpenStore(db, {storage::OpenMode::kExisting, storage::Durability::kFull});
    ASSERT_TRUE(store) << store.error().ToString();
    service::SystemClock clock;
    service::Services services(**store, clock);
    auto report = services.Verify();
    ASSERT_TRUE(report) << report.error().ToString();
    ASSERT_TRUE(report->ok) << "round " << round << ": " << report->discrepancies.size()
                            << " discrepancies, first: "
                            << (report->discrepancies.empty() ? ""
                                                              : report->discrepancies[0].detail);
    // Every key acknowledged so far is in the database with its entry.
    const std::vector<std::string> stored_list =
        QueryStrings(db, "SELECT key FROM idempotency_keys");
    const std::set<std::string> stored(stored_list.begin(), stored_list.end());
    for (const std::string& key : all_acked) {
      ASSERT_TRUE(stored.count(key))
          << "acknowledged write " << key << " was lost in round " << round;
    }
    // Nothing half-written: each stored key has exactly one entry and each entry one key.
    EXPECT_EQ(QueryInt(db, "SELECT count(*) FROM idempotency_keys WHERE key LIKE 'r%'"),
              QueryInt(db, "SELECT count(*) FROM entries"));
    // A refused command stored nothing.
    for (const std::string& key : run.refused) {
      EXPECT_EQ(stored.count(key), 0u) << "refused write " << key << " left its key";
    }
  }
  EXPECT_GT(total_acked, kRounds) << "the writer should get some writes acknowledged";
  RecordProperty("acknowledged_writes", static_cast<int>(total_acked));
}

}  // namespace
}  // namespace onecard::testing
