// SqliteTxn: programme versions.
#include "storage/sqlite/rows.hpp"
#include "storage/sqlite/txn.hpp"

namespace onecard::storage::sqlite {
namespace {

// DOCUMENT: "document" for one version, "''" for listings (documents are up to 256 KiB).
#define ONECARD_PROGRAMME_COLS(DOCUMENT)                                 \
  "SELECT id, tenant_id, version, code, name, effective_from, " DOCUMENT \
  ", digest, status, "                                                   \
  "in_force_from, created_by, created_at, changed_by, changed_at FROM programme_versions "

Result<ProgrammeVersionRecord> ReadVersion(const Stmt& st) {
  ProgrammeVersionRecord r;
  r.id = st.Int(0);
  r.tenant = TenantId{st.Int(1)};
  r.version = static_cast<int>(st.Int(2));
  r.code = st.Text(3);
  r.name = st.Text(4);
  ONECARD_TRY(r.effective_from, core::CivilDate::Parse(st.Text(5), "effective_from"));
  r.document = st.Text(6);
  r.digest = st.Text(7);
  r.status = st.Text(8);
  r.in_force_from = OptTime(st, 9);
  r.created_by = st.Text(10);
  r.created_at = Timestamp{st.Int(11)};
  r.changed_by = st.Text(12);
  r.changed_at = OptTime(st, 13);
  return r;
}

}  // namespace

Result<std::vector<ProgrammeVersionRecord>> SqliteTxn::ListProgrammeVersions(TenantId tenant) {
  ONECARD_TRY(Stmt st,
              Prepare(ONECARD_PROGRAMME_COLS("''") "WHERE tenant_id = ?1 ORDER BY version DESC"));
  st.Bind(1, tenant.value);
  return ReadAll<ProgrammeVersionRecord>(st, ReadVersion);
}

Result<std::optional<ProgrammeVersionRecord>> SqliteTxn::GetProgrammeVersion(TenantId tenant,
                                                                             int version) {
  ONECARD_TRY(Stmt st,
              Prepare(ONECARD_PROGRAMME_COLS("document") "WHERE tenant_id = ?1 AND version = ?2"));
  st.Bind(1, tenant.value).Bind(2, std::int64_t{version});
  return ReadOne<ProgrammeVersionRecord>(st, ReadVersion);
}

Result<std::int64_t> SqliteTxn::InsertProgrammeVersion(const ProgrammeVersionRecord& r) {
  RequireWritable();
  ONECARD_TRY(Stmt st, Prepare("INSERT INTO programme_versions (tenant_id, version, code, name, "
                               "effective_from, document, digest, status, in_force_from, "
                               "created_by, created_at, changed_by, changed_at) "
                               "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)"));
  st.Bind(1, r.tenant.value).Bind(2, std::int64_t{r.version}).Bind(3, r.code).Bind(4, r.name);
  st.Bind(5, r.effective_from.ToString()).Bind(6, r.document).Bind(7, r.digest).Bind(8, r.status);
  st.Bind(9, OptMicros(r.in_force_from)).Bind(10, r.created_by).Bind(11, r.created_at.micros);
  st.Bind(12, r.changed_by).Bind(13, OptMicros(r.changed_at));
  ONECARD_CHECK(st.Run());
  return conn_.LastInsertId();
}

Status SqliteTxn::UpdateProgrammeVersion(const ProgrammeVersionRecord& r) {
  RequireWritable();
  ONECARD_TRY(Stmt st, Prepare("UPDATE programme_versions SET status = ?3, in_force_from = ?4, "
                               "changed_by = ?5, changed_at = ?6 "
                               "WHERE tenant_id = ?1 AND version = ?2"));
  st.Bind(1, r.tenant.value).Bind(2, std::int64_t{r.version}).Bind(3, r.status);
  st.Bind(4, OptMicros(r.in_force_from)).Bind(5, r.changed_by).Bind(6, OptMicros(r.changed_at));
  return st.Run();
}

}  // namespace onecard::storage::sqlite
