#include "service/checkout_service.hpp"

#include <algorithm>
#include <array>
#include <map>

#include "core/int128.hpp"
#include "core/money.hpp"
#include "service/basket.hpp"
#include "service/calendar.hpp"
#include "service/checkout_internal.hpp"
#include "service/coupon_service.hpp"
#include "service/digest.hpp"
#include "service/gift_service.hpp"
#include "service/json_out.hpp"
#include "service/ledger_service.hpp"
#include "service/ledger_txn.hpp"
#include "service/ledger_util.hpp"
#include "service/pass_service.hpp"

namespace onecard::service {
namespace {

constexpr std::array<std::string_view, 5> kExternalMethods = {"cash", "bank_card", "wechat",
                                                              "alipay", "other"};

}  // namespace

bool IsExternal(std::string_view method) {
  return std::find(kExternalMethods.begin(), kExternalMethods.end(), method) !=
         kExternalMethods.end();
}

namespace {

using core::ErrorCode;
using core::MakeError;
using core::Result;
using core::Status;
using json = nlohmann::json;

constexpr std::size_t kMaxTenders = 20;

// Checks the tenders' shape; what they add up to is checked against the priced basket later. A
// settle needs each gift card's PIN; a quote needs none.
Status ValidateTenders(const std::vector<TenderSpec>& tenders, bool walk_in, bool settle) {
  if (tenders.size() > kMaxTenders) {
    return MakeError(ErrorCode::kInvalidArgument, "at most 20 tenders", "tenders");
  }
  bool points = false;
  bool stored_value = false;
  std::vector<std::string_view> gift_cards;
  for (std::size_t i = 0; i < tenders.size(); ++i) {
    const TenderSpec& t = tenders[i];
    const std::string at = "tenders[" + std::to_string(i) + "]";
    if (t.reference.size() > 64) {
      return MakeError(ErrorCode::kInvalidArgument, at + ".reference is longer than 64 bytes",
                       at + ".reference");
    }
    if (t.method != "gift_card" && (!t.card.empty() || !t.pin.empty())) {
      return MakeError(ErrorCode::kInvalidArgument,
                       at + ": only a gift_card tender names a card and a PIN", at + ".card");
    }
    if (t.method == "gift_card") {
      ONECARD_CHECK(core::ValidateCardNumber(t.card, at + ".card"));
      if (std::find(gift_cards.begin(), gift_cards.end(), t.card) != gift_cards.end()) {
        return MakeError(ErrorCode::kInvalidArgument,
                         "gift card " + t.card + " is tendered twice: give it once, with the sum",
                         at + ".card");
      }
      gift_cards.push_back(t.card);
      if (settle && t.pin.empty()) {
        return MakeError(ErrorCode::kInvalidArgument, at + ": a gift card is paid with its PIN",
                         at + ".pin");
      }
    }
    if (t.method == "points") {
      if (walk_in) {
        return MakeError(ErrorCode::kInvalidArgument,
                         "a walk-in sale cannot be paid with points: present the member's card",
                         at + ".method");
      }
      if (points) {
        return MakeError(ErrorCode::kInvalidArgument, "points are tendered once per sale",
                         at + ".method");
      }
      points = true;
      if (t.amount != 0) {
        return MakeError(ErrorCode::kInvalidArgument,
                         at + ": give the points; their value is worked out at the member's tier",
                         at + ".amount");
      }
      ONECARD_CHECK(ValidateAmount(t.points, at + ".points"));
      continue;
    }
    if (t.method == "stored_value") {
      if (walk_in) {
        return MakeError(ErrorCode::kInvalidArgument,
                         "a walk-in sale cannot be paid with stored value: present the card",
                         at + ".method");
      }
      if (stored_value) {
        return MakeError(ErrorCode::kInvalidArgument, "stored value is tendered once per sale",
                         at + ".method");
      }
      stored_value = true;
    } else if (t.method != "gift_card" && !IsExternal(t.method)) {
      return MakeError(ErrorCode::kInvalidArgument,
                       at + ".method \"" + t.method +
                           "\" is not a tender; use points, stored_value, gift_card, cash, "
                           "bank_card, wechat, alipay or other",
                       at + ".method");
    }
    if (t.points != 0) {
      return MakeError(ErrorCode::kInvalidArgument, at + ": only a points tender gives points",
                       at + ".points");
    }
    ONECARD_CHECK(ValidateAmount(t.amount, at + ".amount"));
  }
  return {};
}

// An error about one tender, naming it ("tenders[1]").
core::Error TenderRefused(core::Error e, const std::vector<TenderSpec>& tenders,
                          std::string_view method) {
  for (std::size_t i = 0; i < tenders.size(); ++i) {
    if (tenders[i].method == method) e.field = "tenders[" + std::to_string(i) + "]";
  }
  return e;
}

std::int64_t PointsTendered(const std::vector<TenderSpec>& tenders) {
  for (const TenderSpec& t : tenders) {
    if (t.method == "points") return t.points;
  }
  return 0;
}

std::string Categories(const std::vector<std::string>& categories) {
  std::string out;
  for (const std::string& c : categories) out += (out.empty() ? "" : ",") + c;
  return out;
}

// The member's state for the evaluator: what is stored (or a new member's), the birthday, and
// the points that may be spent now.
core::MemberState EvalState(const storage::MemberStateRecord& s, const storage::MemberRecord& m,
                            std::int64_t points_available) {
  core::MemberState out;
  out.tier = s.tier;
  out.birthday = m.profile.birthday;
  out.cumulative_spend = s.cumulative_spend;
  out.cumulative_points = s.cumulative_points;
  out.carried_fen = s.carried_fen;
  out.points_balance = points_available;
  out.downgraded_from = s.downgraded_from;
  out.spend_since_downgrade = s.spend_since_downgrade;
  return out;
}

// A stored tier (or a tier lost at a review) that version `version` of `p` no longer has is
// priced from the lowest tier, with a note saying so (quote and settle alike).
void FitToVersion(core::MemberState& state, const core::Programme& p, int version,
                  std::vector<std::string>& notes) {
  if (!state.tier.empty() && p.FindTier(state.tier) == nullptr) {
    notes.push_back("tier " + state.tier + " is not in version " + std::to_string(version) +
                    "; priced from the lowest tier");
    state.tier.clear();
  }
  if (!state.downgraded_from.empty() && p.FindTier(state.downgraded_from) == nullptr) {
    state.downgraded_from.clear();
  }
}

// A basket priced at list for a walk-in: no programme, no points; coupons apply.
Result<core::Evaluation> AtList(std::span<const core::BasketLine> lines,
                                std::span<const core::CouponTerms> coupons,
                                std::string_view store) {
  core::Evaluation e;
  for (const core::BasketLine& l : lines) {
    core::PricedLine pl;
    pl.sku = l.sku;
    pl.quantity = l.quantity;
    pl.list = l.quantity * l.unit_price;
    // A promotion is for everyone; tier prices are for members.
    pl.paid = l.promo_price ? l.quantity * std::min(*l.promo_price, l.unit_price) : pl.list;
    pl.discount = pl.list - pl.paid;
    e.lines.push_back(std::move(pl));
    if (l.promo_price) {
      e.explain.push_back("promotion " + l.promo + ": " + l.sku + " at " +
                          core::YuanSign(std::min(*l.promo_price, l.unit_price)) + " each");
    }
  }
  if (!coupons.empty()) {
    ONECARD_TRY(e.coupon_discounts, core::ApplyCoupons(e.lines, lines, coupons, store, &e.explain));
  }
  for (core::PricedLine& pl : e.lines) {
    pl.earn_base = pl.paid;
    e.list_total += pl.list;
    e.discount_total += pl.discount;
    e.paid_total += pl.paid;
  }
  e.explain.push_back("walk-in sale: priced at list (less promotions), no points");
  return e;
}

// The terms of the coupons held, in order, for the evaluator.
std::vector<core::CouponTerms> TermsOf(const std::vector<HeldCoupon>& held) {
  std::vector<core::CouponTerms> out;
  out.reserve(held.size());
  for (const HeldCoupon& h : held) out.push_back(h.terms);
  return out;
}

}  // namespace

CheckoutService::CheckoutService(storage::Store& store, const Clock& clock, Writer& writer,
                                 ProgrammeService& programmes, GiftCardService& gifts,
                                 CouponService& coupons)
    : store_(store),
      clock_(clock),
      writer_(writer),
      programmes_(programmes),
      gifts_(gifts),
      coupons_(coupons),
      accounts_(std::make_unique<SystemAccountCache>(writer)) {}

CheckoutService::~CheckoutService() = default;

namespace {

// Checks the lines as the evaluator would (a walk-in sale has no evaluator to do it).
Status ValidateLines(std::span<const core::BasketLine> lines) {
  if (lines.empty()) return MakeError(ErrorCode::kFieldInvalid, "lines has no lines", "lines");
  if (lines.size() > 1000) {
    return MakeError(ErrorCode::kFieldInvalid, "lines has more than 1,000 lines", "lines");
  }
  for (std::size_t i = 0; i < lines.size(); ++i) {
    const std::string at = "lines[" + std::to_string(i) + "]";
    if (lines[i].sku.empty() || lines[i].sku.size() > 64) {
      return MakeError(ErrorCode::kFieldInvalid, at + ".sku must be 1 to 64 bytes", at + ".sku");
    }
    if (lines[i].quantity < 1 || lines[i].quantity > 1'000'000) {
      return MakeError(ErrorCode::kFieldInvalid, at + ".quantity must be 1 to 1,000,000",
                       at + ".quantity");
    }
    if (lines[i].unit_price < 0 || lines[i].unit_price > core::kAmountMax / 1'000'000) {
      return MakeError(ErrorCode::kFieldInvalid, at + ".price must be 0 to ¥10,000,000",
                       at + ".price");
    }
  }
  return {};
}

// Evaluates the basket: once to learn the tier's point value and limits, and — when points are
// tendered — again with their value taken off the earning base.
Result<core::Evaluation> Evaluate(const core::Programme& p, const core::MemberState& member,
                                  std::span<const core::BasketLine> lines, core::EvalContext ctx,
                                  std::int64_t points, std::int64_t& points_value,
                                  core::Explain explain) {
  points_value = 0;
  if (points == 0) return core::Evaluate(p, member, lines, ctx, explain);
  ONECARD_TRY(core::Evaluation first, core::Evaluate(p, member, lines, ctx, core::Explain::kNo));
  const core::Ratio& value = first.redeem.point_value;
  if (value.IsZero()) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "points cannot pay at tier " + first.tier + " of programme " + p.code,
                     "tenders");
  }
  const core::Int128 fen = static_cast<core::Int128>(points) * value.num;
  if (fen % value.den != 0) {
    return MakeError(ErrorCode::kInvalidArgument,
                     std::to_string(points) + " points are not a whole number of fen at tier " +
                         first.tier + " (a point is worth " + value.ToString() + " fen)",
                     "tenders");
  }
  if (points > first.redeem.max_points) {
    return MakeError(ErrorCode::kInvalidArgument,
                     std::to_string(points) + " points tendered; at most " +
                         std::to_string(first.redeem.max_points) + " may pay this purchase (" +
                         core::YuanSign(first.redeem.max_value) + ")",
                     "tenders");
  }
  points_value = static_cast<std::int64_t>(fen / value.den);
  ctx.paid_with_points = points_value;
  return core::Evaluate(p, member, lines, ctx, explain);
}

