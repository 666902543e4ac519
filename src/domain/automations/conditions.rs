//! The conditions automations may have, and reading one. A condition is a list of
//! two or three strings, `[name, operator]`, `[name, value]` or
//! `[name, operator, value]`, as the contract shows them (`["user_type", "is-user"]`,
//! `["languages", "en"]`, `["datetime", "is-between", "10/04/2021 - 13/04/2021"]`).
//!
//! Server-side conditions can be decided from what the server stores (its clock,
//! the user's type and details; see `engine`); client-side ones (the page the
//! visitor is on, the time spent there, …) only the chat widget can decide.

use chrono::NaiveDate;
use serde_json::{json, Value};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    Server,
    Client,
}

/// How a condition is written after its name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shape {
    /// `[name, operator]`
    Operator,
    /// `[name, value]`
    Value,
    /// `[name, operator, value]`
    OperatorValue,
}

/// What a value must look like.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ValueKind {
    None,
    /// `dd/mm/yyyy`, or `dd/mm/yyyy - dd/mm/yyyy` for `is-between`.
    Dates,
    /// Comma-separated language codes (`en, pt-br`).
    Languages,
    /// Comma-separated names or codes (countries, cities).
    Names,
    /// Text to find in, or equal to, a URL.
    UrlText,
    /// A whole number, at least 0.
    Count,
}

/// One documented condition: its name, operators, value and side.
#[derive(Debug, PartialEq, Eq)]
pub struct Definition {
    pub name: &'static str,
    pub operators: &'static [&'static str],
    shape: Shape,
    value: ValueKind,
    pub side: Side,
}

const URL_OPERATORS: &[&str] = &["contains", "exact"];

/// Every condition Switchboard knows, server-side first.
pub const CATALOG: &[Definition] = &[
    Definition {
        name: "datetime",
        operators: &["is-between", "is-exactly", "is-before", "is-after"],
        shape: Shape::OperatorValue,
        value: ValueKind::Dates,
        side: Side::Server,
    },
    Definition {
        name: "user_type",
        operators: &["is-visitor", "is-lead", "is-user", "is-not-visitor", "is-not-lead", "is-not-user"],
        shape: Shape::Operator,
        value: ValueKind::None,
        side: Side::Server,
    },
    Definition {
        name: "languages",
        operators: &[],
        shape: Shape::Value,
        value: ValueKind::Languages,
        side: Side::Server,
    },
    Definition { name: "countries", operators: &[], shape: Shape::Value, value: ValueKind::Names, side: Side::Server },
    Definition { name: "cities", operators: &[], shape: Shape::Value, value: ValueKind::Names, side: Side::Server },
    Definition {
        name: "include_urls",
        operators: URL_OPERATORS,
        shape: Shape::OperatorValue,
        value: ValueKind::UrlText,
        side: Side::Client,
    },
    Definition {
        name: "exclude_urls",
        operators: URL_OPERATORS,
        shape: Shape::OperatorValue,
        value: ValueKind::UrlText,
        side: Side::Client,
    },
    Definition {
        name: "referring",
        operators: URL_OPERATORS,
        shape: Shape::OperatorValue,
        value: ValueKind::UrlText,
        side: Side::Client,
    },
    Definition {
        name: "returning_visitor",
        operators: &["first-time-visitor", "returning-visitor"],
        shape: Shape::Operator,
        value: ValueKind::None,
        side: Side::Client,
    },
    Definition {
        name: "visits",
        operators: &["is-more-than", "is-less-than", "is-exactly"],
        shape: Shape::OperatorValue,
        value: ValueKind::Count,
        side: Side::Client,
    },
    Definition {
        name: "time_on_page",
        operators: &[],
        shape: Shape::Value,
        value: ValueKind::Count,
        side: Side::Client,
    },
];

impl Definition {
    /// Whether it is written with an operator (`[name, operator]` or `[name, operator, value]`).
    pub fn takes_operator(&self) -> bool {
        self.shape != Shape::Value
    }

    /// Whether it is written with a value (`[name, value]` or `[name, operator, value]`).
    pub fn takes_value(&self) -> bool {
        self.shape != Shape::Operator
    }
}

/// A condition checked against the catalog, in its canonical spelling.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Condition {
    pub definition: &'static Definition,
    pub operator: String,
    pub value: String,
}

impl Condition {
    /// Reads `[name, …]`; the error says what is wrong, for the caller to prefix.
    pub fn parse(raw: &Value) -> Result<Condition, String> {
        let parts: Vec<Value> = match raw {
            Value::Array(parts) => parts.clone(),
            // PHP's bracket form with gaps in the indexes arrives as an object.
            Value::Object(map) => map.values().cloned().collect(),
            _ => return Err("a condition must be a list like [\"name\", \"operator\", \"value\"]".into()),
        };
        let texts = parts.iter().map(scalar).collect::<Option<Vec<String>>>().ok_or("condition parts must be text")?;
        let name = texts.first().map(|n| n.trim()).unwrap_or_default();
        let definition = CATALOG
            .iter()
            .find(|d| d.name == name)
            .ok_or_else(|| format!("unknown condition '{name}'; known: {}", names().join(", ")))?;
        let expected = match definition.shape {
            Shape::Operator | Shape::Value => 2,
            Shape::OperatorValue => 3,
        };
        if texts.len() != expected {
            return Err(format!("'{name}' takes {} parts after its name", expected - 1));
        }
        let (operator, value) = match definition.shape {
            Shape::Operator => (texts[1].trim().to_string(), String::new()),
            Shape::Value => (String::new(), texts[1].trim().to_string()),
            Shape::OperatorValue => (texts[1].trim().to_string(), texts[2].trim().to_string()),
        };
        if definition.shape != Shape::Value && !definition.operators.contains(&operator.as_str()) {
            return Err(format!("'{name}' has no operator '{operator}'; known: {}", definition.operators.join(", ")));
        }
        let condition = Condition { definition, operator, value };
        condition.check_value().map_err(|why| format!("'{name}': {why}"))?;
        Ok(condition)
    }

