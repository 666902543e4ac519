//! The settings, read once and kept until a save says they changed.
//!
//! A reader notes the generation before it reads the table and keeps what it read
//! only if no save came in between, so a slow reader never puts older values back
//! after a save.

use crate::domain::settings::Settings;
use rusqlite::Connection;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};

#[derive(Default)]
pub struct SettingsCache {
    generation: AtomicU64,
    current: RwLock<Option<(u64, Arc<Settings>)>>,
}

impl SettingsCache {
    /// The current settings, read from `conn` when nothing is kept.
    pub fn get(&self, conn: &Connection) -> rusqlite::Result<Arc<Settings>> {
        let generation = self.generation.load(Ordering::Acquire);
        if let Some((kept, settings)) = self.current.read().unwrap_or_else(|e| e.into_inner()).as_ref() {
            if *kept == generation {
                return Ok(settings.clone());
            }
        }
        let stored: HashMap<String, serde_json::Value> = crate::db::settings::all(conn)?.into_iter().collect();
        let settings = Arc::new(Settings::from_stored(&|id| stored.get(id).cloned()));
        let mut current = self.current.write().unwrap_or_else(|e| e.into_inner());
        if self.generation.load(Ordering::Acquire) == generation {
            *current = Some((generation, settings.clone()));
        }
        Ok(settings)
    }

    /// Forgets the kept settings; call after a save commits.
    pub fn changed(&self) {
        self.generation.fetch_add(1, Ordering::AcqRel);
        *self.current.write().unwrap_or_else(|e| e.into_inner()) = None;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_are_read_once_and_again_after_a_change() {
        let mut conn = crate::db::open(std::path::Path::new(":memory:")).unwrap();
        crate::db::migrate::run(&mut conn).unwrap();
        let cache = SettingsCache::default();
        assert_eq!(cache.get(&conn).unwrap().admin_title, "Switchboard");
        crate::db::settings::put(&conn, "admin-title", &serde_json::json!("Help desk")).unwrap();
        assert_eq!(cache.get(&conn).unwrap().admin_title, "Switchboard", "kept until a save says otherwise");
        cache.changed();
        assert_eq!(cache.get(&conn).unwrap().admin_title, "Help desk");
    }
}
