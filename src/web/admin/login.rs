//! Signing in and out of the admin area. Passwords are checked with argon2id on
//! the password threads, with no connection held; an unknown email is checked
//! against a dummy hash, so the time taken does not tell who has an account. Failed attempts are counted per account and per address: six
//! failures for an account (or thirty from one address) within fifteen minutes lock
//! sign-in for the rest of that window, with a message saying how long. People
//! with two-factor on are asked for a code next ([`super::login_code`]); wrong
//! codes count as failed sign-ins too.

use super::notice;
use super::{render, see_other, PageError};
use crate::crypto::random_hex;
use crate::db::{login_failures, sessions, two_factor, users};
use crate::error::ApiResult;
use crate::state::AppState;
use crate::web::{csrf, session};
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use chrono::{DateTime, Duration, Utc};
use rusqlite::Connection;

const WINDOW_MINUTES: i64 = 15;
const ACCOUNT_LIMIT: i64 = 6;
const ADDRESS_LIMIT: i64 = 30;

#[derive(Template)]
#[template(path = "admin/login.html")]
struct LoginPage {
    base_path: String,
    csrf_token: String,
    email: String,
    next: String,
    error: Option<String>,
    notice: Option<&'static str>,
}

#[derive(serde::Deserialize)]
pub struct NextQuery {
    next: Option<String>,
    done: Option<String>,
}

#[derive(serde::Deserialize)]
pub struct LoginForm {
    email: String,
    password: String,
    csrf_token: String,
    #[serde(default)]
    next: String,
}

/// Only a page of the admin area can be where sign-in leads.
pub(super) fn safe_next(state: &AppState, next: &str) -> String {
    let admin = format!("{}/admin", state.config.base_path);
    // Control characters (CR, LF) could never be a Location header's value.
    let local = next.starts_with(&admin)
        && !next.starts_with("//")
        && !next.contains("://")
        && !next.contains('\\')
        && !next.chars().any(char::is_control);
    if local && !next.starts_with(&format!("{admin}/login")) {
        next.to_string()
    } else {
        admin
    }
}

fn page(
    req: &HttpRequest,
    state: &AppState,
    email: String,
    next: String,
    error: Option<String>,
    notice: Option<&'static str>,
) -> Result<HttpResponse, PageError> {
    let (csrf_token, cookie) = csrf::token(req);
    let base_path = state.config.base_path.clone();
    let mut response = render(&LoginPage { base_path, csrf_token, email, next, error, notice })?;
    if let Some(cookie) = cookie {
        let _ = response.add_cookie(&cookie);
    }
    Ok(response)
}

pub async fn login_page(
    req: HttpRequest,
    state: web::Data<AppState>,
    query: web::Query<NextQuery>,
) -> Result<HttpResponse, PageError> {
    let next = safe_next(&state, query.next.as_deref().unwrap_or_default());
    page(&req, &state, String::new(), next, None, notice::text(query.done.as_deref()))
}

enum Attempt {
    SignedIn(String),
    NeedsCode(String),
    Wrong,
    Locked(i64),
}

/// The address a request came from (behind trusted proxies, the client's), for
/// the per-address lock-out.
pub(super) fn address_of(req: &HttpRequest) -> String {
    let Some(state) = req.app_data::<web::Data<AppState>>() else { return String::new() };
    let forwarded = req.headers().get("x-forwarded-for").and_then(|v| v.to_str().ok());
    state.traffic.client(req.peer_addr().map(|a| a.ip()), forwarded).map(|ip| ip.to_string()).unwrap_or_default()
}

/// The browser a session is opened in, as it names itself (shortened).
pub(super) fn user_agent_of(req: &HttpRequest) -> String {
    let agent = req.headers().get(actix_web::http::header::USER_AGENT).and_then(|v| v.to_str().ok());
    agent.unwrap_or_default().chars().take(200).collect()
}

/// How many minutes sign-in stays locked for `account` or `address`, if it is.
pub(super) fn locked_minutes(
    conn: &Connection,
    now: DateTime<Utc>,
    account: &str,
    address: &str,
) -> rusqlite::Result<Option<i64>> {
    let window_start = crate::clock::format(now - Duration::minutes(WINDOW_MINUTES));
    for (scope, key, limit) in [("account", account, ACCOUNT_LIMIT), ("address", address, ADDRESS_LIMIT)] {
        let (failures, oldest) = login_failures::since(conn, scope, key, &window_start)?;
        if failures >= limit {
            let unlocks = oldest
                .and_then(|t| chrono::NaiveDateTime::parse_from_str(&t, crate::clock::FORMAT).ok())
                .map(|t| t.and_utc() + Duration::minutes(WINDOW_MINUTES));
            return Ok(Some(unlocks.map_or(WINDOW_MINUTES, |u| ((u - now).num_seconds() + 59) / 60).max(1)));
        }
    }
    Ok(None)
}

pub(super) fn locked_message(minutes: i64) -> String {
    let unit = if minutes == 1 { "minute" } else { "minutes" };
    format!("Too many failed sign-ins. Sign-in is locked; try again in {minutes} {unit}.")
}

