-- Connection metadata. Secrets never live here: passwords are in the OS keychain.
CREATE TABLE connections (
    id                 TEXT PRIMARY KEY NOT NULL,
    name               TEXT NOT NULL,
    engine             TEXT NOT NULL,
    host               TEXT NOT NULL,
    port               INTEGER NOT NULL CHECK (port BETWEEN 1 AND 65535),
    database_name      TEXT NOT NULL,
    username           TEXT NOT NULL,
    tls_mode           TEXT NOT NULL,
    tls_ca_pem         TEXT,
    description        TEXT,
    password_save      TEXT NOT NULL,
    has_saved_password INTEGER NOT NULL DEFAULT 0 CHECK (has_saved_password IN (0, 1)),
    timeout_secs       INTEGER NOT NULL CHECK (timeout_secs BETWEEN 1 AND 600),
    created_at         TEXT NOT NULL,
    updated_at         TEXT NOT NULL,
    version            INTEGER NOT NULL CHECK (version >= 1)
) STRICT;

-- Names are unique ignoring case (they are ASCII slugs, which NOCASE folds fully).
CREATE UNIQUE INDEX connections_name_nocase ON connections (name COLLATE NOCASE);
