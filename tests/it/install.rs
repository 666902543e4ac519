//! `install.sh` in its unprivileged form (`--prefix DIR --no-systemd`): what it
//! installs must start and answer the API, and a second run must keep the admin's
//! edits. The systemd path needs root and a running systemd, so it is not run here.

use serde_json::{json, Value};
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

const BINARY: &str = env!("CARGO_BIN_EXE_switchboard");

/// Runs `bash install.sh <args>` from the repository root.
fn install_sh(args: &[&str]) -> Output {
    let mut command = Command::new("bash");
    command.arg("install.sh").args(args).current_dir(env!("CARGO_MANIFEST_DIR"));
    without_switchboard_env(&mut command);
    command.output().expect("bash runs")
}

fn install_into(prefix: &Path) -> Output {
    let output = install_sh(&["--prefix", prefix.to_str().unwrap(), "--no-systemd", "--binary", BINARY]);
    assert!(output.status.success(), "install.sh failed:\n{}", describe(&output));
    output
}

fn describe(output: &Output) -> String {
    format!(
        "status: {}\nstdout:\n{}\nstderr:\n{}",
        output.status,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

/// The installed files must be what the test reads, not whatever
/// `SWITCHBOARD_*` variables the developer's shell happens to set.
fn without_switchboard_env(command: &mut Command) {
    for (name, _) in std::env::vars_os() {
        if name.to_string_lossy().starts_with("SWITCHBOARD_") {
            command.env_remove(name);
        }
    }
}

struct Installed {
    binary: PathBuf,
    config: PathBuf,
    data_dir: PathBuf,
}

impl Installed {
    fn under(prefix: &Path) -> Self {
        Self {
            binary: prefix.join("bin/switchboard"),
            config: prefix.join("etc/switchboard/switchboard.toml"),
            data_dir: prefix.join("var/lib/switchboard"),
        }
    }

    /// `switchboard --config <installed config> config`: the effective configuration.
    fn effective_config(&self) -> String {
        let mut command = Command::new(&self.binary);
        command.arg("--config").arg(&self.config).arg("config");
        without_switchboard_env(&mut command);
        let output = command.output().unwrap();
        assert!(output.status.success(), "the installed config does not load:\n{}", describe(&output));
        String::from_utf8(output.stdout).unwrap()
    }
}

/// Kills the server when the test ends, whether it passed or panicked.
struct Server {
    child: Child,
    stderr_log: PathBuf,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Server {
    fn log(&self) -> String {
        std::fs::read_to_string(&self.stderr_log).unwrap_or_default()
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// Starts the installed binary with the installed config on `port` and returns it
/// with the API token it prints on first start.
fn start(installed: &Installed, port: u16, stderr_log: PathBuf) -> (Server, String) {
    let mut command = Command::new(&installed.binary);
    command
        .arg("--config")
        .arg(&installed.config)
        .args(["--bind", &format!("127.0.0.1:{port}")])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(std::fs::File::create(&stderr_log).unwrap());
    without_switchboard_env(&mut command);
    let mut child = command.spawn().unwrap();
    let stdout = child.stdout.take().unwrap();
    let server = Server { child, stderr_log };

    // A thread reads stdout so a silent server cannot hang the test, and keeps
    // draining it afterwards so the server never blocks on a full pipe.
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if let Some(token) = line.trim().strip_prefix("API token:") {
                let _ = tx.send(token.trim().to_string());
            }
        }
    });
    let token = rx
        .recv_timeout(Duration::from_secs(30))
        .unwrap_or_else(|_| panic!("no \"API token:\" line on stdout; server log:\n{}", server.log()));
    (server, token)
}

/// POSTs a form to the API, retrying while the server is still binding its port.
fn post_form(url: &str, form: &[(&str, &str)], server: &Server) -> Value {
    let client = reqwest::blocking::Client::builder().timeout(Duration::from_secs(30)).build().unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        match client.post(url).form(form).send() {
            Ok(response) => return crate::support::envelope_of(response),
            Err(err) if err.is_connect() && Instant::now() < deadline => std::thread::sleep(Duration::from_millis(100)),
            Err(err) => panic!("POST {url} failed: {err}; server log:\n{}", server.log()),
        }
    }
}

#[test]
fn install_sh_with_a_prefix_installs_binary_config_and_data_dir_unprivileged() {
    let dir = tempfile::tempdir().unwrap();
    // install.sh resolves symlinks in the prefix; compare against the same path.
    let prefix = dir.path().canonicalize().unwrap();
    let installed = Installed::under(&prefix);

    let output = install_into(&prefix);

    assert!(installed.binary.is_file(), "no binary at {}", installed.binary.display());
    assert!(installed.config.is_file(), "no config at {}", installed.config.display());
    assert!(installed.data_dir.is_dir(), "no data directory at {}", installed.data_dir.display());
    let start_command = format!("{} --config {}", installed.binary.display(), installed.config.display());
    assert!(
        String::from_utf8_lossy(&output.stdout).contains(&start_command),
        "install.sh does not say how to start the server ({start_command}):\n{}",
        describe(&output)
    );
    let effective = installed.effective_config();
    let data_dir_line = format!("data_dir = {:?}", installed.data_dir.display().to_string());
    assert!(effective.contains(&data_dir_line), "expected {data_dir_line} in:\n{effective}");

    let port = free_port();
    let (server, token) = start(&installed, port, prefix.join("server.log"));
    let envelope = post_form(
        &format!("http://127.0.0.1:{port}/include/api.php"),
        &[("token", &token), ("function", "get-users")],
        &server,
    );

    assert_eq!(envelope["success"], json!(true), "get-users answered {envelope}");
    let users = envelope["response"].as_array().unwrap_or_else(|| panic!("not a list: {envelope}"));
    assert!(
        users.iter().any(|user| user["email"] == json!("admin@switchboard.local")),
        "the first-start admin is missing from {envelope}"
    );
    assert!(
        installed.data_dir.join("switchboard.db").is_file(),
        "the server did not keep its database in the installed data directory"
    );
}

#[test]
fn install_sh_is_idempotent_and_keeps_an_edited_config() {
    let dir = tempfile::tempdir().unwrap();
    let installed = Installed::under(dir.path());
    install_into(dir.path());
    let mut edited = std::fs::read_to_string(&installed.config).unwrap();
    edited.push_str("\n# Edited by the admin.\nlog = \"warn\"\n");
    std::fs::write(&installed.config, &edited).unwrap();

    install_into(dir.path());

    assert_eq!(std::fs::read_to_string(&installed.config).unwrap(), edited, "the second run changed the config");
    assert!(installed.binary.is_file());
    let effective = installed.effective_config();
    assert!(effective.contains("log = \"warn\""), "the edited log level is not in effect:\n{effective}");
}

#[test]
fn install_sh_refuses_unknown_options() {
    let prefix = tempfile::tempdir().unwrap();

    let output =
        install_sh(&["--prefix", prefix.path().to_str().unwrap(), "--no-systemd", "--binary", BINARY, "--frobnicate"]);

    assert!(!output.status.success(), "install.sh accepted --frobnicate:\n{}", describe(&output));
    assert!(
        String::from_utf8_lossy(&output.stderr).contains("--frobnicate"),
        "the error does not name the option:\n{}",
        describe(&output)
    );
    assert!(!prefix.path().join("bin").exists(), "install.sh installed something despite the unknown option");
}
