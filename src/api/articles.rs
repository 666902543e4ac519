//! The knowledge base: articles with translations and categories, search and
//! ratings. Article HTML is sanitised on save; IDs are short random strings.

use super::Call;
use crate::db::articles::{self, ArticleRow, CategoryRow, Languages, NewArticle};
use crate::db::search;
use crate::domain::articles::{check_article, check_category, new_id, summary, unique_slug};
use crate::error::{ApiResult, Failure, Outcome};
use crate::ops::{self, articles::default_language};
use rusqlite::Connection;
use serde_json::{json, Value};
use std::collections::HashSet;

const SUMMARY_CHARS: usize = 100;
const MAX_ARTICLES: usize = 5_000;

/// `articles_language`: absent or `false` is the default language, `all` every
/// version, a code that language with the default as fallback per article.
fn languages_arg(call: &Call) -> ApiResult<Languages> {
    let default = default_language(call.db.conn()?, call.state)?;
    match call.args.text_max("articles_language", 16)?.map(|l| l.trim().to_string()) {
        None => Ok(Languages::Default),
        Some(l) if l.is_empty() || l == "false" => Ok(Languages::Default),
        Some(l) if l == "all" => Ok(Languages::All),
        Some(l) => match crate::i18n::normalize_code(&l) {
            Some(code) if code == default => Ok(Languages::Default),
            Some(code) => Ok(Languages::Preferred(code)),
            None => Err(Failure::invalid("articles_language", "expected a language code such as es, or all").into()),
        },
    }
}

/// What every article in one answer shares: the default language and where the
/// help center shows each category.
struct Shared {
    default: String,
    places: crate::ops::articles::Places,
}

impl Shared {
    fn load(call: &Call) -> ApiResult<Self> {
        Ok(Self {
            default: default_language(call.db.conn()?, call.state)?,
            places: crate::ops::articles::Places::load(call.db.conn()?, &call.state.config.public_base())?,
        })
    }
}

fn article_json(article: &ArticleRow, full: bool, shared: &Shared) -> Value {
    let language = if article.language.is_empty() { shared.default.as_str() } else { &article.language };
    let content = if full { article.content.clone() } else { summary(&article.text, SUMMARY_CHARS) };
    json!({
        "id": article.id,
        "title": article.title,
        "content": content,
        "link": article.link,
        "categories": article.categories,
        "language": language,
        "url": shared.places.article_url(article),
        "update_time": article.update_time,
    })
}

pub fn get_articles(call: &mut Call) -> ApiResult<Value> {
    let languages = languages_arg(call)?;
    let full = call.args.bool_or("full", false)?;
    let shared = Shared::load(call)?;
    if let Some(id) = call.args.text_max("id", 32)?.filter(|id| !matches!(id.trim(), "" | "-1" | "false")) {
        return Ok(match articles::find(call.db.conn()?, id.trim(), &languages)? {
            Some(article) => article_json(&article, true, &shared),
            None => json!(false),
        });
    }
    let limit = match call.args.int("count")? {
        Some(count) if count > 0 => count,
        Some(_) => return Err(Failure::invalid("count", "expected a positive number").into()),
        None => i64::MAX,
    };
    // `categories`: true adds the category list; another value is a category ID to filter by.
    let (with_categories, category) = match call.args.text_max("categories", 32)?.map(|c| c.trim().to_string()) {
        Some(c) if c == "true" || c == "1" => (true, None),
        Some(c) if c.is_empty() || c == "false" || c == "0" => (false, None),
        Some(c) => (false, Some(c)),
        None => (false, None),
    };
    let rows = articles::list(call.db.conn()?, &languages, category.as_deref(), limit)?;
    let list: Vec<Value> = rows.iter().map(|a| article_json(a, full, &shared)).collect();
    if with_categories {
        Ok(json!([list, categories_json(call.db.conn()?)?]))
    } else {
        Ok(Value::Array(list))
    }
}

pub fn search_articles(call: &mut Call) -> ApiResult<Value> {
    let text = call.args.required_text("search", 255)?;
    let languages = languages_arg(call)?;
    let Some(expression) = search::match_query(&text) else { return Ok(json!([])) };
    let shared = Shared::load(call)?;
    let rows = articles::search(call.db.conn()?, &expression, &languages, 100)?;
    Ok(rows.iter().map(|a| article_json(a, false, &shared)).collect())
}

/// Replaces every article and translation in one transaction; a bad item anywhere
/// changes nothing.
pub fn save_articles(call: &mut Call) -> ApiResult<Value> {
    let sent = call.args.json("articles")?.ok_or(Failure::MissingArgument("articles"))?;
    let items = match sent {
        Value::Object(mut map) if map.contains_key("articles") => map.remove("articles").unwrap_or_default(),
        other => other,
    };
    let Value::Array(items) = items else {
        return Err(Failure::invalid("articles", "expected a list of articles").into());
    };
    if items.len() > MAX_ARTICLES {
        return Err(Failure::invalid("articles", format!("more than {MAX_ARTICLES} articles")).into());
    }
    let known_categories: HashSet<String> = articles::categories(call.db.conn()?)?.into_iter().map(|c| c.id).collect();
    let mut stored = Vec::with_capacity(items.len());
    let mut links = Vec::new();
    let mut ids = HashSet::new();
    let mut slugs = HashSet::new();
    for item in &items {
        let article = article_from(item, "", "articles", &mut slugs)?;
        if !ids.insert(article.id.clone()) {
            return Err(Failure::invalid("articles", format!("the ID '{}' is used twice", article.id)).into());
        }
        for category in string_list(item.get("categories"), "articles")? {
            if !known_categories.contains(&category) {
                return Err(Failure::invalid("articles", format!("no category has the ID '{category}'")).into());
            }
            links.push((article.id.clone(), category));
        }
        stored.push(article);
    }
    if let Some(translations) = call.args.json("translations")? {
        let Value::Object(languages) = translations else {
            return Err(Failure::invalid("translations", "expected {\"es\": [articles], …}").into());
        };
        for (language, items) in languages {
            let code = crate::i18n::normalize_code(&language)
                .ok_or_else(|| Failure::invalid("translations", format!("'{language}' is not a language code")))?;
            let Value::Array(items) = items else {
                return Err(Failure::invalid("translations", "expected lists of articles").into());
            };
            let mut slugs = HashSet::new();
            for item in &items {
                let article = article_from(item, &code, "translations", &mut slugs)?;
                if !ids.contains(&article.id) {
                    return Err(
                        Failure::invalid("translations", format!("no article has the ID '{}'", article.id)).into()
                    );
                }
                stored.push(article);
            }
        }
    }
    let (now, actor) = (call.now(), call.actor());
    call.write(move |tx| Ok(ops::articles::replace_all(tx, &stored, &links, &now, &actor)?))?;
    Ok(json!(true))
}

