//! `switchboard restore`: only while nothing else holds the data directory; the
//! backup is unpacked and checked beside the live files before any of them is
//! touched, and what it replaces is kept (`switchboard.db.before-restore-<time>`,
//! and `secret.key` and `uploads` likewise when the archive brings its own). A
//! database of an older schema is migrated at the next start.

use super::archive::{self, DATABASE, KEY, UPLOADS};
use super::{io, stamp, BackupError, BackupResult};
use crate::config::Config;
use std::path::{Path, PathBuf};

/// What a restore did.
#[derive(Debug)]
pub struct Restored {
    /// The schema version of the restored database.
    pub schema_version: i64,
    /// What was replaced, kept under these names.
    pub kept: Vec<PathBuf>,
}

/// Restores the backup at `input` into `config`'s data directory (see the module
/// documentation); `now` names what is kept.
pub fn restore(config: &Config, input: &Path, now: chrono::DateTime<chrono::Utc>) -> BackupResult<Restored> {
    crate::data_dir::restrict_umask();
    let data_dir = &config.data_dir;
    crate::data_dir::create_private(data_dir).map_err(io("cannot create", data_dir))?;
    let _alone = crate::data_dir::hold_exclusive(data_dir)
        .map_err(io("cannot lock", data_dir))?
        .ok_or_else(|| BackupError::InUse(data_dir.clone()))?;
    let time = stamp(now);
    let staging = data_dir.join(format!(".restore-{time}"));
    let _ = std::fs::remove_dir_all(&staging);
    crate::data_dir::create_private(&staging).map_err(io("cannot create", &staging))?;
    let restored = stage(input, &staging).and_then(|version| swap_in(config, &staging, &time, version));
    let _ = std::fs::remove_dir_all(&staging);
    restored
}

/// Puts the backup's files in `staging` and checks its database.
fn stage(input: &Path, staging: &Path) -> BackupResult<i64> {
    let database = staging.join(DATABASE);
    if archive::is_archive(input)? {
        archive::unpack(input, staging)?;
        if !database.is_file() {
            return Err(BackupError::NoDatabaseInArchive(input.to_path_buf()));
        }
    } else if crate::db::backup::looks_like_database(input) {
        std::fs::copy(input, &database).map_err(io("cannot copy", input))?;
    } else {
        return Err(BackupError::NotABackup(input.to_path_buf()));
    }
    crate::db::backup::check(&database).map_err(|source| BackupError::Check { path: input.to_path_buf(), source })
}

/// Keeps the live files the backup replaces, then moves the staged ones in.
fn swap_in(config: &Config, staging: &Path, time: &str, schema_version: i64) -> BackupResult<Restored> {
    let mut kept = Vec::new();
    let live = config.database_path();
    if live.is_file() {
        // A consistent copy: it takes what a crashed server left in the -wal too.
        let before = config.data_dir.join(format!("{DATABASE}.before-restore-{time}"));
        let conn = crate::db::open(&live)?;
        crate::db::backup::copy_to(&conn, &before)?;
        drop(conn);
        for suffix in ["", "-wal", "-shm"] {
            let path = PathBuf::from(format!("{}{suffix}", live.display()));
            if path.exists() {
                std::fs::remove_file(&path).map_err(io("cannot remove", &path))?;
            }
        }
        kept.push(before);
    }
    for name in [KEY, UPLOADS] {
        let (staged, target) = (staging.join(name), config.data_dir.join(name));
        if staged.exists() && target.exists() {
            let before = config.data_dir.join(format!("{name}.before-restore-{time}"));
            std::fs::rename(&target, &before).map_err(io("cannot keep", &target))?;
            kept.push(before);
        }
    }
    for name in [DATABASE, KEY, UPLOADS] {
        let (staged, target) = (staging.join(name), config.data_dir.join(name));
        if staged.exists() {
            std::fs::rename(&staged, &target).map_err(io("cannot restore", &target))?;
        }
    }
    Ok(Restored { schema_version, kept })
}
