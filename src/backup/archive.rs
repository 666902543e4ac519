//! The backup archive: a gzipped tar of `switchboard.db` (a consistent copy),
//! `secret.key` and `uploads/`, each present only when the data directory has it.
//! Unpacking takes those names only, and never a path outside the folder it
//! unpacks into.

use super::{io, BackupError, BackupResult};
use crate::config::Config;
use flate2::read::GzDecoder;
use flate2::write::GzEncoder;
use std::fs::File;
use std::path::Path;

pub const DATABASE: &str = "switchboard.db";
pub const KEY: &str = "secret.key";
pub const UPLOADS: &str = "uploads";

/// Writes the archive to `output`, with the database copy at `database`.
pub fn write(output: &Path, database: &Path, config: &Config) -> BackupResult<()> {
    let file = File::create(output).map_err(io("cannot write", output))?;
    let mut tar = tar::Builder::new(GzEncoder::new(file, flate2::Compression::default()));
    tar.follow_symlinks(false);
    let add = |tar: &mut tar::Builder<_>, name: &str, path: &Path| -> BackupResult<()> {
        let written =
            if path.is_dir() { tar.append_dir_all(name, path) } else { tar.append_path_with_name(path, name) };
        written.map_err(io("cannot archive", path))
    };
    add(&mut tar, DATABASE, database)?;
    let key = config.data_dir.join(KEY);
    if key.is_file() {
        add(&mut tar, KEY, &key)?;
    }
    let uploads = config.uploads_dir();
    if uploads.is_dir() {
        add(&mut tar, UPLOADS, &uploads)?;
    }
    let encoder = tar.into_inner().map_err(io("cannot write", output))?;
    let file = encoder.finish().map_err(io("cannot write", output))?;
    file.sync_all().map_err(io("cannot write", output))
}

/// Whether the file starts as a gzip stream does.
pub fn is_archive(path: &Path) -> BackupResult<bool> {
    let mut magic = [0u8; 2];
    let mut file = File::open(path).map_err(io("cannot read", path))?;
    Ok(std::io::Read::read_exact(&mut file, &mut magic).is_ok() && magic == [0x1f, 0x8b])
}

/// Unpacks the archive at `input` into the empty folder `into`: the database, the
/// key and the uploads, nothing else.
pub fn unpack(input: &Path, into: &Path) -> BackupResult<()> {
    let file = File::open(input).map_err(io("cannot read", input))?;
    let mut archive = tar::Archive::new(GzDecoder::new(file));
    let broken = |source| BackupError::Io { what: "cannot unpack", path: input.to_path_buf(), source };
    for entry in archive.entries().map_err(broken)? {
        let mut entry = entry.map_err(broken)?;
        let path = entry.path().map_err(broken)?.into_owned();
        let first = path.components().next().map(|c| c.as_os_str().to_string_lossy().into_owned());
        let wanted = match first.as_deref() {
            Some(DATABASE | KEY) => path.components().count() == 1,
            Some(UPLOADS) => true,
            _ => false,
        };
        let kind = entry.header().entry_type();
        if wanted && (kind.is_file() || kind.is_dir()) {
            // unpack_in refuses `..` and absolute paths.
            entry.unpack_in(into).map_err(broken)?;
        }
    }
    Ok(())
}
