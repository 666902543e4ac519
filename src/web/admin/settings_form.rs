//! The settings page's form, built from the settings schema: each setting as
//! the inputs its kind needs (repeaters as editable rows, multi-inputs as their
//! fields), and a posted section read back into the JSON values save-settings
//! takes, for `domain::settings::validate` to check. Secrets are never put in a
//! page: a password field is always empty, and left empty it keeps the secret.

use super::form::Fields;
use crate::domain::settings::{Field, Kind, Setting, SCHEMA};
use serde_json::{json, Map, Value};

/// Blank rows offered under a repeater for adding (backoffice.js adds more).
const BLANK_ROWS: usize = 1;

/// One input (or checkbox, select, textarea) of the form.
pub struct Input {
    /// The form field's name.
    pub name: String,
    pub html_id: String,
    pub label: &'static str,
    pub hint: &'static str,
    /// The setting kind's name (`checkbox`, `text`, … `cron`).
    pub kind: &'static str,
    pub value: String,
    pub checked: bool,
    pub options: &'static [&'static str],
    pub min: i64,
    pub max: i64,
    pub maxlength: usize,
    /// For passwords: whether one is stored.
    pub stored: bool,
}

pub struct Row {
    pub inputs: Vec<Input>,
    /// The row's position, for its hidden marker and remove box.
    pub index: usize,
    pub saved: bool,
}

pub struct SettingView {
    pub id: &'static str,
    pub label: &'static str,
    pub hint: &'static str,
    /// `scalar`, `repeater` or `multi-input`.
    pub shape: &'static str,
    pub input: Option<Input>,
    pub columns: Vec<&'static str>,
    pub rows: Vec<Row>,
    pub fields: Vec<Input>,
    pub error: Option<String>,
}

pub struct SectionView {
    pub id: &'static str,
    pub title: &'static str,
    pub intro: &'static str,
    pub settings: Vec<SettingView>,
    pub error_count: usize,
}

/// The sections in schema order.
pub fn sections() -> Vec<&'static str> {
    let mut sections: Vec<&'static str> = Vec::new();
    for setting in SCHEMA {
        if !sections.contains(&setting.section) {
            sections.push(setting.section);
        }
    }
    sections
}

pub fn section_settings(section: &str) -> impl Iterator<Item = &'static Setting> + '_ {
    SCHEMA.iter().filter(move |s| s.section == section)
}

fn input(name: String, html_id: String, id: &'static str, kind: Kind, value: &Value) -> Input {
    let (label, hint) = super::settings_labels::of(id);
    let text = match value {
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        _ => String::new(),
    };
    let (min, max) = if let Kind::Number(min, max) = kind { (min, max) } else { (0, 0) };
    let is_password = matches!(kind, Kind::Password(_));
    Input {
        name,
        html_id,
        label,
        hint,
        kind: kind.name(),
        // A secret never reaches a page.
        value: if is_password { String::new() } else { text.clone() },
        checked: value.as_bool().unwrap_or(false),
        options: if let Kind::Select(options) = kind { options } else { &[] },
        min,
        max,
        maxlength: match kind {
            Kind::Text(max) | Kind::Password(max) => max,
            Kind::Textarea => 20_000,
            _ => 2048,
        },
        stored: is_password && !text.is_empty(),
    }
}

/// The view of `setting` showing `value` (stored, or as sent when refused).
pub fn view(setting: &'static Setting, value: &Value, error: Option<String>) -> SettingView {
    let (label, hint) = super::settings_labels::of(setting.id);
    let mut view = SettingView {
        id: setting.id,
        label,
        hint,
        shape: "scalar",
        input: None,
        columns: Vec::new(),
        rows: Vec::new(),
        fields: Vec::new(),
        error,
    };
    match setting.kind {
        Kind::Repeater(fields) => {
            view.shape = "repeater";
            view.columns = fields.iter().map(|f| super::settings_labels::of(f.id).0).collect();
            let saved = value.as_array().cloned().unwrap_or_default();
            let blank = vec![Value::Null; BLANK_ROWS];
            for (index, row) in saved.iter().chain(blank.iter()).enumerate() {
                let inputs = fields
                    .iter()
                    .map(|f| {
                        let name = format!("{}.{index}.{}", setting.id, f.id);
                        input(name, format!("s-{}-{index}-{}", setting.id, f.id), f.id, f.kind, &row[f.id])
                    })
                    .collect();
                view.rows.push(Row { inputs, index, saved: index < saved.len() });
            }
        }
        Kind::MultiInput(fields) => {
            view.shape = "multi-input";
            view.fields = fields
                .iter()
                .map(|f| {
                    let name = format!("{}.{}", setting.id, f.id);
                    input(name, format!("s-{}-{}", setting.id, f.id), f.id, f.kind, &value[f.id])
                })
                .collect();
        }
        kind => view.input = Some(input(setting.id.to_string(), format!("s-{}", setting.id), setting.id, kind, value)),
    }
    view
}

