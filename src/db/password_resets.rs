//! Every statement about `password_resets` (single-use links, stored as keyed
//! hashes) and `password_reset_requests` (their rate limit).

use rusqlite::{params, Connection, OptionalExtension};

/// Stores a new link for `user_id`; any earlier link of theirs stops working.
pub fn insert(conn: &Connection, token_hash: &str, user_id: i64, now: &str, expires: &str) -> rusqlite::Result<()> {
    conn.prepare_cached("DELETE FROM password_resets WHERE user_id = ?1")?.execute([user_id])?;
    conn.prepare_cached(
        "INSERT INTO password_resets (token_hash, user_id, creation_time, expires) VALUES (?1, ?2, ?3, ?4)",
    )?
    .execute(params![token_hash, user_id, now, expires])?;
    Ok(())
}

/// The user of an unused link that has not expired at `now`.
pub fn user_of(conn: &Connection, token_hash: &str, now: &str) -> rusqlite::Result<Option<i64>> {
    conn.prepare_cached("SELECT user_id FROM password_resets WHERE token_hash = ?1 AND used = 0 AND expires > ?2")?
        .query_row(params![token_hash, now], |row| row.get(0))
        .optional()
}

/// Uses up a live link and answers its user; `None` if it was used, expired or never existed.
pub fn consume(conn: &Connection, token_hash: &str, now: &str) -> rusqlite::Result<Option<i64>> {
    conn.prepare_cached(
        "UPDATE password_resets SET used = 1 WHERE token_hash = ?1 AND used = 0 AND expires > ?2 RETURNING user_id",
    )?
    .query_row(params![token_hash, now], |row| row.get(0))
    .optional()
}

pub fn record_request(conn: &Connection, scope: &str, key: &str, now: &str) -> rusqlite::Result<()> {
    conn.prepare_cached("INSERT INTO password_reset_requests (scope, key, at) VALUES (?1, ?2, ?3)")?
        .execute(params![scope, key, now])?;
    Ok(())
}

/// Requests for `key` after `since`.
pub fn requests_since(conn: &Connection, scope: &str, key: &str, since: &str) -> rusqlite::Result<i64> {
    conn.prepare_cached("SELECT count(*) FROM password_reset_requests WHERE scope = ?1 AND key = ?2 AND at > ?3")?
        .query_row(params![scope, key, since], |row| row.get(0))
}

/// Forgets requests older than the rate limit's window and links past their expiry.
pub fn forget_before(conn: &Connection, since: &str, now: &str) -> rusqlite::Result<()> {
    conn.prepare_cached("DELETE FROM password_reset_requests WHERE at <= ?1")?.execute([since])?;
    conn.prepare_cached("DELETE FROM password_resets WHERE expires <= ?1")?.execute([now])?;
    Ok(())
}
