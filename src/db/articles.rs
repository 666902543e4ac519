//! Every statement about articles, their categories, links and ratings.

use rusqlite::types::Value as SqlValue;
use rusqlite::{params, params_from_iter, Connection, OptionalExtension, Row};
use std::collections::{HashMap, HashSet};

#[derive(Debug, Clone)]
pub struct CategoryRow {
    pub id: String,
    pub title: String,
    pub description: String,
    pub image: String,
    pub slug: String,
}

#[derive(Debug, Clone)]
pub struct ArticleRow {
    pub id: String,
    /// `""` for the default language.
    pub language: String,
    pub title: String,
    pub content: String,
    pub text: String,
    pub link: String,
    pub slug: String,
    pub update_time: String,
    pub categories: Vec<String>,
}

/// An article version to store; articles keep the order given, defaults first.
pub struct NewArticle {
    pub id: String,
    pub language: String,
    pub title: String,
    pub content: String,
    pub text: String,
    pub link: String,
    pub slug: String,
}

impl NewArticle {
    /// A version to store from one checked by `domain::articles::check_article`.
    pub fn from_checked(
        id: String,
        language: String,
        checked: crate::domain::articles::CheckedArticle,
        slug: String,
    ) -> Self {
        Self {
            id,
            language,
            title: checked.title,
            content: checked.content,
            text: checked.text,
            link: checked.link,
            slug,
        }
    }
}

/// Which language versions a read returns.
#[derive(Debug, Clone, PartialEq)]
pub enum Languages {
    Default,
    /// This language where a translation exists, the default version elsewhere.
    Preferred(String),
    All,
}

const ARTICLE_COLUMNS: &str = "a.id, a.language, a.title, a.content, a.text, a.link, a.slug, a.update_time";

fn article_from_row(row: &Row) -> rusqlite::Result<ArticleRow> {
    Ok(ArticleRow {
        id: row.get(0)?,
        language: row.get(1)?,
        title: row.get(2)?,
        content: row.get(3)?,
        text: row.get(4)?,
        link: row.get(5)?,
        slug: row.get(6)?,
        update_time: row.get(7)?,
        categories: Vec::new(),
    })
}

/// The SQL condition choosing the versions of `languages`, with its bound value.
fn language_condition(languages: &Languages, values: &mut Vec<SqlValue>) -> String {
    match languages {
        Languages::Default => "a.language = ''".into(),
        Languages::All => "1".into(),
        Languages::Preferred(code) => {
            values.push(code.clone().into());
            let p = values.len();
            format!(
                "(a.language = ?{p} OR (a.language = '' AND NOT EXISTS \
                 (SELECT 1 FROM articles t WHERE t.id = a.id AND t.language = ?{p})))"
            )
        }
    }
}

/// Articles in their saved order, optionally only one category's, at most `limit`.
pub fn list(
    conn: &Connection,
    languages: &Languages,
    category: Option<&str>,
    limit: i64,
) -> rusqlite::Result<Vec<ArticleRow>> {
    let mut values = Vec::new();
    let mut sql =
        format!("SELECT {ARTICLE_COLUMNS} FROM articles a WHERE {}", language_condition(languages, &mut values));
    if let Some(category) = category {
        values.push(category.to_string().into());
        sql.push_str(&format!(
            " AND a.id IN (SELECT article_id FROM article_category_links WHERE category_id = ?{})",
            values.len()
        ));
    }
    values.push(limit.into());
    sql.push_str(&format!(" ORDER BY a.position, a.language LIMIT ?{}", values.len()));
    with_categories(conn, &sql, values)
}

/// One article in the preferred language (or its default version).
pub fn find(conn: &Connection, id: &str, languages: &Languages) -> rusqlite::Result<Option<ArticleRow>> {
    let mut values = vec![SqlValue::from(id.to_string())];
    let condition = language_condition(languages, &mut values);
    let sql = format!(
        "SELECT {ARTICLE_COLUMNS} FROM articles a WHERE a.id = ?1 AND {condition} ORDER BY a.language DESC LIMIT 1"
    );
    Ok(with_categories(conn, &sql, values)?.into_iter().next())
}

/// The version of an article at a help-center address.
pub fn find_by_slug(conn: &Connection, language: &str, slug: &str) -> rusqlite::Result<Option<ArticleRow>> {
    let sql = format!("SELECT {ARTICLE_COLUMNS} FROM articles a WHERE a.language = ?1 AND a.slug = ?2");
    Ok(with_categories(conn, &sql, vec![language.to_string().into(), slug.to_string().into()])?.into_iter().next())
}

/// Languages an article is translated into, besides the default.
pub fn translations_of(conn: &Connection, id: &str) -> rusqlite::Result<Vec<(String, String)>> {
    let mut stmt =
        conn.prepare_cached("SELECT language, slug FROM articles WHERE id = ?1 AND language != '' ORDER BY language")?;
    let rows = stmt.query_map([id], |row| Ok((row.get(0)?, row.get(1)?)))?.collect();
    rows
}

