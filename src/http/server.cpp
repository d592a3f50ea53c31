// The only translation unit that includes Beast (it compiles slowly).
#include "http/server.hpp"

#include <algorithm>
#include <atomic>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <cctype>
#include <mutex>
#include <optional>
#include <random>
#include <set>
#include <thread>
#include <utility>  // before Asio: Asio 1.74 under g++ 12 -std=c++20 needs it
#include <vector>

namespace onecard::http {
namespace {

namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using core::ErrorCode;

std::string ErrorBody(std::string_view code, std::string_view message) {
  std::string out = R"({"code":")";
  out += code;
  out += R"(","message":")";
  out += message;  // callers pass fixed text without quotes or backslashes
  out += "\"}";
  return out;
}

std::string HexId(std::uint64_t a, std::uint64_t b) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string s(32, '0');
  for (int i = 0; i < 16; ++i) {
    s[static_cast<std::size_t>(15 - i)] = kHex[(a >> (4 * i)) & 0xf];
    s[static_cast<std::size_t>(31 - i)] = kHex[(b >> (4 * i)) & 0xf];
  }
  return s;
}

}  // namespace

class Connection;

struct Server::Impl {
  Impl(ServerOptions o, Handler h)
      : options(std::move(o)),
        handler(std::move(h)),
        ioc(std::max(1, options.threads)),
        acceptor(net::make_strand(ioc)),
        signals(ioc),
        work(net::make_work_guard(ioc)) {
    std::random_device rd;
    id_prefix = (static_cast<std::uint64_t>(rd()) << 32) ^ rd();
  }

  void Accept();
  void BeginStop();
  // Once shutting down and every connection is closed, lets Run() return.
  void ReleaseIfDone() {
    if (!stopping || open.load() != 0) return;
    if (released.exchange(true)) return;
    net::post(ioc, [this] { work.reset(); });
  }
  std::string NextRequestId() {
    return HexId(id_prefix, next_request.fetch_add(1, std::memory_order_relaxed));
  }

  ServerOptions options;
  Handler handler;
  net::io_context ioc;
  tcp::acceptor acceptor;
  net::signal_set signals;
  // Keeps run() going while requests are with the handler (the writer answers later).
  net::executor_work_guard<net::io_context::executor_type> work;
  std::atomic<bool> released{false};
  std::uint64_t id_prefix = 0;
  std::atomic<std::uint64_t> next_request{1};
  std::atomic<std::int64_t> open{0};
  std::atomic<std::int64_t> in_flight{0};
  std::atomic<std::int64_t> rejected{0};
  std::atomic<bool> stopping{false};
  std::function<void()> on_stopping;

  std::mutex mu;  // guards connections
  std::set<std::shared_ptr<Connection>> connections;
};

// One TCP connection: reads requests one after the other (HTTP/1.1 keep-alive, no pipelining of
// handlers: the next request is read once the previous response is written).
class Connection : public std::enable_shared_from_this<Connection> {
 public:
  Connection(tcp::socket&& socket, Server::Impl* server)
      : stream_(std::move(socket)), server_(server) {}

  void Start() {
    net::dispatch(stream_.get_executor(), [self = shared_from_this()] { self->ReadHeader(); });
  }

  // On shutdown: an idle connection closes now; a busy one after its response.
  void Drain() {
    net::post(stream_.get_executor(), [self = shared_from_this()] {
      if (!self->busy_) self->Close();
    });
  }

  // Past the connection limit: answer 503 without reading, and close.
  void Refuse() {
    net::dispatch(stream_.get_executor(), [self = shared_from_this()] {
      self->Reject(503, "too_many_connections",
                   "the server has as many connections open as it allows; retry shortly");
    });
  }

 private:
  void ReadHeader() {
    if (server_->stopping) return Close();
    parser_.emplace();
    parser_->header_limit(static_cast<std::uint32_t>(server_->options.header_limit));
    parser_->body_limit(server_->options.body_limit);
    stream_.expires_after(server_->options.idle_timeout);
    bhttp::async_read_header(
        stream_, buffer_, *parser_,
        [self = shared_from_this()](beast::error_code ec, std::size_t) { self->OnHeader(ec); });
  }

