//! The data directory holds customers' conversations, password hashes, the SMTP
//! password, the webhook key and the token key: nothing in it is for other local
//! users. Switchboard sets its umask to 0077 before it writes anything, so every
//! directory it creates is 0700 and every file 0600 (SQLite's own files included:
//! it gives the -wal and -shm files the database's mode), whatever umask it was
//! started with. The files and folders it owns that an older version left open
//! are closed at start; the data directory itself may be a folder the admin chose
//! and shares, so it is only warned about.

use crate::config::Config;
use std::io;
use std::path::Path;

/// Readies the data directory as described above; call before anything is written.
pub fn prepare(config: &Config) -> io::Result<()> {
    restrict_umask();
    let data_dir = &config.data_dir;
    if data_dir.is_dir() {
        warn_if_open(data_dir)?;
    }
    let uploads = config.uploads_dir();
    create_private(&uploads)?;
    for dir in [uploads.clone(), uploads.join("exports"), uploads.join("avatars")] {
        make_private(&dir)?;
    }
    let database = config.database_path().display().to_string();
    for file in [database.clone(), format!("{database}-wal"), format!("{database}-shm")] {
        make_private(Path::new(&file))?;
    }
    make_private(&data_dir.join("secret.key"))
}

/// Creates `dir` and any missing parent as 0700.
pub fn create_private(dir: &Path) -> io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir)
}

/// Takes the group's and others' permissions from `path`, if it exists.
fn make_private(path: &Path) -> io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = match std::fs::metadata(path) {
            Ok(metadata) => metadata.permissions().mode() & 0o7777,
            Err(err) if err.kind() == io::ErrorKind::NotFound => return Ok(()),
            Err(err) => return Err(err),
        };
        if mode & 0o077 != 0 {
            let private = mode & !0o077;
            std::fs::set_permissions(path, std::fs::Permissions::from_mode(private))?;
            tracing::warn!(
                path = %path.display(),
                from = %format!("{mode:o}"),
                to = %format!("{private:o}"),
                "made private: it was open to other local users"
            );
        }
    }
    Ok(())
}

fn warn_if_open(data_dir: &Path) -> io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(data_dir)?.permissions().mode() & 0o777;
        if mode & 0o007 != 0 {
            tracing::warn!(
                path = %data_dir.display(),
                mode = %format!("{mode:o}"),
                "the data directory is readable by other users: the files Switchboard writes in it are private, \
                 but their names are not; chmod 700 it unless it is shared on purpose"
            );
        }
    }
    Ok(())
}

/// The data directory held open by this process: a server or a command using it
/// holds it shared, `switchboard restore` exclusively, so a restore never swaps
/// the database under a running server. The OS lock (`flock` on
/// `switchboard.lock`) ends with the process, however it ends.
#[derive(Debug)]
pub struct Held {
    _file: std::fs::File,
}

/// Holds `data_dir` shared with other servers and commands (see [`Held`]); `Ok(None)`
/// when a restore holds it.
pub fn hold_shared(data_dir: &Path) -> io::Result<Option<Held>> {
    hold(data_dir, false)
}

/// Holds `data_dir` alone (see [`Held`]); `Ok(None)` while anything else holds it.
pub fn hold_exclusive(data_dir: &Path) -> io::Result<Option<Held>> {
    hold(data_dir, true)
}

/// One of the few `unsafe` calls in Switchboard (with `umask` below, `mallopt`
/// and the open-files limit in `cli`): `flock` on a descriptor this function owns.
#[allow(unsafe_code)]
fn hold(data_dir: &Path, exclusive: bool) -> io::Result<Option<Held>> {
    let file = std::fs::OpenOptions::new().create(true).append(true).open(data_dir.join("switchboard.lock"))?;
    #[cfg(unix)]
    {
        use std::os::fd::AsRawFd;
        let how = if exclusive { libc::LOCK_EX } else { libc::LOCK_SH };
        // SAFETY: the descriptor is open and owned by `file` for the whole call.
        if unsafe { libc::flock(file.as_raw_fd(), how | libc::LOCK_NB) } != 0 {
            let err = io::Error::last_os_error();
            return if err.kind() == io::ErrorKind::WouldBlock { Ok(None) } else { Err(err) };
        }
    }
    Ok(Some(Held { _file: file }))
}

/// Sets the process's umask to 0077 (see the module documentation); commands that
/// write outside the data directory (backups) call it too.
/// One of the few `unsafe` calls in Switchboard (with `mallopt` and the
/// open-files limit in `cli`): a C call with no pointers.
#[allow(unsafe_code)]
pub fn restrict_umask() {
    #[cfg(unix)]
    // SAFETY: umask only sets the process's file-creation mask and cannot fail.
    unsafe {
        libc::umask(0o077);
    }
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    fn mode(path: &Path) -> u32 {
        std::fs::metadata(path).unwrap().permissions().mode() & 0o777
    }

    #[test]
    fn make_private_takes_group_and_other_bits_and_ignores_missing_paths() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("f");
        std::fs::write(&file, "x").unwrap();
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o664)).unwrap();
        make_private(&file).unwrap();
        assert_eq!(mode(&file), 0o600);
        make_private(&dir.path().join("missing")).unwrap();
    }

    #[test]
    fn an_exclusive_hold_waits_for_every_shared_one_to_end() {
        let dir = tempfile::tempdir().unwrap();
        let first = hold_shared(dir.path()).unwrap().expect("nobody holds it yet");
        let second = hold_shared(dir.path()).unwrap().expect("shared holds coexist");
        assert!(hold_exclusive(dir.path()).unwrap().is_none(), "refused while a server holds it");
        drop((first, second));
        let alone = hold_exclusive(dir.path()).unwrap().expect("free once they are gone");
        assert!(hold_shared(dir.path()).unwrap().is_none(), "a server cannot start during a restore");
        drop(alone);
    }
}
