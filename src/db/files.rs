//! Uploaded files' rows, which messages carry them, and the keys of forgotten
//! files whose bytes are still to be removed (see `migrations/0018_files.sql`).

use rusqlite::{params, Connection, OptionalExtension, Row};

#[derive(Debug, Clone)]
pub struct FileRow {
    pub id: i64,
    pub key: String,
    pub name: String,
    pub content_type: String,
    pub extension: String,
    pub size: i64,
    pub width: Option<i64>,
    pub height: Option<i64>,
    pub thumbnail: Option<String>,
    pub uploaded_by: Option<i64>,
}

const COLUMNS: &str = "id, key, name, content_type, extension, size, width, height, thumbnail, uploaded_by";

fn from_row(row: &Row) -> rusqlite::Result<FileRow> {
    Ok(FileRow {
        id: row.get(0)?,
        key: row.get(1)?,
        name: row.get(2)?,
        content_type: row.get(3)?,
        extension: row.get(4)?,
        size: row.get(5)?,
        width: row.get(6)?,
        height: row.get(7)?,
        thumbnail: row.get(8)?,
        uploaded_by: row.get(9)?,
    })
}

pub struct NewFile<'a> {
    pub key: &'a str,
    pub name: &'a str,
    pub content_type: &'a str,
    pub extension: &'a str,
    pub size: i64,
    pub dimensions: Option<(u32, u32)>,
    pub thumbnail: Option<&'a str>,
    pub uploaded_by: Option<i64>,
    pub now: &'a str,
}

pub fn insert(conn: &Connection, file: &NewFile) -> rusqlite::Result<i64> {
    conn.prepare_cached(
        "INSERT INTO files (key, name, content_type, extension, size, width, height, thumbnail, uploaded_by, creation_time)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
    )?
    .execute(params![
        file.key,
        file.name,
        file.content_type,
        file.extension,
        file.size,
        file.dimensions.map(|(w, _)| w),
        file.dimensions.map(|(_, h)| h),
        file.thumbnail,
        file.uploaded_by,
        file.now
    ])?;
    Ok(conn.last_insert_rowid())
}

pub fn find(conn: &Connection, key: &str) -> rusqlite::Result<Option<FileRow>> {
    conn.prepare_cached(&format!("SELECT {COLUMNS} FROM files WHERE key = ?1"))?.query_row([key], from_row).optional()
}

/// The files of these keys that exist, in no particular order.
pub fn find_many(conn: &Connection, keys: &[String]) -> rusqlite::Result<Vec<FileRow>> {
    let mut found = Vec::with_capacity(keys.len());
    for key in keys {
        found.extend(find(conn, key)?);
    }
    Ok(found)
}

/// Marks the file as carried by the message.
pub fn link(conn: &Connection, message_id: i64, file_id: i64) -> rusqlite::Result<()> {
    conn.prepare_cached("INSERT OR IGNORE INTO message_files (message_id, file_id) VALUES (?1, ?2)")?
        .execute([message_id, file_id])?;
    conn.prepare_cached("UPDATE files SET used = 1 WHERE id = ?1 AND used = 0")?.execute([file_id])?;
    Ok(())
}

/// The message no longer carries the files other than `keep`; a file no message
/// carries any more is forgotten (by the table's trigger).
pub fn unlink_others(conn: &Connection, message_id: i64, keep: &[i64]) -> rusqlite::Result<()> {
    let mut stmt = conn.prepare_cached("SELECT file_id FROM message_files WHERE message_id = ?1")?;
    let linked: Vec<i64> = stmt.query_map([message_id], |row| row.get(0))?.collect::<Result<_, _>>()?;
    for file_id in linked.into_iter().filter(|id| !keep.contains(id)) {
        conn.prepare_cached("DELETE FROM message_files WHERE message_id = ?1 AND file_id = ?2")?
            .execute([message_id, file_id])?;
    }
    Ok(())
}

/// Forgets files uploaded before `before` that no message ever carried (an upload
/// abandoned before sending); answers how many.
pub fn forget_unused(conn: &Connection, before: &str) -> rusqlite::Result<usize> {
    conn.prepare_cached(
        "INSERT OR IGNORE INTO files_gone (key) SELECT key FROM files WHERE used = 0 AND creation_time < ?1",
    )?
    .execute([before])?;
    conn.prepare_cached("DELETE FROM files WHERE used = 0 AND creation_time < ?1")?.execute([before])
}

/// Keys of forgotten files whose bytes may still be on disk.
pub fn gone(conn: &Connection) -> rusqlite::Result<Vec<String>> {
    let mut stmt = conn.prepare_cached("SELECT key FROM files_gone LIMIT 10000")?;
    let keys = stmt.query_map([], |row| row.get(0))?.collect();
    keys
}

pub fn clear_gone(conn: &Connection, keys: &[String]) -> rusqlite::Result<()> {
    for key in keys {
        conn.prepare_cached("DELETE FROM files_gone WHERE key = ?1")?.execute([key])?;
    }
    Ok(())
}

/// Whether a file with this key exists (for the sweep of files on disk).
pub fn exists(conn: &Connection, key: &str) -> rusqlite::Result<bool> {
    conn.prepare_cached("SELECT 1 FROM files WHERE key = ?1")?.exists([key])
}
