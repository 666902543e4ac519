//! What the conversation page's forms do: reply (through the API's own send path,
//! so the status, webhooks and email notifications are the same as
//! `send-message`'s), preview the markup, insert a saved reply, change the status,
//! assign, and add or delete internal notes. Every post checks the session's CSRF
//! token and ends in a redirect (post/redirect/get), except those that only show
//! the page again (preview, insert, a refused reply, a confirmation).
//!
//! Moving to the trash and deleting a note ask first: their buttons lead to a
//! confirmation page (`GET …/trash`, `GET …/notes/{note}/delete`) whose form does
//! it, so confirming needs no JavaScript. The trash can be undone (restore).

use super::confirm::ConfirmPage;
use super::conversation::{page, saved_reply, Draft};
use super::form::Form;
use super::guard::Posted;
use super::{render, see_other, Frame, PageError};
use crate::db::{conversations, notes};
use crate::domain::people::display_name as full_name;
use crate::domain::{markup, ConversationStatus};
use crate::ops::conversations::{assign_agent, change_status_now};
use crate::ops::messages::{self as sending, Outgoing, StatusChange, MESSAGE_MAX};
use crate::ops::{notes as note_ops, OpsError};
use crate::state::AppState;
use crate::web::session::Admin;
use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};

fn conversation_url(state: &AppState, id: i64) -> String {
    format!("{}/admin/conversations/{id}", state.config.base_path)
}

fn parse_id(text: &str) -> Result<Option<i64>, PageError> {
    match text.trim() {
        "" => Ok(None),
        text => text.parse().ok().filter(|id| *id > 0).map(Some).ok_or(PageError::NotFound),
    }
}

/// Outcomes a page shows as "not found"; everything else is a failure.

#[derive(serde::Deserialize)]
pub struct ReplyForm {
    #[serde(default)]
    message: String,
    /// `send` (the default), `preview`, or `insert` (the chosen saved reply).
    #[serde(default)]
    action: String,
    #[serde(default)]
    saved_reply: String,
    /// `[["name", "link"], …]` of files uploaded from the reply box.
    #[serde(default)]
    attachments: String,
}

pub async fn reply(
    state: web::Data<AppState>,
    path: web::Path<i64>,
    Posted { admin, form: Form(form) }: Posted<Form<ReplyForm>>,
) -> Result<HttpResponse, PageError> {
    let (id, form) = (path.into_inner(), form);
    match form.action.as_str() {
        "preview" => {
            let draft = Draft { preview: Some(markup::to_html(&form.message)), message: form.message, error: None };
            render(&page(&state, &admin, id, draft, None).await?)
        }
        "insert" => {
            let index = form.saved_reply.trim().parse::<usize>().ok();
            let text = match index {
                Some(index) => {
                    let shared = state.get_ref().clone();
                    state.read(move |conn| saved_reply(conn, &shared, index)).await?
                }
                None => None,
            };
            let mut message = form.message;
            if let Some(text) = text {
                if !message.is_empty() && !message.ends_with('\n') {
                    message.push('\n');
                }
                message.push_str(&text);
            }
            render(&page(&state, &admin, id, Draft { message, ..Draft::default() }, None).await?)
        }
        _ => {
            let attachments = uploaded_files(&state, &form.attachments)?;
            let outgoing = Outgoing {
                user_id: admin.user.id,
                conversation_id: id,
                message: form.message.clone(),
                attachments,
                payload: String::new(),
                status: StatusChange::Automatic,
            };
            let (shared, now) = (state.get_ref().clone(), state.clock.now_text());
            match state.session(move |db| Ok(sending::send(db, &shared, outgoing, now))).await? {
                Ok(_) => Ok(see_other(format!("{}?done=sent#reply", conversation_url(&state, id)))),
                Err(OpsError::Invalid { field: "message", .. }) => {
                    let error = if form.message.trim().is_empty() {
                        "Write a reply before sending."
                    } else {
                        "This reply is too long to send."
                    };
                    let draft = Draft { message: form.message, preview: None, error: Some(error) };
                    let mut response = render(&page(&state, &admin, id, draft, None).await?)?;
                    *response.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
                    Ok(response)
                }
                Err(err) => Err(err.into()),
            }
        }
    }
}

