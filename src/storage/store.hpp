// The repository: every read and write the services make, behind an interface that SQLite
// implements today and PostgreSQL will implement too (the same contract tests run on both).
//
//   auto store = sqlite::OpenStore(path, OpenMode::kExisting);   // migrations run on open
//   auto txn = (*store)->BeginWrite();                        // one writer at a time
//   ... (*txn)->InsertEntry(...) ...
//   (*txn)->Commit();                                         // durable when it returns ok
//
// Contracts common to every method:
//  - Every method is scoped by tenant where the object belongs to one; an id of another tenant is
//    "not found", never another tenant's row.
//  - Find*/Get* return std::nullopt when the object does not exist; errors are storage failures
//    (kStorageFailure, kDatabaseBusy, kDatabaseCorrupt).
//  - Inserts that clash with a unique key return kCodeTaken (kCardNumberTaken for card numbers).
//  - Balance rules are enforced inside the write (ApplyAccountChange), so a second backend with
//    concurrent writers keeps them without read-then-write races.
//  - A transaction that is destroyed without Commit() rolls back.
//
// Thread safety: a Store is shared by threads; a transaction belongs to the thread that began it.
// Only one write transaction is open at a time per Store (BeginWrite waits for the previous).
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "storage/records.hpp"

namespace onecard::storage {

using core::Result;
using core::Status;

// Read access; a snapshot of the database for the transaction's lifetime.
class ReadTxn {
 public:
  virtual ~ReadTxn() = default;

  // Organisation.
  virtual Result<std::vector<TenantRecord>> ListTenants() = 0;
  virtual Result<std::optional<TenantRecord>> FindTenant(std::string_view code) = 0;
  virtual Result<std::optional<TenantRecord>> GetTenant(TenantId id) = 0;
  virtual Result<std::vector<RegionRecord>> ListRegions(TenantId tenant) = 0;
  virtual Result<std::optional<RegionRecord>> FindRegion(TenantId tenant,
                                                         std::string_view code) = 0;
  virtual Result<std::vector<StoreRecord>> ListStores(TenantId tenant) = 0;
  virtual Result<std::optional<StoreRecord>> FindStore(TenantId tenant, std::string_view code) = 0;
  virtual Result<std::optional<StoreRecord>> GetStore(TenantId tenant, StoreId id) = 0;
  virtual Result<std::vector<CardTypeRecord>> ListCardTypes(TenantId tenant) = 0;
  virtual Result<std::optional<CardTypeRecord>> FindCardType(TenantId tenant,
                                                             std::string_view code) = 0;
  virtual Result<std::optional<CardTypeRecord>> GetCardType(TenantId tenant, CardTypeId id) = 0;
  virtual Result<std::vector<FieldDefRecord>> ListFieldDefs(TenantId tenant) = 0;

  // Members.
  virtual Result<std::optional<MemberRecord>> GetMember(TenantId tenant, MemberId id) = 0;
  // Members whose name contains `text`, whose phone equals or ends with it, who hold a card with
  // that number, or whose indexed custom field equals it; newest first, at most `limit`.
  virtual Result<std::vector<MemberRecord>> SearchMembers(TenantId tenant, std::string_view text,
                                                          int limit) = 0;
  virtual Result<std::vector<CustomValue>> ListCustomValues(TenantId tenant, MemberId member) = 0;
  virtual Result<std::vector<MemberStatusChange>> ListStatusChanges(TenantId tenant,
                                                                    MemberId member) = 0;
  virtual Result<std::int64_t> CountMembers(TenantId tenant) = 0;
  // Members in id order after `after` (invalid: from the first), at most `limit`.
  virtual Result<std::vector<MemberRecord>> ListMembers(TenantId tenant, MemberId after,
                                                        int limit) = 0;

  // Cards.
  virtual Result<std::optional<CardRecord>> FindCard(TenantId tenant, std::string_view number) = 0;
  virtual Result<std::optional<CardRecord>> GetCard(TenantId tenant, CardId id) = 0;
  virtual Result<std::vector<CardRecord>> ListCardsOfMember(TenantId tenant, MemberId member) = 0;
  virtual Result<std::vector<CardRecord>> ListLinkedCards(TenantId tenant, CardId primary) = 0;
  virtual Result<std::vector<CardEventRecord>> ListCardEvents(TenantId tenant, CardId card) = 0;
  // The highest card id in the database (0 when there is none), to number new cards.
  virtual Result<std::int64_t> MaxCardId() = 0;
  // Active cards whose membership validity ends on or before `date`, soonest first.
  virtual Result<std::vector<CardRecord>> ListCardsExpiringBy(TenantId tenant, core::CivilDate date,
                                                              int limit) = 0;