  // A read that completed just before Close() (a drain on shutdown) still runs its handler
  // afterwards: a closed connection takes no request, or it would reach the handler after the
  // server had stopped counting it — and be answered after the server (and the API) are gone.
  void OnHeader(beast::error_code ec) {
    if (closed_) return;
    if (ec == bhttp::error::header_limit) {
      return Reject(431, "headers_too_large", "the request's headers are too large");
    }
    if (ec == bhttp::error::body_limit) {  // a Content-Length above the limit
      return Reject(413, "body_too_large", "the request body is larger than the server accepts");
    }
    if (ec) return Close();  // end of stream, idle timeout, reset, garbage
    busy_ = true;
    stream_.expires_after(server_->options.read_timeout);
    const auto& header = parser_->get();
    const auto expect = header[bhttp::field::expect];
    if (!parser_->is_done() && beast::iequals(expect, "100-continue")) {
      auto cont = std::make_shared<bhttp::response<bhttp::empty_body>>(bhttp::status::continue_,
                                                                       header.version());
      bhttp::async_write(stream_, *cont,
                         [self = shared_from_this(), cont](beast::error_code wec, std::size_t) {
                           if (wec) return self->Close();
                           self->ReadBody();
                         });
      return;
    }
    if (parser_->is_done()) return OnRequest({});  // no body (a GET): nothing more to read
    ReadBody();
  }

  void ReadBody() {
    bhttp::async_read(
        stream_, buffer_, *parser_,
        [self = shared_from_this()](beast::error_code ec, std::size_t) { self->OnRequest(ec); });
  }

  void OnRequest(beast::error_code ec) {
    if (closed_) return;
    if (ec == bhttp::error::body_limit) {
      return Reject(413, "body_too_large", "the request body is larger than the server accepts");
    }
    if (ec) return Close();
    stream_.expires_never();  // handling has no timeout here; writing the answer has
    bhttp::request<bhttp::string_body> msg = parser_->release();
    keep_alive_ = msg.keep_alive();
    version_ = msg.version();
    ApiRequest req;
    req.request_id = server_->NextRequestId();
    request_id_ = req.request_id;
    if (!ParseTarget(std::string_view(msg.target().data(), msg.target().size()), &req.path,
                     &req.query)) {
      return Reject(400, "bad_target", "the request target is not a valid absolute path");
    }
    if (server_->in_flight.fetch_add(1) >= server_->options.max_in_flight) {
      server_->in_flight.fetch_sub(1);
      server_->rejected.fetch_add(1);
      return Reject(503, "overloaded", "the server is at its limit of requests; retry shortly",
                    /*close=*/false);
    }
    req.method = std::string(msg.method_string());
    req.headers.reserve(8);
    for (const auto& field : msg) {
      std::string name(field.name_string());
      for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      req.headers.emplace_back(std::move(name), std::string(field.value()));
    }
    req.body = std::move(msg.body());
    beast::error_code peer_ec;
    const tcp::endpoint peer = stream_.socket().remote_endpoint(peer_ec);
    if (!peer_ec) req.client = peer.address().to_string();
    // The handler may answer from another thread (the writer's); the answer comes back to this
    // connection's strand — at once when it is given on the strand (a read answered inline),
    // which is why nothing may follow the handler's call here. Answering twice is a bug and is
    // ignored after the first.
    auto answered = std::make_shared<std::atomic<bool>>(false);
    server_->handler(std::move(req), [self = shared_from_this(), answered](ApiResponse&& res) {
      if (answered->exchange(true)) return;
      net::dispatch(self->stream_.get_executor(),
                    [self, res = std::move(res)]() mutable { self->Write(std::move(res), true); });
    });
  }

  void Reject(int status, std::string_view code, std::string_view message, bool close = true) {
    busy_ = true;
    if (close) keep_alive_ = false;
    ApiResponse res;
    res.status = status;
    res.body = ErrorBody(code, message);
    if (status == 503) res.headers.emplace_back("Retry-After", "1");
    if (request_id_.empty()) request_id_ = server_->NextRequestId();
    Write(std::move(res), false);
  }

  void Write(ApiResponse&& res, bool counted) {
    if (counted) server_->in_flight.fetch_sub(1);
    auto msg = std::make_shared<bhttp::response<bhttp::string_body>>(
        static_cast<bhttp::status>(res.status), version_ == 0 ? 11 : version_);
    msg->set(bhttp::field::server, "onecard");
    msg->set(bhttp::field::content_type, res.content_type);
    msg->set("X-Request-Id", request_id_);
    for (const auto& [name, value] : res.headers) msg->set(name, value);
    msg->body() = std::move(res.body);
    const bool close = !keep_alive_ || server_->stopping;
    msg->keep_alive(!close);
    msg->prepare_payload();
    stream_.expires_after(server_->options.write_timeout);
    bhttp::async_write(stream_, *msg,
                       [self = shared_from_this(), msg, close](beast::error_code ec, std::size_t) {
                         self->busy_ = false;
                         self->request_id_.clear();
                         if (ec) return self->Close();
                         if (close) return self->LingerClose();
                         self->ReadHeader();
                       });
  }

  // Closes after an answer that may have left the request (a refused body) unread: stop
  // sending, then read and drop what the client still sends for a moment, so that closing does
  // not reset the connection before the client has read the answer.
  void LingerClose() {
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
    if (ec) return Close();
    stream_.expires_after(std::chrono::seconds(2));
    Drop();
  }
  void Drop() {
    buffer_.consume(buffer_.size());
    stream_.async_read_some(buffer_.prepare(64 * 1024),
                            [self = shared_from_this()](beast::error_code ec, std::size_t n) {
                              self->dropped_ += n;
                              if (ec || self->dropped_ > 16 * 1024 * 1024) return self->Close();
                              self->Drop();
                            });
  }

