//! Backups: the CLI's consistent copy under a write load, restoring into a fresh
//! or a stopped data directory (never one a server holds), the copy kept before
//! a migration, the scheduled job (its pruning and its failure), and the admin
//! area's download.

use crate::admin::signed_in_client;
use crate::admin_backoffice::csrf_of;
use crate::binary::switchboard;
use crate::support::TestApp;
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Runs the binary with `args` over `data_dir`; answers (success, stdout, stderr).
fn run(data_dir: &Path, args: &[&str]) -> (bool, String, String) {
    let mut all = vec!["--data-dir", data_dir.to_str().unwrap()];
    all.extend_from_slice(args);
    let output = switchboard(data_dir.parent().unwrap()).args(&all).output().unwrap();
    let text = |bytes: &[u8]| String::from_utf8_lossy(bytes).into_owned();
    (output.status.success(), text(&output.stdout), text(&output.stderr))
}

fn data_dir(app: &TestApp) -> PathBuf {
    app.state.config.data_dir.clone()
}

fn integrity(path: &Path) -> String {
    rusqlite::Connection::open(path).unwrap().query_row("PRAGMA integrity_check", [], |r| r.get(0)).unwrap()
}

fn emails_in(path: &Path) -> Vec<String> {
    let conn = rusqlite::Connection::open(path).unwrap();
    let mut stmt = conn.prepare("SELECT email FROM users WHERE email IS NOT NULL").unwrap();
    let emails = stmt.query_map([], |r| r.get(0)).unwrap().map(Result::unwrap).collect();
    emails
}

#[test]
fn a_backup_taken_during_a_write_load_holds_every_acknowledged_user_and_passes_the_integrity_check() {
    let app = TestApp::spawn();
    let acknowledged = Arc::new(Mutex::new(Vec::<String>::new()));
    let stop = Arc::new(AtomicBool::new(false));
    let loader = {
        let (url, token) = (app.api_url(), app.token.clone());
        let (acknowledged, stop) = (acknowledged.clone(), stop.clone());
        std::thread::spawn(move || {
            let client = reqwest::blocking::Client::new();
            let mut n = 0;
            // Bounded: at most 20,000 users or 60 seconds.
            let deadline = Instant::now() + Duration::from_secs(60);
            while !stop.load(Ordering::Relaxed) && n < 20_000 && Instant::now() < deadline {
                n += 1;
                let email = format!("load{n}@example.com");
                let body = format!("token={token}&function=add-user&first_name=Load&email={email}");
                let answer: Value = client
                    .post(&url)
                    .header("Content-Type", "application/x-www-form-urlencoded")
                    .body(body)
                    .send()
                    .unwrap()
                    .json()
                    .unwrap();
                assert_eq!(answer["success"], json!(true), "{answer}");
                acknowledged.lock().unwrap().push(email);
            }
        })
    };
    let deadline = Instant::now() + Duration::from_secs(30);
    while acknowledged.lock().unwrap().len() < 100 {
        assert!(Instant::now() < deadline, "the load never got going");
        std::thread::sleep(Duration::from_millis(10));
    }
    let before: Vec<String> = acknowledged.lock().unwrap().clone();
    let output = app.dir.path().join("copy.db");
    let (ok, stdout, stderr) = run(&data_dir(&app), &["backup", "--output", output.to_str().unwrap()]);
    let during = acknowledged.lock().unwrap().len();
    stop.store(true, Ordering::Relaxed);
    loader.join().unwrap();
    assert!(ok, "backup failed: {stderr}");
    assert!(stdout.contains("backup written to"), "{stdout}");
    assert_eq!(integrity(&output), "ok");
    let copied = emails_in(&output);
    let missing: Vec<_> = before.iter().filter(|email| !copied.contains(email)).collect();
    assert!(missing.is_empty(), "acknowledged before the backup began but not in it: {missing:?}");
    assert!(during >= before.len(), "the load went on while the backup ran");
}

/// Every file below `root` (relative to it) with its bytes, in order.
fn files_under(root: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut found = Vec::new();
    let mut folders = vec![root.to_path_buf()];
    while let Some(folder) = folders.pop() {
        for entry in std::fs::read_dir(&folder).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                folders.push(path);
            } else {
                found.push((path.strip_prefix(root).unwrap().to_path_buf(), std::fs::read(&path).unwrap()));
            }
        }
    }
    found.sort();
    found
}

