// GiftCardService: gift cards (issue #5, R-503) — batches, activation, balance with the PIN,
// wrong-PIN lock-outs, reconciliation reports and listings.
//
// A batch of bearer cards is made at once, either generated (random numbers with a Luhn digit and
// random PINs, shown once in the reply and never again) or imported from a printer's CSV file
// (number, PIN and optionally face value per line; all or nothing). Cards start inactive; selling
// one activates it, loading its face value in a top_up entry at the store. Gift value is spent
// only at checkout (a "gift_card" tender with the PIN) and never cashed out: a return puts it
// back on the card.
//
// PINs are stored only as argon2id of HMAC-SHA-256(server secret, PIN): a copy of the database
// alone does not let anyone try PINs offline. Every PIN check is counted: `max_failures_per_card`
// wrong PINs in a row lock the card for `lockout`; `max_failures_per_client` wrong PINs (or
// unknown card numbers) within `lockout` from one principal or one client address lock that till
// out of every PIN check for the rest of the window. Checks of one card are serialised in the
// process, and each wrong PIN is durable before the next check of that card starts.
//
//   GiftCardService gifts(store, clock, writer, {.secret = secret});
//   auto batch = gifts.CreateBatch(req, {.code = "XMAS26", .face_value = 20000, .count = 100});
//   gifts.Activate(req_at_store, {.numbers = {batch->issued[0].number}, .doc_no = "G-1"});
//   gifts.Balance(req, number, pin);
//
// Thread-safe.
#pragma once

#include <array>
#include <chrono>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "service/clock.hpp"
#include "service/context.hpp"
#include "service/json.hpp"
#include "service/writer.hpp"
#include "storage/store.hpp"

