// Card lifecycle: states, operations and which operation is allowed when.
//
// A card's lifecycle state (inactive → active → replaced | closed) is kept apart from two flags
// that can be set and cleared while it is active: frozen (by staff, e.g. during a dispute) and
// lost (reported by the holder). Value may move only on an active card that is neither frozen nor
// lost. Pure functions over plain values; thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/result.hpp"

namespace onecard::core {

// Card types a tenant defines are each of one kind.
enum class CardKind : std::uint8_t {
  kPersonal,     // a member's own card
  kLinked,       // a subsidiary card sharing its primary card's accounts
  kGroup,        // a family's or company's card
  kStoredValue,  // a prepaid card
  kPoints,       // a points-only card
  kCount,        // N uses of a service
  kPass,         // a period pass (month, quarter, year)
  kGift,         // a bearer gift card
};
std::string_view CardKindName(CardKind kind);
Result<CardKind> ParseCardKind(std::string_view text);

enum class CardState : std::uint8_t { kInactive, kActive, kReplaced, kClosed };
std::string_view CardStateName(CardState state);
Result<CardState> ParseCardState(std::string_view text);

struct CardStatus {
  CardState state = CardState::kActive;
  bool frozen = false;
  bool lost = false;

  // "active", "active, frozen", "active, reported lost", "replaced", …
  std::string Describe() const;
  bool operator==(const CardStatus&) const = default;
};

enum class CardOp : std::uint8_t {
  kIssue,
  kActivate,
  kReportLost,
  kCancelLoss,
  kFreeze,
  kUnfreeze,
  kReplace,  // balances move to a new number; this number is dead
  kReissue,  // a new physical card with the same number (worn or damaged card)
  kRenew,    // membership validity extended
  kClose,
  kSetCreditLimit,
};
std::string_view CardOpName(CardOp op);

// The status after `op`, or kCardStateInvalid saying why the card's status does not allow it.
// (kIssue is not a transition; it is refused here.)
Result<CardStatus> ApplyCardOp(const CardStatus& status, CardOp op, std::string_view number);

// Ok when value may move on the card; otherwise kCardInactive, kCardFrozen, kCardLost,
// kCardClosed or kCardReplaced naming the card number.
Status CheckCardUsable(const CardStatus& status, std::string_view number);

// Card numbers: 4–32 characters of letters, digits and '-'. Error: kCardNumberMalformed.
Status ValidateCardNumber(std::string_view number, std::string_view field);

// `digits` followed by its Luhn check digit, so that a mistyped card number is caught at the
// till. `digits` must be all decimal digits.
std::string WithLuhnDigit(std::string_view digits);
// Whether the last digit of an all-digit number is its Luhn check digit.
bool LuhnValid(std::string_view number);

}  // namespace onecard::core
