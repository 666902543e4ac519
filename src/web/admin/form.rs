//! Posted admin forms read as ordered name/value pairs, for forms whose fields
//! repeat or are named by row (settings rows, automation conditions, article
//! categories). The body is capped at `max_body_bytes`, like the API's.

use super::PageError;
use crate::state::AppState;
use actix_web::dev::Payload;
use actix_web::{web, FromRequest, HttpRequest};
use futures_util::future::LocalBoxFuture;
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

    /// The CSRF token the form carried, or `""`.
    pub fn csrf(&self) -> &str {
        self.text("csrf_token")
    }

    #[cfg(test)]
    pub fn of(pairs: &[(&str, &str)]) -> Self {
        Self(pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect())
    }
}

impl FromRequest for Fields {
    type Error = PageError;
    type Future = LocalBoxFuture<'static, Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let limit = req.app_data::<web::Data<AppState>>().map_or(2 << 20, |state| state.config.max_body_bytes);
        let mut payload = payload.take();
        Box::pin(async move {
            let mut body = web::BytesMut::new();
            while let Some(chunk) = payload.next().await {
                let chunk = chunk.map_err(|_| PageError::BadForm)?;
                if body.len() + chunk.len() > limit {
                    return Err(PageError::BadForm);
                }
                body.extend_from_slice(&chunk);
            }
            Ok(Fields(url::form_urlencoded::parse(&body).into_owned().collect()))
        })
    }
}

/// A page shown again with what was sent and why it was refused (HTTP 422).
pub fn refused(page: &impl askama::Template) -> Result<actix_web::HttpResponse, PageError> {
    let mut response = super::render(page)?;
    *response.status_mut() = actix_web::http::StatusCode::UNPROCESSABLE_ENTITY;
    Ok(response)
}

/// The message for a `?done=` code after a post/redirect/get. Only these fixed
/// texts are ever shown, so nothing in an address reaches the page.
pub fn notice(done: Option<&str>) -> Option<&'static str> {
    Some(match done? {
        "saved" => "Saved.",
        "created" => "Created.",
        "deleted" => "Deleted.",
        "translation-deleted" => "The translation was deleted.",
        "test-email" => "A test email is queued. Follow its delivery on the Jobs page.",
        "test-webhook" => "A test webhook is queued. Follow its delivery on the Jobs page.",
        "ran" => "The due jobs ran.",
        _ => return None,
    })
}

/// A query's `done` code, for [`notice`].
#[derive(serde::Deserialize, Default)]
pub struct Done {
    pub done: Option<String>,
}
