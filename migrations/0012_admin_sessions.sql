-- Admin-area sign-ins share login_sessions with the chat's logins; `kind` keeps
-- them apart, and `last_seen` shows an admin which sessions are in use.
ALTER TABLE login_sessions ADD COLUMN kind TEXT NOT NULL DEFAULT 'chat';
ALTER TABLE login_sessions ADD COLUMN last_seen TEXT;

-- Failed sign-ins, by account and by address, for the lock-out.
CREATE TABLE login_failures (
    id    INTEGER PRIMARY KEY,
    scope TEXT NOT NULL CHECK (scope IN ('account', 'address')),
    key   TEXT NOT NULL,
    at    TEXT NOT NULL
);
CREATE INDEX login_failures_by_key ON login_failures (scope, key, at);
