//! The condition engine: decides each server-side condition from the server's
//! clock and the user's type and details, and leaves the rest open. A condition
//! that fails now but may hold later (a date range that has not started, a user
//! detail the server does not have, no user named) stays open instead of failing;
//! one that can no longer hold refuses the automation.

use super::conditions::{dates, items, Condition, Side};
use crate::domain::UserType;
use chrono::NaiveDate;

/// What the server knows when it decides: today (UTC) and, when one is named, the user.
pub struct Facts {
    pub today: NaiveDate,
    pub user: Option<UserFacts>,
}

/// The user's type and the details conditions read (`language`, else
/// `browser_language`; `country`, `country_code`; `city`).
#[derive(Debug, Clone)]
pub struct UserFacts {
    pub user_type: UserType,
    pub language: Option<String>,
    pub country: Option<String>,
    pub country_code: Option<String>,
    pub city: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Pass,
    /// Cannot hold, now or later: the automation is refused.
    Fail,
    /// A server-side condition that does not hold yet, or lacks what it needs.
    Later,
    /// Only the chat widget can decide.
    Client,
}

/// The conditions left open once the server has decided what it can, with why
/// each is open; `None` when one of them fails.
pub fn open_conditions<'a>(conditions: &'a [Condition], facts: &Facts) -> Option<Vec<(&'a Condition, Verdict)>> {
    let mut open = Vec::new();
    for condition in conditions {
        match evaluate(condition, facts) {
            Verdict::Pass => {}
            Verdict::Fail => return None,
            verdict => open.push((condition, verdict)),
        }
    }
    Some(open)
}

/// Decides `condition` from what the server knows.
pub fn evaluate(condition: &Condition, facts: &Facts) -> Verdict {
    if condition.side() == Side::Client {
        return Verdict::Client;
    }
    if condition.name() == "datetime" {
        return match dates(&condition.operator, &condition.value) {
            Ok((start, end)) => on_dates(&condition.operator, facts.today, start, end),
            Err(_) => Verdict::Fail,
        };
    }
    let Some(user) = &facts.user else { return Verdict::Later };
    match condition.name() {
        "user_type" => {
            let (negated, wanted) = match condition.operator.strip_prefix("is-not-") {
                Some(rest) => (true, rest),
                None => (false, condition.operator.trim_start_matches("is-")),
            };
            verdict((user.user_type.as_str() == wanted) != negated)
        }
        "languages" => match user.language.as_deref().and_then(primary_language) {
            Some(language) => {
                verdict(items(&condition.value).iter().filter_map(|c| primary_language(c)).any(|l| l == language))
            }
            None => Verdict::Later,
        },
        "countries" => matches_any(&condition.value, &[user.country.as_deref(), user.country_code.as_deref()]),
        "cities" => matches_any(&condition.value, &[user.city.as_deref()]),
        // A server-side condition this engine does not decide is left to the client.
        _ => Verdict::Client,
    }
}

fn verdict(holds: bool) -> Verdict {
    if holds {
        Verdict::Pass
    } else {
        Verdict::Fail
    }
}

/// `pt-BR` -> `pt`; anything that is not a language code -> `None`.
fn primary_language(code: &str) -> Option<String> {
    crate::i18n::normalize_code(code).map(|code| code[..2].to_string())
}

/// The user's value, compared ignoring case and surrounding spaces with each item;
/// `Later` when the user has none of the details.
fn matches_any(list: &str, values: &[Option<&str>]) -> Verdict {
    let known: Vec<String> =
        values.iter().flatten().map(|v| v.trim().to_lowercase()).filter(|v| !v.is_empty()).collect();
    if known.is_empty() {
        return Verdict::Later;
    }
    verdict(items(list).iter().any(|item| known.contains(&item.to_lowercase())))
}

