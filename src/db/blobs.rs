//! The bytes of uploaded files, under `uploads/files/<first two key digits>/`:
//! each named by its random key (the thumbnail: `<key>.thumb`), never by the
//! uploaded name, so no name can reach another path. A file is written whole and
//! synced before its row commits; a crash in between leaves bytes that
//! [`Blobs::keys_older_than`] lets the cleanup job find and remove.

use crate::domain::files::is_key;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

pub struct Blobs {
    root: PathBuf,
}

impl Blobs {
    pub fn new(uploads_dir: &Path) -> Self {
        Self { root: uploads_dir.join("files") }
    }

    /// Where the file of `key` lives; `None` for anything that is not a key.
    pub fn path(&self, key: &str) -> Option<PathBuf> {
        is_key(key).then(|| self.root.join(&key[..2]).join(key))
    }

    pub fn thumbnail_path(&self, key: &str) -> Option<PathBuf> {
        self.path(key).map(|path| path.with_extension("thumb"))
    }

    /// Writes the file of `key` (and its thumbnail), synced to disk.
    pub fn write(&self, key: &str, bytes: &[u8], thumbnail: Option<&[u8]>) -> std::io::Result<()> {
        let path = self.path(key).ok_or_else(|| std::io::Error::other("not a file key"))?;
        let dir = path.parent().ok_or_else(|| std::io::Error::other("no folder"))?;
        fs::create_dir_all(dir)?;
        write_synced(&path, bytes)?;
        if let Some(thumbnail) = thumbnail {
            write_synced(&path.with_extension("thumb"), thumbnail)?;
        }
        fs::File::open(dir)?.sync_all()
    }

    /// Removes the file of `key` and its thumbnail; missing ones are fine.
    pub fn remove(&self, key: &str) -> std::io::Result<()> {
        let Some(path) = self.path(key) else { return Ok(()) };
        for path in [path.with_extension("thumb"), path] {
            match fs::remove_file(&path) {
                Err(err) if err.kind() != std::io::ErrorKind::NotFound => return Err(err),
                _ => {}
            }
        }
        Ok(())
    }

    /// The keys of the files on disk last written before `before` (thumbnails and
    /// partial writes aside).
    pub fn keys_older_than(&self, before: std::time::SystemTime) -> Vec<String> {
        let Ok(folders) = fs::read_dir(&self.root) else { return Vec::new() };
        folders
            .flatten()
            .filter_map(|folder| fs::read_dir(folder.path()).ok())
            .flat_map(|files| files.flatten())
            .filter(|file| file.metadata().and_then(|m| m.modified()).is_ok_and(|at| at < before))
            .filter_map(|file| file.file_name().to_str().map(str::to_string))
            .filter(|name| is_key(name))
            .collect()
    }
}

/// Removes the bytes of files forgotten since the last time (see `files_gone`),
/// with no connection held while the disk works; answers how many.
pub fn remove_gone(db: &mut super::doorway::Db, blobs: &Blobs) -> rusqlite::Result<usize> {
    let keys = super::files::gone(db.conn()?)?;
    if keys.is_empty() {
        return Ok(0);
    }
    let removed: Vec<String> = db.outside(|| {
        keys.into_iter()
            .filter(|key| match blobs.remove(key) {
                Ok(()) => true,
                Err(err) => {
                    tracing::warn!(error = %err, "an uploaded file could not be removed");
                    false
                }
            })
            .collect()
    });
    let count = removed.len();
    db.write(move |tx| super::files::clear_gone(tx, &removed))?;
    Ok(count)
}

/// Writes `bytes` to a new file next to `path`, syncs it, then renames it into
/// place, so `path` is never seen half written.
fn write_synced(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let partial = path.with_extension("part");
    let mut file = fs::OpenOptions::new().write(true).create(true).truncate(true).open(&partial)?;
    file.write_all(bytes)?;
    file.sync_all()?;
    fs::rename(&partial, path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_live_under_their_key_and_nothing_else_is_a_path() {
        let dir = tempfile::tempdir().unwrap();
        let blobs = Blobs::new(dir.path());
        let key = "0123456789abcdef0123456789abcdef";
        blobs.write(key, b"hello", Some(b"small")).unwrap();
        assert_eq!(fs::read(blobs.path(key).unwrap()).unwrap(), b"hello");
        assert_eq!(fs::read(blobs.thumbnail_path(key).unwrap()).unwrap(), b"small");
        let later = std::time::SystemTime::now() + std::time::Duration::from_secs(1);
        assert_eq!(blobs.keys_older_than(later), vec![key.to_string()]);
        assert!(blobs.keys_older_than(std::time::UNIX_EPOCH).is_empty());
        assert!(blobs.path("../../secret.key").is_none());
        blobs.remove(key).unwrap();
        assert!(blobs.keys_older_than(later).is_empty());
        blobs.remove(key).unwrap();
    }
}
