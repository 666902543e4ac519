//! The public help center at `/help`: home with categories and search, category
//! pages, article pages with "was this helpful?", a language switcher, and a
//! sitemap. Pages work without JavaScript; article views are counted for reports.

mod article;

use crate::db::articles::{self, ArticleRow, CategoryRow, Languages};
use crate::db::{reports, search};
use crate::domain::articles::summary;
use crate::domain::report::ReportName;
use crate::error::{ApiError, ApiResult};
use crate::ops::articles::default_language;
use crate::ops::articles::Places;
use crate::state::AppState;
use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use askama::Template;
use rusqlite::Connection;

pub fn routes(config: &mut web::ServiceConfig) {
    config
        .route("/help", web::get().to(home_page))
        .route("/help/", web::get().to(home_page))
        .route("/help/sitemap.xml", web::get().to(sitemap))
        .route("/help/search", web::get().to(search_page))
        .route("/help/{category}", web::get().to(category_page))
        .route("/help/{category}/{article}", web::get().to(article::article_page))
        .route("/help/{category}/{article}/rating", web::post().to(article::rate_article));
}

#[derive(serde::Deserialize, Default)]
pub struct PageQuery {
    lang: Option<String>,
    q: Option<String>,
    rated: Option<String>,
}

/// What every help page shows around its content.
struct Frame {
    base_path: String,
    site_title: String,
    language: String,
    page_title: String,
    description: String,
}

struct ArticleLink {
    title: String,
    url: String,
    summary: String,
}

#[derive(Template)]
#[template(path = "help/home.html")]
struct HomePage {
    frame: Frame,
    intro: String,
    categories: Vec<(CategoryRow, String, usize)>,
    uncategorised: Vec<ArticleLink>,
    languages: Vec<(String, String)>,
}

#[derive(Template)]
#[template(path = "help/category.html")]
struct CategoryPage {
    frame: Frame,
    category: CategoryRow,
    articles: Vec<ArticleLink>,
}

#[derive(Template)]
#[template(path = "help/search.html")]
struct SearchPage {
    frame: Frame,
    query: String,
    results: Vec<ArticleLink>,
}

impl HomePage {
    fn articles_or_results(&self) -> &[ArticleLink] {
        &self.uncategorised
    }
}

impl CategoryPage {
    fn articles_or_results(&self) -> &[ArticleLink] {
        &self.articles
    }
}

impl SearchPage {
    fn articles_or_results(&self) -> &[ArticleLink] {
        &self.results
    }
}

#[derive(Template)]
#[template(path = "help/not_found.html")]
struct NotFoundPage {
    frame: Frame,
}

#[derive(Template)]
#[template(path = "help/sitemap.xml")]
struct Sitemap {
    urls: Vec<String>,
}

/// The language a page is shown in (`?lang=`), and what to read for it.
fn chosen(query: &PageQuery, default: &str) -> (String, Languages) {
    match query.lang.as_deref().and_then(crate::i18n::normalize_code) {
        Some(code) if code != default => (code.clone(), Languages::Preferred(code)),
        _ => (default.to_string(), Languages::Default),
    }
}

fn frame(conn: &Connection, state: &AppState, language: &str, page_title: &str, description: &str) -> ApiResult<Frame> {
    let site_title = state.settings(conn)?.help_center_title.clone();
    let page_title = if page_title.is_empty() { site_title.clone() } else { format!("{page_title} · {site_title}") };
    Ok(Frame {
        base_path: state.config.base_path.clone(),
        site_title,
        language: language.to_string(),
        page_title,
        description: description.to_string(),
    })
}

fn links(places: &Places, rows: &[ArticleRow]) -> Vec<ArticleLink> {
    rows.iter()
        .map(|a| ArticleLink { title: a.title.clone(), url: places.article_url(a), summary: summary(&a.text, 160) })
        .collect()
}

/// A view or a search to count for the reports once the page is read.
struct Visit {
    report: ReportName,
    value: Option<String>,
    article: Option<String>,
}

/// Runs `build` on the blocking pool and renders what it returns.
async fn page<T, F>(state: &web::Data<AppState>, build: F) -> HttpResponse
where
    T: Template + Send + 'static,
    F: FnOnce(&Connection, &AppState) -> ApiResult<Result<T, NotFoundPage>> + Send + 'static,
{
    counted_page(state, move |conn, state| Ok(build(conn, state)?.map(|page| (page, None)))).await
}

/// [`page`] for pages that count a [`Visit`]: it is written after the read, so the
/// page's connection is back in the pool while the write commits, and a failed
/// count is logged without costing the visitor the page.
async fn counted_page<T, F>(state: &web::Data<AppState>, build: F) -> HttpResponse
where
    T: Template + Send + 'static,
    F: FnOnce(&Connection, &AppState) -> ApiResult<Result<(T, Option<Visit>), NotFoundPage>> + Send + 'static,
{
    let shared = state.get_ref().clone();
    match state.read(move |conn| build(conn, &shared)).await {
        Ok(Ok((page, visit))) => {
            if let Some(visit) = visit {
                let now = state.clock.now_text();
                let counted = state
                    .write(move |tx| {
                        let (value, article) = (visit.value.as_deref(), visit.article.as_deref());
                        Ok(reports::record(tx, visit.report, value, article, None, &now)?)
                    })
                    .await;
                if let Err(err) = counted {
                    tracing::warn!(?err, "a help-center visit could not be counted");
                }
            }
            render(StatusCode::OK, &page)
        }
        Ok(Err(not_found)) => render(StatusCode::NOT_FOUND, &not_found),
        Err(ApiError::Failure(failure)) => super::failure_response(StatusCode::INTERNAL_SERVER_ERROR, failure),
        Err(ApiError::Outcome(_)) => super::not_found_response(),
    }
}

