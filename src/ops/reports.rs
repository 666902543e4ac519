//! Reports: one of the contract's named reports over whole days of the caller's
//! calendar, for `reports` and the admin reports page. What each report counts is
//! in [`spec`].

use super::{OpsError, OpsResult};
use crate::db::reports::{self, AgentFigures, Daily, Grouping, PerAgent};
use crate::domain::days::{self, DayRange, RangeError};
use crate::domain::{ReportName, UserType};

/// The default range: this many days, ending today.
const DEFAULT_DAYS: i64 = 30;

/// Where a report's figures come from.
#[derive(Clone, Copy)]
enum Source {
    /// One figure per day: labels are `dd/mm/yyyy`, every day listed, zeros included.
    Daily(Daily),
    /// One row per agent, labelled with the agent's name.
    PerAgent(PerAgent),
    /// Counts by label, most frequent first.
    Grouped(Grouping),
}

/// What the figures are: the contract's `label_type`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    Count = 1,
    Seconds = 2,
    /// `[positive, negative]`.
    Ratings = 3,
}

struct Spec {
    title: &'static str,
    description: &'static str,
    /// The table's column headers: the label's, then one per figure.
    table: &'static [&'static str],
    unit: Unit,
    source: Source,
}

const DATE_COUNT: &[&str] = &["Date", "Count"];
const DATE_TIME: &[&str] = &["Date", "Average time"];
const AGENT_COUNT: &[&str] = &["Agent name", "Count"];
const AGENT_TIME: &[&str] = &["Agent name", "Average time"];

fn spec(name: ReportName) -> Spec {
    use ReportName as N;
    let count = |title, description, table, source| Spec { title, description, table, unit: Unit::Count, source };
    let per_day = |title, description, series| count(title, description, DATE_COUNT, Source::Daily(series));
    let events = |title, description, name| per_day(title, description, Daily::Events(name));
    let detail = |title, description, header, slug, fallback| {
        count(title, description, header, Source::Grouped(Grouping::Detail(slug, fallback)))
    };
    match name {
        N::Conversations => per_day("Conversations count", "New conversations per day.", Daily::NewConversations),
        N::MissedConversations => per_day(
            "Missed conversations count",
            "Conversations started each day with a message from the user and no reply from an agent or admin \
             (bot replies do not count as replies).",
            Daily::MissedConversations,
        ),
        N::ConversationsTime => Spec {
            title: "Average conversations duration",
            description: "Average seconds from the first to the last message of the conversations started each \
                          day; conversations of a single message are left out.",
            table: DATE_TIME,
            unit: Unit::Seconds,
            source: Source::Daily(Daily::ConversationDurations),
        },
        N::Visitors => {
            per_day("Visitor registrations count", "New visitors per day.", Daily::NewUsers(UserType::Visitor))
        }
        N::Leads => per_day("Lead registrations count", "New leads per day.", Daily::NewUsers(UserType::Lead)),
        N::Users => {
            per_day("User registrations count", "New registered users per day.", Daily::NewUsers(UserType::User))
        }
        N::Registrations => per_day(
            "Registrations count",
            "New visitors, leads and users that have an email, per day.",
            Daily::Registrations,
        ),
        N::AgentsResponseTime => Spec {
            title: "Average agent response time",
            description: "Average seconds from a user's first unanswered message to the agent's reply, over the \
                          replies the agent sent in the range.",
            table: AGENT_TIME,
            unit: Unit::Seconds,
            source: Source::PerAgent(PerAgent::ResponseTime),
        },
        N::AgentsConversations => count(
            "Agent conversations count",
            "Conversations the agent wrote at least one message in within the range.",
            AGENT_COUNT,
            Source::PerAgent(PerAgent::Conversations),
        ),
        N::AgentsConversationsTime => Spec {
            title: "Average agent conversations duration",
            description: "Average seconds from the first to the last message of the conversations the agent wrote \
                          in within the range; conversations of a single message are left out.",
            table: AGENT_TIME,
            unit: Unit::Seconds,
            source: Source::PerAgent(PerAgent::ConversationDurations),
        },
        N::AgentsRatings => Spec {
            title: "Agent ratings",
            description: "Positive and negative ratings of the conversations started in the range that the agent \
                          is assigned to or wrote in.",
            table: &["Agent name", "Positive", "Negative"],
            unit: Unit::Ratings,
            source: Source::PerAgent(PerAgent::Ratings),
        },
        N::Countries => detail(
            "Countries",
            "Visitors, leads and users created in the range, by country.",
            &["Country", "Count"],
            "country",
            "country",
        ),
        N::Languages => detail(
            "Languages",
            "Visitors, leads and users created in the range, by language (or else browser language).",
            &["Language", "Count"],
            "language",
            "browser_language",
        ),
        N::Browsers => detail(
            "Browsers",
            "Visitors, leads and users created in the range, by browser.",
            &["Browser", "Count"],
            "browser",
            "browser",
        ),
        N::Os => detail(
            "Operating systems",
            "Visitors, leads and users created in the range, by operating system.",
            &["Operating system", "Count"],
            "os",
            "os",
        ),
        N::Subscribe => events("Subscribe emails count", "Emails left through the subscribe message, per day.", name),
        N::FollowUp => events("Follow-up emails count", "Emails left through the follow-up message, per day.", name),
        N::ArticlesSearches => count(
            "Article searches",
            "Searches in the articles, by search terms.",
            &["Search terms", "Count"],
            Source::Grouped(Grouping::EventValues(name, name)),
        ),
        N::ArticlesRatings => events("Article ratings", "Article ratings given per day.", name),
        N::ArticlesViewsSingle => count(
            "Article views by article",
            "Views of each article (recorded as articles-views or articles-views-single), by article ID.",
            &["Article", "Count"],
            Source::Grouped(Grouping::EventExternalIds(N::ArticlesViews, N::ArticlesViewsSingle)),
        ),
        N::ArticlesViews => events("Article views", "Article views per day.", name),
        N::SmsAutomations => events("SMS automations", "Text messages sent by automations per day.", name),
        N::EmailAutomations => events("Email automations", "Emails sent by automations per day.", name),
        N::MessageAutomations => events("Message automations", "Chat messages sent by automations per day.", name),
        N::DirectSms => events("Direct SMS", "Text messages sent directly to users per day.", name),
        N::DirectEmails => events("Direct emails", "Emails sent directly to users per day.", name),
        N::DirectMessages => events("Direct messages", "Chat messages sent directly to users per day.", name),
    }
}

