// SqliteTxn: the SQLite implementation of ReadTxn and WriteTxn on one connection.
//
// A read transaction is a deferred BEGIN on a reader connection (a WAL snapshot); a write
// transaction is BEGIN IMMEDIATE on the single writer connection. The methods are defined in
// txn_org.cpp, txn_members.cpp, txn_cards.cpp, txn_ledger.cpp, txn_audit.cpp, txn_staff.cpp,
// txn_programmes.cpp, txn_sales.cpp, txn_gift.cpp and txn_coupons.cpp. Not thread-safe: one thread
// uses a transaction.
#pragma once

#include <functional>
#include <memory>

#include "storage/sqlite/connection.hpp"
#include "storage/store.hpp"

namespace onecard::storage::sqlite {

class SqliteTxn final : public WriteTxn {
 public:
  // Takes a connection on which BEGIN has run; `release` gives it back when the transaction
  // ends (after COMMIT or ROLLBACK).
  SqliteTxn(Connection& conn, bool writable, std::function<void()> release);
  ~SqliteTxn() override;

  Result<std::vector<TenantRecord>> ListTenants() override;

  // txn_staff.cpp
  Result<std::optional<StaffUserRecord>> FindStaffUser(TenantId tenant,
                                                       std::string_view username) override;
  Result<std::optional<StaffUserRecord>> GetStaffUser(TenantId tenant, std::int64_t id) override;
  Result<std::vector<StaffUserRecord>> ListStaffUsers(TenantId tenant) override;
  Result<std::optional<SessionRecord>> FindSession(std::string_view token_hash) override;
  Result<std::optional<ApiKeyRecord>> FindApiKey(std::string_view key_hash) override;
  Result<std::vector<ApiKeyRecord>> ListApiKeys(TenantId tenant) override;
  Result<std::int64_t> CountLoginFailures(std::string_view client, Timestamp since) override;
  Result<std::vector<AuditRecord>> ListAudit(TenantId tenant, const AuditFilter& filter) override;
  Result<std::int64_t> InsertStaffUser(const StaffUserRecord& user) override;
  Status UpdateStaffUser(const StaffUserRecord& user) override;
  Status InsertSession(const SessionRecord& session) override;
  Status RevokeSession(std::string_view token_hash, Timestamp at) override;
  Status RevokeSessionsOfUser(std::int64_t user_id, Timestamp at) override;
  Result<std::int64_t> InsertApiKey(const ApiKeyRecord& key) override;
  Status RevokeApiKey(TenantId tenant, std::int64_t id, Timestamp at) override;
  Status InsertLoginFailure(std::string_view client, Timestamp at,
                            Timestamp forget_before) override;
  Result<std::int64_t> InsertAudit(const AuditRecord& record) override;

  // txn_catalogue.cpp
  Result<std::vector<CategoryRecord>> ListCategories(TenantId tenant) override;
  Result<std::optional<ProductRecord>> FindProduct(TenantId tenant, std::string_view sku) override;
  Result<std::vector<ProductRecord>> ListProducts(TenantId tenant,
                                                  const ProductFilter& filter) override;
  Result<std::vector<PromotionRecord>> ListPromotions(TenantId tenant,
                                                      std::int64_t product) override;
  Result<std::vector<PromotionRecord>> ListCurrentPromotions(TenantId tenant,
                                                             Timestamp at) override;
  Result<std::optional<PromotionRecord>> GetPromotion(TenantId tenant, std::int64_t id) override;
  Result<std::int64_t> InsertCategory(const CategoryRecord& category) override;
  Status UpdateCategory(const CategoryRecord& category) override;
  Result<std::int64_t> PutProduct(const ProductRecord& product) override;
  Result<std::int64_t> InsertPromotion(const PromotionRecord& promotion) override;
  Status UpdatePromotion(const PromotionRecord& promotion) override;

