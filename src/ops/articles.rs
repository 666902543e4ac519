//! The knowledge base as every front door reads it (the default language, and
//! where the help center shows each article) and changes it: every change by a
//! person or a token is recorded in the audit log in the same write.

use crate::db::articles::{self, ArticleRow, CategoryRow, NewArticle};
use crate::domain::audit::Actor;
use crate::state::AppState;
use rusqlite::Connection;
use serde_json::json;
use std::collections::HashMap;

/// The default language's code (the `default-language` setting, `en` unless set).
pub fn default_language(conn: &Connection, state: &AppState) -> rusqlite::Result<String> {
    let code = state.settings(conn)?.default_language.clone();
    Ok(crate::i18n::normalize_code(&code).unwrap_or_else(|| "en".into()))
}

/// Articles outside every category live under this segment.
pub const UNCATEGORISED: &str = "articles";

/// Where the help center shows things: category slugs by ID, and the base URL.
pub struct Places {
    base: String,
    slugs: HashMap<String, String>,
}

impl Places {
    pub fn load(conn: &Connection, base: &str) -> rusqlite::Result<Self> {
        let slugs = articles::categories(conn)?.into_iter().map(|c| (c.id, c.slug)).collect();
        Ok(Self { base: base.to_string(), slugs })
    }

    fn category_path(&self, article: &ArticleRow) -> &str {
        article.categories.iter().find_map(|id| self.slugs.get(id)).map_or(UNCATEGORISED, String::as_str)
    }

    /// The canonical address of an article version.
    pub fn article_url(&self, article: &ArticleRow) -> String {
        let lang = if article.language.is_empty() { String::new() } else { format!("?lang={}", article.language) };
        format!("{}/help/{}/{}{lang}", self.base, self.category_path(article), article.slug)
    }
}

fn article_target(id: &str) -> Option<String> {
    Some(format!("article {id}"))
}

/// Makes the articles exactly `stored` (save-articles). Call inside a write.
pub fn replace_all(
    tx: &Connection,
    stored: &[NewArticle],
    links: &[(String, String)],
    now: &str,
    actor: &Actor,
) -> rusqlite::Result<()> {
    articles::replace_all(tx, stored, links, now)?;
    let ids: Vec<&str> = stored.iter().map(|a| a.id.as_str()).collect();
    super::audit::record(tx, now, actor, "article.replace-all", None, json!({ "articles": ids }))
}

/// Saves a version of one article (and, for the default language, its
/// categories), as the admin area's editor does. Call inside a write.
pub fn save_version(
    tx: &Connection,
    version: &NewArticle,
    categories: Option<&[String]>,
    now: &str,
    actor: &Actor,
) -> rusqlite::Result<()> {
    articles::save_version(tx, version, now)?;
    if let Some(categories) = categories {
        articles::set_categories(tx, &version.id, categories)?;
    }
    let details = json!({ "language": version.language, "title": version.title });
    super::audit::record(tx, now, actor, "article.save", article_target(&version.id), details)
}

/// Deletes article `id`, or only its translation to `language`; false when there
/// was nothing to delete. Call inside a write.
pub fn delete(tx: &Connection, id: &str, language: Option<&str>, now: &str, actor: &Actor) -> rusqlite::Result<bool> {
    let deleted = match language {
        Some(code) => articles::delete_translation(tx, id, code)?,
        None => articles::delete(tx, id)?,
    };
    if deleted {
        super::audit::record(tx, now, actor, "article.delete", article_target(id), json!({ "language": language }))?;
    }
    Ok(deleted)
}

/// Makes the categories exactly `categories`. Call inside a write.
pub fn replace_categories(
    tx: &Connection,
    categories: &[CategoryRow],
    now: &str,
    actor: &Actor,
) -> rusqlite::Result<()> {
    articles::replace_categories(tx, categories)?;
    let ids: Vec<&str> = categories.iter().map(|c| c.id.as_str()).collect();
    super::audit::record(tx, now, actor, "article.categories", None, json!({ "categories": ids }))
}
