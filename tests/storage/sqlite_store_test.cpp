// The SQLite store: opening rules, migrations, refusal of foreign, corrupt and newer databases,
// and `verify` catching every kind of tampering.
#include "storage/sqlite/sqlite_store.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "support/test_env.hpp"

namespace onecard::testing {
namespace {

using core::ErrorCode;
using storage::OpenMode;
namespace sq = storage::sqlite;

TEST(SqliteStoreTest, CreatesOnceAndOpensExisting) {
  TempDir dir;
  const std::string path = dir.File("a.db");
  EXPECT_EQ(sq::OpenStore(path, {OpenMode::kExisting, storage::Durability::kFull}).error().code,
            ErrorCode::kDatabaseMissing);
  EXPECT_FALSE(std::ifstream(path).good()) << "a refused open must not create the file";
  {
    auto store = sq::OpenStore(path, {OpenMode::kCreate, storage::Durability::kFull});
    ASSERT_TRUE(store) << store.error().ToString();
    EXPECT_EQ((*store)->SchemaVersion(), sq::LatestSchemaVersion());
  }
  EXPECT_EQ(sq::OpenStore(path, {OpenMode::kCreate, storage::Durability::kFull}).error().code,
            ErrorCode::kDatabaseExists);
  EXPECT_TRUE(sq::OpenStore(path, {OpenMode::kExisting, storage::Durability::kFull}));
  EXPECT_EQ(QueryInt(path, "SELECT count(*) FROM schema_migrations"), sq::LatestSchemaVersion());
  EXPECT_EQ(QueryInt(path, "PRAGMA application_id"), sq::kApplicationId);
  EXPECT_EQ(QueryInt(path, "SELECT count(*) FROM pragma_journal_mode WHERE journal_mode = 'wal'"),
            1);
}

// The WAL is copied into the database file off the writer's path, and under steady writes it
// still starts afresh instead of growing: after 1,500 commits of a few pages each (about 30 MiB
// of WAL without checkpoints) it stays near the threshold, and the database holds every earn.
TEST(SqliteStoreTest, CheckpointsKeepTheWalShortUnderSteadyWrites) {
  TempDir dir;
  const std::string path = dir.File("wal.db");
  constexpr int kPages = 64;
  auto store = sq::OpenStore(path, {OpenMode::kCreate, storage::Durability::kNormal, kPages});
  ASSERT_TRUE(store) << store.error().message;
  service::SystemClock clock;
  service::Services services(**store, clock, service::WriterOptions{100});
  auto tenant = services.org().CreateTenant("t1", "T", "Asia/Shanghai");
  ASSERT_TRUE(tenant);
  const service::Request admin = service::RequestAs(*tenant, service::ActorNamed("test"));
  ASSERT_TRUE(services.org().AddStore(admin, "s1", "Store", "", ""));
  ASSERT_TRUE(services.org().AddCardType(admin, {"member", "M", core::CardKind::kPersonal, 0, 0}));
  std::vector<std::string> cards;
  for (int i = 0; i < 50; ++i) {
    service::MemberChanges m;
    m.profile = {{"name", "m" + std::to_string(i)}};
    auto member = services.members().Add(admin, m);
    ASSERT_TRUE(member);
    service::IssueCardRequest issue;
    issue.member_id = member->id;
    issue.type = "member";
    auto card = services.cards().Issue(admin, issue);
    ASSERT_TRUE(card);
    cards.push_back(card->card.number);
  }
  auto actor = services.org().ResolveActor(*tenant, "till", "s1");
  ASSERT_TRUE(actor);
  std::uintmax_t wal_max = 0;
  for (int i = 0; i < 1500; ++i) {
    const service::Request req = service::RequestAs(*tenant, *actor, "k" + std::to_string(i));
    auto earned = services.ledger().Earn(
        req,
        {cards[static_cast<std::size_t>(i) % cards.size()], core::Asset::kPoints, 1, {}, "", ""});
    ASSERT_TRUE(earned) << earned.error().message;
    wal_max = std::max(wal_max, std::filesystem::file_size(path + "-wal"));
  }
  EXPECT_LT(wal_max, std::uintmax_t{8 * kPages * 4096}) << "the WAL grew without bound";
  EXPECT_GT(std::filesystem::file_size(path), std::uintmax_t{40 * 4096})
      << "nothing was copied into the database file";
  auto report = services.Verify();
  ASSERT_TRUE(report);
  EXPECT_TRUE(report->ok);
  EXPECT_GE(report->entries, 1500);
}

TEST(SqliteStoreTest, RefusesADatabaseWrittenByANewerOnecard) {
  TempDir dir;
  const std::string path = dir.File("a.db");
  ASSERT_TRUE(sq::OpenStore(path, {OpenMode::kCreate, storage::Durability::kFull}));
  ExecSql(path, "INSERT INTO schema_migrations VALUES (999, '0999_future.sql', 0)");
  auto r = sq::OpenStore(path, {OpenMode::kExisting, storage::Durability::kFull});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kDatabaseTooNew);
  EXPECT_NE(r.error().message.find("version 999"), std::string::npos) << r.error().message;
  EXPECT_NE(r.error().message.find("Upgrade onecard"), std::string::npos);
}

TEST(SqliteStoreTest, RefusesFilesThatAreNotOneCardDatabases) {
  TempDir dir;
  const std::string text = dir.File("notes.txt");
  std::ofstream(text) << "this is not a database, just some text long enough to have a header";
  auto r = sq::OpenStore(text, {OpenMode::kExisting, storage::Durability::kFull});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kDatabaseCorrupt);
  EXPECT_NE(r.error().message.find("not a OneCard database"), std::string::npos);

