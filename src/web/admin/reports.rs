//! The reports page at `/admin/reports` (admins): pick a report, a date range
//! and a time zone; the report is computed by `api::reports::compute`, as the
//! `reports` function does, drawn server-side as an SVG chart (line, bars or
//! pie), with its data table beside it.

use super::report_chart::{self, draw, figure, Drawing};
use super::{render, Frame, PageError};
use crate::domain::ReportName;
use crate::ops::reports::{compute, day_range, title};
use crate::ops::OpsError;
use crate::state::AppState;
use crate::web::session::Admin;
use actix_web::{web, HttpResponse};
use askama::Template;

#[derive(Template)]
#[template(path = "admin/reports.html")]
struct ReportsPage {
    frame: Frame,
    reports: Vec<(&'static str, &'static str)>,
    name: String,
    start: String,
    end: String,
    timezone: String,
    timezones: Vec<&'static str>,
    error: Option<String>,
    shown: Option<Shown>,
}

/// The computed report as the page shows it.
struct Shown {
    title: &'static str,
    description: &'static str,
    headers: Vec<&'static str>,
    /// Rows of the table, formatted, in reading order.
    table: Vec<(String, Vec<String>)>,
    chart: Drawing,
    width: f64,
    height: f64,
    plot_left: f64,
    plot_right: f64,
}

#[derive(serde::Deserialize, Default)]
pub struct ReportQuery {
    name: Option<String>,
    start: Option<String>,
    end: Option<String>,
    timezone: Option<String>,
}

fn given(text: &Option<String>) -> Option<&str> {
    text.as_deref().map(str::trim).filter(|t| !t.is_empty())
}

/// Why a range was refused, in the page's words.
fn range_message(err: OpsError) -> Result<String, PageError> {
    match err {
        OpsError::Invalid { field, why } => {
            let field = match field {
                "date_start" => "From",
                "date_end" => "To",
                _ => "Time zone",
            };
            Ok(format!("{field}: {why}."))
        }
        other => Err(other.into()),
    }
}

pub async fn reports_page(
    admin: Admin,
    state: web::Data<AppState>,
    query: web::Query<ReportQuery>,
) -> Result<HttpResponse, PageError> {
    admin.require_admin()?;
    let name = given(&query.name).and_then(ReportName::parse).unwrap_or(ReportName::Conversations);
    let timezone = given(&query.timezone).unwrap_or("UTC").to_string();
    let mut page = ReportsPage {
        frame: Frame::new(&state, &admin, "reports", "Reports"),
        reports: ReportName::ALL.iter().map(|n| (n.as_str(), title(*n))).collect(),
        name: name.as_str().to_string(),
        start: given(&query.start).unwrap_or_default().to_string(),
        end: given(&query.end).unwrap_or_default().to_string(),
        timezones: chrono_tz::TZ_VARIANTS.iter().map(|tz| tz.name()).collect(),
        timezone,
        error: None,
        shown: None,
    };
    let range = match day_range(given(&query.start), given(&query.end), Some(&page.timezone), state.clock.now()) {
        Ok(range) => range,
        Err(err) => {
            page.error = Some(range_message(err)?);
            return super::form::refused(&page);
        }
    };
    let days = range.days();
    page.start = days[0].date.format("%Y-%m-%d").to_string();
    page.end = days[days.len() - 1].date.format("%Y-%m-%d").to_string();
    let report = state.read(move |conn| Ok(compute(conn, name, &range)?)).await?;
    let headers = report.table.to_vec();
    let chart = draw(report.chart, report.unit, &report.rows, &headers[1..]);
    let mut table: Vec<(String, Vec<String>)> = report
        .rows
        .iter()
        .map(|(label, figures)| (label.clone(), figures.iter().map(|f| figure(*f, report.unit)).collect()))
        .collect();
    if report.table_inverse {
        table.reverse();
    }
    page.shown = Some(Shown {
        title: report.title,
        description: report.description,
        headers,
        table,
        chart,
        width: report_chart::WIDTH,
        height: report_chart::HEIGHT,
        plot_left: report_chart::LEFT,
        plot_right: report_chart::PLOT_RIGHT,
    });
    render(&page)
}
