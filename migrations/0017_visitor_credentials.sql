-- Visitor credentials: what the chat widget keeps in a visitor's browser to open
-- that visitor's own conversations. Only a keyed hash of each is stored (as for
-- the API tokens), so the database file alone opens nobody's conversations.
-- Merging a visitor into a verified user points the credential at that user.
CREATE TABLE visitor_credentials (
    lookup        TEXT PRIMARY KEY,
    user_id       INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    creation_time TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX visitor_credentials_by_user ON visitor_credentials (user_id);