Status CheckTotal(const std::vector<TenderSpec>& tenders, std::int64_t points_value,
                  std::int64_t due) {
  std::int64_t total = points_value;
  for (const TenderSpec& t : tenders) total += t.amount;
  if (total != due) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "the tenders add up to " + core::YuanSign(total) + "; the amount due is " +
                         core::YuanSign(due),
                     "tenders");
  }
  return {};
}

void FillPriced(SaleView& v, const core::Evaluation& e, std::span<const core::BasketLine> lines) {
  v.tier = e.tier;
  v.tier_after = e.tier_after;
  v.tier_reason = e.tier_reason;
  for (std::size_t i = 0; i < e.lines.size(); ++i) {
    const core::PricedLine& l = e.lines[i];
    v.lines.push_back({static_cast<int>(i + 1), l.sku, l.quantity, lines[i].unit_price, l.list,
                       l.discount, l.paid, l.points, 0, lines[i].pass});
  }
  v.list_total = e.list_total;
  v.discount_total = e.discount_total;
  v.due = e.paid_total;
  v.points_earned = e.points;
  v.point_asset = e.points > 0 ? std::string(core::AssetName(e.point_asset)) : "";
  v.points_expire_on = e.expires_on;
  v.explain = e.explain;
}

bool HasPassLines(std::span<const core::BasketLine> lines) {
  return std::any_of(lines.begin(), lines.end(),
                     [](const core::BasketLine& l) { return !l.pass.empty(); });
}

// Lines a count card or pass pays for are not priced by the programme: the evaluator sees the
// others only (`lines` itself when there are none to leave out: a settle copies nothing), and
// MergePassLines puts them back in their places, free and earning nothing.
std::span<const core::BasketLine> WithoutPassLines(std::span<const core::BasketLine> lines,
                                                   std::vector<core::BasketLine>& kept) {
  if (!HasPassLines(lines)) return lines;
  kept.clear();
  for (const core::BasketLine& l : lines) {
    if (l.pass.empty()) kept.push_back(l);
  }
  return kept;
}

void MergePassLines(core::Evaluation& e, std::span<const core::BasketLine> lines) {
  if (!HasPassLines(lines)) return;
  std::vector<core::PricedLine> merged;
  merged.reserve(lines.size());
  std::size_t next = 0;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    const core::BasketLine& l = lines[i];
    if (l.pass.empty()) {
      merged.push_back(std::move(e.lines[next++]));
      continue;
    }
    core::PricedLine p;
    p.sku = l.sku;
    p.quantity = l.quantity;
    p.list = l.quantity * l.unit_price;
    p.discount = p.list;
    e.list_total += p.list;
    e.discount_total += p.list;
    e.explain.push_back("lines[" + std::to_string(i) + "] " + l.sku + " ×" +
                        std::to_string(l.quantity) + ": paid with card " + l.pass +
                        " (no charge, no points)");
    merged.push_back(std::move(p));
  }
  e.lines = std::move(merged);
}

