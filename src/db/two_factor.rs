//! Every statement about `two_factor`: a person's TOTP secret (masked, see
//! `crate::domain::two_factor`), whether it is on, and the last time step used.

use rusqlite::{params, Connection, OptionalExtension};

#[derive(Debug, Clone, PartialEq)]
pub struct TwoFactorRow {
    pub secret: String,
    pub enabled: bool,
    pub last_step: i64,
}

pub fn find(conn: &Connection, user_id: i64) -> rusqlite::Result<Option<TwoFactorRow>> {
    conn.prepare_cached("SELECT secret, enabled, last_step FROM two_factor WHERE user_id = ?1")?
        .query_row([user_id], |row| {
            Ok(TwoFactorRow { secret: row.get(0)?, enabled: row.get(1)?, last_step: row.get(2)? })
        })
        .optional()
}

pub fn is_enabled(conn: &Connection, user_id: i64) -> rusqlite::Result<bool> {
    conn.prepare_cached("SELECT EXISTS (SELECT 1 FROM two_factor WHERE user_id = ?1 AND enabled = 1)")?
        .query_row([user_id], |row| row.get(0))
}

/// A new secret waiting to be confirmed; replaces an unconfirmed one, never one that is on.
pub fn start(conn: &Connection, user_id: i64, secret: &str, now: &str) -> rusqlite::Result<bool> {
    Ok(conn
        .prepare_cached(
            "INSERT INTO two_factor (user_id, secret, creation_time) VALUES (?1, ?2, ?3)
             ON CONFLICT (user_id) DO UPDATE SET secret = excluded.secret, creation_time = excluded.creation_time,
                 last_step = 0
             WHERE two_factor.enabled = 0",
        )?
        .execute(params![user_id, secret, now])?
        > 0)
}

/// Turns two-factor on, recording the step of the code that proved it.
pub fn enable(conn: &Connection, user_id: i64, step: i64) -> rusqlite::Result<bool> {
    Ok(conn
        .prepare_cached("UPDATE two_factor SET enabled = 1, last_step = ?2 WHERE user_id = ?1 AND enabled = 0")?
        .execute(params![user_id, step])?
        > 0)
}

/// Records that the code of `step` was used; false if that step (or a later one)
/// already was, so a code cannot be replayed.
pub fn use_step(conn: &Connection, user_id: i64, step: i64) -> rusqlite::Result<bool> {
    Ok(conn
        .prepare_cached("UPDATE two_factor SET last_step = ?2 WHERE user_id = ?1 AND last_step < ?2")?
        .execute(params![user_id, step])?
        > 0)
}

pub fn remove(conn: &Connection, user_id: i64) -> rusqlite::Result<bool> {
    Ok(conn.prepare_cached("DELETE FROM two_factor WHERE user_id = ?1")?.execute([user_id])? > 0)
}
