-- Accounts that are invited, deactivated, bound to an identity provider, told things by e-mail.
-- status: active | invited | deactivated. auth_epoch: raised to end every open session of the account
-- (a session remembers the epoch it was opened at). password_hash '' means no local password.
ALTER TABLE users ADD COLUMN status TEXT NOT NULL DEFAULT 'active';
ALTER TABLE users ADD COLUMN auth_epoch INTEGER NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN last_sign_in_at TEXT;
ALTER TABLE users ADD COLUMN preferences TEXT NOT NULL DEFAULT '{}';
-- Random key of the account's one-click unsubscribe links (created with the first such link).
ALTER TABLE users ADD COLUMN mail_key TEXT;

-- An account signed in through OpenID Connect is bound to (issuer, subject), never to an address.
CREATE TABLE identities (
    issuer     TEXT NOT NULL,
    subject    TEXT NOT NULL,
    user_id    INTEGER NOT NULL REFERENCES users (id),
    created_at TEXT NOT NULL,
    PRIMARY KEY (issuer, subject)
);
CREATE INDEX identities_user ON identities (user_id);

-- Single-use links sent by e-mail: invitations (7 days) and password resets (1 hour). Only the
-- SHA-256 of the token is kept.
CREATE TABLE account_tokens (
    token_hash TEXT PRIMARY KEY,
    purpose    TEXT NOT NULL CHECK (purpose IN ('invitation', 'reset')),
    user_id    INTEGER NOT NULL REFERENCES users (id),
    created_by INTEGER REFERENCES users (id),
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    used_at    TEXT
);
CREATE INDEX account_tokens_user ON account_tokens (user_id, purpose);

-- E-mails written in the same transaction as their cause; a sender task claims and delivers them.
CREATE TABLE outbox (
    id              INTEGER PRIMARY KEY,
    recipient       TEXT NOT NULL,
    subject         TEXT NOT NULL,
    body_text       TEXT NOT NULL,
    body_html       TEXT NOT NULL,
    kind            TEXT NOT NULL,
    unsubscribe_url TEXT,
    created_at      TEXT NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT NOT NULL,
    claimed_until   TEXT,
    sent_at         TEXT,
    last_error      TEXT
);
CREATE INDEX outbox_pending ON outbox (next_attempt_at) WHERE sent_at IS NULL;

-- Submissions a moderator who chose the daily digest has not yet been told of.
CREATE TABLE digest_items (
    id          INTEGER PRIMARY KEY,
    user_id     INTEGER NOT NULL REFERENCES users (id),
    practice_id INTEGER NOT NULL,
    at          TEXT NOT NULL
);
CREATE INDEX digest_items_user ON digest_items (user_id);
-- When each moderator's last digest left.
CREATE TABLE digests_sent (
    user_id INTEGER PRIMARY KEY REFERENCES users (id),
    at      TEXT NOT NULL
);
