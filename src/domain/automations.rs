//! Automations as admins save them: five kinds (emails, sms, messages, popups,
//! design), each a list of automations with an ID, a name, a message, the kind's
//! own fields, [conditions] and a repeat rule; and their translations. Everything
//! is validated here before anything is stored, and written back in the
//! contract's shape and key order.

pub mod conditions;
pub mod engine;
mod saved;

pub use saved::{parse_saved, saved_json, Saved, Translation};

use conditions::Condition;
use serde_json::{json, Map, Value};

pub const MAX_AUTOMATIONS: usize = 500;
pub const MAX_CONDITIONS: usize = 50;
const NAME_MAX: usize = 255;
const MESSAGE_MAX: usize = 65_536;
const URL_MAX: usize = 2048;
/// The longest repeat period: ten years.
const REPEAT_MAX_DAYS: u32 = 3650;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    Emails,
    Sms,
    Messages,
    Popups,
    Design,
}

/// What a kind's own field holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldKind {
    Text,
    RequiredText,
    Color,
    Url,
}

/// A field of one kind beyond `id`, `conditions`, `name`, `message` and `repeat`.
pub struct Field {
    pub name: &'static str,
    pub kind: FieldKind,
}

const fn field(name: &'static str, kind: FieldKind) -> Field {
    Field { name, kind }
}

const EMAIL_FIELDS: &[Field] = &[field("subject", FieldKind::RequiredText)];
const POPUP_FIELDS: &[Field] = &[field("title", FieldKind::Text), field("profile_image", FieldKind::Url)];
const DESIGN_FIELDS: &[Field] = &[
    field("title", FieldKind::Text),
    field("color_1", FieldKind::Color),
    field("color_2", FieldKind::Color),
    field("color_3", FieldKind::Color),
    field("background", FieldKind::Url),
    field("brand", FieldKind::Url),
    field("icon", FieldKind::Url),
];

impl Kind {
    /// In the contract's order.
    pub const ALL: [Kind; 5] = [Kind::Emails, Kind::Sms, Kind::Messages, Kind::Popups, Kind::Design];

    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Emails => "emails",
            Kind::Sms => "sms",
            Kind::Messages => "messages",
            Kind::Popups => "popups",
            Kind::Design => "design",
        }
    }

    pub fn parse(text: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|kind| kind.as_str() == text.trim())
    }

    /// The kind's own fields, in the contract's order.
    pub fn fields(self) -> &'static [Field] {
        match self {
            Kind::Emails => EMAIL_FIELDS,
            Kind::Sms | Kind::Messages => &[],
            Kind::Popups => POPUP_FIELDS,
            Kind::Design => DESIGN_FIELDS,
        }
    }

    /// Emails, text messages and chat messages are nothing without a message.
    pub fn needs_message(self) -> bool {
        matches!(self, Kind::Emails | Kind::Sms | Kind::Messages)
    }

    /// The fields a translation may carry.
    pub fn translatable(self) -> impl Iterator<Item = &'static str> {
        ["name", "message"].into_iter().chain(
            self.fields()
                .iter()
                .filter(|f| matches!(f.kind, FieldKind::Text | FieldKind::RequiredText))
                .map(|f| f.name),
        )
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Automation {
    /// Empty only for an unsaved automation sent to validate.
    pub id: String,
    pub kind: Kind,
    pub name: String,
    pub message: String,
    pub conditions: Vec<Condition>,
    /// Days after a run for a user before it may run again for them; `None`: once per user.
    pub repeat: Option<u32>,
    /// The kind's own fields, in the kind's order, `""` when not set.
    pub fields: Vec<(&'static str, String)>,
}

impl Automation {
    /// Checks one automation of `kind`; the error names the field at fault.
    pub fn parse(kind: Kind, raw: &Value) -> Result<Automation, String> {
        let Value::Object(map) = raw else { return Err("an automation must be an object".into()) };
        let known = ["id", "conditions", "name", "message", "repeat"];
        if let Some(unknown) =
            map.keys().find(|k| !known.contains(&k.as_str()) && !kind.fields().iter().any(|f| f.name == *k))
        {
            return Err(format!("{} automations have no field '{unknown}'", kind.as_str()));
        }
        let id = text(map.get("id"), 32, "id")?;
        if !id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_') {
            return Err("id: only letters, digits, - and _".into());
        }
        let message = text(map.get("message"), MESSAGE_MAX, "message")?;
        if kind.needs_message() && message.trim().is_empty() {
            return Err("message: must not be empty".into());
        }
        let mut fields = Vec::with_capacity(kind.fields().len());
        for field in kind.fields() {
            let value =
                text(map.get(field.name), if field.kind == FieldKind::Url { URL_MAX } else { NAME_MAX }, field.name)?;
            let value = value.trim().to_string();
            let ok = match field.kind {
                FieldKind::Text => true,
                FieldKind::RequiredText => !value.is_empty(),
                FieldKind::Color => value.is_empty() || super::settings::is_color(&value),
                FieldKind::Url => value.is_empty() || is_web_url(&value),
            };
            if !ok {
                let why = match field.kind {
                    FieldKind::Color => "expected a colour like #1a2b3c or rgb(26, 43, 60)",
                    FieldKind::Url => "expected an http or https URL",
                    _ => "must not be empty",
                };
                return Err(format!("{}: {why}", field.name));
            }
            fields.push((field.name, value));
        }
        Ok(Automation {
            id: id.trim().to_string(),
            kind,
            name: text(map.get("name"), NAME_MAX, "name")?.trim().to_string(),
            message,
            conditions: parse_conditions(map.get("conditions"))?,
            repeat: parse_repeat(map.get("repeat"))?,
            fields,
        })
    }

    /// The contract's shape: `id`, `conditions` (left out when there are none, as the
    /// contract shows), `name`, `message`, the kind's fields, then `repeat` if any.
    pub fn to_json(&self) -> Value {
        let mut map = Map::new();
        map.insert("id".into(), json!(self.id));
        if !self.conditions.is_empty() {
            map.insert("conditions".into(), self.conditions.iter().map(Condition::to_json).collect());
        }
        map.insert("name".into(), json!(self.name));
        map.insert("message".into(), json!(self.message));
        for (name, value) in &self.fields {
            map.insert((*name).into(), json!(value));
        }
        if let Some(days) = self.repeat {
            map.insert("repeat".into(), json!(days.to_string()));
        }
        Value::Object(map)
    }

    pub fn field(&self, name: &str) -> &str {
        self.fields.iter().find(|(n, _)| *n == name).map_or("", |(_, v)| v.as_str())
    }

    /// Whether it may run for a user whose last run of it was at `last_run`.
    pub fn may_run(&self, last_run: Option<chrono::NaiveDateTime>, now: chrono::NaiveDateTime) -> bool {
        match (last_run, self.repeat) {
            (None, _) => true,
            (Some(last), Some(days)) => now >= last + chrono::Duration::days(i64::from(days)),
            (Some(_), None) => false,
        }
    }

    /// Replaces the texts a translation carries, where it carries a non-empty one.
    pub fn translate(&mut self, translation: &Translation) {
        for (name, value) in &translation.fields {
            if value.trim().is_empty() {
                continue;
            }
            match *name {
                "name" => self.name = value.clone(),
                "message" => self.message = value.clone(),
                other => {
                    if let Some(slot) = self.fields.iter_mut().find(|(n, _)| *n == other) {
                        slot.1 = value.clone();
                    }
                }
            }
        }
    }
}

