//! What every request handler can reach, and the one doorway from async code into
//! SQLite.

use crate::clock::Clock;
use crate::config::Config;
use crate::crypto::SecretKey;
use crate::db::Pool;
use crate::error::{ApiError, ApiResult, Failure};
use rusqlite::Connection;
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
        F: FnOnce(&mut Connection) -> ApiResult<T> + Send + 'static,
    {
        let (pool, turns) = (self.pool.clone(), self.turns.clone());
        actix_web::web::block(move || {
            turns.take(|| {
                let mut conn = pool.get().map_err(|err| {
                    tracing::error!(error = %err, "no database connection available");
                    ApiError::Failure(Failure::DatabaseError)
                })?;
                work(&mut conn)
            })
        })
        .await
        .map_err(|err| {
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
