//! `switchboard backup` and `switchboard restore`.

use super::CliResult;
use crate::backup::{self, Contents};
use crate::config::Config;
use std::path::Path;

pub fn backup(config: &Config, output: &Path, with_uploads: bool) -> CliResult {
    let contents = if with_uploads { Contents::Everything } else { Contents::Database };
    let bytes = backup::create(config, output, contents)?;
    println!("backup written to {} ({bytes} bytes)", output.display());
    let details =
        serde_json::json!({ "file": output.display().to_string(), "bytes": bytes, "with_uploads": with_uploads });
    record(config, "backup.create", details)
}

/// Records what the command line did in the data directory's audit log.
fn record(config: &Config, action: &'static str, details: serde_json::Value) -> CliResult {
    let mut conn = crate::db::open(&config.database_path())?;
    let now = crate::clock::format(chrono::Utc::now());
    let actor = crate::domain::audit::Actor::command_line();
    crate::db::write(&mut conn, |tx| crate::db::audit::append(tx, &now, &actor, action, None, &details))?;
    Ok(())
}

pub fn restore(config: &Config, input: &Path) -> CliResult {
    let restored = backup::restore(config, input, chrono::Utc::now())?;
    for kept in &restored.kept {
        println!("kept {}", kept.display());
    }
    println!("restored {} into {}", input.display(), config.data_dir.display());
    let details = serde_json::json!({ "file": input.display().to_string(), "kept": restored.kept });
    if restored.schema_version >= crate::db::migrate::latest_version() {
        record(config, "backup.restore", details)?;
    } else {
        // An older schema may have no audit log yet: this restore goes unrecorded.
        println!(
            "its schema (version {}) is older than this binary's ({}): the next start migrates it",
            restored.schema_version,
            crate::db::migrate::latest_version()
        );
    }
    Ok(())
}
