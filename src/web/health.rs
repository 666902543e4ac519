//! `GET /healthz` for load balancers and `GET /metrics` for Prometheus.
//!
//! `/healthz` is 200 `{"status":"ok"}` when, within a second each, the database
//! file is there and is a database, a pooled connection answers a read during a
//! turn, and the writer takes an empty write; otherwise 503 with the reason. It
//! names no path, version or secret, and costs a file open, one query and one
//! empty batch, so it can be asked every second.
//!
//! `/metrics` answers loopback clients (see `trusted_proxies` for who the client
//! is), and anyone else that sends `Authorization: Bearer <metrics_token>` when
//! that key is set; others get 403.

use crate::crypto::constant_time_eq;
use crate::error::{ApiResult, Failure};
use crate::metrics::Readings;
use crate::state::AppState;
use actix_web::{web, HttpRequest, HttpResponse};
use serde_json::json;
use std::time::Duration;

const LIMIT: Duration = Duration::from_secs(1);

pub async fn healthz(state: web::Data<AppState>) -> HttpResponse {
    match check(&state).await {
        Ok(()) => HttpResponse::Ok().insert_header(("Cache-Control", "no-store")).json(json!({ "status": "ok" })),
        Err(reason) => HttpResponse::ServiceUnavailable()
            .insert_header(("Cache-Control", "no-store"))
            .json(json!({ "status": "unavailable", "reason": reason })),
    }
}

async fn check(state: &AppState) -> Result<(), &'static str> {
    let path = state.config.database_path();
    let read = state.read(move |conn| {
        if !crate::db::backup::looks_like_database(&path) {
            return Err(Failure::DatabaseError.into());
        }
        conn.query_row("SELECT count(*) FROM sqlite_master", [], |row| row.get::<_, i64>(0))?;
        Ok(())
    });
    match tokio::time::timeout(LIMIT, read).await {
        Err(_) => return Err("database-read-timeout"),
        Ok(Err(_)) => return Err("database-unreadable"),
        Ok(Ok(())) => {}
    }
    match tokio::time::timeout(LIMIT, state.write(|_| ApiResult::Ok(()))).await {
        Err(_) => Err("database-write-timeout"),
        Ok(Err(_)) => Err("database-write-failed"),
        Ok(Ok(())) => Ok(()),
    }
}

pub async fn metrics(req: HttpRequest, state: web::Data<AppState>) -> HttpResponse {
    if !may_scrape(&req, &state) {
        return HttpResponse::Forbidden()
            .content_type("text/plain; charset=utf-8")
            .body("Metrics are served to loopback, or with the metrics_token as a bearer token.\n");
    }
    let now = state.clock.now();
    let outbox = state.read(|conn| Ok(crate::db::outbox::pending_summary(conn)?)).await;
    let (pending, oldest) = outbox.unwrap_or((0, None));
    let oldest_seconds = oldest
        .and_then(|at| chrono::NaiveDateTime::parse_from_str(&at, crate::clock::FORMAT).ok())
        .map_or(0.0, |at| (now - at.and_utc()).num_milliseconds().max(0) as f64 / 1000.0);
    let database = state.config.database_path();
    let size = |path: std::path::PathBuf| std::fs::metadata(path).map_or(0, |m| m.len() as i64);
    let readings = Readings {
        outbox_pending: pending,
        outbox_oldest_seconds: oldest_seconds,
        widget_visitors: state.hub.listeners() as i64,
        database_bytes: size(database.clone()),
        wal_bytes: size(format!("{}-wal", database.display()).into()),
    };
    HttpResponse::Ok()
        .content_type(crate::metrics::CONTENT_TYPE)
        .insert_header(("Cache-Control", "no-store"))
        .body(state.metrics.render(&readings))
}

fn may_scrape(req: &HttpRequest, state: &AppState) -> bool {
    let forwarded = req.headers().get("x-forwarded-for").and_then(|v| v.to_str().ok());
    if state
        .traffic
        .client(req.peer_addr().map(|a| a.ip()), forwarded)
        .is_some_and(|ip| ip.to_canonical().is_loopback())
    {
        return true;
    }
    let token = state.config.metrics_token.trim();
    let sent = req.headers().get("authorization").and_then(|v| v.to_str().ok()).and_then(|v| v.strip_prefix("Bearer "));
    !token.is_empty() && sent.is_some_and(|sent| constant_time_eq(sent.trim(), token))
}
