#include "core/error.hpp"

#include <gtest/gtest.h>

#include <set>
#include <string>

namespace onecard::core {
namespace {

TEST(ErrorTest, EveryCodeHasAUniqueStableNameAndAClass) {
  std::set<std::string> names;
  for (int i = 0; i <= static_cast<int>(kLastErrorCode); ++i) {
    const auto code = static_cast<ErrorCode>(i);
    const std::string name(ErrorCodeName(code));  // asserts that the table is in order
    EXPECT_FALSE(name.empty());
    EXPECT_TRUE(names.insert(name).second) << name;
    for (char c : name) EXPECT_TRUE((c >= 'a' && c <= 'z') || c == '_') << name;
    (void)ClassOf(code);
  }
  EXPECT_EQ(ErrorCodeName(ErrorCode::kInsufficientBalance), "insufficient_balance");
  EXPECT_EQ(ClassOf(ErrorCode::kIdempotencyConflict), ErrorClass::kConflict);
}

TEST(ErrorTest, ToStringNamesCodeFieldAndReason) {
  EXPECT_EQ(MakeError(ErrorCode::kCardFrozen, "card 1 is frozen", "card").ToString(),
            "card_frozen (card): card 1 is frozen");
}

}  // namespace
}  // namespace onecard::core
