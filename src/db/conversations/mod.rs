//! Every statement about `conversations`, including the inbox-style lists where
//! each row is a conversation's last message.

mod inbox;

use super::users::placeholders;
use crate::domain::{ConversationStatus, UserType};
pub use inbox::{inbox, InboxQuery, InboxRow, StatusFilter};
use rusqlite::types::Value as SqlValue;
use rusqlite::{params, params_from_iter, Connection, OptionalExtension, Row};

/// A conversation joined with its user, as `get-conversation` shows it.
#[derive(Debug, Clone)]
pub struct ConversationRow {
    pub id: i64,
    pub user_id: i64,
    pub first_name: String,
    pub last_name: String,
    pub profile_image: Option<String>,
    pub user_type: UserType,
    pub title: String,
    pub creation_time: String,
    pub status_code: i64,
    pub department: Option<i64>,
    pub agent_id: Option<i64>,
    pub source: Option<String>,
    pub extra: Option<String>,
    pub rating: Option<i64>,
}

impl ConversationRow {
    fn from_row(row: &Row) -> rusqlite::Result<Self> {
        Ok(Self {
            id: row.get(0)?,
            user_id: row.get(1)?,
            first_name: row.get(2)?,
            last_name: row.get(3)?,
            profile_image: row.get(4)?,
            user_type: UserType::from_stored(&row.get::<_, String>(5)?),
            title: row.get(6)?,
            creation_time: row.get(7)?,
            status_code: row.get(8)?,
            department: row.get(9)?,
            agent_id: row.get(10)?,
            source: row.get(11)?,
            extra: row.get(12)?,
            rating: row.get(13)?,
        })
    }
}

pub fn find(conn: &Connection, id: i64) -> rusqlite::Result<Option<ConversationRow>> {
    conn.prepare_cached(
        "SELECT c.id, c.user_id, u.first_name, u.last_name, u.profile_image, u.user_type, c.title,
                c.creation_time, c.status_code, c.department, c.agent_id, c.source, c.extra, c.rating
           FROM conversations c JOIN users u ON u.id = c.user_id
          WHERE c.id = ?1",
    )?
    .query_row([id], ConversationRow::from_row)
    .optional()
}

pub struct NewConversation {
    pub user_id: i64,
    pub title: String,
    pub status: ConversationStatus,
    pub department: Option<i64>,
    pub agent_id: Option<i64>,
    pub source: Option<String>,
    pub extra: Option<String>,
    pub now: String,
}

