//! The chat widget's front door: `GET /widget.js`, and the visitor API under
//! `/widget/` that it talks to (see "The visitor API" in the README).
//!
//! A visitor proves who they are with the credential their browser keeps, sent in
//! the `X-Switchboard-Visitor` header (or `?visitor=` on the event stream, which
//! cannot set headers). It opens only that visitor's own conversations and is
//! never accepted by `/include/api.php`. No cookies are used, so another site
//! cannot ride on them; CORS answers the origins the `widget-allowed-origins`
//! setting allows (empty: any).

mod boot;
mod chat;
mod events;
mod profile;
mod script;
mod shapes;
mod uploads;

use crate::db::users::UserRow;
use crate::error::{envelope, ApiError, ApiResult, Failure};
use crate::state::AppState;
use crate::traffic::VisitorAct;
use actix_web::http::{header, StatusCode};
use actix_web::{web, HttpRequest, HttpResponse};
use serde::de::DeserializeOwned;

/// The header that carries the visitor credential.
const CREDENTIAL_HEADER: &str = "x-switchboard-visitor";

pub fn routes(config: &mut web::ServiceConfig) {
    config
        .route("/widget.js", web::get().to(script::widget_js))
        .route("/widget/{path:.*}", web::method(actix_web::http::Method::OPTIONS).to(preflight))
        .route("/widget/visitor", web::post().to(boot::start))
        .route("/widget/messages", web::get().to(chat::messages))
        .route("/widget/messages", web::post().to(chat::send))
        .route("/widget/events", web::get().to(events::stream))
        .route("/widget/typing", web::post().to(chat::typing))
        .route("/widget/uploads", web::post().to(uploads::upload))
        .route("/widget/rating", web::post().to(chat::rate))
        .route("/widget/transcript", web::post().to(chat::transcript))
        .route("/widget/offline", web::post().to(chat::offline))
        .route("/widget/info", web::post().to(profile::info))
        .route("/widget/page", web::post().to(profile::page))
        .route("/widget/automations", web::get().to(profile::automations))
        .route("/widget/automations/shown", web::post().to(profile::automation_shown));
}

/// The page's origin, when the request says one.
fn origin(req: &HttpRequest) -> Option<String> {
    req.headers().get(header::ORIGIN).and_then(|v| v.to_str().ok()).map(|o| o.trim_end_matches('/').to_string())
}

/// A JSON envelope, with the CORS headers that let the page read it.
fn reply<T: serde::Serialize>(req: &HttpRequest, result: ApiResult<T>) -> HttpResponse {
    let status = match &result {
        Err(ApiError::Failure(Failure::RateLimited)) => StatusCode::TOO_MANY_REQUESTS,
        Err(ApiError::Failure(Failure::OriginNotAllowed)) => StatusCode::FORBIDDEN,
        _ => StatusCode::OK,
    };
    let mut response = HttpResponse::build(status);
    response.content_type("application/json").insert_header((header::CACHE_CONTROL, "no-store"));
    cors(req, &mut response);
    response.body(envelope(&result).to_string())
}

/// Lets the requesting page read the answer. Whether its origin may use the API
/// at all is checked with the settings, in [`visitor`] and [`boot`].
fn cors(req: &HttpRequest, response: &mut actix_web::HttpResponseBuilder) {
    if let Some(origin) = origin(req) {
        response.insert_header((header::ACCESS_CONTROL_ALLOW_ORIGIN, origin)).insert_header((header::VARY, "Origin"));
    }
}

/// `OPTIONS` on any visitor path: the methods and header the widget uses.
async fn preflight(req: HttpRequest) -> HttpResponse {
    let mut response = HttpResponse::NoContent();
    cors(&req, &mut response);
    response
        .insert_header((header::ACCESS_CONTROL_ALLOW_METHODS, "GET, POST"))
        .insert_header((header::ACCESS_CONTROL_ALLOW_HEADERS, "Content-Type, X-Switchboard-Visitor"))
        .insert_header((header::ACCESS_CONTROL_MAX_AGE, "600"))
        .finish()
}

/// The credential a request carries, in the header or the `visitor` query.
fn credential(req: &HttpRequest) -> Option<String> {
    if let Some(value) = req.headers().get(CREDENTIAL_HEADER).and_then(|v| v.to_str().ok()) {
        return Some(value.trim().to_string());
    }
    url::form_urlencoded::parse(req.query_string().as_bytes())
        .find(|(key, _)| key == "visitor")
        .map(|(_, value)| value.into_owned())
}

/// Whether a request from `origin` may use the visitor API.
fn allowed(conn: &rusqlite::Connection, state: &AppState, origin: Option<&str>) -> ApiResult<()> {
    match origin {
        Some(origin) if !state.settings(conn)?.widget.allows(origin) => Err(Failure::OriginNotAllowed.into()),
        _ => Ok(()),
    }
}

/// The visitor a request's credential opens, from an allowed origin.
async fn visitor(req: &HttpRequest, state: &AppState) -> ApiResult<UserRow> {
    let credential = credential(req).ok_or(Failure::InvalidVisitor)?;
    let (shared, origin) = (state.clone(), origin(req));
    state
        .read(move |conn| {
            allowed(conn, &shared, origin.as_deref())?;
            Ok(crate::ops::visitors::resume(conn, &shared, &credential)?)
        })
        .await?
        .ok_or_else(|| Failure::InvalidVisitor.into())
}

/// A JSON body, at most `max_body_bytes` (the app's payload limit).
fn body<T: DeserializeOwned + Default>(bytes: &[u8]) -> ApiResult<T> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Ok(T::default());
    }
    serde_json::from_slice(bytes).map_err(|err| Failure::MalformedBody(format!("invalid JSON: {err}")).into())
}

/// The client's address, behind trusted proxies.
fn client(req: &HttpRequest, state: &AppState) -> Option<std::net::IpAddr> {
    let forwarded = req.headers().get("x-forwarded-for").and_then(|v| v.to_str().ok());
    state.traffic.client(req.peer_addr().map(|a| a.ip()), forwarded)
}

/// Counts `act` against the visitor's and the address's limits.
fn admit(req: &HttpRequest, state: &AppState, act: VisitorAct, visitor: i64) -> ApiResult<()> {
    state.traffic.admit_visitor(act, visitor, client(req, state)).map_err(|_| Failure::RateLimited.into())
}