/// The reply box's attachments: only files uploaded to this server, as the API
/// stores them (`""` for none).
fn uploaded_files(state: &AppState, sent: &str) -> Result<String, PageError> {
    if sent.trim().is_empty() {
        return Ok(String::new());
    }
    let pairs: Vec<(String, String)> = serde_json::from_str(sent).map_err(|_| PageError::BadForm)?;
    let stored = serde_json::to_string(&pairs).map_err(|_| PageError::BadForm)?;
    if crate::ops::files::keys_in(state, &stored).len() != pairs.len() {
        return Err(PageError::BadForm);
    }
    Ok(if pairs.is_empty() { String::new() } else { stored })
}

#[derive(serde::Deserialize)]
pub struct PreviewForm {
    #[serde(default)]
    message: String,
}

/// The reply's markup as HTML, for the live preview; everything typed is escaped.
pub async fn preview(Posted { form: Form(form), .. }: Posted<Form<PreviewForm>>) -> Result<HttpResponse, PageError> {
    let text: String = form.message.chars().take(MESSAGE_MAX).collect();
    Ok(HttpResponse::Ok().content_type("text/html; charset=utf-8").body(markup::to_html(&text)))
}

#[derive(serde::Deserialize)]
pub struct StatusForm {
    status: String,
    #[serde(default)]
    confirmed: String,
    /// `inbox` when the form was on the inbox (the undo button).
    #[serde(default)]
    back: String,
}

fn trash_confirmation(state: &AppState, admin: &Admin, id: i64) -> Result<HttpResponse, PageError> {
    render(&ConfirmPage {
        frame: Frame::new(state, admin, "inbox", "Move to the trash?"),
        question: format!("Move conversation #{id} to the trash?"),
        explanation: "It leaves the inbox. You can restore it from the trash.".into(),
        action: format!("{}/status", conversation_url(state, id)),
        fields: vec![("status", "trash".into()), ("confirmed", "yes".into())],
        button: "Move to the trash",
        cancel: conversation_url(state, id),
    })
}

/// The confirmation step before moving a conversation to the trash.
pub async fn trash_page(
    admin: Admin,
    state: web::Data<AppState>,
    path: web::Path<i64>,
) -> Result<HttpResponse, PageError> {
    let id = path.into_inner();
    if !state.read(move |conn| Ok(conversations::exists(conn, id)?)).await? {
        return Err(PageError::NotFound);
    }
    trash_confirmation(&state, &admin, id)
}

pub async fn set_status(
    state: web::Data<AppState>,
    path: web::Path<i64>,
    Posted { admin, form: Form(form) }: Posted<Form<StatusForm>>,
) -> Result<HttpResponse, PageError> {
    let id = path.into_inner();
    let (status, done) = match form.status.as_str() {
        "archive" => (ConversationStatus::Archive, "archived"),
        "trash" if form.confirmed == "yes" => (ConversationStatus::Trash, "trashed"),
        "trash" => return trash_confirmation(&state, &admin, id),
        "restore" => (ConversationStatus::Live, "restored"),
        _ => return Err(PageError::NotFound),
    };
    let shared = state.get_ref().clone();
    let changed = state.session(move |db| Ok(change_status_now(db, &shared, id, status))).await??;
    if !changed {
        return Err(PageError::NotFound);
    }
    let inbox = format!("{}/admin", state.config.base_path);
    Ok(see_other(match status {
        ConversationStatus::Archive | ConversationStatus::Trash => format!("{inbox}?done={done}&undo={id}"),
        _ if form.back == "inbox" => format!("{inbox}?done={done}"),
        _ => format!("{}?done={done}", conversation_url(&state, id)),
    }))
}