  // txn_gift.cpp
  Result<std::optional<GiftBatchRecord>> FindGiftBatch(TenantId tenant,
                                                       std::string_view code) override;
  Result<std::optional<GiftBatchRecord>> GetGiftBatch(TenantId tenant, std::int64_t id) override;
  Result<std::vector<GiftBatchRecord>> ListGiftBatches(TenantId tenant) override;
  Result<std::optional<GiftCardRecord>> GetGiftCard(TenantId tenant, CardId card) override;
  Result<std::vector<GiftCardRow>> ListGiftCardsOfBatch(TenantId tenant, std::int64_t batch,
                                                        CardId after, int limit) override;
  Result<std::vector<GiftBatchState>> SumGiftBatch(TenantId tenant, std::int64_t batch) override;
  Result<std::pair<std::int64_t, std::int64_t>> CountGiftPinFailures(TenantId tenant,
                                                                     std::string_view who,
                                                                     std::string_view client,
                                                                     Timestamp since) override;
  Result<std::vector<GiftMovementRecord>> ListGiftMovements(
      TenantId tenant, const GiftMovementFilter& filter) override;
  Result<std::vector<GiftTotalsRow>> SumGiftMovements(TenantId tenant, std::int64_t after_entry,
                                                      std::int64_t last_entry) override;
  Result<std::pair<std::int64_t, std::int64_t>> SumGiftBalances(TenantId tenant) override;
  Result<std::int64_t> MaxEntryId() override;
  Result<std::optional<GiftReportRecord>> GetGiftReport(TenantId tenant, std::int64_t id) override;
  Result<std::optional<GiftReportRecord>> LatestGiftReport(TenantId tenant) override;
  Result<std::vector<GiftReportRecord>> ListGiftReports(TenantId tenant, std::int64_t before,
                                                        int limit) override;
  Result<std::int64_t> InsertGiftBatch(const GiftBatchRecord& batch) override;
  Status InsertGiftCard(const GiftCardRecord& card) override;
  Status UpdateGiftCard(const GiftCardRecord& card) override;
  Status InsertGiftPinFailure(const GiftPinFailureRecord& failure,
                              Timestamp forget_before) override;
  Result<std::int64_t> InsertGiftReport(const GiftReportRecord& report) override;

  // txn_coupons.cpp
  Result<std::optional<PassTermsRecord>> GetPassTerms(TenantId tenant, CardTypeId type) override;
  Result<std::int64_t> PassUsesOn(TenantId tenant, CardId card, core::CivilDate date) override;
  Status PutPassTerms(const PassTermsRecord& terms) override;
  Status InsertPassUse(const PassUseRecord& use) override;
  Result<std::optional<CouponCampaignRecord>> FindCouponCampaign(TenantId tenant,
                                                                 std::string_view code) override;
  Result<std::optional<CouponCampaignRecord>> GetCouponCampaign(TenantId tenant,
                                                                std::int64_t id) override;
  Result<std::optional<CouponCampaignRecord>> FindCampaignByPromo(TenantId tenant,
                                                                  std::string_view promo) override;
  Result<std::vector<CouponCampaignRecord>> ListCouponCampaigns(TenantId tenant) override;
  Result<std::optional<CouponRecord>> GetCoupon(TenantId tenant, std::int64_t id) override;
  Result<std::optional<CouponRecord>> FindCouponByHash(TenantId tenant,
                                                       std::string_view code_hash) override;
  Result<std::vector<CouponRecord>> ListCoupons(TenantId tenant, std::int64_t campaign,
                                                MemberId member, std::int64_t after,
                                                int limit) override;
  Result<std::vector<CouponRecord>> ListCouponsOfMember(TenantId tenant, MemberId member) override;
  Result<std::int64_t> CountMemberRedemptions(TenantId tenant, std::int64_t campaign,
                                              MemberId member) override;
  Result<std::int64_t> CountMemberCoupons(TenantId tenant, std::int64_t campaign,
                                          MemberId member) override;
  Result<std::vector<CouponRedemptionRecord>> ListRedemptionsOfSale(TenantId tenant,
                                                                    std::int64_t sale) override;
  Result<std::vector<CouponRedemptionRecord>> ListRedemptionsOfCoupon(TenantId tenant,
                                                                      std::int64_t coupon) override;
  Result<std::pair<std::int64_t, std::int64_t>> CountCouponFailures(TenantId tenant,
                                                                    std::string_view who,
                                                                    std::string_view client,
                                                                    Timestamp since) override;
  Result<std::vector<Discrepancy>> CheckCoupons() override;
  Result<std::int64_t> InsertCouponCampaign(const CouponCampaignRecord& campaign) override;
  Status UpdateCouponCampaign(const CouponCampaignRecord& campaign) override;
  Result<std::int64_t> InsertCoupon(const CouponRecord& coupon) override;
  Status UpdateCoupon(const CouponRecord& coupon) override;
  Result<std::int64_t> InsertCouponRedemption(const CouponRedemptionRecord& r) override;
  Status SetRedemptionReturned(TenantId tenant, std::int64_t id, std::int64_t return_id) override;
  Status SetRedemptionsVoided(TenantId tenant, std::int64_t sale) override;
  Status InsertCouponFailure(const CouponFailureRecord& failure, Timestamp forget_before) override;

