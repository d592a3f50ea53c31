// Runs the scenario files in tests/scenarios/: ledger behaviour as data, one step and its
// expected outcome per line, readable by someone who is not a programmer. The format is
// described in tests/scenarios/README.md.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "service/calendar.hpp"
#include "support/test_env.hpp"

namespace onecard::testing {
namespace {

namespace fs = std::filesystem;
using core::Asset;

struct Step {
  std::string where;                           // file:line
  std::vector<std::string> words;              // positional words
  std::map<std::string, std::string> options;  // key=value words
  std::string alias;                           // "as NAME"
  std::string expect;                          // after "=>", trimmed
};

Step ParseLine(const std::string& where, const std::string& line) {
  Step step;
  step.where = where;
  std::string body = line;
  const std::size_t arrow = line.find("=>");
  if (arrow != std::string::npos) {
    body = line.substr(0, arrow);
    step.expect = line.substr(arrow + 2);
    step.expect.erase(0, step.expect.find_first_not_of(' '));
    step.expect.erase(step.expect.find_last_not_of(' ') + 1);
  }
  std::istringstream in(body);
  std::string word;
  while (in >> word) {
    if (word == "as") {
      in >> step.alias;
      continue;
    }
    const std::size_t eq = word.find('=');
    if (eq != std::string::npos && eq > 0) {
      step.options[word.substr(0, eq)] = word.substr(eq + 1);
    } else {
      step.words.push_back(word);
    }
  }
  return step;
}

class ScenarioRunner {
 public:
  void Run(const fs::path& file) {
    std::ifstream in(file);
    std::string line;
    int number = 0;
    while (std::getline(in, line)) {
      ++number;
      const std::size_t hash = line.find('#');
      if (hash != std::string::npos) line.erase(hash);
      if (line.find_first_not_of(" \t") == std::string::npos) continue;
      const std::string where = file.filename().string() + ":" + std::to_string(number);
      Step step = ParseLine(where, line);
      SCOPED_TRACE(where + ": " + line);
      Execute(step);
      if (::testing::Test::HasFatalFailure()) return;
    }
  }

 private:
  std::string Card(const std::string& alias) {
    auto it = cards_.find(alias);
    if (it == cards_.end()) return alias;  // a literal card number (e.g. one never issued)
    return it->second;
  }
  std::string Opt(const Step& s, const std::string& key, const std::string& fallback = "") {
    auto it = s.options.find(key);
    return it == s.options.end() ? fallback : it->second;
  }
  service::Request Req(const Step& s) {
    const std::string key = Opt(s, "key");
    return key.empty() ? env_.Req(Opt(s, "store", "s1")) : env_.Keyed(key, Opt(s, "store", "s1"));
  }
  std::int64_t Amount(Asset asset, const std::string& text, core::SignPolicy sign) {
    if (text.find_first_not_of("0.") == std::string::npos) return 0;  // zero, for refusals
    auto r = core::ParseAmount(asset, text, "amount", sign);
    EXPECT_TRUE(r) << "bad amount in scenario: " << text;
    return r ? *r : 0;
  }
  std::optional<core::Timestamp> Expiry(const Step& s) {
    const std::string d = Opt(s, "expires");
    if (d.empty()) return std::nullopt;
    return env_.ValidUntil(d);
  }
  Asset AssetOpt(const Step& s, const std::string& key, Asset fallback) {
    const std::string name = Opt(s, key);
    if (name.empty()) return fallback;
    auto a = core::ParseAsset(name, key);
    EXPECT_TRUE(a) << name;
    return a ? *a : fallback;
  }

  // Compares a result with the expectation: "ok", "replayed" or an error code name.
  template <class T>
  void Expect(const Step& s, const core::Result<T>& r) {
    const std::string want = s.expect.empty() ? "ok" : s.expect;
    if (r) {
      bool replayed = false;
      if constexpr (requires { r->replayed; }) replayed = r->replayed;
      const std::string got = replayed ? "replayed" : "ok";
      EXPECT_EQ(got, want);
    } else {
      EXPECT_EQ(std::string(core::ErrorCodeName(r.error().code)), want) << r.error().ToString();
    }
  }

