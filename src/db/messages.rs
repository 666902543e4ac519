//! Every statement about `messages`.

use super::users::placeholders;
use crate::domain::{After, UserType};
use rusqlite::types::Value as SqlValue;
use rusqlite::{params, params_from_iter, Connection, OptionalExtension, Row};

/// Message status: read by the other side.
pub const STATUS_READ: i64 = 2;

/// A message with the name and type of whoever sent it.
#[derive(Debug, Clone)]
pub struct MessageRow {
    pub id: i64,
    pub user_id: i64,
    pub message: String,
    pub creation_time: String,
    pub attachments: String,
    pub status_code: i64,
    pub payload: String,
    pub conversation_id: i64,
    pub first_name: String,
    pub last_name: String,
    pub profile_image: Option<String>,
    pub user_type: UserType,
}

/// The sender's name and type come from users by primary key in subqueries rather
/// than a join: statistics taken when users held one row (a new install's first
/// maintenance run) would otherwise make SQLite scan every user for every message.
const SELECT: &str = "SELECT m.id, m.user_id, m.message, m.creation_time, m.attachments, m.status_code, m.payload,
        m.conversation_id, (SELECT first_name FROM users WHERE id = m.user_id),
        (SELECT last_name FROM users WHERE id = m.user_id), (SELECT profile_image FROM users WHERE id = m.user_id),
        (SELECT user_type FROM users WHERE id = m.user_id)
   FROM messages m";

impl MessageRow {
    fn from_row(row: &Row) -> rusqlite::Result<Self> {
        Ok(Self {
            id: row.get(0)?,
            user_id: row.get(1)?,
            message: row.get(2)?,
            creation_time: row.get(3)?,
            attachments: row.get(4)?,
            status_code: row.get(5)?,
            payload: row.get(6)?,
            conversation_id: row.get(7)?,
            first_name: row.get(8)?,
            last_name: row.get(9)?,
            profile_image: row.get(10)?,
            user_type: UserType::from_stored(&row.get::<_, String>(11)?),
        })
    }
}

pub struct NewMessage<'a> {
    pub conversation_id: i64,
    pub user_id: i64,
    pub message: &'a str,
    pub attachments: &'a str,
    pub payload: &'a str,
    pub now: &'a str,
}

