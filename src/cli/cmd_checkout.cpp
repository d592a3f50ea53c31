// Commands: checkout quote, settle and hold, sale show, capture and void, tier show and set, jobs
// run tier-review (issues #4 and #5).
#include <iostream>

#include "cli/context.hpp"
#include "core/money.hpp"
#include "service/calendar.hpp"
#include "service/identify.hpp"

namespace onecard::cli {
namespace {

using core::ErrorCode;
using core::MakeError;
using core::Result;
using core::Status;
using core::Yuan;

// "cash=90.00", "points=1000", "bank_card=10.00:SLIP-17", "gift_card=50.00:CARD:PIN" → a tender
// (amounts in yuan).
Result<service::TenderSpec> ParseTender(const std::string& text, std::size_t index) {
  const std::string field = "tender[" + std::to_string(index) + "]";
  const std::size_t eq = text.find('=');
  if (eq == std::string::npos || eq == 0) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "--tender " + text +
                         ": expected METHOD=AMOUNT (cash=90.00, points=1000, "
                         "stored_value=12.50, bank_card=10.00:REFERENCE, "
                         "gift_card=50.00:CARD:PIN)",
                     field);
  }
  service::TenderSpec t;
  t.method = text.substr(0, eq);
  std::string value = text.substr(eq + 1);
  if (const std::size_t colon = value.find(':'); colon != std::string::npos) {
    t.reference = value.substr(colon + 1);
    value.resize(colon);
  }
  if (t.method == "gift_card") {
    const std::size_t colon = t.reference.find(':');
    if (colon == std::string::npos) {
      return MakeError(ErrorCode::kInvalidArgument,
                       "--tender " + text + ": a gift card is gift_card=AMOUNT:CARD:PIN", field);
    }
    t.card = t.reference.substr(0, colon);
    t.pin = t.reference.substr(colon + 1);
    t.reference.clear();
  }
  if (t.method == "points") {
    ONECARD_TRY(core::Points p, core::Points::Parse(value, field, core::SignPolicy::kPositiveOnly));
    t.points = p.count();
  } else {
    ONECARD_TRY(core::Money m, core::Money::Parse(value, field, core::SignPolicy::kPositiveOnly));
    t.amount = m.fen();
  }
  return t;
}

struct SaleOptions {
  std::string card, basket, doc;
  std::int64_t timeout = service::kSaleHoldDefaultSeconds;  // hold
  std::vector<std::string> tenders;
  std::vector<std::string> coupons;
  std::vector<std::int64_t> coupon_ids;
};

Result<service::SaleSpec> SpecOf(const SaleOptions& o) {
  service::SaleSpec spec;
  spec.card = o.card;
  spec.doc_no = o.doc;
  ONECARD_TRY(spec.lines, ReadBasket(o.basket, true));
  for (std::size_t i = 0; i < o.tenders.size(); ++i) {
    ONECARD_TRY(service::TenderSpec t, ParseTender(o.tenders[i], i));
    spec.tenders.push_back(std::move(t));
  }
  for (const std::string& code : o.coupons) spec.coupons.push_back({code, 0});
  for (const std::int64_t id : o.coupon_ids) spec.coupons.push_back({"", id});
  return spec;
}

