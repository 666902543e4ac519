//! Automations: saving and reading them, validating one for a user, and running
//! them. Email automations queue an email in the outbox; message automations post
//! a bot message into the user's latest conversation; popups and design are shown
//! by the chat widget, which reports a showing with automations-run. SMS
//! automations are saved and validated but never run: there is no SMS provider.
//!
//! Every automation runs at most once per user unless its `repeat` period has
//! passed since its last run for that user (`automation_runs`). A run's check and
//! its effects happen in one write transaction, so two calls cannot both run it.

use super::Call;
use crate::db::automations::{self as store};
use crate::db::conversations::{self, NewConversation};
use crate::db::messages::{self, NewMessage};
use crate::db::reports;
use crate::db::users::{self, UserRow};
use crate::domain::automations::engine::{open_conditions, Facts, UserFacts, Verdict};
use crate::domain::automations::{self as model, Automation, Kind, Translation};
use crate::domain::{ConversationStatus, ReportName};
use crate::error::{ApiResult, Failure, Outcome};
use crate::ops::automations::{load, load_translations, parse_translations};
use crate::ops::users as accounts;
use crate::outbox::email::{self as mail, OutgoingEmail};
use chrono::NaiveDateTime;
use rusqlite::Connection;
use serde_json::{json, Value};

pub fn automations_get(call: &mut Call) -> ApiResult<Value> {
    let automations = load(call.db.conn()?)?;
    let translations = load_translations(call.db.conn()?, &automations)?;
    Ok(model::saved_json(&automations, &translations))
}

/// Replaces every automation and translation, all or nothing. `automations` may
/// also be automations-get's whole answer, `[automations, translations]`.
pub fn automations_save(call: &mut Call) -> ApiResult<Value> {
    if !call.args.has("automations") {
        return Err(Failure::MissingArgument("automations").into());
    }
    let mut automations = call.args.json("automations")?;
    let mut translations = call.args.json("translations")?;
    if let Some(Value::Array(pair)) = &automations {
        if (1..=2).contains(&pair.len()) && pair[0].is_object() && translations.is_none() {
            translations = pair.get(1).cloned();
            automations = Some(pair[0].clone());
        }
    }
    let saved = model::parse_saved(automations.as_ref(), translations.as_ref()).map_err(|why| {
        let argument = if why.starts_with("translations") { "translations" } else { "automations" };
        Failure::invalid(argument, why)
    })?;
    call.write(move |tx| Ok(store::replace_all(tx, &saved)?))?;
    Ok(json!(true))
}

/// `{"conditions": [what the client must still check], "repeat_id": …}`, or
/// `false` when a server-side condition fails or the automation may not run again
/// for `user_id` yet. Without `user_id`, conditions about the user are left open.
pub fn automations_validate(call: &mut Call) -> ApiResult<Value> {
    let automation = automation_arg(call)?;
    let user = match call.args.id("user_id")? {
        Some(id) => Some(users::find(call.db.conn()?, id)?.ok_or(Outcome::UserNotFound)?),
        None => None,
    };
    let now = call.state.clock.now().naive_utc();
    let (facts, last_run) = match &user {
        Some(user) => (facts(call.db.conn()?, user, now)?, last_run(call.db.conn()?, user.id, &automation.id)?),
        None => (Facts { today: now.date(), user: None }, None),
    };
    if !automation.may_run(last_run, now) {
        return Ok(json!(false));
    }
    let Some(open) = open_conditions(&automation.conditions, &facts) else { return Ok(json!(false)) };
    // Changes when a repeating automation may run again, so a widget that remembers
    // what it showed shows it once per period.
    let repeat_id = match (automation.repeat, last_run) {
        (Some(_), Some(last)) => last.format(crate::clock::FORMAT).to_string(),
        _ => String::new(),
    };
    let conditions: Vec<Value> = open.iter().map(|(condition, _)| condition.to_json()).collect();
    Ok(json!({ "conditions": conditions, "repeat_id": repeat_id }))
}

/// Runs, for `user_id`, every automation whose conditions the server can decide
/// and that may run; answers the others that may still run (client-side or
/// later conditions), and the popups and design automations, each with `type`.
/// Without `user_id` (the contract names none) see [`answer_all_without_user`].
pub fn automations_run_all(call: &mut Call) -> ApiResult<Value> {
    let Some(user_id) = call.args.id("user_id")? else { return answer_all_without_user(call) };
    let now = call.state.clock.now().naive_utc();
    let key = call.state.key.clone();
    let (answer, queued) = call.write(move |tx| {
        let user = users::find(tx, user_id)?.ok_or(Outcome::UserNotFound)?;
        let automations = load(tx)?;
        let translations = load_translations(tx, &automations)?;
        let facts = facts(tx, &user, now)?;
        let runs = store::last_runs(tx, user.id)?;
        let language = language_of(tx, user.id)?;
        let (mut answer, mut queued) = (Vec::new(), false);
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
                queued |= execute(tx, &key, &automation, &user, now)? && automation.kind == Kind::Emails;
                continue;
            }
            automation.conditions = open;
            answer.push(answered(&automation));
        }
        Ok((answer, queued))
    })?;
    if queued {
        call.state.background.wake();
    }
    Ok(Value::Array(answer))
}

