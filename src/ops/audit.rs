//! The audit log's writing side: every change a person or a token makes to
//! settings, users and roles, tokens, automations and articles, every sign-in,
//! sign-out, failed sign-in, two-factor change, backup and restore is recorded
//! by [`record`] in the transaction of the change itself, so the log and the
//! change commit (or roll back) together.

use crate::db::audit;
use crate::db::users::UserRow;
use crate::domain::audit::Actor;
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
