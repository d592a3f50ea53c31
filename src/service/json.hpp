// JSON mapping of core value types (nlohmann), shared by every view and receipt: assets and
// other enums as their stable names, instants as ISO 8601 UTC text, dates as YYYY-MM-DD, and
// std::optional as the value or null. A malformed stored value throws nlohmann's type_error,
// which the callers that parse (Writer::Call) catch at the layer boundary.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>

#include "core/asset.hpp"
#include "core/time.hpp"

namespace onecard::core {

inline void to_json(nlohmann::json& j, const Timestamp& t) {
  j = t.ToIsoUtc();
}
inline void from_json(const nlohmann::json& j, Timestamp& t) {
  Result<Timestamp> r = Timestamp::ParseIsoUtc(j.get<std::string>(), "time");
  if (!r) throw nlohmann::json::type_error::create(302, r.error().message, &j);
  t = *r;
}
inline void to_json(nlohmann::json& j, const CivilDate& d) {
  j = d.ToString();
}
inline void from_json(const nlohmann::json& j, CivilDate& d) {
  Result<CivilDate> r = CivilDate::Parse(j.get<std::string>(), "date");
  if (!r) throw nlohmann::json::type_error::create(302, r.error().message, &j);
  d = *r;
}
inline void to_json(nlohmann::json& j, Asset a) {
  j = AssetName(a);
}
inline void from_json(const nlohmann::json& j, Asset& a) {
  Result<Asset> r = ParseAsset(j.get<std::string>(), "asset");
  if (!r) throw nlohmann::json::type_error::create(302, r.error().message, &j);
  a = *r;
}
inline void to_json(nlohmann::json& j, AssetSelection s) {
  j = AssetSelectionName(s);
}
inline void from_json(const nlohmann::json& j, AssetSelection& s) {
  Result<AssetSelection> r = ParseAssetSelection(j.get<std::string>(), "selection");
  if (!r) throw nlohmann::json::type_error::create(302, r.error().message, &j);
  s = *r;
}

}  // namespace onecard::core

namespace nlohmann {
template <class T>
struct adl_serializer<std::optional<T>> {
  static void to_json(json& j, const std::optional<T>& v) {
    if (v) {
      j = *v;
    } else {
      j = nullptr;
    }
  }
  static void from_json(const json& j, std::optional<T>& v) {
    if (j.is_null()) {
      v.reset();
    } else {
      v = j.get<T>();
    }
  }
};
}  // namespace nlohmann
