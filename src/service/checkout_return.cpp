// CheckoutService: returns (issue #5 item 5; R-604). See checkout_service.hpp for the rules.
//
// Every share is taken of what is left rather than of the whole, so the last return of a line or
// a tender takes exactly what is left, and no sequence of partial returns can refund more than was
// paid, restore more than was tendered or take back more points than were earned.
#include <algorithm>
#include <map>

#include "core/money.hpp"
#include "service/calendar.hpp"
#include "service/checkout_service.hpp"
#include "service/digest.hpp"
#include "service/ledger_txn.hpp"
#include "service/ledger_util.hpp"
#include "service/pass_service.hpp"

namespace onecard::service {
namespace {

using core::ErrorCode;
using core::MakeError;
using core::Result;
using core::Status;
using json = nlohmann::json;

constexpr std::size_t kMaxReturnLines = 200;

// What the earlier returns of a sale took, per sale line and per sale tender.
struct Taken {
  std::map<int, storage::ReturnLineRecord> lines;
  std::map<int, storage::ReturnTenderRecord> tenders;
};

Taken SumReturns(const std::vector<storage::ReturnRecord>& returns) {
  Taken t;
  for (const storage::ReturnRecord& r : returns) {
    for (const storage::ReturnLineRecord& l : r.lines) {
      storage::ReturnLineRecord& sum = t.lines[l.line_no];
      sum.quantity += l.quantity;
      sum.list += l.list;
      sum.discount += l.discount;
      sum.paid += l.paid;
      sum.points += l.points;
    }
    for (const storage::ReturnTenderRecord& x : r.tenders) {
      storage::ReturnTenderRecord& sum = t.tenders[x.seq];
      sum.amount += x.amount;
      sum.deducted += x.deducted;
      sum.points += x.points;
    }
  }
  return t;
}

// What the sale's entries moved on cards, lot by lot: a two-phase sale's hold (which took the
// tenders), then its own entry (a capture's earned lot).
Result<std::vector<storage::LotMoveRecord>> SaleMoves(storage::ReadTxn& txn,
                                                      const storage::SaleRecord& sale) {
  std::vector<storage::LotMoveRecord> out;
  for (const core::EntryId entry : {sale.hold_entry, sale.entry}) {
    if (!entry.valid()) continue;
    ONECARD_TRY(std::vector<storage::LotMoveRecord> moves, txn.ListLotMoves(entry));
    out.insert(out.end(), moves.begin(), moves.end());
  }
  return out;
}

// `part` of `of` units' share of `left`: rounded half up, and all of it for the last units.
Result<std::int64_t> ShareOfLeft(std::int64_t left, std::int64_t part, std::int64_t of) {
  if (part >= of) return left;
  if (left == 0) return 0;
  return core::MulDiv(left, part, of, core::Rounding::kHalfUp);
}

// Gives back `amount` of what `taken` (the sale's moves out of card lots, in the order taken)
// took, `already` of which earlier returns gave back: the latest taken first, into the very lots.
Status RestoreTaken(LedgerTxn& l, core::EntryPlan& plan,
                    const std::vector<storage::LotMoveRecord>& taken, std::int64_t already,
                    std::int64_t amount, const core::LotSpec& fallback) {
  for (auto it = taken.rbegin(); it != taken.rend() && amount > 0; ++it) {
    std::int64_t room = -it->delta;
    const std::int64_t skip = std::min(room, already);
    already -= skip;
    room -= skip;
    if (room == 0) continue;
    const std::int64_t give = std::min(room, amount);
    ONECARD_TRY(core::AccountPlanner * holder, l.HolderById(it->account));
    plan.Restore(*holder, it->lot, give, fallback);
    amount -= give;
  }
  ONECARD_ASSERT(amount == 0, "a return restores more than the sale took");
  return {};
}

// Gives each gift-card tender's share of the refund back onto its card, into the lots the sale
// took (a gift card's value is never handed out as cash).
Status RestoreGiftTenders(LedgerTxn& l, core::EntryPlan& plan, const storage::SaleRecord& sale,
                          const storage::ReturnRecord& r, const Taken& before) {
  if (!sale.entry.valid() && !sale.hold_entry.valid()) return {};
  std::optional<std::vector<storage::LotMoveRecord>> moves;
  const core::LotSpec restored{std::nullopt, core::LotSource::kRestored, sale.store, {}};
  for (const storage::ReturnTenderRecord& t : r.tenders) {
    if (t.method != "gift_card" || t.amount == t.deducted) continue;
    const storage::SaleTenderRecord& sold = sale.tenders[static_cast<std::size_t>(t.seq - 1)];
    ONECARD_TRY(ResolvedCard card, l.CardById(sold.card));
    ONECARD_TRY(core::AccountPlanner * holder, l.Holder(card.owner, core::Asset::kGiftValue));
    if (!moves) {
      ONECARD_TRY(moves, SaleMoves(l.txn(), sale));
    }
    std::vector<storage::LotMoveRecord> taken;
    for (const storage::LotMoveRecord& m : *moves) {
      if (m.delta < 0 && m.account == holder->id()) taken.push_back(m);
    }
    const auto b = before.tenders.find(t.seq);
    const std::int64_t already =
        b == before.tenders.end() ? 0 : b->second.amount - b->second.deducted;
    const std::size_t mark = plan.moves().size();
    ONECARD_CHECK(RestoreTaken(l, plan, taken, already, t.amount - t.deducted, restored));
    ONECARD_CHECK(l.PostCounterpartsSince(plan, mark, core::AccountRole::kSales, sale.store));
  }
  return {};
}

// Gives the uses of the returned lines a count card paid for back onto the card, into the lots
// the sale took them from (the latest taken first).
Status RestorePassUses(LedgerTxn& l, core::EntryPlan& plan, const storage::SaleRecord& sale,
                       const storage::ReturnRecord& r, const Taken& before) {
  std::optional<std::vector<storage::LotMoveRecord>> moves;
  std::map<std::int64_t, std::int64_t> already;  // uses of each card returned so far
  for (const storage::SaleLineRecord& sold : sale.lines) {
    if (!sold.pass_card.valid()) continue;
    const auto b = before.lines.find(sold.line_no);
    if (b != before.lines.end()) already[sold.pass_card.value] += b->second.quantity;
  }
  const core::LotSpec restored{std::nullopt, core::LotSource::kRestored, sale.store, {}};
  for (const storage::ReturnLineRecord& rl : r.lines) {
    const storage::SaleLineRecord& sold = sale.lines[static_cast<std::size_t>(rl.line_no - 1)];
    if (!sold.pass_card.valid()) continue;
    ONECARD_TRY(ResolvedCard card, l.CardById(sold.pass_card));
    ONECARD_TRY(std::optional<storage::CardTypeRecord> type,
                l.txn().GetCardType(sale.tenant, card.owner.type));
    if (!type || type->kind != core::CardKind::kCount) continue;
    ONECARD_TRY(core::AccountPlanner * holder, l.Holder(card.owner, core::Asset::kUses));
    if (!moves) {
      ONECARD_TRY(moves, SaleMoves(l.txn(), sale));
    }
    std::vector<storage::LotMoveRecord> taken;
    for (const storage::LotMoveRecord& m : *moves) {
      if (m.delta < 0 && m.account == holder->id()) taken.push_back(m);
    }
    std::int64_t& done = already[sold.pass_card.value];
    const std::size_t mark = plan.moves().size();
    ONECARD_CHECK(RestoreTaken(l, plan, taken, done, rl.quantity, restored));
    ONECARD_CHECK(l.PostCounterpartsSince(plan, mark, core::AccountRole::kSales, sale.store));
    done += rl.quantity;
  }
  return {};
}

// The gift cards a return's tenders go back to, by number.
Status FillTenderCards(storage::ReadTxn& txn, core::TenantId tenant,
                       const storage::SaleRecord& sale, ReturnView& v) {
  for (ReturnTenderView& t : v.tenders) {
    const storage::SaleTenderRecord& sold = sale.tenders[static_cast<std::size_t>(t.seq - 1)];
    if (!sold.card.valid()) continue;
    ONECARD_TRY(std::optional<storage::CardRecord> card, txn.GetCard(tenant, sold.card));
    if (card) t.card = card->number;
  }
  return {};
}

// The explanation of a return, from what it did.
void Describe(ReturnView& v, const storage::SaleRecord& sale, const Taken& before,
              const std::string& policy) {
  std::vector<std::string>& out = v.explain;
  out.clear();
  for (const ReturnLineView& l : v.lines) {
    const storage::SaleLineRecord& s = sale.lines[static_cast<std::size_t>(l.line - 1)];
    const auto b = before.lines.find(l.line);
    const std::int64_t earlier = b == before.lines.end() ? 0 : b->second.quantity;
    std::string line = "line " + std::to_string(l.line) + " " + l.sku + ": " +
                       std::to_string(l.quantity) + " of " + std::to_string(s.quantity) +
                       " returned";
    if (earlier > 0) line += " (" + std::to_string(earlier) + " returned before)";
    line += "; refund " + core::YuanSign(l.paid) + " of the " + core::YuanSign(s.paid) + " paid";
    if (s.points > 0) {
      line += ", " + std::to_string(l.points) + " of its " + std::to_string(s.points) +
              " points earned taken back";
    }
    out.push_back(line + " (shares of what was left, rounded half up)");
  }
  for (const ReturnTenderView& t : v.tenders) {
    std::string line = "tender " + std::to_string(t.seq) + " " + t.method + ": " +
                       core::YuanSign(t.amount) + " of the refund";
    if (t.method == "points") {
      line += ", " + std::to_string(t.points) + " points restored to the lots they came from";
    } else if (t.method == "stored_value") {
      line += ", restored to the card's stored value";
    } else if (t.method == "gift_card") {
      line += ", restored to gift card " + t.card + " (gift value is never paid out in cash)";
    } else {
      line += ", to be handed back by " + t.method;
    }
    if (t.deducted > 0) line += "; " + core::YuanSign(t.deducted) + " kept back";
    out.push_back(line);
  }
  if (v.points_taken_back > 0) {
    out.push_back(std::to_string(v.points_taken_back) +
                  " earned points taken back (from the lot the sale made first)");
  }
  if (v.points_short > 0) {
    out.push_back(std::to_string(v.points_short) +
                  " earned points had been spent already; policy " + policy + ": " +
                  core::YuanSign(v.deducted) + " kept back from the refund");
  }
  if (v.tier_after != v.tier_before) {
    out.push_back("tier " + v.tier_before + " → " + v.tier_after +
                  ": what is left of the sale and the member's totals no longer reach " +
                  v.tier_before);
  }
  out.push_back("refund " + core::YuanSign(v.refund) + " in all");
}

// The view of a return, from its record and its sale's.
ReturnView ViewOf(const storage::ReturnRecord& r, const storage::SaleRecord& sale) {
  ReturnView v;
  v.id = r.id;
  v.sale_id = sale.id;
  v.sale_doc_no = sale.doc_no;
  v.doc_no = r.doc_no;
  v.staff = r.staff;
  v.at = r.at;
  v.business_date = r.business_date;
  v.reason = r.reason;
  v.member_id = r.member.value;
  for (const storage::ReturnLineRecord& l : r.lines) {
    const storage::SaleLineRecord& s = sale.lines[static_cast<std::size_t>(l.line_no - 1)];
    v.lines.push_back({l.line_no, s.sku, l.quantity, l.list, l.discount, l.paid, l.points});
  }
  v.refund_total = r.refund_total;
  v.deducted = r.deducted;
  v.refund = r.refund_total - r.deducted;
  for (const storage::ReturnTenderRecord& t : r.tenders) {
    const storage::SaleTenderRecord& s = sale.tenders[static_cast<std::size_t>(t.seq - 1)];
    v.tenders.push_back(
        {t.seq, t.method, t.amount, t.deducted, t.amount - t.deducted, t.points, s.reference, ""});
  }
  v.points_restored = r.points_restored;
  v.points_taken_back = r.points_taken_back;
  v.points_short = r.points_short;
  v.tier_before = r.tier_before;
  v.tier_after = r.tier_after;
  v.entry_id = r.entry.value;
  return v;
}

}  // namespace

Result<std::vector<ReturnLineSpec>> ReturnLinesFromJson(const json& lines, std::string_view field) {
  const auto bad = [](const std::string& at, const std::string& why) {
    return MakeError(ErrorCode::kFieldInvalid, at + " " + why, at);
  };
  if (!lines.is_array()) return bad(std::string(field), "must be a list of {line, quantity}");
  if (lines.size() > kMaxReturnLines) {
    return bad(std::string(field), "has more than " + std::to_string(kMaxReturnLines) + " lines");
  }
  std::vector<ReturnLineSpec> out;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    const json& l = lines[i];
    const std::string at = std::string(field) + "[" + std::to_string(i) + "]";
    if (!l.is_object()) return bad(at, "must be an object");
    ReturnLineSpec spec;
    for (const auto& [key, value] : l.items()) {
      const std::string f = at + "." + key;
      if (key != "line" && key != "quantity") {
        return MakeError(ErrorCode::kFieldUnknown, f + " is not a known field", f);
      }
      if (!value.is_number_integer()) return bad(f, "must be a whole number");
      const std::int64_t n = value.get<std::int64_t>();
      if (n < 1 || n > core::kAmountMax) return bad(f, "must be 1 or more");
      if (key == "line") {
        if (n > 100000) return bad(f, "is not a line of any sale");
        spec.line = static_cast<int>(n);
      } else {
        spec.quantity = n;
      }
    }
    if (spec.line == 0) return bad(at + ".line", "is required: the sale's line, from 1");
    if (spec.quantity == 0) return bad(at + ".quantity", "is required");
    out.push_back(spec);
  }
  return out;
}

