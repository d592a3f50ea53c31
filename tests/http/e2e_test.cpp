// End-to-end tests of `onecard serve`: the real binary on a free loopback port, a temporary
// demo database, and HTTP over real sockets.
#include <gtest/gtest.h>
#include <signal.h>

#include <atomic>
#include <deque>
#include <fstream>
#include <iostream>
#include <iterator>
#include <mutex>
#include <set>
#include <sstream>
#include <thread>

#include "cli/cli.hpp"
#include "service/calendar.hpp"
#include "service/services.hpp"
#include "storage/sqlite/sqlite_store.hpp"
#include "support/http_client.hpp"
#include "support/test_env.hpp"

namespace onecard::testing {
namespace {

using nlohmann::json;

// 张伟's card in the demo (sh01), 李娜's phone-number card (bj01).
constexpr const char* kZhang = "88000000013";

int RunCli(const std::vector<std::string>& args) {
  std::ostringstream out, err;
  const int code = cli::RunCli(args, out, err);
  if (code != 0) ADD_FAILURE() << "onecard " << args[2] << ": " << err.str();
  return code;
}

class ServeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = dir_.File("demo.db");
    ASSERT_EQ(RunCli({"--db", db_, "init", "--demo"}), 0);
  }
  void Start(std::vector<std::string> extra = {}) {
    server_ = std::make_unique<ServerProcess>(db_, std::move(extra));
    ASSERT_TRUE(server_->started()) << server_->output();
  }
  // A failed test shows the end of the server's stderr (its log, a sanitizer's report).
  void TearDown() override {
    if (!HasFailure()) return;
    std::ifstream in(db_ + ".server.log");
    std::deque<std::string> tail;
    for (std::string line; std::getline(in, line);) {
      tail.push_back(line);
      if (tail.size() > 150) tail.pop_front();
    }
    std::string text;
    for (const std::string& line : tail) text += line + "\n";
    std::cerr << "--- the end of the server's stderr ---\n" << text;
  }
  int port() const { return server_->port(); }
  std::int64_t Points(HttpClient& c, const std::string& token, const std::string& card) {
    HttpResponse r = c.Get("/v1/cards/" + card + "/balance", token);
    EXPECT_EQ(r.status, 200) << r.body;
    const json balances = r.Json();
    for (const auto& a : balances["assets"]) {
      if (a["asset"] == "points") return a["balance"].get<std::int64_t>();
    }
    return -1;
  }
  std::string VerifyOk(HttpClient& c) {
    const std::string admin = Login(c, "admin", "onecard-admin");
    HttpResponse v = c.Post("/v1/verify", json::object(), admin);
    if (v.status != 200) return "verify answered " + std::to_string(v.status) + ": " + v.body;
    if (!v.Json()["ok"].get<bool>()) return v.body;
    return "";
  }

  TempDir dir_;
  std::string db_;
  std::unique_ptr<ServerProcess> server_;
};

TEST_F(ServeTest, AnswersHealthReadinessMetricsAndItsOwnDocument) {
  Start();
  HttpClient c(port());
  EXPECT_EQ(c.Get("/healthz").status, 200);
  HttpResponse ready = c.Get("/readyz");
  EXPECT_EQ(ready.status, 200);
  EXPECT_EQ(ready.Json()["status"], "ready");
  EXPECT_FALSE(ready.Header("x-request-id").empty());
  HttpResponse doc = c.Get("/openapi.json");
  ASSERT_EQ(doc.status, 200);
  EXPECT_EQ(doc.Json()["openapi"], "3.0.3");
  HttpResponse metrics = c.Get("/metrics");
  ASSERT_EQ(metrics.status, 200);
  EXPECT_NE(metrics.body.find("onecard_http_requests_total{method=\"GET\",route=\"/healthz\","
                              "status=\"200\"} 1"),
            std::string::npos)
      << metrics.body;
  EXPECT_NE(metrics.body.find("onecard_http_open_connections 1"), std::string::npos);
  EXPECT_NE(metrics.body.find("onecard_writer_group_size_bucket"), std::string::npos);
}

TEST_F(ServeTest, AClerkLogsInFindsAMemberByCardAndEarnsAndSpendsPoints) {
  Start();
  HttpClient c(port());
  const std::string token = Login(c, "zhou.clerk", "onecard-clerk");
  ASSERT_FALSE(token.empty());
  HttpResponse me = c.Get("/v1/auth/me", token);
  EXPECT_EQ(me.Json()["store"], "sh01");
  EXPECT_EQ(me.Json()["role"], "clerk");

  HttpResponse member = c.Get(std::string("/v1/cards/") + kZhang + "/member", token);
  ASSERT_EQ(member.status, 200) << member.body;
  const json profile = member.Json()["profile"];
  EXPECT_NE(
      std::find(profile.begin(), profile.end(), json{{"key", "name"}, {"value", "张伟 Zhang Wei"}}),
      profile.end())
      << member.body;
  HttpResponse found = c.Get("/v1/members?q=%E5%BC%A0%E4%BC%9F", token);  // 张伟
  ASSERT_EQ(found.status, 200) << found.body;
  EXPECT_EQ(found.Json()["items"].size(), 1u);

  const std::int64_t before = Points(c, token, kZhang);
  HttpResponse earn = c.Post(
      "/v1/points/earn", {{"card", kZhang}, {"points", 120}, {"doc_no", "S-1"}}, token, "earn-1");
  ASSERT_EQ(earn.status, 200) << earn.body;
  EXPECT_EQ(earn.Json()["store"], "sh01");
  EXPECT_EQ(earn.Json()["staff"], "zhou.clerk");
  EXPECT_EQ(earn.Json()["lines"][0]["balance_after"], before + 120);
  // The audit row names who earned where and points at the journal entry.
  const std::string admin = Login(c, "admin", "onecard-admin");
  HttpResponse audited = c.Get("/v1/audit?action=points.earn&limit=1", admin);
  ASSERT_EQ(audited.status, 200) << audited.body;
  const json row = audited.Json()["items"][0];
  EXPECT_EQ(row["actor"], "zhou.clerk");
  EXPECT_EQ(row["store"], "sh01");
  EXPECT_EQ(row["object_id"], kZhang);
  EXPECT_EQ(row["after"], (json{{"entry_id", earn.Json()["entry_id"]}, {"doc_no", "S-1"}}));
  HttpResponse spend =
      c.Post("/v1/points/spend", {{"card", kZhang}, {"points", 100}}, token, "spend-1");
  ASSERT_EQ(spend.status, 200) << spend.body;
  EXPECT_EQ(Points(c, token, kZhang), before + 20);
  HttpResponse history = c.Get(std::string("/v1/cards/") + kZhang + "/history?limit=2", token);
  ASSERT_EQ(history.status, 200);
  EXPECT_EQ(history.Json()["lines"][0]["kind"], "spend");
  EXPECT_EQ(history.Json()["lines"][1]["kind"], "earn");

  HttpResponse too_much =
      c.Post("/v1/points/spend", {{"card", kZhang}, {"points", 1000000}}, token, "spend-2");
  EXPECT_EQ(too_much.status, 409);
  EXPECT_EQ(too_much.Json()["code"], "insufficient_balance");
  EXPECT_EQ(Points(c, token, kZhang), before + 20);
  EXPECT_EQ(VerifyOk(c), "");
}

TEST_F(ServeTest, RetriesWithTheSameKeyNeverCountTwice) {
  Start();
  HttpClient c(port());
  const std::string token = Login(c, "zhou.clerk", "onecard-clerk");
  const std::int64_t before = Points(c, token, kZhang);
  const json body = {{"card", kZhang}, {"points", 7}};
  // The same request sent at once from eight connections, then again in sequence.
  std::vector<std::thread> threads;
  std::vector<HttpResponse> answers(8);
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&, i] {
      HttpClient own(port());
      answers[static_cast<std::size_t>(i)] = own.Post("/v1/points/earn", body, token, "same-key");
    });
  }
  for (auto& t : threads) t.join();
  std::set<std::string> bodies;
  int replays = 0;
  for (const auto& a : answers) {
    EXPECT_EQ(a.status, 200) << a.body;
    bodies.insert(a.body);
    replays += a.Header("idempotent-replayed") == "true" ? 1 : 0;
  }
  EXPECT_EQ(bodies.size(), 1u) << "every answer is the first one";
  EXPECT_EQ(replays, 7);
  HttpResponse again = c.Post("/v1/points/earn", body, token, "same-key");
  EXPECT_EQ(again.status, 200);
  EXPECT_EQ(again.body, *bodies.begin());
  EXPECT_EQ(Points(c, token, kZhang), before + 7);

  HttpResponse other =
      c.Post("/v1/points/earn", {{"card", kZhang}, {"points", 8}}, token, "same-key");
  EXPECT_EQ(other.status, 409);
  EXPECT_EQ(other.Json()["code"], "idempotency_conflict");
  HttpResponse keyless = c.Post("/v1/points/earn", body, token);
  EXPECT_EQ(keyless.status, 422);
  EXPECT_EQ(keyless.Json()["code"], "idempotency_key_missing");
  EXPECT_EQ(Points(c, token, kZhang), before + 7);
}

