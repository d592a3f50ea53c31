// Strongly typed ids for stored objects. Ids are assigned by storage and passed into core; core
// never invents them. An id of 0 means "none". Thread-safe: plain values.
#pragma once

#include <compare>
#include <cstdint>
#include <functional>

namespace onecard::core {

template <class Tag>
struct Id {
  std::int64_t value = 0;

  constexpr Id() = default;
  constexpr explicit Id(std::int64_t v) : value(v) {}
  constexpr bool valid() const { return value > 0; }
  constexpr explicit operator bool() const { return valid(); }
  constexpr auto operator<=>(const Id&) const = default;
};

using TenantId = Id<struct TenantTag>;
using RegionId = Id<struct RegionTag>;
using StoreId = Id<struct StoreTag>;
using MemberId = Id<struct MemberTag>;
using CardId = Id<struct CardTag>;
using CardTypeId = Id<struct CardTypeTag>;
using AccountId = Id<struct AccountTag>;
using EntryId = Id<struct EntryTag>;
using LotId = Id<struct LotTag>;
using HoldId = Id<struct HoldTag>;

}  // namespace onecard::core

template <class Tag>
struct std::hash<onecard::core::Id<Tag>> {
  std::size_t operator()(onecard::core::Id<Tag> id) const noexcept {
    return std::hash<std::int64_t>{}(id.value);
  }
};
