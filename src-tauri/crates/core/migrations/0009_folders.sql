-- Folders: a connection's place in the list's tree, folder names joined by '/'
-- ('Payments/EU/prod'); '' is the top level.
ALTER TABLE connections ADD COLUMN folder TEXT NOT NULL DEFAULT '';
CREATE INDEX connections_folder ON connections (folder);