TEST_F(ServeTest, ConcurrentSpendsAgainstOneMemberNeverOverdraw) {
  Start();
  HttpClient c(port());
  const std::string token = Login(c, "zhou.clerk", "onecard-clerk");
  const std::int64_t start = Points(c, token, kZhang);
  ASSERT_GT(start, 100);
  std::atomic<int> ok{0}, refused{0}, other{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 16; ++t) {
    threads.emplace_back([&, t] {
      HttpClient own(port());
      for (int i = 0; i < 20; ++i) {
        HttpResponse r = own.Post("/v1/points/spend", {{"card", kZhang}, {"points", 7}}, token,
                                  "s-" + std::to_string(t) + "-" + std::to_string(i));
        if (r.status == 200) {
          ++ok;
        } else if (r.status == 409 && r.Json()["code"] == "insufficient_balance") {
          ++refused;
        } else {
          ++other;
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(other.load(), 0);
  EXPECT_EQ(ok.load(), static_cast<int>(start / 7)) << "every spend that fits, and no more";
  EXPECT_EQ(Points(c, token, kZhang), start - 7 * ok.load());
  EXPECT_GE(Points(c, token, kZhang), 0);
  EXPECT_EQ(VerifyOk(c), "");
}

// Who may do what: role × endpoint × object of another store or tenant.
TEST_F(ServeTest, RolesAndStoresLimitWhatEachPrincipalMayDoAndSee) {
  Start();
  HttpClient c(port());
  const std::string clerk = Login(c, "zhou.clerk", "onecard-clerk");        // sh01
  const std::string bj_clerk = Login(c, "wang.clerk", "onecard-clerk");     // bj01
  const std::string manager = Login(c, "zhou.manager", "onecard-manager");  // sh01
  const std::string marketing = Login(c, "marketing", "onecard-marketing");
  const std::string finance = Login(c, "finance", "onecard-finance");
  const std::string admin = Login(c, "admin", "onecard-admin");
  for (const auto* t : {&clerk, &bj_clerk, &manager, &marketing, &finance, &admin}) {
    ASSERT_FALSE(t->empty());
  }
  // Objects made at bj01: an earn entry and a hold.
  HttpResponse bj_earn =
      c.Post("/v1/points/earn", {{"card", kZhang}, {"points", 30}}, bj_clerk, "bj-earn");
  ASSERT_EQ(bj_earn.status, 200) << bj_earn.body;
  const std::string bj_entry = std::to_string(bj_earn.Json()["entry_id"].get<std::int64_t>());
  HttpResponse bj_hold =
      c.Post("/v1/holds", {{"card", kZhang}, {"amount", 10}}, bj_clerk, "bj-hold");
  ASSERT_EQ(bj_hold.status, 201) << bj_hold.body;
  const std::string hold = std::to_string(bj_hold.Json()["hold_id"].get<std::int64_t>());

  struct Case {
    const char* who;
    const std::string* token;
    const char* method;
    std::string target;
    json body;
    int status;
  };
  const json earn = {{"card", kZhang}, {"points", 1}};
  const json adjust = {{"card", kZhang}, {"points", 1}, {"reason", "goodwill"}};
  const json sale = {{"card", kZhang},
                     {"lines", json::array({{{"sku", "A"}, {"price", "10.00"}}})},
                     {"doc_no", "M-1"},
                     {"tenders", json::array({{{"method", "cash"}, {"amount", 1000}}})}};
  json sale_at_bj = sale;
  sale_at_bj["store"] = "bj01";
  const json bj_return = {{"receipt", "M-1"},
                          {"receipt_store", "bj01"},
                          {"all", true},
                          {"doc_no", "MR-1"},
                          {"reason", "faulty"}};
  json admin_return = bj_return;
  admin_return["store"] = "bj01";
  const std::vector<Case> cases = {
      // A clerk serves members at their own store…
      {"clerk", &clerk, "POST", "/v1/points/earn", earn, 200},
      {"clerk", &clerk, "GET", std::string("/v1/cards/") + kZhang + "/balance", nullptr, 200},
      // …but may not adjust points, act for another store, or manage anything.
      {"clerk", &clerk, "POST", "/v1/points/adjust", adjust, 403},
      {"clerk",
       &clerk,
       "POST",
       "/v1/points/earn",
       {{"card", kZhang}, {"points", 1}, {"store", "bj01"}},
       403},
      {"clerk", &clerk, "GET", "/v1/staff", nullptr, 403},
      {"clerk", &clerk, "GET", "/v1/audit", nullptr, 403},
      {"clerk", &clerk, "POST", "/v1/verify", json::object(), 403},
      {"clerk", &clerk, "POST", "/v1/stores", {{"code", "x1"}, {"name", "X"}}, 403},
      // Another store's entry and hold do not exist for them.
      {"clerk", &clerk, "GET", "/v1/entries/" + bj_entry, nullptr, 404},
      {"clerk", &clerk, "GET", "/v1/holds/" + hold, nullptr, 404},
      {"clerk", &clerk, "POST", "/v1/holds/" + hold + "/capture", json::object(), 404},
      {"manager", &manager, "POST", "/v1/entries/" + bj_entry + "/reverse", {{"reason", "x"}}, 404},
      {"manager", &manager, "POST", "/v1/points/adjust", adjust, 200},
      {"manager", &manager, "GET", "/v1/staff", nullptr, 403},
      {"bj clerk", &bj_clerk, "GET", "/v1/entries/" + bj_entry, nullptr, 200},
      {"bj clerk", &bj_clerk, "POST", "/v1/holds/" + hold + "/capture", json::object(), 200},
      {"marketing", &marketing, "POST", "/v1/points/adjust", adjust, 200},
      {"marketing", &marketing, "POST", "/v1/points/earn", earn, 403},
      {"marketing", &marketing, "GET", "/v1/audit", nullptr, 403},
      {"finance", &finance, "GET", "/v1/audit", nullptr, 200},
      {"finance", &finance, "POST", "/v1/verify", json::object(), 200},
      {"finance", &finance, "POST", "/v1/value/top-up", {{"card", kZhang}, {"amount", 100}}, 403},
      {"finance", &finance, "GET", "/v1/entries/" + bj_entry, nullptr, 200},
      {"admin", &admin, "GET", "/v1/staff", nullptr, 200},
      // Checkout: clerks and managers sell at their own store; head office does not sell.
      {"clerk", &clerk, "POST", "/v1/checkout/settle", sale, 201},
      {"clerk", &clerk, "POST", "/v1/checkout/settle", sale_at_bj, 403},
      {"bj clerk", &bj_clerk, "POST", "/v1/checkout/settle", sale_at_bj, 201},
      {"marketing", &marketing, "POST", "/v1/checkout/quote", sale, 403},
      {"finance", &finance, "POST", "/v1/checkout/settle", sale, 403},
      {"clerk", &clerk, "POST", "/v1/members/1/tier", {{"tier", "gold"}, {"reason", "x"}}, 403},
      // The catalogue: everyone reads it; head-office marketing and admins keep it.
      {"clerk", &clerk, "GET", "/v1/products?category=tea", nullptr, 200},
      {"finance", &finance, "GET", "/v1/promotions", nullptr, 200},
      {"clerk", &clerk, "POST", "/v1/categories", {{"code", "c1"}, {"name", "C"}}, 403},
      {"manager",
       &manager,
       "POST",
       "/v1/promotions",
       {{"sku", "CAKE-EGG"},
        {"name", "x"},
        {"price", 1},
        {"from", "2030-01-01"},
        {"to", "2030-01-02"}},
       403},
      {"marketing", &marketing, "POST", "/v1/categories", {{"code", "c1"}, {"name", "C"}}, 201},
      // Returns: not for clerks; a manager cannot reach another store's sale; an admin can.
      {"clerk", &clerk, "POST", "/v1/checkout/return", bj_return, 403},
      {"manager", &manager, "POST", "/v1/checkout/return", bj_return, 404},
      {"finance", &finance, "POST", "/v1/checkout/return", bj_return, 403},
      {"admin", &admin, "POST", "/v1/checkout/return", admin_return, 201},
      // (allowed: it answers that no programme was in force on that date)
      {"finance", &finance, "POST", "/v1/jobs/tier-review", {{"as_of", "2026-01-02"}}, 404},
      {"admin",
       &admin,
       "POST",
       "/v1/points/earn",
       {{"card", kZhang}, {"points", 1}, {"store", "bj01"}},
       200},
  };
  int n = 0;
  for (const Case& k : cases) {
    HttpResponse r;
    if (std::string(k.method) == "GET") {
      r = c.Get(k.target, *k.token);
    } else {
      r = c.Post(k.target, k.body, *k.token, "matrix-" + std::to_string(++n));
    }
    EXPECT_EQ(r.status, k.status) << k.who << " " << k.method << " " << k.target << ": " << r.body;
    if (r.status == 403) {
      EXPECT_EQ(r.Json()["code"], "forbidden");
    }
  }

  // A second tenant's admin sees nothing of the demo tenant.
  server_->Stop(SIGTERM);
  ASSERT_EQ(RunCli({"--db", db_, "tenant", "add", "other", "--name", "Other"}), 0);
  ASSERT_EQ(RunCli({"--db", db_, "--tenant", "other", "staff", "add", "boss", "--role", "admin",
                    "--password", "other-admin-pw"}),
            0);
  Start();
  HttpClient c2(port());
  HttpResponse login =
      c2.Post("/v1/auth/login",
              {{"tenant", "other"}, {"username", "boss"}, {"password", "other-admin-pw"}});
  ASSERT_EQ(login.status, 200) << login.body;
  const std::string boss = login.Json()["token"];
  EXPECT_EQ(c2.Get(std::string("/v1/cards/") + kZhang, boss).status, 404);
  EXPECT_EQ(c2.Get(std::string("/v1/cards/") + kZhang + "/balance", boss).status, 404);
  EXPECT_EQ(c2.Get("/v1/members/1", boss).status, 404);
  EXPECT_EQ(c2.Get("/v1/entries/" + bj_entry, boss).status, 404);
  EXPECT_EQ(c2.Post("/v1/points/earn", earn, boss, "x").status, 404);
  // Its audit log holds its own changes only: the admin added by the CLI, then the login.
  const json audit = c2.Get("/v1/audit", boss).Json()["items"];
  ASSERT_EQ(audit.size(), 2u) << audit.dump();
  EXPECT_EQ(audit[0]["action"], "staff.login");
  EXPECT_EQ(audit[1]["action"], "staff.add");
  EXPECT_EQ(audit[1]["actor_kind"], "cli");
}

TEST_F(ServeTest, BadRequestsGetTheirStatusAndTheErrorDocumentAndChangeNothing) {
  Start({"--threads", "2"});
  HttpClient c(port());
  const std::string token = Login(c, "zhou.clerk", "onecard-clerk");
  const std::int64_t before = Points(c, token, kZhang);
  const auto post = [&](const std::string& body) {
    return c.Send("POST", "/v1/points/earn", body,
                  {{"Authorization", "Bearer " + token}, {"Idempotency-Key", "bad-1"}});
  };
  struct Case {
    const char* what;
    HttpResponse r;
    int status;
    const char* code;
  };
  std::vector<Case> cases;
  cases.push_back({"malformed JSON", post("{\"card\":"), 400, "json_malformed"});
  cases.push_back({"not an object", post("[1,2]"), 400, "json_malformed"});
  cases.push_back(
      {"wrong type", post(R"({"card":"88000000013","points":"12"})"), 422, "field_invalid"});
  cases.push_back({"unknown field", post(R"({"card":"88000000013","points":1,"bonus":5})"), 422,
                   "field_unknown"});
  cases.push_back(
      {"negative", post(R"({"card":"88000000013","points":-5})"), 422, "amount_not_positive"});
  cases.push_back({"overflow", post(R"({"card":"88000000013","points":99999999999999999999})"), 422,
                   "field_invalid"});
  cases.push_back(
      {"unknown card", post(R"({"card":"99999999","points":5})"), 404, "card_not_found"});
  cases.push_back({"no auth", c.Post("/v1/points/earn", {{"card", kZhang}, {"points", 1}}, "", "k"),
                   401, "auth_required"});
  cases.push_back({"bad token",
                   c.Post("/v1/points/earn", {{"card", kZhang}, {"points", 1}}, "ocs_nope", "k"),
                   401, "token_invalid"});
  cases.push_back({"unknown route", c.Get("/v1/nothing", token), 404, "route_not_found"});
  cases.push_back(
      {"wrong method", c.Send("DELETE", "/v1/points/earn", "", {}), 405, "method_not_allowed"});
  cases.push_back({"bad id", c.Get("/v1/entries/abc", token), 422, "invalid_argument"});
  cases.push_back({"not UTF-8", c.Get("/v1/cards/%FF%FE/balance", token), 404, "card_not_found"});
  cases.push_back({"oversized body",
                   c.Send("POST", "/v1/points/earn", std::string(2 << 20, 'x'), {}), 413,
                   "body_too_large"});
  for (const Case& k : cases) {
    EXPECT_EQ(k.r.status, k.status) << k.what << ": " << k.r.body;
    json doc = k.r.Json();
    ASSERT_TRUE(doc.is_object()) << k.what << ": " << k.r.body;
    EXPECT_EQ(doc.value("code", ""), k.code) << k.what;
    EXPECT_FALSE(doc.value("message", "").empty()) << k.what;
  }
  EXPECT_EQ(c.Get("/v1/entries/abc", token).Header("content-type"), "application/json");
  HttpClient raw(port());
  EXPECT_EQ(raw.SendRaw("GARBAGE\r\n\r\n").status, 0) << "garbage is dropped";
  HttpResponse big_header = raw.SendRaw(
      "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(64 * 1024, 'a') + "\r\n\r\n");
  EXPECT_EQ(big_header.status, 431);

  // After logout the token is dead.
  EXPECT_EQ(c.Post("/v1/auth/logout", json::object(), token).status, 200);
  HttpResponse after = c.Get(std::string("/v1/cards/") + kZhang, token);
  EXPECT_EQ(after.status, 401);
  EXPECT_EQ(after.Json()["code"], "token_invalid");
  const std::string again = Login(c, "zhou.clerk", "onecard-clerk");
  EXPECT_EQ(Points(c, again, kZhang), before) << "nothing changed";
}

TEST_F(ServeTest, RepeatedFailedLoginsLockTheAccountAndSayWhenToRetry) {
  Start();
  HttpClient c(port());
  for (int i = 0; i < 5; ++i) {
    HttpResponse r =
        c.Post("/v1/auth/login", {{"username", "zhou.clerk"}, {"password", "wrong-password"}});
    EXPECT_EQ(r.status, 401);
    EXPECT_EQ(r.Json()["code"], "credentials_invalid");
  }
  HttpResponse locked =
      c.Post("/v1/auth/login", {{"username", "zhou.clerk"}, {"password", "onecard-clerk"}});
  EXPECT_EQ(locked.status, 429);
  EXPECT_EQ(locked.Json()["code"], "login_locked");
  EXPECT_NE(locked.Json()["message"].get<std::string>().find("retry after"), std::string::npos);
  EXPECT_FALSE(locked.Header("retry-after").empty());
  // Another account from the same address is not locked (yet).
  EXPECT_FALSE(Login(c, "zhou.manager", "onecard-manager").empty());
  // An unknown user fails like a wrong password.
  HttpResponse unknown =
      c.Post("/v1/auth/login", {{"username", "nobody"}, {"password", "whatever-pw"}});
  EXPECT_EQ(unknown.status, 401);
  EXPECT_EQ(unknown.Json()["code"], "credentials_invalid");
  // The audit log has every attempt.
  const std::string admin = Login(c, "admin", "onecard-admin");
  HttpResponse audit = c.Get("/v1/audit?action=staff.login_failed&limit=100", admin);
  ASSERT_EQ(audit.status, 200);
  EXPECT_EQ(audit.Json()["items"].size(), 6u);
}

TEST_F(ServeTest, RevokedKeysAndDisabledUsersAreRefusedAtOnce) {
  Start();
  HttpClient c(port());
  const std::string admin = Login(c, "admin", "onecard-admin");
  HttpResponse made = c.Post(
      "/v1/api-keys", {{"name", "till-sh01-1"}, {"role", "clerk"}, {"store", "sh01"}}, admin);
  ASSERT_EQ(made.status, 201) << made.body;
  const std::string key = made.Json()["key"];
  ASSERT_EQ(key.rfind("ock_", 0), 0u);
  const std::string balance = std::string("/v1/cards/") + kZhang + "/balance";
  EXPECT_EQ(c.Get(balance, key).status, 200);
  HttpResponse earn = c.Post("/v1/points/earn", {{"card", kZhang}, {"points", 2}}, key, "till-1");
  ASSERT_EQ(earn.status, 200) << earn.body;
  EXPECT_EQ(earn.Json()["staff"], "till-sh01-1");
  const std::string id = std::to_string(made.Json()["id"].get<std::int64_t>());
  EXPECT_EQ(c.Post("/v1/api-keys/" + id + "/revoke", json::object(), admin).status, 200);
  EXPECT_EQ(c.Get(balance, key).status, 401);
  HttpResponse keys = c.Get("/v1/api-keys", admin);
  EXPECT_EQ(keys.body.find("ock_"), std::string::npos) << "keys are never shown again";

  const std::string clerk = Login(c, "zhou.clerk", "onecard-clerk");
  EXPECT_EQ(c.Get(balance, clerk).status, 200);
  HttpResponse off = c.Send("PATCH", "/v1/staff/zhou.clerk", R"({"active":false})",
                            {{"Authorization", "Bearer " + admin}});
  ASSERT_EQ(off.status, 200) << off.body;
  EXPECT_EQ(c.Get(balance, clerk).status, 401);
  EXPECT_EQ(
      c.Post("/v1/auth/login", {{"username", "zhou.clerk"}, {"password", "onecard-clerk"}}).status,
      401);
  // The audit log shows both changes with their before and after.
  HttpResponse audit = c.Get("/v1/audit?action=staff.update", admin);
  ASSERT_EQ(audit.status, 200);
  EXPECT_EQ(audit.Json()["items"][0]["before"]["status"], "active");
  EXPECT_EQ(audit.Json()["items"][0]["after"]["status"], "disabled");
}

TEST_F(ServeTest, AnAdminSetsUpTheOrganisationAndStaffOverHttp) {
  Start();
  HttpClient c(port());
  const std::string admin = Login(c, "admin", "onecard-admin");
  EXPECT_EQ(c.Post("/v1/regions", {{"code", "south"}, {"name", "South"}}, admin).status, 201);
  HttpResponse store = c.Post(
      "/v1/stores",
      {{"code", "gz01"}, {"name", "Guangzhou"}, {"region", "south"}, {"address", "Tianhe"}}, admin);
  ASSERT_EQ(store.status, 201) << store.body;
  EXPECT_EQ(store.Json()["region"], "south");
  HttpResponse type = c.Post(
      "/v1/card-types",
      {{"code", "silver"}, {"name", "Silver"}, {"validity_months", 12}, {"fee_fen", 500}}, admin);
  ASSERT_EQ(type.status, 201) << type.body;
  EXPECT_EQ(type.Json()["fee_fen"], 500);
  HttpResponse field =
      c.Post("/v1/fields",
             {{"key", "plate"}, {"label", "Plate"}, {"type", "choice"}, {"choices", "a|b"}}, admin);
  ASSERT_EQ(field.status, 201) << field.body;
  EXPECT_EQ(field.Json()["choices"], (json{"a", "b"}));
  HttpResponse staff = c.Post("/v1/staff",
                              {{"username", "liu.clerk"},
                               {"password", "a-long-secret"},
                               {"role", "clerk"},
                               {"store", "gz01"}},
                              admin);
  ASSERT_EQ(staff.status, 201) << staff.body;
  const std::string liu = Login(c, "liu.clerk", "a-long-secret");
  ASSERT_FALSE(liu.empty());
  EXPECT_EQ(c.Get("/v1/auth/me", liu).Json()["store"], "gz01");
  // Refused without writing: a duplicate, a bad scope, an unknown field.
  EXPECT_EQ(c.Post("/v1/stores", {{"code", "gz01"}, {"name", "Again"}}, admin).status, 409);
  EXPECT_EQ(
      c.Post("/v1/staff",
             {{"username", "x.clerk"}, {"password", "a-long-secret"}, {"role", "clerk"}}, admin)
          .status,
      422);
  EXPECT_EQ(c.Post("/v1/regions", {{"code", "west"}, {"name", "West"}, {"colour", "red"}}, admin)
                .Json()["code"],
            "field_unknown");
  HttpResponse regions = c.Get("/v1/regions", admin);
  EXPECT_EQ(regions.Json()["items"].size(), 3u) << regions.body;
}

// Head-office marketing writes the programme; every role may read it and price a basket with
// it; a clerk may not change it. Bad documents and baskets are refused with where and why.
// A clerk serves a member at the till over HTTP (demo programme P1a): a quote, a settle paid
// with points, stored value and cash — earning on what was not paid with points — replayed
// safely, read back; the sale is invisible to a clerk of another store; tiers and the review job
// are for the roles that may change them.
TEST_F(ServeTest, AClerkSettlesASaleWithMixedTendersAndTheMemberMovesUpATier) {
  Start();
  HttpClient c(port());
  const std::string clerk = Login(c, "zhou.clerk", "onecard-clerk");
  const std::string other = Login(c, "wang.clerk", "onecard-clerk");
  const std::string admin = Login(c, "admin", "onecard-admin");
  const std::string card = "88000000013";  // 张伟: 350 points, ¥482.00 stored value
  const json lines = json::array({{{"sku", "TV-55"}, {"price", "2100.00"}}});

  // The member steps up and gives a phone number: who, which card, what may be spent.
  HttpResponse who = c.Post("/v1/checkout/identify", {{"phone", "13800138000"}}, clerk);
  ASSERT_EQ(who.status, 200) << who.body;
  EXPECT_EQ(who.Json()["card"], card);
  EXPECT_EQ(who.Json()["phone"], "138****8000");
  EXPECT_EQ(who.Json()["points"], 350);
  EXPECT_EQ(who.Json()["stored_value"], 48200);
  EXPECT_EQ(c.Post("/v1/checkout/identify", {{"card", card}}, clerk).Json()["member_id"],
            who.Json()["member_id"]);
  EXPECT_EQ(c.Post("/v1/checkout/identify", {{"phone", "13000000000"}}, clerk).status, 404);
  EXPECT_EQ(c.Post("/v1/checkout/identify", json::object(), clerk).status, 422);

  HttpResponse quote = c.Post("/v1/checkout/quote", {{"card", card}, {"lines", lines}}, clerk);
  ASSERT_EQ(quote.status, 200) << quote.body;
  EXPECT_EQ(quote.Json()["due"], 210000);
  EXPECT_EQ(quote.Json()["tier"], "ordinary");
  EXPECT_EQ(quote.Json()["points_left"]["max_points"], 350);
  EXPECT_EQ(quote.Json()["points_left"]["point_value"], "0.10");

  // 300 points pay ¥30.00 at ordinary; ¥400.00 stored value; the rest by bank card.
  const json sale = {
      {"card", card},
      {"lines", lines},
      {"doc_no", "R-7001"},
      {"tenders",
       json::array({{{"method", "points"}, {"points", 300}},
                    {{"method", "stored_value"}, {"amount", 40000}},
                    {{"method", "bank_card"}, {"amount", 167000}, {"reference", "SLIP-1"}}})}};
  EXPECT_EQ(c.Post("/v1/checkout/settle", sale, clerk).Json()["code"], "idempotency_key_missing");
  HttpResponse settled = c.Post("/v1/checkout/settle", sale, clerk, "till-1-7001");
  ASSERT_EQ(settled.status, 201) << settled.body;
  const json s = settled.Json();
  EXPECT_EQ(s["points_earned"], 2070);  // ¥2,070 paid other than with points
  EXPECT_EQ(s["points_balance"], 350 - 300 + 2070);
  EXPECT_EQ(s["stored_value_balance"], 8200);
  EXPECT_EQ(s["tier_after"], "silver");
  EXPECT_EQ(s["store"], "sh01");
  HttpResponse replay = c.Post("/v1/checkout/settle", sale, clerk, "till-1-7001");
  ASSERT_EQ(replay.status, 201) << replay.body;
  EXPECT_EQ(replay.Header("idempotent-replayed"), "true");
  EXPECT_EQ(replay.Json()["id"], s["id"]);
  json changed = sale;
  changed["doc_no"] = "R-7002";
  EXPECT_EQ(c.Post("/v1/checkout/settle", changed, clerk, "till-1-7001").status, 409);
  HttpResponse reused = c.Post("/v1/checkout/settle", sale, clerk, "till-1-7001b");
  EXPECT_EQ(reused.status, 409) << reused.body;
  EXPECT_EQ(reused.Json()["code"], "code_taken");
  HttpResponse unknown_field =
      c.Post("/v1/checkout/settle",
             {{"card", card},
              {"lines", lines},
              {"doc_no", "R-9"},
              {"tip", 5},
              {"tenders", json::array({{{"method", "cash"}, {"amount", 210000}}})}},
             clerk, "till-1-9");
  EXPECT_EQ(unknown_field.Json()["code"], "field_unknown") << unknown_field.body;

  const std::string id = std::to_string(s["id"].get<std::int64_t>());
  HttpResponse read = c.Get("/v1/sales/" + id, clerk);
  ASSERT_EQ(read.status, 200) << read.body;
  EXPECT_EQ(read.Json()["tenders"].size(), 3u);
  EXPECT_EQ(read.Json()["tenders"][2]["reference"], "SLIP-1");
  EXPECT_EQ(c.Get("/v1/sales/" + id, other).Json()["code"], "sale_not_found");
  EXPECT_EQ(c.Get("/v1/sales/" + id, admin).status, 200);

  HttpResponse tier = c.Get("/v1/members/1/tier", clerk);
  ASSERT_EQ(tier.status, 200) << tier.body;
  EXPECT_EQ(tier.Json()["tier"], "silver");
  EXPECT_EQ(tier.Json()["history"][0]["doc_no"], "R-7001");
  EXPECT_EQ(tier.Json()["history"][0]["cause"], "purchase");
  const json set = {{"tier", "gold"}, {"reason", "complaint settled"}};
  EXPECT_EQ(c.Post("/v1/members/1/tier", set, clerk).status, 403);
  HttpResponse gold = c.Post("/v1/members/1/tier", set, admin);
  ASSERT_EQ(gold.status, 200) << gold.body;
  EXPECT_EQ(gold.Json()["history"][1]["cause"], "staff");

  // The TV comes back: a clerk may not take it; the store manager does, by receipt number. The
  // points tendered, the stored value and the bank card get their share; the points earned go.
  const std::string manager = Login(c, "zhou.manager", "onecard-manager");
  const json tv_back = {{"receipt", "R-7001"},
                        {"lines", json::array({{{"line", 1}, {"quantity", 1}}})},
                        {"doc_no", "RT-7001"},
                        {"reason", "screen cracked"}};
  EXPECT_EQ(c.Post("/v1/checkout/return", tv_back, clerk, "ret-7001").status, 403);
  EXPECT_EQ(c.Post("/v1/checkout/return", tv_back, manager).Json()["code"],
            "idempotency_key_missing");
  HttpResponse back = c.Post("/v1/checkout/return", tv_back, manager, "ret-7001");
  ASSERT_EQ(back.status, 201) << back.body;
  const json b = back.Json();
  EXPECT_EQ(b["refund"], 210000);
  EXPECT_EQ(b["points_restored"], 300);
  EXPECT_EQ(b["points_taken_back"], 2070);
  EXPECT_EQ(b["points_balance"], 350);
  EXPECT_EQ(b["stored_value_balance"], 48200);
  ASSERT_EQ(b["tenders"].size(), 3u);
  EXPECT_EQ(b["tenders"][2]["method"], "bank_card");
  EXPECT_EQ(b["tenders"][2]["refund"], 167000);
  EXPECT_EQ(b["tenders"][2]["reference"], "SLIP-1");
  HttpResponse again = c.Post("/v1/checkout/return", tv_back, manager, "ret-7001");
  EXPECT_EQ(again.Header("idempotent-replayed"), "true");
  EXPECT_EQ(again.Json()["id"], b["id"]);
  json twice = tv_back;
  twice["doc_no"] = "RT-7002";
  EXPECT_EQ(c.Post("/v1/checkout/return", twice, manager, "ret-7002").Json()["code"],
            "sale_already_returned");
  json foreign_line = twice;
  foreign_line["lines"] = json::array({{{"line", 1}, {"quantity", 1}, {"colour", "red"}}});
  EXPECT_EQ(c.Post("/v1/checkout/return", foreign_line, manager, "ret-7003").Json()["code"],
            "field_unknown");
  const std::string rid = std::to_string(b["id"].get<std::int64_t>());
  EXPECT_EQ(c.Get("/v1/returns/" + rid, clerk).status, 200);
  EXPECT_EQ(c.Get("/v1/returns/" + rid, other).Json()["code"], "sale_not_found");
  HttpResponse after = c.Get("/v1/sales/" + id, clerk);
  EXPECT_EQ(after.Json()["lines"][0]["returned"], 1);
  EXPECT_EQ(after.Json()["returns"][0]["doc_no"], "RT-7001");

  const std::string today =
      service::LocalDate("Asia/Shanghai", service::SystemClock().Now()).ToString();
  EXPECT_EQ(c.Post("/v1/jobs/tier-review", {{"as_of", today}}, clerk).status, 403);
  HttpResponse review = c.Post("/v1/jobs/tier-review", {{"as_of", today}}, admin);
  ASSERT_EQ(review.status, 200) << review.body;
  EXPECT_FALSE(review.Json()["note"].get<std::string>().empty()) << "P1a has no review";

  EXPECT_EQ(VerifyOk(c), "");
}

TEST_F(ServeTest, MarketingPublishesAProgrammeAndAClerkExplainsABasketWithIt) {
  Start();
  HttpClient c(port());
  const std::string marketing = Login(c, "marketing", "onecard-marketing");
  const std::string clerk = Login(c, "zhou.clerk", "onecard-clerk");
  const std::string finance = Login(c, "finance", "onecard-finance");
  std::ifstream in(std::string(ONECARD_SOURCE_DIR) + "/examples/programmes/p2.toml");
  const std::string p2((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  ASSERT_FALSE(p2.empty());

  const std::string broken =
      "[programme]\ncode = \"x\"\nname = \"x\"\n"
      "effective_from = \"2026-01-01\"\n[[tiers]]\ncode = \"a\"\n"
      "[[tiers]]\ncode = \"b\"\ndiscount = \"5\"\n";
  HttpResponse check = c.Post("/v1/programmes/validate", {{"document", broken}}, clerk);
  ASSERT_EQ(check.status, 200) << check.body;
  EXPECT_FALSE(check.Json()["valid"].get<bool>());
  ASSERT_EQ(check.Json()["problems"].size(), 2u) << check.body;
  EXPECT_EQ(check.Json()["problems"][1]["line"], 9);
  EXPECT_EQ(check.Json()["problems"][1]["path"], "tiers[1].discount");
  HttpResponse refused = c.Post("/v1/programmes", {{"document", broken}}, marketing);
  EXPECT_EQ(refused.status, 422) << refused.body;
  EXPECT_EQ(refused.Json()["field"], "document");

  EXPECT_EQ(c.Post("/v1/programmes", {{"document", p2}}, clerk).status, 403);
  // P2 names a "non-earning" category, which the demo's catalogue does not have yet.
  HttpResponse no_category = c.Post("/v1/programmes", {{"document", p2}}, marketing);
  EXPECT_EQ(no_category.status, 422) << no_category.body;
  EXPECT_NE(no_category.Json()["message"].get<std::string>().find("no category non-earning"),
            std::string::npos)
      << no_category.body;
  ASSERT_EQ(c.Post("/v1/categories", {{"code", "non-earning"}, {"name", "Non-earning"}}, marketing)
                .status,
            201);
  HttpResponse added = c.Post("/v1/programmes", {{"document", p2}}, marketing, "prog-add-1");
  ASSERT_EQ(added.status, 201) << added.body;
  EXPECT_EQ(added.Json()["status"], "draft");
  const int version = added.Json()["version"].get<int>();
  EXPECT_EQ(c.Post("/v1/programmes", {{"document", p2}}, marketing, "prog-add-1").Json()["version"],
            version)
      << "a retry returns the stored answer";
  EXPECT_EQ(c.Post("/v1/programmes/" + std::to_string(version) + "/activate", json::object(), clerk)
                .status,
            403);
  HttpResponse active =
      c.Post("/v1/programmes/" + std::to_string(version) + "/activate", json::object(), marketing);
  ASSERT_EQ(active.status, 200) << active.body;
  EXPECT_EQ(active.Json()["status"], "in_force");
  HttpResponse again =
      c.Post("/v1/programmes/" + std::to_string(version) + "/activate", json::object(), marketing);
  EXPECT_EQ(again.status, 409);
  EXPECT_EQ(again.Json()["code"], "programme_state_invalid");

  HttpResponse list = c.Get("/v1/programmes", finance);
  ASSERT_EQ(list.status, 200) << list.body;
  ASSERT_EQ(list.Json()["items"].size(), 2u) << "the demo's programme, and this one";
  EXPECT_EQ(list.Json()["items"][0]["version"], version);
  EXPECT_TRUE(list.Json()["items"][0]["document"].is_null()) << "a listing leaves it out";
  EXPECT_EQ(list.Json()["items"][1]["code"], "p1a");
  EXPECT_EQ(list.Json()["items"][1]["status"], "superseded");
  HttpResponse one = c.Get("/v1/programmes/" + std::to_string(version), clerk);
  ASSERT_EQ(one.status, 200) << one.body;
  EXPECT_EQ(one.Json()["document"], p2);
  EXPECT_EQ(c.Get("/v1/programmes/99", clerk).Json()["code"], "programme_not_found");
  EXPECT_EQ(c.Get("/v1/programmes/x", clerk).status, 422);

  // The clerk prices a sofa for a silver member: the purchase qualifies for gold and is priced
  // at gold, and the explanation says why.
  const json basket = json::array(
      {{{"sku", "SOFA"}, {"price", "16000.00"}},
       {{"sku", "GIFT-WRAP"}, {"price", "10.00"}, {"categories", json::array({"non-earning"})}}});
  HttpResponse e =
      c.Post("/v1/programmes/explain", {{"lines", basket}, {"member", {{"tier", "silver"}}}},
             clerk);  // now, at sh01
  ASSERT_EQ(e.status, 200) << e.body;
  EXPECT_EQ(e.Json()["version"], version);
  EXPECT_EQ(e.Json()["tier"], "gold");
  EXPECT_EQ(e.Json()["paid_total"], "14409.00");
  EXPECT_EQ(e.Json()["points"], 432);
  EXPECT_FALSE(e.Json()["explain"].empty());

  // The demo's own programme (P1a, version 1) by number: what 1,000 points pay at gold.
  HttpResponse p1a =
      c.Post("/v1/programmes/explain",
             {{"lines", basket}, {"version", 1}, {"member", {{"tier", "gold"}, {"balance", 1000}}}},
             clerk);
  ASSERT_EQ(p1a.status, 200) << p1a.body;
  EXPECT_EQ(p1a.Json()["redeem"]["point_value"], "0.30");
  EXPECT_EQ(p1a.Json()["redeem"]["max_points"], 1000);
  EXPECT_EQ(p1a.Json()["redeem"]["max_value"], "300.00");
  EXPECT_EQ(
      c.Post("/v1/programmes/explain", {{"lines", basket}, {"member", {{"balance", -1}}}}, clerk)
          .Json()["field"],
      "member.balance");

  HttpResponse negative = c.Post(
      "/v1/programmes/explain",
      {{"lines", json::array({{{"sku", "SOFA"}, {"price", "-1.00"}}})}, {"date", "2026-12-01"}},
      clerk);
  EXPECT_EQ(negative.status, 422);
  EXPECT_EQ(negative.Json()["field"], "lines[0].price");
  HttpResponse no_lines = c.Post("/v1/programmes/explain", {{"date", "2026-12-01"}}, clerk);
  EXPECT_EQ(no_lines.Json()["field"], "lines");
  HttpResponse before =
      c.Post("/v1/programmes/explain", {{"lines", basket}, {"date", "2020-01-01"}}, clerk);
  EXPECT_EQ(before.status, 404) << "nothing was in force in 2020";
  EXPECT_EQ(before.Json()["code"], "programme_not_found");
  EXPECT_EQ(c.Get("/v1/programmes").status, 401);
}

TEST_F(ServeTest, ServerPastItsConnectionLimitAnswers503) {
  Start({"--threads", "1"});
  server_->Stop(SIGTERM);
  setenv("ONECARD_MAX_CONNECTIONS", "2", 1);
  Start();
  unsetenv("ONECARD_MAX_CONNECTIONS");
  HttpClient a(port()), b(port()), third(port());
  ASSERT_EQ(a.Get("/healthz").status, 200);
  ASSERT_EQ(b.Get("/healthz").status, 200);
  HttpResponse r = third.Get("/healthz");
  EXPECT_EQ(r.status, 503);
  EXPECT_EQ(r.Json()["code"], "too_many_connections");
  a.Close();
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  HttpClient fourth(port());
  EXPECT_EQ(fourth.Get("/healthz").status, 200);
}

// SIGTERM under load: every write that was answered 200 is in the database afterwards, and the
// books balance.
TEST_F(ServeTest, SigtermDuringLoadLosesNoAcknowledgedWrite) {
  Start();
  const std::string token = [&] {
    HttpClient c(port());
    return Login(c, "zhou.clerk", "onecard-clerk");
  }();
  std::mutex mu;
  std::vector<std::int64_t> acked;
  std::atomic<bool> stop{false};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      HttpClient own(port());
      for (int i = 0; !stop; ++i) {
        HttpResponse r = own.Post("/v1/points/earn", {{"card", kZhang}, {"points", 1}}, token,
                                  "load-" + std::to_string(t) + "-" + std::to_string(i));
        if (r.status == 200) {
          std::lock_guard lock(mu);
          acked.push_back(r.Json()["entry_id"].get<std::int64_t>());
        } else if (r.status == 0) {
          return;  // the server went away
        }
      }
    });
  }
  // Under load (a busy CI machine, sanitizers) the first answers may take a while: stop once a
  // good number has been acknowledged rather than after a fixed time.
  for (int waited = 0; waited < 200; ++waited) {
    {
      std::lock_guard lock(mu);
      if (acked.size() > 50) break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_EQ(server_->Stop(SIGTERM), 0) << "a graceful shutdown exits 0";
  stop = true;
  for (auto& t : threads) t.join();
  ASSERT_GT(acked.size(), 10u);

  auto store = storage::sqlite::OpenStore(db_, {.mode = storage::OpenMode::kExisting});
  ASSERT_TRUE(store) << store.error().ToString();
  service::SystemClock clock;
  service::Services services(**store, clock);
  auto tenant = services.org().ResolveTenant("");
  ASSERT_TRUE(tenant);
  for (std::int64_t id : acked) {
    EXPECT_TRUE(services.ledger().Entry(*tenant, core::EntryId{id})) << "entry " << id;
  }
  auto report = services.Verify();
  ASSERT_TRUE(report);
  EXPECT_TRUE(report->ok);
}

// Head-office marketing keeps the catalogue over HTTP — products one by one and as CSV, a
// category renamed, a promotion set and ended — and a clerk sells by SKU at the catalogue's price.
TEST_F(ServeTest, MarketingKeepsTheCatalogueAndAClerkSellsBySku) {
  Start();
  HttpClient c(port());
  const std::string marketing = Login(c, "marketing", "onecard-marketing");
  const std::string clerk = Login(c, "zhou.clerk", "onecard-clerk");
  auto put = [&](const std::string& target, const json& body, const std::string& token) {
    return c.Send("PUT", target, body.dump(), {{"Authorization", "Bearer " + token}});
  };

  // The demo's catalogue, as a clerk sees it.
  HttpResponse tree = c.Get("/v1/categories", clerk);
  ASSERT_EQ(tree.status, 200) << tree.body;
  ASSERT_EQ(tree.Json()["items"].size(), 7u);
  EXPECT_EQ(tree.Json()["items"][2]["code"], "tea");
  EXPECT_EQ(tree.Json()["items"][3]["path"], json::array({"tea", "green-tea"}));
  HttpResponse teas = c.Get("/v1/products?category=tea", clerk);
  ASSERT_EQ(teas.status, 200) << teas.body;
  ASSERT_EQ(teas.Json()["items"].size(), 2u) << "products in the categories below tea";
  EXPECT_TRUE(teas.Json()["next_after"].is_null()) << "the last page";
  HttpResponse tgy = c.Get("/v1/products/TEA-TGY-250", clerk);
  ASSERT_EQ(tgy.status, 200) << tgy.body;
  EXPECT_EQ(tgy.Json()["list_price"], 12800);
  EXPECT_EQ(tgy.Json()["tier_prices"][1], json({{"tier", "gold"}, {"price", 11500}}));
  EXPECT_EQ(c.Get("/v1/products/NOPE", clerk).Json()["code"], "product_not_found");
  HttpResponse page = c.Get("/v1/products?limit=2", clerk);
  ASSERT_EQ(page.status, 200);
  EXPECT_EQ(page.Json()["next_after"], "CAKE-EGG");
  EXPECT_EQ(c.Get("/v1/products?limit=2&after=CAKE-EGG", clerk).Json()["items"][0]["sku"],
            "CAKE-MOON-6");
  EXPECT_EQ(c.Get("/v1/products?include_retired=maybe", clerk).status, 422);

  // A product put by marketing; a clerk may not; bad fields are named.
  const json scone = {{"name", "Scone 司康"},
                      {"list_price", 1200},
                      {"categories", {"bakery"}},
                      {"tier_prices", {{"diamond", 1000}}}};
  EXPECT_EQ(put("/v1/products/SCONE", scone, clerk).status, 403);
  HttpResponse created = put("/v1/products/SCONE", scone, marketing);
  ASSERT_EQ(created.status, 200) << created.body;
  EXPECT_EQ(created.Json()["item_class"], "goods");
  json dear = scone;
  dear["tier_prices"] = {{"diamond", 1201}};
  HttpResponse refused = put("/v1/products/SCONE", dear, marketing);
  EXPECT_EQ(refused.status, 422) << refused.body;
  EXPECT_EQ(refused.Json()["field"], "tier_prices.diamond");
  json unknown = scone;
  unknown["colour"] = "red";
  EXPECT_EQ(put("/v1/products/SCONE", unknown, marketing).Json()["code"], "field_unknown");
  json no_category = scone;
  no_category["categories"] = {"cakes"};
  EXPECT_EQ(put("/v1/products/SCONE", no_category, marketing).Json()["code"], "category_not_found");
  HttpResponse renamed = c.Send("PATCH", "/v1/categories/oolong", json({{"name", "乌龙茶"}}).dump(),
                                {{"Authorization", "Bearer " + marketing}});
  ASSERT_EQ(renamed.status, 200) << renamed.body;
  EXPECT_EQ(renamed.Json()["name"], "乌龙茶");

  // CSV: exported for everyone, imported by marketing, all or nothing.
  HttpResponse csv = c.Get("/v1/products.csv", clerk);
  ASSERT_EQ(csv.status, 200) << csv.body;
  EXPECT_EQ(csv.Header("content-type"), "text/csv; charset=utf-8");
  EXPECT_TRUE(
      csv.body.starts_with("sku,name,list_price,item_class,categories,non_earning,bundle,"
                           "status,price:diamond,price:gold\r\n"))
      << csv.body;
  EXPECT_NE(csv.body.find("SCONE,Scone 司康,12.00,goods,bakery,no,no,active,10.00,\r\n"),
            std::string::npos)
      << csv.body;
  const std::vector<std::pair<std::string, std::string>> auth = {
      {"Authorization", "Bearer " + marketing}, {"Content-Type", "text/csv"}};
  EXPECT_EQ(c.Send("POST", "/v1/products.csv", csv.body,
                   {{"Authorization", "Bearer " + clerk}, {"Content-Type", "text/csv"}})
                .status,
            403);
  HttpResponse same = c.Send("POST", "/v1/products.csv", csv.body, auth);
  ASSERT_EQ(same.status, 200) << same.body;
  EXPECT_EQ(same.Json()["unchanged"], 8);
  HttpResponse bad = c.Send("POST", "/v1/products.csv", "sku,list_price\nBAG,1\nSCONE,x\n", auth);
  EXPECT_EQ(bad.status, 422) << bad.body;
  EXPECT_EQ(bad.Json()["field"], "csv");
  EXPECT_NE(bad.Json()["message"].get<std::string>().find("line 3, list_price"), std::string::npos)
      << bad.body;
  HttpResponse cheaper = c.Send("POST", "/v1/products.csv", "sku,list_price\nBAG,0.50\n", auth);
  ASSERT_EQ(cheaper.status, 200) << cheaper.body;
  EXPECT_EQ(cheaper.Json()["updated"], 1);

  // A promotion: the demo's mooncake week is in force; another for Longjing is added and ended.
  HttpResponse promos = c.Get("/v1/promotions", clerk);
  ASSERT_EQ(promos.status, 200) << promos.body;
  ASSERT_EQ(promos.Json()["items"].size(), 1u);
  EXPECT_EQ(promos.Json()["items"][0]["sku"], "CAKE-MOON-6");
  EXPECT_EQ(promos.Json()["items"][0]["status"], "in_force");
  const std::string today =
      service::LocalDate("Asia/Shanghai", service::SystemClock().Now()).ToString();
  const std::string week =
      service::LocalDate("Asia/Shanghai", service::SystemClock().Now()).PlusDays(7).ToString();
  const json longjing = {
      {"sku", "TEA-LJ-250"}, {"name", "New tea"}, {"price", 15000}, {"from", today}, {"to", week}};
  HttpResponse added = c.Post("/v1/promotions", longjing, marketing);
  ASSERT_EQ(added.status, 201) << added.body;
  EXPECT_EQ(added.Json()["status"], "in_force");
  HttpResponse overlap = c.Post("/v1/promotions", longjing, marketing);
  EXPECT_EQ(overlap.status, 409);
  EXPECT_EQ(overlap.Json()["code"], "promotion_overlaps");
  json backwards = longjing;
  backwards["to"] = "2020-01-01";
  EXPECT_EQ(c.Post("/v1/promotions", backwards, marketing).Json()["field"], "to");

  // The clerk sells by SKU: the catalogue prices each line, the promotions too.
  const json lines = json::array(
      {{{"sku", "CAKE-MOON-6"}, {"quantity", 2}}, {{"sku", "TEA-LJ-250"}}, {{"sku", "BAG"}}});
  HttpResponse quote = c.Post("/v1/checkout/quote", {{"card", kZhang}, {"lines", lines}}, clerk);
  ASSERT_EQ(quote.status, 200) << quote.body;
  EXPECT_EQ(quote.Json()["list_total"], 2 * 19800 + 16800 + 50);
  EXPECT_EQ(quote.Json()["due"], 2 * 15800 + 15000 + 50);
  const std::string id = std::to_string(added.Json()["id"].get<std::int64_t>());
  HttpResponse ended = c.Post("/v1/promotions/" + id + "/end", json::object(), marketing);
  ASSERT_EQ(ended.status, 200) << ended.body;
  EXPECT_EQ(ended.Json()["status"], "ended");
  EXPECT_EQ(c.Post("/v1/promotions/" + id + "/end", json::object(), marketing).status, 422);
  EXPECT_EQ(c.Post("/v1/promotions/999/end", json::object(), marketing).status, 404);
  HttpResponse sale =
      c.Post("/v1/checkout/settle",
             {{"card", kZhang},
              {"lines", lines},
              {"doc_no", "SKU-1"},
              {"tenders", json::array({{{"method", "cash"}, {"amount", 2 * 15800 + 16800 + 50}}})}},
             clerk, "sku-sale-1");
  ASSERT_EQ(sale.status, 201) << sale.body;
  EXPECT_EQ(sale.Json()["lines"][1]["paid"], 16800) << "the Longjing promotion has ended";
  EXPECT_EQ(sale.Json()["lines"][2]["points"], 0) << "the bag is non-earning";
  EXPECT_EQ(sale.Json()["points_earned"], 484);
  HttpResponse unknown_sku =
      c.Post("/v1/checkout/quote", {{"lines", json::array({{{"sku", "NOPE"}}})}}, clerk);
  EXPECT_EQ(unknown_sku.status, 404);
  EXPECT_EQ(unknown_sku.Json()["field"], "lines[0].sku");
  EXPECT_EQ(VerifyOk(c), "");
}

}  // namespace
}  // namespace onecard::testing

namespace onecard::testing {
namespace {

// Gift cards over HTTP (issue #5 item 7): a clerk checks a demo card's balance with its PIN and
// takes it at the till for a walk-in; wrong PINs are counted and lock the card; many
// connections paying with one card never overdraw it; head office makes a batch (PINs shown
// once) and finance takes a reconciliation report that balances; who may do what.
TEST_F(ServeTest, GiftCardsAreSoldCheckedPaidWithAndReconciledOverHttp) {
  constexpr const char* kSpent = "88000000070";   // ¥154.50 left, PIN 246810
  constexpr const char* kFull = "88000000096";    // ¥200, PIN 135790
  constexpr const char* kUnsold = "88000000104";  // PIN 112233
  Start();
  HttpClient c(port());
  const std::string clerk = Login(c, "zhou.clerk", "onecard-clerk");
  const std::string manager = Login(c, "zhou.manager", "onecard-manager");
  const std::string marketing = Login(c, "marketing", "onecard-marketing");
  const std::string finance = Login(c, "finance", "onecard-finance");

  HttpResponse balance =
      c.Post("/v1/gift-cards/balance", {{"card", kSpent}, {"pin", "246810"}}, clerk);
  ASSERT_EQ(balance.status, 200) << balance.body;
  EXPECT_EQ(balance.Json()["balance"], 15450);
  EXPECT_EQ(balance.Json().count("pin_hash"), 0u);
  HttpResponse wrong =
      c.Post("/v1/gift-cards/balance", {{"card", kSpent}, {"pin", "111111"}}, clerk);
  EXPECT_EQ(wrong.status, 409) << wrong.body;
  EXPECT_EQ(wrong.Json()["code"], "gift_pin_wrong");
  EXPECT_EQ(c.Post("/v1/gift-cards/balance", {{"card", kSpent}, {"pin", "2468"}, {"x", 1}}, clerk)
                .Json()["code"],
            "field_unknown");

  // A walk-in pays ¥60 with the card and ¥10 cash; the receipt shows what is left on it.
  const json sale = {
      {"lines", json::array({{{"sku", "TEA-OPEN"}, {"price", "70.00"}}})},
      {"doc_no", "GW-1"},
      {"tenders",
       json::array(
           {{{"method", "gift_card"}, {"card", kSpent}, {"pin", "246810"}, {"amount", 6000}},
            {{"method", "cash"}, {"amount", 1000}}})}};
  HttpResponse paid = c.Post("/v1/checkout/settle", sale, clerk, "gw-1");
  ASSERT_EQ(paid.status, 201) << paid.body;
  EXPECT_EQ(paid.Json()["tenders"][0]["card"], kSpent);
  EXPECT_EQ(paid.Json()["tenders"][0]["balance_after"], 9450);
  EXPECT_EQ(paid.body.find("246810"), std::string::npos);
  HttpResponse replay = c.Post("/v1/checkout/settle", sale, clerk, "gw-1");
  EXPECT_EQ(replay.status, 201);
  EXPECT_EQ(replay.body, paid.body);
  json pin_wrong = sale;
  pin_wrong["doc_no"] = "GW-2";
  pin_wrong["tenders"][0]["pin"] = "000000";
  HttpResponse refused = c.Post("/v1/checkout/settle", pin_wrong, clerk, "gw-2");
  EXPECT_EQ(refused.status, 409) << refused.body;
  EXPECT_EQ(refused.Json()["field"], "pin");

  // Sixteen connections pay ¥30 each from the ¥200 card at once: six are paid, none overdraws.
  std::atomic<int> ok{0};
  std::atomic<int> short_of{0};
  std::vector<std::thread> tills;
  for (int t = 0; t < 16; ++t) {
    tills.emplace_back([&, t] {
      HttpClient till(port());
      json s = sale;
      s["doc_no"] = "GC-" + std::to_string(t);
      s["lines"][0]["price"] = "30.00";
      s["tenders"] = json::array(
          {{{"method", "gift_card"}, {"card", kFull}, {"pin", "135790"}, {"amount", 3000}}});
      HttpResponse r = till.Post("/v1/checkout/settle", s, clerk, "gc-" + std::to_string(t));
      if (r.status == 201) {
        ++ok;
      } else if (r.Json()["code"] == "insufficient_balance") {
        ++short_of;
      } else {
        ADD_FAILURE() << r.status << " " << r.body;
      }
    });
  }
  for (std::thread& t : tills) t.join();
  EXPECT_EQ(ok.load(), 6);
  EXPECT_EQ(short_of.load(), 10);
  EXPECT_EQ(c.Post("/v1/gift-cards/balance", {{"card", kFull}, {"pin", "135790"}}, clerk)
                .Json()["balance"],
            2000);

  // Five wrong PINs lock the card (429, Retry-After); a manager unlocks it, a clerk may not.
  for (int i = 0; i < 4; ++i) {
    c.Post("/v1/gift-cards/balance", {{"card", kUnsold}, {"pin", "999999"}}, clerk);
  }
  HttpResponse locked =
      c.Post("/v1/gift-cards/balance", {{"card", kUnsold}, {"pin", "999999"}}, clerk);
  EXPECT_EQ(locked.status, 429) << locked.body;
  EXPECT_EQ(locked.Json()["code"], "gift_card_locked");
  EXPECT_FALSE(locked.Header("retry-after").empty());
  EXPECT_EQ(
      c.Post(std::string("/v1/gift-cards/") + kUnsold + "/unlock", json::object(), clerk).status,
      403);
  HttpResponse unlocked =
      c.Post(std::string("/v1/gift-cards/") + kUnsold + "/unlock", json::object(), manager);
  ASSERT_EQ(unlocked.status, 200) << unlocked.body;
  EXPECT_EQ(unlocked.Json()["locked"], false);
  EXPECT_EQ(c.Post(std::string("/v1/gift-cards/") + kUnsold + "/pin", json::object(), clerk).status,
            403);
  HttpResponse new_pin = c.Post(std::string("/v1/gift-cards/") + kUnsold + "/pin",
                                {{"pin_length", 8}}, manager, "pin-1");
  ASSERT_EQ(new_pin.status, 200) << new_pin.body;
  const std::string pin8 = new_pin.Json()["pin"];
  EXPECT_EQ(pin8.size(), 8u);
  EXPECT_EQ(c.Post("/v1/gift-cards/balance", {{"card", kUnsold}, {"pin", pin8}}, clerk).status,
            200);
  EXPECT_EQ(c.Post(std::string("/v1/gift-cards/") + kUnsold + "/pin", {{"pin_length", 8}}, manager,
                   "pin-1")
                .Json()["pin"],
            "");

  // Head office makes a batch: PINs in this reply only; a clerk may not make one or sell it
  // elsewhere; the clerk sells one card at their store.
  const json batch = {
      {"code", "spring"}, {"name", "Spring ¥100"}, {"face_value", 10000}, {"count", 2}};
  EXPECT_EQ(c.Post("/v1/gift-batches", batch, clerk).status, 403);
  HttpResponse made = c.Post("/v1/gift-batches", batch, marketing, "batch-spring");
  ASSERT_EQ(made.status, 201) << made.body;
  ASSERT_EQ(made.Json()["issued"].size(), 2u);
  const std::string number = made.Json()["issued"][0]["number"];
  const std::string pin = made.Json()["issued"][0]["pin"];
  HttpResponse again = c.Post("/v1/gift-batches", batch, marketing, "batch-spring");
  EXPECT_EQ(again.status, 201);
  EXPECT_TRUE(again.Json()["issued"].empty());
  EXPECT_EQ(
      c.Post("/v1/gift-cards/activate", {{"numbers", {number}}, {"doc_no", "GS-1"}}, clerk).status,
      422);  // no Idempotency-Key
  EXPECT_EQ(c.Post("/v1/gift-cards/activate",
                   {{"numbers", {number}}, {"doc_no", "GS-1"}, {"store", "bj01"}}, clerk, "gs-0")
                .status,
            403);
  HttpResponse sold =
      c.Post("/v1/gift-cards/activate", {{"numbers", {number}}, {"doc_no", "GS-1"}}, clerk, "gs-1");
  ASSERT_EQ(sold.status, 201) << sold.body;
  EXPECT_EQ(sold.Json()["total"], 10000);
  EXPECT_EQ(
      c.Post("/v1/gift-cards/balance", {{"card", number}, {"pin", pin}}, clerk).Json()["balance"],
      10000);
  HttpResponse cards = c.Get("/v1/gift-batches/spring/cards", manager);
  ASSERT_EQ(cards.status, 200) << cards.body;
  EXPECT_EQ(cards.Json()["items"].size(), 2u);
  EXPECT_EQ(cards.body.find(pin), std::string::npos);
  EXPECT_EQ(c.Get("/v1/gift-batches/nope", manager).Json()["code"], "gift_batch_not_found");

  // Finance reconciles: the report balances; listings as JSON and CSV. Clerks see none of it.
  EXPECT_EQ(c.Post("/v1/gift-reports", json::object(), clerk).status, 403);
  EXPECT_EQ(c.Get("/v1/gift-listings/consumption", clerk).status, 403);
  HttpResponse report = c.Post("/v1/gift-reports", json::object(), finance);
  ASSERT_EQ(report.status, 201) << report.body;
  EXPECT_EQ(report.Json()["balanced"], true) << report.body;
  EXPECT_EQ(report.Json()["closing"], 9450 + 2000 + 10000);
  EXPECT_EQ(report.Json()["issued"], 20000 + 20000 + 10000);
  const std::string id = std::to_string(report.Json()["id"].get<std::int64_t>());
  HttpResponse report_csv = c.Get("/v1/gift-reports/" + id + "/report.csv", finance);
  EXPECT_EQ(report_csv.status, 200);
  EXPECT_NE(report_csv.body.find("balance now,214.50"), std::string::npos) << report_csv.body;
  HttpResponse consumed = c.Get("/v1/gift-listings/consumption?limit=3", finance);
  ASSERT_EQ(consumed.status, 200) << consumed.body;
  EXPECT_EQ(consumed.Json()["count"], 3);
  EXPECT_FALSE(consumed.Json()["next_after"].is_null());
  HttpResponse all = c.Get("/v1/gift-listings/consumption.csv", finance);
  EXPECT_EQ(all.Header("content-type"), "text/csv; charset=utf-8");
  EXPECT_NE(all.body.find("total,8 postings,,,,,,,-285.50"), std::string::npos) << all.body;
  EXPECT_EQ(c.Get("/v1/gift-listings/issuance?from=2020-13-01", finance).status, 422);
  EXPECT_EQ(VerifyOk(c), "");
}

}  // namespace
}  // namespace onecard::testing

namespace onecard::testing {
namespace {

TEST_F(ServeTest, CouponsAreIssuedUsedOnceAndGuessesLockATillOutOverHttp) {
  Start();
  HttpClient c(port());
  const std::string clerk = Login(c, "zhou.clerk", "onecard-clerk");
  const std::string manager = Login(c, "zhou.manager", "onecard-manager");
  const std::string marketing = Login(c, "marketing", "onecard-marketing");

  // The demo's 张伟 has a 20% coupon; identify lists it, without its code.
  HttpResponse who = c.Post("/v1/checkout/identify", {{"card", kZhang}}, clerk);
  ASSERT_EQ(who.status, 200) << who.body;
  ASSERT_EQ(who.Json()["coupons"].size(), 1u) << who.body;
  const json vip = who.Json()["coupons"][0];
  EXPECT_EQ(vip["campaign"], "vip20");
  EXPECT_EQ(vip["code"], "");
  const std::int64_t vip_id = vip["id"];

  // A quote with the promo code and the member's coupon: each says what it took off.
  const json basket = {{"card", kZhang},
                       {"lines", json::array({{{"sku", "TEA-OPEN"}, {"price", "150.00"}}})},
                       {"coupons", json::array({"welcome10", {{"id", vip_id}}})}};
  HttpResponse quote = c.Post("/v1/checkout/quote", basket, clerk);
  ASSERT_EQ(quote.status, 200) << quote.body;
  ASSERT_EQ(quote.Json()["coupons"].size(), 2u) << quote.body;
  EXPECT_EQ(quote.Json()["coupons"][0]["discount"], 1000);
  EXPECT_GT(quote.Json()["coupons"][1]["discount"].get<std::int64_t>(), 0);
  json bad = basket;
  bad["coupons"] = json::array({{{"id", vip_id}, {"pin", "1"}}});
  EXPECT_EQ(c.Post("/v1/checkout/quote", bad, clerk).Json()["code"], "field_unknown");

  // Marketing makes a single-use ¥5 campaign and a batch of one bearer coupon; a clerk may do
  // neither, a manager may issue to a member but not make a batch.
  const json campaign = {
      {"code", "flash"}, {"name", "Flash ¥5"}, {"kind", "fixed"}, {"amount_off", 500}};
  EXPECT_EQ(c.Post("/v1/coupon-campaigns", campaign, clerk).status, 403);
  HttpResponse made = c.Post("/v1/coupon-campaigns", campaign, marketing);
  ASSERT_EQ(made.status, 201) << made.body;
  EXPECT_EQ(made.Json()["terms"], "¥5.00 off");
  EXPECT_EQ(c.Post("/v1/coupon-campaigns/flash/coupons", {{"count", 1}}, manager, "b-0").status,
            403);
  HttpResponse member_one =
      c.Post("/v1/coupon-campaigns/flash/coupons", {{"card", kZhang}}, manager, "m-1");
  EXPECT_EQ(member_one.status, 201) << member_one.body;
  EXPECT_EQ(c.Post("/v1/coupon-campaigns/flash/coupons", {{"count", 1}}, marketing).status,
            422);  // no Idempotency-Key
  HttpResponse batch =
      c.Post("/v1/coupon-campaigns/flash/coupons", {{"count", 1}}, marketing, "b-1");
  ASSERT_EQ(batch.status, 201) << batch.body;
  const std::string code = batch.Json()["coupons"][0]["code"];
  ASSERT_EQ(code.size(), 19u);
  HttpResponse replayed =
      c.Post("/v1/coupon-campaigns/flash/coupons", {{"count", 1}}, marketing, "b-1");
  EXPECT_EQ(replayed.body.find(code), std::string::npos);

  // Sixteen tills use the one bearer coupon at once: exactly one sale gets it.
  std::atomic<int> ok{0};
  std::atomic<int> used_up{0};
  std::vector<std::thread> tills;
  for (int t = 0; t < 16; ++t) {
    tills.emplace_back([&, t] {
      HttpClient till(port());
      const json s = {{"lines", json::array({{{"sku", "TEA-OPEN"}, {"price", "20.00"}}})},
                      {"coupons", json::array({code})},
                      {"doc_no", "CP-" + std::to_string(t)},
                      {"tenders", json::array({{{"method", "cash"}, {"amount", 1500}}})}};
      HttpResponse r = till.Post("/v1/checkout/settle", s, clerk, "cp-" + std::to_string(t));
      if (r.status == 201) {
        ++ok;
        EXPECT_EQ(r.Json()["coupons"][0]["discount"], 500);
      } else if (r.Json()["code"] == "coupon_used_up") {
        ++used_up;
      } else {
        ADD_FAILURE() << r.status << " " << r.body;
      }
    });
  }
  for (std::thread& t : tills) t.join();
  EXPECT_EQ(ok.load(), 1);
  EXPECT_EQ(used_up.load(), 15);
  HttpResponse flash = c.Get("/v1/coupon-campaigns/flash", marketing);
  EXPECT_EQ(flash.Json()["used"], 1);
  EXPECT_EQ(flash.Json()["issued"], 2);
  const std::int64_t bearer_id = batch.Json()["coupons"][0]["id"];
  HttpResponse one = c.Get("/v1/coupons/" + std::to_string(bearer_id), marketing);
  ASSERT_EQ(one.status, 200) << one.body;
  EXPECT_EQ(one.Json()["redemptions"].size(), 1u);
  EXPECT_EQ(c.Get("/v1/coupons/" + std::to_string(bearer_id), clerk).status, 403);

  // A promo code checks out before the basket is rung up.
  HttpResponse promo = c.Post("/v1/coupons/check", {{"code", "WELCOME10"}}, clerk);
  ASSERT_EQ(promo.status, 200) << promo.body;
  EXPECT_EQ(promo.Json()["kind"], "promo_code");
  EXPECT_EQ(promo.Json()["usable"], true);

  // Guessing: 20 unknown codes from the clerk, then the clerk is locked out (429, Retry-After).
  for (int i = 0; i < 20; ++i) {
    HttpResponse r = c.Post("/v1/coupons/check",
                            {{"code", "ZZZZ-ZZZZ-ZZZZ-ZZ" + std::to_string(10 + i)}}, clerk);
    EXPECT_EQ(r.status, 404) << r.body;
    EXPECT_EQ(r.Json()["code"], "coupon_not_found");
  }
  HttpResponse locked = c.Post("/v1/coupons/check", {{"code", "WELCOME10"}}, clerk);
  EXPECT_EQ(locked.status, 429) << locked.body;
  EXPECT_EQ(locked.Json()["code"], "coupon_client_locked");
  EXPECT_FALSE(locked.Header("retry-after").empty());
  // The manager's till is at the same address: locked out too, for the same window.
  EXPECT_EQ(c.Post("/v1/coupons/check", {{"code", "WELCOME10"}}, manager).status, 429);
  EXPECT_EQ(VerifyOk(c), "");
}

TEST_F(ServeTest, AClerkQuotesAndTakesATopUpWithTheProgrammesBonus) {
  Start();
  HttpClient c(port());
  const std::string clerk = Login(c, "zhou.clerk", "onecard-clerk");  // at sh01
  const json ask = {{"card", kZhang}, {"amount", 100000}};  // ¥1,000 at the ordinary tier

  // The demo's plan for the lower tiers: ¥50 for every full ¥500.
  HttpResponse quote = c.Post("/v1/value/top-up/quote", ask, clerk);
  ASSERT_EQ(quote.status, 200) << quote.body;
  EXPECT_EQ(quote.Json()["quote"], true);
  EXPECT_EQ(quote.Json()["bonus"], 10000);
  EXPECT_EQ(quote.Json()["plan"], "¥50 for every ¥500");
  EXPECT_EQ(quote.Json()["balance_after"], 48200 + 100000 + 10000);
  EXPECT_EQ(quote.Json()["tier_before"], "ordinary");

  EXPECT_EQ(c.Post("/v1/value/top-up", ask, clerk).Json()["code"], "idempotency_key_missing");
  HttpResponse done = c.Post("/v1/value/top-up", ask, clerk, "till-1-topup-1");
  ASSERT_EQ(done.status, 200) << done.body;
  EXPECT_EQ(done.Json()["bonus"], 10000);
  EXPECT_EQ(done.Json()["balance_after"], 158200);
  EXPECT_EQ(done.Json()["entry"]["kind"], "top_up");
  EXPECT_EQ(done.Json()["entry"]["store"], "sh01");
  EXPECT_EQ(done.Json()["explain"], quote.Json()["explain"]);
  HttpResponse replay = c.Post("/v1/value/top-up", ask, clerk, "till-1-topup-1");
  ASSERT_EQ(replay.status, 200) << replay.body;
  EXPECT_EQ(replay.Header("idempotent-replayed"), "true");
  EXPECT_EQ(replay.Json()["entry"]["entry_id"], done.Json()["entry"]["entry_id"]);

  // Where a plan decides, a bonus typed in is refused; so is less than the programme's minimum.
  json entered = ask;
  entered["bonus"] = 5000;
  HttpResponse refused = c.Post("/v1/value/top-up", entered, clerk, "till-1-topup-2");
  EXPECT_EQ(refused.status, 422) << refused.body;
  EXPECT_EQ(refused.Json()["field"], "bonus");
  HttpResponse small =
      c.Post("/v1/value/top-up", {{"card", kZhang}, {"amount", 4999}}, clerk, "till-1-topup-3");
  EXPECT_EQ(small.status, 422) << small.body;
  EXPECT_EQ(small.Json()["field"], "amount");
  EXPECT_EQ(
      c.Post("/v1/value/top-up/quote", {{"card", kZhang}, {"amount", 100}, {"colour", 1}}, clerk)
          .Json()["code"],
      "field_unknown");
  HttpResponse balance = c.Get(std::string("/v1/cards/") + kZhang + "/balance", clerk);
  const json assets = balance.Json()["assets"];
  for (const auto& a : assets) {
    if (a["asset"] == "stored_value") {
      EXPECT_EQ(a["balance"], 158200);
    }
  }

  // Marketing restricts top-ups to store managers at sh01: the clerk is refused with 403 (the
  // role comes from the login), the manager of sh01 may.
  std::ifstream in(std::string(ONECARD_SOURCE_DIR) + "/examples/programmes/p1a.toml");
  const std::string p1a((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const std::string marketing = Login(c, "marketing", "onecard-marketing");
  HttpResponse added = c.Post(
      "/v1/programmes",
      {{"document", p1a + "\n[stored_value]\nstores = [\"sh01\"]\nroles = [\"store_manager\"]\n"}},
      marketing, "prog-sv-1");
  ASSERT_EQ(added.status, 201) << added.body;
  ASSERT_EQ(
      c.Post("/v1/programmes/" + std::to_string(added.Json()["version"].get<int>()) + "/activate",
             json::object(), marketing)
          .status,
      200);
  HttpResponse clerk_refused = c.Post("/v1/value/top-up", ask, clerk, "till-1-topup-4");
  EXPECT_EQ(clerk_refused.status, 403) << clerk_refused.body;
  EXPECT_EQ(clerk_refused.Json()["code"], "top_up_not_permitted");
  EXPECT_EQ(clerk_refused.Json()["field"], "staff");
  const std::string manager = Login(c, "zhou.manager", "onecard-manager");
  HttpResponse by_manager = c.Post("/v1/value/top-up", ask, manager, "till-1-topup-5");
  ASSERT_EQ(by_manager.status, 200) << by_manager.body;
  EXPECT_EQ(by_manager.Json()["bonus"], 0) << "the new version has no plans";
  EXPECT_EQ(VerifyOk(c), "");
}

TEST_F(ServeTest, AClerkPaysForTeaWithAMembersCountCardOverHttp) {
  Start();
  HttpClient c(port());
  const std::string clerk = Login(c, "wang.clerk", "onecard-clerk");  // at bj01
  const std::string admin = Login(c, "admin", "onecard-admin");
  const std::string li = "13900139000";   // 李娜's card (her phone number)
  const std::string tea = "88000000088";  // her "10 teas" card: 8 uses left

  HttpResponse who = c.Post("/v1/checkout/identify", {{"phone", li}}, clerk);
  ASSERT_EQ(who.status, 200) << who.body;
  ASSERT_EQ(who.Json()["passes"].size(), 1u) << who.body;
  EXPECT_EQ(who.Json()["passes"][0]["card"], tea);
  EXPECT_EQ(who.Json()["passes"][0]["uses_left"], 8);
  EXPECT_EQ(who.Json()["passes"][0]["per_day"], 2);

  // Two pots paid by the card: nothing to pay, no tender needed, two uses taken.
  const json two = {
      {"card", li},
      {"doc_no", "T-1"},
      {"lines", json::array({{{"sku", "TEA-POT-INSTORE"}, {"quantity", 2}, {"pass", tea}}})}};
  HttpResponse sale = c.Post("/v1/checkout/settle", two, clerk, "bj01-tea-1");
  ASSERT_EQ(sale.status, 201) << sale.body;
  EXPECT_EQ(sale.Json()["due"], 0);
  EXPECT_EQ(sale.Json()["lines"][0]["pass"], tea);
  EXPECT_EQ(sale.Json()["points_earned"], 0);
  // A third pot today is over the card's daily limit; the card is not another member's to use.
  json third = two;
  third["doc_no"] = "T-2";
  third["lines"][0]["quantity"] = 1;
  HttpResponse limit = c.Post("/v1/checkout/settle", third, clerk, "bj01-tea-2");
  EXPECT_EQ(limit.status, 409) << limit.body;
  EXPECT_EQ(limit.Json()["code"], "pass_limit_reached");
  EXPECT_EQ(limit.Json()["field"], "lines[0].pass");
  json foreign = third;
  foreign["card"] = kZhang;
  HttpResponse not_hers = c.Post("/v1/checkout/settle", foreign, clerk, "bj01-tea-3");
  EXPECT_EQ(not_hers.Json()["code"], "pass_not_applicable") << not_hers.body;

  HttpResponse passes = c.Get("/v1/members/2/passes", clerk);
  ASSERT_EQ(passes.status, 200) << passes.body;
  EXPECT_EQ(passes.Json()["items"][0]["uses_left"], 6);
  EXPECT_EQ(passes.Json()["items"][0]["used_today"], 2);
  EXPECT_EQ(passes.Json()["items"][0]["usable"], false);

  // Head office raises the daily limit; a clerk may not.
  const json terms = {{"categories", json::array({"tea-drinks"})}, {"per_day", 3}};
  EXPECT_EQ(c.Put("/v1/card-types/tea10/pass-terms", terms, clerk).status, 403);
  HttpResponse raised = c.Put("/v1/card-types/tea10/pass-terms", terms, admin);
  ASSERT_EQ(raised.status, 200) << raised.body;
  EXPECT_EQ(raised.Json()["per_day"], 3);
  EXPECT_EQ(c.Get("/v1/card-types/tea10/pass-terms", clerk).Json()["per_day"], 3);
  ASSERT_EQ(c.Post("/v1/checkout/settle", third, clerk, "bj01-tea-4").status, 201);

  // The two pots come back (a return needs a manager's rights): the uses return to the card.
  HttpResponse back = c.Post("/v1/checkout/return",
                             {{"receipt", "T-1"},
                              {"all", true},
                              {"doc_no", "TR-1"},
                              {"reason", "spilt"},
                              {"store", "bj01"}},
                             admin, "bj01-tea-5");
  ASSERT_EQ(back.status, 201) << back.body;
  EXPECT_EQ(c.Get("/v1/members/2/passes", clerk).Json()["items"][0]["uses_left"], 7);
  EXPECT_EQ(VerifyOk(c), "");
}

// Two-phase settle over HTTP (issue #5 item 4): the till holds the sale while the bank terminal
// decides, then captures it with the slip number — or voids it when the card is declined.
TEST_F(ServeTest, AClerkHoldsASaleWhileTheBankDecidesThenCapturesOrVoidsIt) {
  Start();
  HttpClient c(port());
  const std::string clerk = Login(c, "zhou.clerk", "onecard-clerk");  // at sh01
  const std::string other = Login(c, "wang.clerk", "onecard-clerk");  // at bj01
  const std::string card = "88000000013";  // 张伟: 350 points, ¥482.00 stored value
  const json sale = {{"card", card},
                     {"lines", json::array({{{"sku", "TV-55"}, {"price", "2100.00"}}})},
                     {"doc_no", "R-8001"},
                     {"timeout", 120},
                     {"tenders", json::array({{{"method", "stored_value"}, {"amount", 40000}},
                                              {{"method", "bank_card"}, {"amount", 170000}}})}};
  HttpResponse held = c.Post("/v1/checkout/hold", sale, clerk, "sh01-hold-1");
  ASSERT_EQ(held.status, 201) << held.body;
  const json h = held.Json();
  EXPECT_EQ(h["status"], "held");
  EXPECT_TRUE(h["hold_expires_at"].is_string());
  EXPECT_EQ(h["points_earned"], 2100);
  EXPECT_EQ(h["stored_value_balance"], 8200);  // in escrow: no other till can spend it
  const std::string path = "/v1/sales/" + std::to_string(h["id"].get<std::int64_t>());
  EXPECT_EQ(c.Get(path, clerk).Json()["status"], "held");

  // Another store's clerk does not see it; a capture needs a key; a reference must name an
  // external tender; a return must wait.
  EXPECT_EQ(c.Post(path + "/capture", json::object(), other, "bj01-cap-1").status, 404);
  EXPECT_EQ(c.Post(path + "/capture", json::object(), clerk).Json()["code"],
            "idempotency_key_missing");
  HttpResponse bad_ref = c.Post(
      path + "/capture", {{"references", json::array({{{"tender", 1}, {"reference", "X"}}})}},
      clerk, "sh01-cap-0");
  EXPECT_EQ(bad_ref.status, 422) << bad_ref.body;
  EXPECT_EQ(bad_ref.Json()["field"], "references[0].tender");
  const std::string admin = Login(c, "admin", "onecard-admin");
  HttpResponse early = c.Post("/v1/checkout/return",
                              {{"receipt", "R-8001"},
                               {"all", true},
                               {"doc_no", "RT-8001"},
                               {"reason", "x"},
                               {"store", "sh01"}},
                              admin, "sh01-ret-1");
  EXPECT_EQ(early.status, 409) << early.body;
  EXPECT_EQ(early.Json()["code"], "sale_not_settled");

  // The bank approves: the capture records the slip and the points are earned.
  const json refs = {{"references", json::array({{{"tender", 2}, {"reference", "SLIP-88123"}}})}};
  HttpResponse captured = c.Post(path + "/capture", refs, clerk, "sh01-cap-1");
  ASSERT_EQ(captured.status, 200) << captured.body;
  EXPECT_EQ(captured.Json()["status"], "settled");
  EXPECT_EQ(captured.Json()["tenders"][1]["reference"], "SLIP-88123");
  EXPECT_EQ(captured.Json()["points_balance"], 350 + 2100);
  EXPECT_EQ(captured.Json()["tier_after"], "silver");
  HttpResponse replay = c.Post(path + "/capture", refs, clerk, "sh01-cap-1");
  ASSERT_EQ(replay.status, 200) << replay.body;
  EXPECT_EQ(replay.Header("idempotent-replayed"), "true");
  HttpResponse twice = c.Post(path + "/capture", json::object(), clerk, "sh01-cap-2");
  EXPECT_EQ(twice.status, 409) << twice.body;
  EXPECT_EQ(twice.Json()["code"], "hold_not_active");

  // The next one is declined: the void gives the stored value back.
  json second = sale;
  second["doc_no"] = "R-8002";
  second["lines"][0]["price"] = "50.00";
  second["tenders"] = json::array({{{"method", "stored_value"}, {"amount", 5000}}});
  HttpResponse held2 = c.Post("/v1/checkout/hold", second, clerk, "sh01-hold-2");
  ASSERT_EQ(held2.status, 201) << held2.body;
  EXPECT_EQ(held2.Json()["stored_value_balance"], 3200);
  const std::string path2 = "/v1/sales/" + std::to_string(held2.Json()["id"].get<std::int64_t>());
  EXPECT_EQ(c.Post(path2 + "/void", json::object(), clerk, "sh01-void-0").status, 422);
  HttpResponse voided =
      c.Post(path2 + "/void", {{"reason", "customer changed mind"}}, clerk, "sh01-void-1");
  ASSERT_EQ(voided.status, 200) << voided.body;
  EXPECT_EQ(voided.Json()["status"], "voided");
  EXPECT_EQ(voided.Json()["stored_value_balance"], 8200);
  EXPECT_EQ(voided.Json()["close_reason"], "customer changed mind");
  EXPECT_EQ(VerifyOk(c), "");
}

}  // namespace
}  // namespace onecard::testing
