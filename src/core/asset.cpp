#include "core/asset.hpp"

namespace onecard::core {

Unit UnitOf(Asset asset) {
  switch (asset) {
    case Asset::kPoints:
    case Asset::kCashablePoints:
      return Unit::kPoint;
    case Asset::kStoredValue:
    case Asset::kGiftValue:
      return Unit::kFen;
    case Asset::kUses:
      return Unit::kUse;
  }
  ONECARD_ASSERT(false, "unknown asset");
}

bool IsPoints(Asset asset) {
  return UnitOf(asset) == Unit::kPoint;
}

std::string_view AssetName(Asset asset) {
  switch (asset) {
    case Asset::kPoints:
      return "points";
    case Asset::kCashablePoints:
      return "cashable_points";
    case Asset::kStoredValue:
      return "stored_value";
    case Asset::kGiftValue:
      return "gift_value";
    case Asset::kUses:
      return "uses";
  }
  ONECARD_ASSERT(false, "unknown asset");
}

Result<Asset> ParseAsset(std::string_view text, std::string_view field) {
  std::string name(text);
  for (char& c : name) c = c == '-' ? '_' : c;
  for (Asset a : kAllAssets) {
    if (AssetName(a) == name) return a;
  }
  return MakeError(ErrorCode::kInvalidArgument,
                   "\"" + std::string(text) +
                       "\" is not an asset; use points, cashable_points, stored_value, gift_value "
                       "or uses",
                   std::string(field));
}

std::string FormatAmount(Asset asset, std::int64_t amount) {
  if (UnitOf(asset) == Unit::kFen) return Money::Fen(amount).ToString();
  return std::to_string(amount);
}

Result<std::int64_t> ParseAmount(Asset asset, std::string_view text, std::string_view field,
                                 SignPolicy sign) {
  if (UnitOf(asset) == Unit::kFen) {
    ONECARD_TRY(Money m, Money::Parse(text, field, sign));
    return m.fen();
  }
  return ParseCount(text, field, sign);
}

std::string_view AssetSelectionName(AssetSelection selection) {
  switch (selection) {
    case AssetSelection::kAnyPoints:
      return "any_points";
    case AssetSelection::kPoints:
      return AssetName(Asset::kPoints);
    case AssetSelection::kCashablePoints:
      return AssetName(Asset::kCashablePoints);
    case AssetSelection::kStoredValue:
      return AssetName(Asset::kStoredValue);
    case AssetSelection::kGiftValue:
      return AssetName(Asset::kGiftValue);
    case AssetSelection::kUses:
      return AssetName(Asset::kUses);
  }
  ONECARD_ASSERT(false, "unknown asset selection");
}

Result<AssetSelection> ParseAssetSelection(std::string_view text, std::string_view field) {
  std::string name(text);
  for (char& c : name) c = c == '-' ? '_' : c;
  if (name == "any_points" || name == "any") return AssetSelection::kAnyPoints;
  for (Asset a : kAllAssets) {
    if (AssetName(a) == name) return SelectionOf(a);
  }
  return MakeError(ErrorCode::kInvalidArgument,
                   "\"" + std::string(text) +
                       "\" is not something to draw on; use any_points, points, cashable_points, "
                       "stored_value, gift_value or uses",
                   std::string(field));
}

AssetSelection SelectionOf(Asset asset) {
  switch (asset) {
    case Asset::kPoints:
      return AssetSelection::kPoints;
    case Asset::kCashablePoints:
      return AssetSelection::kCashablePoints;
    case Asset::kStoredValue:
      return AssetSelection::kStoredValue;
    case Asset::kGiftValue:
      return AssetSelection::kGiftValue;
    case Asset::kUses:
      return AssetSelection::kUses;
  }
  ONECARD_ASSERT(false, "unknown asset");
}

std::vector<Asset> AssetsOf(AssetSelection selection) {
  switch (selection) {
    case AssetSelection::kAnyPoints:
      return {Asset::kPoints, Asset::kCashablePoints};
    case AssetSelection::kPoints:
      return {Asset::kPoints};
    case AssetSelection::kCashablePoints:
      return {Asset::kCashablePoints};
    case AssetSelection::kStoredValue:
      return {Asset::kStoredValue};
    case AssetSelection::kGiftValue:
      return {Asset::kGiftValue};
    case AssetSelection::kUses:
      return {Asset::kUses};
  }
  ONECARD_ASSERT(false, "unknown asset selection");
}

Unit UnitOf(AssetSelection selection) {
  return UnitOf(AssetsOf(selection).front());
}

}  // namespace onecard::core
