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
///
/// Statistics of tables under a thousand rows are dropped again: taken on a young
/// database (one admin, no conversations) they tell the planner that scanning is
/// cheap, and it keeps scanning long after the tables have grown. Without them
/// SQLite plans from the indexes, which is what every list query is built for.
pub fn optimise(conn: &Connection) -> rusqlite::Result<()> {
    conn.execute_batch(
        "INSERT INTO messages_fts (messages_fts) VALUES ('optimize');
         INSERT INTO users_fts (users_fts) VALUES ('optimize');
         INSERT INTO user_details_trigram (user_details_trigram) VALUES ('optimize');
         INSERT INTO articles_fts (articles_fts) VALUES ('optimize');
         PRAGMA optimize;",
    )?;
    let has_statistics: bool =
        conn.query_row("SELECT EXISTS (SELECT 1 FROM sqlite_schema WHERE name = 'sqlite_stat1')", [], |r| r.get(0))?;
    if has_statistics {
        conn.execute_batch(
            "DELETE FROM sqlite_stat1 WHERE CAST(substr(stat, 1, instr(stat || ' ', ' ') - 1) AS INTEGER) < 1000;
             ANALYZE sqlite_schema;",
        )?;
    }
    conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statistics_of_small_tables_do_not_outlive_optimise() {
        let mut conn = Connection::open_in_memory().unwrap();
        crate::db::migrate::run(&mut conn).unwrap();
        conn.execute_batch(
            "INSERT INTO users (user_type, creation_time, last_activity, token_nonce, token_lookup)
             VALUES ('admin', 't', 't', 'n', 'l');
             ANALYZE;",
        )
        .unwrap();
        optimise(&conn).unwrap();
        let small: i64 =
            conn.query_row("SELECT count(*) FROM sqlite_stat1 WHERE tbl = 'users'", [], |r| r.get(0)).unwrap();
        assert_eq!(small, 0, "a one-row table's statistics were dropped");
    }
}
