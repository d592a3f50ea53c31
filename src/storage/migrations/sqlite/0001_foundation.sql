-- OneCard schema 1: organisation, members, cards, the ledger (accounts, entries, postings, lots,
-- lot moves, holds) and idempotency keys. Times are UTC microseconds since the epoch; dates are
-- 'YYYY-MM-DD' text; money is integer fen; assets, kinds and roles are their stable names.
-- Every row carries its tenant; rows that belong to a member carry the member id, the key a
-- sharded PostgreSQL would distribute by.

CREATE TABLE tenants (
  id          INTEGER PRIMARY KEY,
  code        TEXT NOT NULL UNIQUE,
  name        TEXT NOT NULL,
  timezone    TEXT NOT NULL,
  created_at  INTEGER NOT NULL
) STRICT;

CREATE TABLE regions (
  id         INTEGER PRIMARY KEY,
  tenant_id  INTEGER NOT NULL REFERENCES tenants(id),
  parent_id  INTEGER REFERENCES regions(id),
  code       TEXT NOT NULL,
  name       TEXT NOT NULL,
  UNIQUE (tenant_id, code)
) STRICT;

CREATE TABLE stores (
  id         INTEGER PRIMARY KEY,
  tenant_id  INTEGER NOT NULL REFERENCES tenants(id),
  region_id  INTEGER REFERENCES regions(id),
  code       TEXT NOT NULL,
  name       TEXT NOT NULL,
  address    TEXT NOT NULL DEFAULT '',
  UNIQUE (tenant_id, code)
) STRICT;

CREATE TABLE card_types (
  id               INTEGER PRIMARY KEY,
  tenant_id        INTEGER NOT NULL REFERENCES tenants(id),
  code             TEXT NOT NULL,
  name             TEXT NOT NULL,
  kind             TEXT NOT NULL,
  validity_months  INTEGER NOT NULL DEFAULT 0,
  fee_fen          INTEGER NOT NULL DEFAULT 0,
  UNIQUE (tenant_id, code)
) STRICT;

CREATE TABLE field_defs (
  id               INTEGER PRIMARY KEY,
  tenant_id        INTEGER NOT NULL REFERENCES tenants(id),
  key              TEXT NOT NULL,
  label            TEXT NOT NULL,
  type             TEXT NOT NULL,
  choices          TEXT NOT NULL DEFAULT '',
  indexed          INTEGER NOT NULL DEFAULT 0,
  member_editable  INTEGER NOT NULL DEFAULT 0,
  UNIQUE (tenant_id, key)
) STRICT;

CREATE TABLE members (
  id              INTEGER PRIMARY KEY,
  tenant_id       INTEGER NOT NULL REFERENCES tenants(id),
  kind            TEXT NOT NULL,
  status          TEXT NOT NULL,
  channel         TEXT NOT NULL,
  name            TEXT NOT NULL,
  gender          TEXT NOT NULL,
  birthday        TEXT,
  phone           TEXT NOT NULL DEFAULT '',
  email           TEXT NOT NULL DEFAULT '',
  id_type         TEXT NOT NULL DEFAULT '',
  id_number       TEXT NOT NULL DEFAULT '',
  province        TEXT NOT NULL DEFAULT '',
  city            TEXT NOT NULL DEFAULT '',
  district        TEXT NOT NULL DEFAULT '',
  address         TEXT NOT NULL DEFAULT '',
  postcode        TEXT NOT NULL DEFAULT '',
  company         TEXT NOT NULL DEFAULT '',
  occupation      TEXT NOT NULL DEFAULT '',
  income_band     TEXT NOT NULL DEFAULT '',
  marital_status  TEXT NOT NULL DEFAULT '',
  children        TEXT NOT NULL DEFAULT '',
  interests       TEXT NOT NULL DEFAULT '',
  media           TEXT NOT NULL DEFAULT '',
  notes           TEXT NOT NULL DEFAULT '',
  referrer_id     INTEGER REFERENCES members(id),
  home_store_id   INTEGER REFERENCES stores(id),
  created_at      INTEGER NOT NULL,
  updated_at      INTEGER NOT NULL
) STRICT;
CREATE INDEX members_phone ON members (tenant_id, phone);
CREATE INDEX members_name ON members (tenant_id, name);

