// The command line, run in-process: commands, output, --json, and one exit code per error class.
#include "cli/cli.hpp"

#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "core/csv.hpp"
#include "service/demo.hpp"
#include "support/test_env.hpp"

namespace onecard::testing {
namespace {

struct Ran {
  int code = 0;
  std::string out;
  std::string err;
};

class CliTest : public ::testing::Test {
 protected:
  Ran Run(std::vector<std::string> args) {
    args.insert(args.begin(), {"--db", db_, "--staff", "alice"});
    std::ostringstream out;
    std::ostringstream err;
    const int code = cli::RunCli(args, out, err);
    return Ran{code, out.str(), err.str()};
  }
  nlohmann::json Json(std::vector<std::string> args) {
    args.insert(args.begin(), "--json");
    Ran r = Run(args);
    EXPECT_EQ(r.code, 0) << r.err;
    auto j = nlohmann::json::parse(r.out, nullptr, false);
    EXPECT_FALSE(j.is_discarded()) << r.out;
    return j;
  }
  // A database with a store, a card type and one member holding card 8800001.
  void MakeShop() {
    ASSERT_EQ(Run({"init", "--tenant-code", "shop", "--name", "Shop"}).code, 0);
    ASSERT_EQ(Run({"store", "add", "sh01", "--name", "Nanjing Rd"}).code, 0);
    ASSERT_EQ(Run({"card-type", "add", "vip", "--name", "VIP", "--validity-months", "12"}).code, 0);
    Ran m = Run({"member", "add", "--name", "张伟", "--phone", "13800138000"});
    ASSERT_EQ(m.code, 0) << m.err;
    Ran c = Run({"card", "issue", "--member", "1", "--type", "vip", "--number", "8800001"});
    ASSERT_EQ(c.code, 0) << c.err;
  }

