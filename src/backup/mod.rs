//! Backups of a data directory and restoring one: what `switchboard backup` and
//! `restore`, the scheduled `backup` job and the admin area's download share.
//!
//! A backup is either the database alone (a SQLite file, `backup --output`), or a
//! gzipped tar archive of `switchboard.db`, `secret.key` and `uploads/` (every
//! other backup). Either way the database in it is a consistent copy taken while
//! the server runs ([`crate::db::backup`]), checked before it is kept.

mod archive;
mod restore;

pub use restore::restore;

use crate::config::Config;
use std::path::{Path, PathBuf};

/// Why a backup or a restore did not happen.
#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    #[error("there is no database at {0}")]
    NoDatabase(PathBuf),
    #[error("{what} {path}: {source}")]
    Io { what: &'static str, path: PathBuf, source: std::io::Error },
    #[error("cannot copy the database: {0}")]
    Copy(#[from] rusqlite::Error),
    #[error("the database in {path} cannot be used: {source}")]
    Check { path: PathBuf, source: crate::db::backup::CheckError },
    #[error("{0} is neither a Switchboard backup archive (.tar.gz) nor a SQLite database")]
    NotABackup(PathBuf),
    #[error("the archive {0} holds no switchboard.db")]
    NoDatabaseInArchive(PathBuf),
    #[error("a Switchboard server (or another command) is using {0}; stop it first (systemctl stop switchboard)")]
    InUse(PathBuf),
}

pub type BackupResult<T> = Result<T, BackupError>;

/// An I/O error about `path`, saying what was being done.
fn io<'a>(what: &'static str, path: &'a Path) -> impl FnOnce(std::io::Error) -> BackupError + 'a {
    move |source| BackupError::Io { what, path: path.to_path_buf(), source }
}

/// What is in a backup besides the database.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Contents {
    /// The database alone, as a SQLite file.
    Database,
    /// An archive: the database, `secret.key` and `uploads/`.
    Everything,
}

/// Writes a backup of `config`'s data directory to `output` (replaced if it
/// exists; written beside it first, so a failed backup leaves no half file).
/// Answers the backup's size in bytes.
pub fn create(config: &Config, output: &Path, contents: Contents) -> BackupResult<u64> {
    crate::data_dir::restrict_umask();
    let database = config.database_path();
    if !database.is_file() {
        return Err(BackupError::NoDatabase(database));
    }
    let partial = sibling(output, "partial");
    let copy = sibling(output, "db-copy");
    let _ = std::fs::remove_file(&partial);
    let _ = std::fs::remove_file(&copy);
    let written = (|| {
        let conn = crate::db::open(&database)?;
        crate::db::backup::copy_to(&conn, &copy)?;
        drop(conn);
        crate::db::backup::check(&copy).map_err(|source| BackupError::Check { path: copy.clone(), source })?;
        match contents {
            Contents::Database => std::fs::rename(&copy, &partial).map_err(io("cannot write", &partial))?,
            Contents::Everything => archive::write(&partial, &copy, config)?,
        }
        std::fs::rename(&partial, output).map_err(io("cannot write", output))?;
        std::fs::metadata(output).map(|m| m.len()).map_err(io("cannot read", output))
    })();
    let _ = std::fs::remove_file(&copy);
    if written.is_err() {
        let _ = std::fs::remove_file(&partial);
    }
    written
}

/// `dir/.name.suffix` for a file `dir/name`: a hidden working file beside it.
fn sibling(path: &Path, suffix: &str) -> PathBuf {
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    path.with_file_name(format!(".{name}.{suffix}"))
}

/// The time in backup and kept-file names: `20240131-235959` (UTC).
pub fn stamp(at: chrono::DateTime<chrono::Utc>) -> String {
    at.format("%Y%m%d-%H%M%S").to_string()
}

/// Scheduled backups in `folder` are named `switchboard-<stamp>.tar.gz`.
pub fn scheduled_name(at: chrono::DateTime<chrono::Utc>) -> String {
    format!("switchboard-{}.tar.gz", stamp(at))
}

/// Deletes the oldest scheduled backups in `folder` (by name, so by time) until
/// `keep` are left; answers how many were deleted. Other files are left alone.
pub fn prune(folder: &Path, keep: usize) -> BackupResult<usize> {
    let mut names: Vec<String> = std::fs::read_dir(folder)
        .map_err(io("cannot list", folder))?
        .filter_map(|entry| entry.ok()?.file_name().into_string().ok())
        .filter(|name| is_scheduled(name))
        .collect();
    names.sort();
    let excess = names.len().saturating_sub(keep);
    for name in &names[..excess] {
        let path = folder.join(name);
        std::fs::remove_file(&path).map_err(io("cannot delete", &path))?;
    }
    Ok(excess)
}

fn is_scheduled(name: &str) -> bool {
    let Some(stamp) = name.strip_prefix("switchboard-").and_then(|n| n.strip_suffix(".tar.gz")) else {
        return false;
    };
    stamp.len() == 15 && stamp.bytes().enumerate().all(|(i, b)| if i == 8 { b == b'-' } else { b.is_ascii_digit() })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pruning_keeps_the_newest_scheduled_backups_and_nothing_else_is_touched() {
        let dir = tempfile::tempdir().unwrap();
        for name in [
            "switchboard-20240101-020000.tar.gz",
            "switchboard-20240102-020000.tar.gz",
            "switchboard-20240103-020000.tar.gz",
            "switchboard-notes.tar.gz",
            "mine.tar.gz",
        ] {
            std::fs::write(dir.path().join(name), "x").unwrap();
        }
        assert_eq!(prune(dir.path(), 2).unwrap(), 1);
        let mut left: Vec<_> =
            std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name().into_string().unwrap()).collect();
        left.sort();
        assert_eq!(
            left,
            [
                "mine.tar.gz",
                "switchboard-20240102-020000.tar.gz",
                "switchboard-20240103-020000.tar.gz",
                "switchboard-notes.tar.gz"
            ]
        );
    }
}
