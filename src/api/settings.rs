//! Settings: reading and saving them against the schema in `domain::settings`,
//! the values that live inside settings (departments, saved replies, chat colours),
//! and export/import of the whole set as a file signed by this server.

use super::Call;
use crate::db::{downloads, settings as store};
use crate::domain::settings::{self, SCHEMA};
use crate::error::{ApiResult, Failure};
use crate::ops;
use crate::ops::settings::{current, Changes};
use serde_json::{json, Map, Value};

const EXPORT_FORMAT: &str = "switchboard-settings";
const EXPORT_PURPOSE: &str = "settings-export";

pub fn get_setting(call: &mut Call) -> ApiResult<Value> {
    let id = call.args.required_text("setting", 64)?;
    if let Some(setting) = settings::find(id.trim()) {
        return Ok(settings::public(setting.kind, &current(call.db.conn()?, setting)?));
    }
    store::external(call.db.conn()?, id.trim())?
        .ok_or_else(|| Failure::invalid("setting", format!("no setting is called '{id}'")).into())
}

pub fn get_settings(call: &mut Call) -> ApiResult<Value> {
    let mut all = Map::new();
    for setting in SCHEMA {
        all.insert(setting.id.to_string(), settings::wire(setting, &current(call.db.conn()?, setting)?));
    }
    Ok(Value::Object(all))
}

/// Saves the settings given (others keep their values), external settings and
/// their translations, all or nothing.
pub fn save_settings(call: &mut Call) -> ApiResult<Value> {
    let changes = changes_from(
        call.args.json("settings")?,
        call.args.json("external_settings")?,
        call.args.json("external_settings_translations")?,
    )?;
    ops::settings::save(call.db, call.state, changes, call.actor())?;
    Ok(json!(true))
}

fn changes_from(
    settings_sent: Option<Value>,
    external: Option<Value>,
    translations: Option<Value>,
) -> ApiResult<Changes> {
    let mut changes = Changes::default();
    if let Some(sent) = settings_sent {
        let Value::Object(map) = sent else {
            return Err(Failure::invalid("settings", "expected {\"id\": [value, \"type\"], …}").into());
        };
        for (id, value) in map {
            let setting = settings::find(&id)
                .ok_or_else(|| Failure::invalid("settings", format!("no setting is called '{id}'")))?;
            let value = settings::validate(setting, &value)
                .map_err(|why| Failure::invalid("settings", format!("{id}: {why}")))?;
            changes.settings.push((setting, value));
        }
    }
    if let Some(external) = external {
        let Value::Object(map) = external else {
            return Err(Failure::invalid("external_settings", "expected {\"name\": value, …}").into());
        };
        for (name, value) in map {
            check_name("external_settings", &name)?;
            changes.external.push((name, value));
        }
    }
    if let Some(translations) = translations {
        let invalid =
            || Failure::invalid("external_settings_translations", "expected {\"language\": {\"name\": value, …}, …}");
        let Value::Object(languages) = translations else { return Err(invalid().into()) };
        for (language, names) in languages {
            let code_ok =
                (2..=8).contains(&language.len()) && language.chars().all(|c| c.is_ascii_alphabetic() || c == '-');
            let (true, Value::Object(names)) = (code_ok, names) else { return Err(invalid().into()) };
            for (name, value) in names {
                check_name("external_settings_translations", &name)?;
                changes.translations.push((name, language.to_ascii_lowercase(), value));
            }
        }
    }
    Ok(changes)
}

fn check_name(argument: &str, name: &str) -> ApiResult<()> {
    let ok =
        !name.is_empty() && name.len() <= 64 && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if ok {
        Ok(())
    } else {
        Err(Failure::invalid(argument, format!("'{name}' is not a valid setting name")).into())
    }
}

pub fn saved_replies(call: &mut Call) -> ApiResult<Value> {
    let replies = current(call.db.conn()?, settings::find("saved-replies").expect("in the schema"))?;
    Ok(replies
        .as_array()
        .map(|rows| {
            rows.iter().map(|r| json!({ "reply-name": r["reply-name"], "reply-text": r["reply-text"] })).collect()
        })
        .unwrap_or_else(|| json!([])))
}

pub fn get_departments(call: &mut Call) -> ApiResult<Value> {
    let rows = current(call.db.conn()?, settings::find("departments").expect("in the schema"))?;
    let mut departments = Map::new();
    for row in rows.as_array().into_iter().flatten() {
        departments.insert(
            row["department-id"].to_string(),
            json!({ "name": row["department-name"], "color": row["department-color"], "image": row["department-image"] }),
        );
    }
    Ok(Value::Object(departments))
}

