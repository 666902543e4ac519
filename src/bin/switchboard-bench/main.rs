//! `switchboard-bench`: builds a data set, starts the real server over it, drives
//! its HTTP API with PHP-encoded forms from many keep-alive connections, measures
//! the stack's ceiling the same way, and prints one table.
//!
//!     cargo run --release --bin switchboard-bench -- --messages 1000000
//!     cargo run --release --bin switchboard-bench -- --quick      (the CI smoke run)
//!     cargo run --release --bin switchboard-bench -- --email-piping 10000   (only that)

mod ceiling;
mod flood;
mod load;
mod mailbox;
mod seed;
mod visitors;

use clap::Parser;
use load::{Body, Picker, Stats};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};
use switchboard::clock::Clock;
use switchboard::Config;

#[derive(Parser)]
#[command(about = "Benchmarks a Switchboard server against the ceiling of its own stack.")]
struct Args {
    /// Messages in the data set; users are a hundredth of it, conversations a tenth.
    #[arg(long, default_value_t = 1_000_000)]
    messages: usize,
    /// Seconds of load per operation.
    #[arg(long, default_value_t = 10)]
    seconds: u64,
    /// Concurrent keep-alive connections.
    #[arg(long, default_value_t = 32)]
    connections: usize,
    /// Run only the operations whose name contains this (the ceiling always runs).
    #[arg(long)]
    only: Option<String>,
    /// Seed the data set into this directory once and reuse it in later runs
    /// (for profiling; each run's writes stay in it).
    #[arg(long)]
    keep: Option<std::path::PathBuf>,
    /// Only the email channel: pipe a Dovecot mailbox of this many emails (needs
    /// dovecot-imapd and root), then stop.
    #[arg(long)]
    email_piping: Option<usize>,
    /// A small, fast run that checks the benchmark works (for CI).
    #[arg(long)]
    quick: bool,
    /// Internal: serve this data directory (the benchmark runs the server as a child).
    #[arg(long, hide = true)]
    serve: Option<std::path::PathBuf>,
    #[arg(long, hide = true)]
    bind: Option<String>,
}

type Failure = Box<dyn std::error::Error>;

