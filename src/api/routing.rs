//! Routing a conversation: to a department or an agent, with an optional message
//! emailed (agent template) to the agents now in charge.

use super::Call;
use crate::db::conversations::{self};
use crate::db::users;
use crate::db::users::UserRow;
use crate::error::{ApiResult, Failure, Outcome};
use crate::ops::conversations::assign_agent;
use crate::ops::notifications::{self, About};
use crate::outbox::email::{self, OutgoingEmail};
use crate::state::AppState;
use rusqlite::Connection;
use serde_json::{json, Value};

/// A routing `message` to email (agent template) to the agents now in charge.
struct RoutingMessage {
    text: String,
    sender_name: String,
    now: String,
}

impl RoutingMessage {
    fn from_args(call: &Call) -> ApiResult<Option<Self>> {
        let text = call.args.text_max("message", 65_536)?.filter(|m| !m.trim().is_empty() && m != "false");
        Ok(text.map(|text| Self { text, sender_name: notifications::full_name(&call.caller), now: call.now() }))
    }

    /// The message about conversation `id`, composed for each of `agents`.
    fn compose(
        &self,
        conn: &Connection,
        state: &AppState,
        id: i64,
        agents: &[UserRow],
    ) -> ApiResult<Vec<OutgoingEmail>> {
        let about = About {
            sender_name: self.sender_name.clone(),
            message: &self.text,
            attachments: "",
            conversation_id: Some(id),
        };
        let mut emails = Vec::new();
        for agent in agents {
            emails.extend(notifications::templated(conn, state, agent, &about)?);
        }
        Ok(emails)
    }

    /// Queues what [`RoutingMessage::compose`] made; answers whether there was any.
    fn queue(&self, tx: &Connection, emails: &[OutgoingEmail]) -> ApiResult<bool> {
        for queued in emails {
            email::queue(tx, queued, &self.now)?;
        }
        Ok(!emails.is_empty())
    }
}

pub fn update_conversation_department(call: &mut Call) -> ApiResult<Value> {
    let id = call.args.required_id("conversation_id")?;
    let department = call.args.nullable_id("department")?.ok_or(Failure::MissingArgument("department"))?;
    let message = RoutingMessage::from_args(call)?;
    let emails = match (department, &message) {
        (Some(department), Some(message)) => {
            let conn = call.db.conn()?;
            message.compose(conn, call.state, id, &users::agents_with_email(conn, Some(department))?)?
        }
        _ => Vec::new(),
    };
    let queued = call.write(move |tx| {
        if !conversations::set_department(tx, id, department)? {
            return Err(Outcome::ConversationNotFound.into());
        }
        message.map_or(Ok(false), |message| message.queue(tx, &emails))
    })?;
    if queued {
        call.state.background.wake();
    }
    Ok(json!(true))
}

pub fn update_conversation_agent(call: &mut Call) -> ApiResult<Value> {
    let id = call.args.required_id("conversation_id")?;
    let agent = call.args.nullable_id("agent_id")?.ok_or(Failure::MissingArgument("agent_id"))?;
    let message = RoutingMessage::from_args(call)?;
    let emails = match (agent, &message) {
        (Some(agent), Some(message)) => {
            let conn = call.db.conn()?;
            let agents: Vec<UserRow> = users::find(conn, agent)?.into_iter().collect();
            message.compose(conn, call.state, id, &agents)?
        }
        _ => Vec::new(),
    };
    let queued = call.write(move |tx| {
        assign_agent(tx, id, agent)?;
        message.map_or(Ok(false), |message| message.queue(tx, &emails))
    })?;
    if queued {
        call.state.background.wake();
    }
    Ok(json!(true))
}
