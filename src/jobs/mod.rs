//! Work that happens on its own: the scheduler thread decides *when*; each job is a
//! plain function over a database session, callable from `cron-jobs`, the CLI and
//! tests.
//!
//! Schedules are `cron` expressions (with seconds) kept in settings. A job never
//! runs twice at once (one lock per job), and a run missed while the server was
//! down happens once at the next start. Runs that did something are recorded in
//! `job_runs`.

pub mod backup;
pub mod cleanup;

pub mod mailer;
pub mod maintenance;
pub mod outbound;
pub mod outbox;
pub mod webhooks;

use crate::db::blobs::{self, Blobs};
use crate::db::doorway::Db;
use crate::db::jobs as runs;
use crate::error::ApiResult;
use crate::state::AppState;
use chrono::{DateTime, NaiveDateTime, Utc};
use serde_json::Value;
use std::str::FromStr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{sync_channel, RecvTimeoutError};
use std::sync::Arc;
use std::time::{Duration, Instant};

const TICK: Duration = Duration::from_secs(1);

pub struct Job {
    pub name: &'static str,
    /// The setting holding this job's cron expression; `None` runs it every tick.
    pub schedule_setting: Option<&'static str>,
    pub run: fn(&mut Db, &AppState) -> ApiResult<Value>,
    /// Whether a report says the run did nothing worth recording.
    pub idle: fn(&Value) -> bool,
}

fn never_idle(_: &Value) -> bool {
    false
}

/// The email-piping job's name: the Jobs page shows its latest run as the last sync.
pub const EMAIL_PIPING: &str = "email-piping";

pub const JOBS: &[Job] = &[
    // The outbox is checked every second, and at once when something is queued.
    Job { name: "outbox", schedule_setting: None, run: outbox::drain_job, idle: outbox::idle },
    Job {
        name: "clean-data",
        schedule_setting: Some("cron-clean-data"),
        run: cleanup::clean_data_job,
        idle: never_idle,
    },
    Job { name: "presence", schedule_setting: Some("cron-presence"), run: maintenance::presence_job, idle: never_idle },
    Job {
        name: "maintenance",
        schedule_setting: Some("cron-maintenance"),
        run: maintenance::maintenance_job,
        idle: never_idle,
    },
    // Email in: a run while piping is off does nothing and is not recorded.
    Job {
        name: EMAIL_PIPING,
        schedule_setting: Some("cron-email-piping"),
        run: email_piping_job,
        idle: |report| report["active"] == false,
    },
    Job { name: "backup", schedule_setting: Some("cron-backup"), run: backup::backup_job, idle: backup::idle },
];

/// One synchronisation of the piped mailbox, by the email front door.
fn email_piping_job(db: &mut Db, state: &AppState) -> ApiResult<Value> {
    match state.background.piping() {
        Some(piping) => (piping.sync)(db, state),
        None => Ok(serde_json::json!({ "active": false })),
    }
}

pub fn find(name: &str) -> Option<&'static Job> {
    JOBS.iter().find(|job| job.name == name)
}

/// Runs `job` now, waiting if it is already running, and records the run unless it
/// was idle. Answers the job's report.
pub fn run(db: &mut Db, state: &AppState, job: &Job) -> ApiResult<Value> {
    let lock = state.background.job_lock(job.name);
    let _running = lock.lock().unwrap_or_else(|e| e.into_inner());
    let started = state.clock.now_text();
    let result = (job.run)(db, state);
    let (ok, idle, report) = match &result {
        Ok(report) => (true, (job.idle)(report), report.to_string()),
        Err(_) => (false, false, crate::error::envelope(&result).to_string()),
    };
    if idle {
        state.background.ran_idle(job.name, started);
    } else {
        state.metrics.job_run(job.name, ok);
        let ended = state.clock.now_text();
        let name = job.name;
        db.write(move |tx| {
            let id = runs::start(tx, name, &started)?;
            runs::finish(tx, id, &ended, ok, &report)
        })?;
    }
    result
}

