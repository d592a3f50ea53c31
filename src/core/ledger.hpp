// The vocabulary of the double-entry ledger: entry kinds, account roles and postings.
//
// A journal entry is two or more postings that sum to zero per asset. Accounts are held by a card
// (a member's or a bearer card's value, with lots, a cached balance and balance rules) or by the
// tenant or a store (the programme's side: issued-points liability, expired points, bonus expense,
// float, sales, holds in escrow), which have no lots and may take any sign. This header is only
// types and checks; the lot arithmetic is in lots.hpp. Thread-safe: plain values.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/asset.hpp"
#include "core/ids.hpp"
#include "core/result.hpp"

namespace onecard::core {

enum class EntryKind : std::uint8_t {
  kEarn,        // points granted for a purchase or by a rule
  kSpend,       // points spent (redeemed)
  kTopUp,       // money loaded onto stored value / a gift card, or uses onto a count card
  kPayment,     // stored value, gift value or uses paid out at a store
  kAdjustment,  // a manual correction with a reason
  kExpiry,      // points written off when their lots expire
  kReversal,    // undoes an earlier entry exactly
  kTransfer,    // value moved between cards (card replacement)
  kHold,        // value moved into escrow for a two-phase payment
  kCapture,     // a hold captured (and any uncaptured rest returned)
  kVoid,        // a hold released (voided by a till, or timed out)
  kSale,        // a checkout: points and stored value tendered, points earned, in one entry
  kReturn,      // goods taken back: tendered value restored, earned points taken back
};

std::string_view EntryKindName(EntryKind kind);  // "earn", "top_up", …
Result<EntryKind> ParseEntryKind(std::string_view text, std::string_view field);

enum class HolderKind : std::uint8_t { kCard, kStore, kTenant };
std::string_view HolderKindName(HolderKind kind);
Result<HolderKind> ParseHolderKind(std::string_view text);

// What an account is for. Card accounts are kHolder; the rest are the counterparties.
enum class AccountRole : std::uint8_t {
  kHolder,          // value held by a card
  kPointsIssued,    // points granted (the programme's liability grows)
  kPointsRedeemed,  // points spent at a store
  kExpired,         // points (or other value) written off at expiry (breakage)
  kAdjustments,     // manual corrections
  kFloat,           // money received for top-ups (the float owed to holders)
  kTopUpBonus,      // bonus value given on top-up (an expense)
  kSales,           // payments received at a store from stored value, gift value or uses
  kHolds,           // escrow for active holds
};
std::string_view AccountRoleName(AccountRole role);
Result<AccountRole> ParseAccountRole(std::string_view text);

struct Posting {
  AccountId account;
  Asset asset = Asset::kPoints;
  std::int64_t amount = 0;  // signed, in the asset's unit; never 0
};

// Checks that postings are non-zero and sum to zero per asset without overflow. Returns an empty
// string when balanced, otherwise what is wrong. Used to assert on build and report on verify.
std::string DescribeImbalance(std::span<const Posting> postings);

}  // namespace onecard::core
