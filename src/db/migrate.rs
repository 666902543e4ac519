//! Embedded, ordered schema migrations tracked in `PRAGMA user_version`. Each file
//! in `migrations/` is applied once, in order, inside one transaction with the
//! version bump. A database written by a newer binary is refused, never "fixed".

use rusqlite::Connection;

const MIGRATIONS: &[(&str, &str)] = &[
    ("0001_users", include_str!("../../migrations/0001_users.sql")),
    ("0002_conversations", include_str!("../../migrations/0002_conversations.sql")),
    ("0003_search", include_str!("../../migrations/0003_search.sql")),
    ("0004_downloads", include_str!("../../migrations/0004_downloads.sql")),
    ("0005_reports", include_str!("../../migrations/0005_reports.sql")),
    ("0006_translations", include_str!("../../migrations/0006_translations.sql")),
    ("0007_notes", include_str!("../../migrations/0007_notes.sql")),
    ("0008_settings", include_str!("../../migrations/0008_settings.sql")),
    ("0009_articles", include_str!("../../migrations/0009_articles.sql")),
    ("0010_outbox_and_jobs", include_str!("../../migrations/0010_outbox_and_jobs.sql")),
    ("0011_automations", include_str!("../../migrations/0011_automations.sql")),
    ("0012_admin_sessions", include_str!("../../migrations/0012_admin_sessions.sql")),
    ("0013_admin_accounts", include_str!("../../migrations/0013_admin_accounts.sql")),
    ("0014_sparse_conversation_filters", include_str!("../../migrations/0014_sparse_conversation_filters.sql")),
    ("0015_fts_automerge", include_str!("../../migrations/0015_fts_automerge.sql")),
    ("0016_user_detail_trigrams", include_str!("../../migrations/0016_user_detail_trigrams.sql")),
    ("0017_visitor_credentials", include_str!("../../migrations/0017_visitor_credentials.sql")),
    ("0018_files", include_str!("../../migrations/0018_files.sql")),
    ("0019_email_piping", include_str!("../../migrations/0019_email_piping.sql")),
    ("0020_audit_log", include_str!("../../migrations/0020_audit_log.sql")),
];

#[derive(Debug, thiserror::Error)]
pub enum MigrateError {
    #[error(
        "the database is at schema version {found}, newer than this binary's {supported}: \
         it was written by a newer Switchboard; run that version or restore a backup"
    )]
    NewerDatabase { found: i64, supported: i64 },
    #[error("migration {name} failed: {source}")]
    Failed { name: &'static str, source: rusqlite::Error },
    #[error(transparent)]
    Sqlite(#[from] rusqlite::Error),
}

pub fn latest_version() -> i64 {
    MIGRATIONS.len() as i64
}

/// The schema version of the database: how many migrations it has had.
pub fn version(conn: &Connection) -> rusqlite::Result<i64> {
    conn.query_row("PRAGMA user_version", [], |row| row.get(0))
}

/// Brings the schema up to date; returns how many migrations ran.
pub fn run(conn: &mut Connection) -> Result<usize, MigrateError> {
    run_until(conn, latest_version())
}

/// Applies the migrations up to schema version `target` (tests make databases of
/// an older schema with it); returns how many ran.
pub fn run_until(conn: &mut Connection, target: i64) -> Result<usize, MigrateError> {
    let found = version(conn)?;
    let supported = latest_version();
    if found > supported {
        return Err(MigrateError::NewerDatabase { found, supported });
    }
    let target = target.clamp(found, supported);
    let pending = &MIGRATIONS[found as usize..target as usize];
    for (offset, (name, sql)) in pending.iter().enumerate() {
        let version = found + offset as i64 + 1;
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        tx.execute_batch(sql).map_err(|source| MigrateError::Failed { name, source })?;
        tx.pragma_update(None, "user_version", version)?;
        tx.commit()?;
        tracing::info!(migration = name, version, "applied migration");
    }
    Ok(pending.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn search_indexes_merge_their_segments_early() {
        let mut conn = Connection::open_in_memory().unwrap();
        run(&mut conn).unwrap();
        for table in ["messages_fts_config", "users_fts_config", "user_details_trigram_config"] {
            let automerge: i64 =
                conn.query_row(&format!("SELECT v FROM {table} WHERE k = 'automerge'"), [], |r| r.get(0)).unwrap();
            assert_eq!(automerge, 2, "{table}");
        }
    }

    #[test]
    fn migrations_apply_once_and_refuse_newer_databases() {
        let mut conn = Connection::open_in_memory().unwrap();
        assert_eq!(run(&mut conn).unwrap(), MIGRATIONS.len());
        assert_eq!(run(&mut conn).unwrap(), 0);
        conn.pragma_update(None, "user_version", latest_version() + 1).unwrap();
        assert!(matches!(run(&mut conn), Err(MigrateError::NewerDatabase { .. })));
    }
}
