//! The arguments add-user and update-user take about a person: email, profile
//! image, password and additional details, checked before anything is written.

use super::Call;
use crate::db::users::Detail;
use crate::domain::Email;
use crate::error::{ApiResult, Failure};
use serde_json::Value;

const NAME_MAX: usize = 255;
const URL_MAX: usize = 2048;
const PASSWORD_MIN: usize = 8;
const PASSWORD_MAX: usize = 1024;

/// `Some(None)` when the email is to be removed (`NULL` or empty, as the contract says).
pub(super) fn email_arg(call: &Call) -> ApiResult<Option<Option<Email>>> {
    match call.args.text_max("email", 254)?.map(|e| e.trim().to_string()) {
        None => Ok(None),
        Some(e) if e.is_empty() || e.eq_ignore_ascii_case("null") || e == "false" => Ok(Some(None)),
        Some(e) => Ok(Some(Some(Email::parse(&e).ok_or_else(|| Failure::invalid("email", "not an email address"))?))),
    }
}

/// Profile images are shown in pages, so only web addresses are stored.
pub(super) fn image_arg(call: &Call) -> ApiResult<Option<Option<String>>> {
    match call.args.text_max("profile_image", URL_MAX)?.map(|u| u.trim().to_string()) {
        None => Ok(None),
        Some(u) if u.is_empty() || u == "false" => Ok(Some(None)),
        Some(u) => match url::Url::parse(&u) {
            Ok(parsed) if matches!(parsed.scheme(), "http" | "https") => Ok(Some(Some(u))),
            _ => Err(Failure::invalid("profile_image", "expected an http or https URL").into()),
        },
    }
}

pub(super) fn password_arg(call: &Call) -> ApiResult<Option<String>> {
    match call.args.text_max("password", PASSWORD_MAX)? {
        None => Ok(None),
        Some(p) if p.is_empty() => Ok(None),
        Some(p) if p.chars().count() < PASSWORD_MIN => {
            Err(Failure::invalid("password", format!("must be at least {PASSWORD_MIN} characters")).into())
        }
        Some(p) => Ok(Some(p)),
    }
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
            if value.chars().count() > 10_000 || label.chars().count() > NAME_MAX {
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
