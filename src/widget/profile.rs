//! What a visitor tells and shows: `setVisitorInfo` and the pre-chat form, the
//! pages they open, and the automations that may show them something.

use super::shapes::VisitorView;
use super::{body, reply, visitor};
use crate::db::users::{self, Detail};
use crate::domain::people;
use crate::error::{ApiResult, Failure};
use crate::ops::visitors::{self, Info, Proof, DETAILS_MAX, DETAIL_VALUE_MAX};
use crate::ops::{automation_runs, automations};
use crate::state::AppState;
use actix_web::{web, HttpRequest, HttpResponse};
use serde_json::{json, Value};

pub async fn info(req: HttpRequest, state: web::Data<AppState>, bytes: web::Bytes) -> HttpResponse {
    reply(&req, told(&req, &state, &bytes).await)
}

async fn told(req: &HttpRequest, state: &AppState, bytes: &[u8]) -> ApiResult<Value> {
    let me = visitor(req, state).await?;
    let info = info_of(body::<Value>(bytes)?)?;
    let shared = state.clone();
    state
        .session(move |db| {
            let user = visitors::set_info(db, &shared, me.id, info)?;
            let conn = db.conn()?;
            let row = users::find(conn, user)?.ok_or(Failure::InvalidVisitor)?;
            Ok(json!(VisitorView::new(&row, users::details(conn, user)?)))
        })
        .await
}

/// `{first_name, last_name, name, email, phone, details: {slug: value}, unset: [slug],
/// identity: {hash, user_id}}`, checked.
pub(super) fn info_of(sent: Value) -> ApiResult<Info> {
    let text = |name: &str| sent.get(name).and_then(Value::as_str).map(str::trim).filter(|t| !t.is_empty());
    let checked_name = |value: &str| people::name(value).map_err(|why| Failure::invalid("name", why));
    let mut info = Info::default();
    if let Some(name) = text("name") {
        let (first, last) = name.split_once(' ').unwrap_or((name, ""));
        info.first_name = Some(checked_name(first)?);
        info.last_name = Some(checked_name(last)?);
    }
    if let Some(first) = text("first_name") {
        info.first_name = Some(checked_name(first)?);
    }
    if let Some(last) = text("last_name") {
        info.last_name = Some(checked_name(last)?);
    }
    if let Some(email) = text("email") {
        info.email = Some(
            people::email(email)
                .map_err(|why| Failure::invalid("email", why))?
                .ok_or_else(|| Failure::invalid("email", "not an email address"))?,
        );
    }
    if let Some(phone) = text("phone") {
        if phone.chars().count() > 64 {
            return Err(Failure::invalid("phone", "longer than 64 characters").into());
        }
        info.phone = Some(phone.to_string());
    }
    if let Some(details) = sent.get("details").filter(|d| !d.is_null()) {
        let Value::Object(details) = details else {
            return Err(Failure::invalid("details", "expected {\"slug\": \"value\"}").into());
        };
        if details.len() > DETAILS_MAX {
            return Err(Failure::invalid("details", format!("more than {DETAILS_MAX} details")).into());
        }
        for (slug, value) in details {
            info.details.push(detail(slug, value)?);
        }
    }
    if let Some(unset) = sent.get("unset").and_then(Value::as_array) {
        for slug in unset.iter().take(DETAILS_MAX).filter_map(Value::as_str) {
            checked_slug(slug)?;
            info.unset.push(slug.to_string());
        }
    }
    if let Some(identity) = sent.get("identity").filter(|i| !i.is_null()) {
        let hash = identity.get("hash").and_then(Value::as_str).unwrap_or_default().trim().to_ascii_lowercase();
        let user_id = identity.get("user_id").and_then(|id| id.as_i64().or_else(|| id.as_str()?.trim().parse().ok()));
        if hash.len() != 64 || !hash.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(
                Failure::invalid("identity", "hash: expected the hex HMAC-SHA256 of the email or user ID").into()
            );
        }
        info.proof = Some(Proof { user_id, hash });
    }
    Ok(info)
}

fn checked_slug(slug: &str) -> ApiResult<()> {
    let ok = (1..=64).contains(&slug.len())
        && slug.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-');
    if ok {
        Ok(())
    } else {
        Err(Failure::invalid(
            "details",
            format!("'{}' is not a detail name: a-z, 0-9, _ and -", slug.chars().take(64).collect::<String>()),
        )
        .into())
    }
}

