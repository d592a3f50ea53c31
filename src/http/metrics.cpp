#include "http/metrics.hpp"

#include <cstdio>

namespace onecard::http {

std::string LabelValue(std::string_view v) {
  std::string out;
  for (char c : v) {
    if (c == '\\' || c == '"') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out;
}

void Metrics::Record(const std::string& method, const std::string& route, int status,
                     double seconds) {
  std::lock_guard lock(mu_);
  ++requests_[{method, route, status}];
  Histogram& h = latency_[{method, route}];
  std::size_t i = 0;
  while (i < kBuckets.size() && seconds > kBuckets[i]) ++i;
  if (i < kBuckets.size()) ++h.counts[i];
  ++h.count;
  h.sum += seconds;
}

void Metrics::Render(std::string& out) const {
  std::lock_guard lock(mu_);
  char buf[64];
  out += "# HELP onecard_http_requests_total HTTP requests answered, by route and status.\n";
  out += "# TYPE onecard_http_requests_total counter\n";
  for (const auto& [key, n] : requests_) {
    const auto& [method, route, status] = key;
    out += "onecard_http_requests_total{method=\"" + LabelValue(method) + "\",route=\"" +
           LabelValue(route) + "\",status=\"" + std::to_string(status) + "\"} " +
           std::to_string(n) + "\n";
  }
  out +=
      "# HELP onecard_http_request_duration_seconds Time from a request's last byte to its "
      "answer.\n";
  out += "# TYPE onecard_http_request_duration_seconds histogram\n";
  for (const auto& [key, h] : latency_) {
    const std::string labels =
        "method=\"" + LabelValue(key.first) + "\",route=\"" + LabelValue(key.second) + "\"";
    std::uint64_t cumulative = 0;
    for (std::size_t i = 0; i < kBuckets.size(); ++i) {
      cumulative += h.counts[i];
      std::snprintf(buf, sizeof buf, "%g", kBuckets[i]);
      out += "onecard_http_request_duration_seconds_bucket{" + labels + ",le=\"" + buf + "\"} " +
             std::to_string(cumulative) + "\n";
    }
    out += "onecard_http_request_duration_seconds_bucket{" + labels + ",le=\"+Inf\"} " +
           std::to_string(h.count) + "\n";
    std::snprintf(buf, sizeof buf, "%.6f", h.sum);
    out += "onecard_http_request_duration_seconds_sum{" + labels + "} " + buf + "\n";
    out += "onecard_http_request_duration_seconds_count{" + labels + "} " +
           std::to_string(h.count) + "\n";
  }
}

}  // namespace onecard::http
