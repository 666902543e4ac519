//! Group commit: every write of the server runs on one writer thread that owns the
//! one write connection, and writes that queue up while a batch runs share the next
//! transaction and its fsync.
//!
//! The thread opens a batch (`BEGIN IMMEDIATE`) for the first queued write, runs it
//! and every write queued behind it, each in its own SAVEPOINT so a failing write
//! rolls back only itself, then commits once. Callers hear back only after the
//! batch holding their write is durable (`synchronous = FULL`), exactly as if it had
//! committed alone.
//!
//! Writes are closures that own what they need (`'static`), because they run on the
//! writer's thread rather than the caller's: handing one connection from caller to
//! caller cost a context switch per write, and on two cores those switches, not
//! fsync, bounded write throughput.

use prometheus_client::metrics::histogram::{exponential_buckets, Histogram};
use rusqlite::Connection;
use std::panic::{catch_unwind, resume_unwind, AssertUnwindSafe};
use std::sync::mpsc;
use tokio::sync::oneshot;

/// A batch is committed at the latest when it holds this many writes.
const MAX_BATCH: usize = 256;

/// A queued write: it runs on the writer thread (given the connection, or the
/// reason the batch could not start) and returns what tells its caller the end.
type Job = Box<dyn FnOnce(Result<&Connection, &str>) -> Reply + Send>;
/// Called once the batch has committed (`true`) or been rolled back (`false`).
type Reply = Box<dyn FnOnce(bool) + Send>;

/// What the writer thread sends back: the write's own result, or its panic.
type Outcome<T, E> = std::thread::Result<Result<T, E>>;

pub struct Writer {
    queue: mpsc::Sender<Job>,
    /// How many writes each committed batch held (for `/metrics`).
    batch_sizes: Histogram,
}

/// An error for writes whose batch failed as a whole.
fn batch_error(message: &str) -> rusqlite::Error {
    rusqlite::Error::SqliteFailure(rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_ABORT), Some(message.into()))
}

/// Runs one of the writer's own statements, prepared once per connection.
fn run(conn: &Connection, sql: &str) -> rusqlite::Result<()> {
    conn.prepare_cached(sql)?.execute([]).map(|_| ())
}

impl Writer {
    /// Starts the writer thread over `conn`; it ends when the last handle is dropped.
    pub fn new(conn: Connection) -> std::io::Result<Self> {
        // Checkpoints run on this thread, between batches. At SQLite's default of
        // 1000 WAL pages they came every dozen batches and took a quarter of the
        // writer's time; 8000 pages (32 MB of WAL) lets repeated writes of the same
        // pages fold into one copy (send-message at 100k messages: 2000 -> 2620/s).
        conn.execute_batch("PRAGMA wal_autocheckpoint = 8000;").map_err(std::io::Error::other)?;
        let (queue, jobs) = mpsc::channel();
        // 1, 2, 4 … 256 writes: MAX_BATCH is the last bucket.
        let batch_sizes = Histogram::new(exponential_buckets(1.0, 2.0, 9));
        let sizes = batch_sizes.clone();
        std::thread::Builder::new().name("sqlite-writer".into()).spawn(move || run_batches(&conn, &jobs, &sizes))?;
        Ok(Self { queue, batch_sizes })
    }

    /// The sizes of committed batches, as a histogram the metrics share.
    pub fn batch_sizes(&self) -> Histogram {
        self.batch_sizes.clone()
    }

    /// Runs `work` in the current batch and returns once that batch is durable.
    /// Blocks the calling thread: only the doorway's [`super::doorway::Db::write`]
    /// calls it, after giving back its connection and turn.
    pub(super) fn write<T, E, F>(&self, work: F) -> Result<T, E>
    where
        T: Send + 'static,
        E: From<rusqlite::Error> + Send + 'static,
        F: FnOnce(&Connection) -> Result<T, E> + Send + 'static,
    {
        settle(self.submit(work).blocking_recv())
    }

    /// [`Writer::write`] for async code: waits without holding a thread.
    pub async fn write_async<T, E, F>(&self, work: F) -> Result<T, E>
    where
        T: Send + 'static,
        E: From<rusqlite::Error> + Send + 'static,
        F: FnOnce(&Connection) -> Result<T, E> + Send + 'static,
    {
        settle(self.submit(work).await)
    }

