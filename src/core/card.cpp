#include "core/card.hpp"

#include <array>

#include "core/assert.hpp"

namespace onecard::core {
namespace {

constexpr std::array<std::string_view, 4> kStateNames = {"inactive", "active", "replaced",
                                                         "closed"};
constexpr std::array<std::string_view, 11> kOpNames = {
    "issue",   "activate", "report_lost", "cancel_loss", "freeze",          "unfreeze",
    "replace", "reissue",  "renew",       "close",       "set_credit_limit"};

Error Refuse(std::string_view number, const CardStatus& s, std::string_view what) {
  return MakeError(ErrorCode::kCardStateInvalid,
                   "card " + std::string(number) + " is " + s.Describe() + "; " + std::string(what),
                   "card");
}

constexpr std::array<std::string_view, 8> kKindNames = {
    "personal", "linked", "group", "stored_value", "points", "count", "pass", "gift"};

}  // namespace

std::string_view CardKindName(CardKind kind) {
  return kKindNames.at(static_cast<std::size_t>(kind));
}

Result<CardKind> ParseCardKind(std::string_view text) {
  for (std::size_t i = 0; i < kKindNames.size(); ++i) {
    if (kKindNames[i] == text) return static_cast<CardKind>(i);
  }
  return MakeError(ErrorCode::kFieldInvalid,
                   "\"" + std::string(text) +
                       "\" is not a card kind: use personal, linked, group, stored_value, points, "
                       "count, pass or gift",
                   "kind");
}

std::string_view CardStateName(CardState state) {
  return kStateNames.at(static_cast<std::size_t>(state));
}

Result<CardState> ParseCardState(std::string_view text) {
  for (std::size_t i = 0; i < kStateNames.size(); ++i) {
    if (kStateNames[i] == text) return static_cast<CardState>(i);
  }
  return MakeError(ErrorCode::kInvalidArgument,
                   "\"" + std::string(text) + "\" is not a card state");
}

std::string_view CardOpName(CardOp op) {
  return kOpNames.at(static_cast<std::size_t>(op));
}

std::string CardStatus::Describe() const {
  std::string out(CardStateName(state));
  if (frozen) out += ", frozen";
  if (lost) out += ", reported lost";
  return out;
}

Result<CardStatus> ApplyCardOp(const CardStatus& s, CardOp op, std::string_view number) {
  CardStatus next = s;
  const bool dead = s.state == CardState::kReplaced || s.state == CardState::kClosed;
  if (dead) return Refuse(number, s, "nothing more can be done with it");
  switch (op) {
    case CardOp::kIssue:
      return Refuse(number, s, "it has already been issued");
    case CardOp::kActivate:
      if (s.state != CardState::kInactive)
        return Refuse(number, s, "only an inactive card can be activated");
      next.state = CardState::kActive;
      return next;
    case CardOp::kReportLost:
      if (s.lost) return Refuse(number, s, "it is already reported lost");
      next.lost = true;
      return next;
    case CardOp::kCancelLoss:
      if (!s.lost) return Refuse(number, s, "it is not reported lost");
      next.lost = false;
      return next;
    case CardOp::kFreeze:
      if (s.frozen) return Refuse(number, s, "it is already frozen");
      next.frozen = true;
      return next;
    case CardOp::kUnfreeze:
      if (!s.frozen) return Refuse(number, s, "it is not frozen");
      next.frozen = false;
      return next;
    case CardOp::kReplace:
      if (s.state != CardState::kActive)
        return Refuse(number, s, "only an active card can be replaced");
      if (s.frozen) return Refuse(number, s, "unfreeze it before replacing it");
      next.state = CardState::kReplaced;
      next.lost = false;
      return next;
    case CardOp::kReissue:
      if (s.state != CardState::kActive)
        return Refuse(number, s, "only an active card can be reissued");
      if (s.lost)
        return Refuse(number, s, "a lost card is replaced with a new number, not reissued");
      if (s.frozen) return Refuse(number, s, "unfreeze it before reissuing it");
      return next;
    case CardOp::kRenew:
      if (s.state != CardState::kActive)
        return Refuse(number, s, "only an active card can be renewed");
      if (s.frozen) return Refuse(number, s, "unfreeze it before renewing it");
      return next;
    case CardOp::kClose:
      if (s.frozen) return Refuse(number, s, "unfreeze it before closing it");
      next.state = CardState::kClosed;
      next.lost = false;
      return next;
    case CardOp::kSetCreditLimit:
      return next;
  }
  return Refuse(number, s, "unknown operation");
}

Status CheckCardUsable(const CardStatus& s, std::string_view number) {
  const std::string n(number);
  switch (s.state) {
    case CardState::kInactive:
      return MakeError(ErrorCode::kCardInactive, "card " + n + " has not been activated", "card");
    case CardState::kReplaced:
      return MakeError(ErrorCode::kCardReplaced,
                       "card " + n + " was replaced by a new card; use the new number", "card");
    case CardState::kClosed:
      return MakeError(ErrorCode::kCardClosed, "card " + n + " is closed", "card");
    case CardState::kActive:
      break;
  }
  if (s.lost) {
    return MakeError(ErrorCode::kCardLost,
                     "card " + n + " is reported lost; cancel the loss report or replace it",
                     "card");
  }
  if (s.frozen) {
    return MakeError(ErrorCode::kCardFrozen, "card " + n + " is frozen; no value may move on it",
                     "card");
  }
  return {};
}

Status ValidateCardNumber(std::string_view number, std::string_view field) {
  bool ok = number.size() >= 4 && number.size() <= 32;
  for (char c : number) {
    ok = ok &&
         ((c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '-');
  }
  if (ok) return {};
  return MakeError(
      ErrorCode::kCardNumberMalformed,
      "\"" + std::string(number) + "\" is not a card number: use 4 to 32 letters, digits or '-'",
      std::string(field));
}

namespace {
int LuhnSum(std::string_view digits, bool double_last) {
  int sum = 0;
  bool twice = double_last;
  for (std::size_t i = digits.size(); i-- > 0;) {
    int d = digits[i] - '0';
    if (twice) d = d * 2 > 9 ? d * 2 - 9 : d * 2;
    sum += d;
    twice = !twice;
  }
  return sum;
}
}  // namespace

std::string WithLuhnDigit(std::string_view digits) {
  for (char c : digits) ONECARD_ASSERT(c >= '0' && c <= '9', "Luhn of a non-digit");
  const int check = (10 - LuhnSum(digits, true) % 10) % 10;
  return std::string(digits) + static_cast<char>('0' + check);
}

bool LuhnValid(std::string_view number) {
  if (number.size() < 2) return false;
  for (char c : number) {
    if (c < '0' || c > '9') return false;
  }
  return LuhnSum(number, false) % 10 == 0;
}

}  // namespace onecard::core
