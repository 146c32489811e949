-- SQLite reuses the largest rowid after a delete unless the key is AUTOINCREMENT; link ids appear in
-- the audit log and in shared URLs, so a removed link's id must never name another link.
CREATE TABLE links_new (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    from_practice INTEGER NOT NULL REFERENCES practices (id) ON DELETE CASCADE,
    to_practice   INTEGER NOT NULL REFERENCES practices (id) ON DELETE CASCADE,
    kind          TEXT NOT NULL CHECK (kind IN ('inspired_by', 'collaboration', 'same_tool', 'visit', 'training', 'same_site')),
    note          TEXT,
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL,
    author_id     INTEGER REFERENCES users (id),
    CHECK (from_practice <> to_practice)
);
INSERT INTO links_new (id, from_practice, to_practice, kind, note, created_at, updated_at, author_id)
    SELECT id, from_practice, to_practice, kind, note, created_at, updated_at, author_id FROM links;
DROP TABLE links;
ALTER TABLE links_new RENAME TO links;
CREATE UNIQUE INDEX links_pair_kind ON links (min(from_practice, to_practice), max(from_practice, to_practice), kind);