pub fn insert(conn: &Connection, new: &NewMessage) -> rusqlite::Result<i64> {
    conn.prepare_cached(
        "INSERT INTO messages (conversation_id, user_id, message, creation_time, attachments, payload)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?
    .execute(params![new.conversation_id, new.user_id, new.message, new.now, new.attachments, new.payload])?;
    Ok(conn.last_insert_rowid())
}

pub fn any_in_conversation(conn: &Connection, conversation_id: i64) -> rusqlite::Result<bool> {
    conn.prepare_cached("SELECT EXISTS (SELECT 1 FROM messages WHERE conversation_id = ?1)")?
        .query_row([conversation_id], |row| row.get(0))
}

/// All messages of a conversation, oldest first.
pub fn of_conversation(conn: &Connection, conversation_id: i64) -> rusqlite::Result<Vec<MessageRow>> {
    let mut stmt = conn.prepare_cached(&format!("{SELECT} WHERE m.conversation_id = ?1 ORDER BY m.id"))?;
    let rows = stmt.query_map([conversation_id], MessageRow::from_row)?.collect();
    rows
}

/// Messages of any of `user_id`'s conversations after message `after`, oldest
/// first, at most `limit`: what the chat widget shows that it has not yet.
pub fn of_customer_after(conn: &Connection, user_id: i64, after: i64, limit: i64) -> rusqlite::Result<Vec<MessageRow>> {
    let sql = format!(
        "{SELECT} WHERE m.conversation_id IN (SELECT id FROM conversations WHERE user_id = ?1) AND m.id > ?2
          ORDER BY m.id LIMIT ?3"
    );
    let rows = conn.prepare_cached(&sql)?.query_map(params![user_id, after, limit], MessageRow::from_row)?.collect();
    rows
}

/// The newest `limit` messages of a conversation, oldest first.
pub fn latest_of_conversation(
    conn: &Connection,
    conversation_id: i64,
    limit: i64,
) -> rusqlite::Result<Vec<MessageRow>> {
    let sql = format!("SELECT * FROM ({SELECT} WHERE m.conversation_id = ?1 ORDER BY m.id DESC LIMIT ?2) ORDER BY id");
    let rows = conn.prepare_cached(&sql)?.query_map(params![conversation_id, limit], MessageRow::from_row)?.collect();
    rows
}

/// Messages of a conversation after a message ID or a time, oldest first.
pub fn of_conversation_after(
    conn: &Connection,
    conversation_id: i64,
    after: &After,
) -> rusqlite::Result<Vec<MessageRow>> {
    let (condition, value): (&str, SqlValue) = match after {
        After::Id(id) => ("m.id > ?2", SqlValue::Integer(*id)),
        After::Time(time) => ("m.creation_time > ?2", time.clone().into()),
    };
    let sql = format!("{SELECT} WHERE m.conversation_id = ?1 AND {condition} ORDER BY m.id");
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt.query_map(params![conversation_id, value], MessageRow::from_row)?.collect();
    rows
}

pub fn find(conn: &Connection, id: i64) -> rusqlite::Result<Option<MessageRow>> {
    conn.prepare_cached(&format!("{SELECT} WHERE m.id = ?1"))?.query_row([id], MessageRow::from_row).optional()
}

/// Changes the given fields of a message; returns false when it does not exist.
pub fn update(
    conn: &Connection,
    id: i64,
    message: Option<&str>,
    attachments: Option<&str>,
    payload: Option<&str>,
) -> rusqlite::Result<bool> {
    conn.prepare_cached(
        "UPDATE messages SET message = coalesce(?2, message), attachments = coalesce(?3, attachments),
                payload = coalesce(?4, payload)
          WHERE id = ?1",
    )?
    .execute(params![id, message, attachments, payload])
    .map(|changed| changed > 0)
}

pub fn delete(conn: &Connection, id: i64) -> rusqlite::Result<bool> {
    Ok(conn.prepare_cached("DELETE FROM messages WHERE id = ?1")?.execute([id])? > 0)
}

pub fn mark_read(conn: &Connection, ids: &[i64]) -> rusqlite::Result<usize> {
    if ids.is_empty() {
        return Ok(0);
    }
    let sql = format!("UPDATE messages SET status_code = {STATUS_READ} WHERE id IN ({})", placeholders(0, ids.len()));
    conn.prepare(&sql)?.execute(params_from_iter(ids))
}

/// Who counts as the customer's side of a conversation: anyone but staff and the bot.
const FROM_CUSTOMER: &str = "(SELECT user_type FROM users WHERE id = m.user_id) NOT IN ('agent', 'admin', 'bot')";

/// Unread messages per conversation, for those of `conversation_ids` that have any:
/// messages from the customer's side not yet marked read.
pub fn unread_counts(conn: &Connection, conversation_ids: &[i64]) -> rusqlite::Result<Vec<(i64, i64)>> {
    if conversation_ids.is_empty() {
        return Ok(vec![]);
    }
    let sql = format!(
        "SELECT m.conversation_id, count(*) FROM messages m
          WHERE m.conversation_id IN ({}) AND m.status_code != {STATUS_READ} AND {FROM_CUSTOMER}
          GROUP BY m.conversation_id",
        placeholders(0, conversation_ids.len())
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let counts = stmt.query_map(params_from_iter(conversation_ids), |row| Ok((row.get(0)?, row.get(1)?)))?.collect();
    counts
}

/// Marks the customer's messages in a conversation read; answers how many changed.
pub fn mark_customer_messages_read(conn: &Connection, conversation_id: i64) -> rusqlite::Result<usize> {
    conn.prepare_cached(&format!(
        "UPDATE messages SET status_code = {STATUS_READ}
          WHERE id IN (SELECT m.id FROM messages m
                        WHERE m.conversation_id = ?1 AND m.status_code != {STATUS_READ} AND {FROM_CUSTOMER})"
    ))?
    .execute([conversation_id])
}

/// For the conversations that `ids` belong to: the conversation, its customer and
/// the newest of `ids` in it from the customer's side (staff messages among `ids`
/// say nothing about what the customer wrote).
pub fn read_marks(conn: &Connection, ids: &[i64]) -> rusqlite::Result<Vec<(i64, i64, i64)>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT m.conversation_id, c.user_id, max(m.id) FROM messages m JOIN conversations c ON c.id = m.conversation_id
          WHERE m.id IN ({}) AND {FROM_CUSTOMER} GROUP BY m.conversation_id",
        placeholders(0, ids.len())
    );
    let mut stmt = conn.prepare(&sql)?;
    let rows = stmt.query_map(params_from_iter(ids), |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)))?;
    rows.collect()
}

