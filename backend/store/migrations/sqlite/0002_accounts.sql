-- Accounts, server-side sessions, login rate limiting and the audit log; practices gain an author.
CREATE TABLE users (
    id            INTEGER PRIMARY KEY,
    email         TEXT NOT NULL UNIQUE,
    display_name  TEXT NOT NULL DEFAULT '',
    role          TEXT NOT NULL CHECK (role IN ('contributor', 'moderator', 'collectivite', 'admin')),
    password_hash TEXT NOT NULL,
    created_at    TEXT NOT NULL
);

-- One row per session: the session crate's record (JSON) and its expiry (fixed-width UTC text).
CREATE TABLE sessions (
    id         TEXT PRIMARY KEY,
    data       TEXT NOT NULL,
    expires_at TEXT NOT NULL
);
CREATE INDEX sessions_expires_at ON sessions (expires_at);

-- Failed logins, by scope ("account:<email>" or "ip:<address>"), for rate limiting.
CREATE TABLE login_failures (
    id    INTEGER PRIMARY KEY,
    scope TEXT NOT NULL,
    at    TEXT NOT NULL
);
CREATE INDEX login_failures_scope_at ON login_failures (scope, at);

-- Every change: who, when, what (old and new values as JSON).
CREATE TABLE audit_log (
    id        INTEGER PRIMARY KEY,
    entity    TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    user_id   INTEGER REFERENCES users (id),
    action    TEXT NOT NULL,
    changes   TEXT NOT NULL DEFAULT '{}',
    at        TEXT NOT NULL
);
CREATE INDEX audit_log_entity ON audit_log (entity, entity_id);

ALTER TABLE practices ADD COLUMN author_id INTEGER REFERENCES users (id);
ALTER TABLE practices ADD COLUMN rejection_reason TEXT;
