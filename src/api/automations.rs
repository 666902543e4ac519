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
use crate::db::users::{self};
use crate::domain::automations::engine::{open_conditions, Facts};
use crate::domain::automations::{self as model, Automation, Kind};
use crate::error::{ApiResult, Failure, Outcome};
use crate::ops::automation_runs::{self as runs, facts, last_run, run_one};
use crate::ops::automations::{load, load_translations};
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
    let (now, actor) = (call.now(), call.actor());
    call.write(move |tx| Ok(crate::ops::automations::save(tx, &saved, &now, &actor)?))?;
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
    let now = call.state.clock.now().naive_utc();
    let Some(user_id) = call.args.id("user_id")? else {
        return Ok(runs::answer_all_without_user(call.db.conn()?, now)?);
    };
    let key = call.state.key.clone();
    let (answer, effects) = call.write(move |tx| Ok(runs::run_all(tx, &key, user_id, now)?))?;
    effects.announce(call.state);
    Ok(Value::Array(answer))
}

/// Runs one automation for `user_id`; with `validate`, only if no server-side
/// condition fails or is still open (client-side ones are the caller's to have
/// checked). For popups and design it records that the widget showed it.
/// Answers whether it ran: without `user_id` (the contract names none), `false`,
/// as everything it does or records is for a user.
pub fn automations_run(call: &mut Call) -> ApiResult<Value> {
    let automation = automation_arg(call)?;
    if automation.id.is_empty() {
        return Err(Failure::invalid("automation", "id: an automation needs its id to run").into());
    }
    let validate = call.args.bool_or("validate", false)?;
    let Some(user_id) = call.args.id("user_id")? else { return Ok(json!(false)) };
    let now = call.state.clock.now().naive_utc();
    let key = call.state.key.clone();
    let (ran, effects) = call.write(move |tx| {
        let mut automation = automation;
        Ok(run_one(tx, &key, user_id, &mut automation, validate, now)?)
    })?;
    effects.announce(call.state);
    Ok(json!(ran))
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
