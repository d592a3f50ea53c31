// Assets: the kinds of value the ledger keeps, each in its own unit.
//
// Postings of one journal entry sum to zero per asset; an account holds exactly one asset.
// Points come in two kinds (non-cashable "points" and "cashable_points", R-403); stored value and
// gift-card value are money in fen; count cards hold whole uses. Thread-safe: plain values.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/money.hpp"
#include "core/result.hpp"

namespace onecard::core {

enum class Asset : std::uint8_t {
  kPoints,          // non-cashable points: spent on goods, gifts, coupons
  kCashablePoints,  // points that may also be cashed out (P1b, P2)
  kStoredValue,     // prepaid money on a member's card, fen
  kGiftValue,       // money on a gift card, fen
  kUses,            // remaining uses of a count card
};

inline constexpr std::array kAllAssets = {Asset::kPoints, Asset::kCashablePoints,
                                          Asset::kStoredValue, Asset::kGiftValue, Asset::kUses};

enum class Unit : std::uint8_t { kPoint, kFen, kUse };

Unit UnitOf(Asset asset);
bool IsPoints(Asset asset);

// Stable names: "points", "cashable_points", "stored_value", "gift_value", "uses".
std::string_view AssetName(Asset asset);
// Accepts the stable names, with '-' for '_' too. Error: kInvalidArgument naming `field`.
Result<Asset> ParseAsset(std::string_view text, std::string_view field);

// Formats an amount in the asset's unit for people: "12.34" for money, "120" for points and uses.
std::string FormatAmount(Asset asset, std::int64_t amount);
// Parses an amount in the asset's unit (yuan with two decimals for money, whole numbers otherwise).
Result<std::int64_t> ParseAmount(Asset asset, std::string_view text, std::string_view field,
                                 SignPolicy sign);

// What a debit may draw on: one asset, or either kind of points together ("any_points": the
// earliest-expiring points first, whatever their kind).
enum class AssetSelection : std::uint8_t {
  kAnyPoints,
  kPoints,
  kCashablePoints,
  kStoredValue,
  kGiftValue,
  kUses,
};
std::string_view AssetSelectionName(AssetSelection selection);  // "any_points" or an asset name
Result<AssetSelection> ParseAssetSelection(std::string_view text, std::string_view field);
AssetSelection SelectionOf(Asset asset);
// The assets a selection draws on, in the order their credit room is used.
std::vector<Asset> AssetsOf(AssetSelection selection);
// The unit of a selection's assets (both kinds of points are points).
Unit UnitOf(AssetSelection selection);

}  // namespace onecard::core
