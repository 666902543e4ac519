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

mod checks;
mod piping;
mod schema;
mod secrets;
mod typed;

pub use checks::is_color;
use checks::{check, unwrap_pair};
pub use piping::{EmailPiping, MailboxSecurity};
pub use schema::SCHEMA;
pub use secrets::{keep_secrets, public, SECRET_MASK};
use serde_json::{json, Map, Value};
pub use typed::{Department, Notify, SavedReply, Settings, Smtp, SmtpSecurity, Webhooks};

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
    /// Office hours, e.g. `mon-fri 09:00-17:30` (see [`crate::domain::office_hours`]).
    OfficeHours,
    /// An IANA time zone name, e.g. `Europe/Paris`.
    Timezone,
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
            Kind::OfficeHours => "office-hours",
            Kind::Timezone => "timezone",
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
            Kind::OfficeHours => "office hours like mon-fri 09:00-17:30, sat 10:00-14:00".into(),
            Kind::Timezone => "an IANA time zone name such as Europe/London".into(),
            Kind::Repeater(_) => "a list of rows".into(),
            Kind::MultiInput(_) => "an object of fields".into(),
        }
    }

    pub(super) fn refused(self) -> String {
        format!("expected {}", self.expected())
    }

    pub(super) fn empty(self) -> Value {
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
    pub(super) fn absent(self) -> Value {
        match self {
            Kind::Password(_) => Value::Null,
            _ => self.empty(),
        }
    }
}

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
