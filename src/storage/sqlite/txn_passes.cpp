// SqliteTxn: count cards and passes — what a card type pays for, and uses at the till.
#include "storage/sqlite/rows.hpp"
#include "storage/sqlite/txn.hpp"

namespace onecard::storage::sqlite {

Result<std::optional<PassTermsRecord>> SqliteTxn::GetPassTerms(TenantId tenant, CardTypeId type) {
  ONECARD_TRY(Stmt st, Prepare("SELECT card_type_id, tenant_id, skus, categories, stores, "
                               "per_day, updated_at FROM pass_terms "
                               "WHERE tenant_id = ?1 AND card_type_id = ?2"));
  st.Bind(1, tenant.value).Bind(2, type.value);
  return ReadOne<PassTermsRecord>(st, [](const Stmt& s) {
    PassTermsRecord t;
    t.card_type = CardTypeId{s.Int(0)};
    t.tenant = TenantId{s.Int(1)};
    t.skus = s.Text(2);
    t.categories = s.Text(3);
    t.stores = s.Text(4);
    t.per_day = s.Int(5);
    t.updated_at = core::Timestamp{s.Int(6)};
    return t;
  });
}

Result<std::int64_t> SqliteTxn::PassUsesOn(TenantId tenant, CardId card, core::CivilDate date) {
  ONECARD_TRY(Stmt st, Prepare("SELECT COALESCE(SUM(quantity), 0) FROM pass_uses "
                               "WHERE card_id = ?2 AND business_date = ?3 AND tenant_id = ?1"));
  st.Bind(1, tenant.value).Bind(2, card.value).Bind(3, date.ToString());
  ONECARD_TRY(bool row, st.Step());
  return row ? st.Int(0) : 0;
}

Status SqliteTxn::PutPassTerms(const PassTermsRecord& t) {
  RequireWritable();
  ONECARD_TRY(Stmt st,
              Prepare("INSERT INTO pass_terms (card_type_id, tenant_id, skus, categories, stores, "
                      "per_day, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) "
                      "ON CONFLICT (card_type_id) DO UPDATE SET skus = excluded.skus, "
                      "categories = excluded.categories, stores = excluded.stores, "
                      "per_day = excluded.per_day, updated_at = excluded.updated_at"));
  st.Bind(1, t.card_type.value).Bind(2, t.tenant.value).Bind(3, t.skus).Bind(4, t.categories);
  st.Bind(5, t.stores).Bind(6, t.per_day).Bind(7, t.updated_at.micros);
  return st.Run();
}

Status SqliteTxn::InsertPassUse(const PassUseRecord& u) {
  RequireWritable();
  ONECARD_TRY(Stmt st,
              Prepare("INSERT INTO pass_uses (tenant_id, card_id, member_id, sale_id, line_no, "
                      "return_id, quantity, business_date, at) "
                      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)"));
  st.Bind(1, u.tenant.value).Bind(2, u.card.value).BindId(3, u.member.value).Bind(4, u.sale_id);
  st.Bind(5, std::int64_t{u.line_no}).BindId(6, u.return_id).Bind(7, u.quantity);
  st.Bind(8, u.business_date.ToString()).Bind(9, u.at.micros);
  return st.Run();
}

}  // namespace onecard::storage::sqlite