/// How a report is best drawn: the contract's `chart_type`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Chart {
    Line,
    Bar,
    Pie,
}

impl Chart {
    pub fn as_str(self) -> &'static str {
        match self {
            Chart::Line => "line",
            Chart::Bar => "bar",
            Chart::Pie => "pie",
        }
    }
}

/// One computed report: what `reports` answers and the admin reports page draws.
pub struct Report {
    pub title: &'static str,
    pub description: &'static str,
    /// The table's column headers: the label's, then one per figure.
    pub table: &'static [&'static str],
    pub unit: Unit,
    pub chart: Chart,
    /// Labels and their figures, in the order the contract gives them.
    pub rows: Vec<(String, Vec<i64>)>,
    /// Day tables read newest first.
    pub table_inverse: bool,
}

/// The report's title, as `reports` answers it.
pub fn title(name: ReportName) -> &'static str {
    spec(name).title
}

/// Computes report `name` over `range`.
pub fn compute(conn: &rusqlite::Connection, name: ReportName, range: &DayRange) -> OpsResult<Report> {
    let spec = spec(name);
    let (start, end) = (range.start(), range.end());
    let rows: Vec<(String, Vec<i64>)> = match spec.source {
        Source::Daily(series) => {
            let figures = reports::per_day(conn, series, range.days())?;
            range.days().iter().zip(figures).map(|(day, figure)| (day.label(), vec![figure])).collect()
        }
        Source::PerAgent(metric) => agents_data(reports::per_agent(conn, metric, start, end)?),
        Source::Grouped(grouping) => reports::grouped(conn, grouping, start, end)?
            .into_iter()
            .map(|(label, count)| (label, vec![count]))
            .collect(),
    };
    let chart = match spec.source {
        Source::Daily(_) => Chart::Line,
        Source::Grouped(Grouping::Detail(..)) => Chart::Pie,
        Source::PerAgent(_) | Source::Grouped(_) => Chart::Bar,
    };
    Ok(Report {
        title: spec.title,
        description: spec.description,
        table: spec.table,
        unit: spec.unit,
        chart,
        rows,
        table_inverse: matches!(spec.source, Source::Daily(_)),
    })
}

/// Agents are labelled by name; two agents of the same name are told apart by ID.
fn agents_data(rows: Vec<AgentFigures>) -> Vec<(String, Vec<i64>)> {
    let mut labels = std::collections::HashSet::new();
    let mut data = Vec::with_capacity(rows.len());
    for row in rows {
        let name = crate::domain::people::full_name(&row.first_name, &row.last_name);
        let label = if name.is_empty() || labels.contains(&name) { format!("{name} #{}", row.id) } else { name };
        let label = label.trim().to_string();
        labels.insert(label.clone());
        data.push((label, row.figures));
    }
    data
}

/// The days from `start` to `end` (`dd/mm/yyyy` or `yyyy-mm-dd`) in `timezone` (an
/// IANA name, UTC when absent): by default the 30 days ending today. Errors name
/// the API argument at fault.
pub fn day_range(
    start: Option<&str>,
    end: Option<&str>,
    timezone: Option<&str>,
    now: chrono::DateTime<chrono::Utc>,
) -> OpsResult<DayRange> {
    let tz = match timezone {
        None => chrono_tz::UTC,
        Some(text) => days::parse_timezone(text)
            .ok_or_else(|| OpsError::invalid("timezone", "expected an IANA timezone name such as Europe/London"))?,
    };
    let date = |name: &'static str, text: Option<&str>| -> OpsResult<_> {
        match text {
            None => Ok(None),
            Some(text) => Ok(Some(
                days::parse_date(text).ok_or_else(|| OpsError::invalid(name, "expected dd/mm/yyyy or yyyy-mm-dd"))?,
            )),
        }
    };
    let (first, last) = (date("date_start", start)?, date("date_end", end)?);
    let last = last.unwrap_or_else(|| days::today(now, tz));
    let range = match first {
        Some(first) => DayRange::new(first, last, tz),
        None => DayRange::ending(last, DEFAULT_DAYS, tz),
    };
    range.map_err(|err| match err {
        RangeError::Reversed => OpsError::invalid("date_start", "after date_end (today when date_end is absent)"),
        RangeError::TooLong => {
            OpsError::invalid("date_end", format!("more than {} days after date_start", days::MAX_DAYS))
        }
    })
}