fn article_from(item: &Value, language: &str, argument: &str, slugs: &mut HashSet<String>) -> ApiResult<NewArticle> {
    let field = |name: &str| {
        item.get(name).and_then(|v| v.as_str().map(str::to_string).or_else(|| v.as_i64().map(|n| n.to_string())))
    };
    let id = field("id").map(|id| id.trim().to_string()).filter(|id| !id.is_empty()).unwrap_or_else(new_id);
    let checked = check_article(
        &id,
        &field("title").unwrap_or_default(),
        &field("content").unwrap_or_default(),
        &field("link").unwrap_or_default(),
    )
    .map_err(|why| Failure::invalid(argument, why))?;
    let slug = unique_slug(&checked.title, slugs);
    Ok(NewArticle::from_checked(id, language.to_string(), checked, slug))
}

fn string_list(value: Option<&Value>, argument: &str) -> ApiResult<Vec<String>> {
    match value {
        None | Some(Value::Null) => Ok(vec![]),
        Some(Value::Array(items)) => items
            .iter()
            .map(|i| {
                i.as_str()
                    .map(str::to_string)
                    .ok_or_else(|| Failure::invalid(argument, "categories must be a list of IDs").into())
            })
            .collect(),
        Some(Value::String(s)) if s.is_empty() => Ok(vec![]),
        Some(_) => Err(Failure::invalid(argument, "categories must be a list of IDs").into()),
    }
}

fn categories_json(conn: &Connection) -> ApiResult<Value> {
    Ok(articles::categories(conn)?
        .iter()
        .map(|c| json!({ "id": c.id, "title": c.title, "description": c.description, "image": c.image }))
        .collect())
}

pub fn get_articles_categories(call: &mut Call) -> ApiResult<Value> {
    categories_json(call.db.conn()?)
}

/// Makes the categories exactly the list given; articles keep their links to the
/// categories that stay.
pub fn save_articles_categories(call: &mut Call) -> ApiResult<Value> {
    let sent = call.args.json("categories")?.ok_or(Failure::MissingArgument("categories"))?;
    let items = match sent {
        Value::Object(mut map) if map.contains_key("categories") => map.remove("categories").unwrap_or_default(),
        other => other,
    };
    let Value::Array(items) = items else {
        return Err(Failure::invalid("categories", "expected a list of categories").into());
    };
    let mut rows = Vec::with_capacity(items.len());
    let mut ids = HashSet::new();
    let mut slugs = HashSet::new();
    for item in &items {
        let field =
            |name: &str| item.get(name).and_then(Value::as_str).map(|s| s.trim().to_string()).unwrap_or_default();
        let id = Some(field("id")).filter(|id| !id.is_empty()).unwrap_or_else(new_id);
        let checked = check_category(&id, &field("title"), &field("description"), &field("image"))
            .map_err(|why| Failure::invalid("categories", why))?;
        if !ids.insert(id.clone()) {
            return Err(Failure::invalid(
                "categories",
                format!("category '{id}' needs a unique ID, a title and an http(s) image if any"),
            )
            .into());
        }
        let slug = unique_slug(&checked.title, &mut slugs);
        rows.push(CategoryRow {
            id,
            title: checked.title,
            description: checked.description,
            image: checked.image,
            slug,
        });
    }
    let (now, actor) = (call.now(), call.actor());
    call.write(move |tx| Ok(ops::articles::replace_categories(tx, &rows, &now, &actor)?))?;
    Ok(json!(true))
}

/// With `rating` (1 helpful, 0 not): records it and answers `true`. Without:
/// the article's ratings as the contract shows them, a JSON list in a string.
pub fn article_ratings(call: &mut Call) -> ApiResult<Value> {
    let id = call.args.required_text("article_id", 32)?.trim().to_string();
    let rating = match call.args.text("rating")?.as_deref().map(str::trim) {
        None | Some("") | Some("false") => None,
        Some("1") => Some(1),
        Some("0") | Some("-1") => Some(-1),
        Some(_) => return Err(Failure::invalid("rating", "expected 1 (helpful) or 0 (not helpful)").into()),
    };
    match rating {
        Some(rating) => {
            let now = call.now();
            call.write(move |tx| {
                if !articles::exists(tx, &id)? {
                    return Err(Outcome::ArticleNotFound.into());
                }
                articles::add_rating(tx, &id, rating, &now)?;
                Ok(json!(true))
            })
        }
        None if !articles::exists(call.db.conn()?, &id)? => Ok(json!(false)),
        None => Ok(json!(serde_json::to_string(&articles::ratings(call.db.conn()?, &id)?).unwrap_or_default())),
    }
}
