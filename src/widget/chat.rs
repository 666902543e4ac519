//! Chatting: the visitor's messages (polled, for browsers without event
//! streams), sending, typing, a rating, a transcript by email, and the "leave a
//! message" form.

use super::profile::info_of;
use super::shapes::{ConversationView, MessageView};
use super::{admit, body, reply, visitor};
use crate::db::messages::{self, STATUS_READ};
use crate::db::typing;
use crate::domain::Email;
use crate::error::{ApiResult, Failure, Outcome};
use crate::ops::notifications::plain_email;
use crate::ops::visitors::Said;
use crate::ops::{self, visitors};
use crate::state::AppState;
use crate::traffic::VisitorAct;
use actix_web::{web, HttpRequest, HttpResponse};
use serde_json::{json, Value};

/// Messages sent per poll at most; the next poll takes the rest.
pub(super) const PAGE: i64 = 100;

#[derive(serde::Deserialize, Default)]
pub struct After {
    #[serde(default)]
    after: Option<String>,
    /// `1` when the visitor has the chat open and sees it: only then are the
    /// staff's messages marked read (a poll from a closed window reads nothing).
    #[serde(default)]
    read: Option<String>,
}

impl After {
    pub(super) fn id(&self) -> i64 {
        self.after.as_deref().and_then(|a| a.trim().parse().ok()).filter(|n: &i64| *n >= 0).unwrap_or(0)
    }

    fn reading(&self) -> bool {
        matches!(self.read.as_deref(), Some("1" | "true"))
    }
}

pub async fn messages(req: HttpRequest, state: web::Data<AppState>, query: web::Query<After>) -> HttpResponse {
    reply(&req, polled(&req, &state, query.id(), query.reading()).await)
}

async fn polled(req: &HttpRequest, state: &AppState, after: i64, reading: bool) -> ApiResult<Value> {
    let me = visitor(req, state).await?;
    let shared = state.clone();
    state.session(move |db| news(db, &shared, me.id, after, reading)).await
}

