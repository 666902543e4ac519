//! Every statement about `settings` and the external settings. Values are JSON text.

use rusqlite::{params, Connection, OptionalExtension};
use serde_json::Value;

fn parse(text: String) -> Value {
    serde_json::from_str(&text).unwrap_or(Value::Null)
}

pub fn get(conn: &Connection, id: &str) -> rusqlite::Result<Option<Value>> {
    conn.prepare_cached("SELECT value FROM settings WHERE id = ?1")?
        .query_row([id], |row| row.get(0))
        .optional()
        .map(|v| v.map(parse))
}

pub fn all(conn: &Connection) -> rusqlite::Result<Vec<(String, Value)>> {
    let mut stmt = conn.prepare_cached("SELECT id, value FROM settings ORDER BY id")?;
    let rows = stmt.query_map([], |row| Ok((row.get(0)?, parse(row.get(1)?))))?.collect();
    rows
}

pub fn put(conn: &Connection, id: &str, value: &Value) -> rusqlite::Result<()> {
    conn.prepare_cached(
        "INSERT INTO settings (id, value) VALUES (?1, ?2) ON CONFLICT (id) DO UPDATE SET value = excluded.value",
    )?
    .execute(params![id, value.to_string()])?;
    Ok(())
}

pub fn external(conn: &Connection, name: &str) -> rusqlite::Result<Option<Value>> {
    conn.prepare_cached("SELECT value FROM external_settings WHERE name = ?1")?
        .query_row([name], |row| row.get(0))
        .optional()
        .map(|v| v.map(parse))
}

pub fn all_external(conn: &Connection) -> rusqlite::Result<Vec<(String, Value)>> {
    let mut stmt = conn.prepare_cached("SELECT name, value FROM external_settings ORDER BY name")?;
    let rows = stmt.query_map([], |row| Ok((row.get(0)?, parse(row.get(1)?))))?.collect();
    rows
}

pub fn put_external(conn: &Connection, name: &str, value: &Value) -> rusqlite::Result<()> {
    conn.prepare_cached(
        "INSERT INTO external_settings (name, value) VALUES (?1, ?2) ON CONFLICT (name) DO UPDATE SET value = excluded.value",
    )?
    .execute(params![name, value.to_string()])?;
    Ok(())
}

/// `(name, language, value)` of every translated external setting.
pub fn all_external_translations(conn: &Connection) -> rusqlite::Result<Vec<(String, String, Value)>> {
    let mut stmt = conn
        .prepare_cached("SELECT name, language, value FROM external_settings_translations ORDER BY name, language")?;
    let rows = stmt.query_map([], |row| Ok((row.get(0)?, row.get(1)?, parse(row.get(2)?))))?.collect();
    rows
}

pub fn put_external_translation(conn: &Connection, name: &str, language: &str, value: &Value) -> rusqlite::Result<()> {
    conn.prepare_cached(
        "INSERT INTO external_settings_translations (name, language, value) VALUES (?1, ?2, ?3)
         ON CONFLICT (name, language) DO UPDATE SET value = excluded.value",
    )?
    .execute(params![name, language, value.to_string()])?;
    Ok(())
}
