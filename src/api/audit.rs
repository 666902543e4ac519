//! `get-audit-log` (a Switchboard addition): who changed what, newest first,
//! filtered by `user_id`, `action` (an action such as `user.update`, or a family
//! such as `user`), `date_start` and `date_end` (`YYYY-MM-DD`, or with a time,
//! UTC), a page of 100 at a time by `pagination`.

use super::Call;
use crate::domain::audit::Filter;
use crate::domain::{page_offset, PAGE_SIZE};
use crate::error::{ApiResult, Failure};
use crate::ops;
use serde_json::{json, Value};

pub fn get_audit_log(call: &mut Call) -> ApiResult<Value> {
    let action = call.args.text_max("action", 64)?;
    let (from, to) = (call.args.text_max("date_start", 32)?, call.args.text_max("date_end", 32)?);
    let filter = Filter::parse(call.args.id("user_id")?, action.as_deref(), from.as_deref(), to.as_deref())
        .map_err(|(part, why)| Failure::invalid(if part == "from" { "date_start" } else { "date_end" }, why))?;
    let offset = page_offset(call.args.int("pagination")?.unwrap_or(0));
    let entries = ops::audit::read(call.db.conn()?, &filter, offset, PAGE_SIZE)?;
    Ok(entries
        .rows
        .into_iter()
        .map(|row| {
            json!({
                "id": row.id.to_string(),
                "time": row.at,
                "user_id": row.actor_id.map(|id| id.to_string()),
                "actor": row.actor,
                "via": row.via,
                "address": row.address,
                "action": row.action,
                "target": row.target,
                "details": serde_json::from_str::<Value>(&row.details).unwrap_or(Value::Null),
            })
        })
        .collect())
}