namespace {

// The sale a return names, read in `txn`.
Result<storage::SaleRecord> FindSaleOf(storage::ReadTxn& txn, const Request& req,
                                       const ReturnSpec& spec) {
  std::int64_t id = spec.sale;
  if (id == 0) {
    core::StoreId store = req.actor.store;
    if (spec.receipt_store.empty() && !store.valid()) {
      return MakeError(ErrorCode::kInvalidArgument,
                       "a receipt number is looked up at a store: name the store (or "
                       "receipt_store)",
                       "receipt_store");
    }
    if (!spec.receipt_store.empty()) {
      ONECARD_TRY(std::optional<storage::StoreRecord> s,
                  txn.FindStore(req.tenant.id, spec.receipt_store));
      if (!s) {
        return MakeError(ErrorCode::kStoreNotFound, "no store " + spec.receipt_store,
                         "receipt_store");
      }
      store = s->id;
    }
    ONECARD_TRY(std::optional<std::int64_t> found,
                txn.FindSaleId(req.tenant.id, store, spec.receipt));
    if (!found) {
      return MakeError(ErrorCode::kSaleNotFound, "no sale with receipt " + spec.receipt, "receipt");
    }
    id = *found;
  }
  ONECARD_TRY(std::optional<storage::SaleRecord> sale, txn.GetSale(req.tenant.id, id));
  if (!sale) {
    return MakeError(ErrorCode::kSaleNotFound, "no sale " + std::to_string(id), "sale");
  }
  return std::move(*sale);
}

}  // namespace