  // Accounts and lots.
  virtual Result<std::optional<AccountRecord>> FindAccount(const AccountKey& key) = 0;
  virtual Result<std::vector<AccountRecord>> ListAccountsOfCard(TenantId tenant, CardId card) = 0;
  virtual Result<std::optional<AccountRecord>> GetAccount(TenantId tenant, AccountId id) = 0;
  // A system account's balance: the sum of its postings.
  virtual Result<std::int64_t> SumPostings(AccountId account) = 0;
  // Lots with remaining > 0, in id order.
  virtual Result<std::vector<LotRecord>> ListOpenLots(AccountId account) = 0;
  virtual Result<std::optional<LotRecord>> GetLot(LotId id) = 0;
  // Lots an entry created, in id order.
  virtual Result<std::vector<LotRecord>> ListLotsCreatedBy(EntryId entry) = 0;

  // Entries.
  virtual Result<std::optional<EntryRecord>> GetEntry(TenantId tenant, EntryId id) = 0;
  virtual Result<std::vector<PostingRecord>> ListPostings(EntryId entry) = 0;
  virtual Result<std::vector<LotMoveRecord>> ListLotMoves(EntryId entry) = 0;
  virtual Result<std::optional<EntryId>> FindReversal(EntryId entry) = 0;
  // Newest first.
  virtual Result<std::vector<HistoryRow>> History(const HistoryQuery& query) = 0;

  // Holds.
  virtual Result<std::optional<HoldRecord>> GetHold(TenantId tenant, HoldId id) = 0;
  virtual Result<std::vector<HoldRecord>> ListActiveHoldsOfCard(TenantId tenant, CardId card) = 0;
  // Active holds whose timeout is at or before `now`, in any tenant, oldest first.
  virtual Result<std::vector<HoldRecord>> ListDueHolds(Timestamp now, int limit) = 0;

  // Expiry: card accounts of `tenant` with open lots that expire at or before `cutoff`, with id
  // greater than `after`, in id order.
  virtual Result<std::vector<AccountId>> ListAccountsWithExpiringLots(TenantId tenant,
                                                                      Timestamp cutoff,
                                                                      AccountId after,
                                                                      int limit) = 0;

  virtual Result<std::optional<IdempotencyRecord>> FindIdempotency(TenantId tenant,
                                                                   std::string_view key) = 0;

  // Staff, sessions, API keys, login failures, audit (issue #3).
  virtual Result<std::optional<StaffUserRecord>> FindStaffUser(TenantId tenant,
                                                               std::string_view username) = 0;
  virtual Result<std::optional<StaffUserRecord>> GetStaffUser(TenantId tenant, std::int64_t id) = 0;
  virtual Result<std::vector<StaffUserRecord>> ListStaffUsers(TenantId tenant) = 0;
  virtual Result<std::optional<SessionRecord>> FindSession(std::string_view token_hash) = 0;
  virtual Result<std::optional<ApiKeyRecord>> FindApiKey(std::string_view key_hash) = 0;
  virtual Result<std::vector<ApiKeyRecord>> ListApiKeys(TenantId tenant) = 0;
  // Failed logins from `client` at or after `since`.
  virtual Result<std::int64_t> CountLoginFailures(std::string_view client, Timestamp since) = 0;
  // Newest first.
  virtual Result<std::vector<AuditRecord>> ListAudit(TenantId tenant,
                                                     const AuditFilter& filter) = 0;

  // Catalogue.
  virtual Result<std::vector<CategoryRecord>> ListCategories(TenantId tenant) = 0;
  virtual Result<std::optional<ProductRecord>> FindProduct(TenantId tenant,
                                                           std::string_view sku) = 0;
  virtual Result<std::vector<ProductRecord>> ListProducts(TenantId tenant,
                                                          const ProductFilter& filter) = 0;
  // The product's promotions, by start.
  virtual Result<std::vector<PromotionRecord>> ListPromotions(TenantId tenant,
                                                              std::int64_t product) = 0;
  // Promotions in force at `at` (starts_at <= at < ends_at) or starting later, by start.
  virtual Result<std::vector<PromotionRecord>> ListCurrentPromotions(TenantId tenant,
                                                                     Timestamp at) = 0;
  virtual Result<std::optional<PromotionRecord>> GetPromotion(TenantId tenant, std::int64_t id) = 0;

