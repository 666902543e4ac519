//! Article content rules: admins write HTML, which is sanitised before it is
//! stored (no script, no event handlers, no `javascript:` links survive); plain
//! text, slugs and short IDs are derived here.

use rand::Rng;

/// The HTML an admin wrote, with everything that could run removed.
pub fn sanitise(html: &str) -> String {
    ammonia::Builder::default().link_rel(Some("noopener noreferrer")).clean(html).to_string()
}

/// The largest article body accepted, in bytes, before sanitising.
pub const CONTENT_MAX_BYTES: usize = 200_000;

/// One article version as an admin wrote it, checked, with its HTML sanitised.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckedArticle {
    pub title: String,
    /// Sanitised HTML.
    pub content: String,
    /// The content as plain text.
    pub text: String,
    pub link: String,
}

/// Whether `id` can name an article or a category: up to 32 letters, digits, `-`, `_`.
pub fn valid_id(id: &str) -> bool {
    !id.is_empty() && id.len() <= 32 && id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

/// Checks one version of article `id` (save-articles and the admin editor both
/// use this): a title of 1–255 characters, content of at most
/// [`CONTENT_MAX_BYTES`], an http(s) link or none. The error says what is wrong.
pub fn check_article(id: &str, title: &str, content: &str, link: &str) -> Result<CheckedArticle, String> {
    if !valid_id(id) {
        return Err(format!("'{id}' is not a valid article ID"));
    }
    let title = title.trim();
    if title.is_empty() || title.chars().count() > 255 {
        return Err(format!("article '{id}' needs a title of at most 255 characters"));
    }
    if content.len() > CONTENT_MAX_BYTES {
        return Err(format!("the content of article '{id}' is larger than {CONTENT_MAX_BYTES} bytes"));
    }
    let link = link.trim();
    if !link.is_empty() && !is_web_url(link) {
        return Err(format!("the link of article '{id}' must be an http or https URL"));
    }
    let content = sanitise(content);
    Ok(CheckedArticle { title: title.to_string(), text: plain_text(&content), content, link: link.to_string() })
}

/// A category as an admin wrote it, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckedCategory {
    pub title: String,
    pub description: String,
    pub image: String,
}

/// Checks one category (save-articles-categories and the admin category editor):
/// a valid ID, a title of 1–255 characters, a description of at most 2000, an
/// http(s) image or none.
pub fn check_category(id: &str, title: &str, description: &str, image: &str) -> Result<CheckedCategory, String> {
    let (title, description, image) = (title.trim(), description.trim(), image.trim());
    let valid = valid_id(id)
        && !title.is_empty()
        && title.chars().count() <= 255
        && description.chars().count() <= 2_000
        && (image.is_empty() || is_web_url(image));
    if !valid {
        return Err(format!("category '{id}' needs a unique ID, a title and an http(s) image if any"));
    }
    Ok(CheckedCategory { title: title.into(), description: description.into(), image: image.into() })
}

fn is_web_url(text: &str) -> bool {
    url::Url::parse(text).is_ok_and(|u| matches!(u.scheme(), "http" | "https"))
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
    fn articles_and_categories_are_checked_the_same_way_everywhere() {
        let checked = check_article("a1", " Hi ", "<p>x<script>alert(1)</script></p>", "").unwrap();
        assert_eq!((checked.title.as_str(), checked.content.as_str(), checked.text.as_str()), ("Hi", "<p>x</p>", "x"));
        assert!(check_article("a 1", "Hi", "", "").unwrap_err().contains("article ID"));
        assert!(check_article("a1", " ", "", "").unwrap_err().contains("title"));
        assert!(check_article("a1", "Hi", "", "javascript:alert(1)").unwrap_err().contains("link"));
        assert!(check_article("a1", "Hi", &"x".repeat(CONTENT_MAX_BYTES + 1), "").is_err());
        assert_eq!(check_category("c1", " Shipping ", "", "").unwrap().title, "Shipping");
        assert!(check_category("c1", "", "", "").is_err());
        assert!(check_category("c1", "T", "", "ftp://x").is_err());
    }

    #[test]
    fn ids_are_short_and_alphanumeric() {
        let id = new_id();
        assert_eq!(id.len(), 5);
        assert!(id.chars().all(|c| c.is_ascii_alphanumeric()));
    }
}