  TempDir dir_;
  std::string db_ = dir_.File("cli.db");
};

TEST_F(CliTest, InitThenVerifySaysTheBooksBalance) {
  Ran init = Run({"init"});
  EXPECT_EQ(init.code, 0) << init.err;
  Ran verify = Run({"verify"});
  EXPECT_EQ(verify.code, 0);
  EXPECT_NE(verify.out.find("The books balance"), std::string::npos) << verify.out;
  EXPECT_EQ(Run({"init"}).code, cli::kExitConflict);  // there is a database already
}

TEST_F(CliTest, DemoBalancesAndTamperingFailsVerifyWithItsOwnExitCode) {
  Ran init = Run({"init", "--demo"});
  ASSERT_EQ(init.code, 0) << init.err;
  EXPECT_NE(init.out.find("demo"), std::string::npos);
  EXPECT_EQ(Run({"verify"}).code, 0);
  ExecSql(db_,
          "UPDATE accounts SET balance = balance + 100 WHERE id = (SELECT min(id) FROM "
          "accounts WHERE holder_kind = 'card')");
  Ran verify = Run({"verify"});
  EXPECT_EQ(verify.code, cli::kExitBooksUnbalanced);
  EXPECT_NE(verify.out.find("do NOT balance"), std::string::npos) << verify.out;
  auto j = nlohmann::json::parse(Run({"--json", "verify"}).out);
  EXPECT_FALSE(j["ok"].get<bool>());
  EXPECT_FALSE(j["discrepancies"].empty());
}

TEST_F(CliTest, EarnSpendBalanceAndHistoryAsAClerkWould) {
  MakeShop();
  Ran earn = Run({"--store", "sh01", "points", "earn", "--card", "8800001", "--points", "120",
                  "--expires", "2099-12-31", "--doc", "S-1"});
  ASSERT_EQ(earn.code, 0) << earn.err;
  EXPECT_NE(earn.out.find("points +120 → 120"), std::string::npos) << earn.out;
  EXPECT_NE(earn.out.find("valid until 2099-12-31"), std::string::npos) << earn.out;
  EXPECT_NE(earn.out.find("store sh01 · by alice"), std::string::npos) << earn.out;
  ASSERT_EQ(Run({"value", "top-up", "--card", "8800001", "--amount", "100", "--bonus", "10"}).code,
            0);
  ASSERT_EQ(Run({"value", "pay", "--card", "8800001", "--amount", "12.50"}).code, 0);
  ASSERT_EQ(Run({"points", "spend", "--card", "8800001", "--points", "20"}).code, 0);
  auto balance = Json({"balance", "8800001"});
  EXPECT_EQ(balance["assets"][0]["balance"], 100);
  EXPECT_EQ(balance["assets"][2]["balance"], 9750);
  Ran human = Run({"balance", "8800001"});
  EXPECT_NE(human.out.find("97.50"), std::string::npos) << human.out;
  auto history = Json({"history", "--card", "8800001"});
  EXPECT_EQ(history["lines"].size(), 4u);
  EXPECT_EQ(history["lines"][0]["kind"], "spend");
  Ran found = Run({"member", "find", "8000"});
  EXPECT_NE(found.out.find("张伟"), std::string::npos) << found.out;
  EXPECT_EQ(Run({"verify"}).code, 0);
}

TEST_F(CliTest, EachErrorClassHasItsExitCodeAndChangesNothing) {
  MakeShop();
  ASSERT_EQ(Run({"points", "earn", "--card", "8800001", "--points", "50"}).code, 0);
  const auto entries = [&] { return QueryInt(db_, "SELECT count(*) FROM entries"); };
  const std::int64_t before = entries();

  Ran usage = Run({"points", "earn", "--card", "8800001"});  // --points missing
  EXPECT_EQ(usage.code, cli::kExitUsage);
  EXPECT_NE(usage.err.find("--points"), std::string::npos) << usage.err;
  EXPECT_EQ(Run({"no-such-command"}).code, cli::kExitUsage);

  Ran malformed = Run({"points", "earn", "--card", "8800001", "--points", "12abc"});
  EXPECT_EQ(malformed.code, cli::kExitInvalid);
  EXPECT_NE(malformed.err.find("amount_malformed (points)"), std::string::npos) << malformed.err;
  EXPECT_EQ(Run({"value", "top-up", "--card", "8800001", "--amount", "-5"}).code,
            cli::kExitInvalid);
  EXPECT_EQ(Run({"value", "top-up", "--card", "8800001", "--amount", "1.005"}).code,
            cli::kExitInvalid);
  EXPECT_EQ(Run({"value", "top-up", "--card", "8800001", "--amount", "99999999999999999999"}).code,
            cli::kExitInvalid);
  EXPECT_EQ(
      Run({"points", "earn", "--card", "8800001", "--points", "1", "--expires", "2026-02-30"}).code,
      cli::kExitInvalid);

  Ran missing = Run({"points", "earn", "--card", "123456", "--points", "5"});
  EXPECT_EQ(missing.code, cli::kExitNotFound);
  EXPECT_NE(missing.err.find("card_not_found"), std::string::npos);
  EXPECT_EQ(Run({"member", "show", "99"}).code, cli::kExitNotFound);

  Ran broke = Run({"points", "spend", "--card", "8800001", "--points", "51"});
  EXPECT_EQ(broke.code, cli::kExitRejected);
  EXPECT_NE(broke.err.find("has 50 points available; 51 needed"), std::string::npos) << broke.err;
  ASSERT_EQ(Run({"card", "freeze", "8800001", "--reason", "dispute"}).code, 0);
  Ran frozen = Run({"points", "earn", "--card", "8800001", "--points", "5"});
  EXPECT_EQ(frozen.code, cli::kExitRejected);
  EXPECT_NE(frozen.err.find("card_frozen"), std::string::npos);
  ASSERT_EQ(Run({"card", "unfreeze", "8800001"}).code, 0);

  ASSERT_EQ(Run({"--key", "till-9", "points", "earn", "--card", "8800001", "--points", "5"}).code,
            0);
  Ran replay = Run({"--key", "till-9", "points", "earn", "--card", "8800001", "--points", "5"});
  EXPECT_EQ(replay.code, 0);
  EXPECT_NE(replay.out.find("replayed"), std::string::npos) << replay.out;
  Ran conflict = Run({"--key", "till-9", "points", "earn", "--card", "8800001", "--points", "6"});
  EXPECT_EQ(conflict.code, cli::kExitConflict);
  EXPECT_NE(conflict.err.find("idempotency_conflict"), std::string::npos);
  EXPECT_EQ(entries(), before + 1);  // only the first till-9 earn
}

TEST_F(CliTest, UnusableDatabasesExitSeven) {
  EXPECT_EQ(Run({"verify"}).code, cli::kExitUnavailable);  // none yet
  std::ofstream(db_) << "not a database at all, but long enough to be read as a header......";
  Ran corrupt = Run({"verify"});
  EXPECT_EQ(corrupt.code, cli::kExitUnavailable);
  EXPECT_NE(corrupt.err.find("not a OneCard database"), std::string::npos) << corrupt.err;
}

TEST_F(CliTest, JsonErrorsNameCodeClassAndField) {
  MakeShop();
  Ran r = Run({"--json", "points", "spend", "--card", "8800001", "--points", "5"});
  EXPECT_EQ(r.code, cli::kExitRejected);
  auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["error"]["code"], "insufficient_balance");
  EXPECT_EQ(j["error"]["class"], "rejected");
  EXPECT_EQ(j["error"]["field"], "amount");
}

TEST_F(CliTest, FailedInitLeavesNoFileBehind) {
  Ran r = Run({"init", "--timezone", "Mars/Olympus"});
  EXPECT_EQ(r.code, cli::kExitInvalid);
  EXPECT_NE(r.err.find("time_zone_unknown"), std::string::npos);
  EXPECT_FALSE(std::ifstream(db_).good());
}

TEST_F(CliTest, CardsHoldsAndReplacementFromTheCommandLine) {
  MakeShop();
  ASSERT_EQ(Run({"points", "earn", "--card", "8800001", "--points", "300"}).code, 0);
  auto hold = Json({"hold", "--card", "8800001", "--amount", "100", "--timeout", "5m"});
  const std::string id = std::to_string(hold["hold_id"].get<std::int64_t>());
  EXPECT_EQ(Run({"capture", id, "--amount", "60"}).code, 0);
  EXPECT_EQ(Run({"void", id}).code, cli::kExitRejected);  // already captured
  auto replaced =
      Json({"card", "replace", "8800001", "--new-number", "8800002", "--reason", "lost"});
  EXPECT_EQ(replaced["new_card"]["number"], "8800002");
  EXPECT_EQ(Json({"balance", "8800002"})["assets"][0]["balance"], 240);
  EXPECT_EQ(Run({"points", "spend", "--card", "8800001", "--points", "1"}).code,
            cli::kExitRejected);
  EXPECT_EQ(Run({"card", "show", "8800001"}).code, 0);
  EXPECT_EQ(Run({"verify"}).code, 0);
}

// Rendered codes are read back by a real decoder (zbarimg, from Debian's zbar-tools).
std::string Decode(const std::string& png) {
  const std::string cmd = "zbarimg --quiet --raw '" + png + "' 2>/dev/null";
  std::string out;
  if (FILE* p = ::popen(cmd.c_str(), "r")) {
    char buf[256];
    while (std::fgets(buf, sizeof buf, p) != nullptr) out += buf;
    ::pclose(p);
  }
  while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
  return out;
}

TEST_F(CliTest, RendersScannableBarcodesAndQrCodes) {
  MakeShop();
  const std::string barcode = dir_.File("card.png");
  const std::string qr = dir_.File("card-qr.png");
  ASSERT_EQ(Run({"card", "code", "8800001", "--out", barcode}).code, 0);
  ASSERT_EQ(Run({"card", "code", "8800001", "--out", qr, "--qr"}).code, 0);
  EXPECT_EQ(Decode(barcode), "8800001");
  EXPECT_EQ(Decode(qr), "8800001");
  EXPECT_EQ(Run({"card", "code", "9999999", "--out", barcode}).code, cli::kExitNotFound);
  EXPECT_EQ(Run({"card", "code", "8800001", "--out", dir_.File("card.jpg")}).code,
            cli::kExitInvalid);
}

}  // namespace
}  // namespace onecard::testing

