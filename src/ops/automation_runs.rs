//! Running automations for a user: deciding their conditions, doing what the
//! ones the server can decide do (an email, a message from the bot), recording
//! each run, and answering the rest for the widget to decide. Shared by the API's
//! automations-run-all and automations-run and by the chat widget.

use super::automations::{load, load_translations, parse_translations};
use super::users as accounts;
use super::{OpsError, OpsResult, What};
use crate::crypto::SecretKey;
use crate::db::automations::{self as store};
use crate::db::conversations::{self, NewConversation};
use crate::db::messages::{self, NewMessage};
use crate::db::reports;
use crate::db::users::{self, UserRow};
use crate::domain::automations::engine::{open_conditions, Facts, UserFacts, Verdict};
use crate::domain::automations::{self as model, Automation, Kind, Translation};
use crate::domain::{ConversationStatus, ReportName};
use crate::outbox::email::{self as mail, OutgoingEmail};
use crate::state::{AppState, Live};
use chrono::NaiveDateTime;
use rusqlite::Connection;
use serde_json::{json, Value};

/// What runs did that others must hear of once their write commits.
#[derive(Default)]
#[must_use = "announce the effects once the write commits"]
pub struct Effects {
    emailed: bool,
    /// Bot messages posted: the customer, the conversation and the message.
    posted: Vec<(i64, i64, i64)>,
}

impl Effects {
    /// Wakes the outbox for queued emails and tells the customers' open widgets
    /// of the bot's messages.
    pub fn announce(&self, state: &AppState) {
        if self.emailed {
            state.background.wake();
        }
        for &(customer, conversation_id, message_id) in &self.posted {
            state.hub.publish(customer, Live::Message { conversation_id, message_id });
        }
    }
}

/// Runs `automation` for `user_id` if it may run again; with `validate`, only if
/// no server-side condition fails or is still open (client-side ones are the
/// caller's to have checked). Answers whether it ran, and its effects. Call
/// inside a write.
pub fn run_one(
    tx: &Connection,
    key: &SecretKey,
    user_id: i64,
    automation: &mut Automation,
    validate: bool,
    now: NaiveDateTime,
) -> OpsResult<(bool, Effects)> {
    let mut effects = Effects::default();
    let user = users::find(tx, user_id)?.ok_or(OpsError::NotFound(What::User))?;
    if !automation.may_run(last_run(tx, user.id, &automation.id)?, now) {
        return Ok((false, effects));
    }
    if validate {
        let facts = facts(tx, &user, now)?;
        match open_conditions(&automation.conditions, &facts) {
            Some(open) if open.iter().all(|(_, verdict)| *verdict == Verdict::Client) => {}
            _ => return Ok((false, effects)),
        }
    }
    let translations = parse_translations(store::translations_of(tx, &automation.id)?, automation.kind)?;
    localize(automation, &translations, language_of(tx, user.id)?.as_deref(), &user);
    let ran = execute(tx, key, automation, &user, now, &mut effects)?;
    Ok((ran, effects))
}

/// Runs, for `user_id`, every automation whose conditions the server can decide
/// and that may run; answers the others that may still run (client-side or
/// later conditions), and the popups and design automations, each with `type`;
/// and the effects of those that ran. Call inside a write.
pub fn run_all(tx: &Connection, key: &SecretKey, user_id: i64, now: NaiveDateTime) -> OpsResult<(Vec<Value>, Effects)> {
    let user = users::find(tx, user_id)?.ok_or(OpsError::NotFound(What::User))?;
    let automations = load(tx)?;
    let translations = load_translations(tx, &automations)?;
    let facts = facts(tx, &user, now)?;
    let runs = store::last_runs(tx, user.id)?;
    let language = language_of(tx, user.id)?;
    let (mut answer, mut effects) = (Vec::new(), Effects::default());
    for mut automation in automations {
        let last = runs.get(&automation.id).and_then(|t| parse_time(t));
        if automation.kind == Kind::Sms || !automation.may_run(last, now) {
            continue;
        }
        let Some(open) = open_conditions(&automation.conditions, &facts) else { continue };
        let open: Vec<_> = open.into_iter().map(|(condition, _)| condition.clone()).collect();
        localize(&mut automation, &translations, language.as_deref(), &user);
        let runs_here = matches!(automation.kind, Kind::Emails | Kind::Messages);
        if open.is_empty() && runs_here {
            execute(tx, key, &automation, &user, now, &mut effects)?;
            continue;
        }
        automation.conditions = open;
        answer.push(answered(&automation));
    }
    Ok((answer, effects))
}

/// run-all with no user named: there is no one to email, to post a message to or
/// to record a run for, so nothing runs and nothing is written. Every automation
/// that may still run is answered as saved (no translation, placeholders left for
/// automations-run to fill), with the conditions left open; conditions about the
/// user stay open. The widget can run them once it has a user.
pub fn answer_all_without_user(conn: &Connection, now: NaiveDateTime) -> OpsResult<Value> {
    let facts = Facts { today: now.date(), user: None };
    let mut answer = Vec::new();
    for mut automation in load(conn)? {
        if automation.kind == Kind::Sms {
            continue;
        }
        let Some(open) = open_conditions(&automation.conditions, &facts) else { continue };
        automation.conditions = open.into_iter().map(|(condition, _)| condition.clone()).collect();
        answer.push(answered(&automation));
    }
    Ok(Value::Array(answer))
}

