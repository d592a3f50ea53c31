// Int128: a 128-bit integer for exact intermediate products (rate × amount) and sums.
// GCC and Clang provide __int128; __extension__ keeps -Wpedantic quiet about it.
#pragma once

namespace onecard::core {
__extension__ typedef __int128 Int128;
}  // namespace onecard::core
