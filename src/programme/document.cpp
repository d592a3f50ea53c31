#include "programme/document.hpp"

#include <toml++/toml.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <numeric>
#include <set>
#include <sstream>

namespace onecard::programme {
namespace {

using core::Ratio;

// Walks one document, collecting problems; each reader returns nullopt after reporting one.
class Reader {
 public:
  explicit Reader(std::string source) : source_(std::move(source)) {}

  void Report(const toml::node* at, const std::string& path, std::string message) {
    const int line = at ? static_cast<int>(at->source().begin.line) : 0;
    problems_.push_back(Problem{source_, line, path, std::move(message)});
  }

  // Reports every key of `t` not in `known`.
  void OnlyKnown(const toml::table& t, const std::string& path,
                 std::initializer_list<std::string_view> known) {
    for (const auto& [key, node] : t) {
      if (std::find(known.begin(), known.end(), key.str()) == known.end()) {
        std::string list;
        for (std::string_view k : known) list += (list.empty() ? "" : ", ") + std::string(k);
        Report(&node, Join(path, key.str()), "unknown field; the fields here are: " + list);
      }
    }
  }

  static std::string Join(const std::string& path, std::string_view key) {
    return path.empty() ? std::string(key) : path + "." + std::string(key);
  }

  std::optional<std::string> Text(const toml::node& n, const std::string& path) {
    if (const auto* s = n.as_string()) return s->get();
    Report(&n, path, "expected a string");
    return std::nullopt;
  }

  std::optional<std::int64_t> Integer(const toml::node& n, const std::string& path,
                                      std::int64_t min, std::int64_t max) {
    const auto* i = n.as_integer();
    if (!i) {
      Report(&n, path, "expected a whole number");
      return std::nullopt;
    }
    if (i->get() < min || i->get() > max) {
      Report(&n, path, "must be between " + std::to_string(min) + " and " + std::to_string(max));
      return std::nullopt;
    }
    return i->get();
  }

  std::optional<bool> Boolean(const toml::node& n, const std::string& path) {
    if (const auto* b = n.as_boolean()) return b->get();
    Report(&n, path, "expected true or false");
    return std::nullopt;
  }

  // Yuan: a whole number (5000) or a string with up to two decimals ("0.60").
  std::optional<std::int64_t> Yuan(const toml::node& n, const std::string& path) {
    std::string text;
    if (const auto* i = n.as_integer()) {
      text = std::to_string(i->get());
    } else if (const auto* s = n.as_string()) {
      text = s->get();
    } else {
      Report(&n, path, "expected an amount in yuan: 5000 or \"5000.00\"");
      return std::nullopt;
    }
    core::Result<core::Money> m = core::Money::Parse(text, path, core::SignPolicy::kPositiveOnly);
    if (!m) {
      Report(&n, path, m.error().message);
      return std::nullopt;
    }
    return m->fen();
  }

  // A decimal as an exact ratio: 2, "1.25" or 1.5 (at most six decimals).
  std::optional<Ratio> Decimal(const toml::node& n, const std::string& path) {
    std::string text;
    if (const auto* i = n.as_integer()) {
      if (i->get() < 0) {
        Report(&n, path, "must not be negative");
        return std::nullopt;
      }
      return Ratio{i->get(), 1};
    }
    if (const auto* f = n.as_floating_point()) {
      const double scaled = f->get() * 1e6;
      const double rounded = std::round(scaled);
      if (!std::isfinite(scaled) || scaled < 0 || scaled > 1e15 ||
          std::fabs(scaled - rounded) > 1e-6 * std::max(1.0, std::fabs(scaled))) {
        Report(&n, path, "expected a non-negative number with at most six decimals");
        return std::nullopt;
      }
      return Reduce(Ratio{static_cast<std::int64_t>(rounded), 1'000'000});
    }
    if (const auto* s = n.as_string()) {
      text = s->get();
    } else {
      Report(&n, path, "expected a number such as 1.5 or \"1.5\"");
      return std::nullopt;
    }
    return ParseDecimal(&n, path, text);
  }

  std::optional<Ratio> ParseDecimal(const toml::node* n, const std::string& path,
                                    std::string_view text) {
    std::int64_t num = 0;
    std::int64_t den = 1;
    bool dot = false;
    int digits = 0;
    int decimals = 0;
    for (char c : text) {
      if (c == '.' && !dot) {
        dot = true;
        continue;
      }
      if (c < '0' || c > '9' || digits >= 15 || decimals >= 6) {
        Report(n, path,
               "\"" + std::string(text) +
                   "\" is not a non-negative decimal with at most six decimals");
        return std::nullopt;
      }
      num = num * 10 + (c - '0');
      ++digits;
      if (dot) {
        den *= 10;
        ++decimals;
      }
    }
    if (digits == 0) {
      Report(n, path, "expected a number");
      return std::nullopt;
    }
    return Reduce(Ratio{num, den});
  }

  // A share: "5%", "12.5%" (0 to 100%).
  std::optional<Ratio> Percent(const toml::node& n, const std::string& path) {
    const auto* s = n.as_string();
    if (!s || s->get().empty() || s->get().back() != '%') {
      Report(&n, path, "expected a percentage such as \"5%\"");
      return std::nullopt;
    }
    std::string_view text(s->get());
    text.remove_suffix(1);
    std::optional<Ratio> r = ParseDecimal(&n, path, text);
    if (!r) return std::nullopt;
    if (Ratio{1, 1} < Ratio{r->num, r->den * 100}) {
      Report(&n, path, "a discount cannot be above 100%");
      return std::nullopt;
    }
    return Reduce(Ratio{r->num, r->den * 100});
  }

  // A rate of points per fen: { points = 1, per = 100 } (per yuan), or 0 for none.
  std::optional<Ratio> Rate(const toml::node& n, const std::string& path) {
    if (const auto* i = n.as_integer(); i && i->get() == 0) return Ratio{0, 1};
    const auto* t = n.as_table();
    if (!t) {
      Report(&n, path, "expected { points = N, per = YUAN } (or 0: earns nothing)");
      return std::nullopt;
    }
    OnlyKnown(*t, path, {"points", "per"});
    const toml::node* points = t->get("points");
    const toml::node* per = t->get("per");
    if (!points || !per) {
      Report(&n, path, "a rate needs both points and per");
      return std::nullopt;
    }
    std::optional<Ratio> p = Decimal(*points, Join(path, "points"));
    std::optional<std::int64_t> fen = Yuan(*per, Join(path, "per"));
    if (!p || !fen) return std::nullopt;
    core::Result<Ratio> r = core::Multiply(*p, Ratio{1, *fen});
    if (!r) {
      Report(&n, path, r.error().message);
      return std::nullopt;
    }
    return *r;
  }

