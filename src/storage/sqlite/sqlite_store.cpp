#include "storage/sqlite/sqlite_store.hpp"

#include <sys/stat.h>

#include <algorithm>
#include <condition_variable>
#include <mutex>
#include <span>
#include <thread>
#include <vector>

#include "core/assert.hpp"
#include "storage/embedded_text.hpp"
#include "storage/sqlite/txn.hpp"
#include "storage/sqlite/wal_batching_vfs.hpp"

namespace onecard::storage::sqlite_migrations {
std::span<const EmbeddedText> All();  // generated from migrations/sqlite/*.sql
}

namespace onecard::storage::sqlite {
namespace {

using core::ErrorCode;
using core::MakeError;

// "0001_foundation.sql" → 1.
int MigrationNumber(std::string_view name) {
  int n = 0;
  for (char c : name) {
    if (c < '0' || c > '9') break;
    n = n * 10 + (c - '0');
  }
  return n;
}

// Page cache per connection, in KiB: the writer touches many index pages per command and
// should find them in memory rather than re-reading them from the file.
constexpr int kWriterCacheKib = 64 * 1024;
constexpr int kReaderCacheKib = 16 * 1024;

// Foreign keys are declared in the schema but not enforced while writing (SQLite's default):
// enforcing them costs about ten parent-row look-ups per earn, the services only ever write rows
// whose parents they have just read or made, and `verify` runs PRAGMA foreign_key_check, so a
// broken reference is still found and reported.
// Memory-mapped reads (no pread per page), savepoint journals in memory (not spilled to temp
// files), and a checkpoint every 10,000 WAL pages (40 MiB) rather than SQLite's 1,000: pages a
// busy writer rewrites often are copied to the database file once per checkpoint, not every few
// commits. The WAL is truncated back to 64 MiB after a checkpoint. (The store's writer replaces
// the automatic checkpoint with the Checkpointer below, at the same threshold.)
Status Tune(Connection& conn, int cache_kib) {
  return conn.Exec("PRAGMA foreign_keys = OFF; PRAGMA cache_size = -" + std::to_string(cache_kib) +
                       "; PRAGMA mmap_size = 1073741824; PRAGMA temp_store = MEMORY"
                       "; PRAGMA wal_autocheckpoint = 10000; PRAGMA journal_size_limit = 67108864",
                   "tuning the connection");
}

// Checkpoints off the writer's path. SQLite's automatic checkpoint runs inside the commit that
// crosses the threshold, so that commit — and every command in its group — waits while tens of
// megabytes are copied into the database file and synced: the slowest answers under load.
// Instead, the writer's WAL hook wakes this thread, which checkpoints (PASSIVE: never blocks the
// writer or readers) on its own connection. Under steady writes a background checkpoint never
// catches up with the WAL's end, and SQLite only starts the WAL afresh once everything in it is
// copied; so at the next commit past the threshold the writer checkpoints the short tail itself,
// and the WAL restarts. If the background thread falls far behind, the writer checkpoints alone,
// as SQLite would (the WAL stays bounded).
class Checkpointer {
 public:
  Checkpointer(std::string path, sqlite3* writer, int pages)
      : path_(std::move(path)), writer_(writer), pages_(std::max(1, pages)) {
    sqlite3_wal_hook(writer_, &Checkpointer::OnCommit, this);
    thread_ = std::thread([this] { Loop(); });
  }
  ~Checkpointer() {
    sqlite3_wal_hook(writer_, nullptr, nullptr);
    {
      std::lock_guard lock(mu_);
      stopping_ = true;
    }
    cv_.notify_one();
    thread_.join();
  }
  Checkpointer(const Checkpointer&) = delete;
  Checkpointer& operator=(const Checkpointer&) = delete;

 private:
  enum class Phase { kIdle, kBackground, kTail };

