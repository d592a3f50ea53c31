// ONECARD_ASSERT: checks for programmer errors, on in every build type.
//
// A money system prefers stopping to writing a wrong balance, so these never compile out. They are
// for invariants the code itself guarantees; input from users, files or the network is validated
// and answered with a core::Error instead (see result.hpp) — never asserted.
#pragma once

namespace onecard::core {
[[noreturn]] void AssertFail(const char* expr, const char* file, int line, const char* why);
}  // namespace onecard::core

#define ONECARD_ASSERT(cond, why)                                             \
  do {                                                                        \
    if (!(cond)) ::onecard::core::AssertFail(#cond, __FILE__, __LINE__, why); \
  } while (false)
