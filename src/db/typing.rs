//! Typing status: one row per user saying where they are typing and since when.
//! Rows are never swept for correctness; a row older than the timeout reads as
//! "not typing".

use crate::domain::UserType;
use rusqlite::{params, Connection, OptionalExtension};

pub fn set(conn: &Connection, user_id: i64, conversation_id: i64, now: &str) -> rusqlite::Result<()> {
    conn.prepare_cached(
        "INSERT INTO typing (user_id, conversation_id, since) VALUES (?1, ?2, ?3)
         ON CONFLICT (user_id) DO UPDATE SET conversation_id = excluded.conversation_id, since = excluded.since",
    )?
    .execute(params![user_id, conversation_id, now])?;
    Ok(())
}

pub fn clear(conn: &Connection, user_id: i64) -> rusqlite::Result<()> {
    conn.prepare_cached("DELETE FROM typing WHERE user_id = ?1")?.execute([user_id])?;
    Ok(())
}

pub fn is_typing(conn: &Connection, user_id: i64, conversation_id: i64, since: &str) -> rusqlite::Result<bool> {
    conn.prepare_cached(
        "SELECT EXISTS (SELECT 1 FROM typing WHERE user_id = ?1 AND conversation_id = ?2 AND since >= ?3)",
    )?
    .query_row(params![user_id, conversation_id, since], |row| row.get(0))
}

/// An agent or admin typing in the conversation since `since`: `(id, first name, last name)`.
pub fn agent_typing(
    conn: &Connection,
    conversation_id: i64,
    since: &str,
) -> rusqlite::Result<Option<(i64, String, String)>> {
    conn.prepare_cached(
        "SELECT u.id, u.first_name, u.last_name FROM typing t JOIN users u ON u.id = t.user_id
          WHERE t.conversation_id = ?1 AND t.since >= ?2 AND u.user_type IN (?3, ?4)
          ORDER BY t.since DESC LIMIT 1",
    )?
    .query_row(params![conversation_id, since, UserType::Agent.as_str(), UserType::Admin.as_str()], |row| {
        Ok((row.get(0)?, row.get(1)?, row.get(2)?))
    })
    .optional()
}

/// The conversation a user is typing in, if any (fresh or not).
pub fn conversation_of(conn: &Connection, user_id: i64) -> rusqlite::Result<Option<i64>> {
    use rusqlite::OptionalExtension;
    conn.prepare_cached("SELECT conversation_id FROM typing WHERE user_id = ?1")?
        .query_row([user_id], |r| r.get(0))
        .optional()
}