/// Fills `{user_name}`, `{first_name}`, `{last_name}` and `{user_email}`.
pub fn render(text: &str, first_name: &str, last_name: &str, email: &str) -> String {
    let full = format!("{first_name} {last_name}");
    text.replace("{user_name}", full.trim())
        .replace("{first_name}", first_name)
        .replace("{last_name}", last_name)
        .replace("{user_email}", email)
}

/// A list sent as a JSON array, or as PHP's bracket form with gaps (an object).
fn list(raw: Option<&Value>, what: &str) -> Result<Vec<Value>, String> {
    match raw {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::String(s)) if s.is_empty() => Ok(Vec::new()),
        Some(Value::Array(items)) => Ok(items.clone()),
        Some(Value::Object(map)) => Ok(map.values().cloned().collect()),
        Some(_) => Err(format!("{what}: expected a list")),
    }
}

fn parse_conditions(raw: Option<&Value>) -> Result<Vec<Condition>, String> {
    let items = list(raw, "conditions")?;
    if items.len() > MAX_CONDITIONS {
        return Err(format!("conditions: more than {MAX_CONDITIONS}"));
    }
    items
        .iter()
        .enumerate()
        .map(|(index, raw)| Condition::parse(raw).map_err(|why| format!("conditions[{index}]: {why}")))
        .collect()
}

/// Absent, empty, `never`, `0` or `false`: once per user. Else a number of days.
fn parse_repeat(raw: Option<&Value>) -> Result<Option<u32>, String> {
    let text = match raw {
        None | Some(Value::Null) | Some(Value::Bool(false)) => return Ok(None),
        Some(Value::String(s)) => s.trim().to_string(),
        Some(Value::Number(n)) => n.to_string(),
        Some(_) => return Err("repeat: expected a number of days, or never".into()),
    };
    match text.as_str() {
        "" | "never" | "0" | "false" => Ok(None),
        days => match days.parse::<u32>() {
            Ok(days) if (1..=REPEAT_MAX_DAYS).contains(&days) => Ok(Some(days)),
            _ => Err(format!("repeat: expected a number of days from 1 to {REPEAT_MAX_DAYS}, or never")),
        },
    }
}

fn text(raw: Option<&Value>, max: usize, name: &str) -> Result<String, String> {
    let text = match raw {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(s)) => s.clone(),
        Some(Value::Number(n)) => n.to_string(),
        Some(_) => return Err(format!("{name}: expected text")),
    };
    if text.chars().count() > max {
        return Err(format!("{name}: longer than {max} characters"));
    }
    Ok(text)
}

fn is_web_url(text: &str) -> bool {
    url::Url::parse(text).is_ok_and(|u| matches!(u.scheme(), "http" | "https"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repeat_allows_another_run_only_after_its_period() {
        let at = |text: &str| chrono::NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M:%S").unwrap();
        let mut automation =
            Automation::parse(Kind::Messages, &json!({ "id": "a", "message": "m", "repeat": "0" })).unwrap();
        assert_eq!(automation.repeat, None);
        assert!(automation.may_run(None, at("2024-01-01 00:00:00")));
        assert!(!automation.may_run(Some(at("2020-01-01 00:00:00")), at("2024-01-01 00:00:00")));
        automation = Automation::parse(Kind::Messages, &json!({ "id": "a", "message": "m", "repeat": 7 })).unwrap();
        assert_eq!(automation.to_json()["repeat"], "7");
        assert!(!automation.may_run(Some(at("2024-01-01 00:00:00")), at("2024-01-07 23:59:59")));
        assert!(automation.may_run(Some(at("2024-01-01 00:00:00")), at("2024-01-08 00:00:00")));
    }

    #[test]
    fn placeholders_are_filled() {
        assert_eq!(
            render("Hi {first_name} ({user_name}, {user_email})", "Ann", "Lee", "a@b.c"),
            "Hi Ann (Ann Lee, a@b.c)"
        );
        assert_eq!(render("{user_name}!", "Ann", "", ""), "Ann!");
    }
}
