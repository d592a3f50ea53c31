// Commands: programme validate, programme explain (issue #4). Neither opens the database: they
// read a programme document and, for explain, a basket file.
#include <fstream>
#include <iostream>
#include <sstream>

#include "cli/context.hpp"
#include "core/programme.hpp"
#include "programme/document.hpp"

namespace onecard::cli {
namespace {

using core::ErrorCode;
using core::MakeError;
using core::Result;
using core::Status;
using nlohmann::json;

// A basket file: {"lines": [{"sku": "A1", "quantity": 2, "price": "59.90", "categories": […],
// "item_class": "goods", "non_earning": false}, …]}.
Result<std::vector<core::BasketLine>> ReadBasket(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return MakeError(ErrorCode::kInvalidArgument, "cannot read " + path, "basket");
  std::ostringstream text;
  text << in.rdbuf();
  const json doc = json::parse(text.str(), nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded() || !doc.is_object() || !doc.contains("lines") ||
      !doc["lines"].is_array()) {
    return MakeError(ErrorCode::kInvalidArgument,
                     path + " is not a basket: expected {\"lines\": [ … ]}", "basket");
  }
  std::vector<core::BasketLine> lines;
  for (std::size_t i = 0; i < doc["lines"].size(); ++i) {
    const json& l = doc["lines"][i];
    const std::string at = "lines[" + std::to_string(i) + "]";
    if (!l.is_object()) return MakeError(ErrorCode::kInvalidArgument, at + " is not an object", at);
    for (const auto& [key, value] : l.items()) {
      if (key != "sku" && key != "quantity" && key != "price" && key != "categories" &&
          key != "item_class" && key != "non_earning") {
        return MakeError(ErrorCode::kFieldUnknown, at + "." + key + " is not a basket field",
                         at + "." + key);
      }
    }
    core::BasketLine line;
    if (!l.contains("sku") || !l["sku"].is_string()) {
      return MakeError(ErrorCode::kInvalidArgument, at + ".sku must be a string", at + ".sku");
    }
    line.sku = l["sku"].get<std::string>();
    if (l.contains("quantity")) {
      if (!l["quantity"].is_number_integer()) {
        return MakeError(ErrorCode::kInvalidArgument, at + ".quantity must be a whole number",
                         at + ".quantity");
      }
      line.quantity = l["quantity"].get<std::int64_t>();
    }
    if (!l.contains("price") || !l["price"].is_string()) {
      return MakeError(ErrorCode::kInvalidArgument,
                       at + ".price must be a string of yuan, e.g. \"59.90\"", at + ".price");
    }
    ONECARD_TRY(core::Money price, core::Money::Parse(l["price"].get<std::string>(), at + ".price",
                                                      core::SignPolicy::kAllowNegative));
    line.unit_price = price.fen();
    if (l.contains("categories")) {
      if (!l["categories"].is_array()) {
        return MakeError(ErrorCode::kInvalidArgument, at + ".categories must be a list",
                         at + ".categories");
      }
      for (const json& c : l["categories"]) {
        if (!c.is_string()) {
          return MakeError(ErrorCode::kInvalidArgument, at + ".categories holds strings",
                           at + ".categories");
        }
        line.categories.push_back(c.get<std::string>());
      }
    }
    if (l.contains("item_class")) {
      if (!l["item_class"].is_string()) {
        return MakeError(ErrorCode::kInvalidArgument, at + ".item_class must be a string",
                         at + ".item_class");
      }
      line.item_class = l["item_class"].get<std::string>();
    }
    if (l.contains("non_earning")) {
      if (!l["non_earning"].is_boolean()) {
        return MakeError(ErrorCode::kInvalidArgument, at + ".non_earning must be true or false",
                         at + ".non_earning");
      }
      line.non_earning = l["non_earning"].get<bool>();
    }
    lines.push_back(std::move(line));
  }
  return lines;
}

json ToJson(const core::Evaluation& e) {
  json lines = json::array();
  for (const core::PricedLine& l : e.lines) {
    lines.push_back({{"sku", l.sku},
                     {"quantity", l.quantity},
                     {"list", core::Money::Fen(l.list).ToString()},
                     {"discount", core::Money::Fen(l.discount).ToString()},
                     {"paid", core::Money::Fen(l.paid).ToString()},
                     {"points", l.points}});
  }
  return {{"tier", e.tier},
          {"tier_after", e.tier_after},
          {"tier_reason", e.tier_reason},
          {"lines", lines},
          {"list_total", core::Money::Fen(e.list_total).ToString()},
          {"discount_total", core::Money::Fen(e.discount_total).ToString()},
          {"paid_total", core::Money::Fen(e.paid_total).ToString()},
          {"points", e.points},
          {"point_asset", core::AssetName(e.point_asset)},
          {"expires_on", e.expires_on ? json(e.expires_on->ToString()) : json(nullptr)},
          {"carried", core::Money::Fen(e.carried_fen).ToString()},
          {"explain", e.explain}};
}

}  // namespace

void AddProgrammeCommands(CLI::App& app, CliContext& ctx) {
  auto* group = app.add_subcommand("programme", "Programme documents: validate, explain");
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

  struct ExplainOptions {
    std::string file, basket, tier, date, time = "12:00", store, birthday;
    std::string spend, carried;
    std::int64_t points = 0;
  };
  auto o = std::make_shared<ExplainOptions>();
  auto* explain = group->add_subcommand(
      "explain", "Price a basket under a programme and say why each point is earned");
  explain->add_option("file", o->file, "The programme (TOML)")->required();
  explain->add_option("--basket", o->basket, "Basket file (JSON: {\"lines\": [...]})")->required();
  explain->add_option("--date", o->date, "Local date of the purchase, YYYY-MM-DD")->required();
  explain->add_option("--time", o->time, "Local time of the purchase, HH:MM (default 12:00)");
  explain->add_option("--store", o->store, "Store code");
  explain->add_option("--tier", o->tier, "The member's tier (default: the lowest)");
  explain->add_option("--birthday", o->birthday, "The member's birthday, YYYY-MM-DD");
  explain->add_option("--spend", o->spend, "Cumulative spend before this purchase, yuan");
  explain->add_option("--points", o->points, "Cumulative points before this purchase");
  explain->add_option("--carried", o->carried, "Remainder carried from earlier purchases, yuan");
  explain->callback([&ctx, o] {
    ctx.standalone = [&ctx, o]() -> Status {
      ONECARD_TRY(core::Programme p, programme::LoadProgramme(o->file));
      ONECARD_TRY(std::vector<core::BasketLine> lines, ReadBasket(o->basket));
      core::MemberState member;
      member.tier = o->tier;
      if (!o->birthday.empty()) {
        ONECARD_TRY(member.birthday, core::CivilDate::Parse(o->birthday, "birthday"));
      }
      if (!o->spend.empty()) {
        ONECARD_TRY(core::Money spend,
                    core::Money::Parse(o->spend, "spend", core::SignPolicy::kPositiveOnly));
        member.cumulative_spend = spend.fen();
      }
      if (!o->carried.empty()) {
        ONECARD_TRY(core::Money carried,
                    core::Money::Parse(o->carried, "carried", core::SignPolicy::kPositiveOnly));
        member.carried_fen = carried.fen();
      }
      member.cumulative_points = o->points;
      core::EvalContext at;
      ONECARD_TRY(at.date, core::CivilDate::Parse(o->date, "date"));
      const std::string& t = o->time;
      if (t.size() != 5 || t[2] != ':' || t[0] < '0' || t[0] > '2' || t[1] < '0' || t[1] > '9' ||
          t[3] < '0' || t[3] > '5' || t[4] < '0' || t[4] > '9' ||
          (t[0] - '0') * 10 + (t[1] - '0') > 23) {
        return MakeError(ErrorCode::kInvalidArgument, "--time must be HH:MM, e.g. 18:30", "time");
      }
      at.minute_of_day = ((t[0] - '0') * 10 + (t[1] - '0')) * 60 + (t[3] - '0') * 10 + (t[4] - '0');
      at.store = o->store;
      ONECARD_TRY(core::Evaluation e, core::Evaluate(p, member, lines, at));
      if (ctx.json) {
        ctx.out << ToJson(e).dump() << '\n';
        return {};
      }
      for (const core::PricedLine& l : e.lines) {
        ctx.out << l.sku << " ×" << l.quantity << "  " << core::Money::Fen(l.list).ToString()
                << "  −" << core::Money::Fen(l.discount).ToString() << "  = "
                << core::Money::Fen(l.paid).ToString() << "  " << l.points << " pts\n";
      }
      ctx.out << "total " << core::Money::Fen(e.paid_total).ToString() << " (saved "
              << core::Money::Fen(e.discount_total).ToString() << "), " << e.points << " "
              << core::AssetName(e.point_asset) << " at tier " << e.tier;
      if (e.tier_after != e.tier) ctx.out << "; now " << e.tier_after;
      ctx.out << "\nwhy:\n";
      for (const std::string& line : e.explain) ctx.out << "  " << line << '\n';
      return {};
    };
  });
}

}  // namespace onecard::cli
