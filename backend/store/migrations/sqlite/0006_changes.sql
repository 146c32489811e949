-- The change log: one row per committed write that the in-memory catalogue must follow, written in the
-- same transaction as the write. Instances apply it in id order from the last id they applied, so
-- several instances on one database stay in step and nothing is skipped or applied twice.
-- entity_id is NULL only for 'all' (a bulk write: reload everything).
CREATE TABLE changes (
    id        INTEGER PRIMARY KEY AUTOINCREMENT,
    entity    TEXT NOT NULL CHECK (entity IN ('practice', 'establishment', 'site', 'link', 'all')),
    entity_id TEXT,
    at        TEXT NOT NULL,
    CHECK ((entity = 'all') = (entity_id IS NULL))
);