/// Counts a wrong password or code (at `step`) against the account and the
/// address, and records it in the audit log.
pub(super) async fn record_failure(
    state: &AppState,
    account: String,
    address: String,
    step: &'static str,
) -> ApiResult<()> {
    let now = state.clock.now_text();
    state
        .write(move |tx| {
            login_failures::record(tx, "account", &account, &now)?;
            login_failures::record(tx, "address", &address, &now)?;
            Ok(crate::ops::audit::sign_in_failed(tx, &now, &account, &address, step)?)
        })
        .await
}

/// Opens an admin session for `user_id` signing in from `address` (inside the
/// caller's transaction, with its audit entry) and answers its ID.
pub(super) fn open_session(
    tx: &Connection,
    user_id: i64,
    account: &str,
    now: &str,
    (user_agent, address): (&str, &str),
) -> ApiResult<String> {
    let session = random_hex(24);
    login_failures::clear(tx, "account", account)?;
    sessions::insert_admin(tx, &session, user_id, now, user_agent)?;
    users::touch(tx, user_id, now)?;
    crate::ops::audit::signed_in(tx, now, user_id, address)?;
    Ok(session)
}

/// The redirect into the admin area with the session's cookie.
pub(super) fn signed_in(state: &AppState, req: &HttpRequest, session: &str, next: String) -> HttpResponse {
    let mut response = see_other(next);
    let _ = response.add_cookie(&session::cookie(state, req, session));
    response
}

/// Checks a sign-in: the lock-out and the account are read first, the password is
/// checked with nothing held, and the outcome is written last.
async fn attempt(
    state: &AppState,
    account: String,
    address: String,
    user_agent: String,
    password: &str,
) -> ApiResult<Attempt> {
    let (shared, lookup, from) = (state.clone(), account.clone(), address.clone());
    let found = state
        .read(move |conn| {
            if let Some(minutes) = locked_minutes(conn, shared.clock.now(), &lookup, &from)? {
                return Ok(Err(minutes));
            }
            let Some((user, hash)) = users::find_by_email(conn, &lookup)?.filter(|(u, _)| u.user_type.is_agent())
            else {
                return Ok(Ok(None));
            };
            Ok(Ok(Some((user.id, hash, two_factor::is_enabled(conn, user.id)?))))
        })
        .await?;
    let found = match found {
        Err(minutes) => return Ok(Attempt::Locked(minutes)),
        Ok(found) => found,
    };
    let hash = found.as_ref().and_then(|(_, hash, _)| hash.clone());
    let genuine = state.verify_password(password, hash.as_deref()).await?;
    let now = state.clock.now_text();
    match found {
        Some((user_id, _, true)) if genuine => {
            let pending = random_hex(24);
            let stored = pending.clone();
            state.write(move |tx| Ok(sessions::insert_pending(tx, &stored, user_id, &now)?)).await?;
            Ok(Attempt::NeedsCode(pending))
        }
        Some((user_id, _, false)) if genuine => {
            let session =
                state.write(move |tx| open_session(tx, user_id, &account, &now, (&user_agent, &address))).await?;
            Ok(Attempt::SignedIn(session))
        }
        _ => {
            record_failure(state, account, address, "password").await?;
            Ok(Attempt::Wrong)
        }
    }
}

pub async fn login(
    req: HttpRequest,
    state: web::Data<AppState>,
    form: web::Form<LoginForm>,
) -> Result<HttpResponse, PageError> {
    if !csrf::verify(&req, &form.csrf_token) {
        return Err(PageError::CsrfRejected);
    }
    let form = form.into_inner();
    let next = safe_next(&state, &form.next);
    let address = address_of(&req);
    let user_agent = user_agent_of(&req);
    let account = form.email.trim().to_ascii_lowercase();
    let attempt = match attempt(&state, account, address, user_agent, &form.password).await {
        Err(crate::error::ApiError::Failure(crate::error::Failure::RateLimited)) => {
            let busy = "Too many sign-ins at once. Try again in a moment.".to_string();
            let mut response = page(&req, &state, form.email, next, Some(busy), None)?;
            *response.status_mut() = actix_web::http::StatusCode::TOO_MANY_REQUESTS;
            return Ok(response);
        }
        attempt => attempt?,
    };
    match attempt {
        Attempt::SignedIn(session) => Ok(signed_in(&state, &req, &session, next)),
        Attempt::NeedsCode(pending) => Ok(super::login_code::ask_for_code(&state, &req, &pending, &next)),
        Attempt::Wrong => page(&req, &state, form.email, next, Some("Wrong email or password.".into()), None),
        Attempt::Locked(minutes) => page(&req, &state, form.email, next, Some(locked_message(minutes)), None),
    }
}

#[derive(serde::Deserialize)]
pub struct LogoutForm {
    csrf_token: String,
}

pub async fn logout(
    admin: session::Admin,
    state: web::Data<AppState>,
    form: web::Form<LogoutForm>,
) -> Result<HttpResponse, PageError> {
    admin.check_csrf(&form.csrf_token)?;
    let (session, actor, now) = (admin.session.clone(), admin.actor(), state.clock.now_text());
    state
        .write(move |tx| {
            sessions::revoke(tx, &session)?;
            Ok(crate::ops::audit::signed_out(tx, &now, &actor)?)
        })
        .await?;
    let mut response = see_other(format!("{}/admin/login", state.config.base_path));
    let _ = response.add_cookie(&session::removal(&state));
    Ok(response)
}