fn detail(slug: &str, value: &Value) -> ApiResult<Detail> {
    checked_slug(slug)?;
    let value = match value {
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        Value::Bool(b) => b.to_string(),
        _ => return Err(Failure::invalid("details", format!("{slug}: expected text")).into()),
    };
    if value.chars().count() > DETAIL_VALUE_MAX {
        return Err(Failure::invalid("details", format!("{slug}: longer than {DETAIL_VALUE_MAX} characters")).into());
    }
    let name = slug.replace(['_', '-'], " ");
    Ok(Detail { slug: slug.to_string(), name: capitalised(&name), value })
}

fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map_or_else(String::new, |first| first.to_uppercase().chain(chars).collect())
}

/// A page the visitor opened.
#[derive(serde::Deserialize, Default, Clone)]
#[serde(default)]
pub struct Page {
    url: Option<String>,
    referrer: Option<String>,
}

pub async fn page(req: HttpRequest, state: web::Data<AppState>, bytes: web::Bytes) -> HttpResponse {
    reply(&req, opened(&req, &state, &bytes).await)
}

async fn opened(req: &HttpRequest, state: &AppState, bytes: &[u8]) -> ApiResult<Value> {
    let me = visitor(req, state).await?;
    record_page(state, me.id, body(bytes)?, false).await?;
    Ok(json!(true))
}

/// Records `page` as the visitor's current one (`current_url`), counts it in
/// `visits`, and on their first page keeps where they came from (`referrer`).
pub(super) async fn record_page(state: &AppState, id: i64, page: Page, first: bool) -> ApiResult<()> {
    let web = |text: Option<String>| {
        text.filter(|t| t.len() <= 2048 && url::Url::parse(t).is_ok_and(|u| matches!(u.scheme(), "http" | "https")))
    };
    let (url, referrer, now) = (web(page.url), web(page.referrer).filter(|_| first), state.clock.now_text());
    state
        .write(move |tx| {
            let visits = users::detail(tx, id, "visits")?.and_then(|v| v.parse::<i64>().ok()).unwrap_or(0);
            let set = |slug: &str, name: &str, value: String| {
                users::set_detail(tx, id, &Detail { slug: slug.into(), name: name.into(), value })
            };
            set("visits", "Page views", (visits + 1).to_string())?;
            if let Some(url) = url {
                set("current_url", "Current page", url)?;
            }
            if let Some(referrer) = referrer {
                set("referrer", "Came from", referrer)?;
            }
            users::touch(tx, id, &now)?;
            Ok(())
        })
        .await
}

pub async fn automations(req: HttpRequest, state: web::Data<AppState>) -> HttpResponse {
    reply(&req, showable(&req, &state).await)
}

/// What `automations-run-all` answers for this visitor: popups, design and the
/// messages whose conditions only the browser can decide. Messages and emails
/// whose conditions the server decides run now.
async fn showable(req: &HttpRequest, state: &AppState) -> ApiResult<Value> {
    let me = visitor(req, state).await?;
    let (key, now) = (state.key.clone(), state.clock.now().naive_utc());
    let (answer, effects) = state.write(move |tx| Ok(automation_runs::run_all(tx, &key, me.id, now)?)).await?;
    effects.announce(state);
    Ok(Value::Array(answer))
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
struct Shown {
    id: String,
}

pub async fn automation_shown(req: HttpRequest, state: web::Data<AppState>, bytes: web::Bytes) -> HttpResponse {
    reply(&req, shown(&req, &state, &bytes).await)
}

/// The widget showed an automation: recorded as a run (`automations-run`), so it
/// is not shown again until its `repeat` allows.
async fn shown(req: &HttpRequest, state: &AppState, bytes: &[u8]) -> ApiResult<Value> {
    let me = visitor(req, state).await?;
    let Shown { id } = body(bytes)?;
    let (key, now) = (state.key.clone(), state.clock.now().naive_utc());
    let (ran, effects) = state
        .write(move |tx| {
            let Some(mut automation) = automations::load(tx)?.into_iter().find(|a| a.id == id) else {
                return Ok((false, Default::default()));
            };
            Ok(automation_runs::run_one(tx, &key, me.id, &mut automation, true, now)?)
        })
        .await?;
    effects.announce(state);
    Ok(json!(ran))
}
