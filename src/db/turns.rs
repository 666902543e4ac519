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

use std::cell::Cell;
use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::Thread;

pub struct Turns {
    line: Mutex<Line>,
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

thread_local! {
    /// Whether this thread holds a turn, so that a write made during it can give it up.
    static HOLDING: Cell<bool> = const { Cell::new(false) };
}

impl Turns {
    pub fn new(at_once: usize) -> Self {
        Self { line: Mutex::new(Line { free: at_once.max(1), waiting: VecDeque::new() }) }
    }

    /// Runs `work` during a turn, waiting for one first.
    pub fn take<T>(&self, work: impl FnOnce() -> T) -> T {
        self.enter();
        let _leave = Leave(self);
        work()
    }

    /// Runs `wait` outside the current thread's turn, if it holds one, and takes a
    /// new turn afterwards.
    pub fn step_aside<T>(&self, wait: impl FnOnce() -> T) -> T {
        if !HOLDING.get() {
            return wait();
        }
        self.leave();
        let _back = Enter(self);
        wait()
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
        HOLDING.set(true);
    }

    fn leave(&self) {
        HOLDING.set(false);
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

/// Gives the turn back when the work ends, even by a panic.
struct Leave<'a>(&'a Turns);

impl Drop for Leave<'_> {
    fn drop(&mut self) {
        self.0.leave();
    }
}

/// Takes a turn again when the wait ends, even by a panic, so `Leave` stays balanced.
struct Enter<'a>(&'a Turns);

impl Drop for Enter<'_> {
    fn drop(&mut self) {
        self.0.enter();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;
    use std::time::{Duration, Instant};

    #[test]
    fn no_more_than_the_allowed_threads_work_at_once_and_waiters_step_aside() {
        let turns = Arc::new(Turns::new(2));
        let (working, most) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
        let asides = Arc::new(AtomicUsize::new(0));
        let threads: Vec<_> = (0..8)
            .map(|_| {
                let (turns, working, most, asides) = (turns.clone(), working.clone(), most.clone(), asides.clone());
                std::thread::spawn(move || {
                    turns.take(|| {
                        let now = working.fetch_add(1, Ordering::SeqCst) + 1;
                        most.fetch_max(now, Ordering::SeqCst);
                        std::thread::sleep(Duration::from_millis(5));
                        working.fetch_sub(1, Ordering::SeqCst);
                        // Waiting outside the turn: all eight threads can be here at once.
                        let all_aside = turns.step_aside(|| {
                            asides.fetch_add(1, Ordering::SeqCst);
                            let deadline = Instant::now() + Duration::from_secs(10);
                            while asides.load(Ordering::SeqCst) < 8 && Instant::now() < deadline {
                                std::thread::sleep(Duration::from_millis(1));
                            }
                            asides.load(Ordering::SeqCst) == 8
                        });
                        let now = working.fetch_add(1, Ordering::SeqCst) + 1;
                        most.fetch_max(now, Ordering::SeqCst);
                        working.fetch_sub(1, Ordering::SeqCst);
                        all_aside
                    })
                })
            })
            .collect();
        let all_aside: Vec<bool> = threads.into_iter().map(|t| t.join().unwrap()).collect();
        assert!(all_aside.iter().all(|&aside| aside), "waiters outside their turn don't hold one");
        assert_eq!(most.load(Ordering::SeqCst), 2);
    }

    #[test]
    fn turns_go_to_the_threads_in_the_order_they_asked() {
        let turns = Arc::new(Turns::new(1));
        let order = Arc::new(Mutex::new(Vec::new()));
        let threads = turns.take(|| {
            (0..5)
                .map(|n| {
                    let (turns2, order) = (turns.clone(), order.clone());
                    let thread = std::thread::spawn(move || turns2.take(|| order.lock().unwrap().push(n)));
                    // The next thread asks only once this one waits in line.
                    while turns.line().waiting.len() <= n {
                        std::thread::sleep(Duration::from_millis(1));
                    }
                    thread
                })
                .collect::<Vec<_>>()
        });
        for thread in threads {
            thread.join().unwrap();
        }
        assert_eq!(*order.lock().unwrap(), [0, 1, 2, 3, 4]);
    }

    #[test]
    fn a_turn_is_given_back_when_its_work_panics() {
        let turns = Turns::new(1);
        let panicked = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| turns.take(|| panic!("a bug"))));
        assert!(panicked.is_err());
        assert_eq!(turns.take(|| 7), 7, "the only turn is free again");
    }
}