  // On the writer thread, after each commit, with the WAL's size in pages.
  static int OnCommit(void* self_ptr, sqlite3* db, const char* schema, int pages) {
    auto* self = static_cast<Checkpointer*>(self_ptr);
    if (pages < self->pages_) return SQLITE_OK;
    Phase phase;
    {
      std::lock_guard lock(self->mu_);
      phase = self->phase_;
      if (phase == Phase::kIdle) self->phase_ = Phase::kBackground;
    }
    if (phase == Phase::kIdle) {
      self->cv_.notify_one();
    } else if (phase == Phase::kTail || pages >= 4 * self->pages_) {
      (void)sqlite3_wal_checkpoint_v2(db, schema, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
      std::lock_guard lock(self->mu_);
      if (self->phase_ == Phase::kTail) self->phase_ = Phase::kIdle;
    }
    return SQLITE_OK;
  }

  void Loop() {
    std::unique_ptr<Connection> conn;
    std::unique_lock lock(mu_);
    while (true) {
      cv_.wait(lock, [&] { return stopping_ || phase_ == Phase::kBackground; });
      if (stopping_) return;
      lock.unlock();
      if (!conn) {
        Result<std::unique_ptr<Connection>> opened = Connection::Open(path_, SQLITE_OPEN_READWRITE);
        if (opened) conn = std::move(*opened);
      }
      // A failure (the writer's own checkpoint holding the lock, say) leaves the work to the
      // writer's tail checkpoint, as SQLite would have done it.
      if (conn) {
        (void)sqlite3_wal_checkpoint_v2(conn->raw(), "main", SQLITE_CHECKPOINT_PASSIVE, nullptr,
                                        nullptr);
      }
      lock.lock();
      if (phase_ == Phase::kBackground) phase_ = Phase::kTail;
    }
  }

  std::string path_;
  sqlite3* writer_;
  int pages_;
  std::mutex mu_;
  std::condition_variable cv_;
  Phase phase_ = Phase::kIdle;
  bool stopping_ = false;
  std::thread thread_;
};

class SqliteStore final : public Store {
 public:
  SqliteStore(std::string path, Options options, std::unique_ptr<Connection> writer, int version)
      : path_(std::move(path)),
        options_(options),
        writer_(std::move(writer)),
        version_(version),
        checkpointer_(path_, writer_->raw(), options.checkpoint_pages) {}

  Result<std::unique_ptr<WriteTxn>> BeginWrite() override {
    std::unique_lock lock(mu_);
    writer_free_.wait(lock, [&] { return !writer_busy_; });
    writer_busy_ = true;
    lock.unlock();
    if (Status s = writer_->Run("BEGIN IMMEDIATE", "starting a write transaction"); !s) {
      ReleaseWriter();
      return s.error();
    }
    return std::unique_ptr<WriteTxn>(
        new SqliteTxn(*writer_, /*writable=*/true, [this] { ReleaseWriter(); }));
  }

  Result<std::unique_ptr<ReadTxn>> BeginRead() override {
    std::unique_ptr<Connection> conn;
    {
      std::lock_guard lock(mu_);
      if (!readers_.empty()) {
        conn = std::move(readers_.back());
        readers_.pop_back();
      }
    }
    if (!conn) {
      ONECARD_TRY(conn, Connection::Open(path_, SQLITE_OPEN_READWRITE));
      ONECARD_CHECK(conn->Exec("PRAGMA query_only = ON", "opening a reader"));
      ONECARD_CHECK(Tune(*conn, kReaderCacheKib));
    }
    if (Status s = conn->Run("BEGIN", "starting a read transaction"); !s) return s.error();
    Connection* raw = conn.release();
    return std::unique_ptr<ReadTxn>(new SqliteTxn(*raw, /*writable=*/false, [this, raw] {
      std::lock_guard lock(mu_);
      readers_.emplace_back(raw);
    }));
  }

  std::string Describe() const override { return "sqlite:" + path_; }
  int SchemaVersion() const override { return version_; }

 private:
  void ReleaseWriter() {
    std::lock_guard lock(mu_);
    writer_busy_ = false;
    writer_free_.notify_one();
  }

  std::string path_;
  Options options_;
  std::unique_ptr<Connection> writer_;
  int version_;
  std::mutex mu_;
  std::condition_variable writer_free_;
  bool writer_busy_ = false;
  std::vector<std::unique_ptr<Connection>> readers_;
  Checkpointer checkpointer_;  // last: stops before the connections close
};

bool FileExists(const std::string& path, off_t* size) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return false;
  *size = st.st_size;
  return true;
}

Result<int> CurrentVersion(Connection& conn) {
  ONECARD_TRY(std::int64_t has_table,
              conn.QueryInt("SELECT count(*) FROM sqlite_schema WHERE type = 'table' "
                            "AND name = 'schema_migrations'",
                            "reading the schema version"));
  if (has_table == 0) return 0;
  ONECARD_TRY(std::int64_t version,
              conn.QueryInt("SELECT COALESCE(max(version), 0) FROM schema_migrations",
                            "reading the schema version"));
  return static_cast<int>(version);
}

Status Migrate(Connection& conn, int from) {
  for (const EmbeddedText& m : sqlite_migrations::All()) {
    const int number = MigrationNumber(m.name);
    if (number <= from) continue;
    ONECARD_CHECK(conn.Exec("BEGIN IMMEDIATE", "starting a migration"));
    const std::string context = "applying migration " + std::string(m.name);
    Status applied = conn.Exec(std::string(m.text), context);
    if (applied) {
      applied = conn.Exec("INSERT INTO schema_migrations (version, name, applied_at) VALUES (" +
                              std::to_string(number) + ", '" + std::string(m.name) +
                              "', CAST(strftime('%s', 'now') AS INTEGER) * 1000000)",
                          context);
    }
    if (applied) applied = conn.Exec("COMMIT", context);
    if (!applied) {
      (void)conn.Exec("ROLLBACK", context);
      return applied;
    }
  }
  return {};
}

}  // namespace

int LatestSchemaVersion() {
  return MigrationNumber(sqlite_migrations::All().back().name);
}

Result<std::unique_ptr<Store>> OpenStore(const std::string& path, const Options& options) {
  // Once per process, before SQLite initialises: no global memory statistics, whose mutex every
  // allocation would otherwise take. (If SQLite is already initialised this is refused and
  // harmless.)
  static std::once_flag configured;
  std::call_once(configured, [] { sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0); });
  RegisterWalBatchingVfs();
  off_t size = 0;
  const bool exists = FileExists(path, &size);
  if (options.mode == OpenMode::kCreate && exists && size > 0) {
    return MakeError(ErrorCode::kDatabaseExists,
                     "there is already a file at " + path + "; choose another path", "db");
  }
  if (options.mode == OpenMode::kExisting && !exists) {
    return MakeError(ErrorCode::kDatabaseMissing,
                     "no database at " + path + "; create one with `onecard init`", "db");
  }
  const int flags =
      SQLITE_OPEN_READWRITE | (options.mode == OpenMode::kCreate ? SQLITE_OPEN_CREATE : 0);
  // Durable writers gather each commit's WAL frames into one write (see wal_batching_vfs.hpp);
  // that is only safe when every commit syncs the WAL, i.e. with synchronous=FULL.
  ONECARD_TRY(
      std::unique_ptr<Connection> conn,
      Connection::Open(path, flags,
                       options.durability == Durability::kFull ? kWalBatchingVfs : nullptr));

