//! Any request body -> one tree of arguments -> typed values.
//!
//! Bodies arrive as `application/x-www-form-urlencoded` (PHP's `http_build_query`,
//! jQuery's `$.post`), `multipart/form-data` or `application/json`. Form keys in
//! PHP's bracket form (`ids[]=1`, `settings[conversation_id]=5`, nested too) become
//! arrays and objects, exactly as PHP would build them; JSON strings inside fields
//! (`ids=[1,2]`) are decoded by the accessors that expect arrays or objects. PHP
//! sends `true`/`false` as `1`/`0`, so both spellings are booleans everywhere.
//!
//! Parsing is linear in the body and bounded: at most [`MAX_FIELDS`] fields, at
//! most [`MAX_DEPTH`] brackets deep, and lists of at most [`MAX_LIST`] items.

mod builder;

use crate::error::Failure;
use builder::Builder;
use serde_json::{Map, Value};

/// Deeper bracket nesting than this is refused rather than built.
pub(super) const MAX_DEPTH: usize = 16;
/// More fields than this in one body are refused before anything is built.
pub const MAX_FIELDS: usize = 20_000;
/// Longer lists than this are refused (`invalid-argument`), whatever their spelling.
pub const MAX_LIST: usize = 10_000;

#[derive(Debug, Clone, Default)]
pub struct Args {
    map: Map<String, Value>,
    /// The files of a multipart body, as sent.
    files: Vec<crate::bodies::Part>,
}

impl Args {
    pub fn with_files(mut self, files: Vec<crate::bodies::Part>) -> Self {
        self.files = files;
        self
    }

    /// The file sent in the multipart field `name`, if any.
    pub fn file(&self, name: &str) -> Option<&crate::bodies::Part> {
        self.files.iter().find(|part| part.name == name)
    }

    pub fn from_form(body: &[u8]) -> Result<Self, Failure> {
        let mut builder = Builder::default();
        for (n, (key, value)) in url::form_urlencoded::parse(body).enumerate() {
            if n == MAX_FIELDS {
                return Err(Failure::TooManyFields(MAX_FIELDS));
            }
            builder.insert(&key, Value::String(value.into_owned()))?;
        }
        Ok(builder.finish())
    }

    pub fn from_fields(fields: impl IntoIterator<Item = (String, String)>) -> Result<Self, Failure> {
        let mut builder = Builder::default();
        for (n, (key, value)) in fields.into_iter().enumerate() {
            if n == MAX_FIELDS {
                return Err(Failure::TooManyFields(MAX_FIELDS));
            }
            builder.insert(&key, Value::String(value))?;
        }
        Ok(builder.finish())
    }

    fn from_map(map: Map<String, Value>) -> Self {
        Self { map, files: Vec::new() }
    }

    pub fn from_json(body: &[u8]) -> Result<Self, Failure> {
        match serde_json::from_slice(body) {
            Ok(Value::Object(map)) => Ok(Self { map, files: Vec::new() }),
            Ok(_) => Err(Failure::MalformedBody("a JSON body must be an object of arguments".into())),
            Err(err) => Err(Failure::MalformedBody(format!("invalid JSON: {err}"))),
        }
    }

    /// Only the fields `names` of a JSON body: the body is checked whole, but only
    /// those values are built.
    pub fn head_of_json(body: &[u8], names: &[&str]) -> Result<Self, Failure> {
        let fields: std::collections::HashMap<String, &serde_json::value::RawValue> = match serde_json::from_slice(body)
        {
            Ok(fields) => fields,
            Err(err) if err.is_data() => {
                return Err(Failure::MalformedBody("a JSON body must be an object of arguments".into()))
            }
            Err(err) => return Err(Failure::MalformedBody(format!("invalid JSON: {err}"))),
        };
        let mut map = Map::new();
        for name in names {
            if let Some(raw) = fields.get(*name) {
                let value = serde_json::from_str(raw.get()).map_err(|err| Failure::MalformedBody(err.to_string()))?;
                map.insert(name.to_string(), value);
            }
        }
        Ok(Self { map, files: Vec::new() })
    }

    #[cfg(test)]
    pub fn from_pairs(pairs: &[(&str, &str)]) -> Self {
        Self::from_fields(pairs.iter().map(|(k, v)| (k.to_string(), v.to_string()))).unwrap()
    }

    /// The argument as sent; JSON `null` counts as absent.
    pub fn raw(&self, name: &str) -> Option<&Value> {
        self.map.get(name).filter(|v| !v.is_null())
    }

    pub fn has(&self, name: &str) -> bool {
        self.raw(name).is_some()
    }