namespace onecard::testing {
namespace {

// `make run` prints the demo's logins; they must be the ones the demo makes.
TEST(CliDocsTest, MakeRunPrintsTheDemoLogins) {
  std::ifstream in(ONECARD_SOURCE_DIR "/tools/run.sh");
  ASSERT_TRUE(in.good());
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  for (const service::DemoLogin& l : service::DemoLogins()) {
    EXPECT_NE(text.find(l.username + " "), std::string::npos) << l.username;
    EXPECT_NE(text.find(" " + l.password + " "), std::string::npos) << l.password;
  }
}

// docs/cli.md lists every error code under its class and exit code.
TEST(CliDocsTest, EveryErrorCodeIsDocumentedUnderItsClass) {
  std::ifstream in(ONECARD_SOURCE_DIR "/docs/cli.md");
  ASSERT_TRUE(in.good());
  std::map<std::string, std::string> class_of;  // code → the class of the row it is listed in
  std::string line;
  while (std::getline(in, line)) {
    for (const char* cls : {"invalid", "not_found", "rejected", "conflict", "unavailable",
                            "internal", "unauthenticated", "forbidden", "limited"}) {
      if (line.rfind(std::string("| ") + cls + " (", 0) != 0) continue;
      std::size_t pos = 0;
      while ((pos = line.find('`', pos)) != std::string::npos) {
        const std::size_t end = line.find('`', pos + 1);
        class_of[line.substr(pos + 1, end - pos - 1)] = cls;
        pos = end + 1;
      }
    }
  }
  for (int i = 0; i <= static_cast<int>(core::kLastErrorCode); ++i) {
    const auto code = static_cast<core::ErrorCode>(i);
    const std::string name(core::ErrorCodeName(code));
    ASSERT_TRUE(class_of.count(name)) << name << " is not in docs/cli.md";
    EXPECT_EQ(class_of[name], core::ErrorClassName(core::ClassOf(code))) << name;
  }
}

// `programme validate` and `programme explain` read files only; a broken programme is refused
// with every problem and its line, and nothing needs a database.
TEST_F(CliTest, ProgrammeValidateAndExplain) {
  const std::string examples = std::string(ONECARD_SOURCE_DIR) + "/examples/programmes/";
  Ran ok = Run({"programme", "validate", examples + "p2.toml"});
  EXPECT_EQ(ok.code, 0) << ok.err;
  EXPECT_NE(ok.out.find("5 tiers"), std::string::npos) << ok.out;
  EXPECT_FALSE(std::filesystem::exists(db_)) << "validate opened no database";

  TempDir dir;
  const std::string bad = dir.File("bad.toml");
  std::ofstream(bad) << "[programme]\ncode = \"x\"\nname = \"x\"\neffective_from = \"2026-01-01\"\n"
                        "[[tiers]]\ncode = \"a\"\n[[tiers]]\ncode = \"b\"\ndiscount = \"5\"\n";
  Ran broken = Run({"programme", "validate", bad});
  EXPECT_EQ(broken.code, cli::kExitInvalid);
  EXPECT_NE(broken.err.find("2 problems"), std::string::npos) << broken.err;
  EXPECT_NE(broken.err.find("bad.toml:7: tiers[1].entry"), std::string::npos) << broken.err;
  EXPECT_NE(broken.err.find("bad.toml:9: tiers[1].discount"), std::string::npos) << broken.err;

  const std::string basket = dir.File("basket.json");
  std::ofstream(basket) << R"({"lines": [{"sku": "SOFA", "price": "16000.00"},
      {"sku": "BAG", "price": "10.00", "categories": ["non-earning"]}]})";
  nlohmann::json e = Json({"programme", "explain", examples + "p2.toml", "--basket", basket,
                           "--date", "2026-12-01", "--tier", "silver"});
  EXPECT_EQ(e["tier"], "gold");
  EXPECT_EQ(e["paid_total"], "14409.00");
  EXPECT_EQ(e["points"], 432);
  EXPECT_FALSE(e["explain"].empty());
  Ran text = Run(
      {"programme", "explain", examples + "p2.toml", "--basket", basket, "--date", "2026-12-01"});
  EXPECT_EQ(text.code, 0) << text.err;
  EXPECT_NE(text.out.find("why:"), std::string::npos) << text.out;

  std::ofstream(basket) << R"({"lines": [{"sku": "SOFA", "price": "-1.00"}]})";
  Ran negative = Run(
      {"programme", "explain", examples + "p2.toml", "--basket", basket, "--date", "2026-12-01"});
  EXPECT_EQ(negative.code, cli::kExitInvalid);
  EXPECT_NE(negative.err.find("lines[0].price must not be negative"), std::string::npos)
      << negative.err;
}

