//! Opening the data directory and wiring the HTTP app. [`prepare`] readies the
//! store (creating and migrating it); [`spawn`] serves it on a listener the caller
//! bound, so tests can use port 0.

use crate::api::dispatch::{self, CallOutcome, FunctionName};
use crate::clock::Clock;
use crate::config::Config;
use crate::crypto::SecretKey;
use crate::db::{self, migrate};
use crate::state::AppState;
use actix_web::dev::{Server, Service};
use actix_web::middleware::DefaultHeaders;
use actix_web::{web, App, HttpServer};
use std::net::TcpListener;
use std::sync::Arc;
use std::time::Instant;

#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("cannot use data directory {path}: {source}")]
    DataDir { path: String, source: std::io::Error },
    #[error(transparent)]
    Migrate(#[from] migrate::MigrateError),
    #[error("cannot open the database: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("cannot start the database writer: {source}")]
    Writer { source: std::io::Error },
    #[error("cannot open the database pool: {0}")]
    Pool(#[from] r2d2::Error),
    #[error("{path} is being restored (switchboard restore); start again when it is done")]
    Restoring { path: String },
    #[error("cannot keep a copy of the database before migrating it, at {path}: {source}")]
    KeepBeforeMigrating { path: String, source: rusqlite::Error },
}

/// Creates the data directory (private to this user, see [`crate::data_dir`]),
/// key and database as needed, migrates the schema, and returns the state every
/// request shares.
pub fn prepare(config: Config, clock: Clock) -> Result<AppState, StartError> {
    let data_dir_error = |source| StartError::DataDir { path: config.data_dir.display().to_string(), source };
    crate::data_dir::prepare(&config).map_err(data_dir_error)?;
    let held = crate::data_dir::hold_shared(&config.data_dir)
        .map_err(data_dir_error)?
        .ok_or_else(|| StartError::Restoring { path: config.data_dir.display().to_string() })?;
    let key = SecretKey::load_or_create(&config.data_dir.join("secret.key")).map_err(data_dir_error)?;
    let mut conn = db::open(&config.database_path())?;
    keep_before_migrating(&conn, &config)?;
    migrate::run(&mut conn)?;
    drop(conn);
    let pool = db::pool(&config.database_path(), config.db_pool_size)?;
    let writer =
        db::writer::Writer::new(db::open(&config.database_path())?).map_err(|source| StartError::Writer { source })?;
    // Half the cores hash passwords at most, so a flood of sign-ins leaves the rest
    // to everyone else; a short queue bounds the memory waiting hashes take.
    let passwords = Arc::new(crate::passwords::Passwords::start(cores().div_ceil(2), 16));
    let store = Arc::new(db::doorway::Store::new(pool, writer, passwords));
    let traffic = Arc::new(crate::traffic::Traffic::new(&config));
    let state = AppState::new(config, clock, key, store, traffic, held);
    state
        .background
        .set_piping(crate::state::Piping { sync: crate::mail::sync::run, test: crate::mail::sync::test_connection });
    Ok(state)
}

/// Before a migration changes a database that holds data, a consistent copy of
/// it is kept as `switchboard.db.before-<first migration>` (e.g. `before-0018`),
/// so an upgrade can be undone with `switchboard restore`. A copy already there
/// (an earlier try at the same upgrade) is kept as it is.
fn keep_before_migrating(conn: &rusqlite::Connection, config: &Config) -> Result<(), StartError> {
    let found = migrate::version(conn)?;
    if found == 0 || found >= migrate::latest_version() {
        return Ok(());
    }
    let copy = config.data_dir.join(format!("switchboard.db.before-{:04}", found + 1));
    if copy.exists() {
        return Ok(());
    }
    db::backup::copy_to(conn, &copy)
        .map_err(|source| StartError::KeepBeforeMigrating { path: copy.display().to_string(), source })?;
    tracing::info!(copy = %copy.display(), "kept a copy of the database before migrating it");
    Ok(())
}

/// The cores Switchboard may use: one HTTP worker each.
pub fn cores() -> usize {
    std::thread::available_parallelism().map_or(2, |n| n.get())
}

/// The path as logged: a password-reset link's token is a secret until used, so
/// only its place is shown.
fn loggable_path(path: &str) -> String {
    match path.find("/admin/password-reset/") {
        Some(at) => format!("{}/admin/password-reset/…", &path[..at]),
        None => path.to_string(),
    }
}

/// The refusal for a request to an anonymous path over its address's rate limit.
fn rate_limited(req: &actix_web::dev::ServiceRequest) -> Option<actix_web::HttpResponse> {
    let state = req.app_data::<web::Data<AppState>>()?;
    let path = req.path().strip_prefix(state.config.base_path.as_str()).unwrap_or(req.path());
    let class = crate::traffic::Class::of(req.method().as_str(), path)?;
    let forwarded = req.headers().get("x-forwarded-for").and_then(|v| v.to_str().ok());
    let client = state.traffic.client(req.peer_addr().map(|a| a.ip()), forwarded)?;
    let wait = state.traffic.admit(class, client).err()?;
    let seconds = wait.as_secs() + 1;
    Some(
        actix_web::HttpResponse::TooManyRequests()
            .insert_header(("Retry-After", seconds.to_string()))
            .content_type("text/plain; charset=utf-8")
            .body(format!("Too many requests from your address. Try again in {seconds} seconds.\n")),
    )
}

/// Counts a request in the metrics: API calls by function and envelope code,
/// everything else by its route pattern (never its path, which holds IDs) and
/// status class.
fn count(
    response: &actix_web::dev::ServiceResponse,
    function: Option<&'static str>,
    pattern: Option<String>,
    seconds: f64,
) {
    let Some(state) = response.request().app_data::<web::Data<AppState>>() else { return };
    let call = response.response().extensions().get::<CallOutcome>().map(|o| o.0);
    let status = format!("{}xx", response.status().as_u16() / 100);
    let (kind, name, outcome) = match (call, pattern) {
        (Some(outcome), _) => ("api", function.unwrap_or("unknown").to_string(), outcome.to_string()),
        (None, Some(pattern)) => {
            let pattern = pattern.strip_prefix(state.config.base_path.as_str()).unwrap_or(&pattern).to_string();
            let kind = if pattern.starts_with("/widget") { "widget" } else { "page" };
            (kind, pattern, status)
        }
        (None, None) => ("page", "unmatched".to_string(), status),
    };
    state.metrics.request(kind, &name, &outcome, seconds);
}

/// The HTTP server over `state`, listening on `listener`. Await it (or run it on a
/// `System`) to serve; SIGINT and SIGTERM stop it after in-flight requests finish.
pub fn spawn(state: AppState, listener: TcpListener) -> std::io::Result<Server> {
    let base_path = state.config.base_path.clone();
    let workers = cores();
    // Database work runs on each worker's blocking pool. Only the database's turns
    // (two per core) run at once; the other threads wait for their writes' batches,
    // and the more of them wait, the fuller each batch and the fewer its fsyncs
    // (send-message at 1M messages, 4 -> 8 threads per worker: 4970 -> 5921/s).
    let blocking_threads = 8;
    let data = web::Data::new(state);
    let server = HttpServer::new(move || {
        App::new()
            .app_data(data.clone())
            .wrap(
                DefaultHeaders::new()
                    .add(("X-Content-Type-Options", "nosniff"))
                    .add(("X-Frame-Options", "DENY"))
                    .add(("Referrer-Policy", "no-referrer"))
                    // Pages load only Switchboard's own scripts and styles: no inline
                    // script, no third parties, no framing.
                    .add((
                        "Content-Security-Policy",
                        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: https: http:; \
                         connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
                    ))
                    .add(("Permissions-Policy", "camera=(), microphone=(), geolocation=()")),
            )
            .wrap_fn(|req, srv| {
                // Over its rate limit, an anonymous request is answered before any work.
                match rate_limited(&req) {
                    Some(refusal) => futures_util::future::Either::Left(std::future::ready(Ok(req.into_response(refusal)))),
                    None => futures_util::future::Either::Right(srv.call(req)),
                }
            })
            .wrap_fn(|req, srv| {
                let started = Instant::now();
                let method = req.method().to_string();
                let path = loggable_path(req.path());
                let pattern = req.match_pattern();
                let response = srv.call(req);
                async move {
                    let response = response.await?;
                    let function = response.response().extensions().get::<FunctionName>().map(|f| f.0);
                    count(&response, function, pattern, started.elapsed().as_secs_f64());
                    // Paths only: query strings and bodies may hold tokens and passwords.
                    tracing::info!(
                        method,
                        path,
                        function = function.unwrap_or("-"),
                        status = response.status().as_u16(),
                        ms = started.elapsed().as_secs_f64() * 1000.0,
                        "request"
                    );
                    Ok(response)
                }
            })
            .service(
                web::scope(&base_path)
                    .service(
                        web::resource(["/include/api.php", "/api"])
                            .route(web::post().to(dispatch::api_endpoint))
                            .default_service(web::to(dispatch::wrong_method)),
                    )
                    .configure(crate::widget::routes)
                    .configure(crate::web::routes),
            )
            .default_service(web::to(crate::web::not_found))
    })
    .shutdown_timeout(30)
    .workers(workers)
    .worker_max_blocking_threads(blocking_threads)
    .listen(listener)?
    .run();
    Ok(server)
}

#[cfg(test)]
mod tests {
    #[test]
    fn reset_tokens_never_reach_the_log() {
        assert_eq!(super::loggable_path("/s/admin/password-reset/abc123"), "/s/admin/password-reset/…");
        assert_eq!(super::loggable_path("/admin/password-reset"), "/admin/password-reset");
        assert_eq!(super::loggable_path("/admin/users/7"), "/admin/users/7");
    }
}
