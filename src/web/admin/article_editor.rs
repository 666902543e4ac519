//! The article editor: one article's default version (title, HTML content, link,
//! categories) at `/admin/articles/{id}`, one translation at `?lang=<code>`, and a
//! new article at `/admin/articles/new`. Every version is checked and its HTML
//! sanitised by `domain::articles::check_article`, exactly as save-articles does;
//! slugs are unique per language as there.

use super::form::{refused, Fields};
use super::guard::Posted;
use super::{render, see_other, Frame, PageError};
use crate::db::articles::{self, ArticleRow, CategoryRow, NewArticle};
use crate::domain::articles::{check_article, new_id, unique_slug, valid_id};
use crate::error::ApiResult;
use crate::ops::articles::default_language;
use crate::ops::articles::Places;
use crate::state::AppState;
use crate::web::session::Admin;
use actix_web::{web, HttpResponse};
use askama::Template;
use rusqlite::Connection;

#[derive(Template)]
#[template(path = "admin/article_editor.html")]
struct EditorPage {
    frame: Frame,
    notice: Option<&'static str>,
    error: Option<String>,
    /// Where the form posts.
    action: String,
    is_new: bool,
    id: String,
    /// The language of the version being edited.
    language: String,
    is_translation: bool,
    /// Whether this translation is not saved yet.
    new_translation: bool,
    default_language: String,
    title: String,
    content: String,
    link: String,
    categories: Vec<Choice>,
    versions: Vec<Version>,
    public_url: Option<String>,
    /// The saved version's HTML, sanitised when it was saved.
    preview: Option<String>,
    delete_url: String,
}

struct Choice {
    id: String,
    title: String,
    checked: bool,
}

struct Version {
    language: String,
    edit_url: String,
    current: bool,
}

#[derive(serde::Deserialize, Default)]
pub struct EditorQuery {
    lang: Option<String>,
    done: Option<String>,
}

/// What the editor shows besides the form's own fields.
struct Loaded {
    default_language: String,
    versions: Vec<ArticleRow>,
    categories: Vec<CategoryRow>,
    places: Places,
}

fn load(conn: &Connection, state: &AppState, id: &str) -> ApiResult<Loaded> {
    Ok(Loaded {
        default_language: default_language(conn, state)?,
        versions: if id.is_empty() { Vec::new() } else { articles::versions(conn, id)? },
        categories: articles::categories(conn)?,
        places: Places::load(conn, &state.config.base_path)?,
    })
}

/// The form's fields as sent (or as saved).
struct Draft {
    title: String,
    content: String,
    link: String,
    categories: Vec<String>,
}

impl Loaded {
    fn version(&self, language: &str) -> Option<&ArticleRow> {
        self.versions.iter().find(|v| v.language == language)
    }

    fn page(self, frame: Frame, id: &str, language: &str, draft: Draft) -> EditorPage {
        let base = &frame.base_path;
        let edit_url = |code: &str| match code {
            "" => format!("{base}/admin/articles/{id}"),
            code => format!("{base}/admin/articles/{id}?lang={code}"),
        };
        let saved = self.version(language);
        let versions = self
            .versions
            .iter()
            .map(|v| Version {
                language: if v.language.is_empty() { self.default_language.clone() } else { v.language.clone() },
                edit_url: edit_url(&v.language),
                current: v.language == language,
            })
            .collect();
        let is_new = id.is_empty();
        let lang_query = if language.is_empty() { String::new() } else { format!("?lang={language}") };
        EditorPage {
            notice: None,
            error: None,
            action: if is_new { format!("{base}/admin/articles/new") } else { edit_url(language) },
            is_new,
            id: id.to_string(),
            language: if language.is_empty() { self.default_language.clone() } else { language.to_string() },
            is_translation: !language.is_empty(),
            new_translation: !language.is_empty() && saved.is_none(),
            public_url: saved.map(|v| self.places.article_url(v)),
            preview: saved.map(|v| v.content.clone()),
            delete_url: format!("{base}/admin/articles/{id}/delete{lang_query}"),
            categories: self
                .categories
                .iter()
                .map(|c| Choice { id: c.id.clone(), title: c.title.clone(), checked: draft.categories.contains(&c.id) })
                .collect(),
            versions,
            default_language: self.default_language,
            title: draft.title,
            content: draft.content,
            link: draft.link,
            frame,
        }
    }
}

/// The stored language of `?lang=`: `""` for the default language or none.
fn stored_language(lang: Option<&str>, default: &str) -> Result<String, PageError> {
    match lang.map(str::trim).filter(|l| !l.is_empty()) {
        None => Ok(String::new()),
        Some(code) => match crate::i18n::normalize_code(code) {
            Some(code) if code == default => Ok(String::new()),
            Some(code) => Ok(code),
            None => Err(PageError::NotFound),
        },
    }
}

pub async fn new_page(admin: Admin, state: web::Data<AppState>) -> Result<HttpResponse, PageError> {
    let shared = state.get_ref().clone();
    let loaded = state.read(move |conn| load(conn, &shared, "")).await?;
    let draft = Draft { title: String::new(), content: String::new(), link: String::new(), categories: Vec::new() };
    render(&loaded.page(Frame::new(&state, &admin, "articles", "New article"), "", "", draft))
}