    pub fn name(&self) -> &'static str {
        self.definition.name
    }

    pub fn side(&self) -> Side {
        self.definition.side
    }

    pub fn to_json(&self) -> Value {
        match self.definition.shape {
            Shape::Operator => json!([self.name(), self.operator]),
            Shape::Value => json!([self.name(), self.value]),
            Shape::OperatorValue => json!([self.name(), self.operator, self.value]),
        }
    }

    fn check_value(&self) -> Result<(), String> {
        let value = self.value.as_str();
        match self.definition.value {
            ValueKind::None => Ok(()),
            ValueKind::Dates => dates(&self.operator, value).map(|_| ()),
            ValueKind::Languages => {
                let codes = items(value);
                if codes.is_empty() || codes.iter().any(|c| crate::i18n::normalize_code(c).is_none()) {
                    return Err("expected language codes like en, pt-br".into());
                }
                Ok(())
            }
            ValueKind::Names => {
                let names = items(value);
                if names.is_empty() || names.iter().any(|n| n.chars().count() > 100) {
                    return Err("expected comma-separated names of at most 100 characters".into());
                }
                Ok(())
            }
            ValueKind::UrlText if value.is_empty() || value.len() > 2048 => {
                Err("expected a URL or part of one, at most 2048 characters".into())
            }
            ValueKind::UrlText => Ok(()),
            ValueKind::Count => {
                value.parse::<u32>().map(|_| ()).map_err(|_| "expected a whole number of at least 0".into())
            }
        }
    }
}

pub fn names() -> Vec<&'static str> {
    CATALOG.iter().map(|d| d.name).collect()
}

fn scalar(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

pub(super) fn items(value: &str) -> Vec<&str> {
    value.split(',').map(str::trim).filter(|item| !item.is_empty()).collect()
}

fn date(text: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(text.trim(), "%d/%m/%Y")
        .map_err(|_| format!("'{}' is not a dd/mm/yyyy date", text.trim()))
}

/// The first and last day a datetime condition names (the same day but for `is-between`).
pub(super) fn dates(operator: &str, value: &str) -> Result<(NaiveDate, NaiveDate), String> {
    if operator != "is-between" {
        let day = date(value)?;
        return Ok((day, day));
    }
    // Dates hold no dashes, so the one dash splits the range, spaced or not.
    let (start, end) = value.split_once('-').ok_or("expected dd/mm/yyyy - dd/mm/yyyy")?;
    let (start, end) = (date(start)?, date(end)?);
    if start > end {
        return Err("the range ends before it starts".into());
    }
    Ok((start, end))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn condition(raw: Value) -> Condition {
        Condition::parse(&raw).unwrap_or_else(|why| panic!("{raw}: {why}"))
    }

    #[test]
    fn the_contract_examples_parse_and_keep_their_spelling() {
        for raw in [
            json!(["datetime", "is-between", "10/04/2021 - 13/04/2021"]),
            json!(["include_urls", "contains", "https://example.com"]),
            json!(["datetime", "is-exactly", "13/04/2021"]),
            json!(["user_type", "is-user"]),
            json!(["languages", "en"]),
        ] {
            assert_eq!(condition(raw.clone()).to_json(), raw);
        }
        assert_eq!(condition(json!([" visits ", "is-more-than", 3])).to_json(), json!(["visits", "is-more-than", "3"]));
        assert!(Condition::parse(&json!(["datetime", "is-between", "10/04/2021-13/04/2021"])).is_ok());
    }

    #[test]
    fn unknown_names_operators_shapes_and_values_are_refused() {
        for bad in [
            json!("datetime"),
            json!(["weather", "is-sunny"]),
            json!(["user_type", "is-agent"]),
            json!(["user_type", "is-user", "x"]),
            json!(["datetime", "is-between", "13/04/2021 - 10/04/2021"]),
            json!(["datetime", "is-exactly", "2021-04-13"]),
            json!(["datetime", "is-between", "10/04/2021"]),
            json!(["languages", "english"]),
            json!(["languages", ""]),
            json!(["include_urls", "starts-with", "https://x"]),
            json!(["include_urls", "contains", ""]),
            json!(["visits", "is-more-than", "-1"]),
            json!(["time_on_page", "soon"]),
            json!(["cities", ["Rome"]]),
        ] {
            assert!(Condition::parse(&bad).is_err(), "{bad} was accepted");
        }
    }
}
