//! Queueing webhooks: the contract's notifications to a URL the admin chose.
//!
//! [`fire`] runs inside the transaction of the change it reports. It reads the
//! `webhooks` setting (active, URL, key, allowed names) and queues an outbox item
//! holding the contract's body `{"function", "key", "sender-url", "data"}`, the URL
//! and the key as they were at that moment. Nothing about an item changes after:
//! every attempt POSTs the same bytes to the same URL ([`crate::jobs::webhooks`]).

use crate::domain::settings::Webhooks;
use crate::state::AppState;
use rusqlite::Connection;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

pub const KIND: &str = "webhook";

/// The webhook `send-test-webhook` fires; a Switchboard addition.
pub const TEST: &str = "test";

/// One webhook as the outbox keeps it.
#[derive(Serialize, Deserialize)]
pub struct Queued {
    pub url: String,
    pub event: String,
    /// The key when the event happened: the one inside `body`.
    pub secret: String,
    /// The exact bytes every attempt sends.
    pub body: String,
}

/// Queues webhook `name` with `data` when the settings send it; answers whether it
/// did. Call inside the transaction of the change, and wake the outbox after it
/// commits. Webhooks sharing an `ordering_key` arrive in the order they were fired.
pub fn fire(
    conn: &Connection,
    state: &AppState,
    name: &str,
    data: Value,
    ordering_key: Option<&str>,
) -> rusqlite::Result<bool> {
    let settings = state.settings(conn)?;
    if !settings.webhooks.sends(name) {
        return Ok(false);
    }
    queue(conn, state, &settings.webhooks, name, data, ordering_key)?;
    Ok(true)
}

/// Queues the `test` webhook to the configured URL, active or not and whatever the
/// allowed names; answers its outbox item, or `None` when no URL is set.
pub fn fire_test(conn: &Connection, state: &AppState) -> rusqlite::Result<Option<i64>> {
    let settings = state.settings(conn)?;
    if settings.webhooks.url.is_empty() {
        return Ok(None);
    }
    let data = json!({ "message": "A test webhook from Switchboard.", "time": state.clock.now_text() });
    Ok(Some(queue(conn, state, &settings.webhooks, TEST, data, None)?))
}

/// The `email-sent` webhook, for the email worker to fire once an email is sent:
/// `recipient_id` is the user it was for, if any; `message` its text.
pub fn email_sent(
    conn: &Connection,
    state: &AppState,
    recipient_id: Option<i64>,
    message: &str,
) -> rusqlite::Result<bool> {
    let data = json!({ "recipient_id": recipient_id.map(|id| id.to_string()), "message": message });
    fire(conn, state, "email-sent", data, None)
}

/// The ordering key of a conversation's webhooks (apart from its emails', so a
/// failing mail server never holds them up).
pub fn conversation_key(conversation_id: i64) -> String {
    format!("webhook:conversation:{conversation_id}")
}

fn queue(
    conn: &Connection,
    state: &AppState,
    settings: &Webhooks,
    name: &str,
    data: Value,
    ordering_key: Option<&str>,
) -> rusqlite::Result<i64> {
    let body = json!({ "function": name, "key": settings.key, "sender-url": state.config.public_base(), "data": data });
    let queued =
        Queued { url: settings.url.clone(), event: name.into(), secret: settings.key.clone(), body: body.to_string() };
    let payload = serde_json::to_value(&queued).expect("a webhook serialises");
    super::enqueue(conn, KIND, ordering_key, &payload, &state.clock.now_text())
}
