// Helpers to read result rows into records (internal to the SQLite backend).
#pragma once

#include <optional>
#include <type_traits>
#include <vector>

#include "core/time.hpp"
#include "storage/sqlite/connection.hpp"

namespace onecard::storage::sqlite {

// Reads every row with `read`, which returns T or Result<T>.
template <class T, class Read>
Result<std::vector<T>> ReadAll(Stmt& st, Read read) {
  std::vector<T> out;
  while (true) {
    ONECARD_TRY(bool row, st.Step());
    if (!row) return out;
    if constexpr (std::is_same_v<decltype(read(st)), T>) {
      out.push_back(read(st));
    } else {
      ONECARD_TRY(T value, read(st));
      out.push_back(std::move(value));
    }
  }
}

// Reads the first row, if any.
template <class T, class Read>
Result<std::optional<T>> ReadOne(Stmt& st, Read read) {
  ONECARD_TRY(bool row, st.Step());
  if (!row) return std::optional<T>{};
  if constexpr (std::is_same_v<decltype(read(st)), T>) {
    return std::optional<T>(read(st));
  } else {
    ONECARD_TRY(T value, read(st));
    return std::optional<T>(std::move(value));
  }
}

// A nullable timestamp column.
inline std::optional<core::Timestamp> OptTime(const Stmt& st, int column) {
  if (st.IsNull(column)) return std::nullopt;
  return core::Timestamp{st.Int(column)};
}

// A timestamp to bind, NULL when absent.
inline std::optional<std::int64_t> OptMicros(const std::optional<core::Timestamp>& t) {
  if (!t) return std::nullopt;
  return t->micros;
}

}  // namespace onecard::storage::sqlite
