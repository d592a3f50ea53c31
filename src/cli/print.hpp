// Human-readable printing of service results (internal to the CLI).
#pragma once

#include <string>

#include "cli/context.hpp"
#include "service/stored_value_service.hpp"
#include "service/views.hpp"

namespace onecard::cli {

std::string AssetLabel(core::Asset asset);              // "stored value"
std::string Amount(core::Asset asset, std::int64_t v);  // "1,195" or "1,234.56"
std::string Signed(core::Asset asset, std::int64_t v);  // "+120" or "-12.50"

void PrintReceipt(Session& s, const service::EntryReceipt& r);
void PrintHold(Session& s, const service::HoldReceipt& r);
void PrintTopUp(Session& s, const service::TopUpView& v);
void PrintBalances(Session& s, const service::CardBalances& b);
void PrintCard(Session& s, const service::CardView& c);
void PrintMember(Session& s, const service::MemberView& m);
void PrintMemberLine(Session& s, const service::MemberView& m);
void PrintHistory(Session& s, const service::HistoryPage& page);

}  // namespace onecard::cli