  // txn_programmes.cpp
  Result<std::vector<ProgrammeVersionRecord>> ListProgrammeVersions(TenantId tenant) override;
  Result<std::optional<ProgrammeVersionRecord>> GetProgrammeVersion(TenantId tenant,
                                                                    int version) override;
  Result<std::int64_t> InsertProgrammeVersion(const ProgrammeVersionRecord& record) override;
  Status UpdateProgrammeVersion(const ProgrammeVersionRecord& record) override;

  // txn_sales.cpp
  Result<std::optional<SaleRecord>> GetSale(TenantId tenant, std::int64_t id) override;
  Result<std::vector<std::pair<TenantId, std::int64_t>>> ListDueSales(Timestamp now,
                                                                      int limit) override;
  Result<std::vector<ReturnRecord>> ListReturnsOfSale(TenantId tenant, std::int64_t sale) override;
  Result<std::optional<ReturnRecord>> GetReturn(TenantId tenant, std::int64_t id) override;
  Result<std::optional<std::int64_t>> FindReturnId(TenantId tenant, StoreId store,
                                                   std::string_view doc_no) override;
  Result<std::optional<std::int64_t>> FindSaleId(TenantId tenant, StoreId store,
                                                 std::string_view doc_no) override;
  Result<std::int64_t> SumMemberSpend(TenantId tenant, MemberId member, core::CivilDate first,
                                      core::CivilDate last) override;
  Status ForEachSale(TenantId tenant, core::CivilDate first, core::CivilDate last,
                     const std::function<Status(const SaleRecord&)>& fn) override;
  Result<std::vector<SaleTotals>> ListSaleTotalsBefore(TenantId tenant,
                                                       core::CivilDate date) override;
  Result<std::vector<std::pair<MemberId, core::CivilDate>>> ListBirthdays(TenantId tenant) override;
  Result<std::optional<MemberStateRecord>> GetMemberState(TenantId tenant,
                                                          MemberId member) override;
  Result<std::vector<MemberStateRecord>> ListTieredMembers(TenantId tenant, MemberId after,
                                                           int limit) override;
  Result<std::vector<TierChangeRecord>> ListTierChanges(TenantId tenant, MemberId member) override;
  Result<std::optional<JobRunRecord>> FindJobRun(TenantId tenant, std::string_view job,
                                                 core::CivilDate date) override;
  Result<std::int64_t> InsertSale(const SaleRecord& sale) override;
  Status CloseSale(const SaleRecord& sale) override;
  Result<std::int64_t> InsertReturn(const ReturnRecord& r) override;
  Status PutMemberState(const MemberStateRecord& state) override;
  Result<std::int64_t> InsertTierChange(const TierChangeRecord& change) override;
  Status InsertJobRun(const JobRunRecord& run) override;

