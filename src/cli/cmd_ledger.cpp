// Commands: points earn/spend/adjust, value top-up/pay, uses load/redeem, hold, capture, void,
// release-holds, reverse, entry, history, balance, expire.
#include <ostream>

#include "cli/context.hpp"
#include "cli/print.hpp"
#include "service/calendar.hpp"

namespace onecard::cli {

using core::Asset;
using core::ErrorCode;
using core::MakeError;
using core::Result;
using core::Status;

namespace {

struct LedgerOptions {
  std::string card;
  std::string amount;
  std::string bonus;
  std::string kind;
  std::string asset;
  std::string expires;
  std::string doc;
  std::string reason;
  std::string timeout = "10m";
  std::int64_t id = 0;
  std::int64_t member = 0;
  std::int64_t before = 0;
  int limit = 50;
  std::string as_of;
  bool quote = false;
};

// "90s", "10m", "2h", "1d" or plain seconds.
Result<std::int64_t> ParseDuration(const std::string& text) {
  std::int64_t unit = 1;
  std::string digits = text;
  if (!digits.empty()) {
    switch (digits.back()) {
      case 's':
        unit = 1;
        break;
      case 'm':
        unit = 60;
        break;
      case 'h':
        unit = 3600;
        break;
      case 'd':
        unit = 86400;
        break;
      default:
        unit = 0;
    }
    if (unit != 0) digits.pop_back();
    if (unit == 0) unit = 1;
  }
  Result<std::int64_t> n = core::ParseCount(digits, "timeout", core::SignPolicy::kPositiveOnly);
  if (!n || *n > 100'000'000) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "\"" + text + "\" is not a duration like 90s, 10m, 2h or 1d", "timeout");
  }
  return *n * unit;
}

void PrintEntry(Session& s, const service::EntryReceipt& r) {
  s.Emit(r, [&] { PrintReceipt(s, r); });
}

void AddPoints(CLI::App& app, CliContext& ctx) {
  auto* points = app.add_subcommand("points", "Points: earn, spend, adjust");
  points->require_subcommand(1);

  auto e = std::make_shared<LedgerOptions>();
  auto* earn = points->add_subcommand("earn", "Grant points");
  earn->add_option("--card", e->card, "Card number")->required();
  earn->add_option("--points", e->amount, "How many")->required();
  earn->add_option("--kind", e->kind, "points (default) or cashable_points");
  earn->add_option("--expires", e->expires, "Last valid day YYYY-MM-DD (default: never)");
  earn->add_option("--doc", e->doc, "Document number (receipt, voucher)");
  earn->add_option("--reason", e->reason, "Why");
  earn->callback([&ctx, e] {
    ctx.action = [e](Session& s) -> Status {
      service::EarnRequest r;
      r.card = e->card;
      if (!e->kind.empty()) {
        ONECARD_TRY(r.asset, core::ParseAsset(e->kind, "kind"));
      }
      ONECARD_TRY(r.amount,
                  core::ParseAmount(r.asset, e->amount, "points", core::SignPolicy::kPositiveOnly));
      ONECARD_TRY(r.expires_at, s.ExpiryFromDate(e->expires, "expires"));
      r.doc_no = e->doc;
      r.reason = e->reason;
      ONECARD_TRY(service::Request req, s.MakeRequest(true));
      ONECARD_TRY(service::EntryReceipt receipt, s.services().ledger().Earn(req, r));
      PrintEntry(s, receipt);
      return {};
    };
  });

  auto sp = std::make_shared<LedgerOptions>();
  auto* spend = points->add_subcommand("spend", "Spend points, earliest-expiring first");
  spend->add_option("--card", sp->card, "Card number")->required();
  spend->add_option("--points", sp->amount, "How many")->required();
  spend->add_option("--kind", sp->kind, "any_points (default), points or cashable_points");
  spend->add_option("--doc", sp->doc, "Document number");
  spend->add_option("--reason", sp->reason, "Why");
  spend->callback([&ctx, sp] {
    ctx.action = [sp](Session& s) -> Status {
      service::SpendRequest r;
      r.card = sp->card;
      if (!sp->kind.empty()) {
        ONECARD_TRY(r.selection, core::ParseAssetSelection(sp->kind, "kind"));
      }
      ONECARD_TRY(r.amount,
                  core::ParseCount(sp->amount, "points", core::SignPolicy::kPositiveOnly));
      r.doc_no = sp->doc;
      r.reason = sp->reason;
      ONECARD_TRY(service::Request req, s.MakeRequest(true));
      ONECARD_TRY(service::EntryReceipt receipt, s.services().ledger().Spend(req, r));
      PrintEntry(s, receipt);
      return {};
    };
  });

  auto a = std::make_shared<LedgerOptions>();
  auto* adjust = points->add_subcommand("adjust", "Correct a balance by hand");
  adjust->add_option("--card", a->card, "Card number")->required();
  adjust->add_option("--points", a->amount, "Signed amount, e.g. 50 or -50")->required();
  adjust->add_option("--kind", a->kind, "points (default), cashable_points, or any asset");
  adjust->add_option("--expires", a->expires, "Last valid day of points added");
  adjust->add_option("--doc", a->doc, "Voucher number");
  adjust->add_option("--reason", a->reason, "Why (required)")->required();
  adjust->callback([&ctx, a] {
    ctx.action = [a](Session& s) -> Status {
      service::AdjustRequest r;
      r.card = a->card;
      if (!a->kind.empty()) {
        ONECARD_TRY(r.asset, core::ParseAsset(a->kind, "kind"));
      }
      ONECARD_TRY(r.amount, core::ParseAmount(r.asset, a->amount, "points",
                                              core::SignPolicy::kAllowNegative));
      ONECARD_TRY(r.expires_at, s.ExpiryFromDate(a->expires, "expires"));
      r.doc_no = a->doc;
      r.reason = a->reason;
      ONECARD_TRY(service::Request req, s.MakeRequest(true));
      ONECARD_TRY(service::EntryReceipt receipt, s.services().ledger().Adjust(req, r));
      PrintEntry(s, receipt);
      return {};
    };
  });
}