fn render(status: StatusCode, page: &impl Template) -> HttpResponse {
    match page.render() {
        Ok(html) => HttpResponse::build(status).content_type("text/html; charset=utf-8").body(html),
        Err(err) => {
            tracing::error!(error = %err, "help template failed");
            super::failure_response(StatusCode::INTERNAL_SERVER_ERROR, crate::error::Failure::InternalError)
        }
    }
}

fn not_found(conn: &Connection, state: &AppState, language: &str) -> ApiResult<NotFoundPage> {
    Ok(NotFoundPage { frame: frame(conn, state, language, "Not found", "")? })
}

async fn home_page(state: web::Data<AppState>, query: web::Query<PageQuery>) -> HttpResponse {
    page(&state, move |conn, state| {
        let default = default_language(conn, state)?;
        let (language, languages) = chosen(&query, &default);
        let places = Places::load(conn, &state.config.base_path)?;
        let all = articles::list(conn, &languages, None, i64::MAX)?;
        let categories = articles::categories(conn)?
            .into_iter()
            .map(|c| {
                let count = all.iter().filter(|a| a.categories.contains(&c.id)).count();
                let url = format!("{}/help/{}{}", state.config.base_path, c.slug, lang_suffix(&language, &default));
                (c, url, count)
            })
            .collect();
        let loose: Vec<ArticleRow> = all.iter().filter(|a| a.categories.is_empty()).cloned().collect();
        let intro = state.settings(conn)?.help_center_description.clone();
        let mut languages = vec![(default.clone(), format!("{}/help", state.config.base_path))];
        for code in articles::languages(conn)? {
            languages.push((code.clone(), format!("{}/help?lang={code}", state.config.base_path)));
        }
        Ok(Ok(HomePage {
            frame: frame(conn, state, &language, "", &intro)?,
            intro,
            categories,
            uncategorised: links(&places, &loose),
            languages,
        }))
    })
    .await
}

fn lang_suffix(language: &str, default: &str) -> String {
    if language == default {
        String::new()
    } else {
        format!("?lang={language}")
    }
}

async fn category_page(
    state: web::Data<AppState>,
    path: web::Path<String>,
    query: web::Query<PageQuery>,
) -> HttpResponse {
    let slug = path.into_inner();
    page(&state, move |conn, state| {
        let default = default_language(conn, state)?;
        let (language, languages) = chosen(&query, &default);
        let Some(category) = articles::category_by_slug(conn, &slug)? else {
            return Ok(Err(not_found(conn, state, &language)?));
        };
        let places = Places::load(conn, &state.config.base_path)?;
        let rows = articles::list(conn, &languages, Some(&category.id), i64::MAX)?;
        Ok(Ok(CategoryPage {
            frame: frame(conn, state, &language, &category.title, &category.description)?,
            articles: links(&places, &rows),
            category,
        }))
    })
    .await
}

async fn search_page(state: web::Data<AppState>, query: web::Query<PageQuery>) -> HttpResponse {
    counted_page(&state, move |conn, state| {
        let default = default_language(conn, state)?;
        let (language, languages) = chosen(&query, &default);
        let text = query.q.clone().unwrap_or_default().chars().take(255).collect::<String>();
        let places = Places::load(conn, &state.config.base_path)?;
        let (rows, visit) = match search::match_query(&text) {
            Some(expression) => {
                let searched = Some(text.trim().to_string());
                let visit = Visit { report: ReportName::ArticlesSearches, value: searched, article: None };
                (articles::search(conn, &expression, &languages, 50)?, Some(visit))
            }
            None => (vec![], None),
        };
        let page = SearchPage {
            frame: frame(conn, state, &language, "Search", "")?,
            query: text,
            results: links(&places, &rows),
        };
        Ok(Ok((page, visit)))
    })
    .await
}

async fn sitemap(state: web::Data<AppState>) -> HttpResponse {
    let shared = state.get_ref().clone();
    let built = state
        .read(move |conn| {
            let places = Places::load(conn, &shared.config.public_base())?;
            let base = shared.config.public_base();
            let mut urls = vec![format!("{base}/help")];
            urls.extend(articles::categories(conn)?.iter().map(|c| format!("{base}/help/{}", c.slug)));
            urls.extend(articles::list(conn, &Languages::All, None, i64::MAX)?.iter().map(|a| places.article_url(a)));
            Ok(Sitemap { urls })
        })
        .await;
    match built.map(|sitemap| sitemap.render()) {
        Ok(Ok(xml)) => HttpResponse::Ok().content_type("application/xml; charset=utf-8").body(xml),
        _ => super::failure_response(StatusCode::INTERNAL_SERVER_ERROR, crate::error::Failure::InternalError),
    }
}
