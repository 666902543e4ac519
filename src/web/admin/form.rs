//! Posted admin forms: [`Fields`], ordered name/value pairs for forms whose
//! fields repeat or are named by row (settings rows, automation conditions,
//! article categories), and [`Form`], fields by name into a struct. Bodies are
//! capped at `max_body_bytes`, like the API's; [`super::guard`] reads them.

use super::PageError;
use crate::state::AppState;
use actix_web::dev::Payload;
use actix_web::{web, HttpRequest};
use futures_util::StreamExt;

/// The fields of an `application/x-www-form-urlencoded` body, in order.
pub struct Fields(Vec<(String, String)>);

impl Fields {
    /// The first value of `name`, if sent.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0.iter().find(|(key, _)| key == name).map(|(_, value)| value.as_str())
    }

    /// The first value of `name`, or `""`.
    pub fn text(&self, name: &str) -> &str {
        self.get(name).unwrap_or_default()
    }

    /// Every value of `name`, in order (checkbox groups).
    pub fn all(&self, name: &str) -> Vec<&str> {
        self.0.iter().filter(|(key, _)| key == name).map(|(_, value)| value.as_str()).collect()
    }

    pub fn has(&self, name: &str) -> bool {
        self.get(name).is_some()
    }

    #[cfg(test)]
    pub fn of(pairs: &[(&str, &str)]) -> Self {
        Self(pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect())
    }
}

impl Fields {
    fn parse(body: &[u8]) -> Self {
        Fields(url::form_urlencoded::parse(body).into_owned().collect())
    }
}

/// A form body read into `T` (its fields by name).
pub struct Form<T>(pub T);

/// How a posted body is read, once [`super::guard`] has checked its token.
pub trait FormBody: Sized {
    fn read(body: &[u8]) -> Result<Self, PageError>;
}

impl FormBody for Fields {
    fn read(body: &[u8]) -> Result<Self, PageError> {
        Ok(Fields::parse(body))
    }
}

impl<T: serde::de::DeserializeOwned> FormBody for Form<T> {
    fn read(body: &[u8]) -> Result<Self, PageError> {
        serde_urlencoded::from_bytes(body).map(Form).map_err(|_| PageError::BadForm)
    }
}

/// The body of a request, at most `max_body_bytes`.
pub(super) async fn read_body(req: &HttpRequest, mut payload: Payload) -> Result<web::Bytes, PageError> {
    let limit = req.app_data::<web::Data<AppState>>().map_or(2 << 20, |state| state.config.max_body_bytes);
    let mut body = web::BytesMut::new();
    while let Some(chunk) = payload.next().await {
        let chunk = chunk.map_err(|_| PageError::BadForm)?;
        if body.len() + chunk.len() > limit {
            return Err(PageError::BadForm);
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body.freeze())
}

/// A page shown again with what was sent and why it was refused (HTTP 422).
pub fn refused(page: &impl askama::Template) -> Result<actix_web::HttpResponse, PageError> {
    let mut response = super::render(page)?;
    *response.status_mut() = actix_web::http::StatusCode::UNPROCESSABLE_ENTITY;
    Ok(response)
}

/// A query's `done` code, for [`notice`].
#[derive(serde::Deserialize, Default)]
pub struct Done {
    pub done: Option<String>,
}
