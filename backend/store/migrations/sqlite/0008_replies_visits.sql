-- Replies between a practice's author and a colleague: a message names its recipient (NULL for the
-- first messages, which went to the practice's author) and the message it answers.
ALTER TABLE messages ADD COLUMN recipient_id INTEGER REFERENCES users (id);
ALTER TABLE messages ADD COLUMN reply_to INTEGER REFERENCES messages (id) ON DELETE SET NULL;
CREATE INDEX messages_recipient ON messages (recipient_id);

-- Visit counts, aggregated per day, page, practice (0: none) and embedding site ('' : Repère itself).
-- Counted in memory and added here in batches: no cookie, no address, no user agent.
CREATE TABLE visit_counts (
    day         TEXT NOT NULL,
    page        TEXT NOT NULL,
    practice_id INTEGER NOT NULL DEFAULT 0,
    site        TEXT NOT NULL DEFAULT '',
    count       INTEGER NOT NULL,
    PRIMARY KEY (day, page, practice_id, site)
);
