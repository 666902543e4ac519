//! Password hashing on [`Workers`] of its own: argon2id is slow and takes 19 MiB
//! of memory per hash on purpose, so a flood of sign-ins can use neither every
//! core nor unbounded memory.
//!
//! A check against an unknown account verifies against a dummy hash made with the
//! same parameters, so the time a sign-in takes does not tell whether the email
//! belongs to someone.

use crate::workers::{Pending, Workers};
use std::sync::{Arc, OnceLock};

pub use crate::workers::Busy;

pub struct Passwords {
    workers: Workers,
    dummy: Arc<OnceLock<String>>,
}

impl Passwords {
    /// Starts `threads` hashing threads with room for `queued` waiting hashes.
    pub fn start(threads: usize, queued: usize) -> Self {
        Self { workers: Workers::start("passwords", threads, queued), dummy: Arc::new(OnceLock::new()) }
    }

    /// An argon2id hash of `password` in PHC format.
    pub fn hash(&self, password: &str) -> Pending<String> {
        let password = password.to_string();
        self.workers.submit(move || crate::crypto::hash_password(&password))
    }

    /// Whether `password` matches `hash`; `None` checks against a dummy hash, which
    /// takes as long and never matches.
    pub fn verify(&self, password: &str, hash: Option<&str>) -> Pending<bool> {
        let (password, hash, dummy) = (password.to_string(), hash.map(str::to_string), self.dummy.clone());
        self.workers.submit(move || match hash {
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
}
