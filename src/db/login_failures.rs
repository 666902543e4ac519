//! Failed sign-ins to the admin area, counted per account and per address.

use rusqlite::{params, Connection};

pub fn record(conn: &Connection, scope: &str, key: &str, now: &str) -> rusqlite::Result<()> {
    conn.prepare_cached("INSERT INTO login_failures (scope, key, at) VALUES (?1, ?2, ?3)")?
        .execute(params![scope, key, now])?;
    Ok(())
}

/// Failures after `since`, and the time of the oldest of them.
pub fn since(conn: &Connection, scope: &str, key: &str, since: &str) -> rusqlite::Result<(i64, Option<String>)> {
    conn.prepare_cached("SELECT count(*), min(at) FROM login_failures WHERE scope = ?1 AND key = ?2 AND at > ?3")?
        .query_row(params![scope, key, since], |row| Ok((row.get(0)?, row.get(1)?)))
}

/// A successful sign-in forgets the account's failures.
pub fn clear(conn: &Connection, scope: &str, key: &str) -> rusqlite::Result<()> {
    conn.prepare_cached("DELETE FROM login_failures WHERE scope = ?1 AND key = ?2")?.execute(params![scope, key])?;
    Ok(())
}