/// The newest message ID of conversation `id` and its customer, if it has messages.
pub fn read_mark_of_conversation(conn: &Connection, id: i64) -> rusqlite::Result<Option<(i64, i64, i64)>> {
    conn.prepare_cached(
        "SELECT c.id, c.user_id, max(m.id) FROM conversations c JOIN messages m ON m.conversation_id = c.id
          WHERE c.id = ?1 GROUP BY c.id",
    )?
    .query_row([id], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)))
    .optional()
}

/// The newest message ID, 0 when there are none.
pub fn last_id(conn: &Connection) -> rusqlite::Result<i64> {
    conn.prepare_cached("SELECT coalesce(max(id), 0) FROM messages")?.query_row([], |row| row.get(0))
}

/// Conversations with messages after message `after`: `(conversation ID, its newest
/// message ID)`, oldest first, at most `limit`. A range walk of the primary key.
pub fn newest_per_conversation_after(conn: &Connection, after: i64, limit: i64) -> rusqlite::Result<Vec<(i64, i64)>> {
    let mut stmt = conn.prepare_cached(
        "SELECT conversation_id, max(id) AS newest FROM messages WHERE id > ?1
          GROUP BY conversation_id ORDER BY newest LIMIT ?2",
    )?;
    let rows = stmt.query_map(params![after, limit], |row| Ok((row.get(0)?, row.get(1)?)))?.collect();
    rows
}

/// An agent or admin who wrote in a conversation.
pub struct Participant {
    pub id: i64,
    pub first_name: String,
    pub last_name: String,
    pub profile_image: Option<String>,
}

/// Agents and admins with at least one message in the conversation, in order of first message.
pub fn agents_in_conversation(conn: &Connection, conversation_id: i64) -> rusqlite::Result<Vec<Participant>> {
    let mut stmt = conn.prepare_cached(
        "SELECT u.id, u.first_name, u.last_name, u.profile_image FROM users u
           JOIN (SELECT user_id, min(id) AS first FROM messages WHERE conversation_id = ?1 GROUP BY user_id) m
             ON m.user_id = u.id
          WHERE u.user_type IN ('agent', 'admin')
          ORDER BY m.first",
    )?;
    let rows = stmt
        .query_map([conversation_id], |row| {
            Ok(Participant {
                id: row.get(0)?,
                first_name: row.get(1)?,
                last_name: row.get(2)?,
                profile_image: row.get(3)?,
            })
        })?
        .collect();
    rows
}

/// Makes `to` the sender of `from`'s messages (a visitor proved to be that user).
pub fn move_sender(conn: &Connection, from: i64, to: i64) -> rusqlite::Result<usize> {
    conn.prepare_cached("UPDATE messages SET user_id = ?2 WHERE user_id = ?1")?.execute(params![from, to])
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The conversation page's reads walk one conversation's messages and look each
    /// sender up by key, even with statistics from a database holding one user.
    #[test]
    fn conversation_reads_look_senders_up_by_key() {
        let mut conn = Connection::open_in_memory().unwrap();
        crate::db::migrate::run(&mut conn).unwrap();
        conn.execute_batch(
            "INSERT INTO users (first_name, last_name, user_type, creation_time, last_activity, token_nonce, token_lookup)
             VALUES ('A', 'B', 'admin', '2024-01-01 00:00:00', '2024-01-01 00:00:00', 'n', 'l');
             ANALYZE;",
        )
        .unwrap();
        let reads = [
            format!("{SELECT} WHERE m.conversation_id = 1 ORDER BY m.id"),
            format!(
                "SELECT m.conversation_id, count(*) FROM messages m WHERE m.conversation_id IN (1, 2) \
                 AND m.status_code != {STATUS_READ} AND {FROM_CUSTOMER} GROUP BY m.conversation_id"
            ),
        ];
        for sql in reads {
            let mut stmt = conn.prepare(&format!("EXPLAIN QUERY PLAN {sql}")).unwrap();
            let plan: Vec<String> = stmt.query_map([], |row| row.get(3)).unwrap().map(Result::unwrap).collect();
            let plan = plan.join("\n");
            assert!(plan.contains("messages_by_conversation"), "{sql}:\n{plan}");
            assert!(!plan.contains("SCAN"), "{sql}:\n{plan}");
        }
    }
}
