// Programme versions (issue #4, item 3): a tenant's documents stored as numbered drafts,
// activated from their effective date (never into the past), scheduled, superseded and
// cancelled; the version in force at any instant; explain by version, document or instant; and
// refusals that change nothing.
#include <gtest/gtest.h>

#include "service/calendar.hpp"
#include "support/test_env.hpp"

namespace onecard::testing {
namespace {

using core::ErrorCode;
using nlohmann::json;

std::string Example(const std::string& name) {
  return ReadFileText(std::string(ONECARD_EXAMPLES_DIR) + "/" + name);
}

// `text` with the first occurrence of `from` replaced (the test fails when it is absent).
std::string Replace(std::string text, const std::string& from, const std::string& to) {
  const auto at = text.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  if (at != std::string::npos) text.replace(at, from.size(), to);
  return text;
}

// P2 effective from `date`, earning `points` per full ¥100.
std::string P2(const std::string& date, int points = 1) {
  std::string text = Replace(Example("p2.toml"), "effective_from = \"2026-01-01\"",
                             "effective_from = \"" + date + "\"");
  return Replace(std::move(text), "rate = { points = 1, per = 100 }",
                 "rate = { points = " + std::to_string(points) + ", per = 100 }");
}

core::Timestamp LocalMidnight(const TestEnv& env, const std::string& date) {
  auto d = core::CivilDate::Parse(date, "date");
  EXPECT_TRUE(d);
  auto t = service::StartOfLocalDay(env.tenant().timezone, *d);
  EXPECT_TRUE(t);
  return *t;
}

// A ¥500 purchase by an ordinary member on `date` at noon, priced by whatever the spec names.
service::ExplainSpec Purchase(const std::string& date) {
  service::ExplainSpec spec;
  auto lines =
      service::BasketFromJson(json::parse(R"([{"sku": "CHAIR", "price": "500.00"}])"), "lines");
  EXPECT_TRUE(lines) << lines.error().ToString();
  spec.lines = *lines;
  spec.date = *core::CivilDate::Parse(date, "date");
  return spec;
}

std::map<int, std::string> Statuses(TestEnv& env) {
  std::map<int, std::string> out;
  auto all = env.services().programmes().List(env.tenant());
  EXPECT_TRUE(all) << all.error().ToString();
  for (const auto& v : *all) out[v.version] = v.status;
  return out;
}

TEST(ProgrammeServiceTest, VersionsComeIntoForceFromTheirDateAndPriceTheirOwnPeriod) {
  TestEnv env;
  AddCategories(env, {"non-earning"});  // P2's non-earning category
  auto& programmes = env.services().programmes();
  EXPECT_EQ(programmes.VersionAt(env.tenant(), kStart).error().code, ErrorCode::kProgrammeNotFound);
  EXPECT_EQ(programmes.Explain(env.tenant(), Purchase("2026-12-01")).error().code,
            ErrorCode::kProgrammeNotFound);

  auto v1 = programmes.Add(env.Req(""), P2("2026-01-01"));
  ASSERT_TRUE(v1) << v1.error().ToString();
  EXPECT_EQ(v1->version, 1);
  EXPECT_EQ(v1->status, "draft");
  EXPECT_EQ(v1->code, "p2");
  EXPECT_FALSE(v1->in_force_from);
  EXPECT_EQ(programmes.VersionAt(env.tenant(), kStart).error().code, ErrorCode::kProgrammeNotFound)
      << "a draft is never in force";

  // Effective from a date already past: in force from the moment of activation, not before.
  env.clock().AdvanceSeconds(60);
  const core::Timestamp activated = env.clock().Now();
  auto a1 = programmes.Activate(env.Req(""), 1);
  ASSERT_TRUE(a1) << a1.error().ToString();
  EXPECT_EQ(a1->status, "in_force");
  EXPECT_EQ(a1->in_force_from, activated);
  EXPECT_FALSE(a1->in_force_until);
  EXPECT_EQ(programmes.VersionAt(env.tenant(), activated)->version, 1);
  EXPECT_EQ(programmes.VersionAt(env.tenant(), kStart).error().code, ErrorCode::kProgrammeNotFound)
      << "activation never reprices the past";

  // Version 2 earns double from New Year's Day, local time.
  auto v2 = programmes.Add(env.Req(""), P2("2027-01-01", 2));
  ASSERT_TRUE(v2) << v2.error().ToString();
  EXPECT_EQ(v2->version, 2);
  auto a2 = programmes.Activate(env.Req(""), 2);
  ASSERT_TRUE(a2) << a2.error().ToString();
  const core::Timestamp new_year = LocalMidnight(env, "2027-01-01");
  EXPECT_EQ(a2->status, "scheduled");
  EXPECT_EQ(a2->in_force_from, new_year);
  EXPECT_EQ(new_year.ToIsoUtc().substr(0, 19), "2026-12-31T16:00:00");
  auto got1 = programmes.Get(env.tenant(), 1);
  ASSERT_TRUE(got1);
  EXPECT_EQ(got1->in_force_until, new_year);
  EXPECT_EQ(got1->document, P2("2026-01-01"));
  EXPECT_EQ(got1->changed_by, "tester");

  EXPECT_EQ(programmes.VersionAt(env.tenant(), new_year.PlusSeconds(-1))->version, 1);
  EXPECT_EQ(programmes.VersionAt(env.tenant(), new_year)->version, 2);

  auto before = programmes.Explain(env.tenant(), Purchase("2026-12-31"));
  ASSERT_TRUE(before) << before.error().ToString();
  EXPECT_EQ(before->version, 1);
  EXPECT_EQ(before->evaluation.points, 5);
  auto after = programmes.Explain(env.tenant(), Purchase("2027-01-01"));
  ASSERT_TRUE(after) << after.error().ToString();
  EXPECT_EQ(after->version, 2);
  EXPECT_EQ(after->evaluation.points, 10);
  // A named version prices with that version whatever the date.
  service::ExplainSpec named = Purchase("2026-12-01");
  named.version = 2;
  EXPECT_EQ(programmes.Explain(env.tenant(), named)->evaluation.points, 10);

  EXPECT_EQ(Statuses(env), (std::map<int, std::string>{{1, "in_force"}, {2, "scheduled"}}));
  env.clock().Set(new_year.PlusSeconds(3600));
  EXPECT_EQ(Statuses(env), (std::map<int, std::string>{{1, "superseded"}, {2, "in_force"}}));

  // What has been in force is history: neither cancelled nor activated again.
  for (int version : {1, 2}) {
    EXPECT_EQ(programmes.Cancel(env.Req(""), version).error().code,
              ErrorCode::kProgrammeStateInvalid);
    EXPECT_EQ(programmes.Activate(env.Req(""), version).error().code,
              ErrorCode::kProgrammeStateInvalid);
  }
  EXPECT_EQ(
      QueryInt(env.db_path(), "SELECT count(*) FROM audit_log WHERE action LIKE 'programme.%'"), 4);
}

TEST(ProgrammeServiceTest, ADraftOrAScheduledVersionCanBeCancelled) {
  TestEnv env;
  AddCategories(env, {"non-earning"});  // P2's non-earning category
  auto& programmes = env.services().programmes();
  ASSERT_TRUE(programmes.Add(env.Req(""), P2("2026-01-01")));
  ASSERT_TRUE(programmes.Activate(env.Req(""), 1));
  ASSERT_TRUE(programmes.Add(env.Req(""), P2("2027-01-01", 3)));
  ASSERT_TRUE(programmes.Activate(env.Req(""), 2));
  ASSERT_TRUE(programmes.Add(env.Req(""), P2("2027-06-01", 4)));

  auto c2 = programmes.Cancel(env.Req(""), 2);
  ASSERT_TRUE(c2) << c2.error().ToString();
  EXPECT_EQ(c2->status, "cancelled");
  auto c3 = programmes.Cancel(env.Req(""), 3);
  ASSERT_TRUE(c3) << c3.error().ToString();
  EXPECT_EQ(c3->status, "cancelled");
  EXPECT_EQ(programmes.VersionAt(env.tenant(), LocalMidnight(env, "2027-02-01"))->version, 1)
      << "the cancelled version never comes into force";
  EXPECT_FALSE(programmes.Get(env.tenant(), 1)->in_force_until);

  auto again = programmes.Cancel(env.Req(""), 2);
  EXPECT_EQ(again.error().code, ErrorCode::kProgrammeStateInvalid);
  EXPECT_NE(again.error().message.find("cancelled already"), std::string::npos);
  EXPECT_EQ(programmes.Activate(env.Req(""), 3).error().code, ErrorCode::kProgrammeStateInvalid);
  EXPECT_EQ(programmes.Cancel(env.Req(""), 9).error().code, ErrorCode::kProgrammeNotFound);
  EXPECT_EQ(programmes.Activate(env.Req(""), 9).error().code, ErrorCode::kProgrammeNotFound);
  EXPECT_EQ(programmes.Get(env.tenant(), 9).error().code, ErrorCode::kProgrammeNotFound);
}

TEST(ProgrammeServiceTest, TwoVersionsCannotComeIntoForceAtTheSameInstant) {
  TestEnv env;
  AddCategories(env, {"non-earning"});  // P2's non-earning category
  auto& programmes = env.services().programmes();
  ASSERT_TRUE(programmes.Add(env.Req(""), P2("2027-01-01")));
  ASSERT_TRUE(programmes.Add(env.Req(""), P2("2027-01-01", 2)));
  ASSERT_TRUE(programmes.Activate(env.Req(""), 1));
  auto clash = programmes.Activate(env.Req(""), 2);
  EXPECT_EQ(clash.error().code, ErrorCode::kProgrammeStateInvalid);
  EXPECT_NE(clash.error().message.find("version 1"), std::string::npos) << clash.error().message;
  EXPECT_EQ(Statuses(env), (std::map<int, std::string>{{1, "scheduled"}, {2, "draft"}}));
  ASSERT_TRUE(programmes.Cancel(env.Req(""), 1));
  EXPECT_TRUE(programmes.Activate(env.Req(""), 2)) << "free once the other is cancelled";
}

// A document is refused with every problem and where it is; nothing is stored or audited.
TEST(ProgrammeServiceTest, RefusesBadDocumentsAndUnknownStoresChangingNothing) {
  TestEnv env;
  auto& programmes = env.services().programmes();
  const std::string broken =
      Replace(P2("2026-01-01"), "earn_multiplier = 2", "earn_multiplier = \"x\"");
  auto check = programmes.Check(env.tenant(), broken);
  ASSERT_TRUE(check) << check.error().ToString();
  EXPECT_FALSE(check->valid);
  ASSERT_FALSE(check->problems.empty());
  EXPECT_GT(check->problems[0].line, 0);
  EXPECT_EQ(check->problems[0].path, "tiers[1].earn_multiplier");
  auto add = programmes.Add(env.Req(""), broken);
  EXPECT_EQ(add.error().code, ErrorCode::kFieldInvalid);
  EXPECT_EQ(add.error().field, "document");
  EXPECT_NE(add.error().message.find("tiers[1].earn_multiplier"), std::string::npos)
      << add.error().message;

  // P4 gives more points at "new-store" and for the "high-margin" category: the tenant must
  // have both.
  const std::string p4 = Example("p4.toml");
  auto unknown = programmes.Add(env.Req(""), p4);
  EXPECT_EQ(unknown.error().code, ErrorCode::kFieldInvalid);
  EXPECT_NE(unknown.error().message.find("no store new-store"), std::string::npos)
      << unknown.error().message;
  EXPECT_NE(unknown.error().message.find("no category high-margin"), std::string::npos)
      << unknown.error().message;
  EXPECT_EQ(programmes.Add(env.Req(""), std::string(300 * 1024, '#')).error().code,
            ErrorCode::kFieldInvalid);
  EXPECT_EQ(programmes.Add(env.Req(""), "").error().code, ErrorCode::kFieldInvalid);
  EXPECT_EQ(QueryInt(env.db_path(), "SELECT count(*) FROM programme_versions"), 0);
  EXPECT_EQ(
      QueryInt(env.db_path(), "SELECT count(*) FROM audit_log WHERE action LIKE 'programme.%'"), 0);

  ASSERT_TRUE(env.services().org().AddStore(env.Req(""), "new-store", "New store", "", ""));
  AddCategories(env, {"high-margin"});
  auto ok = programmes.Add(env.Req(""), p4);
  ASSERT_TRUE(ok) << ok.error().ToString();
  // A store renamed behind the draft's back: activation checks again and refuses.
  ExecSql(env.db_path(), "UPDATE stores SET code = 'renamed' WHERE code = 'new-store'");
  auto activate = programmes.Activate(env.Req(""), ok->version);
  EXPECT_EQ(activate.error().code, ErrorCode::kFieldInvalid);
  EXPECT_EQ(Statuses(env), (std::map<int, std::string>{{1, "draft"}}));
}

TEST(ProgrammeServiceTest, AddIsIdempotentByKey) {
  TestEnv env;
  AddCategories(env, {"non-earning"});  // P2's non-earning category
  auto& programmes = env.services().programmes();
  auto first = programmes.Add(env.Keyed("prog-1", ""), P2("2026-01-01"));
  ASSERT_TRUE(first) << first.error().ToString();
  auto replay = programmes.Add(env.Keyed("prog-1", ""), P2("2026-01-01"));
  ASSERT_TRUE(replay) << replay.error().ToString();
  EXPECT_EQ(replay->version, first->version);
  EXPECT_EQ(programmes.Add(env.Keyed("prog-1", ""), P2("2026-01-01", 2)).error().code,
            ErrorCode::kIdempotencyConflict);
  EXPECT_EQ(QueryInt(env.db_path(), "SELECT count(*) FROM programme_versions"), 1);
}

TEST(ProgrammeServiceTest, ExplainsADocumentADraftOrTheVersionInForce) {
  TestEnv env;
  AddCategories(env, {"non-earning"});  // P2's non-earning category
  auto& programmes = env.services().programmes();
  // A document that is not stored: no version, nothing written.
  service::ExplainSpec spec = Purchase("2026-12-01");
  spec.document = P2("2026-01-01", 3);
  auto doc = programmes.Explain(env.tenant(), spec);
  ASSERT_TRUE(doc) << doc.error().ToString();
  EXPECT_FALSE(doc->version);
  EXPECT_EQ(doc->evaluation.points, 15);
  EXPECT_EQ(doc->minute_of_day, 12 * 60);
  EXPECT_FALSE(doc->evaluation.explain.empty());
  json j = *doc;
  EXPECT_TRUE(j["version"].is_null());
  EXPECT_EQ(j["date"], "2026-12-01");
  EXPECT_EQ(j["time"], "12:00");
  EXPECT_EQ(j["paid_total"], "500.00");

  // A draft can be tried by number before it is activated.
  ASSERT_TRUE(programmes.Add(env.Req(""), P2("2026-01-01", 4)));
  service::ExplainSpec draft = Purchase("2026-12-01");
  draft.version = 1;
  auto d = programmes.Explain(env.tenant(), draft);
  ASSERT_TRUE(d) << d.error().ToString();
  EXPECT_EQ(d->version, 1);
  EXPECT_EQ(d->evaluation.points, 20);

  // Refusals.
  service::ExplainSpec both = spec;
  both.version = 1;
  EXPECT_EQ(programmes.Explain(env.tenant(), both).error().field, "version");
  service::ExplainSpec store = draft;
  store.store = "nowhere";
  EXPECT_EQ(programmes.Explain(env.tenant(), store).error().code, ErrorCode::kStoreNotFound);
  service::ExplainSpec missing = draft;
  missing.version = 7;
  EXPECT_EQ(programmes.Explain(env.tenant(), missing).error().code, ErrorCode::kProgrammeNotFound);
  service::ExplainSpec bad_doc = Purchase("2026-12-01");
  bad_doc.document = "[programme]\ncode = 1\n";
  EXPECT_EQ(programmes.Explain(env.tenant(), bad_doc).error().code, ErrorCode::kFieldInvalid);
  EXPECT_EQ(QueryInt(env.db_path(), "SELECT count(*) FROM programme_versions"), 1);

  // Baskets: every mistake names its field.
  auto negative = service::BasketFromJson(
      json::parse(R"([{"sku": "A", "price": "1.00"}, {"sku": "B", "price": "-1.00"}])"), "lines");
  EXPECT_EQ(negative.error().field, "lines[1].price");
  auto quantity = service::BasketFromJson(
      json::parse(R"([{"sku": "A", "price": "1.00", "quantity": -2}])"), "lines");
  EXPECT_EQ(quantity.error().field, "lines[0].quantity");
  auto extra = service::BasketFromJson(
      json::parse(R"([{"sku": "A", "price": "1.00", "colour": 1}])"), "lines");
  EXPECT_EQ(extra.error().code, ErrorCode::kFieldUnknown);
  EXPECT_EQ(service::ParseLocalTime("25:00", "time").error().field, "time");
  EXPECT_EQ(*service::ParseLocalTime("09:30", "time"), 570);
  auto member =
      service::MemberStateFromJson(json::parse(R"({"tier": "gold", "spend": "x"})"), "member");
  EXPECT_EQ(member.error().field, "member.spend");
}

}  // namespace
}  // namespace onecard::testing
