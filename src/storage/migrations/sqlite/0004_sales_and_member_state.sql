-- OneCard schema 4: sales, member state and jobs (issues #4 and #5). A sale is what a till
-- settled: its lines as priced by the programme version in force, its tenders, and the journal
-- entry that moved the member's value (none for a walk-in paid in cash). A member's programme
-- state (tier, spend and points to date, the remainder carried, a tier lost at a review) is kept
-- beside the member and changed only in the transaction of the sale, review or staff action that
-- changes it; each tier change is recorded with its cause and document.

CREATE TABLE sales (
  id                 INTEGER PRIMARY KEY,
  tenant_id          INTEGER NOT NULL REFERENCES tenants(id),
  member_id          INTEGER REFERENCES members(id),  -- NULL: a walk-in sale (R-607)
  card_id            INTEGER REFERENCES cards(id),
  store_id           INTEGER NOT NULL REFERENCES stores(id),
  doc_no             TEXT NOT NULL,                   -- the till's receipt number
  staff              TEXT NOT NULL,
  at                 INTEGER NOT NULL,
  business_date      TEXT NOT NULL,                   -- local to the tenant
  programme_version  INTEGER,                         -- NULL: walk-in, priced at list
  tier_before        TEXT NOT NULL,                   -- the member's tier before the sale
  tier               TEXT NOT NULL,                   -- priced at
  tier_after         TEXT NOT NULL,
  list_total         INTEGER NOT NULL,
  discount_total     INTEGER NOT NULL,
  paid_total         INTEGER NOT NULL,                -- the amount due, paid by the tenders
  points_earned      INTEGER NOT NULL,
  point_asset        TEXT NOT NULL,
  points_spent       INTEGER NOT NULL,
  points_value       INTEGER NOT NULL,                -- fen the spent points paid
  entry_id           INTEGER REFERENCES entries(id),
  explain            TEXT NOT NULL,                   -- JSON array of the evaluator's lines
  UNIQUE (tenant_id, store_id, doc_no)
) STRICT;
CREATE INDEX sales_member ON sales (tenant_id, member_id, business_date);
CREATE INDEX sales_date ON sales (tenant_id, business_date);

CREATE TABLE sale_lines (
  sale_id     INTEGER NOT NULL REFERENCES sales(id),
  line_no     INTEGER NOT NULL,
  tenant_id   INTEGER NOT NULL REFERENCES tenants(id),
  member_id   INTEGER REFERENCES members(id),
  sku         TEXT NOT NULL,
  item_class  TEXT NOT NULL,
  categories  TEXT NOT NULL,   -- comma-separated
  non_earning INTEGER NOT NULL,
  quantity    INTEGER NOT NULL,
  unit_price  INTEGER NOT NULL,
  list        INTEGER NOT NULL,
  discount    INTEGER NOT NULL,
  paid        INTEGER NOT NULL,
  points      INTEGER NOT NULL,
  PRIMARY KEY (sale_id, line_no)
) STRICT, WITHOUT ROWID;

CREATE TABLE sale_tenders (
  sale_id    INTEGER NOT NULL REFERENCES sales(id),
  seq        INTEGER NOT NULL,
  tenant_id  INTEGER NOT NULL REFERENCES tenants(id),
  member_id  INTEGER REFERENCES members(id),
  method     TEXT NOT NULL,    -- cash | bank_card | wechat | alipay | other | points | stored_value
  amount     INTEGER NOT NULL, -- fen
  points     INTEGER NOT NULL, -- points given (method 'points')
  reference  TEXT NOT NULL,
  PRIMARY KEY (sale_id, seq)
) STRICT, WITHOUT ROWID;

CREATE TABLE member_states (
  member_id              INTEGER PRIMARY KEY REFERENCES members(id),
  tenant_id              INTEGER NOT NULL REFERENCES tenants(id),
  tier                   TEXT NOT NULL,   -- '' = the programme's lowest tier
  tier_since             INTEGER,
  downgraded_from        TEXT NOT NULL,   -- the tier lost at the last review, '' when none
  spend_since_downgrade  INTEGER NOT NULL,
  cumulative_spend       INTEGER NOT NULL,
  cumulative_points      INTEGER NOT NULL,
  carried_fen            INTEGER NOT NULL,
  purchases              INTEGER NOT NULL,
  last_purchase_at       INTEGER,
  reviewed_to            TEXT,            -- last day of the last review period judged
  updated_at             INTEGER NOT NULL
) STRICT;
CREATE INDEX member_states_tier ON member_states (tenant_id, tier);

CREATE TABLE tier_changes (
  id                 INTEGER PRIMARY KEY,
  tenant_id          INTEGER NOT NULL REFERENCES tenants(id),
  member_id          INTEGER NOT NULL REFERENCES members(id),
  from_tier          TEXT NOT NULL,
  to_tier            TEXT NOT NULL,
  cause              TEXT NOT NULL CHECK (cause IN ('purchase', 'regain', 'review', 'staff')),
  reason             TEXT NOT NULL,
  doc_no             TEXT NOT NULL,   -- the receipt, review or staff document
  sale_id            INTEGER REFERENCES sales(id),
  programme_version  INTEGER,
  staff              TEXT NOT NULL,
  at                 INTEGER NOT NULL
) STRICT;
CREATE INDEX tier_changes_member ON tier_changes (tenant_id, member_id, id);

-- Periodic jobs run per business date (tier review…): a second run of the same date reports the
-- first run's result.
CREATE TABLE job_runs (
  tenant_id      INTEGER NOT NULL REFERENCES tenants(id),
  job            TEXT NOT NULL,
  business_date  TEXT NOT NULL,
  ran_at         INTEGER NOT NULL,
  staff          TEXT NOT NULL,
  result         TEXT NOT NULL,       -- JSON
  PRIMARY KEY (tenant_id, job, business_date)
) STRICT;
