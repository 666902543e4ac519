//! Visitor credentials: the keyed hash of each, and whose it is.

use rusqlite::{params, Connection, OptionalExtension};

pub fn insert(conn: &Connection, lookup: &str, user_id: i64, now: &str) -> rusqlite::Result<()> {
    conn.prepare_cached("INSERT INTO visitor_credentials (lookup, user_id, creation_time) VALUES (?1, ?2, ?3)")?
        .execute(params![lookup, user_id, now])?;
    Ok(())
}

/// The user a credential opens, if it is still valid.
pub fn user_of(conn: &Connection, lookup: &str) -> rusqlite::Result<Option<i64>> {
    conn.prepare_cached("SELECT user_id FROM visitor_credentials WHERE lookup = ?1")?
        .query_row([lookup], |row| row.get(0))
        .optional()
}

/// Points every credential of `from` at `to` (a visitor proved to be that user).
pub fn move_to(conn: &Connection, from: i64, to: i64) -> rusqlite::Result<()> {
    conn.prepare_cached("UPDATE visitor_credentials SET user_id = ?2 WHERE user_id = ?1")?
        .execute(params![from, to])?;
    Ok(())
}