pub fn insert(conn: &Connection, new: &NewConversation) -> rusqlite::Result<i64> {
    conn.prepare_cached(
        "INSERT INTO conversations (user_id, title, creation_time, status_code, department, agent_id, source, extra)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )?
    .execute(params![
        new.user_id,
        new.title,
        new.now,
        new.status.code(),
        new.department,
        new.agent_id,
        new.source,
        new.extra
    ])?;
    Ok(conn.last_insert_rowid())
}

pub fn exists(conn: &Connection, id: i64) -> rusqlite::Result<bool> {
    conn.prepare_cached("SELECT EXISTS (SELECT 1 FROM conversations WHERE id = ?1)")?.query_row([id], |r| r.get(0))
}

pub fn set_status(conn: &Connection, id: i64, status: ConversationStatus) -> rusqlite::Result<bool> {
    Ok(conn
        .prepare_cached("UPDATE conversations SET status_code = ?2 WHERE id = ?1")?
        .execute(params![id, status.code()])?
        > 0)
}

pub fn set_department(conn: &Connection, id: i64, department: Option<i64>) -> rusqlite::Result<bool> {
    Ok(conn
        .prepare_cached("UPDATE conversations SET department = ?2 WHERE id = ?1")?
        .execute(params![id, department])?
        > 0)
}

pub fn set_agent(conn: &Connection, id: i64, agent_id: Option<i64>) -> rusqlite::Result<bool> {
    Ok(conn.prepare_cached("UPDATE conversations SET agent_id = ?2 WHERE id = ?1")?.execute(params![id, agent_id])? > 0)
}

pub fn set_rating(conn: &Connection, id: i64, rating: i64) -> rusqlite::Result<bool> {
    Ok(conn.prepare_cached("UPDATE conversations SET rating = ?2 WHERE id = ?1")?.execute(params![id, rating])? > 0)
}

/// `(positive, negative)` ratings of the conversations an agent is assigned to or wrote in.
pub fn ratings_of_agent(conn: &Connection, agent_id: i64) -> rusqlite::Result<(i64, i64)> {
    conn.prepare_cached(
        "SELECT coalesce(sum(rating = 1), 0), coalesce(sum(rating = 0), 0) FROM conversations
          WHERE rating IS NOT NULL
            AND EXISTS (SELECT 1 FROM users WHERE id = ?1 AND user_type IN ('agent', 'admin'))
            AND (agent_id = ?1 OR id IN (SELECT conversation_id FROM messages WHERE user_id = ?1))",
    )?
    .query_row([agent_id], |row| Ok((row.get(0)?, row.get(1)?)))
}

pub fn count(conn: &Connection, status: Option<ConversationStatus>) -> rusqlite::Result<i64> {
    match status {
        Some(status) => conn
            .prepare_cached("SELECT count(*) FROM conversations WHERE status_code = ?1")?
            .query_row([status.code()], |r| r.get(0)),
        None => conn.prepare_cached("SELECT count(*) FROM conversations")?.query_row([], |r| r.get(0)),
    }
}

/// Of `ids`, those assigned to the agent and/or department given.
pub fn filter_assigned(
    conn: &Connection,
    ids: &[i64],
    agent_id: Option<i64>,
    department: Option<i64>,
) -> rusqlite::Result<Vec<i64>> {
    let mut values: Vec<SqlValue> = ids.iter().map(|id| SqlValue::Integer(*id)).collect();
    let mut sql = format!("SELECT id FROM conversations WHERE id IN ({})", placeholders(0, ids.len()));
    if let Some(agent) = agent_id {
        values.push(agent.into());
        sql.push_str(&format!(" AND agent_id = ?{}", values.len()));
    }
    if let Some(department) = department {
        values.push(department.into());
        sql.push_str(&format!(" AND department = ?{}", values.len()));
    }
    sql.push_str(" ORDER BY id");
    let mut stmt = conn.prepare(&sql)?;
    let found = stmt.query_map(params_from_iter(values), |row| row.get(0))?.collect();
    found
}

/// The distinct sources conversations came from, in order. Each step is one probe
/// of `conversations_by_source`, so this stays quick however many conversations exist.
pub fn sources(conn: &Connection) -> rusqlite::Result<Vec<String>> {
    let mut stmt = conn.prepare_cached(
        "WITH RECURSIVE s(source) AS (
             SELECT min(source) FROM conversations
              UNION ALL
             SELECT (SELECT min(source) FROM conversations WHERE source > s.source) FROM s WHERE s.source IS NOT NULL
         )
         SELECT source FROM s WHERE source IS NOT NULL LIMIT 100",
    )?;
    let rows = stmt.query_map([], |row| row.get(0))?.collect();
    rows
}

/// The conversation's user or, with `last_agent`, the last agent who wrote in it: `(id, email)`.
pub fn contact(conn: &Connection, id: i64, last_agent: bool) -> rusqlite::Result<Option<(i64, Option<String>)>> {
    let sql = if last_agent {
        "SELECT u.id, u.email FROM messages m JOIN users u ON u.id = m.user_id
          WHERE m.conversation_id = ?1 AND u.user_type IN ('agent', 'admin') ORDER BY m.id DESC LIMIT 1"
    } else {
        "SELECT u.id, u.email FROM conversations c JOIN users u ON u.id = c.user_id WHERE c.id = ?1"
    };
    conn.prepare_cached(sql)?.query_row([id], |row| Ok((row.get(0)?, row.get(1)?))).optional()
}

/// The user's most recent conversation, if any.
pub fn latest_of_user(conn: &Connection, user_id: i64) -> rusqlite::Result<Option<i64>> {
    conn.prepare_cached("SELECT max(id) FROM conversations WHERE user_id = ?1")?.query_row([user_id], |r| r.get(0))
}

/// Gives `from`'s conversations to `to` (a visitor proved to be that user).
pub fn move_owner(conn: &Connection, from: i64, to: i64) -> rusqlite::Result<usize> {
    conn.prepare_cached("UPDATE conversations SET user_id = ?2 WHERE user_id = ?1")?.execute(params![from, to])
}
