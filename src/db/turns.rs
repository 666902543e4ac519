//! Turns at the database: how many threads may run SQLite work at once.
//!
//! On two cores, eight threads that all run queries are time-sliced by the kernel,
//! and a request whose thread is switched out mid-query waits for the others'
//! slices: the slow tail of every read list. Fewer threads would cap that, but a
//! write waits for its batch's fsync on its thread, and group commit needs many
//! such waiters to fill a batch. So threads stay many and take turns: a thread runs
//! database work only during its turn, and gives the turn up while it waits for a
//! write to become durable.
//!
//! Turns go first come, first served, each handed straight from the thread that
//! ends one to the thread waiting longest. Waking every waiter to let one through
//! lengthened the tail once sixteen threads waited (search-conversations' p95 at
//! 1M messages: 20.7 ms, against 15-16 ms with the hand-over).

use prometheus_client::metrics::histogram::{exponential_buckets, Histogram};
use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::Thread;

pub struct Turns {
    line: Mutex<Line>,
    /// How long each turn was waited for, in seconds (for `/metrics`).
    waits: Histogram,
}

/// Free turns, or threads waiting for one: never both.
struct Line {
    free: usize,
    waiting: VecDeque<Waiter>,
}

struct Waiter {
    thread: Thread,
    called: Arc<AtomicBool>,
}

/// A turn held; dropping it (even by a panic) hands it to the longest waiter.
pub struct Turn {
    turns: Arc<Turns>,
}

impl Drop for Turn {
    fn drop(&mut self) {
        self.turns.leave();
    }
}

impl Turns {
    pub fn new(at_once: usize) -> Self {
        // 10 µs to about 5 s.
        let waits = Histogram::new(exponential_buckets(0.000_01, 4.0, 10));
        Self { line: Mutex::new(Line { free: at_once.max(1), waiting: VecDeque::new() }), waits }
    }

    /// Waits for a turn and holds it until the [`Turn`] is dropped.
    pub fn take(self: &Arc<Self>) -> Turn {
        let started = std::time::Instant::now();
        self.enter();
        self.waits.observe(started.elapsed().as_secs_f64());
        Turn { turns: self.clone() }
    }

    /// The waits for turns, as a histogram the metrics share.
    pub fn waits(&self) -> Histogram {
        self.waits.clone()
    }

    fn line(&self) -> std::sync::MutexGuard<'_, Line> {
        self.line.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn enter(&self) {
        let called = {
            let mut line = self.line();
            if line.free > 0 {
                line.free -= 1;
                None
            } else {
                let called = Arc::new(AtomicBool::new(false));
                line.waiting.push_back(Waiter { thread: std::thread::current(), called: called.clone() });
                Some(called)
            }
        };
        if let Some(called) = called {
            // park may return early; only the flag says the turn was handed over.
            while !called.load(Ordering::Acquire) {
                std::thread::park();
            }
        }
    }

    fn leave(&self) {
        let next = {
            let mut line = self.line();
            let next = line.waiting.pop_front();
            if next.is_none() {
                line.free += 1;
            }
            next
        };
        if let Some(next) = next {
            next.called.store(true, Ordering::Release);
            next.thread.unpark();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::time::{Duration, Instant};

    /// Spins until `done` holds, failing (not hanging) after a few seconds.
    fn wait_for(what: &str, done: impl Fn() -> bool) {
        let deadline = Instant::now() + Duration::from_secs(5);
        while !done() {
            assert!(Instant::now() < deadline, "gave up waiting: {what}");
            std::thread::yield_now();
        }
    }

    #[test]
    fn no_more_than_the_allowed_threads_hold_a_turn_at_once() {
        let turns = Arc::new(Turns::new(2));
        let (holding, most) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
        let threads: Vec<_> = (0..8)
            .map(|_| {
                let (turns, holding, most) = (turns.clone(), holding.clone(), most.clone());
                std::thread::spawn(move || {
                    let _turn = turns.take();
                    let now = holding.fetch_add(1, Ordering::SeqCst) + 1;
                    most.fetch_max(now, Ordering::SeqCst);
                    // Each holder waits for a second one, so the test sees two at once
                    // whatever the scheduling; a third would push `most` past two.
                    let deadline = Instant::now() + Duration::from_secs(2);
                    while holding.load(Ordering::SeqCst) < 2 && Instant::now() < deadline {
                        std::thread::yield_now();
                    }
                    most.fetch_max(holding.load(Ordering::SeqCst), Ordering::SeqCst);
                    holding.fetch_sub(1, Ordering::SeqCst);
                })
            })
            .collect();
        threads.into_iter().for_each(|t| t.join().unwrap());
        assert_eq!(most.load(Ordering::SeqCst), 2, "two turns: two holders at once, never three");
    }

    #[test]
    fn turns_go_to_the_threads_in_the_order_they_asked() {
        let turns = Arc::new(Turns::new(1));
        let order = Arc::new(Mutex::new(Vec::new()));
        let first = turns.take();
        let threads: Vec<_> = (0..5)
            .map(|n| {
                let (turns2, order) = (turns.clone(), order.clone());
                let thread = std::thread::spawn(move || {
                    let _turn = turns2.take();
                    order.lock().unwrap().push(n);
                });
                // The next thread asks only once this one waits in line.
                wait_for("the thread to queue", || turns.line().waiting.len() > n);
                thread
            })
            .collect();
        drop(first);
        threads.into_iter().for_each(|t| t.join().unwrap());
        assert_eq!(*order.lock().unwrap(), [0, 1, 2, 3, 4]);
    }

    #[test]
    fn a_turn_is_given_back_when_its_holder_panics() {
        let turns = Arc::new(Turns::new(1));
        let panicked = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            let _turn = turns.take();
            panic!("a bug")
        }));
        assert!(panicked.is_err());
        assert_eq!(turns.line().free, 1, "the only turn is free again");
    }
}
