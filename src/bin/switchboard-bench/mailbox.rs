//! The email channel's speed (issue 15): a mailbox of N emails in a real Dovecot
//! on loopback (a fifth of them customers' first emails, the rest answers that
//! thread to them by `In-Reply-To`, each with a quoted history to trim), piped by
//! the real server from an empty data directory with one `email-piping`
//! (`force=true`) call, timed from the call to its answer.
//!
//! Dovecot (`dovecot-imapd`) runs as root with a throwaway configuration under the
//! benchmark's temporary directory, as the integration tests run it, but with its
//! default fsync behaviour.

use super::{start_server, Failure};
use serde_json::{json, Value};
use std::net::TcpStream;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use switchboard::clock::Clock;
use switchboard::domain::Email;
use switchboard::Config;

const USER: &str = "support";
const PASSWORD: &str = "bench-mailbox";

pub struct Report {
    pub emails: usize,
    pub fill: Duration,
    pub pipe: Duration,
    /// The run's report: fetched, messages, conversations, set_aside, repeats.
    pub report: Value,
}

/// Dovecot as a child, stopped when dropped.
struct Dovecot(Child);

impl Drop for Dovecot {
    fn drop(&mut self) {
        let _ = Command::new("kill").args(["-TERM", &self.0.id().to_string()]).status();
        let _ = self.0.wait();
    }
}

fn email(i: usize, customers: usize) -> String {
    let customer = i % customers;
    let thread = if i < customers { String::new() } else { format!("In-Reply-To: <m{customer}@customer.test>\r\n") };
    format!(
        "From: Customer {customer} <c{customer}@customer.test>\r\nTo: help@acme.test\r\nSubject: Order {customer}\r\n\
         Message-ID: <m{i}@customer.test>\r\n{thread}Content-Type: text/plain; charset=utf-8\r\n\r\n\
         Hello, this is email {i} about order {customer}.\r\n\r\nOn Mon, Help wrote:\r\n> Earlier text.\r\n"
    )
}

pub fn run(dir: &Path, emails: usize) -> Result<Report, Failure> {
    let customers = (emails / 5).max(1);
    let (dovecot, port) = start_dovecot(&dir.join("dovecot"))?;
    let filling = Instant::now();
    let mut session = imap_session(port)?;
    for i in 0..emails {
        session.append("INBOX", email(i, customers).as_bytes()).finish()?;
    }
    session.logout()?;
    let fill = filling.elapsed();

    let data = dir.join("mail-data");
    let state = switchboard::server::prepare(Config { data_dir: data.clone(), ..Config::default() }, Clock::system())?;
    let mut conn = switchboard::db::open(&state.config.database_path())?;
    let admin = Email::parse("bench@example.com").ok_or("bench email")?;
    let now = state.clock.now_text();
    let system = switchboard::domain::audit::Actor::system();
    let (_, token) =
        switchboard::ops::users::create_admin(&mut conn, &state.key, &now, admin, "bench-password", &system)
            .map_err(|e| format!("{e:?}"))?;
    drop((conn, state));
    let (server, base) = start_server(&data)?;
    let api = format!("{base}/include/api.php");
    let client = reqwest::blocking::Client::builder().timeout(Duration::from_secs(600)).build()?;
    let call = |function: &str, args: &[(&str, String)]| -> Result<Value, Failure> {
        let mut form = vec![("token", token.clone()), ("function", function.to_string())];
        form.extend(args.iter().map(|(k, v)| (*k, v.clone())));
        let answer: Value = serde_json::from_str(&client.post(&api).form(&form).send()?.text()?)?;
        if answer["success"] != true {
            return Err(format!("{function} failed: {answer}").into());
        }
        Ok(answer["response"].clone())
    };
    let piping = json!({ "email-piping": {
        "email-piping-active": true, "email-piping-host": "127.0.0.1", "email-piping-port": port,
        "email-piping-tls": "none", "email-piping-user": USER, "email-piping-password": PASSWORD,
        "email-piping-folder": "INBOX", "email-piping-address": "help@acme.test",
    }});
    // Timed from turning piping on: the server's own watcher (IDLE) or the
    // scheduled poll may start a sync first, and the forced one then waits for
    // it and takes the rest. When the forced run returns, every email is stored.
    let started = Instant::now();
    call("save-settings", &[("settings", piping.to_string())])?;
    call("email-piping", &[("force", "true".into())])?;
    let pipe = started.elapsed();
    let runs = call("get-job-runs", &[])?;
    let reports: Vec<&Value> = runs
        .as_array()
        .map(|runs| runs.iter().filter(|run| run["job"] == "email-piping").map(|run| &run["report"]).collect())
        .unwrap_or_default();
    if reports.is_empty() {
        return Err("no email-piping run recorded".into());
    }
    let sum = |field: &str| reports.iter().filter_map(|report| report[field].as_u64()).sum::<u64>();
    let report = json!({
        "runs": reports.len(),
        "fetched": sum("fetched"),
        "messages": sum("messages"),
        "conversations": sum("conversations"),
        "set_aside": sum("set_aside"),
        "repeats": sum("repeats"),
    });
    drop(server);
    drop(dovecot);
    if report["messages"] != json!(emails) || report["conversations"] != json!(customers) {
        return Err(format!("expected {emails} messages in {customers} conversations: {report}").into());
    }
    Ok(Report { emails, fill, pipe, report })
}

