-- Links remember who recorded them (the author of a link may remove it).
ALTER TABLE links ADD COLUMN author_id INTEGER REFERENCES users (id);
