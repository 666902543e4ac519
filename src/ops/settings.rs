//! Reading and saving settings. Every save goes through [`save`], which writes in
//! one transaction (with its audit entry: what changed, secrets masked) and then
//! tells the state's settings cache, so the next read sees the new values.

use crate::db::doorway::Db;
use crate::db::settings as store;
use crate::domain::audit::Actor;
use crate::domain::settings::{self, Setting};
use crate::state::AppState;
use rusqlite::Connection;
use serde_json::Value;

/// The current value of a schema setting: saved, or its default.
pub fn current(conn: &Connection, setting: &Setting) -> rusqlite::Result<Value> {
    Ok(store::get(conn, setting.id)?.unwrap_or_else(|| setting.default_value()))
}

/// What a save or an import will write, validated in full before anything is.
#[derive(Default)]
pub struct Changes {
    pub settings: Vec<(&'static Setting, Value)>,
    pub external: Vec<(String, Value)>,
    pub translations: Vec<(String, String, Value)>,
}

/// Stores settings checked by `domain::settings::validate`, keeping each secret
/// that was sent as the mask or left empty (save-settings, import-settings and
/// the admin settings page all save through this).
/// Answers each setting with its value before and after, for the audit log.
fn store_validated(
    tx: &Connection,
    validated: &[(&'static Setting, Value)],
) -> rusqlite::Result<Vec<(&'static Setting, Value, Value)>> {
    let mut changed = Vec::new();
    for (setting, value) in validated {
        let before = current(tx, setting)?;
        let value = settings::keep_secrets(setting.kind, value.clone(), &before);
        store::put(tx, setting.id, &value)?;
        changed.push((*setting, before, value));
    }
    Ok(changed)
}

fn apply(tx: &Connection, changes: &Changes, actor: &Actor, now: &str) -> rusqlite::Result<()> {
    let changed = store_validated(tx, &changes.settings)?;
    let mut details = super::audit::settings_changes(&changed);
    if !changes.external.is_empty() || !changes.translations.is_empty() {
        let names: Vec<&str> = changes.external.iter().map(|(name, _)| name.as_str()).collect();
        details["external_settings"] = serde_json::json!(names);
    }
    super::audit::record(tx, now, actor, "settings.save", None, details)?;
    for (name, value) in &changes.external {
        store::put_external(tx, name, value)?;
    }
    for (name, language, value) in &changes.translations {
        store::put_external_translation(tx, name, language, value)?;
    }
    Ok(())
}

/// Saves `changes` (validated settings, external settings and their
/// translations), all or nothing; settings not in it keep their values.
pub fn save(db: &mut Db, state: &AppState, changes: Changes, actor: Actor) -> super::OpsResult<()> {
    let now = state.clock.now_text();
    db.write(move |tx| apply(tx, &changes, &actor, &now))?;
    state.settings_changed();
    Ok(())
}
