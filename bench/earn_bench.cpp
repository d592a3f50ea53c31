// Durable earns per second through the service layer, at group-commit sizes 1, 10 and 100, each
// against a baseline measured in the same run: the bare SQLite statements one earn writes
// (entry, two postings, lot, account balance, idempotency key, audit row), prepared once, in one
// transaction per group, with the same durability (WAL, synchronous=FULL). See bench/README.md.
//
//   onecard_bench [--dir DIR] [--scale S] [--group N] [--only service|baseline] [--no-sync]
//                 [--json]
#include <sqlite3.h>

#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <future>
#include <mutex>
#include <random>
#include <string>
#include <vector>

#include "service/services.hpp"
#include "storage/sqlite/sqlite_store.hpp"
#include "storage/sqlite/wal_batching_vfs.hpp"

namespace {

using namespace onecard;
using Clock = std::chrono::steady_clock;
constexpr int kCards = 1000;

struct Setup {
  std::string db;
  std::vector<std::string> cards;
};

void Check(bool ok, const std::string& what) {
  if (!ok) {
    std::fprintf(stderr, "onecard_bench: %s\n", what.c_str());
    std::exit(1);
  }
}

// A tenant with one store and kCards members with cards, each with one earn already (so their
// accounts exist, as in a running system).
Setup MakeDatabase(const std::string& path) {
  std::filesystem::remove(path);
  std::filesystem::remove(path + "-wal");
  std::filesystem::remove(path + "-shm");
  auto store =
      storage::sqlite::OpenStore(path, {storage::OpenMode::kCreate, storage::Durability::kNormal});
  Check(store.ok(), "cannot create " + path);
  service::SystemClock clock;
  service::Services services(**store, clock, service::WriterOptions{100});
  auto tenant = services.org().CreateTenant("bench", "Bench", "Asia/Shanghai");
  Check(tenant.ok(), "tenant");
  const service::Request admin = service::RequestAs(*tenant, service::ActorNamed("bench"));
  Check(services.org().AddStore(admin, "s1", "Store", "", "").ok(), "store");
  Check(services.org().AddCardType(admin, {"member", "M", core::CardKind::kPersonal, 0, 0}).ok(),
        "card type");
  auto actor = services.org().ResolveActor(*tenant, "bench", "s1");
  Setup setup{path, {}};
  std::vector<std::future<core::Result<service::EntryReceipt>>> warm;
  for (int i = 0; i < kCards; ++i) {
    service::MemberChanges m;
    m.profile = {{"name", "member " + std::to_string(i)}};
    auto member = services.members().Add(admin, m);
    Check(member.ok(), "member");
    service::IssueCardRequest issue;
    issue.member_id = member->id;
    issue.type = "member";
    auto card = services.cards().Issue(admin, issue);
    Check(card.ok(), "card");
    setup.cards.push_back(card->card.number);
    const service::Request req = service::RequestAs(*tenant, *actor, "warm-" + std::to_string(i));
    Check(
        services.ledger().Earn(req, {card->card.number, core::Asset::kPoints, 1, {}, "", ""}).ok(),
        "warm-up earn");
  }
  return setup;
}

// Earns through the service layer: waves of `group` concurrent EarnAsync calls, each wave
// answered only once its group commit is durable.
double ServiceRate(const Setup& setup, int group, int earns, storage::Durability durability,
                   service::WriterStats* stats_out) {
  auto store = storage::sqlite::OpenStore(setup.db, {storage::OpenMode::kExisting, durability});
  Check(store.ok(), "open for the service run");
  service::SystemClock clock;
  service::Services services(**store, clock, service::WriterOptions{group});
  auto tenant = services.org().ResolveTenant("bench");
  auto actor = services.org().ResolveActor(*tenant, "till-1", "s1");
  std::mt19937 rng(42);
  std::uniform_int_distribution<std::size_t> pick(0, setup.cards.size() - 1);
  // Keep two groups' worth of earns in flight, as many tills would: while one group commits,
  // the next one fills.
  const int window = 2 * group;
  std::mutex mu;
  std::condition_variable cv;
  int in_flight = 0;
  int failed = 0;
  const auto start = Clock::now();
  for (int i = 0; i < earns; ++i) {
    {
      std::unique_lock lock(mu);
      cv.wait(lock, [&] { return in_flight < window; });
      ++in_flight;
    }
    const service::Request req =
        service::RequestAs(*tenant, *actor, "g" + std::to_string(group) + "-" + std::to_string(i));
    const service::EarnRequest earn{
        setup.cards[pick(rng)], core::Asset::kPoints, 10, std::nullopt, "", ""};
    services.ledger().EarnAsync(req, earn, [&](core::Result<service::EntryReceipt> r) {
      std::lock_guard lock(mu);
      --in_flight;
      if (!r) {
        if (failed++ == 0)
          std::fprintf(stderr, "first failure: %s\n", r.error().ToString().c_str());
      }
      // Wake the producer when a group's worth of room is free, or at the very end; as a
      // server's event loop would, it then refills in one go.
      if (in_flight == window - group || in_flight == 0) cv.notify_one();
    });
  }
  {
    std::unique_lock lock(mu);
    cv.wait(lock, [&] { return in_flight == 0; });
  }
  Check(failed == 0, "an earn failed");
  const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  *stats_out = services.writer().stats();
  return earns / seconds;
}

struct Stmt {
  sqlite3_stmt* s = nullptr;
  void Prepare(sqlite3* db, const char* sql) {
    Check(sqlite3_prepare_v3(db, sql, -1, SQLITE_PREPARE_PERSISTENT, &s, nullptr) == SQLITE_OK,
          sqlite3_errmsg(db));
  }
  void Run() {
    Check(sqlite3_step(s) == SQLITE_DONE, sqlite3_errmsg(sqlite3_db_handle(s)));
    sqlite3_reset(s);
  }
};

// A rate or ratio for the table; "-" for a side that was not run.
std::string Figure(double value, int decimals) {
  if (value <= 0) return "-";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, value);
  return buf;
}

