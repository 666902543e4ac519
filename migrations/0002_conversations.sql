-- Conversations and their messages.
CREATE TABLE conversations (
    id              INTEGER PRIMARY KEY,
    user_id         INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    title           TEXT NOT NULL DEFAULT '',
    creation_time   TEXT NOT NULL,
    -- live = 0, waiting for the user = 1, waiting for an agent = 2, archive = 3, trash = 4.
    status_code     INTEGER NOT NULL DEFAULT 0 CHECK (status_code BETWEEN 0 AND 4),
    department      INTEGER,
    agent_id        INTEGER REFERENCES users (id) ON DELETE SET NULL,
    source          TEXT,
    extra           TEXT,
    -- 1 positive, 0 negative, NULL not rated.
    rating          INTEGER CHECK (rating IN (0, 1)),
    -- Kept by the triggers below, so inbox lists never scan messages.
    last_message_id INTEGER
);
CREATE INDEX conversations_by_user ON conversations (user_id, last_message_id);
CREATE INDEX conversations_by_status ON conversations (status_code, last_message_id);
-- The default inbox (everything but archive and trash), newest first, without a sort.
CREATE INDEX conversations_in_inbox ON conversations (last_message_id) WHERE status_code < 3;
CREATE INDEX conversations_by_last_message ON conversations (last_message_id);
CREATE INDEX conversations_by_agent ON conversations (agent_id, last_message_id);
CREATE INDEX conversations_by_department ON conversations (department, last_message_id);
CREATE INDEX conversations_by_source ON conversations (source, last_message_id);

CREATE TABLE messages (
    id              INTEGER PRIMARY KEY,
    conversation_id INTEGER NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    user_id         INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    message         TEXT NOT NULL DEFAULT '',
    creation_time   TEXT NOT NULL,
    -- JSON [["name","link"], ...] or ''.
    attachments     TEXT NOT NULL DEFAULT '',
    -- 0 sent, 2 read.
    status_code     INTEGER NOT NULL DEFAULT 0,
    -- JSON object or ''.
    payload         TEXT NOT NULL DEFAULT ''
);
CREATE INDEX messages_by_conversation ON messages (conversation_id, id);
CREATE INDEX messages_by_user ON messages (user_id, conversation_id);
CREATE INDEX messages_by_creation ON messages (creation_time);

CREATE TRIGGER messages_point_conversation AFTER INSERT ON messages BEGIN
    UPDATE conversations SET last_message_id = NEW.id
     WHERE id = NEW.conversation_id AND (last_message_id IS NULL OR last_message_id < NEW.id);
END;

CREATE TRIGGER messages_repoint_conversation AFTER DELETE ON messages BEGIN
    UPDATE conversations
       SET last_message_id = (SELECT max(id) FROM messages WHERE conversation_id = OLD.conversation_id)
     WHERE id = OLD.conversation_id AND last_message_id = OLD.id;
END;
