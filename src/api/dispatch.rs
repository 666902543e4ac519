//! `POST /include/api.php`: capped body -> token and function -> the caller ->
//! arguments -> handler -> envelope. The token is checked before the body's
//! argument tree is built, so an anonymous body costs one linear scan. Every answer is HTTP 200 with an envelope, as existing clients of the
//! contract expect; the body is `text/plain` (the contract's jQuery example calls
//! `JSON.parse` on the raw text) unless the client asks for `application/json`.

use super::args::Args;
use super::{auth, Answer, Call};
use crate::bodies::{self, Held, Part};
use crate::error::{envelope, ApiError, ApiResult, Failure};
use crate::state::AppState;
use actix_web::http::header::{self, HeaderMap};
use actix_web::{web, HttpMessage, HttpRequest, HttpResponse};

/// The called function's name, left on the response for the request log.
#[derive(Clone, Copy)]
pub struct FunctionName(pub &'static str);

/// How the call ended (`ok`, or the envelope's code), left on the response for the metrics.
#[derive(Clone, Copy)]
pub struct CallOutcome(pub &'static str);

pub async fn api_endpoint(req: HttpRequest, payload: web::Payload, state: web::Data<AppState>) -> HttpResponse {
    let mut function = None;
    let result = serve(&req, payload, &state, &mut function).await;
    respond(req.headers(), function, &result)
}

/// `GET` and friends on the API address: an envelope, not an HTML error page.
pub async fn wrong_method(req: HttpRequest) -> HttpResponse {
    respond(req.headers(), None, &Err::<Answer, _>(Failure::MethodNotAllowed.into()))
}

async fn serve(
    req: &HttpRequest,
    payload: web::Payload,
    state: &AppState,
    function: &mut Option<&'static str>,
) -> ApiResult<Answer> {
    let forwarded = req.headers().get("x-forwarded-for").and_then(|v| v.to_str().ok());
    let client = state.traffic.client(req.peer_addr().map(|a| a.ip()), forwarded);
    if let Some(client) = client {
        state.traffic.admit_api(client).map_err(too_many)?;
    }
    let (body, _held) = read_capped(req, payload, state).await?;
    let body = Body::read(req, body).await?;
    let head = body.head()?;
    let token = head.text("token")?.filter(|t| !t.trim().is_empty()).ok_or(Failure::TokenNotFound);
    let token = token.map_err(|missing| failed_auth(state, client, missing))?;
    let name = head.text("function")?.filter(|f| !f.trim().is_empty()).ok_or(Failure::MissingFunctionName)?;
    let (name, handler) = super::find(name.trim()).ok_or_else(|| Failure::FunctionNotFound(truncate(&name, 64)))?;
    *function = Some(name);
    let call_state = state.clone();
    state
        .session(move |db| {
            let caller = auth::authenticate_admin(db.conn()?, &call_state.key, &token)
                .map_err(|err| failed_auth(&call_state, client, err))?;
            call_state.traffic.admit_token(caller.id).map_err(too_many)?;
            let args = body.into_args()?;
            handler.answer(&mut Call { db, state: &call_state, caller, args, client })
        })
        .await
}

/// The refusal for a call over an API rate limit.
fn too_many(wait: std::time::Duration) -> Failure {
    Failure::TooManyRequests(wait.as_secs() + 1)
}

/// Counts a failed authentication from `client`: the call answers `err`, or
/// `too-many-requests` once that address has failed too often.
fn failed_auth(state: &AppState, client: Option<std::net::IpAddr>, err: impl Into<ApiError>) -> ApiError {
    let err = err.into();
    let auth_failed = matches!(err, ApiError::Failure(Failure::InvalidToken | Failure::TokenNotFound));
    match client.filter(|_| auth_failed).map(|client| state.traffic.failed_auth(client)) {
        Some(Err(wait)) => too_many(wait).into(),
        _ => err,
    }
}

/// A body read but not yet built into arguments.
enum Body {
    Form(web::Bytes),
    Json(web::Bytes),
    Fields(Vec<(String, String)>, Vec<Part>),
}

/// The two fields read before anything else.
const HEAD: [&str; 2] = ["token", "function"];

impl Body {
    async fn read(req: &HttpRequest, body: web::Bytes) -> ApiResult<Self> {
        let content_type = req.content_type().to_ascii_lowercase();
        if content_type == "application/json" || content_type.ends_with("+json") {
            return Ok(Body::Json(body));
        }
        if content_type == "multipart/form-data" {
            let (fields, files) = parse_multipart(req, body).await?;
            return Ok(Body::Fields(fields, files));
        }
        // PHP's curl and jQuery send urlencoded forms; a missing type is read the same way.
        Ok(Body::Form(body))
    }

    /// `token` and `function` alone, found in one pass that builds nothing else; a
    /// repeated field counts last, as in the full arguments.
    fn head(&self) -> ApiResult<Args> {
        match self {
            Body::Form(bytes) => {
                let mut head = Vec::new();
                for (n, (key, value)) in url::form_urlencoded::parse(bytes).enumerate() {
                    if n == super::args::MAX_FIELDS {
                        return Err(Failure::TooManyFields(super::args::MAX_FIELDS).into());
                    }
                    if HEAD.contains(&key.as_ref()) {
                        head.push((key.into_owned(), value.into_owned()));
                    }
                }
                Ok(Args::from_fields(head)?)
            }
            Body::Fields(fields, _) => {
                Ok(Args::from_fields(fields.iter().filter(|(key, _)| HEAD.contains(&key.as_str())).cloned())?)
            }
            Body::Json(bytes) => Ok(Args::head_of_json(bytes, &HEAD)?),
        }
    }

    fn into_args(self) -> ApiResult<Args> {
        Ok(match self {
            Body::Form(bytes) => Args::from_form(&bytes)?,
            Body::Json(bytes) => Args::from_json(&bytes)?,
            Body::Fields(fields, files) => Args::from_fields(fields)?.with_files(files),
        })
    }
}

/// The body, at most `max_body_bytes` (`max_upload_bytes` for multipart, which
/// may carry a file for `upload`), and its share of the body budget, held until
/// the answer is written: all bodies held at once stay within the budget.
async fn read_capped(req: &HttpRequest, payload: web::Payload, state: &AppState) -> ApiResult<(web::Bytes, Held)> {
    let limit = if is_multipart(req) {
        state.config.max_upload_bytes.max(state.config.max_body_bytes)
    } else {
        state.config.max_body_bytes
    };
    let declared =
        req.headers().get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()).and_then(|v| v.parse::<usize>().ok());
    Ok(bodies::read_capped(payload, declared, limit, &state.traffic.bodies).await?)
}

fn is_multipart(req: &HttpRequest) -> bool {
    req.content_type().eq_ignore_ascii_case("multipart/form-data")
}

/// The fields of a multipart body: files are kept as bytes (for `upload`) and, when
/// they are text, also as fields (import-settings takes its file that way).
async fn parse_multipart(req: &HttpRequest, body: web::Bytes) -> Result<(Vec<(String, String)>, Vec<Part>), Failure> {
    let content_type = req.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or_default();
    let parts = bodies::multipart(content_type, body, super::args::MAX_FIELDS).await?;
    let mut fields = Vec::with_capacity(parts.len());
    let mut files = Vec::new();
    for part in parts {
        match (std::str::from_utf8(&part.bytes), part.file_name.is_some()) {
            (Ok(text), _) => fields.push((part.name.clone(), text.to_string())),
            (Err(_), false) => return Err(Failure::invalid(&part.name, "not UTF-8 text")),
            (Err(_), true) => {}
        }
        if part.file_name.is_some() {
            files.push(part);
        }
    }
    Ok((fields, files))
}

fn respond(headers: &HeaderMap, function: Option<&'static str>, result: &ApiResult<Answer>) -> HttpResponse {
    let wants_json = headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|accept| accept.contains("application/json"));
    let content_type = if wants_json { "application/json" } else { "text/plain; charset=utf-8" };
    let mut response = HttpResponse::Ok().content_type(content_type).body(envelope(result).to_string());
    if let Err(ApiError::Failure(Failure::TooManyRequests(seconds))) = result {
        response.headers_mut().insert(header::RETRY_AFTER, header::HeaderValue::from(*seconds));
    }
    if let Some(name) = function {
        response.extensions_mut().insert(FunctionName(name));
    }
    let outcome = match result {
        Ok(_) => "ok",
        Err(ApiError::Outcome(outcome)) => outcome.code(),
        Err(ApiError::Failure(failure)) => failure.code(),
    };
    response.extensions_mut().insert(CallOutcome(outcome));
    response
}

fn truncate(text: &str, max: usize) -> String {
    text.chars().take(max).collect()
}
