-- OneCard schema 6: the catalogue, just enough to price (issue #5). Categories form a tree per
-- tenant; a product (by SKU) has a list price, an item class the programme's discounts name, the
-- categories it sits in, flags, and a price per member tier where the merchant sets one. A
-- promotion sets a product's price for everyone for a window of time, overriding the tier
-- prices; windows of one product never overlap. Products are retired, never deleted: sales name
-- them by SKU.

CREATE TABLE categories (
  id         INTEGER PRIMARY KEY,
  tenant_id  INTEGER NOT NULL REFERENCES tenants(id),
  parent_id  INTEGER REFERENCES categories(id),
  code       TEXT NOT NULL,
  name       TEXT NOT NULL,
  UNIQUE (tenant_id, code)
) STRICT;

CREATE TABLE products (
  id           INTEGER PRIMARY KEY,
  tenant_id    INTEGER NOT NULL REFERENCES tenants(id),
  sku          TEXT NOT NULL,
  name         TEXT NOT NULL,
  list_price   INTEGER NOT NULL CHECK (list_price >= 0),  -- fen per unit
  item_class   TEXT NOT NULL,
  non_earning  INTEGER NOT NULL CHECK (non_earning IN (0, 1)),
  bundle       INTEGER NOT NULL CHECK (bundle IN (0, 1)),
  status       TEXT NOT NULL CHECK (status IN ('active', 'retired')),
  created_at   INTEGER NOT NULL,
  updated_at   INTEGER NOT NULL,
  UNIQUE (tenant_id, sku)
) STRICT;

CREATE TABLE product_categories (
  product_id   INTEGER NOT NULL REFERENCES products(id),
  category_id  INTEGER NOT NULL REFERENCES categories(id),
  tenant_id    INTEGER NOT NULL REFERENCES tenants(id),
  PRIMARY KEY (product_id, category_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX product_categories_category ON product_categories (category_id, product_id);

CREATE TABLE product_tier_prices (
  product_id  INTEGER NOT NULL REFERENCES products(id),
  tier        TEXT NOT NULL,       -- a tier code of the tenant's programme
  tenant_id   INTEGER NOT NULL REFERENCES tenants(id),
  price       INTEGER NOT NULL CHECK (price >= 0),  -- fen per unit, at most the list price
  PRIMARY KEY (product_id, tier)
) STRICT, WITHOUT ROWID;

CREATE TABLE promotions (
  id          INTEGER PRIMARY KEY,
  tenant_id   INTEGER NOT NULL REFERENCES tenants(id),
  product_id  INTEGER NOT NULL REFERENCES products(id),
  name        TEXT NOT NULL,
  price       INTEGER NOT NULL CHECK (price >= 0),  -- fen per unit
  starts_at   INTEGER NOT NULL,
  ends_at     INTEGER NOT NULL CHECK (ends_at >= starts_at),  -- exclusive
  created_by  TEXT NOT NULL,
  created_at  INTEGER NOT NULL
) STRICT;
CREATE INDEX promotions_product ON promotions (product_id, starts_at);
