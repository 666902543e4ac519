-- The transactional outbox: every email and webhook is written here in the same
-- transaction as the change that caused it, then delivered by the scheduler with
-- retries. Nothing leaves the server any other way.
CREATE TABLE outbox (
    id              INTEGER PRIMARY KEY,
    kind            TEXT NOT NULL,
    -- Sent along (X-Switchboard-Delivery, Message-ID) so receivers can drop repeats.
    delivery_id     TEXT NOT NULL UNIQUE,
    -- Items with the same key are delivered in id order; NULL means no ordering.
    ordering_key    TEXT,
    payload         TEXT NOT NULL,
    state           TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'delivered', 'failed')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT NOT NULL,
    last_error      TEXT,
    creation_time   TEXT NOT NULL,
    delivered_at    TEXT
);
CREATE INDEX outbox_due ON outbox (next_attempt_at, id) WHERE state = 'pending';
CREATE INDEX outbox_ordering ON outbox (ordering_key, id) WHERE state = 'pending';
CREATE INDEX outbox_by_state ON outbox (state, id);

-- One row per job run, started by the scheduler or by cron-jobs.
CREATE TABLE job_runs (
    id         INTEGER PRIMARY KEY,
    job        TEXT NOT NULL,
    started_at TEXT NOT NULL,
    ended_at   TEXT,
    outcome    TEXT CHECK (outcome IN ('ok', 'error')),
    report     TEXT
);
CREATE INDEX job_runs_by_job ON job_runs (job, id);
