-- OneCard schema 8: coupons (issue #5, R-504). A campaign says what its coupons do (a percentage
-- or a fixed amount off, a minimum spend, the SKUs, categories and stores they apply to, never
-- bundles), when they may be used and how often. Its coupons are either one shared promo code
-- (kept on the campaign) or unique codes made here — issued to a member or as an anonymous batch
-- — kept only as SHA-256 of the normalised code (80 random bits each). Each use at a checkout is
-- a redemption row next to the sale; a return of the whole sale restores it when the campaign
-- says so. The counters on campaigns and coupons are updated in the same transaction as the
-- redemptions (verify recounts them).

CREATE TABLE coupon_campaigns (
  id                 INTEGER PRIMARY KEY,
  tenant_id          INTEGER NOT NULL REFERENCES tenants(id),
  code               TEXT NOT NULL,
  name               TEXT NOT NULL,
  kind               TEXT NOT NULL CHECK (kind IN ('percent', 'fixed')),
  percent_off_bp     INTEGER NOT NULL DEFAULT 0 CHECK (percent_off_bp BETWEEN 0 AND 10000),
  amount_off         INTEGER NOT NULL DEFAULT 0 CHECK (amount_off >= 0),    -- fen
  max_discount       INTEGER NOT NULL DEFAULT 0 CHECK (max_discount >= 0),  -- fen; 0: none
  min_spend          INTEGER NOT NULL DEFAULT 0 CHECK (min_spend >= 0),     -- fen
  skus               TEXT NOT NULL DEFAULT '',  -- comma-separated; with categories '' = all
  categories         TEXT NOT NULL DEFAULT '',
  stores             TEXT NOT NULL DEFAULT '',  -- '' = every store
  valid_from         TEXT NOT NULL,             -- local business dates, inclusive
  valid_until        TEXT,                      -- NULL: no end
  valid_days         INTEGER NOT NULL DEFAULT 0 CHECK (valid_days >= 0),  -- issued: days of use
  promo_code         TEXT,                      -- shared code; NULL: unique codes
  uses_per_coupon    INTEGER NOT NULL DEFAULT 1 CHECK (uses_per_coupon >= 0),  -- 0: no limit
  per_member_limit   INTEGER NOT NULL DEFAULT 0 CHECK (per_member_limit >= 0),
  total_limit        INTEGER NOT NULL DEFAULT 0 CHECK (total_limit >= 0),
  budget             INTEGER NOT NULL DEFAULT 0 CHECK (budget >= 0),  -- fen of discount; 0: none
  restore_on_return  INTEGER NOT NULL DEFAULT 1 CHECK (restore_on_return IN (0, 1)),
  state              TEXT NOT NULL DEFAULT 'active' CHECK (state IN ('active', 'stopped')),
  issued             INTEGER NOT NULL DEFAULT 0 CHECK (issued >= 0),
  used               INTEGER NOT NULL DEFAULT 0 CHECK (used >= 0),
  discount_given     INTEGER NOT NULL DEFAULT 0 CHECK (discount_given >= 0),
  created_by         TEXT NOT NULL,
  created_at         INTEGER NOT NULL,
  UNIQUE (tenant_id, code)
) STRICT;
CREATE UNIQUE INDEX coupon_campaigns_promo ON coupon_campaigns (tenant_id, promo_code)
  WHERE promo_code IS NOT NULL;

CREATE TABLE coupons (
  id           INTEGER PRIMARY KEY,
  tenant_id    INTEGER NOT NULL REFERENCES tenants(id),
  campaign_id  INTEGER NOT NULL REFERENCES coupon_campaigns(id),
  code_hash    TEXT NOT NULL,  -- SHA-256 (hex) of the normalised code
  hint         TEXT NOT NULL,  -- its last 4 characters, for people to tell coupons apart
  member_id    INTEGER REFERENCES members(id),  -- NULL: a bearer coupon of a batch
  valid_from   TEXT NOT NULL,
  valid_until  TEXT,
  used         INTEGER NOT NULL DEFAULT 0 CHECK (used >= 0),
  state        TEXT NOT NULL DEFAULT 'active' CHECK (state IN ('active', 'void')),
  issued_by    TEXT NOT NULL,
  issued_at    INTEGER NOT NULL,
  UNIQUE (tenant_id, code_hash)
) STRICT;
CREATE INDEX coupons_campaign ON coupons (campaign_id, id);
CREATE INDEX coupons_member ON coupons (tenant_id, member_id) WHERE member_id IS NOT NULL;

CREATE TABLE coupon_redemptions (
  id           INTEGER PRIMARY KEY,
  tenant_id    INTEGER NOT NULL REFERENCES tenants(id),
  campaign_id  INTEGER NOT NULL REFERENCES coupon_campaigns(id),
  coupon_id    INTEGER REFERENCES coupons(id),  -- NULL: the campaign's promo code
  member_id    INTEGER REFERENCES members(id),  -- NULL: a walk-in sale
  sale_id      INTEGER NOT NULL REFERENCES sales(id),
  discount     INTEGER NOT NULL CHECK (discount >= 0),  -- fen
  at           INTEGER NOT NULL,
  return_id    INTEGER REFERENCES sale_returns(id)  -- the return that restored it
) STRICT;
CREATE INDEX coupon_redemptions_sale ON coupon_redemptions (sale_id);
CREATE INDEX coupon_redemptions_member ON coupon_redemptions (campaign_id, member_id);
CREATE INDEX coupon_redemptions_coupon ON coupon_redemptions (coupon_id) WHERE coupon_id IS NOT NULL;

-- Unknown coupon codes tried, by principal and client address (guessing locks a till out).
CREATE TABLE coupon_code_failures (
  id         INTEGER PRIMARY KEY,
  tenant_id  INTEGER NOT NULL REFERENCES tenants(id),
  who        TEXT NOT NULL,
  client     TEXT NOT NULL,
  at         INTEGER NOT NULL
) STRICT;
CREATE INDEX coupon_code_failures_who ON coupon_code_failures (tenant_id, who, at);
CREATE INDEX coupon_code_failures_client ON coupon_code_failures (tenant_id, client, at);
