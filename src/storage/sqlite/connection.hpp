// A small RAII wrapper over the SQLite C API: a connection with a cache of prepared statements,
// and Stmt, a handle that binds, steps and resets one of them.
//
//   ONECARD_TRY(Stmt st, conn.Prepare(kSelectCard));   // kSelectCard: a static SQL string
//   st.Bind(1, tenant.value).Bind(2, number);
//   ONECARD_TRY(bool row, st.Step());
//   if (row) number = st.Text(0);
//
// The cache is keyed by the SQL string's address, so Prepare must be given strings with static
// storage (literals or constants). SQLite errors become core::Error values (see ToError); no
// exception crosses this layer. Not thread-safe: a connection belongs to one thread at a time.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "core/result.hpp"

namespace onecard::storage::sqlite {

using core::Result;
using core::Status;

// Maps an SQLite result code to an Error: busy/locked → kDatabaseBusy, corrupt/not a database →
// kDatabaseCorrupt, a unique constraint → kCodeTaken, anything else → kStorageFailure.
core::Error ToError(sqlite3* db, int rc, std::string_view context);

class Stmt {
 public:
  Stmt(sqlite3* db, sqlite3_stmt* stmt) : db_(db), stmt_(stmt) {}
  Stmt(Stmt&& other) noexcept : db_(other.db_), stmt_(other.stmt_) { other.stmt_ = nullptr; }
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;
  Stmt& operator=(Stmt&&) = delete;
  ~Stmt();  // resets the statement and clears its bindings for the next user

  Stmt& Bind(int index, std::int64_t value);
  Stmt& Bind(int index, std::string_view value);
  Stmt& BindNull(int index);
  // Binds NULL when the id is 0 or the optional is empty.
  Stmt& BindId(int index, std::int64_t id);
  Stmt& Bind(int index, const std::optional<std::int64_t>& value);

  // Advances to the next row: true when a row is ready, false when done.
  Result<bool> Step();
  // Runs a statement that returns no rows.
  Status Run();

  std::int64_t Int(int column) const;
  std::string Text(int column) const;
  bool IsNull(int column) const;
  std::optional<std::int64_t> OptInt(int column) const;

 private:
  sqlite3* db_;
  sqlite3_stmt* stmt_;
};

class Connection {
 public:
  // Opens `path` with sqlite3_open_v2 flags (and the named VFS, or the default one) with a busy
  // timeout.
  static Result<std::unique_ptr<Connection>> Open(const std::string& path, int flags,
                                                  const char* vfs = nullptr);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Runs one or more statements that return no rows.
  Status Exec(const char* sql, std::string_view context);
  Status Exec(const std::string& sql, std::string_view context) {
    return Exec(sql.c_str(), context);
  }
  // Runs one statement that returns no rows from the statement cache (`sql` with static storage):
  // for BEGIN, COMMIT and ROLLBACK, which every request runs and Exec would parse each time.
  Status Run(const char* sql, std::string_view context);
  // A cached prepared statement; `sql` must have static storage.
  Result<Stmt> Prepare(const char* sql);
  // Prepares a statement outside the cache (for SQL built at run time), finalised with the Stmt's
  // owner: use only in rarely run code.
  Result<std::int64_t> QueryInt(const std::string& sql, std::string_view context);

  std::int64_t LastInsertId() const { return sqlite3_last_insert_rowid(db_); }
  int Changes() const { return sqlite3_changes(db_); }
  sqlite3* raw() const { return db_; }

 private:
  explicit Connection(sqlite3* db) : db_(db) {}
  sqlite3* db_;
  std::unordered_map<const char*, sqlite3_stmt*> cache_;
};

}  // namespace onecard::storage::sqlite
