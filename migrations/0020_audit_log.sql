-- Who changed what: one row per audited action, never changed once written. Rows
-- name the actor as they were (no foreign key: deleting a person keeps their
-- history); only the retention in the maintenance job deletes old rows.
CREATE TABLE audit_log (
    id         INTEGER PRIMARY KEY,
    at         TEXT NOT NULL,
    -- NULL for the system (scheduled jobs) and the command line without a person.
    actor_id   INTEGER,
    actor      TEXT NOT NULL,
    -- api, admin (the admin area), cli or system.
    via        TEXT NOT NULL,
    address    TEXT,
    action     TEXT NOT NULL,
    target     TEXT,
    -- JSON: before/after of what changed (secrets masked), or other particulars.
    details    TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX audit_log_at ON audit_log (at, id);
CREATE INDEX audit_log_actor ON audit_log (actor_id, id);
CREATE INDEX audit_log_action ON audit_log (action, id);

CREATE TRIGGER audit_log_append_only BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only');
END;

-- The retention's pruning names its cutoff here, inside its own transaction, and
-- removes it again; a delete of any row not older than a named cutoff is refused.
CREATE TABLE audit_log_pruning (before TEXT NOT NULL);
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
WHEN NOT EXISTS (SELECT 1 FROM audit_log_pruning WHERE OLD.at < before)
BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only; only its retention prunes it');
END;
