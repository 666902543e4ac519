//! Exactly once, through a crash: the real binary is killed with SIGKILL in the
//! middle of piping 100 emails from a real IMAP server, started again, and ends
//! with exactly 100 messages, every email marked seen.

use crate::binary::{call, first_start_token, free_port, start, wait_until_serving};
use crate::support::imap::{Dovecot, PASSWORD, USER};
use crate::support::php::http_build_query;
use serde_json::json;
use std::path::Path;
use std::time::{Duration, Instant};

const EMAILS: i64 = 100;

/// Messages of email conversations and emails recorded as taken, read from the
/// database file as another process would.
fn counts(data_dir: &Path) -> (i64, i64) {
    let Ok(db) = rusqlite::Connection::open(data_dir.join("switchboard.db")) else { return (0, 0) };
    let messages = db
        .query_row(
            "SELECT count(*) FROM messages m JOIN conversations c ON c.id = m.conversation_id WHERE c.source = 'em'",
            [],
            |row| row.get(0),
        )
        .unwrap_or(0);
    let emails =
        db.query_row("SELECT count(DISTINCT message_id) FROM email_messages", [], |row| row.get(0)).unwrap_or(0);
    (messages, emails)
}

#[test]
fn killing_the_server_mid_sync_of_100_emails_and_starting_it_again_ends_with_exactly_100_messages() {
    let imap = Dovecot::start();
    // A hundred senders: the per-sender limit must not be what stops anything.
    let emails: Vec<String> = (0..EMAILS)
        .map(|i| {
            format!(
                "From: Customer {i} <c{i}@customer.test>\r\nTo: help@acme.test\r\nSubject: Question {i}\r\n\
                 Message-ID: <q{i}@customer.test>\r\n\r\nQuestion number {i}.\r\n"
            )
        })
        .collect();
    imap.append_all(emails.iter().map(|e| e.as_bytes()));
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let mut server = start(dir.path(), port);
    let (_, token) = first_start_token(&mut server);
    wait_until_serving(port);
    let piping = json!({
        "email-piping-active": true, "email-piping-host": "127.0.0.1", "email-piping-port": imap.port,
        "email-piping-tls": "none", "email-piping-user": USER, "email-piping-password": PASSWORD,
    });
    let body = http_build_query(
        &json!({ "token": token, "function": "save-settings", "settings": { "email-piping": piping } }),
    );
    assert_eq!(call(port, body)["success"], true);

    // The scheduler starts the sync within a second; kill at its first commit.
    let deadline = Instant::now() + Duration::from_secs(30);
    let at_kill = loop {
        let (messages, _) = counts(dir.path());
        if messages > 0 {
            server.0.kill().unwrap();
            server.0.wait().unwrap();
            break counts(dir.path()).0;
        }
        assert!(Instant::now() < deadline, "the sync never started");
        std::thread::sleep(Duration::from_millis(1));
    };
    assert!(at_kill < EMAILS, "the kill came mid-sync ({at_kill} of {EMAILS} stored)");

    let port = free_port();
    let _restarted = start(dir.path(), port);
    wait_until_serving(port);
    let deadline = Instant::now() + Duration::from_secs(30);
    while counts(dir.path()).0 < EMAILS || imap.unseen_and_total("INBOX").0 > 0 {
        assert!(Instant::now() < deadline, "the sync never finished: {:?}", counts(dir.path()));
        std::thread::sleep(Duration::from_millis(50));
    }
    assert_eq!(counts(dir.path()), (EMAILS, EMAILS), "every email once, none twice");
}
