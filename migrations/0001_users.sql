-- People: visitors, leads, users, agents, admins and the bot.
CREATE TABLE users (
    id            INTEGER PRIMARY KEY,
    first_name    TEXT NOT NULL DEFAULT '',
    last_name     TEXT NOT NULL DEFAULT '',
    -- NULL when unknown; unique ignoring case, NULLs excepted.
    email         TEXT COLLATE NOCASE UNIQUE,
    profile_image TEXT,
    user_type     TEXT NOT NULL CHECK (user_type IN ('visitor', 'lead', 'user', 'agent', 'admin', 'bot')),
    -- argon2id PHC string, NULL when the user cannot log in with a password.
    password_hash TEXT,
    creation_time TEXT NOT NULL,
    last_activity TEXT NOT NULL,
    department    INTEGER,
    -- The API token is derived from (key, id, token_nonce); only a keyed hash of it is kept.
    token_nonce   TEXT NOT NULL,
    token_lookup  TEXT NOT NULL UNIQUE
);
-- One index per sortable column of get-users, and one per filter.
CREATE INDEX users_by_type ON users (user_type, creation_time);
CREATE INDEX users_by_creation ON users (creation_time);
CREATE INDEX users_by_activity ON users (last_activity);
CREATE INDEX users_by_first_name ON users (first_name);
CREATE INDEX users_by_last_name ON users (last_name);
CREATE INDEX users_by_department ON users (department);

-- The contract's "additional user details": {slug: [value, name]}.
CREATE TABLE user_details (
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    slug    TEXT NOT NULL,
    name    TEXT NOT NULL,
    value   TEXT NOT NULL,
    PRIMARY KEY (user_id, slug)
) WITHOUT ROWID;
CREATE INDEX user_details_by_slug ON user_details (slug);

-- Who is typing where; a row older than the typing timeout counts as not typing.
CREATE TABLE typing (
    user_id         INTEGER PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    conversation_id INTEGER NOT NULL,
    since           TEXT NOT NULL
);

-- Server-side login sessions behind the signed sb-login cookie value, so a logout revokes.
CREATE TABLE login_sessions (
    id            TEXT PRIMARY KEY,
    user_id       INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    creation_time TEXT NOT NULL,
    revoked       INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;
CREATE INDEX login_sessions_by_user ON login_sessions (user_id);
