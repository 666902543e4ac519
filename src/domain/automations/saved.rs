//! A whole save of automations: every kind's list and the translations, checked
//! together (IDs unique, translations naming automations of their type), and
//! automations-get's answer built back from them.

use super::{list, text, Automation, Kind, MAX_AUTOMATIONS, MESSAGE_MAX, NAME_MAX};
use serde_json::{json, Map, Value};
use std::collections::{HashMap, HashSet};

/// One automation's texts in one language.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Translation {
    pub language: String,
    pub automation_id: String,
    /// Translatable fields sent, in the kind's order.
    pub fields: Vec<(&'static str, String)>,
}

impl Translation {
    /// Checks one translation of an automation of `kind`.
    pub fn parse(kind: Kind, language: &str, raw: &Value) -> Result<Translation, String> {
        let Value::Object(map) = raw else { return Err("a translation must be an object".into()) };
        if let Some(unknown) = map.keys().find(|k| *k != "id" && !kind.translatable().any(|f| f == *k)) {
            return Err(format!("{} translations have no field '{unknown}'", kind.as_str()));
        }
        let id = text(map.get("id"), 32, "id")?.trim().to_string();
        let mut fields = Vec::new();
        for name in kind.translatable() {
            if let Some(value) = map.get(name) {
                let max = if name == "message" { MESSAGE_MAX } else { NAME_MAX };
                fields.push((name, text(Some(value), max, name)?));
            }
        }
        Ok(Translation { language: language.to_string(), automation_id: id, fields })
    }

    pub fn to_json(&self) -> Value {
        let mut map = Map::new();
        map.insert("id".into(), json!(self.automation_id));
        for (name, value) in &self.fields {
            map.insert((*name).into(), json!(value));
        }
        Value::Object(map)
    }
}

/// Everything automations-save writes: the automations in order, and their translations.
#[derive(Debug, Default)]
pub struct Saved {
    pub automations: Vec<Automation>,
    pub translations: Vec<Translation>,
}

/// Checks a whole save. `automations` is `{"emails": [...], ...}` (kinds left out
/// are empty: PHP drops empty arrays); empty IDs get a new short one.
pub fn parse_saved(automations: Option<&Value>, translations: Option<&Value>) -> Result<Saved, String> {
    let mut saved = Saved::default();
    let empty = Map::new();
    let kinds = match automations {
        None | Some(Value::Null) => &empty,
        Some(Value::Array(items)) if items.is_empty() => &empty,
        Some(Value::Object(map)) => map,
        Some(_) => return Err("expected {\"emails\": [...], \"sms\": [...], ...}".into()),
    };
    if let Some(unknown) = kinds.keys().find(|k| Kind::parse(k).is_none()) {
        return Err(format!("unknown automation type '{unknown}'; known: emails, sms, messages, popups, design"));
    }
    let mut ids = HashSet::new();
    for kind in Kind::ALL {
        for (index, raw) in list(kinds.get(kind.as_str()), kind.as_str())?.into_iter().enumerate() {
            let at = |why: String| format!("{}[{index}]: {why}", kind.as_str());
            let automation = Automation::parse(kind, &raw).map_err(at)?;
            if !automation.id.is_empty() && !ids.insert(automation.id.clone()) {
                return Err(at(format!("the id '{}' is used twice", automation.id)));
            }
            saved.automations.push(automation);
        }
    }
    if saved.automations.len() > MAX_AUTOMATIONS {
        return Err(format!("more than {MAX_AUTOMATIONS} automations"));
    }
    for automation in saved.automations.iter_mut().filter(|a| a.id.is_empty()) {
        automation.id = std::iter::repeat_with(crate::domain::articles::new_id)
            .find(|id| ids.insert(id.clone()))
            .unwrap_or_default();
    }
    saved.translations = parse_translations(translations, &saved.automations)?;
    Ok(saved)
}

