// A named text compiled into the binary (cmake/Embed.cmake), e.g. a migration script.
#pragma once

#include <string_view>

namespace onecard::storage {
struct EmbeddedText {
  std::string_view name;
  std::string_view text;
};
}  // namespace onecard::storage
