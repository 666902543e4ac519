//! The audit log's writing side: every change a person or a token makes to
//! settings, users and roles, tokens, automations and articles, every sign-in,
//! sign-out, failed sign-in, two-factor change, backup and restore is recorded
//! by [`record`] in the transaction of the change itself, so the log and the
//! change commit (or roll back) together.

use super::exports::{finish, write_row};
use super::OpsResult;
use crate::db::audit::{self, AuditRow};
use crate::db::users::{self, UserRow};
use crate::domain::audit::{Actor, Filter};
use crate::domain::settings::{public, Setting};
use rusqlite::Connection;
use serde_json::{json, Map, Value};

/// Appends one entry; call inside the write that makes the change.
pub fn record(
    tx: &Connection,
    now: &str,
    actor: &Actor,
    action: &str,
    target: Option<String>,
    details: Value,
) -> rusqlite::Result<()> {
    audit::append(tx, now, actor, action, target.as_deref(), &details).map(|_| ())
}

/// `user <id>`, how entries name a person they are about.
pub fn user_target(id: i64) -> Option<String> {
    Some(format!("user {id}"))
}

/// What a settings save changed: `{id: {"before": …, "after": …}}` for each
/// setting whose value differs, secrets shown masked on both sides.
pub fn settings_changes(changes: &[(&'static Setting, Value, Value)]) -> Value {
    let mut changed = Map::new();
    for (setting, before, after) in changes {
        if before != after {
            let shown = json!({ "before": public(setting.kind, before), "after": public(setting.kind, after) });
            changed.insert(setting.id.to_string(), shown);
        }
    }
    Value::Object(changed)
}

/// The fields of a person that an update changed: `{field: [before, after]}`.
pub fn user_changes(before: &UserRow, after: &UserRow) -> Value {
    let mut changed = Map::new();
    let mut compare = |field: &str, old: Value, new: Value| {
        if old != new {
            changed.insert(field.to_string(), json!([old, new]));
        }
    };
    compare("user_type", json!(before.user_type.as_str()), json!(after.user_type.as_str()));
    compare("email", json!(before.email), json!(after.email));
    compare("first_name", json!(before.first_name), json!(after.first_name));
    compare("last_name", json!(before.last_name), json!(after.last_name));
    compare("department", json!(before.department), json!(after.department));
    Value::Object(changed)
}

/// A page of the log: its entries, newest first, and how many match in all.
pub struct Entries {
    pub rows: Vec<AuditRow>,
    pub total: i64,
}

/// The entries matching `filter`, `limit` of them after skipping `offset`.
pub fn read(conn: &Connection, filter: &Filter, offset: i64, limit: i64) -> OpsResult<Entries> {
    Ok(Entries { rows: audit::list(conn, filter, offset, limit)?, total: audit::count(conn, filter)? })
}

/// The most an export holds (the newest entries matching).
pub const EXPORT_MAX: i64 = 100_000;

/// The entries matching `filter` as CSV (through the `csv` crate, formula cells
/// neutralised as every export is), newest first.
pub fn to_csv(conn: &Connection, filter: &Filter) -> OpsResult<Vec<u8>> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    write_row(&mut writer, ["id", "time", "user_id", "actor", "via", "address", "action", "target", "details"])?;
    for row in audit::list(conn, filter, 0, EXPORT_MAX)? {
        let actor_id = row.actor_id.map(|id| id.to_string()).unwrap_or_default();
        let (address, target) = (row.address.unwrap_or_default(), row.target.unwrap_or_default());
        let id = row.id.to_string();
        write_row(
            &mut writer,
            [&id, &row.at, &actor_id, &row.actor, &row.via, &address, &row.action, &target, &row.details],
        )?;
    }
    finish(writer)
}

/// The admin area's sign-in names client addresses as text (its lock-out's key).
fn address_of(text: &str) -> Option<std::net::IpAddr> {
    text.parse().ok()
}

/// Person `user_id` opened a session in the admin area from `address` (after
/// their password, and their code when two-factor sign-in is on).
pub fn signed_in(tx: &Connection, now: &str, user_id: i64, address: &str) -> OpsResult<()> {
    let name = users::find(tx, user_id)?.and_then(|u| u.email).unwrap_or_else(|| format!("user {user_id}"));
    let actor = Actor::person(user_id, &name, "admin", address_of(address));
    Ok(record(tx, now, &actor, "sign-in", None, json!({}))?)
}

/// A wrong password or code for `account` (the email typed) from `address` at
/// `step` (`password`, `code`, `current password`); the entry names the person
/// when the email is someone's.
pub fn sign_in_failed(tx: &Connection, now: &str, account: &str, address: &str, step: &str) -> OpsResult<()> {
    let user_id = users::find_by_email(tx, account)?.map(|(user, _)| user.id);
    let actor = Actor::claimed(user_id, account, "admin", address_of(address));
    Ok(record(tx, now, &actor, "sign-in.failed", None, json!({ "email": account, "step": step }))?)
}

/// `actor` ended their session.
pub fn signed_out(tx: &Connection, now: &str, actor: &Actor) -> OpsResult<()> {
    Ok(record(tx, now, actor, "sign-out", None, json!({}))?)
}

/// Two-factor sign-in of person `user_id` turned on or off by `actor` (themself,
/// or an admin turning it off for someone who lost their device).
pub fn two_factor(tx: &Connection, now: &str, actor: &Actor, user_id: i64, on: bool) -> OpsResult<()> {
    let action = if on { "two-factor.enable" } else { "two-factor.disable" };
    Ok(record(tx, now, actor, action, user_target(user_id), json!({}))?)
}

/// A backup written or downloaded (`action`), or restored, by `actor`: recorded
/// right after it happened (the copy itself never holds its own entry).
pub fn backup(tx: &Connection, now: &str, actor: &Actor, action: &'static str, details: Value) -> OpsResult<()> {
    Ok(record(tx, now, actor, action, None, details)?)
}
