//! Every statement about `automations`, `automation_translations` and
//! `automation_runs`. Automations and translations are stored as the JSON the
//! contract shows (validated by `domain::automations` before they get here).

use crate::domain::automations::Saved;
use rusqlite::{params, Connection, OptionalExtension};
use std::collections::HashMap;

/// An automation as stored: its type and its JSON.
pub struct AutomationRow {
    pub kind: String,
    pub body: String,
}

pub struct TranslationRow {
    pub automation_id: String,
    pub language: String,
    pub body: String,
}

/// Makes the saved automations and translations exactly `saved`, and forgets the
/// runs of automations that are gone. Call inside a write transaction.
pub fn replace_all(conn: &Connection, saved: &Saved) -> rusqlite::Result<()> {
    conn.execute("DELETE FROM automations", [])?;
    let mut insert =
        conn.prepare_cached("INSERT INTO automations (id, kind, position, body) VALUES (?1, ?2, ?3, ?4)")?;
    for (position, automation) in saved.automations.iter().enumerate() {
        insert.execute(params![
            automation.id,
            automation.kind.as_str(),
            position as i64,
            automation.to_json().to_string()
        ])?;
    }
    let mut insert =
        conn.prepare_cached("INSERT INTO automation_translations (automation_id, language, body) VALUES (?1, ?2, ?3)")?;
    for translation in &saved.translations {
        insert.execute(params![translation.automation_id, translation.language, translation.to_json().to_string()])?;
    }
    conn.execute("DELETE FROM automation_runs WHERE automation_id NOT IN (SELECT id FROM automations)", [])?;
    Ok(())
}

/// Every automation, in the order they were saved.
pub fn all(conn: &Connection) -> rusqlite::Result<Vec<AutomationRow>> {
    let mut stmt = conn.prepare_cached("SELECT kind, body FROM automations ORDER BY position")?;
    let rows = stmt.query_map([], |row| Ok(AutomationRow { kind: row.get(0)?, body: row.get(1)? }))?.collect();
    rows
}

pub fn find(conn: &Connection, id: &str) -> rusqlite::Result<Option<AutomationRow>> {
    conn.prepare_cached("SELECT kind, body FROM automations WHERE id = ?1")?
        .query_row([id], |row| Ok(AutomationRow { kind: row.get(0)?, body: row.get(1)? }))
        .optional()
}

pub fn all_translations(conn: &Connection) -> rusqlite::Result<Vec<TranslationRow>> {
    let mut stmt =
        conn.prepare_cached("SELECT automation_id, language, body FROM automation_translations ORDER BY language")?;
    let rows = stmt
        .query_map([], |row| {
            Ok(TranslationRow { automation_id: row.get(0)?, language: row.get(1)?, body: row.get(2)? })
        })?
        .collect();
    rows
}

/// The translations of one automation.
pub fn translations_of(conn: &Connection, automation_id: &str) -> rusqlite::Result<Vec<TranslationRow>> {
    let mut stmt = conn
        .prepare_cached("SELECT automation_id, language, body FROM automation_translations WHERE automation_id = ?1")?;
    let rows = stmt
        .query_map([automation_id], |row| {
            Ok(TranslationRow { automation_id: row.get(0)?, language: row.get(1)?, body: row.get(2)? })
        })?
        .collect();
    rows
}

/// When each automation last ran for the user: automation ID -> time.
pub fn last_runs(conn: &Connection, user_id: i64) -> rusqlite::Result<HashMap<String, String>> {
    let mut stmt = conn.prepare_cached("SELECT automation_id, last_run FROM automation_runs WHERE user_id = ?1")?;
    let rows = stmt.query_map([user_id], |row| Ok((row.get(0)?, row.get(1)?)))?.collect();
    rows
}

pub fn record_run(conn: &Connection, user_id: i64, automation_id: &str, now: &str) -> rusqlite::Result<()> {
    conn.prepare_cached(
        "INSERT INTO automation_runs (user_id, automation_id, runs, last_run) VALUES (?1, ?2, 1, ?3)
         ON CONFLICT (user_id, automation_id) DO UPDATE SET runs = runs + 1, last_run = excluded.last_run",
    )?
    .execute(params![user_id, automation_id, now])?;
    Ok(())
}
