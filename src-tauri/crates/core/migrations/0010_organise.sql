-- Organising the list. Kept apart from `connections` (as last_tests is) so that starring,
-- opening or collapsing never bumps a connection's version: an open editor must not see
-- a conflict because of them.

-- Folders that exist without a connection in them (made with "New folder", or left empty
-- by a move), and whether each is collapsed in the window's tree. Paths as
-- `folder::normalize` writes them ('Payments/EU/prod').
CREATE TABLE folders (
    path TEXT PRIMARY KEY NOT NULL CHECK (path <> ''),
    collapsed INTEGER NOT NULL DEFAULT 0 CHECK (collapsed IN (0, 1))
);

-- Favourites (pinned at the top) and when a connection was last used: opened, tested or
-- copied ("Recently used", sort by last used).
CREATE TABLE usage (
    connection_id TEXT PRIMARY KEY NOT NULL REFERENCES connections (id) ON DELETE CASCADE,
    favourite INTEGER NOT NULL DEFAULT 0 CHECK (favourite IN (0, 1)),
    used_at TEXT
);

-- What the health board shows of the latest test besides its outcome.
ALTER TABLE last_tests ADD COLUMN tls_version TEXT;
ALTER TABLE last_tests ADD COLUMN tls_verified INTEGER;
ALTER TABLE last_tests ADD COLUMN cert_not_after TEXT;
ALTER TABLE last_tests ADD COLUMN server_version TEXT;
