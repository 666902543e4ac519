//! The flood: what an anonymous attacker can send, from many addresses at once,
//! while an admin script keeps calling the API. Measures how much memory the
//! server holds under it and how long the admin's calls take meanwhile.
//!
//! Each request says it comes from a different address (`X-Forwarded-For`, the
//! bench's server trusts loopback as a proxy), so the per-address rate limits do
//! not hide the work the server would do for a distributed flood.

use super::load::{self, Picker, Stats};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// What the flood sent and what it cost.
pub struct Flood {
    pub requests: usize,
    pub server_errors: usize,
    pub admin: Stats,
}

/// One attacker request: help searches (with NUL bytes too), wrong sign-ins with a
/// forged double-submit CSRF pair, and 2 MiB API bodies of appended pairs.
fn attack(client: &reqwest::Client, base: &str, big_body: &Arc<String>, p: &mut Picker) -> reqwest::RequestBuilder {
    let from = format!("10.{}.{}.{}", p.below(250), p.below(250), 1 + p.below(250));
    let request = match p.below(10) {
        0..=4 => client.get(format!("{base}/help/search?q=refund%00policy+{}", p.below(1000))),
        5..=7 => {
            let csrf = format!("{:032x}", p.serial() as u128 * 7919);
            client
                .post(format!("{base}/admin/login"))
                .header("Cookie", format!("sb_csrf={csrf}"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .body(format!("email=admin%40switchboard.local&password=guess{}&csrf_token={csrf}", p.serial()))
        }
        _ => client
            .post(format!("{base}/include/api.php"))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .body(big_body.as_ref().clone()),
    };
    request.header("X-Forwarded-For", from)
}

/// Floods `base` from `connections` connections for `duration` while one admin
/// connection calls `get-users` with `token`.
pub fn run(
    runtime: &tokio::runtime::Runtime,
    base: &str,
    token: &str,
    connections: usize,
    duration: Duration,
) -> Flood {
    let client = reqwest::Client::builder().pool_max_idle_per_host(connections).build().expect("an HTTP client");
    let big_body = Arc::new("a[]=1&".repeat(2 * 1024 * 1024 / 6 - 1));
    let deadline = Instant::now() + duration;
    let attackers: Vec<_> = (0..connections)
        .map(|task| {
            let (client, base, big_body) = (client.clone(), base.to_string(), big_body.clone());
            runtime.spawn(async move {
                let mut picker = Picker::seeded(task as u64);
                let (mut requests, mut server_errors) = (0usize, 0usize);
                while Instant::now() < deadline {
                    requests += 1;
                    match attack(&client, &base, &big_body, &mut picker).send().await {
                        Ok(response) if response.status().is_server_error() => server_errors += 1,
                        Ok(response) => drop(response.bytes().await),
                        Err(_) => server_errors += 1,
                    }
                }
                (requests, server_errors)
            })
        })
        .collect();
    let api = format!("{base}/include/api.php");
    let token = token.to_string();
    let admin = load::run(
        runtime,
        &api,
        1,
        duration,
        Arc::new(move |_: &mut Picker| format!("token={token}&function=get-users")),
    );
    let (mut requests, mut server_errors) = (0, 0);
    for attacker in attackers {
        let (sent, failed) = runtime.block_on(attacker).expect("an attacker task");
        requests += sent;
        server_errors += failed;
    }
    Flood { requests, server_errors, admin }
}
