// Test support for the HTTP API: a small blocking HTTP/1.1 client over a real loopback socket
// (keep-alive, one request at a time), and a real `onecard serve` process.
#pragma once

#include <sys/types.h>

#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

namespace onecard::testing {

struct HttpResponse {
  int status = 0;  // 0: the connection failed or closed without an answer
  std::map<std::string, std::string> headers;  // lower-case names
  std::string body;

  nlohmann::json Json() const { return nlohmann::json::parse(body, nullptr, false); }
  std::string Header(const std::string& name) const {
    auto it = headers.find(name);
    return it == headers.end() ? "" : it->second;
  }
};

class HttpClient {
 public:
  explicit HttpClient(int port) : port_(port) {}
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // Sends one request (reconnecting if needed) and reads the answer.
  HttpResponse Send(const std::string& method, const std::string& target,
                    const std::string& body = "",
                    const std::vector<std::pair<std::string, std::string>>& headers = {});
  // Writes raw bytes on a fresh connection and reads one answer (for malformed requests).
  HttpResponse SendRaw(const std::string& bytes);

  // Convenience: JSON with a bearer token and optional idempotency key.
  HttpResponse Get(const std::string& target, const std::string& token = "");
  HttpResponse Post(const std::string& target, const nlohmann::json& body,
                    const std::string& token = "", const std::string& key = "");
  HttpResponse Put(const std::string& target, const nlohmann::json& body,
                   const std::string& token = "", const std::string& key = "");

  bool Connect();
  void Close();

 private:
  HttpResponse ReadResponse();

  int port_;
  int fd_ = -1;
  std::string buffer_;
};

// `onecard --db PATH serve --listen 127.0.0.1:0` as a child process; learns its port from the
// line it prints; its log goes to PATH.server.log. The destructor sends SIGTERM and waits.
class ServerProcess {
 public:
  ServerProcess(const std::string& db, std::vector<std::string> extra_args = {});
  ~ServerProcess();
  ServerProcess(const ServerProcess&) = delete;
  ServerProcess& operator=(const ServerProcess&) = delete;

  int port() const { return port_; }
  pid_t pid() const { return pid_; }
  bool started() const { return port_ > 0; }
  // Sends `signal` and waits for the exit; returns the exit status (or 128+signal).
  int Stop(int signal);
  const std::string& output() const { return output_; }

 private:
  pid_t pid_ = -1;
  int port_ = 0;
  int out_fd_ = -1;
  std::string output_;
};

// Logs in and returns the token (empty on failure).
std::string Login(HttpClient& c, const std::string& username, const std::string& password);

}  // namespace onecard::testing
