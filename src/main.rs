//! The `switchboard` binary: everything happens in [`switchboard::cli::run`].

use std::process::ExitCode;

fn main() -> ExitCode {
    match switchboard::cli::run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("switchboard: {err:#}");
            ExitCode::FAILURE
        }
    }
}