/// run-all with no user named: there is no one to email, to post a message to or
/// to record a run for, so nothing runs and nothing is written. Every automation
/// that may still run is answered as saved (no translation, placeholders left for
/// automations-run to fill), with the conditions left open; conditions about the
/// user stay open. The widget can run them once it has a user.
fn answer_all_without_user(call: &mut Call) -> ApiResult<Value> {
    let facts = Facts { today: call.state.clock.now().naive_utc().date(), user: None };
    let mut answer = Vec::new();
    for mut automation in load(call.db.conn()?)? {
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

/// Runs one automation for `user_id`; with `validate`, only if no server-side
/// condition fails or is still open (client-side ones are the caller's to have
/// checked). For popups and design it records that the widget showed it.
/// Answers whether it ran: without `user_id` (the contract names none), `false`,
/// as everything it does or records is for a user.
pub fn automations_run(call: &mut Call) -> ApiResult<Value> {
    let mut automation = automation_arg(call)?;
    if automation.id.is_empty() {
        return Err(Failure::invalid("automation", "id: an automation needs its id to run").into());
    }
    let validate = call.args.bool_or("validate", false)?;
    let Some(user_id) = call.args.id("user_id")? else { return Ok(json!(false)) };
    let now = call.state.clock.now().naive_utc();
    let key = call.state.key.clone();
    let sends_email = automation.kind == Kind::Emails;
    let ran = call.write(move |tx| {
        let user = users::find(tx, user_id)?.ok_or(Outcome::UserNotFound)?;
        if !automation.may_run(last_run(tx, user.id, &automation.id)?, now) {
            return Ok(false);
        }
        if validate {
            let facts = facts(tx, &user, now)?;
            match open_conditions(&automation.conditions, &facts) {
                Some(open) if open.iter().all(|(_, verdict)| *verdict == Verdict::Client) => {}
                _ => return Ok(false),
            }
        }
        let translations = parse_translations(store::translations_of(tx, &automation.id)?, automation.kind)?;
        localize(&mut automation, &translations, language_of(tx, user.id)?.as_deref(), &user);
        execute(tx, &key, &automation, &user, now)
    })?;
    if ran && sends_email {
        call.state.background.wake();
    }
    Ok(json!(ran))
}

/// Does what `automation` does for `user` and records the run; `false` when there
/// is nothing it can do (an email for a user without an address, an SMS).
fn execute(
    tx: &Connection,
    key: &crate::crypto::SecretKey,
    automation: &Automation,
    user: &UserRow,
    now: NaiveDateTime,
) -> ApiResult<bool> {
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
            };
            mail::queue(tx, &email, &now)?;
            report(ReportName::EmailAutomations)?;
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
            messages::insert(tx, &message)?;
            // As send-message does for a bot's message: the conversation waits for the user.
            conversations::set_status(tx, conversation_id, ConversationStatus::WaitingForUser)?;
            report(ReportName::MessageAutomations)?;
        }
        Kind::Popups | Kind::Design => {}
    }
    store::record_run(tx, user.id, &automation.id, &now)?;
    Ok(true)
}

/// The `automation` argument, checked like a saved one. Its type is its `type`
/// field (as run-all answers it) or else the saved automation's with its id.
fn automation_arg(call: &Call) -> ApiResult<Automation> {
    let Some(Value::Object(mut map)) = call.args.json("automation")? else {
        if call.args.has("automation") {
            return Err(Failure::invalid("automation", "expected an automation object").into());
        }
        return Err(Failure::MissingArgument("automation").into());
    };
    let sent_type = map.remove("type");
    let kind = match sent_type.as_ref().and_then(Value::as_str) {
        Some(name) => {
            Kind::parse(name).ok_or_else(|| Failure::invalid("automation", format!("type: unknown type '{name}'")))?
        }
        None => {
            let id = map.get("id").and_then(Value::as_str).unwrap_or_default().trim().to_string();
            let saved = store::find(call.db.conn()?, &id)?.ok_or_else(|| {
                Failure::invalid("automation", "type: send its type (emails, sms, messages, popups or design)")
            })?;
            Kind::parse(&saved.kind).ok_or(Failure::InternalError)?
        }
    };
    Automation::parse(kind, &Value::Object(map)).map_err(|why| Failure::invalid("automation", why).into())
}

/// The user's language code (`language`, else `browser_language`), normalised.
fn language_of(conn: &Connection, user_id: i64) -> ApiResult<Option<String>> {
    let language = match users::detail(conn, user_id, "language")? {
        Some(language) if !language.trim().is_empty() => Some(language),
        _ => users::detail(conn, user_id, "browser_language")?,
    };
    Ok(language.as_deref().and_then(crate::i18n::normalize_code))
}

/// The user's translation of the automation (the exact language, else its primary
/// language), then the user's name and email filled into its texts.
fn localize(automation: &mut Automation, translations: &[Translation], language: Option<&str>, user: &UserRow) {
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

fn facts(conn: &Connection, user: &UserRow, now: NaiveDateTime) -> ApiResult<Facts> {
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

fn last_run(conn: &Connection, user_id: i64, automation_id: &str) -> ApiResult<Option<NaiveDateTime>> {
    if automation_id.is_empty() {
        return Ok(None);
    }
    Ok(store::last_runs(conn, user_id)?.get(automation_id).and_then(|t| parse_time(t)))
}

fn parse_time(text: &str) -> Option<NaiveDateTime> {
    NaiveDateTime::parse_from_str(text, crate::clock::FORMAT).ok()
}
