//! Request bodies read within limits: each at most a cap, and all those held at
//! once within one budget of memory (see `Traffic::bodies`), so a flood of large
//! bodies is refused (`rate-limited`) rather than buffered; and multipart bodies
//! split into their parts (with `multer`), files as bytes.

use crate::error::Failure;
use actix_web::web::{Bytes, BytesMut};
use futures_util::{Stream, StreamExt};
use std::sync::Arc;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// A body's share of the budget, held until the answer is written.
pub type Held = Vec<OwnedSemaphorePermit>;

/// The body of `stream`, at most `limit` bytes (`declared` is its Content-Length,
/// refused at once when over), its memory taken from `budget` (KiB permits).
pub async fn read_capped<S, E>(
    mut stream: S,
    declared: Option<usize>,
    limit: usize,
    budget: &Arc<Semaphore>,
) -> Result<(Bytes, Held), Failure>
where
    S: Stream<Item = Result<Bytes, E>> + Unpin,
    E: std::fmt::Display,
{
    if declared.is_some_and(|len| len > limit) {
        return Err(Failure::RequestTooLarge(limit));
    }
    let take = |bytes: usize| {
        let kib = u32::try_from(bytes.div_ceil(1024)).unwrap_or(u32::MAX);
        budget.clone().try_acquire_many_owned(kib).map_err(|_| Failure::RateLimited)
    };
    let mut held = vec![take(declared.unwrap_or(0))?];
    let mut body = BytesMut::with_capacity(declared.unwrap_or(0));
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|err| Failure::MalformedBody(err.to_string()))?;
        if body.len() + chunk.len() > limit {
            return Err(Failure::RequestTooLarge(limit));
        }
        if body.len() + chunk.len() > body.capacity() {
            held.push(take(chunk.len())?);
        }
        body.extend_from_slice(&chunk);
    }
    Ok((body.freeze(), held))
}

/// One part of a multipart body.
#[derive(Debug, Clone)]
pub struct Part {
    pub name: String,
    /// The file name the client gave, for file parts.
    pub file_name: Option<String>,
    pub bytes: Bytes,
}

/// The parts of a multipart body (already read and capped), at most `max_parts`.
pub async fn multipart(content_type: &str, body: Bytes, max_parts: usize) -> Result<Vec<Part>, Failure> {
    let boundary = multer::parse_boundary(content_type).map_err(|err| Failure::MalformedBody(err.to_string()))?;
    let stream = futures_util::stream::once(async move { Ok::<_, std::io::Error>(body) });
    let mut multipart = multer::Multipart::new(stream, boundary);
    let mut parts = Vec::new();
    while let Some(field) = multipart.next_field().await.map_err(|err| Failure::MalformedBody(err.to_string()))? {
        if parts.len() == max_parts {
            return Err(Failure::TooManyFields(max_parts));
        }
        let Some(name) = field.name().map(str::to_string) else { continue };
        let file_name = field.file_name().map(str::to_string);
        let bytes = field.bytes().await.map_err(|err| Failure::MalformedBody(err.to_string()))?;
        parts.push(Part { name, file_name, bytes });
    }
    Ok(parts)
}