// `value top-up/pay` (money) and `uses load/redeem` (count cards) share their shape.
void AddLoadAndPay(CLI::App& app, CliContext& ctx, const char* group, const char* help,
                   const char* load_name, const char* pay_name, const char* amount_flag,
                   Asset default_asset) {
  auto* cmd = app.add_subcommand(group, help);
  cmd->require_subcommand(1);
  auto t = std::make_shared<LedgerOptions>();
  auto* load = cmd->add_subcommand(load_name, "Load value onto a card");
  load->add_option("--card", t->card, "Card number")->required();
  load->add_option(amount_flag, t->amount, "How much")->required();
  load->add_option("--bonus", t->bonus, "Bonus given on top (a separate lot)");
  if (default_asset == Asset::kStoredValue) {
    load->add_option("--asset", t->asset, "stored_value (default) or gift_value");
  }
  load->add_option("--expires", t->expires, "Last valid day (default: never)");
  load->add_option("--doc", t->doc, "Document number");
  load->add_option("--reason", t->reason, "Note");
  load->add_flag("--quote", t->quote, "Only say what the top-up would give; write nothing");
  load->callback([&ctx, t, default_asset] {
    ctx.action = [t, default_asset](Session& s) -> Status {
      service::TopUpSpec r;
      r.card = t->card;
      r.asset = default_asset;
      if (!t->asset.empty()) {
        ONECARD_TRY(r.asset, core::ParseAsset(t->asset, "asset"));
      }
      ONECARD_TRY(r.amount,
                  core::ParseAmount(r.asset, t->amount, "amount", core::SignPolicy::kPositiveOnly));
      if (!t->bonus.empty()) {
        ONECARD_TRY(r.bonus,
                    core::ParseAmount(r.asset, t->bonus, "bonus", core::SignPolicy::kPositiveOnly));
      }
      ONECARD_TRY(r.expires_at, s.ExpiryFromDate(t->expires, "expires"));
      r.doc_no = t->doc;
      r.reason = t->reason;
      ONECARD_TRY(service::Request req, s.MakeRequest(!t->quote));
      service::StoredValueService& sv = s.services().stored_value();
      ONECARD_TRY(service::TopUpView v, t->quote ? sv.QuoteTopUp(req, r) : sv.TopUp(req, r));
      s.Emit(v, [&] { PrintTopUp(s, v); });
      return {};
    };
  });
  auto p = std::make_shared<LedgerOptions>();
  auto* pay = cmd->add_subcommand(pay_name, "Pay with value on a card");
  pay->add_option("--card", p->card, "Card number")->required();
  pay->add_option(amount_flag, p->amount, "How much")->required();
  if (default_asset == Asset::kStoredValue) {
    pay->add_option("--asset", p->asset, "stored_value (default) or gift_value");
  }
  pay->add_option("--doc", p->doc, "Document number (receipt)");
  pay->add_option("--reason", p->reason, "Note");
  pay->callback([&ctx, p, default_asset] {
    ctx.action = [p, default_asset](Session& s) -> Status {
      service::PayRequest r;
      r.card = p->card;
      r.asset = default_asset;
      if (!p->asset.empty()) {
        ONECARD_TRY(r.asset, core::ParseAsset(p->asset, "asset"));
      }
      ONECARD_TRY(r.amount,
                  core::ParseAmount(r.asset, p->amount, "amount", core::SignPolicy::kPositiveOnly));
      r.doc_no = p->doc;
      r.reason = p->reason;
      ONECARD_TRY(service::Request req, s.MakeRequest(true));
      ONECARD_TRY(service::EntryReceipt receipt, s.services().ledger().Pay(req, r));
      PrintEntry(s, receipt);
      return {};
    };
  });
}

