#include "core/member.hpp"

#include <gtest/gtest.h>

namespace onecard::core {
namespace {

TEST(MemberTest, SetsAndNormalisesProfileFields) {
  MemberProfile p;
  ASSERT_TRUE(SetProfileField(p, "name", "张伟"));
  ASSERT_TRUE(SetProfileField(p, "phone", "+86 138-0013-8000"));
  EXPECT_EQ(p.phone, "+8613800138000");
  ASSERT_TRUE(SetProfileField(p, "gender", "男"));
  EXPECT_EQ(p.gender, Gender::kMale);
  ASSERT_TRUE(SetProfileField(p, "birthday", "1985-06-15"));
  EXPECT_EQ(GetProfileField(p, "birthday"), "1985-06-15");
  ASSERT_TRUE(SetProfileField(p, "kind", "group"));
  EXPECT_EQ(GetProfileField(p, "kind"), "group");
  for (std::string_view name : ProfileFieldNames()) (void)GetProfileField(p, name);
}

TEST(MemberTest, RefusesBadValuesNamingTheField) {
  MemberProfile p;
  EXPECT_EQ(SetProfileField(p, "phone", "12ab").error().code, ErrorCode::kPhoneMalformed);
  EXPECT_EQ(SetProfileField(p, "phone", "1234").error().code, ErrorCode::kPhoneMalformed);
  EXPECT_EQ(SetProfileField(p, "email", "a@b").error().code, ErrorCode::kEmailMalformed);
  EXPECT_EQ(SetProfileField(p, "email", "a b@c.cn").error().code, ErrorCode::kEmailMalformed);
  EXPECT_TRUE(SetProfileField(p, "email", "zhang@example.cn"));
  EXPECT_EQ(SetProfileField(p, "birthday", "1985-02-30").error().code, ErrorCode::kDateMalformed);
  EXPECT_EQ(SetProfileField(p, "gender", "x").error().code, ErrorCode::kFieldInvalid);
  Status unknown = SetProfileField(p, "plate", "沪A12345");
  EXPECT_EQ(unknown.error().code, ErrorCode::kFieldUnknown);
  EXPECT_EQ(unknown.error().field, "plate");
  EXPECT_EQ(SetProfileField(p, "notes", std::string("a\x01", 2)).error().code,
            ErrorCode::kFieldInvalid);
  EXPECT_EQ(SetProfileField(p, "city", std::string("\xff\xfe", 2)).error().code,
            ErrorCode::kFieldInvalid);
  EXPECT_EQ(SetProfileField(p, "city", std::string(201, 'a')).error().code,
            ErrorCode::kFieldInvalid);
}

TEST(MemberTest, ProfileNeedsANameAndABirthdayNotInTheFuture) {
  MemberProfile p;
  EXPECT_EQ(ValidateProfile(p, CivilDate{2026, 11, 23}).error().field, "name");
  p.name = "李娜";
  p.birthday = CivilDate{2027, 1, 1};
  EXPECT_EQ(ValidateProfile(p, CivilDate{2026, 11, 23}).error().field, "birthday");
  p.birthday = CivilDate{1992, 11, 15};
  EXPECT_TRUE(ValidateProfile(p, CivilDate{2026, 11, 23}));
}

TEST(MemberTest, ValidatesCustomFieldsByType) {
  FieldDefinition plate{"plate", "车牌", FieldType::kText, {}, true, false};
  EXPECT_TRUE(ValidateFieldDefinition(plate));
  EXPECT_EQ(*ValidateFieldValue(plate, "沪A12345"), "沪A12345");
  FieldDefinition km{"mileage", "Mileage", FieldType::kNumber, {}, false, false};
  EXPECT_EQ(*ValidateFieldValue(km, "12345.5"), "12345.5");
  EXPECT_EQ(ValidateFieldValue(km, "12,345").error().code, ErrorCode::kFieldInvalid);
  FieldDefinition due{"inspection_due", "Inspection", FieldType::kDate, {}, false, false};
  EXPECT_EQ(ValidateFieldValue(due, "2026-13-01").error().code, ErrorCode::kDateMalformed);
  FieldDefinition tea{"tea", "Tea", FieldType::kChoice, {"绿茶", "红茶"}, false, true};
  EXPECT_TRUE(ValidateFieldValue(tea, "红茶"));
  EXPECT_EQ(ValidateFieldValue(tea, "咖啡").error().field, "tea");
  FieldDefinition ok{"newsletter", "Newsletter", FieldType::kBool, {}, false, true};
  EXPECT_EQ(*ValidateFieldValue(ok, "true"), "yes");
  EXPECT_FALSE(ValidateFieldValue(ok, "maybe"));
}

TEST(MemberTest, RefusesBadFieldDefinitions) {
  EXPECT_EQ(
      ValidateFieldDefinition({"Plate", "x", FieldType::kText, {}, false, false}).error().code,
      ErrorCode::kCodeMalformed);
  EXPECT_EQ(
      ValidateFieldDefinition({"phone", "x", FieldType::kText, {}, false, false}).error().code,
      ErrorCode::kCodeTaken);
  EXPECT_EQ(
      ValidateFieldDefinition({"tea", "Tea", FieldType::kChoice, {}, false, false}).error().field,
      "choices");
  EXPECT_EQ(ValidateFieldDefinition({"tea", "", FieldType::kText, {}, false, false}).error().field,
            "label");
}

}  // namespace
}  // namespace onecard::core