fn main() -> Result<(), Failure> {
    let mut args = Args::parse();
    // The visitors phase holds thousands of streams, each a socket at both ends.
    switchboard::cli::raise_open_files_limit();
    if let Some(data_dir) = args.serve {
        let bind = args.bind.ok_or("--serve needs --bind")?;
        // Loopback is a trusted proxy, so the flood's requests can each say they come
        // from another address, as a distributed flood's would.
        let trusted_proxies = vec!["127.0.0.1".into()];
        return switchboard::cli::serve(Config {
            data_dir,
            bind,
            log: "warn".into(),
            trusted_proxies,
            // The load uses one token from one address at thousands of calls a
            // second: the bench measures throughput, not the API's limits.
            api_calls_per_minute_per_token: 100_000_000,
            api_calls_per_minute_per_address: 100_000_000,
            ..Config::default()
        });
    }
    if let Some(emails) = args.email_piping {
        let dir = tempfile::tempdir()?;
        let run = mailbox::run(dir.path(), emails)?;
        println!("mailbox filled with {} emails over IMAP APPEND in {:.1} s", run.emails, run.fill.as_secs_f64());
        println!(
            "email piping: {} emails piped in {:.1} s ({:.0} emails/s): {}",
            run.emails,
            run.pipe.as_secs_f64(),
            run.emails as f64 / run.pipe.as_secs_f64(),
            run.report
        );
        return Ok(());
    }
    if args.quick {
        (args.messages, args.seconds, args.connections) = (2_000, 1, 8);
    }
    let dir = tempfile::tempdir()?;
    let cold_start = cold_start(dir.path())?;
    let plan = seed::Plan {
        users: (args.messages / 100).max(10),
        conversations: (args.messages / 10).max(20),
        messages: args.messages.max(100),
    };
    let data = args.keep.clone().unwrap_or_else(|| dir.path().join("data"));
    let fixture = prepare_data(&data, &plan)?;

    let (server, base) = start_server(&data)?;
    let idle_rss = rss_kib(&server, "VmRSS");
    let api = format!("{base}/include/api.php");
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build()?;
    let duration = Duration::from_secs(args.seconds);
    println!(
        "{:<22} {:>10} {:>9} {:>9} {:>9} {:>7}",
        "operation", "requests/s", "p50 ms", "p95 ms", "p99 ms", "errors"
    );
    let mut results = Vec::new();
    for (name, body) in operations(&fixture) {
        if args.only.as_ref().is_some_and(|only| !name.contains(only.as_str())) {
            continue;
        }
        if name == "mixed (90% reads)" {
            reset_peak(&server);
        }
        let stats = load::run(&runtime, &api, args.connections, duration, body);
        print_row(name, &stats);
        results.push((name, stats));
    }
    let peak_rss = rss_kib(&server, "VmHWM");
    reset_peak(&server);
    let flood = flood::run(&runtime, &base, &fixture.token, 64, duration.max(Duration::from_secs(1)) * 2);
    let (flood_peak, after_flood) = (rss_kib(&server, "VmHWM"), rss_kib(&server, "VmRSS"));
    let widget_js = widget_js_sizes(&base)?;
    let visitor_plan = if args.quick {
        visitors::Plan { streams: 200, chatting: 50, rate: 200, duration: Duration::from_secs(1) }
    } else {
        visitors::Plan { streams: 5_000, chatting: 1_000, rate: 200, duration }
    };
    let (before_streams, mut with_streams) = (rss_kib(&server, "VmRSS"), 0.0);
    let chat = visitors::run(&runtime, &base, &fixture.token, fixture.agent_ids[0], &visitor_plan, || {
        with_streams = rss_kib(&server, "VmRSS");
    })?;
    drop(server);

    let ceiling_url = ceiling::start(dir.path())?;
    let ceiling = load::run(
        &runtime,
        &ceiling_url,
        args.connections,
        duration,
        Arc::new(|_: &mut Picker| {
            "token=0&function=send-message&user_id=1&conversation_id=1&message=Thanks+for+waiting".to_string()
        }),
    );
    print_row("ceiling (1 INSERT)", &ceiling);
    let send = results.iter().find(|(name, _)| *name == "send-message").map(|(_, s)| s.per_second()).unwrap_or(0.0);
    println!();
    println!(
        "data set: {} messages, {} conversations, {} users",
        plan.messages, plan.conversations, fixture.user_count
    );
    println!("server RSS: idle {:.1} MB, peak during the mixed run {:.1} MB", idle_rss / 1024.0, peak_rss / 1024.0);
    println!("cold start to first answer (empty data dir): {:.0} ms", cold_start.as_secs_f64() * 1000.0);
    println!(
        "flood ({} anonymous requests/s from 64 connections and as many addresses): {} server errors; \
         admin get-users meanwhile p50 {:.1} ms, p99 {:.1} ms; server RSS peak {:.1} MB, after {:.1} MB",
        (flood.requests as f64 / (duration.max(Duration::from_secs(1)) * 2).as_secs_f64()) as u64,
        flood.server_errors,
        flood.admin.p50_ms,
        flood.admin.p99_ms,
        flood_peak / 1024.0,
        after_flood / 1024.0
    );
    println!(
        "widget visitors: {} streams open, server RSS {:.1} MB (was {:.1} MB before them); \
         {} agent messages at {}/s to {} of them: stream latency p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms, {} lost",
        chat.streams,
        with_streams / 1024.0,
        before_streams / 1024.0,
        chat.messages_sent,
        visitor_plan.rate,
        visitor_plan.chatting,
        chat.p50_ms,
        chat.p99_ms,
        chat.max_ms,
        chat.lost
    );
    println!("widget.js: {:.1} KB, {:.1} KB gzipped", widget_js.0 as f64 / 1024.0, widget_js.1 as f64 / 1024.0);
    println!("send-message / ceiling: {:.0}%", 100.0 * send / ceiling.per_second().max(f64::MIN_POSITIVE));
    let failed: usize = results.iter().map(|(_, s)| s.errors).sum();
    if failed > 0 {
        return Err(format!("{failed} requests failed").into());
    }
    if chat.lost > 0 {
        return Err(format!("{} agent messages never reached their visitor's stream", chat.lost).into());
    }
    if flood.server_errors > 0 || flood.admin.errors > 0 {
        return Err(
            format!("the flood got {} server errors, the admin {}", flood.server_errors, flood.admin.errors).into()
        );
    }
    Ok(())
}

