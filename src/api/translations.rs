//! Translations: the UI strings shipped in the binary (see [`crate::i18n`]) with the
//! saved overrides applied over them, and saving those overrides. Each save keeps a
//! snapshot, so two Switchboard additions (not in the contract) can list the
//! versions and make an older one current again.

use super::Call;
use crate::db::text_or_null;
use crate::db::translations::{self, NewVersion, Overrides};
use crate::domain::page_offset;
use crate::error::{ApiResult, Failure, Outcome};
use crate::i18n::{self, Language, Section, Strings};
use rusqlite::Connection;
use serde_json::{json, Map, Value};
use std::collections::BTreeMap;

/// Longest source string and longest text a saved translation may have, in characters.
const SOURCE_MAX: usize = 1000;
const TEXT_MAX: usize = 10_000;

pub fn get_translation(call: &mut Call) -> ApiResult<Value> {
    let text = call.args.required_text("language_code", 64)?;
    let code = i18n::normalize_code(&text).ok_or_else(|| {
        Failure::invalid("language_code", "expected two letters, optionally with a region: es, pt-br")
    })?;
    let language = i18n::find(&code).ok_or(Outcome::LanguageNotFound)?;
    let overrides = translations::overrides_of(call.db.conn()?, &code)?;
    Ok(language_json(language, &overrides))
}

pub fn get_translations(call: &mut Call) -> ApiResult<Value> {
    let overrides = translations::overrides(call.db.conn()?)?;
    let none = BTreeMap::new();
    let all: Map<String, Value> = i18n::languages()
        .iter()
        .map(|language| {
            let applied = overrides.get(language.code).unwrap_or(&none);
            (language.code.to_string(), language_json(language, applied))
        })
        .collect();
    Ok(Value::Object(all))
}

/// `{ "name": …, "front": {…}, "admin": {…} }` with `overrides` over the shipped strings.
fn language_json(language: &Language, overrides: &BTreeMap<Section, Strings>) -> Value {
    let mut value = json!({ "name": language.name });
    for section in Section::ALL {
        let mut strings = language.strings(section).clone();
        if let Some(saved) = overrides.get(&section) {
            strings.extend(saved.iter().map(|(source, text)| (source.clone(), text.clone())));
        }
        value[section.as_str()] = json!(strings);
    }
    value
}

/// Merges `translations` (get-translations' shape) into the saved overrides: every
/// string sent takes the text sent; strings not sent keep theirs. A text equal to
/// the shipped one, or empty, removes the override.
pub fn save_translations(call: &mut Call) -> ApiResult<Value> {
    let payload = call.args.json("translations")?.ok_or(Failure::MissingArgument("translations"))?;
    let sent = parse_payload(&payload)?;
    let (now, saved_by, limit) = (call.now(), call.caller.id, call.state.config.max_body_bytes);
    call.write(move |tx| {
        let before = translations::overrides(tx)?;
        let mut after = before.clone();
        for (code, sections) in sent {
            for (section, strings) in sections {
                for (source, text) in strings {
                    set_override(&mut after, &code, section, source, text);
                }
            }
        }
        let change = Change { now: &now, saved_by, limit, argument: "translations", restored_from: None };
        record(tx, &before, &after, &change)?;
        Ok(json!(true))
    })
}

/// Switchboard addition: makes the overrides of version `version_id` current again,
/// recorded as a new version. Without `version_id`, the version before the latest
/// (before the only one: the shipped strings), so calling it twice redoes the undo.
/// Answers the new version's ID.
pub fn restore_translations(call: &mut Call) -> ApiResult<Value> {
    let requested = call.args.id("version_id")?;
    let (now, saved_by, limit) = (call.now(), call.caller.id, call.state.config.max_body_bytes);
    let id = call.write(move |tx| {
        let (restored_from, target) = match requested {
            Some(id) => match translations::version_overrides(tx, id)? {
                Some(overrides) => (Some(id), overrides),
                None => {
                    return Err(Failure::invalid("version_id", format!("there is no translation version {id}")).into())
                }
            },
            None => match translations::latest_version_ids(tx, 2)?.as_slice() {
                [] => {
                    return Err(Failure::invalid(
                        "version_id",
                        "translations were never saved, so none can be restored",
                    )
                    .into())
                }
                [_] => (None, Overrides::new()),
                [_, previous, ..] => {
                    (Some(*previous), translations::version_overrides(tx, *previous)?.unwrap_or_default())
                }
            },
        };
        let before = translations::overrides(tx)?;
        let change = Change { now: &now, saved_by, limit, argument: "version_id", restored_from };
        record(tx, &before, &target, &change)
    })?;
    Ok(json!(id))
}

