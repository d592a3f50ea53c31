-- OneCard schema 5: returns (issue #5). A return gives back some or all of a sale's lines: the
-- refund is the returned lines' share of what was paid, split over the sale's tenders in
-- proportion to what each has left to refund; points earned are taken back and points and stored
-- value tendered are restored to the lots they came from, in the one journal entry the return
-- names. What every return of a sale has taken is summed from these rows, so a line is never
-- returned beyond its quantity nor a tender refunded beyond its amount (verify checks both).

CREATE TABLE sale_returns (
  id                 INTEGER PRIMARY KEY,
  tenant_id          INTEGER NOT NULL REFERENCES tenants(id),
  sale_id            INTEGER NOT NULL REFERENCES sales(id),
  member_id          INTEGER REFERENCES members(id),  -- NULL: a walk-in sale
  store_id           INTEGER NOT NULL REFERENCES stores(id),  -- where the goods came back
  doc_no             TEXT NOT NULL,                   -- the return's receipt number
  staff              TEXT NOT NULL,
  at                 INTEGER NOT NULL,
  business_date      TEXT NOT NULL,
  reason             TEXT NOT NULL,
  refund_total       INTEGER NOT NULL,   -- fen: the returned lines' share of what was paid
  deducted           INTEGER NOT NULL,   -- fen kept back for points already spent (policy)
  points_taken_back  INTEGER NOT NULL,   -- earned points taken back
  points_short       INTEGER NOT NULL,   -- earned points already spent, not taken back
  points_restored    INTEGER NOT NULL,   -- tendered points given back
  tier_before        TEXT NOT NULL,
  tier_after         TEXT NOT NULL,
  entry_id           INTEGER REFERENCES entries(id),
  UNIQUE (tenant_id, store_id, doc_no)
) STRICT;
CREATE INDEX sale_returns_sale ON sale_returns (sale_id, id);

CREATE TABLE return_lines (
  return_id  INTEGER NOT NULL REFERENCES sale_returns(id),
  line_no    INTEGER NOT NULL,   -- the sale's line
  tenant_id  INTEGER NOT NULL REFERENCES tenants(id),
  sale_id    INTEGER NOT NULL REFERENCES sales(id),
  quantity   INTEGER NOT NULL CHECK (quantity > 0),
  list       INTEGER NOT NULL,
  discount   INTEGER NOT NULL,
  paid       INTEGER NOT NULL,
  points     INTEGER NOT NULL,   -- earned points of the line taken back (or short)
  PRIMARY KEY (return_id, line_no)
) STRICT, WITHOUT ROWID;

CREATE TABLE return_tenders (
  return_id  INTEGER NOT NULL REFERENCES sale_returns(id),
  seq        INTEGER NOT NULL,   -- the sale's tender
  tenant_id  INTEGER NOT NULL REFERENCES tenants(id),
  sale_id    INTEGER NOT NULL REFERENCES sales(id),
  method     TEXT NOT NULL,
  amount     INTEGER NOT NULL,   -- fen of the tender's share of the refund, before deduction
  deducted   INTEGER NOT NULL,   -- fen of it kept back for points already spent
  points     INTEGER NOT NULL,   -- method 'points': points restored
  PRIMARY KEY (return_id, seq)
) STRICT, WITHOUT ROWID;

-- A return that takes back the purchase that raised a tier may take the tier back: a new cause.
CREATE TABLE tier_changes_new (
  id                 INTEGER PRIMARY KEY,
  tenant_id          INTEGER NOT NULL REFERENCES tenants(id),
  member_id          INTEGER NOT NULL REFERENCES members(id),
  from_tier          TEXT NOT NULL,
  to_tier            TEXT NOT NULL,
  cause              TEXT NOT NULL
                     CHECK (cause IN ('purchase', 'regain', 'review', 'staff', 'return')),
  reason             TEXT NOT NULL,
  doc_no             TEXT NOT NULL,
  sale_id            INTEGER REFERENCES sales(id),
  programme_version  INTEGER,
  staff              TEXT NOT NULL,
  at                 INTEGER NOT NULL
) STRICT;
INSERT INTO tier_changes_new SELECT * FROM tier_changes;
DROP TABLE tier_changes;
ALTER TABLE tier_changes_new RENAME TO tier_changes;
CREATE INDEX tier_changes_member ON tier_changes (tenant_id, member_id, id);