// A walk-in has no passes: a line naming one needs the member's card.
Status RequireMemberForPasses(std::span<const core::BasketLine> lines) {
  for (std::size_t i = 0; i < lines.size(); ++i) {
    if (!lines[i].pass.empty()) {
      return MakeError(ErrorCode::kInvalidArgument,
                       "a line paid with a count card or pass needs the member's card",
                       "lines[" + std::to_string(i) + "].pass");
    }
  }
  return {};
}

// Takes each gift-card tender from its card (PINs checked before the writer): the card must be a
// sold gift card, within its validity, holding the amount. Returns the cards, in tender order.
Result<std::vector<ResolvedCard>> TakeGiftTenders(LedgerTxn& l, core::EntryPlan& plan,
                                                  const std::vector<TenderSpec>& tenders,
                                                  const std::map<std::string, GiftPinOk>& pins,
                                                  core::CivilDate today) {
  std::vector<ResolvedCard> out;
  storage::WriteTxn& txn = l.txn();
  const Request& rq = l.request();
  for (std::size_t i = 0; i < tenders.size(); ++i) {
    const TenderSpec& t = tenders[i];
    if (t.method != "gift_card") continue;
    const std::string at = "tenders[" + std::to_string(i) + "]";
    Result<ResolvedCard> card = l.Card(t.card, CardUse::kMoveValue);
    if (!card) {
      core::Error e = std::move(card).error();
      e.field = at + ".card";
      if (e.code == ErrorCode::kCardInactive) {
        e.message = "gift card " + t.card + " has not been sold (activated)";
      }
      return e;
    }
    ONECARD_TRY(std::optional<storage::GiftCardRecord> gift,
                txn.GetGiftCard(rq.tenant.id, card->presented.id));
    if (!gift.has_value()) {
      return MakeError(ErrorCode::kGiftCardNotFound, "no gift card numbered " + t.card,
                       at + ".card");
    }
    const auto& until = card->presented.expires_on;
    if (until && today.DaysSinceEpoch() > until->DaysSinceEpoch()) {
      return MakeError(ErrorCode::kGiftCardExpired,
                       "gift card " + t.card + " was valid until " + until->ToString(),
                       at + ".card");
    }
    ONECARD_TRY(std::vector<core::AccountPlanner*> holders,
                l.Holders(card->owner, core::AssetSelection::kGiftValue));
    const std::size_t mark = plan.moves().size();
    if (holders.empty() || plan.Debit(holders, t.amount) > 0) {
      core::Error e =
          Insufficient(t.card, "gift_value", AvailableOf(holders), t.amount, core::Unit::kFen);
      e.field = at + ".amount";
      return e;
    }
    ONECARD_CHECK(l.PostTaken(plan, mark, core::AccountRole::kSales));
    out.push_back(std::move(*card));
  }
  // The right PIN ends a run of wrong ones (written last: nothing is written before every
  // tender has been taken).
  for (const ResolvedCard& card : out) {
    const auto pin = pins.find(card.presented.number);
    if (pin == pins.end()) continue;
    ONECARD_TRY(std::optional<storage::GiftCardRecord> gift,
                txn.GetGiftCard(rq.tenant.id, card.presented.id));
    if (gift && ResetAfterRightPin(*gift, pin->second)) ONECARD_CHECK(txn.UpdateGiftCard(*gift));
  }
  return out;
}

// Gift-card tenders on the receipt (each card's balance after) and on the sale record (the card).
void FillGiftTenders(SaleView& v, storage::SaleRecord& record,
                     const std::vector<ResolvedCard>& cards, const EntryReceipt& receipt) {
  for (std::size_t i = 0; i < v.tenders.size(); ++i) {
    TenderView& t = v.tenders[i];
    if (t.method != "gift_card") continue;
    for (const ResolvedCard& c : cards) {
      if (c.presented.number == t.card) record.tenders[i].card = c.presented.id;
    }
    for (const PostingLine& line : receipt.lines) {
      if (line.card_number == t.card && line.asset == core::Asset::kGiftValue) {
        t.balance_after = line.balance_after;
      }
    }
  }
}

}  // namespace