/// The chat's colour rules; each colour from the arguments or the design settings,
/// checked to be a colour so nothing else can reach the style sheet.
pub fn chat_css(call: &mut Call) -> ApiResult<Value> {
    let mut colors = Vec::with_capacity(3);
    let design = call.state.settings(call.db.conn()?)?.design.clone();
    for (argument, setting) in
        [("color_1", &design.colors[0]), ("color_2", &design.colors[1]), ("color_3", &design.colors[2])]
    {
        let color = match call.args.text_max(argument, 64)?.filter(|c| !c.trim().is_empty() && c != "false") {
            Some(color) if settings::is_color(&color) => color.trim().to_string(),
            Some(_) => {
                return Err(Failure::invalid(argument, "expected a colour like #1a2b3c or rgb(26, 43, 60)").into())
            }
            None => setting.clone(),
        };
        colors.push(color);
    }
    let [primary, hover, text] = [&colors[0], &colors[1], &colors[2]];
    Ok(json!(format!(
        ":root {{ --sb-color-1: {primary}; --sb-color-2: {hover}; --sb-color-3: {text}; }}\n\
         .sb-chat-btn, .sb-chat .sb-header, .sb-chat .sb-btn, .sb-chat .sb-message.sb-agent {{ background-color: {primary}; color: {text}; }}\n\
         .sb-chat .sb-btn:hover, .sb-chat-btn:hover {{ background-color: {hover}; }}\n\
         .sb-chat a, .sb-chat .sb-link {{ color: {primary}; }}\n"
    )))
}

/// Every saved setting, external setting and translation in one JSON file, signed
/// with this server's key so that only this server will import it. Secrets are
/// masked, so importing the file keeps the secrets the importing server has.
pub fn export_settings(call: &mut Call) -> ApiResult<Value> {
    let mut saved = Map::new();
    for setting in SCHEMA {
        saved.insert(setting.id.to_string(), settings::public(setting.kind, &current(call.db.conn()?, setting)?));
    }
    let external: Map<String, Value> = store::all_external(call.db.conn()?)?.into_iter().collect();
    let mut translations = Map::new();
    for (name, language, value) in store::all_external_translations(call.db.conn()?)? {
        let entry = translations.entry(language).or_insert_with(|| json!({}));
        entry[name] = value;
    }
    let mut document = json!({
        "format": EXPORT_FORMAT,
        "version": 1,
        "exported": call.now(),
        "settings": saved,
        "external_settings": external,
        "external_settings_translations": translations,
    });
    document["signature"] = json!(call.state.key.tag(EXPORT_PURPOSE, document.to_string().as_bytes()));
    let body = serde_json::to_vec_pretty(&document).map_err(|_| Failure::InternalError)?;
    super::exports::publish(call, "settings.json", "application/json", &body)
}

/// Imports an export of this server: a link it handed out (read from disk, never
/// fetched), or the file itself in `file`. Anything unsigned, tampered with or
/// signed by another server is refused before anything changes.
pub fn import_settings(call: &mut Call) -> ApiResult<Value> {
    let text = match (call.args.text_max("file_url", 2048)?, call.args.text("file")?) {
        (_, Some(file)) if !file.trim().is_empty() => file,
        (Some(link), _) => read_own_export(call, link.trim())?,
        _ => return Err(Failure::MissingArgument("file_url").into()),
    };
    let refused = || Failure::invalid("file_url", "not a settings export of this server, or it was changed");
    let mut document: Value = serde_json::from_str(&text).map_err(|_| refused())?;
    let signature = document.as_object_mut().and_then(|doc| doc.remove("signature")).ok_or_else(refused)?;
    let genuine = document["format"] == EXPORT_FORMAT
        && signature
            .as_str()
            .is_some_and(|tag| call.state.key.verify_tag(EXPORT_PURPOSE, document.to_string().as_bytes(), tag));
    if !genuine {
        return Err(refused().into());
    }
    let take = |key: &str| document.get(key).cloned().filter(|v| !v.is_null());
    let changes = changes_from(take("settings"), take("external_settings"), take("external_settings_translations"))?;
    ops::settings::save(call.db, call.state, changes, call.actor())?;
    Ok(json!(true))
}

fn read_own_export(call: &Call, link: &str) -> ApiResult<String> {
    let prefix = format!("{}/downloads/", call.state.config.public_base());
    let not_ours = || Failure::invalid("file_url", "only links to this server's own exports can be imported");
    let token = link.strip_prefix(&prefix).and_then(|rest| rest.split('/').next()).ok_or_else(not_ours)?;
    let download = downloads::find_live(call.db.conn()?, token, &call.now())?.ok_or_else(not_ours)?;
    Ok(std::fs::read_to_string(download.path)?)
}