#[test]
fn a_restore_into_a_fresh_data_dir_brings_back_the_users_the_key_and_the_uploads_and_a_second_keeps_what_it_replaced() {
    let app = TestApp::spawn();
    app.add_user("Rita", Some("rita@example.com"), "user");
    let avatar = data_dir(&app).join("uploads/avatars/rita.png");
    std::fs::create_dir_all(avatar.parent().unwrap()).unwrap();
    std::fs::write(&avatar, b"picture").unwrap();
    // An attachment lives under uploads/files/<two key digits>/<key>, with its thumbnail.
    crate::files::uploaded(&app, "screenshot.png", crate::files::png(40, 30));
    let attachments = files_under(&data_dir(&app).join("uploads/files"));
    assert_eq!(attachments.len(), 2, "the file and its thumbnail: {attachments:?}");
    let archive = app.dir.path().join("everything.tar.gz");
    let (ok, _, stderr) = run(&data_dir(&app), &["backup", "--with-uploads", "--output", archive.to_str().unwrap()]);
    assert!(ok, "{stderr}");

    let fresh = tempfile::tempdir().unwrap();
    let restored = fresh.path().join("data");
    let (ok, stdout, stderr) = run(&restored, &["restore", "--input", archive.to_str().unwrap()]);
    assert!(ok, "restore failed: {stderr}");
    assert!(!stdout.contains("kept"), "nothing was there to keep: {stdout}");
    assert!(emails_in(&restored.join("switchboard.db")).contains(&"rita@example.com".to_string()));
    assert_eq!(std::fs::read(restored.join("uploads/avatars/rita.png")).unwrap(), b"picture");
    assert_eq!(files_under(&restored.join("uploads/files")), attachments, "every attachment, byte for byte");
    let (ok, token, stderr) = run(&restored, &["admin", "token", "--email", "admin@example.com"]);
    assert!(ok, "{stderr}");
    assert_eq!(token.trim(), app.token, "the same key makes the same token");

    let (ok, stdout, stderr) = run(&restored, &["restore", "--input", archive.to_str().unwrap()]);
    assert!(ok, "{stderr}");
    let kept: Vec<String> = std::fs::read_dir(&restored)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|name| name.contains(".before-restore-"))
        .collect();
    assert!(kept.iter().any(|n| n.starts_with("switchboard.db.before-restore-")), "{kept:?} {stdout}");
    assert!(kept.iter().any(|n| n.starts_with("secret.key.before-restore-")), "{kept:?}");
    let before = restored.join(kept.iter().find(|n| n.starts_with("switchboard.db")).unwrap());
    assert_eq!(integrity(&before), "ok");
}

#[test]
fn restore_refuses_while_a_server_holds_the_data_dir_and_changes_nothing() {
    let app = TestApp::spawn();
    let copy = app.dir.path().join("copy.db");
    let (ok, _, stderr) = run(&data_dir(&app), &["backup", "--output", copy.to_str().unwrap()]);
    assert!(ok, "{stderr}");
    app.add_user("After", Some("after@example.com"), "user");
    let (ok, _, stderr) = run(&data_dir(&app), &["restore", "--input", copy.to_str().unwrap()]);
    assert!(!ok, "a restore under a running server must fail");
    assert!(stderr.contains("is using"), "{stderr}");
    assert_eq!(app.ok("get-user", json!({ "user_id": 2 }))["email"], json!("after@example.com"));
    let names: Vec<_> = std::fs::read_dir(data_dir(&app)).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert!(!names.iter().any(|n| n.to_string_lossy().contains("before-restore")), "{names:?}");
}

#[test]
fn restore_refuses_a_file_that_is_no_backup() {
    let dir = tempfile::tempdir().unwrap();
    let junk = dir.path().join("junk.tar.gz");
    std::fs::write(&junk, "this is not a backup").unwrap();
    let (ok, _, stderr) = run(&dir.path().join("data"), &["restore", "--input", junk.to_str().unwrap()]);
    assert!(!ok);
    assert!(stderr.contains("neither a Switchboard backup"), "{stderr}");
}

#[test]
fn a_database_of_an_older_schema_is_copied_before_it_is_migrated() {
    let dir = tempfile::tempdir().unwrap();
    let config = switchboard::Config { data_dir: dir.path().join("data"), ..Default::default() };
    std::fs::create_dir_all(&config.data_dir).unwrap();
    let latest = switchboard::db::migrate::latest_version();
    let mut conn = switchboard::db::open(&config.database_path()).unwrap();
    switchboard::db::migrate::run_until(&mut conn, latest - 1).unwrap();
    drop(conn);
    let state = switchboard::server::prepare(config.clone(), switchboard::clock::Clock::system()).unwrap();
    let copy = config.data_dir.join(format!("switchboard.db.before-{latest:04}"));
    let version = |path: &Path| -> i64 {
        rusqlite::Connection::open(path).unwrap().query_row("PRAGMA user_version", [], |r| r.get(0)).unwrap()
    };
    assert_eq!(version(&copy), latest - 1, "the copy is the database as it was");
    assert_eq!(version(&config.database_path()), latest);
    drop(state);
}