void PrintSale(Session& s, const service::SaleView& v) {
  std::ostream& out = s.out();
  if (v.id > 0) {
    out << "Sale " << v.id << "  receipt " << v.doc_no << "  at " << v.store << "  "
        << s.Local(v.at) << "  " << v.status << (v.replayed ? "  (replayed)" : "") << "\n";
    if (v.status == "held" && v.hold_expires_at) {
      out << "held until " << s.Local(*v.hold_expires_at)
          << ": capture it (sale capture) or void it (sale void)\n";
    }
    if (v.closed_at && v.status != "settled") {
      out << v.status << " " << s.Local(*v.closed_at) << "  " << v.close_reason << "\n";
    }
  } else {
    out << "Quote at " << v.store << "  " << s.Local(v.at) << "\n";
  }
  if (v.member_id > 0) {
    out << "member " << v.member_id << "  card " << v.card << "  tier " << v.tier;
    if (v.programme_version) out << "  (programme version " << *v.programme_version << ")";
    out << "\n";
  } else {
    out << "walk-in\n";
  }
  for (const service::SaleLineView& l : v.lines) {
    out << "  " << l.line << ". " << l.sku << " ×" << l.quantity << "  " << Yuan(l.list);
    if (l.discount > 0) out << "  −" << Yuan(l.discount);
    out << "  = " << Yuan(l.paid) << "  " << l.points << " pts";
    if (!l.pass.empty()) out << "  (card " << l.pass << ")";
    if (l.returned > 0) out << "  (" << l.returned << " returned)";
    out << "\n";
  }
  for (const service::SaleCouponView& c : v.coupons) {
    out << "  coupon " << c.campaign << " " << c.hint << "  −" << Yuan(c.discount) << "  ("
        << c.name << ")\n";
  }
  out << "due " << Yuan(v.due);
  if (v.discount_total > 0) out << " (saved " << Yuan(v.discount_total) << ")";
  out << "\n";
  for (const service::TenderView& t : v.tenders) {
    out << "  paid " << Yuan(t.amount) << " by " << t.method;
    if (t.method == "points") out << " (" << t.points << " points)";
    if (!t.card.empty()) out << " " << t.card;
    if (t.balance_after) out << " (¥" << Yuan(*t.balance_after) << " left on it)";
    if (!t.reference.empty()) out << " ref " << t.reference;
    out << "\n";
  }
  if (v.points_earned > 0) {
    out << (v.status == "held" ? "to earn at capture " : "earned ") << v.points_earned << " "
        << v.point_asset;
    if (v.points_expire_on) out << " valid to " << v.points_expire_on->ToString();
    out << "\n";
  }
  if (!v.tier_after.empty() && v.tier_after != v.tier_before) {
    out << "tier now " << v.tier_after << ", was " << v.tier_before << " (" << v.tier_reason
        << ")\n";
  }
  if (v.points_left) {
    out << "points may pay up to " << v.points_left->max_points << " points ("
        << Yuan(v.points_left->max_value) << ") at " << v.points_left->point_value
        << " yuan a point\n";
  }
  if (v.points_balance) out << "points balance " << *v.points_balance << "\n";
  if (v.stored_value_balance) out << "stored value " << Yuan(*v.stored_value_balance) << "\n";
  out << "why:\n";
  for (const std::string& line : v.explain) out << "  " << line << "\n";
  for (const service::SaleReturnBrief& r : v.returns) {
    out << "returned: " << r.doc_no << " (return " << r.id << ")  " << s.Local(r.at) << "  refund "
        << Yuan(r.refund) << "\n";
  }
}

void PrintReturn(Session& s, const service::ReturnView& v) {
  std::ostream& out = s.out();
  out << "Return " << v.id << "  receipt " << v.doc_no << "  at " << v.store << "  "
      << s.Local(v.at) << (v.replayed ? "  (replayed)" : "") << "\n";
  out << "of sale " << v.sale_id << " (receipt " << v.sale_doc_no << " at " << v.sale_store
      << ")  reason: " << v.reason << "\n";
  if (v.member_id > 0) out << "member " << v.member_id << "  card " << v.card << "\n";
  for (const service::ReturnLineView& l : v.lines) {
    out << "  " << l.line << ". " << l.sku << " ×" << l.quantity << "  refund " << Yuan(l.paid)
        << "  " << l.points << " pts\n";
  }
  for (const service::ReturnTenderView& t : v.tenders) {
    out << "  back " << Yuan(t.refund) << " to " << t.method;
    if (t.method == "points") out << " (" << t.points << " points)";
    if (!t.card.empty()) out << " " << t.card;
    if (t.deducted > 0) out << " (" << Yuan(t.deducted) << " kept back)";
    out << "\n";
  }
  out << "refund " << Yuan(v.refund);
  if (v.deducted > 0) out << " (" << Yuan(v.refund_total) << " less " << Yuan(v.deducted) << ")";
  out << "\n";
  if (v.points_taken_back > 0) out << "points taken back " << v.points_taken_back << "\n";
  for (const service::SaleCouponView& c : v.coupons_restored) {
    out << "coupon " << c.campaign << " " << c.hint << " may be used again\n";
  }
  if (v.tier_after != v.tier_before)
    out << "tier now " << v.tier_after << ", was " << v.tier_before << "\n";
  if (v.points_balance) out << "points balance " << *v.points_balance << "\n";
  if (v.stored_value_balance) out << "stored value " << Yuan(*v.stored_value_balance) << "\n";
  out << "why:\n";
  for (const std::string& line : v.explain) out << "  " << line << "\n";
}

