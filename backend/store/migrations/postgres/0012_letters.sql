-- La lettre des usages: editions of a discipline, their practices and errata; subscriptions (double
-- opt-in), deliveries (one per subscriber and edition), counted clicks, each discipline's plan.
-- discipline_key: the discipline folded (case and accents), what matching uses.
CREATE TABLE editions (
    id             BIGSERIAL PRIMARY KEY,
    discipline     TEXT NOT NULL,
    discipline_key TEXT NOT NULL,
    levels         TEXT NOT NULL DEFAULT '[]',
    title          TEXT NOT NULL DEFAULT '',
    message        TEXT NOT NULL DEFAULT '',
    status         TEXT NOT NULL,
    scheduled_for  TEXT,
    published_at   TEXT,
    author_id      BIGINT REFERENCES users (id),
    created_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL,
    version        BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX editions_discipline ON editions (discipline_key, published_at);

CREATE TABLE edition_items (
    edition_id  BIGINT NOT NULL REFERENCES editions (id),
    position    BIGINT NOT NULL,
    practice_id BIGINT NOT NULL,
    comment     TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (edition_id, position)
);

CREATE TABLE edition_errata (
    id         BIGSERIAL PRIMARY KEY,
    edition_id BIGINT NOT NULL REFERENCES editions (id),
    at         TEXT NOT NULL,
    user_id    BIGINT REFERENCES users (id),
    text       TEXT NOT NULL
);

-- status: pending (waits for the confirmation link) | confirmed | unsubscribed. token_hash: SHA-256
-- of the confirmation token (single use); mail_key: the random key of the one-click unsubscribe.
CREATE TABLE letter_subscriptions (
    id              BIGSERIAL PRIMARY KEY,
    email           TEXT NOT NULL,
    discipline      TEXT NOT NULL,
    discipline_key  TEXT NOT NULL,
    levels          TEXT NOT NULL DEFAULT '[]',
    status          TEXT NOT NULL,
    token_hash      TEXT,
    token_expires_at TEXT,
    mail_key        TEXT NOT NULL,
    created_at      TEXT NOT NULL,
    confirmed_at    TEXT,
    unsubscribed_at TEXT,
    UNIQUE (email, discipline_key)
);

CREATE TABLE edition_deliveries (
    edition_id      BIGINT NOT NULL REFERENCES editions (id),
    subscription_id BIGINT NOT NULL REFERENCES letter_subscriptions (id),
    at              TEXT NOT NULL,
    PRIMARY KEY (edition_id, subscription_id)
);

-- Visits of a featured practice coming from an edition: a count, nothing about the visitor.
CREATE TABLE edition_clicks (
    edition_id  BIGINT NOT NULL REFERENCES editions (id),
    practice_id BIGINT NOT NULL,
    count       BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (edition_id, practice_id)
);

CREATE TABLE letter_plans (
    discipline_key TEXT PRIMARY KEY,
    discipline     TEXT NOT NULL,
    rhythm         TEXT NOT NULL,
    levels         TEXT NOT NULL DEFAULT '[]',
    updated_at     TEXT NOT NULL
);

-- Each "an edition is due" reminder once per discipline and due date.
CREATE TABLE letter_reminders (
    discipline_key TEXT NOT NULL,
    due_on         TEXT NOT NULL,
    sent_at        TEXT NOT NULL,
    PRIMARY KEY (discipline_key, due_on)
);
