//! The real `switchboard` binary: first start, signals, crashes, and the CLI.

use serde_json::{json, Value};
use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub const BIN: &str = env!("CARGO_BIN_EXE_switchboard");

/// Kills the server if a test fails before stopping it.
pub struct Running(pub Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// The binary, run from `dir` with none of the developer's `SWITCHBOARD_*`
/// variables, so only what the test passes (and no stray `./switchboard.toml`)
/// configures it.
pub fn switchboard(dir: &Path) -> Command {
    let mut command = Command::new(BIN);
    command.current_dir(dir);
    for (name, _) in std::env::vars_os() {
        if name.to_string_lossy().starts_with("SWITCHBOARD_") {
            command.env_remove(name);
        }
    }
    command
}

pub fn start(data_dir: &Path, port: u16) -> Running {
    let child = switchboard(data_dir)
        .args(["--data-dir", data_dir.to_str().unwrap(), "--bind", &format!("127.0.0.1:{port}")])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    Running(child)
}

/// Reads stdout lines until the server answers on `port`.
pub fn wait_until_serving(port: u16) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "server did not start");
        std::thread::sleep(Duration::from_millis(20));
    }
}

pub fn first_start_token(server: &mut Running) -> (Vec<String>, String) {
    let stdout = server.0.stdout.take().unwrap();
    let lines: Vec<String> = BufReader::new(stdout).lines().take(4).map(Result::unwrap).collect();
    let token =
        lines.iter().find_map(|l| l.trim().strip_prefix("API token:")).expect("token printed").trim().to_string();
    (lines, token)
}

pub fn call(port: u16, body: String) -> Value {
    let response = reqwest::blocking::Client::new()
        .post(format!("http://127.0.0.1:{port}/include/api.php"))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body(body)
        .send()
        .unwrap();
    response.json().unwrap()
}

/// Sends SIGTERM as systemd would, without needing a `kill` program on the machine.
#[allow(unsafe_code)]
fn sigterm(child: &Child) {
    let pid = libc::pid_t::try_from(child.id()).unwrap();
    // SAFETY: kill(2) only reads its two integer arguments; `pid` is our own child,
    // not yet waited for, so the ID cannot have been reused.
    let sent = unsafe { libc::kill(pid, libc::SIGTERM) };
    assert_eq!(sent, 0, "kill: {}", std::io::Error::last_os_error());
}

/// Waits for the server to exit after a signal, failing (not hanging) when it
/// does not within the 30 s the README promises, and a margin.
fn stopped(child: &mut Child) -> std::process::ExitStatus {
    let deadline = Instant::now() + Duration::from_secs(40);
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return status;
        }
        assert!(Instant::now() < deadline, "the server did not stop");
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn first_start_creates_an_admin_once_and_its_token_answers_get_users() {
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let mut server = start(dir.path(), port);
    let (lines, token) = first_start_token(&mut server);
    assert!(lines.iter().any(|l| l.contains("email:") && l.contains("admin@switchboard.local")), "{lines:?}");
    assert!(lines.iter().any(|l| l.contains("password:")), "{lines:?}");
    wait_until_serving(port);
    let users = call(port, format!("token={token}&function=get-users"));
    assert_eq!(users["success"], true);
    assert_eq!(users["response"][0]["email"], "admin@switchboard.local");
    assert!(dir.path().join("switchboard.db").exists() && dir.path().join("uploads").is_dir());
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(dir.path().join("secret.key")).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    sigterm(&server.0);
    assert!(stopped(&mut server.0).success());
    let mut again = start(dir.path(), port);
    wait_until_serving(port);
    sigterm(&again.0);
    let output = again.0.wait_with_output_after_exit();
    assert!(!output.contains("API token"), "credentials are printed only on the first start: {output}");
}

trait StdoutAfterExit {
    fn wait_with_output_after_exit(&mut self) -> String;
}

impl StdoutAfterExit for Child {
    fn wait_with_output_after_exit(&mut self) -> String {
        stopped(self);
        let mut text = String::new();
        if let Some(mut out) = self.stdout.take() {
            std::io::Read::read_to_string(&mut out, &mut text).unwrap();
        }
        text
    }
}