void AddHolds(CLI::App& app, CliContext& ctx) {
  auto h = std::make_shared<LedgerOptions>();
  auto* hold = app.add_subcommand("hold", "Hold value for a two-phase payment");
  hold->add_option("--card", h->card, "Card number")->required();
  hold->add_option("--asset", h->asset,
                   "any_points (default), points, cashable_points, stored_value, gift_value, uses");
  hold->add_option("--amount", h->amount, "How much")->required();
  hold->add_option("--timeout", h->timeout, "Released automatically after (90s, 10m, 2h, 1d)")
      ->capture_default_str();
  hold->add_option("--doc", h->doc, "Document number");
  hold->callback([&ctx, h] {
    ctx.action = [h](Session& s) -> Status {
      service::HoldRequest r;
      r.card = h->card;
      if (!h->asset.empty()) {
        ONECARD_TRY(r.selection, core::ParseAssetSelection(h->asset, "asset"));
      }
      ONECARD_TRY(r.amount, core::ParseAmount(core::AssetsOf(r.selection).front(), h->amount,
                                              "amount", core::SignPolicy::kPositiveOnly));
      ONECARD_TRY(r.timeout_seconds, ParseDuration(h->timeout));
      r.doc_no = h->doc;
      ONECARD_TRY(service::Request req, s.MakeRequest(true));
      ONECARD_TRY(service::HoldReceipt receipt, s.services().ledger().Hold(req, r));
      s.Emit(receipt, [&] { PrintHold(s, receipt); });
      return {};
    };
  });

  auto c = std::make_shared<LedgerOptions>();
  auto* capture = app.add_subcommand("capture", "Capture all or part of a hold");
  capture->add_option("hold", c->id, "Hold id")->required();
  capture->add_option("--amount", c->amount, "Part to capture (default: all)");
  capture->callback([&ctx, c] {
    ctx.action = [c](Session& s) -> Status {
      service::CaptureRequest r;
      r.hold_id = c->id;
      ONECARD_TRY(service::Request req, s.MakeRequest(true));
      if (!c->amount.empty()) {
        // The amount is in the hold's unit ("12.50" is yuan for money, "120" points).
        ONECARD_TRY(service::HoldReceipt held, s.services().ledger().ShowHold(req.tenant, c->id));
        ONECARD_TRY(r.amount, core::ParseAmount(core::AssetsOf(held.selection).front(), c->amount,
                                                "amount", core::SignPolicy::kPositiveOnly));
      }
      ONECARD_TRY(service::HoldReceipt receipt, s.services().ledger().Capture(req, r));
      s.Emit(receipt, [&] { PrintHold(s, receipt); });
      return {};
    };
  });

  auto v = std::make_shared<LedgerOptions>();
  auto* void_cmd = app.add_subcommand("void", "Release a hold: everything goes back to its lots");
  void_cmd->add_option("hold", v->id, "Hold id")->required();
  void_cmd->add_option("--reason", v->reason, "Why");
  void_cmd->callback([&ctx, v] {
    ctx.action = [v](Session& s) -> Status {
      ONECARD_TRY(service::Request req, s.MakeRequest(true));
      ONECARD_TRY(service::HoldReceipt receipt,
                  s.services().ledger().Void(req, service::VoidRequest{v->id, v->reason}));
      s.Emit(receipt, [&] { PrintHold(s, receipt); });
      return {};
    };
  });

  app.add_subcommand("release-holds",
                     "Release every hold, and void every held sale, whose timeout has passed")
      ->callback([&ctx] {
        ctx.action = [](Session& s) -> Status {
          ONECARD_TRY(std::int64_t n, s.services().ledger().ReleaseDueHolds());
          ONECARD_TRY(std::int64_t sales, s.services().checkout().ReleaseDueSales());
          s.Emit(nlohmann::json{{"released", n}, {"sales_expired", sales}}, [&] {
            s.out() << "Released " << n << " timed-out hold(s); " << sales
                    << " held sale(s) expired.\n";
          });
          return {};
        };
      });
}