struct ReturnOptions {
  std::int64_t sale = 0;
  std::string receipt;
  std::string receipt_store;
  std::vector<std::string> lines;
  bool all = false;
  std::string doc;
  std::string reason;
};

// "--line 2=1" → line 2, quantity 1.
Result<service::ReturnSpec> ReturnSpecOf(const ReturnOptions& o) {
  service::ReturnSpec spec;
  spec.sale = o.sale;
  spec.receipt = o.receipt;
  spec.receipt_store = o.receipt_store;
  spec.all = o.all;
  spec.doc_no = o.doc;
  spec.reason = o.reason;
  for (std::size_t i = 0; i < o.lines.size(); ++i) {
    const std::string& text = o.lines[i];
    const std::string field = "--line " + text;
    const std::size_t eq = text.find('=');
    if (eq == std::string::npos) {
      return MakeError(ErrorCode::kFieldInvalid, field + ": expected LINE=QUANTITY, e.g. 2=1",
                       "line");
    }
    ONECARD_TRY(std::int64_t line,
                core::ParseCount(text.substr(0, eq), field, core::SignPolicy::kPositiveOnly));
    ONECARD_TRY(std::int64_t qty,
                core::ParseCount(text.substr(eq + 1), field, core::SignPolicy::kPositiveOnly));
    if (line > 100000) return MakeError(ErrorCode::kFieldInvalid, field + ": no such line", "line");
    spec.lines.push_back({static_cast<int>(line), qty});
  }
  return spec;
}

void PrintTier(Session& s, const service::MemberTierView& v) {
  std::ostream& out = s.out();
  out << "member " << v.member_id << "  tier " << (v.tier.empty() ? "(lowest)" : v.tier);
  if (v.tier_since) out << " since " << s.Local(*v.tier_since);
  out << "\nspend to date " << Yuan(v.cumulative_spend) << "  points earned " << v.cumulative_points
      << "  purchases " << v.purchases;
  if (v.last_purchase_at) out << "  last " << s.Local(*v.last_purchase_at);
  out << "\n";
  if (!v.downgraded_from.empty()) {
    out << "downgraded from " << v.downgraded_from << "; spent " << Yuan(v.spend_since_downgrade)
        << " since\n";
  }
  if (v.reviewed_to) out << "reviewed to " << v.reviewed_to->ToString() << "\n";
  for (const service::TierChangeView& c : v.history) {
    out << "  " << s.Local(c.at) << "  " << c.from << " → " << c.to << "  " << c.cause << "  "
        << c.doc_no << "  " << c.reason << "  by " << c.staff << "\n";
  }
}

}  // namespace

