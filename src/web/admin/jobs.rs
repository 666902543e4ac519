//! The jobs page at `/admin/jobs` (admins): the latest job runs with their
//! outcome and report, the piped mailbox's last sync (however old) and its error, the outbox's counts by state and its latest items, and a
//! button that runs the due jobs now, as `cron-jobs` does.

use super::form::{Done, Fields};
use super::guard::AdminPost;
use super::{render, see_other, Frame, PageError};
use crate::db::{jobs as runs, outbox};
use crate::state::AppState;
use crate::web::session::Admin;
use actix_web::{web, HttpResponse};
use askama::Template;

const SHOWN: i64 = 50;

/// A job run as the page shows it.
struct Run {
    job: String,
    started_at: String,
    ended_at: Option<String>,
    outcome: Option<String>,
    report: String,
}

impl From<runs::RunRow> for Run {
    fn from(run: runs::RunRow) -> Self {
        Run {
            job: run.job,
            started_at: run.started_at,
            ended_at: run.ended_at,
            outcome: run.outcome,
            report: readable(run.report),
        }
    }
}

/// A run's report as people read it: a JSON object's fields as `name: value`,
/// anything else as it was stored.
fn readable(report: Option<String>) -> String {
    let Some(report) = report else { return String::new() };
    match serde_json::from_str::<serde_json::Value>(&report) {
        Ok(serde_json::Value::Object(fields)) => fields
            .iter()
            .map(|(name, value)| {
                let value = value.as_str().map_or_else(|| value.to_string(), str::to_string);
                format!("{}: {value}", name.replace('_', " "))
            })
            .collect::<Vec<_>>()
            .join(" · "),
        _ => report,
    }
}

#[derive(Template)]
#[template(path = "admin/jobs.html")]
struct JobsPage {
    frame: Frame,
    notice: Option<&'static str>,
    runs: Vec<Run>,
    /// The email-piping job's latest run: the mailbox's last sync.
    last_sync: Option<Run>,
    counts: Vec<(&'static str, i64)>,
    items: Vec<outbox::Item>,
    schedules: Vec<(&'static str, String)>,
}

pub async fn jobs_page(
    admin: Admin,
    state: web::Data<AppState>,
    query: web::Query<Done>,
) -> Result<HttpResponse, PageError> {
    admin.require_admin()?;
    let shared = state.get_ref().clone();
    let (runs, last_sync, counts, items, schedules) = state
        .read(move |conn| {
            let settings = shared.settings(conn)?;
            let stored = outbox::counts(conn)?;
            let counts = ["pending", "delivered", "failed"]
                .into_iter()
                .map(|state| (state, stored.iter().find(|(s, _)| s == state).map_or(0, |(_, n)| *n)))
                .collect();
            let mut schedules = Vec::new();
            for job in crate::jobs::JOBS {
                let schedule = match job.schedule_setting {
                    Some(setting) => {
                        format!("{} ({setting})", settings.cron.by_setting(setting).unwrap_or_default())
                    }
                    None => "every second, and at once when something is queued".to_string(),
                };
                schedules.push((job.name, schedule));
            }
            let runs = runs::recent(conn, SHOWN)?.into_iter().map(Run::from).collect::<Vec<_>>();
            let last_sync = runs::last_run(conn, crate::jobs::EMAIL_PIPING)?.map(Run::from);
            Ok((runs, last_sync, counts, outbox::recent(conn, None, SHOWN)?, schedules))
        })
        .await?;
    render(&JobsPage {
        frame: Frame::new(&state, &admin, "jobs", "Jobs and outbox"),
        notice: super::notice::text(query.done.as_deref()),
        runs,
        last_sync,
        counts,
        items,
        schedules,
    })
}

/// Runs every due job now, as cron-jobs does.
pub async fn run_due(state: web::Data<AppState>, _: AdminPost<Fields>) -> Result<HttpResponse, PageError> {
    let shared = state.get_ref().clone();
    let ran = state.session(move |db| crate::jobs::run_due(db, &shared)).await?;
    for (job, result) in ran {
        if let Err(err) = result {
            // Recorded as a failed run, which the page shows.
            tracing::warn!(job, ?err, "a job run from the jobs page failed");
        }
    }
    Ok(see_other(format!("{}/admin/jobs?done=ran", state.config.base_path)))
}

#[cfg(test)]
mod tests {
    #[test]
    fn reports_read_as_names_and_values() {
        assert_eq!(super::readable(Some(r#"{"typing_cleared":2,"note":"x"}"#.into())), "typing cleared: 2 · note: x");
        assert_eq!(super::readable(Some("plain".into())), "plain");
        assert_eq!(super::readable(None), "");
    }
}
