#include "storage/sqlite/connection.hpp"

#include "core/assert.hpp"

namespace onecard::storage::sqlite {

core::Error ToError(sqlite3* db, int rc, std::string_view context) {
  const int primary = rc & 0xff;
  std::string message =
      std::string(context) + ": " + (db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
  using core::ErrorCode;
  switch (primary) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return core::MakeError(ErrorCode::kDatabaseBusy,
                             message + " (another process holds the database; try again)");
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      return core::MakeError(ErrorCode::kDatabaseCorrupt, message);
    case SQLITE_CONSTRAINT:
      if (rc == SQLITE_CONSTRAINT_UNIQUE || rc == SQLITE_CONSTRAINT_PRIMARYKEY) {
        return core::MakeError(ErrorCode::kCodeTaken, message);
      }
      return core::MakeError(ErrorCode::kStorageFailure, message);
    default:
      return core::MakeError(ErrorCode::kStorageFailure, message);
  }
}

Stmt::~Stmt() {
  if (stmt_ != nullptr) {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
  }
}

Stmt& Stmt::Bind(int index, std::int64_t value) {
  const int rc = sqlite3_bind_int64(stmt_, index, value);
  ONECARD_ASSERT(rc == SQLITE_OK, "sqlite bind failed");
  return *this;
}

Stmt& Stmt::Bind(int index, std::string_view value) {
  const int rc =
      sqlite3_bind_text64(stmt_, index, value.data(), value.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
  ONECARD_ASSERT(rc == SQLITE_OK, "sqlite bind failed");
  return *this;
}

Stmt& Stmt::BindNull(int index) {
  const int rc = sqlite3_bind_null(stmt_, index);
  ONECARD_ASSERT(rc == SQLITE_OK, "sqlite bind failed");
  return *this;
}

Stmt& Stmt::BindId(int index, std::int64_t id) {
  return id > 0 ? Bind(index, id) : BindNull(index);
}

Stmt& Stmt::Bind(int index, const std::optional<std::int64_t>& value) {
  return value ? Bind(index, *value) : BindNull(index);
}

Result<bool> Stmt::Step() {
  const int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return ToError(db_, sqlite3_extended_errcode(db_), sqlite3_sql(stmt_));
}

Status Stmt::Run() {
  ONECARD_TRY(bool row, Step());
  ONECARD_ASSERT(!row, "statement run for effect returned a row");
  return {};
}

std::int64_t Stmt::Int(int column) const {
  return sqlite3_column_int64(stmt_, column);
}

std::string Stmt::Text(int column) const {
  const auto* text = sqlite3_column_text(stmt_, column);
  const int bytes = sqlite3_column_bytes(stmt_, column);
  if (text == nullptr) return {};
  return std::string(reinterpret_cast<const char*>(text), static_cast<std::size_t>(bytes));
}

bool Stmt::IsNull(int column) const {
  return sqlite3_column_type(stmt_, column) == SQLITE_NULL;
}

std::optional<std::int64_t> Stmt::OptInt(int column) const {
  if (IsNull(column)) return std::nullopt;
  return Int(column);
}

Result<std::unique_ptr<Connection>> Connection::Open(const std::string& path, int flags,
                                                     const char* vfs) {
  sqlite3* db = nullptr;
  const int rc = sqlite3_open_v2(path.c_str(), &db, flags | SQLITE_OPEN_NOMUTEX, vfs);
  if (rc != SQLITE_OK) {
    core::Error error = ToError(db, rc, "opening " + path);
    sqlite3_close_v2(db);
    return error;
  }
  sqlite3_extended_result_codes(db, 1);
  std::unique_ptr<Connection> conn(new Connection(db));
  sqlite3_busy_timeout(db, 5000);
  return conn;
}

Connection::~Connection() {
  for (auto& [sql, stmt] : cache_) sqlite3_finalize(stmt);
  sqlite3_close_v2(db_);
}

Status Connection::Exec(const char* sql, std::string_view context) {
  char* message = nullptr;
  const int rc = sqlite3_exec(db_, sql, nullptr, nullptr, &message);
  if (rc == SQLITE_OK) return {};
  sqlite3_free(message);
  return ToError(db_, sqlite3_extended_errcode(db_), context);
}

Status Connection::Run(const char* sql, std::string_view context) {
  ONECARD_TRY(Stmt st, Prepare(sql));
  if (Result<bool> row = st.Step(); !row) {
    return ToError(db_, sqlite3_extended_errcode(db_), context);
  }
  return {};
}

Result<Stmt> Connection::Prepare(const char* sql) {
  auto it = cache_.find(sql);
  if (it != cache_.end()) return Stmt(db_, it->second);
  sqlite3_stmt* stmt = nullptr;
  const int rc = sqlite3_prepare_v3(db_, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
  if (rc != SQLITE_OK) return ToError(db_, rc, std::string("preparing ") + sql);
  cache_.emplace(sql, stmt);
  return Stmt(db_, stmt);
}

Result<std::int64_t> Connection::QueryInt(const std::string& sql, std::string_view context) {
  sqlite3_stmt* stmt = nullptr;
  int rc = sqlite3_prepare_v2(db_, sql.c_str(), -1, &stmt, nullptr);
  if (rc != SQLITE_OK) return ToError(db_, sqlite3_extended_errcode(db_), context);
  rc = sqlite3_step(stmt);
  std::int64_t value = 0;
  if (rc == SQLITE_ROW) value = sqlite3_column_int64(stmt, 0);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
    core::Error error = ToError(db_, sqlite3_extended_errcode(db_), context);
    sqlite3_finalize(stmt);
    return error;
  }
  sqlite3_finalize(stmt);
  return value;
}

}  // namespace onecard::storage::sqlite