  // Programme versions (issue #4), highest version first, without their documents (empty).
  virtual Result<std::vector<ProgrammeVersionRecord>> ListProgrammeVersions(TenantId tenant) = 0;
  // One version with its document.
  virtual Result<std::optional<ProgrammeVersionRecord>> GetProgrammeVersion(TenantId tenant,
                                                                            int version) = 0;

  // Sales, member state, tier changes and job runs (issues #4, #5).
  // A sale with its lines and tenders.
  virtual Result<std::optional<SaleRecord>> GetSale(TenantId tenant, std::int64_t id) = 0;
  virtual Result<std::optional<std::int64_t>> FindSaleId(TenantId tenant, StoreId store,
                                                         std::string_view doc_no) = 0;
  // Held sales whose hold ran out at or before `now`, in any tenant, oldest first:
  // (tenant, sale id).
  virtual Result<std::vector<std::pair<TenantId, std::int64_t>>> ListDueSales(Timestamp now,
                                                                              int limit) = 0;
  // Returns of a sale, oldest first, with their lines and tenders.
  virtual Result<std::vector<ReturnRecord>> ListReturnsOfSale(TenantId tenant,
                                                              std::int64_t sale) = 0;
  virtual Result<std::optional<ReturnRecord>> GetReturn(TenantId tenant, std::int64_t id) = 0;
  virtual Result<std::optional<std::int64_t>> FindReturnId(TenantId tenant, StoreId store,
                                                           std::string_view doc_no) = 0;
  // Fen the member paid in settled sales with a business date in [first, last], less what
  // returns of those sales refunded (before any deduction). Held, voided and expired sales count
  // nowhere below either.
  virtual Result<std::int64_t> SumMemberSpend(TenantId tenant, MemberId member,
                                              core::CivilDate first, core::CivilDate last) = 0;
  // Calls `fn` with every settled sale (with lines, without tenders) of business dates
  // [first, last],
  // in id order, stopping at the first error `fn` returns.
  virtual Status ForEachSale(TenantId tenant, core::CivilDate first, core::CivilDate last,
                             const std::function<Status(const SaleRecord&)>& fn) = 0;
  // Per member, the fen paid and points earned in settled sales before `date`, less what returns
  // of those
  // sales refunded and took back.
  struct SaleTotals {
    MemberId member;
    std::int64_t spend = 0;
    std::int64_t points = 0;
  };
  virtual Result<std::vector<SaleTotals>> ListSaleTotalsBefore(TenantId tenant,
                                                               core::CivilDate date) = 0;
  // Members with a birthday, and it.
  virtual Result<std::vector<std::pair<MemberId, core::CivilDate>>> ListBirthdays(
      TenantId tenant) = 0;
  virtual Result<std::optional<MemberStateRecord>> GetMemberState(TenantId tenant,
                                                                  MemberId member) = 0;
  // States of members in a tier other than the lowest (tier ≠ ""), member id after `after`, in
  // member id order, at most `limit`.
  virtual Result<std::vector<MemberStateRecord>> ListTieredMembers(TenantId tenant, MemberId after,
                                                                   int limit) = 0;
  // Oldest first.
  virtual Result<std::vector<TierChangeRecord>> ListTierChanges(TenantId tenant,
                                                                MemberId member) = 0;
  virtual Result<std::optional<JobRunRecord>> FindJobRun(TenantId tenant, std::string_view job,
                                                         core::CivilDate date) = 0;

