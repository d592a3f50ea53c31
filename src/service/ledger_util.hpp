// Helpers shared by the ledger use cases (internal to the service layer).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/lots.hpp"
#include "service/context.hpp"
#include "service/digest.hpp"
#include "service/views.hpp"

namespace onecard::service {

// Errors: kAmountNotPositive, kAmountTooLarge (naming `field`).
core::Status ValidateAmount(std::int64_t amount, std::string_view field);
// Document numbers up to 64 bytes, reasons up to 500, both plain UTF-8 text.
core::Status ValidateNotes(std::string_view doc_no, std::string_view reason);
// An expiry given with new value must lie ahead of `now`. It is checked inside the command, after
// the idempotency key, so that a retry of an accepted request is answered even once that expiry
// has passed. Error: kInvalidArgument (field "expires").
core::Status CheckExpiryAhead(const std::optional<core::Timestamp>& expires_at,
                              core::Timestamp now);
// Points are earned, not loaded, and gift value moves only through gift-card sales and checkout
// (with the PIN): refuses those assets for top-up, pay and holds.
core::Status RequireLoadableAsset(core::Asset asset);
// kInsufficientBalance: "card 8800001 has 80 points available; 120 needed".
core::Error Insufficient(std::string_view card, std::string_view what, std::int64_t available,
                         std::int64_t needed, core::Unit unit);
std::int64_t AvailableOf(const std::vector<core::AccountPlanner*>& holders);
// The canonical text of a command starts with its name and the store it is made at.
Canonical CanonicalOf(const Request& req, std::string_view command);
void AddExpiry(Canonical& c, const std::optional<core::Timestamp>& expires_at);
// Lists as the store keeps them: "a,b,c" (empty items dropped) and back.
std::vector<std::string> SplitList(const std::string& csv);
std::string JoinList(const std::vector<std::string>& list);
// A balance view of one account: lots earliest expiry first, the next expiry, and `held`.
AssetBalance BalanceOf(const core::AccountPlanner& account, std::int64_t held);

}  // namespace onecard::service
