-- OneCard schema 2: staff users and their sessions, API keys for tills and other machines,
-- failed logins by client address, and the append-only audit log (issue #3).
-- Secrets are never stored: passwords as argon2id strings, session tokens and API keys as
-- BLAKE2b-256 hex of the random token.

CREATE TABLE staff_users (
  id             INTEGER PRIMARY KEY,
  tenant_id      INTEGER NOT NULL REFERENCES tenants(id),
  username       TEXT NOT NULL,
  display_name   TEXT NOT NULL DEFAULT '',
  password_hash  TEXT NOT NULL,
  role           TEXT NOT NULL,
  store_id       INTEGER REFERENCES stores(id),
  region_id      INTEGER REFERENCES regions(id),
  status         TEXT NOT NULL DEFAULT 'active',
  failed_logins  INTEGER NOT NULL DEFAULT 0,
  locked_until   INTEGER,
  created_at     INTEGER NOT NULL,
  UNIQUE (tenant_id, username)
) STRICT;

CREATE TABLE staff_sessions (
  token_hash  TEXT PRIMARY KEY,
  tenant_id   INTEGER NOT NULL REFERENCES tenants(id),
  user_id     INTEGER NOT NULL REFERENCES staff_users(id),
  created_at  INTEGER NOT NULL,
  expires_at  INTEGER NOT NULL,
  revoked_at  INTEGER,
  client      TEXT NOT NULL DEFAULT ''
) STRICT, WITHOUT ROWID;
CREATE INDEX staff_sessions_user ON staff_sessions (user_id);

CREATE TABLE api_keys (
  id          INTEGER PRIMARY KEY,
  tenant_id   INTEGER NOT NULL REFERENCES tenants(id),
  name        TEXT NOT NULL,
  key_hash    TEXT NOT NULL UNIQUE,
  role        TEXT NOT NULL,
  store_id    INTEGER REFERENCES stores(id),
  region_id   INTEGER REFERENCES regions(id),
  status      TEXT NOT NULL DEFAULT 'active',
  created_at  INTEGER NOT NULL,
  revoked_at  INTEGER,
  UNIQUE (tenant_id, name)
) STRICT;

CREATE TABLE login_failures (
  client  TEXT NOT NULL,
  at      INTEGER NOT NULL
) STRICT;
CREATE INDEX login_failures_client ON login_failures (client, at);

CREATE TABLE audit_log (
  id           INTEGER PRIMARY KEY,
  tenant_id    INTEGER NOT NULL REFERENCES tenants(id),
  at           INTEGER NOT NULL,
  actor        TEXT NOT NULL,
  actor_kind   TEXT NOT NULL,
  client       TEXT NOT NULL DEFAULT '',
  store_id     INTEGER REFERENCES stores(id),
  request_id   TEXT NOT NULL DEFAULT '',
  action       TEXT NOT NULL,
  object_kind  TEXT NOT NULL DEFAULT '',
  object_id    TEXT NOT NULL DEFAULT '',
  before       TEXT,
  after        TEXT
) STRICT;
CREATE INDEX audit_log_at ON audit_log (tenant_id, at);
CREATE INDEX audit_log_object ON audit_log (tenant_id, object_kind, object_id);

CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
  SELECT RAISE(ABORT, 'the audit log is append-only');
END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
  SELECT RAISE(ABORT, 'the audit log is append-only');
END;
