-- A published report edited by its author waits here for review while the published version stays
-- visible; and messages sent to an author through "contacter l'auteur" (addresses never exchanged).
CREATE TABLE practice_revisions (
    practice_id INTEGER PRIMARY KEY REFERENCES practices (id) ON DELETE CASCADE,
    data        TEXT NOT NULL,
    author_id   INTEGER REFERENCES users (id),
    created_at  TEXT NOT NULL
);

CREATE TABLE messages (
    id          INTEGER PRIMARY KEY,
    practice_id INTEGER NOT NULL REFERENCES practices (id) ON DELETE CASCADE,
    sender_id   INTEGER NOT NULL REFERENCES users (id),
    sender_name TEXT NOT NULL,
    body        TEXT NOT NULL,
    created_at  TEXT NOT NULL
);
CREATE INDEX messages_practice ON messages (practice_id);
