// Who is asking, for which tenant, from where: passed into every service call.
#pragma once

#include <string>

#include "core/ids.hpp"
#include "core/result.hpp"

namespace onecard::service {

struct TenantRef {
  core::TenantId id;
  std::string code;
  std::string timezone;
};

// The person or machine acting, and the store they act at (none: head office).
struct Actor {
  std::string staff = "system";
  core::StoreId store;
  std::string store_code;
};

struct Request {
  TenantRef tenant;
  Actor actor;
  // Every value-changing command needs one; a replay with the same key returns the first reply.
  std::string idempotency_key;
};

// Key rules: 1–128 printable ASCII characters without spaces. Errors: kIdempotencyKeyMissing,
// kIdempotencyKeyMalformed.
core::Status ValidateIdempotencyKey(std::string_view key);

}  // namespace onecard::service
