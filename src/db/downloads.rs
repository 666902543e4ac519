//! Files handed out by expiring, unguessable links.

use rusqlite::{params, Connection, OptionalExtension};

pub struct Download {
    pub file_name: String,
    pub content_type: String,
    pub path: String,
}

pub fn insert(conn: &Connection, token: &str, download: &Download, expires_at: &str) -> rusqlite::Result<()> {
    conn.prepare_cached(
        "INSERT INTO downloads (token, file_name, content_type, path, expires_at) VALUES (?1, ?2, ?3, ?4, ?5)",
    )?
    .execute(params![token, download.file_name, download.content_type, download.path, expires_at])?;
    Ok(())
}

/// The download behind `token` if it has not expired at `now`.
pub fn find_live(conn: &Connection, token: &str, now: &str) -> rusqlite::Result<Option<Download>> {
    conn.prepare_cached("SELECT file_name, content_type, path FROM downloads WHERE token = ?1 AND expires_at > ?2")?
        .query_row(params![token, now], |row| {
            Ok(Download { file_name: row.get(0)?, content_type: row.get(1)?, path: row.get(2)? })
        })
        .optional()
}

/// Files of downloads that expired before `now`.
pub fn expired(conn: &Connection, now: &str) -> rusqlite::Result<Vec<String>> {
    let mut stmt = conn.prepare_cached("SELECT path FROM downloads WHERE expires_at <= ?1")?;
    let rows = stmt.query_map([now], |row| row.get(0))?.collect();
    rows
}

pub fn delete_expired(conn: &Connection, now: &str) -> rusqlite::Result<usize> {
    conn.prepare_cached("DELETE FROM downloads WHERE expires_at <= ?1")?.execute([now])
}
