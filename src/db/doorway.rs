//! The one doorway into SQLite: reads run on a pooled connection during one of the
//! database's [`turns`](super::turns), writes go to the group-committing
//! [`writer`](super::writer), and nothing that waits runs while a connection is held.
//!
//! Three ways in, each shaped so that holding a connection while waiting cannot be
//! written:
//! - [`Store::read`] (async) runs a closure that is given a `&Connection` and
//!   nothing else: it cannot wait for a write (writes are async or need a [`Db`]),
//!   for a password hash or for the network.
//! - [`Store::write`] (async) queues a closure into the next write batch and awaits
//!   its commit without holding a thread, a turn or a connection.
//! - [`Store::session`] (async) runs a closure with a [`Db`]: a turn and a
//!   connection taken when first needed. Everything that waits takes `&mut Db`
//!   ([`Db::write`], [`Db::outside`], [`Db::hash_password`], …) and gives both back
//!   first; the borrow checker refuses it while a `&Connection` from [`Db::conn`]
//!   is still in use.
//!
//! There are exactly as many turns as pooled connections and a connection is only
//! taken during a turn, so a thread holding a turn always finds a free connection:
//! the pool never makes anyone wait, and turns are the only line.

use super::turns::{Turn, Turns};
use super::writer::Writer;
use super::Pool;
use crate::passwords::{Busy, Passwords};
use r2d2::PooledConnection;
use r2d2_sqlite::SqliteConnectionManager;
use rusqlite::Connection;
use std::cell::OnceCell;
use std::marker::PhantomData;
use std::sync::Arc;

/// The pool, the turns and the writer of one database.
pub struct Store {
    pool: Pool,
    turns: Arc<Turns>,
    writer: Writer,
    passwords: Arc<Passwords>,
}

/// What a blocking database task could not do: the work's own error, or the task
/// itself failed (a panic, or the blocking pool shut down).
#[derive(Debug)]
pub enum TaskError<E> {
    Work(E),
    Lost,
}

impl Store {
    /// One turn per pooled connection (see the module documentation).
    pub fn new(pool: Pool, writer: Writer, passwords: Arc<Passwords>) -> Self {
        let turns = Arc::new(Turns::new(pool.max_size() as usize));
        Self { pool, turns, writer, passwords }
    }

    /// A session for a thread of its own (the scheduler, the CLI, tests). Never call
    /// it inside another session: that one's connection would be held meanwhile.
    pub fn blocking_session(self: &Arc<Self>) -> Db {
        Db { store: self.clone(), held: OnceCell::new(), _one_thread: PhantomData }
    }

    /// Runs `work` with a [`Db`] on actix's blocking pool, so SQLite never stalls an
    /// async worker.
    pub async fn session<T, F>(self: &Arc<Self>, work: F) -> Result<T, TaskError<()>>
    where
        T: Send + 'static,
        F: FnOnce(&mut Db) -> T + Send + 'static,
    {
        let store = self.clone();
        actix_web::web::block(move || work(&mut store.blocking_session())).await.map_err(|err| {
            tracing::error!(error = %err, "blocking database task failed");
            TaskError::Lost
        })
    }

    /// Runs `work` on a pooled connection during a turn.
    pub async fn read<T, E, F>(self: &Arc<Self>, work: F) -> Result<T, TaskError<E>>
    where
        T: Send + 'static,
        E: From<rusqlite::Error> + Send + 'static,
        F: FnOnce(&Connection) -> Result<T, E> + Send + 'static,
    {
        match self.session(move |db| db.conn().map_err(E::from).and_then(work)).await {
            Ok(result) => result.map_err(TaskError::Work),
            Err(_) => Err(TaskError::Lost),
        }
    }

    /// Runs `work` in the next group-committed write batch and returns once that
    /// batch is durable, waiting without holding a thread.
    pub async fn write<T, E, F>(&self, work: F) -> Result<T, E>
    where
        T: Send + 'static,
        E: From<rusqlite::Error> + Send + 'static,
        F: FnOnce(&Connection) -> Result<T, E> + Send + 'static,
    {
        self.writer.write_async(work).await
    }

    pub fn passwords(&self) -> &Passwords {
        &self.passwords
    }

    /// The histograms the database keeps for `/metrics`: waits for a turn, and
    /// the sizes of committed write batches.
    pub fn histograms(
        &self,
    ) -> (prometheus_client::metrics::histogram::Histogram, prometheus_client::metrics::histogram::Histogram) {
        (self.turns.waits(), self.writer.batch_sizes())
    }
}

/// A blocking database session: a turn and a pooled connection, taken together
/// when first needed and given back together before anything that waits. It
/// stays on the thread that made it (not `Send`), so a write closure, which runs
/// on the writer's thread, can never hold one.
pub struct Db {
    store: Arc<Store>,
    held: OnceCell<Held>,
    _one_thread: PhantomData<*const ()>,
}

