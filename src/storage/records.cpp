#include "storage/records.hpp"

#include <array>

namespace onecard::storage {
namespace {
constexpr std::array<std::string_view, 4> kHoldStatusNames = {"active", "captured", "voided",
                                                              "expired"};
constexpr std::array<std::string_view, 4> kSaleStatusNames = {"held", "settled", "voided",
                                                              "expired"};
}  // namespace

std::string_view HoldStatusName(HoldStatus status) {
  return kHoldStatusNames.at(static_cast<std::size_t>(status));
}

core::Result<HoldStatus> ParseHoldStatus(std::string_view text) {
  for (std::size_t i = 0; i < kHoldStatusNames.size(); ++i) {
    if (kHoldStatusNames[i] == text) return static_cast<HoldStatus>(i);
  }
  return core::MakeError(core::ErrorCode::kInvalidArgument,
                         "\"" + std::string(text) + "\" is not a hold status");
}

std::string_view SaleStatusName(SaleStatus status) {
  return kSaleStatusNames.at(static_cast<std::size_t>(status));
}

core::Result<SaleStatus> ParseSaleStatus(std::string_view text) {
  for (std::size_t i = 0; i < kSaleStatusNames.size(); ++i) {
    if (kSaleStatusNames[i] == text) return static_cast<SaleStatus>(i);
  }
  return core::MakeError(core::ErrorCode::kInvalidArgument,
                         "\"" + std::string(text) + "\" is not a sale status");
}

}  // namespace onecard::storage
