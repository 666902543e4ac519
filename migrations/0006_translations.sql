-- Saved translation overrides, applied over the UI strings shipped in the binary
-- (static/languages/). A row exists only where the text differs from the shipped one.
CREATE TABLE translations (
    language TEXT NOT NULL,
    section  TEXT NOT NULL CHECK (section IN ('front', 'admin')),
    source   TEXT NOT NULL,
    text     TEXT NOT NULL,
    PRIMARY KEY (language, section, source)
) WITHOUT ROWID;

-- Every save and every restore, so a bad save can be undone: `overrides` is the
-- whole override set as it stood afterwards ({"es": {"front": {"Send": "…"}}}).
CREATE TABLE translation_versions (
    id            INTEGER PRIMARY KEY,
    creation_time TEXT NOT NULL,
    -- Who saved it; kept (as NULL) when that user is deleted.
    saved_by      INTEGER REFERENCES users (id) ON DELETE SET NULL,
    -- JSON array of the language codes whose overrides this version changed.
    languages     TEXT NOT NULL,
    overrides     TEXT NOT NULL,
    -- The version this one brought back, for restores.
    restored_from INTEGER REFERENCES translation_versions (id)
);