Result<SaleView> CheckoutService::Quote(const Request& req, const SaleSpec& spec) {
  ONECARD_CHECK(ValidateLines(spec.lines));
  ONECARD_CHECK(ValidateTenders(spec.tenders, spec.card.empty(), false));
  const core::Timestamp now = clock_.Now();
  SaleView v;
  v.status = "quote";
  v.store = req.actor.store_code;
  v.staff = req.actor.staff;
  v.at = now;
  v.business_date = LocalDate(req.tenant.timezone, now);
  v.doc_no = spec.doc_no;
  v.tenders.reserve(spec.tenders.size());
  std::optional<ProgrammeService::InForce> in_force;
  if (!spec.card.empty()) {
    ONECARD_TRY(in_force, programmes_.VersionAt(req.tenant, now));
  }
  ONECARD_TRY(std::vector<CouponRef> coupon_refs, coupons_.Locate(req, spec.coupons));
  ONECARD_TRY(std::unique_ptr<storage::ReadTxn> txn, store_.BeginRead());
  std::vector<core::BasketLine> lines = spec.lines;
  ONECARD_CHECK(ResolveBasket(*txn, req.tenant.id, lines, now));
  if (spec.card.empty()) {
    ONECARD_CHECK(RequireMemberForPasses(lines));
    ONECARD_TRY(std::vector<HeldCoupon> held,
                HoldCoupons(*txn, req.tenant.id, coupon_refs, {}, v.business_date));
    const std::vector<core::CouponTerms> terms = TermsOf(held);
    ONECARD_TRY(core::Evaluation e, AtList(lines, terms, req.actor.store_code));
    ONECARD_CHECK(CheckCouponBudgets(held, e.coupon_discounts));
    FillPriced(v, e, lines);
    v.coupons = QuotedCoupons(held, e.coupon_discounts);
    for (const TenderSpec& t : spec.tenders)
      v.tenders.push_back({t.method, t.amount, 0, t.reference, t.card, std::nullopt});
    return v;
  }
  ONECARD_TRY(ResolvedCard resolved, ReadUsableCard(*txn, req.tenant, spec.card));
  const storage::CardRecord* card = &resolved.presented;
  const storage::CardRecord& owner = resolved.owner;
  const core::MemberId member_id = card->member.valid() ? card->member : owner.member;
  if (!member_id.valid()) {
    return MakeError(ErrorCode::kCardHasNoMember, "card " + spec.card + " has no member", "card");
  }
  ONECARD_TRY(std::optional<storage::MemberRecord> member,
              txn->GetMember(req.tenant.id, member_id));
  ONECARD_ASSERT(member.has_value(), "a card's member is missing");
  ONECARD_TRY(std::optional<storage::MemberStateRecord> state,
              txn->GetMemberState(req.tenant.id, member_id));
  std::int64_t points_available = 0;
  std::int64_t stored_value = 0;
  ONECARD_TRY(std::vector<storage::AccountRecord> accounts,
              txn->ListAccountsOfCard(req.tenant.id, owner.id));
  for (const storage::AccountRecord& a : accounts) {
    if (a.key.role != core::AccountRole::kHolder) continue;
    if (core::IsPoints(a.key.asset)) {
      ONECARD_TRY(core::AccountSnapshot snap, LoadSnapshot(*txn, a));
      points_available += core::AccountPlanner(std::move(snap), now).Available();
    } else if (a.key.asset == core::Asset::kStoredValue) {
      stored_value = a.balance;
    }
  }
  core::MemberState eval_state =
      EvalState(state.value_or(storage::MemberStateRecord{}), *member, points_available);
  std::vector<std::string> notes;
  FitToVersion(eval_state, *in_force->programme, in_force->version, notes);
  const std::string local = LocalDateTime(req.tenant.timezone, now);
  ONECARD_TRY(int minute, ParseLocalTime(local.substr(11, 5), "time"));
  ONECARD_TRY(std::vector<HeldCoupon> held,
              HoldCoupons(*txn, req.tenant.id, coupon_refs, member_id, v.business_date));
  const std::vector<core::CouponTerms> terms = TermsOf(held);
  const core::EvalContext ctx{v.business_date, minute, req.actor.store_code, 0, terms};
  // Each pass is checked as the settle will; a count card's uses against its balance.
  std::map<std::string, std::int64_t, std::less<>> pass_uses;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    if (lines[i].pass.empty()) continue;
    const std::string at = "lines[" + std::to_string(i) + "].pass";
    ONECARD_TRY(std::optional<storage::CardRecord> pass,
                txn->FindCard(req.tenant.id, lines[i].pass));
    if (!pass) {
      return MakeError(ErrorCode::kCardNotFound, "no card numbered " + lines[i].pass, at);
    }
    std::int64_t& earlier = pass_uses[lines[i].pass];
    ONECARD_TRY(PassCheck check, CheckPass(*txn, req.tenant.id, *pass, lines[i], i, member_id,
                                           req.actor.store_code, v.business_date, earlier));
    earlier += lines[i].quantity;
    if (!check.count) continue;
    ONECARD_TRY(std::int64_t uses,
                HolderBalance(*txn, req.tenant.id, pass->id, core::Asset::kUses));
    if (uses < earlier) {
      core::Error e = Insufficient(lines[i].pass, "uses", uses, earlier, core::Unit::kUse);
      e.field = at;
      return e;
    }
  }
  std::int64_t points_value = 0;
  std::vector<core::BasketLine> priced;
  ONECARD_TRY(core::Evaluation e,
              Evaluate(*in_force->programme, eval_state, WithoutPassLines(lines, priced), ctx,
                       PointsTendered(spec.tenders), points_value, core::Explain::kYes));
  ONECARD_CHECK(CheckCouponBudgets(held, e.coupon_discounts));
  MergePassLines(e, lines);
  e.explain.insert(e.explain.begin(), notes.begin(), notes.end());
  FillPriced(v, e, lines);
  v.coupons = QuotedCoupons(held, e.coupon_discounts);
  v.tier_before =
      eval_state.tier.empty() ? in_force->programme->tiers.front().code : eval_state.tier;
  v.member_id = member_id.value;
  v.card = spec.card;
  v.programme_version = in_force->version;
  for (const TenderSpec& t : spec.tenders) {
    v.tenders.push_back({t.method, t.method == "points" ? points_value : t.amount, t.points,
                         t.reference, t.card, std::nullopt});
  }
  v.points_spent = PointsTendered(spec.tenders);
  v.points_value = points_value;
  v.points_balance = points_available;
  v.stored_value_balance = stored_value;
  v.points_left = PointsLeftView{points_available, YuanPerPoint(e.redeem.point_value),
                                 e.redeem.max_points, e.redeem.max_value};
  return v;
}

namespace {

// The sale's record and view from what was priced; the caller adds ids and balances.
storage::SaleRecord SaleRecordOf(const Request& req, const SaleSpec& spec, const SaleView& v,
                                 core::MemberId member, core::CardId card) {
  storage::SaleRecord r;
  r.tenant = req.tenant.id;
  r.member = member;
  r.card = card;
  r.store = req.actor.store;
  r.doc_no = spec.doc_no;
  r.staff = req.actor.staff;
  r.at = v.at;
  r.business_date = v.business_date;
  r.programme_version = v.programme_version;
  r.tier = v.tier;
  r.tier_after = v.tier_after;
  r.list_total = v.list_total;
  r.discount_total = v.discount_total;
  r.paid_total = v.due;
  r.points_earned = v.points_earned;
  r.point_asset = v.point_asset;
  r.points_spent = v.points_spent;
  r.points_value = v.points_value;
  JsonOut explain;
  explain.OpenArray();
  for (const std::string& line : v.explain) explain.Item(line);
  explain.CloseArray();
  r.explain = explain.Take();
  r.status = v.status == "held" ? storage::SaleStatus::kHeld : storage::SaleStatus::kSettled;
  r.hold_expires_at = v.hold_expires_at;
  r.points_expire_on = v.points_expire_on;
  r.tier_reason = v.tier_reason;
  for (std::size_t i = 0; i < v.lines.size(); ++i) {
    const SaleLineView& l = v.lines[i];
    r.lines.push_back({static_cast<int>(i + 1),
                       l.sku,
                       spec.lines[i].item_class,
                       Categories(spec.lines[i].categories),
                       spec.lines[i].non_earning,
                       l.quantity,
                       l.unit_price,
                       l.list,
                       l.discount,
                       l.paid,
                       l.points,
                       {}});
  }
  for (std::size_t i = 0; i < v.tenders.size(); ++i) {
    const TenderView& t = v.tenders[i];
    r.tenders.push_back({static_cast<int>(i + 1), t.method, t.amount, t.points, t.reference, {}});
  }
  return r;
}

}  // namespace

// The member's state moves on with a settled sale: spend and points to date, the remainder
// carried, purchases, the last purchase, the spend since a downgrade, and the tier — with a
// history line naming the receipt — when the sale moves it.
Status MoveMemberOn(storage::WriteTxn& txn, const Request& rq, const core::Programme& p,
                    int version, storage::MemberStateRecord& state, const SaleEffect& e,
                    const std::string& doc_no, std::int64_t sale_id, core::Timestamp now) {
  state.cumulative_spend += e.paid;
  state.cumulative_points += e.points;
  state.carried_fen = e.carried_after;
  state.purchases += 1;
  state.last_purchase_at = now;
  if (!e.downgraded_from.empty()) state.spend_since_downgrade += e.paid;
  state.updated_at = now;
  if (e.tier_after != e.tier_before) {
    const bool regained = e.tier_after == e.downgraded_from;
    if (p.TierRank(e.tier_after) >= p.TierRank(e.downgraded_from)) {
      state.downgraded_from.clear();
      state.spend_since_downgrade = 0;
    }
    state.tier = e.tier_after;
    state.tier_since = now;
    storage::TierChangeRecord change;
    change.tenant = rq.tenant.id;
    change.member = state.member;
    change.from_tier = e.tier_before;
    change.to_tier = e.tier_after;
    change.cause = regained ? "regain" : "purchase";
    change.reason = e.tier_reason;
    change.doc_no = doc_no;
    change.sale_id = sale_id;
    change.programme_version = version;
    change.staff = rq.actor.staff;
    change.at = now;
    ONECARD_CHECK(txn.InsertTierChange(change));
  } else {
    state.tier = e.tier_before;
  }
  return txn.PutMemberState(state);
}

