#include "core/ledger.hpp"

#include <array>
#include <map>

#include "core/int128.hpp"

namespace onecard::core {
namespace {

template <class E, std::size_t N>
Result<E> ParseName(std::string_view text, const std::array<std::string_view, N>& names,
                    std::string_view what, std::string_view field) {
  std::string name(text);
  for (char& c : name) c = c == '-' ? '_' : c;
  for (std::size_t i = 0; i < N; ++i) {
    if (names[i] == name) return static_cast<E>(i);
  }
  return MakeError(ErrorCode::kInvalidArgument,
                   "\"" + std::string(text) + "\" is not " + std::string(what), std::string(field));
}

constexpr std::array<std::string_view, 13> kEntryKindNames = {
    "earn",     "spend", "top_up",  "payment", "adjustment", "expiry", "reversal",
    "transfer", "hold",  "capture", "void",    "sale",       "return"};
constexpr std::array<std::string_view, 3> kHolderKindNames = {"card", "store", "tenant"};
constexpr std::array<std::string_view, 9> kRoleNames = {
    "holder", "points_issued", "points_redeemed", "expired", "adjustments",
    "float",  "top_up_bonus",  "sales",           "holds"};

}  // namespace

std::string_view EntryKindName(EntryKind kind) {
  return kEntryKindNames.at(static_cast<std::size_t>(kind));
}
Result<EntryKind> ParseEntryKind(std::string_view text, std::string_view field) {
  return ParseName<EntryKind>(text, kEntryKindNames, "an entry kind", field);
}
std::string_view HolderKindName(HolderKind kind) {
  return kHolderKindNames.at(static_cast<std::size_t>(kind));
}
Result<HolderKind> ParseHolderKind(std::string_view text) {
  return ParseName<HolderKind>(text, kHolderKindNames, "a holder kind", "holder_kind");
}
std::string_view AccountRoleName(AccountRole role) {
  return kRoleNames.at(static_cast<std::size_t>(role));
}
Result<AccountRole> ParseAccountRole(std::string_view text) {
  return ParseName<AccountRole>(text, kRoleNames, "an account role", "role");
}

std::string DescribeImbalance(std::span<const Posting> postings) {
  if (postings.size() < 2) return "an entry needs at least two postings";
  std::map<Asset, Int128> sums;
  for (const Posting& p : postings) {
    if (p.amount == 0) return "a posting has amount 0";
    if (!p.account.valid()) return "a posting has no account";
    sums[p.asset] += p.amount;
  }
  std::string out;
  for (const auto& [asset, sum] : sums) {
    if (sum != 0) {
      out += (out.empty() ? "" : "; ") + std::string(AssetName(asset)) + " postings sum to " +
             std::to_string(static_cast<std::int64_t>(sum)) + ", not 0";
    }
  }
  return out;
}

}  // namespace onecard::core
