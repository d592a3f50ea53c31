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

std::shared_ptr<storage::AuditRecord> AuditOf(const Request& req, std::string_view action,
                                              std::string_view object_kind, std::string object_id) {
  auto a = std::make_shared<storage::AuditRecord>();
  a->tenant = req.tenant.id;
  a->actor = req.actor.staff;
  a->actor_kind = req.actor.kind;
  a->client = req.actor.client;
  a->store = req.actor.store;
  a->request_id = req.request_id;
  a->action = std::string(action);
  a->object_kind = std::string(object_kind);
  a->object_id = std::move(object_id);
  return a;
}

}  // namespace onecard::service