  // Gift cards (issue #5).
  virtual Result<std::optional<GiftBatchRecord>> FindGiftBatch(TenantId tenant,
                                                               std::string_view code) = 0;
  virtual Result<std::optional<GiftBatchRecord>> GetGiftBatch(TenantId tenant, std::int64_t id) = 0;
  // Newest first.
  virtual Result<std::vector<GiftBatchRecord>> ListGiftBatches(TenantId tenant) = 0;
  virtual Result<std::optional<GiftCardRecord>> GetGiftCard(TenantId tenant, CardId card) = 0;
  // A batch's cards with card id above `after`, by card id, at most `limit`.
  virtual Result<std::vector<GiftCardRow>> ListGiftCardsOfBatch(TenantId tenant, std::int64_t batch,
                                                                CardId after, int limit) = 0;
  // Per state ("inactive", "active", …): cards of the batch and their gift value.
  struct GiftBatchState {
    std::string state;
    std::int64_t cards = 0;
    std::int64_t balance = 0;
  };
  virtual Result<std::vector<GiftBatchState>> SumGiftBatch(TenantId tenant, std::int64_t batch) = 0;
  // Wrong PINs at or after `since` by the principal `who`, and from the address `client`.
  virtual Result<std::pair<std::int64_t, std::int64_t>> CountGiftPinFailures(
      TenantId tenant, std::string_view who, std::string_view client, Timestamp since) = 0;
  // Postings on gift cards' gift_value accounts, by entry id, as the filter says.
  virtual Result<std::vector<GiftMovementRecord>> ListGiftMovements(
      TenantId tenant, const GiftMovementFilter& filter) = 0;
  // Postings on gift cards in entries (after_entry, last_entry], by entry kind and store.
  virtual Result<std::vector<GiftTotalsRow>> SumGiftMovements(TenantId tenant,
                                                              std::int64_t after_entry,
                                                              std::int64_t last_entry) = 0;
  // Fen on gift cards now (Σ cached balances of their gift_value accounts), and the cards with
  // a balance.
  virtual Result<std::pair<std::int64_t, std::int64_t>> SumGiftBalances(TenantId tenant) = 0;
  // The highest journal entry id (0: none).
  virtual Result<std::int64_t> MaxEntryId() = 0;
  virtual Result<std::optional<GiftReportRecord>> GetGiftReport(TenantId tenant,
                                                                std::int64_t id) = 0;
  virtual Result<std::optional<GiftReportRecord>> LatestGiftReport(TenantId tenant) = 0;
  // Newest first, ids below `before` (0: from the newest), at most `limit`; without detail.
  virtual Result<std::vector<GiftReportRecord>> ListGiftReports(TenantId tenant,
                                                                std::int64_t before, int limit) = 0;

  // Count cards and passes (issue #5).
  virtual Result<std::optional<PassTermsRecord>> GetPassTerms(TenantId tenant, CardTypeId type) = 0;
  // The uses of a pass card on a business date (its uses less their returns).
  virtual Result<std::int64_t> PassUsesOn(TenantId tenant, CardId card, core::CivilDate date) = 0;

  // Coupons (issue #5).
  virtual Result<std::optional<CouponCampaignRecord>> FindCouponCampaign(TenantId tenant,
                                                                         std::string_view code) = 0;
  virtual Result<std::optional<CouponCampaignRecord>> GetCouponCampaign(TenantId tenant,
                                                                        std::int64_t id) = 0;
  // The campaign whose shared promo code is `promo` (normalised, upper case).
  virtual Result<std::optional<CouponCampaignRecord>> FindCampaignByPromo(
      TenantId tenant, std::string_view promo) = 0;
  // Newest first.
  virtual Result<std::vector<CouponCampaignRecord>> ListCouponCampaigns(TenantId tenant) = 0;
  virtual Result<std::optional<CouponRecord>> GetCoupon(TenantId tenant, std::int64_t id) = 0;
  virtual Result<std::optional<CouponRecord>> FindCouponByHash(TenantId tenant,
                                                               std::string_view code_hash) = 0;
  // A campaign's coupons (of one member when `member` is valid) with id above `after`, by id.
  virtual Result<std::vector<CouponRecord>> ListCoupons(TenantId tenant, std::int64_t campaign,
                                                        MemberId member, std::int64_t after,
                                                        int limit) = 0;
  // Every coupon issued to the member, newest first.
  virtual Result<std::vector<CouponRecord>> ListCouponsOfMember(TenantId tenant,
                                                                MemberId member) = 0;
  // Uses of the campaign by the member not restored by a return.
  virtual Result<std::int64_t> CountMemberRedemptions(TenantId tenant, std::int64_t campaign,
                                                      MemberId member) = 0;
  // Coupons of the campaign issued to the member and not voided.
  virtual Result<std::int64_t> CountMemberCoupons(TenantId tenant, std::int64_t campaign,
                                                  MemberId member) = 0;
  // By id.
  virtual Result<std::vector<CouponRedemptionRecord>> ListRedemptionsOfSale(TenantId tenant,
                                                                            std::int64_t sale) = 0;
  virtual Result<std::vector<CouponRedemptionRecord>> ListRedemptionsOfCoupon(
      TenantId tenant, std::int64_t coupon) = 0;
  // Unknown codes tried at or after `since` by the principal `who`, and from the address.
  virtual Result<std::pair<std::int64_t, std::int64_t>> CountCouponFailures(TenantId tenant,
                                                                            std::string_view who,
                                                                            std::string_view client,
                                                                            Timestamp since) = 0;