void AddCheckoutCommands(CLI::App& app, CliContext& ctx) {
  auto* group = app.add_subcommand("checkout", "Sales at the till: quote, settle and return");
  group->require_subcommand(1);
  enum Mode { kQuote, kSettle, kHold };
  for (const Mode mode : {kQuote, kSettle, kHold}) {
    auto o = std::make_shared<SaleOptions>();
    const bool settle = mode != kQuote;
    auto* cmd = group->add_subcommand(
        mode == kQuote    ? "quote"
        : mode == kSettle ? "settle"
                          : "hold",
        mode == kQuote    ? "Price a basket for a member without changing anything"
        : mode == kSettle ? "Settle a sale: take the tenders, earn points, record it (at --store)"
                          : "Hold a sale: its tenders in escrow until `sale capture` or `sale "
                            "void` (at --store)");
    if (mode == kHold) {
      cmd->add_option("--timeout", o->timeout,
                      "Seconds the hold waits for its capture (10 … 86400, default 300)");
    }
    cmd->add_option("--card", o->card, "The member's card (none: a walk-in sale)");
    cmd->add_option("--basket", o->basket, "Basket file (JSON: {\"lines\": [...]})")->required();
    cmd->add_option("--tender", o->tenders,
                    "METHOD=AMOUNT, repeatable: cash=90.00, points=1000, stored_value=12.50, "
                    "bank_card=10.00:REFERENCE (methods: cash, bank_card, wechat, alipay, other, "
                    "points, stored_value)");
    cmd->add_option("--doc", o->doc, "The till's receipt number");
    cmd->add_option("--coupon", o->coupons, "A coupon or promo code, repeatable");
    cmd->add_option("--coupon-id", o->coupon_ids,
                    "The id of one of the member's own coupons (see identify), repeatable");
    cmd->callback([&ctx, o, settle, mode] {
      ctx.action = [o, settle, mode](Session& s) -> Status {
        ONECARD_TRY(service::SaleSpec spec, SpecOf(*o));
        ONECARD_TRY(service::Request req, s.MakeRequest(settle));
        service::CheckoutService& c = s.services().checkout();
        ONECARD_TRY(service::SaleView v, mode == kQuote    ? c.Quote(req, spec)
                                         : mode == kSettle ? c.Settle(req, spec)
                                                           : c.Hold(req, spec, o->timeout));
        s.Emit(v, [&] { PrintSale(s, v); });
        return {};
      };
    });
  }

  auto* sale = app.add_subcommand("sale", "Recorded sales");
  sale->require_subcommand(1);
  auto id = std::make_shared<std::int64_t>(0);
  auto* show = sale->add_subcommand("show", "One sale: lines, tenders, points, why");
  show->add_option("id", *id, "Sale id")->required();
  show->callback([&ctx, id] {
    ctx.action = [id](Session& s) -> Status {
      ONECARD_TRY(service::TenantRef t, s.Tenant());
      ONECARD_TRY(service::SaleView v, s.services().checkout().Get(t, *id));
      s.Emit(v, [&] { PrintSale(s, v); });
      return {};
    };
  });

  auto capture = std::make_shared<std::pair<std::int64_t, std::vector<std::string>>>();
  auto* capture_cmd = sale->add_subcommand(
      "capture", "Capture a held sale: the tenders paid, the points earned (at --store)");
  capture_cmd->add_option("id", capture->first, "Sale id")->required();
  capture_cmd->add_option("--reference", capture->second,
                          "TENDER=REFERENCE, repeatable: the bank slip of an external tender, by "
                          "its place from 1 (2=SLIP-88123)");
  capture_cmd->callback([&ctx, capture] {
    ctx.action = [capture](Session& s) -> Status {
      service::CaptureSaleSpec spec{capture->first, {}};
      for (const std::string& text : capture->second) {
        const std::size_t eq = text.find('=');
        if (eq == std::string::npos) {
          return MakeError(ErrorCode::kFieldInvalid,
                           "--reference " + text + ": expected TENDER=REFERENCE, e.g. 2=SLIP-1",
                           "reference");
        }
        ONECARD_TRY(std::int64_t seq, core::ParseCount(text.substr(0, eq), "--reference " + text,
                                                       core::SignPolicy::kPositiveOnly));
        if (seq > 100) {
          return MakeError(ErrorCode::kFieldInvalid, "--reference " + text + ": no such tender",
                           "reference");
        }
        spec.references.emplace_back(static_cast<int>(seq), text.substr(eq + 1));
      }
      ONECARD_TRY(service::Request req, s.MakeRequest(true));
      ONECARD_TRY(service::SaleView v, s.services().checkout().Capture(req, spec));
      s.Emit(v, [&] { PrintSale(s, v); });
      return {};
    };
  });
  auto voided = std::make_shared<std::pair<std::int64_t, std::string>>();
  auto* void_cmd = sale->add_subcommand(
      "void", "Void a held sale: every tender back where it came from, coupons and passes freed");
  void_cmd->add_option("id", voided->first, "Sale id")->required();
  void_cmd->add_option("--reason", voided->second, "Why (the card was declined…)")->required();
  void_cmd->callback([&ctx, voided] {
    ctx.action = [voided](Session& s) -> Status {
      ONECARD_TRY(service::Request req, s.MakeRequest(true));
      ONECARD_TRY(service::SaleView v,
                  s.services().checkout().Void(req, voided->first, voided->second));
      s.Emit(v, [&] { PrintSale(s, v); });
      return {};
    };
  });

  auto who = std::make_shared<service::IdentifySpec>();
  auto* identify = group->add_subcommand(
      "identify", "Who steps up: member, card, tier, what may be spent, alerts (by card or phone)");
  auto* by_card = identify->add_option("--card", who->card, "Card number (typed or scanned)");
  by_card->excludes(identify->add_option("--phone", who->phone, "…or the member's phone"));
  identify->callback([&ctx, who] {
    ctx.action = [who](Session& s) -> Status {
      ONECARD_TRY(service::TenantRef t, s.Tenant());
      ONECARD_TRY(service::IdentifyView v, service::Identify(s.services(), t, *who));
      s.Emit(v, [&] {
        std::ostream& out = s.out();
        if (v.member_id > 0) {
          out << "member " << v.member_id << "  " << v.name << "  " << v.phone << "  "
              << v.member_status << "\n";
          out << "tier " << (v.tier.empty() ? "(lowest)" : v.tier) << "\n";
        }
        if (!v.card.empty()) {
          out << "card " << v.card << " (" << v.card_type << ")  " << v.card_status << "\n";
        }
        out << "points " << v.points << "  cashable points " << v.cashable_points
            << "  stored value " << Yuan(v.stored_value) << "\n";
        for (const service::PassView& p : v.passes) {
          out << "pass " << p.card << " (" << p.card_type << ", " << p.kind << ")";
          if (p.uses_left) out << "  " << *p.uses_left << " uses left";
          if (p.valid_until) out << "  until " << p.valid_until->ToString();
          if (p.per_day > 0) out << "  " << p.used_today << "/" << p.per_day << " today";
          out << (p.usable ? "" : "  — " + p.note) << "\n";
        }
        for (const std::string& a : v.alerts) out << "! " << a << "\n";
      });
      return {};
    };
  });

  auto ro = std::make_shared<ReturnOptions>();
  auto* ret = group->add_subcommand(
      "return", "Take goods back (at --store): refund by the sale's tenders, take back points");
  auto* by_sale = ret->add_option("--sale", ro->sale, "The sale's id");
  auto* by_receipt = ret->add_option("--receipt", ro->receipt, "…or the sale's receipt number");
  by_sale->excludes(by_receipt);
  ret->add_option("--receipt-store", ro->receipt_store,
                  "The store of --receipt (default: the store taking the return)");
  auto* lines = ret->add_option("--line", ro->lines, "LINE=QUANTITY, repeatable: 2=1");
  auto* all = ret->add_flag("--all", ro->all, "Everything of the sale not returned yet");
  lines->excludes(all);
  ret->add_option("--doc", ro->doc, "The return's own receipt number")->required();
  ret->add_option("--reason", ro->reason, "Why the goods came back")->required();
  ret->callback([&ctx, ro] {
    ctx.action = [ro](Session& s) -> Status {
      ONECARD_TRY(service::ReturnSpec spec, ReturnSpecOf(*ro));
      ONECARD_TRY(service::Request req, s.MakeRequest(true));
      ONECARD_TRY(service::ReturnView v, s.services().checkout().Return(req, spec));
      s.Emit(v, [&] { PrintReturn(s, v); });
      return {};
    };
  });

  auto* returns = app.add_subcommand("return", "Recorded returns");
  returns->require_subcommand(1);
  auto return_id = std::make_shared<std::int64_t>(0);
  auto* return_show = returns->add_subcommand("show", "One return: lines, refunds, points, why");
  return_show->add_option("id", *return_id, "Return id")->required();
  return_show->callback([&ctx, return_id] {
    ctx.action = [return_id](Session& s) -> Status {
      ONECARD_TRY(service::TenantRef t, s.Tenant());
      ONECARD_TRY(service::ReturnView v, s.services().checkout().GetReturn(t, *return_id));
      s.Emit(v, [&] { PrintReturn(s, v); });
      return {};
    };
  });

  auto* tier = app.add_subcommand("tier", "A member's tier, its history, and changes by hand");
  tier->require_subcommand(1);
  auto member = std::make_shared<std::int64_t>(0);
  auto* tier_show = tier->add_subcommand("show", "The member's tier, spend to date and history");
  tier_show->add_option("member", *member, "Member id")->required();
  tier_show->callback([&ctx, member] {
    ctx.action = [member](Session& s) -> Status {
      ONECARD_TRY(service::TenantRef t, s.Tenant());
      ONECARD_TRY(service::MemberTierView v,
                  s.services().tiers().State(t, core::MemberId{*member}));
      s.Emit(v, [&] { PrintTier(s, v); });
      return {};
    };
  });
  struct SetOptions {
    std::string tier, reason, doc;
  };
  auto so = std::make_shared<SetOptions>();
  auto* tier_set = tier->add_subcommand("set", "Put a member in a tier by hand, with a reason");
  tier_set->add_option("member", *member, "Member id")->required();
  tier_set->add_option("tier", so->tier, "Tier code of the programme in force")->required();
  tier_set->add_option("--reason", so->reason, "Why (required)")->required();
  tier_set->add_option("--doc", so->doc, "The document that decided it");
  tier_set->callback([&ctx, member, so] {
    ctx.action = [member, so](Session& s) -> Status {
      ONECARD_TRY(service::Request req, s.MakeRequest(false));
      ONECARD_TRY(service::MemberTierView v,
                  s.services().tiers().SetTier(req, core::MemberId{*member}, so->tier, so->reason,
                                               so->doc));
      s.Emit(v, [&] { PrintTier(s, v); });
      return {};
    };
  });

  auto* jobs = app.add_subcommand("jobs", "Periodic jobs, each idempotent per business date");
  jobs->require_subcommand(1);
  auto* run = jobs->add_subcommand("run", "Run a job for a business date");
  run->require_subcommand(1);
  auto as_of = std::make_shared<std::string>();
  auto* review = run->add_subcommand(
      "tier-review", "Judge tiered members over the review period that ended before --as-of");
  review->add_option("--as-of", *as_of, "Business date YYYY-MM-DD (default: today)");
  review->callback([&ctx, as_of] {
    ctx.action = [as_of](Session& s) -> Status {
      ONECARD_TRY(service::Request req, s.MakeRequest(false));
      core::CivilDate date = service::LocalDate(req.tenant.timezone, s.services().clock().Now());
      if (!as_of->empty()) {
        ONECARD_TRY(date, core::CivilDate::Parse(*as_of, "as_of"));
      }
      ONECARD_TRY(service::TierReviewReport r, s.services().tiers().Review(req, date));
      s.Emit(r, [&] {
        std::ostream& out = s.out();
        out << "Tier review for " << r.as_of.ToString();
        if (r.period_first) {
          out << " (period " << r.period_first->ToString() << " to " << r.period_last->ToString()
              << ", programme version " << r.programme_version << ")";
        }
        out << (r.replayed ? ", as run before" : "") << ": " << r.judged << " judged, " << r.kept
            << " kept, " << r.downgraded << " downgraded, " << r.not_yet
            << " not yet a full period in their tier, " << r.already << " judged earlier\n";
        if (!r.note.empty()) out << r.note << "\n";
        for (const service::ReviewedMember& m : r.changes) {
          out << "  member " << m.member_id << ": " << m.from << " → " << m.to << " (spent "
              << Yuan(m.spend) << ")\n";
        }
      });
      return {};
    };
  });
}

}  // namespace onecard::cli