// The bare writes of one earn, on the same schema and settings, with no layer in between.
double BaselineRate(const Setup& setup, int group, int earns) {
  // The same storage engine as the store's durable writer: its VFS and its settings.
  sqlite3* db = nullptr;
  storage::sqlite::RegisterWalBatchingVfs();
  Check(sqlite3_open_v2(setup.db.c_str(), &db, SQLITE_OPEN_READWRITE,
                        storage::sqlite::kWalBatchingVfs) == SQLITE_OK,
        "open for the baseline");
  sqlite3_exec(db,
               "PRAGMA synchronous = FULL; PRAGMA foreign_keys = OFF; PRAGMA cache_size = -65536; "
               "PRAGMA mmap_size = 1073741824; PRAGMA temp_store = MEMORY; "
               "PRAGMA wal_autocheckpoint = 10000; PRAGMA journal_size_limit = 67108864",
               nullptr, nullptr, nullptr);
  // The card accounts and the store's issued-points account made by the warm-up.
  std::vector<std::int64_t> accounts;
  std::vector<std::int64_t> balances;
  std::int64_t issued = 0;
  {
    sqlite3_stmt* q = nullptr;
    sqlite3_prepare_v2(db,
                       "SELECT id, balance FROM accounts WHERE holder_kind = 'card' ORDER BY id",
                       -1, &q, nullptr);
    while (sqlite3_step(q) == SQLITE_ROW) {
      accounts.push_back(sqlite3_column_int64(q, 0));
      balances.push_back(sqlite3_column_int64(q, 1));
    }
    sqlite3_finalize(q);
    sqlite3_prepare_v2(db, "SELECT id FROM accounts WHERE role = 'points_issued'", -1, &q, nullptr);
    if (sqlite3_step(q) == SQLITE_ROW) issued = sqlite3_column_int64(q, 0);
    sqlite3_finalize(q);
  }
  Stmt entry, posting, lot, account, key, audit;
  entry.Prepare(db,
                "INSERT INTO entries (tenant_id, kind, doc_no, store_id, staff, reason, at, "
                "member_id, card_id) VALUES (1, 'earn', '', 1, 'till-1', '', ?1, NULL, NULL)");
  posting.Prepare(db,
                  "INSERT INTO postings (entry_id, tenant_id, account_id, asset, amount, "
                  "balance_after) VALUES (?1, 1, ?2, 'points', ?3, ?4)");
  lot.Prepare(db,
              "INSERT INTO lots (tenant_id, account_id, asset, amount, remaining, source, "
              "issuer_store_id, entry_id, created_at) VALUES (1, ?1, 'points', 10, 10, "
              "'earned', 1, ?2, ?3)");
  account.Prepare(db, "UPDATE accounts SET balance = balance + 10 WHERE id = ?1");
  key.Prepare(db,
              "INSERT INTO idempotency_keys (tenant_id, key, digest, reply, created_at) "
              "VALUES (1, ?1, ?2, ?3, ?4)");
  audit.Prepare(db,
                "INSERT INTO audit_log (tenant_id, at, actor, actor_kind, client, store_id, "
                "request_id, action, object_kind, object_id, before, after) VALUES (1, ?1, "
                "'till-1', 'api_key', '127.0.0.1', 1, ?2, 'points.earn', 'card', ?3, NULL, ?4)");
  const std::string digest(64, 'a');
  const std::string reply(400, 'r');  // about the size of an earn receipt's JSON
  std::mt19937 rng(42);
  std::uniform_int_distribution<std::size_t> pick(0, accounts.size() - 1);
  const auto start = Clock::now();
  int done = 0;
  while (done < earns) {
    const int wave = std::min(group, earns - done);
    Check(sqlite3_exec(db, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr) == SQLITE_OK, "begin");
    for (int i = 0; i < wave; ++i) {
      const std::size_t which = pick(rng);
      const std::int64_t acc = accounts[which];
      const std::int64_t now = std::chrono::system_clock::now().time_since_epoch().count() / 1000;
      sqlite3_bind_int64(entry.s, 1, now);
      entry.Run();
      const std::int64_t e = sqlite3_last_insert_rowid(db);
      sqlite3_bind_int64(account.s, 1, acc);
      account.Run();
      // The bare minimum: the balance after comes from memory, not from the database.
      const std::int64_t after = balances[which] += 10;
      sqlite3_bind_int64(lot.s, 1, acc);
      sqlite3_bind_int64(lot.s, 2, e);
      sqlite3_bind_int64(lot.s, 3, now);
      lot.Run();
      sqlite3_bind_int64(posting.s, 1, e);
      sqlite3_bind_int64(posting.s, 2, acc);
      sqlite3_bind_int64(posting.s, 3, 10);
      sqlite3_bind_int64(posting.s, 4, after);
      posting.Run();
      sqlite3_bind_int64(posting.s, 1, e);
      sqlite3_bind_int64(posting.s, 2, issued);
      sqlite3_bind_int64(posting.s, 3, -10);
      sqlite3_bind_null(posting.s, 4);
      posting.Run();
      const std::string k = "b" + std::to_string(group) + "-" + std::to_string(done + i);
      sqlite3_bind_text(key.s, 1, k.c_str(), -1, SQLITE_TRANSIENT);
      sqlite3_bind_text(key.s, 2, digest.c_str(), -1, SQLITE_STATIC);
      sqlite3_bind_text(key.s, 3, reply.c_str(), -1, SQLITE_STATIC);
      sqlite3_bind_int64(key.s, 4, now);
      key.Run();
      const std::string summary = "{\"entry_id\":" + std::to_string(e) + ",\"doc_no\":\"\"}";
      sqlite3_bind_int64(audit.s, 1, now);
      sqlite3_bind_text(audit.s, 2, k.c_str(), -1, SQLITE_TRANSIENT);
      sqlite3_bind_text(audit.s, 3, "8800000000000000", -1, SQLITE_STATIC);
      sqlite3_bind_text(audit.s, 4, summary.c_str(), -1, SQLITE_TRANSIENT);
      audit.Run();
    }
    Check(sqlite3_exec(db, "COMMIT", nullptr, nullptr, nullptr) == SQLITE_OK, "commit");
    done += wave;
  }
  const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  for (Stmt* st : {&entry, &posting, &lot, &account, &key, &audit}) sqlite3_finalize(st->s);
  sqlite3_close(db);
  return earns / seconds;
}

}  // namespace

