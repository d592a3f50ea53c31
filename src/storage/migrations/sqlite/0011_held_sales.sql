-- Two-phase settle (issue #5 item 4): a sale may be held — its points, stored value, gift-card
-- value and count-card uses in escrow, its coupons and pass visits reserved — and then captured
-- (it becomes an ordinary settled sale) or voided; a hold not captured in time expires.

-- held → settled | voided | expired; every sale recorded before this migration was settled.
ALTER TABLE sales ADD COLUMN status TEXT NOT NULL DEFAULT 'settled'
  CHECK (status IN ('held', 'settled', 'voided', 'expired'));
-- The entry that moved the tenders into escrow (entry_id is then the capture's or the void's).
ALTER TABLE sales ADD COLUMN hold_entry_id INTEGER REFERENCES entries(id);
ALTER TABLE sales ADD COLUMN hold_expires_at INTEGER;
ALTER TABLE sales ADD COLUMN closed_at INTEGER;               -- captured, voided or expired
ALTER TABLE sales ADD COLUMN close_reason TEXT NOT NULL DEFAULT '';
-- What the capture applies as priced at the hold: the earned lot's expiry, the remainder carried
-- before and after (P1b), and why the tier changes.
ALTER TABLE sales ADD COLUMN points_expire_on TEXT;
ALTER TABLE sales ADD COLUMN carried_before INTEGER NOT NULL DEFAULT 0;
ALTER TABLE sales ADD COLUMN carried_after INTEGER NOT NULL DEFAULT 0;
ALTER TABLE sales ADD COLUMN tier_reason TEXT NOT NULL DEFAULT '';
CREATE INDEX sales_held_due ON sales (hold_expires_at) WHERE status = 'held';

-- A coupon use of a held sale that was voided or expired: it no longer counts.
ALTER TABLE coupon_redemptions ADD COLUMN voided INTEGER NOT NULL DEFAULT 0
  CHECK (voided IN (0, 1));
