//! Turning two-factor sign-in on and off from the profile. Setting up stores a
//! new secret, not yet on, and shows it (base32, `otpauth://` URI and a QR code
//! drawn on the server); a right code from the person's app turns it on. Turning
//! it off asks for the password on a page of its own.

use super::form::Form;
use super::guard::Posted;
use super::profile::{check_password, PasswordCheck};
use super::{render, see_other, Frame, PageError};
use crate::db::two_factor;
use crate::state::AppState;
use crate::web::session::Admin;
use actix_web::http::{header, StatusCode};
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;

#[derive(serde::Deserialize)]
pub struct CsrfForm {}

fn to_profile(state: &AppState, done: &str) -> HttpResponse {
    let query = if done.is_empty() { String::new() } else { format!("?done={done}") };
    see_other(format!("{}/admin/profile{query}", state.config.base_path))
}

pub async fn two_factor_start(
    state: web::Data<AppState>,
    Posted { admin, form: Form(_form) }: Posted<Form<CsrfForm>>,
) -> Result<HttpResponse, PageError> {
    let sealed = crate::domain::two_factor::seal(&state.key, &crate::domain::two_factor::new_secret());
    let (id, now) = (admin.user.id, state.clock.now_text());
    let started = state.write(move |tx| Ok(two_factor::start(tx, id, &sealed, &now)?)).await?;
    if !started {
        return Ok(to_profile(&state, ""));
    }
    Ok(see_other(format!("{}/admin/profile/two-factor", state.config.base_path)))
}

/// The secret being set up, if one is waiting for its first code.
async fn pending_secret(state: &AppState, admin: &Admin) -> Result<Option<Vec<u8>>, PageError> {
    let id = admin.user.id;
    let row = state.read(move |conn| Ok(two_factor::find(conn, id)?)).await?;
    Ok(row.filter(|r| !r.enabled).and_then(|r| crate::domain::two_factor::open(&state.key, &r.secret)))
}

fn account_of(admin: &Admin) -> String {
    admin.user.email.clone().unwrap_or_else(|| format!("user-{}", admin.user.id))
}

#[derive(Template)]
#[template(path = "admin/two_factor.html")]
struct SetupPage {
    frame: Frame,
    secret: String,
    uri: String,
    error: Option<String>,
}

fn setup_page(
    state: &AppState,
    admin: &Admin,
    secret: &[u8],
    error: Option<String>,
) -> Result<HttpResponse, PageError> {
    let failed = error.is_some();
    let mut response = render(&SetupPage {
        frame: Frame::new(state, admin, "profile", "Set up two-factor sign-in"),
        secret: crate::domain::two_factor::base32(secret),
        uri: crate::domain::two_factor::uri(secret, &account_of(admin)),
        error,
    })?;
    // The page shows a secret: keep it out of every cache.
    response.headers_mut().insert(header::CACHE_CONTROL, header::HeaderValue::from_static("no-store"));
    if failed {
        *response.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(response)
}

pub async fn two_factor_page(admin: Admin, state: web::Data<AppState>) -> Result<HttpResponse, PageError> {
    match pending_secret(&state, &admin).await? {
        Some(secret) => setup_page(&state, &admin, &secret, None),
        None => Ok(to_profile(&state, "")),
    }
}

pub async fn two_factor_qr(admin: Admin, state: web::Data<AppState>) -> Result<HttpResponse, PageError> {
    let secret = pending_secret(&state, &admin).await?.ok_or(PageError::NotFound)?;
    let svg = crate::domain::two_factor::qr_svg(&crate::domain::two_factor::uri(&secret, &account_of(&admin)))
        .ok_or(PageError::Unavailable)?;
    Ok(HttpResponse::Ok().content_type("image/svg+xml").insert_header((header::CACHE_CONTROL, "no-store")).body(svg))
}

#[derive(serde::Deserialize)]
pub struct CodeForm {
    #[serde(default)]
    code: String,
}

pub async fn two_factor_enable(
    state: web::Data<AppState>,
    Posted { admin, form: Form(form) }: Posted<Form<CodeForm>>,
) -> Result<HttpResponse, PageError> {
    let Some(secret) = pending_secret(&state, &admin).await? else { return Ok(to_profile(&state, "")) };
    let Some(step) = crate::domain::two_factor::matching_step(&secret, &form.code, state.clock.now()) else {
        let error = "That code is not right. Check that your app's clock is correct and enter the code it shows now.";
        return setup_page(&state, &admin, &secret, Some(error.into()));
    };
    let (id, actor, now) = (admin.user.id, admin.actor(), state.clock.now_text());
    state
        .write(move |tx| {
            two_factor::enable(tx, id, step)?;
            Ok(crate::ops::audit::two_factor(tx, &now, &actor, id, true)?)
        })
        .await?;
    Ok(to_profile(&state, "two-factor-on"))
}

#[derive(Template)]
#[template(path = "admin/two_factor_off.html")]
struct OffPage {
    frame: Frame,
    error: Option<String>,
}

fn off_page(state: &AppState, admin: &Admin, error: Option<String>) -> Result<HttpResponse, PageError> {
    let failed = error.is_some();
    let mut response =
        render(&OffPage { frame: Frame::new(state, admin, "profile", "Turn off two-factor sign-in"), error })?;
    if failed {
        *response.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(response)
}

pub async fn two_factor_off_page(admin: Admin, state: web::Data<AppState>) -> Result<HttpResponse, PageError> {
    off_page(&state, &admin, None)
}

#[derive(serde::Deserialize)]
pub struct OffForm {
    #[serde(default)]
    password: String,
}

pub async fn two_factor_disable(
    req: HttpRequest,
    state: web::Data<AppState>,
    Posted { admin, form: Form(form) }: Posted<Form<OffForm>>,
) -> Result<HttpResponse, PageError> {
    let check = check_password(&state, &req, &admin, form.password).await?;
    if !matches!(check, PasswordCheck::Right) {
        return off_page(&state, &admin, check.problem().map(|p| format!("Password: {p}.")));
    }
    let (id, actor, now) = (admin.user.id, admin.actor(), state.clock.now_text());
    state
        .write(move |tx| {
            two_factor::remove(tx, id)?;
            Ok(crate::ops::audit::two_factor(tx, &now, &actor, id, false)?)
        })
        .await?;
    Ok(to_profile(&state, "two-factor-off"))
}
