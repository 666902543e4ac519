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

/// A session of the admin area, opened in the browser `user_agent` names.
pub fn insert_admin(conn: &Connection, id: &str, user_id: i64, now: &str, user_agent: &str) -> rusqlite::Result<()> {
    conn.prepare_cached(
        "INSERT INTO login_sessions (id, user_id, creation_time, kind, last_seen, user_agent)
         VALUES (?1, ?2, ?3, 'admin', ?3, ?4)",
    )?
    .execute(params![id, user_id, now, user_agent])?;
    Ok(())
}

/// A sign-in that passed the password and waits for a two-factor code. It opens
/// no page: only [`admin_user_of`] does, and it asks for kind `admin`. A person has
/// at most one: a new one replaces the last.
pub fn insert_pending(conn: &Connection, id: &str, user_id: i64, now: &str) -> rusqlite::Result<()> {
    remove_pending_of(conn, user_id)?;
    conn.prepare_cached(
        "INSERT INTO login_sessions (id, user_id, creation_time, kind) VALUES (?1, ?2, ?3, 'admin-2fa')",
    )?
    .execute(params![id, user_id, now])?;
    Ok(())
}

/// Forgets a person's pending sign-in (it became a session, or a new one replaced it).
pub fn remove_pending_of(conn: &Connection, user_id: i64) -> rusqlite::Result<()> {
    conn.prepare_cached("DELETE FROM login_sessions WHERE user_id = ?1 AND kind = 'admin-2fa'")?.execute([user_id])?;
    Ok(())
}

/// The user of a live pending sign-in begun after `since`.
pub fn pending_user_of(conn: &Connection, id: &str, since: &str) -> rusqlite::Result<Option<i64>> {
    conn.prepare_cached(
        "SELECT user_id FROM login_sessions
          WHERE id = ?1 AND revoked = 0 AND kind = 'admin-2fa' AND creation_time > ?2",
    )?
    .query_row(params![id, since], |row| row.get(0))
    .optional()
}

/// A live admin session, as its owner sees it in their list.
#[derive(Debug, Clone)]
pub struct AdminSession {
    pub id: String,
    pub creation_time: String,
    pub last_seen: String,
    pub user_agent: Option<String>,
}

/// Which admin sessions are still live: used since `idle_since` and begun after
/// `begun_since` (the idle timeout and the absolute lifetime, as times).
#[derive(Debug, Clone)]
pub struct Live {
    pub idle_since: String,
    pub begun_since: String,
}

/// The live admin sessions of a person, newest first.
pub fn admin_sessions_of(conn: &Connection, user_id: i64, live: &Live) -> rusqlite::Result<Vec<AdminSession>> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, creation_time, coalesce(last_seen, creation_time), user_agent FROM login_sessions
          WHERE user_id = ?1 AND revoked = 0 AND kind = 'admin'
            AND coalesce(last_seen, creation_time) > ?2 AND creation_time > ?3
          ORDER BY creation_time DESC, id",
    )?;
    let rows = stmt
        .query_map(params![user_id, live.idle_since, live.begun_since], |row| {
            Ok(AdminSession {
                id: row.get(0)?,
                creation_time: row.get(1)?,
                last_seen: row.get(2)?,
                user_agent: row.get(3)?,
            })
        })?
        .collect();
    rows
}

/// Notes that an admin session was used now.
pub fn touch_admin(conn: &Connection, id: &str, now: &str) -> rusqlite::Result<()> {
    conn.prepare_cached("UPDATE login_sessions SET last_seen = ?2 WHERE id = ?1")?.execute(params![id, now])?;
    Ok(())
}

/// Ends every session of a user but `keep` (the one changing the password).
pub fn revoke_all_except(conn: &Connection, user_id: i64, keep: &str) -> rusqlite::Result<usize> {
    conn.prepare_cached("UPDATE login_sessions SET revoked = 1 WHERE user_id = ?1 AND id != ?2 AND revoked = 0")?
        .execute(params![user_id, keep])
}

/// The user of a live admin session, and when the session was last used.
pub fn admin_user_of(conn: &Connection, id: &str, live: &Live) -> rusqlite::Result<Option<(i64, String)>> {
    conn.prepare_cached(
        "SELECT user_id, coalesce(last_seen, creation_time) FROM login_sessions
          WHERE id = ?1 AND revoked = 0 AND kind = 'admin'
            AND coalesce(last_seen, creation_time) > ?2 AND creation_time > ?3",
    )?
    .query_row(params![id, live.idle_since, live.begun_since], |row| Ok((row.get(0)?, row.get(1)?)))
    .optional()
}

/// Ends every session of a user (a password change, a removed agent).
pub fn revoke_all_of(conn: &Connection, user_id: i64) -> rusqlite::Result<usize> {
    conn.prepare_cached("UPDATE login_sessions SET revoked = 1 WHERE user_id = ?1 AND revoked = 0")?.execute([user_id])
}
