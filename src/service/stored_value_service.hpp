// StoredValueService: top-ups under the programme in force (R-501, issue #5 item 6).
//
// A top-up of stored value follows the programme's [stored_value] rules: it is taken only at
// the stores and by the staff they allow, within their smallest and largest amounts; the bonus
// plan for the member's tier and the amount adds a separate bonus lot (which may expire); and a
// top-up that meets a tier's deposit condition (P3's salon: ¥2,000 → the 10 % tier) moves the
// member up, recorded in the tier history with cause "deposit". All of it is one journal entry
// and one transaction. Without a programme in force, or for uses (count cards), a top-up is a
// plain load with the bonus staff enter. QuoteTopUp says what a top-up would give, writing
// nothing, so the till can tell the member before taking the money.
//
//   Result<TopUpView> v = stored_value.TopUp(req_at_store, {.card = "88000000013",
//                                                           .amount = 200000});
//   // v->bonus, v->plan, v->tier_after, v->balance_after, v->explain
//
// Thread-safe.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "service/clock.hpp"
#include "service/context.hpp"
#include "service/json.hpp"
#include "service/ledger_service.hpp"
#include "service/programme_service.hpp"
#include "service/views.hpp"
#include "service/writer.hpp"
#include "storage/store.hpp"

namespace onecard::service {

struct TopUpSpec {
  std::string card;
  core::Asset asset = core::Asset::kStoredValue;  // stored_value, or uses (count cards)
  std::int64_t amount = 0;                        // fen (uses: uses) paid in
  // A bonus staff enter: only where no programme bonus plan decides it.
  std::optional<std::int64_t> bonus;
  std::optional<core::Timestamp> expires_at;  // of the value paid in; none: never
  std::string doc_no;
  std::string reason;
};

struct TopUpView {
  std::optional<EntryReceipt> entry;  // the journal entry (none in a quote)
  std::string card;
  std::string asset;
  std::int64_t amount = 0;
  std::int64_t bonus = 0;
  std::string plan;  // the programme's bonus plan that gave it ("" none, "entered" by staff)
  std::optional<core::CivilDate> bonus_expires_on;
  std::int64_t balance_after = 0;  // the card's balance of the asset after the top-up
  std::int64_t member_id = 0;
  std::string tier_before;  // "" without a programme or member
  std::string tier_after;
  std::optional<int> programme_version;
  std::vector<std::string> explain;
  bool quote = false;
  bool replayed = false;  // not part of the JSON
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(TopUpView, entry, card, asset, amount, bonus, plan,
                                   bonus_expires_on, balance_after, member_id, tier_before,
                                   tier_after, programme_version, explain, quote)

class StoredValueService {
 public:
  StoredValueService(storage::Store& store, const Clock& clock, Writer& writer,
                     ProgrammeService& programmes);
  ~StoredValueService();

  // Errors: kCardNotFound and the card-state errors; kTopUpNotPermitted (the store or the staff
  // is not one the programme allows); kInvalidArgument for an amount outside the programme's
  // limits, an asset that is not loaded, or a bonus entered where a plan decides it (field
  // "bonus"); kAmountNotPositive/kAmountTooLarge; kIdempotencyKeyMissing (TopUp);
  // kIdempotencyConflict. Nothing is written on any error.
  core::Result<TopUpView> QuoteTopUp(const Request& req, const TopUpSpec& spec);
  core::Result<TopUpView> TopUp(const Request& req, const TopUpSpec& spec);
  void TopUpAsync(const Request& req, const TopUpSpec& spec, Callback<TopUpView> done);

 private:
  struct Prepared {
    std::string digest;
    std::function<core::Result<TopUpView>(storage::WriteTxn&)> run;
  };
  core::Result<Prepared> PrepareTopUp(const Request& req, const TopUpSpec& spec);

  storage::Store& store_;
  const Clock& clock_;
  Writer& writer_;
  ProgrammeService& programmes_;
  std::unique_ptr<SystemAccountCache> accounts_;
};

}  // namespace onecard::service
