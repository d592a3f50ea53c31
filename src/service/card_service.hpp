// CardService: issuing cards and every operation on them (R-201…R-204), each logged with staff,
// store and reason. Replacement moves every balance to the new card in one transfer entry and
// needs an idempotency key; the other operations take one optionally. Thread-safe.
#pragma once

#include <string>
#include <vector>

#include "core/card.hpp"
#include "service/clock.hpp"
#include "service/context.hpp"
#include "service/views.hpp"
#include "service/writer.hpp"
#include "storage/store.hpp"

namespace onecard::service {

struct IssueCardRequest {
  std::int64_t member_id = 0;    // 0: a bearer card (gift, stored-value, count or pass types)
  std::string type;              // card type code
  std::string number;            // empty: generated, or the member's phone with phone_as_number
  bool phone_as_number = false;  // no card at all, the phone number is the card number
  std::string primary;           // linked cards: the number of the card whose accounts they share
  bool inactive = false;         // issue now, activate at sale (pre-printed stock)
  std::string reason;
};

class CardService {
 public:
  CardService(storage::Store& store, const Clock& clock, Writer& writer)
      : store_(store), clock_(clock), writer_(writer) {}

  // Errors: kCardTypeNotFound, kMemberNotFound, kCardNumberMalformed, kCardNumberTaken,
  // kFieldInvalid (a linked card without a primary, a member card without a member, a phone
  // number requested for a member without one), kCardNotFound (primary), card-state errors.
  core::Result<CardOpResult> Issue(const Request& req, const IssueCardRequest& r);

  // activate, report_lost, cancel_loss, freeze, unfreeze, reissue, renew or close.
  // Errors: kCardNotFound, kCardStateInvalid (the card's status does not allow it),
  // kCardHasBalance / kCardHasActiveHolds (close), kFieldInvalid (renew without a validity).
  core::Result<CardOpResult> Apply(const Request& req, std::string_view number, core::CardOp op,
                                   std::string_view reason);

  // Issues `new_number` (generated when empty) to the same member and type, moves every balance
  // and lot of the old card to it in one entry, and kills the old number.
  // Errors: as Apply and Issue, plus kIdempotencyKeyMissing.
  core::Result<CardOpResult> Replace(const Request& req, std::string_view old_number,
                                     std::string_view new_number, std::string_view reason);

  core::Result<CardView> Show(const TenantRef& tenant, std::string_view number);
  // Active cards whose membership ends on or before `date`.
  core::Result<std::vector<CardView>> ExpiringBy(const TenantRef& tenant, core::CivilDate date,
                                                 int limit);

 private:
  storage::Store& store_;
  const Clock& clock_;
  Writer& writer_;
};

// The view of a stored card; with `events`, its operation log.
core::Result<CardView> ReadCardView(storage::ReadTxn& txn, const storage::CardRecord& card,
                                    bool events);

}  // namespace onecard::service
