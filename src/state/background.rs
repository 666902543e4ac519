//! What request handlers share with the work that happens on its own: the doorbell
//! that wakes the outbox's delivery when something is queued, and one lock per
//! job so that a job never runs twice at once, whoever starts it.

use std::collections::HashMap;
use std::sync::mpsc::SyncSender;
use std::sync::{Arc, Mutex};

#[derive(Default)]
pub struct Background {
    doorbell: Mutex<Option<SyncSender<()>>>,
    locks: Mutex<HashMap<&'static str, Arc<Mutex<()>>>>,
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

    /// The lock of the job called `name`.
    pub fn job_lock(&self, name: &'static str) -> Arc<Mutex<()>> {
        self.locks.lock().unwrap_or_else(|e| e.into_inner()).entry(name).or_default().clone()
    }
}