/// The value a scalar field posted, as save-settings would receive it.
fn scalar(form: &Fields, name: &str, kind: Kind) -> Value {
    match kind {
        Kind::Checkbox => json!(form.get(name).is_some()),
        // The "remove the saved secret" box clears it, as JSON null does in save-settings.
        Kind::Password(_) if form.get(&format!("{name}.clear")).is_some() => Value::Null,
        _ => json!(form.text(name)),
    }
}

fn object(form: &Fields, prefix: &str, fields: &[Field]) -> Map<String, Value> {
    fields.iter().map(|f| (f.id.to_string(), scalar(form, &format!("{prefix}.{}", f.id), f.kind))).collect()
}

/// What the form posted for `setting`: repeater rows that are neither blank
/// nor marked for removal, in order.
pub fn posted(form: &Fields, setting: &Setting) -> Value {
    match setting.kind {
        Kind::Repeater(fields) => {
            let mut rows = Vec::new();
            for index in 0.. {
                let prefix = format!("{}.{index}", setting.id);
                if !form.has(&prefix) {
                    break;
                }
                let row = object(form, &prefix, fields);
                let blank = row.values().all(|v| match v {
                    Value::String(text) => text.trim().is_empty(),
                    other => *other == json!(false) || other.is_null(),
                });
                if !blank && !form.has(&format!("{prefix}.remove")) {
                    rows.push(Value::Object(row));
                }
            }
            Value::Array(rows)
        }
        Kind::MultiInput(fields) => Value::Object(object(form, setting.id, fields)),
        kind => scalar(form, setting.id, kind),
    }
}

/// Checks a posted value as save-settings does; a repeater's error names its row.
pub fn check(setting: &'static Setting, sent: &Value) -> Result<Value, String> {
    if let (Kind::Repeater(_), Value::Array(rows)) = (setting.kind, sent) {
        for (index, row) in rows.iter().enumerate() {
            crate::domain::settings::validate(setting, &json!([row]))
                .map_err(|why| format!("row {}: {why}", index + 1))?;
        }
    }
    crate::domain::settings::validate(setting, sent)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::settings::find;

    #[test]
    fn posted_rows_skip_blank_and_removed_ones_and_checkboxes_read_as_booleans() {
        let form = Fields::of(&[
            ("saved-replies.0", "row"),
            ("saved-replies.0.reply-name", "hi"),
            ("saved-replies.0.reply-text", "Hello!"),
            ("saved-replies.1", "row"),
            ("saved-replies.1.reply-name", "bye"),
            ("saved-replies.1.remove", "1"),
            ("saved-replies.2", "row"),
            ("saved-replies.2.reply-name", ""),
            ("saved-replies.2.reply-text", ""),
            ("webhooks.webhooks-url", "https://x.test"),
            ("webhooks.webhooks-key", ""),
        ]);
        let replies = find("saved-replies").unwrap();
        assert_eq!(posted(&form, replies), json!([{ "reply-name": "hi", "reply-text": "Hello!" }]));
        let webhooks = find("webhooks").unwrap();
        let sent = posted(&form, webhooks);
        assert_eq!(sent["webhooks-active"], false);
        assert_eq!(check(webhooks, &sent).unwrap()["webhooks-key"], Value::Null, "an empty secret is kept");
        assert_eq!(posted(&form, find("rtl").unwrap()), json!(false));
    }

    #[test]
    fn repeater_errors_name_the_row_and_secrets_never_reach_the_page() {
        let departments = find("departments").unwrap();
        let sent = json!([{ "department-id": "1", "department-name": "Sales" }, { "department-id": "", "department-name": "Support" }]);
        assert!(check(departments, &sent).unwrap_err().starts_with("row 2: department-id"));
        let password = find("smtp-password").unwrap();
        let shown = view(password, &json!("hunter2"), None).input.unwrap();
        assert_eq!((shown.value.as_str(), shown.stored), ("", true));
    }
}