  // verify: every check recomputes from the journal; each returns what it found wrong.
  // The database file itself (page structure, indexes).
  virtual Result<std::vector<Discrepancy>> CheckStorageIntegrity() = 0;
  // Entries whose postings do not sum to zero per asset, or have fewer than two postings.
  virtual Result<std::vector<Discrepancy>> CheckEntriesBalance() = 0;
  // Card accounts whose cached balance ≠ Σ postings or ≠ Σ lot remaining + debt, whose cached
  // debt ≠ Σ debt moves, or whose debt is outside [-credit_limit, 0].
  virtual Result<std::vector<Discrepancy>> CheckAccounts() = 0;
  // Lots whose remaining ≠ Σ moves, or outside [0, amount], or whose asset differs from the
  // account's.
  virtual Result<std::vector<Discrepancy>> CheckLots() = 0;
  // (entry, card account) pairs whose lot moves do not add up to the posting.
  virtual Result<std::vector<Discrepancy>> CheckEntryLotMoves() = 0;
  // Escrow accounts whose balance ≠ the remaining amount of their tenant's active holds.
  virtual Result<std::vector<Discrepancy>> CheckHolds() = 0;
  // Sale lines returned beyond their quantity, paid amount or points; sale tenders refunded
  // beyond their amount or points.
  virtual Result<std::vector<Discrepancy>> CheckReturns() = 0;
  // Coupon campaigns and coupons whose counters (issued, used, discount given) differ from their
  // coupons and unrestored redemptions, or that were used beyond their limits.
  virtual Result<std::vector<Discrepancy>> CheckCoupons() = 0;
  // Sizes for the verify summary.
  struct Counts {
    std::int64_t entries = 0;
    std::int64_t postings = 0;
    std::int64_t accounts = 0;
    std::int64_t lots = 0;
  };
  virtual Result<Counts> CountLedger() = 0;
};

// Write access: everything ReadTxn sees, plus the changes. Reads see the transaction's own
// uncommitted writes.
class WriteTxn : public ReadTxn {
 public:
  // Makes the transaction durable (with the configured synchronous mode) or fails; after a
  // failure the transaction is rolled back.
  virtual Status Commit() = 0;

  // Rows inserted, updated or deleted by this transaction so far: the writer checks it to know
  // whether a failed command wrote anything before failing.
  virtual std::int64_t ChangeCount() const = 0;

  virtual Result<TenantId> InsertTenant(const TenantRecord& tenant) = 0;
  virtual Result<RegionId> InsertRegion(const RegionRecord& region) = 0;
  virtual Result<StoreId> InsertStore(const StoreRecord& store) = 0;
  virtual Result<CardTypeId> InsertCardType(const CardTypeRecord& type) = 0;
  virtual Status InsertFieldDef(const FieldDefRecord& def) = 0;

  virtual Result<MemberId> InsertMember(const MemberRecord& member) = 0;
  virtual Status UpdateMember(const MemberRecord& member) = 0;
  // Sets (or, with an empty value, removes) a custom field value.
  virtual Status SetCustomValue(TenantId tenant, MemberId member, std::string_view key,
                                std::string_view value) = 0;
  virtual Status InsertStatusChange(TenantId tenant, const MemberStatusChange& change) = 0;

  virtual Result<CardId> InsertCard(const CardRecord& card) = 0;
  // Writes the card's status, member, primary, replaced_by, expires_on and reissue_count.
  virtual Status UpdateCard(const CardRecord& card) = 0;
  // Re-points linked cards from one primary to another (card replacement).
  virtual Status RepointLinkedCards(TenantId tenant, CardId from, CardId to) = 0;
  virtual Status InsertCardEvent(const CardEventRecord& event) = 0;

