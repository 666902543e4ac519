//! The arguments add-user and update-user take about a person: email, profile
//! image, password and additional details, checked before anything is written.

use super::Call;
use crate::db::users::Detail;
use crate::domain::{people, Email};
use crate::error::{ApiResult, Failure};
use serde_json::Value;

/// `Some(None)` when the email is to be removed (`NULL` or empty, as the contract says).
pub(super) fn email_arg(call: &Call) -> ApiResult<Option<Option<Email>>> {
    let Some(text) = call.args.text_max("email", people::EMAIL_MAX)? else { return Ok(None) };
    Ok(Some(people::email(&text).map_err(|why| Failure::invalid("email", why))?))
}

pub(super) fn image_arg(call: &Call) -> ApiResult<Option<Option<String>>> {
    let Some(text) = call.args.text_max("profile_image", people::URL_MAX)? else { return Ok(None) };
    Ok(Some(people::profile_image(&text).map_err(|why| Failure::invalid("profile_image", why))?))
}

pub(super) fn password_arg(call: &Call) -> ApiResult<Option<String>> {
    let Some(text) = call.args.text_max("password", people::PASSWORD_MAX)? else { return Ok(None) };
    Ok(people::password(&text).map_err(|why| Failure::invalid("password", why))?)
}

/// `settings_extra` (or `extra`): `{"slug": ["value", "Name"], …}`; a bare value is
/// accepted too, named after its slug.
pub(super) fn details_arg(call: &Call) -> ApiResult<Vec<Detail>> {
    let mut details = Vec::new();
    for name in ["extra", "settings_extra"] {
        let Some(value) = call.args.json(name)? else { continue };
        let Value::Object(map) = value else {
            return Err(Failure::invalid(name, "expected {\"slug\": [\"value\", \"Name\"], …}").into());
        };
        for (slug, entry) in map {
            let valid_slug = !slug.is_empty()
                && slug.len() <= 64
                && slug.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
            if !valid_slug {
                return Err(Failure::invalid(name, format!("'{slug}' is not a valid detail slug")).into());
            }
            let (value, label) = match &entry {
                Value::Array(pair) => (pair.first().cloned().unwrap_or(Value::Null), pair.get(1).cloned()),
                other => (other.clone(), None),
            };
            let value = scalar_text(&value)
                .ok_or_else(|| Failure::invalid(name, format!("the value of '{slug}' must be text")))?;
            let label = label.as_ref().and_then(scalar_text).filter(|l| !l.is_empty()).unwrap_or_else(|| slug.clone());
            if value.chars().count() > 10_000 || label.chars().count() > people::NAME_MAX {
                return Err(Failure::invalid(name, format!("the value of '{slug}' is too long")).into());
            }
            details.push(Detail { slug, name: label, value });
        }
    }
    Ok(details)
}

fn scalar_text(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}