  std::optional<std::vector<std::string>> Strings(const toml::node& n, const std::string& path) {
    const auto* a = n.as_array();
    if (!a) {
      Report(&n, path, "expected a list of strings");
      return std::nullopt;
    }
    std::vector<std::string> out;
    for (std::size_t i = 0; i < a->size(); ++i) {
      std::optional<std::string> s = Text((*a)[i], path + "[" + std::to_string(i) + "]");
      if (!s) return std::nullopt;
      out.push_back(*s);
    }
    return out;
  }

  static Ratio Reduce(Ratio r) {
    const std::int64_t g = std::gcd(r.num, r.den);
    return g > 1 ? Ratio{r.num / g, r.den / g} : r;
  }

  std::vector<Problem>& problems() { return problems_; }
  const std::string& source() const { return source_; }

 private:
  std::string source_;
  std::vector<Problem> problems_;
};

bool ValidCode(std::string_view code) {
  if (code.empty() || code.size() > 40) return false;
  return std::all_of(code.begin(), code.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
  });
}

std::optional<core::Rounding> ParseRounding(std::string_view s) {
  if (s == "floor") return core::Rounding::kFloor;
  if (s == "ceiling") return core::Rounding::kCeiling;
  if (s == "half_up") return core::Rounding::kHalfUp;
  if (s == "half_even") return core::Rounding::kHalfEven;
  return std::nullopt;
}

// "10:30" → 630; "24:00" allowed as the end of the day.
std::optional<int> ParseClock(std::string_view s) {
  if (s.size() != 5 || s[2] != ':') return std::nullopt;
  for (std::size_t i : {0u, 1u, 3u, 4u}) {
    if (s[i] < '0' || s[i] > '9') return std::nullopt;
  }
  const int h = (s[0] - '0') * 10 + (s[1] - '0');
  const int m = (s[3] - '0') * 10 + (s[4] - '0');
  if (m > 59 || h > 24 || (h == 24 && m != 0)) return std::nullopt;
  return h * 60 + m;
}

void ReadHeader(Reader& r, const toml::table& root, core::Programme& p) {
  const toml::node* node = root.get("programme");
  const toml::table* t = node ? node->as_table() : nullptr;
  if (!t) {
    r.Report(node, "programme",
             "a [programme] table with code, name and effective_from is required");
    return;
  }
  r.OnlyKnown(*t, "programme", {"code", "name", "effective_from"});
  if (const toml::node* c = t->get("code")) {
    if (auto s = r.Text(*c, "programme.code")) {
      if (!ValidCode(*s)) {
        r.Report(c, "programme.code", "use 1–40 lower-case letters, digits, _ or -");
      }
      p.code = *s;
    }
  } else {
    r.Report(node, "programme.code", "required");
  }
  if (const toml::node* n = t->get("name")) {
    if (auto s = r.Text(*n, "programme.name")) p.name = *s;
  } else {
    r.Report(node, "programme.name", "required");
  }
  if (const toml::node* d = t->get("effective_from")) {
    if (auto s = r.Text(*d, "programme.effective_from")) {
      core::Result<core::CivilDate> date = core::CivilDate::Parse(*s, "effective_from");
      if (date) {
        p.effective_from = *date;
      } else {
        r.Report(d, "programme.effective_from", date.error().message);
      }
    }
  } else {
    r.Report(node, "programme.effective_from", "required (YYYY-MM-DD)");
  }
}

// "cashable" or "non_cashable": which points.
std::optional<core::Asset> PointKind(Reader& r, const toml::node& n, const std::string& path) {
  std::optional<std::string> s = r.Text(n, path);
  if (!s) return std::nullopt;
  if (*s == "cashable") return core::Asset::kCashablePoints;
  if (*s == "non_cashable") return core::Asset::kPoints;
  r.Report(&n, path, "expected \"cashable\" or \"non_cashable\"");
  return std::nullopt;
}

// The i-th [[tiers]] entry, to report a problem found across sections at its line.
const toml::node* TierNode(const toml::table& root, std::size_t i) {
  const toml::node* tiers = root.get("tiers");
  return tiers && tiers->as_array() ? tiers->as_array()->get(i) : nullptr;
}

void ReadPoints(Reader& r, const toml::table& root, core::Programme& p) {
  const toml::node* node = root.get("points");
  if (!node) return;  // non-cashable points that never expire
  const toml::table* t = node->as_table();
  if (!t) {
    r.Report(node, "points", "expected a table");
    return;
  }
  r.OnlyKnown(*t, "points", {"kind", "expiry", "months", "fiscal_year_starts", "warn_days_before"});
  if (const toml::node* k = t->get("kind")) {
    if (auto asset = PointKind(r, *k, "points.kind")) p.point_asset = *asset;
  }
  const toml::node* months = t->get("months");
  const toml::node* fiscal = t->get("fiscal_year_starts");
  std::string kind = "never";
  if (const toml::node* e = t->get("expiry")) {
    if (auto s = r.Text(*e, "points.expiry")) kind = *s;
  }
  if (kind == "never") {
    p.expiry.kind = core::ExpiryKind::kNever;
  } else if (kind == "rolling") {
    p.expiry.kind = core::ExpiryKind::kRollingMonths;
    if (!months) {
      r.Report(node, "points.months", "rolling expiry needs months (1–120)");
    } else if (auto m = r.Integer(*months, "points.months", 1, 120)) {
      p.expiry.months = static_cast<int>(*m);
    }
  } else if (kind == "fiscal_year") {
    p.expiry.kind = core::ExpiryKind::kFiscalYear;
    if (!fiscal) {
      r.Report(node, "points.fiscal_year_starts",
               "fiscal-year expiry needs the month the year starts (1–12)");
    } else if (auto m = r.Integer(*fiscal, "points.fiscal_year_starts", 1, 12)) {
      p.expiry.start_month = static_cast<int>(*m);
    }
  } else {
    r.Report(t->get("expiry"), "points.expiry", "expected never, rolling or fiscal_year");
  }
  if (months && kind != "rolling") {
    r.Report(months, "points.months", "only rolling expiry takes months");
  }
  if (fiscal && kind != "fiscal_year") {
    r.Report(fiscal, "points.fiscal_year_starts", "only fiscal_year expiry takes a start month");
  }
  if (const toml::node* w = t->get("warn_days_before")) {
    const auto* a = w->as_array();
    if (!a) {
      r.Report(w, "points.warn_days_before", "expected a list of days, e.g. [30, 7, 1]");
    } else {
      for (std::size_t i = 0; i < a->size(); ++i) {
        if (auto d =
                r.Integer((*a)[i], "points.warn_days_before[" + std::to_string(i) + "]", 1, 366)) {
          p.warn_days_before.push_back(static_cast<int>(*d));
        }
      }
      if (p.expiry.kind == core::ExpiryKind::kNever && !p.warn_days_before.empty()) {
        r.Report(w, "points.warn_days_before", "points that never expire need no warnings");
      }
    }
  }
}

void ReadTierEntry(Reader& r, const toml::table& t, const std::string& path, core::TierRule& tier) {
  r.OnlyKnown(
      t, path,
      {"cumulative_spend", "cumulative_points", "single_purchase", "deposit", "fee", "assigned"});
  if (const toml::node* n = t.get("assigned")) {
    if (auto v = r.Boolean(*n, path + ".assigned")) tier.assigned = *v;
  }
  if (const toml::node* n = t.get("cumulative_spend")) {
    if (auto v = r.Yuan(*n, path + ".cumulative_spend")) tier.cumulative_spend = *v;
  }
  if (const toml::node* n = t.get("cumulative_points")) {
    if (auto v = r.Integer(*n, path + ".cumulative_points", 1, core::kAmountMax)) {
      tier.cumulative_points = *v;
    }
  }
  if (const toml::node* n = t.get("deposit")) {
    if (auto v = r.Yuan(*n, path + ".deposit")) tier.deposit = *v;
  }
  if (const toml::node* n = t.get("fee")) {
    if (auto v = r.Yuan(*n, path + ".fee")) tier.fee = *v;
  }
  if (const toml::node* n = t.get("single_purchase")) {
    const std::string sp = path + ".single_purchase";
    if (const toml::table* by = n->as_table()) {
      for (const auto& [from, amount] : *by) {
        if (auto v = r.Yuan(amount, sp + "." + std::string(from.str()))) {
          tier.single_purchase.push_back({std::string(from.str()), *v});
        }
      }
    } else if (auto v = r.Yuan(*n, sp)) {
      tier.single_purchase.push_back({"", *v});
    }
  }
}

// redeem = { gifts = ["silver", "gold"], per_period = 1, items = 2, cash_out = true }
void ReadRights(Reader& r, const toml::node& n, const std::string& path, core::RedeemRights& out) {
  const toml::table* t = n.as_table();
  if (!t) {
    r.Report(&n, path, "expected { gifts = [...], per_period = N, items = N, cash_out = BOOL }");
    return;
  }
  r.OnlyKnown(*t, path, {"gifts", "per_period", "items", "cash_out"});
  if (const toml::node* g = t->get("gifts")) {
    if (auto v = r.Strings(*g, path + ".gifts")) out.gift_classes = *v;
  }
  if (const toml::node* c = t->get("per_period")) {
    if (auto v = r.Integer(*c, path + ".per_period", 1, 1000))
      out.per_period = static_cast<int>(*v);
  }
  if (const toml::node* c = t->get("items")) {
    if (auto v = r.Integer(*c, path + ".items", 1, 1000)) out.items = static_cast<int>(*v);
  }
  if (const toml::node* c = t->get("cash_out")) {
    if (auto v = r.Boolean(*c, path + ".cash_out")) out.cash_out = *v;
  }
}

// keep_up = { spend = 30000, downgrade_to = "gold", regain_by_spend = true }
void ReadKeepUp(Reader& r, const toml::node& n, const std::string& path, core::KeepUp& out) {
  const toml::table* t = n.as_table();
  if (!t) {
    r.Report(&n, path, "expected { spend = YUAN, downgrade_to = TIER, regain_by_spend = BOOL }");
    return;
  }
  r.OnlyKnown(*t, path, {"spend", "downgrade_to", "regain_by_spend"});
  if (const toml::node* c = t->get("spend")) {
    if (auto v = r.Yuan(*c, path + ".spend")) out.spend = *v;
  } else {
    r.Report(&n, path + ".spend", "required: what a member must spend per review period");
  }
  if (const toml::node* c = t->get("downgrade_to")) {
    if (auto v = r.Text(*c, path + ".downgrade_to")) out.downgrade_to = *v;
  } else {
    r.Report(&n, path + ".downgrade_to", "required: the tier a member who falls short drops to");
  }
  if (const toml::node* c = t->get("regain_by_spend")) {
    if (auto v = r.Boolean(*c, path + ".regain_by_spend")) out.regain_by_spend = *v;
  }
}

// perks = [{ code = "visit", name = "2-day visit", per_year = 1, not_in_regain_year = true }]
void ReadPerks(Reader& r, const toml::node& n, const std::string& path,
               std::vector<core::Perk>& out) {
  const toml::array* a = n.as_array();
  if (!a) {
    r.Report(&n, path, "expected a list of { code, name, per_year, not_in_regain_year }");
    return;
  }
  for (std::size_t i = 0; i < a->size(); ++i) {
    const std::string at = path + "[" + std::to_string(i) + "]";
    const toml::table* t = (*a)[i].as_table();
    if (!t) {
      r.Report(&(*a)[i], at, "expected a table");
      continue;
    }
    r.OnlyKnown(*t, at, {"code", "name", "per_year", "not_in_regain_year"});
    core::Perk perk;
    if (const toml::node* c = t->get("code")) {
      if (auto v = r.Text(*c, at + ".code")) {
        if (!ValidCode(*v))
          r.Report(c, at + ".code", "use 1–40 lower-case letters, digits, _ or -");
        for (const core::Perk& other : out) {
          if (other.code == *v) r.Report(c, at + ".code", "perk " + *v + " is given twice");
        }
        perk.code = *v;
      }
    } else {
      r.Report(&(*a)[i], at + ".code", "required");
    }
    perk.name = perk.code;
    if (const toml::node* c = t->get("name")) {
      if (auto v = r.Text(*c, at + ".name")) perk.name = *v;
    }
    if (const toml::node* c = t->get("per_year")) {
      if (auto v = r.Integer(*c, at + ".per_year", 1, 366)) perk.per_year = static_cast<int>(*v);
    }
    if (const toml::node* c = t->get("not_in_regain_year")) {
      if (auto v = r.Boolean(*c, at + ".not_in_regain_year")) perk.not_in_regain_year = *v;
    }
    out.push_back(std::move(perk));
  }
}

void ReadTiers(Reader& r, const toml::table& root, core::Programme& p) {
  const toml::node* node = root.get("tiers");
  const toml::array* a = node ? node->as_array() : nullptr;
  if (!a || a->empty()) {
    r.Report(node, "tiers", "at least one [[tiers]] entry is required (the lowest first)");
    return;
  }
  std::vector<const toml::node*> places;
  for (std::size_t i = 0; i < a->size(); ++i) {
    const std::string path = "tiers[" + std::to_string(i) + "]";
    const toml::table* t = (*a)[i].as_table();
    if (!t) {
      r.Report(&(*a)[i], path, "expected a table");
      continue;
    }
    r.OnlyKnown(
        *t, path,
        {"code", "name", "entry", "discount", "class_discounts", "earn_multiplier", "point_value",
         "reprice_qualifying_purchase", "redeem", "keep_up", "perks", "referral_multiplier"});
    core::TierRule tier;
    if (const toml::node* c = t->get("code")) {
      if (auto s = r.Text(*c, path + ".code")) {
        if (!ValidCode(*s))
          r.Report(c, path + ".code", "use 1–40 lower-case letters, digits, _ or -");
        if (p.FindTier(*s)) r.Report(c, path + ".code", "tier " + *s + " is defined twice");
        tier.code = *s;
      }
    } else {
      r.Report(&(*a)[i], path + ".code", "required");
    }
    tier.name = tier.code;
    if (const toml::node* n = t->get("name")) {
      if (auto s = r.Text(*n, path + ".name")) tier.name = *s;
    }
    if (const toml::node* n = t->get("discount")) {
      if (auto v = r.Percent(*n, path + ".discount")) tier.discount = *v;
    }
    if (const toml::node* n = t->get("class_discounts")) {
      if (const toml::table* by = n->as_table()) {
        for (const auto& [cls, v] : *by) {
          if (auto d = r.Percent(v, path + ".class_discounts." + std::string(cls.str()))) {
            tier.class_discounts.push_back({std::string(cls.str()), *d});
          }
        }
      } else {
        r.Report(n, path + ".class_discounts", "expected a table: { labour = \"10%\" }");
      }
    }
    if (const toml::node* n = t->get("earn_multiplier")) {
      if (auto v = r.Decimal(*n, path + ".earn_multiplier")) tier.earn_multiplier = *v;
    }
    if (const toml::node* n = t->get("point_value")) {
      if (auto v = r.Decimal(*n, path + ".point_value")) {
        tier.point_value = Reader::Reduce(Ratio{v->num * 100, v->den});  // yuan → fen
      }
    }
    if (const toml::node* n = t->get("reprice_qualifying_purchase")) {
      if (auto v = r.Boolean(*n, path + ".reprice_qualifying_purchase")) {
        tier.reprice_qualifying_purchase = *v;
      }
    }
    if (const toml::node* n = t->get("redeem")) ReadRights(r, *n, path + ".redeem", tier.redeem);
    if (const toml::node* n = t->get("keep_up")) ReadKeepUp(r, *n, path + ".keep_up", tier.keep_up);
    if (const toml::node* n = t->get("perks")) ReadPerks(r, *n, path + ".perks", tier.perks);
    if (const toml::node* n = t->get("referral_multiplier")) {
      if (auto v = r.Decimal(*n, path + ".referral_multiplier")) tier.referral_multiplier = *v;
    }
    if (const toml::node* e = t->get("entry")) {
      if (const toml::table* et = e->as_table()) {
        if (i == 0) {
          r.Report(e, path + ".entry", "the lowest tier is where every member starts: no entry");
        }
        ReadTierEntry(r, *et, path + ".entry", tier);
        if (tier.cumulative_spend == 0 && tier.cumulative_points == 0 &&
            tier.single_purchase.empty() && tier.deposit == 0 && tier.fee == 0 && !tier.assigned) {
          r.Report(e, path + ".entry",
                   "names no way in: give cumulative_spend, cumulative_points, single_purchase, "
                   "deposit, fee, or assigned = true");
        }
      } else {
        r.Report(e, path + ".entry", "expected a table");
      }
    } else if (i > 0) {
      r.Report(&(*a)[i], path + ".entry",
               "every tier above the lowest needs at least one way in (entry)");
    }
    p.tiers.push_back(std::move(tier));
    places.push_back(&(*a)[i]);
  }
  // Across tiers: references go to lower tiers, thresholds rise with the tiers.
  std::int64_t last_spend = 0;
  std::int64_t last_points = 0;
  for (std::size_t i = 0; i < p.tiers.size(); ++i) {
    const core::TierRule& t = p.tiers[i];
    const std::string path = "tiers[" + std::to_string(i) + "]";
    for (const core::SinglePurchase& s : t.single_purchase) {
      if (s.from_tier.empty()) continue;
      const int rank = p.TierRank(s.from_tier);
      if (rank < 0) {
        r.Report(places[i], path + ".entry.single_purchase." + s.from_tier,
                 "there is no tier " + s.from_tier);
      } else if (rank >= static_cast<int>(i)) {
        r.Report(places[i], path + ".entry.single_purchase." + s.from_tier,
                 "tier " + s.from_tier + " is not below " + t.code +
                     ": a purchase can only lead up to a higher tier");
      }
    }
    if (t.cumulative_spend > 0) {
      if (t.cumulative_spend <= last_spend) {
        r.Report(places[i], path + ".entry.cumulative_spend",
                 "must be above the tier below's (" + core::Money::Fen(last_spend).ToString() +
                     "): tiers overlap");
      }
      last_spend = t.cumulative_spend;
    }
    if (t.cumulative_points > 0) {
      if (t.cumulative_points <= last_points) {
        r.Report(
            places[i], path + ".entry.cumulative_points",
            "must be above the tier below's (" + std::to_string(last_points) + "): tiers overlap");
      }
      last_points = t.cumulative_points;
    }
    if (t.keep_up.spend > 0 || !t.keep_up.downgrade_to.empty()) {
      const int rank = p.TierRank(t.keep_up.downgrade_to);
      if (rank < 0) {
        r.Report(places[i], path + ".keep_up.downgrade_to",
                 "there is no tier " + t.keep_up.downgrade_to);
      } else if (rank >= static_cast<int>(i)) {
        r.Report(places[i], path + ".keep_up.downgrade_to",
                 "tier " + t.keep_up.downgrade_to + " is not below " + t.code +
                     ": a downgrade goes down");
      }
    }
  }
}

void ReadEarn(Reader& r, const toml::table& root, core::Programme& p) {
  const toml::node* node = root.get("earn");
  if (!node) return;  // purchases earn nothing
  const toml::table* t = node->as_table();
  if (!t) {
    r.Report(node, "earn", "expected a table");
    return;
  }
  r.OnlyKnown(*t, "earn",
              {"rate", "rounding", "carry_remainder", "non_earning_categories",
               "multipliers_combine", "override", "multiplier"});
  if (const toml::node* n = t->get("rate")) {
    if (auto v = r.Rate(*n, "earn.rate")) p.base_rate = *v;
  } else {
    r.Report(node, "earn.rate", "required: { points = 1, per = 1 } is a point per yuan");
  }
  if (const toml::node* n = t->get("rounding")) {
    if (auto s = r.Text(*n, "earn.rounding")) {
      if (auto rounding = ParseRounding(*s)) {
        p.rounding = *rounding;
      } else {
        r.Report(n, "earn.rounding", "expected floor, ceiling, half_up or half_even");
      }
    }
  }
  if (const toml::node* n = t->get("carry_remainder")) {
    if (auto v = r.Boolean(*n, "earn.carry_remainder")) p.carry_remainder = *v;
  }
  if (const toml::node* n = t->get("non_earning_categories")) {
    if (auto v = r.Strings(*n, "earn.non_earning_categories")) p.non_earning_categories = *v;
  }
  if (const toml::node* n = t->get("multipliers_combine")) {
    if (auto s = r.Text(*n, "earn.multipliers_combine")) {
      if (*s == "highest") {
        p.combine = core::MultiplierCombination::kHighest;
      } else if (*s == "multiply") {
        p.combine = core::MultiplierCombination::kMultiply;
      } else {
        r.Report(n, "earn.multipliers_combine", "expected highest or multiply");
      }
    }
  }
  if (const toml::node* n = t->get("override")) {
    const toml::array* a = n->as_array();
    for (std::size_t i = 0; a && i < a->size(); ++i) {
      const std::string path = "earn.override[" + std::to_string(i) + "]";
      const toml::table* o = (*a)[i].as_table();
      if (!o) {
        r.Report(&(*a)[i], path, "expected a table");
        continue;
      }
      r.OnlyKnown(*o, path, {"product", "category", "store", "tier", "rate"});
      core::EarnOverride ov;
      int scopes = 0;
      for (auto [key, scope] : {std::pair{"product", core::EarnOverride::Scope::kProduct},
                                std::pair{"category", core::EarnOverride::Scope::kCategory},
                                std::pair{"store", core::EarnOverride::Scope::kStore},
                                std::pair{"tier", core::EarnOverride::Scope::kTier}}) {
        if (const toml::node* c = o->get(key)) {
          ++scopes;
          ov.scope = scope;
          if (auto s = r.Text(*c, path + "." + key)) ov.code = *s;
        }
      }
      if (scopes != 1) {
        r.Report(&(*a)[i], path, "name exactly one of product, category, store or tier");
      }
      if (ov.scope == core::EarnOverride::Scope::kTier && !ov.code.empty() &&
          !p.FindTier(ov.code)) {
        r.Report(o->get("tier"), path + ".tier", "there is no tier " + ov.code);
      }
      if (const toml::node* rate = o->get("rate")) {
        if (auto v = r.Rate(*rate, path + ".rate")) ov.rate = *v;
      } else {
        r.Report(&(*a)[i], path + ".rate", "required");
      }
      p.overrides.push_back(std::move(ov));
    }
    if (!a) r.Report(n, "earn.override", "expected [[earn.override]] entries");
    if (p.carry_remainder && !p.overrides.empty()) {
      r.Report(n, "earn.override",
               "carry_remainder needs one rate for every line; it cannot be combined with "
               "overrides");
    }
  }
  if (const toml::node* n = t->get("multiplier")) {
    const toml::array* a = n->as_array();
    if (!a) r.Report(n, "earn.multiplier", "expected [[earn.multiplier]] entries");
    for (std::size_t i = 0; a && i < a->size(); ++i) {
      const std::string path = "earn.multiplier[" + std::to_string(i) + "]";
      const toml::table* m = (*a)[i].as_table();
      if (!m) {
        r.Report(&(*a)[i], path, "expected a table");
        continue;
      }
      r.OnlyKnown(*m, path,
                  {"name", "when", "dates", "weekdays", "from", "to", "factor", "tiers", "stores"});
      core::Multiplier mu;
      if (const toml::node* v = m->get("name")) {
        if (auto s = r.Text(*v, path + ".name")) mu.name = *s;
      }
      std::string when;
      if (const toml::node* v = m->get("when")) {
        if (auto s = r.Text(*v, path + ".when")) when = *s;
      }
      if (mu.name.empty()) mu.name = when;
      if (when == "birthday") {
        mu.when = core::Multiplier::When::kBirthdayDay;
      } else if (when == "birthday_month") {
        mu.when = core::Multiplier::When::kBirthdayMonth;
      } else if (when == "dates") {
        mu.when = core::Multiplier::When::kDates;
      } else if (when == "weekly") {
        mu.when = core::Multiplier::When::kWeekly;
      } else {
        r.Report(m->get("when") ? m->get("when") : &(*a)[i], path + ".when",
                 "expected birthday, birthday_month, dates or weekly");
      }
      const toml::node* dates = m->get("dates");
      if (mu.when == core::Multiplier::When::kDates) {
        if (!dates) r.Report(&(*a)[i], path + ".dates", "list the days: [\"05-01\", \"10-01\"]");
        if (auto list = dates ? r.Strings(*dates, path + ".dates") : std::nullopt) {
          for (const std::string& d : *list) {
            core::Result<core::CivilDate> parsed = core::CivilDate::Parse("2000-" + d, "dates");
            if (!parsed || d.size() != 5) {
              r.Report(dates, path + ".dates", "\"" + d + "\" is not a day of the year (MM-DD)");
            } else {
              mu.dates.emplace_back(parsed->month, parsed->day);
            }
          }
        }
      } else if (dates) {
        r.Report(dates, path + ".dates", "only when = \"dates\" takes dates");
      }
      const toml::node* weekdays = m->get("weekdays");
      if (mu.when == core::Multiplier::When::kWeekly) {
        const toml::array* wa = weekdays ? weekdays->as_array() : nullptr;
        if (!wa || wa->empty()) {
          r.Report(weekdays ? weekdays : &(*a)[i], path + ".weekdays",
                   "list the days, 1 = Monday … 7 = Sunday");
        }
        for (std::size_t k = 0; wa && k < wa->size(); ++k) {
          if (auto d = r.Integer((*wa)[k], path + ".weekdays[" + std::to_string(k) + "]", 1, 7)) {
            mu.weekdays.push_back(static_cast<int>(*d));
          }
        }
        for (auto [key, out] :
             {std::pair{"from", &mu.from_minute}, std::pair{"to", &mu.to_minute}}) {
          if (const toml::node* v = m->get(key)) {
            if (auto s = r.Text(*v, path + "." + key)) {
              if (auto minute = ParseClock(*s)) {
                *out = *minute;
              } else {
                r.Report(v, path + "." + key, "expected a time of day, HH:MM");
              }
            }
          }
        }
        if (mu.from_minute >= mu.to_minute) {
          r.Report(&(*a)[i], path + ".to", "must be after from");
        }
      } else {
        for (const char* key : {"weekdays", "from", "to"}) {
          if (const toml::node* v = m->get(key)) {
            r.Report(v, path + "." + key, "only when = \"weekly\" takes " + std::string(key));
          }
        }
      }
      if (const toml::node* v = m->get("factor")) {
        if (auto f = r.Decimal(*v, path + ".factor")) {
          if (f->IsZero()) r.Report(v, path + ".factor", "must be above 0");
          mu.factor = *f;
        }
      } else {
        r.Report(&(*a)[i], path + ".factor", "required, e.g. 2 for double points");
      }
      if (const toml::node* v = m->get("tiers")) {
        if (auto list = r.Strings(*v, path + ".tiers")) {
          for (const std::string& code : *list) {
            if (!p.FindTier(code)) r.Report(v, path + ".tiers", "there is no tier " + code);
          }
          mu.tiers = *list;
        }
      }
      if (const toml::node* v = m->get("stores")) {
        if (auto list = r.Strings(*v, path + ".stores")) mu.stores = *list;
      }
      p.multipliers.push_back(std::move(mu));
    }
  }
}

void ReadBonuses(Reader& r, const toml::table& root, core::Programme& p) {
  const toml::node* node = root.get("bonus");
  if (!node) return;
  const toml::array* a = node->as_array();
  if (!a) {
    r.Report(node, "bonus", "expected [[bonus]] entries");
    return;
  }
  std::set<std::string> seen;
  for (std::size_t i = 0; i < a->size(); ++i) {
    const std::string path = "bonus[" + std::to_string(i) + "]";
    const toml::table* t = (*a)[i].as_table();
    if (!t) {
      r.Report(&(*a)[i], path, "expected a table");
      continue;
    }
    r.OnlyKnown(*t, path, {"event", "name", "points", "entered"});
    core::FixedBonus b;
    if (const toml::node* e = t->get("event")) {
      if (auto s = r.Text(*e, path + ".event")) {
        const bool rule = s->starts_with("rule:") && ValidCode(s->substr(5));
        if (!rule && *s != "registration" && *s != "first_card" && *s != "sign_in" &&
            *s != "birthday") {
          r.Report(e, path + ".event",
                   "expected registration, first_card, sign_in, birthday or rule:<code>");
        }
        if (!seen.insert(*s).second) r.Report(e, path + ".event", *s + " is given twice");
        b.event = *s;
      }
    } else {
      r.Report(&(*a)[i], path + ".event", "required");
    }
    b.name = b.event;
    if (const toml::node* n = t->get("name")) {
      if (auto s = r.Text(*n, path + ".name")) b.name = *s;
    }
    if (const toml::node* n = t->get("entered")) {
      if (auto v = r.Boolean(*n, path + ".entered")) b.entered = *v;
    }
    if (const toml::node* n = t->get("points")) {
      if (b.entered) r.Report(n, path + ".points", "a rule whose points staff enter has no points");
      if (auto v = r.Integer(*n, path + ".points", 1, core::kAmountMax)) b.points = *v;
    } else if (!b.entered) {
      r.Report(&(*a)[i], path + ".points", "required (or entered = true)");
    }
    p.bonuses.push_back(std::move(b));
  }
}

// Whether `tier` is one of the programme's; reports it otherwise.
bool KnownTier(Reader& r, const core::Programme& p, const toml::node* at, const std::string& path,
               const std::string& tier) {
  if (p.FindTier(tier)) return true;
  r.Report(at, path, "there is no tier " + tier);
  return false;
}

void ReadRedeem(Reader& r, const toml::table& root, core::Programme& p) {
  const toml::node* node = root.get("redeem");
  if (node) {
    const toml::table* t = node->as_table();
    if (!t) {
      r.Report(node, "redeem", "expected a table");
      return;
    }
    r.OnlyKnown(*t, "redeem", {"min_balance", "max_share", "cash_out", "period"});
    if (const toml::node* n = t->get("min_balance")) {
      if (auto v = r.Integer(*n, "redeem.min_balance", 0, core::kAmountMax)) {
        p.redeem.min_balance = *v;
      }
    }
    if (const toml::node* n = t->get("max_share")) {
      if (auto v = r.Percent(*n, "redeem.max_share")) {
        if (v->IsZero()) r.Report(n, "redeem.max_share", "0% would forbid paying with points");
        p.redeem.max_share = *v;
      }
    }
    if (const toml::node* n = t->get("cash_out")) {
      if (auto v = r.Decimal(*n, "redeem.cash_out")) {
        p.redeem.cash_out_value = Reader::Reduce(Ratio{v->num * 100, v->den});  // yuan → fen
      }
    }
    if (const toml::node* n = t->get("period")) {
      if (auto v = r.Text(*n, "redeem.period")) {
        if (*v == "month") {
          p.redeem.period = core::Period::kMonth;
        } else if (*v == "year") {
          p.redeem.period = core::Period::kYear;
        } else {
          r.Report(n, "redeem.period", "expected \"month\" or \"year\"");
        }
      }
    }
  }
  for (std::size_t i = 0; i < p.tiers.size(); ++i) {
    if (p.tiers[i].redeem.cash_out && p.redeem.cash_out_value.IsZero()) {
      r.Report(TierNode(root, i), "tiers[" + std::to_string(i) + "].redeem.cash_out",
               "[redeem] sets no cash_out value (yuan per point)");
    }
  }
}

void ReadReview(Reader& r, const toml::table& root, core::Programme& p) {
  const toml::node* node = root.get("review");
  if (node) {
    const toml::table* t = node->as_table();
    if (!t) {
      r.Report(node, "review", "expected a table");
      return;
    }
    r.OnlyKnown(*t, "review", {"every", "starts"});
    p.review.enabled = true;
    if (const toml::node* n = t->get("every")) {
      if (auto v = r.Text(*n, "review.every")) {
        if (*v == "year") {
          p.review.months = 12;
        } else if (*v == "half_year") {
          p.review.months = 6;
        } else {
          r.Report(n, "review.every", "expected \"year\" or \"half_year\"");
        }
      }
    }
    if (const toml::node* n = t->get("starts")) {
      if (auto v = r.Text(*n, "review.starts")) {
        // "MM-DD" of any year, on a day every month has.
        auto d = core::CivilDate::Parse("2023-" + *v, "review.starts");
        if (v->size() != 5 || !d || d->day > 28) {
          r.Report(n, "review.starts", "expected MM-DD, a day from 01 to 28, e.g. \"04-01\"");
        } else {
          p.review.start_month = d->month;
          p.review.start_day = d->day;
        }
      }
    }
  }
  for (std::size_t i = 0; i < p.tiers.size(); ++i) {
    if (p.tiers[i].keep_up.spend > 0 && !p.review.enabled) {
      r.Report(TierNode(root, i), "tiers[" + std::to_string(i) + "].keep_up",
               "an upkeep needs a [review] saying when it is judged");
    }
  }
}

void ReadReturns(Reader& r, const toml::table& root, core::Programme& p) {
  const toml::node* node = root.get("returns");
  if (!node) return;
  const toml::table* t = node->as_table();
  if (!t) {
    r.Report(node, "returns", "expected a table");
    return;
  }
  r.OnlyKnown(*t, "returns", {"points_already_spent"});
  if (const toml::node* n = t->get("points_already_spent")) {
    if (auto v = r.Text(*n, "returns.points_already_spent")) {
      if (*v == "forbid") {
        p.returns.points_already_spent = core::SpentPointsPolicy::kForbid;
      } else if (*v == "deduct_from_refund") {
        p.returns.points_already_spent = core::SpentPointsPolicy::kDeductFromRefund;
      } else if (*v == "negative") {
        r.Report(n, "returns.points_already_spent",
                 "\"negative\" (a points debt beyond the card's credit limit) is not available "
                 "yet; choose \"forbid\" or \"deduct_from_refund\"");
      } else {
        r.Report(n, "returns.points_already_spent",
                 "expected \"forbid\" or \"deduct_from_refund\"");
      }
    }
  }
}

void ReadReferral(Reader& r, const toml::table& root, core::Programme& p) {
  const toml::node* node = root.get("referral");
  if (!node) return;
  const toml::table* t = node->as_table();
  if (!t) {
    r.Report(node, "referral", "expected a table");
    return;
  }
  r.OnlyKnown(*t, "referral", {"kind", "on_registration", "share", "on_tier"});
  core::ReferralRules rules;
  rules.asset = p.point_asset;
  if (const toml::node* n = t->get("kind")) {
    if (auto asset = PointKind(r, *n, "referral.kind")) rules.asset = *asset;
  }
  if (const toml::node* n = t->get("on_registration")) {
    if (auto v = r.Integer(*n, "referral.on_registration", 0, core::kAmountMax)) {
      rules.on_registration = *v;
    }
  }
  if (const toml::node* n = t->get("share")) {
    if (auto v = r.Rate(*n, "referral.share")) rules.share = *v;
  }
  if (const toml::node* n = t->get("on_tier")) {
    const toml::array* a = n->as_array();
    if (!a) r.Report(n, "referral.on_tier", "expected [[referral.on_tier]] entries");
    for (std::size_t i = 0; a && i < a->size(); ++i) {
      const std::string path = "referral.on_tier[" + std::to_string(i) + "]";
      const toml::table* e = (*a)[i].as_table();
      if (!e) {
        r.Report(&(*a)[i], path, "expected a table");
        continue;
      }
      r.OnlyKnown(*e, path, {"tier", "points"});
      core::ReferralRules::OnTier on;
      if (const toml::node* c = e->get("tier")) {
        if (auto v = r.Text(*c, path + ".tier")) {
          if (KnownTier(r, p, c, path + ".tier", *v)) on.referee_tier = *v;
          for (const auto& other : rules.on_tier) {
            if (other.referee_tier == *v) r.Report(c, path + ".tier", *v + " is given twice");
          }
        }
      } else {
        r.Report(&(*a)[i], path + ".tier", "required: the tier the referee reaches");
      }
      const toml::node* c = e->get("points");
      const toml::table* by = c ? c->as_table() : nullptr;
      if (!by) {
        r.Report(c ? c : &(*a)[i], path + ".points",
                 "required: points by the referrer's tier, { ordinary = 158, any = 100 }");
        continue;
      }
      for (const auto& [key, v] : *by) {
        const std::string k(key.str());
        const std::string at = path + ".points." + k;
        if (k != "any" && !KnownTier(r, p, &v, at, k)) continue;
        if (auto amount = r.Integer(v, at, 0, core::kAmountMax)) {
          on.by_referrer_tier.emplace_back(k == "any" ? "" : k, *amount);
        }
      }
      rules.on_tier.push_back(std::move(on));
    }
  }
  p.referral = std::move(rules);
}

}  // namespace

