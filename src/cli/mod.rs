//! The command line: `serve` (the default), `migrate`, `admin create`, `admin token`,
//! `admin password`, `backup`, `restore` and `config`.

mod backups;

use crate::clock::Clock;
use crate::config::{Config, Overrides};
use crate::crypto;
use crate::db::{self, users};
use crate::domain::audit::Actor;
use crate::domain::Email;
use crate::ops::users as accounts;
use crate::ops::OpsError;
use crate::server;
use clap::{Parser, Subcommand};
use std::io::Read;
use std::path::PathBuf;

pub type CliResult = Result<(), Box<dyn std::error::Error>>;

#[derive(Parser)]
#[command(name = "switchboard", version, about = "A self-hosted customer-support server: one binary, one SQLite file.")]
struct Cli {
    /// Config file (TOML). Default: ./switchboard.toml when it exists.
    #[arg(long, global = true, env = "SWITCHBOARD_CONFIG")]
    config: Option<PathBuf>,
    /// Address to listen on, e.g. 127.0.0.1:8080 (overrides `bind`).
    #[arg(long, global = true)]
    bind: Option<String>,
    /// Data directory (overrides `data_dir`).
    #[arg(long, global = true)]
    data_dir: Option<PathBuf>,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the API and pages (the default).
    Serve,
    /// Create or upgrade the database schema, then exit.
    Migrate,
    /// Manage admins.
    #[command(subcommand)]
    Admin(AdminCommand),
    /// Print the effective configuration.
    Config,
    /// Write a consistent backup while the server runs.
    Backup {
        /// Where to write it.
        #[arg(long)]
        output: PathBuf,
        /// Write a .tar.gz archive with the database, secret.key and uploads/
        /// (without it: the database alone, as a SQLite file).
        #[arg(long)]
        with_uploads: bool,
    },
    /// Restore a backup (the server must be stopped); keeps what it replaces.
    Restore {
        /// A backup written by `switchboard backup` or the backup job.
        #[arg(long)]
        input: PathBuf,
    },
}

#[derive(Subcommand)]
enum AdminCommand {
    /// Create an admin and print its API token.
    Create {
        #[arg(long)]
        email: String,
        /// Read the password from standard input instead of generating one.
        #[arg(long)]
        password_stdin: bool,
    },
    /// Print a user's API token, or replace it with `--rotate`.
    Token {
        #[arg(long)]
        email: String,
        #[arg(long)]
        rotate: bool,
    },
    /// Set a user's password (and end their signed-in sessions): for an admin
    /// locked out with no working SMTP for a reset link.
    Password {
        #[arg(long)]
        email: String,
        /// Read the password from standard input instead of generating one.
        #[arg(long)]
        password_stdin: bool,
    },
}

pub fn run() -> CliResult {
    let cli = Cli::parse();
    let overrides = Overrides { bind: cli.bind, data_dir: cli.data_dir };
    let config = Config::load(cli.config.as_deref(), &overrides)?;
    init_logging(&config.log);
    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => serve(config),
        Command::Migrate => {
            let state = server::prepare(config, Clock::system())?;
            println!("database is at schema version {}", crate::db::migrate::latest_version());
            drop(state);
            Ok(())
        }
        Command::Config => {
            print!("{}", config.to_masked_toml());
            Ok(())
        }
        Command::Admin(AdminCommand::Create { email, password_stdin }) => admin_create(config, &email, password_stdin),
        Command::Admin(AdminCommand::Token { email, rotate }) => admin_token(config, &email, rotate),
        Command::Backup { output, with_uploads } => backups::backup(&config, &output, with_uploads),
        Command::Restore { input } => backups::restore(&config, &input),
        Command::Admin(AdminCommand::Password { email, password_stdin }) => {
            admin_password(config, &email, password_stdin)
        }
    }
}

fn init_logging(filter: &str) {
    let filter =
        tracing_subscriber::EnvFilter::try_new(filter).unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let colour = std::io::IsTerminal::is_terminal(&std::io::stderr());
    let _ = tracing_subscriber::fmt().with_env_filter(filter).with_ansi(colour).with_writer(std::io::stderr).try_init();
}

/// glibc gives each thread that meets a locked arena a new one, up to eight per
/// core, and each keeps what it once held. Two per core keep the peak RSS of the
/// benchmark's mixed run at 48 MB instead of 56 MB, at the cost of about a tenth
/// of its throughput.
/// One of the few `unsafe` calls in Switchboard (with `umask` in `data_dir` and
/// the open-files limit below): a C call with no pointers.
#[allow(unsafe_code)]
fn limit_malloc_arenas() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        let arenas = libc::c_int::try_from(2 * server::cores()).unwrap_or(libc::c_int::MAX);
        // SAFETY: mallopt only sets an allocator parameter; called before the server starts its threads.
        unsafe { libc::mallopt(libc::M_ARENA_MAX, arenas) };
        // Large blocks (request bodies, argon2's 19 MiB) are mapped and unmapped
        // on their own. glibc otherwise raises this threshold after the first free
        // of such a block and keeps later ones in its heap: after a flood of 2 MiB
        // bodies the server held 211 MB it no longer used.
        // SAFETY: as above.
        unsafe { libc::mallopt(libc::M_MMAP_THRESHOLD, 256 * 1024) };
    }
}

