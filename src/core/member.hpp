// Member profiles, custom field definitions and member status: the
// values and their validation. Storage and search live elsewhere. Thread-safe: plain values.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "core/time.hpp"

namespace onecard::core {

enum class MemberKind : std::uint8_t { kPerson, kGroup };  // a group: a family or a company
enum class Gender : std::uint8_t { kUnknown, kMale, kFemale, kOther };
// R-105, with kPending for registrations that await approval.
enum class MemberStatus : std::uint8_t { kPending, kRegistered, kRepeat, kDormant, kBlacklisted };
// how the member enrolled.
enum class EnrolChannel : std::uint8_t { kTill, kOnline, kSms, kCallCentre, kImport };

std::string_view MemberKindName(MemberKind v);
std::string_view GenderName(Gender v);
std::string_view MemberStatusName(MemberStatus v);
std::string_view EnrolChannelName(EnrolChannel v);
Result<MemberKind> ParseMemberKind(std::string_view text);
Result<Gender> ParseGender(std::string_view text);  // also m/f, 男/女
Result<MemberStatus> ParseMemberStatus(std::string_view text);
Result<EnrolChannel> ParseEnrolChannel(std::string_view text);

// The common profile. Text fields are UTF-8; empty means unknown.
struct MemberProfile {
  MemberKind kind = MemberKind::kPerson;
  std::string name;
  Gender gender = Gender::kUnknown;
  std::optional<CivilDate> birthday;
  std::string phone;  // normalised: digits with an optional leading '+'
  std::string email;
  std::string id_type;  // e.g. "id_card", "passport"
  std::string id_number;
  std::string province;
  std::string city;
  std::string district;
  std::string address;
  std::string postcode;
  std::string company;
  std::string occupation;
  std::string income_band;
  std::string marital_status;
  std::string children;
  std::string interests;
  std::string media;  // media habits
  std::string notes;
};

// The names of the profile fields as the CLI and API spell them, in display order.
std::span<const std::string_view> ProfileFieldNames();

// Sets one profile field from text, validating and normalising it (phones lose spaces and
// dashes; genders and kinds accept their names). Errors: kFieldUnknown for a name not in
// ProfileFieldNames(); kPhoneMalformed, kEmailMalformed, kDateMalformed, kFieldInvalid.
Status SetProfileField(MemberProfile& profile, std::string_view name, std::string_view value);
// The text of one profile field ("" when unset). Asserts on an unknown name.
std::string GetProfileField(const MemberProfile& profile, std::string_view name);

// Whole-profile rules: a name is required; a birthday is not after `today`.
Status ValidateProfile(const MemberProfile& profile, CivilDate today);

// Phone numbers: an optional '+' and 5–20 digits once spaces and dashes are removed.
Result<std::string> NormalisePhone(std::string_view text, std::string_view field);

// Custom fields, defined per tenant.
enum class FieldType : std::uint8_t { kText, kNumber, kDate, kChoice, kBool };
std::string_view FieldTypeName(FieldType v);
Result<FieldType> ParseFieldType(std::string_view text);

struct FieldDefinition {
  std::string key;    // lower_snake_case, e.g. "plate"
  std::string label;  // for people, any language
  FieldType type = FieldType::kText;
  std::vector<std::string> choices;  // for kChoice
  bool indexed = false;              // searchable by `member find`
  bool member_editable = false;      // members may change it themselves
};

// Keys and codes: 1–40 of a-z, 0-9, '_' and '-', starting with a letter or digit.
// Error: kCodeMalformed naming `field`.
Status ValidateCode(std::string_view code, std::string_view field);
Status ValidateFieldDefinition(const FieldDefinition& def);
// Checks (and normalises: numbers, dates, booleans) a value for a custom field.
// Error: kFieldInvalid naming the field key.
Result<std::string> ValidateFieldValue(const FieldDefinition& def, std::string_view value);

// Free text: at most `max_bytes` bytes of valid UTF-8 without control characters.
Status ValidateText(std::string_view text, std::string_view field, std::size_t max_bytes);

}  // namespace onecard::core
