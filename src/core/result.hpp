// Result<T>: a value or an Error, shaped like C++23 std::expected (which g++ 12 lacks).
//
//   Result<Money> r = Money::Parse(text, "amount");
//   if (!r) return r.error();          // propagate
//   Money m = *r;
//
// ONECARD_TRY(var, expr) declares `var` from a Result or returns its error from the enclosing
// function (which must itself return a Result or Error-convertible type). Results are
// [[nodiscard]]: dropping one silently is a compile error under -Werror.
#pragma once

#include <utility>
#include <variant>

#include "core/assert.hpp"
#include "core/error.hpp"

namespace onecard::core {

template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}      // NOLINT(google-explicit-constructor)
  Result(Error error) : v_(std::move(error)) {}  // NOLINT(google-explicit-constructor)

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }

  T& value() & {
    ONECARD_ASSERT(ok(), "value() of a failed Result");
    return std::get<0>(v_);
  }
  const T& value() const& {
    ONECARD_ASSERT(ok(), "value() of a failed Result");
    return std::get<0>(v_);
  }
  T&& value() && {
    ONECARD_ASSERT(ok(), "value() of a failed Result");
    return std::get<0>(std::move(v_));
  }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T&& operator*() && { return std::move(*this).value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  const Error& error() const& {
    ONECARD_ASSERT(!ok(), "error() of a successful Result");
    return std::get<1>(v_);
  }
  Error&& error() && {
    ONECARD_ASSERT(!ok(), "error() of a successful Result");
    return std::get<1>(std::move(v_));
  }

 private:
  std::variant<T, Error> v_;
};

// Success or an Error, with no value.
template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Error error) : error_(std::move(error)), ok_(false) {}  // NOLINT

  bool ok() const { return ok_; }
  explicit operator bool() const { return ok_; }
  const Error& error() const& {
    ONECARD_ASSERT(!ok_, "error() of a successful Result");
    return error_;
  }
  Error&& error() && {
    ONECARD_ASSERT(!ok_, "error() of a successful Result");
    return std::move(error_);
  }

 private:
  Error error_;
  bool ok_ = true;
};

using Status = Result<void>;

// Drops the value of a Result, keeping success or the error.
template <class T>
Status AsStatus(Result<T> r) {
  if (!r) return std::move(r).error();
  return {};
}

}  // namespace onecard::core

#define ONECARD_CONCAT_INNER(a, b) a##b
#define ONECARD_CONCAT(a, b) ONECARD_CONCAT_INNER(a, b)

// Declares `var` from the value of `expr` (a Result) or returns the error. It expands to several
// statements: under an `if`, put it in braces.
#define ONECARD_TRY(var, expr)                                        \
  auto ONECARD_CONCAT(onecard_try_, __LINE__) = (expr);               \
  if (!ONECARD_CONCAT(onecard_try_, __LINE__))                        \
    return std::move(ONECARD_CONCAT(onecard_try_, __LINE__)).error(); \
  var = std::move(*ONECARD_CONCAT(onecard_try_, __LINE__))

// Returns the error of `expr` (a Result<void> or any Result) if it failed.
#define ONECARD_CHECK(expr)                                                    \
  do {                                                                         \
    auto onecard_check_result = (expr);                                        \
    if (!onecard_check_result) return std::move(onecard_check_result).error(); \
  } while (false)