pub async fn edit_page(
    admin: Admin,
    state: web::Data<AppState>,
    path: web::Path<String>,
    query: web::Query<EditorQuery>,
) -> Result<HttpResponse, PageError> {
    let id = path.into_inner();
    if !valid_id(&id) {
        return Err(PageError::NotFound);
    }
    let (shared, lookup) = (state.get_ref().clone(), id.clone());
    let loaded = state.read(move |conn| load(conn, &shared, &lookup)).await?;
    let language = stored_language(query.lang.as_deref(), &loaded.default_language)?;
    let Some(original) = loaded.version("") else { return Err(PageError::NotFound) };
    // A new translation starts from the original, to be translated in place.
    let from = loaded.version(&language).unwrap_or(original);
    let draft = Draft {
        title: from.title.clone(),
        content: from.content.clone(),
        link: from.link.clone(),
        categories: original.categories.clone(),
    };
    let title = format!("Edit: {}", original.title);
    let mut page = loaded.page(Frame::new(&state, &admin, "articles", &title), &id, &language, draft);
    page.notice = super::notice::text(query.done.as_deref());
    render(&page)
}

/// Creates an article from the new-article form.
pub async fn create(
    state: web::Data<AppState>,
    Posted { admin, form }: Posted<Fields>,
) -> Result<HttpResponse, PageError> {
    save(admin, state, None, form).await
}

/// Saves the version of `/admin/articles/{id}` the form names.
pub async fn update(
    state: web::Data<AppState>,
    path: web::Path<String>,
    Posted { admin, form }: Posted<Fields>,
) -> Result<HttpResponse, PageError> {
    let id = path.into_inner();
    if !valid_id(&id) {
        return Err(PageError::NotFound);
    }
    save(admin, state, Some(id), form).await
}

enum Saved {
    Done { id: String, language: String, created: bool },
    Refused(Box<Loaded>, String, String),
    Missing,
}

async fn save(
    admin: Admin,
    state: web::Data<AppState>,
    id: Option<String>,
    form: Fields,
) -> Result<HttpResponse, PageError> {
    let draft = Draft {
        title: form.text("title").to_string(),
        content: form.text("content").to_string(),
        link: form.text("link").to_string(),
        categories: form.all("category").into_iter().map(str::to_string).collect(),
    };
    let sent_language = form.get("language").map(str::to_string);
    let (shared, now, actor) = (state.get_ref().clone(), state.clock.now_text(), admin.actor());
    let (title, content, link, categories) =
        (draft.title.clone(), draft.content.clone(), draft.link.clone(), draft.categories.clone());
    let saved = state
        .session(move |db| {
            let conn = db.conn()?;
            let default = default_language(conn, &shared)?;
            let Ok(language) = stored_language(sent_language.as_deref(), &default) else { return Ok(Saved::Missing) };
            let created = id.is_none();
            let id = match id {
                Some(id) if articles::exists(conn, &id)? => id,
                // Translations belong to an article that exists.
                Some(_) => return Ok(Saved::Missing),
                None if !language.is_empty() => return Ok(Saved::Missing),
                None => loop {
                    let candidate = new_id();
                    if !articles::exists(conn, &candidate)? {
                        break candidate;
                    }
                },
            };
            let checked = match check_article(&id, &title, &content, &link) {
                Ok(checked) => checked,
                Err(why) => {
                    let shown = if created { String::new() } else { id };
                    return Ok(Saved::Refused(Box::new(load(conn, &shared, &shown)?), shown, why));
                }
            };
            let known: Vec<String> = articles::categories(conn)?.into_iter().map(|c| c.id).collect();
            let categories: Vec<String> = categories.into_iter().filter(|c| known.contains(c)).collect();
            let done = Saved::Done { id: id.clone(), language: language.clone(), created };
            db.write(move |tx| {
                let mut taken = articles::slugs_taken(tx, &language, &id)?;
                let slug = unique_slug(&checked.title, &mut taken);
                let version = NewArticle::from_checked(id.clone(), language.clone(), checked, slug);
                let categories = language.is_empty().then_some(categories.as_slice());
                crate::ops::articles::save_version(tx, &version, categories, &now, &actor)?;
                Ok::<_, crate::error::ApiError>(())
            })?;
            Ok(done)
        })
        .await?;
    match saved {
        Saved::Done { id, language, created } => {
            let lang = if language.is_empty() { String::new() } else { format!("lang={language}&") };
            let done = if created { "created" } else { "saved" };
            Ok(see_other(format!("{}/admin/articles/{id}?{lang}done={done}", state.config.base_path)))
        }
        Saved::Missing => Err(PageError::NotFound),
        Saved::Refused(loaded, id, why) => {
            let language = stored_language(form.get("language"), &loaded.default_language).unwrap_or_default();
            let title = if id.is_empty() { "New article" } else { "Edit article" };
            let mut page = loaded.page(Frame::new(&state, &admin, "articles", title), &id, &language, draft);
            page.error = Some(why);
            refused(&page)
        }
    }
}