Result<std::pair<std::int64_t, std::string>> CheckoutService::FindSale(const Request& req,
                                                                       const ReturnSpec& spec) {
  ONECARD_TRY(std::unique_ptr<storage::ReadTxn> txn, store_.BeginRead());
  ONECARD_TRY(storage::SaleRecord sale, FindSaleOf(*txn, req, spec));
  ONECARD_TRY(std::optional<storage::StoreRecord> store, txn->GetStore(req.tenant.id, sale.store));
  return std::pair(sale.id, store ? store->code : std::string());
}

Result<ReturnView> CheckoutService::Return(const Request& req, const ReturnSpec& spec) {
  return Await<ReturnView>(
      [&](Callback<ReturnView> done) { ReturnAsync(req, spec, std::move(done)); });
}

void CheckoutService::ReturnAsync(const Request& req, const ReturnSpec& spec,
                                  Callback<ReturnView> done) {
  Result<PreparedReturn> prepared = PrepareReturn(req, spec);
  if (!prepared) return done(std::move(prepared).error());
  writer_.CallAsync<ReturnView>(req.tenant.id, req.idempotency_key, std::move(prepared->digest),
                                std::move(prepared->run), std::move(done),
                                AuditOf(req, "checkout.return", "sale_return", spec.doc_no));
}