    /// A scalar argument as text (numbers and booleans included).
    pub fn text(&self, name: &str) -> Result<Option<String>, Failure> {
        match self.raw(name) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(Value::Number(n)) => Ok(Some(n.to_string())),
            Some(Value::Bool(b)) => Ok(Some(if *b { "true" } else { "false" }.to_string())),
            Some(_) => Err(Failure::invalid(name, "expected a text value, not an array or object")),
        }
    }

    /// Text of at most `max` characters.
    pub fn text_max(&self, name: &str, max: usize) -> Result<Option<String>, Failure> {
        let text = self.text(name)?;
        if let Some(t) = &text {
            if t.chars().count() > max {
                return Err(Failure::invalid(name, format!("longer than {max} characters")));
            }
        }
        Ok(text)
    }

    pub fn required_text(&self, name: &'static str, max: usize) -> Result<String, Failure> {
        self.text_max(name, max)?.ok_or(Failure::MissingArgument(name))
    }

    pub fn int(&self, name: &str) -> Result<Option<i64>, Failure> {
        match self.text(name)?.as_deref().map(str::trim) {
            None | Some("") => Ok(None),
            Some(text) => text.parse().map(Some).map_err(|_| Failure::invalid(name, "expected a whole number")),
        }
    }

    /// A positive ID that must be present.
    pub fn required_id(&self, name: &'static str) -> Result<i64, Failure> {
        match self.int(name)? {
            None => Err(Failure::MissingArgument(name)),
            Some(id) if id > 0 => Ok(id),
            Some(_) => Err(Failure::invalid(name, "expected a positive ID")),
        }
    }

    /// A positive ID that may be absent.
    pub fn id(&self, name: &str) -> Result<Option<i64>, Failure> {
        match self.int(name)? {
            Some(id) if id <= 0 => Err(Failure::invalid(name, "expected a positive ID")),
            other => Ok(other),
        }
    }

    /// A reference that may be set or removed: `false`, `0`, `-1`, `null`, `NULL` or
    /// empty all mean "none" (the contract's defaults and "set it to false to remove").
    /// `Ok(None)` when absent, `Ok(Some(None))` for "none".
    pub fn nullable_id(&self, name: &str) -> Result<Option<Option<i64>>, Failure> {
        let Some(text) = self.text(name)? else { return Ok(None) };
        match text.trim() {
            "" | "false" | "0" | "-1" | "null" | "NULL" => Ok(Some(None)),
            t => match t.parse::<i64>() {
                Ok(id) if id > 0 => Ok(Some(Some(id))),
                _ => Err(Failure::invalid(name, "expected a positive ID, or false for none")),
            },
        }
    }

    pub fn bool_or(&self, name: &str, default: bool) -> Result<bool, Failure> {
        match self.raw(name) {
            None => Ok(default),
            Some(Value::Bool(b)) => Ok(*b),
            Some(Value::Number(n)) if n.as_i64() == Some(0) => Ok(false),
            Some(Value::Number(n)) if n.as_i64() == Some(1) => Ok(true),
            Some(Value::String(s)) => match s.trim().to_ascii_lowercase().as_str() {
                "true" | "1" => Ok(true),
                "false" | "0" | "" => Ok(false),
                _ => Err(Failure::invalid(name, "expected true or false")),
            },
            Some(_) => Err(Failure::invalid(name, "expected true or false")),
        }
    }

    /// An array or object argument, sent either in bracket form or as a JSON string.
    pub fn json(&self, name: &str) -> Result<Option<Value>, Failure> {
        match self.raw(name) {
            None => Ok(None),
            Some(Value::String(s)) if s.trim().is_empty() => Ok(None),
            Some(Value::String(s)) => {
                serde_json::from_str(s).map(Some).map_err(|_| Failure::invalid(name, "expected JSON"))
            }
            Some(other) => Ok(Some(other.clone())),
        }
    }

    /// A list of at most [`MAX_LIST`] positive IDs: `[1,2]` as JSON,
    /// `ids[]=1&ids[]=2`, `1,2`, or one ID.
    pub fn id_list(&self, name: &str) -> Result<Option<Vec<i64>>, Failure> {
        let Some(items) = self.list_items(name, MAX_LIST)? else { return Ok(None) };
        items
            .iter()
            .map(|item| positive_id(item).ok_or_else(|| Failure::invalid(name, "expected a list of positive IDs")))
            .collect::<Result<_, _>>()
            .map(Some)
    }

    /// A list of at most `max` short strings: a JSON array, bracket form, or
    /// comma-separated text.
    pub fn text_list(&self, name: &str, max: usize) -> Result<Option<Vec<String>>, Failure> {
        let Some(items) = self.list_items(name, max)? else { return Ok(None) };
        items
            .into_iter()
            .map(|item| match item {
                Value::String(s) if s.len() <= 255 => Ok(s),
                Value::Number(n) => Ok(n.to_string()),
                _ => Err(Failure::invalid(name, "expected a list of short strings")),
            })
            .collect::<Result<_, _>>()
            .map(Some)
    }

    /// The items of a list argument in any of its spellings: a JSON array in a field,
    /// PHP brackets (an array, or a map when indexes have gaps), comma-separated text,
    /// or one bare value; more than `max` items are refused.
    fn list_items(&self, name: &str, max: usize) -> Result<Option<Vec<Value>>, Failure> {
        let Some(raw) = self.raw(name) else { return Ok(None) };
        let items = match raw {
            Value::String(s) => match serde_json::from_str::<Value>(s) {
                Ok(Value::Array(items)) => items,
                _ => s.split(',').map(|part| Value::String(part.trim().to_string())).filter(|v| v != "").collect(),
            },
            Value::Array(items) => items.clone(),
            Value::Object(map) => map.values().cloned().collect(),
            single => vec![single.clone()],
        };
        if items.len() > max {
            return Err(Failure::invalid(name, format!("more than {max} items")));
        }
        Ok(Some(items))
    }
}

