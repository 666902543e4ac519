-- Automations as automations-save writes them: each row one automation of one type
-- ('emails', 'sms', 'messages', 'popups', 'design') in the contract's JSON shape,
-- validated before it is stored; `position` keeps the admin's order within a type.
CREATE TABLE automations (
    id       TEXT PRIMARY KEY,
    kind     TEXT NOT NULL CHECK (kind IN ('emails', 'sms', 'messages', 'popups', 'design')),
    position INTEGER NOT NULL,
    body     TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX automations_in_order ON automations (kind, position);

-- One automation's texts in one language.
CREATE TABLE automation_translations (
    automation_id TEXT NOT NULL REFERENCES automations (id) ON DELETE CASCADE,
    language      TEXT NOT NULL,
    body          TEXT NOT NULL,
    PRIMARY KEY (automation_id, language)
) WITHOUT ROWID;

-- When an automation last ran for a user, so it runs once per user unless its
-- repeat period allows again. Not tied to `automations` by a foreign key: a save
-- rewrites every automation, and an automation that stays keeps its runs.
CREATE TABLE automation_runs (
    user_id       INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    automation_id TEXT NOT NULL,
    runs          INTEGER NOT NULL,
    last_run      TEXT NOT NULL,
    PRIMARY KEY (user_id, automation_id)
) WITHOUT ROWID;
