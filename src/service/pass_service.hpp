// PassService: count cards and period passes (issue #5 item 9, R-505).
//
// A card type of kind `count` (N uses of a service: a card loaded with uses) or `pass` (a period
// pass: unlimited uses until the card's validity ends) has terms saying what it pays for — SKUs
// and categories (with the categories below them) —, at which stores, and how many uses a day.
// At the till a basket line names the pass that pays for it (`"pass": "88000000105"`): the line
// costs the member nothing and earns nothing; a count card gives one use per unit, taken in the
// sale's own write (so tills using one card at once never overdraw it); a period pass records a
// visit. A return gives the uses back. `identify` lists a member's passes with what is left.
//
//   pass.SetTerms(req, "cut10", {.skus = {"HAIRCUT"}, .per_day = 1});
//
// Thread-safe.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/lots.hpp"
#include "core/programme.hpp"
#include "service/clock.hpp"
#include "service/context.hpp"
#include "service/json.hpp"
#include "service/ledger_txn.hpp"
#include "service/writer.hpp"
#include "storage/store.hpp"

namespace onecard::service {

struct PassTermsSpec {
  std::vector<std::string> skus;
  std::vector<std::string> categories;
  std::vector<std::string> stores;  // empty: every store
  std::int64_t per_day = 0;         // uses a day, 0 (no limit) to 1,000
};

struct PassTermsView {
  std::string card_type;
  std::string kind;  // count | pass
  std::vector<std::string> skus;
  std::vector<std::string> categories;
  std::vector<std::string> stores;
  int per_day = 0;
  std::optional<core::Timestamp> updated_at;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(PassTermsView, card_type, kind, skus, categories, stores,
                                   per_day, updated_at)

// A member's pass as the till sees it.
struct PassView {
  std::string card;
  std::string card_type;
  std::string name;
  std::string kind;                       // count | pass
  std::optional<std::int64_t> uses_left;  // count cards
  std::optional<core::CivilDate> valid_until;
  int per_day = 0;
  std::int64_t used_today = 0;
  bool usable = false;  // active, within validity, uses left, under today's limit
  std::string note;     // why not, when not usable
  std::vector<std::string> skus;
  std::vector<std::string> categories;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(PassView, card, card_type, name, kind, uses_left, valid_until,
                                   per_day, used_today, usable, note, skus, categories)

class PassService {
 public:
  PassService(storage::Store& store, const Clock& clock, Writer& writer)
      : store_(store), clock_(clock), writer_(writer) {}

  // Sets what cards of `card_type` (kind count or pass) pay for. Errors: kCardTypeNotFound;
  // kFieldInvalid naming the field for another kind, an unknown SKU, category or store, nothing
  // covered, or per_day outside 0…1,000. Nothing is written on any error.
  core::Result<PassTermsView> SetTerms(const Request& req, const std::string& card_type,
                                       const PassTermsSpec& spec);
  // Error: kCardTypeNotFound; kFieldInvalid when the type has no terms yet.
  core::Result<PassTermsView> Terms(const TenantRef& tenant, const std::string& card_type);
  // The member's count cards and passes as the till sees them today (closed and replaced cards
  // left out). Error: kMemberNotFound.
  core::Result<std::vector<PassView>> OfMember(const TenantRef& tenant, core::MemberId member);

 private:
  storage::Store& store_;
  const Clock& clock_;
  Writer& writer_;
};

// What checkout does with the lines a pass pays for (inside its transaction, or a quote's read).
struct PassCheck {
  storage::CardRecord card;  // the pass card
  bool count = false;        // a count card (its uses are taken); else a period pass
  std::string type_name;
};
// Whether `card` may pay for `line` (basket index `index`) of `member`'s sale at `store_code`
// on `date`, `earlier` of its uses being in the same basket before this line. A count card's
// uses are not checked here (the ledger does, taking them). Errors name "lines[i].pass":
// kPassNotApplicable (not the member's, not a pass, no terms, another store, an item it does not
// cover), kPassExpired, kPassLimitReached, the card-state errors.
core::Result<PassCheck> CheckPass(storage::ReadTxn& txn, core::TenantId tenant,
                                  const storage::CardRecord& card, const core::BasketLine& line,
                                  std::size_t index, core::MemberId member,
                                  std::string_view store_code, core::CivilDate date,
                                  std::int64_t earlier);

// Settles the pass lines of a sale: checks each, takes a count card's uses (one a unit) into
// `plan` against the store's sales account, and returns the checks in line order (nullopt for
// lines without a pass; empty when no line has one). Errors: CheckPass's; kInsufficientBalance
// ("lines[i].pass") when a count card has too few uses left.
core::Result<std::vector<std::optional<PassCheck>>> TakePasses(
    LedgerTxn& l, core::EntryPlan& plan, std::span<const core::BasketLine> lines,
    core::MemberId member, core::CivilDate date);
// Records the uses (quantity > 0) or their return (< 0) of `lines` pass lines.
core::Status RecordPassUse(storage::WriteTxn& txn, core::TenantId tenant, core::CardId card,
                           core::MemberId member, std::int64_t sale_id, int line_no,
                           std::int64_t return_id, std::int64_t quantity, core::CivilDate date,
                           core::Timestamp at);

}  // namespace onecard::service
