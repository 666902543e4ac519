//! Statements of the presence and maintenance jobs.

use rusqlite::Connection;

pub fn clear_typing_before(conn: &Connection, before: &str) -> rusqlite::Result<usize> {
    conn.prepare_cached("DELETE FROM typing WHERE since < ?1")?.execute([before])
}

/// Removes delivered outbox items and job runs from before `before`; failed outbox
/// items stay for an admin to see.
pub fn prune(conn: &Connection, before: &str) -> rusqlite::Result<usize> {
    let outbox =
        conn.prepare_cached("DELETE FROM outbox WHERE state = 'delivered' AND delivered_at < ?1")?.execute([before])?;
    let runs = conn.prepare_cached("DELETE FROM job_runs WHERE started_at < ?1")?.execute([before])?;
    Ok(outbox + runs)
}

/// Merges FTS segments, lets SQLite refresh its statistics, and folds the WAL back
/// into the database file.
pub fn optimise(conn: &Connection) -> rusqlite::Result<()> {
    conn.execute_batch(
        "INSERT INTO messages_fts (messages_fts) VALUES ('optimize');
         INSERT INTO users_fts (users_fts) VALUES ('optimize');
         INSERT INTO articles_fts (articles_fts) VALUES ('optimize');
         PRAGMA optimize;",
    )?;
    conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))
}
