//! A real IMAP server on loopback for the email-piping tests: Debian's Dovecot
//! (`dovecot-imapd`, which `.ci/run` installs), run in the foreground with a
//! throwaway configuration in a temporary directory (users from a file, maildir
//! under the same directory) on a free port, and stopped when dropped. Mail is
//! put in with IMAP APPEND, as a mail server's delivery would.
//!
//! Dovecot runs as root (as CI does) with its login processes as `dovenull` and
//! the mailbox as `dovecot`, the users its package creates.

use std::net::TcpStream;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub const USER: &str = "support";
pub const PASSWORD: &str = "mailbox-secret";

pub struct Dovecot {
    pub port: u16,
    child: Child,
    dir: tempfile::TempDir,
}

impl Drop for Dovecot {
    fn drop(&mut self) {
        self.stop_now();
    }
}

fn dovecot_binary() -> PathBuf {
    ["/usr/sbin/dovecot", "/usr/local/sbin/dovecot"]
        .iter()
        .map(PathBuf::from)
        .find(|path| path.exists())
        .expect("the IMAP tests need Dovecot: apt-get install dovecot-imapd")
}

fn open_to_all(path: &Path, mode: u32) {
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

impl Dovecot {
    pub fn start() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        // Dovecot's own users read the users file and write the mail under here.
        open_to_all(root, 0o755);
        for sub in ["run", "state", "mail"] {
            std::fs::create_dir(root.join(sub)).unwrap();
        }
        open_to_all(&root.join("mail"), 0o777);
        std::fs::write(root.join("users"), format!("{USER}:{{PLAIN}}{PASSWORD}::::::\n")).unwrap();
        open_to_all(&root.join("users"), 0o644);
        let port = super::smtp::free_port();
        let config = root.join("dovecot.conf");
        std::fs::write(&config, configuration(root, port)).unwrap();
        open_to_all(&config, 0o644);
        let child = Command::new(dovecot_binary())
            .args(["-F", "-c", config.to_str().unwrap()])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let server = Dovecot { port, child, dir };
        server.wait_until_serving();
        server
    }

    fn wait_until_serving(&self) {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            if let Ok(stream) = TcpStream::connect(("127.0.0.1", self.port)) {
                let mut client = imap::Client::new(stream);
                if client.read_greeting().is_ok() {
                    return;
                }
            }
            let log = std::fs::read_to_string(self.dir.path().join("dovecot.log")).unwrap_or_default();
            assert!(Instant::now() < deadline, "Dovecot did not start:\n{log}");
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    pub fn session(&self) -> imap::Session<TcpStream> {
        let mut client = imap::Client::new(TcpStream::connect(("127.0.0.1", self.port)).unwrap());
        client.read_greeting().unwrap();
        client.login(USER, PASSWORD).map_err(|(err, _)| err).unwrap()
    }

    /// Appends each email to the INBOX, unseen, over one connection.
    pub fn append_all<'a>(&self, emails: impl IntoIterator<Item = &'a [u8]>) {
        let mut session = self.session();
        for email in emails {
            session.append("INBOX", email).finish().unwrap();
        }
        session.logout().unwrap();
    }

    pub fn append(&self, email: &str) {
        self.append_all([email.as_bytes()]);
    }

    /// How many messages of `folder` lack the \Seen flag, and how many it holds.
    pub fn unseen_and_total(&self, folder: &str) -> (usize, u32) {
        let mut session = self.session();
        let total = session.select(folder).unwrap().exists;
        let unseen = session.search("UNSEEN").unwrap().len();
        session.logout().unwrap();
        (unseen, total)
    }

    pub fn create_folder(&self, folder: &str) {
        let mut session = self.session();
        session.create(folder).unwrap();
        session.logout().unwrap();
    }

    /// Stops the server and waits for it to go.
    #[allow(unsafe_code)]
    fn stop_now(&mut self) {
        if let Ok(Some(_)) = self.child.try_wait() {
            return;
        }
        let pid = libc::pid_t::try_from(self.child.id()).unwrap();
        // SAFETY: kill(2) only reads its two integer arguments; `pid` is our own
        // child, not yet waited for, so the ID cannot have been reused.
        unsafe { libc::kill(pid, libc::SIGTERM) };
        let _ = self.child.wait();
    }
}

/// The configuration shared with the benchmark (`dovecot.conf`): nothing outside
/// `root`, no SSL (loopback only), plaintext login, one user from a file, maildir
/// under `root/mail`; no fsync, which tests do not need.
fn configuration(root: &Path, port: u16) -> String {
    include_str!("dovecot.conf")
        .replace("@ROOT@", &root.display().to_string())
        .replace("@PORT@", &port.to_string())
        .replace("@FSYNC@", "never")
}
