// SqliteTxn: sales, member state, tier changes and job runs.
#include "core/assert.hpp"
#include "storage/sqlite/rows.hpp"
#include "storage/sqlite/txn.hpp"

namespace onecard::storage::sqlite {
namespace {

std::optional<int> OptSmall(const Stmt& st, int column) {
  if (st.IsNull(column)) return std::nullopt;
  return static_cast<int>(st.Int(column));
}

std::optional<std::int64_t> OptWide(const std::optional<int>& v) {
  if (!v) return std::nullopt;
  return std::int64_t{*v};
}

Result<SaleRecord> ReadSale(const Stmt& st) {
  SaleRecord r;
  r.id = st.Int(0);
  r.tenant = TenantId{st.Int(1)};
  r.member = MemberId{st.Int(2)};
  r.card = CardId{st.Int(3)};
  r.store = StoreId{st.Int(4)};
  r.doc_no = st.Text(5);
  r.staff = st.Text(6);
  r.at = Timestamp{st.Int(7)};
  ONECARD_TRY(r.business_date, core::CivilDate::Parse(st.Text(8), "business_date"));
  r.programme_version = OptSmall(st, 9);
  r.tier_before = st.Text(10);
  r.tier = st.Text(11);
  r.tier_after = st.Text(12);
  r.list_total = st.Int(13);
  r.discount_total = st.Int(14);
  r.paid_total = st.Int(15);
  r.points_earned = st.Int(16);
  r.point_asset = st.Text(17);
  r.points_spent = st.Int(18);
  r.points_value = st.Int(19);
  r.entry = EntryId{st.Int(20)};
  r.explain = st.Text(21);
  ONECARD_TRY(r.status, ParseSaleStatus(st.Text(22)));
  r.hold_entry = EntryId{st.Int(23)};
  r.hold_expires_at = OptTime(st, 24);
  r.closed_at = OptTime(st, 25);
  r.close_reason = st.Text(26);
  ONECARD_TRY(r.points_expire_on, OptDate(st, 27, "points_expire_on"));
  r.carried_before = st.Int(28);
  r.carried_after = st.Int(29);
  r.tier_reason = st.Text(30);
  return r;
}

Result<MemberStateRecord> ReadState(const Stmt& st) {
  MemberStateRecord r;
  r.member = MemberId{st.Int(0)};
  r.tenant = TenantId{st.Int(1)};
  r.tier = st.Text(2);
  r.tier_since = OptTime(st, 3);
  r.downgraded_from = st.Text(4);
  r.spend_since_downgrade = st.Int(5);
  r.cumulative_spend = st.Int(6);
  r.cumulative_points = st.Int(7);
  r.carried_fen = st.Int(8);
  r.purchases = st.Int(9);
  r.last_purchase_at = OptTime(st, 10);
  if (!st.IsNull(11)) {
    ONECARD_TRY(r.reviewed_to, core::CivilDate::Parse(st.Text(11), "reviewed_to"));
  }
  r.updated_at = Timestamp{st.Int(12)};
  return r;
}

SaleLineRecord ReadLine(const Stmt& s, int from) {
  SaleLineRecord l;
  l.line_no = static_cast<int>(s.Int(from));
  l.sku = s.Text(from + 1);
  l.item_class = s.Text(from + 2);
  l.categories = s.Text(from + 3);
  l.non_earning = s.Int(from + 4) != 0;
  l.quantity = s.Int(from + 5);
  l.unit_price = s.Int(from + 6);
  l.list = s.Int(from + 7);
  l.discount = s.Int(from + 8);
  l.paid = s.Int(from + 9);
  l.points = s.Int(from + 10);
  l.pass_card = CardId{s.Int(from + 11)};
  return l;
}

#define ONECARD_SALE_HOLD_COLS                                                     \
  "status, COALESCE(hold_entry_id, 0), hold_expires_at, closed_at, close_reason, " \
  "points_expire_on, carried_before, carried_after, tier_reason "

#define ONECARD_SALE_COLS                                                                         \
  "SELECT id, tenant_id, COALESCE(member_id, 0), COALESCE(card_id, 0), store_id, doc_no, staff, " \
  "at, business_date, programme_version, tier_before, tier, tier_after, list_total, "             \
  "discount_total, paid_total, points_earned, point_asset, points_spent, points_value, "          \
  "COALESCE(entry_id, 0), explain, " ONECARD_SALE_HOLD_COLS "FROM sales "

#define ONECARD_STATE_COLS                                                                       \
  "SELECT member_id, tenant_id, tier, tier_since, downgraded_from, spend_since_downgrade, "      \
  "cumulative_spend, cumulative_points, carried_fen, purchases, last_purchase_at, reviewed_to, " \
  "updated_at FROM member_states "

}  // namespace

Result<std::optional<SaleRecord>> SqliteTxn::GetSale(TenantId tenant, std::int64_t id) {
  ONECARD_TRY(Stmt st, Prepare(ONECARD_SALE_COLS "WHERE tenant_id = ?1 AND id = ?2"));
  st.Bind(1, tenant.value).Bind(2, id);
  ONECARD_TRY(std::optional<SaleRecord> sale, ReadOne<SaleRecord>(st, ReadSale));
  if (!sale) return sale;
  ONECARD_TRY(Stmt lines, Prepare("SELECT line_no, sku, item_class, categories, non_earning, "
                                  "quantity, unit_price, list, discount, paid, points, "
                                  "COALESCE(pass_card_id, 0) "
                                  "FROM sale_lines WHERE sale_id = ?1 ORDER BY line_no"));
  lines.Bind(1, id);
  ONECARD_TRY(sale->lines,
              ReadAll<SaleLineRecord>(lines, [](const Stmt& s) { return ReadLine(s, 0); }));
  ONECARD_TRY(Stmt tenders,
              Prepare("SELECT seq, method, amount, points, reference, "
                      "COALESCE(card_id, 0) FROM sale_tenders WHERE sale_id = ?1 ORDER BY seq"));
  tenders.Bind(1, id);
  ONECARD_TRY(sale->tenders, ReadAll<SaleTenderRecord>(tenders, [](const Stmt& s) {
                SaleTenderRecord t;
                t.seq = static_cast<int>(s.Int(0));
                t.method = s.Text(1);
                t.amount = s.Int(2);
                t.points = s.Int(3);
                t.reference = s.Text(4);
                t.card = CardId{s.Int(5)};
                return t;
              }));
  return sale;
}

namespace {

#define ONECARD_RETURN_COLS                                                              \
  "SELECT id, tenant_id, sale_id, COALESCE(member_id, 0), store_id, doc_no, staff, at, " \
  "business_date, reason, refund_total, deducted, points_taken_back, points_short, "     \
  "points_restored, tier_before, tier_after, COALESCE(entry_id, 0) FROM sale_returns "

Result<ReturnRecord> ReadReturn(const Stmt& st) {
  ReturnRecord r;
  r.id = st.Int(0);
  r.tenant = TenantId{st.Int(1)};
  r.sale_id = st.Int(2);
  r.member = MemberId{st.Int(3)};
  r.store = StoreId{st.Int(4)};
  r.doc_no = st.Text(5);
  r.staff = st.Text(6);
  r.at = Timestamp{st.Int(7)};
  ONECARD_TRY(r.business_date, core::CivilDate::Parse(st.Text(8), "business_date"));
  r.reason = st.Text(9);
  r.refund_total = st.Int(10);
  r.deducted = st.Int(11);
  r.points_taken_back = st.Int(12);
  r.points_short = st.Int(13);
  r.points_restored = st.Int(14);
  r.tier_before = st.Text(15);
  r.tier_after = st.Text(16);
  r.entry = EntryId{st.Int(17)};
  return r;
}

}  // namespace

Status SqliteTxn::ReadReturnDetail(ReturnRecord& r) {
  ONECARD_TRY(Stmt lines, Prepare("SELECT line_no, quantity, list, discount, paid, points "
                                  "FROM return_lines WHERE return_id = ?1 ORDER BY line_no"));
  lines.Bind(1, r.id);
  ONECARD_TRY(r.lines, ReadAll<ReturnLineRecord>(lines, [](const Stmt& s) {
                return ReturnLineRecord{
                    static_cast<int>(s.Int(0)), s.Int(1), s.Int(2), s.Int(3), s.Int(4), s.Int(5)};
              }));
  ONECARD_TRY(Stmt tenders, Prepare("SELECT seq, method, amount, deducted, points "
                                    "FROM return_tenders WHERE return_id = ?1 ORDER BY seq"));
  tenders.Bind(1, r.id);
  ONECARD_TRY(r.tenders, ReadAll<ReturnTenderRecord>(tenders, [](const Stmt& s) {
                return ReturnTenderRecord{static_cast<int>(s.Int(0)), s.Text(1), s.Int(2), s.Int(3),
                                          s.Int(4)};
              }));
  return {};
}

Result<std::vector<ReturnRecord>> SqliteTxn::ListReturnsOfSale(TenantId tenant, std::int64_t sale) {
  ONECARD_TRY(Stmt st,
              Prepare(ONECARD_RETURN_COLS "WHERE sale_id = ?2 AND tenant_id = ?1 ORDER BY id"));
  st.Bind(1, tenant.value).Bind(2, sale);
  ONECARD_TRY(std::vector<ReturnRecord> out, ReadAll<ReturnRecord>(st, ReadReturn));
  for (ReturnRecord& r : out) ONECARD_CHECK(ReadReturnDetail(r));
  return out;
}

Result<std::optional<ReturnRecord>> SqliteTxn::GetReturn(TenantId tenant, std::int64_t id) {
  ONECARD_TRY(Stmt st, Prepare(ONECARD_RETURN_COLS "WHERE tenant_id = ?1 AND id = ?2"));
  st.Bind(1, tenant.value).Bind(2, id);
  ONECARD_TRY(std::optional<ReturnRecord> r, ReadOne<ReturnRecord>(st, ReadReturn));
  if (r) ONECARD_CHECK(ReadReturnDetail(*r));
  return r;
}

Result<std::optional<std::int64_t>> SqliteTxn::FindReturnId(TenantId tenant, StoreId store,
                                                            std::string_view doc_no) {
  ONECARD_TRY(Stmt st, Prepare("SELECT id FROM sale_returns WHERE tenant_id = ?1 "
                               "AND store_id = ?2 AND doc_no = ?3"));
  st.Bind(1, tenant.value).Bind(2, store.value).Bind(3, doc_no);
  return ReadOne<std::int64_t>(st, [](const Stmt& s) { return s.Int(0); });
}

Result<std::int64_t> SqliteTxn::InsertReturn(const ReturnRecord& r) {
  RequireWritable();
  ONECARD_TRY(Stmt st,
              Prepare("INSERT INTO sale_returns (tenant_id, sale_id, member_id, store_id, doc_no, "
                      "staff, at, business_date, reason, refund_total, deducted, "
                      "points_taken_back, points_short, points_restored, tier_before, tier_after, "
                      "entry_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, "
                      "?14, ?15, ?16, ?17)"));
  st.Bind(1, r.tenant.value).Bind(2, r.sale_id).BindId(3, r.member.value);
  st.Bind(4, r.store.value).Bind(5, r.doc_no).Bind(6, r.staff).Bind(7, r.at.micros);
  st.Bind(8, r.business_date.ToString()).Bind(9, r.reason).Bind(10, r.refund_total);
  st.Bind(11, r.deducted).Bind(12, r.points_taken_back).Bind(13, r.points_short);
  st.Bind(14, r.points_restored).Bind(15, r.tier_before).Bind(16, r.tier_after);
  st.BindId(17, r.entry.value);
  ONECARD_CHECK(st.Run());
  const std::int64_t id = conn_.LastInsertId();
  for (const ReturnLineRecord& l : r.lines) {
    ONECARD_TRY(Stmt line, Prepare("INSERT INTO return_lines (return_id, line_no, tenant_id, "
                                   "sale_id, quantity, list, discount, paid, points) "
                                   "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)"));
    line.Bind(1, id).Bind(2, std::int64_t{l.line_no}).Bind(3, r.tenant.value);
    line.Bind(4, r.sale_id).Bind(5, l.quantity).Bind(6, l.list).Bind(7, l.discount);
    line.Bind(8, l.paid).Bind(9, l.points);
    ONECARD_CHECK(line.Run());
  }
  for (const ReturnTenderRecord& t : r.tenders) {
    ONECARD_TRY(Stmt tender, Prepare("INSERT INTO return_tenders (return_id, seq, tenant_id, "
                                     "sale_id, method, amount, deducted, points) "
                                     "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"));
    tender.Bind(1, id).Bind(2, std::int64_t{t.seq}).Bind(3, r.tenant.value);
    tender.Bind(4, r.sale_id).Bind(5, t.method).Bind(6, t.amount).Bind(7, t.deducted);
    tender.Bind(8, t.points);
    ONECARD_CHECK(tender.Run());
  }
  return id;
}

Status SqliteTxn::ForEachSale(TenantId tenant, core::CivilDate first, core::CivilDate last,
                              const std::function<Status(const SaleRecord&)>& fn) {
  // The ids of the period's sales bound two cursors that need no sorting — the sales by rowid
  // and their lines by primary key — merged by sale id. (The unary + keeps SQLite from reading
  // the sales through the date index, which would need a sort by id.)
  ONECARD_TRY(Stmt range, Prepare("SELECT min(id), max(id) FROM sales WHERE tenant_id = ?1 "
                                  "AND business_date BETWEEN ?2 AND ?3"));
  range.Bind(1, tenant.value).Bind(2, first.ToString()).Bind(3, last.ToString());
  ONECARD_TRY(bool any, range.Step());
  if (!any || range.IsNull(0)) return {};
  const std::int64_t low = range.Int(0);
  const std::int64_t high = range.Int(1);
  ONECARD_TRY(Stmt sales,
              Prepare("SELECT id, tenant_id, COALESCE(member_id, 0), COALESCE(card_id, 0), "
                      "store_id, doc_no, staff, at, business_date, programme_version, "
                      "tier_before, tier, tier_after, list_total, discount_total, paid_total, "
                      "points_earned, point_asset, points_spent, points_value, "
                      "COALESCE(entry_id, 0), '', " ONECARD_SALE_HOLD_COLS
                      "FROM sales WHERE id BETWEEN ?4 AND ?5 AND +tenant_id = ?1 "
                      "AND +business_date BETWEEN ?2 AND ?3 AND +status = 'settled' ORDER BY id"));
  sales.Bind(1, tenant.value).Bind(2, first.ToString()).Bind(3, last.ToString());
  sales.Bind(4, low).Bind(5, high);
  ONECARD_TRY(Stmt lines,
              Prepare("SELECT sale_id, line_no, sku, item_class, categories, "
                      "non_earning, quantity, unit_price, list, discount, paid, points, "
                      "COALESCE(pass_card_id, 0) "
                      "FROM sale_lines WHERE sale_id BETWEEN ?1 AND ?2 "
                      "ORDER BY sale_id, line_no"));
  lines.Bind(1, low).Bind(2, high);
  ONECARD_TRY(bool line_row, lines.Step());
  SaleRecord sale;
  std::vector<SaleLineRecord> spare;  // the previous sale's lines, their memory reused
  while (true) {
    ONECARD_TRY(bool row, sales.Step());
    if (!row) return {};
    ONECARD_TRY(SaleRecord next, ReadSale(sales));
    spare = std::move(sale.lines);
    spare.clear();
    sale = std::move(next);
    sale.lines = std::move(spare);
    while (line_row && lines.Int(0) < sale.id) {
      ONECARD_TRY(line_row, lines.Step());
    }
    while (line_row && lines.Int(0) == sale.id) {
      sale.lines.push_back(ReadLine(lines, 1));
      ONECARD_TRY(line_row, lines.Step());
    }
    ONECARD_CHECK(fn(sale));
  }
}

Result<std::vector<ReadTxn::SaleTotals>> SqliteTxn::ListSaleTotalsBefore(TenantId tenant,
                                                                         core::CivilDate date) {
  ONECARD_TRY(Stmt st, Prepare("SELECT member_id, sum(spend), sum(points) FROM ("
                               " SELECT member_id, paid_total AS spend, points_earned AS points "
                               " FROM sales WHERE tenant_id = ?1 AND business_date < ?2 "
                               " AND member_id IS NOT NULL AND status = 'settled' "
                               " UNION ALL "
                               " SELECT r.member_id, -r.refund_total, "
                               " -(r.points_taken_back + r.points_short) FROM sale_returns r "
                               " JOIN sales x ON x.id = r.sale_id WHERE r.tenant_id = ?1 "
                               " AND x.business_date < ?2 AND r.member_id IS NOT NULL) "
                               "GROUP BY member_id"));
  st.Bind(1, tenant.value).Bind(2, date.ToString());
  return ReadAll<SaleTotals>(st, [](const Stmt& s) {
    return SaleTotals{MemberId{s.Int(0)}, s.Int(1), s.Int(2)};
  });
}

Result<std::vector<std::pair<MemberId, core::CivilDate>>> SqliteTxn::ListBirthdays(
    TenantId tenant) {
  ONECARD_TRY(Stmt st, Prepare("SELECT id, birthday FROM members WHERE tenant_id = ?1 "
                               "AND birthday IS NOT NULL"));
  st.Bind(1, tenant.value);
  using Row = std::pair<MemberId, core::CivilDate>;
  return ReadAll<Row>(st, [](const Stmt& s) -> Result<Row> {
    ONECARD_TRY(core::CivilDate d, core::CivilDate::Parse(s.Text(1), "birthday"));
    return Row{MemberId{s.Int(0)}, d};
  });
}

Result<std::vector<std::pair<TenantId, std::int64_t>>> SqliteTxn::ListDueSales(Timestamp now,
                                                                               int limit) {
  ONECARD_TRY(Stmt st, Prepare("SELECT tenant_id, id FROM sales WHERE status = 'held' "
                               "AND hold_expires_at <= ?1 ORDER BY hold_expires_at, id LIMIT ?2"));
  st.Bind(1, now.micros).Bind(2, std::int64_t{limit});
  using Row = std::pair<TenantId, std::int64_t>;
  return ReadAll<Row>(st, [](const Stmt& s) { return Row{TenantId{s.Int(0)}, s.Int(1)}; });
}

Status SqliteTxn::CloseSale(const SaleRecord& r) {
  RequireWritable();
  ONECARD_TRY(Stmt st, Prepare("UPDATE sales SET status = ?3, entry_id = ?4, closed_at = ?5, "
                               "close_reason = ?6 WHERE tenant_id = ?1 AND id = ?2 "
                               "AND status = 'held'"));
  st.Bind(1, r.tenant.value).Bind(2, r.id).Bind(3, SaleStatusName(r.status));
  st.BindId(4, r.entry.value).Bind(5, OptMicros(r.closed_at)).Bind(6, r.close_reason);
  ONECARD_CHECK(st.Run());
  ONECARD_ASSERT(conn_.Changes() == 1, "closing a sale that is not held");
  for (const SaleTenderRecord& t : r.tenders) {
    ONECARD_TRY(Stmt tender, Prepare("UPDATE sale_tenders SET reference = ?3 "
                                     "WHERE sale_id = ?1 AND seq = ?2"));
    tender.Bind(1, r.id).Bind(2, std::int64_t{t.seq}).Bind(3, t.reference);
    ONECARD_CHECK(tender.Run());
  }
  return {};
}

Result<std::optional<std::int64_t>> SqliteTxn::FindSaleId(TenantId tenant, StoreId store,
                                                          std::string_view doc_no) {
  ONECARD_TRY(Stmt st, Prepare("SELECT id FROM sales WHERE tenant_id = ?1 AND store_id = ?2 "
                               "AND doc_no = ?3"));
  st.Bind(1, tenant.value).Bind(2, store.value).Bind(3, doc_no);
  return ReadOne<std::int64_t>(st, [](const Stmt& s) { return s.Int(0); });
}

Result<std::int64_t> SqliteTxn::SumMemberSpend(TenantId tenant, MemberId member,
                                               core::CivilDate first, core::CivilDate last) {
  ONECARD_TRY(Stmt st, Prepare("SELECT COALESCE(sum(s.paid_total), 0) - COALESCE(("
                               "SELECT sum(r.refund_total) FROM sale_returns r "
                               "JOIN sales x ON x.id = r.sale_id WHERE r.tenant_id = ?1 "
                               "AND r.member_id = ?2 AND x.business_date BETWEEN ?3 AND ?4), 0) "
                               "FROM sales s WHERE s.tenant_id = ?1 AND s.member_id = ?2 "
                               "AND s.business_date BETWEEN ?3 AND ?4 AND s.status = 'settled'"));
  st.Bind(1, tenant.value).Bind(2, member.value).Bind(3, first.ToString()).Bind(4, last.ToString());
  ONECARD_TRY(bool row, st.Step());
  return row ? st.Int(0) : 0;
}

Result<std::optional<MemberStateRecord>> SqliteTxn::GetMemberState(TenantId tenant,
                                                                   MemberId member) {
  ONECARD_TRY(Stmt st, Prepare(ONECARD_STATE_COLS "WHERE tenant_id = ?1 AND member_id = ?2"));
  st.Bind(1, tenant.value).Bind(2, member.value);
  return ReadOne<MemberStateRecord>(st, ReadState);
}

Result<std::vector<MemberStateRecord>> SqliteTxn::ListTieredMembers(TenantId tenant, MemberId after,
                                                                    int limit) {
  ONECARD_TRY(Stmt st, Prepare(ONECARD_STATE_COLS "WHERE tenant_id = ?1 AND tier <> '' "
                                                  "AND member_id > ?2 ORDER BY member_id "
                                                  "LIMIT ?3"));
  st.Bind(1, tenant.value).Bind(2, after.value).Bind(3, std::int64_t{limit});
  return ReadAll<MemberStateRecord>(st, ReadState);
}

Result<std::vector<TierChangeRecord>> SqliteTxn::ListTierChanges(TenantId tenant, MemberId member) {
  ONECARD_TRY(Stmt st, Prepare("SELECT id, tenant_id, member_id, from_tier, to_tier, cause, "
                               "reason, doc_no, sale_id, programme_version, staff, at "
                               "FROM tier_changes WHERE tenant_id = ?1 AND member_id = ?2 "
                               "ORDER BY id"));
  st.Bind(1, tenant.value).Bind(2, member.value);
  return ReadAll<TierChangeRecord>(st, [](const Stmt& s) {
    TierChangeRecord c;
    c.id = s.Int(0);
    c.tenant = TenantId{s.Int(1)};
    c.member = MemberId{s.Int(2)};
    c.from_tier = s.Text(3);
    c.to_tier = s.Text(4);
    c.cause = s.Text(5);
    c.reason = s.Text(6);
    c.doc_no = s.Text(7);
    c.sale_id = s.OptInt(8);
    c.programme_version = OptSmall(s, 9);
    c.staff = s.Text(10);
    c.at = Timestamp{s.Int(11)};
    return c;
  });
}

Result<std::optional<JobRunRecord>> SqliteTxn::FindJobRun(TenantId tenant, std::string_view job,
                                                          core::CivilDate date) {
  ONECARD_TRY(Stmt st, Prepare("SELECT tenant_id, job, business_date, ran_at, staff, result "
                               "FROM job_runs WHERE tenant_id = ?1 AND job = ?2 "
                               "AND business_date = ?3"));
  st.Bind(1, tenant.value).Bind(2, job).Bind(3, date.ToString());
  return ReadOne<JobRunRecord>(st, [](const Stmt& s) -> Result<JobRunRecord> {
    JobRunRecord r;
    r.tenant = TenantId{s.Int(0)};
    r.job = s.Text(1);
    ONECARD_TRY(r.business_date, core::CivilDate::Parse(s.Text(2), "business_date"));
    r.ran_at = Timestamp{s.Int(3)};
    r.staff = s.Text(4);
    r.result = s.Text(5);
    return r;
  });
}

Result<std::int64_t> SqliteTxn::InsertSale(const SaleRecord& r) {
  RequireWritable();
  ONECARD_TRY(Stmt st,
              Prepare("INSERT INTO sales (tenant_id, member_id, card_id, store_id, doc_no, staff, "
                      "at, business_date, programme_version, tier_before, tier, tier_after, "
                      "list_total, discount_total, paid_total, points_earned, point_asset, "
                      "points_spent, points_value, entry_id, explain, status, hold_entry_id, "
                      "hold_expires_at, points_expire_on, carried_before, carried_after, "
                      "tier_reason) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, "
                      "?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25, ?26, "
                      "?27, ?28)"));
  st.Bind(1, r.tenant.value).BindId(2, r.member.value).BindId(3, r.card.value);
  st.Bind(4, r.store.value).Bind(5, r.doc_no).Bind(6, r.staff).Bind(7, r.at.micros);
  st.Bind(8, r.business_date.ToString()).Bind(9, OptWide(r.programme_version));
  st.Bind(10, r.tier_before).Bind(11, r.tier).Bind(12, r.tier_after).Bind(13, r.list_total);
  st.Bind(14, r.discount_total).Bind(15, r.paid_total).Bind(16, r.points_earned);
  st.Bind(17, r.point_asset).Bind(18, r.points_spent).Bind(19, r.points_value);
  st.BindId(20, r.entry.value).Bind(21, r.explain).Bind(22, SaleStatusName(r.status));
  st.BindId(23, r.hold_entry.value).Bind(24, OptMicros(r.hold_expires_at));
  BindOptDate(st, 25, r.points_expire_on);
  st.Bind(26, r.carried_before).Bind(27, r.carried_after).Bind(28, r.tier_reason);
  ONECARD_CHECK(st.Run());
  const std::int64_t id = conn_.LastInsertId();
  static constexpr const char* kLine =
      "INSERT INTO sale_lines (sale_id, line_no, tenant_id, member_id, sku, item_class, "
      "categories, non_earning, quantity, unit_price, list, discount, paid, points, "
      "pass_card_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)";
  for (const SaleLineRecord& l : r.lines) {
    ONECARD_TRY(Stmt line, Prepare(kLine));  // cached; reset when it goes out of scope
    line.Bind(1, id).Bind(2, std::int64_t{l.line_no}).Bind(3, r.tenant.value);
    line.BindId(4, r.member.value).Bind(5, l.sku).Bind(6, l.item_class).Bind(7, l.categories);
    line.Bind(8, std::int64_t{l.non_earning ? 1 : 0}).Bind(9, l.quantity).Bind(10, l.unit_price);
    line.Bind(11, l.list).Bind(12, l.discount).Bind(13, l.paid).Bind(14, l.points);
    line.BindId(15, l.pass_card.value);
    ONECARD_CHECK(line.Run());
  }
  static constexpr const char* kTender =
      "INSERT INTO sale_tenders (sale_id, seq, tenant_id, member_id, method, amount, points, "
      "reference, card_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)";
  for (const SaleTenderRecord& t : r.tenders) {
    ONECARD_TRY(Stmt tender, Prepare(kTender));
    tender.Bind(1, id).Bind(2, std::int64_t{t.seq}).Bind(3, r.tenant.value);
    tender.BindId(4, r.member.value).Bind(5, t.method).Bind(6, t.amount).Bind(7, t.points);
    tender.Bind(8, t.reference).BindId(9, t.card.value);
    ONECARD_CHECK(tender.Run());
  }
  return id;
}

Status SqliteTxn::PutMemberState(const MemberStateRecord& r) {
  RequireWritable();
  ONECARD_TRY(Stmt st,
              Prepare("INSERT OR REPLACE INTO member_states (member_id, tenant_id, tier, "
                      "tier_since, downgraded_from, spend_since_downgrade, cumulative_spend, "
                      "cumulative_points, carried_fen, purchases, last_purchase_at, reviewed_to, "
                      "updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, "
                      "?13)"));
  st.Bind(1, r.member.value).Bind(2, r.tenant.value).Bind(3, r.tier);
  st.Bind(4, OptMicros(r.tier_since)).Bind(5, r.downgraded_from);
  st.Bind(6, r.spend_since_downgrade).Bind(7, r.cumulative_spend).Bind(8, r.cumulative_points);
  st.Bind(9, r.carried_fen).Bind(10, r.purchases).Bind(11, OptMicros(r.last_purchase_at));
  if (r.reviewed_to) {
    st.Bind(12, r.reviewed_to->ToString());
  } else {
    st.BindNull(12);
  }
  st.Bind(13, r.updated_at.micros);
  return st.Run();
}

Result<std::int64_t> SqliteTxn::InsertTierChange(const TierChangeRecord& r) {
  RequireWritable();
  ONECARD_TRY(Stmt st, Prepare("INSERT INTO tier_changes (tenant_id, member_id, from_tier, "
                               "to_tier, cause, reason, doc_no, sale_id, programme_version, "
                               "staff, at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)"));
  st.Bind(1, r.tenant.value).Bind(2, r.member.value).Bind(3, r.from_tier).Bind(4, r.to_tier);
  st.Bind(5, r.cause).Bind(6, r.reason).Bind(7, r.doc_no).Bind(8, r.sale_id);
  st.Bind(9, OptWide(r.programme_version)).Bind(10, r.staff).Bind(11, r.at.micros);
  ONECARD_CHECK(st.Run());
  return conn_.LastInsertId();
}

Status SqliteTxn::InsertJobRun(const JobRunRecord& r) {
  RequireWritable();
  ONECARD_TRY(Stmt st, Prepare("INSERT INTO job_runs (tenant_id, job, business_date, ran_at, "
                               "staff, result) VALUES (?1, ?2, ?3, ?4, ?5, ?6)"));
  st.Bind(1, r.tenant.value).Bind(2, r.job).Bind(3, r.business_date.ToString());
  st.Bind(4, r.ran_at.micros).Bind(5, r.staff).Bind(6, r.result);
  return st.Run();
}

}  // namespace onecard::storage::sqlite