fn positive_id(value: &Value) -> Option<i64> {
    let id = match value {
        Value::Number(n) => n.as_i64()?,
        Value::String(s) => s.trim().parse().ok()?,
        _ => return None,
    };
    (id > 0).then_some(id)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn form(body: &str) -> Args {
        Args::from_form(body.as_bytes()).unwrap()
    }

    #[test]
    fn php_brackets_build_arrays_and_nested_objects() {
        let args = form("user_ids%5B%5D=1&user_ids%5B%5D=2&settings%5Bconversation_id%5D=5&settings%5Bx%5D%5By%5D=z");
        assert_eq!(args.raw("user_ids"), Some(&json!(["1", "2"])));
        assert_eq!(args.raw("settings"), Some(&json!({"conversation_id": "5", "x": {"y": "z"}})));
        let args = form("ids[0]=7&ids[1]=8&ids[10]=9");
        assert_eq!(args.raw("ids"), Some(&json!({"0": "7", "1": "8", "10": "9"})));
        assert_eq!(args.id_list("ids").unwrap(), Some(vec![7, 8, 9]));
    }

    #[test]
    fn id_lists_accept_every_spelling() {
        for body in ["ids=%5B1%2C2%5D", "ids[]=1&ids[]=2", "ids[0]=1&ids[1]=2", "ids=1%2C2"] {
            assert_eq!(form(body).id_list("ids").unwrap(), Some(vec![1, 2]), "{body}");
        }
        assert_eq!(form("ids=3").id_list("ids").unwrap(), Some(vec![3]));
        assert!(form("ids=%5B1%2C%22x%22%5D").id_list("ids").is_err());
        assert!(form("ids=-1").id_list("ids").is_err());
        let json = Args::from_json(br#"{"ids":[4,"5"]}"#).unwrap();
        assert_eq!(json.id_list("ids").unwrap(), Some(vec![4, 5]));
    }

    #[test]
    fn booleans_accept_php_and_json_spellings() {
        let args = form("a=true&b=1&c=false&d=0&e=&f=maybe");
        assert!(args.bool_or("a", false).unwrap());
        assert!(args.bool_or("b", false).unwrap());
        assert!(!args.bool_or("c", true).unwrap());
        assert!(!args.bool_or("d", true).unwrap());
        assert!(!args.bool_or("e", true).unwrap());
        assert!(args.bool_or("f", true).is_err());
        assert!(args.bool_or("absent", true).unwrap());
    }

    #[test]
    fn json_fields_and_bracket_objects_read_the_same() {
        let a = form("s=%7B%22k%22%3A%5B%22v%22%2C%22Name%22%5D%7D").json("s").unwrap();
        let b = form("s[k][]=v&s[k][]=Name").json("s").unwrap();
        assert_eq!(a, b);
        assert!(form("s=%7Bbroken").json("s").is_err());
    }

    #[test]
    fn ids_are_validated() {
        let args = form("a=12&b=abc&c=0&d=99999999999999999999999&e=false");
        assert_eq!(args.required_id("a").unwrap(), 12);
        assert!(matches!(args.required_id("b"), Err(Failure::InvalidArgument { .. })));
        assert!(matches!(args.required_id("c"), Err(Failure::InvalidArgument { .. })));
        assert!(matches!(args.required_id("d"), Err(Failure::InvalidArgument { .. })));
        assert!(matches!(args.required_id("zz"), Err(Failure::MissingArgument("zz"))));
        assert_eq!(args.nullable_id("e").unwrap(), Some(None));
        assert_eq!(args.nullable_id("a").unwrap(), Some(Some(12)));
        assert_eq!(args.nullable_id("zz").unwrap(), None);
    }

    #[test]
    fn malformed_bodies_are_refused() {
        assert!(Args::from_json(b"[1,2]").is_err());
        assert!(Args::from_json(b"{").is_err());
        let deep = format!("a{}=1", "[x]".repeat(MAX_DEPTH + 1));
        assert!(Args::from_form(deep.as_bytes()).is_err());
        assert_eq!(form("[x]=1&a[=2").raw("[x]"), Some(&json!("1")));
    }
}