// A tier two plans are both for (an empty list: every tier), or nullopt when they share none.
std::optional<std::string> SharedTier(const std::vector<std::string>& a,
                                      const std::vector<std::string>& b) {
  if (a.empty() && b.empty()) return "any tier";
  if (a.empty()) return b.front();
  if (b.empty()) return a.front();
  for (const std::string& code : a) {
    if (std::find(b.begin(), b.end(), code) != b.end()) return code;
  }
  return std::nullopt;
}

// [stored_value]: where and by whom top-ups are taken, and [[stored_value.bonus]] plans.
void ReadStoredValue(Reader& r, const toml::table& root, core::Programme& p) {
  const toml::node* node = root.get("stored_value");
  if (!node) return;
  const toml::table* t = node->as_table();
  if (!t) {
    r.Report(node, "stored_value", "expected a table");
    return;
  }
  r.OnlyKnown(*t, "stored_value",
              {"stores", "head_office", "roles", "operators", "min_top_up", "max_top_up", "bonus"});
  core::StoredValueRules& sv = p.stored_value;
  if (const toml::node* n = t->get("stores")) {
    if (auto v = r.Strings(*n, "stored_value.stores")) {
      if (v->empty())
        r.Report(n, "stored_value.stores", "list at least one store (or leave it out)");
      sv.stores = *v;
    }
  }
  if (const toml::node* n = t->get("head_office")) {
    if (auto v = r.Boolean(*n, "stored_value.head_office")) sv.head_office = *v;
  }
  if (const toml::node* n = t->get("roles")) {
    if (auto v = r.Strings(*n, "stored_value.roles")) sv.roles = *v;
  }
  if (const toml::node* n = t->get("operators")) {
    if (auto v = r.Strings(*n, "stored_value.operators")) sv.operators = *v;
  }
  if (const toml::node* n = t->get("min_top_up")) {
    if (auto v = r.Yuan(*n, "stored_value.min_top_up")) sv.min_top_up = *v;
  }
  if (const toml::node* n = t->get("max_top_up")) {
    if (auto v = r.Yuan(*n, "stored_value.max_top_up")) sv.max_top_up = *v;
    if (sv.max_top_up > 0 && sv.max_top_up < sv.min_top_up) {
      r.Report(n, "stored_value.max_top_up", "must not be below min_top_up");
    }
  }
  const toml::node* plans = t->get("bonus");
  if (!plans) return;
  const toml::array* a = plans->as_array();
  if (!a) {
    r.Report(plans, "stored_value.bonus", "expected [[stored_value.bonus]] entries");
    return;
  }
  std::vector<const toml::node*> at;
  for (std::size_t i = 0; i < a->size(); ++i) {
    const std::string path = "stored_value.bonus[" + std::to_string(i) + "]";
    const toml::table* b = (*a)[i].as_table();
    if (!b) {
      r.Report(&(*a)[i], path, "expected a table");
      continue;
    }
    r.OnlyKnown(
        *b, path,
        {"name", "tiers", "from", "below", "percent", "cap", "fixed", "every", "valid_months"});
    core::TopUpPlan plan;
    if (const toml::node* n = b->get("name")) {
      if (auto v = r.Text(*n, path + ".name")) plan.name = *v;
    }
    if (plan.name.empty()) plan.name = "plan " + std::to_string(i + 1);
    if (const toml::node* n = b->get("tiers")) {
      if (auto list = r.Strings(*n, path + ".tiers")) {
        for (const std::string& code : *list) KnownTier(r, p, n, path + ".tiers", code);
        plan.tiers = *list;
      }
    }
    if (const toml::node* n = b->get("from")) {
      if (auto v = r.Yuan(*n, path + ".from")) plan.from = *v;
    }
    if (const toml::node* n = b->get("below")) {
      if (auto v = r.Yuan(*n, path + ".below")) {
        plan.below = *v;
        if (plan.below <= plan.from) r.Report(n, path + ".below", "must be above from");
      }
    }
    const toml::node* percent = b->get("percent");
    const toml::node* fixed = b->get("fixed");
    if ((percent != nullptr) == (fixed != nullptr)) {
      r.Report(&(*a)[i], path, "give the bonus as percent = \"10%\" or fixed = 100 (one of them)");
    }
    if (percent) {
      if (auto v = r.Percent(*percent, path + ".percent")) {
        if (v->IsZero()) r.Report(percent, path + ".percent", "must be above 0%");
        plan.percent = *v;
      }
    }
    if (fixed) {
      if (auto v = r.Yuan(*fixed, path + ".fixed")) plan.fixed = *v;
    }
    if (const toml::node* n = b->get("cap")) {
      if (!percent) r.Report(n, path + ".cap", "only a percent bonus takes a cap");
      if (auto v = r.Yuan(*n, path + ".cap")) plan.cap = *v;
    }
    if (const toml::node* n = b->get("every")) {
      if (!fixed) r.Report(n, path + ".every", "only a fixed bonus is given for every full amount");
      if (auto v = r.Yuan(*n, path + ".every")) plan.every = *v;
    }
    if (const toml::node* n = b->get("valid_months")) {
      if (auto v = r.Integer(*n, path + ".valid_months", 1, 120)) {
        plan.valid_months = static_cast<int>(*v);
      }
    }
    // No two plans may match one top-up: their tiers meet and their bands overlap.
    for (std::size_t j = 0; j < sv.plans.size(); ++j) {
      const core::TopUpPlan& other = sv.plans[j];
      const std::optional<std::string> tier = SharedTier(plan.tiers, other.tiers);
      if (!tier) continue;
      const std::int64_t low = std::max(plan.from, other.from);
      const std::int64_t high_a = plan.below == 0 ? core::kAmountMax + 1 : plan.below;
      const std::int64_t high_b = other.below == 0 ? core::kAmountMax + 1 : other.below;
      if (low < std::min(high_a, high_b)) {
        r.Report(&(*a)[i], path,
                 "overlaps stored_value.bonus[" + std::to_string(j) + "] (\"" + other.name +
                     "\"): a top-up of " + core::YuanSign(low) + " at " + *tier +
                     " would match both; make their tiers or amounts apart");
      }
    }
    sv.plans.push_back(std::move(plan));
  }
}

