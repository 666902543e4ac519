//! Scheduled work through the API: `cron-jobs` runs the due jobs now and answers
//! when they are done; `clean-data` runs the contract's clean-up now. Two
//! Switchboard additions let admins see what ran and what is queued.

use super::Call;
use crate::db::{jobs as runs, outbox};
use crate::error::{ApiResult, Failure};
use crate::jobs;
use serde_json::{json, Value};

pub fn cron_jobs(call: &mut Call) -> ApiResult<Value> {
    for (_, result) in jobs::run_due(call.db, call.state)? {
        result?;
    }
    Ok(json!(true))
}

pub fn clean_data(call: &mut Call) -> ApiResult<Value> {
    let job = jobs::find("clean-data").ok_or(Failure::InternalError)?;
    jobs::run(call.db, call.state, job)?;
    Ok(json!(true))
}

/// The latest job runs, newest first: `job`, `started_at`, `ended_at`, `outcome`, `report`.
pub fn get_job_runs(call: &mut Call) -> ApiResult<Value> {
    Ok(runs::recent(call.db.conn()?, 100)?
        .into_iter()
        .map(|run| {
            json!({
                "id": run.id,
                "job": run.job,
                "started_at": run.started_at,
                "ended_at": run.ended_at,
                "outcome": run.outcome,
                "report": run.report.and_then(|r| serde_json::from_str::<Value>(&r).ok()),
            })
        })
        .collect())
}

/// The latest outbox items, newest first, optionally only `pending`, `delivered` or `failed` ones.
pub fn get_outbox(call: &mut Call) -> ApiResult<Value> {
    let state = match call.args.text("state")?.as_deref().map(str::trim) {
        None | Some("") | Some("all") => None,
        Some(s @ ("pending" | "delivered" | "failed")) => Some(s.to_string()),
        Some(_) => return Err(Failure::invalid("state", "expected pending, delivered, failed or all").into()),
    };
    Ok(outbox::recent(call.db.conn()?, state.as_deref(), 100)?
        .into_iter()
        .map(|item| {
            json!({
                "id": item.id,
                "kind": item.kind,
                "delivery_id": item.delivery_id,
                "state": item.state,
                "attempts": item.attempts,
                "last_error": item.last_error,
                "creation_time": item.creation_time,
            })
        })
        .collect())
}
