// Server: an event-driven HTTP/1.1 server (Boost.Beast/Asio) with keep-alive, size limits,
// timeouts, a bound on requests in flight and graceful shutdown. It knows nothing of the API:
// each complete request goes to a Handler, which answers through its Respond callback from any
// thread, now or later (a write answers once its group commit is durable).
//
//   Server server(options, [&](ApiRequest&& req, Respond respond) { respond(api.Handle(req)); });
//   auto port = server.Listen();   // binds; port 0 picks a free one
//   server.Run();                  // until Stop() or, with handle_signals, SIGTERM/SIGINT
//
// Shutdown: stop accepting; idle connections are closed; requests in flight are finished and
// answered (with Connection: close); Run() returns when the last one is written.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "core/result.hpp"
#include "http/message.hpp"

namespace onecard::http {

struct ServerOptions {
  std::string host = "127.0.0.1";
  std::uint16_t port = 8080;
  int threads = 2;
  std::size_t header_limit = 16 * 1024;             // bytes of request line and headers
  std::size_t body_limit = 1024 * 1024;             // bytes of body; 413 beyond
  std::chrono::milliseconds read_timeout{10'000};   // from a request's first byte to its last
  std::chrono::milliseconds write_timeout{10'000};  // to write a response
  std::chrono::milliseconds idle_timeout{300'000};  // between requests on a kept-alive connection
  int max_in_flight = 512;                          // requests being handled at once; 503 beyond
  int max_connections = 20000;  // open connections; a new one beyond is answered 503 and closed
  bool handle_signals = false;  // SIGTERM/SIGINT start a graceful shutdown
};

// Live figures, for /metrics.
struct ServerGauges {
  std::int64_t open_connections = 0;
  std::int64_t in_flight = 0;
  std::int64_t rejected_overload = 0;  // 503s for too many requests or connections
};

using Respond = std::function<void(ApiResponse&&)>;
using Handler = std::function<void(ApiRequest&&, Respond)>;

class Server {
 public:
  Server(ServerOptions options, Handler handler);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds and listens. Returns the port (useful with port 0).
  core::Result<std::uint16_t> Listen();
  // Serves on options.threads threads (this one among them) until shut down.
  void Run();
  // Starts a graceful shutdown; any thread, any number of times.
  void Stop();
  // Called once when a shutdown starts (before connections close); e.g. to log it.
  void OnStopping(std::function<void()> fn);

  ServerGauges gauges() const;

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace onecard::http