/// `{"fr": {"messages": [{"id": …, "name": …, "message": …}]}}`; each ID must name
/// an automation of that type in the same save.
fn parse_translations(raw: Option<&Value>, automations: &[Automation]) -> Result<Vec<Translation>, String> {
    let languages = match raw {
        None | Some(Value::Null) => return Ok(Vec::new()),
        Some(Value::Array(items)) if items.is_empty() => return Ok(Vec::new()),
        Some(Value::Object(map)) => map,
        Some(_) => return Err("translations: expected {\"language\": {\"type\": [...]}, ...}".into()),
    };
    let kinds: HashMap<&str, Kind> = automations.iter().map(|a| (a.id.as_str(), a.kind)).collect();
    let mut seen = HashSet::new();
    let mut translations = Vec::new();
    for (language, by_kind) in languages {
        let code = crate::i18n::normalize_code(language)
            .ok_or_else(|| format!("translations: '{language}' is not a language code like fr or pt-br"))?;
        let Value::Object(by_kind) = by_kind else {
            return Err(format!("translations.{language}: expected {{\"type\": [...]}}"));
        };
        for (kind_name, items) in by_kind {
            let kind = Kind::parse(kind_name)
                .ok_or_else(|| format!("translations.{language}: unknown automation type '{kind_name}'"))?;
            for (index, raw) in list(Some(items), kind_name)?.into_iter().enumerate() {
                let at = |why: String| format!("translations.{language}.{kind_name}[{index}]: {why}");
                let translation = Translation::parse(kind, &code, &raw).map_err(at)?;
                if kinds.get(translation.automation_id.as_str()) != Some(&kind) {
                    return Err(at(format!("no {kind_name} automation has the id '{}'", translation.automation_id)));
                }
                if !seen.insert((code.clone(), translation.automation_id.clone())) {
                    return Err(at("translated twice".into()));
                }
                translations.push(translation);
            }
        }
    }
    Ok(translations)
}

