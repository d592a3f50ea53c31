// Commands: card issue, show, activate, lost, unlost, freeze, unfreeze, reissue, renew, close,
// replace, credit-limit, expiring.
#include <ostream>

#include "cli/context.hpp"
#include "cli/print.hpp"
#include "service/calendar.hpp"
#include "service/card_code.hpp"

namespace onecard::cli {

using core::ErrorCode;
using core::MakeError;
using core::Result;
using core::Status;

namespace {

struct CardOptions {
  service::IssueCardRequest issue;
  std::string number;
  std::string new_number;
  std::string reason;
  std::string asset = "stored_value";
  std::string limit;
  std::string by;
  int max = 100;
};

void PrintOp(Session& s, const service::CardOpResult& r) {
  s.Emit(r, [&] {
    PrintCard(s, r.card);
    if (r.new_card) {
      s.out() << "New card:\n";
      PrintCard(s, *r.new_card);
    }
    if (r.transfer) PrintReceipt(s, *r.transfer);
  });
}

void AddSimpleOp(CLI::App* card, CliContext& ctx, const char* name, const char* help,
                 core::CardOp op) {
  auto o = std::make_shared<CardOptions>();
  auto* cmd = card->add_subcommand(name, help);
  cmd->add_option("number", o->number, "Card number")->required();
  cmd->add_option("--reason", o->reason, "Why (recorded in the card's log)");
  cmd->callback([&ctx, o, op] {
    ctx.action = [o, op](Session& s) -> Status {
      ONECARD_TRY(service::Request req, s.MakeRequest(false));
      ONECARD_TRY(service::CardOpResult r,
                  s.services().cards().Apply(req, o->number, op, o->reason));
      PrintOp(s, r);
      return {};
    };
  });
}

}  // namespace

void AddCardCommands(CLI::App& app, CliContext& ctx) {
  auto* card = app.add_subcommand("card", "Cards: issue, look up and operate");
  card->require_subcommand(1);

  auto io = std::make_shared<CardOptions>();
  auto* issue = card->add_subcommand("issue", "Issue a card");
  issue->add_option("--member", io->issue.member_id, "Member id (omit for a bearer card)");
  issue->add_option("--type", io->issue.type, "Card type code")->required();
  issue->add_option("--number", io->issue.number, "Card number (default: generated)");
  issue->add_flag("--phone-as-number", io->issue.phone_as_number,
                  "Use the member's phone number as the card number");
  issue->add_option("--primary", io->issue.primary, "Linked cards: the primary card's number");
  issue->add_flag("--inactive", io->issue.inactive, "Issue inactive, to activate later");
  issue->add_option("--reason", io->issue.reason, "Note for the card's log");
  issue->callback([&ctx, io] {
    ctx.action = [io](Session& s) -> Status {
      ONECARD_TRY(service::Request req, s.MakeRequest(false));
      ONECARD_TRY(service::CardOpResult r, s.services().cards().Issue(req, io->issue));
      PrintOp(s, r);
      return {};
    };
  });

  auto so = std::make_shared<CardOptions>();
  auto* show = card->add_subcommand("show", "Show a card and its log");
  show->add_option("number", so->number, "Card number")->required();
  show->callback([&ctx, so] {
    ctx.action = [so](Session& s) -> Status {
      ONECARD_TRY(service::TenantRef t, s.Tenant());
      ONECARD_TRY(service::CardView v, s.services().cards().Show(t, so->number));
      s.Emit(v, [&] { PrintCard(s, v); });
      return {};
    };
  });

  AddSimpleOp(card, ctx, "activate", "Activate an inactive card", core::CardOp::kActivate);
  AddSimpleOp(card, ctx, "lost", "Report a card lost: no value moves on it",
              core::CardOp::kReportLost);
  AddSimpleOp(card, ctx, "unlost", "Cancel a loss report", core::CardOp::kCancelLoss);
  AddSimpleOp(card, ctx, "freeze", "Freeze a card: no value moves on it", core::CardOp::kFreeze);
  AddSimpleOp(card, ctx, "unfreeze", "Unfreeze a card", core::CardOp::kUnfreeze);
  AddSimpleOp(card, ctx, "reissue", "Record a new physical card with the same number",
              core::CardOp::kReissue);
  AddSimpleOp(card, ctx, "renew", "Extend the membership validity (charges the type's fee)",
              core::CardOp::kRenew);
  AddSimpleOp(card, ctx, "close", "Close a card with no balance left", core::CardOp::kClose);

  auto ro = std::make_shared<CardOptions>();
  auto* replace = card->add_subcommand(
      "replace", "Move every balance to a new card in one entry; the old number is dead");
  replace->add_option("number", ro->number, "The card to replace")->required();
  replace->add_option("--new-number", ro->new_number, "The new card's number (default: generated)");
  replace->add_option("--reason", ro->reason, "Why (recorded)");
  replace->callback([&ctx, ro] {
    ctx.action = [ro](Session& s) -> Status {
      ONECARD_TRY(service::Request req, s.MakeRequest(true));
      ONECARD_TRY(service::CardOpResult r,
                  s.services().cards().Replace(req, ro->number, ro->new_number, ro->reason));
      PrintOp(s, r);
      return {};
    };
  });

  auto co = std::make_shared<CardOptions>();
  auto* credit = card->add_subcommand("credit-limit", "Let an account go below zero up to a limit");
  credit->add_option("number", co->number, "Card number")->required();
  credit->add_option("--asset", co->asset, "stored_value, gift_value, uses, points…")
      ->capture_default_str();
  credit->add_option("--limit", co->limit, "The limit, in the asset's unit")->required();
  credit->add_option("--reason", co->reason, "Why (recorded)");
  credit->callback([&ctx, co] {
    ctx.action = [co](Session& s) -> Status {
      ONECARD_TRY(core::Asset asset, core::ParseAsset(co->asset, "asset"));
      std::int64_t limit = 0;
      if (co->limit.find_first_not_of("0.") != std::string::npos) {
        ONECARD_TRY(limit,
                    core::ParseAmount(asset, co->limit, "limit", core::SignPolicy::kPositiveOnly));
      }
      ONECARD_TRY(service::Request req, s.MakeRequest(false));
      ONECARD_TRY(service::AssetBalance b,
                  s.services().ledger().SetCreditLimit(
                      req, service::CreditLimitRequest{co->number, asset, limit, co->reason}));
      s.Emit(b, [&] {
        s.out() << "Card " << co->number << " " << AssetLabel(asset) << " credit limit is now "
                << Amount(asset, b.credit_limit) << " (balance " << Amount(asset, b.balance)
                << ")\n";
      });
      return {};
    };
  });

  auto qo = std::make_shared<CardOptions>();
  auto qr = std::make_shared<bool>(false);
  auto* code = card->add_subcommand("code", "Render a card's barcode or QR code");
  code->add_option("number", qo->number, "Card number")->required();
  code->add_option("--out", qo->by, "File to write: .png, .svg or .eps")->required();
  code->add_flag("--qr", *qr, "A QR code instead of a Code 128 barcode");
  code->callback([&ctx, qo, qr] {
    ctx.action = [qo, qr](Session& s) -> Status {
      ONECARD_TRY(service::TenantRef t, s.Tenant());
      // Only cards that exist get printed.
      ONECARD_TRY(service::CardView v, s.services().cards().Show(t, qo->number));
      ONECARD_CHECK(service::WriteCardCode(
          v.number, *qr ? service::CodeKind::kQr : service::CodeKind::kBarcode, qo->by));
      s.Emit(nlohmann::json{{"card", v.number}, {"file", qo->by}}, [&] {
        s.out() << "Wrote the " << (*qr ? "QR code" : "barcode") << " of card " << v.number
                << " to " << qo->by << "\n";
      });
      return {};
    };
  });

  auto eo = std::make_shared<CardOptions>();
  auto* expiring = card->add_subcommand("expiring", "Cards whose membership ends by a date");
  expiring->add_option("--by", eo->by, "Date (default: 30 days from today)");
  expiring->add_option("--limit", eo->max, "At most this many")->capture_default_str();
  expiring->callback([&ctx, eo] {
    ctx.action = [eo](Session& s) -> Status {
      ONECARD_TRY(service::TenantRef t, s.Tenant());
      core::CivilDate by = service::LocalDate(t.timezone, s.services().clock().Now()).PlusDays(30);
      if (!eo->by.empty()) {
        ONECARD_TRY(by, core::CivilDate::Parse(eo->by, "by"));
      }
      ONECARD_TRY(std::vector<service::CardView> cards,
                  s.services().cards().ExpiringBy(t, by, eo->max));
      s.Emit(cards, [&] {
        if (cards.empty()) s.out() << "No membership ends by " << by.ToString() << ".\n";
        for (const auto& c : cards) {
          s.out() << c.expires_on->ToString() << "  card " << c.number << "  " << c.type;
          if (c.member_id != 0) s.out() << "  member " << c.member_id << " " << c.member_name;
          s.out() << "\n";
        }
      });
      return {};
    };
  });
}

}  // namespace onecard::cli
