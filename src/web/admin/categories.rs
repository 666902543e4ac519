//! The category editor at `/admin/articles/categories`: rename, describe and
//! reorder categories and add one, in one form; delete one after a confirmation
//! page. Categories are checked by `domain::articles::check_category` and stored
//! by `db::articles::replace_categories`, as save-articles-categories does.

use super::confirm::ConfirmPage;
use super::form::{refused, Done, Fields};
use super::guard::Posted;
use super::{render, see_other, Frame, PageError};
use crate::db::articles::{self, CategoryRow};
use crate::domain::articles::{check_category, new_id, unique_slug, valid_id};
use crate::state::AppState;
use crate::web::session::Admin;
use actix_web::{web, HttpResponse};
use askama::Template;
use std::collections::HashSet;

#[derive(Template)]
#[template(path = "admin/categories.html")]
struct CategoriesPage {
    frame: Frame,
    notice: Option<&'static str>,
    error: Option<String>,
    rows: Vec<Row>,
    new_row: Row,
}

/// One category as the form shows it.
#[derive(Clone, Default)]
struct Row {
    id: String,
    title: String,
    description: String,
    image: String,
}

impl Row {
    fn of(category: &CategoryRow) -> Self {
        Row {
            id: category.id.clone(),
            title: category.title.clone(),
            description: category.description.clone(),
            image: category.image.clone(),
        }
    }
}

pub async fn categories_page(
    admin: Admin,
    state: web::Data<AppState>,
    query: web::Query<Done>,
) -> Result<HttpResponse, PageError> {
    let categories = state.read(|conn| Ok(articles::categories(conn)?)).await?;
    render(&CategoriesPage {
        frame: Frame::new(&state, &admin, "articles", "Categories"),
        notice: super::notice::text(query.done.as_deref()),
        error: None,
        rows: categories.iter().map(Row::of).collect(),
        new_row: Row::default(),
    })
}

/// The rows of the form in order, with a "move up/down" button applied.
fn rows_of(form: &Fields) -> (Vec<Row>, Row) {
    let mut rows = Vec::new();
    for i in 0.. {
        let Some(id) = form.get(&format!("c{i}.id")) else { break };
        let field = |name: &str| form.text(&format!("c{i}.{name}")).to_string();
        rows.push(Row {
            id: id.to_string(),
            title: field("title"),
            description: field("description"),
            image: field("image"),
        });
    }
    if let Some((direction, id)) = form.text("move").split_once(':') {
        if let Some(at) = rows.iter().position(|r| r.id == id) {
            match direction {
                "up" if at > 0 => rows.swap(at, at - 1),
                "down" if at + 1 < rows.len() => rows.swap(at, at + 1),
                _ => {}
            }
        }
    }
    let new_row = Row {
        id: String::new(),
        title: form.text("new.title").to_string(),
        description: form.text("new.description").to_string(),
        image: form.text("new.image").to_string(),
    };
    (rows, new_row)
}

/// Categories to store: the form's rows in order, a new one if it has a title,
/// then any category the form did not show (added meanwhile), so that nothing is
/// deleted but through the delete page.
fn checked(rows: &[Row], new_row: &Row, stored: &[CategoryRow]) -> Result<Vec<CategoryRow>, String> {
    let mut wanted: Vec<Row> = rows.to_vec();
    if !new_row.title.trim().is_empty() {
        let taken: HashSet<&str> =
            stored.iter().map(|c| c.id.as_str()).chain(rows.iter().map(|r| r.id.as_str())).collect();
        let id = std::iter::repeat_with(new_id).find(|id| !taken.contains(id.as_str())).unwrap_or_default();
        wanted.push(Row { id, ..new_row.clone() });
    }
    wanted.extend(stored.iter().filter(|c| !rows.iter().any(|r| r.id == c.id)).map(Row::of));
    let (mut ids, mut slugs) = (HashSet::new(), HashSet::new());
    let mut categories = Vec::with_capacity(wanted.len());
    for row in wanted {
        let checked = check_category(&row.id, &row.title, &row.description, &row.image).map_err(|_| {
            let name = if row.title.trim().is_empty() { row.id.clone() } else { row.title.trim().to_string() };
            format!("“{name}” needs a title of at most 255 characters and, if it has an image, an http or https URL")
        })?;
        if !ids.insert(row.id.clone()) {
            return Err(format!("the category ID '{}' is used twice", row.id));
        }
        let slug = unique_slug(&checked.title, &mut slugs);
        categories.push(CategoryRow {
            id: row.id,
            title: checked.title,
            description: checked.description,
            image: checked.image,
            slug,
        });
    }
    Ok(categories)
}

