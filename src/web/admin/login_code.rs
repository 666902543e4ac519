//! The second step of signing in for people with two-factor on: after the right
//! password, a pending sign-in (a `login_sessions` row of kind `admin-2fa` that
//! opens no page) waits five minutes for a code from their app. Its ID travels in
//! its own signed cookie. A wrong code counts as a failed sign-in, so the same
//! lock-out stops guessing; a right code is used up and opens a session.

use super::login::{
    address_of, locked_message, locked_minutes, open_session, record_failure, safe_next, signed_in, user_agent_of,
};
use super::{render, PageError};
use crate::db::{sessions, two_factor, users};
use crate::state::AppState;
use crate::web::csrf;
use actix_web::cookie::{Cookie, SameSite};
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use chrono::Duration;

const COOKIE: &str = "sb_admin_2fa";
const PAYLOAD_PREFIX: &str = "admin-2fa:";
const PENDING_MINUTES: i64 = 5;

#[derive(Template)]
#[template(path = "admin/login_code.html")]
struct CodePage {
    base_path: String,
    csrf_token: String,
    next: String,
    error: Option<String>,
}

#[derive(serde::Deserialize)]
pub struct NextQuery {
    next: Option<String>,
}

#[derive(serde::Deserialize)]
pub struct CodeForm {
    code: String,
    csrf_token: String,
    #[serde(default)]
    next: String,
}

fn cookie(state: &AppState, req: &HttpRequest, value: String) -> Cookie<'static> {
    Cookie::build(COOKIE, value)
        .path(format!("{}/admin", state.config.base_path))
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(req.connection_info().scheme() == "https")
        .finish()
}

/// The redirect from the password step to the code step.
pub(super) fn ask_for_code(state: &AppState, req: &HttpRequest, pending: &str, next: &str) -> HttpResponse {
    let query: String = url::form_urlencoded::Serializer::new(String::new()).append_pair("next", next).finish();
    let mut response = super::see_other(format!("{}/admin/login/code?{query}", state.config.base_path));
    let _ = response.add_cookie(&cookie(state, req, state.key.sign(&format!("{PAYLOAD_PREFIX}{pending}"))));
    response
}

fn pending_of(state: &AppState, req: &HttpRequest) -> Option<String> {
    let value = req.cookie(COOKIE)?;
    state.key.verify(value.value())?.strip_prefix(PAYLOAD_PREFIX).map(str::to_string)
}

fn back_to_login(state: &AppState, done: &str) -> HttpResponse {
    super::see_other(format!("{}/admin/login?done={done}", state.config.base_path))
}

fn page(req: &HttpRequest, state: &AppState, next: String, error: Option<String>) -> Result<HttpResponse, PageError> {
    let (csrf_token, new_cookie) = csrf::token(req);
    let base_path = state.config.base_path.clone();
    let mut response = render(&CodePage { base_path, csrf_token, next, error })?;
    if let Some(new_cookie) = new_cookie {
        let _ = response.add_cookie(&new_cookie);
    }
    Ok(response)
}

pub async fn code_page(
    req: HttpRequest,
    state: web::Data<AppState>,
    query: web::Query<NextQuery>,
) -> Result<HttpResponse, PageError> {
    if pending_of(&state, &req).is_none() {
        return Ok(back_to_login(&state, "sign-in-expired"));
    }
    page(&req, &state, safe_next(&state, query.next.as_deref().unwrap_or_default()), None)
}

enum Outcome {
    SignedIn(String),
    Expired,
    Wrong,
    Locked(i64),
}

/// Checks a code for a pending sign-in: read, then written in a batch of its own.
async fn check_code(
    state: &AppState,
    pending: String,
    address: String,
    user_agent: String,
    code: String,
) -> crate::error::ApiResult<Outcome> {
    let (shared, from) = (state.clone(), address.clone());
    let now = state.clock.now();
    let found = state
        .read(move |conn| {
            let since = crate::clock::format(now - Duration::minutes(PENDING_MINUTES));
            let Some(user_id) = sessions::pending_user_of(conn, &pending, &since)? else { return Ok(Err(None)) };
            let Some(user) = users::find(conn, user_id)? else { return Ok(Err(None)) };
            let account = user.email.clone().unwrap_or_default().to_ascii_lowercase();
            if let Some(minutes) = locked_minutes(conn, now, &account, &from)? {
                return Ok(Err(Some(minutes)));
            }
            let secret = two_factor::find(conn, user_id)?
                .filter(|row| row.enabled)
                .and_then(|row| crate::domain::two_factor::open(&shared.key, &row.secret));
            Ok(Ok((user_id, account, secret)))
        })
        .await?;
    let (user_id, account, secret) = match found {
        Err(None) => return Ok(Outcome::Expired),
        Err(Some(minutes)) => return Ok(Outcome::Locked(minutes)),
        Ok(found) => found,
    };
    let step = secret.and_then(|secret| crate::domain::two_factor::matching_step(&secret, &code, now));
    let (opener, now_text, from) = (account.clone(), crate::clock::format(now), address.clone());
    let opened = state
        .write(move |tx| {
            let Some(step) = step else { return Ok(None) };
            if !two_factor::use_step(tx, user_id, step)? {
                return Ok(None);
            }
            sessions::remove_pending_of(tx, user_id)?;
            Ok(Some(open_session(tx, user_id, &opener, &now_text, (&user_agent, &from))?))
        })
        .await?;
    match opened {
        Some(session) => Ok(Outcome::SignedIn(session)),
        None => {
            record_failure(state, account, address, "code").await?;
            Ok(Outcome::Wrong)
        }
    }
}

pub async fn code_submit(
    req: HttpRequest,
    state: web::Data<AppState>,
    form: web::Form<CodeForm>,
) -> Result<HttpResponse, PageError> {
    if !csrf::verify(&req, &form.csrf_token) {
        return Err(PageError::CsrfRejected);
    }
    let next = safe_next(&state, &form.next);
    let Some(pending) = pending_of(&state, &req) else { return Ok(back_to_login(&state, "sign-in-expired")) };
    let (address, code) = (address_of(&req), form.code.clone());
    let user_agent = user_agent_of(&req);
    let outcome = check_code(&state, pending, address, user_agent, code).await?;
    match outcome {
        Outcome::SignedIn(session) => {
            let mut response = signed_in(&state, &req, &session, next);
            let mut removal = cookie(&state, &req, String::new());
            removal.make_removal();
            let _ = response.add_cookie(&removal);
            Ok(response)
        }
        Outcome::Expired => Ok(back_to_login(&state, "sign-in-expired")),
        Outcome::Wrong => {
            page(&req, &state, next, Some("That code is not right. Enter the code your app shows now.".into()))
        }
        Outcome::Locked(minutes) => page(&req, &state, next, Some(locked_message(minutes))),
    }
}
