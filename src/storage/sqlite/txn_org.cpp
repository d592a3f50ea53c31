// SqliteTxn: tenants, regions, stores, card types and custom field definitions.
#include "core/assert.hpp"
#include "storage/sqlite/rows.hpp"
#include "storage/sqlite/txn.hpp"

namespace onecard::storage::sqlite {
namespace {

constexpr const char* kTenantCols = "SELECT id, code, name, timezone, created_at FROM tenants ";

TenantRecord ReadTenant(const Stmt& st) {
  return TenantRecord{TenantId{st.Int(0)}, st.Text(1), st.Text(2), st.Text(3),
                      Timestamp{st.Int(4)}};
}

RegionRecord ReadRegion(const Stmt& st) {
  return RegionRecord{RegionId{st.Int(0)}, TenantId{st.Int(1)}, RegionId{st.Int(2)}, st.Text(3),
                      st.Text(4)};
}

StoreRecord ReadStore(const Stmt& st) {
  return StoreRecord{StoreId{st.Int(0)}, TenantId{st.Int(1)}, RegionId{st.Int(2)},
                     st.Text(3),         st.Text(4),          st.Text(5)};
}

Result<CardTypeRecord> ReadCardType(const Stmt& st) {
  ONECARD_TRY(core::CardKind kind, core::ParseCardKind(st.Text(4)));
  return CardTypeRecord{CardTypeId{st.Int(0)},
                        TenantId{st.Int(1)},
                        st.Text(2),
                        st.Text(3),
                        kind,
                        static_cast<int>(st.Int(5)),
                        st.Int(6)};
}

std::vector<std::string> SplitChoices(const std::string& text) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (!text.empty() && start <= text.size()) {
    const std::size_t bar = text.find('|', start);
    out.push_back(text.substr(start, bar == std::string::npos ? std::string::npos : bar - start));
    if (bar == std::string::npos) break;
    start = bar + 1;
  }
  return out;
}

std::string JoinChoices(const std::vector<std::string>& choices) {
  std::string out;
  for (const std::string& c : choices) out += (out.empty() ? "" : "|") + c;
  return out;
}

}  // namespace

Result<std::vector<TenantRecord>> SqliteTxn::ListTenants() {
  static const std::string sql = std::string(kTenantCols) + "ORDER BY id";
  ONECARD_TRY(Stmt st, Prepare(sql.c_str()));
  return ReadAll<TenantRecord>(st, ReadTenant);
}

Result<std::optional<TenantRecord>> SqliteTxn::FindTenant(std::string_view code) {
  static const std::string sql = std::string(kTenantCols) + "WHERE code = ?1";
  ONECARD_TRY(Stmt st, Prepare(sql.c_str()));
  st.Bind(1, code);
  return ReadOne<TenantRecord>(st, ReadTenant);
}

Result<std::optional<TenantRecord>> SqliteTxn::GetTenant(TenantId id) {
  static const std::string sql = std::string(kTenantCols) + "WHERE id = ?1";
  ONECARD_TRY(Stmt st, Prepare(sql.c_str()));
  st.Bind(1, id.value);
  return ReadOne<TenantRecord>(st, ReadTenant);
}

Result<TenantId> SqliteTxn::InsertTenant(const TenantRecord& t) {
  RequireWritable();
  ONECARD_TRY(Stmt st, Prepare("INSERT INTO tenants (code, name, timezone, created_at) "
                               "VALUES (?1, ?2, ?3, ?4)"));
  st.Bind(1, t.code).Bind(2, t.name).Bind(3, t.timezone).Bind(4, t.created_at.micros);
  ONECARD_CHECK(st.Run());
  return TenantId{conn_.LastInsertId()};
}

Result<std::vector<RegionRecord>> SqliteTxn::ListRegions(TenantId tenant) {
  ONECARD_TRY(Stmt st, Prepare("SELECT id, tenant_id, COALESCE(parent_id, 0), code, name "
                               "FROM regions WHERE tenant_id = ?1 ORDER BY code"));
  st.Bind(1, tenant.value);
  return ReadAll<RegionRecord>(st, ReadRegion);
}

Result<std::optional<RegionRecord>> SqliteTxn::FindRegion(TenantId tenant, std::string_view code) {
  ONECARD_TRY(Stmt st, Prepare("SELECT id, tenant_id, COALESCE(parent_id, 0), code, name "
                               "FROM regions WHERE tenant_id = ?1 AND code = ?2"));
  st.Bind(1, tenant.value).Bind(2, code);
  return ReadOne<RegionRecord>(st, ReadRegion);
}

Result<RegionId> SqliteTxn::InsertRegion(const RegionRecord& r) {
  RequireWritable();
  ONECARD_TRY(Stmt st, Prepare("INSERT INTO regions (tenant_id, parent_id, code, name) "
                               "VALUES (?1, ?2, ?3, ?4)"));
  st.Bind(1, r.tenant.value).BindId(2, r.parent.value).Bind(3, r.code).Bind(4, r.name);
  ONECARD_CHECK(st.Run());
  return RegionId{conn_.LastInsertId()};
}

Result<std::vector<StoreRecord>> SqliteTxn::ListStores(TenantId tenant) {
  ONECARD_TRY(Stmt st, Prepare("SELECT id, tenant_id, COALESCE(region_id, 0), code, name, address "
                               "FROM stores WHERE tenant_id = ?1 ORDER BY code"));
  st.Bind(1, tenant.value);
  return ReadAll<StoreRecord>(st, ReadStore);
}

