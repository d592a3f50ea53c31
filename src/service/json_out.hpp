// JsonOut: a minimal JSON writer for the replies of hot commands (EncodeReply), which are encoded
// on the writer thread on every call. It writes the same JSON nlohmann's conversions give (the
// stored reply is parsed back by them on a replay), several times faster.
//
//   JsonOut j;
//   j.Open();
//   j.Field("entry_id", 17);
//   j.OpenArray("lines");
//   j.Open(); j.Field("amount", 100); j.Close();
//   j.CloseArray();
//   j.Close();
//   std::string text = j.Take();
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/asset.hpp"
#include "core/time.hpp"

namespace onecard::service {

class JsonOut {
 public:
  // An object: at the top, or as an element of an array.
  void Open() {
    Sep();
    out_ += '{';
    first_ = true;
  }
  void Close() {
    out_ += '}';
    first_ = false;
  }
  // An object or an array as the value of `key`.
  void ObjectKey(std::string_view key) {
    Key(key);
    first_ = true;
    out_ += '{';
  }
  void OpenArray(std::string_view key) {
    Key(key);
    out_ += '[';
    first_ = true;
  }
  // An array at the top, or as an element of an array.
  void OpenArray() {
    Sep();
    out_ += '[';
    first_ = true;
  }
  void CloseArray() {
    out_ += ']';
    first_ = false;
  }
  // A string element of an array.
  void Item(std::string_view value) {
    Sep();
    String(value);
  }

  void Field(std::string_view key, std::string_view value) {
    Key(key);
    String(value);
  }
  void Field(std::string_view key, std::int64_t value) {
    Key(key);
    out_ += std::to_string(value);
  }
  void Field(std::string_view key, int value) { Field(key, std::int64_t{value}); }
  void Field(std::string_view key, const core::Timestamp& t) { Field(key, t.ToIsoUtc()); }
  void Field(std::string_view key, const core::CivilDate& d) { Field(key, d.ToString()); }
  void Field(std::string_view key, core::Asset a) { Field(key, core::AssetName(a)); }
  template <class T>
  void Field(std::string_view key, const std::optional<T>& v) {
    if (v) return Field(key, *v);
    Null(key);
  }
  void Bool(std::string_view key, bool value) {
    Key(key);
    out_ += value ? "true" : "false";
  }
  void Null(std::string_view key) {
    Key(key);
    out_ += "null";
  }

  std::string Take() { return std::move(out_); }

 private:
  void Sep() {
    if (!first_) out_ += ',';
    first_ = false;
  }
  void Key(std::string_view key) {
    Sep();
    String(key);
    out_ += ':';
  }
  void String(std::string_view s) {
    out_ += '"';
    for (char c : s) {
      const auto u = static_cast<unsigned char>(c);
      if (c == '"' || c == '\\') {
        out_ += '\\';
        out_ += c;
      } else if (u < 0x20) {
        static constexpr char kHex[] = "0123456789abcdef";
        out_ += "\\u00";
        out_ += kHex[u >> 4];
        out_ += kHex[u & 0xf];
      } else {
        out_ += c;
      }
    }
    out_ += '"';
  }

  std::string out_;
  bool first_ = true;
};

}  // namespace onecard::service
