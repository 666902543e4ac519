//! What every request handler can reach. The database is reached only through the
//! [`doorway`](crate::db::doorway): [`AppState::read`], [`AppState::write`] and
//! [`AppState::session`].

use crate::clock::Clock;
use crate::config::Config;
use crate::crypto::SecretKey;
use crate::db::doorway::{Db, Store, TaskError};
use crate::error::{ApiError, ApiResult, Failure};
use crate::passwords::Busy;
use rusqlite::Connection;
use std::sync::Arc;

mod background;
mod hub;
mod settings;

pub use background::{Background, Piping};
pub use hub::{Hub, Live};
pub use settings::SettingsCache;

#[derive(Clone)]
pub struct AppState {
    pub config: Arc<Config>,
    pub clock: Clock,
    pub key: SecretKey,
    /// The outbox's doorbell and the jobs' locks.
    pub background: Arc<Background>,
    /// The database: its pool, turns, writer and password threads.
    pub store: Arc<Store>,
    /// Client addresses behind trusted proxies, and the public paths' rate limits.
    pub traffic: Arc<crate::traffic::Traffic>,
    settings: Arc<SettingsCache>,
    /// Live events for the chat widget's streams.
    pub hub: Arc<Hub>,
    /// What `/metrics` reports.
    pub metrics: Arc<crate::metrics::Metrics>,
    /// The data directory, held shared while this state lives (see [`crate::data_dir::Held`]).
    _data_dir: Arc<crate::data_dir::Held>,
    /// The thread that makes thumbnails of uploaded images, one at a time.
    pub images: Arc<crate::workers::Workers>,
}

fn settle<T>(result: Result<T, TaskError<ApiError>>) -> ApiResult<T> {
    match result {
        Ok(value) => Ok(value),
        Err(TaskError::Work(err)) => Err(err),
        Err(TaskError::Lost) => Err(Failure::InternalError.into()),
    }
}

impl From<Busy> for ApiError {
    fn from(_: Busy) -> Self {
        ApiError::Failure(Failure::RateLimited)
    }
}

impl AppState {
    pub fn new(
        config: Config,
        clock: Clock,
        key: SecretKey,
        store: Arc<Store>,
        traffic: Arc<crate::traffic::Traffic>,
        held: crate::data_dir::Held,
    ) -> Self {
        let (config, background, settings) = (Arc::new(config), Arc::default(), Arc::default());
        let _data_dir = Arc::new(held);
        let (turn_waits, batch_sizes) = store.histograms();
        let metrics = Arc::new(crate::metrics::Metrics::new(turn_waits, batch_sizes));
        let images = Arc::new(crate::workers::Workers::start("images", 1, 8));
        Self {
            config,
            clock,
            key,
            background,
            store,
            traffic,
            settings,
            hub: Arc::default(),
            metrics,
            _data_dir,
            images,
        }
    }

    /// Runs `work` on a pooled connection during a turn, on the blocking pool.
    pub async fn read<T, F>(&self, work: F) -> ApiResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> ApiResult<T> + Send + 'static,
    {
        settle(self.store.read(work).await)
    }

    /// Runs `work` with a [`Db`] session on the blocking pool, for work that reads,
    /// writes and reads again in one go.
    pub async fn session<T, F>(&self, work: F) -> ApiResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&mut Db) -> ApiResult<T> + Send + 'static,
    {
        settle(self.store.session(work).await.map_err(|_| TaskError::Lost).and_then(|r| r.map_err(TaskError::Work)))
    }

    /// Runs `work` in the next group-committed write batch, returning once it is
    /// durable; waits without holding a thread, a turn or a connection.
    pub async fn write<T, F>(&self, work: F) -> ApiResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> ApiResult<T> + Send + 'static,
    {
        self.store.write(work).await
    }

    /// A session for a thread of its own: the scheduler, tests. Never inside a session.
    pub fn blocking_session(&self) -> Db {
        self.store.blocking_session()
    }

    /// An argon2id hash of `password`, made on the password threads.
    pub async fn hash_password(&self, password: &str) -> ApiResult<String> {
        Ok(self.store.passwords().hash(password).wait().await?)
    }

    /// Whether `password` matches `hash` (`None`: an unknown account, checked
    /// against a dummy hash so that it takes as long).
    pub async fn verify_password(&self, password: &str, hash: Option<&str>) -> ApiResult<bool> {
        Ok(self.store.passwords().verify(password, hash).wait().await?)
    }

    /// The current settings (kept in memory until a save).
    pub fn settings(&self, conn: &Connection) -> rusqlite::Result<Arc<crate::domain::settings::Settings>> {
        self.settings.get(conn)
    }

    /// Says the settings were saved: the next read takes them from the database.
    pub fn settings_changed(&self) {
        self.settings.changed();
    }

    /// The URL of the default profile picture.
    pub fn default_avatar_url(&self) -> String {
        format!("{}/static/img/user.svg", self.config.public_base())
    }
}
