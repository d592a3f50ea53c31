// Who is asking, for which tenant, from where: passed into every service call.
#pragma once

#include <memory>
#include <string>

#include "core/ids.hpp"
#include "core/result.hpp"
#include "storage/records.hpp"

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
  std::string kind = "cli";  // cli | staff | api_key | system: for the audit log
  std::string role;          // the staff's or key's role (HTTP), "" for the command line
  std::string client;        // the address a request came from (empty: this machine)
};

struct Request {
  TenantRef tenant;
  Actor actor;
  // Every value-changing command needs one; a replay with the same key returns the first reply.
  std::string idempotency_key;
  std::string request_id;  // the HTTP request's id, for the audit log
};

// A request for `tenant` by `actor`, with an idempotency key (empty: none).
inline Request RequestAs(const TenantRef& tenant, Actor actor, std::string key = {}) {
  Request r;
  r.tenant = tenant;
  r.actor = std::move(actor);
  r.idempotency_key = std::move(key);
  return r;
}
// An actor at head office.
inline Actor ActorNamed(std::string staff) {
  Actor a;
  a.staff = std::move(staff);
  return a;
}

// The audit record of a change `req` asks for: who, from where, at which store, what, on which
// object. The writer completes it (time, the result as `after`) and stores it in the command's
// own transaction; a command may fill `before`.
std::shared_ptr<storage::AuditRecord> AuditOf(const Request& req, std::string_view action,
                                              std::string_view object_kind, std::string object_id);

// Key rules: 1–128 printable ASCII characters without spaces. Errors: kIdempotencyKeyMissing,
// kIdempotencyKeyMalformed.
core::Status ValidateIdempotencyKey(std::string_view key);

}  // namespace onecard::service
