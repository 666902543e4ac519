-- Two-factor sign-in to the admin area (RFC 6238 TOTP), one row per person. The
-- secret is stored masked with the server key (see src/two_factor.rs), so the
-- database file alone does not give it away. `enabled` stays 0 until the person
-- proves with a code that their app holds the secret; `last_step` is the time step
-- of the last code accepted, so each code works once.
CREATE TABLE two_factor (
    user_id       INTEGER PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    secret        TEXT NOT NULL,
    enabled       INTEGER NOT NULL DEFAULT 0,
    last_step     INTEGER NOT NULL DEFAULT 0,
    creation_time TEXT NOT NULL
);

-- Password-reset links: only a keyed hash of each token is kept; a link works
-- once, until `expires`.
CREATE TABLE password_resets (
    token_hash    TEXT PRIMARY KEY,
    user_id       INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    creation_time TEXT NOT NULL,
    expires       TEXT NOT NULL,
    used          INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;
CREATE INDEX password_resets_by_user ON password_resets (user_id);

-- Password-reset requests by account and by address, for their rate limit.
CREATE TABLE password_reset_requests (
    id    INTEGER PRIMARY KEY,
    scope TEXT NOT NULL CHECK (scope IN ('account', 'address')),
    key   TEXT NOT NULL,
    at    TEXT NOT NULL
);
CREATE INDEX password_reset_requests_by_key ON password_reset_requests (scope, key, at);

-- The browser an admin session was opened in, for the person's list of sessions.
ALTER TABLE login_sessions ADD COLUMN user_agent TEXT;
