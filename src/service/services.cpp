#include "service/services.hpp"

namespace onecard::service {

Services::Services(storage::Store& store, const Clock& clock, WriterOptions options,
                   StaffOptions staff, GiftOptions gifts)
    : store_(store),
      clock_(clock),
      writer_(store, clock, options),
      org_(store, clock, writer_),
      members_(store, clock, writer_),
      cards_(store, clock, writer_),
      ledger_(store, clock, writer_),
      staff_(store, clock, writer_, org_, staff),
      programmes_(store, clock, writer_),
      gifts_(store, clock, writer_, std::move(gifts)),
      coupons_(store, clock, writer_, CouponOptions{}),
      checkout_(store, clock, writer_, programmes_, gifts_, coupons_),
      tiers_(store, clock, writer_, programmes_),
      stored_value_(store, clock, writer_, programmes_),
      passes_(store, clock, writer_),
      catalogue_(store, clock, writer_, programmes_) {}

core::Result<VerifyReport> Services::Verify() {
  ONECARD_TRY(std::unique_ptr<storage::ReadTxn> txn, store_.BeginRead());
  VerifyReport report;
  using Check = core::Result<std::vector<storage::Discrepancy>> (storage::ReadTxn::*)();
  const Check checks[] = {
      &storage::ReadTxn::CheckStorageIntegrity, &storage::ReadTxn::CheckEntriesBalance,
      &storage::ReadTxn::CheckAccounts,         &storage::ReadTxn::CheckLots,
      &storage::ReadTxn::CheckEntryLotMoves,    &storage::ReadTxn::CheckHolds,
      &storage::ReadTxn::CheckReturns,          &storage::ReadTxn::CheckCoupons};
  for (Check check : checks) {
    ONECARD_TRY(std::vector<storage::Discrepancy> found, ((*txn).*check)());
    for (auto& d : found) {
      report.discrepancies.push_back(DiscrepancyLine{d.what, d.id, std::move(d.detail)});
    }
  }
  ONECARD_TRY(storage::ReadTxn::Counts counts, txn->CountLedger());
  report.entries = counts.entries;
  report.postings = counts.postings;
  report.accounts = counts.accounts;
  report.lots = counts.lots;
  report.ok = report.discrepancies.empty();
  return report;
}

}  // namespace onecard::service
