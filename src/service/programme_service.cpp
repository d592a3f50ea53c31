#include "service/programme_service.hpp"

#include <algorithm>
#include <set>

#include "core/card.hpp"
#include "core/money.hpp"
#include "programme/document.hpp"
#include "service/access.hpp"
#include "service/basket.hpp"
#include "service/calendar.hpp"
#include "service/digest.hpp"

namespace onecard::service {

using core::ErrorCode;
using core::MakeError;
using core::Result;
using core::Status;
using nlohmann::json;

namespace {

constexpr std::size_t kMaxDocument = 256 * 1024;
constexpr const char* kSource = "document";

// The references a document alone cannot check: the stores, categories and products it names
// must be the tenant's.
Status CheckReferences(storage::ReadTxn& txn, core::TenantId tenant, const core::Programme& p,
                       std::vector<ProgrammeProblemView>& problems) {
  std::set<std::string, std::less<>> stores;
  ONECARD_TRY(std::vector<storage::StoreRecord> all_stores, txn.ListStores(tenant));
  for (const storage::StoreRecord& s : all_stores) stores.insert(s.code);
  std::set<std::string, std::less<>> categories;
  ONECARD_TRY(std::vector<storage::CategoryRecord> all_categories, txn.ListCategories(tenant));
  for (const storage::CategoryRecord& c : all_categories) categories.insert(c.code);
  auto store = [&](const std::string& code, std::string path) {
    if (!stores.contains(code)) {
      problems.push_back(ProgrammeProblemView{
          0, std::move(path), "the tenant has no store " + code + " (see `onecard store list`)"});
    }
  };
  auto category = [&](const std::string& code, std::string path) {
    if (!categories.contains(code)) {
      problems.push_back(ProgrammeProblemView{
          0, std::move(path),
          "the catalogue has no category " + code + " (see `onecard category list`)"});
    }
  };
  for (std::size_t i = 0; i < p.non_earning_categories.size(); ++i) {
    category(p.non_earning_categories[i], "earn.non_earning_categories");
  }
  for (std::size_t i = 0; i < p.overrides.size(); ++i) {
    const core::EarnOverride& o = p.overrides[i];
    const std::string at = "earn.override[" + std::to_string(i) + "]";
    switch (o.scope) {
      case core::EarnOverride::Scope::kStore:
        store(o.code, at + ".store");
        break;
      case core::EarnOverride::Scope::kCategory:
        category(o.code, at + ".category");
        break;
      case core::EarnOverride::Scope::kProduct: {
        ONECARD_TRY(std::optional<storage::ProductRecord> product, txn.FindProduct(tenant, o.code));
        if (!product) {
          problems.push_back(ProgrammeProblemView{
              0, at + ".product",
              "the catalogue has no product " + o.code + " (see `onecard product list`)"});
        }
        break;
      }
      case core::EarnOverride::Scope::kTier:
        break;
    }
  }
  for (std::size_t i = 0; i < p.multipliers.size(); ++i) {
    for (const std::string& s : p.multipliers[i].stores) {
      store(s, "earn.multiplier[" + std::to_string(i) + "].stores");
    }
  }
  for (const std::string& s : p.stored_value.stores) store(s, "stored_value.stores");
  for (const std::string& role : p.stored_value.roles) {
    if (!ParseRole(role)) {
      problems.push_back(
          ProgrammeProblemView{0, "stored_value.roles",
                               "there is no role " + role +
                                   "; roles are admin, marketing, finance, store_manager and "
                                   "clerk"});
    }
  }
  if (!p.stored_value.operators.empty()) {
    // An operator is a staff user or a till's API key, by name: a misspelt one would lock the
    // person out without a word, so each must exist.
    std::set<std::string, std::less<>> names;
    ONECARD_TRY(std::vector<storage::StaffUserRecord> staff, txn.ListStaffUsers(tenant));
    for (const storage::StaffUserRecord& u : staff) names.insert(u.username);
    ONECARD_TRY(std::vector<storage::ApiKeyRecord> keys, txn.ListApiKeys(tenant));
    for (const storage::ApiKeyRecord& k : keys) names.insert(k.name);
    for (const std::string& name : p.stored_value.operators) {
      if (!names.contains(name)) {
        problems.push_back(ProgrammeProblemView{
            0, "stored_value.operators",
            "no staff user or API key is named " + name + " (see `onecard staff list`)"});
      }
    }
  }
  return {};
}

struct Checked {
  ProgrammeCheckView view;
  std::optional<core::Programme> programme;
};

Result<Checked> CheckDocument(storage::Store& store, core::TenantId tenant, std::string_view text) {
  Checked out;
  if (text.size() > kMaxDocument) {
    out.view.problems.push_back({0, "",
                                 "the document has " + std::to_string(text.size()) +
                                     " bytes; at most " + std::to_string(kMaxDocument) +
                                     " are taken"});
    return out;
  }
  programme::ProgrammeDocument doc = programme::ReadProgramme(text, kSource);
  for (const programme::Problem& p : doc.problems) {
    out.view.problems.push_back(ProgrammeProblemView{p.line, p.path, p.message});
  }
  if (doc.programme) {
    ONECARD_TRY(std::unique_ptr<storage::ReadTxn> txn, store.BeginRead());
    ONECARD_CHECK(CheckReferences(*txn, tenant, *doc.programme, out.view.problems));
    out.view.code = doc.programme->code;
    out.view.name = doc.programme->name;
    out.view.effective_from = doc.programme->effective_from;
    out.view.tiers = static_cast<int>(doc.programme->tiers.size());
  }
  out.view.valid = out.view.problems.empty();
  if (out.view.valid) out.programme = std::move(doc.programme);
  return out;
}

core::Error Invalid(const ProgrammeCheckView& v) {
  std::string message = "the programme has " + std::to_string(v.problems.size()) +
                        (v.problems.size() == 1 ? " problem:" : " problems:");
  for (const ProgrammeProblemView& p : v.problems) {
    message += "\n" + std::string(kSource) + ":" +
               (p.line > 0 ? std::to_string(p.line) + ":" : "") + " " + p.path + ": " + p.message;
  }
  return MakeError(ErrorCode::kFieldInvalid, std::move(message), "document");
}

core::Error NotFound(int version) {
  return MakeError(ErrorCode::kProgrammeNotFound,
                   "the tenant has no programme version " + std::to_string(version), "version");
}

// The views of a tenant's versions (highest first), with the status each has at `now`.
std::vector<ProgrammeVersionView> Views(const std::vector<storage::ProgrammeVersionRecord>& all,
                                        core::Timestamp now) {
  // Active versions by in_force_from (then version): each is in force until the next.
  std::vector<const storage::ProgrammeVersionRecord*> active;
  for (const auto& r : all) {
    if (r.status == "active" && r.in_force_from) active.push_back(&r);
  }
  std::sort(active.begin(), active.end(), [](const auto* a, const auto* b) {
    return std::pair(a->in_force_from->micros, a->version) <
           std::pair(b->in_force_from->micros, b->version);
  });
  std::vector<ProgrammeVersionView> out;
  for (const auto& r : all) {
    ProgrammeVersionView v;
    v.version = r.version;
    v.code = r.code;
    v.name = r.name;
    v.effective_from = r.effective_from;
    v.in_force_from = r.in_force_from;
    v.digest = r.digest;
    v.created_by = r.created_by;
    v.created_at = r.created_at;
    v.changed_by = r.changed_by;
    v.changed_at = r.changed_at;
    v.status = r.status;
    if (r.status == "active") {
      auto it = std::find(active.begin(), active.end(), &r);
      if (it + 1 != active.end()) v.in_force_until = (*(it + 1))->in_force_from;
      if (now < *r.in_force_from) {
        v.status = "scheduled";
      } else if (v.in_force_until && !(now < *v.in_force_until)) {
        v.status = "superseded";
      } else {
        v.status = "in_force";
      }
    }
    out.push_back(std::move(v));
  }
  return out;
}

ProgrammeVersionView ViewOf(const std::vector<storage::ProgrammeVersionRecord>& all, int version,
                            core::Timestamp now) {
  for (ProgrammeVersionView& v : Views(all, now)) {
    if (v.version == version) return v;
  }
  return {};
}

}  // namespace

Result<ProgrammeCheckView> ProgrammeService::Check(const TenantRef& tenant,
                                                   std::string_view document) {
  ONECARD_TRY(Checked c, CheckDocument(store_, tenant.id, document));
  return c.view;
}

Result<ProgrammeVersionView> ProgrammeService::Add(const Request& req, std::string_view document) {
  ONECARD_TRY(Checked c, CheckDocument(store_, req.tenant.id, document));
  if (!c.view.valid) return Invalid(c.view);
  const std::string digest = Digest(document);
  return writer_.Call<ProgrammeVersionView>(
      req.tenant.id, req.idempotency_key, Canonical("programme.add").Add("digest", digest).digest(),
      [&](storage::WriteTxn& txn) -> Result<ProgrammeVersionView> {
        ONECARD_TRY(std::vector<storage::ProgrammeVersionRecord> all,
                    txn.ListProgrammeVersions(req.tenant.id));
        storage::ProgrammeVersionRecord r;
        r.tenant = req.tenant.id;
        r.version = all.empty() ? 1 : all.front().version + 1;
        r.code = c.programme->code;
        r.name = c.programme->name;
        r.effective_from = c.programme->effective_from;
        r.document = std::string(document);
        r.digest = digest;
        r.status = "draft";
        r.created_by = req.actor.staff;
        r.created_at = clock_.Now();
        ONECARD_TRY(r.id, txn.InsertProgrammeVersion(r));
        all.insert(all.begin(), r);
        return ViewOf(all, r.version, clock_.Now());
      },
      AuditOf(req, "programme.add", "programme", c.programme->code));
}

Result<std::vector<ProgrammeVersionView>> ProgrammeService::List(const TenantRef& tenant) {
  ONECARD_TRY(std::unique_ptr<storage::ReadTxn> txn, store_.BeginRead());
  ONECARD_TRY(std::vector<storage::ProgrammeVersionRecord> all,
              txn->ListProgrammeVersions(tenant.id));
  return Views(all, clock_.Now());
}

Result<ProgrammeVersionView> ProgrammeService::Get(const TenantRef& tenant, int version) {
  ONECARD_TRY(std::unique_ptr<storage::ReadTxn> txn, store_.BeginRead());
  ONECARD_TRY(std::optional<storage::ProgrammeVersionRecord> r,
              txn->GetProgrammeVersion(tenant.id, version));
  if (!r) return NotFound(version);
  ONECARD_TRY(std::vector<storage::ProgrammeVersionRecord> all,
              txn->ListProgrammeVersions(tenant.id));
  ProgrammeVersionView v = ViewOf(all, version, clock_.Now());
  v.document = std::move(r->document);
  return v;
}

Result<ProgrammeVersionView> ProgrammeService::Change(const Request& req, int version,
                                                      std::string_view action,
                                                      const ChangeFn& change) {
  return writer_.Call<ProgrammeVersionView>(
      req.tenant.id, req.idempotency_key,
      Canonical(action).Add("version", std::to_string(version)).digest(),
      [&](storage::WriteTxn& txn) -> Result<ProgrammeVersionView> {
        ONECARD_TRY(std::vector<storage::ProgrammeVersionRecord> all,
                    txn.ListProgrammeVersions(req.tenant.id));
        auto it = std::find_if(all.begin(), all.end(),
                               [&](const auto& r) { return r.version == version; });
        if (it == all.end()) return NotFound(version);
        const core::Timestamp now = clock_.Now();
        ONECARD_CHECK(change(txn, all, *it, now));
        it->changed_by = req.actor.staff;
        it->changed_at = now;
        ONECARD_CHECK(txn.UpdateProgrammeVersion(*it));
        return ViewOf(all, version, now);
      },
      AuditOf(req, action, "programme", std::to_string(version)));
}

Result<ProgrammeVersionView> ProgrammeService::Activate(const Request& req, int version) {
  return Change(
      req, version, "programme.activate",
      [&](storage::WriteTxn& txn, const std::vector<storage::ProgrammeVersionRecord>& all,
          storage::ProgrammeVersionRecord& r, core::Timestamp now) -> Status {
        if (r.status != "draft") {
          return MakeError(ErrorCode::kProgrammeStateInvalid,
                           "version " + std::to_string(version) + " is " + r.status +
                               "; only a draft can be activated (a change is a new version)",
                           "version");
        }
        // Re-check against the stores and catalogue as they are now: they may have changed since
        // the draft.
        ONECARD_TRY(std::shared_ptr<const core::Programme> p, Parsed(txn, r));
        std::vector<ProgrammeProblemView> problems;
        ONECARD_CHECK(CheckReferences(txn, req.tenant.id, *p, problems));
        if (!problems.empty()) {
          ProgrammeCheckView v;
          v.problems = std::move(problems);
          return Invalid(v);
        }
        ONECARD_TRY(core::Timestamp start, StartOfLocalDay(req.tenant.timezone, r.effective_from));
        const core::Timestamp from = now < start ? start : now;
        for (const auto& other : all) {
          if (other.status == "active" && other.in_force_from && *other.in_force_from == from) {
            return MakeError(ErrorCode::kProgrammeStateInvalid,
                             "version " + std::to_string(other.version) +
                                 " comes into force at the same moment (" + from.ToIsoUtc() +
                                 "); cancel it first or change the effective date",
                             "version");
          }
        }
        r.status = "active";
        r.in_force_from = from;
        return {};
      });
}

Result<ProgrammeVersionView> ProgrammeService::Cancel(const Request& req, int version) {
  return Change(
      req, version, "programme.cancel",
      [&](storage::WriteTxn&, const std::vector<storage::ProgrammeVersionRecord>&,
          storage::ProgrammeVersionRecord& r, core::Timestamp now) -> Status {
        const bool scheduled = r.status == "active" && r.in_force_from && now < *r.in_force_from;
        if (r.status != "draft" && !scheduled) {
          return MakeError(ErrorCode::kProgrammeStateInvalid,
                           "version " + std::to_string(version) +
                               (r.status == "cancelled"
                                    ? " is cancelled already"
                                    : " has been in force; activate a new version to replace it"),
                           "version");
        }
        r.status = "cancelled";
        return {};
      });
}

Result<std::shared_ptr<const core::Programme>> ProgrammeService::Parsed(
    storage::ReadTxn& txn, const storage::ProgrammeVersionRecord& r) {
  {
    std::lock_guard lock(mu_);
    if (auto it = parsed_.find(r.id); it != parsed_.end()) return it->second;
  }
  // Listings leave the documents out: read this one.
  std::optional<storage::ProgrammeVersionRecord> full;
  if (r.document.empty()) {
    ONECARD_TRY(full, txn.GetProgrammeVersion(r.tenant, r.version));
    if (!full) return NotFound(r.version);
  }
  const std::string& text = full ? full->document : r.document;
  programme::ProgrammeDocument doc = programme::ReadProgramme(text, kSource);
  if (!doc.programme) {
    return MakeError(ErrorCode::kInternal,
                     "stored programme version " + std::to_string(r.version) +
                         " no longer reads: " + doc.problems.front().ToString());
  }
  auto p = std::make_shared<const core::Programme>(std::move(*doc.programme));
  std::lock_guard lock(mu_);
  return parsed_.emplace(r.id, std::move(p)).first->second;
}

Result<std::set<std::string, std::less<>>> ProgrammeService::TierCodes(storage::ReadTxn& txn,
                                                                       core::TenantId tenant) {
  ONECARD_TRY(std::vector<storage::ProgrammeVersionRecord> all, txn.ListProgrammeVersions(tenant));
  std::set<std::string, std::less<>> out;
  for (const storage::ProgrammeVersionRecord& r : all) {
    if (r.status == "cancelled") continue;
    ONECARD_TRY(std::shared_ptr<const core::Programme> p, Parsed(txn, r));
    for (const core::TierRule& t : p->tiers) out.insert(t.code);
  }
  return out;
}

Result<ProgrammeService::InForce> ProgrammeService::VersionAt(const TenantRef& tenant,
                                                              core::Timestamp at) {
  ONECARD_TRY(std::unique_ptr<storage::ReadTxn> txn, store_.BeginRead());
  ONECARD_TRY(std::vector<storage::ProgrammeVersionRecord> all,
              txn->ListProgrammeVersions(tenant.id));
  const storage::ProgrammeVersionRecord* best = nullptr;
  for (const auto& r : all) {
    if (r.status != "active" || !r.in_force_from || at < *r.in_force_from) continue;
    if (!best || std::pair(best->in_force_from->micros, best->version) <
                     std::pair(r.in_force_from->micros, r.version)) {
      best = &r;
    }
  }
  if (!best) {
    return MakeError(ErrorCode::kProgrammeNotFound,
                     "no programme version is in force at " + LocalDateTime(tenant.timezone, at) +
                         " (activate one with `onecard programme activate`)",
                     "version");
  }
  ONECARD_TRY(std::shared_ptr<const core::Programme> p, Parsed(*txn, *best));
  return InForce{best->version, std::move(p)};
}

Result<ProgrammeService::InForce> ProgrammeService::Version(const TenantRef& tenant, int version) {
  ONECARD_TRY(std::unique_ptr<storage::ReadTxn> txn, store_.BeginRead());
  ONECARD_TRY(std::optional<storage::ProgrammeVersionRecord> r,
              txn->GetProgrammeVersion(tenant.id, version));
  if (!r) return NotFound(version);
  ONECARD_TRY(std::shared_ptr<const core::Programme> p, Parsed(*txn, *r));
  return InForce{r->version, std::move(p)};
}

Result<ExplainView> ProgrammeService::Explain(const TenantRef& tenant, const ExplainSpec& spec) {
  ExplainView out;
  const core::Timestamp now = clock_.Now();
  out.date = spec.date.value_or(LocalDate(tenant.timezone, now));
  if (spec.minute_of_day) {
    out.minute_of_day = *spec.minute_of_day;
  } else if (spec.date) {
    out.minute_of_day = 12 * 60;
  } else {
    const std::string local = LocalDateTime(tenant.timezone, now);  // "YYYY-MM-DD HH:MM"
    ONECARD_TRY(out.minute_of_day, ParseLocalTime(local.substr(11, 5), "time"));
  }
  std::shared_ptr<const core::Programme> programme;
  if (!spec.document.empty()) {
    if (spec.version) {
      return MakeError(ErrorCode::kFieldInvalid, "give a version or a document, not both",
                       "version");
    }
    ONECARD_TRY(Checked c, CheckDocument(store_, tenant.id, spec.document));
    if (!c.view.valid) return Invalid(c.view);
    programme = std::make_shared<const core::Programme>(std::move(*c.programme));
  } else if (spec.version) {
    ONECARD_TRY(std::unique_ptr<storage::ReadTxn> txn, store_.BeginRead());
    ONECARD_TRY(std::optional<storage::ProgrammeVersionRecord> r,
                txn->GetProgrammeVersion(tenant.id, *spec.version));
    if (!r) return NotFound(*spec.version);
    ONECARD_TRY(programme, Parsed(*txn, *r));
    out.version = r->version;
  } else {
    // The version in force at that minute; without a date or time, at this very instant (a
    // version activated seconds ago is in force now, though not since the start of the minute).
    core::Timestamp at = now;
    if (spec.date || spec.minute_of_day) {
      ONECARD_TRY(core::Timestamp start, StartOfLocalDay(tenant.timezone, out.date));
      at = start.PlusSeconds(out.minute_of_day * 60);
    }
    ONECARD_TRY(InForce f, VersionAt(tenant, at));
    programme = f.programme;
    out.version = f.version;
  }
  ONECARD_TRY(std::unique_ptr<storage::ReadTxn> txn, store_.BeginRead());
  if (!spec.store.empty()) {
    ONECARD_TRY(std::optional<storage::StoreRecord> s, txn->FindStore(tenant.id, spec.store));
    if (!s) return MakeError(ErrorCode::kStoreNotFound, "no store " + spec.store, "store");
  }
  // Catalogue lines are priced as the catalogue stands at the purchase's time.
  ONECARD_TRY(core::Timestamp at_time, LocalInstant(tenant.timezone, out.date, out.minute_of_day));
  std::vector<core::BasketLine> lines = spec.lines;
  ONECARD_CHECK(ResolveBasket(*txn, tenant.id, lines, at_time));
  const core::EvalContext at{out.date, out.minute_of_day, spec.store};
  ONECARD_TRY(out.evaluation, core::Evaluate(*programme, spec.member, lines, at));
  return out;
}

Result<SimulationReport> ProgrammeService::Simulate(const TenantRef& tenant,
                                                    std::string_view document, core::CivilDate from,
                                                    core::CivilDate to) {
  if (to < from) {
    return MakeError(
        ErrorCode::kInvalidArgument,
        "the period ends (" + to.ToString() + ") before it starts (" + from.ToString() + ")", "to");
  }
  ONECARD_TRY(Checked c, CheckDocument(store_, tenant.id, document));
  if (!c.view.valid) return Invalid(c.view);
  ONECARD_TRY(std::unique_ptr<storage::ReadTxn> txn, store_.BeginRead());
  std::map<std::int64_t, std::string> stores;
  ONECARD_TRY(std::vector<storage::StoreRecord> all, txn->ListStores(tenant.id));
  for (const storage::StoreRecord& s : all) stores[s.id.value] = s.code;
  ONECARD_TRY(auto birthdays, txn->ListBirthdays(tenant.id));
  ONECARD_TRY(auto before, txn->ListSaleTotalsBefore(tenant.id, from));
  Simulation sim(*c.programme, tenant.timezone, std::move(stores), birthdays, before);
  ONECARD_CHECK(txn->ForEachSale(tenant.id, from, to,
                                 [&](const storage::SaleRecord& sale) { return sim.Add(sale); }));
  return sim.Finish(from, to, 10);
}

// ----- JSON -----

std::string YuanPerPoint(const core::Ratio& fen) {
  if (fen.den == 1) return core::Money::Fen(fen.num).ToString();
  return core::Ratio{fen.num, fen.den * 100}.ToString();
}

namespace {

json RedeemJson(const core::RedemptionLeft& r) {
  return {{"point_value", YuanPerPoint(r.point_value)},
          {"max_points", r.max_points},
          {"max_value", core::Money::Fen(r.max_value).ToString()},
          {"redemptions_left", r.redemptions ? json(*r.redemptions) : json(nullptr)},
          {"items_per_redemption", r.items > 0 ? json(r.items) : json(nullptr)},
          {"gift_classes", r.gift_classes},
          {"cash_out", r.cash_out},
          {"cash_out_value", r.cash_out ? json(YuanPerPoint(r.cash_out_value)) : json(nullptr)}};
}

}  // namespace

json EvaluationJson(const core::Evaluation& e) {
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
          {"redeem", RedeemJson(e.redeem)},
          {"explain", e.explain}};
}