/// Every language some article is translated into.
pub fn languages(conn: &Connection) -> rusqlite::Result<Vec<String>> {
    let mut stmt =
        conn.prepare_cached("SELECT DISTINCT language FROM articles WHERE language != '' ORDER BY language")?;
    let rows = stmt.query_map([], |row| row.get(0))?.collect();
    rows
}

/// Articles matching an FTS5 expression, best first (titles weigh ten times the text).
pub fn search(
    conn: &Connection,
    expression: &str,
    languages: &Languages,
    limit: i64,
) -> rusqlite::Result<Vec<ArticleRow>> {
    let mut values = vec![SqlValue::from(expression.to_string())];
    let condition = language_condition(languages, &mut values);
    values.push(limit.into());
    let sql = format!(
        "SELECT {ARTICLE_COLUMNS} FROM articles_fts JOIN articles a ON a.row_id = articles_fts.rowid
          WHERE articles_fts MATCH ?1 AND {condition}
          ORDER BY bm25(articles_fts, 10.0, 1.0) LIMIT ?{}",
        values.len()
    );
    with_categories(conn, &sql, values)
}

fn with_categories(conn: &Connection, sql: &str, values: Vec<SqlValue>) -> rusqlite::Result<Vec<ArticleRow>> {
    let mut stmt = conn.prepare_cached(sql)?;
    let mut rows: Vec<ArticleRow> =
        stmt.query_map(params_from_iter(values), article_from_row)?.collect::<Result<_, _>>()?;
    if rows.is_empty() {
        return Ok(rows);
    }
    let mut links: HashMap<String, Vec<String>> = HashMap::new();
    let mut stmt = conn
        .prepare_cached("SELECT article_id, category_id FROM article_category_links ORDER BY article_id, position")?;
    for link in stmt.query_map([], |row| Ok((row.get::<_, String>(0)?, row.get::<_, String>(1)?)))? {
        let (article, category) = link?;
        links.entry(article).or_default().push(category);
    }
    for row in &mut rows {
        row.categories = links.get(&row.id).cloned().unwrap_or_default();
    }
    Ok(rows)
}

/// Every version of one article, the default first.
pub fn versions(conn: &Connection, id: &str) -> rusqlite::Result<Vec<ArticleRow>> {
    let sql = format!("SELECT {ARTICLE_COLUMNS} FROM articles a WHERE a.id = ?1 ORDER BY a.language");
    with_categories(conn, &sql, vec![id.to_string().into()])
}

/// The slugs used in `language` by articles other than `except_id`.
pub fn slugs_taken(conn: &Connection, language: &str, except_id: &str) -> rusqlite::Result<HashSet<String>> {
    let mut stmt = conn.prepare_cached("SELECT slug FROM articles WHERE language = ?1 AND id != ?2")?;
    let rows = stmt.query_map([language, except_id], |row| row.get(0))?.collect();
    rows
}

/// Adds or replaces one version of one article. A new article goes last; its
/// translations share its position.
pub fn save_version(conn: &Connection, article: &NewArticle, now: &str) -> rusqlite::Result<()> {
    let position: i64 = conn
        .prepare_cached(
            "SELECT coalesce((SELECT position FROM articles WHERE id = ?1 LIMIT 1),
                             (SELECT max(position) + 1 FROM articles), 0)",
        )?
        .query_row([&article.id], |row| row.get(0))?;
    conn.prepare_cached(
        "INSERT INTO articles (id, language, title, content, text, link, slug, position, update_time)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
         ON CONFLICT (id, language) DO UPDATE SET title = excluded.title, content = excluded.content,
            text = excluded.text, link = excluded.link, slug = excluded.slug, update_time = excluded.update_time",
    )?
    .execute(params![
        article.id,
        article.language,
        article.title,
        article.content,
        article.text,
        article.link,
        article.slug,
        position,
        now
    ])?;
    Ok(())
}

/// Makes `categories` (in that order) the categories of article `id`.
pub fn set_categories(conn: &Connection, id: &str, categories: &[String]) -> rusqlite::Result<()> {
    conn.prepare_cached("DELETE FROM article_category_links WHERE article_id = ?1")?.execute([id])?;
    let mut link = conn
        .prepare_cached("INSERT INTO article_category_links (article_id, category_id, position) VALUES (?1, ?2, ?3)")?;
    for (position, category) in categories.iter().enumerate() {
        link.execute(params![id, category, position as i64])?;
    }
    Ok(())
}

