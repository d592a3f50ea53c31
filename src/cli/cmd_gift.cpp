// Commands: giftcard — batches (create, import, list, show), activate, balance, show, unlock,
// report (take, list, show) and the issuance and consumption listings (issue #5, R-503).
#include <ostream>

#include "cli/context.hpp"
#include "cli/secret_file.hpp"
#include "core/csv.hpp"
#include "core/money.hpp"
#include "service/calendar.hpp"

namespace onecard::cli {

using core::ErrorCode;
using core::MakeError;
using core::Result;
using core::Status;
using core::Yuan;

namespace {

struct GiftCliOptions {
  std::string code, name, type, face_value, valid_until, prefix = "99", file, out, pin, doc,
                                                         reference, batch, from, to, after;
  std::vector<std::string> numbers;
  int pin_length = 6;
  std::int64_t count = 0;
  std::int64_t id = 0;
  bool cards = false, csv = false;
  int limit = 100;
};

// "1 card", "2 cards".
std::string Cards(std::int64_t n) {
  return std::to_string(n) + (n == 1 ? " card" : " cards");
}

Result<std::int64_t> Fen(const std::string& yuan, std::string_view field) {
  ONECARD_TRY(core::Money m, core::Money::Parse(yuan, field, core::SignPolicy::kPositiveOnly));
  return m.fen();
}

Result<std::optional<core::CivilDate>> OptDate(const std::string& text, std::string_view field) {
  if (text.empty()) return std::optional<core::CivilDate>{};
  ONECARD_TRY(core::CivilDate d, core::CivilDate::Parse(text, field));
  return std::optional<core::CivilDate>(d);
}

void PrintBatch(Session& s, const service::GiftBatchView& b) {
  s.out() << b.code << "  " << b.name << "  " << Cards(b.cards) << " of ¥" << Yuan(b.face_value)
          << "  " << b.origin << "  type " << b.card_type;
  if (b.valid_until) s.out() << "  valid until " << b.valid_until->ToString();
  s.out() << "\n";
  for (const service::GiftBatchStateView& st : b.states) {
    s.out() << "  " << st.state << ": " << Cards(st.cards) << ", ¥" << Yuan(st.balance)
            << " on them\n";
  }
}

void PrintCard(Session& s, const service::GiftCardView& c) {
  s.out() << c.number << "  batch " << c.batch << "  " << c.status << "  balance ¥"
          << Yuan(c.balance) << " of ¥" << Yuan(c.face_value);
  if (c.valid_until) s.out() << "  valid until " << c.valid_until->ToString();
  if (c.locked) s.out() << "  LOCKED until " << s.Local(*c.locked_until);
  if (!c.locked && c.failed_pins > 0) s.out() << "  " << c.failed_pins << " wrong PINs";
  s.out() << "\n";
}

void PrintReport(Session& s, const service::GiftReportView& r) {
  std::ostream& out = s.out();
  out << "Gift-card report " << r.id << " at " << s.Local(r.at) << " by " << r.staff << "\n";
  out << "  since "
      << (r.previous_id
              ? "report " + std::to_string(r.previous_id) + " at " + s.Local(*r.previous_at)
              : std::string("the beginning"))
      << " (entries " << r.after_entry + 1 << "…" << r.last_entry << ")\n";
  out << "  balance then      ¥" << Yuan(r.opening) << "\n";
  out << "  + issued          ¥" << Yuan(r.issued) << " (" << Cards(r.issued_cards) << ")\n";
  out << "  − consumed        ¥" << Yuan(r.consumed) << "\n";
  out << "  + refunded        ¥" << Yuan(r.refunded) << "\n";
  out << "  ± other           ¥" << Yuan(r.other) << "\n";
  out << "  = balance now     ¥" << Yuan(r.closing) << " on " << Cards(r.cards_with_balance)
      << "\n";
  out << (r.balanced ? "  balanced\n" : "  NOT BALANCED: differs by ¥" + Yuan(r.difference) + "\n");
  for (const service::GiftReportLine& l : r.lines) {
    out << "  " << l.kind << " at " << (l.store.empty() ? "head office" : l.store) << ": "
        << l.count << " postings, +¥" << Yuan(l.credits) << " −¥" << Yuan(-l.debits) << "\n";
  }
}

void AddBatch(CLI::App& group, CliContext& ctx, const std::shared_ptr<GiftCliOptions>& o) {
  auto* batch = group.add_subcommand("batch", "Batches of gift cards");
  batch->require_subcommand(1);
  auto* create = batch->add_subcommand(
      "create", "Make a batch: random numbers and PINs, printed once (write them with --out)");
  create->add_option("code", o->code, "Batch code (a-z, 0-9, _ and -)")->required();
  create->add_option("--name", o->name, "Name")->required();
  create->add_option("--face-value", o->face_value, "Yuan per card, e.g. 200.00")->required();
  create->add_option("--count", o->count, "Cards (1 to 5,000)")->required();
  create->add_option("--type", o->type, "Card type of kind gift (default: the only one)");
  create->add_option("--valid-until", o->valid_until, "Last day the cards may pay (YYYY-MM-DD)");
  create->add_option("--prefix", o->prefix, "Numbers start with these digits (default 99)");
  create->add_option("--pin-length", o->pin_length, "PIN digits (4 to 12, default 6)");
  create->add_option("--out", o->out, "Write number,pin,face_value as CSV to this file");
  create->callback([&ctx, o] {
    ctx.action = [o](Session& s) -> Status {
      service::GiftBatchSpec spec;
      spec.code = o->code;
      spec.name = o->name;
      spec.card_type = o->type;
      ONECARD_TRY(spec.face_value, Fen(o->face_value, "face_value"));
      spec.count = o->count;
      ONECARD_TRY(spec.valid_until, OptDate(o->valid_until, "valid_until"));
      spec.prefix = o->prefix;
      spec.pin_length = o->pin_length;
      ONECARD_TRY(service::Request req, s.MakeRequest(false));
      SecretFile file;
      if (!o->out.empty()) ONECARD_CHECK(file.Open(o->out));
      ONECARD_TRY(service::GiftBatchView b, s.services().gifts().CreateBatch(req, spec));
      std::string csv = core::CsvRecord(std::vector<std::string>{"number", "pin", "face_value"});
      for (const service::GiftCardIssued& c : b.issued) {
        csv += core::CsvRecord(std::vector<std::string>{c.number, c.pin, Yuan(c.face_value)});
      }
      if (!o->out.empty()) {
        if (Status written = file.Write(csv); !written) {
          s.out() << csv;  // the only other place the PINs will ever be
          return written;
        }
      }
      s.Emit(b, [&] {
        s.out() << "Made gift batch " << b.code << ": " << Cards(b.cards) << " of ¥"
                << Yuan(b.face_value) << ", inactive until sold. PINs " << b.pins << "\n";
        if (o->out.empty()) {
          s.out() << csv;
        } else {
          s.out() << "Numbers and PINs written to " << o->out << "\n";
        }
      });
      return {};
    };
  });
  auto* import_cmd = batch->add_subcommand(
      "import", "Make a batch from a printer's CSV (number,pin[,face_value]): all or nothing");
  import_cmd->add_option("code", o->code, "Batch code")->required();
  import_cmd->add_option("file", o->file, "CSV file")->required();
  import_cmd->add_option("--name", o->name, "Name")->required();
  import_cmd->add_option("--face-value", o->face_value, "Yuan per card the file gives none for")
      ->required();
  import_cmd->add_option("--type", o->type, "Card type of kind gift (default: the only one)");
  import_cmd->add_option("--valid-until", o->valid_until,
                         "Last day the cards may pay (YYYY-MM-DD)");
  import_cmd->callback([&ctx, o] {
    ctx.action = [o](Session& s) -> Status {
      service::GiftImportSpec spec;
      spec.code = o->code;
      spec.name = o->name;
      spec.card_type = o->type;
      ONECARD_TRY(spec.face_value, Fen(o->face_value, "face_value"));
      ONECARD_TRY(spec.valid_until, OptDate(o->valid_until, "valid_until"));
      ONECARD_TRY(spec.csv, ReadText(o->file, "file"));
      ONECARD_TRY(service::Request req, s.MakeRequest(false));
      ONECARD_TRY(service::GiftBatchView b, s.services().gifts().ImportBatch(req, spec));
      s.Emit(b, [&] {
        s.out() << "Imported gift batch " << b.code << " from " << o->file << ": " << Cards(b.cards)
                << ", inactive until sold\n";
      });
      return {};
    };
  }  // namespace
  );
  batch->add_subcommand("list", "Every batch, newest first")->callback([&ctx] {
    ctx.action = [](Session& s) -> Status {
      ONECARD_TRY(service::TenantRef t, s.Tenant());
      ONECARD_TRY(std::vector<service::GiftBatchView> all, s.services().gifts().ListBatches(t));
      s.Emit(all, [&] {
        for (const service::GiftBatchView& b : all) PrintBatch(s, b);
      });
      return {};
    };
  });
  auto* show = batch->add_subcommand("show", "One batch (with --cards: its cards, no PINs)");
  show->add_option("code", o->code, "Batch code")->required();
  show->add_flag("--cards", o->cards, "List the cards too");
  show->add_option("--after", o->after, "Cards after this number");
  show->add_option("--limit", o->limit, "Cards per page (default 100)");
  show->callback([&ctx, o] {
    ctx.action = [o](Session& s) -> Status {
      ONECARD_TRY(service::TenantRef t, s.Tenant());
      ONECARD_TRY(service::GiftBatchView b, s.services().gifts().GetBatch(t, o->code));
      service::GiftCardPage page;
      if (o->cards) {
        ONECARD_TRY(page, s.services().gifts().ListCards(t, o->code, o->after, o->limit));
      }
      if (s.ctx().json) {
        nlohmann::json j = b;
        if (o->cards) j["cards"] = page.items;
        s.out() << j.dump(2) << "\n";
        return {};
      }
      PrintBatch(s, b);
      for (const service::GiftCardView& c : page.items) PrintCard(s, c);
      if (!page.next.empty()) s.out() << "more: --after " << page.next << "\n";
      return {};
    };
  });
}  // namespace onecard::cli

void AddReports(CLI::App& group, CliContext& ctx, const std::shared_ptr<GiftCliOptions>& o) {
  auto* report = group.add_subcommand("report", "Reconciliation reports (finance)");
  report->require_subcommand(1);
  report->add_subcommand("take", "Take a report: everything since the previous one")
      ->callback([&ctx] {
        ctx.action = [](Session& s) -> Status {
          ONECARD_TRY(service::Request req, s.MakeRequest(false));
          ONECARD_TRY(service::GiftReportView r, s.services().gifts().TakeReport(req));
          s.Emit(r, [&] { PrintReport(s, r); });
          return {};
        };
      });
  report->add_subcommand("list", "Reports, newest first")->callback([&ctx] {
    ctx.action = [](Session& s) -> Status {
      ONECARD_TRY(service::TenantRef t, s.Tenant());
      ONECARD_TRY(std::vector<service::GiftReportView> all,
                  s.services().gifts().ListReports(t, 0, 100));
      s.Emit(all, [&] {
        for (const service::GiftReportView& r : all) {
          s.out() << r.id << "  " << s.Local(r.at) << "  balance ¥" << Yuan(r.closing)
                  << (r.balanced ? "  balanced" : "  NOT BALANCED") << "\n";
        }
      });
      return {};
    };
  });
  auto* show = report->add_subcommand("show", "One report (--csv: as CSV)");
  show->add_option("id", o->id, "Report id")->required();
  show->add_flag("--csv", o->csv, "Print it as CSV");
  show->callback([&ctx, o] {
    ctx.action = [o](Session& s) -> Status {
      ONECARD_TRY(service::TenantRef t, s.Tenant());
      if (o->csv) {
        ONECARD_TRY(std::string csv, s.services().gifts().ReportCsv(t, o->id));
        s.out() << csv;
        return {};
      }
      ONECARD_TRY(service::GiftReportView r, s.services().gifts().GetReport(t, o->id));
      s.Emit(r, [&] { PrintReport(s, r); });
      return {};
    };
  });
  for (const std::string what : {"issuance", "consumption"}) {
    auto* list = group.add_subcommand(
        what, what == "issuance" ? "Gift cards sold (activated), with the value loaded"
                                 : "Payments with gift cards and what returns put back");
    list->add_option("--from", o->from, "From this local date or time");
    list->add_option("--to", o->to, "To this local date (inclusive) or time");
    list->add_option("--batch", o->batch, "One batch only");
    list->add_flag("--csv", o->csv, "Every line as CSV");
    list->callback([&ctx, o, what] {
      ctx.action = [o, what](Session& s) -> Status {
        ONECARD_TRY(service::TenantRef t, s.Tenant());
        service::GiftListingQuery q;
        q.what = what;
        if (!o->from.empty()) {
          ONECARD_TRY(q.from, service::ParseLocalInstant(t.timezone, o->from, false, "from"));
        }
        if (!o->to.empty()) {
          ONECARD_TRY(q.to, service::ParseLocalInstant(t.timezone, o->to, true, "to"));
        }
        q.batch = o->batch;
        if (o->csv) {
          ONECARD_TRY(std::string csv, s.services().gifts().ListingCsv(t, q));
          s.out() << csv;
          return {};
        }
        q.limit = 1000;
        ONECARD_TRY(service::GiftListing page, s.services().gifts().Listing(t, q));
        s.Emit(page.items, [&] {
          for (const service::GiftMovementView& m : page.items) {
            s.out() << s.Local(m.at) << "  " << m.kind << "  " << m.card << "  ¥" << Yuan(m.amount)
                    << "  left ¥" << Yuan(m.balance_after) << "  "
                    << (m.store.empty() ? "head office" : m.store) << "  " << m.doc_no << "\n";
          }
          s.out() << page.count << " postings, ¥" << Yuan(page.total) << " in all";
          if (page.next_after) s.out() << " (first 1,000: use --csv for all)";
          s.out() << "\n";
        });
        return {};
      };
    });
  }
}

}  // namespace

void AddGiftCommands(CLI::App& app, CliContext& ctx) {
  auto o = std::make_shared<GiftCliOptions>();
  auto* group = app.add_subcommand("giftcard", "Gift cards: batches, selling, PINs, reports");
  group->require_subcommand(1);
  AddBatch(*group, ctx, o);
  auto* activate =
      group->add_subcommand("activate", "Sell gift cards (at --store): load their face value");
  activate->add_option("numbers", o->numbers, "Card numbers");
  activate->add_option("--batch", o->batch, "Every unsold card of this batch instead");
  activate->add_option("--doc", o->doc, "Receipt number")->required();
  activate->add_option("--reference", o->reference, "How the buyer paid (slip, invoice…)");
  activate->callback([&ctx, o] {
    ctx.action = [o](Session& s) -> Status {
      ONECARD_TRY(service::Request req, s.MakeRequest(true));
      ONECARD_TRY(service::GiftActivationView v,
                  s.services().gifts().Activate(req, {o->numbers, o->batch, o->doc, o->reference}));
      s.Emit(v, [&] {
        for (const service::GiftActivatedCard& c : v.cards) {
          s.out() << "Sold " << c.number << ": ¥" << Yuan(c.face_value) << " loaded (entry "
                  << c.entry_id << ")\n";
        }
        s.out() << Cards(static_cast<std::int64_t>(v.cards.size())) << ", ¥" << Yuan(v.total)
                << " in all\n";
      });
      return {};
    };
  });
  auto* balance = group->add_subcommand("balance", "A card's balance, with its PIN");
  balance->add_option("number", o->code, "Card number")->required();
  balance->add_option("--pin", o->pin, "PIN")->required()->envname("ONECARD_GIFT_PIN");
  balance->callback([&ctx, o] {
    ctx.action = [o](Session& s) -> Status {
      ONECARD_TRY(service::Request req, s.MakeRequest(false));
      ONECARD_TRY(service::GiftCardView c, s.services().gifts().Balance(req, o->code, o->pin));
      s.Emit(c, [&] { PrintCard(s, c); });
      return {};
    };
  });
  auto* show = group->add_subcommand("show", "A card (staff look-up: no PIN, never shows it)");
  show->add_option("number", o->code, "Card number")->required();
  show->callback([&ctx, o] {
    ctx.action = [o](Session& s) -> Status {
      ONECARD_TRY(service::TenantRef t, s.Tenant());
      ONECARD_TRY(service::GiftCardView c, s.services().gifts().Show(t, o->code));
      s.Emit(c, [&] { PrintCard(s, c); });
      return {};
    };
  });
  auto* unlock = group->add_subcommand("unlock", "Clear a card's wrong-PIN lock");
  unlock->add_option("number", o->code, "Card number")->required();
  unlock->callback([&ctx, o] {
    ctx.action = [o](Session& s) -> Status {
      ONECARD_TRY(service::Request req, s.MakeRequest(false));
      ONECARD_TRY(service::GiftCardView c, s.services().gifts().Unlock(req, o->code));
      s.Emit(c, [&] { PrintCard(s, c); });
      return {};
    };
  });
  auto* reset = group->add_subcommand(
      "reset-pin", "Give a card a new random PIN, printed once (clears its lock)");
  reset->add_option("number", o->code, "Card number")->required();
  reset->add_option("--pin-length", o->pin_length, "PIN digits (4 to 12, default 6)");
  reset->callback([&ctx, o] {
    ctx.action = [o](Session& s) -> Status {
      ONECARD_TRY(service::Request req, s.MakeRequest(false));
      ONECARD_TRY(service::GiftPinReset r,
                  s.services().gifts().ResetPin(req, o->code, o->pin_length));
      s.Emit(r, [&] {
        PrintCard(s, r.card);
        s.out() << (r.pin.empty() ? "PIN set before (a PIN is shown once)"
                                  : "new PIN " + r.pin + " (shown once)")
                << "\n";
      });
      return {};
    };
  });
  AddReports(*group, ctx, o);
}

}  // namespace onecard::cli
