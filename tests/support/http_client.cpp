#include "support/http_client.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cctype>
#include <chrono>
#include <cstring>
#include <thread>

namespace onecard::testing {
namespace {

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

bool WriteAll(int fd, const std::string& data) {
  std::size_t done = 0;
  while (done < data.size()) {
    const ssize_t n = ::send(fd, data.data() + done, data.size() - done, MSG_NOSIGNAL);
    if (n <= 0) return false;
    done += static_cast<std::size_t>(n);
  }
  return true;
}

}  // namespace

HttpClient::~HttpClient() {
  Close();
}

bool HttpClient::Connect() {
  Close();
  fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd_ < 0) return false;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<std::uint16_t>(port_));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    Close();
    return false;
  }
  int one = 1;
  ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  return true;
}

void HttpClient::Close() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
  buffer_.clear();
}

HttpResponse HttpClient::ReadResponse() {
  HttpResponse res;
  auto fill = [&]() -> bool {
    char chunk[65536];
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, 30000) <= 0) return false;  // 30 s: a test failure, not a hang
    const ssize_t n = ::recv(fd_, chunk, sizeof chunk, 0);
    if (n <= 0) return false;
    buffer_.append(chunk, static_cast<std::size_t>(n));
    return true;
  };
  std::size_t header_end;
  while ((header_end = buffer_.find("\r\n\r\n")) == std::string::npos) {
    if (!fill()) {
      Close();
      return res;
    }
  }
  const std::string head = buffer_.substr(0, header_end);
  buffer_.erase(0, header_end + 4);
  std::size_t line_end = head.find("\r\n");
  const std::string status_line = head.substr(0, line_end);
  if (status_line.size() >= 12) res.status = std::atoi(status_line.c_str() + 9);
  while (line_end != std::string::npos) {
    const std::size_t start = line_end + 2;
    line_end = head.find("\r\n", start);
    const std::string line =
        head.substr(start, line_end == std::string::npos ? std::string::npos : line_end - start);
    const std::size_t colon = line.find(':');
    if (colon == std::string::npos) continue;
    std::string value = line.substr(colon + 1);
    while (!value.empty() && value.front() == ' ') value.erase(0, 1);
    res.headers[Lower(line.substr(0, colon))] = value;
  }
  const std::size_t length = static_cast<std::size_t>(std::stoll(
      res.headers.count("content-length") ? res.headers["content-length"] : std::string("0")));
  while (buffer_.size() < length) {
    if (!fill()) {
      Close();
      res.status = 0;
      return res;
    }
  }
  res.body = buffer_.substr(0, length);
  buffer_.erase(0, length);
  if (Lower(res.Header("connection")) == "close") Close();
  return res;
}

HttpResponse HttpClient::Send(const std::string& method, const std::string& target,
                              const std::string& body,
                              const std::vector<std::pair<std::string, std::string>>& headers) {
  std::string req = method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n";
  for (const auto& [k, v] : headers) req += k + ": " + v + "\r\n";
  if (!body.empty() || method == "POST" || method == "PATCH") {
    req +=
        "Content-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) + "\r\n";
  }
  req += "\r\n" + body;
  for (int attempt = 0; attempt < 2; ++attempt) {
    if (fd_ < 0 && !Connect()) return HttpResponse{};
    const bool written = WriteAll(fd_, req);
    // Even when the server stopped reading (a refused body), its answer may be there to read.
    HttpResponse r = ReadResponse();
    if (!written && r.status == 0) {
      Close();
      continue;
    }
    if (r.status != 0 || attempt == 1) return r;
    // A kept-alive connection the server had closed: once more on a new one. (Never for a
    // request that may have been handled: the server closes only idle connections.)
  }
  return HttpResponse{};
}

HttpResponse HttpClient::SendRaw(const std::string& bytes) {
  if (!Connect()) return HttpResponse{};
  if (!WriteAll(fd_, bytes)) {
    Close();
    return HttpResponse{};
  }
  HttpResponse r = ReadResponse();
  Close();
  return r;
}

HttpResponse HttpClient::Get(const std::string& target, const std::string& token) {
  std::vector<std::pair<std::string, std::string>> h;
  if (!token.empty()) h.emplace_back("Authorization", "Bearer " + token);
  return Send("GET", target, "", h);
}

namespace {

std::vector<std::pair<std::string, std::string>> Headers(const std::string& token,
                                                         const std::string& key) {
  std::vector<std::pair<std::string, std::string>> h;
  if (!token.empty()) h.emplace_back("Authorization", "Bearer " + token);
  if (!key.empty()) h.emplace_back("Idempotency-Key", key);
  return h;
}

}  // namespace

HttpResponse HttpClient::Post(const std::string& target, const nlohmann::json& body,
                              const std::string& token, const std::string& key) {
  return Send("POST", target, body.dump(), Headers(token, key));
}

HttpResponse HttpClient::Put(const std::string& target, const nlohmann::json& body,
                             const std::string& token, const std::string& key) {
  return Send("PUT", target, body.dump(), Headers(token, key));
}

std::string Login(HttpClient& c, const std::string& username, const std::string& password) {
  HttpResponse r =
      c.Post("/v1/auth/login", nlohmann::json{{"username", username}, {"password", password}});
  if (r.status != 200) return "";
  return r.Json().value("token", "");
}

ServerProcess::ServerProcess(const std::string& db, std::vector<std::string> extra_args) {
  int out[2];
  if (::pipe(out) != 0) return;
  const std::string log = db + ".server.log";  // the server's JSON log lines, kept out of the way
  pid_ = ::fork();
  if (pid_ == 0) {
    const int err = ::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (err >= 0) ::dup2(err, STDERR_FILENO);
    ::dup2(out[1], STDOUT_FILENO);
    ::close(out[0]);
    ::close(out[1]);
    std::vector<std::string> args = {ONECARD_BINARY, "--db",           db, "serve", "--listen",
                                     "127.0.0.1:0",  "--no-access-log"};
    for (auto& a : extra_args) args.push_back(a);
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  ::close(out[1]);
  out_fd_ = out[0];
  // "OneCard is serving http://127.0.0.1:PORT/ (…)"
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (std::chrono::steady_clock::now() < deadline) {
    pollfd p{out_fd_, POLLIN, 0};
    if (::poll(&p, 1, 200) > 0) {
      char buf[512];
      const ssize_t n = ::read(out_fd_, buf, sizeof buf);
      if (n <= 0) break;
      output_.append(buf, static_cast<std::size_t>(n));
      const std::size_t at = output_.find("http://127.0.0.1:");
      if (at != std::string::npos && output_.find('/', at + 17) != std::string::npos) {
        port_ = std::atoi(output_.c_str() + at + 17);
        break;
      }
    }
  }
}

int ServerProcess::Stop(int signal) {
  if (pid_ <= 0) return -1;
  ::kill(pid_, signal);
  int status = 0;
  ::waitpid(pid_, &status, 0);
  pid_ = -1;
  if (out_fd_ >= 0) ::close(out_fd_);
  out_fd_ = -1;
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  return 128 + WTERMSIG(status);
}

ServerProcess::~ServerProcess() {
  if (pid_ > 0) Stop(SIGTERM);
}

}  // namespace onecard::testing
