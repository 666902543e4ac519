//! Password reset by email for agents and admins. Asking always gets the same
//! answer, whether or not the address belongs to anyone, and is rate-limited per
//! address asked about and per address asking. For an agent or admin, a link with
//! a random single-use token is queued through the outbox; only a keyed hash of
//! the token is stored, and it expires after an hour. Setting a new password
//! through it signs the person out everywhere.

use super::{render, see_other, PageError};
use crate::crypto::random_hex;
use crate::db::password_resets;
use crate::db::users;
use crate::domain::people;
use crate::ops::users as accounts;
use crate::outbox::email::{self, OutgoingEmail};
use crate::state::AppState;
use crate::web::csrf;
use actix_web::http::{header, StatusCode};
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use chrono::Duration;

const LINK_MINUTES: i64 = 60;
const WINDOW_MINUTES: i64 = 60;
const ACCOUNT_LIMIT: i64 = 3;
const ADDRESS_LIMIT: i64 = 10;
const HASH_PURPOSE: &str = "password-reset";

pub fn routes(config: &mut web::ServiceConfig) {
    config
        .route("/admin/password-reset", web::get().to(reset_request_page))
        .route("/admin/password-reset", web::post().to(reset_request))
        .route("/admin/password-reset/{token}", web::get().to(reset_page))
        .route("/admin/password-reset/{token}", web::post().to(reset_save));
}

#[derive(Template)]
#[template(path = "admin/password_reset_request.html")]
struct RequestPage {
    base_path: String,
    csrf_token: String,
    sent: bool,
    error: Option<&'static str>,
}

#[derive(Template)]
#[template(path = "email/password_reset.txt")]
struct EmailText<'a> {
    name: &'a str,
    link: &'a str,
    minutes: i64,
}

#[derive(Template)]
#[template(path = "email/password_reset.html")]
struct EmailHtml<'a> {
    name: &'a str,
    link: &'a str,
    minutes: i64,
}

/// A page outside the session (sign-in style), with the browser's CSRF cookie.
fn with_csrf(
    req: &HttpRequest,
    page: impl FnOnce(String) -> Result<HttpResponse, PageError>,
) -> Result<HttpResponse, PageError> {
    let (token, cookie) = csrf::token(req);
    let mut response = page(token)?;
    if let Some(cookie) = cookie {
        let _ = response.add_cookie(&cookie);
    }
    response.headers_mut().insert(header::CACHE_CONTROL, header::HeaderValue::from_static("no-store"));
    Ok(response)
}

#[derive(serde::Deserialize)]
pub struct SentQuery {
    sent: Option<String>,
}

pub async fn reset_request_page(
    req: HttpRequest,
    state: web::Data<AppState>,
    query: web::Query<SentQuery>,
) -> Result<HttpResponse, PageError> {
    let base_path = state.config.base_path.clone();
    let sent = query.sent.is_some();
    with_csrf(&req, |csrf_token| render(&RequestPage { base_path, csrf_token, sent, error: None }))
}

#[derive(serde::Deserialize)]
pub struct RequestForm {
    csrf_token: String,
    #[serde(default)]
    email: String,
}

pub async fn reset_request(
    req: HttpRequest,
    state: web::Data<AppState>,
    form: web::Form<RequestForm>,
) -> Result<HttpResponse, PageError> {
    if !csrf::verify(&req, &form.csrf_token) {
        return Err(PageError::CsrfRejected);
    }
    let account: String = form.email.trim().to_ascii_lowercase().chars().take(people::EMAIL_MAX).collect();
    let address = super::login::address_of(&req);
    let now = state.clock.now();
    let now_text = crate::clock::format(now);
    let since = crate::clock::format(now - Duration::minutes(WINDOW_MINUTES));
    let expires = crate::clock::format(now + Duration::minutes(LINK_MINUTES));
    // The email is made before the write: templates never run on the writer's thread.
    let lookup = account.clone();
    let agent = state
        .read(move |conn| {
            let Some((user, _)) = users::find_by_email(conn, &lookup)? else { return Ok(None) };
            Ok(user.email.clone().filter(|_| user.user_type.is_agent()).map(|to| (user, to)))
        })
        .await?;
    let reset = match agent {
        Some((user, to)) => {
            let token = random_hex(32);
            let link = format!("{}/admin/password-reset/{token}", state.config.public_base());
            let name = crate::domain::people::full_name(&user.first_name, &user.last_name);
            let rendered = (
                EmailText { name: &name, link: &link, minutes: LINK_MINUTES }.render(),
                EmailHtml { name: &name, link: &link, minutes: LINK_MINUTES }.render(),
            );
            let (Ok(text), Ok(html)) = rendered else { return Err(PageError::Unavailable) };
            let message = OutgoingEmail {
                to,
                to_name: name,
                subject: "Reset your Switchboard password".into(),
                text,
                html,
                recipient_id: Some(user.id),
                sender_suffix: String::new(),
                threading: None,
                files: Vec::new(),
            };
            Some((user.id, state.key.tag(HASH_PURPOSE, token.as_bytes()), message))
        }
        None => None,
    };
    let allowed = state
        .write(move |tx| {
            password_resets::forget_before(tx, &since, &now_text)?;
            // Counted whether or not the account exists, so the limit tells nothing either.
            let asked = password_resets::requests_since(tx, "account", &account, &since)?;
            let asking = password_resets::requests_since(tx, "address", &address, &since)?;
            if asked >= ACCOUNT_LIMIT || asking >= ADDRESS_LIMIT {
                return Ok(false);
            }
            password_resets::record_request(tx, "account", &account, &now_text)?;
            password_resets::record_request(tx, "address", &address, &now_text)?;
            if let Some((user_id, hash, message)) = reset {
                password_resets::insert(tx, &hash, user_id, &now_text, &expires)?;
                email::queue(tx, &message, &now_text)?;
            }
            Ok(true)
        })
        .await?;
    if !allowed {
        let base_path = state.config.base_path.clone();
        let error = Some("Too many reset requests. Wait an hour and try again.");
        return with_csrf(&req, |csrf_token| {
            let mut response = render(&RequestPage { base_path, csrf_token, sent: false, error })?;
            *response.status_mut() = StatusCode::TOO_MANY_REQUESTS;
            Ok(response)
        });
    }
    state.background.wake();
    Ok(see_other(format!("{}/admin/password-reset?sent=1", state.config.base_path)))
}

