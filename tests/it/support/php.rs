//! Request bodies exactly as PHP's `http_build_query` writes them: RFC 1738
//! encoding (space as `+`, everything but `A-Za-z0-9-_.` percent-encoded), nested
//! arrays as `key[sub]`, `true`/`false` as `1`/`0`, and nulls left out.

use serde_json::Value;

pub fn urlencode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => out.push(byte as char),
            b' ' => out.push('+'),
            _ => out.push_str(&format!("%{byte:02X}")),
        }
    }
    out
}

/// `http_build_query` of an object.
pub fn http_build_query(value: &Value) -> String {
    let mut pairs = Vec::new();
    if let Value::Object(map) = value {
        for (key, item) in map {
            flatten(key.clone(), item, &mut pairs);
        }
    }
    pairs.join("&")
}

fn flatten(key: String, value: &Value, pairs: &mut Vec<String>) {
    match value {
        Value::Null => {}
        Value::Bool(b) => pairs.push(format!("{}={}", urlencode(&key), if *b { 1 } else { 0 })),
        Value::Number(n) => pairs.push(format!("{}={}", urlencode(&key), n)),
        Value::String(s) => pairs.push(format!("{}={}", urlencode(&key), urlencode(s))),
        Value::Array(items) => {
            for (index, item) in items.iter().enumerate() {
                flatten(format!("{key}[{index}]"), item, pairs);
            }
        }
        Value::Object(map) => {
            for (sub, item) in map {
                flatten(format!("{key}[{sub}]"), item, pairs);
            }
        }
    }
}

#[test]
fn encodes_like_php() {
    let query = http_build_query(&serde_json::json!({
        "token": "t", "function": "get-users", "search": "a b*c", "ids": [1, 2], "s": {"k": ["v", "N"]}, "x": true, "n": null
    }));
    assert_eq!(
        query,
        "token=t&function=get-users&search=a+b%2Ac&ids%5B0%5D=1&ids%5B1%5D=2&s%5Bk%5D%5B0%5D=v&s%5Bk%5D%5B1%5D=N&x=1"
    );
}
