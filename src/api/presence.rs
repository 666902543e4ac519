//! Presence: who is online, who is typing where, and the page a user is on.
//! A user is online while their last activity is within `online_window_seconds`;
//! a typing status lapses by itself after `typing_timeout_seconds`.

use super::Call;
use crate::contract::user_json;
use crate::db::typing;
use crate::db::users::{self, Detail};
use crate::domain::UserSort;
use crate::error::{ApiResult, Failure, Outcome};
use serde_json::{json, Value};

const CURRENT_URL: &str = "current_url";

fn online_since(call: &Call) -> String {
    call.state.clock.ago_text(call.state.config.online_window_seconds)
}

fn typing_since(call: &Call) -> String {
    call.state.clock.ago_text(call.state.config.typing_timeout_seconds)
}

pub fn get_online_users(call: &mut Call) -> ApiResult<Value> {
    let exclude = call.args.id_list("exclude_id")?.unwrap_or_default();
    let agents_only = call.args.bool_or("agents", false)?;
    let sort = match call.args.text_list("sorting", 2)?.and_then(|parts| parts.into_iter().next()) {
        None => UserSort::CreationTime,
        Some(column) => {
            UserSort::parse(&column).ok_or_else(|| Failure::invalid("sorting", format!("cannot sort by '{column}'")))?
        }
    };
    let rows = users::list_online(call.db.conn()?, &online_since(call), &exclude, agents_only, sort)?;
    Ok(rows.iter().map(|row| user_json(call.state, row)).collect())
}

pub fn agents_online(call: &mut Call) -> ApiResult<Value> {
    Ok(json!(users::any_agent_online(call.db.conn()?, &online_since(call))?))
}

pub fn is_online(call: &mut Call) -> ApiResult<Value> {
    let id = call.args.required_id("user_id")?;
    let since = online_since(call);
    Ok(json!(users::find(call.db.conn()?, id)?.is_some_and(|user| user.last_activity >= since)))
}

pub fn current_url(call: &mut Call) -> ApiResult<Value> {
    let id = call.args.required_id("user_id")?;
    let Some(url) = call.args.text_max("url", 2048)?.filter(|u| !u.trim().is_empty()) else {
        return Ok(users::detail(call.db.conn()?, id, CURRENT_URL)?.map_or(json!(false), |url| json!(url)));
    };
    if !url::Url::parse(url.trim()).is_ok_and(|u| matches!(u.scheme(), "http" | "https")) {
        return Err(Failure::invalid("url", "expected an http or https URL").into());
    }
    let detail = Detail { slug: CURRENT_URL.into(), name: "Current URL".into(), value: url.trim().to_string() };
    call.write(move |tx| {
        if !users::exists(tx, id)? {
            return Err(Outcome::UserNotFound.into());
        }
        users::set_detail(tx, id, &detail)?;
        Ok(json!(true))
    })
}

pub fn set_typing(call: &mut Call) -> ApiResult<Value> {
    let user_id = call.args.required_id("user_id")?;
    let conversation = call.args.nullable_id("conversation_id")?.ok_or(Failure::MissingArgument("conversation_id"))?;
    crate::ops::presence::set_typing(call.db, call.state, user_id, conversation)?;
    Ok(json!(true))
}

pub fn is_typing(call: &mut Call) -> ApiResult<Value> {
    let user_id = call.args.required_id("user_id")?;
    let conversation_id = call.args.required_id("conversation_id")?;
    Ok(json!(typing::is_typing(call.db.conn()?, user_id, conversation_id, &typing_since(call))?))
}

pub fn is_agent_typing(call: &mut Call) -> ApiResult<Value> {
    let conversation_id = call.args.required_id("conversation_id")?;
    Ok(match typing::agent_typing(call.db.conn()?, conversation_id, &typing_since(call))? {
        Some((id, first_name, last_name)) => {
            json!({ "id": id.to_string(), "first_name": first_name, "last_name": last_name })
        }
        None => json!(false),
    })
}