// The tenant's versions from the command line: add a draft, activate it, list, show, explain
// with the version in force, and a version for the future that can be cancelled.
TEST_F(CliTest, ProgrammeVersionsAddActivateListExplainCancel) {
  MakeShop();
  const std::string examples = std::string(ONECARD_SOURCE_DIR) + "/examples/programmes/";
  TempDir dir;
  const std::string basket = dir.File("basket.json");
  std::ofstream(basket) << R"({"lines": [{"sku": "CHAIR", "price": "500.00"}]})";
  Ran none = Run({"programme", "explain", "--basket", basket});
  EXPECT_EQ(none.code, cli::kExitNotFound) << none.err;
  EXPECT_NE(none.err.find("no programme version is in force"), std::string::npos) << none.err;

  // P2 names a "non-earning" category: refused until the catalogue has it.
  Ran unknown = Run({"programme", "add", examples + "p2.toml"});
  EXPECT_EQ(unknown.code, cli::kExitInvalid);
  EXPECT_NE(unknown.err.find("no category non-earning"), std::string::npos) << unknown.err;
  ASSERT_EQ(Run({"category", "add", "non-earning", "--name", "Gift wrap and deposits"}).code, 0);
  Ran add = Run({"programme", "add", examples + "p2.toml"});
  ASSERT_EQ(add.code, 0) << add.err;
  EXPECT_NE(add.out.find("draft version 1"), std::string::npos) << add.out;
  Ran activate = Run({"programme", "activate", "1"});
  ASSERT_EQ(activate.code, 0) << activate.err;
  EXPECT_NE(activate.out.find("in_force"), std::string::npos) << activate.out;

  nlohmann::json e = Json({"programme", "explain", "--basket", basket, "--tier", "silver"});
  EXPECT_EQ(e["version"], 1);
  EXPECT_EQ(e["tier"], "silver");
  EXPECT_EQ(e["paid_total"], "475.00");  // 5% off at silver
  EXPECT_EQ(e["points"], 9);             // ¥475 × 2 points per ¥100, floored

  // Next year's version earns more; until then it is scheduled and may be cancelled.
  const std::string next = dir.File("next.toml");
  {
    std::ifstream in(examples + "p2.toml");
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    text.replace(text.find("2026-01-01"), 10, "2099-01-01");
    std::ofstream(next) << text;
  }
  ASSERT_EQ(Run({"programme", "add", next}).code, 0);
  ASSERT_EQ(Run({"programme", "activate", "2"}).code, 0);
  nlohmann::json list = Json({"programme", "list"});
  ASSERT_EQ(list.size(), 2u) << list.dump();
  EXPECT_EQ(list[0]["status"], "scheduled");
  EXPECT_EQ(list[1]["status"], "in_force");
  EXPECT_TRUE(list[1]["document"].is_null()) << "a listing leaves the documents out";
  Ran text = Run({"programme", "list"});
  EXPECT_NE(text.out.find("v2  p2"), std::string::npos) << text.out;
  nlohmann::json show = Json({"programme", "show", "2"});
  EXPECT_NE(show["document"].get<std::string>().find("2099-01-01"), std::string::npos);
  EXPECT_EQ(Json({"programme", "explain", "--basket", basket, "--date", "2099-01-02"})["version"],
            2);
  Ran cancel = Run({"programme", "cancel", "2"});
  ASSERT_EQ(cancel.code, 0) << cancel.err;
  EXPECT_EQ(Json({"programme", "explain", "--basket", basket, "--date", "2099-01-02"})["version"],
            1);
  EXPECT_EQ(Run({"programme", "cancel", "1"}).code, cli::kExitRejected);
  EXPECT_EQ(Run({"programme", "activate", "7"}).code, cli::kExitNotFound);

  // A broken document is refused with its problems, and no version is stored.
  const std::string bad = dir.File("bad.toml");
  std::ofstream(bad) << "[programme]\ncode = \"x\"\n";
  Ran refused = Run({"programme", "add", bad});
  EXPECT_EQ(refused.code, cli::kExitInvalid);
  EXPECT_NE(refused.err.find("problem"), std::string::npos) << refused.err;
  EXPECT_EQ(Json({"programme", "list"}).size(), 2u);
}

}  // namespace
}  // namespace onecard::testing