/// The jobs whose schedule fired since their last run, recorded or idle (or that
/// never ran); the outbox is always due.
pub fn due(conn: &rusqlite::Connection, state: &AppState) -> ApiResult<Vec<&'static Job>> {
    let now = state.clock.now();
    let mut due = Vec::new();
    for job in JOBS {
        if is_due(conn, state, job, now)? {
            due.push(job);
        }
    }
    Ok(due)
}

/// Runs every job that is [`due`]. Answers the runs that were not idle.
pub fn run_due(db: &mut Db, state: &AppState) -> ApiResult<Vec<(&'static str, ApiResult<Value>)>> {
    let mut ran = Vec::new();
    for job in due(db.conn()?, state)? {
        let result = run(db, state, job);
        // An idle run (email piping while it is off) did nothing worth naming.
        if !result.as_ref().is_ok_and(|report| (job.idle)(report)) {
            ran.push((job.name, result));
        }
    }
    Ok(ran)
}

fn is_due(conn: &rusqlite::Connection, state: &AppState, job: &Job, now: DateTime<Utc>) -> ApiResult<bool> {
    let Some(setting) = job.schedule_setting else { return Ok(true) };
    let settings = state.settings(conn)?;
    let expression = settings.cron.by_setting(setting).unwrap_or_default();
    let Ok(schedule) = cron::Schedule::from_str(expression) else { return Ok(false) };
    // The later of the last recorded run and the last idle one (kept in memory).
    let recorded = runs::last_start(conn, job.name)?;
    let Some(last) = recorded.into_iter().chain(state.background.last_idle_start(job.name)).max() else {
        return Ok(true);
    };
    let Ok(last) = NaiveDateTime::parse_from_str(&last, crate::clock::FORMAT) else { return Ok(true) };
    Ok(schedule.after(&last.and_utc()).next().is_some_and(|next| next <= now))
}

/// The running scheduler; dropping it stops the thread after its current tick.
pub struct Scheduler {
    stop: Arc<AtomicBool>,
}

impl Drop for Scheduler {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

/// Starts the scheduler thread: due jobs at once (missed runs), then a tick each
/// second, and the outbox as soon as something is queued.
pub fn start(state: AppState) -> Scheduler {
    let stop = Arc::new(AtomicBool::new(false));
    let (doorbell, rings) = sync_channel(1);
    state.background.listen(doorbell);
    let stopping = stop.clone();
    std::thread::Builder::new()
        .name("switchboard-jobs".into())
        .spawn(move || {
            let outbox = find("outbox").expect("the outbox job exists");
            let mut woken = false;
            let mut last_tick: Option<Instant> = None;
            let mut ticks: u64 = 0;
            while !stopping.load(Ordering::Relaxed) {
                // A ring drains only the outbox; the scheduled jobs keep their
                // once-a-second tick however often it rings.
                let tick = last_tick.is_none_or(|at| at.elapsed() >= TICK);
                let mut db = state.blocking_session();
                if tick {
                    last_tick = Some(Instant::now());
                    ticks += 1;
                    if ticks % 60 == 0 {
                        state.traffic.forget_quiet();
                    }
                    match run_due(&mut db, &state) {
                        Ok(ran) => ran.into_iter().for_each(|(name, result)| log_failure(name, result)),
                        Err(err) => tracing::error!(?err, "scheduler could not check the jobs"),
                    }
                } else if woken {
                    log_failure("outbox", run(&mut db, &state, outbox));
                }
                // Bytes of files that deleted messages, conversations or users took
                // with them (whoever deleted them rang, or it is a tick).
                if let Err(err) = blobs::remove_gone(&mut db, &Blobs::new(&state.config.uploads_dir())) {
                    tracing::warn!(error = %err, "forgotten files could not be removed yet");
                }
                // The session ends here: the wait below holds no connection or turn.
                drop(db);
                woken = match rings.recv_timeout(TICK) {
                    Ok(()) => true,
                    Err(RecvTimeoutError::Timeout) => false,
                    Err(RecvTimeoutError::Disconnected) => break,
                };
            }
        })
        .expect("the scheduler thread starts");
    Scheduler { stop }
}

fn log_failure(job: &str, result: ApiResult<Value>) {
    if let Err(err) = result {
        tracing::error!(job, ?err, "job failed");
    }
}
