//! The settings schema: every setting's ID, section, type and default, compiled
//! into the binary, and the validation that turns what a client sent into the
//! value stored. Unknown IDs and values of the wrong type are refused.
//!
//! On the wire a setting is `[value, "type"]` (get-settings); clients send that
//! shape back, or the bare value.
//!
//! Secrets (kind `password`) are stored as sent but never shown: [`public`] masks
//! them for every reader (get-settings, get-setting, export-settings), and saving
//! the mask or an empty text keeps the stored secret ([`keep_secrets`]).

mod secrets;

pub use secrets::{keep_secrets, public, SECRET_MASK};
use serde_json::{json, Map, Value};
use std::str::FromStr;

#[derive(Debug, Clone, Copy)]
pub enum Kind {
    Checkbox,
    Text(usize),
    Textarea,
    Number(i64, i64),
    Color,
    Select(&'static [&'static str]),
    Url,
    /// An email address, or empty.
    Email,
    /// A secret of at most this many characters; never shown, see [`public`].
    Password(usize),
    /// A `cron` crate expression with seconds: `sec min hour day month weekday`.
    Cron,
    Repeater(&'static [Field]),
    MultiInput(&'static [Field]),
}

/// A field of a repeater row or a multi-input: scalar kinds only.
#[derive(Debug, Clone, Copy)]
pub struct Field {
    pub id: &'static str,
    pub kind: Kind,
}

#[derive(Debug)]
pub struct Setting {
    pub id: &'static str,
    pub section: &'static str,
    pub kind: Kind,
    /// JSON text of the default value.
    pub default: &'static str,
}

impl Kind {
    pub fn name(self) -> &'static str {
        match self {
            Kind::Checkbox => "checkbox",
            Kind::Text(_) => "text",
            Kind::Textarea => "textarea",
            Kind::Number(..) => "number",
            Kind::Color => "color",
            Kind::Select(_) => "select",
            Kind::Url => "url",
            Kind::Email => "email",
            Kind::Password(_) => "password",
            Kind::Cron => "cron",
            Kind::Repeater(_) => "repeater",
            Kind::MultiInput(_) => "multi-input",
        }
    }

    /// What a value of this kind must be, as refusals say it: "expected …".
    fn expected(self) -> String {
        match self {
            Kind::Checkbox => "true or false".into(),
            Kind::Text(_) | Kind::Textarea | Kind::Password(_) => "text".into(),
            Kind::Number(min, max) => format!("a whole number from {min} to {max}"),
            Kind::Color => "a colour like #1a2b3c or rgb(26, 43, 60)".into(),
            Kind::Select(options) => format!("one of {}", options.join(", ")),
            Kind::Url => "an http or https URL".into(),
            Kind::Email => "an email address like support@example.com".into(),
            Kind::Cron => "a cron expression with seconds, e.g. 0 0 * * * * for every hour".into(),
            Kind::Repeater(_) => "a list of rows".into(),
            Kind::MultiInput(_) => "an object of fields".into(),
        }
    }

    fn refused(self) -> String {
        format!("expected {}", self.expected())
    }

    fn empty(self) -> Value {
        match self {
            Kind::Checkbox => json!(false),
            Kind::Number(min, _) => json!(min.max(0)),
            Kind::Select(options) => json!(options.first().copied().unwrap_or_default()),
            Kind::Repeater(_) => json!([]),
            Kind::MultiInput(fields) => {
                Value::Object(fields.iter().map(|f| (f.id.to_string(), f.kind.empty())).collect())
            }
            _ => json!(""),
        }
    }

    /// What a multi-input field that was not sent becomes: its empty value, except
    /// that a secret not sent is kept.
    fn absent(self) -> Value {
        match self {
            Kind::Password(_) => Value::Null,
            _ => self.empty(),
        }
    }
}

const DEPARTMENT_FIELDS: &[Field] = &[
    Field { id: "department-id", kind: Kind::Number(1, 1_000_000) },
    Field { id: "department-name", kind: Kind::Text(255) },
    Field { id: "department-color", kind: Kind::Text(32) },
    Field { id: "department-image", kind: Kind::Url },
];

const WEBHOOK_FIELDS: &[Field] = &[
    Field { id: "webhooks-active", kind: Kind::Checkbox },
    Field { id: "webhooks-url", kind: Kind::Url },
    Field { id: "webhooks-key", kind: Kind::Password(1024) },
    // Comma-separated webhook names; empty sends them all. Names Switchboard never
    // fires are accepted, so settings saved for the contract's other webhooks load.
    Field { id: "webhooks-allowed", kind: Kind::Text(2000) },
];

