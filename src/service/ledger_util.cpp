#include "service/ledger_util.hpp"

#include <algorithm>

#include "core/member.hpp"
#include "core/money.hpp"

namespace onecard::service {

using core::Asset;
using core::ErrorCode;
using core::MakeError;
using core::Result;
using core::Status;

Status ValidateAmount(std::int64_t amount, std::string_view field) {
  if (amount <= 0) {
    return MakeError(ErrorCode::kAmountNotPositive, "must be more than zero", std::string(field));
  }
  if (amount > core::kAmountMax) {
    return MakeError(ErrorCode::kAmountTooLarge, "is larger than one operation may carry",
                     std::string(field));
  }
  return {};
}

std::vector<std::string> SplitList(const std::string& csv) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start < csv.size()) {
    std::size_t comma = csv.find(',', start);
    if (comma == std::string::npos) comma = csv.size();
    if (comma > start) out.push_back(csv.substr(start, comma - start));
    start = comma + 1;
  }
  return out;
}

std::string JoinList(const std::vector<std::string>& list) {
  std::string out;
  for (const std::string& s : list) out += (out.empty() ? "" : ",") + s;
  return out;
}

Status ValidateNotes(std::string_view doc_no, std::string_view reason) {
  ONECARD_CHECK(core::ValidateText(doc_no, "doc_no", 64));
  return core::ValidateText(reason, "reason", 500);
}

core::Error Insufficient(std::string_view card, std::string_view what, std::int64_t available,
                         std::int64_t needed, core::Unit unit) {
  const auto fmt = [&](std::int64_t v) {
    return unit == core::Unit::kFen ? core::Money::Fen(v).ToString() : core::GroupThousands(v);
  };
  return MakeError(ErrorCode::kInsufficientBalance,
                   "card " + std::string(card) + " has " + fmt(available) + " " +
                       std::string(what) + " available; " + fmt(needed) + " needed",
                   "amount");
}

std::int64_t AvailableOf(const std::vector<core::AccountPlanner*>& holders) {
  std::int64_t sum = 0;
  for (const core::AccountPlanner* h : holders) sum += h->Available();
  return sum;
}

Canonical CanonicalOf(const Request& req, std::string_view command) {
  Canonical c(command);
  c.Add("store", req.actor.store_code);
  return c;
}

void AddExpiry(Canonical& c, const std::optional<core::Timestamp>& expires_at) {
  c.Add("expires", expires_at ? std::to_string(expires_at->micros) : std::string("never"));
}

Status CheckExpiryAhead(const std::optional<core::Timestamp>& expires_at, core::Timestamp now) {
  if (expires_at && *expires_at <= now) {
    return MakeError(ErrorCode::kInvalidArgument, "the expiry is already past", "expires");
  }
  return {};
}

Status RequireLoadableAsset(Asset asset) {
  if (core::IsPoints(asset)) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "points are earned or adjusted, not topped up or paid; use stored_value "
                     "or uses",
                     "asset");
  }
  if (asset == Asset::kGiftValue) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "gift value is loaded by selling a gift card (giftcard activate) and spent "
                     "at checkout with the card's PIN",
                     "asset");
  }
  return {};
}

AssetBalance BalanceOf(const core::AccountPlanner& account, std::int64_t held) {
  AssetBalance b;
  b.asset = account.asset();
  b.balance = account.balance();
  b.available = account.Available();
  b.held = held;
  b.expired_pending = account.ExpiredPending();
  b.debt = account.debt();
  b.credit_limit = account.credit_limit();
  std::vector<core::LotView> lots = account.lots();
  std::sort(lots.begin(), lots.end(), [](const core::LotView& x, const core::LotView& y) {
    if (x.expires_at.has_value() != y.expires_at.has_value()) return x.expires_at.has_value();
    if (x.expires_at && *x.expires_at != *y.expires_at) return *x.expires_at < *y.expires_at;
    return x.id < y.id;
  });
  for (const core::LotView& lot : lots) {
    if (lot.remaining <= 0) continue;
    b.lots.push_back(LotLine{lot.id.value, lot.asset, lot.amount, lot.remaining, lot.expires_at,
                             std::string(core::LotSourceName(lot.source))});
    const bool usable = !lot.expires_at || *lot.expires_at > account.now();
    if (usable && lot.expires_at) {
      if (!b.next_expiry) b.next_expiry = lot.expires_at;
      if (*b.next_expiry == *lot.expires_at) b.next_expiry_amount += lot.remaining;
    }
  }
  return b;
}

}  // namespace onecard::service