/// An automation as run-all answers it: with its `type`.
fn answered(automation: &Automation) -> Value {
    let mut item = automation.to_json();
    item["type"] = json!(automation.kind.as_str());
    item
}

/// Does what `automation` does for `user` and records the run; `false` when there
/// is nothing it can do (an email for a user without an address, an SMS).
fn execute(
    tx: &Connection,
    key: &SecretKey,
    automation: &Automation,
    user: &UserRow,
    now: NaiveDateTime,
    effects: &mut Effects,
) -> OpsResult<bool> {
    let now = now.format(crate::clock::FORMAT).to_string();
    let user_ref = user.id.to_string();
    let report = |name: ReportName| reports::record(tx, name, Some(&automation.id), Some(&user_ref), None, &now);
    match automation.kind {
        Kind::Sms => return Ok(false),
        Kind::Emails => {
            let Some(address) = user.email.as_deref().filter(|e| !e.is_empty()) else { return Ok(false) };
            let email = OutgoingEmail {
                to: address.to_string(),
                to_name: crate::domain::people::full_name(&user.first_name, &user.last_name),
                subject: automation.field("subject").to_string(),
                text: automation.message.clone(),
                html: crate::domain::email_template::text_to_html(&automation.message),
                recipient_id: Some(user.id),
                sender_suffix: String::new(),
                files: Vec::new(),
            };
            mail::queue(tx, &email, &now)?;
            report(ReportName::EmailAutomations)?;
            effects.emailed = true;
        }
        Kind::Messages => {
            let bot = accounts::bot(tx, key, &now)?;
            let conversation_id = match conversations::latest_of_user(tx, user.id)? {
                Some(id) => id,
                None => conversations::insert(
                    tx,
                    &NewConversation {
                        user_id: user.id,
                        title: String::new(),
                        status: ConversationStatus::WaitingForUser,
                        department: None,
                        agent_id: None,
                        source: None,
                        extra: None,
                        now: now.clone(),
                    },
                )?,
            };
            let message = NewMessage {
                conversation_id,
                user_id: bot,
                message: &automation.message,
                attachments: "",
                payload: "",
                now: &now,
            };
            let message_id = messages::insert(tx, &message)?;
            // As send-message does for a bot's message: the conversation waits for the user.
            conversations::set_status(tx, conversation_id, ConversationStatus::WaitingForUser)?;
            report(ReportName::MessageAutomations)?;
            effects.posted.push((user.id, conversation_id, message_id));
        }
        Kind::Popups | Kind::Design => {}
    }
    store::record_run(tx, user.id, &automation.id, &now)?;
    Ok(true)
}

/// The user's language code (`language`, else `browser_language`), normalised.
pub fn language_of(conn: &Connection, user_id: i64) -> OpsResult<Option<String>> {
    let language = match users::detail(conn, user_id, "language")? {
        Some(language) if !language.trim().is_empty() => Some(language),
        _ => users::detail(conn, user_id, "browser_language")?,
    };
    Ok(language.as_deref().and_then(crate::i18n::normalize_code))
}

/// The user's translation of the automation (the exact language, else its primary
/// language), then the user's name and email filled into its texts.
pub fn localize(automation: &mut Automation, translations: &[Translation], language: Option<&str>, user: &UserRow) {
    if let Some(language) = language {
        let of = |code: &str| translations.iter().find(|t| t.automation_id == automation.id && t.language == code);
        if let Some(translation) = of(language).or_else(|| of(&language[..2])).cloned() {
            automation.translate(&translation);
        }
    }
    let email = user.email.as_deref().unwrap_or_default();
    let render = |text: &str| model::render(text, &user.first_name, &user.last_name, email);
    automation.message = render(&automation.message);
    for (name, value) in automation.fields.iter_mut() {
        if matches!(*name, "subject" | "title") {
            *value = render(value);
        }
    }
}

pub fn facts(conn: &Connection, user: &UserRow, now: NaiveDateTime) -> OpsResult<Facts> {
    let details = users::details(conn, user.id)?;
    let detail =
        |slug: &str| details.iter().find(|d| d.slug == slug && !d.value.trim().is_empty()).map(|d| d.value.clone());
    Ok(Facts {
        today: now.date(),
        user: Some(UserFacts {
            user_type: user.user_type,
            language: detail("language").or_else(|| detail("browser_language")),
            country: detail("country"),
            country_code: detail("country_code"),
            city: detail("city"),
        }),
    })
}

pub fn last_run(conn: &Connection, user_id: i64, automation_id: &str) -> OpsResult<Option<NaiveDateTime>> {
    if automation_id.is_empty() {
        return Ok(None);
    }
    Ok(store::last_runs(conn, user_id)?.get(automation_id).and_then(|t| parse_time(t)))
}

fn parse_time(text: &str) -> Option<NaiveDateTime> {
    NaiveDateTime::parse_from_str(text, crate::clock::FORMAT).ok()
}
