//! Login sessions behind the signed `sb-login` cookie value.

use rusqlite::{params, Connection, OptionalExtension};

pub fn insert(conn: &Connection, id: &str, user_id: i64, now: &str) -> rusqlite::Result<()> {
    conn.prepare_cached("INSERT INTO login_sessions (id, user_id, creation_time) VALUES (?1, ?2, ?3)")?
        .execute(params![id, user_id, now])?;
    Ok(())
}

/// The user of a live (unrevoked) session.
pub fn user_of(conn: &Connection, id: &str) -> rusqlite::Result<Option<i64>> {
    conn.prepare_cached("SELECT user_id FROM login_sessions WHERE id = ?1 AND revoked = 0")?
        .query_row([id], |row| row.get(0))
        .optional()
}

pub fn revoke(conn: &Connection, id: &str) -> rusqlite::Result<bool> {
    Ok(conn.prepare_cached("UPDATE login_sessions SET revoked = 1 WHERE id = ?1 AND revoked = 0")?.execute([id])? > 0)
}

/// A session of the admin area.
pub fn insert_admin(conn: &Connection, id: &str, user_id: i64, now: &str) -> rusqlite::Result<()> {
    conn.prepare_cached(
        "INSERT INTO login_sessions (id, user_id, creation_time, kind, last_seen) VALUES (?1, ?2, ?3, 'admin', ?3)",
    )?
    .execute(params![id, user_id, now])?;
    Ok(())
}

/// The user of a live admin session.
pub fn admin_user_of(conn: &Connection, id: &str) -> rusqlite::Result<Option<i64>> {
    conn.prepare_cached("SELECT user_id FROM login_sessions WHERE id = ?1 AND revoked = 0 AND kind = 'admin'")?
        .query_row([id], |row| row.get(0))
        .optional()
}

/// Ends every session of a user (a password change, a removed agent).
pub fn revoke_all_of(conn: &Connection, user_id: i64) -> rusqlite::Result<usize> {
    conn.prepare_cached("UPDATE login_sessions SET revoked = 1 WHERE user_id = ?1 AND revoked = 0")?.execute([user_id])
}
