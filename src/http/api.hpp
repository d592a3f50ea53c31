// Api: the HTTP/JSON API over the services (issue #3). Beast-free: it takes an ApiRequest and
// answers through a Respond callback, so tests and the fuzz target can drive it directly.
//
// Per request: route (404/405), authenticate (Authorization: Bearer <session token or API key>),
// check the role's permission and the store scope, map the JSON body strictly (unknown fields
// are refused), call the service, map the result or error to a status and the error document
// {"code","message","field"}. Writes answer once their group commit is durable; reads answer at
// once. Every request is counted for /metrics and logged as one JSON line (no tokens, passwords
// or full card numbers).
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "http/message.hpp"
#include "http/metrics.hpp"
#include "http/server.hpp"
#include "service/services.hpp"

namespace onecard::http {

// A few threads for calls that block: logins (argon2id) and the services' synchronous writes.
class BlockingPool {
 public:
  explicit BlockingPool(int threads);
  ~BlockingPool();  // runs what is queued, then stops
  void Post(std::function<void()> fn);

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> queue_;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

struct ApiOptions {
  bool access_log = true;  // one JSON line per request on stderr
  int blocking_threads = 4;
};

struct Call;
using CallPtr = std::shared_ptr<Call>;

class Api {
 public:
  Api(service::Services& services, ApiOptions options);
  ~Api();

  // Handles one request; `respond` is called exactly once, from any thread.
  void Handle(ApiRequest&& req, Respond respond);

  // Where the server's live figures come from (for /metrics and /readyz).
  void SetGauges(std::function<ServerGauges()> gauges) { gauges_ = std::move(gauges); }

  struct RouteInfo {
    std::string method;
    std::string pattern;  // "/v1/cards/{number}"
    bool needs_auth = true;
  };
  std::vector<RouteInfo> Routes() const;

  // The OpenAPI document served at /openapi.json (docs/openapi.json, compiled in).
  static std::string_view OpenApiDocument();

  struct Route;

  // For the route handlers (api_internal.hpp).
  void Finish(const CallPtr& call, ApiResponse&& res);
  BlockingPool& blocking() { return blocking_; }
  service::Services& services() { return services_; }

 private:
  void Dispatch(const CallPtr& call);
  void Log(const Call& call, const ApiResponse& res, double ms) const;
  void AddRoutes();

  service::Services& services_;
  ApiOptions options_;
  std::vector<std::unique_ptr<Route>> routes_;
  std::function<ServerGauges()> gauges_;
  Metrics metrics_;
  BlockingPool blocking_;
};

}  // namespace onecard::http
