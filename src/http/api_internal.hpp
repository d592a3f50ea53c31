// What the API's route handlers share (internal to src/http).
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "core/result.hpp"
#include "http/api.hpp"
#include "http/fields.hpp"
#include "service/access.hpp"

namespace onecard::http {

struct Call {
  Api* api = nullptr;
  ApiRequest req;
  Respond respond;
  const Api::Route* route = nullptr;
  std::vector<std::pair<std::string, std::string>> params;
  std::optional<service::Principal> who;
  std::chrono::steady_clock::time_point start;
  std::string error_code;  // for the log line
  std::atomic<bool> answered{false};

  const std::string& Param(std::string_view name) const;
  const service::Principal& Who() const { return *who; }
};

using RouteHandler = std::function<void(service::Services&, const CallPtr&)>;

struct Api::Route {
  std::string method;
  std::string pattern;
  std::vector<std::string> segments;
  bool needs_auth = true;
  std::optional<service::Permission> permission;
  RouteHandler handler;
};

// JSON text of `j`; bytes that are not UTF-8 (a percent-decoded path, say) become U+FFFD
// instead of throwing.
inline std::string Dump(const nlohmann::json& j) {
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

// The JSON text of a service result: as the writer stored it where it kept it, else written
// directly where it has an encoder (the same JSON).
template <class T>
std::string JsonBody(const T& value) {
  if constexpr (service::detail::HasEncodedReply<T>) {
    if (!value.encoded_reply.empty()) return value.encoded_reply;
  }
  if constexpr (service::detail::HasReplyEncoder<T>) {
    return EncodeReply(value);
  } else {
    return Dump(nlohmann::json(value));
  }
}

// Answers with a JSON body.
void Reply(const CallPtr& call, int status, std::string body);
template <class T>
void ReplyJson(const CallPtr& call, int status, const T& value) {
  Reply(call, status, JsonBody(value));
}
// Answers with the error document and the status of the error's class.
void ReplyError(const CallPtr& call, const core::Error& e);
template <class T>
void ReplyResult(const CallPtr& call, int status, const core::Result<T>& r) {
  if (!r) return ReplyError(call, r.error());
  ReplyJson(call, status, *r);
}
int StatusOf(const core::Error& e);
// Answers with a CSV download named `filename`, or with the error.
void ReplyCsv(const CallPtr& call, core::Result<std::string> csv, const std::string& filename);

// Runs `fn` on the blocking pool (it may wait for the writer or hash a password).
void Blocking(const CallPtr& call, std::function<void()> fn);

// A service request for the principal: its tenant and name, the store it acts at (`store`, a
// code from the body or query, checked against its scope), the client and request id, and — for
// value-moving calls — the Idempotency-Key header, scoped to the principal.
core::Result<service::Request> MakeRequest(const CallPtr& call, bool needs_key,
                                           const std::optional<std::string>& store);

// A write's parsed body and the request it makes.
struct WriteBody {
  service::Request req;
  Fields fields;
};
// Parses the body and builds the request (MakeRequest), the store taken from the body's "store"
// field when `store_field` (else head office or the principal's store). On an error it answers
// the call itself and returns nullopt.
std::optional<WriteBody> BeginWrite(const CallPtr& call, bool needs_key, bool store_field);

// An admin write: `read(fields, spec)` fills a Spec from the body (every field not read is
// refused), then `run(services, request, spec)` runs on the blocking pool and its result is the
// answer, with `status`.
template <class Spec, class Read, class Run>
void AdminWrite(service::Services& s, const CallPtr& call, int status, Read read, Run run) {
  auto b = BeginWrite(call, false, false);
  if (!b) return;
  Spec spec;
  if (core::Status ok = read(b->fields, spec); !ok) return ReplyError(call, ok.error());
  if (core::Status done = b->fields.Finish(); !done) return ReplyError(call, done.error());
  Blocking(call, [&s, call, status, run, req = std::move(b->req), spec = std::move(spec)] {
    ReplyResult(call, status, run(s, req, spec));
  });
}

// Parses a strictly positive integer path parameter or query value.
core::Result<std::int64_t> PositiveId(std::string_view text, std::string_view field);

// A read-only optional query value ("" when absent).
std::string QueryText(const CallPtr& call, std::string_view name);
// The "limit" query value: `fallback` when absent, 1 to `max`. Error: kInvalidArgument.
core::Result<int> QueryLimit(const CallPtr& call, int fallback, int max);

// In a route handler: `decl = value of expr`, or answer the call with its error and return.
#define ONECARD_TRY_REPLY(decl, expr)                               \
  auto ONECARD_CONCAT(_r_, __LINE__) = (expr);                      \
  if (!ONECARD_CONCAT(_r_, __LINE__)) {                             \
    return ReplyError(call, ONECARD_CONCAT(_r_, __LINE__).error()); \
  }                                                                 \
  decl = std::move(*ONECARD_CONCAT(_r_, __LINE__))
#define ONECARD_CONCAT_INNER(a, b) a##b
#define ONECARD_CONCAT(a, b) ONECARD_CONCAT_INNER(a, b)
#define ONECARD_CHECK_REPLY(expr) \
  if (core::Status _s = (expr); !_s) return ReplyError(call, _s.error())

void AddReadRoutes(std::vector<std::unique_ptr<Api::Route>>& routes);
void AddWriteRoutes(std::vector<std::unique_ptr<Api::Route>>& routes);
void AddAdminRoutes(std::vector<std::unique_ptr<Api::Route>>& routes);
void AddProgrammeRoutes(std::vector<std::unique_ptr<Api::Route>>& routes);
void AddCheckoutRoutes(std::vector<std::unique_ptr<Api::Route>>& routes);
void AddCatalogueRoutes(std::vector<std::unique_ptr<Api::Route>>& routes);
void AddGiftRoutes(std::vector<std::unique_ptr<Api::Route>>& routes);
void AddCouponRoutes(std::vector<std::unique_ptr<Api::Route>>& routes);

// Route table helper.
std::unique_ptr<Api::Route> MakeRoute(std::string method, std::string pattern, bool needs_auth,
                                      std::optional<service::Permission> permission,
                                      RouteHandler handler);

}  // namespace onecard::http