Result<SaleView> CheckoutService::Settle(const Request& req, const SaleSpec& spec) {
  return Await<SaleView>([&](Callback<SaleView> done) { SettleAsync(req, spec, std::move(done)); });
}

void CheckoutService::SettleAsync(const Request& req, const SaleSpec& spec,
                                  Callback<SaleView> done) {
  Result<Prepared> prepared = PrepareSettle(req, spec, std::nullopt);
  if (!prepared) return done(std::move(prepared).error());
  auto audit = AuditOf(req, "checkout.settle", "sale", spec.doc_no);
  writer_.CallAsync<SaleView>(req.tenant.id, req.idempotency_key, std::move(prepared->digest),
                              AuditedBySale(std::move(prepared->run), audit), std::move(done),
                              audit);
}

Result<SaleView> CheckoutService::Hold(const Request& req, const SaleSpec& spec,
                                       std::int64_t timeout_seconds) {
  return Await<SaleView>(
      [&](Callback<SaleView> done) { HoldAsync(req, spec, timeout_seconds, std::move(done)); });
}

void CheckoutService::HoldAsync(const Request& req, const SaleSpec& spec,
                                std::int64_t timeout_seconds, Callback<SaleView> done) {
  Result<Prepared> prepared = PrepareSettle(req, spec, timeout_seconds);
  if (!prepared) return done(std::move(prepared).error());
  auto audit = AuditOf(req, "checkout.hold", "sale", spec.doc_no);
  writer_.CallAsync<SaleView>(req.tenant.id, req.idempotency_key, std::move(prepared->digest),
                              AuditedBySale(std::move(prepared->run), audit), std::move(done),
                              audit);
}

