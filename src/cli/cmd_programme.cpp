// Commands: programme validate, explain, add, list, show, activate, cancel, simulate (issue #4).
// validate, and explain of a FILE, read documents without a database; the others work on the
// tenant's stored versions.
#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>

#include "cli/context.hpp"
#include "core/money.hpp"
#include "core/programme.hpp"
#include "programme/document.hpp"

namespace onecard::cli {

using core::ErrorCode;
using core::MakeError;
using core::Result;
using core::Status;
using core::Yuan;
using nlohmann::json;

Result<std::string> ReadText(const std::string& path, std::string_view field) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return MakeError(ErrorCode::kInvalidArgument, "cannot read " + path, std::string(field));
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// A basket file: {"lines": [{"sku": "A1", "quantity": 2, "price": "59.90", "categories": […],
// "item_class": "goods", "non_earning": false}, …]}.
Result<std::vector<core::BasketLine>> ReadBasket(const std::string& path, bool passes) {
  ONECARD_TRY(std::string text, ReadText(path, "basket"));
  const json doc = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded() || !doc.is_object() || !doc.contains("lines")) {
    return MakeError(ErrorCode::kInvalidArgument,
                     path + " is not a basket: expected {\"lines\": [ … ]}", "basket");
  }
  return service::BasketFromJson(doc["lines"], "lines", passes);
}

namespace {

struct ExplainOptions {
  std::string file, basket, tier, date, time, store, birthday;
  std::string spend, carried;
  std::int64_t points = 0;
  std::int64_t balance = 0;
  int version = 0;
};

// The member and the moment from the options.
Status FillExplain(const ExplainOptions& o, service::ExplainSpec& spec) {
  ONECARD_TRY(spec.lines, ReadBasket(o.basket));
  json member = json::object();
  if (!o.tier.empty()) member["tier"] = o.tier;
  if (!o.birthday.empty()) member["birthday"] = o.birthday;
  if (!o.spend.empty()) member["spend"] = o.spend;
  if (!o.carried.empty()) member["carried"] = o.carried;
  member["points"] = o.points;
  member["balance"] = o.balance;
  ONECARD_TRY(spec.member, service::MemberStateFromJson(member, "member"));
  if (!o.date.empty()) {
    ONECARD_TRY(spec.date, core::CivilDate::Parse(o.date, "date"));
  }
  if (!o.time.empty()) {
    ONECARD_TRY(spec.minute_of_day, service::ParseLocalTime(o.time, "time"));
  }
  spec.store = o.store;
  if (o.version > 0) spec.version = o.version;
  return {};
}

void PrintExplain(std::ostream& out, const service::ExplainView& v) {
  const core::Evaluation& e = v.evaluation;
  for (const core::PricedLine& l : e.lines) {
    out << l.sku << " ×" << l.quantity << "  " << core::Money::Fen(l.list).ToString() << "  −"
        << core::Money::Fen(l.discount).ToString() << "  = " << core::Money::Fen(l.paid).ToString()
        << "  " << l.points << " pts\n";
  }
  out << "total " << core::Money::Fen(e.paid_total).ToString() << " (saved "
      << core::Money::Fen(e.discount_total).ToString() << "), " << e.points << " "
      << core::AssetName(e.point_asset) << " at tier " << e.tier;
  if (e.tier_after != e.tier) out << "; now " << e.tier_after;
  if (v.version) out << " (programme version " << *v.version << ")";
  out << "\nwhy:\n";
  for (const std::string& line : e.explain) out << "  " << line << '\n';
}

void PrintVersion(std::ostream& out, const service::ProgrammeVersionView& v, Session& s) {
  out << "v" << v.version << "  " << v.code << "  " << v.name << "  effective "
      << v.effective_from.ToString() << "  " << v.status;
  if (v.in_force_from) out << " from " << s.Local(*v.in_force_from);
  if (v.in_force_until) out << " until " << s.Local(*v.in_force_until);
  out << "  by " << (v.changed_by.empty() ? v.created_by : v.changed_by) << "\n";
}

std::string Change(std::int64_t actual, std::int64_t draft, bool money) {
  const std::int64_t d = draft - actual;
  std::string text = money ? Yuan(d < 0 ? -d : d) : core::GroupThousands(d < 0 ? -d : d);
  if (d == 0) return "=";
  return (d > 0 ? "+" : "−") + text;
}

void PrintSimulation(std::ostream& out, const service::SimulationReport& r) {
  out << "Draft " << r.draft_code << " (" << r.draft_name << ") over " << r.from.ToString()
      << " to " << r.to.ToString() << ": " << core::GroupThousands(r.sales) << " member sales of "
      << core::GroupThousands(r.members) << " members replayed ("
      << core::GroupThousands(r.walk_in_sales) << " walk-in sales not compared)\n\n";
  out << "                      actual          draft          change\n";
  const auto row = [&](const char* name, std::int64_t a, std::int64_t d, bool money) {
    char line[160];
    std::snprintf(line, sizeof line, "%-18s %12s   %12s   %12s\n", name,
                  (money ? Yuan(a) : core::GroupThousands(a)).c_str(),
                  (money ? Yuan(d) : core::GroupThousands(d)).c_str(), Change(a, d, money).c_str());
    out << line;
  };
  row("paid", r.actual.paid, r.draft.paid, true);
  row("discounts", r.actual.discounts, r.draft.discounts, true);
  row("points issued", r.actual.points_issued, r.draft.points_issued, false);
  row("redemption value", r.actual.redemption_value, r.draft.redemption_value, true);
  out << "\ntiers after the period — actual:";
  for (const service::TierCount& t : r.actual.tiers) out << " " << t.tier << " " << t.members;
  out << "; draft:";
  for (const service::TierCount& t : r.draft.tiers) out << " " << t.tier << " " << t.members;
  out << "\n";
  if (!r.most_affected.empty()) out << "\nmembers most affected (points actual → draft):\n";
  for (const service::AffectedMember& m : r.most_affected) {
    out << "  member " << m.member_id << ": " << m.actual_points << " → " << m.draft_points
        << " points, discount " << Yuan(m.actual_discount) << " → " << Yuan(m.draft_discount)
        << ", tier " << m.actual_tier << " → " << m.draft_tier << " (" << m.sales << " sales)\n";
  }
  if (r.failed > 0) {
    out << "\n" << r.failed << " sale(s) the draft could not price:\n";
    for (const std::string& f : r.failures) out << "  " << f << "\n";
  }
}

}  // namespace

