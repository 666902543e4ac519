//! The knowledge base as every front door reads it: the default language, and
//! where the help center shows each article.

use crate::db::articles::{self, ArticleRow};
use crate::state::AppState;
use rusqlite::Connection;
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