/// What a visitor has not seen since message `after`: new messages (the staff's
/// are then marked read when the visitor is `reading`), who on the staff side is
/// typing, the conversation.
pub(super) fn news(
    db: &mut crate::db::doorway::Db,
    state: &AppState,
    me: i64,
    after: i64,
    reading: bool,
) -> ApiResult<Value> {
    let conn = db.conn()?;
    let rows = messages::of_customer_after(conn, me, after, PAGE)?;
    let conversation = visitors::latest_conversation(conn, me)?;
    let typing_since = state.clock.ago_text(state.config.typing_timeout_seconds);
    let typing = match &conversation {
        Some(c) => typing::agent_typing(conn, c.id, &typing_since)?
            .map(|(_, first, last)| json!({ "name": crate::domain::people::full_name(&first, &last) })),
        None => None,
    };
    let answer = json!({
        "messages": MessageView::many(conn, state, &rows)?,
        "typing": typing,
        "conversation": conversation.as_ref().map(ConversationView::new),
        "available": visitors::available(conn, state)?,
    });
    let unread: Vec<i64> =
        rows.iter().filter(|m| reading && m.user_id != me && m.status_code != STATUS_READ).map(|m| m.id).collect();
    crate::ops::reading::by_visitor(db, unread)?;
    Ok(answer)
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
struct Sent {
    message: String,
    department: Option<String>,
    /// `[name, link]` of files this visitor uploaded (`POST /widget/uploads`).
    attachments: Vec<(String, String)>,
}

pub async fn send(req: HttpRequest, state: web::Data<AppState>, bytes: web::Bytes) -> HttpResponse {
    reply(&req, sent(&req, &state, &bytes).await)
}

async fn sent(req: &HttpRequest, state: &AppState, bytes: &[u8]) -> ApiResult<Value> {
    let me = visitor(req, state).await?;
    let sent: Sent = body(bytes)?;
    if sent.message.trim().is_empty() && sent.attachments.is_empty() {
        return Err(Failure::invalid("message", "must not be empty").into());
    }
    admit(req, state, VisitorAct::Message, me.id)?;
    let department = sent.department.as_deref().and_then(|d| d.trim().parse().ok());
    let said = Said { text: sent.message, attachments: sent.attachments };
    let shared = state.clone();
    let (message_id, conversation, opened) =
        state.session(move |db| Ok(visitors::send(db, &shared, me.id, said, department)?)).await?;
    if opened {
        // Counted once the conversation exists: the limit is on conversations opened.
        let _ = admit(req, state, VisitorAct::Conversation, me.id);
    }
    let shared = state.clone();
    state
        .read(move |conn| {
            let message = messages::find(conn, message_id)?.ok_or(Outcome::MessageNotFound)?;
            let conversation =
                crate::db::conversations::find(conn, conversation)?.ok_or(Outcome::ConversationNotFound)?;
            let view = MessageView::many(conn, &shared, std::slice::from_ref(&message))?.pop();
            Ok(json!({ "message": view, "conversation": ConversationView::new(&conversation) }))
        })
        .await
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
struct Typing {
    typing: bool,
}

pub async fn typing(req: HttpRequest, state: web::Data<AppState>, bytes: web::Bytes) -> HttpResponse {
    reply(&req, typed(&req, &state, &bytes).await)
}

async fn typed(req: &HttpRequest, state: &AppState, bytes: &[u8]) -> ApiResult<Value> {
    let me = visitor(req, state).await?;
    let typing: Typing = body(bytes)?;
    let shared = state.clone();
    state
        .session(move |db| {
            let at = match typing.typing {
                true => visitors::latest_conversation(db.conn()?, me.id)?.filter(|c| c.status_code < 3).map(|c| c.id),
                false => None,
            };
            ops::presence::set_typing(db, &shared, me.id, at)?;
            Ok(json!(true))
        })
        .await
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
struct Rating {
    rating: Option<i64>,
}

pub async fn rate(req: HttpRequest, state: web::Data<AppState>, bytes: web::Bytes) -> HttpResponse {
    reply(&req, rated(&req, &state, &bytes).await)
}

async fn rated(req: &HttpRequest, state: &AppState, bytes: &[u8]) -> ApiResult<Value> {
    let me = visitor(req, state).await?;
    let rating = match body::<Rating>(bytes)?.rating {
        Some(r @ (0 | 1)) => r,
        _ => return Err(Failure::invalid("rating", "expected 1 (good) or 0 (bad)").into()),
    };
    state
        .write(move |tx| {
            let conversation = visitors::latest_conversation(tx, me.id)?.ok_or(Outcome::ConversationNotFound)?;
            crate::db::conversations::set_rating(tx, conversation.id, rating)?;
            Ok(json!(true))
        })
        .await
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
struct Transcript {
    email: Option<String>,
}

pub async fn transcript(req: HttpRequest, state: web::Data<AppState>, bytes: web::Bytes) -> HttpResponse {
    reply(&req, emailed(&req, &state, &bytes).await)
}

async fn emailed(req: &HttpRequest, state: &AppState, bytes: &[u8]) -> ApiResult<Value> {
    let me = visitor(req, state).await?;
    let asked: Transcript = body(bytes)?;
    let given = match asked.email.as_deref().map(str::trim).filter(|e| !e.is_empty()) {
        Some(text) => Some(Email::parse(text).ok_or_else(|| Failure::invalid("email", "not an email address"))?),
        None => None,
    };
    let shared = state.clone();
    let composed = state
        .read(move |conn| {
            let to = given.map(Email::into_string).or(me.email.clone()).ok_or(Outcome::UserEmailNotFound)?;
            let conversation = visitors::latest_conversation(conn, me.id)?.ok_or(Outcome::ConversationNotFound)?;
            let rows = messages::of_conversation(conn, conversation.id)?;
            let text = String::from_utf8_lossy(&ops::exports::to_text(&conversation.title, conversation.id, &rows))
                .into_owned();
            let title = shared.settings(conn)?.admin_title.clone();
            Ok(plain_email(&to, &format!("{title}: your conversation"), &text, Some(me.id), ""))
        })
        .await?;
    admit(req, state, VisitorAct::Message, me.id)?;
    let now = state.clock.now_text();
    state.write(move |tx| Ok(ops::email::queue(tx, &composed, &now)?)).await?;
    state.background.wake();
    Ok(json!(true))
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
struct Offline {
    name: String,
    email: String,
    message: String,
}

pub async fn offline(req: HttpRequest, state: web::Data<AppState>, bytes: web::Bytes) -> HttpResponse {
    reply(&req, left(&req, &state, &bytes).await)
}

/// "Leave a message": who they are, then the message in a conversation of its own.
async fn left(req: &HttpRequest, state: &AppState, bytes: &[u8]) -> ApiResult<Value> {
    let me = visitor(req, state).await?;
    let sent: Offline = body(bytes)?;
    let email = Email::parse(sent.email.trim()).ok_or_else(|| Failure::invalid("email", "not an email address"))?;
    if sent.message.trim().is_empty() {
        return Err(Failure::invalid("message", "must not be empty").into());
    }
    admit(req, state, VisitorAct::Message, me.id)?;
    let info = info_of(json!({ "name": sent.name, "email": email.as_str() }))?;
    let shared = state.clone();
    state
        .session(move |db| {
            let user = visitors::set_info(db, &shared, me.id, info)?;
            visitors::send(db, &shared, user, sent.message.into(), None)?;
            Ok(json!(true))
        })
        .await
}