/// automations-get's answer: `[{"emails": [...], ...}, {"fr": {"messages": [...]}}]`,
/// every kind present, translations in the automations' order.
pub fn saved_json(automations: &[Automation], translations: &[Translation]) -> Value {
    let mut kinds = Map::new();
    for kind in Kind::ALL {
        kinds.insert(
            kind.as_str().into(),
            automations.iter().filter(|a| a.kind == kind).map(Automation::to_json).collect(),
        );
    }
    let mut languages: Vec<&str> = translations.iter().map(|t| t.language.as_str()).collect();
    languages.sort_unstable();
    languages.dedup();
    let mut by_language = Map::new();
    for language in languages {
        let mut by_kind = Map::new();
        for kind in Kind::ALL {
            let items: Vec<Value> = automations
                .iter()
                .filter(|a| a.kind == kind)
                .filter_map(|a| translations.iter().find(|t| t.language == language && t.automation_id == a.id))
                .map(Translation::to_json)
                .collect();
            if !items.is_empty() {
                by_kind.insert(kind.as_str().into(), Value::Array(items));
            }
        }
        by_language.insert(language.into(), Value::Object(by_kind));
    }
    json!([kinds, by_language])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn contract_automations() -> Value {
        json!({
            "emails": [{
                "id": "0BOaG",
                "conditions": [["datetime", "is-between", "10/04/2021 - 13/04/2021"], ["include_urls", "contains", "https://example.com"]],
                "name": "Excepteur sint",
                "message": "Excepteur sint occaecat cupidatat non proident.",
                "subject": "Cupidatat non proident"
            }],
            "sms": [
                { "id": "vo2sY", "conditions": [["datetime", "is-exactly", "13/04/2021"]], "name": "Excepteur sint", "message": "Text" },
                { "id": "hwkmQ", "name": "Excepteur", "message": "Text" }
            ],
            "messages": [],
            "popups": [{
                "id": "ckN24",
                "conditions": [["user_type", "is-user"], ["languages", "en"]],
                "name": "s",
                "message": "Popup",
                "title": "Excepteur sint occaecat",
                "profile_image": "https://example.com/image.jpg"
            }],
            "design": [{
                "id": "bX1qA",
                "conditions": [["user_type", "is-user"]],
                "name": "Excepteur sint",
                "message": "Design",
                "title": "",
                "color_1": "rgb(0, 235, 26)",
                "color_2": "rgb(255, 0, 0)",
                "color_3": "rgb(255, 0, 0)",
                "background": "https://example.com/image.jpg",
                "brand": "https://example.com/image.jpg",
                "icon": "https://example.com/image.jpg"
            }]
        })
    }

    #[test]
    fn the_contract_example_reads_back_exactly() {
        let sent = contract_automations();
        let translations = json!({ "fr": { "popups": [{ "id": "ckN24", "name": "s", "message": "Fenêtre" }] } });
        let saved = parse_saved(Some(&sent), Some(&translations)).unwrap();
        assert_eq!(
            saved_json(&saved.automations, &saved.translations).to_string(),
            json!([sent, translations]).to_string()
        );
    }

    #[test]
    fn missing_kinds_are_empty_and_empty_ids_get_a_new_one() {
        let sent = json!({ "messages": [{ "name": "Hi", "message": "Hello" }, { "id": "", "message": "Again" }] });
        let saved = parse_saved(Some(&sent), None).unwrap();
        assert_eq!(saved.automations.len(), 2);
        assert_eq!(saved.automations[0].id.len(), 5);
        assert_ne!(saved.automations[0].id, saved.automations[1].id);
        let answer = saved_json(&saved.automations, &saved.translations);
        assert_eq!(answer[0]["emails"], json!([]));
        assert_eq!(answer[1], json!({}));
    }

    #[test]
    fn invalid_saves_name_the_place_at_fault() {
        let cases = [
            (json!({ "banners": [] }), "unknown automation type 'banners'"),
            (json!({ "emails": [{ "message": "m" }] }), "emails[0]: subject"),
            (json!({ "messages": [{ "message": " " }] }), "messages[0]: message"),
            (json!({ "messages": [{ "message": "m", "colour": "red" }] }), "no field 'colour'"),
            (json!({ "design": [{ "color_1": "red; x" }] }), "design[0]: color_1"),
            (json!({ "popups": [{ "profile_image": "javascript:alert(1)" }] }), "profile_image"),
            (json!({ "sms": [{ "message": "m", "conditions": [["weather", "sunny"]] }] }), "sms[0]: conditions[0]"),
            (json!({ "sms": [{ "message": "m", "repeat": "weekly" }] }), "repeat"),
            (json!({ "sms": [{ "id": "a", "message": "m" }, { "id": "a", "message": "n" }] }), "used twice"),
            (json!({ "sms": [{ "id": "<b>", "message": "m" }] }), "id"),
        ];
        for (sent, expected) in cases {
            let why = parse_saved(Some(&sent), None).unwrap_err();
            assert!(why.contains(expected), "{sent}: {why}");
        }
        let sent = json!({ "messages": [{ "id": "abc", "message": "m" }] });
        for (translations, expected) in [
            (json!({ "french": {} }), "language code"),
            (json!({ "fr": { "emails": [{ "id": "abc", "name": "x" }] } }), "no emails automation"),
            (json!({ "fr": { "messages": [{ "id": "abc", "subject": "x" }] } }), "no field 'subject'"),
            (json!({ "fr": { "messages": [{ "id": "abc" }, { "id": "abc" }] } }), "twice"),
        ] {
            let why = parse_saved(Some(&sent), Some(&translations)).unwrap_err();
            assert!(why.contains(expected), "{translations}: {why}");
        }
    }

    #[test]
    fn translations_replace_only_the_texts_they_carry() {
        let mut automation =
            Automation::parse(Kind::Emails, &json!({ "id": "a", "name": "N", "message": "Hello", "subject": "Hi" }))
                .unwrap();
        let translation =
            Translation::parse(Kind::Emails, "fr", &json!({ "id": "a", "message": "Bonjour", "subject": "" })).unwrap();
        automation.translate(&translation);
        assert_eq!((automation.message.as_str(), automation.field("subject")), ("Bonjour", "Hi"));
    }
}