fn job_runs(app: &TestApp, job: &str) -> Vec<Value> {
    let runs = app.ok("get-job-runs", json!({}));
    runs.as_array().unwrap().iter().filter(|run| run["job"] == job).cloned().collect()
}

fn run_backup_job(app: &TestApp) {
    let mut db = app.state.blocking_session();
    let job = switchboard::jobs::find("backup").unwrap();
    let _ = switchboard::jobs::run(&mut db, &app.state, job);
}

#[test]
fn scheduled_backups_go_to_the_folder_and_only_the_newest_are_kept() {
    let app = TestApp::spawn_quiet_at("2024-03-01 02:00:00");
    run_backup_job(&app);
    assert!(job_runs(&app, "backup").is_empty(), "without a folder nothing runs");
    app.ok("save-settings", json!({ "settings": { "backup-folder": "backups", "backup-keep": 2 } }));
    for _ in 0..3 {
        run_backup_job(&app);
        app.advance(86_400);
    }
    let folder = data_dir(&app).join("backups");
    let mut names: Vec<String> =
        std::fs::read_dir(&folder).unwrap().map(|e| e.unwrap().file_name().into_string().unwrap()).collect();
    names.sort();
    assert_eq!(names, ["switchboard-20240302-020000.tar.gz", "switchboard-20240303-020000.tar.gz"]);
    let runs = job_runs(&app, "backup");
    assert_eq!(runs.len(), 3);
    assert_eq!(runs[0]["outcome"], json!("ok"));
    assert_eq!(runs[0]["report"]["deleted"], json!(1));
    assert!(runs[0]["report"]["file"].as_str().unwrap().ends_with("switchboard-20240303-020000.tar.gz"));
}

#[test]
fn a_failed_scheduled_backup_shows_on_the_jobs_page_and_is_emailed_to_the_admins() {
    let app = TestApp::spawn_quiet_at("2024-03-01 02:00:00");
    // Root may write anywhere it likes, but not below a regular file.
    let blocker = app.dir.path().join("a-file-not-a-folder");
    std::fs::write(&blocker, "x").unwrap();
    let folder = blocker.join("backups");
    app.ok("save-settings", json!({ "settings": { "backup-folder": folder.to_str().unwrap() } }));
    assert_eq!(app.fails("cron-jobs", json!({})), "backup-failed");
    let runs = job_runs(&app, "backup");
    assert_eq!(runs[0]["outcome"], json!("error"));
    assert_eq!(runs[0]["report"]["response"], json!("backup-failed"));
    assert!(runs[0]["report"]["message"].as_str().unwrap().contains("a-file-not-a-folder"), "{}", runs[0]);

    let page = signed_in_client(&app).get(format!("{}/admin/jobs", app.base)).send().unwrap().text().unwrap();
    let row = page.split("<tr data-job=\"backup\">").nth(1).expect("a backup row").split("</tr>").next().unwrap();
    assert!(row.contains("outcome-error"), "{row}");
    assert!(row.contains("a-file-not-a-folder"), "{row}");

    let payload: String = app
        .db()
        .query_row("SELECT payload FROM outbox WHERE kind = 'email' ORDER BY id DESC LIMIT 1", [], |r| r.get(0))
        .expect("an email was queued");
    let email: Value = serde_json::from_str(&payload).unwrap();
    assert_eq!(email["to"], json!("admin@example.com"));
    assert!(email["subject"].as_str().unwrap().contains("backup failed"));
    assert!(email["text"].as_str().unwrap().contains("a-file-not-a-folder"));
}

#[test]
fn admins_download_a_fresh_backup_after_confirming_and_it_restores() {
    let app = TestApp::spawn();
    app.add_user("Dora", Some("dora@example.com"), "user");
    let client = signed_in_client(&app);
    let url = format!("{}/admin/backup", app.base);
    let page = client.get(&url).send().unwrap().text().unwrap();
    assert!(page.contains("Download a backup of everything?"), "a confirmation first");
    let refused = client.post(&url).form(&[("csrf_token", "forged")]).send().unwrap();
    assert_eq!(refused.status(), 403);
    let response = client.post(&url).form(&[("csrf_token", csrf_of(&page))]).send().unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-type"], "application/gzip");
    let archive = app.dir.path().join("downloaded.tar.gz");
    std::fs::write(&archive, response.bytes().unwrap()).unwrap();
    let leftovers: Vec<_> = std::fs::read_dir(data_dir(&app))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| n.starts_with(".download"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
    let fresh = tempfile::tempdir().unwrap();
    let restored = fresh.path().join("data");
    let (ok, _, stderr) = run(&restored, &["restore", "--input", archive.to_str().unwrap()]);
    assert!(ok, "{stderr}");
    assert!(emails_in(&restored.join("switchboard.db")).contains(&"dora@example.com".to_string()));
}
