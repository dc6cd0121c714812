-- Client certificate for mutual TLS. Its private key is a secret: only a flag saying it
-- is in the keychain lives here.
ALTER TABLE connections ADD COLUMN tls_client_cert_pem TEXT;
ALTER TABLE connections ADD COLUMN has_client_key INTEGER NOT NULL DEFAULT 0 CHECK (has_client_key IN (0, 1));
