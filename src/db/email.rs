//! Every statement about the email channel's tables: `email_mailboxes` (where a
//! piped mailbox stands), `email_messages` (each email by Message-ID) and
//! `email_threads` (each email conversation's reply token).

use rusqlite::{params, Connection, OptionalExtension};

/// A mailbox's position: its UIDVALIDITY and the last UID taken under it.
pub fn position(conn: &Connection, mailbox: &str) -> rusqlite::Result<Option<(u32, u32)>> {
    conn.prepare_cached("SELECT uid_validity, last_uid FROM email_mailboxes WHERE mailbox = ?1")?
        .query_row([mailbox], |row| Ok((row.get(0)?, row.get(1)?)))
        .optional()
}

/// Moves a mailbox's position to `last_uid` under `uid_validity`; call in the
/// transaction that stores the messages up to it.
pub fn set_position(
    conn: &Connection,
    mailbox: &str,
    uid_validity: u32,
    last_uid: u32,
    now: &str,
) -> rusqlite::Result<()> {
    conn.prepare_cached(
        "INSERT INTO email_mailboxes (mailbox, uid_validity, last_uid, updated_at) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (mailbox) DO UPDATE SET uid_validity = ?2, last_uid = ?3, updated_at = ?4",
    )?
    .execute(params![mailbox, uid_validity, last_uid, now])?;
    Ok(())
}

/// Whether an email with this Message-ID was taken in or sent already.
pub fn known(conn: &Connection, message_id: &str) -> rusqlite::Result<bool> {
    conn.prepare_cached("SELECT EXISTS (SELECT 1 FROM email_messages WHERE message_id = ?1)")?
        .query_row([message_id], |row| row.get(0))
}

pub struct EmailRecord<'a> {
    pub message_id: &'a str,
    pub outgoing: bool,
    pub conversation_id: Option<i64>,
    pub chat_message_id: Option<i64>,
    pub outcome: &'a str,
    pub sender: &'a str,
    pub now: &'a str,
}

pub fn record(conn: &Connection, email: &EmailRecord) -> rusqlite::Result<()> {
    conn.prepare_cached(
        "INSERT OR IGNORE INTO email_messages
             (message_id, direction, conversation_id, chat_message_id, outcome, sender, creation_time)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?
    .execute(params![
        email.message_id,
        if email.outgoing { "out" } else { "in" },
        email.conversation_id,
        email.chat_message_id,
        email.outcome,
        email.sender,
        email.now
    ])?;
    Ok(())
}

/// The conversation of the first of `message_ids` that Switchboard took in or sent.
pub fn conversation_of_any(conn: &Connection, message_ids: &[String]) -> rusqlite::Result<Option<i64>> {
    let mut stmt = conn.prepare_cached(
        "SELECT e.conversation_id FROM email_messages e JOIN conversations c ON c.id = e.conversation_id
          WHERE e.message_id = ?1",
    )?;
    for id in message_ids {
        if let Some(conversation) = stmt.query_row([id], |row| row.get(0)).optional()? {
            return Ok(Some(conversation));
        }
    }
    Ok(None)
}

/// How many emails from `sender` became messages since `since`.
pub fn taken_from_since(conn: &Connection, sender: &str, since: &str) -> rusqlite::Result<i64> {
    conn.prepare_cached(
        "SELECT count(*) FROM email_messages
          WHERE direction = 'in' AND sender = ?1 AND creation_time >= ?2 AND outcome = 'message'",
    )?
    .query_row(params![sender, since], |row| row.get(0))
}

/// The Message-IDs of a conversation's emails, oldest first, at most `limit` of the newest.
pub fn thread_ids(conn: &Connection, conversation_id: i64, limit: i64) -> rusqlite::Result<Vec<(String, bool)>> {
    let mut stmt = conn.prepare_cached(
        "SELECT message_id, direction = 'out' FROM (
             SELECT message_id, direction, id FROM email_messages
              WHERE conversation_id = ?1 ORDER BY id DESC LIMIT ?2)
          ORDER BY id",
    )?;
    let ids = stmt.query_map(params![conversation_id, limit], |row| Ok((row.get(0)?, row.get(1)?)))?.collect();
    ids
}

/// An email conversation's reply token, subject and customer address.
#[derive(Debug, Clone)]
pub struct Thread {
    pub conversation_id: i64,
    pub token: String,
    pub subject: String,
    pub address: String,
}

pub fn thread(conn: &Connection, conversation_id: i64) -> rusqlite::Result<Option<Thread>> {
    conn.prepare_cached(
        "SELECT conversation_id, token, subject, address FROM email_threads WHERE conversation_id = ?1",
    )?
    .query_row([conversation_id], |row| {
        Ok(Thread { conversation_id: row.get(0)?, token: row.get(1)?, subject: row.get(2)?, address: row.get(3)? })
    })
    .optional()
}

/// The conversation whose reply token is `token`.
pub fn conversation_of_token(conn: &Connection, token: &str) -> rusqlite::Result<Option<i64>> {
    conn.prepare_cached("SELECT conversation_id FROM email_threads WHERE token = ?1")?
        .query_row([token], |row| row.get(0))
        .optional()
}

/// Records a thread unless the conversation has one already.
pub fn add_thread(conn: &Connection, thread: &Thread) -> rusqlite::Result<()> {
    conn.prepare_cached(
        "INSERT OR IGNORE INTO email_threads (conversation_id, token, subject, address) VALUES (?1, ?2, ?3, ?4)",
    )?
    .execute(params![thread.conversation_id, thread.token, thread.subject, thread.address])?;
    Ok(())
}