const SAVED_REPLY_FIELDS: &[Field] =
    &[Field { id: "reply-name", kind: Kind::Text(255) }, Field { id: "reply-text", kind: Kind::Textarea }];

const USER_SUBJECT: &str = "\"{site_title}: new reply from {sender_name}\"";
const USER_BODY: &str = "\"Hello {recipient_name},\\n\\n{sender_name} replied to your conversation:\\n\\n{message}\\n{attachments}\\n{conversation_url}\"";
const AGENT_SUBJECT: &str = "\"{site_title}: new message from {sender_name}\"";
const AGENT_BODY: &str =
    "\"{sender_name} wrote in conversation {conversation_id}:\\n\\n{message}\\n{attachments}\\n{conversation_url}\"";

pub const SCHEMA: &[Setting] = &[
    // Chat
    Setting { id: "chat-manual-init", section: "chat", kind: Kind::Checkbox, default: "false" },
    Setting { id: "chat-login-init", section: "chat", kind: Kind::Checkbox, default: "false" },
    Setting { id: "init-dashboard", section: "chat", kind: Kind::Checkbox, default: "true" },
    Setting { id: "chat-timetable-disable", section: "chat", kind: Kind::Checkbox, default: "false" },
    Setting { id: "rtl", section: "chat", kind: Kind::Checkbox, default: "false" },
    Setting { id: "front-auto-translations", section: "chat", kind: Kind::Checkbox, default: "true" },
    Setting { id: "chat-position", section: "chat", kind: Kind::Select(&["right", "left"]), default: "\"right\"" },
    Setting { id: "welcome-message", section: "chat", kind: Kind::Textarea, default: "\"\"" },
    // Design
    Setting { id: "color-1", section: "design", kind: Kind::Color, default: "\"#028be5\"" },
    Setting { id: "color-2", section: "design", kind: Kind::Color, default: "\"#026eb3\"" },
    Setting { id: "color-3", section: "design", kind: Kind::Color, default: "\"#ffffff\"" },
    Setting { id: "header-title", section: "design", kind: Kind::Text(255), default: "\"How can we help?\"" },
    Setting { id: "header-message", section: "design", kind: Kind::Textarea, default: "\"\"" },
    Setting { id: "brand-img", section: "design", kind: Kind::Url, default: "\"\"" },
    // Admin
    Setting { id: "admin-title", section: "admin", kind: Kind::Text(255), default: "\"Switchboard\"" },
    Setting { id: "transcript-type", section: "admin", kind: Kind::Select(&["csv", "txt"]), default: "\"csv\"" },
    // Notifications: the SMTP server, the email templates and who is told what.
    Setting { id: "smtp-host", section: "notifications", kind: Kind::Text(255), default: "\"\"" },
    Setting { id: "smtp-port", section: "notifications", kind: Kind::Number(1, 65535), default: "587" },
    Setting {
        id: "smtp-security",
        section: "notifications",
        kind: Kind::Select(&["none", "starttls", "tls"]),
        default: "\"starttls\"",
    },
    Setting { id: "smtp-username", section: "notifications", kind: Kind::Text(255), default: "\"\"" },
    Setting { id: "smtp-password", section: "notifications", kind: Kind::Password(1024), default: "\"\"" },
    Setting { id: "smtp-sender-name", section: "notifications", kind: Kind::Text(255), default: "\"\"" },
    Setting { id: "smtp-sender-address", section: "notifications", kind: Kind::Email, default: "\"\"" },
    Setting { id: "email-user-subject", section: "notifications", kind: Kind::Text(255), default: USER_SUBJECT },
    Setting { id: "email-user-body", section: "notifications", kind: Kind::Textarea, default: USER_BODY },
    Setting { id: "email-agent-subject", section: "notifications", kind: Kind::Text(255), default: AGENT_SUBJECT },
    Setting { id: "email-agent-body", section: "notifications", kind: Kind::Textarea, default: AGENT_BODY },
    Setting { id: "notify-user-email", section: "notifications", kind: Kind::Checkbox, default: "true" },
    Setting { id: "notify-agent-email", section: "notifications", kind: Kind::Checkbox, default: "true" },
    Setting {
        id: "notify-agents",
        section: "notifications",
        kind: Kind::Select(&["assigned", "department", "all"]),
        default: "\"assigned\"",
    },
    Setting { id: "email-user-chat-url", section: "notifications", kind: Kind::Url, default: "\"\"" },
    // Miscellaneous
    Setting { id: "departments", section: "miscellaneous", kind: Kind::Repeater(DEPARTMENT_FIELDS), default: "[]" },
    Setting { id: "saved-replies", section: "miscellaneous", kind: Kind::Repeater(SAVED_REPLY_FIELDS), default: "[]" },
    Setting { id: "routing", section: "miscellaneous", kind: Kind::Checkbox, default: "false" },
    Setting { id: "queue", section: "miscellaneous", kind: Kind::Checkbox, default: "false" },
    Setting {
        id: "webhooks",
        section: "miscellaneous",
        kind: Kind::MultiInput(WEBHOOK_FIELDS),
        default: r#"{"webhooks-active":false,"webhooks-url":"","webhooks-key":"","webhooks-allowed":""}"#,
    },
    // Outbound connections: where webhooks and SMTP may connect. Off by default, as
    // many installs relay mail through a local MTA on 127.0.0.1 (jobs/outbound.rs).
    Setting { id: "outbound-public-only", section: "outbound", kind: Kind::Checkbox, default: "false" },
    // Languages and the help center
    Setting { id: "default-language", section: "languages", kind: Kind::Text(8), default: "\"en\"" },
    Setting { id: "help-center-title", section: "articles", kind: Kind::Text(255), default: "\"Help center\"" },
    Setting { id: "help-center-description", section: "articles", kind: Kind::Textarea, default: "\"\"" },
    // Cron: when each scheduled job runs (seconds first). The outbox is delivered continuously.
    Setting { id: "cron-clean-data", section: "cron", kind: Kind::Cron, default: "\"0 0 * * * *\"" },
    Setting { id: "cron-presence", section: "cron", kind: Kind::Cron, default: "\"0 * * * * *\"" },
    Setting { id: "cron-maintenance", section: "cron", kind: Kind::Cron, default: "\"0 30 3 * * *\"" },
];

