-- Count cards and period passes at the till (issue #5 item 9, R-505).

-- What a card type of kind count or pass pays for: SKUs and categories (with those below),
-- at which stores (none listed: every store), and how many uses a day (0: no limit).
CREATE TABLE pass_terms (
  card_type_id  INTEGER PRIMARY KEY REFERENCES card_types(id),
  tenant_id     INTEGER NOT NULL REFERENCES tenants(id),
  skus          TEXT NOT NULL,   -- comma-separated
  categories    TEXT NOT NULL,   -- comma-separated
  stores        TEXT NOT NULL,   -- comma-separated store codes
  per_day       INTEGER NOT NULL CHECK (per_day >= 0),
  updated_at    INTEGER NOT NULL
) STRICT;

-- A sale line paid with a count card or pass names the card.
ALTER TABLE sale_lines ADD COLUMN pass_card_id INTEGER REFERENCES cards(id);

-- Each use of a pass at the till (+quantity), and each return of one (−quantity): the uses of a
-- card on a business date are their sum.
CREATE TABLE pass_uses (
  id             INTEGER PRIMARY KEY,
  tenant_id      INTEGER NOT NULL REFERENCES tenants(id),
  card_id        INTEGER NOT NULL REFERENCES cards(id),
  member_id      INTEGER REFERENCES members(id),
  sale_id        INTEGER NOT NULL REFERENCES sales(id),
  line_no        INTEGER NOT NULL,
  return_id      INTEGER REFERENCES sale_returns(id),
  quantity       INTEGER NOT NULL CHECK (quantity <> 0),
  business_date  TEXT NOT NULL,
  at             INTEGER NOT NULL
) STRICT;
CREATE INDEX pass_uses_card_day ON pass_uses (card_id, business_date);