int main(int argc, char** argv) {
  std::string dir = "build/bench-data";
  double scale = 1.0;
  bool json = false;
  std::vector<int> groups = {1, 10, 100};
  std::string only;  // "service" or "baseline": profile one side
  // --no-sync: the service without fsync, to see its CPU ceiling (not a durable figure).
  storage::Durability durability = storage::Durability::kFull;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    const bool has_value = i + 1 < argc;
    if (arg == "--dir" && has_value) {
      dir = argv[++i];
    } else if (arg == "--scale" && has_value) {
      scale = std::atof(argv[++i]);
    } else if (arg == "--group" && has_value) {
      groups = {std::atoi(argv[++i])};
    } else if (arg == "--only" && has_value) {
      only = argv[++i];
    } else if (arg == "--no-sync") {
      durability = storage::Durability::kNormal;
    } else if (arg == "--json") {
      json = true;
    } else {
      std::fprintf(stderr,
                   "usage: onecard_bench [--dir DIR] [--scale S] [--group N] "
                   "[--only service|baseline] [--no-sync] [--json]\n");
      return 2;
    }
  }
  std::filesystem::create_directories(dir);
  std::printf("%s earns/s (WAL, synchronous=%s) in %s, %d cards\n",
              durability == storage::Durability::kFull ? "Durable" : "Not durable",
              durability == storage::Durability::kFull ? "FULL" : "NORMAL, service only",
              dir.c_str(), kCards);
  std::printf("%6s %12s %12s %7s %12s\n", "group", "service/s", "baseline/s", "ratio", "avg group");
  for (int group : groups) {
    const int earns = static_cast<int>((group == 1 ? 2000 : group == 10 ? 20000 : 100000) * scale);
    // Service and baseline each get a fresh copy of the same database, run one after the other.
    const Setup setup = MakeDatabase(dir + "/bench.db");
    std::filesystem::copy_file(setup.db, dir + "/baseline.db",
                               std::filesystem::copy_options::overwrite_existing);
    service::WriterStats stats;
    // 0 marks a side that was not run (--only).
    const double service_rate =
        only == "baseline" ? 0 : ServiceRate(setup, group, earns, durability, &stats);
    const double baseline_rate =
        only == "service" ? 0
                          : BaselineRate(Setup{dir + "/baseline.db", setup.cards}, group, earns);
    const double ratio = service_rate > 0 && baseline_rate > 0 ? service_rate / baseline_rate : 0;
    const double avg_group =
        stats.groups > 0 ? static_cast<double>(stats.commands) / static_cast<double>(stats.groups)
                         : 0;
    std::printf("%6d %12s %12s %7s %12.1f\n", group, Figure(service_rate, 0).c_str(),
                Figure(baseline_rate, 0).c_str(), Figure(ratio, 2).c_str(), avg_group);
    if (json) {
      std::printf(
          "{\"group\":%d,\"earns\":%d,\"service_per_s\":%.0f,\"baseline_per_s\":%.0f,"
          "\"ratio\":%.3f}\n",
          group, earns, service_rate, baseline_rate, ratio);
    }
    std::fflush(stdout);
  }
  return 0;
}
