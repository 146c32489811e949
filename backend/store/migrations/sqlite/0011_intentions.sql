-- no-transaction
-- Suivi des intentions. Three roles join the accounts (encadrement, inspecteur, referent): SQLite cannot
-- change a CHECK constraint, so the users table is rebuilt (the documented twelve steps, foreign keys
-- off while the parent table is swapped).
PRAGMA foreign_keys = OFF;
BEGIN;
CREATE TABLE users_new (
    id              INTEGER PRIMARY KEY,
    email           TEXT NOT NULL UNIQUE,
    display_name    TEXT NOT NULL DEFAULT '',
    role            TEXT NOT NULL CHECK (role IN ('contributor', 'moderator', 'collectivite', 'admin',
                                                  'encadrement', 'inspecteur', 'referent')),
    password_hash   TEXT NOT NULL,
    created_at      TEXT NOT NULL,
    status          TEXT NOT NULL DEFAULT 'active',
    auth_epoch      INTEGER NOT NULL DEFAULT 0,
    last_sign_in_at TEXT,
    preferences     TEXT NOT NULL DEFAULT '{}',
    mail_key        TEXT
);
INSERT INTO users_new (id, email, display_name, role, password_hash, created_at, status, auth_epoch,
                       last_sign_in_at, preferences, mail_key)
    SELECT id, email, display_name, role, password_hash, created_at, status, auth_epoch,
           last_sign_in_at, preferences, mail_key FROM users;
DROP TABLE users;
ALTER TABLE users_new RENAME TO users;

-- What an account is bound to: kind 'uai' (encadrement), 'circonscription', 'discipline' (inspecteurs),
-- 'departement' (referents).
CREATE TABLE account_scopes (
    user_id INTEGER NOT NULL REFERENCES users (id),
    kind    TEXT NOT NULL CHECK (kind IN ('uai', 'circonscription', 'discipline', 'departement')),
    value   TEXT NOT NULL,
    PRIMARY KEY (user_id, kind, value)
);

-- An intention and its dossier. Never public. territory_kind/value: commune (INSEE code),
-- circonscription (name), departement ('06', '83'), or none.
CREATE TABLE intentions (
    id              INTEGER PRIMARY KEY,
    filer_id        INTEGER NOT NULL REFERENCES users (id),
    kind            TEXT NOT NULL,
    title           TEXT NOT NULL,
    description     TEXT NOT NULL,
    hoped_for       TEXT,
    people          TEXT NOT NULL DEFAULT '',
    territory_kind  TEXT,
    territory_value TEXT,
    departement     TEXT NOT NULL DEFAULT '',
    status          TEXT NOT NULL,
    outcome         TEXT,
    referent_id     INTEGER REFERENCES users (id),
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL,
    version         INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX intentions_filer ON intentions (filer_id);
CREATE INDEX intentions_referent ON intentions (referent_id);

CREATE TABLE intention_uais (
    intention_id INTEGER NOT NULL REFERENCES intentions (id),
    uai          TEXT NOT NULL,
    PRIMARY KEY (intention_id, uai)
);

-- The planned steps, in order (position 1..4). due_on: YYYY-MM-DD or NULL (no deadline).
CREATE TABLE intention_steps (
    id           INTEGER PRIMARY KEY,
    intention_id INTEGER NOT NULL REFERENCES intentions (id),
    position     INTEGER NOT NULL,
    kind         TEXT NOT NULL,
    due_on       TEXT,
    completed_at TEXT,
    completed_by INTEGER REFERENCES users (id),
    answer       TEXT,
    UNIQUE (intention_id, position)
);

-- The timeline: every message and change, never edited.
CREATE TABLE intention_events (
    id           INTEGER PRIMARY KEY,
    intention_id INTEGER NOT NULL REFERENCES intentions (id),
    at           TEXT NOT NULL,
    user_id      INTEGER REFERENCES users (id),
    kind         TEXT NOT NULL,
    text         TEXT NOT NULL DEFAULT '',
    data         TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX intention_events_intention ON intention_events (intention_id, id);

CREATE TABLE intention_practices (
    intention_id INTEGER NOT NULL REFERENCES intentions (id),
    practice_id  INTEGER NOT NULL,
    PRIMARY KEY (intention_id, practice_id)
);

-- Each reminder once: 'soon' (to the referent) and 'late' (to the DANE lead) per step and due date.
CREATE TABLE intention_reminders (
    step_id INTEGER NOT NULL REFERENCES intention_steps (id),
    kind    TEXT NOT NULL,
    due_on  TEXT NOT NULL,
    sent_at TEXT NOT NULL,
    PRIMARY KEY (step_id, kind, due_on)
);
COMMIT;
PRAGMA foreign_keys = ON;