  void Execute(const Step& s) {
    ASSERT_FALSE(s.words.empty());
    const std::string& cmd = s.words[0];
    auto arg = [&](std::size_t i) -> std::string {
      EXPECT_LT(i, s.words.size()) << "missing argument " << i;
      return i < s.words.size() ? s.words[i] : "";
    };
    auto& ledger = env_.ledger();
    if (cmd == "at") {
      auto date = core::CivilDate::Parse(arg(1), "date");
      ASSERT_TRUE(date);
      const std::string hm = s.words.size() > 2 ? s.words[2] : "10:00";
      auto midnight = service::StartOfLocalDay(env_.tenant().timezone, *date);
      ASSERT_TRUE(midnight);
      env_.clock().Set(midnight->PlusSeconds(std::stoi(hm.substr(0, 2)) * 3600 +
                                             std::stoi(hm.substr(3, 2)) * 60));
    } else if (cmd == "member") {
      service::MemberChanges changes;
      changes.profile = {{"name", Opt(s, "name", arg(1))}};
      auto m = env_.services().members().Add(env_.Req(), changes);
      ASSERT_TRUE(m) << m.error().ToString();
      members_[arg(1)] = m->id;
    } else if (cmd == "issue") {
      // issue CARD to MEMBER [type=T] [primary=CARD] [number=N] [inactive=yes]
      service::IssueCardRequest r;
      if (s.words.size() > 3) r.member_id = members_.at(arg(3));
      r.type = Opt(s, "type", "member");
      r.primary = Opt(s, "primary").empty() ? "" : Card(Opt(s, "primary"));
      r.number = Opt(s, "number");
      r.inactive = Opt(s, "inactive") == "yes";
      auto c = env_.services().cards().Issue(Req(s), r);
      Expect(s, c);
      if (c) cards_[arg(1)] = c->card.number;
    } else if (cmd == "earn") {
      auto r = ledger.Earn(
          Req(s),
          service::EarnRequest{Card(arg(1)), AssetOpt(s, "kind", Asset::kPoints),
                               Amount(Asset::kPoints, arg(2), core::SignPolicy::kPositiveOnly),
                               Expiry(s), Opt(s, "doc"), ""});
      Record(s, r);
    } else if (cmd == "spend") {
      auto sel = core::ParseAssetSelection(Opt(s, "kind", "any_points"), "kind");
      ASSERT_TRUE(sel);
      auto r = ledger.Spend(
          Req(s), service::SpendRequest{
                      Card(arg(1)), *sel,
                      Amount(Asset::kPoints, arg(2), core::SignPolicy::kPositiveOnly), "", ""});
      Record(s, r);
    } else if (cmd == "adjust") {
      const Asset asset = AssetOpt(s, "asset", Asset::kPoints);
      auto r = ledger.Adjust(
          Req(s), service::AdjustRequest{Card(arg(1)), asset,
                                         Amount(asset, arg(2), core::SignPolicy::kAllowNegative),
                                         Expiry(s), "", Opt(s, "reason", "scenario")});
      Record(s, r);
    } else if (cmd == "topup") {
      const Asset asset = AssetOpt(s, "asset", Asset::kStoredValue);
      const std::string bonus = Opt(s, "bonus");
      auto r = ledger.TopUp(
          Req(s), service::TopUpRequest{
                      Card(arg(1)), asset, Amount(asset, arg(2), core::SignPolicy::kPositiveOnly),
                      bonus.empty() ? 0 : Amount(asset, bonus, core::SignPolicy::kPositiveOnly),
                      Expiry(s), "", ""});
      Record(s, r);
    } else if (cmd == "pay") {
      const Asset asset = AssetOpt(s, "asset", Asset::kStoredValue);
      auto r = ledger.Pay(
          Req(s),
          service::PayRequest{Card(arg(1)), asset,
                              Amount(asset, arg(2), core::SignPolicy::kPositiveOnly), "", ""});
      Record(s, r);
    } else if (cmd == "reverse") {
      auto r = ledger.Reverse(
          Req(s), service::ReverseRequest{entries_[arg(1)], Opt(s, "reason", "scenario")});
      Record(s, r);
    } else if (cmd == "hold") {
      auto sel = core::ParseAssetSelection(Opt(s, "asset", "any_points"), "asset");
      ASSERT_TRUE(sel);
      auto r = ledger.Hold(Req(s), service::HoldRequest{Card(arg(1)), *sel,
                                                        Amount(core::AssetsOf(*sel).front(), arg(2),
                                                               core::SignPolicy::kPositiveOnly),
                                                        std::stoll(Opt(s, "timeout", "600")), ""});
      Expect(s, r);
      if (r && !s.alias.empty()) holds_[s.alias] = r->hold_id;
    } else if (cmd == "capture") {
      service::CaptureRequest c{holds_.at(arg(1)), std::nullopt};
      if (s.words.size() > 2) c.amount = std::stoll(arg(2));
      Expect(s, ledger.Capture(Req(s), c));
    } else if (cmd == "void") {
      Expect(s, ledger.Void(Req(s), service::VoidRequest{holds_.at(arg(1)), ""}));
    } else if (cmd == "release-holds") {
      auto n = ledger.ReleaseDueHolds();
      ASSERT_TRUE(n);
      if (!s.expect.empty()) {
        EXPECT_EQ(std::to_string(*n), s.expect);
      }
    } else if (cmd == "expire") {
      auto date = core::CivilDate::Parse(arg(1), "date");
      ASSERT_TRUE(date);
      auto r = ledger.Expire(env_.Req(""), *date);
      Expect(s, r);
    } else if (cmd == "card") {
      // card CARD OP  (activate, lost, unlost, freeze, unfreeze, close, renew, reissue)
      static const std::map<std::string, core::CardOp> ops = {
          {"activate", core::CardOp::kActivate}, {"lost", core::CardOp::kReportLost},
          {"unlost", core::CardOp::kCancelLoss}, {"freeze", core::CardOp::kFreeze},
          {"unfreeze", core::CardOp::kUnfreeze}, {"close", core::CardOp::kClose},
          {"renew", core::CardOp::kRenew},       {"reissue", core::CardOp::kReissue}};
      Expect(s, env_.services().cards().Apply(Req(s), Card(arg(1)), ops.at(arg(2)), "scenario"));
    } else if (cmd == "replace") {
      // replace CARD with NEW
      auto r = env_.services().cards().Replace(Req(s), Card(arg(1)), "", "scenario");
      Expect(s, r);
      if (r && r->new_card) cards_[arg(3)] = r->new_card->number;
    } else if (cmd == "credit") {
      // credit CARD ASSET LIMIT
      auto asset = core::ParseAsset(arg(2), "asset");
      ASSERT_TRUE(asset);
      const std::string text = arg(3);
      const std::int64_t limit = text.find_first_not_of("0.") == std::string::npos
                                     ? 0
                                     : Amount(*asset, text, core::SignPolicy::kPositiveOnly);
      Expect(s, ledger.SetCreditLimit(
                    Req(s), service::CreditLimitRequest{Card(arg(1)), *asset, limit, "scenario"}));
    } else if (cmd == "balance" || cmd == "available" || cmd == "held" || cmd == "debt") {
      auto asset = core::ParseAsset(arg(2), "asset");
      ASSERT_TRUE(asset);
      auto b = ledger.Balance(env_.tenant(), Card(arg(1)));
      ASSERT_TRUE(b) << b.error().ToString();
      for (const auto& a : b->assets) {
        if (a.asset != *asset) continue;
        const std::int64_t v = cmd == "balance"     ? a.balance
                               : cmd == "available" ? a.available
                               : cmd == "held"      ? a.held
                                                    : a.debt;
        EXPECT_EQ(core::FormatAmount(*asset, v), s.expect);
      }
    } else if (cmd == "lots") {
      // lots CARD ASSET => remaining@valid-until ... (earliest expiry first), or "none"
      auto asset = core::ParseAsset(arg(2), "asset");
      ASSERT_TRUE(asset);
      auto b = ledger.Balance(env_.tenant(), Card(arg(1)));
      ASSERT_TRUE(b) << b.error().ToString();
      std::string got;
      for (const auto& a : b->assets) {
        if (a.asset != *asset) continue;
        for (const auto& lot : a.lots) {
          std::string until = "never";
          if (lot.expires_at) {
            until = service::LocalDate(env_.tenant().timezone,
                                       core::Timestamp{lot.expires_at->micros - 1})
                        .ToString();
          }
          got += (got.empty() ? "" : " ") + core::FormatAmount(*asset, lot.remaining) + "@" + until;
        }
      }
      EXPECT_EQ(got.empty() ? "none" : got, s.expect);
    } else if (cmd == "verify") {
      EXPECT_EQ(env_.VerifyProblems(), "");
    } else if (cmd == "entries") {
      EXPECT_EQ(std::to_string(QueryInt(env_.db_path(), "SELECT count(*) FROM entries")), s.expect);
    } else {
      FAIL() << "unknown scenario step \"" << cmd << "\"";
    }
  }

