//! Checking a sent value against its kind: what is stored, or why it is refused.

use super::{Field, Kind, SECRET_MASK};
use serde_json::{json, Map, Value};
use std::str::FromStr;

/// The names of the kinds, as `[value, "type"]` carries them.
const KIND_NAMES: &[&str] = &[
    "checkbox",
    "text",
    "textarea",
    "number",
    "color",
    "select",
    "url",
    "email",
    "password",
    "cron",
    "office-hours",
    "timezone",
    "repeater",
    "multi-input",
];

/// `[value, "type"]` -> value, when the second item names this kind. A value
/// tagged as another kind is refused, saying which kind this one is: the tag is
/// how a client states what it meant to send.
pub(super) fn unwrap_pair(sent: &Value, kind: Kind) -> Result<&Value, String> {
    match sent {
        Value::Array(pair) if pair.len() == 2 && pair[1] == kind.name() => Ok(&pair[0]),
        Value::Array(pair) if pair.len() == 2 => match pair[1].as_str().filter(|tag| KIND_NAMES.contains(tag)) {
            Some(tag) => Err(format!("{} (a {} setting), not {tag}", kind.refused(), kind.name())),
            None => Ok(sent),
        },
        other => Ok(other),
    }
}

pub(super) fn check(kind: Kind, value: &Value) -> Result<Value, String> {
    match kind {
        Kind::Checkbox => match value {
            Value::Bool(b) => Ok(json!(b)),
            Value::Number(n) if n.as_i64() == Some(0) || n.as_i64() == Some(1) => Ok(json!(n.as_i64() == Some(1))),
            Value::String(s) => match s.trim() {
                "true" | "1" | "on" => Ok(json!(true)),
                "false" | "0" | "" => Ok(json!(false)),
                _ => Err(kind.refused()),
            },
            _ => Err(kind.refused()),
        },
        Kind::Text(max) => text(kind, value, max).map(Value::String),
        Kind::Textarea => text(kind, value, 20_000).map(Value::String),
        Kind::Number(min, max) => {
            let number = match value {
                Value::Number(n) => n.as_i64(),
                Value::String(s) => s.trim().parse().ok(),
                _ => None,
            };
            match number {
                Some(n) if (min..=max).contains(&n) => Ok(json!(n)),
                _ => Err(kind.refused()),
            }
        }
        Kind::Color => {
            let color = text(kind, value, 64)?;
            if color.is_empty() || is_color(&color) {
                Ok(json!(color.trim()))
            } else {
                Err(kind.refused())
            }
        }
        Kind::Select(options) => {
            let choice = text(kind, value, 64)?;
            if options.contains(&choice.as_str()) {
                Ok(json!(choice))
            } else {
                Err(kind.refused())
            }
        }
        Kind::Url => {
            let link = text(kind, value, 2048)?;
            let web = url::Url::parse(link.trim()).is_ok_and(|u| matches!(u.scheme(), "http" | "https"));
            if link.trim().is_empty() || web {
                Ok(json!(link.trim()))
            } else {
                Err(kind.refused())
            }
        }
        Kind::Repeater(fields) => {
            let rows = match value {
                Value::Array(rows) => rows.clone(),
                Value::String(s) if s.trim().is_empty() => vec![],
                _ => return Err(kind.refused()),
            };
            if rows.len() > 500 {
                return Err("more than 500 rows".into());
            }
            rows.iter().map(|row| fields_of(fields, row)).collect::<Result<Vec<_>, _>>().map(Value::Array)
        }
        Kind::Email => {
            let address = text(kind, value, 254)?;
            let address = address.trim();
            if address.is_empty() || crate::domain::Email::parse(address).is_some() {
                Ok(json!(address))
            } else {
                Err(kind.refused())
            }
        }
        Kind::Password(max) => match value {
            Value::Null | Value::Bool(false) => Ok(json!("")),
            Value::String(s) if s.is_empty() || s == SECRET_MASK => Ok(Value::Null),
            Value::String(s) if s.chars().count() > max => Err(format!("longer than {max} characters")),
            Value::String(s) => Ok(json!(s)),
            _ => Err(kind.refused()),
        },
        Kind::OfficeHours => {
            let hours = text(kind, value, 255)?;
            crate::domain::office_hours::OfficeHours::parse(&hours).map(|_| json!(hours.trim()))
        }
        Kind::Timezone => {
            let zone = text(kind, value, 64)?;
            match crate::domain::days::parse_timezone(zone.trim()) {
                Some(_) => Ok(json!(zone.trim())),
                None => Err(kind.refused()),
            }
        }
        Kind::Cron => {
            let expression = text(kind, value, 255)?;
            match cron::Schedule::from_str(expression.trim()) {
                Ok(_) => Ok(json!(expression.trim())),
                Err(err) => Err(format!("not a cron expression ({err}); e.g. 0 0 * * * * for every hour")),
            }
        }
        Kind::MultiInput(fields) => fields_of(fields, value),
    }
}

fn fields_of(fields: &[Field], value: &Value) -> Result<Value, String> {
    let Value::Object(map) = value else { return Err("expected an object of fields".into()) };
    if let Some(unknown) = map.keys().find(|key| !fields.iter().any(|f| f.id == key.as_str())) {
        return Err(format!("'{unknown}' is not one of its fields"));
    }
    let mut clean = Map::new();
    for field in fields {
        let value = match map.get(field.id) {
            Some(sent) => unwrap_pair(sent, field.kind)
                .and_then(|value| check(field.kind, value))
                .map_err(|why| format!("{}: {why}", field.id))?,
            None => field.kind.absent(),
        };
        clean.insert(field.id.to_string(), value);
    }
    Ok(Value::Object(clean))
}

/// A scalar sent for a `kind` read as text; lists and objects are refused as not
/// being a `kind`.
fn text(kind: Kind, value: &Value, max: usize) -> Result<String, String> {
    let text = match value {
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        Value::Bool(b) => b.to_string(),
        Value::Null => String::new(),
        _ => return Err(kind.refused()),
    };
    if text.chars().count() > max {
        return Err(format!("longer than {max} characters"));
    }
    Ok(text)
}

/// `#rgb`, `#rrggbb`, `rgb(r, g, b)` or `rgba(r, g, b, a)`: nothing else can reach CSS.
pub fn is_color(text: &str) -> bool {
    let text = text.trim();
    if let Some(hex) = text.strip_prefix('#') {
        return matches!(hex.len(), 3 | 6) && hex.chars().all(|c| c.is_ascii_hexdigit());
    }
    let (inner, channels) = if let Some(inner) = text.strip_prefix("rgba(") {
        (inner, 4)
    } else if let Some(inner) = text.strip_prefix("rgb(") {
        (inner, 3)
    } else {
        return false;
    };
    let Some(inner) = inner.strip_suffix(')') else { return false };
    let parts: Vec<&str> = inner.split(',').map(str::trim).collect();
    parts.len() == channels
        && parts[..3].iter().all(|p| p.parse::<u8>().is_ok())
        && (channels == 3 || parts[3].parse::<f64>().is_ok_and(|a| (0.0..=1.0).contains(&a)))
}
