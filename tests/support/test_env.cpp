#include "support/test_env.hpp"

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "service/calendar.hpp"
#include "storage/sqlite/sqlite_store.hpp"

namespace onecard::testing {

TempDir::TempDir() {
  const char* base = std::getenv("TMPDIR");
  std::string tmpl = std::string(base != nullptr ? base : "/tmp") + "/onecard-test-XXXXXX";
  char* made = ::mkdtemp(tmpl.data());
  if (made == nullptr) std::abort();
  path_ = made;
}

TempDir::~TempDir() {
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

TestEnv::TestEnv(storage::Durability durability, int group_max)
    : db_(dir_.File("onecard.db")), durability_(durability), group_max_(group_max) {
  Open(storage::OpenMode::kCreate);
  auto t = services_->org().CreateTenant("t1", "Test Tenant 测试", "Asia/Shanghai");
  if (!t) ADD_FAILURE() << t.error().ToString();
  tenant_ = *t;
  service::Request req = service::RequestAs(tenant_, service::ActorNamed("setup"));
  auto& org = services_->org();
  EXPECT_TRUE(org.AddRegion(req, "east", "East", ""));
  EXPECT_TRUE(org.AddStore(req, "s1", "Store One", "east", ""));
  EXPECT_TRUE(org.AddStore(req, "s2", "Store Two", "east", ""));
  EXPECT_TRUE(org.AddCardType(req, {"member", "Member", core::CardKind::kPersonal, 12, 0}));
  EXPECT_TRUE(org.AddCardType(req, {"gold", "Gold", core::CardKind::kPersonal, 24, 80000}));
  EXPECT_TRUE(org.AddCardType(req, {"family", "Family", core::CardKind::kLinked, 0, 0}));
  EXPECT_TRUE(org.AddCardType(req, {"gift", "Gift", core::CardKind::kGift, 0, 0}));
  EXPECT_TRUE(org.AddCardType(req, {"count", "Count", core::CardKind::kCount, 0, 0}));
}

TestEnv::~TestEnv() {
  services_.reset();
  store_.reset();
}

void TestEnv::Open(storage::OpenMode mode) {
  services_.reset();
  store_.reset();
  auto store = storage::sqlite::OpenStore(db_, {mode, durability_});
  if (!store) {
    ADD_FAILURE() << store.error().ToString();
    std::abort();
  }
  store_ = std::move(*store);
  service::GiftOptions gifts;
  gifts.secret = std::string(32, 's');
  gifts.fast_hashing = true;
  services_ = std::make_unique<service::Services>(
      *store_, clock_, service::WriterOptions{group_max_}, service::StaffOptions{}, gifts);
}

void TestEnv::Reopen() {
  Open(storage::OpenMode::kExisting);
}

service::Request TestEnv::Req(const std::string& store) {
  return Keyed("k" + std::to_string(++keys_), store);
}

service::Request TestEnv::Keyed(const std::string& key, const std::string& store) {
  auto actor = services_->org().ResolveActor(tenant_, "tester", store);
  EXPECT_TRUE(actor) << actor.error().ToString();
  return service::RequestAs(tenant_, *actor, key);
}

std::string TestEnv::NewCard(const std::string& name, const std::string& type) {
  service::MemberChanges changes;
  changes.profile = {{"name", name}};
  auto m = services_->members().Add(Req(), changes);
  EXPECT_TRUE(m) << m.error().ToString();
  service::IssueCardRequest issue;
  issue.member_id = m->id;
  issue.type = type;
  auto card = services_->cards().Issue(Req(), issue);
  EXPECT_TRUE(card) << card.error().ToString();
  return card->card.number;
}

std::int64_t TestEnv::MemberOf(const std::string& card) {
  auto c = services_->cards().Show(tenant_, card);
  EXPECT_TRUE(c);
  return c->member_id;
}

service::EntryReceipt TestEnv::Earn(const std::string& card, std::int64_t points,
                                    std::optional<core::Timestamp> expires, core::Asset asset) {
  auto r = ledger().Earn(Req(), service::EarnRequest{card, asset, points, expires, "", ""});
  EXPECT_TRUE(r) << r.error().ToString();
  return r ? *r : service::EntryReceipt{};
}

service::EntryReceipt TestEnv::TopUp(const std::string& card, std::int64_t fen,
                                     std::int64_t bonus) {
  auto r = ledger().TopUp(Req(), service::TopUpRequest{card, core::Asset::kStoredValue, fen, bonus,
                                                       std::nullopt, "", ""});
  EXPECT_TRUE(r) << r.error().ToString();
  return r ? *r : service::EntryReceipt{};
}

std::int64_t TestEnv::Balance(const std::string& card, core::Asset asset) {
  auto b = ledger().Balance(tenant_, card);
  EXPECT_TRUE(b) << b.error().ToString();
  for (const auto& a : b->assets) {
    if (a.asset == asset) return a.balance;
  }
  return -1;
}

std::int64_t TestEnv::Available(const std::string& card, core::Asset asset) {
  auto b = ledger().Balance(tenant_, card);
  EXPECT_TRUE(b) << b.error().ToString();
  for (const auto& a : b->assets) {
    if (a.asset == asset) return a.available;
  }
  return -1;
}

core::Timestamp TestEnv::ValidUntil(const std::string& date) {
  return *service::EndOfLocalDay(tenant_.timezone, *core::CivilDate::Parse(date, "date"));
}

std::string TestEnv::VerifyProblems() {
  auto report = services_->Verify();
  if (!report) return "verify failed to run: " + report.error().ToString();
  std::string out;
  for (const auto& d : report->discrepancies) {
    out += d.what + " " + std::to_string(d.id) + ": " + d.detail + "\n";
  }
  if (report->ok != out.empty()) out += "ok flag disagrees with the discrepancy list\n";
  return out;
}

std::string ReadFileText(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string ExampleProgramme(const std::string& name) {
  return ReadFileText(std::string(ONECARD_EXAMPLES_DIR) + "/" + name);
}

void UseProgramme(TestEnv& env, const std::string& document) {
  auto& programmes = env.services().programmes();
  auto v = programmes.Add(env.Req(""), document);
  ASSERT_TRUE(v) << v.error().ToString();
  auto active = programmes.Activate(env.Req(""), v->version);
  ASSERT_TRUE(active) << active.error().ToString();
}

void AddCategories(TestEnv& env, const std::vector<std::string>& codes) {
  for (const auto& code : codes) {
    auto added = env.services().catalogue().AddCategory(env.Req(""), code, code, "");
    ASSERT_TRUE(added) << added.error().ToString();
  }
}

void ExecSql(const std::string& db_path, const std::string& sql) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(db_path.c_str(), &db), SQLITE_OK);
  char* err = nullptr;
  const int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err);
  EXPECT_EQ(rc, SQLITE_OK) << (err != nullptr ? err : "") << " in " << sql;
  sqlite3_free(err);
  sqlite3_close(db);
}

