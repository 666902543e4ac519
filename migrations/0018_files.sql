-- Uploaded files: the bytes live under uploads/files/, named by the random key
-- (never by the uploaded name, which is kept here for display); the key is also
-- the secret part of the file's link. A file is "used" once a message carries
-- it; message_files says which messages do.
CREATE TABLE files (
    id            INTEGER PRIMARY KEY,
    key           TEXT NOT NULL UNIQUE,
    name          TEXT NOT NULL,
    content_type  TEXT NOT NULL,
    extension     TEXT NOT NULL,
    size          INTEGER NOT NULL,
    width         INTEGER,
    height        INTEGER,
    -- The thumbnail's content type, when there is one.
    thumbnail     TEXT,
    uploaded_by   INTEGER REFERENCES users (id) ON DELETE SET NULL,
    used          INTEGER NOT NULL DEFAULT 0,
    creation_time TEXT NOT NULL
);
CREATE INDEX files_unused ON files (creation_time) WHERE used = 0;

CREATE TABLE message_files (
    message_id INTEGER NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
    file_id    INTEGER NOT NULL REFERENCES files (id) ON DELETE CASCADE,
    PRIMARY KEY (message_id, file_id)
) WITHOUT ROWID;
CREATE INDEX message_files_by_file ON message_files (file_id);

-- Keys whose bytes are to be removed from disk: filled in the same transaction
-- that forgets a file, emptied once the bytes are gone, so a crash between the
-- two leaves a note instead of an orphan.
CREATE TABLE files_gone (
    key TEXT PRIMARY KEY
) WITHOUT ROWID;

-- However a message goes (deleted, its conversation or its user deleted), a
-- file no other message carries goes with it.
CREATE TRIGGER message_files_forget AFTER DELETE ON message_files
WHEN NOT EXISTS (SELECT 1 FROM message_files WHERE file_id = OLD.file_id)
BEGIN
    INSERT OR IGNORE INTO files_gone (key) SELECT key FROM files WHERE id = OLD.file_id;
    DELETE FROM files WHERE id = OLD.file_id;
END;
