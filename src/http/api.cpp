#include "http/api.hpp"

#include <cstdio>
#include <iostream>

#include "http/api_internal.hpp"
#include "storage/embedded_text.hpp"

namespace onecard::http {

namespace openapi {
std::span<const storage::EmbeddedText> All();  // generated from docs/openapi.json
}

namespace {

using core::ErrorCode;
using core::MakeError;
using core::Result;

std::vector<std::string> SplitPath(std::string_view path) {
  std::vector<std::string> out;
  std::size_t i = 1;  // after the leading '/'
  while (i <= path.size()) {
    const std::size_t slash = path.find('/', i);
    const std::size_t end = slash == std::string_view::npos ? path.size() : slash;
    out.emplace_back(path.substr(i, end - i));
    if (slash == std::string_view::npos) break;
    i = slash + 1;
  }
  return out;
}

std::string ErrorDocument(std::string_view code, std::string_view message, std::string_view field) {
  nlohmann::json j = {{"code", code}, {"message", message}};
  if (!field.empty()) j["field"] = field;
  return Dump(j);
}

std::string Iso(std::chrono::system_clock::time_point t) {
  const auto micros =
      std::chrono::duration_cast<std::chrono::microseconds>(t.time_since_epoch()).count();
  return core::Timestamp{micros}.ToIsoUtc();
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// BlockingPool

BlockingPool::BlockingPool(int threads) {
  for (int i = 0; i < std::max(1, threads); ++i) {
    threads_.emplace_back([this] {
      while (true) {
        std::function<void()> fn;
        {
          std::unique_lock lock(mu_);
          cv_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
          if (queue_.empty()) return;
          fn = std::move(queue_.front());
          queue_.pop_front();
        }
        fn();
      }
    });
  }
}

BlockingPool::~BlockingPool() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  for (std::thread& t : threads_) t.join();
}

void BlockingPool::Post(std::function<void()> fn) {
  {
    std::lock_guard lock(mu_);
    queue_.push_back(std::move(fn));
  }
  cv_.notify_one();
}

// ---------------------------------------------------------------------------------------------
// Helpers shared with the routes

const std::string& Call::Param(std::string_view name) const {
  static const std::string empty;
  for (const auto& [k, v] : params) {
    if (k == name) return v;
  }
  return empty;
}

int StatusOf(const core::Error& e) {
  if (e.code == ErrorCode::kJsonMalformed) return 400;
  switch (core::ClassOf(e.code)) {
    case core::ErrorClass::kInvalid:
      return 422;
    case core::ErrorClass::kNotFound:
      return 404;
    case core::ErrorClass::kRejected:
    case core::ErrorClass::kConflict:
      return 409;
    case core::ErrorClass::kUnavailable:
      return 503;
    case core::ErrorClass::kUnauthenticated:
      return 401;
    case core::ErrorClass::kForbidden:
      return 403;
    case core::ErrorClass::kLimited:
      return 429;
    case core::ErrorClass::kInternal:
      return 500;
  }
  return 500;
}

void ReplyCsv(const CallPtr& call, core::Result<std::string> csv, const std::string& filename) {
  if (!csv) return ReplyError(call, csv.error());
  ApiResponse res;
  res.status = 200;
  res.content_type = "text/csv; charset=utf-8";
  res.headers.emplace_back("Content-Disposition", "attachment; filename=\"" + filename + "\"");
  res.body = std::move(*csv);
  call->api->Finish(call, std::move(res));
}

std::string QueryText(const CallPtr& call, std::string_view name) {
  const std::string* v = call->req.Query(name);
  return v ? *v : std::string();
}

core::Result<int> QueryLimit(const CallPtr& call, int fallback, int max) {
  const std::string* v = call->req.Query("limit");
  if (v == nullptr) return fallback;
  ONECARD_TRY(std::int64_t n, PositiveId(*v, "limit"));
  if (n > max) {
    return core::MakeError(core::ErrorCode::kInvalidArgument,
                           "limit is 1 to " + std::to_string(max), "limit");
  }
  return static_cast<int>(n);
}

void Reply(const CallPtr& call, int status, std::string body) {
  ApiResponse res;
  res.status = status;
  res.body = std::move(body);
  call->api->Finish(call, std::move(res));
}

void ReplyError(const CallPtr& call, const core::Error& e) {
  call->error_code = std::string(core::ErrorCodeName(e.code));
  ApiResponse res;
  res.status = StatusOf(e);
  res.body = ErrorDocument(core::ErrorCodeName(e.code), e.message, e.field);
  if (e.code == ErrorCode::kLoginLocked || e.code == ErrorCode::kGiftCardLocked ||
      e.code == ErrorCode::kGiftClientLocked || e.code == ErrorCode::kCouponClientLocked) {
    res.headers.emplace_back("Retry-After", "60");
  }
  if (res.status == 401) res.headers.emplace_back("WWW-Authenticate", "Bearer");
  call->api->Finish(call, std::move(res));
}

void Blocking(const CallPtr& call, std::function<void()> fn) {
  call->api->blocking().Post(std::move(fn));
}

Result<std::int64_t> PositiveId(std::string_view text, std::string_view field) {
  std::int64_t v = 0;
  bool ok = !text.empty() && text.size() <= 18;
  for (char c : text) {
    ok = ok && c >= '0' && c <= '9';
    if (ok) v = v * 10 + (c - '0');
  }
  if (!ok || v <= 0) {
    return MakeError(ErrorCode::kInvalidArgument,
                     std::string(field) + " must be a positive whole number", std::string(field));
  }
  return v;
}

Result<service::Request> MakeRequest(const CallPtr& call, bool needs_key,
                                     const std::optional<std::string>& store) {
  const service::Principal& who = call->Who();
  service::Request r;
  r.tenant = who.tenant;
  r.actor.staff = who.name;
  r.actor.kind = who.kind;
  r.actor.role = std::string(service::RoleName(who.role));
  r.actor.client = call->req.client;
  r.request_id = call->req.request_id;
  std::string code = store.value_or("");
  if (code.empty() && who.store.valid()) code = who.store_code;  // a store's staff act there
  if (!who.CoversStore(code)) {
    if (code.empty()) {
      return MakeError(
          ErrorCode::kForbidden,
          "name the store you act at (\"store\"): you work in region " + who.region_code, "store");
    }
    return MakeError(ErrorCode::kForbidden,
                     "you may not act for store " + code +
                         (who.store.valid() ? " (you work at " + who.store_code + ")" : ""),
                     "store");
  }
  if (!code.empty()) {
    if (who.store.valid() && code == who.store_code) {
      r.actor.store = who.store;
      r.actor.store_code = who.store_code;
    } else {
      ONECARD_TRY(service::Actor actor,
                  call->api->services().org().ResolveActor(who.tenant, who.name, code));
      r.actor.store = actor.store;
      r.actor.store_code = actor.store_code;
    }
  }
  const std::string_view key = call->req.Header("idempotency-key");
  if (needs_key) {
    if (key.empty()) {
      return MakeError(ErrorCode::kIdempotencyKeyMissing,
                       "this request moves value: send an Idempotency-Key header (any unique "
                       "text up to 100 characters) so that a retry is never applied twice",
                       "Idempotency-Key");
    }
    if (key.size() > 100) {
      return MakeError(ErrorCode::kIdempotencyKeyMalformed,
                       "an Idempotency-Key has at most 100 characters", "Idempotency-Key");
    }
  }
  if (!key.empty()) {
    // Keys are scoped to who sends them: two tills may both use "1".
    r.idempotency_key = who.kind + ":" + std::to_string(who.id) + ":" + std::string(key);
    ONECARD_CHECK(service::ValidateIdempotencyKey(r.idempotency_key));
  }
  return r;
}

std::optional<WriteBody> BeginWrite(const CallPtr& call, bool needs_key, bool store_field) {
  Result<Fields> f = Fields::Parse(call->req.body);
  if (!f) {
    ReplyError(call, f.error());
    return std::nullopt;
  }
  std::optional<std::string> store;
  if (store_field) {
    Result<std::optional<std::string>> given = f->OptText("store", 40);
    if (!given) {
      ReplyError(call, given.error());
      return std::nullopt;
    }
    store = std::move(*given);
  }
  Result<service::Request> req = MakeRequest(call, needs_key, store);
  if (!req) {
    ReplyError(call, req.error());
    return std::nullopt;
  }
  return WriteBody{std::move(*req), std::move(*f)};
}

std::unique_ptr<Api::Route> MakeRoute(std::string method, std::string pattern, bool needs_auth,
                                      std::optional<service::Permission> permission,
                                      RouteHandler handler) {
  auto r = std::make_unique<Api::Route>();
  r->method = std::move(method);
  r->segments = SplitPath(pattern);
  r->pattern = std::move(pattern);
  r->needs_auth = needs_auth;
  r->permission = permission;
  r->handler = std::move(handler);
  return r;
}

// ---------------------------------------------------------------------------------------------
// Api

Api::Api(service::Services& services, ApiOptions options)
    : services_(services), options_(std::move(options)), blocking_(options_.blocking_threads) {
  AddRoutes();
}

Api::~Api() = default;

std::string_view Api::OpenApiDocument() {
  return openapi::All().front().text;
}

std::vector<Api::RouteInfo> Api::Routes() const {
  std::vector<RouteInfo> out;
  for (const auto& r : routes_) out.push_back(RouteInfo{r->method, r->pattern, r->needs_auth});
  return out;
}

void Api::Handle(ApiRequest&& req, Respond respond) {
  auto call = std::make_shared<Call>();
  call->api = this;
  call->req = std::move(req);
  call->respond = std::move(respond);
  call->start = std::chrono::steady_clock::now();
  Dispatch(call);
}

void Api::Dispatch(const CallPtr& call) {
  const std::vector<std::string> parts = SplitPath(call->req.path);
  std::vector<std::string> allowed;
  for (const auto& route : routes_) {
    if (route->segments.size() != parts.size()) continue;
    std::vector<std::pair<std::string, std::string>> params;
    bool match = true;
    for (std::size_t i = 0; i < parts.size() && match; ++i) {
      const std::string& seg = route->segments[i];
      if (seg.size() > 2 && seg.front() == '{' && seg.back() == '}') {
        if (parts[i].empty()) match = false;
        params.emplace_back(seg.substr(1, seg.size() - 2), parts[i]);
      } else {
        match = seg == parts[i];
      }
    }
    if (!match) continue;
    if (route->method != call->req.method &&
        !(route->method == "GET" && call->req.method == "HEAD")) {
      allowed.push_back(route->method);
      continue;
    }
    call->route = route.get();
    call->params = std::move(params);
    break;
  }
  if (call->route == nullptr) {
    ApiResponse res;
    if (!allowed.empty()) {
      std::string list;
      for (const std::string& m : allowed) list += (list.empty() ? "" : ", ") + m;
      call->error_code = "method_not_allowed";
      res.status = 405;
      res.headers.emplace_back("Allow", list);
      res.body = ErrorDocument("method_not_allowed",
                               call->req.method + " is not allowed here; use " + list, "");
    } else {
      call->error_code = "route_not_found";
      res.status = 404;
      res.body = ErrorDocument("route_not_found",
                               "no such route; the routes are listed at /openapi.json", "");
    }
    return Finish(call, std::move(res));
  }
  if (call->route->needs_auth) {
    const std::string_view auth = call->req.Header("authorization");
    if (auth.empty()) {
      return ReplyError(call, MakeError(ErrorCode::kAuthRequired,
                                        "log in (POST /v1/auth/login) and send "
                                        "Authorization: Bearer <token>"));
    }
    if (!auth.starts_with("Bearer ") || auth.size() > 200) {
      return ReplyError(call, MakeError(ErrorCode::kTokenInvalid,
                                        "the Authorization header must be: Bearer <token>"));
    }
    Result<service::Principal> who = services_.staff().Authenticate(auth.substr(7));
    if (!who) return ReplyError(call, who.error());
    call->who = std::move(*who);
    if (call->route->permission) {
      if (core::Status allowed_to = service::Require(*call->who, *call->route->permission);
          !allowed_to) {
        return ReplyError(call, allowed_to.error());
      }
    }
  }
  try {
    call->route->handler(services_, call);
  } catch (const std::exception& e) {
    ReplyError(call, MakeError(ErrorCode::kInternal, std::string("unexpected: ") + e.what()));
  }
}

void Api::Finish(const CallPtr& call, ApiResponse&& res) {
  if (call->answered.exchange(true)) return;
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - call->start).count();
  const std::string route = call->route ? call->route->pattern : "unmatched";
  metrics_.Record(call->req.method, route, res.status, seconds);
  if (options_.access_log) Log(*call, res, seconds * 1000);
  if (call->req.method == "HEAD") res.body.clear();
  call->respond(std::move(res));
}

void Api::Log(const Call& call, const ApiResponse& res, double ms) const {
  nlohmann::json line = {
      {"ts", Iso(std::chrono::system_clock::now())},
      {"level", res.status >= 500 ? "error" : "info"},
      {"msg", "request"},
      {"request_id", call.req.request_id},
      {"method", call.req.method},
      {"route", call.route ? call.route->pattern : "unmatched"},
      {"status", res.status},
      {"ms", static_cast<double>(static_cast<std::int64_t>(ms * 1000)) / 1000},
      {"client", call.req.client},
  };
  if (call.who) {
    line["tenant"] = call.who->tenant.code;
    line["principal"] = call.who->kind + ":" + call.who->name;
    if (call.who->store.valid()) line["store"] = call.who->store_code;
  }
  if (!call.error_code.empty()) line["code"] = call.error_code;
  const std::string text = Dump(line) + "\n";
  std::fwrite(text.data(), 1, text.size(), stderr);
}

void Api::AddRoutes() {
  // Operations: no login.
  routes_.push_back(MakeRoute(
      "GET", "/healthz", false, std::nullopt,
      [](service::Services&, const CallPtr& call) { Reply(call, 200, R"({"status":"ok"})"); }));
  routes_.push_back(MakeRoute(
      "GET", "/readyz", false, std::nullopt, [](service::Services& s, const CallPtr& call) {
        Result<std::unique_ptr<storage::ReadTxn>> txn = s.store().BeginRead();
        Result<std::vector<storage::TenantRecord>> tenants =
            txn ? (*txn)->ListTenants() : Result<std::vector<storage::TenantRecord>>(txn.error());
        if (!tenants) {
          return Reply(call, 503,
                       Dump(nlohmann::json{{"status", "unavailable"},
                                           {"code", core::ErrorCodeName(tenants.error().code)},
                                           {"message", tenants.error().message}}));
        }
        Reply(call, 200,
              Dump(nlohmann::json{{"status", "ready"}, {"database", s.store().Describe()}}));
      }));
  routes_.push_back(MakeRoute(
      "GET", "/metrics", false, std::nullopt, [this](service::Services& s, const CallPtr& call) {
        std::string out;
        metrics_.Render(out);
        const ServerGauges g = gauges_ ? gauges_() : ServerGauges{};
        const service::WriterStats w = s.writer().stats();
        out += "# HELP onecard_http_open_connections Connections open now.\n";
        out += "# TYPE onecard_http_open_connections gauge\n";
        out += "onecard_http_open_connections " + std::to_string(g.open_connections) + "\n";
        out += "# HELP onecard_http_in_flight Requests being handled now.\n";
        out += "# TYPE onecard_http_in_flight gauge\n";
        out += "onecard_http_in_flight " + std::to_string(g.in_flight) + "\n";
        out +=
            "# HELP onecard_http_overload_rejections_total 503s for too many requests or "
            "connections.\n";
        out += "# TYPE onecard_http_overload_rejections_total counter\n";
        out +=
            "onecard_http_overload_rejections_total " + std::to_string(g.rejected_overload) + "\n";
        out += "# HELP onecard_writer_groups_total Write transactions committed (group commits).\n";
        out += "# TYPE onecard_writer_groups_total counter\n";
        out += "onecard_writer_groups_total " + std::to_string(w.groups) + "\n";
        out += "# HELP onecard_writer_commands_total Commands run in those groups.\n";
        out += "# TYPE onecard_writer_commands_total counter\n";
        out += "onecard_writer_commands_total " + std::to_string(w.commands) + "\n";
        out += "# HELP onecard_writer_group_size Commands per group commit.\n";
        out += "# TYPE onecard_writer_group_size histogram\n";
        std::int64_t cumulative = 0;
        for (std::size_t i = 0; i < service::WriterStats::kGroupBuckets.size(); ++i) {
          cumulative += w.group_sizes[i];
          out += "onecard_writer_group_size_bucket{le=\"" +
                 std::to_string(service::WriterStats::kGroupBuckets[i]) + "\"} " +
                 std::to_string(cumulative) + "\n";
        }
        out += "onecard_writer_group_size_bucket{le=\"+Inf\"} " + std::to_string(w.groups) + "\n";
        out += "onecard_writer_group_size_sum " + std::to_string(w.commands) + "\n";
        out += "onecard_writer_group_size_count " + std::to_string(w.groups) + "\n";
        out += "# HELP onecard_writer_queued Commands waiting for the writer now.\n";
        out += "# TYPE onecard_writer_queued gauge\n";
        out += "onecard_writer_queued " + std::to_string(w.queued) + "\n";
        out +=
            "# HELP onecard_writer_replays_total Commands answered from their idempotency key.\n";
        out += "# TYPE onecard_writer_replays_total counter\n";
        out += "onecard_writer_replays_total " + std::to_string(w.replays) + "\n";
        ApiResponse res;
        res.status = 200;
        res.content_type = "text/plain; version=0.0.4";
        res.body = std::move(out);
        Finish(call, std::move(res));
      }));
  routes_.push_back(MakeRoute("GET", "/openapi.json", false, std::nullopt,
                              [](service::Services&, const CallPtr& call) {
                                Reply(call, 200, std::string(OpenApiDocument()));
                              }));
  AddReadRoutes(routes_);
  AddWriteRoutes(routes_);
  AddAdminRoutes(routes_);
  AddProgrammeRoutes(routes_);
  AddCatalogueRoutes(routes_);
  AddGiftRoutes(routes_);
  AddCouponRoutes(routes_);
  AddCheckoutRoutes(routes_);
}

}  // namespace onecard::http