/// Every open chat widget holds a connection (its event stream), and many
/// systems start a service allowed only 1,024 open files: the soft limit is raised
/// to the hard one, as far as the system allows without privileges.
#[allow(unsafe_code)]
pub fn raise_open_files_limit() {
    let mut limit = libc::rlimit { rlim_cur: 0, rlim_max: 0 };
    // SAFETY: getrlimit writes the struct we own; setrlimit reads it.
    if unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) } == 0 && limit.rlim_cur < limit.rlim_max {
        let wanted = libc::rlimit { rlim_cur: limit.rlim_max, rlim_max: limit.rlim_max };
        // SAFETY: as above.
        if unsafe { libc::setrlimit(libc::RLIMIT_NOFILE, &wanted) } != 0 {
            tracing::warn!(limit = limit.rlim_cur, "could not raise the open-files limit");
        }
    }
}

/// Serves until SIGINT or SIGTERM: what `switchboard` and `switchboard serve` run.
pub fn serve(config: Config) -> CliResult {
    limit_malloc_arenas();
    raise_open_files_limit();
    let bind = config.bind.clone();
    // Bound first: with the port taken, nothing is created and no credentials are
    // printed for an admin that a server which never ran would then hold.
    let listener = std::net::TcpListener::bind(&bind).map_err(|err| format!("cannot listen on {bind}: {err}"))?;
    let state = server::prepare(config, Clock::system())?;
    first_start(&state)?;
    tracing::info!(address = %bind, "switchboard is serving");
    let scheduler = crate::jobs::start(state.clone());
    let mail_watcher = crate::mail::idle::start(state.clone());
    actix_web::rt::System::new().block_on(server::spawn(state.clone(), listener)?)?;
    drop(mail_watcher);
    drop(scheduler);
    // Workers have stopped; dropping the last pool handle closes every connection,
    // and the last close checkpoints the WAL into the database file.
    drop(state);
    tracing::info!("switchboard stopped");
    Ok(())
}

/// On a database with no admin, creates one and prints its credentials, once.
fn first_start(state: &crate::state::AppState) -> CliResult {
    let mut conn = db::open(&state.config.database_path())?;
    if users::any_admin(&conn)? {
        return Ok(());
    }
    let email = Email::parse("admin@switchboard.local").ok_or("built-in admin email is invalid")?;
    let password = crypto::random_password();
    let (_, token) = accounts::create_admin(
        &mut conn,
        &state.key,
        &state.clock.now_text(),
        email.clone(),
        &password,
        &Actor::system(),
    )
    .map_err(describe)?;
    println!("Switchboard created the first admin. These are shown only once:");
    println!("  email:     {}", email.as_str());
    println!("  password:  {password}");
    println!("  API token: {token}");
    Ok(())
}

fn admin_create(config: Config, email: &str, password_stdin: bool) -> CliResult {
    let email = Email::parse(email).ok_or("--email is not an email address")?;
    let password = new_password(password_stdin)?;
    let state = server::prepare(config, Clock::system())?;
    let mut conn = db::open(&state.config.database_path())?;
    let (_, token) = accounts::create_admin(
        &mut conn,
        &state.key,
        &state.clock.now_text(),
        email,
        &password,
        &Actor::command_line(),
    )
    .map_err(describe)?;
    println!("{token}");
    Ok(())
}

/// The password from standard input, or a generated one (printed on stderr, so
/// stdout stays the one value a script reads).
fn new_password(from_stdin: bool) -> Result<String, Box<dyn std::error::Error>> {
    if !from_stdin {
        let password = crypto::random_password();
        eprintln!("password: {password}");
        return Ok(password);
    }
    let mut input = String::new();
    std::io::stdin().read_to_string(&mut input)?;
    let password = input.trim_end_matches(['\r', '\n']).to_string();
    if password.chars().count() < 8 {
        return Err("the password must be at least 8 characters".into());
    }
    Ok(password)
}

/// Commands about existing people refuse a data directory that holds no
/// database, rather than creating an empty one there (a mistyped `--data-dir`).
fn existing_database(config: &Config) -> CliResult {
    let path = config.database_path();
    if path.is_file() {
        return Ok(());
    }
    Err(format!(
        "there is no Switchboard database at {} (is --data-dir or the config's data_dir right?)",
        path.display()
    )
    .into())
}

fn admin_password(config: Config, email: &str, password_stdin: bool) -> CliResult {
    existing_database(&config)?;
    let password = new_password(password_stdin)?;
    let state = server::prepare(config, Clock::system())?;
    let mut conn = db::open(&state.config.database_path())?;
    let hash = crypto::hash_password(&password);
    accounts::set_password_by_email(&mut conn, email.trim(), hash).map_err(describe)?;
    println!("the password of {} is changed and their sessions are ended", email.trim());
    Ok(())
}

fn admin_token(config: Config, email: &str, rotate: bool) -> CliResult {
    existing_database(&config)?;
    let state = server::prepare(config, Clock::system())?;
    let mut conn = db::open(&state.config.database_path())?;
    let token = accounts::token_for_email(&mut conn, &state.key, email.trim(), rotate).map_err(describe)?;
    println!("{token}");
    Ok(())
}

fn describe(err: OpsError) -> String {
    match err {
        OpsError::Duplicate(_) => "a user with that email already exists".into(),
        OpsError::NotFound(_) => "no user has that email".into(),
        OpsError::Storage => "database error (see the log above)".into(),
        OpsError::Invalid { field, why } => format!("{field}: {why}"),
        OpsError::FileRefused(refusal) => format!("file refused: {refusal:?}"),
        OpsError::Busy | OpsError::Internal => "internal error (see the log above)".into(),
    }
}
