//! The signed-in person's own profile at `/admin/profile`: their name and email,
//! their password (the current one is needed to change it or the email, and a new
//! one signs out their other sessions), two-factor sign-in (in
//! [`super::profile_two_factor`]) and the list of their sessions, each of which
//! they can end. A wrong current password counts as a failed sign-in, so the
//! sign-in lock-out also stops guessing from an open session.

use super::form::Form;
use super::guard::Posted;
use super::login::{address_of, locked_message, locked_minutes, record_failure};
use super::{notice, render, see_other, Frame, PageError};
use crate::db::users::{self, UserChanges};
use crate::db::{sessions, two_factor};
use crate::domain::people;
use crate::error::{ApiError, Outcome};
use crate::ops::users as accounts;
use crate::state::AppState;
use crate::web::session::Admin;
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;

pub fn routes(config: &mut web::ServiceConfig) {
    use super::profile_two_factor as tf;
    config
        .route("/admin/profile", web::get().to(profile_page))
        .route("/admin/profile", web::post().to(profile_save))
        .route("/admin/profile/password", web::post().to(password_save))
        .route("/admin/profile/sessions/end", web::post().to(session_end))
        .route("/admin/profile/two-factor/start", web::post().to(tf::two_factor_start))
        .route("/admin/profile/two-factor", web::get().to(tf::two_factor_page))
        .route("/admin/profile/two-factor", web::post().to(tf::two_factor_enable))
        .route("/admin/profile/two-factor/qr.svg", web::get().to(tf::two_factor_qr))
        .route("/admin/profile/two-factor/off", web::get().to(tf::two_factor_off_page))
        .route("/admin/profile/two-factor/off", web::post().to(tf::two_factor_disable));
}

struct SessionItem {
    handle: String,
    started: String,
    last_seen: String,
    /// When it ends by itself: idle for too long, or too old.
    ends: String,
    browser: String,
    current: bool,
}

#[derive(Default)]
struct Errors {
    first_name: Option<String>,
    last_name: Option<String>,
    email: Option<String>,
    /// The current password, asked for to change the email.
    details_password: Option<String>,
    /// The current password, asked for to change the password.
    current_password: Option<String>,
    password: Option<String>,
}

#[derive(Template)]
#[template(path = "admin/profile.html")]
struct ProfilePage {
    frame: Frame,
    notice: Option<&'static str>,
    first_name: String,
    last_name: String,
    email: String,
    errors: Errors,
    /// `off`, `pending` (set up but not confirmed) or `on`.
    two_factor: &'static str,
    sessions: Vec<SessionItem>,
}

/// The handle of a session in forms: never the session ID itself, which is a secret.
fn handle_of(state: &AppState, session: &str) -> String {
    state.key.tag("admin-session-handle", session.as_bytes())[..32].to_string()
}

struct Shown {
    first_name: String,
    last_name: String,
    email: String,
}