fn print_row(name: &str, stats: &Stats) {
    println!(
        "{name:<22} {:>10.0} {:>9.2} {:>9.2} {:>9.2} {:>7}",
        stats.per_second(),
        stats.p50_ms,
        stats.p95_ms,
        stats.p99_ms,
        stats.errors
    );
}

/// Every operation with the form its requests send.
fn operations(f: &seed::Fixture) -> Vec<(&'static str, Body)> {
    let t = f.token.clone();
    let (users, conversations, agent) = (f.user_count, f.conversation_count, f.agent_ids[0]);
    let (long, fortieth) = (f.long_conversation, f.fortieth_message);
    let read = |t: &str, function: &str, rest: String| format!("token={t}&function={function}{rest}");
    let reads: Vec<(&'static str, Body)> = vec![
        (
            "get-conversations",
            Arc::new({
                let t = t.clone();
                move |_: &mut Picker| read(&t, "get-conversations", "&pagination=1".into())
            }),
        ),
        (
            "get-conversation",
            Arc::new({
                let t = t.clone();
                move |_: &mut Picker| read(&t, "get-conversation", format!("&conversation_id={long}"))
            }),
        ),
        (
            "get-new-messages",
            Arc::new({
                let t = t.clone();
                move |_: &mut Picker| {
                    read(&t, "get-new-messages", format!("&conversation_id={long}&datetime={fortieth}"))
                }
            }),
        ),
        (
            "search-conversations",
            Arc::new({
                let t = t.clone();
                move |_: &mut Picker| read(&t, "search-conversations", format!("&search={}", seed::RARE_WORD))
            }),
        ),
        (
            "search-users",
            Arc::new({
                let t = t.clone();
                move |_: &mut Picker| read(&t, "search-users", "&search=Olivia".into())
            }),
        ),
        (
            "search-articles",
            Arc::new({
                let t = t.clone();
                move |_: &mut Picker| read(&t, "search-articles", "&search=refund".into())
            }),
        ),
    ];
    let send: Body = Arc::new({
        let t = t.clone();
        move |p: &mut Picker| {
            format!(
                "token={t}&function=send-message&user_id={agent}&conversation_id={}&message=Thanks+for+waiting%2C+I+am+checking+your+order+now",
                1 + p.below(conversations)
            )
        }
    });
    let mut ops: Vec<(&'static str, Body)> = vec![
        (
            "add-user",
            Arc::new({
                let t = t.clone();
                // Emails unique across runs too, for data sets that `--keep` reuses.
                let run = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs());
                move |p: &mut Picker| {
                    format!(
                        "token={t}&function=add-user&first_name=Bench&last_name=User&email=bench{run}-{}%40example.com",
                        p.serial()
                    )
                }
            }),
        ),
        (
            "new-conversation",
            Arc::new({
                let t = t.clone();
                move |p: &mut Picker| format!("token={t}&function=new-conversation&user_id={}", 2 + p.below(users))
            }),
        ),
        ("send-message", send.clone()),
    ];
    ops.extend(reads.iter().map(|(name, body)| (*name, body.clone())));
    let mixed: Body = Arc::new(move |p: &mut Picker| {
        if p.below(10) == 0 {
            send(p)
        } else {
            let (_, body) = &reads[p.below(reads.len() as i64) as usize];
            body(p)
        }
    });
    ops.push(("mixed (90% reads)", mixed));
    ops
}