namespace onecard::service {

struct GiftOptions {
  // The server secret that keys PIN hashes (at least 32 bytes; see LoadOrCreateSecret). Empty:
  // gift cards can be listed but not made or checked.
  std::string secret;
  std::string secret_problem;  // why there is none (said by the calls that need it)
  int max_failures_per_card = 5;
  int max_failures_per_client = 20;
  std::chrono::seconds lockout{30 * 60};
  // argon2id cost of a PIN hash: 2 passes over 8 MiB (about 10 ms) unless `fast_hashing`, for
  // tests that make many cards.
  bool fast_hashing = false;
};

// Reads the secret file at `path`, or makes one (32 random bytes, mode 0600) when there is none.
// Errors: kInvalidArgument when the file is shorter than 32 bytes or cannot be read or written.
core::Result<std::string> LoadOrCreateSecret(const std::string& path);
// The secret for a server over `store`: LoadOrCreateSecret, except that a missing file is made
// only while the database has no gift batch. Error: kGiftSecretMismatch when batches exist and
// the file that keyed their PINs is gone (restore it: a new secret would check no PIN).
core::Result<std::string> OpenGiftSecret(storage::Store& store, const std::string& path);

struct GiftBatchSpec {
  std::string code;
  std::string name;
  std::string card_type;        // a card type of kind gift ("" : the tenant's only one)
  std::int64_t face_value = 0;  // fen per card
  std::int64_t count = 0;       // 1 … 5,000
  std::optional<core::CivilDate> valid_until;
  std::string prefix = "99";  // generated numbers start with it (1–8 digits)
  int pin_length = 6;         // 4 … 12 digits
};

// An import: CSV with a header line naming `number`, `pin` and optionally `face_value` (yuan,
// "200.00"); a card without a face value gets the batch's.
struct GiftImportSpec {
  std::string code;
  std::string name;
  std::string card_type;
  std::int64_t face_value = 0;
  std::optional<core::CivilDate> valid_until;
  std::string csv;
};

// A card as made: its PIN is shown here once (generated batches only).
struct GiftCardIssued {
  std::string number;
  std::string pin;
  std::int64_t face_value = 0;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(GiftCardIssued, number, pin, face_value)

struct GiftBatchStateView {
  std::string state;  // inactive | active | …
  std::int64_t cards = 0;
  std::int64_t balance = 0;  // fen
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(GiftBatchStateView, state, cards, balance)

struct GiftBatchView {
  std::int64_t id = 0;
  std::string code;
  std::string name;
  std::string card_type;
  std::int64_t face_value = 0;
  std::string origin;  // generated | imported
  std::int64_t cards = 0;
  std::optional<core::CivilDate> valid_until;
  std::string store;
  std::string created_by;
  core::Timestamp created_at;
  std::vector<GiftBatchStateView> states;
  // Generated cards with their PINs: in the reply that made the batch only (never stored, so a
  // replay of that request has none, and says so in `pins`).
  std::vector<GiftCardIssued> issued;
  std::string pins;  // "shown once", "not shown again", "imported" or "" (a listing)
  bool replayed = false;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(GiftBatchView, id, code, name, card_type, face_value, origin,
                                   cards, valid_until, store, created_by, created_at, states,
                                   issued, pins)

struct GiftCardView {
  std::string number;
  std::string batch;
  std::string state;  // inactive | active (and frozen, lost…: see status)
  std::string status;
  std::int64_t face_value = 0;
  std::int64_t balance = 0;
  std::optional<core::CivilDate> valid_until;
  bool locked = false;
  std::optional<core::Timestamp> locked_until;
  int failed_pins = 0;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(GiftCardView, number, batch, state, status, face_value, balance,
                                   valid_until, locked, locked_until, failed_pins)

struct GiftCardPage {
  std::vector<GiftCardView> items;
  std::string next;  // card number to continue after ("" : the last page)
};

// Selling cards: the numbers, or every inactive card of a batch.
struct GiftActivateSpec {
  std::vector<std::string> numbers;
  std::string batch;
  std::string doc_no;     // the till's receipt number
  std::string reference;  // how the buyer paid (slip, invoice…)
};

struct GiftActivatedCard {
  std::string number;
  std::int64_t face_value = 0;
  std::int64_t entry_id = 0;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(GiftActivatedCard, number, face_value, entry_id)

struct GiftActivationView {
  std::string store;
  std::string doc_no;
  std::string reference;
  std::vector<GiftActivatedCard> cards;
  std::int64_t total = 0;
  bool replayed = false;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(GiftActivationView, store, doc_no, reference, cards, total)

// A card's new PIN, in the reply that set it only.
struct GiftPinReset {
  GiftCardView card;
  std::string pin;  // "" on a replay: a PIN is shown once
  bool replayed = false;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(GiftPinReset, card, pin)

// A PIN that was right: the card, and its wrong-PIN state as the check saw it (the caller's
// write resets it, unless wrong PINs were recorded since).
struct GiftPinOk {
  core::CardId card;
  int failed_pins = 0;
  std::optional<core::Timestamp> locked_until;
};

// After a right PIN: clears the card's wrong-PIN count and (lapsed) lock when they are still as
// the check saw them. Returns whether the record changed (and must be written).
bool ResetAfterRightPin(storage::GiftCardRecord& gift, const GiftPinOk& seen);

struct GiftMovementView {
  std::int64_t entry_id = 0;
  std::string kind;
  core::Timestamp at;
  std::string store;
  std::string doc_no;
  std::string staff;
  std::string card;
  std::string batch;
  std::int64_t amount = 0;
  std::int64_t balance_after = 0;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(GiftMovementView, entry_id, kind, at, store, doc_no, staff, card,
                                   batch, amount, balance_after)

// Issuance (activations) or consumption (payments and what returns put back) in a time window.
struct GiftListingQuery {
  std::string what;  // "issuance" | "consumption"
  std::optional<core::Timestamp> from;
  std::optional<core::Timestamp> to;
  std::string batch;
  std::int64_t after = 0;  // entry id cursor
  int limit = 100;
};

struct GiftListing {
  std::vector<GiftMovementView> items;
  std::int64_t count = 0;  // postings on this page
  std::int64_t total = 0;  // fen on this page
  std::optional<std::int64_t> next_after;
};

// One line of a reconciliation: what entries of a kind did to gift cards at a store.
struct GiftReportLine {
  std::string kind;  // top_up (activations), sale, return, adjustment, reversal…
  std::string store;
  std::int64_t count = 0;
  std::int64_t credits = 0;
  std::int64_t debits = 0;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(GiftReportLine, kind, store, count, credits, debits)

struct GiftReportView {
  std::int64_t id = 0;
  core::Timestamp at;
  std::string staff;
  std::int64_t previous_id = 0;
  std::optional<core::Timestamp> previous_at;
  std::int64_t after_entry = 0;
  std::int64_t last_entry = 0;
  std::int64_t opening = 0;  // fen on gift cards at the previous report
  std::int64_t issued = 0;   // activations
  std::int64_t issued_cards = 0;
  std::int64_t consumed = 0;  // paid with gift cards (≥ 0)
  std::int64_t refunded = 0;  // put back by returns
  std::int64_t other = 0;     // adjustments, reversals and the rest (signed)
  std::int64_t closing = 0;   // fen on gift cards now
  std::int64_t cards_with_balance = 0;
  std::int64_t difference = 0;  // closing − (opening + issued − consumed + refunded + other): 0
  bool balanced = false;
  std::vector<GiftReportLine> lines;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(GiftReportView, id, at, staff, previous_id, previous_at,
                                   after_entry, last_entry, opening, issued, issued_cards, consumed,
                                   refunded, other, closing, cards_with_balance, difference,
                                   balanced, lines)

class GiftCardService {
 public:
  GiftCardService(storage::Store& store, const Clock& clock, Writer& writer, GiftOptions options);

