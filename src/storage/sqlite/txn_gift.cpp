// SqliteTxn: gift cards — batches, the cards' gift records, wrong PINs, movements on gift cards
// and reconciliation reports.
#include "storage/sqlite/rows.hpp"
#include "storage/sqlite/txn.hpp"

namespace onecard::storage::sqlite {
namespace {

#define ONECARD_GIFT_BATCH_COLS                                                              \
  "SELECT id, tenant_id, code, name, card_type_id, face_value, origin, cards, valid_until, " \
  "secret_id, COALESCE(store_id, 0), created_by, created_at FROM gift_batches "

#define ONECARD_GIFT_CARD_COLS                                                             \
  "SELECT card_id, tenant_id, batch_id, face_value, pin_hash, failed_pins, locked_until, " \
  "COALESCE(activation_entry_id, 0) FROM gift_cards "

#define ONECARD_GIFT_REPORT_COLS                                                             \
  "SELECT id, tenant_id, at, staff, COALESCE(previous_id, 0), previous_at, after_entry_id, " \
  "last_entry_id, opening, closing "

// Cards' gift_value accounts (and their postings and entries), for the movement queries: gift
// cards, and any card loaded with gift value before gift cards came in batches (no batch code).
#define ONECARD_GIFT_POSTINGS                                                              \
  "FROM postings p JOIN accounts a ON a.id = p.account_id "                                \
  "LEFT JOIN gift_cards g ON g.card_id = a.holder_id JOIN entries e ON e.id = p.entry_id " \
  "JOIN cards c ON c.id = a.holder_id LEFT JOIN gift_batches b ON b.id = g.batch_id "      \
  "LEFT JOIN stores s ON s.id = e.store_id "                                               \
  "WHERE a.tenant_id = ?1 AND a.holder_kind = 'card' AND a.role = 'holder' "               \
  "AND a.asset = 'gift_value' "

Result<GiftBatchRecord> ReadBatch(const Stmt& st) {
  GiftBatchRecord b;
  b.id = st.Int(0);
  b.tenant = TenantId{st.Int(1)};
  b.code = st.Text(2);
  b.name = st.Text(3);
  b.card_type = CardTypeId{st.Int(4)};
  b.face_value = st.Int(5);
  b.origin = st.Text(6);
  b.cards = st.Int(7);
  ONECARD_TRY(b.valid_until, OptDate(st, 8, "valid_until"));
  b.secret_id = st.Text(9);
  b.store = StoreId{st.Int(10)};
  b.created_by = st.Text(11);
  b.created_at = Timestamp{st.Int(12)};
  return b;
}

GiftCardRecord ReadGiftCard(const Stmt& st) {
  GiftCardRecord g;
  g.card = CardId{st.Int(0)};
  g.tenant = TenantId{st.Int(1)};
  g.batch = st.Int(2);
  g.face_value = st.Int(3);
  g.pin_hash = st.Text(4);
  g.failed_pins = static_cast<int>(st.Int(5));
  g.locked_until = OptTime(st, 6);
  g.activation_entry = EntryId{st.Int(7)};
  return g;
}

GiftReportRecord ReadReport(const Stmt& st) {
  GiftReportRecord r;
  r.id = st.Int(0);
  r.tenant = TenantId{st.Int(1)};
  r.at = Timestamp{st.Int(2)};
  r.staff = st.Text(3);
  r.previous_id = st.Int(4);
  r.previous_at = OptTime(st, 5);
  r.after_entry = st.Int(6);
  r.last_entry = st.Int(7);
  r.opening = st.Int(8);
  r.closing = st.Int(9);
  return r;
}

}  // namespace

Result<std::optional<GiftBatchRecord>> SqliteTxn::FindGiftBatch(TenantId tenant,
                                                                std::string_view code) {
  ONECARD_TRY(Stmt st, Prepare(ONECARD_GIFT_BATCH_COLS "WHERE tenant_id = ?1 AND code = ?2"));
  st.Bind(1, tenant.value).Bind(2, code);
  return ReadOne<GiftBatchRecord>(st, ReadBatch);
}

Result<std::optional<GiftBatchRecord>> SqliteTxn::GetGiftBatch(TenantId tenant, std::int64_t id) {
  ONECARD_TRY(Stmt st, Prepare(ONECARD_GIFT_BATCH_COLS "WHERE tenant_id = ?1 AND id = ?2"));
  st.Bind(1, tenant.value).Bind(2, id);
  return ReadOne<GiftBatchRecord>(st, ReadBatch);
}

Result<std::vector<GiftBatchRecord>> SqliteTxn::ListGiftBatches(TenantId tenant) {
  ONECARD_TRY(Stmt st, Prepare(ONECARD_GIFT_BATCH_COLS "WHERE tenant_id = ?1 ORDER BY id DESC"));
  st.Bind(1, tenant.value);
  return ReadAll<GiftBatchRecord>(st, ReadBatch);
}

Result<std::optional<GiftCardRecord>> SqliteTxn::GetGiftCard(TenantId tenant, CardId card) {
  ONECARD_TRY(Stmt st, Prepare(ONECARD_GIFT_CARD_COLS "WHERE tenant_id = ?1 AND card_id = ?2"));
  st.Bind(1, tenant.value).Bind(2, card.value);
  return ReadOne<GiftCardRecord>(st, ReadGiftCard);
}

Result<std::vector<GiftCardRow>> SqliteTxn::ListGiftCardsOfBatch(TenantId tenant,
                                                                 std::int64_t batch, CardId after,
                                                                 int limit) {
  ONECARD_TRY(Stmt st, Prepare(ONECARD_GIFT_CARD_COLS
                               "WHERE tenant_id = ?1 AND batch_id = ?2 AND card_id > ?3 "
                               "ORDER BY card_id LIMIT ?4"));
  st.Bind(1, tenant.value).Bind(2, batch).Bind(3, after.value).Bind(4, std::int64_t{limit});
  ONECARD_TRY(std::vector<GiftCardRecord> gifts, ReadAll<GiftCardRecord>(st, ReadGiftCard));
  ONECARD_TRY(std::optional<GiftBatchRecord> b, GetGiftBatch(tenant, batch));
  std::vector<GiftCardRow> out;
  out.reserve(gifts.size());
  for (GiftCardRecord& g : gifts) {
    ONECARD_TRY(std::optional<CardRecord> card, GetCard(tenant, g.card));
    if (!card) {
      return core::MakeError(core::ErrorCode::kStorageFailure,
                             "gift card " + std::to_string(g.card.value) + " has no card row");
    }
    GiftCardRow row;
    row.card = std::move(*card);
    row.gift = std::move(g);
    row.batch_code = b ? b->code : "";
    ONECARD_TRY(Stmt bal, Prepare("SELECT balance FROM accounts WHERE tenant_id = ?1 AND "
                                  "holder_kind = 'card' AND holder_id = ?2 AND role = 'holder' "
                                  "AND asset = 'gift_value'"));
    bal.Bind(1, tenant.value).Bind(2, row.card.id.value);
    ONECARD_TRY(bool found, bal.Step());
    row.balance = found ? bal.Int(0) : 0;
    out.push_back(std::move(row));
  }
  return out;
}

Result<std::vector<ReadTxn::GiftBatchState>> SqliteTxn::SumGiftBatch(TenantId tenant,
                                                                     std::int64_t batch) {
  ONECARD_TRY(Stmt st,
              Prepare("SELECT c.state, count(*), COALESCE(sum(a.balance), 0) FROM gift_cards g "
                      "JOIN cards c ON c.id = g.card_id "
                      "LEFT JOIN accounts a ON a.tenant_id = g.tenant_id AND "
                      "  a.holder_kind = 'card' AND a.holder_id = g.card_id AND "
                      "  a.role = 'holder' AND a.asset = 'gift_value' "
                      "WHERE g.tenant_id = ?1 AND g.batch_id = ?2 GROUP BY c.state ORDER BY 1"));
  st.Bind(1, tenant.value).Bind(2, batch);
  return ReadAll<GiftBatchState>(st, [](const Stmt& s) {
    return GiftBatchState{s.Text(0), s.Int(1), s.Int(2)};
  });
}

Result<std::pair<std::int64_t, std::int64_t>> SqliteTxn::CountGiftPinFailures(
    TenantId tenant, std::string_view who, std::string_view client, Timestamp since) {
  ONECARD_TRY(Stmt st,
              Prepare("SELECT "
                      "(SELECT count(*) FROM gift_pin_failures "
                      "  WHERE tenant_id = ?1 AND who = ?2 AND at >= ?4), "
                      "(SELECT count(*) FROM gift_pin_failures "
                      "  WHERE tenant_id = ?1 AND ?3 <> '' AND client = ?3 AND at >= ?4)"));
  st.Bind(1, tenant.value).Bind(2, who).Bind(3, client).Bind(4, since.micros);
  ONECARD_TRY(bool row, st.Step());
  if (!row) return std::pair<std::int64_t, std::int64_t>{0, 0};
  return std::pair<std::int64_t, std::int64_t>{st.Int(0), st.Int(1)};
}

Result<std::vector<GiftMovementRecord>> SqliteTxn::ListGiftMovements(TenantId tenant,
                                                                     const GiftMovementFilter& f) {
  std::string kinds;
  for (const std::string& k : f.kinds) kinds += (kinds.empty() ? "" : ",") + k;
  ONECARD_TRY(
      Stmt st,
      Prepare("SELECT p.entry_id, e.kind, e.at, COALESCE(s.code, ''), e.doc_no, e.staff, "
              "c.number, COALESCE(b.code, ''), p.amount, COALESCE(p.balance_after, "
              "0) " ONECARD_GIFT_POSTINGS "AND p.entry_id > ?2 AND (?3 IS NULL OR e.at >= ?3) "
              "AND (?4 IS NULL OR e.at < ?4) "
              "AND (?5 = '' OR instr(',' || ?5 || ',', ',' || e.kind || ',') > 0) "
              "AND (?6 = '' OR b.code = ?6) "
              "ORDER BY p.entry_id, p.account_id LIMIT ?7"));
  st.Bind(1, tenant.value).Bind(2, f.after_entry).Bind(3, OptMicros(f.from));
  st.Bind(4, OptMicros(f.to)).Bind(5, kinds).Bind(6, f.batch).Bind(7, std::int64_t{f.limit});
  return ReadAll<GiftMovementRecord>(st, [](const Stmt& s) {
    GiftMovementRecord m;
    m.entry = EntryId{s.Int(0)};
    m.kind = s.Text(1);
    m.at = Timestamp{s.Int(2)};
    m.store = s.Text(3);
    m.doc_no = s.Text(4);
    m.staff = s.Text(5);
    m.number = s.Text(6);
    m.batch = s.Text(7);
    m.amount = s.Int(8);
    m.balance_after = s.Int(9);
    return m;
  });
}

Result<std::vector<GiftTotalsRow>> SqliteTxn::SumGiftMovements(TenantId tenant,
                                                               std::int64_t after_entry,
                                                               std::int64_t last_entry) {
  ONECARD_TRY(Stmt st, Prepare("SELECT e.kind, COALESCE(s.code, ''), count(*), "
                               "COALESCE(sum(max(p.amount, 0)), 0), "
                               "COALESCE(sum(min(p.amount, 0)), 0) " ONECARD_GIFT_POSTINGS
                               "AND p.entry_id > ?2 AND p.entry_id <= ?3 "
                               "GROUP BY e.kind, s.code ORDER BY e.kind, s.code"));
  st.Bind(1, tenant.value).Bind(2, after_entry).Bind(3, last_entry);
  return ReadAll<GiftTotalsRow>(st, [](const Stmt& s) {
    return GiftTotalsRow{s.Text(0), s.Text(1), s.Int(2), s.Int(3), s.Int(4)};
  });
}

Result<std::pair<std::int64_t, std::int64_t>> SqliteTxn::SumGiftBalances(TenantId tenant) {
  ONECARD_TRY(Stmt st, Prepare("SELECT COALESCE(sum(a.balance), 0), "
                               "COALESCE(sum(a.balance <> 0), 0) FROM accounts a "
                               "WHERE a.tenant_id = ?1 AND a.holder_kind = 'card' AND "
                               "a.role = 'holder' AND a.asset = 'gift_value'"));
  st.Bind(1, tenant.value);
  ONECARD_TRY(bool row, st.Step());
  if (!row) return std::pair<std::int64_t, std::int64_t>{0, 0};
  return std::pair<std::int64_t, std::int64_t>{st.Int(0), st.Int(1)};
}

Result<std::int64_t> SqliteTxn::MaxEntryId() {
  ONECARD_TRY(Stmt st, Prepare("SELECT COALESCE(max(id), 0) FROM entries"));
  ONECARD_TRY(bool row, st.Step());
  return row ? st.Int(0) : 0;
}

Result<std::optional<GiftReportRecord>> SqliteTxn::GetGiftReport(TenantId tenant, std::int64_t id) {
  ONECARD_TRY(Stmt st, Prepare(ONECARD_GIFT_REPORT_COLS
                               ", detail FROM gift_reports WHERE tenant_id = ?1 AND id = ?2"));
  st.Bind(1, tenant.value).Bind(2, id);
  return ReadOne<GiftReportRecord>(st, [](const Stmt& s) {
    GiftReportRecord r = ReadReport(s);
    r.detail = s.Text(10);
    return r;
  });
}

Result<std::optional<GiftReportRecord>> SqliteTxn::LatestGiftReport(TenantId tenant) {
  ONECARD_TRY(Stmt st, Prepare(ONECARD_GIFT_REPORT_COLS ", detail FROM gift_reports "
                                                        "WHERE tenant_id = ?1 ORDER BY id DESC "
                                                        "LIMIT 1"));
  st.Bind(1, tenant.value);
  return ReadOne<GiftReportRecord>(st, [](const Stmt& s) {
    GiftReportRecord r = ReadReport(s);
    r.detail = s.Text(10);
    return r;
  });
}

Result<std::vector<GiftReportRecord>> SqliteTxn::ListGiftReports(TenantId tenant,
                                                                 std::int64_t before, int limit) {
  ONECARD_TRY(Stmt st, Prepare(ONECARD_GIFT_REPORT_COLS
                               "FROM gift_reports WHERE tenant_id = ?1 AND (?2 = 0 OR id < ?2) "
                               "ORDER BY id DESC LIMIT ?3"));
  st.Bind(1, tenant.value).Bind(2, before).Bind(3, std::int64_t{limit});
  return ReadAll<GiftReportRecord>(st, ReadReport);
}

Result<std::int64_t> SqliteTxn::InsertGiftBatch(const GiftBatchRecord& b) {
  RequireWritable();
  ONECARD_TRY(Stmt st, Prepare("INSERT INTO gift_batches (tenant_id, code, name, card_type_id, "
                               "face_value, origin, cards, valid_until, secret_id, store_id, "
                               "created_by, created_at) "
                               "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)"));
  st.Bind(1, b.tenant.value).Bind(2, b.code).Bind(3, b.name).Bind(4, b.card_type.value);
  st.Bind(5, b.face_value).Bind(6, b.origin).Bind(7, b.cards);
  BindOptDate(st, 8, b.valid_until);
  st.Bind(9, b.secret_id).BindId(10, b.store.value).Bind(11, b.created_by);
  st.Bind(12, b.created_at.micros);
  ONECARD_CHECK(st.Run());
  return conn_.LastInsertId();
}

Status SqliteTxn::InsertGiftCard(const GiftCardRecord& g) {
  RequireWritable();
  ONECARD_TRY(Stmt st, Prepare("INSERT INTO gift_cards (card_id, tenant_id, batch_id, face_value, "
                               "pin_hash, failed_pins, locked_until, activation_entry_id) "
                               "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"));
  st.Bind(1, g.card.value).Bind(2, g.tenant.value).Bind(3, g.batch).Bind(4, g.face_value);
  st.Bind(5, g.pin_hash).Bind(6, std::int64_t{g.failed_pins}).Bind(7, OptMicros(g.locked_until));
  st.BindId(8, g.activation_entry.value);
  return st.Run();
}

Status SqliteTxn::UpdateGiftCard(const GiftCardRecord& g) {
  RequireWritable();
  ONECARD_TRY(Stmt st, Prepare("UPDATE gift_cards SET pin_hash = ?3, failed_pins = ?4, "
                               "locked_until = ?5, activation_entry_id = ?6 "
                               "WHERE tenant_id = ?1 AND card_id = ?2"));
  st.Bind(1, g.tenant.value).Bind(2, g.card.value).Bind(3, g.pin_hash);
  st.Bind(4, std::int64_t{g.failed_pins}).Bind(5, OptMicros(g.locked_until));
  st.BindId(6, g.activation_entry.value);
  return st.Run();
}

Status SqliteTxn::InsertGiftPinFailure(const GiftPinFailureRecord& f, Timestamp forget_before) {
  RequireWritable();
  {
    ONECARD_TRY(Stmt del,
                Prepare("DELETE FROM gift_pin_failures WHERE tenant_id = ?1 AND at < ?2"));
    del.Bind(1, f.tenant.value).Bind(2, forget_before.micros);
    ONECARD_CHECK(del.Run());
  }
  ONECARD_TRY(Stmt st, Prepare("INSERT INTO gift_pin_failures (tenant_id, who, client, card_id, "
                               "at) VALUES (?1, ?2, ?3, ?4, ?5)"));
  st.Bind(1, f.tenant.value).Bind(2, f.who).Bind(3, f.client).BindId(4, f.card.value);
  st.Bind(5, f.at.micros);
  return st.Run();
}

Result<std::int64_t> SqliteTxn::InsertGiftReport(const GiftReportRecord& r) {
  RequireWritable();
  ONECARD_TRY(Stmt st, Prepare("INSERT INTO gift_reports (tenant_id, at, staff, previous_id, "
                               "previous_at, after_entry_id, last_entry_id, opening, closing, "
                               "detail) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)"));
  st.Bind(1, r.tenant.value).Bind(2, r.at.micros).Bind(3, r.staff).BindId(4, r.previous_id);
  st.Bind(5, OptMicros(r.previous_at)).Bind(6, r.after_entry).Bind(7, r.last_entry);
  st.Bind(8, r.opening).Bind(9, r.closing).Bind(10, r.detail);
  ONECARD_CHECK(st.Run());
  return conn_.LastInsertId();
}

}  // namespace onecard::storage::sqlite