pub fn find(id: &str) -> Option<&'static Setting> {
    SCHEMA.iter().find(|setting| setting.id == id)
}

impl Setting {
    pub fn default_value(&self) -> Value {
        serde_json::from_str(self.default).unwrap_or_else(|_| self.kind.empty())
    }
}

/// The `[value, "type"]` pair of the wire format, for get-settings; secrets masked.
pub fn wire(setting: &Setting, value: &Value) -> Value {
    match (setting.kind, public(setting.kind, value)) {
        (Kind::MultiInput(fields), Value::Object(map)) => {
            let pairs: Map<String, Value> = fields
                .iter()
                .map(|f| (f.id.to_string(), json!([map.get(f.id).cloned().unwrap_or(f.kind.empty()), f.kind.name()])))
                .collect();
            json!([pairs, setting.kind.name()])
        }
        (_, value) => json!([value, setting.kind.name()]),
    }
}

/// The value to store for `setting` from what a client sent, or why it is refused.
/// A secret sent as the mask or empty comes back as `null`, meaning "keep the
/// stored one" (see [`keep_secrets`]); JSON `null` or `false` clears it.
pub fn validate(setting: &Setting, sent: &Value) -> Result<Value, String> {
    check(setting.kind, unwrap_pair(sent, setting.kind)?)
}

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
    "repeater",
    "multi-input",
];

/// `[value, "type"]` -> value, when the second item names this kind. A value
/// tagged as another kind is refused, saying which kind this one is: the tag is
/// how a client states what it meant to send.
fn unwrap_pair(sent: &Value, kind: Kind) -> Result<&Value, String> {
    match sent {
        Value::Array(pair) if pair.len() == 2 && pair[1] == kind.name() => Ok(&pair[0]),
        Value::Array(pair) if pair.len() == 2 => match pair[1].as_str().filter(|tag| KIND_NAMES.contains(tag)) {
            Some(tag) => Err(format!("{} (a {} setting), not {tag}", kind.refused(), kind.name())),
            None => Ok(sent),
        },
        other => Ok(other),
    }
}