  // txn_org.cpp
  Result<std::optional<TenantRecord>> FindTenant(std::string_view code) override;
  Result<std::optional<TenantRecord>> GetTenant(TenantId id) override;
  Result<std::vector<RegionRecord>> ListRegions(TenantId tenant) override;
  Result<std::optional<RegionRecord>> FindRegion(TenantId tenant, std::string_view code) override;
  Result<std::vector<StoreRecord>> ListStores(TenantId tenant) override;
  Result<std::optional<StoreRecord>> FindStore(TenantId tenant, std::string_view code) override;
  Result<std::optional<StoreRecord>> GetStore(TenantId tenant, StoreId id) override;
  Result<std::vector<CardTypeRecord>> ListCardTypes(TenantId tenant) override;
  Result<std::optional<CardTypeRecord>> FindCardType(TenantId tenant,
                                                     std::string_view code) override;
  Result<std::optional<CardTypeRecord>> GetCardType(TenantId tenant, CardTypeId id) override;
  Result<std::vector<FieldDefRecord>> ListFieldDefs(TenantId tenant) override;

  Result<std::optional<MemberRecord>> GetMember(TenantId tenant, MemberId id) override;
  Result<std::vector<MemberRecord>> SearchMembers(TenantId tenant, std::string_view text,
                                                  int limit) override;
  Result<std::vector<CustomValue>> ListCustomValues(TenantId tenant, MemberId member) override;
  Result<std::vector<MemberStatusChange>> ListStatusChanges(TenantId tenant,
                                                            MemberId member) override;
  Result<std::int64_t> CountMembers(TenantId tenant) override;
  Result<std::vector<MemberRecord>> ListMembers(TenantId tenant, MemberId after,
                                                int limit) override;

  Result<std::optional<CardRecord>> FindCard(TenantId tenant, std::string_view number) override;
  Result<std::optional<CardRecord>> GetCard(TenantId tenant, CardId id) override;
  Result<std::vector<CardRecord>> ListCardsOfMember(TenantId tenant, MemberId member) override;
  Result<std::vector<CardRecord>> ListLinkedCards(TenantId tenant, CardId primary) override;
  Result<std::vector<CardEventRecord>> ListCardEvents(TenantId tenant, CardId card) override;
  Result<std::int64_t> MaxCardId() override;
  Result<std::vector<CardRecord>> ListCardsExpiringBy(TenantId tenant, core::CivilDate date,
                                                      int limit) override;

  Result<std::optional<AccountRecord>> FindAccount(const AccountKey& key) override;
  Result<std::vector<AccountRecord>> ListAccountsOfCard(TenantId tenant, CardId card) override;
  Result<std::optional<AccountRecord>> GetAccount(TenantId tenant, AccountId id) override;
  Result<std::int64_t> SumPostings(AccountId account) override;
  Result<std::vector<LotRecord>> ListOpenLots(AccountId account) override;
  Result<std::optional<LotRecord>> GetLot(LotId id) override;
  Result<std::vector<LotRecord>> ListLotsCreatedBy(EntryId entry) override;

  Result<std::optional<EntryRecord>> GetEntry(TenantId tenant, EntryId id) override;
  Result<std::vector<PostingRecord>> ListPostings(EntryId entry) override;
  Result<std::vector<LotMoveRecord>> ListLotMoves(EntryId entry) override;
  Result<std::optional<EntryId>> FindReversal(EntryId entry) override;
  Result<std::vector<HistoryRow>> History(const HistoryQuery& query) override;

