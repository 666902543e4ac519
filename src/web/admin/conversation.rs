//! The conversation page at `/admin/conversations/{id}`: the messages (markup
//! rendered by `markup::to_html`, which escapes everything typed), attachments,
//! whether the customer is typing, the reply box with saved replies and preview,
//! internal notes, status and assignment, and beside it all the user's profile and
//! the rating. Opening the page marks the customer's messages read.
//!
//! `…/messages?after=ID` answers the messages after an ID as an HTML fragment for
//! `admin.js`; `…/transcript.csv` downloads the conversation as the API's
//! `transcript` writes it.

use super::assignees::{options, with_current, Assignees, Opt};
use super::message_view::{message_views, role, MessageView};
use super::{render, Frame, PageError};
use crate::db::conversations::{self, ConversationRow};
use crate::db::doorway::Db;
use crate::db::messages;
use crate::db::{notes, typing, users};
use crate::domain::people::display_name as full_name;
use crate::domain::settings::Settings;
use crate::domain::After;
use crate::domain::{source_name, status_label};
use crate::error::ApiResult;
use crate::ops::exports;
use crate::state::AppState;
use crate::web::session::Admin;
use actix_web::http::header;
use actix_web::{web, HttpResponse};
use askama::Template;
use rusqlite::Connection;

pub struct NoteView {
    pub id: i64,
    pub author: String,
    pub time: String,
    pub text: String,
}

pub struct Profile {
    pub id: i64,
    pub name: String,
    pub email: Option<String>,
    pub user_type: &'static str,
    pub created: String,
    pub last_seen: String,
    pub online: bool,
    /// `(label, value)` of the user's extra details.
    pub details: Vec<(String, String)>,
}

pub struct SavedReply {
    pub index: usize,
    pub name: String,
    pub text: String,
}

/// What the reply box holds when the page is shown again after a preview, an
/// inserted saved reply or a refused send.
#[derive(Default)]
pub struct Draft {
    pub message: String,
    pub preview: Option<String>,
    pub error: Option<&'static str>,
}

#[derive(Template)]
#[template(path = "admin/conversation.html")]
pub struct ConversationPage {
    frame: Frame,
    id: i64,
    title: String,
    status: &'static str,
    status_class: &'static str,
    is_open: bool,
    is_trash: bool,
    created: String,
    source: Option<String>,
    messages: Vec<MessageView>,
    last_message_id: i64,
    customer_name: String,
    typing: bool,
    notes: Vec<NoteView>,
    profile: Option<Profile>,
    rating: Option<&'static str>,
    agents: Vec<Opt>,
    departments: Vec<Opt>,
    has_departments: bool,
    saved_replies: Vec<SavedReply>,
    draft: Draft,
    notice: Option<&'static str>,
}

/// Everything the page shows, read in one trip to the database.
struct Loaded {
    conversation: ConversationRow,
    messages: Vec<MessageView>,
    last_message_id: i64,
    notes: Vec<notes::NoteRow>,
    profile: Option<Profile>,
    typing: bool,
    assignees: Assignees,
    saved_replies: Vec<SavedReply>,
}

fn saved_replies(settings: &Settings) -> Vec<SavedReply> {
    settings
        .saved_replies
        .iter()
        .enumerate()
        .filter(|(_, reply)| !reply.text.is_empty())
        .map(|(index, reply)| SavedReply {
            index,
            name: if reply.name.is_empty() { "Untitled".into() } else { reply.name.clone() },
            text: reply.text.clone(),
        })
        .collect()
}

/// A saved reply's text by its place in the setting.
pub fn saved_reply(conn: &Connection, state: &AppState, index: usize) -> ApiResult<Option<String>> {
    Ok(saved_replies(state.settings(conn)?.as_ref()).into_iter().find(|r| r.index == index).map(|r| r.text))
}

fn load(db: &mut Db, state: &AppState, id: i64) -> ApiResult<Option<Loaded>> {
    if !conversations::exists(db.conn()?, id)? {
        return Ok(None);
    }
    crate::ops::reading::customer_messages(db, state, id)?;
    let conn = db.conn()?;
    let settings = state.settings(conn)?;
    let Some(conversation) = conversations::find(conn, id)? else { return Ok(None) };
    let online_since = state.clock.ago_text(state.config.online_window_seconds);
    let typing_since = state.clock.ago_text(state.config.typing_timeout_seconds);
    let profile = match users::find(conn, conversation.user_id)? {
        Some(user) => Some(Profile {
            id: user.id,
            name: full_name(&user.first_name, &user.last_name),
            email: user.email.clone().filter(|e| !e.is_empty()),
            user_type: role(user.user_type).1,
            online: user.last_activity >= online_since,
            created: user.creation_time,
            last_seen: user.last_activity,
            details: users::details(conn, user.id)?.into_iter().map(|d| (d.name, d.value)).collect(),
        }),
        None => None,
    };
    let rows = messages::of_conversation(conn, id)?;
    Ok(Some(Loaded {
        last_message_id: rows.last().map_or(0, |m| m.id),
        messages: message_views(conn, state, &rows)?,
        notes: notes::of_conversation(conn, id)?,
        typing: typing::is_typing(conn, conversation.user_id, id, &typing_since)?,
        assignees: Assignees::load(conn, &settings)?,
        saved_replies: saved_replies(&settings),
        profile,
        conversation,
    }))
}

