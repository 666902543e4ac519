//! Consistent copies of a live database, and checking a copy before it is used.
//!
//! `VACUUM INTO` reads the whole database inside one read transaction: in WAL
//! mode that sees every write committed before it began (the WAL's included) and
//! none after, while the server's writer goes on committing. The copy is compact
//! and self-contained (no `-wal` beside it).

use rusqlite::{Connection, OpenFlags};
use std::path::Path;

/// Writes a consistent copy of `conn`'s database to `dest`, which must not exist.
pub fn copy_to(conn: &Connection, dest: &Path) -> rusqlite::Result<()> {
    let dest = dest
        .to_str()
        .ok_or_else(|| rusqlite::Error::InvalidParameterName(format!("{} is not a UTF-8 path", dest.display())))?;
    conn.execute("VACUUM INTO ?1", [dest])?;
    Ok(())
}

/// Whether the file at `path` can be opened and starts as a SQLite database does
/// (`/healthz` asks this of the live file: the pooled connections keep theirs
/// open, so they would not notice it gone or replaced).
pub fn looks_like_database(path: &Path) -> bool {
    let mut magic = [0u8; 16];
    std::fs::File::open(path).and_then(|mut file| std::io::Read::read_exact(&mut file, &mut magic)).is_ok()
        && &magic == b"SQLite format 3\0"
}

/// Why a database file cannot be used as a backup.
#[derive(Debug, thiserror::Error)]
pub enum CheckError {
    #[error("it is not a readable SQLite database: {0}")]
    Unreadable(#[from] rusqlite::Error),
    #[error("its integrity check failed: {0}")]
    Damaged(String),
    #[error("it is at schema version {found}, newer than this binary's {supported}; restore it with that Switchboard")]
    Newer { found: i64, supported: i64 },
}

/// Checks the database at `path` (read only): `PRAGMA integrity_check` passes and
/// its schema is one this binary can run or migrate. Answers its schema version.
pub fn check(path: &Path) -> Result<i64, CheckError> {
    let conn = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX)?;
    let verdict: String = conn.query_row("PRAGMA integrity_check(1)", [], |row| row.get(0))?;
    if verdict != "ok" {
        return Err(CheckError::Damaged(verdict));
    }
    let found: i64 = conn.query_row("PRAGMA user_version", [], |row| row.get(0))?;
    let supported = super::migrate::latest_version();
    if found > supported {
        return Err(CheckError::Newer { found, supported });
    }
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_copy_holds_committed_rows_and_passes_the_check() {
        let dir = tempfile::tempdir().unwrap();
        let conn = crate::db::open(&dir.path().join("live.db")).unwrap();
        conn.execute_batch("CREATE TABLE t (v INTEGER); INSERT INTO t VALUES (1), (2);").unwrap();
        let copy = dir.path().join("copy.db");
        copy_to(&conn, &copy).unwrap();
        assert_eq!(check(&copy).unwrap(), 0);
        let count: i64 =
            Connection::open(&copy).unwrap().query_row("SELECT count(*) FROM t", [], |r| r.get(0)).unwrap();
        assert_eq!(count, 2);
        std::fs::write(dir.path().join("junk.db"), b"not a database at all, just some text").unwrap();
        assert!(matches!(check(&dir.path().join("junk.db")), Err(CheckError::Unreadable(_))));
    }
}
