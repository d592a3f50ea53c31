// Property test: random sequences of ledger operations on a few cards, over real SQLite, keep
// the ledger's invariants: verify is exact after every step (entries sum to zero, balances equal
// their postings, lots are never over-consumed, no balance below its credit limit), every
// balance equals the sum of the receipt lines that moved it, a refused operation changes
// nothing, and a replay changes nothing and answers the first receipt.
#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>

#include <map>

#include "service/calendar.hpp"
#include "support/test_env.hpp"

namespace onecard::testing {
namespace {

using core::Asset;

enum class OpKind : int {
  kEarn,
  kEarnExpiring,
  kSpend,
  kTopUp,
  kPay,
  kAdjustDown,
  kHold,
  kCapture,
  kVoid,
  kReverse,
  kReplay,
  kFreezeToggle,
  kAdvanceDays,
  kExpire,
  kCount
};

struct Op {
  int kind = 0;
  int card = 0;
  std::int64_t amount = 1;
  int pick = 0;  // which earlier entry/hold/request, modulo what exists
};

struct Model {
  std::map<std::pair<std::string, Asset>, std::int64_t> balance;
  std::vector<std::int64_t> entries;  // reversible entries
  std::vector<std::int64_t> holds;
  // Earlier successful requests, to replay: key, kind, the request and its receipt as JSON.
  struct Done {
    std::string key;
    service::EarnRequest earn;
    nlohmann::json receipt;
  };
  std::vector<Done> earns;
  std::int64_t last_entry = 0;

