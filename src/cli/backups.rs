//! `switchboard backup` and `switchboard restore`.

use super::CliResult;
use crate::backup::{self, Contents};
use crate::config::Config;
use std::path::Path;

pub fn backup(config: &Config, output: &Path, with_uploads: bool) -> CliResult {
    let contents = if with_uploads { Contents::Everything } else { Contents::Database };
    let bytes = backup::create(config, output, contents)?;
    println!("backup written to {} ({bytes} bytes)", output.display());
    Ok(())
}

pub fn restore(config: &Config, input: &Path) -> CliResult {
    let restored = backup::restore(config, input, chrono::Utc::now())?;
    for kept in &restored.kept {
        println!("kept {}", kept.display());
    }
    println!("restored {} into {}", input.display(), config.data_dir.display());
    if restored.schema_version < crate::db::migrate::latest_version() {
        println!(
            "its schema (version {}) is older than this binary's ({}): the next start migrates it",
            restored.schema_version,
            crate::db::migrate::latest_version()
        );
    }
    Ok(())
}
