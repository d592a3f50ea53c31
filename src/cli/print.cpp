#include "cli/print.hpp"

#include <ostream>

#include "core/money.hpp"

namespace onecard::cli {

using core::Asset;

std::string AssetLabel(Asset asset) {
  std::string name(core::AssetName(asset));
  for (char& c : name) c = c == '_' ? ' ' : c;
  return name;
}

std::string Amount(Asset asset, std::int64_t v) {
  if (core::UnitOf(asset) != core::Unit::kFen) return core::GroupThousands(v);
  const std::string plain = core::Money::Fen(v).ToString();  // "-1234.56"
  const std::size_t dot = plain.find('.');
  const bool negative = plain.front() == '-';
  const std::string whole = plain.substr(negative ? 1 : 0, dot - (negative ? 1 : 0));
  return (negative ? "-" : "") + core::GroupThousands(std::stoll(whole)) + plain.substr(dot);
}

std::string Signed(Asset asset, std::int64_t v) {
  return (v > 0 ? "+" : "") + Amount(asset, v);
}

namespace {

std::string Verb(const std::string& kind) {
  if (kind == "earn") return "Earned";
  if (kind == "spend") return "Spent";
  if (kind == "top_up") return "Topped up";
  if (kind == "payment") return "Paid";
  if (kind == "adjustment") return "Adjusted";
  if (kind == "expiry") return "Expired";
  if (kind == "reversal") return "Reversed";
  if (kind == "transfer") return "Transferred";
  if (kind == "hold") return "Held";
  if (kind == "capture") return "Captured";
  if (kind == "void") return "Released";
  return kind;
}

}  // namespace

void PrintReceipt(Session& s, const service::EntryReceipt& r) {
  std::ostream& o = s.out();
  o << Verb(r.kind) << " · entry #" << r.entry_id << " · " << s.Local(r.at);
  if (!r.store.empty()) o << " · store " << r.store;
  o << " · by " << r.staff;
  if (r.replayed) o << " · (replayed: this key was already applied)";
  o << "\n";
  if (r.reverses_entry_id != 0) o << "  reverses entry #" << r.reverses_entry_id << "\n";
  if (!r.doc_no.empty()) o << "  document " << r.doc_no << "\n";
  if (!r.reason.empty()) o << "  reason: " << r.reason << "\n";
  for (const service::PostingLine& l : r.lines) {
    o << "  card " << l.card_number << "  " << AssetLabel(l.asset) << " "
      << Signed(l.asset, l.amount) << " → " << Amount(l.asset, l.balance_after) << "\n";
  }
  for (const service::LotLine& lot : r.new_lots) {
    o << "  new lot #" << lot.lot_id << ": " << Amount(lot.asset, lot.amount) << " "
      << AssetLabel(lot.asset) << " (" << lot.source << "), valid until "
      << s.ValidUntil(lot.expires_at) << "\n";
  }
}

void PrintTopUp(Session& s, const service::TopUpView& v) {
  std::ostream& o = s.out();
  core::Result<Asset> parsed = core::ParseAsset(v.asset, "asset");
  const Asset asset = parsed ? *parsed : Asset::kStoredValue;
  if (!v.entry) {
    o << "Quote · a top-up of " << Amount(asset, v.amount) << " " << AssetLabel(asset)
      << " on card " << v.card << " would give:\n";
  } else {
    service::EntryReceipt entry = *v.entry;
    entry.replayed = v.replayed;
    PrintReceipt(s, entry);
  }
  if (v.bonus > 0) {
    o << "  bonus " << Amount(asset, v.bonus) << (v.plan == "entered" ? " (entered)" : "")
      << (v.plan.empty() || v.plan == "entered" ? "" : " · plan " + v.plan);
    if (v.bonus_expires_on) o << " · until " << v.bonus_expires_on->ToString();
    o << "\n";
  }
  o << "  balance after " << Amount(asset, v.balance_after) << "\n";
  if (v.tier_after != v.tier_before)
    o << "  tier " << v.tier_before << " → " << v.tier_after << "\n";
  for (const std::string& why : v.explain) o << "  · " << why << "\n";
}

void PrintHold(Session& s, const service::HoldReceipt& r) {
  const core::Asset unit_asset = core::AssetsOf(r.selection).front();
  s.out() << "Hold #" << r.hold_id << " on card " << r.card_number << ": "
          << Amount(unit_asset, r.amount) << " " << core::AssetSelectionName(r.selection) << ", "
          << r.status;
  if (r.status == "active") s.out() << " until " << s.Local(r.expires_at);
  if (r.status == "captured") s.out() << " (" << Amount(unit_asset, r.captured) << " captured)";
  s.out() << "\n";
  PrintReceipt(s, r.entry);
}

void PrintBalances(Session& s, const service::CardBalances& b) {
  std::ostream& o = s.out();
  o << "Card " << b.card_number;
  if (!b.member_name.empty()) o << " · " << b.member_name << " (member " << b.member_id << ")";
  o << " · " << b.status << "\n";
  if (b.account_card_number != b.card_number) {
    o << "  linked card: balances are those of card " << b.account_card_number << "\n";
  }
  for (const service::AssetBalance& a : b.assets) {
    std::string label = AssetLabel(a.asset);
    std::string amount = Amount(a.asset, a.balance);
    label.resize(16, ' ');
    if (amount.size() < 12) amount.insert(0, 12 - amount.size(), ' ');
    o << "  " << label << amount;
    std::string notes;
    const auto note = [&](const std::string& n) { notes += (notes.empty() ? "" : "; ") + n; };
    if (a.available != a.balance) note("available " + Amount(a.asset, a.available));
    if (a.held != 0) note(Amount(a.asset, a.held) + " on hold");
    if (a.expired_pending != 0)
      note(Amount(a.asset, a.expired_pending) + " expired, not yet written off");
    if (a.next_expiry) {
      note(Amount(a.asset, a.next_expiry_amount) + " valid until " + s.ValidUntil(a.next_expiry));
    }
    if (a.debt != 0) note("owes " + Amount(a.asset, -a.debt));
    if (a.credit_limit != 0) note("credit limit " + Amount(a.asset, a.credit_limit));
    if (!notes.empty()) o << "  (" << notes << ")";
    o << "\n";
  }
  for (const service::HoldLine& h : b.holds) {
    o << "  hold #" << h.hold_id << ": " << Amount(core::AssetsOf(h.selection).front(), h.amount)
      << " " << core::AssetSelectionName(h.selection) << " until " << s.Local(h.expires_at) << "\n";
  }
}

void PrintCard(Session& s, const service::CardView& c) {
  std::ostream& o = s.out();
  o << "Card " << c.number << " · " << c.type << " (" << c.kind << ") · " << c.status << "\n";
  if (c.member_id != 0) o << "  member " << c.member_id << " " << c.member_name << "\n";
  if (c.member_id == 0) o << "  bearer card (no member)\n";
  if (!c.primary_number.empty()) o << "  linked to card " << c.primary_number << "\n";
  if (!c.replaced_by_number.empty()) o << "  replaced by card " << c.replaced_by_number << "\n";
  o << "  issued " << s.Local(c.issued_at);
  if (c.expires_on) o << " · membership valid until " << c.expires_on->ToString();
  if (c.reissue_count > 0) o << " · reissued " << c.reissue_count << " time(s)";
  o << "\n";
  for (const service::CardEventLine& e : c.events) {
    o << "  " << s.Local(e.at) << "  " << e.op << " by " << e.staff;
    if (!e.store.empty()) o << " at " << e.store;
    if (!e.detail.empty()) o << " — " << e.detail;
    if (!e.reason.empty()) o << " (" << e.reason << ")";
    o << "\n";
  }
}

void PrintMemberLine(Session& s, const service::MemberView& m) {
  s.out() << "member " << m.id << "  " << m.Field("name");
  if (!m.Field("phone").empty()) s.out() << "  " << m.Field("phone");
  for (const service::CardSummary& c : m.cards) s.out() << "  card " << c.number;
  s.out() << "  (" << m.status << ")\n";
}

void PrintMember(Session& s, const service::MemberView& m) {
  std::ostream& o = s.out();
  o << "Member " << m.id << " · " << m.Field("name") << " · " << m.status << " (enrolled via "
    << m.channel << " " << s.Local(m.created_at) << ")\n";
  for (const service::FieldValue& f : m.profile) {
    if (f.key == "name") continue;
    o << "  " << f.key << ": " << f.value << "\n";
  }
  for (const service::FieldValue& f : m.custom)
    o << "  " << f.key << " (custom): " << f.value << "\n";
  if (m.referrer_id != 0) o << "  referred by member " << m.referrer_id << "\n";
  if (!m.home_store.empty()) o << "  home store " << m.home_store << "\n";
  for (const service::CardSummary& c : m.cards) {
    o << "  card " << c.number << " (" << c.type << ", " << c.status << ")\n";
  }
  for (const service::StatusChangeLine& h : m.status_history) {
    o << "  " << s.Local(h.at) << " status " << h.from << " → " << h.to << " by " << h.staff << " ("
      << h.reason << ")\n";
  }
}

void PrintHistory(Session& s, const service::HistoryPage& page) {
  std::ostream& o = s.out();
  if (page.lines.empty()) o << "No entries.\n";
  for (const service::HistoryLine& l : page.lines) {
    o << "#" << l.entry_id << "  " << s.Local(l.at) << "  " << l.kind;
    if (!l.store.empty()) o << " at " << l.store;
    o << "  card " << l.card_number << "  " << AssetLabel(l.asset) << " "
      << Signed(l.asset, l.amount) << " → " << Amount(l.asset, l.balance_after);
    if (!l.doc_no.empty()) o << "  doc " << l.doc_no;
    if (l.reverses_entry_id != 0) o << "  (reverses #" << l.reverses_entry_id << ")";
    if (!l.reason.empty()) o << "  " << l.reason;
    o << "\n";
  }
  if (page.next_before != 0) o << "More: add --before " << page.next_before << "\n";
}

}  // namespace onecard::cli
