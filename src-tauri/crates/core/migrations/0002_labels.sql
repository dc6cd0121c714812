-- Environment label and colour, tags and metadata (JSON text: a list of strings and an
-- object of string values; validated before every write).
ALTER TABLE connections ADD COLUMN environment TEXT;
ALTER TABLE connections ADD COLUMN color TEXT;
ALTER TABLE connections ADD COLUMN tags TEXT NOT NULL DEFAULT '[]';
ALTER TABLE connections ADD COLUMN metadata TEXT NOT NULL DEFAULT '{}';