void to_json(json& j, const ExplainView& v) {
  j = EvaluationJson(v.evaluation);
  j["version"] = v.version ? json(*v.version) : json(nullptr);
  j["date"] = v.date.ToString();
  char hm[32];
  std::snprintf(hm, sizeof hm, "%02d:%02d", v.minute_of_day / 60, v.minute_of_day % 60);
  j["time"] = hm;
}

namespace {

core::Error Bad(std::string_view field, std::string message) {
  return MakeError(ErrorCode::kFieldInvalid, std::string(field) + " " + std::move(message),
                   std::string(field));
}

Status OnlyKnown(const json& object, std::string_view at,
                 std::initializer_list<std::string_view> known) {
  for (const auto& [key, value] : object.items()) {
    if (std::find(known.begin(), known.end(), key) == known.end()) {
      const std::string field = std::string(at) + "." + key;
      return MakeError(ErrorCode::kFieldUnknown, field + " is not a known field", field);
    }
  }
  return {};
}

// Yuan text, zero or more ("0.00": a free item, no spend yet).
Result<std::int64_t> NonNegativeFen(const json& v, const std::string& field) {
  if (!v.is_string()) return Bad(field, "must be a string of yuan, e.g. \"59.90\"");
  Result<core::Money> m =
      core::Money::Parse(v.get<std::string>(), field, core::SignPolicy::kZeroOrPositive);
  if (!m && m.error().code == ErrorCode::kAmountNotPositive)
    return Bad(field, "must not be negative");
  if (!m) return m.error();
  return m->fen();
}

}  // namespace

