//! The statements of the clean-data job. Those whose changes fire webhooks answer
//! the IDs they changed.

use rusqlite::Connection;

/// Deletes visitors created and last active before `before`; answers their IDs.
pub fn delete_old_visitors(conn: &Connection, before: &str) -> rusqlite::Result<Vec<i64>> {
    let mut stmt = conn.prepare_cached(
        "DELETE FROM users WHERE user_type = 'visitor' AND creation_time < ?1 AND last_activity < ?1 RETURNING id",
    )?;
    let ids = stmt.query_map([before], |row| row.get(0))?.collect();
    ids
}

pub fn delete_old_trash(conn: &Connection, before: &str) -> rusqlite::Result<usize> {
    conn.prepare_cached(
        "DELETE FROM conversations
          WHERE status_code = 4
            AND coalesce((SELECT creation_time FROM messages WHERE id = conversations.last_message_id), creation_time) < ?1",
    )?
    .execute([before])
}

/// Archives open conversations whose last message is an agent's or admin's, sent
/// before `before`; answers their IDs.
pub fn archive_answered(conn: &Connection, before: &str) -> rusqlite::Result<Vec<i64>> {
    let mut stmt = conn.prepare_cached(
        "UPDATE conversations SET status_code = 3
          WHERE status_code < 3
            AND last_message_id IN (
                SELECT m.id FROM messages m JOIN users u ON u.id = m.user_id
                 WHERE m.id = conversations.last_message_id AND m.creation_time < ?1
                   AND u.user_type IN ('agent', 'admin'))
          RETURNING id",
    )?;
    let ids = stmt.query_map([before], |row| row.get(0))?.collect();
    ids
}
