//! `reports` computes one of the contract's named reports (see
//! [`crate::ops::reports`]); `reports-update` records an event for the reports
//! that count events.

use super::Call;
use crate::db::reports;
use crate::domain::days::DayRange;
use crate::domain::ReportName;
use crate::error::{ApiResult, Failure};
use crate::ops::reports::{compute, day_range};
use serde_json::{json, Map, Value};

pub fn reports(call: &mut Call) -> ApiResult<Value> {
    let name = name_arg(call)?;
    let range = range_arg(call)?;
    let report = compute(call.db.conn()?, name, &range)?;
    let data: Map<String, Value> = report.rows.into_iter().map(|(label, figures)| (label, json!(figures))).collect();
    Ok(json!({
        "title": report.title,
        "description": report.description,
        "data": data,
        "table": report.table,
        "table-inverse": report.table_inverse,
        "label_type": report.unit as i64,
        "chart_type": report.chart.as_str(),
    }))
}

pub fn reports_update(call: &mut Call) -> ApiResult<Value> {
    let name = name_arg(call)?;
    let value = optional_text(call, "value", 1_000)?;
    let external_id = optional_text(call, "external_id", 255)?;
    let extra = optional_text(call, "extra", 10_000)?;
    let now = call.now();
    call.write(move |tx| {
        Ok(reports::record(tx, name, value.as_deref(), external_id.as_deref(), extra.as_deref(), &now)?)
    })?;
    Ok(json!(true))
}

fn name_arg(call: &Call) -> ApiResult<ReportName> {
    let text = call.args.required_text("name", 64)?;
    ReportName::parse(&text).ok_or_else(|| {
        let known: Vec<&str> = ReportName::ALL.iter().map(|name| name.as_str()).collect();
        Failure::invalid("name", format!("'{text}' is not a report name; expected one of {}", known.join(", "))).into()
    })
}

/// An argument whose contract default is `false`: absent, empty or `false` is `None`.
/// `0` is kept: it is a value (a negative rating) as often as PHP's spelling of
/// `false`. Arrays and objects are kept as JSON text.
fn optional_text(call: &Call, name: &str, max: usize) -> ApiResult<Option<String>> {
    let text = match call.args.raw(name) {
        Some(Value::Array(_) | Value::Object(_)) => call.args.json(name)?.map(|v| v.to_string()),
        _ => call.args.text(name)?,
    };
    match text {
        Some(t) if t.is_empty() || t == "false" => Ok(None),
        Some(t) if t.chars().count() > max => {
            Err(Failure::invalid(name, format!("longer than {max} characters")).into())
        }
        other => Ok(other),
    }
}

/// `date_start`, `date_end` and `timezone`: whole days on the caller's calendar,
/// by default the last 30 days up to today, in UTC.
fn range_arg(call: &Call) -> ApiResult<DayRange> {
    let (start, end, timezone) = (given(call, "date_start")?, given(call, "date_end")?, given(call, "timezone")?);
    Ok(day_range(start.as_deref(), end.as_deref(), timezone.as_deref(), call.state.clock.now())?)
}

/// A date or timezone argument, or `None` when absent, empty or `false` (the
/// contract's default; PHP's `http_build_query` sends `false` as `0`).
fn given(call: &Call, name: &str) -> ApiResult<Option<String>> {
    let text = call.args.text_max(name, 64)?.map(|t| t.trim().to_string());
    Ok(text.filter(|t| !matches!(t.as_str(), "" | "false" | "0")))
}
