//! The bulk path that seeds a benchmark data set: plain inserts in one
//! transaction with durability relaxed, the search indexes and last-message
//! pointers filled by their triggers as usual. Only the benchmark uses this.

use rusqlite::{params, Connection};

/// One user to seed; tokens are issued by the caller.
pub struct SeedUser<'a> {
    pub first_name: &'a str,
    pub last_name: &'a str,
    pub email: &'a str,
    pub user_type: &'a str,
    pub token_nonce: &'a str,
    pub token_lookup: &'a str,
}

/// Seeding runs in one transaction with `synchronous = OFF`: a crash loses the
/// half-built data set, which is thrown away anyway. Messages land in random
/// conversations, so the indexes they update are touched all over; a 256 MB page
/// cache keeps those pages in memory (1M messages: 89 s -> 57 s).
pub fn begin(conn: &Connection) -> rusqlite::Result<()> {
    conn.execute_batch("PRAGMA synchronous = OFF; PRAGMA cache_size = -262144; BEGIN IMMEDIATE;")
}

/// Commits, then runs the daily maintenance (FTS merges, statistics), so the data
/// set is as a live database is after its nightly run: a million messages loaded
/// in one go leave the message index in hundreds of segments, which every search
/// would otherwise walk.
pub fn commit(conn: &Connection) -> rusqlite::Result<()> {
    conn.execute_batch("COMMIT; PRAGMA synchronous = FULL;")?;
    super::housekeeping::optimise(conn)
}

pub fn user(conn: &Connection, user: &SeedUser, now: &str) -> rusqlite::Result<i64> {
    conn.prepare_cached(
        "INSERT INTO users (first_name, last_name, email, user_type, creation_time, last_activity, token_nonce, token_lookup)
         VALUES (?1, ?2, ?3, ?4, ?5, ?5, ?6, ?7)",
    )?
    .execute(params![user.first_name, user.last_name, user.email, user.user_type, now, user.token_nonce, user.token_lookup])?;
    Ok(conn.last_insert_rowid())
}

pub fn conversation(conn: &Connection, user_id: i64, status: i64, now: &str) -> rusqlite::Result<i64> {
    conn.prepare_cached("INSERT INTO conversations (user_id, creation_time, status_code) VALUES (?1, ?2, ?3)")?
        .execute(params![user_id, now, status])?;
    Ok(conn.last_insert_rowid())
}

pub fn message(conn: &Connection, conversation_id: i64, user_id: i64, text: &str, now: &str) -> rusqlite::Result<i64> {
    conn.prepare_cached(
        "INSERT INTO messages (conversation_id, user_id, message, creation_time) VALUES (?1, ?2, ?3, ?4)",
    )?
    .execute(params![conversation_id, user_id, text, now])?;
    Ok(conn.last_insert_rowid())
}
