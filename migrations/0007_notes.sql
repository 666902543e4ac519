-- Internal notes agents leave on a conversation; never shown to the customer.
CREATE TABLE notes (
    id              INTEGER PRIMARY KEY,
    conversation_id INTEGER NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    user_id         INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name            TEXT NOT NULL DEFAULT '',
    message         TEXT NOT NULL,
    creation_time   TEXT NOT NULL
);
CREATE INDEX notes_by_conversation ON notes (conversation_id, id);