/// Deletes every version of article `id` and its category links; answers whether it existed.
pub fn delete(conn: &Connection, id: &str) -> rusqlite::Result<bool> {
    conn.prepare_cached("DELETE FROM article_category_links WHERE article_id = ?1")?.execute([id])?;
    Ok(conn.prepare_cached("DELETE FROM articles WHERE id = ?1")?.execute([id])? > 0)
}

/// Deletes one translation (never the default version); answers whether it existed.
pub fn delete_translation(conn: &Connection, id: &str, language: &str) -> rusqlite::Result<bool> {
    Ok(conn
        .prepare_cached("DELETE FROM articles WHERE id = ?1 AND language = ?2 AND language != ''")?
        .execute([id, language])?
        > 0)
}

pub fn exists(conn: &Connection, id: &str) -> rusqlite::Result<bool> {
    conn.prepare_cached("SELECT EXISTS (SELECT 1 FROM articles WHERE id = ?1)")?.query_row([id], |row| row.get(0))
}

/// Replaces every article, translation and category link.
pub fn replace_all(
    conn: &Connection,
    articles: &[NewArticle],
    links: &[(String, String)],
    now: &str,
) -> rusqlite::Result<()> {
    conn.execute("DELETE FROM article_category_links", [])?;
    conn.execute("DELETE FROM articles", [])?;
    let mut insert = conn.prepare_cached(
        "INSERT INTO articles (id, language, title, content, text, link, slug, position, update_time)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    )?;
    // Every version of an article shares the position of its first (default) version.
    let mut positions: HashMap<&str, i64> = HashMap::new();
    for a in articles {
        let next = positions.len() as i64;
        let position = *positions.entry(a.id.as_str()).or_insert(next);
        insert.execute(params![a.id, a.language, a.title, a.content, a.text, a.link, a.slug, position, now])?;
    }
    let mut link = conn
        .prepare_cached("INSERT INTO article_category_links (article_id, category_id, position) VALUES (?1, ?2, ?3)")?;
    for (position, (article, category)) in links.iter().enumerate() {
        link.execute(params![article, category, position as i64])?;
    }
    Ok(())
}

fn category_from_row(row: &Row) -> rusqlite::Result<CategoryRow> {
    Ok(CategoryRow {
        id: row.get(0)?,
        title: row.get(1)?,
        description: row.get(2)?,
        image: row.get(3)?,
        slug: row.get(4)?,
    })
}

pub fn categories(conn: &Connection) -> rusqlite::Result<Vec<CategoryRow>> {
    let mut stmt =
        conn.prepare_cached("SELECT id, title, description, image, slug FROM article_categories ORDER BY position")?;
    let rows = stmt.query_map([], category_from_row)?.collect();
    rows
}

/// Makes the categories exactly `categories`, in that order. Categories that go
/// lose their links; the others keep them.
pub fn replace_categories(conn: &Connection, categories: &[CategoryRow]) -> rusqlite::Result<()> {
    let keep: Vec<SqlValue> = categories.iter().map(|c| SqlValue::from(c.id.clone())).collect();
    let placeholders = (1..=keep.len()).map(|i| format!("?{i}")).collect::<Vec<_>>().join(", ");
    conn.execute(&format!("DELETE FROM article_categories WHERE id NOT IN ({placeholders})"), params_from_iter(keep))?;
    // Slugs are unique: clear them first so categories can swap names.
    conn.execute("UPDATE article_categories SET slug = '~' || id", [])?;
    let mut upsert = conn.prepare_cached(
        "INSERT INTO article_categories (id, title, description, image, slug, position) VALUES (?1, ?2, ?3, ?4, ?5, ?6)
         ON CONFLICT (id) DO UPDATE SET title = excluded.title, description = excluded.description,
            image = excluded.image, slug = excluded.slug, position = excluded.position",
    )?;
    for (position, c) in categories.iter().enumerate() {
        upsert.execute(params![c.id, c.title, c.description, c.image, c.slug, position as i64])?;
    }
    Ok(())
}

pub fn category_by_slug(conn: &Connection, slug: &str) -> rusqlite::Result<Option<CategoryRow>> {
    conn.prepare_cached("SELECT id, title, description, image, slug FROM article_categories WHERE slug = ?1")?
        .query_row([slug], category_from_row)
        .optional()
}

pub fn add_rating(conn: &Connection, article_id: &str, rating: i64, now: &str) -> rusqlite::Result<()> {
    conn.prepare_cached("INSERT INTO article_ratings (article_id, rating, creation_time) VALUES (?1, ?2, ?3)")?
        .execute(params![article_id, rating, now])?;
    Ok(())
}

pub fn ratings(conn: &Connection, article_id: &str) -> rusqlite::Result<Vec<i64>> {
    let mut stmt = conn.prepare_cached("SELECT rating FROM article_ratings WHERE article_id = ?1 ORDER BY id")?;
    let rows = stmt.query_map([article_id], |row| row.get(0))?.collect();
    rows
}
