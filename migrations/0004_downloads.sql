-- Files the API hands out by link (transcripts): served only while unexpired, at an
-- unguessable address.
CREATE TABLE downloads (
    token        TEXT PRIMARY KEY,
    file_name    TEXT NOT NULL,
    content_type TEXT NOT NULL,
    path         TEXT NOT NULL,
    expires_at   TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX downloads_by_expiry ON downloads (expires_at);
