// Identify: the one look-up a till makes when a member steps up (issue #5 item 2, R-601). Given
// the card number (typed or scanned: the barcode and QR code carry the number) or a phone
// number, one answer: who the member is, the card, the tier, what may be spent now, the nearest
// points expiry, the member's usable coupons, count cards and passes, and alerts (a card that
// cannot be used, a birthday today, points about to expire). Reads only.
//
//   Result<IdentifyView> who = Identify(services, tenant, {.card = "880000000013"});
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "service/json.hpp"
#include "service/services.hpp"

namespace onecard::service {

struct IdentifySpec {
  std::string card;   // a card number, or
  std::string phone;  // the member's phone number (one member must have it)
};

struct IdentifyView {
  std::int64_t member_id = 0;  // 0: the card has no member
  std::string name;
  std::string phone;  // masked: 138****8000
  std::string member_status;
  std::string card;
  std::string card_type;
  std::string card_status;
  std::string tier;  // the stored tier; "" before the first sale (the programme's lowest)
  std::optional<Timestamp> tier_since;
  std::int64_t points = 0;           // non-cashable points that may be spent now
  std::int64_t cashable_points = 0;  // cashable points that may be spent now
  std::int64_t stored_value = 0;     // fen that may be spent now
  std::optional<Timestamp> next_points_expiry;
  std::int64_t next_points_expiry_amount = 0;
  std::vector<CouponView> coupons;  // the member's own coupons usable today, soonest to end first
  std::vector<PassView> passes;     // the member's count cards and period passes
  std::vector<std::string> alerts;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(IdentifyView, member_id, name, phone, member_status, card,
                                   card_type, card_status, tier, tier_since, points,
                                   cashable_points, stored_value, next_points_expiry,
                                   next_points_expiry_amount, coupons, passes, alerts)

// Errors: kInvalidArgument (neither or both given); kCardNotFound; kMemberNotFound (no member
// has the phone); kInvalidArgument when several members share it (present the card).
core::Result<IdentifyView> Identify(Services& services, const TenantRef& tenant,
                                    const IdentifySpec& spec);

}  // namespace onecard::service