  const std::string foreign = dir.File("other.db");
  ExecSql(foreign, "CREATE TABLE things (x INTEGER)");
  auto f = sq::OpenStore(foreign, {OpenMode::kExisting, storage::Durability::kFull});
  ASSERT_FALSE(f);
  EXPECT_EQ(f.error().code, ErrorCode::kDatabaseForeign);
  // Refusing changed nothing: the foreign database has no OneCard tables.
  EXPECT_EQ(QueryInt(foreign, "SELECT count(*) FROM sqlite_schema WHERE name = 'entries'"), 0);
}

TEST(SqliteStoreTest, DetectsADamagedFile) {
  TempDir dir;
  const std::string path = dir.File("a.db");
  {
    TestEnv env;
    const std::string card = env.NewCard();
    for (int i = 0; i < 200; ++i) env.Earn(card, 1 + i);
    env.Reopen();
    // Copy the checkpointed file (closing the store folded the WAL into it).
    std::filesystem::copy_file(env.db_path(), path);
  }
  {
    // Overwrite a stretch in the middle of the file with garbage.
    std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(4096 * 6 + 100);
    const std::string junk(6000, '\x5a');
    f.write(junk.data(), static_cast<std::streamsize>(junk.size()));
  }
  auto store = sq::OpenStore(path, {OpenMode::kExisting, storage::Durability::kFull});
  if (!store) {
    EXPECT_EQ(store.error().code, ErrorCode::kDatabaseCorrupt);
    return;
  }
  service::SystemClock clock;
  service::Services services(**store, clock);
  auto report = services.Verify();
  if (report) {
    EXPECT_FALSE(report->ok);
  } else {
    EXPECT_EQ(report.error().code, ErrorCode::kDatabaseCorrupt);
  }
}

// Each edit below bypasses the services, the way a bug or a hand-edit would.
class TamperTest : public ::testing::TestWithParam<const char*> {};

TEST_P(TamperTest, VerifyReportsIt) {
  TestEnv env;
  const std::string a = env.NewCard("a");
  const std::string b = env.NewCard("b");
  env.Earn(a, 100, env.ValidUntil("2027-01-31"));
  env.Earn(b, 50);
  env.TopUp(a, 10000, 500);
  ASSERT_TRUE(env.ledger().Spend(
      env.Req(), service::SpendRequest{a, core::AssetSelection::kAnyPoints, 30, "", ""}));
  ASSERT_TRUE(env.ledger().Hold(
      env.Req(), service::HoldRequest{b, core::AssetSelection::kAnyPoints, 20, 600, ""}));
  ASSERT_EQ(env.VerifyProblems(), "");
  ExecSql(env.db_path(), GetParam());
  env.Reopen();
  EXPECT_NE(env.VerifyProblems(), "") << "tampering went unnoticed: " << GetParam();
}

INSTANTIATE_TEST_SUITE_P(
    Edits, TamperTest,
    ::testing::Values(
        // A cached balance.
        "UPDATE accounts SET balance = balance + 1 WHERE holder_kind = 'card' AND id = "
        "(SELECT min(id) FROM accounts WHERE holder_kind = 'card')",
        // A lot's remaining amount.
        "UPDATE lots SET remaining = remaining - 1 WHERE id = (SELECT min(id) FROM lots WHERE "
        "remaining > 0)",
        // A posting (the entry no longer sums to zero).
        "UPDATE postings SET amount = amount + 1 WHERE entry_id = (SELECT max(entry_id) FROM "
        "postings)",
        // A posting deleted.
        "DELETE FROM postings WHERE entry_id = (SELECT min(entry_id) FROM postings) AND "
        "account_id = (SELECT min(account_id) FROM postings WHERE entry_id = (SELECT "
        "min(entry_id) FROM postings))",
        // A lot move deleted.
        "DELETE FROM lot_moves WHERE id = (SELECT max(id) FROM lot_moves)",
        // A receipt's balance-after.
        "UPDATE postings SET balance_after = balance_after + 5 WHERE balance_after IS NOT NULL "
        "AND entry_id = (SELECT min(entry_id) FROM postings WHERE balance_after IS NOT NULL)",
        // A debt appearing from nowhere.
        "UPDATE accounts SET debt = -1, balance = balance - 1 WHERE holder_kind = 'card' AND id = "
        "(SELECT min(id) FROM accounts WHERE holder_kind = 'card')",
        // A hold released without its entry.
        "UPDATE holds SET status = 'voided'",
        // A lot grown beyond what it was created with.
        "UPDATE lots SET amount = amount + 10, remaining = remaining + 10 WHERE id = "
        "(SELECT min(id) FROM lots)",
        // A posting pointing at an account that does not exist.
        "UPDATE postings SET account_id = 999999 WHERE entry_id = (SELECT min(entry_id) FROM "
        "postings) AND account_id = (SELECT max(account_id) FROM postings WHERE entry_id = "
        "(SELECT min(entry_id) FROM postings))",
        // A posting moved to an account of another asset.
        "UPDATE postings SET asset = 'uses' WHERE entry_id = (SELECT min(entry_id) FROM "
        "postings)"));

}  // namespace
}  // namespace onecard::testing
