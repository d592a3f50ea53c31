-- OneCard schema 7: gift cards (issue #5, R-503). A gift card is a bearer card (cards.member_id
-- NULL) of a gift card type, made in a batch — numbers and PINs generated here or imported from
-- a printer's file — inactive until it is sold: activation loads its face value (a top_up entry).
-- Its PIN is kept only as argon2id of HMAC-SHA-256(server secret, PIN); `secret_id` says which
-- server secret keyed a batch's hashes, so a server started with another secret refuses instead
-- of counting every PIN as wrong. Wrong PINs count per card (locking it for a while) and per
-- till and client address (gift_pin_failures). A reconciliation report covers the journal
-- entries after the previous report's, up to the last entry when it was taken.

CREATE TABLE gift_batches (
  id            INTEGER PRIMARY KEY,
  tenant_id     INTEGER NOT NULL REFERENCES tenants(id),
  code          TEXT NOT NULL,
  name          TEXT NOT NULL,
  card_type_id  INTEGER NOT NULL REFERENCES card_types(id),
  face_value    INTEGER NOT NULL CHECK (face_value > 0),  -- fen; an imported card may differ
  origin        TEXT NOT NULL CHECK (origin IN ('generated', 'imported')),
  cards         INTEGER NOT NULL CHECK (cards > 0),
  valid_until   TEXT,                                     -- last business date of use; NULL: none
  secret_id     TEXT NOT NULL,
  store_id      INTEGER REFERENCES stores(id),
  created_by    TEXT NOT NULL,
  created_at    INTEGER NOT NULL,
  UNIQUE (tenant_id, code)
) STRICT;

CREATE TABLE gift_cards (
  card_id              INTEGER PRIMARY KEY REFERENCES cards(id),
  tenant_id            INTEGER NOT NULL REFERENCES tenants(id),
  batch_id             INTEGER NOT NULL REFERENCES gift_batches(id),
  face_value           INTEGER NOT NULL CHECK (face_value > 0),
  pin_hash             TEXT NOT NULL,
  failed_pins          INTEGER NOT NULL DEFAULT 0 CHECK (failed_pins >= 0),
  locked_until         INTEGER,
  activation_entry_id  INTEGER REFERENCES entries(id)
) STRICT;
CREATE INDEX gift_cards_batch ON gift_cards (batch_id, card_id);

CREATE TABLE gift_pin_failures (
  id         INTEGER PRIMARY KEY,
  tenant_id  INTEGER NOT NULL REFERENCES tenants(id),
  who        TEXT NOT NULL,  -- the principal: "api_key:till-01", "staff:li"
  client     TEXT NOT NULL,  -- the address ('' from the command line)
  card_id    INTEGER REFERENCES cards(id),
  at         INTEGER NOT NULL
) STRICT;
CREATE INDEX gift_pin_failures_who ON gift_pin_failures (tenant_id, who, at);
CREATE INDEX gift_pin_failures_client ON gift_pin_failures (tenant_id, client, at);

CREATE TABLE gift_reports (
  id              INTEGER PRIMARY KEY,
  tenant_id       INTEGER NOT NULL REFERENCES tenants(id),
  at              INTEGER NOT NULL,
  staff           TEXT NOT NULL,
  previous_id     INTEGER REFERENCES gift_reports(id),
  previous_at     INTEGER,
  after_entry_id  INTEGER NOT NULL,  -- covers entries after this one…
  last_entry_id   INTEGER NOT NULL,  -- …up to this one
  opening         INTEGER NOT NULL,  -- fen on gift cards at the previous report
  closing         INTEGER NOT NULL,  -- fen on gift cards now (Σ cached balances)
  detail          TEXT NOT NULL      -- JSON: the movements by kind and store, the cards
) STRICT;
CREATE INDEX gift_reports_tenant ON gift_reports (tenant_id, id);

-- The card a gift-card tender was paid from.
ALTER TABLE sale_tenders ADD COLUMN card_id INTEGER REFERENCES cards(id);