  void Apply(const service::EntryReceipt& r) {
    for (const auto& line : r.lines) balance[{line.card_number, line.asset}] += line.amount;
    last_entry = std::max(last_entry, r.entry_id);
  }
};

void CheckBalances(TestEnv& env, Model& model, const std::vector<std::string>& cards) {
  for (const std::string& card : cards) {
    auto b = env.ledger().Balance(env.tenant(), card);
    RC_ASSERT(b.ok());
    for (const auto& a : b->assets) {
      const std::int64_t expected = model.balance[{card, a.asset}];
      RC_ASSERT(a.balance == expected);
      RC_ASSERT(a.balance >= -a.credit_limit);
    }
  }
  const std::string problems = env.VerifyProblems();
  RC_ASSERT(problems == "");
}

RC_GTEST_PROP(LedgerPropertyTest, RandomOperationsKeepTheInvariants, ()) {
  const auto ops = *rc::gen::container<std::vector<Op>>(
      *rc::gen::inRange<std::size_t>(1, 40),
      rc::gen::construct<Op>(rc::gen::inRange(0, static_cast<int>(OpKind::kCount)),
                             rc::gen::inRange(0, 3), rc::gen::inRange<std::int64_t>(1, 400),
                             rc::gen::inRange(0, 1000)));
  TestEnv env;
  const std::vector<std::string> cards = {env.NewCard("a"), env.NewCard("b"), env.NewCard("c")};
  // Card c may owe up to 50.00 of stored value.
  RC_ASSERT(
      env.ledger()
          .SetCreditLimit(env.Req(),
                          service::CreditLimitRequest{cards[2], Asset::kStoredValue, 5000, "test"})
          .ok());
  Model model;
  std::map<std::string, bool> frozen;
  int key = 0;
  const auto next_key = [&] { return "p" + std::to_string(++key); };

  for (const Op& op : ops) {
    const std::string& card = cards[static_cast<std::size_t>(op.card)];
    const auto kind = static_cast<OpKind>(op.kind);
    const auto entries_before = QueryInt(env.db_path(), "SELECT count(*) FROM entries");
    core::Status outcome;
    switch (kind) {
      case OpKind::kEarn:
      case OpKind::kEarnExpiring: {
        service::EarnRequest r{
            card,      op.pick % 3 == 0 ? Asset::kCashablePoints : Asset::kPoints,
            op.amount, std::nullopt,
            "",        ""};
        if (kind == OpKind::kEarnExpiring) {
          r.expires_at = env.clock().Now().PlusSeconds((1 + op.pick % 20) * 86400);
        }
        const std::string k = next_key();
        auto res = env.ledger().Earn(env.Keyed(k), r);
        if (res) {
          model.Apply(*res);
          model.entries.push_back(res->entry_id);
          model.earns.push_back({k, r, nlohmann::json(*res)});
        }
        outcome = core::AsStatus(res);
        break;
      }
      case OpKind::kSpend: {
        auto res = env.ledger().Spend(
            env.Req(),
            service::SpendRequest{card, core::AssetSelection::kAnyPoints, op.amount, "", ""});
        if (res) {
          model.Apply(*res);
          model.entries.push_back(res->entry_id);
        }
        outcome = core::AsStatus(res);
        break;
      }
      case OpKind::kTopUp: {
        auto res = env.ledger().TopUp(
            env.Req(),
            service::TopUpRequest{card, Asset::kStoredValue, op.amount * 100,
                                  op.pick % 2 == 0 ? op.amount : 0, std::nullopt, "", ""});
        if (res) {
          model.Apply(*res);
          model.entries.push_back(res->entry_id);
        }
        outcome = core::AsStatus(res);
        break;
      }
      case OpKind::kPay: {
        auto res = env.ledger().Pay(
            env.Req(), service::PayRequest{card, Asset::kStoredValue, op.amount * 37, "", ""});
        if (res) {
          model.Apply(*res);
          model.entries.push_back(res->entry_id);
        }
        outcome = core::AsStatus(res);
        break;
      }
      case OpKind::kAdjustDown: {
        auto res =
            env.ledger().Adjust(env.Req(), service::AdjustRequest{card, Asset::kPoints, -op.amount,
                                                                  std::nullopt, "", "correction"});
        if (res) model.Apply(*res);
        outcome = core::AsStatus(res);
        break;
      }
      case OpKind::kHold: {
        auto res = env.ledger().Hold(
            env.Req(), service::HoldRequest{card,
                                            op.pick % 2 == 0 ? core::AssetSelection::kAnyPoints
                                                             : core::AssetSelection::kStoredValue,
                                            op.amount, 1 + op.pick % 3 * 86400, ""});
        if (res) {
          model.Apply(res->entry);
          model.holds.push_back(res->hold_id);
        }
        outcome = core::AsStatus(res);
        break;
      }
      case OpKind::kCapture:
      case OpKind::kVoid: {
        if (model.holds.empty()) continue;
        const std::int64_t hold =
            model.holds[static_cast<std::size_t>(op.pick) % model.holds.size()];
        core::Result<service::HoldReceipt> res =
            kind == OpKind::kCapture
                ? env.ledger().Capture(env.Req(), service::CaptureRequest{hold, op.amount})
                : env.ledger().Void(env.Req(), service::VoidRequest{hold, ""});
        if (res) model.Apply(res->entry);
        outcome = core::AsStatus(res);
        break;
      }
      case OpKind::kReverse: {
        if (model.entries.empty()) continue;
        const std::int64_t entry =
            model.entries[static_cast<std::size_t>(op.pick) % model.entries.size()];
        auto res = env.ledger().Reverse(env.Req(), service::ReverseRequest{entry, "undo"});
        if (res) model.Apply(*res);
        outcome = core::AsStatus(res);
        break;
      }
      case OpKind::kReplay: {
        if (model.earns.empty()) continue;
        const Model::Done& done =
            model.earns[static_cast<std::size_t>(op.pick) % model.earns.size()];
        auto res = env.ledger().Earn(env.Keyed(done.key), done.earn);
        RC_ASSERT(res.ok());
        RC_ASSERT(res->replayed);
        RC_ASSERT(nlohmann::json(*res) == done.receipt);
        RC_ASSERT(QueryInt(env.db_path(), "SELECT count(*) FROM entries") == entries_before);
        continue;
      }
      case OpKind::kFreezeToggle: {
        const core::CardOp cop = frozen[card] ? core::CardOp::kUnfreeze : core::CardOp::kFreeze;
        RC_ASSERT(env.services().cards().Apply(env.Req(), card, cop, "test").ok());
        frozen[card] = !frozen[card];
        continue;
      }
      case OpKind::kAdvanceDays:
        env.clock().AdvanceSeconds((op.pick % 15) * 86400 + op.amount);
        continue;
      case OpKind::kExpire: {
        const core::CivilDate yesterday =
            service::LocalDate(env.tenant().timezone, env.clock().Now()).PlusDays(-1);
        const std::int64_t before = model.last_entry;
        auto res = env.ledger().Expire(env.Req(""), yesterday);
        RC_ASSERT(res.ok());
        // Expiry entries and released holds are journal lines too: apply what they moved.
        for (const std::string& c : cards) {
          auto page = env.ledger().History(env.tenant(), c, {}, {}, 1000);
          RC_ASSERT(page.ok());
          for (const auto& line : page->lines) {
            if (line.entry_id > before) {
              model.balance[{line.card_number, line.asset}] += line.amount;
              model.last_entry = std::max(model.last_entry, line.entry_id);
            }
          }
        }
        CheckBalances(env, model, cards);
        continue;
      }
      case OpKind::kCount:
        continue;
    }
    if (!outcome) {
      // Refused: nothing was written.
      RC_ASSERT(QueryInt(env.db_path(), "SELECT count(*) FROM entries") == entries_before);
      if (frozen[card]) {
        RC_ASSERT(kind == OpKind::kCapture || kind == OpKind::kVoid || kind == OpKind::kReverse ||
                  outcome.error().code == core::ErrorCode::kCardFrozen);
      }
    }
    CheckBalances(env, model, cards);
  }
}

}  // namespace
}  // namespace onecard::testing
