#include "service/digest.hpp"

#include <sodium.h>

#include "core/assert.hpp"

namespace onecard::service {

std::string Digest(std::string_view text) {
  unsigned char hash[crypto_generichash_BYTES];
  const int rc =
      crypto_generichash(hash, sizeof hash, reinterpret_cast<const unsigned char*>(text.data()),
                         text.size(), nullptr, 0);
  ONECARD_ASSERT(rc == 0, "BLAKE2b failed");
  char hex[sizeof hash * 2 + 1];
  sodium_bin2hex(hex, sizeof hex, hash, sizeof hash);
  return std::string(hex, sizeof hash * 2);
}

Canonical& Canonical::Add(std::string_view name, std::string_view value) {
  text_ += '|';
  text_ += name;
  text_ += '=';
  for (char c : value) {
    if (c == '|' || c == '\\' || c == '=') text_ += '\\';
    text_ += c;
  }
  return *this;
}

Canonical& Canonical::Add(std::string_view name, std::int64_t value) {
  return Add(name, std::to_string(value));
}

}  // namespace onecard::service