namespace onecard::testing {
namespace {

// A clerk's sale from the command line, the member's tier afterwards, a tier set by hand, the
// review job, and a draft simulated over the recorded sale.
TEST_F(CliTest, CheckoutTiersReviewAndSimulateAsStaffWould) {
  MakeShop();
  const std::string examples = std::string(ONECARD_SOURCE_DIR) + "/examples/programmes/";
  ASSERT_EQ(Run({"category", "add", "non-earning", "--name", "Non-earning"}).code, 0);
  ASSERT_EQ(Run({"programme", "add", examples + "p2.toml"}).code, 0);
  ASSERT_EQ(Run({"programme", "activate", "1"}).code, 0);
  ASSERT_EQ(Run({"value", "top-up", "--card", "8800001", "--amount", "1000"}).code, 0);
  TempDir dir;
  const std::string basket = dir.File("basket.json");
  std::ofstream(basket) << R"({"lines": [{"sku": "SOFA", "price": "6000.00"}]})";

  Ran quote =
      Run({"--store", "sh01", "checkout", "quote", "--card", "8800001", "--basket", basket});
  ASSERT_EQ(quote.code, 0) << quote.err;
  EXPECT_NE(quote.out.find("due 5700.00 (saved 300.00)"), std::string::npos) << quote.out;
  Ran no_store = Run({"checkout", "settle", "--card", "8800001", "--basket", basket, "--tender",
                      "cash=5700", "--doc", "R1"});
  EXPECT_EQ(no_store.code, cli::kExitInvalid) << no_store.err;
  Ran sale = Run({"--store", "sh01", "--key", "k1", "checkout", "settle", "--card", "8800001",
                  "--basket", basket, "--tender", "stored_value=1000", "--tender",
                  "bank_card=4700:SLIP-9", "--doc", "R1"});
  ASSERT_EQ(sale.code, 0) << sale.err;
  EXPECT_NE(sale.out.find("tier now silver"), std::string::npos) << sale.out;
  EXPECT_NE(sale.out.find("paid 4700.00 by bank_card ref SLIP-9"), std::string::npos) << sale.out;
  Ran bad_tender = Run({"--store", "sh01", "checkout", "settle", "--card", "8800001", "--basket",
                        basket, "--tender", "cash", "--doc", "R2"});
  EXPECT_EQ(bad_tender.code, cli::kExitInvalid) << bad_tender.err;

  nlohmann::json tier = Json({"tier", "show", "1"});
  EXPECT_EQ(tier["tier"], "silver");
  EXPECT_EQ(tier["history"][0]["doc_no"], "R1");
  Ran set = Run({"tier", "set", "1", "platinum", "--reason", "dealer account", "--doc", "HO-1"});
  ASSERT_EQ(set.code, 0) << set.err;
  EXPECT_NE(set.out.find("silver → platinum  staff  HO-1"), std::string::npos) << set.out;

  Ran review = Run({"jobs", "run", "tier-review"});
  ASSERT_EQ(review.code, 0) << review.err;
  EXPECT_NE(review.out.find("Tier review for"), std::string::npos) << review.out;
  Ran again = Run({"jobs", "run", "tier-review"});
  EXPECT_NE(again.out.find("as run before"), std::string::npos) << again.out;
  EXPECT_EQ(Run({"jobs", "run", "tier-review", "--as-of", "2999-01-01"}).code, cli::kExitInvalid);

  const std::string today = Json({"sale", "show", "1"})["business_date"].get<std::string>();
  Ran sim = Run(
      {"programme", "simulate", "--draft", examples + "p2.toml", "--from", today, "--to", today});
  ASSERT_EQ(sim.code, 0) << sim.err;
  EXPECT_NE(sim.out.find("1 member sales of 1 members replayed"), std::string::npos) << sim.out;

  // The sofa comes back: the stored value and the bank card get their shares back.
  Ran no_lines = Run({"--store", "sh01", "checkout", "return", "--sale", "1", "--doc", "RT1",
                      "--reason", "wrong colour"});
  EXPECT_EQ(no_lines.code, cli::kExitInvalid) << no_lines.err;
  Ran bad_line = Run({"--store", "sh01", "checkout", "return", "--sale", "1", "--line", "1",
                      "--doc", "RT1", "--reason", "wrong colour"});
  EXPECT_EQ(bad_line.code, cli::kExitInvalid) << bad_line.err;
  Ran back = Run({"--store", "sh01", "--key", "r1", "checkout", "return", "--receipt", "R1",
                  "--line", "1=1", "--doc", "RT1", "--reason", "wrong colour"});
  ASSERT_EQ(back.code, 0) << back.err;
  EXPECT_NE(back.out.find("back 1000.00 to stored_value"), std::string::npos) << back.out;
  EXPECT_NE(back.out.find("back 4700.00 to bank_card"), std::string::npos) << back.out;
  EXPECT_NE(back.out.find("refund 5700.00"), std::string::npos) << back.out;
  Ran twice = Run({"--store", "sh01", "checkout", "return", "--sale", "1", "--all", "--doc", "RT2",
                   "--reason", "again"});
  EXPECT_NE(twice.code, 0);
  EXPECT_NE(twice.err.find("sale_already_returned"), std::string::npos) << twice.err;
  EXPECT_EQ(Json({"return", "show", "1"})["refund"], 570000);
  Ran who = Run({"checkout", "identify", "--card", "8800001"});
  ASSERT_EQ(who.code, 0) << who.err;
  EXPECT_NE(who.out.find("card 8800001"), std::string::npos) << who.out;
  EXPECT_NE(who.out.find("stored value 1000.00"), std::string::npos) << who.out;
  EXPECT_NE(Run({"sale", "show", "1"}).out.find("(1 returned)"), std::string::npos);
  EXPECT_EQ(Run({"verify"}).code, 0);
}

// The catalogue from the command line, as head office keeps it: categories, a product set and
// changed, CSV out and back in, a promotion — and a till quote by SKU priced from it.
TEST_F(CliTest, CatalogueCategoriesProductsCsvPromotionsAndASaleBySku) {
  MakeShop();
  const std::string examples = std::string(ONECARD_SOURCE_DIR) + "/examples/programmes/";
  ASSERT_EQ(Run({"programme", "add", examples + "p1a.toml"}).code, 0);
  ASSERT_EQ(Run({"programme", "activate", "1"}).code, 0);
  ASSERT_EQ(Run({"category", "add", "tea", "--name", "Tea 茶叶"}).code, 0);
  ASSERT_EQ(Run({"category", "add", "oolong", "--name", "Oolong", "--parent", "tea"}).code, 0);
  Ran tree = Run({"category", "list"});
  EXPECT_EQ(tree.out, "tea  Tea 茶叶\n  oolong  Oolong\n");
  Ran orphan = Run({"category", "add", "x", "--name", "X", "--parent", "nowhere"});
  EXPECT_EQ(orphan.code, cli::kExitNotFound);
  EXPECT_NE(orphan.err.find("no category nowhere"), std::string::npos) << orphan.err;

  Ran no_price = Run({"product", "set", "TGY", "--name", "Tieguanyin"});
  EXPECT_EQ(no_price.code, cli::kExitInvalid);
  EXPECT_NE(no_price.err.find("give --name and --price"), std::string::npos) << no_price.err;
  Ran added = Run({"product", "set", "TGY", "--name", "Tieguanyin 铁观音", "--price", "128",
                   "--category", "oolong", "--tier-price", "gold=115"});
  ASSERT_EQ(added.code, 0) << added.err;
  EXPECT_NE(added.out.find("Added TGY"), std::string::npos) << added.out;
  // Only the options given change.
  nlohmann::json changed = Json({"product", "set", "TGY", "--price", "120.50"});
  EXPECT_EQ(changed["list_price"], 12050);
  EXPECT_EQ(changed["name"], "Tieguanyin 铁观音");
  EXPECT_EQ(changed["tier_prices"][0]["price"], 11500);
  Ran dear = Run({"product", "set", "TGY", "--tier-price", "gold=130"});
  EXPECT_EQ(dear.code, cli::kExitInvalid);
  EXPECT_NE(dear.err.find("tier_prices.gold"), std::string::npos) << dear.err;
  nlohmann::json listed = Json({"product", "list", "--category", "tea"});
  ASSERT_EQ(listed.size(), 1u) << listed.dump();
  EXPECT_EQ(listed[0]["sku"], "TGY");

  TempDir dir;
  const std::string out = dir.File("products.csv");
  ASSERT_EQ(Run({"product", "export", out}).code, 0);
  EXPECT_EQ(ReadFileText(out),
            "sku,name,list_price,item_class,categories,non_earning,bundle,status,price:gold\r\n"
            "TGY,Tieguanyin 铁观音,120.50,goods,oolong,no,no,active,115.00\r\n");
  const std::string in = dir.File("more.csv");
  std::ofstream(in) << "sku,name,price,categories\nLJ,Longjing,168,tea\nTGY,,,\n";
  Ran broken = Run({"product", "import", in});
  EXPECT_EQ(broken.code, cli::kExitInvalid);
  EXPECT_NE(broken.err.find("line 3, list_price: a price is required"), std::string::npos)
      << broken.err;
  EXPECT_EQ(Json({"product", "list"}).size(), 1u) << "nothing was imported";
  std::ofstream(in) << "sku,name,price,categories\nLJ,Longjing,168,tea\nTGY,Tieguanyin,128,\n";
  Ran imported = Run({"product", "import", in});
  ASSERT_EQ(imported.code, 0) << imported.err;
  EXPECT_NE(imported.out.find("1 created, 1 updated"), std::string::npos) << imported.out;

  Ran promo = Run({"promotion", "add", "LJ", "--name", "New tea", "--price", "150", "--from",
                   "2000-01-01", "--to", "2099-12-31"});
  ASSERT_EQ(promo.code, 0) << promo.err;
  Ran overlap = Run({"promotion", "add", "LJ", "--name", "Again", "--price", "140", "--from",
                     "2050-01-01", "--to", "2050-01-02"});
  EXPECT_EQ(overlap.code, cli::kExitRejected) << overlap.err;
  EXPECT_NE(Run({"promotion", "list"}).out.find("New tea"), std::string::npos);

  const std::string basket = dir.File("basket.json");
  std::ofstream(basket) << R"({"lines": [{"sku": "LJ", "quantity": 2}, {"sku": "TGY"}]})";
  nlohmann::json quote =
      Json({"--store", "sh01", "checkout", "quote", "--card", "8800001", "--basket", basket});
  EXPECT_EQ(quote["list_total"], 2 * 16800 + 12800);
  EXPECT_EQ(quote["due"], 2 * 15000 + 12800);
  ASSERT_EQ(Run({"promotion", "end", "1"}).code, 0);
  nlohmann::json after =
      Json({"--store", "sh01", "checkout", "quote", "--card", "8800001", "--basket", basket});
  EXPECT_EQ(after["due"], 2 * 16800 + 12800);
  std::ofstream(basket) << R"({"lines": [{"sku": "NOPE"}]})";
  Ran unknown =
      Run({"--store", "sh01", "checkout", "quote", "--card", "8800001", "--basket", basket});
  EXPECT_EQ(unknown.code, cli::kExitNotFound);
  EXPECT_NE(unknown.err.find("no product NOPE"), std::string::npos) << unknown.err;
  // A free product is priced 0.
  nlohmann::json free = Json(
      {"product", "set", "SAMPLE", "--name", "Sample", "--price", "0", "--non-earning", "yes"});
  EXPECT_EQ(free["list_price"], 0);
  EXPECT_EQ(free["non_earning"], true);
}

}  // namespace
}  // namespace onecard::testing

