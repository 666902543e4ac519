//! Group commit: every request's write goes through one writer connection, and
//! writes that arrive together share one transaction and one fsync.
//!
//! A writer takes the connection, opens a batch (`BEGIN IMMEDIATE`) if none is
//! open, and runs its work inside its own SAVEPOINT, so a failing write rolls back
//! only itself. If another writer is already waiting, it hands the batch on and
//! sleeps until the batch commits; the last writer of a batch commits it. Every
//! caller returns only after the batch holding its write is durable
//! (`synchronous = FULL`), exactly as if it had committed alone.

use rusqlite::Connection;
use std::panic::{catch_unwind, resume_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Condvar, Mutex, MutexGuard};

/// A batch is committed at the latest when it holds this many writes.
const MAX_BATCH: usize = 256;

pub struct Writer {
    state: Mutex<Batching>,
    committed: Condvar,
    waiting: AtomicUsize,
}

struct Batching {
    conn: Connection,
    open: Option<u64>,
    members: usize,
    last_batch: u64,
    committed_through: u64,
    /// Recent batches whose COMMIT failed (their writes were rolled back).
    failed: Vec<u64>,
}

#[derive(Debug, thiserror::Error)]
pub enum WriteError<E> {
    #[error("the write failed")]
    Work(E),
    #[error("the batch holding this write could not be committed: {0}")]
    Commit(rusqlite::Error),
}

/// Runs one of the writer's own statements, prepared once per connection.
fn run(conn: &Connection, sql: &str) -> rusqlite::Result<()> {
    conn.prepare_cached(sql)?.execute([]).map(|_| ())
}

impl Writer {
    pub fn new(conn: Connection) -> Self {
        Self {
            state: Mutex::new(Batching {
                conn,
                open: None,
                members: 0,
                last_batch: 0,
                committed_through: 0,
                failed: Vec::new(),
            }),
            committed: Condvar::new(),
            waiting: AtomicUsize::new(0),
        }
    }

    fn lock(&self) -> MutexGuard<'_, Batching> {
        self.state.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Runs `work` in the current batch and returns once that batch is durable.
    pub fn write<T, E>(&self, work: impl FnOnce(&Connection) -> Result<T, E>) -> Result<T, E>
    where
        E: From<rusqlite::Error>,
    {
        self.waiting.fetch_add(1, Ordering::SeqCst);
        let mut state = self.lock();
        self.waiting.fetch_sub(1, Ordering::SeqCst);
        let batch = match state.open {
            Some(batch) => batch,
            None => {
                run(&state.conn, "BEGIN IMMEDIATE")?;
                state.last_batch += 1;
                let batch = state.last_batch;
                state.open = Some(batch);
                state.members = 0;
                batch
            }
        };
        state.members += 1;
        let outcome = match run(&state.conn, "SAVEPOINT write") {
            Ok(()) => {
                let conn = &state.conn;
                let outcome = catch_unwind(AssertUnwindSafe(|| work(conn)));
                let undo = if matches!(outcome, Ok(Ok(_))) { Ok(()) } else { run(conn, "ROLLBACK TO write") };
                undo.and_then(|()| run(conn, "RELEASE write")).map_err(E::from).map(|()| outcome)
            }
            Err(err) => Err(E::from(err)),
        };
        let committed = if self.waiting.load(Ordering::SeqCst) > 0 && state.members < MAX_BATCH {
            // Someone is queued behind us: they join this batch, and the last one commits.
            let state =
                self.committed.wait_while(state, |s| s.committed_through < batch).unwrap_or_else(|p| p.into_inner());
            !state.failed.contains(&batch)
        } else {
            let ok = match run(&state.conn, "COMMIT") {
                Ok(()) => true,
                Err(err) => {
                    tracing::error!(error = %err, batch, "a write batch could not be committed");
                    let _ = state.conn.execute_batch("ROLLBACK");
                    state.failed.push(batch);
                    let excess = state.failed.len().saturating_sub(64);
                    state.failed.drain(..excess);
                    false
                }
            };
            state.open = None;
            state.committed_through = batch;
            drop(state);
            self.committed.notify_all();
            ok
        };
        match outcome {
            Err(err) => Err(err),
            Ok(Err(panic)) => resume_unwind(panic),
            Ok(Ok(Err(err))) => Err(err),
            Ok(Ok(Ok(_))) if !committed => Err(E::from(rusqlite::Error::SqliteFailure(
                rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_ABORT),
                Some("the write batch could not be committed".into()),
            ))),
            Ok(Ok(Ok(value))) => Ok(value),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    fn writer() -> (Arc<Writer>, tempfile::TempDir) {
        let dir = tempfile::tempdir().unwrap();
        let conn = crate::db::open(&dir.path().join("w.db")).unwrap();
        conn.execute_batch("CREATE TABLE t (v INTEGER NOT NULL CHECK (v >= 0))").unwrap();
        (Arc::new(Writer::new(conn)), dir)
    }

    #[test]
    fn concurrent_writes_all_land_and_a_failing_one_rolls_back_only_itself() {
        let (writer, dir) = writer();
        let threads: Vec<_> = (0..32)
            .map(|i| {
                let writer = writer.clone();
                std::thread::spawn(move || {
                    writer.write(|conn| -> rusqlite::Result<usize> {
                        // Every seventh write breaks the CHECK constraint.
                        conn.execute("INSERT INTO t (v) VALUES (?1)", [if i % 7 == 0 { -1 } else { i }])
                    })
                })
            })
            .collect();
        let results: Vec<_> = threads.into_iter().map(|t| t.join().unwrap()).collect();
        assert_eq!(results.iter().filter(|r| r.is_err()).count(), 5);
        let reader = crate::db::open(&dir.path().join("w.db")).unwrap();
        let count: i64 = reader.query_row("SELECT count(*) FROM t", [], |r| r.get(0)).unwrap();
        assert_eq!(count, 27, "every acknowledged write is committed and visible to other connections");
    }

    #[test]
    fn a_panicking_write_leaves_the_writer_usable() {
        let (writer, _dir) = writer();
        let panicked = std::panic::catch_unwind(AssertUnwindSafe(|| {
            writer.write(|conn| -> rusqlite::Result<()> {
                conn.execute("INSERT INTO t (v) VALUES (1)", [])?;
                panic!("a bug in a handler");
            })
        }));
        assert!(panicked.is_err());
        let count = writer
            .write(|conn| {
                conn.execute("INSERT INTO t (v) VALUES (2)", [])
                    .and_then(|_| conn.query_row("SELECT count(*) FROM t", [], |r| r.get::<_, i64>(0)))
            })
            .unwrap();
        assert_eq!(count, 1, "the panicking write was rolled back");
    }
}