Result<CheckoutService::Prepared> CheckoutService::PrepareSettle(
    const Request& req, const SaleSpec& spec, std::optional<std::int64_t> hold_seconds) {
  if (hold_seconds && (*hold_seconds < 10 || *hold_seconds > kSaleHoldMaxSeconds)) {
    return MakeError(ErrorCode::kFieldInvalid,
                     "timeout: a sale is held for 10 seconds to 24 hours (86400)", "timeout");
  }
  ONECARD_CHECK(ValidateLines(spec.lines));
  ONECARD_CHECK(ValidateTenders(spec.tenders, spec.card.empty(), true));
  if (!req.actor.store.valid()) {
    return MakeError(ErrorCode::kInvalidArgument, "a sale is made at a store: name the store",
                     "store");
  }
  if (spec.doc_no.empty()) {
    return MakeError(ErrorCode::kInvalidArgument, "a sale needs the till's receipt number",
                     "doc_no");
  }
  ONECARD_CHECK(ValidateNotes(spec.doc_no, ""));
  const bool all_passes = std::all_of(spec.lines.begin(), spec.lines.end(),
                                      [](const core::BasketLine& l) { return !l.pass.empty(); });
  if (spec.tenders.empty() && !all_passes) {
    return MakeError(ErrorCode::kInvalidArgument, "a sale needs at least one tender", "tenders");
  }
  ONECARD_CHECK(ValidateIdempotencyKey(req.idempotency_key));
  const core::Timestamp now = clock_.Now();
  std::optional<ProgrammeService::InForce> in_force;
  if (!spec.card.empty()) {
    ONECARD_TRY(in_force, programmes_.VersionAt(req.tenant, now));
  }
  const std::string local = LocalDateTime(req.tenant.timezone, now);
  ONECARD_TRY(int minute, ParseLocalTime(local.substr(11, 5), "time"));
  const core::CivilDate date = LocalDate(req.tenant.timezone, now);

  Canonical c = CanonicalOf(req, hold_seconds ? "sale-hold" : "sale");
  if (hold_seconds) c.Add("timeout", *hold_seconds);
  c.Add("card", spec.card).Add("doc", spec.doc_no);
  for (const core::BasketLine& l : spec.lines) {
    c.Add("sku", l.sku).Add("qty", l.quantity).Add("price", l.unit_price);
    if (!l.pass.empty()) c.Add("pass", l.pass);  // a pass-less sale keeps the digest it had
    c.Add("class", l.item_class).Add("cats", Categories(l.categories));
    c.Add("non_earning", l.non_earning ? 1 : 0);
  }
  for (const TenderSpec& t : spec.tenders) {
    c.Add("tender", t.method).Add("amount", t.amount).Add("points", t.points);
    c.Add("ref", t.reference).Add("card", t.card);
  }
  for (const CouponUse& u : spec.coupons) {
    c.Add("coupon", core::NormaliseCouponCode(u.code)).Add("coupon_id", u.id);
  }
  // Gift cards' PINs, checked (and a wrong one counted) before anything is queued — unless this
  // is a retry of a sale already settled: its receipt is answered whatever the cards' state now
  // (a card locked since must not make a paid sale look refused).
  auto gift_pins = std::make_shared<std::map<std::string, GiftPinOk>>();
  const bool any_gift = std::any_of(spec.tenders.begin(), spec.tenders.end(),
                                    [](const TenderSpec& t) { return t.method == "gift_card"; });
  bool settled_before = false;
  if (any_gift || !spec.coupons.empty()) {
    ONECARD_TRY(std::unique_ptr<storage::ReadTxn> read, store_.BeginRead());
    ONECARD_TRY(std::optional<storage::IdempotencyRecord> stored,
                read->FindIdempotency(req.tenant.id, req.idempotency_key));
    settled_before = stored && stored->digest == c.digest();
  }
  for (const TenderSpec& t : spec.tenders) {
    if (t.method != "gift_card" || settled_before) continue;
    ONECARD_TRY(GiftPinOk ok, gifts_.CheckPin(req, t.card, t.pin));
    (*gift_pins)[t.card] = ok;
  }
  // Coupon codes are looked up (and an unknown one counted as a guess) before the sale is
  // queued; the write checks each one again.
  std::vector<CouponRef> coupon_refs;
  if (!settled_before) {
    ONECARD_TRY(coupon_refs, coupons_.Locate(req, spec.coupons));
  }
  // The catalogue's lines are priced off the writer, from a read snapshot taken now (the
  // moment of the sale, as a till's look-up would be). A refusal (unknown or retired SKU) is
  // answered by the writer, after its idempotency check: a retry of a sale that was settled
  // gets its receipt even if the product has been retired since.
  auto resolved = std::make_shared<SaleSpec>(spec);
  core::Status resolution;
  {
    ONECARD_TRY(std::unique_ptr<storage::ReadTxn> read, store_.BeginRead());
    resolution = ResolveBasket(*read, req.tenant.id, resolved->lines, now);
  }
  auto shared = std::make_shared<const Request>(req);
  return Prepared{
      c.digest(),
      [this, shared, resolved, resolution, in_force, now, minute, date, gift_pins, coupon_refs,
       hold_seconds](storage::WriteTxn& txn) -> Result<SaleView> {
        const Request& rq = *shared;
        ONECARD_CHECK(resolution);
        const SaleSpec& sale = *resolved;
        ONECARD_TRY(std::optional<std::int64_t> taken,
                    txn.FindSaleId(rq.tenant.id, rq.actor.store, sale.doc_no));
        if (taken) {
          return MakeError(ErrorCode::kCodeTaken,
                           "receipt " + sale.doc_no + " was settled at store " +
                               rq.actor.store_code + " already (sale " + std::to_string(*taken) +
                               ")",
                           "doc_no");
        }
        SaleView v;
        v.status = hold_seconds ? "held" : "settled";
        v.doc_no = sale.doc_no;
        v.store = rq.actor.store_code;
        v.staff = rq.actor.staff;
        v.at = now;
        v.business_date = date;
        if (hold_seconds) v.hold_expires_at = now.PlusSeconds(*hold_seconds);
        LedgerTxn l(txn, rq, now, accounts_.get());
        // A held sale's tenders go into escrow, its entry is the hold's, and what it earns waits
        // for the capture.
        if (hold_seconds) l.TakeIntoEscrow();
        const core::EntryKind kind = hold_seconds ? core::EntryKind::kHold : core::EntryKind::kSale;
        if (sale.card.empty()) {
          ONECARD_CHECK(RequireMemberForPasses(sale.lines));
          ONECARD_TRY(std::vector<HeldCoupon> held,
                      HoldCoupons(txn, rq.tenant.id, coupon_refs, {}, date));
          const std::vector<core::CouponTerms> terms = TermsOf(held);
          ONECARD_TRY(core::Evaluation e, AtList(sale.lines, terms, rq.actor.store_code));
          ONECARD_CHECK(CheckCouponBudgets(held, e.coupon_discounts));
          ONECARD_CHECK(CheckTotal(sale.tenders, 0, e.paid_total));
          FillPriced(v, e, sale.lines);
          for (const TenderSpec& t : sale.tenders) {
            v.tenders.push_back({t.method, t.amount, 0, t.reference, t.card, std::nullopt});
          }
          core::EntryPlan plan;
          ONECARD_TRY(std::vector<ResolvedCard> gift_cards,
                      TakeGiftTenders(l, plan, sale.tenders, *gift_pins, date));
          storage::SaleRecord record = SaleRecordOf(rq, sale, v, {}, {});
          if (!gift_cards.empty()) {
            ONECARD_TRY(EntryReceipt receipt,
                        l.Write(l.Header(kind, gift_cards.front(), sale.doc_no, "sale"), plan));
            v.entry_id = receipt.entry_id;
            (hold_seconds ? record.hold_entry : record.entry) = core::EntryId{v.entry_id};
            FillGiftTenders(v, record, gift_cards, receipt);
          }
          ONECARD_TRY(v.id, txn.InsertSale(record));
          ONECARD_TRY(v.coupons, RedeemCoupons(txn, held, e.coupon_discounts, v.id, {}, now));
          return v;
        }

        ONECARD_TRY(ResolvedCard card, l.Card(sale.card, CardUse::kMoveValue));
        const core::MemberId member_id =
            card.presented.member.valid() ? card.presented.member : card.owner.member;
        if (!member_id.valid()) {
          return MakeError(ErrorCode::kCardHasNoMember, "card " + sale.card + " has no member",
                           "card");
        }
        ONECARD_TRY(std::optional<storage::MemberRecord> member,
                    txn.GetMember(rq.tenant.id, member_id));
        ONECARD_ASSERT(member.has_value(), "a card's member is missing");
        ONECARD_TRY(std::optional<storage::MemberStateRecord> stored,
                    txn.GetMemberState(rq.tenant.id, member_id));
        storage::MemberStateRecord state = stored.value_or(storage::MemberStateRecord{});
        state.member = member_id;
        state.tenant = rq.tenant.id;

        // The card's balances as they stand; only a points tender needs the points that may be
        // spent now, lot by lot (a sale that only earns credits a new lot and reads none).
        std::map<core::Asset, std::int64_t> balances;
        ONECARD_TRY(std::vector<storage::AccountRecord> accounts,
                    txn.ListAccountsOfCard(rq.tenant.id, card.owner.id));
        std::int64_t points_held = 0;
        for (const storage::AccountRecord& a : accounts) {
          if (a.key.role != core::AccountRole::kHolder) continue;
          balances[a.key.asset] = a.balance;
          if (core::IsPoints(a.key.asset)) points_held += a.balance;
        }
        const std::int64_t points = PointsTendered(sale.tenders);
        std::vector<core::AccountPlanner*> points_holders;
        if (points > 0) {
          ONECARD_TRY(points_holders, l.Holders(card.owner, core::AssetSelection::kAnyPoints));
          points_held = AvailableOf(points_holders);
        }
        const core::Programme& p = *in_force->programme;
        core::MemberState eval_state = EvalState(state, *member, points_held);
        std::vector<std::string> notes;
        FitToVersion(eval_state, p, in_force->version, notes);
        ONECARD_TRY(std::vector<HeldCoupon> held,
                    HoldCoupons(txn, rq.tenant.id, coupon_refs, member_id, date));
        const std::vector<core::CouponTerms> terms = TermsOf(held);
        const core::EvalContext ctx{date, minute, rq.actor.store_code, 0, terms};
        std::int64_t points_value = 0;
        std::vector<core::BasketLine> priced;
        ONECARD_TRY(core::Evaluation e,
                    Evaluate(p, eval_state, WithoutPassLines(sale.lines, priced), ctx, points,
                             points_value, core::Explain::kYes));
        ONECARD_CHECK(CheckCouponBudgets(held, e.coupon_discounts));
        ONECARD_CHECK(CheckTotal(sale.tenders, points_value, e.paid_total));
        MergePassLines(e, sale.lines);
        notes.insert(notes.end(), e.explain.begin(), e.explain.end());
        e.explain = std::move(notes);

        // The entry: points tendered, stored value tendered, points earned.
        // Each part posts its counterpart for what it moved on the card (from its first move).
        core::EntryPlan plan;
        const core::StoreId store = rq.actor.store;
        if (points > 0) {
          if (points_holders.empty() || plan.Debit(points_holders, points) > 0) {
            return TenderRefused(Insufficient(sale.card, "points", AvailableOf(points_holders),
                                              points, core::Unit::kPoint),
                                 sale.tenders, "points");
          }
          ONECARD_CHECK(l.PostTaken(plan, 0, core::AccountRole::kPointsRedeemed));
        }
        for (const TenderSpec& t : sale.tenders) {
          if (t.method != "stored_value") continue;
          ONECARD_TRY(std::vector<core::AccountPlanner*> sv,
                      l.Holders(card.owner, core::AssetSelection::kStoredValue));
          const std::size_t mark = plan.moves().size();
          if (sv.empty() || plan.Debit(sv, t.amount) > 0) {
            return TenderRefused(Insufficient(sale.card, "stored_value", AvailableOf(sv), t.amount,
                                              core::Unit::kFen),
                                 sale.tenders, "stored_value");
          }
          ONECARD_CHECK(l.PostTaken(plan, mark, core::AccountRole::kSales));
        }
        ONECARD_TRY(std::vector<ResolvedCard> gift_cards,
                    TakeGiftTenders(l, plan, sale.tenders, *gift_pins, date));
        ONECARD_TRY(std::vector<std::optional<PassCheck>> passes,
                    TakePasses(l, plan, sale.lines, member_id, date));
        if (e.points > 0 && !hold_seconds) {
          ONECARD_TRY(core::AccountPlanner * holder, l.Holder(card.owner, e.point_asset));
          const std::size_t mark = plan.moves().size();
          std::optional<core::Timestamp> expires;
          if (e.expires_on) {
            ONECARD_TRY(expires, EndOfLocalDay(rq.tenant.timezone, *e.expires_on));
          }
          plan.Credit(*holder, e.points,
                      core::LotSpec{expires, core::LotSource::kEarned, store, {}});
          ONECARD_CHECK(
              l.PostCounterpartsSince(plan, mark, core::AccountRole::kPointsIssued, store));
        }

        FillPriced(v, e, sale.lines);
        v.tier_before = eval_state.tier.empty() ? p.tiers.front().code : eval_state.tier;
        v.member_id = member_id.value;
        v.card = sale.card;
        v.programme_version = in_force->version;
        for (const TenderSpec& t : sale.tenders) {
          v.tenders.push_back({t.method, t.method == "points" ? points_value : t.amount, t.points,
                               t.reference, t.card, std::nullopt});
        }
        v.points_spent = points;
        v.points_value = points_value;

        std::optional<EntryReceipt> receipt;
        if (!plan.postings().empty()) {
          ONECARD_TRY(receipt, l.Write(l.Header(kind, card, sale.doc_no, "sale"), plan));
          v.entry_id = receipt->entry_id;
          for (const PostingLine& line : receipt->lines) {
            if (line.card_number == card.owner.number) balances[line.asset] = line.balance_after;
          }
        }
        std::int64_t points_balance = 0;
        for (const auto& [asset, balance] : balances) {
          if (core::IsPoints(asset)) points_balance += balance;
        }
        v.points_balance = points_balance;
        if (auto sv = balances.find(core::Asset::kStoredValue); sv != balances.end()) {
          v.stored_value_balance = sv->second;
        }

        const std::string tier_before = v.tier_before;
        storage::SaleRecord record = SaleRecordOf(rq, sale, v, member_id, card.presented.id);
        (hold_seconds ? record.hold_entry : record.entry) = core::EntryId{v.entry_id};
        record.tier_before = tier_before;
        record.carried_before = eval_state.carried_fen;
        record.carried_after = e.carried_fen;
        if (receipt) FillGiftTenders(v, record, gift_cards, *receipt);
        for (std::size_t i = 0; i < passes.size(); ++i) {
          if (passes[i]) record.lines[i].pass_card = passes[i]->card.id;
        }
        ONECARD_TRY(v.id, txn.InsertSale(record));
        for (std::size_t i = 0; i < passes.size(); ++i) {
          if (!passes[i]) continue;
          ONECARD_CHECK(RecordPassUse(txn, rq.tenant.id, passes[i]->card.id, member_id, v.id,
                                      static_cast<int>(i + 1), 0, sale.lines[i].quantity, date,
                                      now));
        }
        ONECARD_TRY(v.coupons, RedeemCoupons(txn, held, e.coupon_discounts, v.id, member_id, now));

        // The member's state moves on with the sale (a held sale's, at its capture).
        if (hold_seconds) return v;
        const SaleEffect effect{e.paid_total,
                                e.points,
                                e.carried_fen,
                                tier_before,
                                e.tier_after,
                                e.tier_reason,
                                eval_state.downgraded_from};
        ONECARD_CHECK(
            MoveMemberOn(txn, rq, p, in_force->version, state, effect, sale.doc_no, v.id, now));
        return v;
      }};
}

