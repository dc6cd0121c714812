-- Which secret each connection claims, by generation: every keychain write goes to a fresh
-- entry (`<id>:<kind>` for generation 0, `<id>:<kind>:<generation>` after), so a write
-- never overwrites what a row still points at and a removal never hits a newer value.
-- A row "has" a secret exactly when it has a row here; the flags it replaces are derived.
CREATE TABLE secrets (
    connection_id TEXT NOT NULL REFERENCES connections (id) ON DELETE CASCADE,
    kind          TEXT NOT NULL,
    generation    INTEGER NOT NULL CHECK (generation >= 0),
    PRIMARY KEY (connection_id, kind)
) STRICT;

INSERT INTO secrets (connection_id, kind, generation)
SELECT id, 'password', 0 FROM connections WHERE has_saved_password = 1;
INSERT INTO secrets (connection_id, kind, generation)
SELECT id, 'client-key', 0 FROM connections WHERE has_client_key = 1;

ALTER TABLE connections DROP COLUMN has_saved_password;
ALTER TABLE connections DROP COLUMN has_client_key;

-- The intent journal: keychain changes recorded before they are made, so that a process
-- killed at any point leaves what the next writer needs to finish or undo them. No secret
-- value is ever stored here. `owner` is the writing process's token (its lock file in
-- `owners/` tells whether it still runs).
CREATE TABLE secret_intents (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    owner         TEXT NOT NULL,
    connection_id TEXT NOT NULL,
    kind          TEXT NOT NULL,
    generation    INTEGER NOT NULL CHECK (generation >= 0),
    action        TEXT NOT NULL CHECK (action IN ('write', 'remove', 'relabel')),
    -- For a relabel: the name the entry carried before, put back if the write fails.
    old_name      TEXT,
    created_at    TEXT NOT NULL
) STRICT;