/// Switchboard addition: the saved versions, newest first, 100 per page.
pub fn get_translation_versions(call: &mut Call) -> ApiResult<Value> {
    let offset = page_offset(call.args.int("pagination")?.unwrap_or(0));
    let rows = translations::list_versions(call.db.conn()?, offset)?;
    Ok(rows
        .iter()
        .map(|row| {
            json!({
                "id": row.id.to_string(),
                "creation_time": row.creation_time,
                "saved_by": text_or_null(row.saved_by),
                "languages": row.languages,
                "restored_from": text_or_null(row.restored_from),
            })
        })
        .collect())
}

/// Who saves what, when; `argument` is named if the result is too large.
struct Change<'a> {
    now: &'a str,
    saved_by: i64,
    limit: usize,
    argument: &'static str,
    restored_from: Option<i64>,
}

/// Makes `after` the current overrides and records it as a new version.
fn record(tx: &Connection, before: &Overrides, after: &Overrides, change: &Change) -> ApiResult<i64> {
    let size = serde_json::to_vec(after).map_or(usize::MAX, |bytes| bytes.len());
    if size > change.limit {
        let reason = format!("the saved translations would take {size} bytes, more than the limit of {}", change.limit);
        return Err(Failure::invalid(change.argument, reason).into());
    }
    let mut changed: Vec<String> =
        before.keys().chain(after.keys()).filter(|code| before.get(*code) != after.get(*code)).cloned().collect();
    changed.sort();
    changed.dedup();
    for code in &changed {
        translations::replace_language(tx, code, after.get(code))?;
    }
    let version = NewVersion {
        now: change.now,
        saved_by: change.saved_by,
        languages: &changed,
        overrides: after,
        restored_from: change.restored_from,
    };
    Ok(translations::add_version(tx, &version)?)
}

/// Sets one string's override, or removes it when `text` is empty or the shipped
/// text, leaving no empty maps behind.
fn set_override(all: &mut Overrides, code: &str, section: Section, source: String, text: String) {
    let shipped = i18n::find(code).and_then(|language| language.strings(section).get(&source));
    let sections = all.entry(code.to_string()).or_default();
    let strings = sections.entry(section).or_default();
    if text.is_empty() || shipped == Some(&text) {
        strings.remove(&source);
    } else {
        strings.insert(source, text);
    }
    if strings.is_empty() {
        sections.remove(&section);
    }
    if sections.is_empty() {
        all.remove(code);
    }
}