void AddJournal(CLI::App& app, CliContext& ctx) {
  auto r = std::make_shared<LedgerOptions>();
  auto* reverse = app.add_subcommand("reverse", "Undo an entry exactly (restores the lots)");
  reverse->add_option("entry", r->id, "Entry id")->required();
  reverse->add_option("--reason", r->reason, "Why (required)")->required();
  reverse->callback([&ctx, r] {
    ctx.action = [r](Session& s) -> Status {
      ONECARD_TRY(service::Request req, s.MakeRequest(true));
      ONECARD_TRY(service::EntryReceipt receipt,
                  s.services().ledger().Reverse(req, service::ReverseRequest{r->id, r->reason}));
      PrintEntry(s, receipt);
      return {};
    };
  });

  auto e = std::make_shared<LedgerOptions>();
  auto* entry = app.add_subcommand("entry", "Show one journal entry");
  entry->add_option("id", e->id, "Entry id")->required();
  entry->callback([&ctx, e] {
    ctx.action = [e](Session& s) -> Status {
      ONECARD_TRY(service::TenantRef t, s.Tenant());
      ONECARD_TRY(service::EntryReceipt receipt,
                  s.services().ledger().Entry(t, core::EntryId{e->id}));
      PrintEntry(s, receipt);
      return {};
    };
  });

  auto hi = std::make_shared<LedgerOptions>();
  auto* history = app.add_subcommand("history", "A card's or member's journal, newest first");
  history->add_option("--card", hi->card, "Card number");
  history->add_option("--member", hi->member, "Member id (all their cards)");
  history->add_option("--before", hi->before, "Only entries before this entry id (paging)");
  history->add_option("--limit", hi->limit, "Entries per page")->capture_default_str();
  history->callback([&ctx, hi] {
    ctx.action = [hi](Session& s) -> Status {
      if (hi->card.empty() == (hi->member == 0)) {
        return MakeError(ErrorCode::kInvalidArgument, "give either --card or --member", "card");
      }
      ONECARD_TRY(service::TenantRef t, s.Tenant());
      ONECARD_TRY(service::HistoryPage page,
                  s.services().ledger().History(t, hi->card, core::MemberId{hi->member},
                                                core::EntryId{hi->before}, hi->limit));
      s.Emit(page, [&] { PrintHistory(s, page); });
      return {};
    };
  });

  auto b = std::make_shared<LedgerOptions>();
  auto* balance = app.add_subcommand("balance", "Balances of a card, with lots and holds");
  balance->add_option("card", b->card, "Card number");
  balance->add_option("--card", b->card, "Card number");
  balance->callback([&ctx, b] {
    ctx.action = [b](Session& s) -> Status {
      if (b->card.empty()) {
        return MakeError(ErrorCode::kInvalidArgument, "give a card number", "card");
      }
      ONECARD_TRY(service::TenantRef t, s.Tenant());
      ONECARD_TRY(service::CardBalances bal, s.services().ledger().Balance(t, b->card));
      s.Emit(bal, [&] { PrintBalances(s, bal); });
      return {};
    };
  });

  auto x = std::make_shared<LedgerOptions>();
  auto* expire = app.add_subcommand("expire", "Write off lots that expired by a business date");
  expire->add_option("--as-of", x->as_of, "Business date YYYY-MM-DD (default: yesterday)");
  expire->callback([&ctx, x] {
    ctx.action = [x](Session& s) -> Status {
      ONECARD_TRY(service::Request req, s.MakeRequest(false));
      core::CivilDate as_of =
          service::LocalDate(req.tenant.timezone, s.services().clock().Now()).PlusDays(-1);
      if (!x->as_of.empty()) {
        ONECARD_TRY(as_of, core::CivilDate::Parse(x->as_of, "as_of"));
      }
      ONECARD_TRY(service::ExpiryReport report, s.services().ledger().Expire(req, as_of));
      s.Emit(report, [&] {
        s.out() << "Expiry as of " << report.as_of.ToString() << ": " << report.entries
                << " account(s) written off — " << core::GroupThousands(report.points_expired)
                << " points, " << core::GroupThousands(report.cashable_points_expired)
                << " cashable points";
        if (report.other_expired != 0) s.out() << ", " << report.other_expired << " other units";
        s.out() << "; " << report.holds_released << " timed-out hold(s) released.\n";
      });
      return {};
    };
  });
}

}  // namespace

void AddLedgerCommands(CLI::App& app, CliContext& ctx) {
  AddPoints(app, ctx);
  AddLoadAndPay(app, ctx, "value", "Stored value and gift value", "top-up", "pay", "--amount",
                Asset::kStoredValue);
  AddLoadAndPay(app, ctx, "uses", "Count cards: uses of a service", "load", "redeem", "--count",
                Asset::kUses);
  AddHolds(app, ctx);
  AddJournal(app, ctx);
}

}  // namespace onecard::cli
