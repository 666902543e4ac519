//! An email's body as chat text: plain text preferred; HTML sanitised by ammonia
//! (scripts, styles, images and so tracking pixels, every attribute but links'
//! targets: gone) and then rendered as text by html2text, so raw HTML is never
//! stored. Replies are trimmed of their quoted history and common signatures;
//! the untrimmed text stays with the message for agents.

use std::collections::HashSet;

/// The tags kept for the text rendering: structure and emphasis, nothing active.
const KEPT_TAGS: &[&str] = &[
    "a",
    "b",
    "strong",
    "i",
    "em",
    "u",
    "s",
    "p",
    "br",
    "div",
    "span",
    "ul",
    "ol",
    "li",
    "blockquote",
    "pre",
    "code",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "table",
    "thead",
    "tbody",
    "tr",
    "td",
    "th",
    "hr",
];

/// Lines past which a reply is quoted history, however they are worded after
/// these starts.
const HISTORY_STARTS: &[&str] = &[
    "-----Original Message-----",
    "________________________________",
    "----- Forwarded message",
    "---------- Forwarded message",
];

/// Lines that start a signature, besides the standard `-- ` line.
const SIGNATURE_STARTS: &[&str] = &["Sent from my ", "Get Outlook for ", "Sent from Mail for "];

fn starts_signature(line: &str) -> bool {
    line.trim_end() == "--" || SIGNATURE_STARTS.iter().any(|start| line.trim_start().starts_with(start))
}

/// HTML as plain text: sanitised first, then rendered without wrapping.
pub fn html_to_text(html: &str) -> String {
    let tags: HashSet<&str> = KEPT_TAGS.iter().copied().collect();
    let clean = ammonia::Builder::default()
        .tags(tags)
        .clean_content_tags(["script", "style", "head", "title"].into_iter().collect())
        .generic_attributes(HashSet::new())
        .link_rel(None)
        .clean(html)
        .to_string();
    let text =
        html2text::config::plain().no_link_wrapping().string_from_read(clean.as_bytes(), 10_000).unwrap_or_default();
    text.lines().map(str::trim_end).collect::<Vec<_>>().join("\n").trim().to_string()
}

/// The new text of a reply: up to the quoted history (`On … wrote:`, `> …`, an
/// `-----Original Message-----` line) and without a trailing signature. When
/// trimming would leave nothing, the whole text.
pub fn trim_reply(text: &str) -> String {
    let lines: Vec<&str> = text.lines().collect();
    let mut end = lines.len();
    for (at, line) in lines.iter().enumerate() {
        let trimmed = line.trim();
        let history = HISTORY_STARTS.iter().any(|start| trimmed.starts_with(start))
            || (trimmed.starts_with("On ") && trimmed.ends_with("wrote:"))
            || (trimmed.starts_with('>')
                && lines[at..].iter().all(|l| l.trim().is_empty() || l.trim().starts_with('>')));
        if history {
            end = at;
            break;
        }
        // "On Mon, 1 Jan 2024, Ann <ann@example.com>" / "wrote:" split over two lines.
        if trimmed.starts_with("On ") && lines.get(at + 1).is_some_and(|next| next.trim() == "wrote:") {
            end = at;
            break;
        }
    }
    let mut kept = &lines[..end];
    if let Some(signature) = kept.iter().position(|line| starts_signature(line)) {
        kept = &kept[..signature];
    }
    let trimmed = kept.join("\n").trim().to_string();
    if trimmed.is_empty() {
        text.trim().to_string()
    } else {
        trimmed
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_loses_scripts_styles_and_images_and_keeps_its_text_and_links() {
        let html = r#"<html><head><style>p{color:red}</style><script>alert(1)</script></head>
            <body><p>Hello <b>there</b></p><img src="https://track.example/pixel.gif" width="1" height="1">
            <p onclick="evil()">See <a href="https://example.com/order/7">your order</a></p></body></html>"#;
        let text = html_to_text(html);
        assert!(text.contains("Hello") && text.contains("there") && text.contains("your order"), "{text}");
        assert!(text.contains("https://example.com/order/7"), "{text}");
        for gone in ["alert", "color:red", "pixel.gif", "track.example", "evil", "<"] {
            assert!(!text.contains(gone), "{gone} in {text}");
        }
    }

    #[test]
    fn replies_lose_their_quoted_history_and_signature() {
        let reply = "Thanks, that fixed it.\n\n-- \nAnn Lee\nACME\n\nOn Mon, 1 Jan 2024 at 10:00, Help <help@example.com> wrote:\n> Try turning it off and on.\n";
        assert_eq!(trim_reply(reply), "Thanks, that fixed it.");
        let outlook = "Yes please.\n\n-----Original Message-----\nFrom: Help\nSubject: Re: x";
        assert_eq!(trim_reply(outlook), "Yes please.");
        let phone = "On my way.\n\nSent from my iPhone";
        assert_eq!(trim_reply(phone), "On my way.");
        let inline = "> your question\nMy answer\n> more\nAnd more";
        assert_eq!(trim_reply(inline), inline, "interleaved quotes are kept");
        assert_eq!(trim_reply("> only a quote"), "> only a quote", "nothing left: the whole text");
    }
}