Result<CheckoutService::PreparedReturn> CheckoutService::PrepareReturn(const Request& req,
                                                                       const ReturnSpec& spec) {
  if (!req.actor.store.valid()) {
    return MakeError(ErrorCode::kInvalidArgument, "a return is taken at a store: name the store",
                     "store");
  }
  if ((spec.sale == 0) == spec.receipt.empty()) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "name the sale returned: by its id (sale) or its receipt number (receipt)",
                     spec.sale == 0 ? "sale" : "receipt");
  }
  if (spec.sale < 0) return MakeError(ErrorCode::kFieldInvalid, "sale must be an id", "sale");
  if (spec.all == !spec.lines.empty()) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "say what comes back: the lines and quantities (lines), or all that is left "
                     "of the sale (all)",
                     "lines");
  }
  for (std::size_t i = 0; i < spec.lines.size(); ++i) {
    const std::string at = "lines[" + std::to_string(i) + "]";
    if (spec.lines[i].line < 1 || spec.lines[i].quantity < 1) {
      return MakeError(ErrorCode::kFieldInvalid, at + " needs a line from 1 and a quantity", at);
    }
    for (std::size_t j = 0; j < i; ++j) {
      if (spec.lines[j].line == spec.lines[i].line) {
        return MakeError(
            ErrorCode::kFieldInvalid,
            at + ".line: line " + std::to_string(spec.lines[i].line) + " is named twice",
            at + ".line");
      }
    }
  }
  if (spec.doc_no.empty()) {
    return MakeError(ErrorCode::kInvalidArgument, "a return needs its own receipt number",
                     "doc_no");
  }
  if (spec.reason.empty()) {
    return MakeError(ErrorCode::kInvalidArgument, "a return needs a reason", "reason");
  }
  ONECARD_CHECK(ValidateNotes(spec.doc_no, spec.reason));
  ONECARD_CHECK(ValidateNotes(spec.receipt, ""));
  ONECARD_CHECK(ValidateIdempotencyKey(req.idempotency_key));

  // A settled sale never changes: read it (and the programme version that priced it) here.
  storage::SaleRecord found;
  std::string sale_store;
  std::string card_number;
  {
    ONECARD_TRY(std::unique_ptr<storage::ReadTxn> txn, store_.BeginRead());
    ONECARD_TRY(found, FindSaleOf(*txn, req, spec));
    if (found.status != storage::SaleStatus::kSettled) {
      return MakeError(ErrorCode::kSaleNotSettled,
                       "sale " + std::to_string(found.id) + " is " +
                           std::string(storage::SaleStatusName(found.status)) +
                           (found.status == storage::SaleStatus::kHeld
                                ? ": capture or void it; only a settled sale takes returns"
                                : ": it was never paid, there is nothing to return"),
                       spec.sale ? "sale" : "receipt");
    }
    ONECARD_TRY(std::optional<storage::StoreRecord> st, txn->GetStore(req.tenant.id, found.store));
    if (st) sale_store = st->code;
    if (found.card.valid()) {
      ONECARD_TRY(std::optional<storage::CardRecord> card, txn->GetCard(req.tenant.id, found.card));
      if (card) card_number = card->number;
    }
  }
  for (std::size_t i = 0; i < spec.lines.size(); ++i) {
    if (static_cast<std::size_t>(spec.lines[i].line) > found.lines.size()) {
      const std::string at = "lines[" + std::to_string(i) + "].line";
      return MakeError(
          ErrorCode::kFieldInvalid,
          at + ": sale " + found.doc_no + " has " + std::to_string(found.lines.size()) + " lines",
          at);
    }
  }
  std::optional<ProgrammeService::InForce> programme;
  if (found.programme_version) {
    ONECARD_TRY(programme, programmes_.Version(req.tenant, *found.programme_version));
  }
  const core::Timestamp now = clock_.Now();
  const core::CivilDate date = LocalDate(req.tenant.timezone, now);

  Canonical c = CanonicalOf(req, "return");
  c.Add("sale", found.id).Add("doc", spec.doc_no).Add("reason", spec.reason);
  c.Add("all", spec.all ? 1 : 0);
  for (const ReturnLineSpec& l : spec.lines) c.Add("line", l.line).Add("qty", l.quantity);

  auto shared = std::make_shared<const Request>(req);
  auto sale_ptr = std::make_shared<const storage::SaleRecord>(std::move(found));
  return PreparedReturn{
      c.digest(),
      [this, shared, spec, sale_ptr, sale_store, card_number, programme, now,
       date](storage::WriteTxn& txn) -> Result<ReturnView> {
        const Request& rq = *shared;
        const storage::SaleRecord& sale = *sale_ptr;
        ONECARD_TRY(std::optional<std::int64_t> taken_doc,
                    txn.FindReturnId(rq.tenant.id, rq.actor.store, spec.doc_no));
        if (taken_doc) {
          return MakeError(ErrorCode::kCodeTaken,
                           "return receipt " + spec.doc_no + " was used at store " +
                               rq.actor.store_code + " already (return " +
                               std::to_string(*taken_doc) + ")",
                           "doc_no");
        }
        ONECARD_TRY(std::optional<std::int64_t> sale_doc,
                    txn.FindSaleId(rq.tenant.id, rq.actor.store, spec.doc_no));
        if (sale_doc) {
          return MakeError(ErrorCode::kCodeTaken,
                           "receipt " + spec.doc_no + " is a sale's at store " +
                               rq.actor.store_code + " (sale " + std::to_string(*sale_doc) +
                               "); give the return its own number",
                           "doc_no");
        }
        ONECARD_TRY(std::vector<storage::ReturnRecord> earlier,
                    txn.ListReturnsOfSale(rq.tenant.id, sale.id));
        const Taken before = SumReturns(earlier);
        const auto left_of = [&](const storage::SaleLineRecord& l) {
          const auto b = before.lines.find(l.line_no);
          return b == before.lines.end() ? storage::ReturnLineRecord{l.line_no, 0, 0, 0, 0, 0}
                                         : b->second;
        };

        // The lines: each one's share of what is left of it.
        std::vector<ReturnLineSpec> wanted = spec.lines;
        if (spec.all) {
          for (const storage::SaleLineRecord& l : sale.lines) {
            const std::int64_t left = l.quantity - left_of(l).quantity;
            if (left > 0) wanted.push_back({l.line_no, left});
          }
          if (wanted.empty()) {
            return MakeError(ErrorCode::kSaleAlreadyReturned,
                             "everything of sale " + sale.doc_no + " has been returned already",
                             "sale");
          }
        }
        std::sort(wanted.begin(), wanted.end(),
                  [](const ReturnLineSpec& a, const ReturnLineSpec& b) { return a.line < b.line; });
        storage::ReturnRecord r;
        r.tenant = rq.tenant.id;
        r.sale_id = sale.id;
        r.member = sale.member;
        r.store = rq.actor.store;
        r.doc_no = spec.doc_no;
        r.staff = rq.actor.staff;
        r.at = now;
        r.business_date = date;
        r.reason = spec.reason;
        std::int64_t points_back = 0;
        for (std::size_t i = 0; i < wanted.size(); ++i) {
          const storage::SaleLineRecord& l =
              sale.lines[static_cast<std::size_t>(wanted[i].line - 1)];
          const storage::ReturnLineRecord done = left_of(l);
          const std::int64_t left = l.quantity - done.quantity;
          if (wanted[i].quantity > left) {
            const bool all_gone = left == 0;
            return MakeError(
                all_gone ? ErrorCode::kSaleAlreadyReturned : ErrorCode::kReturnExceedsSale,
                "line " + std::to_string(l.line_no) + " (" + l.sku + ") sold " +
                    std::to_string(l.quantity) + ", " + std::to_string(done.quantity) +
                    " returned already; " + std::to_string(wanted[i].quantity) +
                    " cannot come back",
                "lines");
          }
          storage::ReturnLineRecord rl;
          rl.line_no = l.line_no;
          rl.quantity = wanted[i].quantity;
          ONECARD_TRY(rl.list, ShareOfLeft(l.list - done.list, rl.quantity, left));
          ONECARD_TRY(rl.paid, ShareOfLeft(l.paid - done.paid, rl.quantity, left));
          ONECARD_TRY(rl.points, ShareOfLeft(l.points - done.points, rl.quantity, left));
          rl.discount = rl.list - rl.paid;
          r.refund_total += rl.paid;
          points_back += rl.points;
          r.lines.push_back(rl);
        }

        // The tenders: the refund split in proportion to what each has left to refund.
        std::vector<std::int64_t> weights;
        for (const storage::SaleTenderRecord& t : sale.tenders) {
          const auto b = before.tenders.find(t.seq);
          weights.push_back(t.amount - (b == before.tenders.end() ? 0 : b->second.amount));
        }
        const std::vector<std::int64_t> shares = core::Apportion(r.refund_total, weights);
        for (std::size_t i = 0; i < sale.tenders.size(); ++i) {
          const storage::SaleTenderRecord& t = sale.tenders[i];
          if (shares[i] == 0) continue;
          storage::ReturnTenderRecord rt;
          rt.seq = t.seq;
          rt.method = t.method;
          rt.amount = shares[i];
          if (t.method == "points") {
            const auto b = before.tenders.find(t.seq);
            const std::int64_t points_done = b == before.tenders.end() ? 0 : b->second.points;
            ONECARD_TRY(rt.points, ShareOfLeft(t.points - points_done, rt.amount, weights[i]));
            r.points_restored += rt.points;
          }
          r.tenders.push_back(rt);
        }

        const std::string policy = programme
                                       ? std::string(core::SpentPointsPolicyName(
                                             programme->programme->returns.points_already_spent))
                                       : "forbid";
        ReturnView v;
        std::map<core::Asset, std::int64_t> balances;
        r.tier_before = sale.tier_after;
        r.tier_after = sale.tier_after;
        if (sale.member.valid()) {
          ONECARD_TRY(std::optional<storage::MemberStateRecord> stored,
                      txn.GetMemberState(rq.tenant.id, sale.member));
          storage::MemberStateRecord state = stored.value_or(storage::MemberStateRecord{});
          state.member = sale.member;
          state.tenant = rq.tenant.id;
          r.tier_before = state.tier.empty() && programme ? programme->programme->tiers.front().code
                                                          : state.tier;
          r.tier_after = r.tier_before;

          // The card's value: tendered points and stored value back, earned points taken back.
          LedgerTxn l(txn, rq, now, accounts_.get());
          core::EntryPlan plan;
          std::optional<ResolvedCard> card;
          const bool moves_value = r.points_restored > 0 || points_back > 0 ||
                                   std::any_of(r.tenders.begin(), r.tenders.end(), [](auto& t) {
                                     return t.method == "stored_value" || t.method == "gift_card";
                                   });
          if (moves_value) {
            ONECARD_TRY(card, l.CardById(sale.card));
            ONECARD_CHECK(core::CheckCardUsable(card->owner.status, card->owner.number));
            ONECARD_TRY(std::vector<storage::AccountRecord> accounts,
                        txn.ListAccountsOfCard(rq.tenant.id, card->owner.id));
            for (const storage::AccountRecord& a : accounts) {
              if (a.key.role == core::AccountRole::kHolder) balances[a.key.asset] = a.balance;
            }
            std::vector<storage::LotMoveRecord> points_taken;
            std::vector<storage::LotMoveRecord> value_taken;
            {
              ONECARD_TRY(std::vector<storage::LotMoveRecord> moves, SaleMoves(txn, sale));
              for (const storage::LotMoveRecord& m : moves) {
                if (m.delta >= 0) continue;
                ONECARD_TRY(core::AccountPlanner * holder, l.HolderById(m.account));
                if (core::IsPoints(holder->asset())) {
                  points_taken.push_back(m);
                } else if (holder->asset() == core::Asset::kStoredValue) {
                  value_taken.push_back(m);
                }
              }
            }
            const core::LotSpec restored{std::nullopt, core::LotSource::kRestored, sale.store, {}};
            const core::StoreId at = sale.store;
            // Tendered points, into the lots they came from.
            std::size_t mark = plan.moves().size();
            for (const storage::ReturnTenderRecord& t : r.tenders) {
              if (t.method != "points" || t.points == 0) continue;
              const auto b = before.tenders.find(t.seq);
              ONECARD_CHECK(RestoreTaken(l, plan, points_taken,
                                         b == before.tenders.end() ? 0 : b->second.points, t.points,
                                         restored));
            }
            ONECARD_CHECK(
                l.PostCounterpartsSince(plan, mark, core::AccountRole::kPointsRedeemed, at));

            // Earned points, from the lot the sale made first.
            if (points_back > 0) {
              ONECARD_TRY(core::Asset asset, core::ParseAsset(sale.point_asset, "point_asset"));
              ONECARD_TRY(core::AccountPlanner * holder, l.Holder(card->owner, asset));
              ONECARD_CHECK(l.LoadLots(*holder));
              core::LotId earned;
              ONECARD_TRY(std::vector<storage::LotRecord> made, txn.ListLotsCreatedBy(sale.entry));
              for (const storage::LotRecord& lot : made) {
                if (lot.account == holder->id()) earned = lot.id;
              }
              mark = plan.moves().size();
              const std::int64_t short_by = plan.TakeBack(*holder, earned, points_back);
              std::int64_t take = points_back;
              if (short_by > 0) {
                const auto& p = *programme->programme;
                if (p.returns.points_already_spent == core::SpentPointsPolicy::kForbid) {
                  return MakeError(
                      ErrorCode::kInsufficientBalance,
                      "card " + card_number + " has spent " + std::to_string(short_by) +
                          " of the " + std::to_string(points_back) +
                          " points this return takes back; the programme's return policy "
                          "(points_already_spent = forbid) refuses the return",
                      "lines");
                }
                const core::TierRule* tier = p.FindTier(sale.tier);
                const core::Ratio value = tier ? tier->point_value : core::Ratio{};
                if (value.IsZero()) {
                  return MakeError(ErrorCode::kInsufficientBalance,
                                   "card " + card_number + " has spent " +
                                       std::to_string(short_by) +
                                       " points this return takes back, and points have no value "
                                       "at tier " +
                                       sale.tier + " to keep back from the refund",
                                   "lines");
                }
                ONECARD_TRY(r.deducted,
                            core::MulDiv(short_by, value.num, value.den, core::Rounding::kCeiling));
                r.points_short = short_by;
                take = points_back - short_by;
                if (take > 0) {
                  const std::int64_t again = plan.TakeBack(*holder, earned, take);
                  ONECARD_ASSERT(again == 0, "a take-back within what is available fell short");
                }
              }
              r.points_taken_back = take;
              ONECARD_CHECK(
                  l.PostCounterpartsSince(plan, mark, core::AccountRole::kPointsIssued, at));
            }

            // The deduction comes off the money refunded: external tenders, then stored value
            // and gift cards.
            std::int64_t to_deduct = r.deducted;
            for (const bool external_pass : {true, false}) {
              for (storage::ReturnTenderRecord& t : r.tenders) {
                const bool stored_value = t.method == "stored_value" || t.method == "gift_card";
                const bool external = t.method != "points" && !stored_value;
                if (to_deduct == 0 || (external_pass ? !external : !stored_value)) continue;
                t.deducted = std::min(t.amount, to_deduct);
                to_deduct -= t.deducted;
              }
            }
            if (to_deduct > 0) {
              return MakeError(ErrorCode::kInsufficientBalance,
                               "the " + std::to_string(r.points_short) +
                                   " points already spent are worth " + core::YuanSign(r.deducted) +
                                   ", more than the " + core::YuanSign(r.deducted - to_deduct) +
                                   " of money this return refunds",
                               "lines");
            }

            // Stored value, into the lots it came from.
            mark = plan.moves().size();
            for (const storage::ReturnTenderRecord& t : r.tenders) {
              if (t.method != "stored_value" || t.amount == t.deducted) continue;
              const auto b = before.tenders.find(t.seq);
              const std::int64_t already =
                  b == before.tenders.end() ? 0 : b->second.amount - b->second.deducted;
              ONECARD_CHECK(
                  RestoreTaken(l, plan, value_taken, already, t.amount - t.deducted, restored));
            }
            ONECARD_CHECK(l.PostCounterpartsSince(plan, mark, core::AccountRole::kSales, at));
            ONECARD_CHECK(RestoreGiftTenders(l, plan, sale, r, before));
          }
          ONECARD_CHECK(RestorePassUses(l, plan, sale, r, before));
          if (!card && !plan.postings().empty()) {
            ONECARD_TRY(card, l.CardById(sale.card));
          }
          if (!plan.postings().empty()) {
            storage::EntryRecord header =
                l.Header(core::EntryKind::kReturn, *card, spec.doc_no, spec.reason);
            ONECARD_TRY(EntryReceipt receipt, l.Write(header, plan));
            r.entry = core::EntryId{receipt.entry_id};
            for (const PostingLine& line : receipt.lines) balances[line.asset] = line.balance_after;
          }

          // The member's totals shrink; a tier the sale reached may go with it.
          const std::int64_t points_undone = r.points_taken_back + r.points_short;
          state.cumulative_spend =
              std::max<std::int64_t>(0, state.cumulative_spend - r.refund_total);
          state.cumulative_points =
              std::max<std::int64_t>(0, state.cumulative_points - points_undone);
          if (!state.downgraded_from.empty()) {
            state.spend_since_downgrade =
                std::max<std::int64_t>(0, state.spend_since_downgrade - r.refund_total);
          }
          state.updated_at = now;
          ONECARD_TRY(std::vector<storage::TierChangeRecord> changes,
                      txn.ListTierChanges(rq.tenant.id, sale.member));
          if (programme && !changes.empty() && changes.back().sale_id == sale.id &&
              changes.back().cause == "purchase" && state.tier == changes.back().to_tier) {
            const storage::TierChangeRecord& raised = changes.back();
            std::int64_t refunded = r.refund_total;
            for (const storage::ReturnRecord& e : earlier) refunded += e.refund_total;
            core::MemberState after;
            after.cumulative_spend = state.cumulative_spend;
            after.cumulative_points = state.cumulative_points;
            ONECARD_TRY(bool reached, core::TierStillReached(*programme->programme, raised.to_tier,
                                                             raised.from_tier, after,
                                                             sale.paid_total - refunded));
            if (!reached) {
              state.tier = raised.from_tier;
              state.tier_since = now;
              r.tier_after = raised.from_tier;
              storage::TierChangeRecord change;
              change.tenant = rq.tenant.id;
              change.member = sale.member;
              change.from_tier = raised.to_tier;
              change.to_tier = raised.from_tier;
              change.cause = "return";
              change.reason = "sale " + sale.doc_no + " returned: what is left of it and the " +
                              "member's totals no longer reach " + raised.to_tier;
              change.doc_no = spec.doc_no;
              change.sale_id = sale.id;
              change.programme_version = sale.programme_version;
              change.staff = rq.actor.staff;
              change.at = now;
              ONECARD_CHECK(txn.InsertTierChange(change));
            }
          }
          ONECARD_CHECK(txn.PutMemberState(state));
        } else if (std::any_of(r.tenders.begin(), r.tenders.end(),
                               [](auto& t) { return t.method == "gift_card"; })) {
          // A walk-in sale paid by gift card: the value goes back onto the cards.
          LedgerTxn l(txn, rq, now, accounts_.get());
          core::EntryPlan plan;
          ONECARD_CHECK(RestoreGiftTenders(l, plan, sale, r, before));
          std::optional<ResolvedCard> first;
          for (const storage::SaleTenderRecord& t : sale.tenders) {
            if (t.method == "gift_card" && !first) {
              ONECARD_TRY(first, l.CardById(t.card));
            }
          }
          if (!plan.postings().empty() && first) {
            ONECARD_TRY(EntryReceipt receipt, l.Write(l.Header(core::EntryKind::kReturn, *first,
                                                               spec.doc_no, spec.reason),
                                                      plan));
            r.entry = core::EntryId{receipt.entry_id};
          }
        }

        ONECARD_TRY(r.id, txn.InsertReturn(r));
        for (const storage::ReturnLineRecord& rl : r.lines) {
          const storage::SaleLineRecord& sold =
              sale.lines[static_cast<std::size_t>(rl.line_no - 1)];
          if (!sold.pass_card.valid()) continue;
          ONECARD_CHECK(RecordPassUse(txn, rq.tenant.id, sold.pass_card, sale.member, sale.id,
                                      rl.line_no, r.id, -rl.quantity, sale.business_date, now));
        }
        // The last of the sale back: its coupon uses are given back where the campaign says so.
        bool all_back = true;
        for (const storage::SaleLineRecord& l : sale.lines) {
          std::int64_t back = left_of(l).quantity;
          for (const storage::ReturnLineRecord& rl : r.lines) {
            if (rl.line_no == l.line_no) back += rl.quantity;
          }
          all_back = all_back && back == l.quantity;
        }
        std::vector<SaleCouponView> coupons_restored;
        if (all_back) {
          ONECARD_TRY(coupons_restored, RestoreCoupons(txn, rq.tenant.id, sale.id, r.id));
        }
        v = ViewOf(r, sale);
        v.coupons_restored = std::move(coupons_restored);
        v.sale_store = sale_store;
        v.store = rq.actor.store_code;
        v.card = card_number;
        if (!balances.empty()) {
          std::int64_t points = 0;
          for (const auto& [asset, balance] : balances) {
            if (core::IsPoints(asset)) points += balance;
          }
          v.points_balance = points;
          if (auto sv = balances.find(core::Asset::kStoredValue); sv != balances.end()) {
            v.stored_value_balance = sv->second;
          }
        }
        ONECARD_CHECK(FillTenderCards(txn, rq.tenant.id, sale, v));
        Describe(v, sale, before, policy);
        return v;
      }};
}

