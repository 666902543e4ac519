//! The knowledge base's article list at `/admin/articles` (every article with its
//! language versions, categories and public page) and deleting an article or one
//! translation, after a confirmation page that works without JavaScript.
//! The editor is in `article_editor`, categories in `categories`.

use super::confirm::ConfirmPage;
use super::form::{Done, Fields};
use super::guard::Posted;
use super::{render, see_other, Frame, PageError};
use crate::db::articles::{self, Languages};
use crate::domain::articles::valid_id;
use crate::ops::articles::default_language;
use crate::ops::articles::Places;
use crate::state::AppState;
use crate::web::session::Admin;
use actix_web::{web, HttpResponse};
use askama::Template;

#[derive(Template)]
#[template(path = "admin/articles.html")]
struct ListPage {
    frame: Frame,
    notice: Option<&'static str>,
    articles: Vec<Listed>,
    category_count: usize,
}

struct Listed {
    id: String,
    title: String,
    edit_url: String,
    public_url: String,
    /// Language code and editor address of each version, the original first.
    languages: Vec<(String, String)>,
    categories: Vec<String>,
    updated: String,
}

pub async fn list_page(
    admin: Admin,
    state: web::Data<AppState>,
    query: web::Query<Done>,
) -> Result<HttpResponse, PageError> {
    let (base, shared) = (state.config.base_path.clone(), state.get_ref().clone());
    let (articles, category_count) = state
        .read(move |conn| {
            let default = default_language(conn, &shared)?;
            let places = Places::load(conn, &base)?;
            let categories = articles::categories(conn)?;
            let mut listed: Vec<Listed> = Vec::new();
            // Versions come in saved order, each article's default version first.
            for version in articles::list(conn, &Languages::All, None, i64::MAX)? {
                let edit_url = format!("{base}/admin/articles/{}", version.id);
                if version.language.is_empty() {
                    listed.push(Listed {
                        id: version.id.clone(),
                        title: version.title.clone(),
                        public_url: places.article_url(&version),
                        languages: vec![(default.clone(), edit_url.clone())],
                        categories: version
                            .categories
                            .iter()
                            .filter_map(|id| categories.iter().find(|c| c.id == *id).map(|c| c.title.clone()))
                            .collect(),
                        updated: version.update_time.clone(),
                        edit_url,
                    });
                } else if let Some(article) = listed.iter_mut().rev().find(|a| a.id == version.id) {
                    article.languages.push((version.language.clone(), format!("{edit_url}?lang={}", version.language)));
                }
            }
            Ok((listed, categories.len()))
        })
        .await?;
    render(&ListPage {
        frame: Frame::new(&state, &admin, "articles", "Knowledge base"),
        notice: super::notice::text(query.done.as_deref()),
        articles,
        category_count,
    })
}

#[derive(serde::Deserialize, Default)]
pub struct LangQuery {
    lang: Option<String>,
}

pub async fn delete_page(
    admin: Admin,
    state: web::Data<AppState>,
    path: web::Path<String>,
    query: web::Query<LangQuery>,
) -> Result<HttpResponse, PageError> {
    let id = path.into_inner();
    if !valid_id(&id) {
        return Err(PageError::NotFound);
    }
    let (lookup, shared) = (id.clone(), state.get_ref().clone());
    let (default, versions) =
        state.read(move |conn| Ok((default_language(conn, &shared)?, articles::versions(conn, &lookup)?))).await?;
    let language = query.lang.as_deref().and_then(crate::i18n::normalize_code).filter(|l| *l != default);
    let Some(original) = versions.iter().find(|v| v.language.is_empty()) else { return Err(PageError::NotFound) };
    let base = &state.config.base_path;
    let (heading, message, cancel_url) = match &language {
        Some(code) if versions.iter().any(|v| v.language == *code) => (
            format!("Delete the {code} translation?"),
            format!("The {code} version of “{}” will be deleted. The original and other translations stay.", original.title),
            format!("{base}/admin/articles/{id}?lang={code}"),
        ),
        Some(_) => return Err(PageError::NotFound),
        None => (
            "Delete this article?".to_string(),
            format!(
                "“{}” and its {} translation(s) will be deleted, and its help-center page will be gone. This cannot be undone.",
                original.title,
                versions.len() - 1
            ),
            format!("{base}/admin/articles/{id}"),
        ),
    };
    render(&ConfirmPage {
        frame: Frame::new(&state, &admin, "articles", &heading),
        question: heading,
        explanation: message,
        action: format!("{base}/admin/articles/{id}/delete"),
        button: if language.is_some() { "Delete the translation" } else { "Delete the article" },
        cancel: cancel_url,
        fields: vec![("language", language.unwrap_or_default())],
    })
}

pub async fn delete(
    state: web::Data<AppState>,
    path: web::Path<String>,
    Posted { admin, form }: Posted<Fields>,
) -> Result<HttpResponse, PageError> {
    let id = path.into_inner();
    let language = crate::i18n::normalize_code(form.text("language"));
    let (now, actor) = (state.clock.now_text(), admin.actor());
    let target = id.clone();
    // Some(true): a translation went; Some(false): the whole article; None: nothing.
    let shared = state.get_ref().clone();
    let deleted = state
        .session(move |db| {
            let conn = db.conn()?;
            let default = default_language(conn, &shared)?;
            db.write(move |tx| {
                let translation = language.filter(|l| *l != default);
                let deleted = crate::ops::articles::delete(tx, &target, translation.as_deref(), &now, &actor)?;
                Ok(deleted.then_some(translation.is_some()))
            })
        })
        .await?;
    let base = &state.config.base_path;
    match deleted {
        Some(true) => Ok(see_other(format!("{base}/admin/articles/{id}?done=translation-deleted"))),
        Some(false) => Ok(see_other(format!("{base}/admin/articles?done=deleted"))),
        None => Err(PageError::NotFound),
    }
}