  // The first read of the header tells a OneCard database from anything else.
  Result<std::int64_t> app_id = conn->QueryInt("PRAGMA application_id", "reading " + path);
  if (!app_id) {
    if (app_id.error().code == ErrorCode::kDatabaseCorrupt) {
      return MakeError(ErrorCode::kDatabaseCorrupt,
                       path +
                           " is not a OneCard database: it is not an SQLite file, or it is "
                           "damaged (" +
                           app_id.error().message + ")",
                       "db");
    }
    return app_id.error();
  }
  if (options.mode == OpenMode::kCreate) {
    ONECARD_CHECK(conn->Exec("PRAGMA application_id = " + std::to_string(kApplicationId),
                             "marking the database"));
    ONECARD_CHECK(conn->Exec("PRAGMA journal_mode = WAL", "switching to WAL"));
    ONECARD_CHECK(
        conn->Exec("CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, "
                   "name TEXT NOT NULL, applied_at INTEGER NOT NULL) STRICT",
                   "creating the migrations table"));
  } else if (*app_id != kApplicationId) {
    return MakeError(ErrorCode::kDatabaseForeign,
                     path + " is an SQLite database of another program (application id " +
                         std::to_string(*app_id) + "), not a OneCard database",
                     "db");
  }
  ONECARD_TRY(int version, CurrentVersion(*conn));
  const int latest = LatestSchemaVersion();
  if (version > latest) {
    return MakeError(ErrorCode::kDatabaseTooNew,
                     path + " has schema version " + std::to_string(version) +
                         ", written by a newer onecard; this onecard knows up to version " +
                         std::to_string(latest) + ". Upgrade onecard to open it.",
                     "db");
  }
  ONECARD_CHECK(conn->Exec(options.durability == Durability::kFull ? "PRAGMA synchronous = FULL"
                                                                   : "PRAGMA synchronous = NORMAL",
                           "setting durability"));
  ONECARD_CHECK(Tune(*conn, kWriterCacheKib));
  ONECARD_CHECK(Migrate(*conn, version));
  return std::unique_ptr<Store>(new SqliteStore(path, options, std::move(conn), latest));
}

SqliteTxn::SqliteTxn(Connection& conn, bool writable, std::function<void()> release)
    : conn_(conn),
      writable_(writable),
      changes_at_begin_(sqlite3_total_changes64(conn.raw())),
      release_(std::move(release)) {}

SqliteTxn::~SqliteTxn() {
  if (open_) (void)conn_.Run("ROLLBACK", "rolling back");
  release_();
}

void SqliteTxn::RequireWritable() const {
  ONECARD_ASSERT(writable_, "a write through a read transaction");
  ONECARD_ASSERT(open_, "a write after the transaction ended");
}

Status SqliteTxn::Commit() {
  RequireWritable();
  Status s = conn_.Run("COMMIT", "committing");
  if (!s) {
    (void)conn_.Run("ROLLBACK", "rolling back a failed commit");
  }
  open_ = false;
  return s;
}

std::int64_t SqliteTxn::ChangeCount() const {
  return sqlite3_total_changes64(conn_.raw()) - changes_at_begin_;
}

}  // namespace onecard::storage::sqlite
