-- Browsers that signed in to an account before (the SHA-256 of a random cookie): a correct password
-- from one of them is not slowed by the delay that failed attempts from elsewhere put on the account.
CREATE TABLE known_devices (
    user_id      BIGINT NOT NULL REFERENCES users (id),
    device_hash  TEXT NOT NULL,
    last_seen_at TEXT NOT NULL,
    PRIMARY KEY (user_id, device_hash)
);
