//! The saved automations and their translations, for the API and the admin
//! area's editor: reading them, and saving them (recorded in the audit log).

use super::{OpsError, OpsResult};
use crate::db::automations::{self as store, AutomationRow};
use crate::domain::audit::Actor;
use crate::domain::automations::{Automation, Kind, Saved, Translation};
use rusqlite::Connection;
use serde_json::{json, Value};

/// Every saved automation, in its saved order.
pub fn load(conn: &Connection) -> OpsResult<Vec<Automation>> {
    store::all(conn)?.into_iter().map(from_row).collect()
}

fn from_row(row: AutomationRow) -> OpsResult<Automation> {
    let kind = Kind::parse(&row.kind).ok_or_else(|| format!("unknown type {}", row.kind));
    let body = serde_json::from_str::<Value>(&row.body).map_err(|err| err.to_string());
    kind.and_then(|kind| Automation::parse(kind, &body?)).map_err(|why| {
        tracing::error!(reason = %why, "a stored automation no longer reads");
        OpsError::Internal
    })
}

/// The saved translations of `automations`.
pub fn load_translations(conn: &Connection, automations: &[Automation]) -> OpsResult<Vec<Translation>> {
    let mut translations = Vec::new();
    for row in store::all_translations(conn)? {
        let Some(automation) = automations.iter().find(|a| a.id == row.automation_id) else { continue };
        translations.extend(parse_translations(vec![row], automation.kind)?);
    }
    Ok(translations)
}

pub fn parse_translations(rows: Vec<store::TranslationRow>, kind: Kind) -> OpsResult<Vec<Translation>> {
    rows.into_iter()
        .map(|row| {
            let body: Value = serde_json::from_str(&row.body).unwrap_or(Value::Null);
            Translation::parse(kind, &row.language, &body).map_err(|why| {
                tracing::error!(reason = %why, "a stored automation translation no longer reads");
                OpsError::Internal
            })
        })
        .collect()
}

/// Makes the saved automations exactly `saved` (automations-save, the admin
/// editor and its delete), recorded with the IDs added, removed and kept.
/// Call inside a write transaction.
pub fn save(tx: &Connection, saved: &Saved, now: &str, actor: &Actor) -> OpsResult<()> {
    let before: Vec<String> = load(tx)?.into_iter().map(|a| a.id).collect();
    store::replace_all(tx, saved)?;
    let after: Vec<&str> = saved.automations.iter().map(|a| a.id.as_str()).collect();
    let details = json!({
        "added": after.iter().filter(|id| !before.iter().any(|b| b == *id)).collect::<Vec<_>>(),
        "removed": before.iter().filter(|id| !after.contains(&id.as_str())).collect::<Vec<_>>(),
        "count": after.len(),
        "translations": saved.translations.len(),
    });
    super::audit::record(tx, now, actor, "automations.save", None, details)?;
    Ok(())
}
