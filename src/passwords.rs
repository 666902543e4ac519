//! Password hashing on threads of its own. argon2id is slow and takes 19 MiB of
//! memory per hash on purpose, so hashes run on a few dedicated threads fed by a
//! short queue: a flood of sign-ins can use neither every core nor unbounded
//! memory, and when the queue is full the caller hears [`Busy`] at once.
//!
//! A check against an unknown account verifies against a dummy hash made with the
//! same parameters, so the time a sign-in takes does not tell whether the email
//! belongs to someone.

use std::sync::mpsc::{sync_channel, SyncSender, TrySendError};
use std::sync::{Arc, OnceLock};
use tokio::sync::oneshot;

/// Too many hashes are queued; try again shortly.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Busy;

type Job = Box<dyn FnOnce() + Send>;

pub struct Passwords {
    queue: SyncSender<Job>,
    dummy: Arc<OnceLock<String>>,
}

/// A hash or check under way on the password threads.
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
}

impl Passwords {
    /// Starts `threads` hashing threads with room for `queued` waiting hashes.
    pub fn start(threads: usize, queued: usize) -> Self {
        let (queue, jobs) = sync_channel::<Job>(queued);
        let jobs = Arc::new(std::sync::Mutex::new(jobs));
        for n in 0..threads.max(1) {
            let jobs = jobs.clone();
            let spawned = std::thread::Builder::new().name(format!("passwords-{n}")).spawn(move || loop {
                let job = match jobs.lock().unwrap_or_else(|e| e.into_inner()).recv() {
                    Ok(job) => job,
                    Err(_) => return,
                };
                job();
            });
            if let Err(err) = spawned {
                tracing::error!(error = %err, "a password thread could not start");
            }
        }
        Self { queue, dummy: Arc::new(OnceLock::new()) }
    }

    fn submit<T: Send + 'static>(&self, work: impl FnOnce() -> T + Send + 'static) -> Pending<T> {
        let (answer, answered) = oneshot::channel();
        let job: Job = Box::new(move || {
            let _ = answer.send(work());
        });
        match self.queue.try_send(job) {
            Ok(()) => Pending(Ok(answered)),
            Err(TrySendError::Full(_) | TrySendError::Disconnected(_)) => Pending(Err(Busy)),
        }
    }

    /// An argon2id hash of `password` in PHC format.
    pub fn hash(&self, password: &str) -> Pending<String> {
        let password = password.to_string();
        self.submit(move || crate::crypto::hash_password(&password))
    }

    /// Whether `password` matches `hash`; `None` checks against a dummy hash, which
    /// takes as long and never matches.
    pub fn verify(&self, password: &str, hash: Option<&str>) -> Pending<bool> {
        let (password, hash, dummy) = (password.to_string(), hash.map(str::to_string), self.dummy.clone());
        self.submit(move || match hash {
            Some(hash) => crate::crypto::verify_password(&password, &hash),
            None => {
                let dummy = dummy.get_or_init(|| crate::crypto::hash_password(&crate::crypto::random_hex(16)));
                let _ = crate::crypto::verify_password(&password, dummy);
                false
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_verify_on_the_password_threads_and_unknown_accounts_never_match() {
        let passwords = Passwords::start(1, 4);
        let hash = passwords.hash("secret").wait_blocking().unwrap();
        assert!(passwords.verify("secret", Some(&hash)).wait_blocking().unwrap());
        assert!(!passwords.verify("other", Some(&hash)).wait_blocking().unwrap());
        assert!(!passwords.verify("secret", None).wait_blocking().unwrap());
    }

    #[test]
    fn a_full_queue_answers_busy_at_once() {
        let passwords = Passwords::start(1, 1);
        let (hold, held) = std::sync::mpsc::channel::<()>();
        // The one thread waits on `held`; the one place in the queue fills next.
        let blocker = passwords.submit(move || held.recv().ok());
        let mut accepted = Vec::new();
        let mut refused = false;
        for _ in 0..3 {
            let pending = passwords.hash("x");
            if pending.0.is_err() {
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
            assert!(pending.wait_blocking().unwrap().starts_with("$argon2id$"));
        }
    }
}
