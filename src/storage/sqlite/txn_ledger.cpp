// SqliteTxn: accounts, entries, postings, lots, lot moves, holds, idempotency keys, history.
#include "core/assert.hpp"
#include "storage/sqlite/rows.hpp"
#include "storage/sqlite/txn.hpp"

namespace onecard::storage::sqlite {
namespace {

using core::ErrorCode;

#define ONECARD_ACCOUNT_COLS                                                                    \
  "id, tenant_id, holder_kind, holder_id, role, asset, COALESCE(member_id, 0), balance, debt, " \
  "credit_limit "

Result<AccountRecord> ReadAccount(const Stmt& st) {
  AccountRecord a;
  a.id = AccountId{st.Int(0)};
  a.key.tenant = TenantId{st.Int(1)};
  ONECARD_TRY(a.key.holder_kind, core::ParseHolderKind(st.Text(2)));
  a.key.holder_id = st.Int(3);
  ONECARD_TRY(a.key.role, core::ParseAccountRole(st.Text(4)));
  ONECARD_TRY(a.key.asset, core::ParseAsset(st.Text(5), "asset"));
  a.member = MemberId{st.Int(6)};
  a.balance = st.Int(7);
  a.debt = st.Int(8);
  a.credit_limit = st.Int(9);
  return a;
}

#define ONECARD_ENTRY_COLS(e)                                                                \
  e "id, " e "tenant_id, " e "kind, " e "doc_no, COALESCE(" e "store_id, 0), " e "staff, " e \
    "reason, " e "at, COALESCE(" e "member_id, 0), COALESCE(" e "card_id, 0), COALESCE(" e   \
    "reverses_entry_id, 0), COALESCE(" e "hold_id, 0) "

// Reads the 12 entry columns starting at `col`.
Result<EntryRecord> ReadEntry(const Stmt& st, int col = 0) {
  EntryRecord e;
  e.id = EntryId{st.Int(col)};
  e.tenant = TenantId{st.Int(col + 1)};
  ONECARD_TRY(e.kind, core::ParseEntryKind(st.Text(col + 2), "kind"));
  e.doc_no = st.Text(col + 3);
  e.store = StoreId{st.Int(col + 4)};
  e.staff = st.Text(col + 5);
  e.reason = st.Text(col + 6);
  e.at = Timestamp{st.Int(col + 7)};
  e.member = MemberId{st.Int(col + 8)};
  e.card = CardId{st.Int(col + 9)};
  e.reverses = EntryId{st.Int(col + 10)};
  e.hold = HoldId{st.Int(col + 11)};
  return e;
}

#define ONECARD_LOT_COLS                                                                        \
  "id, tenant_id, account_id, asset, amount, remaining, source, COALESCE(issuer_store_id, 0), " \
  "entry_id, COALESCE(origin_lot_id, 0), created_at, expires_at "

Result<LotRecord> ReadLot(const Stmt& st) {
  LotRecord l;
  l.id = LotId{st.Int(0)};
  l.tenant = TenantId{st.Int(1)};
  l.account = AccountId{st.Int(2)};
  ONECARD_TRY(l.asset, core::ParseAsset(st.Text(3), "asset"));
  l.amount = st.Int(4);
  l.remaining = st.Int(5);
  ONECARD_TRY(l.source, core::ParseLotSource(st.Text(6)));
  l.issuer_store = StoreId{st.Int(7)};
  l.entry = EntryId{st.Int(8)};
  l.origin = LotId{st.Int(9)};
  l.created_at = Timestamp{st.Int(10)};
  if (!st.IsNull(11)) l.expires_at = Timestamp{st.Int(11)};
  return l;
}

#define ONECARD_HOLD_COLS                                                                       \
  "id, tenant_id, card_id, COALESCE(member_id, 0), selection, amount, captured, status, "       \
  "created_at, expires_at, hold_entry_id, COALESCE(close_entry_id, 0), COALESCE(store_id, 0), " \
  "staff, doc_no "

Result<HoldRecord> ReadHold(const Stmt& st) {
  HoldRecord h;
  h.id = HoldId{st.Int(0)};
  h.tenant = TenantId{st.Int(1)};
  h.card = CardId{st.Int(2)};
  h.member = MemberId{st.Int(3)};
  ONECARD_TRY(h.selection, core::ParseAssetSelection(st.Text(4), "selection"));
  h.amount = st.Int(5);
  h.captured = st.Int(6);
  ONECARD_TRY(h.status, ParseHoldStatus(st.Text(7)));
  h.created_at = Timestamp{st.Int(8)};
  h.expires_at = Timestamp{st.Int(9)};
  h.hold_entry = EntryId{st.Int(10)};
  h.close_entry = EntryId{st.Int(11)};
  h.store = StoreId{st.Int(12)};
  h.staff = st.Text(13);
  h.doc_no = st.Text(14);
  return h;
}

}  // namespace

Result<std::optional<AccountRecord>> SqliteTxn::FindAccount(const AccountKey& k) {
  ONECARD_TRY(Stmt st, Prepare("SELECT " ONECARD_ACCOUNT_COLS "FROM accounts WHERE tenant_id = ?1 "
                               "AND holder_kind = ?2 AND holder_id = ?3 AND role = ?4 "
                               "AND asset = ?5"));
  st.Bind(1, k.tenant.value).Bind(2, core::HolderKindName(k.holder_kind)).Bind(3, k.holder_id);
  st.Bind(4, core::AccountRoleName(k.role)).Bind(5, core::AssetName(k.asset));
  return ReadOne<AccountRecord>(st, ReadAccount);
}

Result<std::vector<AccountRecord>> SqliteTxn::ListAccountsOfCard(TenantId tenant, CardId card) {
  ONECARD_TRY(Stmt st, Prepare("SELECT " ONECARD_ACCOUNT_COLS "FROM accounts WHERE tenant_id = ?1 "
                               "AND holder_kind = 'card' AND holder_id = ?2 ORDER BY id"));
  st.Bind(1, tenant.value).Bind(2, card.value);
  return ReadAll<AccountRecord>(st, ReadAccount);
}

Result<std::optional<AccountRecord>> SqliteTxn::GetAccount(TenantId tenant, AccountId id) {
  ONECARD_TRY(Stmt st, Prepare("SELECT " ONECARD_ACCOUNT_COLS
                               "FROM accounts WHERE tenant_id = ?1 AND id = ?2"));
  st.Bind(1, tenant.value).Bind(2, id.value);
  return ReadOne<AccountRecord>(st, ReadAccount);
}

Result<AccountId> SqliteTxn::EnsureAccount(const AccountKey& key, Timestamp now) {
  RequireWritable();
  {
    ONECARD_TRY(Stmt st, Prepare("INSERT INTO accounts (tenant_id, holder_kind, holder_id, role, "
                                 "asset, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6) "
                                 "ON CONFLICT DO NOTHING"));
    st.Bind(1, key.tenant.value).Bind(2, core::HolderKindName(key.holder_kind));
    st.Bind(3, key.holder_id).Bind(4, core::AccountRoleName(key.role));
    st.Bind(5, core::AssetName(key.asset)).Bind(6, now.micros);
    ONECARD_CHECK(st.Run());
  }
  ONECARD_TRY(std::optional<AccountRecord> found, FindAccount(key));
  ONECARD_ASSERT(found.has_value(), "an account just ensured is missing");
  return found->id;
}

Result<std::optional<AccountRecord>> SqliteTxn::LockAccountIfExists(const AccountKey& key) {
  RequireWritable();
  return FindAccount(key);
}

Result<std::optional<AccountRecord>> SqliteTxn::LockAccountById(TenantId tenant, AccountId id) {
  RequireWritable();
  return GetAccount(tenant, id);
}

Result<std::int64_t> SqliteTxn::SumPostings(AccountId account) {
  ONECARD_TRY(Stmt st, Prepare("SELECT COALESCE(sum(amount), 0) FROM postings "
                               "WHERE account_id = ?1"));
  st.Bind(1, account.value);
  ONECARD_TRY(bool row, st.Step());
  return row ? st.Int(0) : 0;
}

Result<AccountRecord> SqliteTxn::LockAccount(const AccountKey& key, MemberId member,
                                             Timestamp now) {
  RequireWritable();
  // SQLite has one writer, so reading the row is enough to hold it; the PostgreSQL backend
  // selects it FOR UPDATE.
  ONECARD_TRY(std::optional<AccountRecord> found, FindAccount(key));
  if (found) return *found;
  ONECARD_TRY(Stmt st,
              Prepare("INSERT INTO accounts (tenant_id, holder_kind, holder_id, role, "
                      "asset, member_id, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)"));
  st.Bind(1, key.tenant.value).Bind(2, core::HolderKindName(key.holder_kind));
  st.Bind(3, key.holder_id).Bind(4, core::AccountRoleName(key.role));
  st.Bind(5, core::AssetName(key.asset)).BindId(6, member.value).Bind(7, now.micros);
  ONECARD_CHECK(st.Run());
  AccountRecord created;
  created.id = AccountId{conn_.LastInsertId()};
  created.key = key;
  created.member = member;
  return created;
}

Status SqliteTxn::SetCreditLimit(AccountId account, std::int64_t credit_limit) {
  RequireWritable();
  ONECARD_TRY(Stmt st, Prepare("UPDATE accounts SET credit_limit = ?2 "
                               "WHERE id = ?1 AND debt >= -?2"));
  st.Bind(1, account.value).Bind(2, credit_limit);
  ONECARD_CHECK(st.Run());
  if (conn_.Changes() != 1) {
    return core::MakeError(ErrorCode::kCreditLimitBelowDebt,
                           "the account owes more than the new credit limit", "credit_limit");
  }
  return {};
}

Status SqliteTxn::ApplyAccountChange(AccountId account, std::int64_t balance_before,
                                     std::int64_t balance_delta, std::int64_t debt_delta) {
  RequireWritable();
  // No RETURNING: SQLite materialises RETURNING rows in an ephemeral table, which costs more than
  // the update itself; the caller knows the balance it read under the writer's lock, and the
  // update only applies if the stored balance still is that.
  ONECARD_TRY(Stmt st, Prepare("UPDATE accounts SET balance = balance + ?3, debt = debt + ?4 "
                               "WHERE id = ?1 AND holder_kind = 'card' AND balance = ?2 "
                               "AND balance + ?3 >= -credit_limit "
                               "AND debt + ?4 <= 0 AND debt + ?4 >= -credit_limit"));
  st.Bind(1, account.value).Bind(2, balance_before).Bind(3, balance_delta).Bind(4, debt_delta);
  ONECARD_CHECK(st.Run());
  const std::int64_t changed = conn_.Changes();
  ONECARD_ASSERT(changed <= 1, "account update touched two rows");
  if (changed == 1) return {};
  ONECARD_TRY(Stmt check, Prepare("SELECT balance FROM accounts WHERE id = ?1"));
  check.Bind(1, account.value);
  ONECARD_TRY(bool row, check.Step());
  if (!row || check.Int(0) != balance_before) {
    return core::MakeError(ErrorCode::kInternal,
                           "account " + std::to_string(account.value) +
                               " changed under the writer's lock; nothing was written");
  }
  return core::MakeError(
      ErrorCode::kInsufficientBalance,
      "account " + std::to_string(account.value) + " would fall below its credit limit");
}

Result<EntryId> SqliteTxn::InsertEntry(const EntryRecord& e) {
  RequireWritable();
  ONECARD_TRY(Stmt st, Prepare("INSERT INTO entries (tenant_id, kind, doc_no, store_id, staff, "
                               "reason, at, member_id, card_id, reverses_entry_id, hold_id) "
                               "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)"));
  st.Bind(1, e.tenant.value).Bind(2, core::EntryKindName(e.kind)).Bind(3, e.doc_no);
  st.BindId(4, e.store.value).Bind(5, e.staff).Bind(6, e.reason).Bind(7, e.at.micros);
  st.BindId(8, e.member.value).BindId(9, e.card.value).BindId(10, e.reverses.value);
  st.BindId(11, e.hold.value);
  if (Status s = st.Run(); !s) {
    if (s.error().code == ErrorCode::kCodeTaken && e.reverses.valid()) {
      return core::MakeError(
          ErrorCode::kEntryAlreadyReversed,
          "entry " + std::to_string(e.reverses.value) + " has already been reversed", "entry");
    }
    return s.error();
  }
  return EntryId{conn_.LastInsertId()};
}

Status SqliteTxn::InsertPosting(TenantId tenant, const PostingRecord& p) {
  RequireWritable();
  ONECARD_TRY(Stmt st, Prepare("INSERT INTO postings (entry_id, tenant_id, account_id, asset, "
                               "amount, balance_after) VALUES (?1, ?2, ?3, ?4, ?5, ?6)"));
  st.Bind(1, p.entry.value).Bind(2, tenant.value).Bind(3, p.account.value);
  st.Bind(4, core::AssetName(p.asset)).Bind(5, p.amount).Bind(6, p.balance_after);
  return st.Run();
}

Result<LotId> SqliteTxn::InsertLot(const LotRecord& l) {
  RequireWritable();
  ONECARD_TRY(Stmt st,
              Prepare("INSERT INTO lots (tenant_id, account_id, asset, amount, remaining, "
                      "source, issuer_store_id, entry_id, origin_lot_id, created_at, "
                      "expires_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)"));
  st.Bind(1, l.tenant.value).Bind(2, l.account.value).Bind(3, core::AssetName(l.asset));
  st.Bind(4, l.amount).Bind(5, l.remaining).Bind(6, core::LotSourceName(l.source));
  st.BindId(7, l.issuer_store.value).Bind(8, l.entry.value).BindId(9, l.origin.value);
  st.Bind(10, l.created_at.micros);
  if (l.expires_at) {
    st.Bind(11, l.expires_at->micros);
  } else {
    st.BindNull(11);
  }
  ONECARD_CHECK(st.Run());
  return LotId{conn_.LastInsertId()};
}

Status SqliteTxn::InsertLotMove(TenantId tenant, const LotMoveRecord& m) {
  RequireWritable();
  ONECARD_TRY(Stmt st, Prepare("INSERT INTO lot_moves (entry_id, tenant_id, account_id, lot_id, "
                               "delta) VALUES (?1, ?2, ?3, ?4, ?5)"));
  st.Bind(1, m.entry.value).Bind(2, tenant.value).Bind(3, m.account.value);
  st.BindId(4, m.lot.value).Bind(5, m.delta);
  return st.Run();
}

Status SqliteTxn::ChangeLotRemaining(LotId lot, std::int64_t delta) {
  RequireWritable();
  ONECARD_TRY(Stmt st, Prepare("UPDATE lots SET remaining = remaining + ?2 WHERE id = ?1 "
                               "AND remaining + ?2 >= 0 AND remaining + ?2 <= amount"));
  st.Bind(1, lot.value).Bind(2, delta);
  ONECARD_CHECK(st.Run());
  if (conn_.Changes() != 1) {
    return core::MakeError(
        ErrorCode::kInsufficientBalance,
        "lot " + std::to_string(lot.value) + " cannot change by " + std::to_string(delta));
  }
  return {};
}

Result<std::vector<LotRecord>> SqliteTxn::ListOpenLots(AccountId account) {
  ONECARD_TRY(Stmt st, Prepare("SELECT " ONECARD_LOT_COLS
                               "FROM lots WHERE account_id = ?1 AND remaining > 0 ORDER BY id"));
  st.Bind(1, account.value);
  return ReadAll<LotRecord>(st, ReadLot);
}

Result<std::optional<LotRecord>> SqliteTxn::GetLot(LotId id) {
  ONECARD_TRY(Stmt st, Prepare("SELECT " ONECARD_LOT_COLS "FROM lots WHERE id = ?1"));
  st.Bind(1, id.value);
  return ReadOne<LotRecord>(st, ReadLot);
}

Result<std::vector<LotRecord>> SqliteTxn::ListLotsCreatedBy(EntryId entry) {
  ONECARD_TRY(Stmt st,
              Prepare("SELECT " ONECARD_LOT_COLS "FROM lots WHERE entry_id = ?1 ORDER BY id"));
  st.Bind(1, entry.value);
  return ReadAll<LotRecord>(st, ReadLot);
}

Result<std::optional<EntryRecord>> SqliteTxn::GetEntry(TenantId tenant, EntryId id) {
  ONECARD_TRY(
      Stmt st,
      Prepare("SELECT " ONECARD_ENTRY_COLS("") "FROM entries WHERE tenant_id = ?1 AND id = ?2"));
  st.Bind(1, tenant.value).Bind(2, id.value);
  return ReadOne<EntryRecord>(st, [](const Stmt& s) { return ReadEntry(s); });
}

Result<std::vector<PostingRecord>> SqliteTxn::ListPostings(EntryId entry) {
  ONECARD_TRY(Stmt st, Prepare("SELECT entry_id, account_id, asset, amount, balance_after "
                               "FROM postings WHERE entry_id = ?1 ORDER BY account_id"));
  st.Bind(1, entry.value);
  return ReadAll<PostingRecord>(st, [](const Stmt& s) -> Result<PostingRecord> {
    ONECARD_TRY(core::Asset asset, core::ParseAsset(s.Text(2), "asset"));
    return PostingRecord{EntryId{s.Int(0)}, AccountId{s.Int(1)}, asset, s.Int(3), s.OptInt(4)};
  });
}

Result<std::vector<LotMoveRecord>> SqliteTxn::ListLotMoves(EntryId entry) {
  ONECARD_TRY(Stmt st, Prepare("SELECT entry_id, account_id, COALESCE(lot_id, 0), delta "
                               "FROM lot_moves WHERE entry_id = ?1 ORDER BY id"));
  st.Bind(1, entry.value);
  return ReadAll<LotMoveRecord>(st, [](const Stmt& s) {
    return LotMoveRecord{EntryId{s.Int(0)}, AccountId{s.Int(1)}, LotId{s.Int(2)}, s.Int(3)};
  });
}

Result<std::optional<EntryId>> SqliteTxn::FindReversal(EntryId entry) {
  ONECARD_TRY(Stmt st, Prepare("SELECT id FROM entries WHERE reverses_entry_id = ?1"));
  st.Bind(1, entry.value);
  return ReadOne<EntryId>(st, [](const Stmt& s) { return EntryId{s.Int(0)}; });
}

// The page is chosen in entries first, so one entry's postings are never split across pages.
#define ONECARD_HISTORY_SQL(accounts_where) \
  "WITH acc AS (SELECT id, holder_id FROM accounts WHERE tenant_id = ?1 "                      \
  "  AND holder_kind = 'card' AND " accounts_where "), "                                       \
  "page AS (SELECT DISTINCT p.entry_id FROM postings p JOIN acc ON acc.id = p.account_id "     \
  "  WHERE (?3 = 0 OR p.entry_id < ?3) ORDER BY p.entry_id DESC LIMIT ?4) "                    \
  "SELECT " ONECARD_ENTRY_COLS("e.") ", p.account_id, p.asset, p.amount, p.balance_after, "    \
  "c.number FROM page JOIN postings p ON p.entry_id = page.entry_id "                          \
  "JOIN acc ON acc.id = p.account_id JOIN entries e ON e.id = p.entry_id "                      \
  "JOIN cards c ON c.id = acc.holder_id ORDER BY p.entry_id DESC, p.account_id"

Result<std::vector<HistoryRow>> SqliteTxn::History(const HistoryQuery& q) {
  ONECARD_TRY(Stmt st, q.card.valid() ? Prepare(ONECARD_HISTORY_SQL("holder_id = ?2"))
                                      : Prepare(ONECARD_HISTORY_SQL("member_id = ?2")));
  st.Bind(1, q.tenant.value).Bind(2, q.card.valid() ? q.card.value : q.member.value);
  st.Bind(3, q.before.value).Bind(4, std::int64_t{q.limit});
  return ReadAll<HistoryRow>(st, [](const Stmt& s) -> Result<HistoryRow> {
    HistoryRow row;
    ONECARD_TRY(row.entry, ReadEntry(s));
    row.posting.entry = row.entry.id;
    row.posting.account = AccountId{s.Int(12)};
    ONECARD_TRY(row.posting.asset, core::ParseAsset(s.Text(13), "asset"));
    row.posting.amount = s.Int(14);
    row.posting.balance_after = s.OptInt(15);
    row.card_number = s.Text(16);
    return row;
  });
}

Result<std::optional<HoldRecord>> SqliteTxn::GetHold(TenantId tenant, HoldId id) {
  ONECARD_TRY(Stmt st,
              Prepare("SELECT " ONECARD_HOLD_COLS "FROM holds WHERE tenant_id = ?1 AND id = ?2"));
  st.Bind(1, tenant.value).Bind(2, id.value);
  return ReadOne<HoldRecord>(st, ReadHold);
}

Result<std::vector<HoldRecord>> SqliteTxn::ListActiveHoldsOfCard(TenantId tenant, CardId card) {
  ONECARD_TRY(Stmt st, Prepare("SELECT " ONECARD_HOLD_COLS "FROM holds WHERE tenant_id = ?1 "
                               "AND card_id = ?2 AND status = 'active' ORDER BY id"));
  st.Bind(1, tenant.value).Bind(2, card.value);
  return ReadAll<HoldRecord>(st, ReadHold);
}

Result<std::vector<HoldRecord>> SqliteTxn::ListDueHolds(Timestamp now, int limit) {
  ONECARD_TRY(Stmt st, Prepare("SELECT " ONECARD_HOLD_COLS "FROM holds WHERE status = 'active' "
                               "AND expires_at <= ?1 ORDER BY expires_at, id LIMIT ?2"));
  st.Bind(1, now.micros).Bind(2, std::int64_t{limit});
  return ReadAll<HoldRecord>(st, ReadHold);
}

Result<HoldId> SqliteTxn::InsertHold(const HoldRecord& h) {
  RequireWritable();
  ONECARD_TRY(Stmt st, Prepare("INSERT INTO holds (tenant_id, card_id, member_id, selection, "
                               "amount, captured, status, created_at, expires_at, hold_entry_id, "
                               "close_entry_id, store_id, staff, doc_no) VALUES (?1, ?2, ?3, ?4, "
                               "?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)"));
  st.Bind(1, h.tenant.value).Bind(2, h.card.value).BindId(3, h.member.value);
  st.Bind(4, core::AssetSelectionName(h.selection)).Bind(5, h.amount).Bind(6, h.captured);
  st.Bind(7, HoldStatusName(h.status)).Bind(8, h.created_at.micros).Bind(9, h.expires_at.micros);
  st.Bind(10, h.hold_entry.value).BindId(11, h.close_entry.value).BindId(12, h.store.value);
  st.Bind(13, h.staff).Bind(14, h.doc_no);
  ONECARD_CHECK(st.Run());
  return HoldId{conn_.LastInsertId()};
}

Status SqliteTxn::UpdateHold(const HoldRecord& h) {
  RequireWritable();
  ONECARD_TRY(Stmt st, Prepare("UPDATE holds SET status = ?3, captured = ?4, close_entry_id = ?5 "
                               "WHERE tenant_id = ?1 AND id = ?2"));
  st.Bind(1, h.tenant.value).Bind(2, h.id.value).Bind(3, HoldStatusName(h.status));
  st.Bind(4, h.captured).BindId(5, h.close_entry.value);
  return st.Run();
}

Result<std::vector<AccountId>> SqliteTxn::ListAccountsWithExpiringLots(TenantId tenant,
                                                                       Timestamp cutoff,
                                                                       AccountId after, int limit) {
  ONECARD_TRY(Stmt st, Prepare("SELECT DISTINCT account_id FROM lots WHERE tenant_id = ?1 "
                               "AND remaining > 0 AND expires_at IS NOT NULL AND expires_at <= ?2 "
                               "AND account_id > ?3 "
                               "ORDER BY account_id LIMIT ?4"));
  st.Bind(1, tenant.value).Bind(2, cutoff.micros).Bind(3, after.value);
  st.Bind(4, std::int64_t{limit});
  return ReadAll<AccountId>(st, [](const Stmt& s) { return AccountId{s.Int(0)}; });
}

Result<std::optional<IdempotencyRecord>> SqliteTxn::FindIdempotency(TenantId tenant,
                                                                    std::string_view key) {
  ONECARD_TRY(Stmt st, Prepare("SELECT digest, reply FROM idempotency_keys "
                               "WHERE tenant_id = ?1 AND key = ?2"));
  st.Bind(1, tenant.value).Bind(2, key);
  return ReadOne<IdempotencyRecord>(st, [](const Stmt& s) {
    return IdempotencyRecord{s.Text(0), s.Text(1)};
  });
}

Status SqliteTxn::InsertIdempotency(TenantId tenant, std::string_view key,
                                    const IdempotencyRecord& r, Timestamp at) {
  RequireWritable();
  ONECARD_TRY(Stmt st, Prepare("INSERT INTO idempotency_keys (tenant_id, key, digest, reply, "
                               "created_at) VALUES (?1, ?2, ?3, ?4, ?5)"));
  st.Bind(1, tenant.value).Bind(2, key).Bind(3, r.digest).Bind(4, r.reply).Bind(5, at.micros);
  return st.Run();
}

}  // namespace onecard::storage::sqlite