  void Close() {
    if (closed_) return;
    closed_ = true;
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ec);
    stream_.close();
    {
      std::lock_guard lock(server_->mu);
      server_->connections.erase(shared_from_this());
    }
    server_->open.fetch_sub(1);
    server_->ReleaseIfDone();
  }

  beast::tcp_stream stream_;
  Server::Impl* server_;  // outlives every connection (see ~Server)
  beast::flat_buffer buffer_;
  std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
  std::string request_id_;
  unsigned version_ = 11;
  bool keep_alive_ = true;
  bool busy_ = false;
  bool closed_ = false;
  std::size_t dropped_ = 0;
};

void Server::Impl::Accept() {
  acceptor.async_accept(net::make_strand(ioc),
                        [self = this](beast::error_code ec, tcp::socket socket) {
                          if (ec) {
                            if (!self->stopping && self->acceptor.is_open()) self->Accept();
                            return;
                          }
                          if (self->stopping) return;
                          auto conn = std::make_shared<Connection>(std::move(socket), self);
                          {
                            std::lock_guard lock(self->mu);
                            self->connections.insert(conn);
                          }
                          if (self->open.fetch_add(1) >= self->options.max_connections) {
                            self->rejected.fetch_add(1);
                            conn->Refuse();
                          } else {
                            conn->Start();
                          }
                          self->Accept();
                        });
}

void Server::Impl::BeginStop() {
  if (stopping.exchange(true)) return;
  if (on_stopping) on_stopping();
  net::post(acceptor.get_executor(), [self = this] {
    beast::error_code ec;
    self->acceptor.close(ec);
    self->signals.cancel(ec);
  });
  std::vector<std::shared_ptr<Connection>> all;
  {
    std::lock_guard lock(mu);
    all.assign(connections.begin(), connections.end());
  }
  for (const auto& c : all) c->Drain();
  ReleaseIfDone();
}

Server::Server(ServerOptions options, Handler handler)
    : impl_(std::make_unique<Impl>(std::move(options), std::move(handler))) {}

// After a graceful Run() nothing is left. Otherwise: stop, drop the connections the set holds,
// and let the io_context's destructor destroy the handlers that hold the others.
Server::~Server() {
  impl_->stopping = true;
  impl_->ioc.stop();
  std::lock_guard lock(impl_->mu);
  impl_->connections.clear();
}

core::Result<std::uint16_t> Server::Listen() {
  beast::error_code ec;
  const net::ip::address address = net::ip::make_address(impl_->options.host, ec);
  if (ec) {
    return core::MakeError(ErrorCode::kInvalidArgument,
                           "cannot listen on '" + impl_->options.host + "': not an IP address",
                           "listen");
  }
  const tcp::endpoint endpoint(address, impl_->options.port);
  auto& acc = impl_->acceptor;
  const std::string where = impl_->options.host + ":" + std::to_string(impl_->options.port);
  if (acc.open(endpoint.protocol(), ec); ec) {
    return core::MakeError(ErrorCode::kListenFailed,
                           "cannot open a socket for " + where + ": " + ec.message());
  }
  acc.set_option(net::socket_base::reuse_address(true), ec);
  if (acc.bind(endpoint, ec); ec) {
    return core::MakeError(ErrorCode::kListenFailed,
                           "cannot listen on " + where + ": " + ec.message(), "listen");
  }
  if (acc.listen(net::socket_base::max_listen_connections, ec); ec) {
    return core::MakeError(ErrorCode::kListenFailed,
                           "cannot listen on " + where + ": " + ec.message(), "listen");
  }
  return acc.local_endpoint().port();
}

void Server::Run() {
  Impl& s = *impl_;
  if (s.options.handle_signals) {
    s.signals.add(SIGINT);
    s.signals.add(SIGTERM);
    s.signals.async_wait([impl = impl_.get()](beast::error_code ec, int) {
      if (!ec) impl->BeginStop();
    });
  }
  s.Accept();
  std::vector<std::thread> extra;
  for (int i = 1; i < s.options.threads; ++i) extra.emplace_back([&s] { s.ioc.run(); });
  s.ioc.run();
  for (std::thread& t : extra) t.join();
}

void Server::Stop() {
  impl_->BeginStop();
}

void Server::OnStopping(std::function<void()> fn) {
  impl_->on_stopping = std::move(fn);
}

ServerGauges Server::gauges() const {
  return ServerGauges{impl_->open.load(), impl_->in_flight.load(), impl_->rejected.load()};
}

}  // namespace onecard::http
