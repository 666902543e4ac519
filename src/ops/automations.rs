//! Reading the saved automations and their translations, for the API and the
//! admin area's editor.

use super::{OpsError, OpsResult};
use crate::db::automations::{self as store, AutomationRow};
use crate::domain::automations::{Automation, Kind, Translation};
use rusqlite::Connection;
use serde_json::Value;

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
