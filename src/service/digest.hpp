// Content digests for idempotency: a command's canonical text hashed with BLAKE2b (libsodium),
// so a key reused with different content is recognised without storing the content itself.
#pragma once

#include <string>
#include <string_view>

namespace onecard::service {

// 32-byte BLAKE2b of `text`, as 64 lowercase hex digits.
std::string Digest(std::string_view text);

// Builds the canonical text of a command: "earn|card=8800001|amount=120|…". Values are escaped
// so that no two different field lists give the same text.
class Canonical {
 public:
  explicit Canonical(std::string_view command) : text_(command) {}
  Canonical& Add(std::string_view name, std::string_view value);
  Canonical& Add(std::string_view name, std::int64_t value);
  const std::string& text() const { return text_; }
  std::string digest() const { return Digest(text_); }

 private:
  std::string text_;
};

}  // namespace onecard::service
