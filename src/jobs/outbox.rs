//! Delivering the outbox. Items are read without a transaction, delivered over the
//! network, and their outcome written in a short transaction each, so delivery
//! never holds the write lock. A failed attempt is retried with exponential
//! backoff (30 s doubling to an hour) up to [`MAX_ATTEMPTS`]; then the item stays,
//! marked failed, with its last error. Items sharing an ordering key (a
//! conversation) go out in order: a later one waits while an earlier one retries.

use crate::db::doorway::Db;
use crate::db::outbox::{self, Item};
use crate::error::ApiResult;
use crate::state::AppState;
use chrono::Duration;
use rusqlite::Connection;
use serde_json::{json, Value};

pub const MAX_ATTEMPTS: i64 = 12;
const BATCH: i64 = 50;
const MAX_BATCHES: usize = 20;

/// Why an attempt failed; permanent failures are not retried.
#[derive(Debug)]
pub struct Undelivered {
    pub permanent: bool,
    pub reason: String,
}

impl Undelivered {
    pub fn retry(reason: impl Into<String>) -> Self {
        Self { permanent: false, reason: reason.into() }
    }

    pub fn permanent(reason: impl Into<String>) -> Self {
        Self { permanent: true, reason: reason.into() }
    }
}

#[derive(Debug, Default, PartialEq, Eq)]
pub struct DrainReport {
    pub delivered: usize,
    pub retrying: usize,
    pub failed: usize,
}

/// Where a delivery attempt left its item.
enum Settled {
    Delivered,
    Failed,
    Retrying,
}

/// Delivers every item due now; public so tests can drive delivery by hand.
pub fn drain_once(db: &mut Db, state: &AppState) -> ApiResult<DrainReport> {
    let mut report = DrainReport::default();
    for _ in 0..MAX_BATCHES {
        let due = outbox::due(db.conn()?, &state.clock.now_text(), BATCH)?;
        if due.is_empty() {
            break;
        }
        for item in due {
            let outcome = deliver(db, state, &item);
            let now = state.clock.now();
            let shared = state.clone();
            let settled = db.write(move |tx| -> ApiResult<Settled> {
                match &outcome {
                    Ok(()) => {
                        outbox::mark_delivered(tx, item.id, &crate::clock::format(now))?;
                        after_delivery(tx, &shared, &item)?;
                        Ok(Settled::Delivered)
                    }
                    Err(failure) if failure.permanent || item.attempts + 1 >= MAX_ATTEMPTS => {
                        tracing::warn!(id = item.id, kind = %item.kind, reason = %failure.reason, "outbox item failed for good");
                        outbox::mark_failed(tx, item.id, &failure.reason)?;
                        Ok(Settled::Failed)
                    }
                    Err(failure) => {
                        let next = now + backoff(item.attempts + 1);
                        outbox::mark_retry(tx, item.id, &crate::clock::format(next), &failure.reason)?;
                        Ok(Settled::Retrying)
                    }
                }
            })?;
            *match settled {
                Settled::Delivered => &mut report.delivered,
                Settled::Failed => &mut report.failed,
                Settled::Retrying => &mut report.retrying,
            } += 1;
        }
    }
    Ok(report)
}

/// What a delivery sets off, in the transaction that records it: a sent email
/// fires the `email-sent` webhook.
fn after_delivery(tx: &Connection, state: &AppState, item: &Item) -> ApiResult<()> {
    if item.kind == crate::outbox::email::KIND {
        if let Ok(email) = serde_json::from_str::<crate::outbox::email::OutgoingEmail>(&item.payload) {
            crate::outbox::webhooks::email_sent(tx, state, email.recipient_id, &email.text)?;
        }
    }
    Ok(())
}

/// The wait after the `attempt`-th failure: 30 s, 1 min, 2 min, … at most an hour.
fn backoff(attempt: i64) -> Duration {
    let seconds = 30_i64.saturating_mul(1_i64 << (attempt - 1).clamp(0, 20));
    Duration::seconds(seconds.min(3600))
}

/// Sends one item over the network, with no connection or turn held meanwhile.
/// The settings it needs are read first, so they apply to everything still queued.
fn deliver(db: &mut Db, state: &AppState, item: &Item) -> Result<(), Undelivered> {
    let settings = db
        .conn()
        .and_then(|conn| state.settings(conn))
        .map_err(|err| Undelivered::retry(format!("could not read the settings: {err}")))?;
    match item.kind.as_str() {
        crate::outbox::email::KIND => {
            let blobs = crate::db::blobs::Blobs::new(&state.config.uploads_dir());
            super::mailer::deliver(db, item, &settings, &blobs)
        }
        crate::outbox::webhooks::KIND => {
            db.outside(|| super::webhooks::deliver(state, item, settings.outbound_public_only))
        }
        _ => Err(Undelivered::permanent(format!("nothing delivers items of kind '{}'", item.kind))),
    }
}

pub fn drain_job(db: &mut Db, state: &AppState) -> ApiResult<Value> {
    let report = drain_once(db, state)?;
    Ok(json!({ "delivered": report.delivered, "retrying": report.retrying, "failed": report.failed }))
}

pub fn idle(report: &Value) -> bool {
    ["delivered", "retrying", "failed"].iter().all(|key| report[key] == 0)
}

#[cfg(test)]
mod tests {
    use super::backoff;

    #[test]
    fn backoff_doubles_from_thirty_seconds_up_to_an_hour() {
        let waits: Vec<i64> = (1..=9).map(|n| backoff(n).num_seconds()).collect();
        assert_eq!(waits, [30, 60, 120, 240, 480, 960, 1920, 3600, 3600]);
    }
}