fn check(kind: Kind, value: &Value) -> Result<Value, String> {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_default_is_valid_for_its_kind() {
        for setting in SCHEMA {
            let default: Value = serde_json::from_str(setting.default).expect(setting.id);
            let valid = validate(setting, &default).map(|v| keep_secrets(setting.kind, v, &default));
            assert_eq!(valid.as_ref(), Ok(&default), "{}", setting.id);
        }
        let mut ids: Vec<_> = SCHEMA.iter().map(|s| s.id).collect();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), SCHEMA.len(), "setting IDs are unique");
    }

    #[test]
    fn values_are_checked_against_their_kind() {
        let rtl = find("rtl").unwrap();
        assert_eq!(validate(rtl, &json!([true, "checkbox"])), Ok(json!(true)));
        assert_eq!(validate(rtl, &json!("0")), Ok(json!(false)));
        assert!(validate(rtl, &json!("perhaps")).is_err());
        let color = find("color-1").unwrap();
        assert!(validate(color, &json!("red; background: url(x)")).is_err());
        assert_eq!(validate(color, &json!("rgb(1, 2, 3)")), Ok(json!("rgb(1, 2, 3)")));
        let transcript = find("transcript-type").unwrap();
        assert!(validate(transcript, &json!("pdf")).is_err());
        let departments = find("departments").unwrap();
        let rows = validate(departments, &json!([[{ "department-id": "2", "department-name": "Sales" }], "repeater"]))
            .unwrap();
        assert_eq!(rows[0]["department-id"], 2);
        assert_eq!(rows[0]["department-image"], "");
        assert!(validate(departments, &json!([{ "department-name": "x", "evil": 1 }])).is_err());
        assert!(validate(departments, &json!([{ "department-image": "javascript:alert(1)" }])).is_err());
        let cron = find("cron-clean-data").unwrap();
        assert_eq!(validate(cron, &json!("0 */5 * * * *")), Ok(json!("0 */5 * * * *")));
        assert!(validate(cron, &json!("every day")).is_err());
    }

    #[test]
    fn a_value_tagged_as_another_kind_is_refused_naming_the_kind_expected() {
        let chat_url = find("email-user-chat-url").unwrap();
        assert_eq!(validate(chat_url, &json!(["https://x.test", "url"])), Ok(json!("https://x.test")));
        assert_eq!(
            validate(chat_url, &json!(["https://x.test", "text"])),
            Err("expected an http or https URL (a url setting), not text".into())
        );
        assert_eq!(validate(chat_url, &json!([1, 2])), Err("expected an http or https URL".into()));
        let departments = find("departments").unwrap();
        assert_eq!(
            validate(departments, &json!([[], "checkbox"])),
            Err("expected a list of rows (a repeater setting), not checkbox".into())
        );
        let webhooks = find("webhooks").unwrap();
        assert_eq!(
            validate(webhooks, &json!({ "webhooks-active": ["yes", "text"] })),
            Err("webhooks-active: expected true or false (a checkbox setting), not text".into())
        );
    }

    #[test]
    fn email_settings_take_an_address_or_nothing() {
        let sender = find("smtp-sender-address").unwrap();
        assert_eq!(validate(sender, &json!(" help@example.com ")), Ok(json!("help@example.com")));
        assert_eq!(validate(sender, &json!("")), Ok(json!("")));
        assert!(validate(sender, &json!("help at example")).is_err());
    }

    #[test]
    fn webhook_keys_are_secrets_masked_on_reads_and_kept_when_unchanged() {
        let webhooks = find("webhooks").unwrap();
        let saved = json!({ "webhooks-active": true, "webhooks-url": "https://x.test", "webhooks-key": "k", "webhooks-allowed": "" });
        assert_eq!(public(webhooks.kind, &saved)["webhooks-key"], SECRET_MASK);
        assert_eq!(public(webhooks.kind, &saved)["webhooks-url"], "https://x.test");
        let save = |sent: Value| {
            keep_secrets(webhooks.kind, validate(webhooks, &sent).unwrap(), &saved)["webhooks-key"].clone()
        };
        assert_eq!(save(json!({ "webhooks-active": false })), "k", "a secret not sent is kept");
        assert_eq!(save(public(webhooks.kind, &saved)), "k", "the mask sent back is kept");
        assert_eq!(save(json!({ "webhooks-key": "new" })), "new");
        assert!(validate(webhooks, &json!({ "webhooks-url": "ftp://x.test" })).is_err());
    }

    #[test]
    fn colours_are_hex_or_rgb_only() {
        for good in ["#fff", "#A1b2C3", "rgb(0,0,0)", "rgba(255, 255, 255, 0.5)"] {
            assert!(is_color(good), "{good}");
        }
        for bad in ["fff", "#ffff", "rgb(256,0,0)", "rgb(1,2)", "red", "#fff;}", "rgba(1,2,3,2)"] {
            assert!(!is_color(bad), "{bad}");
        }
    }
}
