#include "storage/sqlite/sqlite_store.hpp"

#include <sys/stat.h>

#include <condition_variable>
#include <mutex>
#include <span>
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
// commits. The WAL is truncated back to 64 MiB after a checkpoint.
Status Tune(Connection& conn, int cache_kib) {
  return conn.Exec("PRAGMA foreign_keys = OFF; PRAGMA cache_size = -" + std::to_string(cache_kib) +
                       "; PRAGMA mmap_size = 1073741824; PRAGMA temp_store = MEMORY"
                       "; PRAGMA wal_autocheckpoint = 10000; PRAGMA journal_size_limit = 67108864",
                   "tuning the connection");
}

class SqliteStore final : public Store {
 public:
  SqliteStore(std::string path, Options options, std::unique_ptr<Connection> writer, int version)
      : path_(std::move(path)), options_(options), writer_(std::move(writer)), version_(version) {}

  Result<std::unique_ptr<WriteTxn>> BeginWrite() override {
    std::unique_lock lock(mu_);
    writer_free_.wait(lock, [&] { return !writer_busy_; });
    writer_busy_ = true;
    lock.unlock();
    if (Status s = writer_->Exec("BEGIN IMMEDIATE", "starting a write transaction"); !s) {
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
    if (Status s = conn->Exec("BEGIN", "starting a read transaction"); !s) return s.error();
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
  if (open_) (void)conn_.Exec("ROLLBACK", "rolling back");
  release_();
}

void SqliteTxn::RequireWritable() const {
  ONECARD_ASSERT(writable_, "a write through a read transaction");
  ONECARD_ASSERT(open_, "a write after the transaction ended");
}

Status SqliteTxn::Commit() {
  RequireWritable();
  Status s = conn_.Exec("COMMIT", "committing");
  if (!s) {
    (void)conn_.Exec("ROLLBACK", "rolling back a failed commit");
  }
  open_ = false;
  return s;
}

std::int64_t SqliteTxn::ChangeCount() const {
  return sqlite3_total_changes64(conn_.raw()) - changes_at_begin_;
}

}  // namespace onecard::storage::sqlite