CREATE TABLE member_fields (
  tenant_id  INTEGER NOT NULL REFERENCES tenants(id),
  member_id  INTEGER NOT NULL REFERENCES members(id),
  key        TEXT NOT NULL,
  value      TEXT NOT NULL,
  PRIMARY KEY (member_id, key)
) STRICT;
CREATE INDEX member_fields_value ON member_fields (tenant_id, key, value);

CREATE TABLE member_status_history (
  id           INTEGER PRIMARY KEY,
  tenant_id    INTEGER NOT NULL REFERENCES tenants(id),
  member_id    INTEGER NOT NULL REFERENCES members(id),
  from_status  TEXT NOT NULL,
  to_status    TEXT NOT NULL,
  reason       TEXT NOT NULL,
  staff        TEXT NOT NULL,
  at           INTEGER NOT NULL
) STRICT;
CREATE INDEX member_status_history_member ON member_status_history (member_id, id);

CREATE TABLE cards (
  id               INTEGER PRIMARY KEY,
  tenant_id        INTEGER NOT NULL REFERENCES tenants(id),
  member_id        INTEGER REFERENCES members(id),
  card_type_id     INTEGER NOT NULL REFERENCES card_types(id),
  number           TEXT NOT NULL,
  state            TEXT NOT NULL,
  frozen           INTEGER NOT NULL DEFAULT 0,
  lost             INTEGER NOT NULL DEFAULT 0,
  primary_card_id  INTEGER REFERENCES cards(id),
  replaced_by_id   INTEGER REFERENCES cards(id),
  issued_at        INTEGER NOT NULL,
  expires_on       TEXT,
  reissue_count    INTEGER NOT NULL DEFAULT 0,
  UNIQUE (tenant_id, number)
) STRICT;
CREATE INDEX cards_member ON cards (tenant_id, member_id);
CREATE INDEX cards_primary ON cards (primary_card_id) WHERE primary_card_id IS NOT NULL;

CREATE TABLE card_events (
  id         INTEGER PRIMARY KEY,
  tenant_id  INTEGER NOT NULL REFERENCES tenants(id),
  card_id    INTEGER NOT NULL REFERENCES cards(id),
  member_id  INTEGER REFERENCES members(id),
  op         TEXT NOT NULL,
  staff      TEXT NOT NULL,
  store_id   INTEGER REFERENCES stores(id),
  reason     TEXT NOT NULL,
  detail     TEXT NOT NULL DEFAULT '',
  fee_fen    INTEGER NOT NULL DEFAULT 0,
  at         INTEGER NOT NULL
) STRICT;
CREATE INDEX card_events_card ON card_events (card_id, id);

-- Card accounts (holder_kind 'card') keep a cached balance and debt, checked by `verify`;
-- the tenant's and stores' accounts do not (their balance is the sum of their postings), so no
-- hot row is updated by every entry.
CREATE TABLE accounts (
  id            INTEGER PRIMARY KEY,
  tenant_id     INTEGER NOT NULL REFERENCES tenants(id),
  holder_kind   TEXT NOT NULL,
  holder_id     INTEGER NOT NULL,
  role          TEXT NOT NULL,
  asset         TEXT NOT NULL,
  member_id     INTEGER REFERENCES members(id),
  balance       INTEGER NOT NULL DEFAULT 0,
  debt          INTEGER NOT NULL DEFAULT 0 CHECK (debt <= 0),
  credit_limit  INTEGER NOT NULL DEFAULT 0 CHECK (credit_limit >= 0),
  created_at    INTEGER NOT NULL,
  UNIQUE (tenant_id, holder_kind, holder_id, role, asset)
) STRICT;
CREATE INDEX accounts_member ON accounts (tenant_id, member_id) WHERE member_id IS NOT NULL;

CREATE TABLE entries (
  id                 INTEGER PRIMARY KEY,
  tenant_id          INTEGER NOT NULL REFERENCES tenants(id),
  kind               TEXT NOT NULL,
  doc_no             TEXT NOT NULL DEFAULT '',
  store_id           INTEGER REFERENCES stores(id),
  staff              TEXT NOT NULL,
  reason             TEXT NOT NULL DEFAULT '',
  at                 INTEGER NOT NULL,
  member_id          INTEGER REFERENCES members(id),
  card_id            INTEGER REFERENCES cards(id),
  reverses_entry_id  INTEGER REFERENCES entries(id),
  hold_id            INTEGER
) STRICT;
-- An entry is reversed at most once; only reversals carry the column, so the index is partial.
CREATE UNIQUE INDEX entries_reverses ON entries (reverses_entry_id)
  WHERE reverses_entry_id IS NOT NULL;