std::string Problem::ToString() const {
  return source + ":" + (line > 0 ? std::to_string(line) + ":" : "") + " " + path + ": " + message;
}

ProgrammeDocument ReadProgramme(std::string_view text, std::string_view source) {
  ProgrammeDocument doc;
  toml::table root;
  try {
    root = toml::parse(text, std::string(source));
  } catch (const toml::parse_error& e) {
    doc.problems.push_back(Problem{std::string(source), static_cast<int>(e.source().begin.line), "",
                                   std::string(e.description())});
    return doc;
  }
  Reader r{std::string(source)};
  r.OnlyKnown(root, "",
              {"programme", "points", "tiers", "earn", "bonus", "redeem", "review", "referral",
               "returns", "stored_value"});
  core::Programme p;
  ReadHeader(r, root, p);
  ReadPoints(r, root, p);
  ReadTiers(r, root, p);
  ReadEarn(r, root, p);
  ReadBonuses(r, root, p);
  ReadRedeem(r, root, p);
  ReadReview(r, root, p);
  ReadReferral(r, root, p);
  ReadReturns(r, root, p);
  ReadStoredValue(r, root, p);
  doc.problems = std::move(r.problems());
  std::stable_sort(doc.problems.begin(), doc.problems.end(),
                   [](const Problem& a, const Problem& b) { return a.line < b.line; });
  if (doc.problems.empty()) doc.programme = std::move(p);
  return doc;
}

core::Result<core::Programme> LoadProgramme(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return core::MakeError(core::ErrorCode::kInvalidArgument, "cannot read " + path, "file");
  }
  std::ostringstream text;
  text << in.rdbuf();
  ProgrammeDocument doc = ReadProgramme(text.str(), path);
  if (doc.problems.empty()) return std::move(*doc.programme);
  std::string message = std::to_string(doc.problems.size()) +
                        (doc.problems.size() == 1 ? " problem" : " problems") + " in " + path + ":";
  for (const Problem& p : doc.problems) message += "\n  " + p.ToString();
  return core::MakeError(core::ErrorCode::kFieldInvalid, message, "file");
}

}  // namespace onecard::programme
