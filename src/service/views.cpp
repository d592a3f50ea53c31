#include "service/views.hpp"

#include "service/json_out.hpp"

namespace onecard::service {
namespace {

void WriteLot(JsonOut& j, const LotLine& l) {
  j.Open();
  j.Field("lot_id", l.lot_id);
  j.Field("asset", l.asset);
  j.Field("amount", l.amount);
  j.Field("remaining", l.remaining);
  j.Field("expires_at", l.expires_at);
  j.Field("source", l.source);
  j.Close();
}

void WriteReceipt(JsonOut& j, const EntryReceipt& r) {
  j.Field("entry_id", r.entry_id);
  j.Field("kind", r.kind);
  j.Field("at", r.at);
  j.Field("doc_no", r.doc_no);
  j.Field("store", r.store);
  j.Field("staff", r.staff);
  j.Field("reason", r.reason);
  j.Field("member_id", r.member_id);
  j.Field("card_number", r.card_number);
  j.Field("reverses_entry_id", r.reverses_entry_id);
  j.Field("hold_id", r.hold_id);
  j.OpenArray("lines");
  for (const PostingLine& l : r.lines) {
    j.Open();
    j.Field("card_number", l.card_number);
    j.Field("asset", l.asset);
    j.Field("amount", l.amount);
    j.Field("balance_after", l.balance_after);
    j.Close();
  }
  j.CloseArray();
  j.OpenArray("new_lots");
  for (const LotLine& l : r.new_lots) WriteLot(j, l);
  j.CloseArray();
}

}  // namespace

std::string EncodeReply(const EntryReceipt& r) {
  JsonOut j;
  j.Open();
  WriteReceipt(j, r);
  j.Close();
  return j.Take();
}

std::string EncodeReply(const CardBalances& b) {
  JsonOut j;
  j.Open();
  j.Field("card_number", b.card_number);
  j.Field("account_card_number", b.account_card_number);
  j.Field("member_id", b.member_id);
  j.Field("member_name", b.member_name);
  j.Field("status", b.status);
  j.OpenArray("assets");
  for (const AssetBalance& a : b.assets) {
    j.Open();
    j.Field("asset", a.asset);
    j.Field("balance", a.balance);
    j.Field("available", a.available);
    j.Field("held", a.held);
    j.Field("expired_pending", a.expired_pending);
    j.Field("debt", a.debt);
    j.Field("credit_limit", a.credit_limit);
    j.Field("next_expiry", a.next_expiry);
    j.Field("next_expiry_amount", a.next_expiry_amount);
    j.OpenArray("lots");
    for (const LotLine& l : a.lots) WriteLot(j, l);
    j.CloseArray();
    j.Close();
  }
  j.CloseArray();
  j.OpenArray("holds");
  for (const HoldLine& h : b.holds) {
    j.Open();
    j.Field("hold_id", h.hold_id);
    j.Field("selection", core::AssetSelectionName(h.selection));
    j.Field("amount", h.amount);
    j.Field("expires_at", h.expires_at);
    j.Close();
  }
  j.CloseArray();
  j.Close();
  return j.Take();
}

std::string AuditSummary(const EntryReceipt& r) {
  JsonOut j;
  j.Open();
  j.Field("entry_id", r.entry_id);
  j.Field("doc_no", r.doc_no);
  j.Close();
  return j.Take();
}

std::string AuditSummary(const HoldReceipt& r) {
  JsonOut j;
  j.Open();
  j.Field("hold_id", r.hold_id);
  j.Field("status", r.status);
  j.Field("entry_id", r.entry.entry_id);
  j.Close();
  return j.Take();
}

std::string EncodeReply(const HoldReceipt& r) {
  JsonOut j;
  j.Open();
  j.Field("hold_id", r.hold_id);
  j.Field("card_number", r.card_number);
  j.Field("selection", core::AssetSelectionName(r.selection));
  j.Field("amount", r.amount);
  j.Field("captured", r.captured);
  j.Field("status", r.status);
  j.Field("created_at", r.created_at);
  j.Field("expires_at", r.expires_at);
  j.ObjectKey("entry");
  WriteReceipt(j, r.entry);
  j.Close();
  j.Close();
  return j.Take();
}

}  // namespace onecard::service
