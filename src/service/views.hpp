// What services return: receipts of changes and views of members, cards and balances. Plain
// structs, each with its JSON form (the CLI's --json output, the stored reply of an idempotent
// command, and later the HTTP API bodies). Amounts are integers in the asset's unit (fen for
// money). Thread-safe: plain values.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/asset.hpp"
#include "core/time.hpp"
#include "service/json.hpp"

namespace onecard::service {

using core::Asset;
using core::Timestamp;

// A card account's posting in an entry, with the balance after it.
struct PostingLine {
  std::string card_number;
  Asset asset = Asset::kPoints;
  std::int64_t amount = 0;
  std::int64_t balance_after = 0;
};

struct LotLine {
  std::int64_t lot_id = 0;
  Asset asset = Asset::kPoints;
  std::int64_t amount = 0;  // original amount
  std::int64_t remaining = 0;
  std::optional<Timestamp> expires_at;
  std::string source;
};

// The receipt of one journal entry.
struct EntryReceipt {
  std::int64_t entry_id = 0;
  std::string kind;
  Timestamp at;
  std::string doc_no;
  std::string store;  // store code, "" for head office
  std::string staff;
  std::string reason;
  std::int64_t member_id = 0;
  std::string card_number;
  std::int64_t reverses_entry_id = 0;
  std::int64_t hold_id = 0;
  std::vector<PostingLine> lines;  // card accounts only; the programme's side is in `history`
  std::vector<LotLine> new_lots;   // lots this entry created on cards
  bool replayed = false;           // not part of the JSON: set when a key was replayed
};

struct HoldReceipt {
  std::int64_t hold_id = 0;
  std::string card_number;
  core::AssetSelection selection = core::AssetSelection::kAnyPoints;
  std::int64_t amount = 0;
  std::int64_t captured = 0;
  std::string status;
  Timestamp created_at;
  Timestamp expires_at;
  EntryReceipt entry;  // the entry this operation wrote (hold, capture or void)
  bool replayed = false;
};

struct AssetBalance {
  Asset asset = Asset::kPoints;
  std::int64_t balance = 0;          // the ledger balance
  std::int64_t available = 0;        // what may be spent now (unexpired lots + credit room)
  std::int64_t held = 0;             // in escrow for active holds (not in balance)
  std::int64_t expired_pending = 0;  // past expiry, not yet written off by an expiry run
  std::int64_t debt = 0;
  std::int64_t credit_limit = 0;
  std::optional<Timestamp> next_expiry;
  std::int64_t next_expiry_amount = 0;
  std::vector<LotLine> lots;  // open lots, earliest expiry first
};

struct HoldLine {
  std::int64_t hold_id = 0;
  core::AssetSelection selection = core::AssetSelection::kAnyPoints;
  std::int64_t amount = 0;
  Timestamp expires_at;
};

struct CardBalances {
  std::string card_number;
  std::string account_card_number;  // the primary card whose accounts a linked card uses
  std::int64_t member_id = 0;
  std::string member_name;
  std::string status;
  std::vector<AssetBalance> assets;  // every asset, zero or not
  std::vector<HoldLine> holds;
};

struct CardEventLine {
  std::string op;
  Timestamp at;
  std::string staff;
  std::string store;
  std::string reason;
  std::string detail;
  std::int64_t fee_fen = 0;
};

struct CardView {
  std::int64_t id = 0;
  std::string number;
  std::string type;  // card type code
  std::string kind;
  std::int64_t member_id = 0;
  std::string member_name;
  std::string status;  // "active, frozen"
  std::string state;
  bool frozen = false;
  bool lost = false;
  std::string primary_number;
  std::string replaced_by_number;
  Timestamp issued_at;
  std::optional<core::CivilDate> expires_on;
  int reissue_count = 0;
  std::vector<CardEventLine> events;
};

// The result of a card operation: the card after it, and for a replacement the new card and the
// entry that moved the balances.
struct CardOpResult {
  CardView card;
  std::optional<CardView> new_card;
  std::optional<EntryReceipt> transfer;
  bool replayed = false;
};

struct FieldValue {
  std::string key;
  std::string value;
};

struct StatusChangeLine {
  std::string from;
  std::string to;
  std::string reason;
  std::string staff;
  Timestamp at;
};

struct CardSummary {
  std::string number;
  std::string type;
  std::string status;
};

struct MemberView {
  std::int64_t id = 0;
  std::vector<FieldValue> profile;  // the standard fields in display order, empty ones left out
  std::string status;
  std::string channel;
  std::int64_t referrer_id = 0;
  std::string home_store;
  Timestamp created_at;
  Timestamp updated_at;
  std::vector<FieldValue> custom;
  std::vector<CardSummary> cards;
  std::vector<StatusChangeLine> status_history;
  bool replayed = false;