std::string EncodeReply(const SaleView& v) {
  JsonOut j;
  j.Open();
  j.Field("id", v.id);
  j.Field("status", v.status);
  j.Field("doc_no", v.doc_no);
  j.Field("store", v.store);
  j.Field("staff", v.staff);
  j.Field("at", v.at);
  j.Field("business_date", v.business_date);
  j.Field("member_id", v.member_id);
  j.Field("card", v.card);
  j.Field("programme_version", v.programme_version);
  j.Field("tier_before", v.tier_before);
  j.Field("tier", v.tier);
  j.Field("tier_after", v.tier_after);
  j.Field("tier_reason", v.tier_reason);
  j.OpenArray("lines");
  for (const SaleLineView& l : v.lines) {
    j.Open();
    j.Field("line", l.line);
    j.Field("sku", l.sku);
    j.Field("quantity", l.quantity);
    j.Field("unit_price", l.unit_price);
    j.Field("list", l.list);
    j.Field("discount", l.discount);
    j.Field("paid", l.paid);
    j.Field("points", l.points);
    j.Field("returned", l.returned);
    j.Field("pass", l.pass);
    j.Close();
  }
  j.CloseArray();
  j.Field("list_total", v.list_total);
  j.Field("discount_total", v.discount_total);
  j.OpenArray("coupons");
  for (const SaleCouponView& c : v.coupons) {
    j.Open();
    j.Field("campaign", c.campaign);
    j.Field("name", c.name);
    j.Field("coupon_id", c.coupon_id);
    j.Field("hint", c.hint);
    j.Field("discount", c.discount);
    j.Close();
  }
  j.CloseArray();
  j.Field("due", v.due);
  j.OpenArray("tenders");
  for (const TenderView& t : v.tenders) {
    j.Open();
    j.Field("method", t.method);
    j.Field("amount", t.amount);
    j.Field("points", t.points);
    j.Field("reference", t.reference);
    j.Field("card", t.card);
    j.Field("balance_after", t.balance_after);
    j.Close();
  }
  j.CloseArray();
  j.Field("points_earned", v.points_earned);
  j.Field("point_asset", v.point_asset);
  j.Field("points_expire_on", v.points_expire_on);
  j.Field("points_spent", v.points_spent);
  j.Field("points_value", v.points_value);
  j.Field("entry_id", v.entry_id);
  j.Field("points_balance", v.points_balance);
  j.Field("stored_value_balance", v.stored_value_balance);
  if (v.points_left) {
    j.ObjectKey("points_left");
    j.Field("balance", v.points_left->balance);
    j.Field("point_value", v.points_left->point_value);
    j.Field("max_points", v.points_left->max_points);
    j.Field("max_value", v.points_left->max_value);
    j.Close();
  } else {
    j.Null("points_left");
  }
  j.OpenArray("explain");
  for (const std::string& line : v.explain) j.Item(line);
  j.CloseArray();
  j.OpenArray("returns");
  for (const SaleReturnBrief& r : v.returns) {
    j.Open();
    j.Field("id", r.id);
    j.Field("doc_no", r.doc_no);
    j.Field("at", r.at);
    j.Field("refund", r.refund);
    j.Close();
  }
  j.CloseArray();
  j.Field("hold_expires_at", v.hold_expires_at);
  j.Field("closed_at", v.closed_at);
  j.Field("close_reason", v.close_reason);
  j.Close();
  return j.Take();
}

std::function<Result<SaleView>(storage::WriteTxn&)> AuditedBySale(
    std::function<Result<SaleView>(storage::WriteTxn&)> run,
    std::shared_ptr<storage::AuditRecord> audit) {
  return [run = std::move(run), audit = std::move(audit)](storage::WriteTxn& txn) {
    Result<SaleView> r = run(txn);
    if (r && audit) {
      JsonOut j;
      j.Open();
      j.Field("sale_id", r->id);
      j.Field("doc_no", r->doc_no);
      j.Field("status", r->status);
      j.Field("due", r->due);
      j.Field("entry_id", r->entry_id);
      j.Close();
      audit->after = j.Take();
    }
    return r;
  };
}

