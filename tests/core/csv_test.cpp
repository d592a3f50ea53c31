#include "core/csv.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core/error.hpp"

namespace onecard::core {
namespace {

using Rows = std::vector<std::vector<std::string>>;

TEST(CsvTest, ReadsQuotedFieldsLineBreaksAndBothLineEndings) {
  auto t = ParseCsv(
      "sku,name,price\r\n"
      "A1,\"Tea, green\",12.50\r\n"
      "A2,\"say \"\"hi\"\"\",3\n"
      "\n"
      "A3,\"two\nlines\",\n"
      "A4,,",
      100);
  ASSERT_TRUE(t) << t.error().ToString();
  EXPECT_EQ(t->rows, (Rows{{"sku", "name", "price"},
                           {"A1", "Tea, green", "12.50"},
                           {"A2", "say \"hi\"", "3"},
                           {"A3", "two\nlines", ""},
                           {"A4", "", ""}}));
  // The blank line is skipped; a row is named by the line it starts on.
  EXPECT_EQ(t->lines, (std::vector<int>{1, 2, 3, 5, 7}));
}

TEST(CsvTest, SkipsExcelsByteOrderMarkAndReadsChinese) {
  auto t = ParseCsv("\xEF\xBB\xBFsku,name\nTEA-LJ,西湖龙井\n", 10);
  ASSERT_TRUE(t) << t.error().ToString();
  EXPECT_EQ(t->rows, (Rows{{"sku", "name"}, {"TEA-LJ", "西湖龙井"}}));
}

TEST(CsvTest, RefusesBrokenTextNamingTheLine) {
  struct Case {
    std::string text;
    std::string says;
  };
  const std::vector<Case> cases = {
      {"a,b\nc,\"open\n", "line 2: a quote that is never closed"},
      {"a,b\n\"x\"y,z\n", "line 2: text after a closing quote"},
      {"a,b\nx\"y,z\n", "line 2: a quote inside an unquoted field"},
      {std::string("a,b\nc,d\0e\n", 10), "line 2: a NUL byte"},
      {"a,b\nc,\xC3\x28\n", "line 2: the text is not UTF-8"},
      {"a,b\nc,\xC0\xAF\n", "line 2: the text is not UTF-8"},  // overlong '/'
      {"a\n\xED\xA0\x80\n", "line 2: the text is not UTF-8"},  // a surrogate
      {"a\nb\nc\nd\n", "line 4: more than 3 rows"},
      {std::string(200, ',') + "\n", "line 1: more than 200 fields"},
  };
  for (const Case& c : cases) {
    auto t = ParseCsv(c.text, 3);
    ASSERT_FALSE(t) << c.says;
    EXPECT_EQ(t.error().code, ErrorCode::kFieldInvalid);
    EXPECT_EQ(t.error().field, "csv");
    EXPECT_NE(t.error().message.find(c.says), std::string::npos) << t.error().message;
  }
}

TEST(CsvTest, WritesFieldsASpreadsheetReadsBackAndNeutralisesFormulas) {
  EXPECT_EQ(CsvField("plain"), "plain");
  EXPECT_EQ(CsvField("a,b"), "\"a,b\"");
  EXPECT_EQ(CsvField("say \"hi\""), "\"say \"\"hi\"\"\"");
  EXPECT_EQ(CsvField("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
  EXPECT_EQ(CsvField("+1+A1"), "'+1+A1");
  EXPECT_EQ(CsvField("@SUM(A1)"), "'@SUM(A1)");
  EXPECT_EQ(CsvField("-5+cmd"), "'-5+cmd");
  EXPECT_EQ(CsvField("-"), "'-");
  // A signed number is a number to a spreadsheet: amounts stay numbers (-45.50 off a gift card).
  EXPECT_EQ(CsvField("-45.50"), "-45.50");
  EXPECT_EQ(CsvField("+3"), "+3");
  EXPECT_EQ(CsvField("-4.5.0"), "'-4.5.0");
  EXPECT_EQ(CsvField("it's"), "it's") << "an apostrophe elsewhere is left alone";

  // A byte-order mark opening a field is kept (quoted), even as the first field of a file.
  EXPECT_EQ(CsvField("\xEF\xBB\xBFx"), "\"\xEF\xBB\xBFx\"");
  auto bom = ParseCsv(CsvRecord(std::vector<std::string>{"\xEF\xBB\xBFx"}), 1);
  ASSERT_TRUE(bom);
  EXPECT_EQ(bom->rows, (Rows{{"\xEF\xBB\xBFx"}}));

  const std::vector<std::string> fields = {"=1+2", "a,b", "line\nbreak", "", "龙井", "'quoted"};
  const std::string record = CsvRecord(fields);
  EXPECT_TRUE(record.ends_with("\r\n"));
  auto back = ParseCsv(record + record, 10);
  ASSERT_TRUE(back) << back.error().ToString();
  EXPECT_EQ(back->rows, (Rows{fields, fields})) << "an export reads back as it was";
}

}  // namespace
}  // namespace onecard::core
