//! Email templates: plain text that admins write in the notification settings,
//! with `{placeholder}`s filled in for one recipient. One pass renders both parts
//! of the email: the text part as written, and the HTML part in which the
//! template's own text and every value put into it are escaped, so nothing a user
//! typed can become markup. Placeholders are replaced once: a `{message}` inside a
//! user's message stays text. Unknown placeholders are left as they are.

use html_escape::encode_double_quoted_attribute;

/// Every placeholder a notification template may use, for the README and tests.
pub const PLACEHOLDERS: [&str; 8] = [
    "recipient_name",
    "recipient_email",
    "sender_name",
    "message",
    "attachments",
    "conversation_id",
    "conversation_url",
    "site_title",
];

/// What a placeholder stands for.
#[derive(Debug, Clone, PartialEq)]
pub enum Fill {
    Text(String),
    /// A web address: itself in the text part, a link in the HTML part.
    Link(String),
    /// `(name, address)` pairs: `name: address` lines in text, links in HTML.
    Links(Vec<(String, String)>),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Rendered {
    pub text: String,
    /// An HTML fragment; see [`html_document`].
    pub html: String,
}

/// `template` with each known `{name}` replaced by its value in `values`.
pub fn render(template: &str, values: &[(&str, Fill)]) -> Rendered {
    let mut out = Rendered { text: String::new(), html: String::new() };
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        let (literal, tail) = rest.split_at(open);
        push_literal(&mut out, literal);
        let fill = tail[1..]
            .find('}')
            .map(|close| &tail[1..1 + close])
            .and_then(|name| values.iter().find(|(known, _)| *known == name).map(|(_, fill)| (name, fill)));
        match fill {
            Some((name, fill)) => {
                push_fill(&mut out, fill);
                rest = &tail[name.len() + 2..];
            }
            None => {
                push_literal(&mut out, "{");
                rest = &tail[1..];
            }
        }
    }
    push_literal(&mut out, rest);
    out
}

/// A one-line rendering for a subject: line breaks become spaces, so no value
/// can start a new header.
pub fn render_line(template: &str, values: &[(&str, Fill)]) -> String {
    let text = render(template, values).text;
    text.split(['\r', '\n']).map(str::trim).filter(|part| !part.is_empty()).collect::<Vec<_>>().join(" ")
}

fn push_literal(out: &mut Rendered, literal: &str) {
    out.text.push_str(literal);
    out.html.push_str(&text_to_html(literal));
}

fn push_fill(out: &mut Rendered, fill: &Fill) {
    match fill {
        Fill::Text(text) => push_literal(out, text),
        Fill::Link(address) => {
            out.text.push_str(address);
            out.html.push_str(&link(address, address));
        }
        Fill::Links(links) => {
            let lines: Vec<String> = links.iter().map(|(name, address)| format!("{name}: {address}")).collect();
            out.text.push_str(&lines.join("\n"));
            let anchors: Vec<String> = links.iter().map(|(name, address)| link(address, name)).collect();
            out.html.push_str(&anchors.join("<br>\n"));
        }
    }
}

/// An anchor for an http(s) address; anything else is shown as text only.
fn link(address: &str, label: &str) -> String {
    if address.is_empty() {
        return String::new();
    }
    let web = url::Url::parse(address).is_ok_and(|u| matches!(u.scheme(), "http" | "https"));
    if !web {
        return text_to_html(label);
    }
    format!("<a href=\"{}\">{}</a>", encode_double_quoted_attribute(address), text_to_html(label))
}

/// A complete HTML document around a rendered fragment.
pub fn html_document(fragment: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"></head>\n\
         <body style=\"font-family: sans-serif; line-height: 1.5;\">\n{fragment}\n</body></html>\n"
    )
}

/// Plain text as HTML paragraphs: escaped, with line breaks kept.
pub fn text_to_html(text: &str) -> String {
    html_escape::encode_text(text).replace("\r\n", "\n").replace('\n', "<br>\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values() -> Vec<(&'static str, Fill)> {
        vec![
            ("sender_name", Fill::Text("Ann <admin>".into())),
            ("message", Fill::Text("<script>alert(1)</script>\n{sender_name} & co".into())),
            ("conversation_url", Fill::Link("https://example.com/c?a=1&b=\"2\"".into())),
            ("attachments", Fill::Links(vec![("a<b>.pdf".into(), "https://example.com/f.pdf".into())])),
        ]
    }

    #[test]
    fn text_becomes_escaped_html() {
        assert_eq!(super::text_to_html("a < b\nc"), "a &lt; b<br>\nc");
    }

    #[test]
    fn the_text_part_is_the_template_with_values_filled_in_once() {
        let out = render("Hi from {sender_name}: {message} {unknown} {", &values());
        assert_eq!(out.text, "Hi from Ann <admin>: <script>alert(1)</script>\n{sender_name} & co {unknown} {");
    }

    #[test]
    fn the_html_part_escapes_the_template_and_every_value() {
        let out = render("<b>{sender_name}</b> {message}", &values());
        assert_eq!(
            out.html,
            "&lt;b&gt;Ann &lt;admin&gt;&lt;/b&gt; &lt;script&gt;alert(1)&lt;/script&gt;<br>\n{sender_name} &amp; co"
        );
        assert!(!out.html.contains("<script"));
    }

    #[test]
    fn links_are_anchors_with_escaped_addresses_and_names() {
        let out = render("{conversation_url}\n{attachments}", &values());
        assert_eq!(out.text, "https://example.com/c?a=1&b=\"2\"\na<b>.pdf: https://example.com/f.pdf");
        assert!(out.html.starts_with("<a href=\"https://example.com/c?a=1&amp;b=&quot;2&quot;\">"), "{}", out.html);
        assert!(out.html.contains("<a href=\"https://example.com/f.pdf\">a&lt;b&gt;.pdf</a>"), "{}", out.html);
        let odd = render("{conversation_url}", &[("conversation_url", Fill::Link("javascript:alert(1)".into()))]);
        assert_eq!(odd.html, "javascript:alert(1)");
    }

    #[test]
    fn a_subject_is_one_line() {
        let subject = render_line("Re: {message}", &[("message", Fill::Text("a\r\nBcc: x@example.com\n".into()))]);
        assert_eq!(subject, "Re: a Bcc: x@example.com");
    }
}
