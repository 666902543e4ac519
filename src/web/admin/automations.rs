//! The automations list at `/admin/automations` (admins), one section per type,
//! and deleting an automation after a confirmation page. The editor is in
//! `automation_editor`.

use super::confirm::ConfirmPage;
use super::form::{Done, Fields};
use super::guard::AdminPost;
use super::{render, see_other, Frame, PageError};
use crate::domain::automations::{parse_saved, saved_json, Kind};
use crate::error::ApiError;
use crate::ops::automations::{load, load_translations};
use crate::state::AppState;
use crate::web::session::Admin;
use actix_web::{web, HttpResponse};
use askama::Template;

pub fn kind_title(kind: Kind) -> &'static str {
    match kind {
        Kind::Emails => "Emails",
        Kind::Sms => "Text messages (SMS)",
        Kind::Messages => "Chat messages",
        Kind::Popups => "Popups",
        Kind::Design => "Chat design",
    }
}

fn kind_description(kind: Kind) -> &'static str {
    match kind {
        Kind::Emails => "Emailed to each matching user once (or once per repeat period), through the outbox.",
        Kind::Sms => "Saved and checked, but never sent: Switchboard has no SMS provider.",
        Kind::Messages => "Posted by the bot into the user's latest conversation.",
        Kind::Popups => "Shown by the chat widget to visitors who match.",
        Kind::Design => "Changes the chat widget's look for visitors who match.",
    }
}

#[derive(Template)]
#[template(path = "admin/automations.html")]
struct ListPage {
    frame: Frame,
    notice: Option<&'static str>,
    sections: Vec<Section>,
}

struct Section {
    kind: &'static str,
    title: &'static str,
    description: &'static str,
    rows: Vec<Row>,
}

struct Row {
    id: String,
    name: String,
    conditions: usize,
    languages: Vec<String>,
    repeat: String,
}

pub async fn list_page(
    admin: Admin,
    state: web::Data<AppState>,
    query: web::Query<Done>,
) -> Result<HttpResponse, PageError> {
    admin.require_admin()?;
    let (automations, translations) = state
        .read(|conn| {
            let automations = load(conn)?;
            let translations = load_translations(conn, &automations)?;
            Ok((automations, translations))
        })
        .await?;
    let sections = Kind::ALL
        .into_iter()
        .map(|kind| Section {
            kind: kind.as_str(),
            title: kind_title(kind),
            description: kind_description(kind),
            rows: automations
                .iter()
                .filter(|a| a.kind == kind)
                .map(|a| Row {
                    id: a.id.clone(),
                    name: if a.name.trim().is_empty() { format!("Untitled ({})", a.id) } else { a.name.clone() },
                    conditions: a.conditions.len(),
                    languages: translations
                        .iter()
                        .filter(|t| t.automation_id == a.id)
                        .map(|t| t.language.clone())
                        .collect(),
                    repeat: a.repeat.map_or("Once per user".to_string(), |days| format!("Every {days} days")),
                })
                .collect(),
        })
        .collect();
    render(&ListPage {
        frame: Frame::new(&state, &admin, "automations", "Automations"),
        notice: super::notice::text(query.done.as_deref()),
        sections,
    })
}

pub async fn delete_page(
    admin: Admin,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    admin.require_admin()?;
    let id = path.into_inner();
    let lookup = id.clone();
    let found = state.read(move |conn| Ok(load(conn)?.into_iter().find(|a| a.id == lookup))).await?;
    let automation = found.ok_or(PageError::NotFound)?;
    let base = &state.config.base_path;
    let name = if automation.name.trim().is_empty() { automation.id.clone() } else { automation.name.clone() };
    let heading = format!("Delete the automation “{name}”?");
    render(&ConfirmPage {
        frame: Frame::new(&state, &admin, "automations", &heading),
        question: heading,
        explanation: "It stops running, and its translations and the record of whom it ran for are deleted too."
            .to_string(),
        action: format!("{base}/admin/automations/{id}/delete"),
        button: "Delete the automation",
        cancel: format!("{base}/admin/automations/{id}"),
        fields: Vec::new(),
    })
}

/// Deletes one automation: the others are saved again as automations-save would.
pub async fn delete(
    state: web::Data<AppState>,
    path: web::Path<String>,
    AdminPost { admin, form: _ }: AdminPost<Fields>,
) -> Result<HttpResponse, PageError> {
    let id = path.into_inner();
    let (now, actor) = (state.clock.now_text(), admin.actor());
    let deleted = state
        .write(move |tx| {
            let mut automations = load(tx)?;
            let before = automations.len();
            automations.retain(|a| a.id != id);
            if automations.len() == before {
                return Ok(false);
            }
            let mut translations = load_translations(tx, &automations)?;
            translations.retain(|t| t.automation_id != id);
            let whole = saved_json(&automations, &translations);
            let checked = parse_saved(Some(&whole[0]), Some(&whole[1])).map_err(|why| {
                tracing::error!(reason = %why, "saved automations no longer check");
                ApiError::from(crate::error::Failure::InternalError)
            })?;
            crate::ops::automations::save(tx, &checked, &now, &actor)?;
            Ok::<_, ApiError>(true)
        })
        .await?;
    if !deleted {
        return Err(PageError::NotFound);
    }
    Ok(see_other(format!("{}/admin/automations?done=deleted", state.config.base_path)))
}
