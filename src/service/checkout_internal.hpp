// Shared by the checkout service's files (checkout_service.cpp, checkout_hold.cpp): not for
// other callers.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "core/programme.hpp"
#include "service/checkout_service.hpp"
#include "storage/store.hpp"

namespace onecard::service {

// Whether a tender's method is paid outside OneCard (cash, bank card, wallets), recorded only.
bool IsExternal(std::string_view method);

// What a settled sale does to its member's state.
struct SaleEffect {
  std::int64_t paid = 0;
  std::int64_t points = 0;
  std::int64_t carried_after = 0;
  std::string tier_before;  // the tier the member is leaving (or keeping)
  std::string tier_after;
  std::string tier_reason;
  std::string downgraded_from;  // a tier lost at a review, as the sale saw it
};

// The member's state moves on with a settled sale: spend and points to date, the remainder
// carried, purchases, the last purchase, the spend since a downgrade, and the tier — with a
// history line naming the receipt — when the sale moves it.
core::Status MoveMemberOn(storage::WriteTxn& txn, const Request& rq, const core::Programme& p,
                          int version, storage::MemberStateRecord& state, const SaleEffect& e,
                          const std::string& doc_no, std::int64_t sale_id, core::Timestamp now);

// A recorded sale as its receipt shows it (without balances).
core::Result<SaleView> ViewOfSale(storage::ReadTxn& txn, const TenantRef& tenant,
                                  const storage::SaleRecord& r);

// `run`, with the audit row pointed at the sale it made or closed (id, receipt, status, amount
// due, entry): the sale itself keeps its lines, tenders and explanation, and copying the whole
// receipt into the audit log would double what a settle writes.
std::function<core::Result<SaleView>(storage::WriteTxn&)> AuditedBySale(
    std::function<core::Result<SaleView>(storage::WriteTxn&)> run,
    std::shared_ptr<storage::AuditRecord> audit);

}  // namespace onecard::service