#[test]
fn sigterm_finishes_cleanly_and_logs_never_show_tokens_or_passwords() {
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let mut server = start(dir.path(), port);
    let (_, token) = first_start_token(&mut server);
    wait_until_serving(port);
    let created =
        call(port, format!("token={token}&function=add-user&email=ann%40example.com&password=hunter2hunter2"));
    assert_eq!(created["success"], true);
    sigterm(&server.0);
    let status = stopped(&mut server.0);
    assert!(status.success(), "exit status {status}");
    let mut log = String::new();
    std::io::Read::read_to_string(&mut server.0.stderr.take().unwrap(), &mut log).unwrap();
    assert!(log.contains("function=\"add-user\"") || log.contains("function=add-user"), "one line per request: {log}");
    assert!(log.contains("switchboard stopped"), "{log}");
    assert!(!log.contains(&token) && !log.contains("hunter2"), "secrets in the log: {log}");
}

/// [`start`] under a shell that first sets `umask`, as a careless service manager might.
fn start_with_umask(data_dir: &Path, port: u16, umask: &str) -> Running {
    let child = Command::new("sh")
        .args(["-c", &format!("umask {umask} && exec \"$0\" \"$@\""), BIN])
        .args(["--data-dir", data_dir.to_str().unwrap(), "--bind", &format!("127.0.0.1:{port}")])
        .env_remove("SWITCHBOARD_CONFIG")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    Running(child)
}

#[cfg(unix)]
#[test]
fn the_data_directory_and_what_is_written_in_it_are_private_whatever_the_umask() {
    use std::os::unix::fs::PermissionsExt;
    let mode = |path: &Path| std::fs::metadata(path).unwrap().permissions().mode() & 0o777;
    let chmod = |path: &Path, mode: u32| std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let (db, wal, shm) =
        (data.join("switchboard.db"), data.join("switchboard.db-wal"), data.join("switchboard.db-shm"));
    let (uploads, exports) = (data.join("uploads"), data.join("uploads/exports"));
    let port = free_port();
    let mut server = start_with_umask(&data, port, "000");
    let (_, token) = first_start_token(&mut server);
    wait_until_serving(port);

    let link = call(port, format!("token={token}&function=csv-users"))["response"].as_str().unwrap().to_string();
    let export = exports.join(link.rsplit('/').nth(1).unwrap());

    for (path, expected) in [
        (&data, 0o700),
        (&db, 0o600),
        (&wal, 0o600),
        (&shm, 0o600),
        (&data.join("secret.key"), 0o600),
        (&uploads, 0o700),
        (&exports, 0o700),
        (&export, 0o600),
    ] {
        assert_eq!(mode(path), expected, "{} is {:o}", path.display(), mode(path));
    }

    // A data directory left readable by an older version: the files Switchboard
    // owns are made private again at start; the directory itself is only warned about.
    sigterm(&server.0);
    assert!(server.0.wait().unwrap().success());
    for (path, loose) in [(&data, 0o755), (&db, 0o644), (&uploads, 0o755), (&exports, 0o755)] {
        chmod(path, loose);
    }
    let port = free_port();
    let mut again = start_with_umask(&data, port, "000");
    wait_until_serving(port);
    call(port, format!("token={token}&function=add-user&first_name=Ann"));
    for (path, expected) in [(&db, 0o600), (&wal, 0o600), (&shm, 0o600), (&uploads, 0o700), (&exports, 0o700)] {
        assert_eq!(mode(path), expected, "{} is {:o} after a restart", path.display(), mode(path));
    }
    assert_eq!(mode(&data), 0o755, "a directory Switchboard did not create keeps its mode");
    sigterm(&again.0);
    again.0.wait().unwrap();
    let mut log = String::new();
    std::io::Read::read_to_string(&mut again.0.stderr.take().unwrap(), &mut log).unwrap();
    assert!(log.contains("readable by other users"), "the loose data directory is warned about: {log}");
}

