-- Every engine: SQLite connections have no port (0), and engine-specific settings are a
-- JSON object of the options the engine's description lists. SQLite cannot change a
-- CHECK constraint in place, so the table is rebuilt (inside the migration's transaction).
CREATE TABLE connections_new (
    id                  TEXT PRIMARY KEY NOT NULL,
    name                TEXT NOT NULL,
    engine              TEXT NOT NULL,
    host                TEXT NOT NULL,
    port                INTEGER NOT NULL CHECK (port BETWEEN 0 AND 65535),
    database_name       TEXT NOT NULL,
    username            TEXT NOT NULL,
    tls_mode            TEXT NOT NULL,
    tls_ca_pem          TEXT,
    description         TEXT,
    password_save       TEXT NOT NULL,
    has_saved_password  INTEGER NOT NULL DEFAULT 0 CHECK (has_saved_password IN (0, 1)),
    timeout_secs        INTEGER NOT NULL CHECK (timeout_secs BETWEEN 1 AND 600),
    created_at          TEXT NOT NULL,
    updated_at          TEXT NOT NULL,
    version             INTEGER NOT NULL CHECK (version >= 1),
    environment         TEXT,
    color               TEXT,
    tags                TEXT NOT NULL DEFAULT '[]',
    metadata            TEXT NOT NULL DEFAULT '{}',
    tls_client_cert_pem TEXT,
    has_client_key      INTEGER NOT NULL DEFAULT 0 CHECK (has_client_key IN (0, 1)),
    options             TEXT NOT NULL DEFAULT '{}'
) STRICT;

INSERT INTO connections_new (
    id, name, engine, host, port, database_name, username, tls_mode, tls_ca_pem, description,
    password_save, has_saved_password, timeout_secs, created_at, updated_at, version,
    environment, color, tags, metadata, tls_client_cert_pem, has_client_key
)
SELECT
    id, name, engine, host, port, database_name, username, tls_mode, tls_ca_pem, description,
    password_save, has_saved_password, timeout_secs, created_at, updated_at, version,
    environment, color, tags, metadata, tls_client_cert_pem, has_client_key
FROM connections;

DROP TABLE connections;
ALTER TABLE connections_new RENAME TO connections;
CREATE UNIQUE INDEX connections_name_nocase ON connections (name COLLATE NOCASE);
