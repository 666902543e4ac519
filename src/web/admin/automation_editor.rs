//! The automation editor (admins): `/admin/automations/new?type=<type>` and
//! `/admin/automations/{id}`. A save re-checks every automation and translation
//! with `domain::automations::parse_saved`, exactly as automations-save does, and
//! replaces them all in one transaction with this one changed.

use super::automation_form::{all_operators, Draft, BLANK_CONDITIONS};
use super::automations::kind_title;
use super::form::{refused, Done, Fields};
use super::guard::AdminPost;
use super::{render, see_other, Frame, PageError};
use crate::db::automations as store;
use crate::domain::automations::conditions::{Side, CATALOG};
use crate::domain::automations::{parse_saved, saved_json, Automation, FieldKind, Kind};
use crate::error::ApiError;
use crate::ops::automations::{load, load_translations};
use crate::state::AppState;
use crate::web::session::Admin;
use actix_web::{web, HttpResponse};
use askama::Template;
use serde_json::{json, Value};

#[derive(Template)]
#[template(path = "admin/automation_editor.html")]
struct EditorPage {
    frame: Frame,
    notice: Option<&'static str>,
    error: Option<String>,
    kind: &'static str,
    kind_title: &'static str,
    is_new: bool,
    action: String,
    delete_url: String,
    draft: Draft,
    message_required: bool,
    fields: Vec<FieldView>,
    /// Saved rows then blank ones.
    conditions: Vec<ConditionRow>,
    condition_names: Vec<&'static str>,
    operators: Vec<&'static str>,
    catalog: Vec<(&'static str, String, &'static str)>,
    /// Saved translations then one blank row.
    translations: Vec<TranslationRow>,
}

#[derive(Default)]
struct ConditionRow {
    name: String,
    operator: String,
    value: String,
    saved: bool,
}

struct TranslationRow {
    language: String,
    /// Field name, label and text.
    texts: Vec<(&'static str, &'static str, String)>,
    saved: bool,
}

struct FieldView {
    name: &'static str,
    label: &'static str,
    input: &'static str,
    value: String,
    required: bool,
    hint: &'static str,
}

fn label(field: &str) -> &'static str {
    match field {
        "name" => "Name",
        "message" => "Message",
        "subject" => "Subject",
        "title" => "Title",
        "profile_image" => "Profile image URL",
        "color_1" => "Primary colour",
        "color_2" => "Secondary colour",
        "color_3" => "Text colour",
        "background" => "Background image URL",
        "brand" => "Brand logo URL",
        "icon" => "Chat button icon URL",
        _ => "Field",
    }
}

fn page(frame: Frame, kind: Kind, is_new: bool, draft: Draft) -> EditorPage {
    let base = frame.base_path.clone();
    let fields = kind
        .fields()
        .iter()
        .map(|f| FieldView {
            name: f.name,
            label: label(f.name),
            input: if f.kind == FieldKind::Url { "url" } else { "text" },
            value: draft.fields.iter().find(|(n, _)| *n == f.name).map(|(_, v)| v.clone()).unwrap_or_default(),
            required: f.kind == FieldKind::RequiredText,
            hint: match f.kind {
                FieldKind::Color => "#1a2b3c, rgb(26, 43, 60) or rgba(…); empty for the default.",
                FieldKind::Url => "An http or https address, or empty.",
                _ => "",
            },
        })
        .collect();
    let mut conditions: Vec<ConditionRow> = draft
        .conditions
        .iter()
        .map(|[name, operator, value]| ConditionRow {
            name: name.clone(),
            operator: operator.clone(),
            value: value.clone(),
            saved: true,
        })
        .collect();
    conditions.extend((0..BLANK_CONDITIONS).map(|_| ConditionRow::default()));
    let mut translations: Vec<TranslationRow> = draft
        .translations
        .iter()
        .map(|(language, texts)| TranslationRow {
            language: language.clone(),
            texts: texts.iter().map(|(name, value)| (*name, label(name), value.clone())).collect(),
            saved: true,
        })
        .collect();
    translations.push(TranslationRow {
        language: String::new(),
        texts: kind.translatable().map(|name| (name, label(name), String::new())).collect(),
        saved: false,
    });
    EditorPage {
        notice: None,
        error: None,
        kind: kind.as_str(),
        kind_title: kind_title(kind),
        is_new,
        action: if is_new {
            format!("{base}/admin/automations/new?type={}", kind.as_str())
        } else {
            format!("{base}/admin/automations/{}", draft.id)
        },
        delete_url: format!("{base}/admin/automations/{}/delete", draft.id),
        message_required: kind.needs_message(),
        fields,
        conditions,
        condition_names: CATALOG.iter().map(|d| d.name).collect(),
        operators: all_operators(),
        catalog: CATALOG
            .iter()
            .map(|d| (d.name, d.operators.join(", "), if d.side == Side::Server { "server" } else { "chat widget" }))
            .collect(),
        translations,
        draft,
        frame,
    }
}

#[derive(serde::Deserialize)]
pub struct TypeQuery {
    #[serde(rename = "type")]
    kind: Option<String>,
}