Result<std::vector<CouponUse>> CouponUsesFromJson(const json& coupons, std::string_view field) {
  if (!coupons.is_array()) {
    return MakeError(ErrorCode::kFieldInvalid,
                     std::string(field) +
                         " is a list of codes or {\"id\": …} of the member's "
                         "own coupons",
                     std::string(field));
  }
  std::vector<CouponUse> out;
  for (std::size_t i = 0; i < coupons.size(); ++i) {
    const std::string at = std::string(field) + "[" + std::to_string(i) + "]";
    const json& c = coupons[i];
    CouponUse u;
    if (c.is_string()) {
      u.code = c.get<std::string>();
    } else if (c.is_object()) {
      for (const auto& [key, value] : c.items()) {
        if (key == "code" && value.is_string()) {
          u.code = value.get<std::string>();
        } else if (key == "id" && value.is_number_integer() && value.get<std::int64_t>() > 0) {
          u.id = value.get<std::int64_t>();
        } else if (key == "code" || key == "id") {
          return MakeError(
              ErrorCode::kFieldInvalid,
              at + "." + key + (key == "code" ? " is a text" : " is a positive whole number"),
              at + "." + key);
        } else {
          return MakeError(ErrorCode::kFieldUnknown, at + "." + key + " is not a coupon's field",
                           at + "." + key);
        }
      }
    } else {
      return MakeError(ErrorCode::kFieldInvalid, at + " is a code or {\"id\": …}", at);
    }
    if (u.code.empty() == (u.id == 0)) {
      return MakeError(ErrorCode::kFieldInvalid, at + " gives a code or an id (one of them)", at);
    }
    out.push_back(std::move(u));
  }
  return out;
}

Result<std::vector<TenderSpec>> TendersFromJson(const json& tenders, std::string_view field) {
  const auto bad = [](const std::string& at, const std::string& why) {
    return MakeError(ErrorCode::kFieldInvalid, at + " " + why, at);
  };
  if (!tenders.is_array()) return bad(std::string(field), "must be a list of tenders");
  if (tenders.size() > kMaxTenders) return bad(std::string(field), "has more than 20 tenders");
  std::vector<TenderSpec> out;
  for (std::size_t i = 0; i < tenders.size(); ++i) {
    const json& t = tenders[i];
    const std::string at = std::string(field) + "[" + std::to_string(i) + "]";
    if (!t.is_object()) return bad(at, "must be an object");
    TenderSpec spec;
    for (const auto& [key, value] : t.items()) {
      const std::string f = at + "." + key;
      if (key == "method" || key == "reference" || key == "card" || key == "pin") {
        if (!value.is_string()) return bad(f, "must be a string");
        (key == "method"      ? spec.method
         : key == "reference" ? spec.reference
         : key == "card"      ? spec.card
                              : spec.pin) = value.get<std::string>();
      } else if (key == "amount" || key == "points") {
        if (!value.is_number_integer()) return bad(f, "must be a whole number");
        (key == "amount" ? spec.amount : spec.points) = value.get<std::int64_t>();
      } else {
        return MakeError(ErrorCode::kFieldUnknown, f + " is not a known field", f);
      }
    }
    if (spec.method.empty()) return bad(at + ".method", "is required");
    out.push_back(std::move(spec));
  }
  return out;
}

Result<SaleView> ViewOfSale(storage::ReadTxn& txn, const TenantRef& tenant,
                            const storage::SaleRecord& r) {
  SaleView v;
  v.id = r.id;
  v.status = std::string(storage::SaleStatusName(r.status));
  v.doc_no = r.doc_no;
  ONECARD_TRY(std::optional<storage::StoreRecord> store, txn.GetStore(tenant.id, r.store));
  v.store = store ? store->code : "";
  v.staff = r.staff;
  v.at = r.at;
  v.business_date = r.business_date;
  v.member_id = r.member.value;
  if (r.card.valid()) {
    ONECARD_TRY(std::optional<storage::CardRecord> card, txn.GetCard(tenant.id, r.card));
    if (card) v.card = card->number;
  }
  v.programme_version = r.programme_version;
  v.tier_before = r.tier_before;
  v.tier = r.tier;
  v.tier_after = r.tier_after;
  v.tier_reason = r.tier_reason;
  ONECARD_TRY(std::vector<storage::ReturnRecord> returns, txn.ListReturnsOfSale(tenant.id, r.id));
  for (const storage::SaleLineRecord& l : r.lines) {
    std::int64_t returned = 0;
    for (const storage::ReturnRecord& ret : returns) {
      for (const storage::ReturnLineRecord& rl : ret.lines) {
        if (rl.line_no == l.line_no) returned += rl.quantity;
      }
    }
    std::string pass;
    if (l.pass_card.valid()) {
      ONECARD_TRY(std::optional<storage::CardRecord> card, txn.GetCard(tenant.id, l.pass_card));
      if (card) pass = card->number;
    }
    v.lines.push_back({l.line_no, l.sku, l.quantity, l.unit_price, l.list, l.discount, l.paid,
                       l.points, returned, pass});
  }
  for (const storage::ReturnRecord& ret : returns) {
    v.returns.push_back({ret.id, ret.doc_no, ret.at, ret.refund_total - ret.deducted});
  }
  v.list_total = r.list_total;
  v.discount_total = r.discount_total;
  v.due = r.paid_total;
  for (const storage::SaleTenderRecord& t : r.tenders) {
    std::string number;
    if (t.card.valid()) {
      ONECARD_TRY(std::optional<storage::CardRecord> card, txn.GetCard(tenant.id, t.card));
      if (card) number = card->number;
    }
    v.tenders.push_back({t.method, t.amount, t.points, t.reference, number, std::nullopt});
  }
  ONECARD_TRY(v.coupons, CouponsOfSale(txn, tenant.id, r.id));
  v.points_earned = r.points_earned;
  v.point_asset = r.point_asset;
  v.points_expire_on = r.points_expire_on;
  v.points_spent = r.points_spent;
  v.points_value = r.points_value;
  v.entry_id = (r.entry.valid() ? r.entry : r.hold_entry).value;
  json explain = json::parse(r.explain, nullptr, false);
  if (explain.is_array()) v.explain = explain.get<std::vector<std::string>>();
  v.hold_expires_at = r.hold_expires_at;
  v.closed_at = r.closed_at;
  v.close_reason = r.close_reason;
  return v;
}

Result<SaleView> CheckoutService::Get(const TenantRef& tenant, std::int64_t id) {
  ONECARD_TRY(std::unique_ptr<storage::ReadTxn> txn, store_.BeginRead());
  ONECARD_TRY(std::optional<storage::SaleRecord> r, txn->GetSale(tenant.id, id));
  if (!r) {
    return MakeError(ErrorCode::kSaleNotFound, "no sale " + std::to_string(id), "sale");
  }
  return ViewOfSale(*txn, tenant, *r);
}

}  // namespace onecard::service
