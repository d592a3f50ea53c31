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

// A nullable local date column ("2026-12-31").
inline Result<std::optional<core::CivilDate>> OptDate(const Stmt& st, int column,
                                                      const char* field) {
  if (st.IsNull(column)) return std::optional<core::CivilDate>{};
  ONECARD_TRY(core::CivilDate d, core::CivilDate::Parse(st.Text(column), field));
  return std::optional<core::CivilDate>(d);
}

// A local date to bind, NULL when absent.
inline void BindOptDate(Stmt& st, int index, const std::optional<core::CivilDate>& d) {
  if (d) {
    st.Bind(index, d->ToString());
  } else {
    st.BindNull(index);
  }
}

}  // namespace onecard::storage::sqlite