Result<std::vector<core::BasketLine>> BasketFromJson(const json& lines, std::string_view field,
                                                     bool passes) {
  if (!lines.is_array()) return Bad(field, "must be a list of lines");
  if (lines.empty()) return Bad(field, "has no lines");
  if (lines.size() > 1000) return Bad(field, "has more than 1,000 lines");
  std::vector<core::BasketLine> out;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    const json& l = lines[i];
    const std::string at = std::string(field) + "[" + std::to_string(i) + "]";
    if (!l.is_object()) return Bad(at, "must be an object");
    if (passes) {
      ONECARD_CHECK(OnlyKnown(
          l, at, {"sku", "quantity", "price", "categories", "item_class", "non_earning", "pass"}));
    } else {
      ONECARD_CHECK(OnlyKnown(
          l, at, {"sku", "quantity", "price", "categories", "item_class", "non_earning"}));
    }
    core::BasketLine line;
    if (!l.contains("sku") || !l["sku"].is_string()) return Bad(at + ".sku", "must be a string");
    line.sku = l["sku"].get<std::string>();
    if (l.contains("pass")) {
      if (!l["pass"].is_string()) return Bad(at + ".pass", "must be a card number");
      line.pass = l["pass"].get<std::string>();
      ONECARD_CHECK(core::ValidateCardNumber(line.pass, at + ".pass"));
    }
    if (l.contains("quantity")) {
      if (!l["quantity"].is_number_integer())
        return Bad(at + ".quantity", "must be a whole number");
      line.quantity = l["quantity"].get<std::int64_t>();
      if (line.quantity < 1) return Bad(at + ".quantity", "must be 1 or more");
    }
    if (!l.contains("price")) {
      // A catalogue product: the catalogue prices it and says what it is.
      for (const char* key : {"categories", "item_class", "non_earning"}) {
        if (l.contains(key)) {
          return Bad(at + "." + key,
                     "is the catalogue's to say: give it only with a price (an item outside the "
                     "catalogue)");
        }
      }
      line.from_catalogue = true;
      out.push_back(std::move(line));
      continue;
    }
    ONECARD_TRY(line.unit_price, NonNegativeFen(l["price"], at + ".price"));
    if (l.contains("categories")) {
      const json& c = l["categories"];
      if (!c.is_array()) return Bad(at + ".categories", "must be a list of category codes");
      for (const json& code : c) {
        if (!code.is_string()) return Bad(at + ".categories", "holds strings");
        line.categories.push_back(code.get<std::string>());
      }
    }
    if (l.contains("item_class")) {
      if (!l["item_class"].is_string()) return Bad(at + ".item_class", "must be a string");
      line.item_class = l["item_class"].get<std::string>();
    }
    if (l.contains("non_earning")) {
      if (!l["non_earning"].is_boolean()) return Bad(at + ".non_earning", "must be true or false");
      line.non_earning = l["non_earning"].get<bool>();
    }
    out.push_back(std::move(line));
  }
  return out;
}

