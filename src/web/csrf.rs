//! CSRF protection for forms, by double submit: a random value in a cookie that
//! only this site can set, echoed in a hidden form field. A page on another site
//! can make the browser send the cookie but cannot read it to fill the field.

use crate::crypto::{constant_time_eq, random_hex};
use actix_web::cookie::{Cookie, SameSite};
use actix_web::HttpRequest;

const COOKIE: &str = "sb_csrf";

/// The token for this browser's forms, and a cookie to set when it is new.
pub fn token(req: &HttpRequest) -> (String, Option<Cookie<'static>>) {
    if let Some(existing) = req.cookie(COOKIE).map(|c| c.value().to_string()).filter(|v| well_formed(v)) {
        return (existing, None);
    }
    let value = random_hex(16);
    let cookie = Cookie::build(COOKIE, value.clone())
        .path("/")
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(req.connection_info().scheme() == "https")
        .finish();
    (value, Some(cookie))
}

/// Whether a submitted form carries this browser's token.
pub fn verify(req: &HttpRequest, submitted: &str) -> bool {
    req.cookie(COOKIE).is_some_and(|cookie| well_formed(cookie.value()) && constant_time_eq(cookie.value(), submitted))
}

fn well_formed(value: &str) -> bool {
    value.len() == 32 && value.bytes().all(|b| b.is_ascii_hexdigit())
}