namespace onecard::testing {
namespace {

// Gift cards from the command line: a batch with its PINs written to a file, two cards sold, a
// balance with the PIN, a walk-in paying by gift card at the till, a report that balances.
TEST_F(CliTest, GiftCardsFromABatchToATillSaleAndAReport) {
  MakeShop();
  ASSERT_EQ(Run({"card-type", "add", "gift", "--name", "Gift", "--kind", "gift"}).code, 0);
  const std::string pins = dir_.File("pins.csv");
  Ran made = Run({"giftcard", "batch", "create", "g1", "--name", "Gift ¥100", "--face-value",
                  "100.00", "--count", "2", "--out", pins});
  ASSERT_EQ(made.code, 0) << made.err;
  EXPECT_NE(made.out.find("written to"), std::string::npos) << made.out;
  auto table = core::ParseCsv(ReadFileText(pins), 10);
  ASSERT_TRUE(table);
  ASSERT_EQ(table->rows.size(), 3u);
  const std::string n1 = table->rows[1][0];
  const std::string p1 = table->rows[1][1];
  const std::string n2 = table->rows[2][0];
  EXPECT_EQ(table->rows[1][2], "100.00");
  EXPECT_EQ(std::filesystem::status(pins).permissions() & std::filesystem::perms::all,
            std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  // PINs never go over another file, and then no batch is made (its PINs would be lost).
  Ran over = Run({"giftcard", "batch", "create", "g2", "--name", "G2", "--face-value", "100.00",
                  "--count", "1", "--out", pins});
  EXPECT_EQ(over.code, cli::kExitInvalid) << over.err;
  EXPECT_NE(over.err.find("cannot make"), std::string::npos) << over.err;
  EXPECT_EQ(Run({"giftcard", "batch", "list"}).out.find("g2"), std::string::npos);

  Ran sold = Run({"--store", "sh01", "giftcard", "activate", n1, n2, "--doc", "GS-1"});
  ASSERT_EQ(sold.code, 0) << sold.err;
  EXPECT_NE(sold.out.find("2 cards, ¥200.00 in all"), std::string::npos) << sold.out;
  Ran balance = Run({"giftcard", "balance", n1, "--pin", p1});
  ASSERT_EQ(balance.code, 0) << balance.err;
  EXPECT_NE(balance.out.find("balance ¥100.00"), std::string::npos) << balance.out;
  Ran wrong = Run({"giftcard", "balance", n1, "--pin", p1 == "000000" ? "111111" : "000000"});
  EXPECT_EQ(wrong.code, cli::kExitRejected);
  EXPECT_NE(wrong.err.find("gift_pin_wrong"), std::string::npos) << wrong.err;

  const std::string basket = dir_.File("basket.json");
  {
    std::ofstream f(basket);
    f << R"({"lines": [{"sku": "TEA", "price": "30.00"}]})";
  }
  Ran sale = Run({"--store", "sh01", "checkout", "settle", "--basket", basket, "--doc", "R-1",
                  "--tender", "gift_card=30.00:" + n1 + ":" + p1});
  ASSERT_EQ(sale.code, 0) << sale.err;
  EXPECT_NE(sale.out.find("¥70.00 left on it"), std::string::npos) << sale.out;
  Ran report = Run({"giftcard", "report", "take"});
  ASSERT_EQ(report.code, 0) << report.err;
  EXPECT_NE(report.out.find("balanced"), std::string::npos) << report.out;
  EXPECT_NE(report.out.find("− consumed        ¥30.00"), std::string::npos) << report.out;
  Ran csv = Run({"giftcard", "consumption", "--csv"});
  ASSERT_EQ(csv.code, 0) << csv.err;
  EXPECT_NE(csv.out.find("-30.00"), std::string::npos) << csv.out;
  EXPECT_EQ(Run({"giftcard", "batch", "show", "g1", "--cards"}).out.find(p1), std::string::npos);
  EXPECT_EQ(Run({"verify"}).code, 0);
}

}  // namespace
}  // namespace onecard::testing