Result<core::MemberState> MemberStateFromJson(const json& m, std::string_view field) {
  core::MemberState s;
  if (m.is_null()) return s;
  if (!m.is_object()) return Bad(field, "must be an object");
  const std::string at(field);
  ONECARD_CHECK(OnlyKnown(m, at,
                          {"tier", "birthday", "spend", "points", "carried", "balance",
                           "redemptions", "downgraded_from", "spend_since_downgrade"}));
  if (m.contains("tier")) {
    if (!m["tier"].is_string()) return Bad(at + ".tier", "must be a tier code");
    s.tier = m["tier"].get<std::string>();
  }
  if (m.contains("birthday")) {
    if (!m["birthday"].is_string()) return Bad(at + ".birthday", "must be YYYY-MM-DD");
    ONECARD_TRY(s.birthday,
                core::CivilDate::Parse(m["birthday"].get<std::string>(), at + ".birthday"));
  }
  if (m.contains("spend")) {
    ONECARD_TRY(s.cumulative_spend, NonNegativeFen(m["spend"], at + ".spend"));
  }
  if (m.contains("points")) {
    if (!m["points"].is_number_integer() || m["points"].get<std::int64_t>() < 0) {
      return Bad(at + ".points", "must be a whole number of points, 0 or more");
    }
    s.cumulative_points = m["points"].get<std::int64_t>();
  }
  auto count = [&](const char* key, std::int64_t max) -> Result<std::int64_t> {
    if (!m[key].is_number_integer() || m[key].get<std::int64_t>() < 0 ||
        m[key].get<std::int64_t>() > max) {
      return Bad(at + "." + key, "must be a whole number from 0 to " + std::to_string(max));
    }
    return m[key].get<std::int64_t>();
  };
  if (m.contains("balance")) {
    ONECARD_TRY(s.points_balance, count("balance", core::kAmountMax));
  }
  if (m.contains("redemptions")) {
    ONECARD_TRY(std::int64_t n, count("redemptions", 1000));
    s.redemptions_in_period = static_cast<int>(n);
  }
  if (m.contains("downgraded_from")) {
    if (!m["downgraded_from"].is_string())
      return Bad(at + ".downgraded_from", "must be a tier code");
    s.downgraded_from = m["downgraded_from"].get<std::string>();
  }
  if (m.contains("spend_since_downgrade")) {
    ONECARD_TRY(s.spend_since_downgrade,
                NonNegativeFen(m["spend_since_downgrade"], at + ".spend_since_downgrade"));
  }
  if (m.contains("carried")) {
    ONECARD_TRY(s.carried_fen, NonNegativeFen(m["carried"], at + ".carried"));
  }
  return s;
}

Result<int> ParseLocalTime(std::string_view t, std::string_view field) {
  auto digit = [&](std::size_t i) { return t[i] >= '0' && t[i] <= '9'; };
  if (t.size() != 5 || t[2] != ':' || !digit(0) || !digit(1) || !digit(3) || !digit(4)) {
    return Bad(field, "must be HH:MM, e.g. 18:30");
  }
  const int h = (t[0] - '0') * 10 + (t[1] - '0');
  const int m = (t[3] - '0') * 10 + (t[4] - '0');
  if (h > 23 || m > 59) return Bad(field, "must be a time of day from 00:00 to 23:59");
  return h * 60 + m;
}

}  // namespace onecard::service