Result<std::optional<StoreRecord>> SqliteTxn::FindStore(TenantId tenant, std::string_view code) {
  ONECARD_TRY(Stmt st, Prepare("SELECT id, tenant_id, COALESCE(region_id, 0), code, name, address "
                               "FROM stores WHERE tenant_id = ?1 AND code = ?2"));
  st.Bind(1, tenant.value).Bind(2, code);
  return ReadOne<StoreRecord>(st, ReadStore);
}

Result<std::optional<StoreRecord>> SqliteTxn::GetStore(TenantId tenant, StoreId id) {
  ONECARD_TRY(Stmt st, Prepare("SELECT id, tenant_id, COALESCE(region_id, 0), code, name, address "
                               "FROM stores WHERE tenant_id = ?1 AND id = ?2"));
  st.Bind(1, tenant.value).Bind(2, id.value);
  return ReadOne<StoreRecord>(st, ReadStore);
}

Result<StoreId> SqliteTxn::InsertStore(const StoreRecord& s) {
  RequireWritable();
  ONECARD_TRY(Stmt st, Prepare("INSERT INTO stores (tenant_id, region_id, code, name, address) "
                               "VALUES (?1, ?2, ?3, ?4, ?5)"));
  st.Bind(1, s.tenant.value).BindId(2, s.region.value).Bind(3, s.code).Bind(4, s.name);
  st.Bind(5, s.address);
  ONECARD_CHECK(st.Run());
  return StoreId{conn_.LastInsertId()};
}

Result<std::vector<CardTypeRecord>> SqliteTxn::ListCardTypes(TenantId tenant) {
  ONECARD_TRY(Stmt st, Prepare("SELECT id, tenant_id, code, name, kind, validity_months, fee_fen "
                               "FROM card_types WHERE tenant_id = ?1 ORDER BY code"));
  st.Bind(1, tenant.value);
  return ReadAll<CardTypeRecord>(st, ReadCardType);
}

Result<std::optional<CardTypeRecord>> SqliteTxn::FindCardType(TenantId tenant,
                                                              std::string_view code) {
  ONECARD_TRY(Stmt st, Prepare("SELECT id, tenant_id, code, name, kind, validity_months, fee_fen "
                               "FROM card_types WHERE tenant_id = ?1 AND code = ?2"));
  st.Bind(1, tenant.value).Bind(2, code);
  return ReadOne<CardTypeRecord>(st, ReadCardType);
}

Result<std::optional<CardTypeRecord>> SqliteTxn::GetCardType(TenantId tenant, CardTypeId id) {
  ONECARD_TRY(Stmt st, Prepare("SELECT id, tenant_id, code, name, kind, validity_months, fee_fen "
                               "FROM card_types WHERE tenant_id = ?1 AND id = ?2"));
  st.Bind(1, tenant.value).Bind(2, id.value);
  return ReadOne<CardTypeRecord>(st, ReadCardType);
}

Result<CardTypeId> SqliteTxn::InsertCardType(const CardTypeRecord& t) {
  RequireWritable();
  ONECARD_TRY(Stmt st, Prepare("INSERT INTO card_types "
                               "(tenant_id, code, name, kind, validity_months, fee_fen) "
                               "VALUES (?1, ?2, ?3, ?4, ?5, ?6)"));
  st.Bind(1, t.tenant.value).Bind(2, t.code).Bind(3, t.name).Bind(4, core::CardKindName(t.kind));
  st.Bind(5, std::int64_t{t.validity_months}).Bind(6, t.fee_fen);
  ONECARD_CHECK(st.Run());
  return CardTypeId{conn_.LastInsertId()};
}

Result<std::vector<FieldDefRecord>> SqliteTxn::ListFieldDefs(TenantId tenant) {
  ONECARD_TRY(Stmt st, Prepare("SELECT key, label, type, choices, indexed, member_editable "
                               "FROM field_defs WHERE tenant_id = ?1 ORDER BY id"));
  st.Bind(1, tenant.value);
  return ReadAll<FieldDefRecord>(st, [&](const Stmt& s) -> Result<FieldDefRecord> {
    ONECARD_TRY(core::FieldType type, core::ParseFieldType(s.Text(2)));
    core::FieldDefinition def{s.Text(0),     s.Text(1),    type, SplitChoices(s.Text(3)),
                              s.Int(4) != 0, s.Int(5) != 0};
    return FieldDefRecord{tenant, std::move(def)};
  });
}

Status SqliteTxn::InsertFieldDef(const FieldDefRecord& d) {
  RequireWritable();
  ONECARD_TRY(Stmt st, Prepare("INSERT INTO field_defs "
                               "(tenant_id, key, label, type, choices, indexed, member_editable) "
                               "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)"));
  st.Bind(1, d.tenant.value).Bind(2, d.def.key).Bind(3, d.def.label);
  st.Bind(4, core::FieldTypeName(d.def.type)).Bind(5, JoinChoices(d.def.choices));
  st.Bind(6, std::int64_t{d.def.indexed}).Bind(7, std::int64_t{d.def.member_editable});
  return st.Run();
}

}  // namespace onecard::storage::sqlite
