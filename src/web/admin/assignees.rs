//! Who and where a conversation can be assigned: the agents and admins, and the
//! departments of the `departments` setting. The inbox's filters and the
//! conversation page's selects both read them.

use crate::db::users::{self, UserQuery};
use crate::domain::people::display_name as full_name;
use crate::domain::settings::Settings;
use crate::domain::{UserSort, UserType};
use crate::error::ApiResult;
use rusqlite::Connection;

pub struct Choice {
    pub id: i64,
    pub name: String,
}

pub struct Assignees {
    /// Agents and admins by first name (the first hundred, as user lists page).
    pub agents: Vec<Choice>,
    /// Departments as the setting orders them.
    pub departments: Vec<Choice>,
}

impl Assignees {
    pub fn load(conn: &Connection, settings: &Settings) -> ApiResult<Self> {
        let query = UserQuery {
            types: vec![UserType::Agent, UserType::Admin],
            ids: None,
            search: None,
            sort: UserSort::FirstName,
            descending: false,
            offset: 0,
        };
        let agents = users::list(conn, &query)?
            .into_iter()
            .map(|user| Choice { id: user.id, name: full_name(&user.first_name, &user.last_name) })
            .collect();
        let departments = settings
            .departments
            .iter()
            .map(|d| Choice {
                id: d.id,
                name: if d.name.is_empty() { format!("Department {}", d.id) } else { d.name.clone() },
            })
            .collect();
        Ok(Self { agents, departments })
    }

    pub fn agent_name(&self, id: Option<i64>) -> Option<String> {
        let id = id?;
        Some(self.agents.iter().find(|a| a.id == id).map_or_else(|| format!("Agent #{id}"), |a| a.name.clone()))
    }

    pub fn department_name(&self, id: Option<i64>) -> Option<String> {
        let id = id?;
        Some(
            self.departments.iter().find(|d| d.id == id).map_or_else(|| format!("Department {id}"), |d| d.name.clone()),
        )
    }
}

/// One `<option>` of a select, with whether it is the current choice.
pub struct Opt {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

impl Opt {
    pub fn new(value: impl Into<String>, label: impl Into<String>, current: &str) -> Self {
        let value = value.into();
        Self { selected: value == current, label: label.into(), value }
    }
}

/// `first` (the "any" or "nobody" choice), then each of `choices`.
pub fn options(first: (&str, &str), choices: &[Choice], current: &str) -> Vec<Opt> {
    std::iter::once(Opt::new(first.0, first.1, current))
        .chain(choices.iter().map(|c| Opt::new(c.id.to_string(), c.name.clone(), current)))
        .collect()
}

/// Adds the current choice when the list lacks it (an agent since deleted, a
/// department set through the API), so saving the form keeps it.
pub fn with_current(mut options: Vec<Opt>, current: &str, label: &str) -> Vec<Opt> {
    if !current.is_empty() && !options.iter().any(|o| o.selected) {
        options.push(Opt::new(current, format!("{label}{current}"), current));
    }
    options
}
