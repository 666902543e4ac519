//! Conversations: reading one, the inbox lists (each row a conversation's last
//! message), search, creating, and changing status, department, agent and rating.

use super::users::required_after;
use super::{json, Call};
use crate::contract::profile_image_url;
use crate::contract::{DetailsJson, MessageJson};
use crate::db::conversations::{self, InboxQuery, InboxRow, NewConversation, StatusFilter};
use crate::db::{messages, search, users};
use crate::domain::{is_source_code, page_offset, ConversationStatus};
use crate::error::{ApiResult, Failure, Outcome};
use crate::ops::conversations::{change_status_now, ensure_agent};
use crate::state::AppState;
use serde_json::value::RawValue;
use serde_json::{json, Value};

/// An inbox row as the contract shows it: the last message, its sender's type, and
/// the conversation with its user's name and picture.
#[derive(serde::Serialize)]
struct InboxJson<'a> {
    #[serde(serialize_with = "crate::contract::number_text")]
    id: i64,
    #[serde(serialize_with = "crate::contract::number_text")]
    user_id: i64,
    message: &'a str,
    creation_time: &'a str,
    attachments: &'a str,
    #[serde(serialize_with = "crate::contract::number_text")]
    status_code: i64,
    payload: &'a str,
    #[serde(serialize_with = "crate::contract::number_text")]
    conversation_id: i64,
    message_user_type: &'static str,
    first_name: &'a str,
    last_name: &'a str,
    profile_image: String,
    #[serde(serialize_with = "crate::contract::number_text")]
    conversation_status_code: i64,
    user_type: &'static str,
    title: &'a str,
    #[serde(serialize_with = "crate::contract::number_text_or_null")]
    department: Option<i64>,
    #[serde(serialize_with = "crate::contract::number_text_or_null")]
    agent_id: Option<i64>,
    source: Option<&'a str>,
}

impl<'a> InboxJson<'a> {
    fn new(state: &AppState, row: &'a InboxRow) -> Self {
        Self {
            id: row.message_id,
            user_id: row.sender_id,
            message: &row.message,
            creation_time: &row.creation_time,
            attachments: &row.attachments,
            status_code: row.message_status_code,
            payload: &row.payload,
            conversation_id: row.conversation_id,
            message_user_type: row.sender_type.as_str(),
            first_name: &row.first_name,
            last_name: &row.last_name,
            profile_image: profile_image_url(state, row.profile_image.as_deref()),
            conversation_status_code: row.conversation_status_code,
            user_type: row.user_type.as_str(),
            title: &row.title,
            department: row.department,
            agent_id: row.agent_id,
            source: row.source.as_deref(),
        }
    }
}

#[derive(serde::Serialize)]
struct ConversationJson<'a> {
    messages: Vec<MessageJson<'a>>,
    details: DetailsJson<'a>,
}

fn inbox(call: &Call, query: &InboxQuery) -> ApiResult<Box<RawValue>> {
    let rows = conversations::inbox(call.db.conn()?, query)?;
    json::list(rows.iter().map(|row| InboxJson::new(call.state, row)))
}

/// A status code argument: absent, empty or `false` is `None`; anything but 0–4 is
/// the contract's `invalid-status-code`.
pub(super) fn status_arg(call: &Call, name: &str) -> ApiResult<Option<ConversationStatus>> {
    match call.args.text(name)?.as_deref().map(str::trim) {
        None | Some("") | Some("false") => Ok(None),
        Some(text) => Ok(Some(ConversationStatus::parse(text).ok_or(Outcome::InvalidStatusCode)?)),
    }
}

/// Sources are short codes (`em`, `tk`, `wa`, …); anything else is refused.
fn source_arg(call: &Call) -> ApiResult<Option<String>> {
    match call.args.text("source")?.map(|s| s.trim().to_string()) {
        None => Ok(None),
        Some(s) if s.is_empty() || s == "false" => Ok(None),
        Some(s) if is_source_code(&s) => Ok(Some(s)),
        Some(_) => Err(Failure::invalid("source", "expected a source code such as em, tk or wa").into()),
    }
}

/// Routing: with `routing`, only the calling agent's conversations, plus the
/// unassigned ones with `routing_unassigned`.
fn routing_arg(call: &Call) -> ApiResult<Option<(i64, bool)>> {
    let routing = call.args.bool_or("routing", false)?;
    let unassigned = call.args.bool_or("routing_unassigned", false)?;
    Ok(routing.then_some((call.caller.id, unassigned)))
}