  Result<std::optional<HoldRecord>> GetHold(TenantId tenant, HoldId id) override;
  Result<std::vector<HoldRecord>> ListActiveHoldsOfCard(TenantId tenant, CardId card) override;
  Result<std::vector<HoldRecord>> ListDueHolds(Timestamp now, int limit) override;
  Result<std::vector<AccountId>> ListAccountsWithExpiringLots(TenantId tenant, Timestamp cutoff,
                                                              AccountId after, int limit) override;
  Result<std::optional<IdempotencyRecord>> FindIdempotency(TenantId tenant,
                                                           std::string_view key) override;

  Result<std::vector<Discrepancy>> CheckStorageIntegrity() override;
  Result<std::vector<Discrepancy>> CheckEntriesBalance() override;
  Result<std::vector<Discrepancy>> CheckAccounts() override;
  Result<std::vector<Discrepancy>> CheckLots() override;
  Result<std::vector<Discrepancy>> CheckEntryLotMoves() override;
  Result<std::vector<Discrepancy>> CheckHolds() override;
  Result<std::vector<Discrepancy>> CheckReturns() override;
  Result<Counts> CountLedger() override;

  Status Commit() override;
  std::int64_t ChangeCount() const override;

  Result<TenantId> InsertTenant(const TenantRecord& tenant) override;
  Result<RegionId> InsertRegion(const RegionRecord& region) override;
  Result<StoreId> InsertStore(const StoreRecord& store) override;
  Result<CardTypeId> InsertCardType(const CardTypeRecord& type) override;
  Status InsertFieldDef(const FieldDefRecord& def) override;

  Result<MemberId> InsertMember(const MemberRecord& member) override;
  Status UpdateMember(const MemberRecord& member) override;
  Status SetCustomValue(TenantId tenant, MemberId member, std::string_view key,
                        std::string_view value) override;
  Status InsertStatusChange(TenantId tenant, const MemberStatusChange& change) override;

  Result<CardId> InsertCard(const CardRecord& card) override;
  Status UpdateCard(const CardRecord& card) override;
  Status RepointLinkedCards(TenantId tenant, CardId from, CardId to) override;
  Status InsertCardEvent(const CardEventRecord& event) override;

  Result<AccountRecord> LockAccount(const AccountKey& key, MemberId member, Timestamp now) override;
  Result<std::optional<AccountRecord>> LockAccountById(TenantId tenant, AccountId id) override;
  Result<std::optional<AccountRecord>> LockAccountIfExists(const AccountKey& key) override;
  Result<std::optional<CardAccount>> FindCardAndLockAccount(TenantId tenant,
                                                            std::string_view number,
                                                            core::Asset asset) override;
  Result<AccountId> EnsureAccount(const AccountKey& key, Timestamp now) override;
  Status SetCreditLimit(AccountId account, std::int64_t credit_limit) override;
  Result<EntryId> InsertEntry(const EntryRecord& entry) override;
  Status InsertPosting(TenantId tenant, const PostingRecord& posting) override;
  Result<LotId> InsertLot(const LotRecord& lot) override;
  Status InsertLotMove(TenantId tenant, const LotMoveRecord& move) override;
  Status ChangeLotRemaining(LotId lot, std::int64_t delta) override;
  Status ApplyAccountChange(AccountId account, std::int64_t balance_before,
                            std::int64_t balance_delta, std::int64_t debt_delta) override;
  Result<HoldId> InsertHold(const HoldRecord& hold) override;
  Status UpdateHold(const HoldRecord& hold) override;
  Status InsertIdempotency(TenantId tenant, std::string_view key, const IdempotencyRecord& record,
                           Timestamp at) override;

 private:
  Result<Stmt> Prepare(const char* sql) { return conn_.Prepare(sql); }
  void RequireWritable() const;
  Status ReadReturnDetail(ReturnRecord& r);    // its lines and tenders
  Status LoadProductDetail(ProductRecord& p);  // its categories and tier prices

  Connection& conn_;
  bool writable_;
  bool open_ = true;
  std::int64_t changes_at_begin_;
  std::function<void()> release_;
};

}  // namespace onecard::storage::sqlite
