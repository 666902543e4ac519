//! The chat markup: `*bold*`, `_italic_`, `~strike~`, `` `code` ``, ```` ```block``` ````
//! and bare links. Text is parsed once into [`Node`]s, then rendered either as HTML
//! (every piece of the input escaped, so the result can go straight into a page) or
//! as plain text with the markers removed.
//!
//! A marker opens only at the start of a word and closes only at the end of one, on
//! the same line, so `2*3*4` and `snake_case_name` stay as typed.

#[derive(Debug, PartialEq)]
enum Node<'a> {
    Text(&'a str),
    Bold(Vec<Node<'a>>),
    Italic(Vec<Node<'a>>),
    Strike(Vec<Node<'a>>),
    Code(&'a str),
    Block(&'a str),
    Link(&'a str),
    Break,
}

/// The message as safe HTML.
pub fn to_html(text: &str) -> String {
    let mut html = String::with_capacity(text.len() + 16);
    render_html(&parse(text), &mut html);
    html
}

/// The message with its formatting markers removed.
pub fn to_plain(text: &str) -> String {
    let mut plain = String::with_capacity(text.len());
    render_plain(&parse(text), &mut plain);
    plain
}

fn render_html(nodes: &[Node], out: &mut String) {
    for node in nodes {
        match node {
            Node::Text(text) => out.push_str(&html_escape::encode_text(text)),
            Node::Bold(inner) => wrap(out, "b", inner),
            Node::Italic(inner) => wrap(out, "i", inner),
            Node::Strike(inner) => wrap(out, "del", inner),
            Node::Code(code) => {
                out.push_str("<code>");
                out.push_str(&html_escape::encode_text(code));
                out.push_str("</code>");
            }
            Node::Block(code) => {
                out.push_str("<pre><code>");
                out.push_str(&html_escape::encode_text(code));
                out.push_str("</code></pre>");
            }
            Node::Link(url) => {
                let href = if url.starts_with("www.") { format!("https://{url}") } else { url.to_string() };
                out.push_str("<a href=\"");
                out.push_str(&html_escape::encode_double_quoted_attribute(&href));
                out.push_str("\" target=\"_blank\" rel=\"noopener noreferrer\">");
                out.push_str(&html_escape::encode_text(url));
                out.push_str("</a>");
            }
            Node::Break => out.push_str("<br>"),
        }
    }
}

fn wrap(out: &mut String, tag: &str, inner: &[Node]) {
    out.push('<');
    out.push_str(tag);
    out.push('>');
    render_html(inner, out);
    out.push_str("</");
    out.push_str(tag);
    out.push('>');
}

fn render_plain(nodes: &[Node], out: &mut String) {
    for node in nodes {
        match node {
            Node::Text(text) | Node::Code(text) | Node::Block(text) | Node::Link(text) => out.push_str(text),
            Node::Bold(inner) | Node::Italic(inner) | Node::Strike(inner) => render_plain(inner, out),
            Node::Break => out.push('\n'),
        }
    }
}

fn parse(text: &str) -> Vec<Node<'_>> {
    let mut nodes = Vec::new();
    let mut rest = text;
    while let Some(open) = rest.find("```") {
        let after = &rest[open + 3..];
        let Some(close) = after.find("```") else { break };
        parse_inline(&rest[..open], &mut nodes);
        let code = &after[..close];
        nodes.push(Node::Block(code.strip_prefix('\n').unwrap_or(code)));
        rest = &after[close + 3..];
    }
    parse_inline(rest, &mut nodes);
    nodes
}

fn parse_inline<'a>(text: &'a str, nodes: &mut Vec<Node<'a>>) {
    let mut plain_start = 0;
    let mut i = 0;
    while i < text.len() {
        let c = text[i..].chars().next().expect("i is on a char boundary below text.len()");
        let before = text[..i].chars().next_back();
        let found: Option<(Node<'a>, usize)> = match c {
            '\n' => Some((Node::Break, i + 1)),
            '`' => text[i + 1..]
                .find(['`', '\n'])
                .filter(|&len| len > 0 && text[i + 1 + len..].starts_with('`'))
                .map(|len| (Node::Code(&text[i + 1..i + 1 + len]), i + len + 2)),
            '*' | '_' | '~' if opens(before, text[i + 1..].chars().next()) => closing(text, i, c).map(|end| {
                let mut inner = Vec::new();
                parse_inline(&text[i + 1..end], &mut inner);
                let node = match c {
                    '*' => Node::Bold(inner),
                    '_' => Node::Italic(inner),
                    _ => Node::Strike(inner),
                };
                (node, end + 1)
            }),
            'h' | 'w' if before.is_none_or(|b| b.is_whitespace() || b == '(') => {
                link_end(&text[i..]).map(|len| (Node::Link(&text[i..i + len]), i + len))
            }
            _ => None,
        };
        match found {
            Some((node, next)) => {
                if plain_start < i {
                    nodes.push(Node::Text(&text[plain_start..i]));
                }
                nodes.push(node);
                i = next;
                plain_start = next;
            }
            None => i += c.len_utf8(),
        }
    }
    if plain_start < text.len() {
        nodes.push(Node::Text(&text[plain_start..]));
    }
}

/// A marker opens at the start of a word: after nothing, a space or punctuation,
/// and before a visible character.
fn opens(before: Option<char>, after: Option<char>) -> bool {
    before.is_none_or(|b| !b.is_alphanumeric()) && after.is_some_and(|a| !a.is_whitespace())
}

/// The index of the marker that closes the one at `open`, on the same line.
fn closing(text: &str, open: usize, marker: char) -> Option<usize> {
    let line_end = text[open + 1..].find('\n').map_or(text.len(), |n| open + 1 + n);
    let mut search = open + 1;
    while let Some(offset) = text[search..line_end].find(marker) {
        let at = search + offset;
        let before = text[..at].chars().next_back();
        let after = text[at + 1..].chars().next();
        let content_ok = at > open + 1 && before.is_some_and(|b| !b.is_whitespace());
        if content_ok && after.is_none_or(|a| !a.is_alphanumeric()) {
            return Some(at);
        }
        search = at + 1;
    }
    None
}

/// The length of the link starting `text`, if it starts with one: up to the next
/// space or character a URL cannot hold, without trailing punctuation.
fn link_end(text: &str) -> Option<usize> {
    let prefix = ["https://", "http://", "www."].into_iter().find(|p| text.starts_with(p))?;
    let end = text.find(|c: char| c.is_whitespace() || matches!(c, '"' | '<' | '>')).unwrap_or(text.len());
    let trimmed = text[..end].trim_end_matches(['.', ',', ';', ':', '!', '?', ')', ']', '\'', '"']);
    (trimmed.len() > prefix.len()).then_some(trimmed.len())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn renders_the_chat_markup() {
        assert_eq!(
            to_html("Lorem *sit amet*, _elit_, `sed` ~old~"),
            "Lorem <b>sit amet</b>, <i>elit</i>, <code>sed</code> <del>old</del>"
        );
        assert_eq!(to_html("```\nlet x = 1 < 2;\n```"), "<pre><code>let x = 1 &lt; 2;\n</code></pre>");
        assert_eq!(to_html("*_both_*"), "<b><i>both</i></b>");
        assert_eq!(to_html("a\nb"), "a<br>b");
    }

    #[test]
    fn leaves_text_alone_where_markers_are_not_formatting() {
        assert_eq!(to_html("2*3*4 and snake_case_name"), "2*3*4 and snake_case_name");
        assert_eq!(to_html("* not bold *"), "* not bold *");
        assert_eq!(to_html("*across\nlines*"), "*across<br>lines*");
        assert_eq!(to_html("``"), "``");
    }

    #[test]
    fn links_are_clickable_and_safe() {
        assert_eq!(
            to_html("see https://ex.com/a_b_c?x=1&y=2."),
            "see <a href=\"https://ex.com/a_b_c?x=1&amp;y=2\" target=\"_blank\" rel=\"noopener noreferrer\">https://ex.com/a_b_c?x=1&amp;y=2</a>."
        );
        assert!(to_html("www.example.com").contains("href=\"https://www.example.com\""));
        assert_eq!(to_html("javascript:alert(1)"), "javascript:alert(1)");
        let sneaky = to_html("https://x.com/\"onmouseover=\"alert(1)");
        assert!(sneaky.starts_with("<a href=\"https://x.com/\" "), "{sneaky}");
        assert!(only_our_tags(&sneaky), "{sneaky}");
    }

    #[test]
    fn html_in_messages_is_escaped() {
        assert_eq!(to_html("<script>alert('x')</script>"), "&lt;script&gt;alert('x')&lt;/script&gt;");
    }

    #[test]
    fn plain_text_drops_the_markers() {
        assert_eq!(to_plain("Lorem *sit amet*, _elit_, `sed`"), "Lorem sit amet, elit, sed");
        assert_eq!(to_plain("<b>kept</b>"), "<b>kept</b>", "plain text is not HTML");
    }

    /// Every tag in the output is one Switchboard writes, and no attribute can be
    /// opened from the input.
    fn only_our_tags(html: &str) -> bool {
        let mut rest = html;
        while let Some(open) = rest.find('<') {
            let Some(close) = rest[open..].find('>') else { return false };
            let tag = &rest[open + 1..open + close];
            let fixed = ["b", "/b", "i", "/i", "del", "/del", "code", "/code", "pre", "/pre", "br", "/a"];
            let link = tag
                .strip_prefix("a href=\"")
                .and_then(|t| t.strip_suffix("\" target=\"_blank\" rel=\"noopener noreferrer\""))
                .is_some_and(|href| {
                    !href.contains('"') && (href.starts_with("http://") || href.starts_with("https://"))
                });
            if !fixed.contains(&tag) && !link {
                return false;
            }
            rest = &rest[open + close + 1..];
        }
        true
    }

    proptest! {
        #[test]
        fn no_input_yields_a_foreign_tag_or_attribute(text in "[a-z <>\"'&*_~`/=:.\\nhtpsw]{0,80}") {
            let html = to_html(&text);
            prop_assert!(only_our_tags(&html), "{html}");
            prop_assert!(!html.to_lowercase().contains("<script"));
        }

        #[test]
        fn arbitrary_unicode_never_panics_and_stays_safe(text in any::<String>()) {
            prop_assert!(only_our_tags(&to_html(&text)));
            let _ = to_plain(&text);
        }

        #[test]
        fn text_without_markers_is_unchanged_as_plain(text in "[a-zA-Z0-9 ,.!?<>&\"']{0,60}") {
            prop_assert_eq!(to_plain(&text), text);
        }
    }
}
