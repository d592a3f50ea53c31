// Lists of codes (stores, tiers, SKUs, categories) as rules name them.
#pragma once

#include <algorithm>
#include <string>
#include <string_view>
#include <vector>

namespace onecard::core {

// Whether `list` holds `value`.
inline bool Contains(const std::vector<std::string>& list, std::string_view value) {
  return std::find(list.begin(), list.end(), value) != list.end();
}

}  // namespace onecard::core