pub fn get_conversation(call: &mut Call) -> ApiResult<Box<RawValue>> {
    let id = call.args.required_id("conversation_id")?;
    let user_id = call.args.id("user_id")?;
    match conversations::find(call.db.conn()?, id)? {
        Some(conversation) if user_id.is_none_or(|u| u == conversation.user_id) => {
            let rows = messages::of_conversation(call.db.conn()?, id)?;
            let messages = rows.iter().map(|m| MessageJson::new(call.state, m)).collect();
            json::text(&ConversationJson { messages, details: DetailsJson::new(call.state, &conversation) })
        }
        _ => json::text(&json!({ "messages": [], "details": "" })),
    }
}

pub fn get_conversations(call: &mut Call) -> ApiResult<Box<RawValue>> {
    let query = InboxQuery {
        status: status_arg(call, "status_code")?.map_or(StatusFilter::Inbox, StatusFilter::Only),
        department: call.args.nullable_id("department")?.flatten(),
        source: source_arg(call)?,
        assigned_to: routing_arg(call)?,
        offset: page_offset(call.args.int("pagination")?.unwrap_or(0)),
        ..InboxQuery::default()
    };
    inbox(call, &query)
}

pub fn get_new_conversations(call: &mut Call) -> ApiResult<Box<RawValue>> {
    let query = InboxQuery {
        status: StatusFilter::Any,
        after: Some(required_after(call)?),
        assigned_to: routing_arg(call)?,
        ..InboxQuery::default()
    };
    inbox(call, &query)
}

pub fn get_user_conversations(call: &mut Call) -> ApiResult<Box<RawValue>> {
    let user_id = call.args.required_id("user_id")?;
    let agent = call.args.bool_or("agents", false)?;
    let query = InboxQuery {
        status: StatusFilter::Any,
        user_id: (!agent).then_some(user_id),
        participant: agent.then_some(user_id),
        exclude_id: call.args.id("exclude_id")?,
        offset: page_offset(call.args.int("pagination")?.unwrap_or(0)),
        ..InboxQuery::default()
    };
    inbox(call, &query)
}

pub fn get_new_user_conversations(call: &mut Call) -> ApiResult<Box<RawValue>> {
    let query = InboxQuery {
        status: StatusFilter::Any,
        user_id: Some(call.args.required_id("user_id")?),
        after: Some(required_after(call)?),
        ..InboxQuery::default()
    };
    inbox(call, &query)
}

pub fn search_conversations(call: &mut Call) -> ApiResult<Box<RawValue>> {
    let text = call.args.required_text("search", 255)?;
    let Some(message_match) = search::match_query(&text) else { return json::text(&json!([])) };
    let query = InboxQuery {
        status: StatusFilter::Any,
        user_match: search::match_query_in(&["first_name", "last_name", "email"], &text),
        message_match: Some(message_match),
        offset: page_offset(call.args.int("pagination")?.unwrap_or(0)),
        ..InboxQuery::default()
    };
    inbox(call, &query)
}

pub fn search_user_conversations(call: &mut Call) -> ApiResult<Box<RawValue>> {
    let user_id = match call.args.id("user_id")? {
        Some(id) => id,
        None => call.args.required_id("id")?,
    };
    let text = call.args.required_text("search", 255)?;
    let Some(message_match) = search::match_query(&text) else { return json::text(&json!([])) };
    let query = InboxQuery {
        status: StatusFilter::Any,
        user_id: Some(user_id),
        message_match: Some(message_match),
        title_contains: Some(text.trim().to_string()),
        ..InboxQuery::default()
    };
    inbox(call, &query)
}

