//! Article content rules: admins write HTML, which is sanitised before it is
//! stored (no script, no event handlers, no `javascript:` links survive); plain
//! text, slugs and short IDs are derived here.

use rand::Rng;

/// The HTML an admin wrote, with everything that could run removed.
pub fn sanitise(html: &str) -> String {
    ammonia::Builder::default().link_rel(Some("noopener noreferrer")).clean(html).to_string()
}

/// The text of sanitised HTML, tags dropped and entities decoded.
pub fn plain_text(html: &str) -> String {
    let without_tags = ammonia::Builder::empty().clean(html).to_string();
    let text = html_escape::decode_html_entities(&without_tags);
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The first `max` characters of `text`, cut at a word, with ` ...` when cut.
pub fn summary(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let cut: String = text.chars().take(max).collect();
    let at_word = cut.rfind(' ').map_or(cut.as_str(), |space| &cut[..space]);
    format!("{} ...", at_word.trim_end())
}

/// A readable URL segment: lowercase letters and digits joined by dashes,
/// accents dropped where they have an ASCII base letter.
pub fn slug(title: &str) -> String {
    let mut slug = String::with_capacity(title.len());
    for c in title.chars().flat_map(char::to_lowercase) {
        let c = fold_accent(c);
        if c.is_ascii_alphanumeric() {
            slug.push(c);
        } else if !slug.ends_with('-') && !slug.is_empty() {
            slug.push('-');
        }
    }
    let slug = slug.trim_end_matches('-');
    let slug: String = slug.chars().take(80).collect();
    if slug.is_empty() {
        "article".into()
    } else {
        slug
    }
}

/// [`slug`] of `title`, made unique among `taken` with `-2`, `-3`, … and added to it.
pub fn unique_slug(title: &str, taken: &mut std::collections::HashSet<String>) -> String {
    let base = slug(title);
    let mut candidate = base.clone();
    let mut n = 2;
    while !taken.insert(candidate.clone()) {
        candidate = format!("{base}-{n}");
        n += 1;
    }
    candidate
}

fn fold_accent(c: char) -> char {
    match c {
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' => 'a',
        'ç' => 'c',
        'è' | 'é' | 'ê' | 'ë' => 'e',
        'ì' | 'í' | 'î' | 'ï' => 'i',
        'ñ' => 'n',
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' => 'o',
        'ù' | 'ú' | 'û' | 'ü' => 'u',
        'ý' | 'ÿ' => 'y',
        other => other,
    }
}

/// A short random ID like the contract's (`6P2Oq`).
pub fn new_id() -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    let mut rng = rand::thread_rng();
    (0..5).map(|_| ALPHABET[rng.gen_range(0..ALPHABET.len())] as char).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sanitising_removes_everything_that_runs() {
        let dirty = r#"<p onclick="x()">Hi <script>alert(1)</script><a href="javascript:alert(1)">a</a><img src=x onerror=alert(1)><iframe src="//evil"></iframe><b>ok</b></p>"#;
        let clean = sanitise(dirty);
        for banned in ["<script", "onclick", "onerror", "javascript:", "<iframe"] {
            assert!(!clean.contains(banned), "{banned} survived: {clean}");
        }
        assert!(clean.contains("<b>ok</b>"));
        assert!(sanitise(r#"<a href="https://x.com">x</a>"#).contains(r#"rel="noopener noreferrer""#));
    }

    #[test]
    fn plain_text_and_summaries() {
        assert_eq!(plain_text("<p>Fish &amp; <b>chips</b></p>\n<p>daily</p>"), "Fish & chips daily");
        assert_eq!(summary("one two three four", 9), "one two ...");
        assert_eq!(summary("short", 9), "short");
    }

    #[test]
    fn slugs_are_readable_and_safe() {
        assert_eq!(slug("What's new with the API V2?"), "what-s-new-with-the-api-v2");
        assert_eq!(slug("Crème brûlée recipes"), "creme-brulee-recipes");
        assert_eq!(slug("!!!"), "article");
        assert_eq!(slug("日本語"), "article");
        let mut taken = std::collections::HashSet::new();
        assert_eq!(unique_slug("Hello", &mut taken), "hello");
        assert_eq!(unique_slug("hello!", &mut taken), "hello-2");
    }

    #[test]
    fn ids_are_short_and_alphanumeric() {
        let id = new_id();
        assert_eq!(id.len(), 5);
        assert!(id.chars().all(|c| c.is_ascii_alphanumeric()));
    }
}
