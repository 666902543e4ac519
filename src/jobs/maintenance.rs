//! Housekeeping: expiring typing statuses (`presence`, every minute by default)
//! and keeping the database lean (`maintenance`, daily): SQLite's own optimiser,
//! FTS index merging, a WAL checkpoint, and the removal of expired downloads,
//! delivered outbox items and job runs older than 30 days, and of audit log
//! entries older than the `audit-retention-days` setting.

use crate::db::doorway::Db;
use crate::db::{downloads, housekeeping};
use crate::error::ApiResult;
use crate::state::AppState;
use chrono::Duration;
use serde_json::{json, Value};

pub fn presence_job(db: &mut Db, state: &AppState) -> ApiResult<Value> {
    let expired = state.clock.ago_text(state.config.typing_timeout_seconds);
    let cleared = db.write(move |tx| housekeeping::clear_typing_before(tx, &expired))?;
    Ok(json!({ "typing_cleared": cleared }))
}

pub fn maintenance_job(db: &mut Db, state: &AppState) -> ApiResult<Value> {
    let now = state.clock.now();
    let month_ago = crate::clock::format(now - Duration::days(30));
    let expired = downloads::expired(db.conn()?, &state.clock.now_text())?;
    db.outside(|| {
        for path in &expired {
            let _ = std::fs::remove_file(path);
        }
    });
    let retention_days = state.settings(db.conn()?)?.audit_retention_days;
    let audit_cutoff = crate::clock::format(now - Duration::days(retention_days));
    let (pruned, audit_pruned) = db.write(move |tx| {
        downloads::delete_expired(tx, &crate::clock::format(now))?;
        Ok::<_, rusqlite::Error>((housekeeping::prune(tx, &month_ago)?, crate::db::audit::prune(tx, &audit_cutoff)?))
    })?;
    housekeeping::optimise(db.conn()?)?;
    Ok(json!({ "downloads_removed": expired.len(), "rows_pruned": pruned, "audit_entries_pruned": audit_pruned }))
}
