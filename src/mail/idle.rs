//! IMAP IDLE: a thread that keeps a connection open on the piped folder and runs
//! the `email-piping` job as soon as the server says new mail arrived, so mail
//! becomes a conversation in seconds rather than at the next poll. Where the server
//! does not offer IDLE, or piping is off, it only waits; the scheduled poll still
//! runs either way. It notices changed settings within [`RECHECK`].

use super::connection;
use crate::domain::settings::EmailPiping;
use crate::error::Failure;
use crate::state::AppState;
use imap::extensions::idle::WaitOutcome;
use imap::types::UnsolicitedResponse;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// How long one IDLE lasts before the settings are read again.
const RECHECK: Duration = Duration::from_secs(30);
/// The wait after a failed connection (the scheduled poll reports the failure).
const AFTER_FAILURE: Duration = Duration::from_secs(30);

/// The running watcher; dropping it stops the thread within [`RECHECK`].
pub struct Watcher {
    stop: Arc<AtomicBool>,
    idling: Arc<AtomicBool>,
}

impl Watcher {
    /// Whether it is waiting in IDLE now, having caught up with the mail before.
    pub fn idling(&self) -> bool {
        self.idling.load(Ordering::Relaxed)
    }
}

impl Drop for Watcher {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

pub fn start(state: AppState) -> Watcher {
    let (stop, idling) = (Arc::new(AtomicBool::new(false)), Arc::new(AtomicBool::new(false)));
    let (stopping, watching) = (stop.clone(), idling.clone());
    std::thread::Builder::new()
        .name("switchboard-mail-idle".into())
        .spawn(move || {
            while !stopping.load(Ordering::Relaxed) {
                let Some((piping, public_only)) = settings(&state) else {
                    pause(&stopping, RECHECK);
                    continue;
                };
                if !piping.active || !piping.configured() {
                    pause(&stopping, Duration::from_secs(5));
                    continue;
                }
                let watched = watch(&state, &piping, public_only, &stopping, &watching);
                watching.store(false, Ordering::Relaxed);
                match watched {
                    Ok(()) => {}
                    // A connection that worked and was closed (a server restart, a
                    // BYE) is opened again at once; one that cannot be made, later.
                    Err(Lost::WhileIdling(err)) => {
                        tracing::debug!(?err, "IMAP IDLE connection lost");
                        pause(&stopping, Duration::from_secs(1));
                    }
                    Err(Lost::Connecting(err)) => {
                        tracing::debug!(?err, "IMAP IDLE cannot connect");
                        pause(&stopping, AFTER_FAILURE);
                    }
                }
            }
        })
        .expect("the IMAP IDLE thread starts");
    Watcher { stop, idling }
}

enum Lost {
    Connecting(Failure),
    WhileIdling(Failure),
}

fn settings(state: &AppState) -> Option<(EmailPiping, bool)> {
    let db = state.blocking_session();
    let settings = db.conn().and_then(|conn| state.settings(conn)).ok()?;
    Some((settings.email_piping.clone(), settings.outbound_public_only))
}

/// Sleeps `wait` in short steps, returning early when asked to stop.
fn pause(stop: &AtomicBool, wait: Duration) {
    let until = Instant::now() + wait;
    while !stop.load(Ordering::Relaxed) && Instant::now() < until {
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// IDLEs on the folder until the settings change or the thread is asked to stop.
fn watch(
    state: &AppState,
    piping: &EmailPiping,
    public_only: bool,
    stop: &AtomicBool,
    idling: &AtomicBool,
) -> Result<(), Lost> {
    let mut session = connection::open(piping, public_only).map_err(Lost::Connecting)?;
    let offered =
        session.capabilities().map_err(|err| Lost::Connecting(connection::step_failed("asking for IDLE", &err)))?;
    if !offered.has_str("IDLE") {
        let _ = session.logout();
        pause(stop, RECHECK);
        return Ok(());
    }
    session
        .select(&piping.folder)
        .map_err(|err| Lost::Connecting(connection::step_failed("opening the folder", &err)))?;
    // Mail that came while nobody watched; what comes from now on, IDLE reports.
    sync_now(state);
    while !stop.load(Ordering::Relaxed) {
        idling.store(true, Ordering::Relaxed);
        // Only new mail ends the wait: the flags our own sync sets must not.
        let outcome = session
            .idle()
            .timeout(RECHECK)
            .keepalive(false)
            .wait_while(|response| !matches!(response, UnsolicitedResponse::Exists(_)))
            .map_err(|err| Lost::WhileIdling(connection::step_failed("waiting for new mail", &err)))?;
        if outcome == WaitOutcome::MailboxChanged {
            sync_now(state);
        }
        if settings(state).is_none_or(|(now, _)| now != *piping) {
            break;
        }
    }
    let _ = session.logout();
    Ok(())
}

fn sync_now(state: &AppState) {
    let mut db = state.blocking_session();
    if let Some(job) = crate::jobs::find("email-piping") {
        if let Err(err) = crate::jobs::run(&mut db, state, job) {
            tracing::warn!(?err, "email piping failed");
        }
    }
}
