-- Names as people write them: `name` becomes a display name (any text, unique ignoring
-- case and surrounding spaces) and `handle` the slug the CLI and slug-only formats use.
-- Names so far were slugs already, so each becomes its connection's handle as it is.
ALTER TABLE connections ADD COLUMN handle TEXT NOT NULL DEFAULT '';
-- The name as uniqueness compares it (trimmed, Unicode lower case), written by the core:
-- SQLite's lower() and NOCASE fold only ASCII, which would let `Склад` and `склад` both
-- in. For the ASCII slugs stored until now, lower() gives the same key.
ALTER TABLE connections ADD COLUMN name_key TEXT NOT NULL DEFAULT '';
UPDATE connections SET handle = name, name_key = lower(trim(name));

DROP INDEX connections_name_nocase;
CREATE UNIQUE INDEX connections_name_key ON connections (name_key);
-- Handles are ASCII, which NOCASE folds fully.
CREATE UNIQUE INDEX connections_handle_nocase ON connections (handle COLLATE NOCASE);
