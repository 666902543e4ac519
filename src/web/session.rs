//! Who is signed in to the admin area. The `sb_admin` cookie holds a server-side
//! session ID signed with the server key (HttpOnly, SameSite=Lax, Secure over
//! TLS); the session row says which agent or admin it belongs to and can be
//! revoked. Each session has its own CSRF token, an HMAC of the session ID, which
//! every state-changing form carries. A session ends after `session_idle_seconds`
//! without a request and `session_lifetime_seconds` after sign-in; its last use
//! is written at most every 30 s, with the agent's last activity.

use crate::crypto::constant_time_eq;
use crate::db::users::UserRow;
use crate::db::{sessions, users};
use crate::domain::UserType;
use crate::state::AppState;
use actix_web::cookie::{Cookie, SameSite};
use actix_web::dev::Payload;
use actix_web::{web, FromRequest, HttpRequest};
use futures_util::future::LocalBoxFuture;

pub const COOKIE: &str = "sb_admin";
const PAYLOAD_PREFIX: &str = "admin:";

/// The signed-in agent or admin of a request.
pub struct Admin {
    pub user: UserRow,
    pub session: String,
    /// The CSRF token for this session's forms.
    pub csrf: String,
    /// The client's address (behind trusted proxies, the forwarded one).
    pub address: Option<std::net::IpAddr>,
}

impl Admin {
    pub fn is_admin(&self) -> bool {
        self.user.user_type == UserType::Admin
    }

    /// This person in the admin area, as the audit log names them.
    pub fn actor(&self) -> crate::domain::audit::Actor {
        actor_of(&self.user, self.address)
    }

    /// Admin-only pages and actions refuse agents.
    pub fn require_admin(&self) -> Result<(), super::admin::PageError> {
        if self.is_admin() {
            Ok(())
        } else {
            Err(super::admin::PageError::Forbidden)
        }
    }

    /// Whether a submitted form carries this session's token.
    pub fn check_csrf(&self, submitted: &str) -> Result<(), super::admin::PageError> {
        if constant_time_eq(&self.csrf, submitted) {
            Ok(())
        } else {
            Err(super::admin::PageError::CsrfRejected)
        }
    }
}

/// How often a session's last use is written, and with it the agent's last
/// activity: every 30 s at most. The inbox's live stream reconnects every 25 s,
/// so an agent with the admin area open stays online (the chat widget offers a
/// chat while someone is), within the default 60 s online window.
const TOUCH_SECONDS: u64 = 30;

/// `user` acting in the admin area from `address`, as the audit log names them.
pub fn actor_of(user: &UserRow, address: Option<std::net::IpAddr>) -> crate::domain::audit::Actor {
    let name = user.email.clone().unwrap_or_else(|| format!("user {}", user.id));
    crate::domain::audit::Actor::person(user.id, &name, "admin", address)
}

/// The client address of `req` (see [`crate::traffic`]).
pub fn client_of(state: &AppState, req: &HttpRequest) -> Option<std::net::IpAddr> {
    let forwarded = req.headers().get("x-forwarded-for").and_then(|v| v.to_str().ok());
    state.traffic.client(req.peer_addr().map(|a| a.ip()), forwarded)
}

/// The bounds of live admin sessions now.
pub fn live(state: &AppState) -> sessions::Live {
    sessions::Live {
        idle_since: state.clock.ago_text(state.config.session_idle_seconds),
        begun_since: state.clock.ago_text(state.config.session_lifetime_seconds),
    }
}

pub fn csrf_for(state: &AppState, session: &str) -> String {
    state.key.tag("admin-csrf", session.as_bytes())
}

/// The cookie that signs `session` in.
pub fn cookie(state: &AppState, req: &HttpRequest, session: &str) -> Cookie<'static> {
    Cookie::build(COOKIE, state.key.sign(&format!("{PAYLOAD_PREFIX}{session}")))
        .path(format!("{}/admin", state.config.base_path))
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(req.connection_info().scheme() == "https")
        .finish()
}

/// The cookie that signs out.
pub fn removal(state: &AppState) -> Cookie<'static> {
    let mut cookie = Cookie::build(COOKIE, "").path(format!("{}/admin", state.config.base_path)).finish();
    cookie.make_removal();
    cookie
}

/// The session ID in a request's cookie, if its signature holds.
pub fn session_of(state: &AppState, req: &HttpRequest) -> Option<String> {
    let cookie = req.cookie(COOKIE)?;
    state.key.verify(cookie.value())?.strip_prefix(PAYLOAD_PREFIX).map(str::to_string)
}

impl FromRequest for Admin {
    type Error = super::admin::PageError;
    type Future = LocalBoxFuture<'static, Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let state = req.app_data::<web::Data<AppState>>().cloned();
        let next = req.uri().path_and_query().map(|p| p.as_str().to_string()).unwrap_or_default();
        let session = state.as_ref().and_then(|state| session_of(state, req));
        let address = state.as_ref().and_then(|state| client_of(state, req));
        Box::pin(async move {
            let login_required = super::admin::PageError::LoginRequired(next);
            let (Some(state), Some(session)) = (state, session) else { return Err(login_required) };
            let (lookup, live) = (session.clone(), live(&state));
            let found = state
                .read(move |conn| {
                    let Some((user_id, seen)) = sessions::admin_user_of(conn, &lookup, &live)? else { return Ok(None) };
                    Ok(users::find(conn, user_id)?.map(|user| (user, seen)))
                })
                .await?;
            match found {
                Some((user, seen)) if user.user_type.is_agent() => {
                    if seen <= state.clock.ago_text(TOUCH_SECONDS) {
                        let (used, now) = (session.clone(), state.clock.now_text());
                        let id = user.id;
                        state
                            .write(move |tx| {
                                sessions::touch_admin(tx, &used, &now)?;
                                Ok(users::touch(tx, id, &now)?)
                            })
                            .await?;
                    }
                    Ok(Admin { csrf: csrf_for(&state, &session), user, session, address })
                }
                _ => Err(login_required),
            }
        })
    }
}
