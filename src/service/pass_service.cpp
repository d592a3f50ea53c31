// PassService: what count cards and period passes pay for, and their use at the till.
#include "service/pass_service.hpp"

#include <algorithm>
#include <map>
#include <set>

#include "core/card.hpp"
#include "core/lists.hpp"
#include "service/calendar.hpp"
#include "service/digest.hpp"
#include "service/ledger_util.hpp"

namespace onecard::service {
namespace {

using core::ErrorCode;
using core::MakeError;
using core::Result;
using core::Status;

constexpr std::size_t kMaxCovered = 200;
constexpr int kMaxPerDay = 1000;

bool IsPassKind(core::CardKind kind) {
  return kind == core::CardKind::kCount || kind == core::CardKind::kPass;
}

Result<storage::CardTypeRecord> PassType(storage::ReadTxn& txn, core::TenantId tenant,
                                         const std::string& code) {
  ONECARD_TRY(std::optional<storage::CardTypeRecord> type, txn.FindCardType(tenant, code));
  if (!type) {
    return MakeError(ErrorCode::kCardTypeNotFound, "no card type " + code, "card_type");
  }
  if (!IsPassKind(type->kind)) {
    return MakeError(ErrorCode::kFieldInvalid,
                     "card type " + code + " is of kind " +
                         std::string(core::CardKindName(type->kind)) +
                         "; only count cards and passes pay for items",
                     "card_type");
  }
  return *type;
}

PassTermsView ViewOf(const storage::CardTypeRecord& type, const storage::PassTermsRecord& t) {
  PassTermsView v;
  v.card_type = type.code;
  v.kind = std::string(core::CardKindName(type.kind));
  v.skus = SplitList(t.skus);
  v.categories = SplitList(t.categories);
  v.stores = SplitList(t.stores);
  v.per_day = static_cast<int>(t.per_day);
  v.updated_at = t.updated_at;
  return v;
}

std::string Covers(const storage::PassTermsRecord& t) {
  std::string out;
  if (!t.skus.empty()) out += "SKUs " + t.skus;
  if (!t.categories.empty())
    out += (out.empty() ? "" : "; ") + std::string("categories ") + t.categories;
  return out;
}

}  // namespace

Result<PassTermsView> PassService::SetTerms(const Request& req, const std::string& card_type,
                                            const PassTermsSpec& spec) {
  if (spec.skus.empty() && spec.categories.empty()) {
    return MakeError(ErrorCode::kFieldInvalid,
                     "name the SKUs or categories the card pays for (at least one)", "skus");
  }
  if (spec.skus.size() + spec.categories.size() > kMaxCovered || spec.stores.size() > 1000) {
    return MakeError(ErrorCode::kFieldInvalid, "at most 200 SKUs and categories", "skus");
  }
  if (spec.per_day < 0 || spec.per_day > kMaxPerDay) {
    return MakeError(ErrorCode::kFieldInvalid,
                     "uses a day are 0 (no limit) to " + std::to_string(kMaxPerDay), "per_day");
  }
  {
    // The references must be the tenant's, now.
    ONECARD_TRY(std::unique_ptr<storage::ReadTxn> txn, store_.BeginRead());
    ONECARD_TRY(storage::CardTypeRecord type, PassType(*txn, req.tenant.id, card_type));
    for (std::size_t i = 0; i < spec.skus.size(); ++i) {
      ONECARD_TRY(std::optional<storage::ProductRecord> p,
                  txn->FindProduct(req.tenant.id, spec.skus[i]));
      if (!p) {
        return MakeError(ErrorCode::kFieldInvalid, "the catalogue has no product " + spec.skus[i],
                         "skus[" + std::to_string(i) + "]");
      }
    }
    std::set<std::string, std::less<>> categories;
    ONECARD_TRY(std::vector<storage::CategoryRecord> all, txn->ListCategories(req.tenant.id));
    for (const storage::CategoryRecord& c : all) categories.insert(c.code);
    for (std::size_t i = 0; i < spec.categories.size(); ++i) {
      if (!categories.contains(spec.categories[i])) {
        return MakeError(ErrorCode::kFieldInvalid,
                         "the catalogue has no category " + spec.categories[i],
                         "categories[" + std::to_string(i) + "]");
      }
    }
    for (std::size_t i = 0; i < spec.stores.size(); ++i) {
      ONECARD_TRY(std::optional<storage::StoreRecord> s,
                  txn->FindStore(req.tenant.id, spec.stores[i]));
      if (!s) {
        return MakeError(ErrorCode::kFieldInvalid, "the tenant has no store " + spec.stores[i],
                         "stores[" + std::to_string(i) + "]");
      }
    }
  }
  Canonical c("pass_terms");
  c.Add("type", card_type).Add("skus", JoinList(spec.skus));
  c.Add("categories", JoinList(spec.categories)).Add("stores", JoinList(spec.stores));
  c.Add("per_day", spec.per_day);
  const core::Timestamp now = clock_.Now();
  return writer_.Call<PassTermsView>(
      req.tenant.id, req.idempotency_key, c.digest(),
      [&](storage::WriteTxn& txn) -> Result<PassTermsView> {
        ONECARD_TRY(storage::CardTypeRecord type, PassType(txn, req.tenant.id, card_type));
        storage::PassTermsRecord t;
        t.card_type = type.id;
        t.tenant = req.tenant.id;
        t.skus = JoinList(spec.skus);
        t.categories = JoinList(spec.categories);
        t.stores = JoinList(spec.stores);
        t.per_day = spec.per_day;
        t.updated_at = now;
        ONECARD_CHECK(txn.PutPassTerms(t));
        return ViewOf(type, t);
      },
      AuditOf(req, "card_type.pass_terms", "card_type", card_type));
}

Result<PassTermsView> PassService::Terms(const TenantRef& tenant, const std::string& card_type) {
  ONECARD_TRY(std::unique_ptr<storage::ReadTxn> txn, store_.BeginRead());
  ONECARD_TRY(storage::CardTypeRecord type, PassType(*txn, tenant.id, card_type));
  ONECARD_TRY(std::optional<storage::PassTermsRecord> t, txn->GetPassTerms(tenant.id, type.id));
  if (!t) {
    return MakeError(ErrorCode::kFieldInvalid,
                     "card type " + card_type + " pays for nothing yet: set its pass terms",
                     "card_type");
  }
  return ViewOf(type, *t);
}

Result<std::vector<PassView>> PassService::OfMember(const TenantRef& tenant,
                                                    core::MemberId member) {
  ONECARD_TRY(std::unique_ptr<storage::ReadTxn> txn, store_.BeginRead());
  ONECARD_TRY(std::optional<storage::MemberRecord> m, txn->GetMember(tenant.id, member));
  if (!m) {
    return MakeError(ErrorCode::kMemberNotFound,
                     "no member " + std::to_string(member.value) + " in tenant " + tenant.code,
                     "member");
  }
  const core::CivilDate today = LocalDate(tenant.timezone, clock_.Now());
  ONECARD_TRY(std::vector<storage::CardRecord> cards, txn->ListCardsOfMember(tenant.id, member));
  std::vector<PassView> out;
  for (const storage::CardRecord& card : cards) {
    if (card.status.state == core::CardState::kClosed ||
        card.status.state == core::CardState::kReplaced) {
      continue;
    }
    ONECARD_TRY(std::optional<storage::CardTypeRecord> type,
                txn->GetCardType(tenant.id, card.type));
    if (!type || !IsPassKind(type->kind)) continue;
    PassView v;
    v.card = card.number;
    v.card_type = type->code;
    v.name = type->name;
    v.kind = std::string(core::CardKindName(type->kind));
    v.valid_until = card.expires_on;
    ONECARD_TRY(std::optional<storage::PassTermsRecord> t, txn->GetPassTerms(tenant.id, type->id));
    if (t) {
      v.per_day = static_cast<int>(t->per_day);
      v.skus = SplitList(t->skus);
      v.categories = SplitList(t->categories);
    }
    ONECARD_TRY(v.used_today, txn->PassUsesOn(tenant.id, card.id, today));
    if (type->kind == core::CardKind::kCount) {
      ONECARD_TRY(v.uses_left, HolderBalance(*txn, tenant.id, card.id, core::Asset::kUses));
    }
    if (Status usable = core::CheckCardUsable(card.status, card.number); !usable) {
      v.note = usable.error().message;
    } else if (!t) {
      v.note = "its card type pays for nothing yet";
    } else if (card.expires_on && today > *card.expires_on) {
      v.note = "expired on " + card.expires_on->ToString();
    } else if (v.uses_left && *v.uses_left <= 0) {
      v.note = "no uses left";
    } else if (v.per_day > 0 && v.used_today >= v.per_day) {
      v.note =
          "used " + std::to_string(v.used_today) + " of " + std::to_string(v.per_day) + " today";
    }
    v.usable = v.note.empty();
    out.push_back(std::move(v));
  }
  return out;
}

Result<PassCheck> CheckPass(storage::ReadTxn& txn, core::TenantId tenant,
                            const storage::CardRecord& card, const core::BasketLine& line,
                            std::size_t index, core::MemberId member, std::string_view store_code,
                            core::CivilDate date, std::int64_t earlier) {
  const std::string at = "lines[" + std::to_string(index) + "].pass";
  const auto refuse = [&](ErrorCode code, const std::string& why) {
    return MakeError(code, "card " + card.number + " " + why, at);
  };
  if (!member.valid() || card.member != member) {
    return refuse(ErrorCode::kPassNotApplicable, "is not this member's");
  }
  ONECARD_CHECK(core::CheckCardUsable(card.status, card.number));
  ONECARD_TRY(std::optional<storage::CardTypeRecord> type, txn.GetCardType(tenant, card.type));
  ONECARD_ASSERT(type.has_value(), "a card's type is missing");
  if (!IsPassKind(type->kind)) {
    return refuse(
        ErrorCode::kPassNotApplicable,
        "is a " + std::string(core::CardKindName(type->kind)) + " card, not a count card or pass");
  }
  ONECARD_TRY(std::optional<storage::PassTermsRecord> t, txn.GetPassTerms(tenant, type->id));
  if (!t) {
    return refuse(ErrorCode::kPassNotApplicable,
                  "(" + type->code + ") pays for nothing yet: its card type has no pass terms");
  }
  const std::vector<std::string> stores = SplitList(t->stores);
  if (!stores.empty() && !core::Contains(stores, store_code)) {
    return refuse(ErrorCode::kPassNotApplicable, "(" + type->code + ") is not used at store " +
                                                     std::string(store_code) + "; it is at " +
                                                     t->stores);
  }
  const std::vector<std::string> categories = SplitList(t->categories);
  const bool covered =
      core::Contains(SplitList(t->skus), line.sku) ||
      std::any_of(line.categories.begin(), line.categories.end(),
                  [&](const std::string& c) { return core::Contains(categories, c); });
  if (!covered) {
    return refuse(ErrorCode::kPassNotApplicable, "(" + type->code + ") does not pay for " +
                                                     line.sku + "; it pays for " + Covers(*t));
  }
  if (card.expires_on && date > *card.expires_on) {
    return refuse(ErrorCode::kPassExpired,
                  "(" + type->code + ") was valid until " + card.expires_on->ToString());
  }
  if (t->per_day > 0) {
    ONECARD_TRY(std::int64_t used, txn.PassUsesOn(tenant, card.id, date));
    if (used + earlier + line.quantity > t->per_day) {
      return refuse(ErrorCode::kPassLimitReached,
                    "(" + type->code + ") may be used " + std::to_string(t->per_day) +
                        " times a day; " + std::to_string(used + earlier) + " used today, " +
                        std::to_string(line.quantity) + " more asked");
    }
  }
  return PassCheck{card, type->kind == core::CardKind::kCount, type->name};
}

Result<std::vector<std::optional<PassCheck>>> TakePasses(LedgerTxn& l, core::EntryPlan& plan,
                                                         std::span<const core::BasketLine> lines,
                                                         core::MemberId member,
                                                         core::CivilDate date) {
  std::vector<std::optional<PassCheck>> out;
  if (std::all_of(lines.begin(), lines.end(),
                  [](const core::BasketLine& line) { return line.pass.empty(); })) {
    return out;  // the common sale: nothing to check, nothing allocated
  }
  out.resize(lines.size());
  std::map<std::string, std::int64_t, std::less<>> in_basket;  // uses of each card so far
  const Request& req = l.request();
  for (std::size_t i = 0; i < lines.size(); ++i) {
    const core::BasketLine& line = lines[i];
    if (line.pass.empty()) continue;
    const std::string at = "lines[" + std::to_string(i) + "].pass";
    Result<ResolvedCard> card = l.Card(line.pass, CardUse::kMoveValue);
    if (!card) {
      core::Error e = std::move(card).error();
      e.field = at;
      return e;
    }
    std::int64_t& earlier = in_basket[line.pass];
    ONECARD_TRY(PassCheck check, CheckPass(l.txn(), req.tenant.id, card->presented, line, i, member,
                                           req.actor.store_code, date, earlier));
    earlier += line.quantity;
    if (check.count) {
      ONECARD_TRY(std::vector<core::AccountPlanner*> holders,
                  l.Holders(card->owner, core::AssetSelection::kUses));
      const std::size_t mark = plan.moves().size();
      if (holders.empty() || plan.Debit(holders, line.quantity) > 0) {
        core::Error e =
            Insufficient(line.pass, "uses", AvailableOf(holders), line.quantity, core::Unit::kUse);
        e.field = at;
        return e;
      }
      ONECARD_CHECK(l.PostTaken(plan, mark, core::AccountRole::kSales));
    }
    out[i] = std::move(check);
  }
  return out;
}

Status RecordPassUse(storage::WriteTxn& txn, core::TenantId tenant, core::CardId card,
                     core::MemberId member, std::int64_t sale_id, int line_no,
                     std::int64_t return_id, std::int64_t quantity, core::CivilDate date,
                     core::Timestamp at) {
  storage::PassUseRecord u;
  u.tenant = tenant;
  u.card = card;
  u.member = member;
  u.sale_id = sale_id;
  u.line_no = line_no;
  u.return_id = return_id;
  u.quantity = quantity;
  u.business_date = date;
  u.at = at;
  return txn.InsertPassUse(u);
}

}  // namespace onecard::service
