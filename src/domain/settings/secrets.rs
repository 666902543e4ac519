//! Secrets in settings (kind `password`): stored as sent, never shown. Readers get
//! [`SECRET_MASK`] in their place; a save that sends the mask back, or nothing,
//! keeps the stored secret.

use super::Kind;
use serde_json::{json, Value};

/// What readers see instead of a stored secret.
pub const SECRET_MASK: &str = "********";

/// `value` as readers may see it: every secret in it, however deep, replaced by
/// [`SECRET_MASK`] (or `""` when none is stored).
pub fn public(kind: Kind, value: &Value) -> Value {
    match (kind, value) {
        (Kind::Password(_), Value::String(secret)) if !secret.is_empty() => json!(SECRET_MASK),
        (Kind::Password(_), _) => json!(""),
        (Kind::MultiInput(fields), Value::Object(map)) => Value::Object(
            map.iter()
                .map(|(id, v)| {
                    (id.clone(), fields.iter().find(|f| f.id == id).map_or(v.clone(), |f| public(f.kind, v)))
                })
                .collect(),
        ),
        (Kind::Repeater(fields), Value::Array(rows)) => {
            rows.iter().map(|row| public(Kind::MultiInput(fields), row)).collect()
        }
        _ => value.clone(),
    }
}

/// A validated value with each secret that was sent as the mask (or left empty)
/// replaced by the secret stored before; repeater rows pair up by position.
pub fn keep_secrets(kind: Kind, new: Value, stored: &Value) -> Value {
    match (kind, new) {
        (Kind::Password(_), Value::Null) => stored.as_str().map_or(json!(""), |secret| json!(secret)),
        (Kind::MultiInput(fields), Value::Object(map)) => Value::Object(
            map.into_iter()
                .map(|(id, v)| {
                    let kept = match fields.iter().find(|f| f.id == id) {
                        Some(field) => keep_secrets(field.kind, v, &stored[id.as_str()]),
                        None => v,
                    };
                    (id, kept)
                })
                .collect(),
        ),
        (Kind::Repeater(fields), Value::Array(rows)) => rows
            .into_iter()
            .enumerate()
            .map(|(i, row)| keep_secrets(Kind::MultiInput(fields), row, &stored[i]))
            .collect(),
        (_, new) => new,
    }
}

#[cfg(test)]
mod tests {
    use super::super::Field;
    use super::*;

    #[test]
    fn secrets_are_masked_for_readers_and_kept_when_the_mask_comes_back() {
        const FIELDS: &[Field] =
            &[Field { id: "user", kind: Kind::Text(10) }, Field { id: "secret", kind: Kind::Password(10) }];
        let password = Kind::Password(10);
        assert_eq!(public(password, &json!("hunter2")), json!(SECRET_MASK));
        assert_eq!(public(password, &json!("")), json!(""));
        let stored = json!("hunter2");
        for keep in [json!(SECRET_MASK), json!(""), json!([SECRET_MASK, "password"])] {
            let sent = super::super::check(password, super::super::unwrap_pair(&keep, password).unwrap()).unwrap();
            assert_eq!(keep_secrets(password, sent, &stored), stored, "{keep}");
        }
        assert_eq!(keep_secrets(password, super::super::check(password, &json!(null)).unwrap(), &stored), json!(""));
        assert_eq!(
            keep_secrets(password, super::super::check(password, &json!("new")).unwrap(), &stored),
            json!("new")
        );
        assert!(super::super::check(password, &json!("x".repeat(11))).is_err());
        let multi = Kind::MultiInput(FIELDS);
        let stored = json!({ "user": "ann", "secret": "s3cret" });
        assert_eq!(public(multi, &stored), json!({ "user": "ann", "secret": SECRET_MASK }));
        let sent = super::super::check(multi, &json!({ "user": "bob" })).unwrap();
        assert_eq!(keep_secrets(multi, sent, &stored), json!({ "user": "bob", "secret": "s3cret" }));
        let rows = Kind::Repeater(FIELDS);
        let stored = json!([{ "user": "a", "secret": "one" }, { "user": "b", "secret": "two" }]);
        assert_eq!(public(rows, &stored)[1]["secret"], SECRET_MASK);
        let sent = super::super::check(rows, &public(rows, &stored)).unwrap();
        assert_eq!(keep_secrets(rows, sent, &stored), stored);
    }
}