  std::string Field(std::string_view key) const;  // a profile value, "" when unset
};

struct HistoryLine {
  std::int64_t entry_id = 0;
  std::string kind;
  Timestamp at;
  std::string doc_no;
  std::string store;
  std::string staff;
  std::string reason;
  std::string card_number;
  Asset asset = Asset::kPoints;
  std::int64_t amount = 0;
  std::int64_t balance_after = 0;
  std::int64_t reverses_entry_id = 0;
};

struct HistoryPage {
  std::vector<HistoryLine> lines;
  std::int64_t next_before = 0;  // pass as `before` for the next page; 0 when there is none
};

struct ExpiryReport {
  core::CivilDate as_of;
  Timestamp cutoff;
  std::int64_t accounts = 0;
  std::int64_t entries = 0;
  std::int64_t points_expired = 0;  // non-cashable
  std::int64_t cashable_points_expired = 0;
  std::int64_t other_expired = 0;  // any other asset with an expiry
  std::int64_t holds_released = 0;
};

struct DiscrepancyLine {
  std::string what;
  std::int64_t id = 0;
  std::string detail;
};

struct VerifyReport {
  bool ok = false;
  std::int64_t entries = 0;
  std::int64_t postings = 0;
  std::int64_t accounts = 0;
  std::int64_t lots = 0;
  std::vector<DiscrepancyLine> discrepancies;
};

// The same JSON as nlohmann's conversion below, written directly (see Writer::CallAsync).
std::string EncodeReply(const EntryReceipt& r);
std::string EncodeReply(const HoldReceipt& r);
std::string EncodeReply(const CardBalances& b);  // GET …/balance, the busiest read

// What the audit log keeps as `after` for a ledger command: a reference to the journal entry
// (and hold), whose lines, balances after and lots the journal holds already.
std::string AuditSummary(const EntryReceipt& r);
std::string AuditSummary(const HoldReceipt& r);

NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(PostingLine, card_number, asset, amount, balance_after)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(LotLine, lot_id, asset, amount, remaining, expires_at, source)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(EntryReceipt, entry_id, kind, at, doc_no, store, staff, reason,
                                   member_id, card_number, reverses_entry_id, hold_id, lines,
                                   new_lots)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(HoldReceipt, hold_id, card_number, selection, amount, captured,
                                   status, created_at, expires_at, entry)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(AssetBalance, asset, balance, available, held, expired_pending,
                                   debt, credit_limit, next_expiry, next_expiry_amount, lots)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(HoldLine, hold_id, selection, amount, expires_at)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(CardBalances, card_number, account_card_number, member_id,
                                   member_name, status, assets, holds)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(CardEventLine, op, at, staff, store, reason, detail, fee_fen)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(CardView, id, number, type, kind, member_id, member_name, status,
                                   state, frozen, lost, primary_number, replaced_by_number,
                                   issued_at, expires_on, reissue_count, events)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(CardOpResult, card, new_card, transfer)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(FieldValue, key, value)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(StatusChangeLine, from, to, reason, staff, at)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(CardSummary, number, type, status)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(MemberView, id, profile, status, channel, referrer_id,
                                   home_store, created_at, updated_at, custom, cards,
                                   status_history)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(HistoryLine, entry_id, kind, at, doc_no, store, staff, reason,
                                   card_number, asset, amount, balance_after, reverses_entry_id)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(HistoryPage, lines, next_before)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(ExpiryReport, as_of, cutoff, accounts, entries, points_expired,
                                   cashable_points_expired, other_expired, holds_released)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(DiscrepancyLine, what, id, detail)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(VerifyReport, ok, entries, postings, accounts, lots,
                                   discrepancies)

}  // namespace onecard::service