/// The page for conversation `id`, with the reply box holding `draft`.
pub async fn page(
    state: &AppState,
    admin: &Admin,
    id: i64,
    draft: Draft,
    notice: Option<&'static str>,
) -> Result<ConversationPage, PageError> {
    let shared = state.clone();
    let loaded = state.session(move |db| load(db, &shared, id)).await?.ok_or(PageError::NotFound)?;
    let c = &loaded.conversation;
    let (status, status_class) = status_label(c.status_code);
    let customer_name = full_name(&c.first_name, &c.last_name);
    let title = if c.title.trim().is_empty() { format!("Conversation with {customer_name}") } else { c.title.clone() };
    let agent = c.agent_id.map(|a| a.to_string()).unwrap_or_default();
    let department = c.department.map(|d| d.to_string()).unwrap_or_default();
    Ok(ConversationPage {
        frame: Frame::new(state, admin, "inbox", &title),
        id,
        title,
        status,
        status_class,
        is_open: c.status_code < 3,
        is_trash: c.status_code == 4,
        created: c.creation_time.clone(),
        source: c.source.as_deref().filter(|s| !s.is_empty()).map(source_name),
        last_message_id: loaded.last_message_id,
        messages: loaded.messages,
        customer_name,
        typing: loaded.typing,
        notes: loaded
            .notes
            .into_iter()
            .map(|n| NoteView {
                id: n.id,
                author: if n.name.trim().is_empty() {
                    loaded.assignees.agent_name(Some(n.user_id)).unwrap_or_default()
                } else {
                    n.name
                },
                time: n.creation_time,
                text: n.message,
            })
            .collect(),
        profile: loaded.profile,
        rating: match c.rating {
            Some(1) => Some("Positive"),
            Some(0) => Some("Negative"),
            _ => None,
        },
        agents: with_current(options(("", "Nobody"), &loaded.assignees.agents, &agent), &agent, "Agent #"),
        has_departments: !loaded.assignees.departments.is_empty(),
        departments: with_current(
            options(("", "None"), &loaded.assignees.departments, &department),
            &department,
            "Department ",
        ),
        saved_replies: loaded.saved_replies,
        draft,
        notice,
    })
}

#[derive(serde::Deserialize)]
pub struct PageParams {
    #[serde(default)]
    done: String,
}

pub async fn conversation_page(
    admin: Admin,
    state: web::Data<AppState>,
    path: web::Path<i64>,
    params: web::Query<PageParams>,
) -> Result<HttpResponse, PageError> {
    render(&page(&state, &admin, path.into_inner(), Draft::default(), super::notice::text(Some(&params.done))).await?)
}

#[derive(serde::Deserialize)]
pub struct AfterParams {
    #[serde(default)]
    after: String,
}

#[derive(Template)]
#[template(path = "admin/conversation_messages.html")]
struct MessagesFragment {
    messages: Vec<MessageView>,
}

/// The messages after `after`, as list items; seeing them marks them read.
pub async fn conversation_messages(
    _admin: Admin,
    state: web::Data<AppState>,
    path: web::Path<i64>,
    params: web::Query<AfterParams>,
) -> Result<HttpResponse, PageError> {
    let id = path.into_inner();
    let after = params.after.trim().parse::<i64>().unwrap_or(0).max(0);
    let shared = state.get_ref().clone();
    let messages = state
        .session(move |db| {
            if !conversations::exists(db.conn()?, id)? {
                return Ok(None);
            }
            crate::ops::reading::customer_messages(db, &shared, id)?;
            let rows = messages::of_conversation_after(db.conn()?, id, &After::Id(after))?;
            Ok(Some(message_views(db.conn()?, &shared, &rows)?))
        })
        .await?
        .ok_or(PageError::NotFound)?;
    render(&MessagesFragment { messages })
}

/// The conversation as CSV, downloaded straight from the signed-in session.
pub async fn transcript(
    _admin: Admin,
    state: web::Data<AppState>,
    path: web::Path<i64>,
) -> Result<HttpResponse, PageError> {
    let id = path.into_inner();
    let csv = state
        .read(move |conn| {
            if !conversations::exists(conn, id)? {
                return Ok(None);
            }
            Ok(Some(exports::to_csv(&messages::of_conversation(conn, id)?)?))
        })
        .await?
        .ok_or(PageError::NotFound)?;
    Ok(HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header((header::CONTENT_DISPOSITION, format!("attachment; filename=\"conversation-{id}.csv\"")))
        .insert_header((header::CACHE_CONTROL, "private, no-store"))
        .body(csv))
}
