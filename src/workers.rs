//! Slow work on a few threads of its own, fed by a short queue: password hashes
//! (argon2id, 19 MiB each) and image thumbnails. A flood can then use neither
//! every core nor unbounded memory, and when the queue is full the caller hears
//! [`Busy`] at once instead of waiting.

use std::sync::mpsc::{sync_channel, SyncSender, TrySendError};
use tokio::sync::oneshot;

/// Too much work is queued; try again shortly.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Busy;

type Job = Box<dyn FnOnce() + Send>;

pub struct Workers {
    queue: SyncSender<Job>,
}

/// Work under way on the threads.
pub struct Pending<T>(Result<oneshot::Receiver<T>, Busy>);

impl<T> Pending<T> {
    /// Waits without holding a thread.
    pub async fn wait(self) -> Result<T, Busy> {
        self.0?.await.map_err(|_| Busy)
    }

    /// Blocks the calling thread: only [`crate::db::doorway::Db`] calls this, after
    /// giving back its connection.
    pub(crate) fn wait_blocking(self) -> Result<T, Busy> {
        self.0?.blocking_recv().map_err(|_| Busy)
    }

    pub fn is_refused(&self) -> bool {
        self.0.is_err()
    }
}

impl Workers {
    /// Starts `threads` threads named `name-N` with room for `queued` waiting jobs.
    pub fn start(name: &str, threads: usize, queued: usize) -> Self {
        let (queue, jobs) = sync_channel::<Job>(queued);
        let jobs = std::sync::Arc::new(std::sync::Mutex::new(jobs));
        for n in 0..threads.max(1) {
            let jobs = jobs.clone();
            let spawned = std::thread::Builder::new().name(format!("{name}-{n}")).spawn(move || loop {
                let job = match jobs.lock().unwrap_or_else(|e| e.into_inner()).recv() {
                    Ok(job) => job,
                    Err(_) => return,
                };
                job();
            });
            if let Err(err) = spawned {
                tracing::error!(error = %err, name, "a worker thread could not start");
            }
        }
        Self { queue }
    }

    /// Queues `work`, or answers [`Busy`] at once when the queue is full.
    pub fn submit<T: Send + 'static>(&self, work: impl FnOnce() -> T + Send + 'static) -> Pending<T> {
        let (answer, answered) = oneshot::channel();
        let job: Job = Box::new(move || {
            let _ = answer.send(work());
        });
        match self.queue.try_send(job) {
            Ok(()) => Pending(Ok(answered)),
            Err(TrySendError::Full(_) | TrySendError::Disconnected(_)) => Pending(Err(Busy)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_full_queue_answers_busy_at_once() {
        let workers = Workers::start("test", 1, 1);
        let (hold, held) = std::sync::mpsc::channel::<()>();
        // The one thread waits on `held`; the one place in the queue fills next.
        let blocker = workers.submit(move || held.recv().ok());
        let mut accepted = Vec::new();
        let mut refused = false;
        for n in 0..3 {
            let pending = workers.submit(move || n);
            if pending.is_refused() {
                refused = true;
                break;
            }
            accepted.push(pending);
        }
        hold.send(()).unwrap();
        assert!(refused, "a full queue refuses");
        assert!(accepted.len() <= 1, "one place in the queue");
        assert_eq!(blocker.wait_blocking(), Ok(Some(())));
        for pending in accepted {
            assert!(pending.wait_blocking().is_ok());
        }
    }
}
