//! The audit log at `/admin/audit` (admins): who changed what, newest first,
//! filtered by person, action and dates, a page at a time, and the same filter
//! downloaded as CSV from `/admin/audit.csv`.

use super::{render, Frame, PageError};
use crate::db::audit::AuditRow;
use crate::domain::audit::{Filter, ACTIONS};
use crate::domain::{page_offset, PAGE_SIZE};
use crate::ops;
use crate::state::AppState;
use crate::web::session::Admin;
use actix_web::http::header;
use actix_web::{web, HttpResponse};
use askama::Template;

#[derive(serde::Deserialize, Default)]
pub struct AuditQuery {
    #[serde(default)]
    user: String,
    #[serde(default)]
    action: String,
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
    page: Option<i64>,
}

impl AuditQuery {
    /// The filter asked for, or why it cannot be read.
    fn filter(&self) -> Result<Filter, String> {
        let user = match self.user.trim() {
            "" => None,
            id => Some(id.parse::<i64>().map_err(|_| "The person is a user ID, a number.".to_string())?),
        };
        Filter::parse(user, Some(&self.action), Some(&self.from), Some(&self.to))
            .map_err(|(part, why)| format!("The “{part}” date: {why}."))
    }

    /// The query string for the same filter on another page (or the export).
    fn link(&self, path: &str, page: Option<i64>) -> String {
        let mut query = url::form_urlencoded::Serializer::new(String::new());
        for (name, value) in [("user", &self.user), ("action", &self.action), ("from", &self.from), ("to", &self.to)] {
            if !value.trim().is_empty() {
                query.append_pair(name, value.trim());
            }
        }
        if let Some(page) = page {
            query.append_pair("page", &page.to_string());
        }
        format!("{path}?{}", query.finish())
    }
}

/// An entry as the page shows it.
struct Entry {
    at: String,
    actor_id: Option<i64>,
    actor: String,
    via: String,
    address: String,
    action: String,
    target: String,
    details: String,
}

impl From<AuditRow> for Entry {
    fn from(row: AuditRow) -> Self {
        let details = match serde_json::from_str::<serde_json::Value>(&row.details) {
            Ok(serde_json::Value::Object(fields)) if fields.is_empty() => String::new(),
            _ => row.details,
        };
        Self {
            at: row.at,
            actor_id: row.actor_id,
            actor: row.actor,
            via: row.via,
            address: row.address.unwrap_or_default(),
            action: row.action,
            target: row.target.unwrap_or_default(),
            details,
        }
    }
}

#[derive(Template)]
#[template(path = "admin/audit.html")]
struct AuditPage {
    frame: Frame,
    user: String,
    action: String,
    from: String,
    to: String,
    actions: Vec<(&'static str, &'static str)>,
    error: Option<String>,
    entries: Vec<Entry>,
    total: i64,
    page: i64,
    previous: Option<String>,
    next: Option<String>,
    export: String,
}

pub async fn audit_page(
    admin: Admin,
    state: web::Data<AppState>,
    query: web::Query<AuditQuery>,
) -> Result<HttpResponse, PageError> {
    admin.require_admin()?;
    let query = query.into_inner();
    let page = query.page.unwrap_or(1).clamp(1, 100_000);
    let (entries, total, error) = match query.filter() {
        Ok(filter) => {
            let found =
                state.read(move |conn| Ok(ops::audit::read(conn, &filter, page_offset(page), PAGE_SIZE)?)).await?;
            (found.rows.into_iter().map(Entry::from).collect(), found.total, None)
        }
        Err(why) => (Vec::new(), 0, Some(why)),
    };
    let path = format!("{}/admin/audit", state.config.base_path);
    render(&AuditPage {
        frame: Frame::new(&state, &admin, "audit", "Audit log"),
        previous: (page > 1).then(|| query.link(&path, Some(page - 1))),
        next: (page * PAGE_SIZE < total).then(|| query.link(&path, Some(page + 1))),
        export: query.link(&format!("{path}.csv"), None),
        actions: ACTIONS.to_vec(),
        error,
        entries,
        total,
        page,
        user: query.user,
        action: query.action,
        from: query.from,
        to: query.to,
    })
}

/// The entries the filter finds, as CSV.
pub async fn audit_csv(
    admin: Admin,
    state: web::Data<AppState>,
    query: web::Query<AuditQuery>,
) -> Result<HttpResponse, PageError> {
    admin.require_admin()?;
    let filter = query.filter().map_err(|_| PageError::BadForm)?;
    let csv = state.read(move |conn| Ok(ops::audit::to_csv(conn, &filter)?)).await?;
    let name = format!("audit-log-{}.csv", state.clock.now().format("%Y-%m-%d"));
    Ok(HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header((header::CONTENT_DISPOSITION, format!("attachment; filename=\"{name}\"")))
        .insert_header((header::CACHE_CONTROL, "private, no-store"))
        .body(csv))
}