Result<ReturnView> CheckoutService::GetReturn(const TenantRef& tenant, std::int64_t id) {
  ONECARD_TRY(std::unique_ptr<storage::ReadTxn> txn, store_.BeginRead());
  ONECARD_TRY(std::optional<storage::ReturnRecord> r, txn->GetReturn(tenant.id, id));
  if (!r) {
    return MakeError(ErrorCode::kSaleNotFound, "no return " + std::to_string(id), "return");
  }
  ONECARD_TRY(std::optional<storage::SaleRecord> sale, txn->GetSale(tenant.id, r->sale_id));
  ONECARD_ASSERT(sale.has_value(), "a return's sale is missing");
  ONECARD_TRY(std::vector<storage::ReturnRecord> all, txn->ListReturnsOfSale(tenant.id, sale->id));
  all.erase(std::find_if(all.begin(), all.end(),
                         [&](const storage::ReturnRecord& e) { return e.id == r->id; }),
            all.end());
  ReturnView v = ViewOf(*r, *sale);
  ONECARD_TRY(std::optional<storage::StoreRecord> at, txn->GetStore(tenant.id, r->store));
  if (at) v.store = at->code;
  ONECARD_TRY(std::optional<storage::StoreRecord> sold, txn->GetStore(tenant.id, sale->store));
  if (sold) v.sale_store = sold->code;
  if (sale->card.valid()) {
    ONECARD_TRY(std::optional<storage::CardRecord> card, txn->GetCard(tenant.id, sale->card));
    if (card) v.card = card->number;
  }
  ONECARD_CHECK(FillTenderCards(*txn, tenant.id, *sale, v));
  ONECARD_TRY(v.coupons_restored, CouponsOfSale(*txn, tenant.id, sale->id, r->id));
  // Points short were only ever kept back under deduct_from_refund.
  Describe(v, *sale, SumReturns(all), "deduct_from_refund");
  return v;
}

}  // namespace onecard::service