  // The account for `key`, created (balance 0, no credit) if missing. In a backend with
  // concurrent writers, the returned row of a card account is locked until the transaction ends.
  virtual Result<AccountRecord> LockAccount(const AccountKey& key, MemberId member,
                                            Timestamp now) = 0;
  // The id of the account for `key`, created if missing, without locking it: for the tenant's and
  // stores' accounts, which every entry touches and no rule needs to read, so that concurrent
  // writers never queue on them.
  virtual Result<AccountId> EnsureAccount(const AccountKey& key, Timestamp now) = 0;
  // The card numbered `number` and, locked like LockAccount, its own holder account for `asset`
  // (none when it has none yet; linked cards never have one) — one look-up for the hot path.
  virtual Result<std::optional<CardAccount>> FindCardAndLockAccount(TenantId tenant,
                                                                    std::string_view number,
                                                                    core::Asset asset) = 0;
  // The account for `key`, locked like LockAccount, or nullopt when there is none (a debit
  // need not create an empty account).
  virtual Result<std::optional<AccountRecord>> LockAccountIfExists(const AccountKey& key) = 0;
  // An existing account by id, locked like LockAccount; nullopt when it does not exist.
  virtual Result<std::optional<AccountRecord>> LockAccountById(TenantId tenant, AccountId id) = 0;
  virtual Status SetCreditLimit(AccountId account, std::int64_t credit_limit) = 0;

  virtual Result<EntryId> InsertEntry(const EntryRecord& entry) = 0;
  virtual Status InsertPosting(TenantId tenant, const PostingRecord& posting) = 0;
  virtual Result<LotId> InsertLot(const LotRecord& lot) = 0;
  virtual Status InsertLotMove(TenantId tenant, const LotMoveRecord& move) = 0;
  // Adds `delta` to the lot's remaining; refused (kInsufficientBalance) if it would leave
  // [0, amount].
  virtual Status ChangeLotRemaining(LotId lot, std::int64_t delta) = 0;
  // Adds the deltas to a card account's balance and debt, inside the write: refused with
  // kInsufficientBalance if the balance would fall below -credit_limit or the debt leave
  // [-credit_limit, 0]. `balance_before` is what the caller read under its lock; a stored
  // balance that differs is an internal error (the caller's picture of the account is stale),
  // never silently overwritten.
  virtual Status ApplyAccountChange(AccountId account, std::int64_t balance_before,
                                    std::int64_t balance_delta, std::int64_t debt_delta) = 0;

  virtual Result<HoldId> InsertHold(const HoldRecord& hold) = 0;
  // Writes status, captured and close_entry.
  virtual Status UpdateHold(const HoldRecord& hold) = 0;

  virtual Status InsertIdempotency(TenantId tenant, std::string_view key,
                                   const IdempotencyRecord& record, Timestamp at) = 0;

  // Refused with kCodeTaken when the username is in use in the tenant.
  virtual Result<std::int64_t> InsertStaffUser(const StaffUserRecord& user) = 0;
  // Writes every field but id, tenant, username and created_at.
  virtual Status UpdateStaffUser(const StaffUserRecord& user) = 0;
  virtual Status InsertSession(const SessionRecord& session) = 0;
  virtual Status RevokeSession(std::string_view token_hash, Timestamp at) = 0;
  virtual Status RevokeSessionsOfUser(std::int64_t user_id, Timestamp at) = 0;
  // Refused with kCodeTaken when the name is in use in the tenant.
  virtual Result<std::int64_t> InsertApiKey(const ApiKeyRecord& key) = 0;
  virtual Status RevokeApiKey(TenantId tenant, std::int64_t id, Timestamp at) = 0;
  // Records a failed login from `client`; forgets those before `forget_before`.
  virtual Status InsertLoginFailure(std::string_view client, Timestamp at,
                                    Timestamp forget_before) = 0;
  virtual Result<std::int64_t> InsertAudit(const AuditRecord& record) = 0;

  // Inserts the sale, its lines and tenders; kCodeTaken when the store has a sale with that
  // receipt number.
  virtual Result<std::int64_t> InsertSale(const SaleRecord& sale) = 0;
  // Closes a held sale: writes its status, entry, closed_at and close_reason, and its tenders'
  // references (a capture may bring the bank's slip numbers).
  virtual Status CloseSale(const SaleRecord& sale) = 0;
  // Inserts the return, its lines and tenders; kCodeTaken when the store has a return with that
  // receipt number.
  virtual Result<std::int64_t> InsertReturn(const ReturnRecord& r) = 0;
  // Inserts or replaces the member's state.
  virtual Status PutMemberState(const MemberStateRecord& state) = 0;
  virtual Result<std::int64_t> InsertTierChange(const TierChangeRecord& change) = 0;
  // kCodeTaken when the job has run for that date.
  virtual Status InsertJobRun(const JobRunRecord& run) = 0;