#[test]
fn acknowledged_writes_survive_kill_9() {
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let mut server = start(dir.path(), port);
    let (_, token) = first_start_token(&mut server);
    wait_until_serving(port);
    let mut acknowledged = Vec::new();
    for i in 0..20 {
        let answer = call(port, format!("token={token}&function=add-user&first_name=Durable{i}"));
        acknowledged.push(answer["response"].as_i64().expect("acknowledged"));
    }
    server.0.kill().unwrap();
    server.0.wait().unwrap();
    let port = free_port();
    let _restarted = start(dir.path(), port);
    wait_until_serving(port);
    for id in acknowledged {
        let user = call(port, format!("token={token}&function=get-user&user_id={id}"));
        assert!(user["response"]["first_name"].as_str().unwrap().starts_with("Durable"), "user {id} lost: {user}");
    }
}

#[test]
fn a_database_from_a_newer_binary_is_refused_with_a_clear_message() {
    let dir = tempfile::tempdir().unwrap();
    let conn = rusqlite::Connection::open(dir.path().join("switchboard.db")).unwrap();
    conn.pragma_update(None, "user_version", 999).unwrap();
    drop(conn);
    let output =
        switchboard(dir.path()).args(["--data-dir", dir.path().to_str().unwrap(), "migrate"]).output().unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("newer"), "{stderr}");
}

#[test]
fn admin_create_and_admin_token_print_working_tokens_and_rotate_replaces_them() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().to_str().unwrap();
    let mut create = switchboard(dir.path())
        .args(["--data-dir", data, "admin", "create", "--email", "boss@example.com", "--password-stdin"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    std::io::Write::write_all(&mut create.stdin.take().unwrap(), b"a-long-password\n").unwrap();
    let created = create.wait_with_output().unwrap();
    assert!(created.status.success(), "{}", String::from_utf8_lossy(&created.stderr));
    let token = String::from_utf8(created.stdout).unwrap().trim().to_string();
    assert_eq!(token.len(), 40);
    let shown = switchboard(dir.path())
        .args(["--data-dir", data, "admin", "token", "--email", "boss@example.com"])
        .output()
        .unwrap();
    assert_eq!(String::from_utf8(shown.stdout).unwrap().trim(), token);
    let rotated = switchboard(dir.path())
        .args(["--data-dir", data, "admin", "token", "--email", "boss@example.com", "--rotate"])
        .output()
        .unwrap();
    let rotated = String::from_utf8(rotated.stdout).unwrap().trim().to_string();
    assert_ne!(rotated, token);
    let port = free_port();
    let _server = start(dir.path(), port);
    wait_until_serving(port);
    assert_eq!(call(port, format!("token={token}&function=count-users"))["response"], "invalid-token");
    assert_eq!(
        call(port, format!("token={rotated}&function=count-users"))["response"]["admin"],
        "1",
        "{}",
        json!("no first-start admin when one exists")
    );
    let created = call(port, format!("token={rotated}&function=get-audit-log&action=user.create"));
    let created = &created["response"][0];
    assert_eq!(
        (&created["via"], &created["actor"], &created["details"]["email"]),
        (&json!("cli"), &json!("command line"), &json!("boss@example.com")),
        "the admin made at the command line is in the audit log: {created}"
    );
    let duplicate = switchboard(dir.path())
        .args(["--data-dir", data, "admin", "create", "--email", "boss@example.com"])
        .output()
        .unwrap();
    assert!(!duplicate.status.success());
    assert!(String::from_utf8_lossy(&duplicate.stderr).contains("already exists"));
}

#[test]
fn config_files_and_variables_are_layered_and_unknown_keys_are_errors() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("switchboard.toml");
    std::fs::write(&file, "bind = \"127.0.0.1:9999\"\nonline_window_seconds = 30\n").unwrap();
    let shown = switchboard(dir.path())
        .args(["--config", file.to_str().unwrap(), "config"])
        .env("SWITCHBOARD_ONLINE_WINDOW_SECONDS", "45")
        .output()
        .unwrap();
    let text = String::from_utf8(shown.stdout).unwrap();
    assert!(text.contains("bind = \"127.0.0.1:9999\"") && text.contains("online_window_seconds = 45"), "{text}");
    std::fs::write(&file, "bnid = \"127.0.0.1:9999\"\n").unwrap();
    let refused = switchboard(dir.path()).args(["--config", file.to_str().unwrap(), "config"]).output().unwrap();
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("bnid"));
}

