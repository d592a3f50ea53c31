-- A top-up that meets a tier's deposit moves the member up (issue #5 item 6): a new cause.
CREATE TABLE tier_changes_new (
  id                 INTEGER PRIMARY KEY,
  tenant_id          INTEGER NOT NULL REFERENCES tenants(id),
  member_id          INTEGER NOT NULL REFERENCES members(id),
  from_tier          TEXT NOT NULL,
  to_tier            TEXT NOT NULL,
  cause              TEXT NOT NULL
                     CHECK (cause IN ('purchase', 'regain', 'review', 'staff', 'return',
                                      'deposit')),
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
