-- Repère schema, SQLite flavour. Timestamps are RFC 3339 UTC text of fixed width
-- (2025-09-01T08:00:00.000000Z) so that text order is time order; lists are JSON arrays of strings.
-- The PostgreSQL flavour has the same tables, columns and constraints.

-- Key/value facts about the database itself (e.g. whether it holds the demo dataset).
CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE establishments (
    uai          TEXT PRIMARY KEY CHECK (length(uai) = 8),
    name         TEXT NOT NULL,
    kind         TEXT NOT NULL CHECK (kind IN ('ecole', 'college', 'lycee', 'lp', 'other')),
    sector       TEXT NOT NULL CHECK (sector IN ('public', 'private')),
    commune_code TEXT NOT NULL,
    commune_name TEXT NOT NULL,
    departement  TEXT NOT NULL,
    lon          REAL,
    lat          REAL,
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL,
    CHECK ((lon IS NULL) = (lat IS NULL))
);

-- Bandwidth history; the most recent row of an establishment is its current value.
CREATE TABLE bandwidth (
    id          INTEGER PRIMARY KEY,
    uai         TEXT NOT NULL REFERENCES establishments (uai) ON DELETE CASCADE,
    down_mbps   REAL NOT NULL CHECK (down_mbps >= 0),
    up_mbps     REAL NOT NULL CHECK (up_mbps >= 0),
    technology  TEXT NOT NULL,
    source      TEXT NOT NULL CHECK (source IN ('potential', 'measured')),
    measured_on TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    UNIQUE (uai, measured_on, source, technology)
);

CREATE TABLE practices (
    id               INTEGER PRIMARY KEY,
    title            TEXT NOT NULL,
    summary          TEXT NOT NULL,
    description      TEXT NOT NULL DEFAULT '',
    disciplines      TEXT NOT NULL DEFAULT '[]',
    levels           TEXT NOT NULL DEFAULT '[]',
    tools            TEXT NOT NULL DEFAULT '[]',
    themes           TEXT NOT NULL DEFAULT '[]',
    school_year      TEXT NOT NULL,
    uai              TEXT NOT NULL REFERENCES establishments (uai),
    lon              REAL,
    lat              REAL,
    innovatheque_url TEXT,
    status           TEXT NOT NULL CHECK (status IN ('draft', 'submitted', 'published', 'rejected', 'archived')),
    created_at       TEXT NOT NULL,
    updated_at       TEXT NOT NULL,
    published_at     TEXT,
    CHECK ((lon IS NULL) = (lat IS NULL))
);
CREATE INDEX practices_uai ON practices (uai);

CREATE TABLE sites (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL,
    kind        TEXT NOT NULL CHECK (kind IN ('fab_ecole', 'tiers_lieu', 'fablab')),
    uai         TEXT REFERENCES establishments (uai),
    lon         REAL NOT NULL,
    lat         REAL NOT NULL,
    opened_on   TEXT,
    status      TEXT NOT NULL CHECK (status IN ('planned', 'open', 'closed')),
    equipment   TEXT NOT NULL DEFAULT '[]',
    partners    TEXT NOT NULL DEFAULT '[]',
    description TEXT NOT NULL DEFAULT '',
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);

CREATE TABLE links (
    id            INTEGER PRIMARY KEY,
    from_practice INTEGER NOT NULL REFERENCES practices (id) ON DELETE CASCADE,
    to_practice   INTEGER NOT NULL REFERENCES practices (id) ON DELETE CASCADE,
    kind          TEXT NOT NULL CHECK (kind IN ('inspired_by', 'collaboration', 'same_tool', 'visit', 'training', 'same_site')),
    note          TEXT,
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL,
    CHECK (from_practice <> to_practice)
);
-- No duplicate: the same unordered pair with the same kind.
CREATE UNIQUE INDEX links_pair_kind ON links (min(from_practice, to_practice), max(from_practice, to_practice), kind);
