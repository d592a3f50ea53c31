-- OneCard schema 3: programme versions (issue #4). A tenant's programme is a TOML document
-- (docs/programmes.md) stored as written, numbered 1, 2, … per tenant. A draft is stored and
-- checked but prices nothing; an active version is in force from in_force_from (its effective
-- date's local midnight, or the moment it was activated if that is later) until a later active
-- version takes over. Documents are never edited: a change is a new version.

CREATE TABLE programme_versions (
  id              INTEGER PRIMARY KEY,
  tenant_id       INTEGER NOT NULL REFERENCES tenants(id),
  version         INTEGER NOT NULL CHECK (version > 0),
  code            TEXT NOT NULL,
  name            TEXT NOT NULL,
  effective_from  TEXT NOT NULL,  -- YYYY-MM-DD, local to the tenant
  document        TEXT NOT NULL,
  digest          TEXT NOT NULL,  -- BLAKE2b-256 hex of the document
  status          TEXT NOT NULL CHECK (status IN ('draft', 'active', 'cancelled')),
  in_force_from   INTEGER,        -- set when activated
  created_by      TEXT NOT NULL,
  created_at      INTEGER NOT NULL,
  changed_by      TEXT NOT NULL DEFAULT '',
  changed_at      INTEGER,
  UNIQUE (tenant_id, version)
) STRICT;
CREATE INDEX programme_versions_in_force
  ON programme_versions (tenant_id, in_force_from) WHERE status = 'active';