pub fn new_conversation(call: &mut Call) -> ApiResult<Value> {
    let user_id = call.args.required_id("user_id")?;
    let agent_id = call.args.nullable_id("agent_id")?.flatten();
    let extra = match call.args.raw("extra") {
        None => None,
        Some(Value::String(s)) if s.is_empty() || s == "false" || s == "0" => None,
        Some(Value::String(s)) => Some(s.clone()),
        Some(other) => Some(other.to_string()),
    };
    if extra.as_ref().is_some_and(|e| e.len() > 10_000) {
        return Err(Failure::invalid("extra", "longer than 10000 characters").into());
    }
    let new = NewConversation {
        user_id,
        title: call.args.text_max("title", 255)?.filter(|t| t != "false").unwrap_or_default(),
        status: status_arg(call, "status_code")?.unwrap_or(ConversationStatus::Live),
        department: call.args.nullable_id("department")?.flatten(),
        agent_id,
        source: source_arg(call)?,
        extra,
        now: call.now(),
    };
    let state = call.state.clone();
    let id = call.write(move |tx| {
        if !users::exists(tx, user_id)? {
            return Err(Outcome::UserNotFound.into());
        }
        if let Some(agent) = agent_id {
            ensure_agent(tx, agent)?;
        }
        let id = conversations::insert(tx, &new)?;
        crate::outbox::events::conversation_created(tx, &state, id)?;
        Ok(id)
    })?;
    call.state.background.wake();
    let conversation = conversations::find(call.db.conn()?, id)?.ok_or(Outcome::ConversationNotFound)?;
    Ok(json!({ "messages": [], "details": DetailsJson::new(call.state, &conversation) }))
}

fn found(changed: bool) -> ApiResult<Value> {
    if changed {
        Ok(json!(true))
    } else {
        Err(Outcome::ConversationNotFound.into())
    }
}

pub fn update_conversation_status(call: &mut Call) -> ApiResult<Value> {
    let id = call.args.required_id("conversation_id")?;
    let status = status_arg(call, "status_code")?.ok_or(Outcome::InvalidStatusCode)?;
    found(change_status_now(call.db, call.state, id, status)?)
}

/// `settings` is `{"conversation_id": ID, "rating": 1|0}`, also wrapped in a
/// `settings` key as the contract's example shows, or in bracket form.
pub fn set_rating(call: &mut Call) -> ApiResult<Value> {
    let settings = call.args.json("settings")?.ok_or(Failure::MissingArgument("settings"))?;
    let settings = match settings.get("settings") {
        Some(inner) if inner.is_object() => inner.clone(),
        _ => settings,
    };
    let field = |name: &str| {
        settings.get(name).and_then(|v| v.as_i64().or_else(|| v.as_str().and_then(|s| s.trim().parse().ok())))
    };
    let id = field("conversation_id")
        .filter(|id| *id > 0)
        .ok_or_else(|| Failure::invalid("settings", "conversation_id must be a conversation ID"))?;
    let rating = field("rating")
        .filter(|r| *r == 0 || *r == 1)
        .ok_or_else(|| Failure::invalid("settings", "rating must be 1 (positive) or 0 (negative)"))?;
    let message_id = call.args.id("message_id")?;
    let message = call.args.text_max("message", 65_536)?;
    let payload = call.args.json("payload")?.map(|p| p.to_string());
    call.write(move |tx| {
        if !conversations::set_rating(tx, id, rating)? {
            return Err(Outcome::ConversationNotFound.into());
        }
        if let Some(message_id) = message_id {
            if !messages::update(tx, message_id, message.as_deref(), None, payload.as_deref())? {
                return Err(Outcome::MessageNotFound.into());
            }
        }
        Ok(json!(true))
    })
}

pub fn get_rating(call: &mut Call) -> ApiResult<Value> {
    let agent = call.args.required_id("user_id")?;
    let (positive, negative) = conversations::ratings_of_agent(call.db.conn()?, agent)?;
    Ok(json!([positive, negative]))
}

pub fn count_conversations(call: &mut Call) -> ApiResult<Value> {
    let status = status_arg(call, "status_code")?;
    Ok(json!(conversations::count(call.db.conn()?, status)?))
}

pub fn check_conversations_assignment(call: &mut Call) -> ApiResult<Value> {
    let ids = call.args.id_list("conversation_ids")?.ok_or(Failure::MissingArgument("conversation_ids"))?;
    let agent = call.args.nullable_id("agent_id")?.flatten();
    let department = call.args.nullable_id("department_id")?.flatten();
    if agent.is_none() && department.is_none() {
        return Ok(json!([]));
    }
    Ok(json!(conversations::filter_assigned(call.db.conn()?, &ids, agent, department)?))
}

pub fn get_user_from_conversation(call: &mut Call) -> ApiResult<Value> {
    let id = call.args.required_id("conversation_id")?;
    let agent = call.args.bool_or("agent", false)?;
    Ok(match conversations::contact(call.db.conn()?, id, agent)? {
        Some((user_id, email)) => json!({ "id": user_id.to_string(), "email": email }),
        None => json!(false),
    })
}