  // kCodeTaken when the tenant has a category with that code.
  virtual Result<std::int64_t> InsertCategory(const CategoryRecord& category) = 0;
  // Writes name and parent.
  virtual Status UpdateCategory(const CategoryRecord& category) = 0;
  // Inserts the product (id 0; kCodeTaken when the SKU exists) or replaces every field but id,
  // tenant, sku and created_at, its categories and tier prices; returns its id.
  virtual Result<std::int64_t> PutProduct(const ProductRecord& product) = 0;
  virtual Result<std::int64_t> InsertPromotion(const PromotionRecord& promotion) = 0;
  // Writes ends_at.
  virtual Status UpdatePromotion(const PromotionRecord& promotion) = 0;

  // Refused with kCodeTaken when the tenant has that version number already.
  virtual Result<std::int64_t> InsertProgrammeVersion(const ProgrammeVersionRecord& record) = 0;
  // Writes status, in_force_from, changed_by and changed_at.
  virtual Status UpdateProgrammeVersion(const ProgrammeVersionRecord& record) = 0;

  // kCodeTaken when the tenant has a batch with that code.
  virtual Result<std::int64_t> InsertGiftBatch(const GiftBatchRecord& batch) = 0;
  virtual Status InsertGiftCard(const GiftCardRecord& card) = 0;
  // Writes pin_hash, failed_pins, locked_until and activation_entry.
  virtual Status UpdateGiftCard(const GiftCardRecord& card) = 0;
  // Records a wrong PIN; forgets the tenant's failures before `forget_before`.
  virtual Status InsertGiftPinFailure(const GiftPinFailureRecord& failure,
                                      Timestamp forget_before) = 0;
  virtual Result<std::int64_t> InsertGiftReport(const GiftReportRecord& report) = 0;

  // kCodeTaken when the tenant has a campaign with that code or promo code.
  virtual Status PutPassTerms(const PassTermsRecord& terms) = 0;
  virtual Status InsertPassUse(const PassUseRecord& use) = 0;
  virtual Result<std::int64_t> InsertCouponCampaign(const CouponCampaignRecord& campaign) = 0;
  // Writes state, issued, used and discount_given.
  virtual Status UpdateCouponCampaign(const CouponCampaignRecord& campaign) = 0;
  // kCodeTaken when the tenant has a coupon with that code hash.
  virtual Result<std::int64_t> InsertCoupon(const CouponRecord& coupon) = 0;
  // Writes used and state.
  virtual Status UpdateCoupon(const CouponRecord& coupon) = 0;
  virtual Result<std::int64_t> InsertCouponRedemption(const CouponRedemptionRecord& r) = 0;
  // Marks the redemption restored by the return.
  virtual Status SetRedemptionReturned(TenantId tenant, std::int64_t id,
                                       std::int64_t return_id) = 0;
  // Marks every coupon use of the sale voided (the held sale was voided or expired).
  virtual Status SetRedemptionsVoided(TenantId tenant, std::int64_t sale) = 0;
  // Records an unknown code; forgets the tenant's failures before `forget_before`.
  virtual Status InsertCouponFailure(const CouponFailureRecord& failure,
                                     Timestamp forget_before) = 0;
};

// How OpenStore treats the file.
enum class OpenMode : std::uint8_t {
  kCreate,    // a new database; refused (kDatabaseExists) if one is there already
  kExisting,  // an existing OneCard database; refused (kDatabaseMissing) if there is none
};

// Durability of commits. kFull waits for the disk (fsync) on every commit; kNormal may lose the
// last commits on power loss (never corrupts) and is for tests that need no durability proof.
enum class Durability : std::uint8_t { kFull, kNormal };

class Store {
 public:
  virtual ~Store() = default;
  virtual Result<std::unique_ptr<WriteTxn>> BeginWrite() = 0;
  virtual Result<std::unique_ptr<ReadTxn>> BeginRead() = 0;
  // Where the data lives, for messages ("sqlite:/var/lib/onecard.db").
  virtual std::string Describe() const = 0;
  // The schema version in the database.
  virtual int SchemaVersion() const = 0;
};

}  // namespace onecard::storage
