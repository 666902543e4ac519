//! What every request handler can reach, and the one doorway from async code into
//! SQLite.

use crate::clock::Clock;
use crate::config::Config;
use crate::crypto::SecretKey;
use crate::db::Pool;
use crate::error::{ApiError, ApiResult, Failure};
use r2d2::PooledConnection;
use r2d2_sqlite::SqliteConnectionManager;
use rusqlite::Connection;
use std::cell::OnceCell;
use std::sync::Arc;

#[derive(Clone)]
pub struct AppState {
    pub pool: Pool,
    pub config: Arc<Config>,
    pub clock: Clock,
    pub key: SecretKey,
    pub jobs: Arc<crate::jobs::JobControl>,
    /// The one writer every write of the server goes through (group commit).
    pub writer: Arc<crate::db::writer::Writer>,
    /// Caps the threads running database work at once (see [`crate::db::turns`]).
    pub turns: Arc<crate::db::turns::Turns>,
}

impl AppState {
    /// Runs `work` with a pooled connection on actix's blocking thread pool, so
    /// SQLite never stalls an async worker, during one of the database's turns.
    pub async fn db<T, F>(&self, work: F) -> ApiResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> ApiResult<T> + Send + 'static,
    {
        self.leased(move |lease| work(lease.get()?)).await
    }

    /// [`AppState::db`] with a [`Lease`] rather than a connection, for work that
    /// waits for writes and can give its connection back meanwhile.
    pub async fn leased<T, F>(&self, work: F) -> ApiResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&mut Lease) -> ApiResult<T> + Send + 'static,
    {
        let (pool, turns) = (self.pool.clone(), self.turns.clone());
        actix_web::web::block(move || turns.take(|| work(&mut Lease::new(pool)))).await.map_err(|err| {
            tracing::error!(error = %err, "blocking database task failed");
            ApiError::Failure(Failure::InternalError)
        })?
    }

    /// Runs `work` as part of a group-committed write transaction, returning once
    /// it is durable. Blocks: call it from the blocking pool or a job thread, never
    /// from inside another write. Inside [`AppState::db`] it gives up the turn
    /// while it waits.
    pub fn write<T, E, F>(&self, work: F) -> Result<T, E>
    where
        T: Send + 'static,
        E: From<rusqlite::Error> + Send + 'static,
        F: FnOnce(&Connection) -> Result<T, E> + Send + 'static,
    {
        self.turns.step_aside(|| self.writer.write(work))
    }

    /// [`AppState::write`] for async handlers: waits without holding a thread.
    pub async fn write_async<T, F>(&self, work: F) -> ApiResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> ApiResult<T> + Send + 'static,
    {
        self.writer.write_async(work).await
    }

    /// The URL of the default profile picture.
    pub fn default_avatar_url(&self) -> String {
        format!("{}/static/img/user.svg", self.config.public_base())
    }
}

/// A pooled connection, taken when first needed. A write's wait for its batch
/// gives it back, so that the threads waiting for writes, which group commit wants
/// many of, don't each hold one of the pool's few connections.
pub struct Lease {
    pool: Pool,
    conn: OnceCell<PooledConnection<SqliteConnectionManager>>,
}

impl Lease {
    fn new(pool: Pool) -> Self {
        Self { pool, conn: OnceCell::new() }
    }

    pub fn get(&self) -> ApiResult<&Connection> {
        if let Some(conn) = self.conn.get() {
            return Ok(conn);
        }
        let conn = self.pool.get().map_err(|err| {
            tracing::error!(error = %err, "no database connection available");
            ApiError::Failure(Failure::DatabaseError)
        })?;
        Ok(self.conn.get_or_init(|| conn))
    }

    /// Returns the connection to the pool until the next [`Lease::get`].
    pub fn give_back(&mut self) {
        self.conn.take();
    }
}

#[cfg(test)]
mod tests {
    use super::Lease;

    #[test]
    fn a_lease_holds_a_connection_only_between_get_and_give_back() {
        let dir = tempfile::tempdir().unwrap();
        let pool = crate::db::pool(&dir.path().join("lease.db"), 1).unwrap();
        let mut lease = Lease::new(pool.clone());
        assert!(pool.try_get().is_some(), "nothing is taken before the first get");
        lease.get().unwrap();
        assert!(pool.try_get().is_none(), "the pool's one connection is leased");
        lease.give_back();
        assert!(pool.try_get().is_some(), "given back");
        let one: i64 = lease.get().unwrap().query_row("SELECT 1", [], |r| r.get(0)).unwrap();
        assert_eq!(one, 1, "a lease takes a connection again when needed");
    }
}
