//! The only place SQL lives (and, in [`blobs`], the uploaded files' bytes). Each submodule holds every statement about one table
//! family, in functions named by intent that take a `&Connection`, so they work
//! inside or outside a transaction.
//!
//! The server reaches SQLite only through the [`doorway`]: reads during one of
//! the [`turns`], writes through the group-committing [`writer`]. [`write`] is one
//! `BEGIN IMMEDIATE` transaction for the CLI and the benchmark's seeding.

pub mod articles;
pub mod audit;
pub mod automations;
pub mod backup;
pub mod blobs;
pub mod bulk;
pub mod cleanup;
pub mod conversations;
pub mod doorway;
pub mod downloads;
pub mod email;
pub mod files;
pub mod housekeeping;
pub mod jobs;
pub mod login_failures;
pub mod messages;
pub mod migrate;
pub mod notes;
pub mod outbox;
pub mod password_resets;
pub mod reports;
pub mod search;
pub mod sessions;
pub mod settings;
pub mod translations;
pub mod turns;
pub mod two_factor;
pub mod typing;
pub mod users;
pub mod visitors;
pub mod writer;

use r2d2_sqlite::SqliteConnectionManager;
use rusqlite::{Connection, Transaction, TransactionBehavior};
use std::path::Path;
use std::time::Duration;

pub type Pool = r2d2::Pool<SqliteConnectionManager>;

/// `synchronous=FULL` makes an acknowledged commit survive power loss, not only a
/// crash; the busy timeout lets concurrent writers queue instead of failing.
/// Each connection caches 4 MiB of pages: a search page over 1M messages could
/// outgrow SQLite's default 2 MB, and then every search read its pages from the
/// kernel again (search-conversations 1760 -> 2280/s over such a data set).
const PRAGMAS: &str = "PRAGMA journal_mode = WAL;
PRAGMA synchronous = FULL;
PRAGMA foreign_keys = ON;
PRAGMA busy_timeout = 5000;
PRAGMA temp_store = MEMORY;
PRAGMA cache_size = -4096;";

pub fn configure(conn: &Connection) -> rusqlite::Result<()> {
    conn.execute_batch(PRAGMAS)
}

/// Opens one connection with Switchboard's pragmas (for the CLI and migrations).
pub fn open(path: &Path) -> rusqlite::Result<Connection> {
    let conn = Connection::open(path)?;
    configure(&conn)?;
    Ok(conn)
}

pub fn pool(path: &Path, size: u32) -> Result<Pool, r2d2::Error> {
    let manager = SqliteConnectionManager::file(path).with_init(|conn| configure(conn));
    r2d2::Pool::builder().max_size(size).connection_timeout(Duration::from_secs(10)).build(manager)
}

/// Runs `work` in one `BEGIN IMMEDIATE` transaction: committed if it returns `Ok`,
/// rolled back otherwise. Taking the write lock up front avoids the deadlock of two
/// readers that both try to upgrade.
pub fn write<T, E>(conn: &mut Connection, work: impl FnOnce(&Transaction) -> Result<T, E>) -> Result<T, E>
where
    E: From<rusqlite::Error>,
{
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let value = work(&tx)?;
    tx.commit()?;
    Ok(value)
}

/// Converts stored NULL-able integers to the contract's string-or-null cells.
pub fn text_or_null(value: Option<i64>) -> serde_json::Value {
    value.map_or(serde_json::Value::Null, |v| serde_json::Value::String(v.to_string()))
}

#[cfg(test)]
mod tests {
    #[test]
    fn pooled_connections_come_with_switchboards_pragmas() {
        let dir = tempfile::tempdir().unwrap();
        let conn = super::pool(&dir.path().join("p.db"), 1).unwrap().get().unwrap();
        let pragma = |name: &str| conn.query_row(&format!("PRAGMA {name}"), [], |r| r.get::<_, i64>(0)).unwrap();
        assert_eq!(pragma("synchronous"), 2, "FULL");
        assert_eq!(pragma("foreign_keys"), 1);
        assert_eq!(pragma("cache_size"), -4096, "4 MiB of pages");
    }
}
