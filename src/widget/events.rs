//! `GET /widget/events`: the visitor's live stream (Server-Sent Events).
//!
//! The stream listens to the visitor's channel of the [`Hub`](crate::state::Hub)
//! before it first reads, so nothing committed in between is missed. Events are
//! a signal: on each, the stream reads the messages after the last one it sent,
//! so an event lost or lagging costs nothing but time, and every 15 s it reads
//! anyway (messages from paths that do not publish arrive then).
//!
//! Each `message` event's `id:` is that message's ID, and every other event
//! repeats the last one sent, so a reconnect (`Last-Event-ID`) resumes exactly
//! there: nothing is lost or shown twice, across a server restart too. A stream
//! ends after 55 s and the browser reconnects, so a shutdown never waits long.

use super::chat::{After, PAGE};
use super::shapes::MessageView;
use super::{cors, reply, visitor};
use crate::db::messages;
use crate::error::ApiResult;
use crate::ops::visitors;
use crate::state::{AppState, Live};
use actix_web::http::header;
use actix_web::web::Bytes;
use actix_web::{web, HttpRequest, HttpResponse};
use serde_json::json;
use std::collections::VecDeque;
use std::time::{Duration, Instant};
use tokio::sync::broadcast::error::RecvError;
use tokio::sync::broadcast::Receiver;

const CHECK_EVERY: Duration = Duration::from_secs(15);
const LIFETIME: Duration = Duration::from_secs(55);

pub async fn stream(req: HttpRequest, state: web::Data<AppState>, query: web::Query<After>) -> HttpResponse {
    let me = match visitor(&req, &state).await {
        Ok(me) => me,
        Err(err) => return reply::<()>(&req, Err(err)),
    };
    let resumed = req.headers().get("last-event-id").and_then(|v| v.to_str().ok()).and_then(|v| v.trim().parse().ok());
    let stream = Stream {
        state: state.get_ref().clone(),
        me: me.id,
        last: resumed.unwrap_or_else(|| query.id()),
        receiver: state.hub.subscribe(me.id),
        queued: VecDeque::from([Bytes::from_static(b"retry: 3000\n\n")]),
        started: Instant::now(),
        available: None,
        read_first: true,
    };
    let mut response = HttpResponse::Ok();
    cors(&req, &mut response);
    response
        .content_type("text/event-stream")
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .insert_header(("X-Accel-Buffering", "no"))
        .streaming(futures_util::stream::unfold(stream, |mut stream| async move {
            let next = stream.next().await?;
            Some((Ok::<_, actix_web::Error>(next), stream))
        }))
}

struct Stream {
    state: AppState,
    me: i64,
    /// The newest message ID sent.
    last: i64,
    receiver: Receiver<Live>,
    queued: VecDeque<Bytes>,
    started: Instant,
    /// Whether someone could answer, when last told.
    available: Option<bool>,
    read_first: bool,
}

impl Stream {
    /// The next chunk to send, or `None` when the stream ends.
    async fn next(&mut self) -> Option<Bytes> {
        loop {
            if let Some(chunk) = self.queued.pop_front() {
                return Some(chunk);
            }
            if self.read_first {
                self.read_first = false;
                self.catch_up().await;
                continue;
            }
            let left = LIFETIME.checked_sub(self.started.elapsed())?;
            match tokio::time::timeout(left.min(CHECK_EVERY), self.receiver.recv()).await {
                Ok(Ok(Live::Message { .. })) | Ok(Err(RecvError::Lagged(_))) => self.catch_up().await,
                Ok(Ok(Live::Typing { name, typing, .. })) => {
                    self.push("typing", json!({ "typing": typing, "name": name }))
                }
                Ok(Ok(Live::Status { conversation_id, status_code })) => self.push(
                    "status",
                    json!({ "conversation_id": conversation_id.to_string(), "status_code": status_code.to_string() }),
                ),
                Ok(Ok(Live::Seen { conversation_id, message_id })) => self.push(
                    "seen",
                    json!({ "conversation_id": conversation_id.to_string(), "message_id": message_id.to_string() }),
                ),
                Ok(Err(RecvError::Closed)) => return None,
                Err(_) => {
                    self.catch_up().await;
                    self.queued.push_back(Bytes::from_static(b": still here\n\n"));
                }
            }
        }
    }

    fn push(&mut self, event: &str, data: serde_json::Value) {
        self.queued.push_back(Bytes::from(format!("id: {}\nevent: {event}\ndata: {data}\n\n", self.last)));
    }

    /// Reads the messages after the last one sent, and whether someone can answer.
    async fn catch_up(&mut self) {
        let (state, me, after) = (self.state.clone(), self.me, self.last);
        let found: ApiResult<_> = self
            .state
            .read(move |conn| {
                let rows = messages::of_customer_after(conn, me, after, PAGE)?;
                let views: Vec<(i64, MessageView)> =
                    rows.iter().map(|m| m.id).zip(MessageView::many(conn, &state, &rows)?).collect();
                Ok((views, visitors::available(conn, &state)?))
            })
            .await;
        let Ok((views, available)) = found else { return };
        for (id, view) in views {
            self.last = id;
            self.push("message", json!(view));
        }
        if self.available != Some(available) {
            self.available = Some(available);
            self.push("availability", json!({ "available": available }));
        }
    }
}