async fn page(
    state: &AppState,
    admin: &Admin,
    shown: Shown,
    errors: Errors,
    notice: Option<&'static str>,
) -> Result<HttpResponse, PageError> {
    let id = admin.user.id;
    let live = crate::web::session::live(state);
    let (rows, two) = state
        .read(move |conn| Ok((sessions::admin_sessions_of(conn, id, &live)?, two_factor::find(conn, id)?)))
        .await?;
    let failed = errors.first_name.is_some()
        || errors.last_name.is_some()
        || errors.email.is_some()
        || errors.details_password.is_some()
        || errors.current_password.is_some()
        || errors.password.is_some();
    let mut response = render(&ProfilePage {
        frame: Frame::new(state, admin, "profile", "Your profile"),
        notice,
        first_name: shown.first_name,
        last_name: shown.last_name,
        email: shown.email,
        errors,
        two_factor: match two {
            Some(row) if row.enabled => "on",
            Some(_) => "pending",
            None => "off",
        },
        sessions: rows
            .into_iter()
            .map(|s| SessionItem {
                handle: handle_of(state, &s.id),
                current: s.id == admin.session,
                ends: session_end_time(state, &s),
                last_seen: s.last_seen,
                started: s.creation_time,
                browser: s
                    .user_agent
                    .filter(|a| !a.is_empty())
                    .map_or_else(|| "Unknown browser".into(), |a| browser_name(&a)),
            })
            .collect(),
    })?;
    if failed {
        *response.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(response)
}

/// When a session ends by itself: after the idle timeout from its last use, or at
/// the end of its lifetime, whichever comes first.
fn session_end_time(state: &AppState, session: &sessions::AdminSession) -> String {
    let at = |text: &str, seconds: u64| {
        chrono::NaiveDateTime::parse_from_str(text, crate::clock::FORMAT)
            .map(|t| t.and_utc() + chrono::Duration::seconds(seconds as i64))
            .ok()
    };
    let idle = at(&session.last_seen, state.config.session_idle_seconds);
    let lifetime = at(&session.creation_time, state.config.session_lifetime_seconds);
    idle.into_iter().chain(lifetime).min().map(crate::clock::format).unwrap_or_default()
}

/// A short, readable name for a browser from its user agent.
fn browser_name(agent: &str) -> String {
    let browser = ["Edg/", "Firefox/", "Chrome/", "Safari/"]
        .into_iter()
        .find(|b| agent.contains(b))
        .map(|b| match b {
            "Edg/" => "Edge",
            "Firefox/" => "Firefox",
            "Chrome/" => {
                if agent.contains("HeadlessChrome") {
                    "Headless Chrome"
                } else {
                    "Chrome"
                }
            }
            _ => "Safari",
        })
        .unwrap_or("A browser");
    let system = [
        ("Android", "Android"),
        ("iPhone", "iPhone"),
        ("iPad", "iPad"),
        ("Windows", "Windows"),
        ("Mac OS X", "macOS"),
        ("Linux", "Linux"),
    ]
    .into_iter()
    .find(|(needle, _)| agent.contains(needle))
    .map(|(_, name)| name);
    match system {
        Some(system) => format!("{browser} on {system}"),
        None => browser.to_string(),
    }
}

fn shown_of(admin: &Admin) -> Shown {
    Shown {
        first_name: admin.user.first_name.clone(),
        last_name: admin.user.last_name.clone(),
        email: admin.user.email.clone().unwrap_or_default(),
    }
}

#[derive(serde::Deserialize)]
pub struct DoneQuery {
    done: Option<String>,
}

pub async fn profile_page(
    admin: Admin,
    state: web::Data<AppState>,
    query: web::Query<DoneQuery>,
) -> Result<HttpResponse, PageError> {
    let shown = shown_of(&admin);
    page(&state, &admin, shown, Errors::default(), notice::text(query.done.as_deref())).await
}

/// How checking the signed-in person's current password went.
pub(super) enum PasswordCheck {
    Right,
    Wrong,
    Locked(i64),
}

impl PasswordCheck {
    /// The message to show when it did not go right.
    pub(super) fn problem(&self) -> Option<String> {
        match self {
            PasswordCheck::Right => None,
            PasswordCheck::Wrong => Some("that is not your current password".into()),
            PasswordCheck::Locked(minutes) => Some(locked_message(*minutes)),
        }
    }
}

/// Checks `password` against the signed-in person's own, under the sign-in lock-out.
pub(super) async fn check_password(
    state: &AppState,
    req: &HttpRequest,
    admin: &Admin,
    password: String,
) -> Result<PasswordCheck, PageError> {
    let (shared, id, address) = (state.clone(), admin.user.id, address_of(req));
    let account = admin.user.email.clone().unwrap_or_default().to_ascii_lowercase();
    let (lookup, from) = (account.clone(), address.clone());
    let hash = state
        .read(move |conn| match locked_minutes(conn, shared.clock.now(), &lookup, &from)? {
            Some(minutes) => Ok(Err(minutes)),
            None => Ok(Ok(users::password_hash(conn, id)?)),
        })
        .await?;
    let hash = match hash {
        Err(minutes) => return Ok(PasswordCheck::Locked(minutes)),
        Ok(hash) => hash,
    };
    if state.verify_password(&password, hash.as_deref()).await? {
        return Ok(PasswordCheck::Right);
    }
    record_failure(state, account, address, "current password").await?;
    Ok(PasswordCheck::Wrong)
}

#[derive(serde::Deserialize)]
pub struct DetailsForm {
    #[serde(default)]
    first_name: String,
    #[serde(default)]
    last_name: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    current_password: String,
}

pub async fn profile_save(
    req: HttpRequest,
    state: web::Data<AppState>,
    Posted { admin, form: Form(form) }: Posted<Form<DetailsForm>>,
) -> Result<HttpResponse, PageError> {
    let mut errors = Errors::default();
    let first_name = people::name(&form.first_name).map_err(|e| errors.first_name = Some(e)).ok();
    let last_name = people::name(&form.last_name).map_err(|e| errors.last_name = Some(e)).ok();
    let email = match people::email(&form.email) {
        Ok(Some(email)) => Some(email),
        Ok(None) => {
            errors.email = Some("you sign in with your email: enter one".into());
            None
        }
        Err(why) => {
            errors.email = Some(why);
            None
        }
    };
    let current = admin.user.email.clone().unwrap_or_default();
    if email.as_ref().is_some_and(|e| !e.as_str().eq_ignore_ascii_case(&current)) {
        let check = check_password(&state, &req, &admin, form.current_password.clone()).await?;
        errors.details_password = check.problem().map(|p| format!("{p} (needed to change your email)"));
    }
    let shown = Shown { first_name: form.first_name, last_name: form.last_name, email: form.email };
    let (Some(first_name), Some(last_name), Some(email), None) =
        (first_name, last_name, email, &errors.details_password)
    else {
        return page(&state, &admin, shown, errors, None).await;
    };
    let (shared, id, actor) = (state.get_ref().clone(), admin.user.id, admin.actor());
    let changes = UserChanges {
        first_name: Some(first_name),
        last_name: Some(last_name),
        email: Some(Some(email.into_string())),
        ..UserChanges::default()
    };
    let saved = state.write(move |tx| Ok(accounts::update(tx, &shared, id, &changes, &[], Some(&actor))?)).await;
    match saved {
        Ok(()) => {
            state.background.wake();
            Ok(see_other(format!("{}/admin/profile?done=profile-saved", state.config.base_path)))
        }
        Err(ApiError::Outcome(Outcome::DuplicateEmail)) => {
            let errors = Errors { email: Some("someone else already has this email".into()), ..Errors::default() };
            page(&state, &admin, shown, errors, None).await
        }
        Err(err) => Err(err.into()),
    }
}

#[derive(serde::Deserialize)]
pub struct PasswordForm {
    #[serde(default)]
    current_password: String,
    #[serde(default)]
    new_password: String,
    #[serde(default)]
    confirm_password: String,
}

pub async fn password_save(
    req: HttpRequest,
    state: web::Data<AppState>,
    Posted { admin, form: Form(form) }: Posted<Form<PasswordForm>>,
) -> Result<HttpResponse, PageError> {
    let new_password = match people::password(&form.new_password) {
        Ok(Some(password)) if password == form.confirm_password => Ok(password),
        Ok(Some(_)) => Err("the two new passwords are not the same".to_string()),
        Ok(None) => Err(format!("enter a new password of at least {} characters", people::PASSWORD_MIN)),
        Err(why) => Err(why),
    };
    let check = check_password(&state, &req, &admin, form.current_password).await?;
    let errors = Errors {
        current_password: check.problem(),
        password: new_password.as_ref().err().cloned(),
        ..Errors::default()
    };
    let (Ok(new_password), None) = (new_password, &errors.current_password) else {
        return page(&state, &admin, shown_of(&admin), errors, None).await;
    };
    let (id, keep, actor, now) = (admin.user.id, admin.session.clone(), admin.actor(), state.clock.now_text());
    let hash = state.hash_password(&new_password).await?;
    state.write(move |tx| Ok(accounts::set_password(tx, &now, id, hash, Some(&keep), (&actor, "changed"))?)).await?;
    Ok(see_other(format!("{}/admin/profile?done=password-changed", state.config.base_path)))
}

#[derive(serde::Deserialize)]
pub struct EndForm {
    /// A session's handle, or `others` for every session but this one.
    session: String,
}

pub async fn session_end(
    state: web::Data<AppState>,
    Posted { admin, form: Form(form) }: Posted<Form<EndForm>>,
) -> Result<HttpResponse, PageError> {
    let (shared, id, keep, wanted) =
        (state.get_ref().clone(), admin.user.id, admin.session.clone(), form.session.clone());
    let live = crate::web::session::live(&state);
    let done = state
        .write(move |tx| {
            if wanted == "others" {
                sessions::revoke_all_except(tx, id, &keep)?;
                return Ok("sessions-ended");
            }
            let mine = sessions::admin_sessions_of(tx, id, &live)?;
            let Some(target) = mine.into_iter().find(|s| s.id != keep && handle_of(&shared, &s.id) == wanted) else {
                return Ok("");
            };
            sessions::revoke(tx, &target.id)?;
            Ok("session-ended")
        })
        .await?;
    if done.is_empty() {
        return Err(PageError::NotFound);
    }
    Ok(see_other(format!("{}/admin/profile?done={done}", state.config.base_path)))
}
