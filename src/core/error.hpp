// Named outcomes of OneCard operations and the Error value that carries one.
//
// Every expected failure (bad input, a rule that refuses, a missing object, a conflict, an
// unusable database) has its own ErrorCode with a stable snake_case name that the CLI prints and
// the API returns. Codes are grouped into classes; one table (error.cpp) maps each code to its
// class and name, and the CLI maps classes to exit codes. Thread-safe: plain values.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace onecard::core {

// The broad kind of a failure: what a caller can do about it.
enum class ErrorClass : std::uint8_t {
  kInvalid,          // the request is malformed or out of range; fix the input
  kNotFound,         // a named object does not exist (in this tenant)
  kRejected,         // well-formed, but a business rule refuses it in the current state
  kConflict,         // clashes with something that exists (a reused key, a taken number)
  kUnavailable,      // the database cannot be used (missing, corrupt, too new, busy); maybe retry
  kInternal,         // a bug or an unexpected library failure
  kUnauthenticated,  // no credentials, or credentials that are wrong, expired or revoked
  kForbidden,        // authenticated, but not allowed to do this (here)
  kLimited,          // too many attempts; retry later
};

enum class ErrorCode : std::uint16_t {
  // kInvalid
  kInvalidArgument,
  kAmountMalformed,
  kAmountNotPositive,
  kAmountTooLarge,
  kDateMalformed,
  kTimeZoneUnknown,
  kPhoneMalformed,
  kEmailMalformed,
  kCodeMalformed,
  kCardNumberMalformed,
  kFieldUnknown,
  kFieldInvalid,
  kIdempotencyKeyMissing,
  kIdempotencyKeyMalformed,
  kRoleUnknown,
  kPasswordWeak,
  kJsonMalformed,
  // kNotFound
  kTenantNotFound,
  kRegionNotFound,
  kStoreNotFound,
  kMemberNotFound,
  kCardNotFound,
  kCardTypeNotFound,
  kEntryNotFound,
  kHoldNotFound,
  kStaffNotFound,
  kApiKeyNotFound,
  kProgrammeNotFound,
  kSaleNotFound,
  kCategoryNotFound,
  kProductNotFound,
  kPromotionNotFound,
  kGiftCardNotFound,
  kGiftBatchNotFound,
  kGiftReportNotFound,
  kCouponNotFound,
  kCouponCampaignNotFound,
  // kRejected
  kInsufficientBalance,
  kCardInactive,
  kCardFrozen,
  kCardLost,
  kCardClosed,
  kCardReplaced,
  kCardStateInvalid,
  kCardHasBalance,
  kCardHasActiveHolds,
  kCardHasNoMember,
  kHoldExpired,
  kHoldNotActive,
  kCaptureExceedsHold,
  kEntryNotReversible,
  kEntryAlreadyReversed,
  kReturnExceedsSale,
  kSaleAlreadyReturned,
  kSaleNotSettled,  // a held, voided or expired sale cannot be returned
  kCreditLimitBelowDebt,
  kTenantAmbiguous,
  kProgrammeStateInvalid,
  kProductRetired,
  kPromotionOverlaps,
  kGiftPinWrong,
  kGiftCardExpired,
  kCouponNotApplicable,
  kCouponExpired,
  kCouponUsedUp,
  kCouponVoid,
  kPassNotApplicable,
  kPassExpired,
  kPassLimitReached,
  // kConflict
  kIdempotencyConflict,
  kCardNumberTaken,
  kCodeTaken,
  kDatabaseExists,
  // kUnavailable
  kDatabaseMissing,
  kDatabaseCorrupt,
  kDatabaseForeign,
  kDatabaseTooNew,
  kDatabaseBusy,
  kStorageFailure,
  kListenFailed,
  kGiftSecretMismatch,
  // kInternal
  kInternal,
  // kUnauthenticated
  kAuthRequired,
  kTokenInvalid,
  kCredentialsInvalid,
  // kForbidden
  kForbidden,
  kTopUpNotPermitted,
  // kLimited
  kLoginLocked,
  kGiftCardLocked,
  kGiftClientLocked,
  kCouponClientLocked,
};
// The last code: tests walk 0 … kLastErrorCode to check the table and the documentation.
inline constexpr ErrorCode kLastErrorCode = ErrorCode::kCouponClientLocked;

// Stable snake_case name of a code ("insufficient_balance"); part of the CLI and API contract.
std::string_view ErrorCodeName(ErrorCode code);
ErrorClass ClassOf(ErrorCode code);
std::string_view ErrorClassName(ErrorClass cls);

// An expected failure: which outcome, the input at fault (a field name or path, may be empty) and
// a sentence for a person saying what and why.
struct Error {
  ErrorCode code = ErrorCode::kInternal;
  std::string field;
  std::string message;

  std::string ToString() const;  // "insufficient_balance (points): card 8800001 has 20 …"
};

Error MakeError(ErrorCode code, std::string message, std::string field = {});

}  // namespace onecard::core
