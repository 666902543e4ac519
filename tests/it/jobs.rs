use crate::support::TestApp;
use serde_json::json;
use switchboard::jobs;

const HOUR: i64 = 3600;
const DAY: i64 = 24 * HOUR;

/// Runs a job the way the scheduler does.
fn run(app: &TestApp, name: &str) -> serde_json::Value {
    jobs::run(&mut app.state.blocking_session(), &app.state, jobs::find(name).unwrap()).unwrap()
}

#[test]
fn clean_data_on_a_crafted_database_deletes_exactly_what_the_contract_says() {
    let app = TestApp::spawn_quiet_at("2024-01-01 00:00:00");
    let agent = app.add_user("Ada", None, "agent");
    let old_visitor = app.add_user("Old", None, "visitor");
    let chatting_visitor = app.add_user("Chatting", None, "visitor");
    let old_lead = app.add_user("Lead", None, "lead");
    let old_trash = app.new_conversation(old_lead);
    app.send(old_lead, old_trash, "spam");
    app.ok("update-conversation-status", json!({ "conversation_id": old_trash, "status_code": 4 }));
    let answered_long_ago = app.new_conversation(old_lead);
    app.send(old_lead, answered_long_ago, "question");
    app.send(agent, answered_long_ago, "answer");
    let waiting_for_agent = app.new_conversation(old_lead);
    app.send(agent, waiting_for_agent, "hello");
    app.send(old_lead, waiting_for_agent, "still need help");
    let chatting = app.new_conversation(chatting_visitor);
    app.advance(20 * DAY);
    let recent_trash = app.new_conversation(old_lead);
    app.send(old_lead, recent_trash, "junk");
    app.ok("update-conversation-status", json!({ "conversation_id": recent_trash, "status_code": 4 }));
    app.advance(11 * DAY);
    let answered_recently = app.new_conversation(old_lead);
    app.send(agent, answered_recently, "answer within the day");
    app.advance(23 * HOUR);
    app.send(chatting_visitor, chatting, "I am still here");
    let fresh_visitor = app.add_user("Fresh", None, "visitor");

    let report = run(&app, "clean-data");

    assert_eq!(
        report,
        json!({
            "visitors_deleted": 1,
            "trashed_conversations_deleted": 1,
            "conversations_archived": 1,
            "files_removed": 0
        })
    );
    assert_eq!(
        app.ok("get-user", json!({ "user_id": old_visitor })),
        false,
        "a visitor older than 24 hours is deleted"
    );
    for kept in [chatting_visitor, fresh_visitor, old_lead, agent] {
        assert_ne!(app.ok("get-user", json!({ "user_id": kept })), false, "user {kept} must stay");
    }
    let status = |c: i64| {
        app.ok("get-conversation", json!({ "conversation_id": c }))["details"]["conversation_status_code"].clone()
    };
    assert_eq!(
        app.ok("get-conversation", json!({ "conversation_id": old_trash }))["details"],
        "",
        "trash over 30 days old is deleted"
    );
    assert_eq!(status(recent_trash), "4", "younger trash stays");
    assert_eq!(status(answered_long_ago), "3", "an agent's last message over 24 hours old archives the conversation");
    assert_eq!(status(answered_recently), "1", "an agent's answer under 24 hours old stays open");
    assert_eq!(status(waiting_for_agent), "2", "a customer's last message never archives");
    assert_eq!(
        run(&app, "clean-data"),
        json!({
            "visitors_deleted": 0,
            "trashed_conversations_deleted": 0,
            "conversations_archived": 0,
            "files_removed": 0
        })
    );
}

#[test]
fn clean_data_and_cron_jobs_through_the_api_record_their_runs() {
    let app = TestApp::spawn_quiet_at("2024-01-01 00:00:00");
    let visitor = app.add_user("Old", None, "visitor");
    app.advance(2 * DAY);
    assert_eq!(app.ok("clean-data", json!({})), true);
    assert_eq!(app.ok("get-user", json!({ "user_id": visitor })), false);
    assert_eq!(app.ok("cron-jobs", json!({})), true);
    let runs = app.ok("get-job-runs", json!({}));
    let jobs: Vec<&str> = runs.as_array().unwrap().iter().map(|r| r["job"].as_str().unwrap()).collect();
    for job in ["clean-data", "presence", "maintenance"] {
        assert!(jobs.contains(&job), "{job} ran: {runs}");
    }
    assert!(runs.as_array().unwrap().iter().all(|r| r["outcome"] == "ok" && r["ended_at"].is_string()), "{runs}");
    let first = runs.as_array().unwrap().iter().rev().find(|r| r["job"] == "clean-data").unwrap();
    assert_eq!(first["report"]["visitors_deleted"], 1);
}

#[test]
fn a_job_runs_when_its_schedule_fires_and_a_missed_run_happens_once() {
    let app = TestApp::spawn_quiet_at("2024-01-01 04:10:00");
    // A session per run: none is held while the test calls the API.
    let ran = || -> Vec<&str> {
        let mut db = app.state.blocking_session();
        let ran = jobs::run_due(&mut db, &app.state).unwrap();
        // The outbox, and the backup job without a backup-folder, are checked at
        // every tick and do nothing here.
        ran.into_iter().map(|(name, _)| name).filter(|n| !matches!(*n, "outbox" | "backup")).collect()
    };
    assert_eq!(ran(), ["clean-data", "presence", "maintenance"], "jobs that never ran run at once");
    assert!(ran().is_empty(), "nothing is due again at the same time");
    let due: Vec<&str> = jobs::due(&app.db(), &app.state).unwrap().iter().map(|job| job.name).collect();
    assert_eq!(due, ["outbox"], "idle runs (email piping off, no backup folder) are not due at every tick");
    app.advance(60);
    assert_eq!(ran(), ["presence"], "presence runs every minute");
    app.advance(5 * HOUR);
    assert_eq!(ran(), ["clean-data", "presence"], "five missed hourly runs of clean-data make one run");
    assert!(ran().is_empty());
    app.ok("save-settings", json!({ "settings": { "cron-presence": "0 0 12 * * *" } }));
    app.advance(60);
    assert!(ran().is_empty(), "schedules come from settings");
    assert_eq!(
        app.call("save-settings", json!({ "settings": { "cron-presence": "whenever" } }))["response"],
        "invalid-argument"
    );
}

#[test]
fn undeliverable_outbox_items_fail_visibly_with_their_last_error() {
    let app = TestApp::spawn_quiet_at("2024-01-01 00:00:00");
    let conn = app.db();
    switchboard::outbox::enqueue(&conn, "carrier-pigeon", None, &json!({ "to": "x" }), "2024-01-01 00:00:00").unwrap();
    let report = jobs::outbox::drain_once(&mut app.state.blocking_session(), &app.state).unwrap();
    assert_eq!(report.failed, 1);
    let failed = app.ok("get-outbox", json!({ "state": "failed" }));
    assert_eq!(failed[0]["kind"], "carrier-pigeon");
    assert!(failed[0]["last_error"].as_str().unwrap().contains("carrier-pigeon"));
    assert_eq!(app.call("get-outbox", json!({ "state": "lost" }))["response"], "invalid-argument");
}

#[test]
fn the_scheduler_thread_runs_due_jobs_on_its_own() {
    let app = TestApp::spawn_at("2024-01-01 00:00:00");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    loop {
        let runs = app.ok("get-job-runs", json!({}));
        if runs.as_array().unwrap().iter().any(|r| r["job"] == "maintenance") {
            break;
        }
        assert!(std::time::Instant::now() < deadline, "the scheduler never ran: {runs}");
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
}