/// Checks the whole payload before anything is written: shipped language codes
/// only; in each, `front` and `admin` maps of non-empty source strings to texts,
/// plus an optional `name` (accepted and ignored: the name comes with the language).
fn parse_payload(payload: &Value) -> Result<Overrides, Failure> {
    let invalid = |reason: String| Failure::invalid("translations", reason);
    let Value::Object(languages) = payload else {
        return Err(invalid("expected {\"<language code>\": {\"front\": {…}, \"admin\": {…}}, …}".into()));
    };
    let mut sent = Overrides::new();
    for (given, entry) in languages {
        let code = i18n::normalize_code(given)
            .filter(|code| i18n::find(code).is_some())
            .ok_or_else(|| invalid(format!("'{}' is not a shipped language code", clip(given))))?;
        let Value::Object(parts) = entry else {
            return Err(invalid(format!("'{code}' must be an object with front and admin")));
        };
        for (part, value) in parts {
            if part == "name" {
                if !matches!(value, Value::String(name) if name.chars().count() <= SOURCE_MAX) {
                    return Err(invalid(format!("the name of '{code}' must be a short string")));
                }
                continue;
            }
            let section = Section::parse(part).ok_or_else(|| {
                invalid(format!("'{code}' has a section '{}'; only front, admin and name are known", clip(part)))
            })?;
            let strings = match value {
                Value::Object(strings) => strings,
                // PHP's json_encode writes an empty map as [].
                Value::Array(items) if items.is_empty() => continue,
                _ => return Err(invalid(format!("'{code}' {part} must map source strings to texts"))),
            };
            for (source, text) in strings {
                if source.trim().is_empty() || source.chars().count() > SOURCE_MAX {
                    return Err(invalid(format!(
                        "'{code}' {part}: source strings must be 1 to {SOURCE_MAX} characters"
                    )));
                }
                let Value::String(text) = text else {
                    return Err(invalid(format!("'{code}' {part}: the text of '{}' must be a string", clip(source))));
                };
                if text.chars().count() > TEXT_MAX {
                    return Err(invalid(format!(
                        "'{code}' {part}: the text of '{}' is longer than {TEXT_MAX} characters",
                        clip(source)
                    )));
                }
                sent.entry(code.clone()).or_default().entry(section).or_default().insert(source.clone(), text.clone());
            }
        }
    }
    Ok(sent)
}

/// The start of a long string, for an error message.
fn clip(text: &str) -> String {
    match text.char_indices().nth(40) {
        Some((end, _)) => format!("{}…", &text[..end]),
        None => text.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn overrides_of(pairs: &[(&str, Section, &str, &str)]) -> Overrides {
        let mut all = Overrides::new();
        for (code, section, source, text) in pairs {
            set_override(&mut all, code, *section, source.to_string(), text.to_string());
        }
        all
    }

    #[test]
    fn a_text_equal_to_the_shipped_one_or_empty_removes_the_override() {
        let mut all =
            overrides_of(&[("es", Section::Front, "Send", "Mandar"), ("es", Section::Admin, "Inbox", "Entrada")]);
        assert_eq!(all["es"][&Section::Front]["Send"], "Mandar");
        set_override(&mut all, "es", Section::Front, "Send".into(), "Enviar".into());
        assert!(!all["es"].contains_key(&Section::Front), "no empty section is left behind");
        set_override(&mut all, "es", Section::Admin, "Inbox".into(), String::new());
        assert!(all.is_empty(), "no empty language is left behind");
    }

    #[test]
    fn payloads_are_checked_whole() {
        let ok = json!({ "ES": { "name": "Spanish", "front": { "Send": "Mandar" }, "admin": [] } });
        assert_eq!(parse_payload(&ok).unwrap()["es"][&Section::Front]["Send"], "Mandar");
        for bad in [
            json!(["es"]),
            json!({ "xx": { "front": {} } }),
            json!({ "e s": { "front": {} } }),
            json!({ "es": "Mandar" }),
            json!({ "es": { "back": {} } }),
            json!({ "es": { "front": { "Send": 5 } } }),
            json!({ "es": { "front": { "Send": null } } }),
            json!({ "es": { "front": ["Mandar"] } }),
            json!({ "es": { "front": { "": "x" } } }),
            json!({ "es": { "front": { ("x".repeat(SOURCE_MAX + 1)): "x" } } }),
            json!({ "es": { "front": { "Send": "x".repeat(TEXT_MAX + 1) } } }),
            json!({ "es": { "name": ["Spanish"] } }),
        ] {
            assert!(parse_payload(&bad).is_err(), "{bad} was accepted");
        }
    }

    #[test]
    fn long_strings_are_clipped_in_messages() {
        assert_eq!(clip("short"), "short");
        assert_eq!(clip(&"é".repeat(50)), format!("{}…", "é".repeat(40)));
    }
}