#[derive(Template)]
#[template(path = "admin/password_reset_form.html")]
struct ResetPage {
    base_path: String,
    csrf_token: String,
    token: String,
    valid: bool,
    error: Option<String>,
}

/// Whether a link's token is live now.
async fn live(state: &AppState, token: &str) -> Result<bool, PageError> {
    let (hash, now) = (state.key.tag(HASH_PURPOSE, token.as_bytes()), state.clock.now_text());
    Ok(state.read(move |conn| Ok(password_resets::user_of(conn, &hash, &now)?)).await?.is_some())
}

fn reset_form(
    req: &HttpRequest,
    state: &AppState,
    token: String,
    valid: bool,
    error: Option<String>,
) -> Result<HttpResponse, PageError> {
    let base_path = state.config.base_path.clone();
    let status = match (valid, &error) {
        (false, _) => StatusCode::GONE,
        (true, Some(_)) => StatusCode::UNPROCESSABLE_ENTITY,
        (true, None) => StatusCode::OK,
    };
    with_csrf(req, |csrf_token| {
        let mut response = render(&ResetPage { base_path, csrf_token, token, valid, error })?;
        *response.status_mut() = status;
        Ok(response)
    })
}

/// Tokens are 64 hex characters; anything else is no link of ours.
fn well_formed(token: &str) -> bool {
    token.len() == 64 && token.bytes().all(|b| b.is_ascii_hexdigit())
}

pub async fn reset_page(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    let token = path.into_inner();
    let valid = well_formed(&token) && live(&state, &token).await?;
    reset_form(&req, &state, token, valid, None)
}

#[derive(serde::Deserialize)]
pub struct ResetForm {
    csrf_token: String,
    #[serde(default)]
    new_password: String,
    #[serde(default)]
    confirm_password: String,
}

pub async fn reset_save(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
    form: web::Form<ResetForm>,
) -> Result<HttpResponse, PageError> {
    if !csrf::verify(&req, &form.csrf_token) {
        return Err(PageError::CsrfRejected);
    }
    let token = path.into_inner();
    if !well_formed(&token) || !live(&state, &token).await? {
        return reset_form(&req, &state, token, false, None);
    }
    let password = match people::password(&form.new_password) {
        Ok(Some(p)) if p == form.confirm_password => p,
        Ok(Some(_)) => {
            return reset_form(&req, &state, token, true, Some("The two passwords are not the same.".into()))
        }
        Ok(None) => {
            let why = format!("Enter a new password of at least {} characters.", people::PASSWORD_MIN);
            return reset_form(&req, &state, token, true, Some(why));
        }
        Err(why) => return reset_form(&req, &state, token, true, Some(format!("The password {why}."))),
    };
    let (now, hash) = (state.clock.now_text(), state.key.tag(HASH_PURPOSE, token.as_bytes()));
    let password_hash = state.hash_password(&password).await?;
    let address = crate::web::session::client_of(&state, &req);
    let changed = state
        .write(move |tx| {
            let Some(user_id) = password_resets::consume(tx, &hash, &now)? else {
                return Ok(false);
            };
            // Only agents and admins reset here; someone who stopped being one meanwhile cannot.
            let Some(user) = users::find(tx, user_id)?.filter(|u| u.user_type.is_agent()) else {
                return Ok(false);
            };
            let actor = crate::web::session::actor_of(&user, address);
            accounts::set_password(tx, &now, user_id, password_hash, None, (&actor, "reset by link"))?;
            Ok(true)
        })
        .await?;
    if !changed {
        return reset_form(&req, &state, token, false, None);
    }
    Ok(see_other(format!("{}/admin/login?done=password-reset", state.config.base_path)))
}