/// Field order matters: the connection goes back to the pool before the turn is
/// handed on, so whoever gets the turn finds a connection free.
struct Held {
    conn: PooledConnection<SqliteConnectionManager>,
    _turn: Turn,
}

impl Db {
    /// The session's connection, waiting for a turn first if it holds none.
    pub fn conn(&self) -> rusqlite::Result<&Connection> {
        if let Some(held) = self.held.get() {
            return Ok(&held.conn);
        }
        let turn = self.store.turns.take();
        let conn = self.store.pool.get().map_err(|err| {
            tracing::error!(error = %err, "no database connection available");
            rusqlite::Error::SqliteFailure(
                rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_CANTOPEN),
                Some(format!("no database connection available: {err}")),
            )
        })?;
        Ok(&self.held.get_or_init(|| Held { conn, _turn: turn }).conn)
    }

    /// Gives the connection and the turn back until the next [`Db::conn`].
    fn give_back(&mut self) {
        self.held.take();
    }

    /// Runs `work` in the current write batch and returns once that batch is
    /// durable, with the connection and turn given back while it waits.
    pub fn write<T, E, F>(&mut self, work: F) -> Result<T, E>
    where
        T: Send + 'static,
        E: From<rusqlite::Error> + Send + 'static,
        F: FnOnce(&Connection) -> Result<T, E> + Send + 'static,
    {
        self.give_back();
        self.store.writer.write(work)
    }

    /// Runs `wait` (the network, a long computation) with nothing held.
    pub fn outside<T>(&mut self, wait: impl FnOnce() -> T) -> T {
        self.give_back();
        wait()
    }

    /// An argon2id hash of `password`, computed with nothing held.
    pub fn hash_password(&mut self, password: &str) -> Result<String, Busy> {
        self.give_back();
        self.store.passwords.hash(password).wait_blocking()
    }

    /// Whether `password` matches `hash` (`None`: a dummy hash that never matches,
    /// taking the same time), checked with nothing held.
    pub fn verify_password(&mut self, password: &str, hash: Option<&str>) -> Result<bool, Busy> {
        self.give_back();
        self.store.passwords.verify(password, hash).wait_blocking()
    }

    /// Whether the session holds a connection now (for tests of the doorway).
    pub fn holds_connection(&self) -> bool {
        self.held.get().is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn store(connections: u32) -> (Arc<Store>, tempfile::TempDir) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("d.db");
        let writer = Writer::new(crate::db::open(&path).unwrap()).unwrap();
        writer.write(|c| c.execute_batch("CREATE TABLE t (v INTEGER)")).unwrap();
        let pool = crate::db::pool(&path, connections).unwrap();
        (Arc::new(Store::new(pool, writer, Arc::new(Passwords::start(1, 4)))), dir)
    }

    #[test]
    fn a_session_holds_its_connection_only_between_conn_and_what_waits() {
        let (store, _dir) = store(1);
        let mut db = store.blocking_session();
        assert!(!db.holds_connection(), "nothing is taken before the first conn");
        db.conn().unwrap();
        assert!(db.holds_connection());
        db.write(|c| c.execute("INSERT INTO t (v) VALUES (1)", [])).unwrap();
        assert!(!db.holds_connection(), "a write gives the connection back");
        let count: i64 = db.conn().unwrap().query_row("SELECT count(*) FROM t", [], |r| r.get(0)).unwrap();
        assert_eq!(count, 1, "the session reads its own acknowledged write");
        db.outside(|| ());
        assert!(!db.holds_connection(), "waiting outside gives it back");
    }

    #[test]
    fn sessions_waiting_for_writes_never_starve_readers_of_the_one_connection() {
        // One connection and one turn: if a session kept its connection while its
        // write waited, the other threads' reads would wait for the pool's timeout.
        let (store, _dir) = store(1);
        let started = std::time::Instant::now();
        let threads: Vec<_> = (0..16)
            .map(|i| {
                let store = store.clone();
                std::thread::spawn(move || {
                    let mut db = store.blocking_session();
                    let before: i64 = db.conn().unwrap().query_row("SELECT count(*) FROM t", [], |r| r.get(0)).unwrap();
                    db.write(move |c| c.execute("INSERT INTO t (v) VALUES (?1)", [i])).unwrap();
                    let after: i64 = db.conn().unwrap().query_row("SELECT count(*) FROM t", [], |r| r.get(0)).unwrap();
                    assert!(after > before);
                })
            })
            .collect();
        threads.into_iter().for_each(|t| t.join().unwrap());
        assert!(started.elapsed() < std::time::Duration::from_secs(5), "no session waited on the pool");
    }
}
