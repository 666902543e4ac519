-- Email as a channel (issue 15): where each piped mailbox stands, every email
-- Switchboard took in or sent by its Message-ID, and each email conversation's
-- reply token.

-- A mailbox's position: its messages above last_uid (under uid_validity) are new.
-- Advanced in the very transaction that stores the messages up to it, so a crash
-- or a restart mid-sync neither loses nor repeats one.
CREATE TABLE email_mailboxes (
    -- user@host:port/folder: another server, user or folder starts afresh.
    mailbox      TEXT PRIMARY KEY,
    uid_validity INTEGER NOT NULL,
    last_uid     INTEGER NOT NULL,
    updated_at   TEXT NOT NULL
) WITHOUT ROWID;

-- Every email by its Message-ID (without the angle brackets), received or sent.
-- Replies find their conversation here (In-Reply-To, References), and a message
-- received twice (a mailbox renumbered, a copy in another folder) is taken once.
CREATE TABLE email_messages (
    id              INTEGER PRIMARY KEY,
    message_id      TEXT NOT NULL UNIQUE,
    direction       TEXT NOT NULL CHECK (direction IN ('in', 'out')),
    conversation_id INTEGER REFERENCES conversations (id) ON DELETE CASCADE,
    -- The chat message it became (in) or was sent for (out); NULL when set aside.
    chat_message_id INTEGER REFERENCES messages (id) ON DELETE SET NULL,
    -- in: 'message', or why it was set aside: 'automatic', 'bounce',
    -- 'own-address', 'rate-limited', 'too-large', 'unreadable'; out: 'sent'.
    outcome         TEXT NOT NULL,
    -- in: the sender's address, lower case, for the per-sender rate limit.
    sender          TEXT NOT NULL DEFAULT '',
    creation_time   TEXT NOT NULL
);
CREATE INDEX email_messages_by_sender ON email_messages (sender, creation_time) WHERE direction = 'in';
CREATE INDEX email_messages_by_conversation ON email_messages (conversation_id, id);

-- Email conversations: the token of the reply-to address (support+<token>@…),
-- the subject replies carry, and the customer's address replies go to.
CREATE TABLE email_threads (
    conversation_id INTEGER PRIMARY KEY REFERENCES conversations (id) ON DELETE CASCADE,
    token           TEXT NOT NULL UNIQUE,
    subject         TEXT NOT NULL,
    address         TEXT NOT NULL
);