std::int64_t QueryInt(const std::string& db_path, const std::string& sql) {
  sqlite3* db = nullptr;
  if (sqlite3_open(db_path.c_str(), &db) != SQLITE_OK) return -1;
  sqlite3_stmt* st = nullptr;
  std::int64_t value = -1;
  if (sqlite3_prepare_v2(db, sql.c_str(), -1, &st, nullptr) == SQLITE_OK &&
      sqlite3_step(st) == SQLITE_ROW) {
    value = sqlite3_column_int64(st, 0);
  }
  sqlite3_finalize(st);
  sqlite3_close(db);
  return value;
}

std::vector<std::string> QueryStrings(const std::string& db_path, const std::string& sql) {
  std::vector<std::string> out;
  sqlite3* db = nullptr;
  if (sqlite3_open(db_path.c_str(), &db) != SQLITE_OK) return out;
  sqlite3_stmt* st = nullptr;
  if (sqlite3_prepare_v2(db, sql.c_str(), -1, &st, nullptr) == SQLITE_OK) {
    while (sqlite3_step(st) == SQLITE_ROW) {
      const auto* text = sqlite3_column_text(st, 0);
      out.emplace_back(text != nullptr ? reinterpret_cast<const char*>(text) : "");
    }
  }
  sqlite3_finalize(st);
  sqlite3_close(db);
  return out;
}

}  // namespace onecard::testing
