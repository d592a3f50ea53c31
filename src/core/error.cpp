#include "core/error.hpp"

#include <array>

#include "core/assert.hpp"

namespace onecard::core {
namespace {

struct CodeInfo {
  ErrorCode code;
  std::string_view name;
  ErrorClass cls;
};

using C = ErrorCode;
using K = ErrorClass;
constexpr std::array kCodes = {
    CodeInfo{C::kInvalidArgument, "invalid_argument", K::kInvalid},
    CodeInfo{C::kAmountMalformed, "amount_malformed", K::kInvalid},
    CodeInfo{C::kAmountNotPositive, "amount_not_positive", K::kInvalid},
    CodeInfo{C::kAmountTooLarge, "amount_too_large", K::kInvalid},
    CodeInfo{C::kDateMalformed, "date_malformed", K::kInvalid},
    CodeInfo{C::kTimeZoneUnknown, "time_zone_unknown", K::kInvalid},
    CodeInfo{C::kPhoneMalformed, "phone_malformed", K::kInvalid},
    CodeInfo{C::kEmailMalformed, "email_malformed", K::kInvalid},
    CodeInfo{C::kCodeMalformed, "code_malformed", K::kInvalid},
    CodeInfo{C::kCardNumberMalformed, "card_number_malformed", K::kInvalid},
    CodeInfo{C::kFieldUnknown, "field_unknown", K::kInvalid},
    CodeInfo{C::kFieldInvalid, "field_invalid", K::kInvalid},
    CodeInfo{C::kIdempotencyKeyMissing, "idempotency_key_missing", K::kInvalid},
    CodeInfo{C::kIdempotencyKeyMalformed, "idempotency_key_malformed", K::kInvalid},
    CodeInfo{C::kRoleUnknown, "role_unknown", K::kInvalid},
    CodeInfo{C::kPasswordWeak, "password_weak", K::kInvalid},
    CodeInfo{C::kJsonMalformed, "json_malformed", K::kInvalid},
    CodeInfo{C::kTenantNotFound, "tenant_not_found", K::kNotFound},
    CodeInfo{C::kRegionNotFound, "region_not_found", K::kNotFound},
    CodeInfo{C::kStoreNotFound, "store_not_found", K::kNotFound},
    CodeInfo{C::kMemberNotFound, "member_not_found", K::kNotFound},
    CodeInfo{C::kCardNotFound, "card_not_found", K::kNotFound},
    CodeInfo{C::kCardTypeNotFound, "card_type_not_found", K::kNotFound},
    CodeInfo{C::kEntryNotFound, "entry_not_found", K::kNotFound},
    CodeInfo{C::kHoldNotFound, "hold_not_found", K::kNotFound},
    CodeInfo{C::kStaffNotFound, "staff_not_found", K::kNotFound},
    CodeInfo{C::kApiKeyNotFound, "api_key_not_found", K::kNotFound},
    CodeInfo{C::kProgrammeNotFound, "programme_not_found", K::kNotFound},
    CodeInfo{C::kSaleNotFound, "sale_not_found", K::kNotFound},
    CodeInfo{C::kCategoryNotFound, "category_not_found", K::kNotFound},
    CodeInfo{C::kProductNotFound, "product_not_found", K::kNotFound},
    CodeInfo{C::kPromotionNotFound, "promotion_not_found", K::kNotFound},
    CodeInfo{C::kGiftCardNotFound, "gift_card_not_found", K::kNotFound},
    CodeInfo{C::kGiftBatchNotFound, "gift_batch_not_found", K::kNotFound},
    CodeInfo{C::kGiftReportNotFound, "gift_report_not_found", K::kNotFound},
    CodeInfo{C::kCouponNotFound, "coupon_not_found", K::kNotFound},
    CodeInfo{C::kCouponCampaignNotFound, "coupon_campaign_not_found", K::kNotFound},
    CodeInfo{C::kInsufficientBalance, "insufficient_balance", K::kRejected},
    CodeInfo{C::kCardInactive, "card_inactive", K::kRejected},
    CodeInfo{C::kCardFrozen, "card_frozen", K::kRejected},
    CodeInfo{C::kCardLost, "card_lost", K::kRejected},
    CodeInfo{C::kCardClosed, "card_closed", K::kRejected},
    CodeInfo{C::kCardReplaced, "card_replaced", K::kRejected},
    CodeInfo{C::kCardStateInvalid, "card_state_invalid", K::kRejected},
    CodeInfo{C::kCardHasBalance, "card_has_balance", K::kRejected},
    CodeInfo{C::kCardHasActiveHolds, "card_has_active_holds", K::kRejected},
    CodeInfo{C::kCardHasNoMember, "card_has_no_member", K::kRejected},
    CodeInfo{C::kHoldExpired, "hold_expired", K::kRejected},
    CodeInfo{C::kHoldNotActive, "hold_not_active", K::kRejected},
    CodeInfo{C::kCaptureExceedsHold, "capture_exceeds_hold", K::kRejected},
    CodeInfo{C::kEntryNotReversible, "entry_not_reversible", K::kRejected},
    CodeInfo{C::kEntryAlreadyReversed, "entry_already_reversed", K::kRejected},
    CodeInfo{C::kReturnExceedsSale, "return_exceeds_sale", K::kRejected},
    CodeInfo{C::kSaleAlreadyReturned, "sale_already_returned", K::kRejected},
    CodeInfo{C::kSaleNotSettled, "sale_not_settled", K::kRejected},
    CodeInfo{C::kCreditLimitBelowDebt, "credit_limit_below_debt", K::kRejected},
    CodeInfo{C::kTenantAmbiguous, "tenant_ambiguous", K::kRejected},
    CodeInfo{C::kProgrammeStateInvalid, "programme_state_invalid", K::kRejected},
    CodeInfo{C::kProductRetired, "product_retired", K::kRejected},
    CodeInfo{C::kPromotionOverlaps, "promotion_overlaps", K::kRejected},
    CodeInfo{C::kGiftPinWrong, "gift_pin_wrong", K::kRejected},
    CodeInfo{C::kGiftCardExpired, "gift_card_expired", K::kRejected},
    CodeInfo{C::kCouponNotApplicable, "coupon_not_applicable", K::kRejected},
    CodeInfo{C::kCouponExpired, "coupon_expired", K::kRejected},
    CodeInfo{C::kCouponUsedUp, "coupon_used_up", K::kRejected},
    CodeInfo{C::kCouponVoid, "coupon_void", K::kRejected},
    CodeInfo{C::kPassNotApplicable, "pass_not_applicable", K::kRejected},
    CodeInfo{C::kPassExpired, "pass_expired", K::kRejected},
    CodeInfo{C::kPassLimitReached, "pass_limit_reached", K::kRejected},
    CodeInfo{C::kIdempotencyConflict, "idempotency_conflict", K::kConflict},
    CodeInfo{C::kCardNumberTaken, "card_number_taken", K::kConflict},
    CodeInfo{C::kCodeTaken, "code_taken", K::kConflict},
    CodeInfo{C::kDatabaseExists, "database_exists", K::kConflict},
    CodeInfo{C::kDatabaseMissing, "database_missing", K::kUnavailable},
    CodeInfo{C::kDatabaseCorrupt, "database_corrupt", K::kUnavailable},
    CodeInfo{C::kDatabaseForeign, "database_foreign", K::kUnavailable},
    CodeInfo{C::kDatabaseTooNew, "database_too_new", K::kUnavailable},
    CodeInfo{C::kDatabaseBusy, "database_busy", K::kUnavailable},
    CodeInfo{C::kStorageFailure, "storage_failure", K::kUnavailable},
    CodeInfo{C::kListenFailed, "listen_failed", K::kUnavailable},
    CodeInfo{C::kGiftSecretMismatch, "gift_secret_mismatch", K::kUnavailable},
    CodeInfo{C::kInternal, "internal", K::kInternal},
    CodeInfo{C::kAuthRequired, "auth_required", K::kUnauthenticated},
    CodeInfo{C::kTokenInvalid, "token_invalid", K::kUnauthenticated},
    CodeInfo{C::kCredentialsInvalid, "credentials_invalid", K::kUnauthenticated},
    CodeInfo{C::kForbidden, "forbidden", K::kForbidden},
    CodeInfo{C::kTopUpNotPermitted, "top_up_not_permitted", K::kForbidden},
    CodeInfo{C::kLoginLocked, "login_locked", K::kLimited},
    CodeInfo{C::kGiftCardLocked, "gift_card_locked", K::kLimited},
    CodeInfo{C::kGiftClientLocked, "gift_client_locked", K::kLimited},
    CodeInfo{C::kCouponClientLocked, "coupon_client_locked", K::kLimited},
};

const CodeInfo& Info(ErrorCode code) {
  const auto index = static_cast<std::size_t>(code);
  ONECARD_ASSERT(index < kCodes.size() && kCodes[index].code == code,
                 "error code table out of order");
  return kCodes[index];
}

}  // namespace

std::string_view ErrorCodeName(ErrorCode code) {
  return Info(code).name;
}
ErrorClass ClassOf(ErrorCode code) {
  return Info(code).cls;
}

std::string_view ErrorClassName(ErrorClass cls) {
  switch (cls) {
    case K::kInvalid:
      return "invalid";
    case K::kNotFound:
      return "not_found";
    case K::kRejected:
      return "rejected";
    case K::kConflict:
      return "conflict";
    case K::kUnavailable:
      return "unavailable";
    case K::kInternal:
      return "internal";
    case K::kUnauthenticated:
      return "unauthenticated";
    case K::kForbidden:
      return "forbidden";
    case K::kLimited:
      return "limited";
  }
  return "internal";
}

std::string Error::ToString() const {
  std::string out(ErrorCodeName(code));
  if (!field.empty()) out += " (" + field + ")";
  if (!message.empty()) out += ": " + message;
  return out;
}

Error MakeError(ErrorCode code, std::string message, std::string field) {
  return Error{code, std::move(field), std::move(message)};
}

}  // namespace onecard::core
