-- Saved settings (the schema and defaults live in the binary), and the contract's
-- "external settings": named JSON documents with per-language translations.
CREATE TABLE settings (
    id    TEXT PRIMARY KEY,
    value TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE external_settings (
    name  TEXT PRIMARY KEY,
    value TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE external_settings_translations (
    name     TEXT NOT NULL,
    language TEXT NOT NULL,
    value    TEXT NOT NULL,
    PRIMARY KEY (name, language)
) WITHOUT ROWID;
