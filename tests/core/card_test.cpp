#include "core/card.hpp"

#include <gtest/gtest.h>

namespace onecard::core {
namespace {

CardStatus Active() {
  return CardStatus{CardState::kActive, false, false};
}

TEST(CardTest, LifecycleTransitions) {
  CardStatus s{CardState::kInactive, false, false};
  EXPECT_EQ(CheckCardUsable(s, "1").error().code, ErrorCode::kCardInactive);
  s = *ApplyCardOp(s, CardOp::kActivate, "1");
  EXPECT_TRUE(CheckCardUsable(s, "1"));
  s = *ApplyCardOp(s, CardOp::kReportLost, "1");
  EXPECT_EQ(CheckCardUsable(s, "1").error().code, ErrorCode::kCardLost);
  s = *ApplyCardOp(s, CardOp::kCancelLoss, "1");
  s = *ApplyCardOp(s, CardOp::kFreeze, "1");
  EXPECT_EQ(CheckCardUsable(s, "1").error().code, ErrorCode::kCardFrozen);
  EXPECT_EQ(s.Describe(), "active, frozen");
  s = *ApplyCardOp(s, CardOp::kUnfreeze, "1");
  s = *ApplyCardOp(s, CardOp::kClose, "1");
  EXPECT_EQ(CheckCardUsable(s, "1").error().code, ErrorCode::kCardClosed);
}

TEST(CardTest, RefusesOperationsTheStatusDoesNotAllow) {
  const auto refused = [](CardStatus s, CardOp op) {
    Result<CardStatus> r = ApplyCardOp(s, op, "8800");
    return !r && r.error().code == ErrorCode::kCardStateInvalid;
  };
  EXPECT_TRUE(refused(Active(), CardOp::kActivate));
  EXPECT_TRUE(refused(Active(), CardOp::kCancelLoss));
  EXPECT_TRUE(refused(Active(), CardOp::kUnfreeze));
  EXPECT_TRUE(refused(Active(), CardOp::kIssue));
  CardStatus frozen = Active();
  frozen.frozen = true;
  EXPECT_TRUE(refused(frozen, CardOp::kFreeze));
  EXPECT_TRUE(refused(frozen, CardOp::kReplace));
  EXPECT_TRUE(refused(frozen, CardOp::kClose));
  CardStatus lost = Active();
  lost.lost = true;
  EXPECT_TRUE(refused(lost, CardOp::kReportLost));
  EXPECT_TRUE(refused(lost, CardOp::kReissue));
  EXPECT_TRUE(ApplyCardOp(lost, CardOp::kReplace, "8800"));  // the usual way out of a loss
  for (CardState dead : {CardState::kReplaced, CardState::kClosed}) {
    for (CardOp op : {CardOp::kActivate, CardOp::kFreeze, CardOp::kReportLost, CardOp::kReplace,
                      CardOp::kClose, CardOp::kRenew, CardOp::kSetCreditLimit}) {
      EXPECT_TRUE(refused(CardStatus{dead, false, false}, op));
    }
  }
}

TEST(CardTest, ReplacedCardPointsToTheNewOne) {
  Status s = CheckCardUsable(CardStatus{CardState::kReplaced, false, false}, "8800");
  EXPECT_EQ(s.error().code, ErrorCode::kCardReplaced);
  EXPECT_NE(s.error().message.find("new number"), std::string::npos);
}

TEST(CardTest, ValidatesCardNumbers) {
  EXPECT_TRUE(ValidateCardNumber("88000000013", "n"));
  EXPECT_TRUE(ValidateCardNumber("VIP-0001", "n"));
  for (const char* bad :
       {"", "123", "88 00", "8800/1", "一二三四", "0123456789012345678901234567890123"}) {
    EXPECT_EQ(ValidateCardNumber(bad, "n").error().code, ErrorCode::kCardNumberMalformed) << bad;
  }
}

TEST(CardTest, LuhnCheckDigit) {
  EXPECT_EQ(WithLuhnDigit("7992739871"), "79927398713");
  EXPECT_TRUE(LuhnValid("79927398713"));
  EXPECT_FALSE(LuhnValid("79927398710"));
  EXPECT_TRUE(LuhnValid(WithLuhnDigit("8800000001")));
}

}  // namespace
}  // namespace onecard::core
