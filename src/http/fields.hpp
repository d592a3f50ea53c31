// Fields: a strict reader of a JSON request body. Each getter names the field it reads; Finish()
// refuses any field that no getter asked for, so a typo ("pionts") is an error, never ignored.
//
//   ONECARD_TRY(Fields f, Fields::Parse(req.body));
//   ONECARD_TRY(std::string card, f.Text("card"));
//   ONECARD_TRY(std::int64_t points, f.Int("points"));
//   ONECARD_CHECK(f.Finish());
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <string_view>

#include "core/result.hpp"

namespace onecard::http {

class Fields {
 public:
  // An empty body is an empty object. kJsonMalformed when the body is not a JSON object.
  static core::Result<Fields> Parse(const std::string& body);

  core::Result<std::string> Text(std::string_view name, std::size_t max_size = 1000);
  core::Result<std::optional<std::string>> OptText(std::string_view name,
                                                   std::size_t max_size = 1000);
  // The text, or `fallback` when the field is absent or null.
  core::Result<std::string> TextOr(std::string_view name, std::string fallback,
                                   std::size_t max_size = 1000);
  core::Result<std::int64_t> Int(std::string_view name);
  core::Result<std::optional<std::int64_t>> OptInt(std::string_view name);
  core::Result<std::optional<bool>> OptBool(std::string_view name);
  // A list of strings (codes); empty when absent or null.
  core::Result<std::vector<std::string>> Strings(std::string_view name);
  // A JSON object of string values (e.g. custom fields), in order.
  core::Result<std::vector<std::pair<std::string, std::string>>> OptStringMap(
      std::string_view name);
  // The field's JSON as it is (nullptr when absent or null), for nested documents the caller
  // checks itself; the field counts as read.
  const nlohmann::json* Raw(std::string_view name) { return Get(name); }
  // Every field that was not read: kFieldUnknown naming the first.
  core::Status Finish() const;

  bool Has(std::string_view name) const { return json_.contains(std::string(name)); }

 private:
  explicit Fields(nlohmann::json j) : json_(std::move(j)) {}
  const nlohmann::json* Get(std::string_view name);

  nlohmann::json json_;
  std::set<std::string, std::less<>> read_;
};

}  // namespace onecard::http
