// Where services get the current time. Core never reads a clock; services ask a Clock, so tests
// and the demo can set time explicitly. Thread-safe.
#pragma once

#include <atomic>
#include <chrono>

#include "core/time.hpp"

namespace onecard::service {

class Clock {
 public:
  virtual ~Clock() = default;
  virtual core::Timestamp Now() const = 0;
};

class SystemClock final : public Clock {
 public:
  core::Timestamp Now() const override {
    const auto now = std::chrono::system_clock::now().time_since_epoch();
    return core::Timestamp{std::chrono::duration_cast<std::chrono::microseconds>(now).count()};
  }
};

// A clock that shows whatever time it was last set to (tests, the demo, scenario files).
class ManualClock final : public Clock {
 public:
  explicit ManualClock(core::Timestamp start) : micros_(start.micros) {}
  core::Timestamp Now() const override { return core::Timestamp{micros_.load()}; }
  void Set(core::Timestamp t) { micros_.store(t.micros); }
  void AdvanceSeconds(std::int64_t s) { micros_.fetch_add(s * 1'000'000); }

 private:
  std::atomic<std::int64_t> micros_;
};

}  // namespace onecard::service