fn kind_of(query: &TypeQuery) -> Result<Kind, PageError> {
    query.kind.as_deref().and_then(Kind::parse).ok_or(PageError::NotFound)
}

pub async fn new_page(
    admin: Admin,
    state: web::Data<AppState>,
    query: web::Query<TypeQuery>,
) -> Result<HttpResponse, PageError> {
    admin.require_admin()?;
    let kind = kind_of(&query)?;
    let frame = Frame::new(&state, &admin, "automations", "New automation");
    render(&page(frame, kind, true, Draft::empty(kind)))
}

pub async fn edit_page(
    admin: Admin,
    state: web::Data<AppState>,
    path: web::Path<String>,
    query: web::Query<Done>,
) -> Result<HttpResponse, PageError> {
    admin.require_admin()?;
    let id = path.into_inner();
    let found = state
        .read(move |conn| {
            let automations = load(conn)?;
            let translations = load_translations(conn, &automations)?;
            Ok(automations.into_iter().find(|a| a.id == id).map(|a| (a.kind, Draft::of(&a, &translations))))
        })
        .await?;
    let (kind, draft) = found.ok_or(PageError::NotFound)?;
    let title = if draft.name.is_empty() { "Edit automation".to_string() } else { format!("Edit: {}", draft.name) };
    let mut page = page(Frame::new(&state, &admin, "automations", &title), kind, false, draft);
    page.notice = super::notice::text(query.done.as_deref());
    render(&page)
}

pub async fn create(
    state: web::Data<AppState>,
    query: web::Query<TypeQuery>,
    AdminPost { admin, form }: AdminPost<Fields>,
) -> Result<HttpResponse, PageError> {
    let kind = kind_of(&query)?;
    save(admin, state, kind, None, form).await
}

pub async fn update(
    state: web::Data<AppState>,
    path: web::Path<String>,
    AdminPost { admin, form }: AdminPost<Fields>,
) -> Result<HttpResponse, PageError> {
    let id = path.into_inner();
    let lookup = id.clone();
    let saved = state.read(move |conn| Ok(store::find(conn, &lookup)?)).await?.ok_or(PageError::NotFound)?;
    let kind = Kind::parse(&saved.kind).ok_or(PageError::NotFound)?;
    save(admin, state, kind, Some(id), form).await
}

enum Outcome {
    Saved(String),
    Refused(String),
    Missing,
}

async fn save(
    admin: Admin,
    state: web::Data<AppState>,
    kind: Kind,
    id: Option<String>,
    form: Fields,
) -> Result<HttpResponse, PageError> {
    let is_new = id.is_none();
    let mut draft = Draft::from_form(kind, id.as_deref().unwrap_or_default(), &form);
    let sent = draft.clone();
    let (now, actor) = (state.clock.now_text(), admin.actor());
    let outcome = state
        .write(move |tx| {
            let mut draft = sent;
            let mut automations = load(tx)?;
            let mut translations = load_translations(tx, &automations)?;
            if draft.id.is_empty() {
                draft.id = std::iter::repeat_with(crate::domain::articles::new_id)
                    .find(|id| !automations.iter().any(|a| a.id == *id))
                    .unwrap_or_default();
            }
            // This automation's own errors first, without the position in the whole save.
            let edited = match Automation::parse(kind, &draft.to_json()) {
                Ok(edited) => edited,
                Err(why) => return Ok(Outcome::Refused(why)),
            };
            match automations.iter_mut().find(|a| a.id == draft.id) {
                Some(slot) => *slot = edited,
                None if is_new => automations.push(edited),
                None => return Ok(Outcome::Missing),
            }
            translations.retain(|t| t.automation_id != draft.id);
            let whole = saved_json(&automations, &translations);
            let mut languages = whole[1].as_object().cloned().unwrap_or_default();
            for (language, translation) in draft.translations_json() {
                let by_kind = languages.entry(language).or_insert_with(|| json!({}));
                let list = by_kind.as_object_mut().map(|m| m.entry(kind.as_str()).or_insert_with(|| json!([])));
                if let Some(Value::Array(items)) = list {
                    items.push(translation);
                }
            }
            let checked = match parse_saved(Some(&whole[0]), Some(&Value::Object(languages))) {
                Ok(checked) => checked,
                Err(why) => return Ok(Outcome::Refused(why)),
            };
            crate::ops::automations::save(tx, &checked, &now, &actor)?;
            Ok::<_, ApiError>(Outcome::Saved(draft.id))
        })
        .await?;
    match outcome {
        Outcome::Saved(id) => {
            let done = if is_new { "created" } else { "saved" };
            Ok(see_other(format!("{}/admin/automations/{id}?done={done}", state.config.base_path)))
        }
        Outcome::Missing => Err(PageError::NotFound),
        Outcome::Refused(why) => {
            let title = if is_new { "New automation" } else { "Edit automation" };
            draft.id = id.unwrap_or_default();
            let mut page = page(Frame::new(&state, &admin, "automations", title), kind, is_new, draft);
            page.error = Some(why);
            refused(&page)
        }
    }
}
