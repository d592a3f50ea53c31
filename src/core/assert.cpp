#include "core/assert.hpp"

#include <cstdio>
#include <cstdlib>

namespace onecard::core {
void AssertFail(const char* expr, const char* file, int line, const char* why) {
  std::fprintf(stderr, "onecard: internal error: assertion %s failed at %s:%d: %s\n", expr, file,
               line, why);
  std::fflush(stderr);
  std::abort();
}
}  // namespace onecard::core