  void Record(const Step& s, const core::Result<service::EntryReceipt>& r) {
    Expect(s, r);
    if (r && !s.alias.empty()) entries_[s.alias] = r->entry_id;
  }

  TestEnv env_;
  std::map<std::string, std::int64_t> members_;
  std::map<std::string, std::string> cards_;
  std::map<std::string, std::int64_t> entries_;
  std::map<std::string, std::int64_t> holds_;
};

class ScenarioTest : public ::testing::TestWithParam<std::string> {};

TEST_P(ScenarioTest, Plays) {
  ScenarioRunner runner;
  runner.Run(fs::path(ONECARD_SCENARIO_DIR) / GetParam());
}

std::vector<std::string> ScenarioFiles() {
  std::vector<std::string> files;
  for (const auto& entry : fs::directory_iterator(ONECARD_SCENARIO_DIR)) {
    if (entry.path().extension() == ".txt") files.push_back(entry.path().filename().string());
  }
  std::sort(files.begin(), files.end());
  return files;
}

INSTANTIATE_TEST_SUITE_P(Ledger, ScenarioTest, ::testing::ValuesIn(ScenarioFiles()),
                         [](const ::testing::TestParamInfo<std::string>& param) {
                           std::string name = param.param.substr(0, param.param.size() - 4);
                           for (char& c : name) {
                             if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
                           }
                           return name;
                         });

}  // namespace
}  // namespace onecard::testing
