-- Suivi des intentions: three roles join the accounts (encadrement, inspecteur, referent).
ALTER TABLE users DROP CONSTRAINT users_role_check;
ALTER TABLE users ADD CONSTRAINT users_role_check CHECK (role IN ('contributor', 'moderator', 'collectivite',
    'admin', 'encadrement', 'inspecteur', 'referent'));

-- What an account is bound to: kind 'uai' (encadrement), 'circonscription', 'discipline' (inspecteurs),
-- 'departement' (referents).
CREATE TABLE account_scopes (
    user_id BIGINT NOT NULL REFERENCES users (id),
    kind    TEXT NOT NULL CHECK (kind IN ('uai', 'circonscription', 'discipline', 'departement')),
    value   TEXT NOT NULL,
    PRIMARY KEY (user_id, kind, value)
);

-- An intention and its dossier. Never public. territory_kind/value: commune (INSEE code),
-- circonscription (name), departement ('06', '83'), or none.
CREATE TABLE intentions (
    id              BIGSERIAL PRIMARY KEY,
    filer_id        BIGINT NOT NULL REFERENCES users (id),
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
    referent_id     BIGINT REFERENCES users (id),
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL,
    version         BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX intentions_filer ON intentions (filer_id);
CREATE INDEX intentions_referent ON intentions (referent_id);

CREATE TABLE intention_uais (
    intention_id BIGINT NOT NULL REFERENCES intentions (id),
    uai          TEXT NOT NULL,
    PRIMARY KEY (intention_id, uai)
);

-- The planned steps, in order (position 1..4). due_on: YYYY-MM-DD or NULL (no deadline).
CREATE TABLE intention_steps (
    id           BIGSERIAL PRIMARY KEY,
    intention_id BIGINT NOT NULL REFERENCES intentions (id),
    position     BIGINT NOT NULL,
    kind         TEXT NOT NULL,
    due_on       TEXT,
    completed_at TEXT,
    completed_by BIGINT REFERENCES users (id),
    answer       TEXT,
    UNIQUE (intention_id, position)
);

-- The timeline: every message and change, never edited.
CREATE TABLE intention_events (
    id           BIGSERIAL PRIMARY KEY,
    intention_id BIGINT NOT NULL REFERENCES intentions (id),
    at           TEXT NOT NULL,
    user_id      BIGINT REFERENCES users (id),
    kind         TEXT NOT NULL,
    text         TEXT NOT NULL DEFAULT '',
    data         TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX intention_events_intention ON intention_events (intention_id, id);

CREATE TABLE intention_practices (
    intention_id BIGINT NOT NULL REFERENCES intentions (id),
    practice_id  BIGINT NOT NULL,
    PRIMARY KEY (intention_id, practice_id)
);

-- Each reminder once: 'soon' (to the referent) and 'late' (to the DANE lead) per step and due date.
CREATE TABLE intention_reminders (
    step_id BIGINT NOT NULL REFERENCES intention_steps (id),
    kind    TEXT NOT NULL,
    due_on  TEXT NOT NULL,
    sent_at TEXT NOT NULL,
    PRIMARY KEY (step_id, kind, due_on)
);
