#include "service/context.hpp"

namespace onecard::service {

using core::ErrorCode;
using core::MakeError;

core::Status ValidateIdempotencyKey(std::string_view key) {
  if (key.empty()) {
    return MakeError(ErrorCode::kIdempotencyKeyMissing,
                     "a request that moves value needs an idempotency key, so that a retry is "
                     "never applied twice",
                     "idempotency_key");
  }
  bool ok = key.size() <= 128;
  for (char c : key) ok = ok && c > ' ' && c <= '~';
  if (ok) return {};
  return MakeError(ErrorCode::kIdempotencyKeyMalformed,
                   "use 1 to 128 printable ASCII characters without spaces", "idempotency_key");
}

}  // namespace onecard::service