CREATE INDEX entries_doc ON entries (tenant_id, doc_no) WHERE doc_no <> '';
CREATE INDEX entries_at ON entries (tenant_id, at);

-- One posting per account per entry, stored in entry order.
CREATE TABLE postings (
  entry_id       INTEGER NOT NULL REFERENCES entries(id),
  account_id     INTEGER NOT NULL REFERENCES accounts(id),
  tenant_id      INTEGER NOT NULL,
  asset          TEXT NOT NULL,
  amount         INTEGER NOT NULL CHECK (amount <> 0),
  balance_after  INTEGER,
  PRIMARY KEY (entry_id, account_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX postings_account ON postings (account_id, entry_id);

CREATE TABLE lots (
  id               INTEGER PRIMARY KEY,
  tenant_id        INTEGER NOT NULL,
  account_id       INTEGER NOT NULL REFERENCES accounts(id),
  asset            TEXT NOT NULL,
  amount           INTEGER NOT NULL CHECK (amount > 0),
  remaining        INTEGER NOT NULL CHECK (remaining >= 0),
  source           TEXT NOT NULL,
  issuer_store_id  INTEGER REFERENCES stores(id),
  entry_id         INTEGER NOT NULL REFERENCES entries(id),
  origin_lot_id    INTEGER REFERENCES lots(id),
  created_at       INTEGER NOT NULL,
  expires_at       INTEGER
) STRICT;
CREATE INDEX lots_open ON lots (account_id, id) WHERE remaining > 0;
CREATE INDEX lots_expiring ON lots (tenant_id, expires_at)
  WHERE remaining > 0 AND expires_at IS NOT NULL;
CREATE INDEX lots_entry ON lots (entry_id);

-- One row per change an entry makes to an existing lot, or (lot_id NULL) to an account's debt.
-- A lot's creation is recorded by the lot itself (its entry_id and amount), so at any time
--   lots.remaining = lots.amount + Σ lot_moves.delta of that lot.
CREATE TABLE lot_moves (
  id          INTEGER PRIMARY KEY,
  entry_id    INTEGER NOT NULL REFERENCES entries(id),
  tenant_id   INTEGER NOT NULL,
  account_id  INTEGER NOT NULL REFERENCES accounts(id),
  lot_id      INTEGER REFERENCES lots(id),
  delta       INTEGER NOT NULL CHECK (delta <> 0)
) STRICT;
CREATE INDEX lot_moves_entry ON lot_moves (entry_id);
CREATE INDEX lot_moves_lot ON lot_moves (lot_id);

CREATE TABLE holds (
  id              INTEGER PRIMARY KEY,
  tenant_id       INTEGER NOT NULL REFERENCES tenants(id),
  card_id         INTEGER NOT NULL REFERENCES cards(id),
  member_id       INTEGER REFERENCES members(id),
  selection       TEXT NOT NULL,
  amount          INTEGER NOT NULL CHECK (amount > 0),
  captured        INTEGER NOT NULL DEFAULT 0,
  status          TEXT NOT NULL,
  created_at      INTEGER NOT NULL,
  expires_at      INTEGER NOT NULL,
  hold_entry_id   INTEGER NOT NULL REFERENCES entries(id),
  close_entry_id  INTEGER REFERENCES entries(id),
  store_id        INTEGER REFERENCES stores(id),
  staff           TEXT NOT NULL,
  doc_no          TEXT NOT NULL DEFAULT ''
) STRICT;
CREATE INDEX holds_card ON holds (card_id, status);
CREATE INDEX holds_due ON holds (expires_at) WHERE status = 'active';

-- A value-changing command's key, a digest of its content and its stored reply (JSON).
CREATE TABLE idempotency_keys (
  tenant_id   INTEGER NOT NULL REFERENCES tenants(id),
  key         TEXT NOT NULL,
  digest      TEXT NOT NULL,
  reply       TEXT NOT NULL,
  created_at  INTEGER NOT NULL,
  PRIMARY KEY (tenant_id, key)
) STRICT, WITHOUT ROWID;
