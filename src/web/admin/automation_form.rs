//! One automation as its editor's form holds it: plain texts, condition rows
//! (name, operator, value) and translation rows, read from a saved automation or
//! from a posted form, and turned into the JSON automations-save takes so that
//! `domain::automations` checks it exactly as it checks a save.

use super::form::Fields;
use crate::domain::automations::conditions::CATALOG;
use crate::domain::automations::{Automation, Kind, Translation};
use serde_json::{json, Map, Value};

/// Blank condition rows offered for adding; more after each save.
pub const BLANK_CONDITIONS: usize = 2;

#[derive(Clone, Default)]
pub struct Draft {
    pub id: String,
    pub name: String,
    pub message: String,
    /// The kind's own fields, in its order.
    pub fields: Vec<(&'static str, String)>,
    /// Days, or empty for once per user.
    pub repeat: String,
    /// `[name, operator, value]` rows, blank ones left out.
    pub conditions: Vec<[String; 3]>,
    /// Language and the translated texts, in the kind's translatable order.
    pub translations: Vec<(String, Vec<(&'static str, String)>)>,
}

impl Draft {
    pub fn empty(kind: Kind) -> Self {
        Draft { fields: kind.fields().iter().map(|f| (f.name, String::new())).collect(), ..Draft::default() }
    }

    pub fn of(automation: &Automation, translations: &[Translation]) -> Self {
        let kind = automation.kind;
        Draft {
            id: automation.id.clone(),
            name: automation.name.clone(),
            message: automation.message.clone(),
            fields: automation.fields.clone(),
            repeat: automation.repeat.map(|days| days.to_string()).unwrap_or_default(),
            conditions: automation
                .conditions
                .iter()
                .map(|c| [c.name().to_string(), c.operator.clone(), c.value.clone()])
                .collect(),
            translations: translations
                .iter()
                .filter(|t| t.automation_id == automation.id)
                .map(|t| {
                    let texts = kind
                        .translatable()
                        .map(|name| {
                            let value = t.fields.iter().find(|(n, _)| *n == name).map(|(_, v)| v.clone());
                            (name, value.unwrap_or_default())
                        })
                        .collect();
                    (t.language.clone(), texts)
                })
                .collect(),
        }
    }

    /// What the editor posted: rows named `cond<i>.<part>` and `tr<i>.<field>`,
    /// each with a `remove` checkbox; blank rows are skipped.
    pub fn from_form(kind: Kind, id: &str, form: &Fields) -> Self {
        let mut conditions = Vec::new();
        for i in 0.. {
            let part = |name: &str| form.get(&format!("cond{i}.{name}")).map(|v| v.trim().to_string());
            let Some(name) = part("name") else { break };
            if name.is_empty() || part("remove").is_some() {
                continue;
            }
            // Keep only the parts this condition is written with, so the row reads back as saved.
            let known = CATALOG.iter().find(|d| d.name == name);
            let operator = part("operator").filter(|_| known.is_none_or(|d| d.takes_operator()));
            let value = part("value").filter(|_| known.is_none_or(|d| d.takes_value()));
            conditions.push([name, operator.unwrap_or_default(), value.unwrap_or_default()]);
        }
        let mut translations = Vec::new();
        for i in 0.. {
            let field = |name: &str| form.get(&format!("tr{i}.{name}")).map(str::to_string);
            let Some(language) = field("language") else { break };
            let texts: Vec<(&'static str, String)> =
                kind.translatable().map(|name| (name, field(name).unwrap_or_default())).collect();
            let blank = language.trim().is_empty() && texts.iter().all(|(_, v)| v.trim().is_empty());
            if !blank && field("remove").is_none() {
                translations.push((language.trim().to_string(), texts));
            }
        }
        Draft {
            id: id.to_string(),
            name: form.text("name").to_string(),
            message: form.text("message").to_string(),
            fields: kind.fields().iter().map(|f| (f.name, form.text(f.name).to_string())).collect(),
            repeat: form.text("repeat").trim().to_string(),
            conditions,
            translations,
        }
    }

    /// The automation as automations-save takes it.
    pub fn to_json(&self) -> Value {
        let mut map = Map::new();
        map.insert("id".into(), json!(self.id));
        let conditions: Vec<Value> = self.conditions.iter().map(condition_json).collect();
        if !conditions.is_empty() {
            map.insert("conditions".into(), Value::Array(conditions));
        }
        map.insert("name".into(), json!(self.name));
        map.insert("message".into(), json!(self.message));
        for (name, value) in &self.fields {
            map.insert((*name).into(), json!(value));
        }
        if !self.repeat.is_empty() {
            map.insert("repeat".into(), json!(self.repeat));
        }
        Value::Object(map)
    }

    /// Each translation as automations-save takes it: `(language, {"id", texts…})`.
    pub fn translations_json(&self) -> Vec<(String, Value)> {
        self.translations
            .iter()
            .map(|(language, texts)| {
                let mut map = Map::new();
                map.insert("id".into(), json!(self.id));
                for (name, value) in texts {
                    map.insert((*name).into(), json!(value));
                }
                (language.clone(), Value::Object(map))
            })
            .collect()
    }
}

/// A row as the contract writes it: the parts its condition takes. An unknown
/// name is sent as it is, for the domain to refuse with its list of names.
fn condition_json(row: &[String; 3]) -> Value {
    let [name, operator, value] = row;
    match CATALOG.iter().find(|d| d.name == name) {
        Some(d) if d.takes_operator() && d.takes_value() => json!([name, operator, value]),
        Some(d) if d.takes_operator() => json!([name, operator]),
        Some(_) => json!([name, value]),
        None => json!([name, operator, value]),
    }
}

/// Every operator any condition takes, once each, for the operator list.
pub fn all_operators() -> Vec<&'static str> {
    let mut operators: Vec<&'static str> = Vec::new();
    for operator in CATALOG.iter().flat_map(|d| d.operators.iter().copied()) {
        if !operators.contains(&operator) {
            operators.push(operator);
        }
    }
    operators
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_become_the_contract_shape_and_read_back() {
        let form = Fields::of(&[
            ("name", "Welcome"),
            ("message", "Hi {first_name}"),
            ("subject", "Hello"),
            ("repeat", "7"),
            ("cond0.name", "user_type"),
            ("cond0.operator", "is-user"),
            ("cond0.value", "ignored"),
            ("cond1.name", "languages"),
            ("cond1.operator", "contains"),
            ("cond1.value", "en, pt"),
            ("cond2.name", "datetime"),
            ("cond2.operator", "is-before"),
            ("cond2.value", "01/01/2030"),
            ("cond2.remove", "1"),
            ("cond3.name", ""),
            ("tr0.language", "fr"),
            ("tr0.message", "Salut"),
            ("tr1.language", ""),
        ]);
        let draft = Draft::from_form(Kind::Emails, "abc", &form);
        let json = draft.to_json();
        assert_eq!(json["conditions"], json!([["user_type", "is-user"], ["languages", "en, pt"]]));
        let automation = Automation::parse(Kind::Emails, &json).unwrap();
        assert_eq!(automation.repeat, Some(7));
        assert_eq!(
            draft.translations_json(),
            vec![("fr".to_string(), json!({ "id": "abc", "name": "", "message": "Salut", "subject": "" }))]
        );
        let translation = Translation::parse(Kind::Emails, "fr", &draft.translations_json()[0].1).unwrap();
        let again = Draft::of(&automation, &[Translation { automation_id: "abc".into(), ..translation }]);
        assert_eq!(again.conditions, draft.conditions);
        assert_eq!(again.translations, draft.translations);
    }
}
