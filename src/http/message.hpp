// A request and a response as the API sees them: plain data, no Beast types, so the API can be
// tested and fuzzed without a socket.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace onecard::http {

struct ApiRequest {
  std::string method;                                        // "GET", "POST", …
  std::string path;                                          // percent-decoded, without the query
  std::vector<std::pair<std::string, std::string>> query;    // decoded, in order
  std::vector<std::pair<std::string, std::string>> headers;  // names in lower case
  std::string body;
  std::string client;      // the peer's address
  std::string request_id;  // given by the server, echoed as X-Request-Id

  // The first header or query value with that (lower-case) name, or empty.
  std::string_view Header(std::string_view name) const;
  const std::string* Query(std::string_view name) const;
};

struct ApiResponse {
  int status = 200;
  std::string body;
  std::string content_type = "application/json";
  std::vector<std::pair<std::string, std::string>> headers;
};

// Splits a request target ("/v1/x?a=1&b=%20") into a decoded path and query. False when the
// percent-encoding is broken or the path is not absolute.
bool ParseTarget(std::string_view target, std::string* path,
                 std::vector<std::pair<std::string, std::string>>* query);

}  // namespace onecard::http
