//! Signing in and out of the admin area. Passwords are checked with argon2id on
//! the blocking pool. Failed attempts are counted per account and per address: six
//! failures for an account (or thirty from one address) within fifteen minutes lock
//! sign-in for the rest of that window, with a message saying how long.

use super::{render, see_other, PageError};
use crate::crypto::{self, random_hex};
use crate::db::{login_failures, sessions, users};
use crate::state::AppState;
use crate::web::{csrf, session};
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use chrono::Duration;

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
}

#[derive(serde::Deserialize)]
pub struct NextQuery {
    next: Option<String>,
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
fn safe_next(state: &AppState, next: &str) -> String {
    let admin = format!("{}/admin", state.config.base_path);
    let local = next.starts_with(&admin) && !next.starts_with("//") && !next.contains("://") && !next.contains('\\');
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
) -> Result<HttpResponse, PageError> {
    let (csrf_token, cookie) = csrf::token(req);
    let mut response =
        render(&LoginPage { base_path: state.config.base_path.clone(), csrf_token, email, next, error })?;
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
    page(&req, &state, String::new(), next, None)
}

enum Attempt {
    SignedIn(String),
    Wrong,
    Locked(i64),
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
    let address = req.peer_addr().map(|a| a.ip().to_string()).unwrap_or_default();
    let account = form.email.trim().to_ascii_lowercase();
    let shared = state.get_ref().clone();
    let attempt = state
        .db(move |conn| {
            let now = shared.clock.now();
            let window_start = crate::clock::format(now - Duration::minutes(WINDOW_MINUTES));
            for (scope, key, limit) in [("account", &account, ACCOUNT_LIMIT), ("address", &address, ADDRESS_LIMIT)] {
                let (failures, oldest) = login_failures::since(conn, scope, key, &window_start)?;
                if failures >= limit {
                    let unlocks = oldest
                        .and_then(|t| chrono::NaiveDateTime::parse_from_str(&t, crate::clock::FORMAT).ok())
                        .map(|t| t.and_utc() + Duration::minutes(WINDOW_MINUTES));
                    let minutes = unlocks.map_or(WINDOW_MINUTES, |u| ((u - now).num_seconds() + 59) / 60).max(1);
                    return Ok(Attempt::Locked(minutes));
                }
            }
            let found = users::find_by_email(conn, &account)?;
            let genuine = found.as_ref().is_some_and(|(user, hash)| {
                user.user_type.is_agent() && hash.as_deref().is_some_and(|h| crypto::verify_password(&form.password, h))
            });
            let now_text = crate::clock::format(now);
            match found {
                Some((user, _)) if genuine => {
                    let session = random_hex(24);
                    shared.write(|tx| {
                        login_failures::clear(tx, "account", &account)?;
                        sessions::insert_admin(tx, &session, user.id, &now_text)?;
                        users::touch(tx, user.id, &now_text)
                    })?;
                    Ok(Attempt::SignedIn(session))
                }
                _ => {
                    shared.write(|tx| {
                        login_failures::record(tx, "account", &account, &now_text)?;
                        login_failures::record(tx, "address", &address, &now_text)
                    })?;
                    Ok(Attempt::Wrong)
                }
            }
        })
        .await?;
    match attempt {
        Attempt::SignedIn(session) => {
            let mut response = see_other(next);
            let _ = response.add_cookie(&session::cookie(&state, &req, &session));
            Ok(response)
        }
        Attempt::Wrong => page(&req, &state, form.email, next, Some("Wrong email or password.".into())),
        Attempt::Locked(minutes) => {
            let unit = if minutes == 1 { "minute" } else { "minutes" };
            let message = format!("Too many failed sign-ins. Sign-in is locked; try again in {minutes} {unit}.");
            page(&req, &state, form.email, next, Some(message))
        }
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
    let session = admin.session.clone();
    let shared = state.get_ref().clone();
    state.db(move |_| shared.write(|tx| Ok(sessions::revoke(tx, &session)?))).await?;
    let mut response = see_other(format!("{}/admin/login", state.config.base_path));
    let _ = response.add_cookie(&session::removal(&state));
    Ok(response)
}