pub async fn save(
    state: web::Data<AppState>,
    Posted { admin, form }: Posted<Fields>,
) -> Result<HttpResponse, PageError> {
    let (rows, new_row) = rows_of(&form);
    let (sent_rows, sent_new) = (rows.clone(), new_row.clone());
    let (now, actor) = (state.clock.now_text(), admin.actor());
    let outcome = state
        .session(move |db| {
            let conn = db.conn()?;
            let stored = articles::categories(conn)?;
            match checked(&sent_rows, &sent_new, &stored) {
                Ok(categories) => {
                    db.write(move |tx| crate::ops::articles::replace_categories(tx, &categories, &now, &actor))?;
                    Ok(Ok(()))
                }
                Err(why) => Ok(Err(why)),
            }
        })
        .await?;
    match outcome {
        Ok(()) => Ok(see_other(format!("{}/admin/articles/categories?done=saved", state.config.base_path))),
        Err(why) => refused(&CategoriesPage {
            frame: Frame::new(&state, &admin, "articles", "Categories"),
            notice: None,
            error: Some(why),
            rows,
            new_row,
        }),
    }
}

pub async fn delete_page(
    admin: Admin,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    let id = path.into_inner();
    let lookup = id.clone();
    let (category, used_by) = state
        .read(move |conn| {
            let category = articles::categories(conn)?.into_iter().find(|c| c.id == lookup);
            let used_by = articles::list(conn, &articles::Languages::Default, Some(&lookup), i64::MAX)?.len();
            Ok((category, used_by))
        })
        .await?;
    let category = category.ok_or(PageError::NotFound)?;
    let base = &state.config.base_path;
    let heading = format!("Delete the category “{}”?", category.title);
    render(&ConfirmPage {
        frame: Frame::new(&state, &admin, "articles", &heading),
        explanation: format!(
            "The category goes, and its help-center page with it. Its {used_by} article(s) stay, in their other \
             categories or without one."
        ),
        question: heading,
        action: format!("{base}/admin/articles/categories/{id}/delete"),
        button: "Delete the category",
        cancel: format!("{base}/admin/articles/categories"),
        fields: Vec::new(),
    })
}

pub async fn delete(
    state: web::Data<AppState>,
    path: web::Path<String>,
    Posted { admin, form: _ }: Posted<Fields>,
) -> Result<HttpResponse, PageError> {
    let id = path.into_inner();
    if !valid_id(&id) {
        return Err(PageError::NotFound);
    }
    let (now, actor) = (state.clock.now_text(), admin.actor());
    let deleted = state
        .write(move |tx| {
            let stored = articles::categories(tx)?;
            let before = stored.len();
            let keep: Vec<CategoryRow> = stored.into_iter().filter(|c| c.id != id).collect();
            if keep.len() == before {
                return Ok(false);
            }
            crate::ops::articles::replace_categories(tx, &keep, &now, &actor)?;
            Ok::<_, crate::error::ApiError>(true)
        })
        .await?;
    if !deleted {
        return Err(PageError::NotFound);
    }
    Ok(see_other(format!("{}/admin/articles/categories?done=deleted", state.config.base_path)))
}
