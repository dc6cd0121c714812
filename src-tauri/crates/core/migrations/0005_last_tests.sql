-- The outcome of each connection's latest test, for the list's status dots and
-- `switchboard list`. Kept apart from `connections` so that a test never bumps a
-- connection's version (an open editor must not see a conflict because of it).
CREATE TABLE last_tests (
    connection_id TEXT PRIMARY KEY NOT NULL REFERENCES connections (id) ON DELETE CASCADE,
    ok INTEGER NOT NULL CHECK (ok IN (0, 1)),
    code TEXT,
    step TEXT,
    message TEXT,
    total_ms REAL NOT NULL CHECK (total_ms >= 0),
    tested_at TEXT NOT NULL
);