  // Errors: kFieldInvalid (code, name, count, prefix, PIN length, face value); kCardTypeNotFound
  // (or a card type not of kind gift); kCodeTaken for a batch code in use; kGiftSecretMismatch
  // without a secret. PIN hashing takes about 10 ms a card: call it off any event loop.
  core::Result<GiftBatchView> CreateBatch(const Request& req, const GiftBatchSpec& spec);
  // The same for a file: errors name the CSV line and column; nothing is made on any error
  // (kCardNumberTaken for a number in use).
  core::Result<GiftBatchView> ImportBatch(const Request& req, const GiftImportSpec& spec);
  core::Result<std::vector<GiftBatchView>> ListBatches(const TenantRef& tenant);
  core::Result<GiftBatchView> GetBatch(const TenantRef& tenant, std::string_view code);
  // A batch's cards by number… by card id order, after the card `after` (a number), at most
  // `limit`. Error: kGiftBatchNotFound.
  core::Result<GiftCardPage> ListCards(const TenantRef& tenant, std::string_view batch,
                                       std::string_view after, int limit);

  // Activates the cards at the request's store, all or nothing. Errors: kInvalidArgument (no
  // store, no cards, both numbers and batch), kGiftCardNotFound, kCardStateInvalid (sold
  // already), kGiftCardExpired, kGiftBatchNotFound, kIdempotencyKeyMissing.
  core::Result<GiftActivationView> Activate(const Request& req, const GiftActivateSpec& spec);

  // The card's balance, with its PIN. Errors: CheckPin's.
  core::Result<GiftCardView> Balance(const Request& req, std::string_view number,
                                     std::string_view pin);
  // Checks a PIN, counting a wrong one. Errors: kFieldInvalid (a PIN is 4–12 digits);
  // kGiftCardNotFound (counted against the client); kGiftClientLocked; kGiftCardLocked;
  // kGiftPinWrong (with the tries left); kGiftSecretMismatch. May wait for the writer.
  core::Result<GiftPinOk> CheckPin(const Request& req, std::string_view number,
                                   std::string_view pin);
  // Clears a card's wrong-PIN count and lock. Error: kGiftCardNotFound.
  core::Result<GiftCardView> Unlock(const Request& req, std::string_view number);
  // Gives a card a new random PIN (`pin_length` digits, 4–12), shown in this reply only, and
  // clears its wrong-PIN count and lock: for a service desk once the holder has shown the card
  // and proof of purchase, or for a batch whose first reply was lost. A replay has no PIN.
  // Errors: kGiftCardNotFound; kFieldInvalid (pin_length); kGiftSecretMismatch.
  core::Result<GiftPinReset> ResetPin(const Request& req, std::string_view number, int pin_length);
  // A card without its PIN (staff look-up: gift.read). Error: kGiftCardNotFound.
  core::Result<GiftCardView> Show(const TenantRef& tenant, std::string_view number);

  // Takes a reconciliation report: everything done to gift cards since the previous report, the
  // balance then and now. Stored; GetReport and ListReports read them back.
  core::Result<GiftReportView> TakeReport(const Request& req);
  core::Result<GiftReportView> GetReport(const TenantRef& tenant, std::int64_t id);
  core::Result<std::vector<GiftReportView>> ListReports(const TenantRef& tenant,
                                                        std::int64_t before, int limit);
  // The report as CSV (one line per kind and store, then the totals).
  core::Result<std::string> ReportCsv(const TenantRef& tenant, std::int64_t id);

  // Issuance or consumption listings (and as CSV: every page). Error: kInvalidArgument.
  core::Result<GiftListing> Listing(const TenantRef& tenant, const GiftListingQuery& q);
  core::Result<std::string> ListingCsv(const TenantRef& tenant, GiftListingQuery q);

  const GiftOptions& options() const { return options_; }

 private:
  core::Result<GiftBatchView> MakeBatch(const Request& req, storage::GiftBatchRecord batch,
                                        const std::string& card_type,
                                        std::vector<GiftCardIssued> cards, std::vector<int> lines,
                                        bool generated);
  core::Status RecordFailure(const Request& req, core::CardId card, std::string_view number,
                             bool count_card);
  std::string KeyedPin(std::string_view pin) const;
  std::string HashPin(std::string_view pin) const;
  bool PinMatches(const std::string& hash, std::string_view pin) const;
  std::string SecretId() const;
  core::Error NoSecret(std::string_view what) const;
  std::mutex& CardLock(core::CardId card) {
    return card_locks_[static_cast<std::size_t>(card.value) % card_locks_.size()];
  }

  storage::Store& store_;
  const Clock& clock_;
  Writer& writer_;
  GiftOptions options_;
  std::array<std::mutex, 64> card_locks_;
};

// Builds a gift card's view from its records.
GiftCardView GiftCardViewOf(const storage::GiftCardRow& row, core::Timestamp now,
                            const std::optional<core::CivilDate>& valid_until);

}  // namespace onecard::service