/// The widget script's size as served, plain and gzipped (the client asks for
/// gzip and, without a decoder, counts the bytes on the wire).
fn widget_js_sizes(base: &str) -> Result<(usize, usize), Failure> {
    let client = reqwest::blocking::Client::new();
    let url = format!("{base}/widget.js");
    let plain = client.get(&url).send()?.bytes()?.len();
    let gzipped = client.get(&url).header("Accept-Encoding", "gzip").send()?.bytes()?.len();
    Ok((plain, gzipped))
}

/// Seeds the data set into `data`, or reuses the one a `--keep` run left there.
fn prepare_data(data: &std::path::Path, plan: &seed::Plan) -> Result<seed::Fixture, Failure> {
    let saved = data.join("bench-fixture.json");
    if let Ok(json) = std::fs::read(&saved) {
        return Ok(serde_json::from_slice(&json)?);
    }
    let config = Config { data_dir: data.to_path_buf(), ..Config::default() };
    let state = switchboard::server::prepare(config, Clock::system())?;
    let fixture = seed::seed(&state, plan)?;
    std::fs::write(&saved, serde_json::to_vec(&fixture)?)?;
    Ok(fixture)
}

/// The server this benchmark runs as a child: stopped when dropped, so an error
/// in the benchmark never leaves it running.
struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = Command::new("kill").args(["-TERM", &self.0.id().to_string()]).status();
        let _ = self.0.wait();
    }
}

/// Runs this binary as the server over `data_dir` and waits until it answers.
fn start_server(data_dir: &std::path::Path) -> Result<(Server, String), Failure> {
    let port = std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
    let bind = format!("127.0.0.1:{port}");
    let child = Command::new(std::env::current_exe()?)
        .args(["--serve", data_dir.to_str().ok_or("data dir path")?, "--bind", &bind])
        .stdout(Stdio::null())
        .spawn()?;
    let child = Server(child);
    let base = format!("http://{bind}");
    wait_until_answering(&base)?;
    Ok((child, base))
}

fn wait_until_answering(base: &str) -> Result<Duration, Failure> {
    let started = Instant::now();
    let client = reqwest::blocking::Client::new();
    while client.get(format!("{base}/")).send().is_err() {
        if started.elapsed() > Duration::from_secs(60) {
            return Err("the server did not start".into());
        }
        std::thread::sleep(Duration::from_millis(2));
    }
    Ok(started.elapsed())
}

/// From starting the server on an empty data dir to its first answered request.
fn cold_start(dir: &std::path::Path) -> Result<Duration, Failure> {
    let empty = dir.join("cold");
    let started = Instant::now();
    let (child, _) = start_server(&empty)?;
    let elapsed = started.elapsed();
    drop(child);
    Ok(elapsed)
}

/// A memory figure of the server from /proc, in KiB (VmRSS now, VmHWM the peak).
fn rss_kib(server: &Server, field: &str) -> f64 {
    let status = std::fs::read_to_string(format!("/proc/{}/status", server.0.id())).unwrap_or_default();
    status
        .lines()
        .find_map(|line| {
            line.strip_prefix(field)
                .and_then(|rest| rest.trim_start_matches(':').split_whitespace().next()?.parse().ok())
        })
        .unwrap_or(0.0)
}

/// Resets the kernel's peak-RSS mark, so VmHWM covers only what follows.
fn reset_peak(server: &Server) {
    let _ = std::fs::write(format!("/proc/{}/clear_refs", server.0.id()), "5");
}
