// The API without a socket: its route table against the OpenAPI document, target parsing and
// the strict body reader.
#include "http/api.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <iterator>
#include <set>

#include "http/fields.hpp"
#include "http/message.hpp"
#include "http/serve.hpp"
#include "support/test_env.hpp"

namespace onecard::testing {
namespace {

using http::Api;

TEST(OpenApiTest, EveryRouteIsDocumentedAndEveryDocumentedRouteExists) {
  TestEnv env;
  Api api(env.services(), http::ApiOptions{.access_log = false});
  std::set<std::string> served;
  for (const Api::RouteInfo& r : api.Routes()) served.insert(r.method + " " + r.pattern);
  auto doc = nlohmann::json::parse(Api::OpenApiDocument(), nullptr, false);
  ASSERT_FALSE(doc.is_discarded()) << "docs/openapi.json is not JSON";
  std::set<std::string> documented;
  for (const auto& [path, methods] : doc["paths"].items()) {
    for (const auto& [method, op] : methods.items()) {
      std::string m = method;
      for (char& ch : m) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
      documented.insert(m + " " + path);
      EXPECT_TRUE(op.contains("responses")) << m << " " << path;
    }
  }
  for (const std::string& r : served) EXPECT_TRUE(documented.count(r)) << r << " is not documented";
  for (const std::string& d : documented) EXPECT_TRUE(served.count(d)) << d << " is not served";
  EXPECT_GT(served.size(), 40u);
}

TEST(OpenApiTest, RoutesWithoutLoginAreMarkedSoInTheDocument) {
  TestEnv env;
  Api api(env.services(), http::ApiOptions{.access_log = false});
  auto doc = nlohmann::json::parse(Api::OpenApiDocument());
  for (const Api::RouteInfo& r : api.Routes()) {
    std::string m = r.method;
    for (char& ch : m) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    const auto& op = doc["paths"][r.pattern][m];
    const bool open = op.contains("security") && op["security"].empty();
    EXPECT_EQ(open, !r.needs_auth) << r.method << " " << r.pattern;
  }
}

TEST(TargetTest, SplitsAndDecodesPathAndQuery) {
  std::string path;
  std::vector<std::pair<std::string, std::string>> query;
  ASSERT_TRUE(http::ParseTarget("/v1/members?q=%E5%BC%A0+%E4%BC%9F&limit=5&flag", &path, &query));
  EXPECT_EQ(path, "/v1/members");
  ASSERT_EQ(query.size(), 3u);
  EXPECT_EQ(query[0].second, "张 伟");
  EXPECT_EQ(query[1], (std::pair<std::string, std::string>{"limit", "5"}));
  EXPECT_EQ(query[2].first, "flag");
  EXPECT_FALSE(http::ParseTarget("v1/x", &path, &query)) << "not absolute";
  EXPECT_FALSE(http::ParseTarget("/v1/%zz", &path, &query)) << "broken escape";
  EXPECT_FALSE(http::ParseTarget("/v1/%4", &path, &query)) << "short escape";
  EXPECT_FALSE(http::ParseTarget("/v1/a%00b", &path, &query)) << "NUL";
}

TEST(FieldsTest, ReadsTypedFieldsAndRefusesUnknownOnes) {
  auto f = http::Fields::Parse(R"({"card":"8800","points":12,"flag":true,"x":null,"typo":1})");
  ASSERT_TRUE(f);
  EXPECT_EQ(*f->Text("card"), "8800");
  EXPECT_EQ(*f->Int("points"), 12);
  EXPECT_EQ(**f->OptBool("flag"), true);
  EXPECT_FALSE(*f->OptText("x")) << "null is absent";
  auto done = f->Finish();
  ASSERT_FALSE(done);
  EXPECT_EQ(done.error().code, core::ErrorCode::kFieldUnknown);
  EXPECT_EQ(done.error().field, "typo");

  auto g = http::Fields::Parse(R"({"points":"12","n":1.5,"big":18446744073709551615})");
  ASSERT_TRUE(g);
  EXPECT_EQ(g->Int("points").error().code, core::ErrorCode::kFieldInvalid);
  EXPECT_EQ(g->Int("n").error().code, core::ErrorCode::kFieldInvalid);
  EXPECT_EQ(g->Int("big").error().code, core::ErrorCode::kFieldInvalid);
  EXPECT_EQ(g->Text("missing").error().field, "missing");
  EXPECT_EQ(http::Fields::Parse("[1]").error().code, core::ErrorCode::kJsonMalformed);
  EXPECT_EQ(http::Fields::Parse("{").error().code, core::ErrorCode::kJsonMalformed);
  EXPECT_TRUE(http::Fields::Parse("")) << "an empty body is an empty object";
}

TEST(SettingsTest, OptionsBeatEnvironmentWhichBeatsTheConfigFile) {
  TempDir dir;
  const std::string path = dir.File("onecard.toml");
  {
    std::FILE* f = std::fopen(path.c_str(), "w");
    std::fputs("db = \"from-file.db\"\nthreads = 3\n[server]\nlisten = \"0.0.0.0:9000\"\n", f);
    std::fclose(f);
  }
  http::ServeSettings s;
  ASSERT_TRUE(http::ApplyConfigFile(s, path));
  EXPECT_EQ(s.db, "from-file.db");
  EXPECT_EQ(s.server.threads, 3);
  EXPECT_EQ(s.server.host, "0.0.0.0");
  EXPECT_EQ(s.server.port, 9000);
  ASSERT_TRUE(http::ApplyEnvironment(s, {{"ONECARD_THREADS", "4"}, {"OTHER", "x"}}));
  EXPECT_EQ(s.server.threads, 4);
  EXPECT_EQ(s.db, "from-file.db");
  ASSERT_TRUE(http::ApplySetting(s, "listen", "127.0.0.1:0", "--listen"));
  EXPECT_EQ(s.server.port, 0);

  auto bad = http::ApplyEnvironment(s, {{"ONECARD_THREADS", "many"}});
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message.find("ONECARD_THREADS"), std::string::npos);
  {
    std::FILE* f = std::fopen(path.c_str(), "w");
    std::fputs("thread = 3\n", f);
    std::fclose(f);
  }
  auto unknown = http::ApplyConfigFile(s, path);
  ASSERT_FALSE(unknown);
  EXPECT_NE(unknown.error().message.find("unknown setting 'thread'"), std::string::npos);
  {
    std::FILE* f = std::fopen(path.c_str(), "w");
    std::fputs("threads = [\n", f);
    std::fclose(f);
  }
  auto broken = http::ApplyConfigFile(s, path);
  ASSERT_FALSE(broken);
  EXPECT_NE(broken.error().message.find(path + ":"), std::string::npos);
}

TEST(SettingsTest, EverySettingIsDocumentedWithItsVariable) {
  std::ifstream in(ONECARD_SOURCE_DIR "/docs/api.md");
  ASSERT_TRUE(in.good());
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  for (const std::string& name : http::SettingNames()) {
    std::string var = "ONECARD_" + name;
    for (char& ch : var) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
    EXPECT_NE(text.find("| `" + name + "` | `" + var + "` |"), std::string::npos) << name;
  }
}

}  // namespace
}  // namespace onecard::testing