void AddProgrammeCommands(CLI::App& app, CliContext& ctx) {
  auto* group = app.add_subcommand(
      "programme", "Programme documents: validate, explain, and the tenant's versions");
  group->require_subcommand(1);

  auto file = std::make_shared<std::string>();
  auto* validate = group->add_subcommand(
      "validate", "Check a programme document; every problem is listed with its line");
  validate->add_option("file", *file, "The programme (TOML, see docs/programmes.md)")->required();
  validate->callback([&ctx, file] {
    ctx.standalone = [&ctx, file]() -> Status {
      ONECARD_TRY(core::Programme p, programme::LoadProgramme(*file));
      if (ctx.json) {
        ctx.out << json{{"ok", true}, {"code", p.code}, {"tiers", p.tiers.size()}}.dump() << '\n';
      } else {
        ctx.out << *file << ": programme " << p.code << " (" << p.name << "), " << p.tiers.size()
                << (p.tiers.size() == 1 ? " tier" : " tiers") << ", effective from "
                << p.effective_from.ToString() << ": valid\n";
      }
      return {};
    };
  });

  auto o = std::make_shared<ExplainOptions>();
  auto* explain = group->add_subcommand(
      "explain",
      "Price a basket and say why each point is earned: under FILE, or (without FILE) the "
      "database's version in force or --version N");
  explain->add_option("file", o->file, "A programme document (TOML); none: the database's");
  explain->add_option("--version", o->version, "A stored version (default: the one in force)");
  explain->add_option("--basket", o->basket, "Basket file (JSON: {\"lines\": [...]})")->required();
  explain->add_option("--date", o->date, "Local date of the purchase, YYYY-MM-DD (default: today)");
  explain->add_option("--time", o->time,
                      "Local time of the purchase, HH:MM (default: 12:00 with "
                      "--date, else now)");
  explain->add_option("--store", o->store, "Store code");
  explain->add_option("--tier", o->tier, "The member's tier (default: the lowest)");
  explain->add_option("--birthday", o->birthday, "The member's birthday, YYYY-MM-DD");
  explain->add_option("--spend", o->spend, "Cumulative spend before this purchase, yuan");
  explain->add_option("--points", o->points, "Cumulative points before this purchase");
  explain->add_option("--carried", o->carried, "Remainder carried from earlier purchases, yuan");
  explain->add_option("--balance", o->balance,
                      "Points the member holds (to show what they may pay)");
  explain->callback([&ctx, o] {
    if (!o->file.empty() && o->version == 0) {
      // A document alone: no database needed.
      ctx.standalone = [&ctx, o]() -> Status {
        ONECARD_TRY(core::Programme p, programme::LoadProgramme(o->file));
        service::ExplainSpec spec;
        ONECARD_CHECK(FillExplain(*o, spec));
        if (!spec.date) {
          return MakeError(ErrorCode::kInvalidArgument,
                           "--date is required when explaining a file without a database", "date");
        }
        for (std::size_t i = 0; i < spec.lines.size(); ++i) {
          if (spec.lines[i].from_catalogue) {
            return MakeError(ErrorCode::kInvalidArgument,
                             "lines[" + std::to_string(i) +
                                 "] has no price: without a database there is no catalogue to "
                                 "price it (give its price, or explain a stored --version)",
                             "lines[" + std::to_string(i) + "].price");
          }
        }
        service::ExplainView v;
        v.date = *spec.date;
        v.minute_of_day = spec.minute_of_day.value_or(12 * 60);
        const core::EvalContext at{v.date, v.minute_of_day, spec.store};
        ONECARD_TRY(v.evaluation, core::Evaluate(p, spec.member, spec.lines, at));
        if (ctx.json) {
          ctx.out << json(v).dump() << '\n';
        } else {
          PrintExplain(ctx.out, v);
        }
        return {};
      };
      return;
    }
    ctx.action = [o](Session& s) -> Status {
      ONECARD_TRY(service::TenantRef t, s.Tenant());
      service::ExplainSpec spec;
      ONECARD_CHECK(FillExplain(*o, spec));
      if (!o->file.empty()) {
        return MakeError(ErrorCode::kInvalidArgument, "give a FILE or --version, not both",
                         "version");
      }
      ONECARD_TRY(service::ExplainView v, s.services().programmes().Explain(t, spec));
      s.Emit(v, [&] { PrintExplain(s.out(), v); });
      return {};
    };
  });

  auto add = group->add_subcommand(
      "add", "Store a programme document as the tenant's next draft version (checked first)");
  add->add_option("file", *file, "The programme (TOML)")->required();
  add->callback([&ctx, file] {
    ctx.action = [file](Session& s) -> Status {
      ONECARD_TRY(std::string text, ReadText(*file, "file"));
      ONECARD_TRY(service::Request req, s.MakeRequest(false));
      ONECARD_TRY(service::ProgrammeVersionView v, s.services().programmes().Add(req, text));
      s.Emit(v, [&] {
        s.out() << "Stored " << *file << " as draft version " << v.version
                << "; activate it with `onecard programme activate " << v.version << "`\n";
      });
      return {};
    };
  });

  group->add_subcommand("list", "The tenant's programme versions, newest first")->callback([&ctx] {
    ctx.action = [](Session& s) -> Status {
      ONECARD_TRY(service::TenantRef t, s.Tenant());
      ONECARD_TRY(std::vector<service::ProgrammeVersionView> all,
                  s.services().programmes().List(t));
      s.Emit(all, [&] {
        if (all.empty()) s.out() << "No programme versions yet (`onecard programme add FILE`)\n";
        for (const auto& v : all) PrintVersion(s.out(), v, s);
      });
      return {};
    };
  });

  auto version = std::make_shared<int>(0);
  auto* show = group->add_subcommand("show", "One version and its document");
  show->add_option("version", *version, "Version number")->required();
  show->callback([&ctx, version] {
    ctx.action = [version](Session& s) -> Status {
      ONECARD_TRY(service::TenantRef t, s.Tenant());
      ONECARD_TRY(service::ProgrammeVersionView v, s.services().programmes().Get(t, *version));
      s.Emit(v, [&] {
        PrintVersion(s.out(), v, s);
        s.out() << "\n" << v.document.value_or("");
      });
      return {};
    };
  });

  struct SimulateOptions {
    std::string draft, from, to;
  };
  auto so = std::make_shared<SimulateOptions>();
  auto* simulate = group->add_subcommand(
      "simulate",
      "Replay the recorded sales of a period under a draft and compare with what happened");
  simulate->add_option("--draft", so->draft, "The draft programme (TOML)")->required();
  simulate->add_option("--from", so->from, "First business date, YYYY-MM-DD")->required();
  simulate->add_option("--to", so->to, "Last business date, YYYY-MM-DD")->required();
  simulate->callback([&ctx, so] {
    ctx.action = [so](Session& s) -> Status {
      ONECARD_TRY(std::string text, ReadText(so->draft, "draft"));
      ONECARD_TRY(core::CivilDate from, core::CivilDate::Parse(so->from, "from"));
      ONECARD_TRY(core::CivilDate to, core::CivilDate::Parse(so->to, "to"));
      ONECARD_TRY(service::TenantRef t, s.Tenant());
      ONECARD_TRY(service::SimulationReport r,
                  s.services().programmes().Simulate(t, text, from, to));
      s.Emit(r, [&] { PrintSimulation(s.out(), r); });
      return {};
    };
  });

  for (const bool activate : {true, false}) {
    auto* change = group->add_subcommand(
        activate ? "activate" : "cancel",
        activate ? "Put a draft in force from its effective date (or now, if that has passed)"
                 : "Cancel a draft, or an activated version that is not in force yet");
    change->add_option("version", *version, "Version number")->required();
    change->callback([&ctx, version, activate] {
      ctx.action = [version, activate](Session& s) -> Status {
        ONECARD_TRY(service::Request req, s.MakeRequest(false));
        service::ProgrammeService& p = s.services().programmes();
        ONECARD_TRY(service::ProgrammeVersionView v,
                    activate ? p.Activate(req, *version) : p.Cancel(req, *version));
        s.Emit(v, [&] { PrintVersion(s.out(), v, s); });
        return {};
      };
    });
  }
}

}  // namespace onecard::cli