fn on_dates(operator: &str, today: NaiveDate, start: NaiveDate, end: NaiveDate) -> Verdict {
    match operator {
        "is-before" if today < start => Verdict::Pass,
        "is-before" => Verdict::Fail,
        "is-after" if today > end => Verdict::Pass,
        "is-after" => Verdict::Later,
        // is-between and is-exactly: inclusive days.
        _ if today < start => Verdict::Later,
        _ if today > end => Verdict::Fail,
        _ => Verdict::Pass,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{json, Value};

    fn check(raw: Value, facts: &Facts) -> Verdict {
        evaluate(&Condition::parse(&raw).unwrap_or_else(|why| panic!("{raw}: {why}")), facts)
    }

    fn on(day: &str, user: Option<UserFacts>) -> Facts {
        Facts { today: NaiveDate::parse_from_str(day, "%Y-%m-%d").unwrap(), user }
    }

    fn user(user_type: UserType) -> UserFacts {
        UserFacts { user_type, language: None, country: None, country_code: None, city: None }
    }

    #[test]
    fn dates_decide_by_the_day_and_ranges_not_yet_started_wait() {
        let between = json!(["datetime", "is-between", "10/04/2021 - 13/04/2021"]);
        assert_eq!(check(between.clone(), &on("2021-04-09", None)), Verdict::Later);
        assert_eq!(check(between.clone(), &on("2021-04-10", None)), Verdict::Pass);
        assert_eq!(check(between.clone(), &on("2021-04-13", None)), Verdict::Pass);
        assert_eq!(check(between, &on("2021-04-14", None)), Verdict::Fail);
        let exactly = json!(["datetime", "is-exactly", "13/04/2021"]);
        assert_eq!(check(exactly.clone(), &on("2021-04-12", None)), Verdict::Later);
        assert_eq!(check(exactly.clone(), &on("2021-04-13", None)), Verdict::Pass);
        assert_eq!(check(exactly, &on("2021-04-14", None)), Verdict::Fail);
        let before = json!(["datetime", "is-before", "13/04/2021"]);
        assert_eq!(check(before.clone(), &on("2021-04-12", None)), Verdict::Pass);
        assert_eq!(check(before, &on("2021-04-13", None)), Verdict::Fail);
        let after = json!(["datetime", "is-after", "13/04/2021"]);
        assert_eq!(check(after.clone(), &on("2021-04-13", None)), Verdict::Later);
        assert_eq!(check(after, &on("2021-04-14", None)), Verdict::Pass);
    }

    #[test]
    fn user_types_are_read_from_the_user_and_wait_without_one() {
        let is_user = json!(["user_type", "is-user"]);
        let not_lead = json!(["user_type", "is-not-lead"]);
        assert_eq!(check(is_user.clone(), &on("2024-01-01", None)), Verdict::Later);
        assert_eq!(check(is_user.clone(), &on("2024-01-01", Some(user(UserType::User)))), Verdict::Pass);
        assert_eq!(check(is_user, &on("2024-01-01", Some(user(UserType::Lead)))), Verdict::Fail);
        assert_eq!(check(not_lead.clone(), &on("2024-01-01", Some(user(UserType::Lead)))), Verdict::Fail);
        assert_eq!(check(not_lead, &on("2024-01-01", Some(user(UserType::Visitor)))), Verdict::Pass);
    }

    #[test]
    fn languages_countries_and_cities_are_read_from_the_details_and_wait_without_them() {
        let languages = json!(["languages", "en, pt"]);
        let mut brazilian = user(UserType::Visitor);
        assert_eq!(check(languages.clone(), &on("2024-01-01", Some(brazilian.clone()))), Verdict::Later);
        brazilian.language = Some("pt-BR".into());
        assert_eq!(check(languages.clone(), &on("2024-01-01", Some(brazilian.clone()))), Verdict::Pass);
        brazilian.language = Some("fr".into());
        assert_eq!(check(languages, &on("2024-01-01", Some(brazilian))), Verdict::Fail);

        let countries = json!(["countries", "Italy, FR"]);
        let mut french = user(UserType::Lead);
        assert_eq!(check(countries.clone(), &on("2024-01-01", Some(french.clone()))), Verdict::Later);
        french.country_code = Some("fr".into());
        assert_eq!(check(countries.clone(), &on("2024-01-01", Some(french.clone()))), Verdict::Pass);
        french.country_code = None;
        french.country = Some("Spain".into());
        assert_eq!(check(countries, &on("2024-01-01", Some(french))), Verdict::Fail);
        let mut roman = user(UserType::Lead);
        roman.city = Some(" rome ".into());
        assert_eq!(check(json!(["cities", "Rome"]), &on("2024-01-01", Some(roman))), Verdict::Pass);
    }

    #[test]
    fn client_side_conditions_are_always_left_to_the_client() {
        let facts = on("2024-01-01", Some(user(UserType::User)));
        for raw in [
            json!(["include_urls", "exact", "https://example.com/pricing"]),
            json!(["exclude_urls", "contains", "/checkout"]),
            json!(["referring", "contains", "google"]),
            json!(["returning_visitor", "returning-visitor"]),
            json!(["visits", "is-less-than", "5"]),
            json!(["time_on_page", "30"]),
        ] {
            assert_eq!(check(raw, &facts), Verdict::Client);
        }
    }

    #[test]
    fn open_conditions_drop_what_passed_and_refuse_on_a_failure() {
        let conditions: Vec<Condition> = [
            json!(["user_type", "is-user"]),
            json!(["include_urls", "contains", "pricing"]),
            json!(["datetime", "is-after", "01/01/2024"]),
        ]
        .iter()
        .map(|raw| Condition::parse(raw).unwrap())
        .collect();
        let open = open_conditions(&conditions, &on("2024-01-01", Some(user(UserType::User)))).unwrap();
        let names: Vec<_> = open.iter().map(|(c, v)| (c.name(), *v)).collect();
        assert_eq!(names, [("include_urls", Verdict::Client), ("datetime", Verdict::Later)]);
        assert!(open_conditions(&conditions, &on("2024-01-01", Some(user(UserType::Lead)))).is_none());
        assert_eq!(open_conditions(&[], &on("2024-01-01", None)).unwrap().len(), 0);
    }
}
