// SqliteTxn: staff users, sessions, API keys, failed logins and the audit log.
#include "storage/sqlite/rows.hpp"
#include "storage/sqlite/txn.hpp"

namespace onecard::storage::sqlite {
namespace {

#define ONECARD_STAFF_COLS                                                                    \
  "id, tenant_id, username, display_name, password_hash, role, store_id, region_id, status, " \
  "failed_logins, locked_until, created_at "

StaffUserRecord ReadStaff(const Stmt& st) {
  StaffUserRecord u;
  u.id = st.Int(0);
  u.tenant = TenantId{st.Int(1)};
  u.username = st.Text(2);
  u.display_name = st.Text(3);
  u.password_hash = st.Text(4);
  u.role = st.Text(5);
  u.store = StoreId{st.IsNull(6) ? 0 : st.Int(6)};
  u.region = RegionId{st.IsNull(7) ? 0 : st.Int(7)};
  u.status = st.Text(8);
  u.failed_logins = st.Int(9);
  u.locked_until = OptTime(st, 10);
  u.created_at = Timestamp{st.Int(11)};
  return u;
}

#define ONECARD_KEY_COLS \
  "id, tenant_id, name, key_hash, role, store_id, region_id, status, created_at, revoked_at "

ApiKeyRecord ReadKey(const Stmt& st) {
  ApiKeyRecord k;
  k.id = st.Int(0);
  k.tenant = TenantId{st.Int(1)};
  k.name = st.Text(2);
  k.key_hash = st.Text(3);
  k.role = st.Text(4);
  k.store = StoreId{st.IsNull(5) ? 0 : st.Int(5)};
  k.region = RegionId{st.IsNull(6) ? 0 : st.Int(6)};
  k.status = st.Text(7);
  k.created_at = Timestamp{st.Int(8)};
  k.revoked_at = OptTime(st, 9);
  return k;
}

AuditRecord ReadAudit(const Stmt& st) {
  AuditRecord a;
  a.id = st.Int(0);
  a.tenant = TenantId{st.Int(1)};
  a.at = Timestamp{st.Int(2)};
  a.actor = st.Text(3);
  a.actor_kind = st.Text(4);
  a.client = st.Text(5);
  a.store = StoreId{st.IsNull(6) ? 0 : st.Int(6)};
  a.request_id = st.Text(7);
  a.action = st.Text(8);
  a.object_kind = st.Text(9);
  a.object_id = st.Text(10);
  if (!st.IsNull(11)) a.before = st.Text(11);
  if (!st.IsNull(12)) a.after = st.Text(12);
  return a;
}

}  // namespace

Result<std::optional<StaffUserRecord>> SqliteTxn::FindStaffUser(TenantId tenant,
                                                                std::string_view username) {
  ONECARD_TRY(Stmt st, Prepare("SELECT " ONECARD_STAFF_COLS
                               "FROM staff_users WHERE tenant_id = ?1 AND username = ?2"));
  st.Bind(1, tenant.value).Bind(2, username);
  return ReadOne<StaffUserRecord>(st, ReadStaff);
}

Result<std::optional<StaffUserRecord>> SqliteTxn::GetStaffUser(TenantId tenant, std::int64_t id) {
  ONECARD_TRY(Stmt st, Prepare("SELECT " ONECARD_STAFF_COLS
                               "FROM staff_users WHERE tenant_id = ?1 AND id = ?2"));
  st.Bind(1, tenant.value).Bind(2, id);
  return ReadOne<StaffUserRecord>(st, ReadStaff);
}

Result<std::vector<StaffUserRecord>> SqliteTxn::ListStaffUsers(TenantId tenant) {
  ONECARD_TRY(Stmt st, Prepare("SELECT " ONECARD_STAFF_COLS
                               "FROM staff_users WHERE tenant_id = ?1 ORDER BY username"));
  st.Bind(1, tenant.value);
  return ReadAll<StaffUserRecord>(st, ReadStaff);
}

Result<std::optional<SessionRecord>> SqliteTxn::FindSession(std::string_view token_hash) {
  ONECARD_TRY(Stmt st, Prepare("SELECT token_hash, tenant_id, user_id, created_at, expires_at, "
                               "revoked_at, client FROM staff_sessions WHERE token_hash = ?1"));
  st.Bind(1, token_hash);
  return ReadOne<SessionRecord>(st, [](const Stmt& s) {
    return SessionRecord{s.Text(0),           TenantId{s.Int(1)}, s.Int(2), Timestamp{s.Int(3)},
                         Timestamp{s.Int(4)}, OptTime(s, 5),      s.Text(6)};
  });
}

Result<std::optional<ApiKeyRecord>> SqliteTxn::FindApiKey(std::string_view key_hash) {
  ONECARD_TRY(Stmt st, Prepare("SELECT " ONECARD_KEY_COLS "FROM api_keys WHERE key_hash = ?1"));
  st.Bind(1, key_hash);
  return ReadOne<ApiKeyRecord>(st, ReadKey);
}

Result<std::vector<ApiKeyRecord>> SqliteTxn::ListApiKeys(TenantId tenant) {
  ONECARD_TRY(Stmt st,
              Prepare("SELECT " ONECARD_KEY_COLS "FROM api_keys WHERE tenant_id = ?1 ORDER BY id"));
  st.Bind(1, tenant.value);
  return ReadAll<ApiKeyRecord>(st, ReadKey);
}

Result<std::int64_t> SqliteTxn::CountLoginFailures(std::string_view client, Timestamp since) {
  ONECARD_TRY(Stmt st,
              Prepare("SELECT count(*) FROM login_failures WHERE client = ?1 AND at >= ?2"));
  st.Bind(1, client).Bind(2, since.micros);
  ONECARD_TRY(bool row, st.Step());
  return row ? st.Int(0) : 0;
}

Result<std::vector<AuditRecord>> SqliteTxn::ListAudit(TenantId tenant, const AuditFilter& f) {
  ONECARD_TRY(Stmt st,
              Prepare("SELECT id, tenant_id, at, actor, actor_kind, client, store_id, request_id, "
                      "action, object_kind, object_id, before, after FROM audit_log "
                      "WHERE tenant_id = ?1 AND (?2 = 0 OR id < ?2) "
                      "AND (?3 = '' OR actor = ?3) AND (?4 = '' OR action = ?4) "
                      "AND (?5 = '' OR object_kind = ?5) AND (?6 = '' OR object_id = ?6) "
                      "AND (?7 IS NULL OR at >= ?7) AND (?8 IS NULL OR at < ?8) "
                      "ORDER BY id DESC LIMIT ?9"));
  st.Bind(1, tenant.value).Bind(2, f.before_id).Bind(3, f.actor).Bind(4, f.action);
  st.Bind(5, f.object_kind).Bind(6, f.object_id).Bind(7, OptMicros(f.from));
  st.Bind(8, OptMicros(f.to)).Bind(9, static_cast<std::int64_t>(f.limit));
  return ReadAll<AuditRecord>(st, ReadAudit);
}

Result<std::int64_t> SqliteTxn::InsertStaffUser(const StaffUserRecord& u) {
  RequireWritable();
  ONECARD_TRY(Stmt st,
              Prepare("INSERT INTO staff_users (tenant_id, username, display_name, password_hash, "
                      "role, store_id, region_id, status, failed_logins, locked_until, created_at) "
                      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)"));
  st.Bind(1, u.tenant.value).Bind(2, u.username).Bind(3, u.display_name).Bind(4, u.password_hash);
  st.Bind(5, u.role).BindId(6, u.store.value).BindId(7, u.region.value).Bind(8, u.status);
  st.Bind(9, u.failed_logins).Bind(10, OptMicros(u.locked_until)).Bind(11, u.created_at.micros);
  ONECARD_CHECK(st.Run());
  return conn_.LastInsertId();
}

Status SqliteTxn::UpdateStaffUser(const StaffUserRecord& u) {
  RequireWritable();
  ONECARD_TRY(Stmt st, Prepare("UPDATE staff_users SET display_name = ?3, password_hash = ?4, "
                               "role = ?5, store_id = ?6, region_id = ?7, status = ?8, "
                               "failed_logins = ?9, locked_until = ?10 "
                               "WHERE tenant_id = ?1 AND id = ?2"));
  st.Bind(1, u.tenant.value).Bind(2, u.id).Bind(3, u.display_name).Bind(4, u.password_hash);
  st.Bind(5, u.role).BindId(6, u.store.value).BindId(7, u.region.value).Bind(8, u.status);
  st.Bind(9, u.failed_logins).Bind(10, OptMicros(u.locked_until));
  return st.Run();
}

Status SqliteTxn::InsertSession(const SessionRecord& s) {
  RequireWritable();
  ONECARD_TRY(Stmt st, Prepare("INSERT INTO staff_sessions (token_hash, tenant_id, user_id, "
                               "created_at, expires_at, revoked_at, client) "
                               "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)"));
  st.Bind(1, s.token_hash).Bind(2, s.tenant.value).Bind(3, s.user_id);
  st.Bind(4, s.created_at.micros).Bind(5, s.expires_at.micros).Bind(6, OptMicros(s.revoked_at));
  st.Bind(7, s.client);
  return st.Run();
}

Status SqliteTxn::RevokeSession(std::string_view token_hash, Timestamp at) {
  RequireWritable();
  ONECARD_TRY(Stmt st, Prepare("UPDATE staff_sessions SET revoked_at = ?2 "
                               "WHERE token_hash = ?1 AND revoked_at IS NULL"));
  st.Bind(1, token_hash).Bind(2, at.micros);
  return st.Run();
}

Status SqliteTxn::RevokeSessionsOfUser(std::int64_t user_id, Timestamp at) {
  RequireWritable();
  ONECARD_TRY(Stmt st, Prepare("UPDATE staff_sessions SET revoked_at = ?2 "
                               "WHERE user_id = ?1 AND revoked_at IS NULL"));
  st.Bind(1, user_id).Bind(2, at.micros);
  return st.Run();
}

Result<std::int64_t> SqliteTxn::InsertApiKey(const ApiKeyRecord& k) {
  RequireWritable();
  ONECARD_TRY(Stmt st, Prepare("INSERT INTO api_keys (tenant_id, name, key_hash, role, store_id, "
                               "region_id, status, created_at, revoked_at) "
                               "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)"));
  st.Bind(1, k.tenant.value).Bind(2, k.name).Bind(3, k.key_hash).Bind(4, k.role);
  st.BindId(5, k.store.value).BindId(6, k.region.value).Bind(7, k.status);
  st.Bind(8, k.created_at.micros).Bind(9, OptMicros(k.revoked_at));
  ONECARD_CHECK(st.Run());
  return conn_.LastInsertId();
}

Status SqliteTxn::RevokeApiKey(TenantId tenant, std::int64_t id, Timestamp at) {
  RequireWritable();
  ONECARD_TRY(Stmt st, Prepare("UPDATE api_keys SET status = 'revoked', revoked_at = ?3 "
                               "WHERE tenant_id = ?1 AND id = ?2 AND status = 'active'"));
  st.Bind(1, tenant.value).Bind(2, id).Bind(3, at.micros);
  return st.Run();
}

Status SqliteTxn::InsertLoginFailure(std::string_view client, Timestamp at,
                                     Timestamp forget_before) {
  RequireWritable();
  {
    ONECARD_TRY(Stmt st, Prepare("DELETE FROM login_failures WHERE client = ?1 AND at < ?2"));
    st.Bind(1, client).Bind(2, forget_before.micros);
    ONECARD_CHECK(st.Run());
  }
  ONECARD_TRY(Stmt st, Prepare("INSERT INTO login_failures (client, at) VALUES (?1, ?2)"));
  st.Bind(1, client).Bind(2, at.micros);
  return st.Run();
}

Result<std::int64_t> SqliteTxn::InsertAudit(const AuditRecord& a) {
  RequireWritable();
  ONECARD_TRY(Stmt st,
              Prepare("INSERT INTO audit_log (tenant_id, at, actor, actor_kind, client, "
                      "store_id, request_id, action, object_kind, object_id, before, "
                      "after) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)"));
  st.Bind(1, a.tenant.value).Bind(2, a.at.micros).Bind(3, a.actor).Bind(4, a.actor_kind);
  st.Bind(5, a.client).BindId(6, a.store.value).Bind(7, a.request_id).Bind(8, a.action);
  st.Bind(9, a.object_kind).Bind(10, a.object_id);
  if (a.before) {
    st.Bind(11, *a.before);
  } else {
    st.BindNull(11);
  }
  if (a.after) {
    st.Bind(12, *a.after);
  } else {
    st.BindNull(12);
  }
  ONECARD_CHECK(st.Run());
  return conn_.LastInsertId();
}

}  // namespace onecard::storage::sqlite
