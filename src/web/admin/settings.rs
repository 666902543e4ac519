//! The settings page at `/admin/settings` (admins only): one form per schema
//! section, saved with the validation and secret-keeping of save-settings, errors
//! shown beside their fields; the "send test email" and "send test webhook"
//! buttons, which queue exactly what send-test-email and send-test-webhook do; and
//! "test connection" for the piped mailbox, as test-email-piping.

use super::form::{refused, Fields};
use super::guard::AdminPost;
use super::settings_form::{check, posted, section_settings, sections, view, SectionView};
use super::{render, see_other, Frame, PageError};
use crate::domain::Email;
use crate::error::ApiResult;
use crate::ops;
use crate::ops::settings::current;
use crate::state::AppState;
use crate::web::session::Admin;
use actix_web::{web, HttpResponse};
use askama::Template;
use rusqlite::Connection;
use serde_json::Value;
use std::collections::HashMap;

#[derive(Template)]
#[template(path = "admin/settings.html")]
struct SettingsPage {
    frame: Frame,
    notice: Option<&'static str>,
    /// The section the notice is about, shown there (a redirect lands on it).
    notice_section: String,
    sections: Vec<SectionView>,
    admin_email: String,
    email_error: Option<String>,
    webhook_error: Option<String>,
    mailbox_error: Option<String>,
}

/// A section sent back refused: what was sent, and why each setting was refused.
struct Refused {
    section: String,
    sent: HashMap<&'static str, Value>,
    errors: HashMap<&'static str, String>,
}

/// Every section with its stored values, or for a refused one, what was sent.
fn build(conn: &Connection, refused: Option<&Refused>) -> ApiResult<Vec<SectionView>> {
    let mut views = Vec::new();
    for id in sections() {
        let (title, intro) = super::settings_labels::section(id);
        let refused = refused.filter(|r| r.section == id);
        let mut settings = Vec::new();
        for setting in section_settings(id) {
            let sent = refused.and_then(|r| r.sent.get(setting.id));
            let error = refused.and_then(|r| r.errors.get(setting.id).cloned());
            let value = match sent {
                Some(sent) => sent.clone(),
                None => current(conn, setting)?,
            };
            settings.push(view(setting, &value, error));
        }
        let error_count = settings.iter().filter(|s| s.error.is_some()).count();
        views.push(SectionView { id, title, intro, settings, error_count });
    }
    Ok(views)
}

async fn page(admin: &Admin, state: &web::Data<AppState>, refused: Option<Refused>) -> Result<SettingsPage, PageError> {
    let sections = state.read(move |conn| build(conn, refused.as_ref())).await?;
    Ok(SettingsPage {
        frame: Frame::new(state, admin, "settings", "Settings"),
        notice: None,
        notice_section: String::new(),
        sections,
        admin_email: admin.user.email.clone().unwrap_or_default(),
        email_error: None,
        webhook_error: None,
        mailbox_error: None,
    })
}

#[derive(serde::Deserialize)]
pub struct SettingsQuery {
    done: Option<String>,
    section: Option<String>,
}

pub async fn settings_page(
    admin: Admin,
    state: web::Data<AppState>,
    query: web::Query<SettingsQuery>,
) -> Result<HttpResponse, PageError> {
    admin.require_admin()?;
    let mut page = page(&admin, &state, None).await?;
    page.notice = super::notice::text(query.done.as_deref());
    page.notice_section = query.section.clone().unwrap_or_default();
    render(&page)
}

/// Back to the page, its notice shown in `section`, scrolled there.
fn back(state: &AppState, done: &str, section: &str) -> HttpResponse {
    see_other(format!("{}/admin/settings?done={done}&section={section}#section-{section}", state.config.base_path))
}

/// Saves one section: every setting in it is checked, and all are saved or none.
pub async fn save_section(
    state: web::Data<AppState>,
    path: web::Path<String>,
    AdminPost { admin, form }: AdminPost<Fields>,
) -> Result<HttpResponse, PageError> {
    let section = path.into_inner();
    if !sections().contains(&section.as_str()) {
        return Err(PageError::NotFound);
    }
    let (mut checked, mut sent, mut errors) = (Vec::new(), HashMap::new(), HashMap::new());
    for setting in section_settings(&section) {
        let value = posted(&form, setting);
        match check(setting, &value) {
            Ok(valid) => checked.push((setting, valid)),
            Err(why) => {
                errors.insert(setting.id, why);
            }
        }
        sent.insert(setting.id, value);
    }
    if !errors.is_empty() {
        return refused(&page(&admin, &state, Some(Refused { section, sent, errors })).await?);
    }
    let (shared, actor) = (state.get_ref().clone(), admin.actor());
    let changes = ops::settings::Changes { settings: checked, ..Default::default() };
    state.session(move |db| Ok(ops::settings::save(db, &shared, changes, actor)?)).await?;
    Ok(back(&state, "saved", &section))
}

/// Queues the test email (to the address given, else the admin's own).
pub async fn test_email(
    state: web::Data<AppState>,
    AdminPost { admin, form }: AdminPost<Fields>,
) -> Result<HttpResponse, PageError> {
    let to = match form.text("to").trim() {
        "" => admin.user.email.clone().unwrap_or_default(),
        given => given.to_string(),
    };
    let Some(to) = Email::parse(&to) else {
        let mut page = page(&admin, &state, None).await?;
        page.email_error = Some("Enter the email address to send the test email to.".into());
        return refused(&page);
    };
    let now = state.clock.now_text();
    let shared = state.get_ref().clone();
    let composed = state.read(move |conn| Ok(ops::email::test_email(conn, &shared, &to)?)).await?;
    state.write(move |tx| Ok(ops::email::queue(tx, &composed, &now)?)).await?;
    state.background.wake();
    Ok(back(&state, "test-email", "notifications"))
}

/// Queues the test webhook to the saved webhook URL.
pub async fn test_webhook(
    state: web::Data<AppState>,
    AdminPost { admin, .. }: AdminPost<Fields>,
) -> Result<HttpResponse, PageError> {
    let shared = state.get_ref().clone();
    let queued = state.write(move |tx| Ok(crate::outbox::webhooks::fire_test(tx, &shared)?)).await?;
    if queued.is_none() {
        let mut page = page(&admin, &state, None).await?;
        page.webhook_error = Some("Save a webhook URL in the Webhooks setting first.".into());
        return refused(&page);
    }
    state.background.wake();
    Ok(back(&state, "test-webhook", "miscellaneous"))
}

/// Connects to the piped mailbox with the saved settings, logs in, opens the
/// folder and leaves; a failure is shown in the email-piping section.
pub async fn test_mailbox(
    state: web::Data<AppState>,
    AdminPost { admin, .. }: AdminPost<Fields>,
) -> Result<HttpResponse, PageError> {
    let shared = state.get_ref().clone();
    let tried = state
        .session(move |db| {
            let settings = shared.settings(db.conn()?)?;
            let piping = shared.background.piping().ok_or(crate::error::Failure::InternalError)?;
            Ok(db.outside(|| (piping.test)(&settings.email_piping, settings.outbound_public_only)))
        })
        .await?;
    if let Err(failure) = tried {
        let mut page = page(&admin, &state, None).await?;
        page.mailbox_error = Some(failure.message());
        return refused(&page);
    }
    Ok(back(&state, "mailbox-answered", "email-piping"))
}