fn imap_session(port: u16) -> Result<imap::Session<TcpStream>, Failure> {
    let mut client = imap::Client::new(TcpStream::connect(("127.0.0.1", port))?);
    client.read_greeting()?;
    Ok(client.login(USER, PASSWORD).map_err(|(err, _)| err)?)
}

fn dovecot_binary() -> Result<PathBuf, Failure> {
    ["/usr/sbin/dovecot", "/usr/local/sbin/dovecot"]
        .iter()
        .map(PathBuf::from)
        .find(|path| path.exists())
        .ok_or_else(|| "the email-piping benchmark needs Dovecot: apt-get install dovecot-imapd".into())
}

fn start_dovecot(root: &Path) -> Result<(Dovecot, u16), Failure> {
    let mode = |path: &Path, mode: u32| std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode));
    std::fs::create_dir_all(root)?;
    // Dovecot's own users read the users file and write the mail under here.
    mode(root, 0o755)?;
    for sub in ["run", "state", "mail"] {
        std::fs::create_dir_all(root.join(sub))?;
    }
    mode(&root.join("mail"), 0o777)?;
    std::fs::write(root.join("users"), format!("{USER}:{{PLAIN}}{PASSWORD}::::::\n"))?;
    mode(&root.join("users"), 0o644)?;
    let port = std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
    let config = root.join("dovecot.conf");
    std::fs::write(&config, configuration(root, port))?;
    mode(&config, 0o644)?;
    let child = Command::new(dovecot_binary()?)
        .args(["-F", "-c", config.to_str().ok_or("config path")?])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()?;
    let dovecot = Dovecot(child);
    let started = Instant::now();
    while imap_session(port).is_err() {
        if started.elapsed() > Duration::from_secs(20) {
            let log = std::fs::read_to_string(root.join("dovecot.log")).unwrap_or_default();
            return Err(format!("Dovecot did not start:\n{log}").into());
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    Ok((dovecot, port))
}

/// The tests' Dovecot configuration (`tests/it/support/dovecot.conf`), with
/// Dovecot's default fsync, as a real mail server runs.
fn configuration(root: &Path, port: u16) -> String {
    include_str!("../../../tests/it/support/dovecot.conf")
        .replace("@ROOT@", &root.display().to_string())
        .replace("@PORT@", &port.to_string())
        .replace("@FSYNC@", "optimized")
}