/// Runs the binary with `input` on stdin; answers (success, stdout, stderr).
fn run_with_stdin(command: &mut Command, input: &str) -> (bool, String, String) {
    let mut child = command.stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
    std::io::Write::write_all(&mut child.stdin.take().unwrap(), input.as_bytes()).unwrap();
    let output = child.wait_with_output().unwrap();
    let text = |bytes: Vec<u8>| String::from_utf8(bytes).unwrap();
    (output.status.success(), text(output.stdout), text(output.stderr))
}

/// `switchboard admin password --email EMAIL --password-stdin` over `dir`.
fn set_password(dir: &Path, email: &str, input: &str) -> (bool, String, String) {
    let data = dir.to_str().unwrap();
    run_with_stdin(
        switchboard(dir).args(["--data-dir", data, "admin", "password", "--email", email, "--password-stdin"]),
        input,
    )
}

#[test]
fn admin_password_sets_a_new_password_and_ends_that_persons_sessions() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().to_str().unwrap();
    let (created, token, stderr) = run_with_stdin(
        switchboard(dir.path()).args([
            "--data-dir",
            data,
            "admin",
            "create",
            "--email",
            "boss@example.com",
            "--password-stdin",
        ]),
        "the-old-password\n",
    );
    assert!(created, "{stderr}");
    let token = token.trim().to_string();
    let port = free_port();
    let _server = start(dir.path(), port);
    wait_until_serving(port);
    let login = |password: &str| {
        call(port, format!("token={token}&function=login&email=boss%40example.com&password={password}"))["response"]
            .clone()
    };
    let cookie = login("the-old-password")[1].as_str().expect("signed in with the first password").to_string();

    let (changed, said, stderr) = set_password(dir.path(), "boss@example.com", "the-new-password\n");
    assert!(changed, "{stderr}");
    assert!(said.contains("boss@example.com"), "{said}");
    assert_eq!(login("the-old-password"), json!(false), "the old password still opens");
    assert!(login("the-new-password")[1].is_string(), "the new password does not open");
    let cookie = url::form_urlencoded::byte_serialize(cookie.as_bytes()).collect::<String>();
    let with_old_session =
        call(port, format!("token={token}&function=update-login&login_cookie={cookie}&first_name=X"));
    assert_eq!(
        with_old_session["response"], "invalid-argument",
        "the session from before lives on: {with_old_session}"
    );

    let (unknown, _, stderr) = set_password(dir.path(), "nobody@example.com", "whatever-password\n");
    assert!(!unknown && stderr.contains("no user has that email"), "{stderr}");
}

#[test]
fn commands_about_existing_people_refuse_a_data_dir_without_a_database() {
    let dir = tempfile::tempdir().unwrap();
    let empty = dir.path().join("typo");
    for command in
        [vec!["admin", "token", "--email", "a@example.com"], vec!["admin", "password", "--email", "a@example.com"]]
    {
        let output = switchboard(dir.path())
            .args(["--data-dir", empty.to_str().unwrap()])
            .args(&command)
            .stdin(Stdio::null())
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(!output.status.success(), "{command:?} succeeded on an empty data dir");
        assert!(stderr.contains("no Switchboard database at") && stderr.contains("typo"), "{command:?}: {stderr}");
        assert!(!empty.exists(), "{command:?} created {}", empty.display());
    }
}

#[test]
fn with_the_port_taken_nothing_is_created_and_no_credentials_are_printed() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let taken = TcpListener::bind("127.0.0.1:0").unwrap();
    let address = taken.local_addr().unwrap().to_string();
    let output =
        switchboard(dir.path()).args(["--data-dir", data.to_str().unwrap(), "--bind", &address]).output().unwrap();
    assert!(!output.status.success());
    assert_eq!(String::from_utf8_lossy(&output.stdout), "", "printed with nothing served");
    assert!(String::from_utf8_lossy(&output.stderr).contains(&format!("cannot listen on {address}")));
    assert!(!data.exists(), "the data directory was created for a server that never ran");
}

#[test]
fn a_config_error_names_the_file_that_was_read() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("staging.toml");
    std::fs::write(&file, "base_path = \"script/\"\n").unwrap();
    let output = switchboard(dir.path()).args(["--config", file.to_str().unwrap(), "config"]).output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success());
    assert!(stderr.contains(&file.display().to_string()) && stderr.contains("base_path"), "{stderr}");
}
