//! Every statement about `notes`.

use rusqlite::{params, Connection};

pub struct NoteRow {
    pub id: i64,
    pub user_id: i64,
    pub name: String,
    pub message: String,
    pub creation_time: String,
}

pub fn of_conversation(conn: &Connection, conversation_id: i64) -> rusqlite::Result<Vec<NoteRow>> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, user_id, name, message, creation_time FROM notes WHERE conversation_id = ?1 ORDER BY id",
    )?;
    let rows = stmt
        .query_map([conversation_id], |row| {
            Ok(NoteRow {
                id: row.get(0)?,
                user_id: row.get(1)?,
                name: row.get(2)?,
                message: row.get(3)?,
                creation_time: row.get(4)?,
            })
        })?
        .collect();
    rows
}

pub fn insert(
    conn: &Connection,
    conversation_id: i64,
    user_id: i64,
    name: &str,
    message: &str,
    now: &str,
) -> rusqlite::Result<i64> {
    conn.prepare_cached(
        "INSERT INTO notes (conversation_id, user_id, name, message, creation_time) VALUES (?1, ?2, ?3, ?4, ?5)",
    )?
    .execute(params![conversation_id, user_id, name, message, now])?;
    Ok(conn.last_insert_rowid())
}

/// Deletes the note if it belongs to the conversation.
pub fn delete(conn: &Connection, conversation_id: i64, note_id: i64) -> rusqlite::Result<bool> {
    Ok(conn
        .prepare_cached("DELETE FROM notes WHERE id = ?1 AND conversation_id = ?2")?
        .execute(params![note_id, conversation_id])?
        > 0)
}
