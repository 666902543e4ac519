//! Scheduled work through the API: `cron-jobs` runs the due jobs now and answers
//! when they are done; `clean-data` runs the contract's clean-up now. Two
//! Switchboard additions let admins see what ran and what is queued.

use super::Call;
use crate::db::{jobs as runs, outbox};
use crate::error::{ApiResult, Failure, PipingFailure};
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

/// One synchronisation of the piped mailbox now. Without `force`, none when the
/// last one began less than a minute ago (the contract's limit). Answers `true`, as
/// the contract does; what it did is the run's report (get-job-runs, the Jobs
/// page), and a failure is answered with its `email-piping-…` code.
pub fn email_piping(call: &mut Call) -> ApiResult<Value> {
    let force = call.args.bool_or("force", false)?;
    // The contract answers `true`; `report=true` (a Switchboard addition) answers
    // what the run did instead, for scripts that want it without get-job-runs.
    let report = call.args.bool_or("report", false)?;
    let conn = call.db.conn()?;
    if !call.state.settings(conn)?.email_piping.active {
        return Err(Failure::EmailPiping(PipingFailure::NotConfigured, "email-piping-active is off".into()).into());
    }
    let recent = runs::last_start(conn, "email-piping")?.is_some_and(|last| last > call.state.clock.ago_text(60));
    if recent && !force {
        return Ok(if report {
            json!({ "skipped": "the last synchronisation began less than a minute ago" })
        } else {
            json!(true)
        });
    }
    let job = jobs::find("email-piping").ok_or(Failure::InternalError)?;
    let done = jobs::run(call.db, call.state, job)?;
    Ok(if report { done } else { json!(true) })
}

/// Switchboard addition: connects to the piped mailbox with the saved settings,
/// logs in and opens the folder, then leaves. Answers `{"messages": N}`, the
/// folder's count, or the failure's `email-piping-…` code.
pub fn test_email_piping(call: &mut Call) -> ApiResult<Value> {
    let settings = call.state.settings(call.db.conn()?)?;
    if !settings.email_piping.configured() {
        let why = "set email-piping-host and email-piping-user (and its password)".into();
        return Err(Failure::EmailPiping(PipingFailure::NotConfigured, why).into());
    }
    let piping = call.state.background.piping().ok_or(Failure::InternalError)?;
    let messages = call.db.outside(|| (piping.test)(&settings.email_piping, settings.outbound_public_only))?;
    Ok(json!({ "messages": messages }))
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