    fn submit<T, E, F>(&self, work: F) -> oneshot::Receiver<(Outcome<T, E>, bool)>
    where
        T: Send + 'static,
        E: From<rusqlite::Error> + Send + 'static,
        F: FnOnce(&Connection) -> Result<T, E> + Send + 'static,
    {
        let (answer, answered) = oneshot::channel();
        let job: Job = Box::new(move |batch| {
            let outcome = match batch {
                Ok(conn) => in_savepoint(conn, work),
                Err(why) => Ok(Err(E::from(batch_error(why)))),
            };
            Box::new(move |committed| {
                // A caller that stopped waiting no longer needs the answer.
                let _ = answer.send((outcome, committed));
            })
        });
        // If the writer thread is gone the job is dropped with its sender, and the
        // caller's receive fails: `settle` turns that into an error.
        let _ = self.queue.send(job);
        answered
    }
}

/// Runs `work` in its own SAVEPOINT, rolling back only its changes if it fails or panics.
fn in_savepoint<T, E, F>(conn: &Connection, work: F) -> Outcome<T, E>
where
    E: From<rusqlite::Error>,
    F: FnOnce(&Connection) -> Result<T, E>,
{
    if let Err(err) = run(conn, "SAVEPOINT write") {
        return Ok(Err(E::from(err)));
    }
    let outcome = catch_unwind(AssertUnwindSafe(|| work(conn)));
    let undo = if matches!(outcome, Ok(Ok(_))) { Ok(()) } else { run(conn, "ROLLBACK TO write") };
    match undo.and_then(|()| run(conn, "RELEASE write")) {
        Ok(()) => outcome,
        Err(err) => Ok(Err(E::from(err))),
    }
}

/// The caller's side: the write's result, its panic resumed, or the batch's failure.
fn settle<T, E: From<rusqlite::Error>>(
    answer: Result<(Outcome<T, E>, bool), oneshot::error::RecvError>,
) -> Result<T, E> {
    match answer {
        Err(_) => Err(E::from(batch_error("the database writer has stopped"))),
        Ok((Err(panic), _)) => resume_unwind(panic),
        Ok((Ok(Ok(_)), false)) => Err(E::from(batch_error("the write batch could not be committed"))),
        Ok((Ok(result), _)) => result,
    }
}

/// The writer thread: one batch per turn, until every [`Writer`] handle is gone.
fn run_batches(conn: &Connection, jobs: &mpsc::Receiver<Job>, sizes: &Histogram) {
    while let Ok(first) = jobs.recv() {
        if let Err(err) = run(conn, "BEGIN IMMEDIATE") {
            tracing::error!(error = %err, "a write batch could not begin");
            first(Err("the write batch could not begin"))(false);
            continue;
        }
        let mut replies = vec![first(Ok(conn))];
        while replies.len() < MAX_BATCH {
            match jobs.try_recv() {
                Ok(job) => replies.push(job(Ok(conn))),
                Err(_) => break,
            }
        }
        let committed = match run(conn, "COMMIT") {
            Ok(()) => {
                sizes.observe(replies.len() as f64);
                true
            }
            Err(err) => {
                tracing::error!(error = %err, writes = replies.len(), "a write batch could not be committed");
                let _ = conn.execute_batch("ROLLBACK");
                false
            }
        };
        for reply in replies {
            reply(committed);
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
        (Arc::new(Writer::new(conn).unwrap()), dir)
    }

    #[test]
    fn concurrent_writes_all_land_and_a_failing_one_rolls_back_only_itself() {
        let (writer, dir) = writer();
        let threads: Vec<_> = (0..32)
            .map(|i| {
                let writer = writer.clone();
                std::thread::spawn(move || {
                    writer.write(move |conn| -> rusqlite::Result<usize> {
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
            writer.write(move |conn| -> rusqlite::Result<()> {
                conn.execute("INSERT INTO t (v) VALUES (1)", [])?;
                panic!("a bug in a handler");
            })
        }));
        assert!(panicked.is_err());
        let count = writer
            .write(move |conn| {
                conn.execute("INSERT INTO t (v) VALUES (2)", [])
                    .and_then(|_| conn.query_row("SELECT count(*) FROM t", [], |r| r.get::<_, i64>(0)))
            })
            .unwrap();
        assert_eq!(count, 1, "the panicking write was rolled back");
    }

    #[test]
    fn async_writes_are_answered_on_a_single_threaded_runtime() {
        let (writer, _dir) = writer();
        let runtime = tokio::runtime::Builder::new_current_thread().build().unwrap();
        let inserted = runtime.block_on(futures_util::future::join_all(
            (0..8).map(|v| writer.write_async(move |conn| conn.execute("INSERT INTO t (v) VALUES (?1)", [v]))),
        ));
        assert!(inserted.iter().all(|r| matches!(r, Ok(1))), "{inserted:?}");
        let count = writer.write(|conn| conn.query_row("SELECT count(*) FROM t", [], |r| r.get::<_, i64>(0))).unwrap();
        assert_eq!(count, 8);
    }
}
