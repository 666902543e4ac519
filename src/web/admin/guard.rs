//! The one guard of every admin form post: a signed-in agent or admin (an admin,
//! for [`AdminPost`]) and this session's CSRF token in the body. A handler that
//! takes one cannot forget either check, and its form is read only after both.

use super::form::{read_body, FormBody};
use super::PageError;
use crate::web::session::Admin;
use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpRequest};
use futures_util::future::LocalBoxFuture;

/// A form posted by a signed-in agent or admin, its CSRF token checked.
pub struct Posted<F> {
    pub admin: Admin,
    pub form: F,
}

/// A form posted by a signed-in admin, its CSRF token checked.
pub struct AdminPost<F> {
    pub admin: Admin,
    pub form: F,
}

/// Who posted and their form, after the token in the body was checked against
/// their session (and, with `admins_only`, their role).
async fn checked<F: FormBody>(req: HttpRequest, payload: Payload, admins_only: bool) -> Result<(Admin, F), PageError> {
    let admin = Admin::extract(&req).await?;
    let body = read_body(&req, payload).await?;
    let token = url::form_urlencoded::parse(&body).find(|(key, _)| key == "csrf_token").map(|(_, v)| v.into_owned());
    admin.check_csrf(token.as_deref().unwrap_or_default())?;
    if admins_only {
        admin.require_admin()?;
    }
    let form = F::read(&body)?;
    Ok((admin, form))
}

impl<F: FormBody + 'static> FromRequest for Posted<F> {
    type Error = PageError;
    type Future = LocalBoxFuture<'static, Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let checking = checked(req.clone(), payload.take(), false);
        Box::pin(async move { checking.await.map(|(admin, form)| Posted { admin, form }) })
    }
}

impl<F: FormBody + 'static> FromRequest for AdminPost<F> {
    type Error = PageError;
    type Future = LocalBoxFuture<'static, Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let checking = checked(req.clone(), payload.take(), true);
        Box::pin(async move { checking.await.map(|(admin, form)| AdminPost { admin, form }) })
    }
}
