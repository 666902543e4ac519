//! An article's page, and its "was this article helpful?" form.

use super::{chosen, counted_page, frame, lang_suffix, not_found, Frame, PageQuery, Visit};
use crate::db::articles::{self, Languages};
use crate::db::reports;
use crate::domain::articles::summary;
use crate::domain::report::ReportName;
use crate::ops::articles::default_language;
use crate::ops::articles::{Places, UNCATEGORISED};
use crate::state::AppState;
use crate::web::csrf;
use actix_web::http::{header, StatusCode};
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;

#[derive(Template)]
#[template(path = "help/article.html")]
struct ArticlePage {
    frame: Frame,
    title: String,
    /// Sanitised by ammonia when it was saved.
    content: String,
    updated: String,
    category: Option<(String, String)>,
    languages: Vec<(String, String)>,
    rating_action: String,
    csrf_token: String,
    rated: bool,
}

pub(super) async fn article_page(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
    query: web::Query<PageQuery>,
) -> HttpResponse {
    let (category_slug, slug) = path.into_inner();
    let (csrf_token, cookie) = csrf::token(&req);
    let mut response = counted_page(&state, move |conn, state| {
        let default = default_language(conn, state)?;
        let (language, _) = chosen(&query, &default);
        let stored_language = if language == default { "" } else { language.as_str() };
        let Some(article) = articles::find_by_slug(conn, stored_language, &slug)? else {
            return Ok(Err(not_found(conn, state, &language)?));
        };
        let category = articles::categories(conn)?.into_iter().find(|c| article.categories.contains(&c.id));
        if category.as_ref().map_or(UNCATEGORISED, |c| c.slug.as_str()) != category_slug {
            return Ok(Err(not_found(conn, state, &language)?));
        }
        let visit = Visit { report: ReportName::ArticlesViews, value: None, article: Some(article.id.clone()) };
        let places = Places::load(conn, &state.config.base_path)?;
        let mut languages = Vec::new();
        if let Some(original) = articles::find(conn, &article.id, &Languages::Default)? {
            languages.push((default.clone(), places.article_url(&original)));
        }
        for (code, _) in articles::translations_of(conn, &article.id)? {
            if let Some(version) = articles::find(conn, &article.id, &Languages::Preferred(code.clone()))? {
                languages.push((code, places.article_url(&version)));
            }
        }
        let page = ArticlePage {
            frame: frame(conn, state, &language, &article.title, &summary(&article.text, 160))?,
            rating_action: format!(
                "{}/rating{}",
                places.article_url(&article).split('?').next().unwrap_or_default(),
                lang_suffix(&language, &default)
            ),
            title: article.title,
            content: article.content,
            updated: article.update_time.get(..10).unwrap_or_default().to_string(),
            category: category.map(|c| {
                (c.title, format!("{}/help/{}{}", state.config.base_path, c.slug, lang_suffix(&language, &default)))
            }),
            languages,
            csrf_token,
            rated: query.rated.is_some(),
        };
        Ok(Ok((page, Some(visit))))
    })
    .await;
    if let Some(cookie) = cookie {
        let _ = response.add_cookie(&cookie);
    }
    response
}

#[derive(serde::Deserialize)]
pub(super) struct RatingForm {
    value: String,
    csrf_token: String,
}

/// Records a "was this helpful?" answer, then goes back to the article.
pub(super) async fn rate_article(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
    query: web::Query<PageQuery>,
    form: web::Form<RatingForm>,
) -> HttpResponse {
    if !csrf::verify(&req, &form.csrf_token) {
        return crate::web::failure_response(
            StatusCode::FORBIDDEN,
            crate::error::Failure::invalid("csrf_token", "the form expired; reload the page"),
        );
    }
    let rating = match form.value.as_str() {
        "1" => 1,
        "0" => -1,
        _ => {
            return crate::web::failure_response(
                StatusCode::BAD_REQUEST,
                crate::error::Failure::invalid("value", "expected 1 or 0"),
            )
        }
    };
    let (category, slug) = path.into_inner();
    let back_to = format!("{}/help/{category}/{slug}", state.config.base_path);
    let language = query.lang.as_deref().and_then(crate::i18n::normalize_code);
    let now = state.clock.now_text();
    let (lookup_language, shared) = (language.clone(), state.get_ref().clone());
    let found = state
        .write(move |tx| {
            let default = default_language(tx, &shared)?;
            let stored = lookup_language.filter(|l| *l != default).unwrap_or_default();
            let Some(article) = articles::find_by_slug(tx, &stored, &slug)? else { return Ok(false) };
            articles::add_rating(tx, &article.id, rating, &now)?;
            let rated = Some(rating.to_string());
            reports::record(tx, ReportName::ArticlesRatings, rated.as_deref(), Some(&article.id), None, &now)?;
            Ok(true)
        })
        .await;
    match found {
        Ok(true) => {
            let lang = language.map(|l| format!("lang={l}&")).unwrap_or_default();
            let back = format!("{back_to}?{lang}rated=1#rating");
            HttpResponse::SeeOther().insert_header((header::LOCATION, back)).finish()
        }
        Ok(false) => crate::web::not_found_response(),
        Err(_) => crate::web::failure_response(StatusCode::INTERNAL_SERVER_ERROR, crate::error::Failure::DatabaseError),
    }
}
