//! What request handlers share with the work that happens on its own: the doorbell
//! that wakes the outbox's delivery when something is queued, one lock per job so
//! that a job never runs twice at once, whoever starts it, and the email front
//! door's entry points, which the jobs and the pages below it reach through here.

use super::AppState;
use crate::db::doorway::Db;
use crate::domain::settings::EmailPiping;
use crate::error::{ApiResult, Failure};
use std::collections::HashMap;
use std::sync::mpsc::SyncSender;
use std::sync::{Arc, Mutex, OnceLock};

#[derive(Default)]
pub struct Background {
    doorbell: Mutex<Option<SyncSender<()>>>,
    locks: Mutex<HashMap<&'static str, Arc<Mutex<()>>>>,
    /// When each job last ran idle: such runs are not recorded, and the
    /// scheduler would otherwise find the job due again at every tick.
    idle_starts: Mutex<HashMap<&'static str, String>>,
    piping: OnceLock<Piping>,
}

/// The email front door (`mail/`): one synchronisation of the piped mailbox (the
/// `email-piping` job's work), and a connection test answering how many messages
/// the folder holds. Registered once at start by `server::prepare`, as the jobs,
/// the API and the pages may not name a front door.
#[derive(Clone, Copy)]
pub struct Piping {
    pub sync: fn(&mut Db, &AppState) -> ApiResult<serde_json::Value>,
    pub test: fn(&EmailPiping, bool) -> Result<u32, Failure>,
}

impl Background {
    /// Asks for the outbox to be delivered now; a no-op while nothing listens.
    pub fn wake(&self) {
        if let Some(doorbell) = self.doorbell.lock().unwrap_or_else(|e| e.into_inner()).as_ref() {
            let _ = doorbell.try_send(());
        }
    }

    /// Makes `doorbell` the one [`Background::wake`] rings.
    pub fn listen(&self, doorbell: SyncSender<()>) {
        *self.doorbell.lock().unwrap_or_else(|e| e.into_inner()) = Some(doorbell);
    }

    /// Registers the email front door; later calls change nothing.
    pub fn set_piping(&self, piping: Piping) {
        let _ = self.piping.set(piping);
    }

    pub fn piping(&self) -> Option<Piping> {
        self.piping.get().copied()
    }

    /// Notes that job `name`, started at `at`, had nothing to do.
    pub fn ran_idle(&self, name: &'static str, at: String) {
        self.idle_starts.lock().unwrap_or_else(|e| e.into_inner()).insert(name, at);
    }

    /// When job `name` last began a run that had nothing to do, since the start.
    pub fn last_idle_start(&self, name: &str) -> Option<String> {
        self.idle_starts.lock().unwrap_or_else(|e| e.into_inner()).get(name).cloned()
    }

    /// The lock of the job called `name`.
    pub fn job_lock(&self, name: &'static str) -> Arc<Mutex<()>> {
        self.locks.lock().unwrap_or_else(|e| e.into_inner()).entry(name).or_default().clone()
    }
}