#[derive(serde::Deserialize)]
pub struct AssignForm {
    #[serde(default)]
    agent: String,
    #[serde(default)]
    department: String,
}

pub async fn assign(
    state: web::Data<AppState>,
    path: web::Path<i64>,
    Posted { admin: _, form: Form(form) }: Posted<Form<AssignForm>>,
) -> Result<HttpResponse, PageError> {
    let id = path.into_inner();
    let (agent, department) = (parse_id(&form.agent)?, parse_id(&form.department)?);
    state
        .write(move |tx| {
            Ok(assign_agent(tx, id, agent).and_then(|()| Ok(conversations::set_department(tx, id, department)?)))
        })
        .await??;
    Ok(see_other(format!("{}?done=assigned", conversation_url(&state, id))))
}

#[derive(serde::Deserialize)]
pub struct NoteForm {
    #[serde(default)]
    message: String,
}

pub async fn add_note(
    state: web::Data<AppState>,
    path: web::Path<i64>,
    Posted { admin, form: Form(form) }: Posted<Form<NoteForm>>,
) -> Result<HttpResponse, PageError> {
    let id = path.into_inner();
    let (author, name) = (admin.user.id, full_name(&admin.user.first_name, &admin.user.last_name));
    let (message, now) = (form.message, state.clock.now_text());
    let added = state.write(move |tx| Ok(note_ops::add(tx, id, author, &name, &message, &now))).await?;
    let done = match added {
        Ok(_) => "note-added",
        Err(OpsError::Invalid { field: "message", .. }) => "empty-note",
        Err(err) => return Err(err.into()),
    };
    Ok(see_other(format!("{}?done={done}#notes", conversation_url(&state, id))))
}

#[derive(serde::Deserialize)]
pub struct ConfirmForm {}

/// The confirmation step before deleting a note.
pub async fn delete_note_page(
    admin: Admin,
    state: web::Data<AppState>,
    path: web::Path<(i64, i64)>,
) -> Result<HttpResponse, PageError> {
    let (id, note) = path.into_inner();
    let text = state
        .read(move |conn| Ok(notes::of_conversation(conn, id)?.into_iter().find(|n| n.id == note).map(|n| n.message)))
        .await?
        .ok_or(PageError::NotFound)?;
    let quoted: String = text.chars().take(200).collect();
    render(&ConfirmPage {
        frame: Frame::new(&state, &admin, "inbox", "Delete the note?"),
        question: format!("Delete this note? “{quoted}”"),
        explanation: "Deleted notes cannot be restored.".into(),
        action: format!("{}/notes/{note}/delete", conversation_url(&state, id)),
        fields: vec![],
        button: "Delete the note",
        cancel: format!("{}#notes", conversation_url(&state, id)),
    })
}

pub async fn delete_note(
    state: web::Data<AppState>,
    path: web::Path<(i64, i64)>,
    Posted { admin: _, form: Form(_form) }: Posted<Form<ConfirmForm>>,
) -> Result<HttpResponse, PageError> {
    let (id, note) = path.into_inner();
    let deleted = state.write(move |tx| Ok(notes::delete(tx, id, note)?)).await?;
    if !deleted {
        return Err(PageError::NotFound);
    }
    Ok(see_other(format!("{}?done=note-deleted#notes", conversation_url(&state, id))))
}

#[derive(serde::Deserialize)]
pub struct TypingForm {
    #[serde(default)]
    typing: String,
}

/// The agent typing in the reply box (or stopping): the customer's widget shows it.
pub async fn typing(
    state: web::Data<AppState>,
    path: web::Path<i64>,
    Posted { admin, form: Form(form) }: Posted<Form<TypingForm>>,
) -> Result<HttpResponse, PageError> {
    let (id, me, on) = (path.into_inner(), admin.user.id, form.typing == "1");
    let shared = state.get_ref().clone();
    state.session(move |db| Ok(crate::ops::presence::set_typing(db, &shared, me, on.then_some(id)))).await??;
    Ok(HttpResponse::NoContent().finish())
}
