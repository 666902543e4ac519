-- Events the reports count: rows added by reports-update and by the parts of the
-- product that record what happened (article views and searches, automations,
-- direct messages). `name` is one of the contract's report names.
CREATE TABLE reports (
    id            INTEGER PRIMARY KEY,
    name          TEXT NOT NULL,
    value         TEXT,
    external_id   TEXT,
    extra         TEXT,
    creation_time TEXT NOT NULL
);
CREATE INDEX reports_by_name ON reports (name, creation_time);

-- Reports count conversations by the day they started.
CREATE INDEX conversations_by_creation ON conversations (creation_time);
