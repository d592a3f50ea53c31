#include "core/member.hpp"

#include <array>

namespace onecard::core {
namespace {

template <class E, std::size_t N>
Result<E> ParseNamed(std::string_view text, const std::array<std::string_view, N>& names,
                     std::string_view field) {
  for (std::size_t i = 0; i < N; ++i) {
    if (names[i] == text) return static_cast<E>(i);
  }
  std::string allowed;
  for (std::string_view n : names) allowed += (allowed.empty() ? "" : ", ") + std::string(n);
  return MakeError(ErrorCode::kFieldInvalid,
                   "\"" + std::string(text) + "\" is not one of: " + allowed, std::string(field));
}

constexpr std::array<std::string_view, 2> kKindNames = {"person", "group"};
constexpr std::array<std::string_view, 4> kGenderNames = {"unknown", "male", "female", "other"};
constexpr std::array<std::string_view, 5> kStatusNames = {"pending", "registered", "repeat",
                                                          "dormant", "blacklisted"};
constexpr std::array<std::string_view, 5> kChannelNames = {"till", "online", "sms", "call_centre",
                                                           "import"};
constexpr std::array<std::string_view, 5> kFieldTypeNames = {"text", "number", "date", "choice",
                                                             "bool"};

constexpr std::array<std::string_view, 21> kProfileFields = {
    "kind",       "name",        "gender",         "birthday", "phone",     "email",    "id_type",
    "id_number",  "province",    "city",           "district", "address",   "postcode", "company",
    "occupation", "income_band", "marital_status", "children", "interests", "media",    "notes"};

std::string* TextField(MemberProfile& p, std::string_view name) {
  if (name == "name") return &p.name;
  if (name == "phone") return &p.phone;
  if (name == "email") return &p.email;
  if (name == "id_type") return &p.id_type;
  if (name == "id_number") return &p.id_number;
  if (name == "province") return &p.province;
  if (name == "city") return &p.city;
  if (name == "district") return &p.district;
  if (name == "address") return &p.address;
  if (name == "postcode") return &p.postcode;
  if (name == "company") return &p.company;
  if (name == "occupation") return &p.occupation;
  if (name == "income_band") return &p.income_band;
  if (name == "marital_status") return &p.marital_status;
  if (name == "children") return &p.children;
  if (name == "interests") return &p.interests;
  if (name == "media") return &p.media;
  if (name == "notes") return &p.notes;
  return nullptr;
}

Status ValidateEmail(std::string_view email) {
  const std::size_t at = email.find('@');
  const bool ok = email.size() <= 254 && at != std::string_view::npos && at > 0 &&
                  email.find('@', at + 1) == std::string_view::npos &&
                  email.find('.', at) != std::string_view::npos && email.back() != '.' &&
                  email.find(' ') == std::string_view::npos &&
                  email.find("..") == std::string_view::npos;
  if (ok) return {};
  return MakeError(ErrorCode::kEmailMalformed,
                   "\"" + std::string(email) + "\" is not an email address", "email");
}

}  // namespace

std::string_view MemberKindName(MemberKind v) {
  return kKindNames.at(static_cast<std::size_t>(v));
}
std::string_view GenderName(Gender v) {
  return kGenderNames.at(static_cast<std::size_t>(v));
}
std::string_view MemberStatusName(MemberStatus v) {
  return kStatusNames.at(static_cast<std::size_t>(v));
}
std::string_view EnrolChannelName(EnrolChannel v) {
  return kChannelNames.at(static_cast<std::size_t>(v));
}
std::string_view FieldTypeName(FieldType v) {
  return kFieldTypeNames.at(static_cast<std::size_t>(v));
}
Result<MemberKind> ParseMemberKind(std::string_view text) {
  return ParseNamed<MemberKind>(text, kKindNames, "kind");
}
Result<Gender> ParseGender(std::string_view text) {
  if (text == "m" || text == "M" || text == "男") return Gender::kMale;
  if (text == "f" || text == "F" || text == "女") return Gender::kFemale;
  if (text.empty()) return Gender::kUnknown;
  return ParseNamed<Gender>(text, kGenderNames, "gender");
}
Result<MemberStatus> ParseMemberStatus(std::string_view text) {
  return ParseNamed<MemberStatus>(text, kStatusNames, "status");
}
Result<EnrolChannel> ParseEnrolChannel(std::string_view text) {
  return ParseNamed<EnrolChannel>(text, kChannelNames, "channel");
}
Result<FieldType> ParseFieldType(std::string_view text) {
  return ParseNamed<FieldType>(text, kFieldTypeNames, "type");
}

std::span<const std::string_view> ProfileFieldNames() {
  return kProfileFields;
}

Status ValidateText(std::string_view text, std::string_view field, std::size_t max_bytes) {
  const std::string f(field);
  if (text.size() > max_bytes) {
    return MakeError(ErrorCode::kFieldInvalid,
                     "is longer than " + std::to_string(max_bytes) + " bytes", f);
  }
  // Valid UTF-8 (no overlongs or surrogates) and no control characters other than none at all.
  std::size_t i = 0;
  while (i < text.size()) {
    const auto c = static_cast<unsigned char>(text[i]);
    std::size_t len = 0;
    std::uint32_t cp = 0;
    if (c < 0x80) {
      if (c < 0x20 || c == 0x7f)
        return MakeError(ErrorCode::kFieldInvalid, "contains a control character", f);
      ++i;
      continue;
    }
    if ((c & 0xE0) == 0xC0) {
      len = 2;
      cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      len = 3;
      cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      len = 4;
      cp = c & 0x07;
    } else {
      return MakeError(ErrorCode::kFieldInvalid, "is not valid UTF-8", f);
    }
    if (i + len > text.size()) return MakeError(ErrorCode::kFieldInvalid, "is not valid UTF-8", f);
    for (std::size_t k = 1; k < len; ++k) {
      const auto cc = static_cast<unsigned char>(text[i + k]);
      if ((cc & 0xC0) != 0x80) return MakeError(ErrorCode::kFieldInvalid, "is not valid UTF-8", f);
      cp = (cp << 6) | (cc & 0x3F);
    }
    const bool overlong =
        (len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000);
    if (overlong || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
      return MakeError(ErrorCode::kFieldInvalid, "is not valid UTF-8", f);
    }
    i += len;
  }
  return {};
}

Result<std::string> NormalisePhone(std::string_view text, std::string_view field) {
  std::string out;
  for (char c : text) {
    if (c == ' ' || c == '-') continue;
    out += c;
  }
  std::size_t digits = 0;
  bool ok = !out.empty();
  for (std::size_t i = 0; i < out.size(); ++i) {
    if (out[i] == '+' && i == 0) continue;
    if (out[i] < '0' || out[i] > '9') ok = false;
    ++digits;
  }
  if (ok && digits >= 5 && digits <= 20) return out;
  return MakeError(ErrorCode::kPhoneMalformed,
                   "\"" + std::string(text) + "\" is not a phone number (5 to 20 digits)",
                   std::string(field));
}

Status SetProfileField(MemberProfile& p, std::string_view name, std::string_view value) {
  if (name == "kind") {
    ONECARD_TRY(p.kind, ParseMemberKind(value));
    return {};
  }
  if (name == "gender") {
    ONECARD_TRY(p.gender, ParseGender(value));
    return {};
  }
  if (name == "birthday") {
    if (value.empty()) {
      p.birthday.reset();
      return {};
    }
    ONECARD_TRY(p.birthday, CivilDate::Parse(value, "birthday"));
    return {};
  }
  std::string* field = TextField(p, name);
  if (field == nullptr) {
    return MakeError(ErrorCode::kFieldUnknown,
                     "\"" + std::string(name) + "\" is not a profile field", std::string(name));
  }
  if (name == "phone" && !value.empty()) {
    ONECARD_TRY(*field, NormalisePhone(value, "phone"));
    return {};
  }
  if (name == "email" && !value.empty()) ONECARD_CHECK(ValidateEmail(value));
  ONECARD_CHECK(ValidateText(value, name, name == "notes" ? 2000 : 200));
  *field = std::string(value);
  return {};
}

std::string GetProfileField(const MemberProfile& p, std::string_view name) {
  if (name == "kind") return std::string(MemberKindName(p.kind));
  if (name == "gender") return std::string(GenderName(p.gender));
  if (name == "birthday") return p.birthday ? p.birthday->ToString() : "";
  std::string* field = TextField(const_cast<MemberProfile&>(p), name);
  ONECARD_ASSERT(field != nullptr, "unknown profile field");
  return *field;
}

Status ValidateProfile(const MemberProfile& p, CivilDate today) {
  if (p.name.empty()) return MakeError(ErrorCode::kFieldInvalid, "a member needs a name", "name");
  if (p.birthday && *p.birthday > today) {
    return MakeError(ErrorCode::kFieldInvalid, p.birthday->ToString() + " is in the future",
                     "birthday");
  }
  return {};
}

Status ValidateCode(std::string_view code, std::string_view field) {
  bool ok = !code.empty() && code.size() <= 40 && code.front() != '_' && code.front() != '-';
  for (char c : code) {
    ok = ok && ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-');
  }
  if (ok) return {};
  return MakeError(
      ErrorCode::kCodeMalformed,
      "\"" + std::string(code) + "\" is not a code: use 1 to 40 of a-z, 0-9, '_' and '-'",
      std::string(field));
}

Status ValidateFieldDefinition(const FieldDefinition& def) {
  ONECARD_CHECK(ValidateCode(def.key, "key"));
  for (std::string_view name : kProfileFields) {
    if (def.key == name) {
      return MakeError(ErrorCode::kCodeTaken,
                       "\"" + def.key + "\" is a standard profile field already", "key");
    }
  }
  ONECARD_CHECK(ValidateText(def.label, "label", 200));
  if (def.label.empty())
    return MakeError(ErrorCode::kFieldInvalid, "a field needs a label", "label");
  if (def.type == FieldType::kChoice && def.choices.empty()) {
    return MakeError(ErrorCode::kFieldInvalid, "a choice field needs its choices", "choices");
  }
  if (def.type != FieldType::kChoice && !def.choices.empty()) {
    return MakeError(ErrorCode::kFieldInvalid, "only choice fields have choices", "choices");
  }
  for (const std::string& c : def.choices) {
    ONECARD_CHECK(ValidateText(c, "choices", 100));
    if (c.empty()) return MakeError(ErrorCode::kFieldInvalid, "a choice is empty", "choices");
  }
  return {};
}

Result<std::string> ValidateFieldValue(const FieldDefinition& def, std::string_view value) {
  const auto bad = [&](const std::string& why) {
    return MakeError(ErrorCode::kFieldInvalid, "\"" + std::string(value) + "\" " + why, def.key);
  };
  switch (def.type) {
    case FieldType::kText:
      ONECARD_CHECK(ValidateText(value, def.key, 500));
      return std::string(value);
    case FieldType::kNumber: {
      // An integer or a decimal, kept as text exactly as given once checked.
      bool ok = !value.empty();
      bool dot = false;
      for (std::size_t i = 0; i < value.size(); ++i) {
        const char c = value[i];
        if (c == '-' && i == 0 && value.size() > 1) continue;
        if (c == '.' && !dot && i > 0 && i + 1 < value.size()) {
          dot = true;
          continue;
        }
        ok = ok && c >= '0' && c <= '9';
      }
      if (!ok || value.size() > 30) return bad("is not a number");
      return std::string(value);
    }
    case FieldType::kDate: {
      ONECARD_TRY(CivilDate d, CivilDate::Parse(value, def.key));
      return d.ToString();
    }
    case FieldType::kChoice:
      for (const std::string& c : def.choices) {
        if (c == value) return std::string(value);
      }
      return bad("is not one of the field's choices");
    case FieldType::kBool:
      if (value == "yes" || value == "true" || value == "1") return std::string("yes");
      if (value == "no" || value == "false" || value == "0") return std::string("no");
      return bad("is not yes or no");
  }
  return bad("has an unknown type");
}

}  // namespace onecard::core
