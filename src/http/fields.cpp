#include "http/fields.hpp"

namespace onecard::http {
namespace {

using core::ErrorCode;
using core::MakeError;
using core::Result;

core::Error WrongType(std::string_view name, std::string_view expected) {
  return MakeError(ErrorCode::kFieldInvalid,
                   std::string(name) + " must be " + std::string(expected), std::string(name));
}

}  // namespace

Result<Fields> Fields::Parse(const std::string& body) {
  if (body.empty()) return Fields(nlohmann::json::object());
  nlohmann::json j = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) {
    return MakeError(ErrorCode::kJsonMalformed, "the request body is not valid JSON", "body");
  }
  if (!j.is_object()) {
    return MakeError(ErrorCode::kJsonMalformed, "the request body must be a JSON object", "body");
  }
  return Fields(std::move(j));
}

const nlohmann::json* Fields::Get(std::string_view name) {
  read_.emplace(name);
  auto it = json_.find(std::string(name));
  if (it == json_.end() || it->is_null()) return nullptr;
  return &*it;
}

Result<std::optional<std::string>> Fields::OptText(std::string_view name, std::size_t max_size) {
  const nlohmann::json* v = Get(name);
  if (v == nullptr) return std::optional<std::string>{};
  if (!v->is_string()) return WrongType(name, "a string");
  std::string s = v->get<std::string>();
  if (s.size() > max_size) {
    return MakeError(ErrorCode::kFieldInvalid,
                     std::string(name) + " is longer than " + std::to_string(max_size) + " bytes",
                     std::string(name));
  }
  return std::optional<std::string>(std::move(s));
}

Result<std::string> Fields::Text(std::string_view name, std::size_t max_size) {
  ONECARD_TRY(std::optional<std::string> v, OptText(name, max_size));
  if (!v) {
    return MakeError(ErrorCode::kFieldInvalid, std::string(name) + " is required",
                     std::string(name));
  }
  return *v;
}

Result<std::string> Fields::TextOr(std::string_view name, std::string fallback,
                                   std::size_t max_size) {
  ONECARD_TRY(std::optional<std::string> v, OptText(name, max_size));
  return v ? std::move(*v) : std::move(fallback);
}

Result<std::optional<std::int64_t>> Fields::OptInt(std::string_view name) {
  const nlohmann::json* v = Get(name);
  if (v == nullptr) return std::optional<std::int64_t>{};
  if (v->is_number_unsigned()) {
    const auto u = v->get<std::uint64_t>();
    if (u > static_cast<std::uint64_t>(INT64_MAX)) return WrongType(name, "a smaller integer");
    return std::optional<std::int64_t>(static_cast<std::int64_t>(u));
  }
  if (v->is_number_integer()) return std::optional<std::int64_t>(v->get<std::int64_t>());
  return WrongType(name, "an integer (amounts are in the asset's smallest unit: points, fen)");
}

Result<std::int64_t> Fields::Int(std::string_view name) {
  ONECARD_TRY(std::optional<std::int64_t> v, OptInt(name));
  if (!v) {
    return MakeError(ErrorCode::kFieldInvalid, std::string(name) + " is required",
                     std::string(name));
  }
  return *v;
}

Result<std::optional<bool>> Fields::OptBool(std::string_view name) {
  const nlohmann::json* v = Get(name);
  if (v == nullptr) return std::optional<bool>{};
  if (!v->is_boolean()) return WrongType(name, "true or false");
  return std::optional<bool>(v->get<bool>());
}

Result<std::vector<std::string>> Fields::Strings(std::string_view name) {
  std::vector<std::string> out;
  const nlohmann::json* v = Get(name);
  if (v == nullptr) return out;
  if (!v->is_array()) return WrongType(name, "a list of strings");
  for (const nlohmann::json& item : *v) {
    if (!item.is_string()) return WrongType(name, "a list of strings");
    out.push_back(item.get<std::string>());
  }
  return out;
}

Result<std::vector<std::pair<std::string, std::string>>> Fields::OptStringMap(
    std::string_view name) {
  std::vector<std::pair<std::string, std::string>> out;
  const nlohmann::json* v = Get(name);
  if (v == nullptr) return out;
  if (!v->is_object()) return WrongType(name, "an object of strings");
  for (const auto& [key, value] : v->items()) {
    if (!value.is_string()) return WrongType(std::string(name) + "." + key, "a string");
    out.emplace_back(key, value.get<std::string>());
  }
  return out;
}

core::Status Fields::Finish() const {
  for (const auto& [key, value] : json_.items()) {
    if (!read_.count(key)) {
      return MakeError(ErrorCode::kFieldUnknown, "unknown field " + key + " in the request body",
                       key);
    }
  }
  return {};
}

}  // namespace onecard::http
