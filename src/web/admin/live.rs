//! Live updates for the inbox and the conversation page, for signed-in agents.
//!
//! `GET /admin/events` is a Server-Sent Events stream. Each stream polls the
//! database once a second: one range walk of the messages' primary key after the
//! last message it reported (and, on a conversation page, one look at whether the
//! customer is typing). Polling, rather than a channel fed by the write paths,
//! also sees writes from the CLI and other processes, and costs one indexed query
//! per open tab per second.
//!
//! Events:
//! - `ready` (id = the message ID the stream starts after) when it opens, so a
//!   reconnect resumes from there;
//! - `message` (id = message ID), data `{"conversation_id", "message_id"}`: the
//!   conversation's newest message, once per conversation with new messages;
//! - `typing`, data `{"conversation_id", "typing"}`: the customer of the watched
//!   conversation (`?conversation=ID`) started or stopped typing;
//! - a comment every 15 s of quiet, so dead connections are noticed.
//!
//! A stream ends after 25 s: a graceful shutdown waits up to 30 s for open
//! responses, and an idle tab must not hold it up. EventSource reconnects by
//! itself, sending `Last-Event-ID`, so nothing is missed in between.
//!
//! `GET /admin/events/poll?after=ID` answers the same as JSON, for browsers
//! without EventSource: `{"last_message_id", "messages": [...], "typing"}`.

use super::PageError;
use crate::db::{conversations, messages, typing};
use crate::error::ApiResult;
use crate::state::AppState;
use crate::web::session::Admin;
use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};
use rusqlite::Connection;
use serde_json::json;
use std::fmt::Write as _;
use std::time::{Duration, Instant};

const POLL_EVERY: Duration = Duration::from_secs(1);
const HEARTBEAT_AFTER: Duration = Duration::from_secs(15);
const STREAM_LIFETIME: Duration = Duration::from_secs(25);
/// At most this many conversations per poll; the rest come with the next one.
const BATCH: i64 = 100;

#[derive(serde::Deserialize)]
pub struct LiveParams {
    #[serde(default)]
    after: String,
    #[serde(default)]
    conversation: String,
}

fn positive(text: &str) -> Option<i64> {
    text.trim().parse().ok().filter(|n: &i64| *n >= 0)
}

/// The conversation whose customer's typing a stream reports.
#[derive(Clone, Copy)]
struct Watched {
    conversation_id: i64,
    customer_id: i64,
}

struct Changes {
    /// `(conversation ID, newest message ID)`, oldest first.
    messages: Vec<(i64, i64)>,
    typing: Option<bool>,
}

fn changes(conn: &Connection, after: i64, watched: Option<Watched>, typing_since: &str) -> ApiResult<Changes> {
    let messages = messages::newest_per_conversation_after(conn, after, BATCH)?;
    let typing = match watched {
        Some(w) => Some(typing::is_typing(conn, w.customer_id, w.conversation_id, typing_since)?),
        None => None,
    };
    Ok(Changes { messages, typing })
}

/// Where a stream or poll starts, and the conversation it watches.
async fn start(state: &AppState, after: Option<i64>, conversation: Option<i64>) -> ApiResult<(i64, Option<Watched>)> {
    state
        .read(move |conn| {
            let after = match after {
                Some(after) => after,
                None => messages::last_id(conn)?,
            };
            let watched = match conversation {
                Some(id) => {
                    conversations::find(conn, id)?.map(|c| Watched { conversation_id: c.id, customer_id: c.user_id })
                }
                None => None,
            };
            Ok((after, watched))
        })
        .await
}

struct Stream {
    state: AppState,
    after: i64,
    watched: Option<Watched>,
    typing: bool,
    greeted: bool,
    opened: Instant,
    last_sent: Instant,
}

impl Stream {
    /// The next chunk of the stream, or `None` when it ends.
    async fn next(mut self) -> Option<(Result<web::Bytes, actix_web::Error>, Self)> {
        if !self.greeted {
            self.greeted = true;
            let ready =
                format!("retry: 2000\nevent: ready\nid: {0}\ndata: {{\"last_message_id\":{0}}}\n\n", self.after);
            return Some((Ok(ready.into()), self));
        }
        loop {
            if self.opened.elapsed() >= STREAM_LIFETIME {
                return None;
            }
            actix_web::rt::time::sleep(POLL_EVERY).await;
            let (after, watched) = (self.after, self.watched);
            let since = self.state.clock.ago_text(self.state.config.typing_timeout_seconds);
            let found = self.state.read(move |conn| changes(conn, after, watched, &since)).await.ok()?;
            let mut chunk = String::new();
            for (conversation_id, message_id) in found.messages {
                let data = json!({ "conversation_id": conversation_id, "message_id": message_id });
                let _ = write!(chunk, "event: message\nid: {message_id}\ndata: {data}\n\n");
                self.after = self.after.max(message_id);
            }
            if let (Some(typing), Some(watched)) = (found.typing, self.watched) {
                if typing != self.typing {
                    self.typing = typing;
                    let data = json!({ "conversation_id": watched.conversation_id, "typing": typing });
                    let _ = write!(chunk, "event: typing\ndata: {data}\n\n");
                }
            }
            if chunk.is_empty() && self.last_sent.elapsed() >= HEARTBEAT_AFTER {
                chunk.push_str(": still here\n\n");
            }
            if !chunk.is_empty() {
                self.last_sent = Instant::now();
                return Some((Ok(chunk.into()), self));
            }
        }
    }
}

pub async fn events(
    _admin: Admin,
    req: HttpRequest,
    state: web::Data<AppState>,
    params: web::Query<LiveParams>,
) -> Result<HttpResponse, PageError> {
    let resumed = req.headers().get("Last-Event-ID").and_then(|v| v.to_str().ok()).and_then(positive);
    let after = resumed.or_else(|| positive(&params.after));
    let (after, watched) = start(&state, after, positive(&params.conversation).filter(|id| *id > 0)).await?;
    let stream = Stream {
        state: state.get_ref().clone(),
        after,
        watched,
        typing: false,
        greeted: false,
        opened: Instant::now(),
        last_sent: Instant::now(),
    };
    Ok(HttpResponse::Ok()
        .content_type("text/event-stream")
        .insert_header((header::CACHE_CONTROL, "no-cache, no-store"))
        .insert_header(("X-Accel-Buffering", "no"))
        .streaming(futures_util::stream::unfold(stream, Stream::next)))
}

pub async fn poll(
    _admin: Admin,
    state: web::Data<AppState>,
    params: web::Query<LiveParams>,
) -> Result<HttpResponse, PageError> {
    let after = positive(&params.after);
    let (start_after, watched) = start(&state, after, positive(&params.conversation).filter(|id| *id > 0)).await?;
    let since = state.clock.ago_text(state.config.typing_timeout_seconds);
    let found = match after {
        Some(after) => state.read(move |conn| changes(conn, after, watched, &since)).await?,
        None => Changes { messages: vec![], typing: None },
    };
    let last = found.messages.iter().map(|(_, id)| *id).max().unwrap_or(start_after).max(start_after);
    let messages: Vec<_> =
        found.messages.iter().map(|(c, m)| json!({ "conversation_id": c, "message_id": m })).collect();
    Ok(HttpResponse::Ok()
        .content_type("application/json")
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .body(json!({ "last_message_id": last, "messages": messages, "typing": found.typing }).to_string()))
}
