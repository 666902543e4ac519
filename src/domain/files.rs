//! What an uploaded file is and whether it may be kept: its type read from its
//! first bytes (never from its name or the client's word), its display name made
//! harmless, and how it may be served.

/// A file's type as its content shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sniffed {
    /// The canonical extension the allowed-types setting names (`png`, `pdf`, `txt`…).
    pub extension: String,
    pub content_type: String,
}

/// Why a file was not kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// Larger than the `upload-max-size` setting (in MB).
    TooLarge {
        max_mb: usize,
    },
    /// Its content is of a type the `upload-allowed-types` setting does not name.
    TypeNotAllowed {
        extension: String,
    },
    /// More files on one message than `upload-max-files`.
    TooMany {
        max: usize,
    },
    Empty,
}

/// Types shown inline (as images in the page); everything else downloads.
const INLINE_IMAGES: [&str; 4] = ["png", "jpg", "gif", "webp"];

/// Text a name may claim for a plain-text file, with how it is served.
const TEXT_KINDS: [(&str, &str); 4] =
    [("csv", "text/csv"), ("md", "text/markdown"), ("log", "text/plain"), ("json", "application/json")];

/// The longest display name kept, in characters.
pub const NAME_MAX: usize = 150;

/// What `bytes` are. Content without a known signature is text when it is UTF-8
/// without NUL bytes (its name may then say csv, md, log or json), markup when that
/// text starts with `<` (HTML, SVG, XML: `html`), and otherwise `bin`.
pub fn sniff(bytes: &[u8], name: &str) -> Sniffed {
    if let Some(found) = infer::get(bytes) {
        let extension = match found.extension() {
            "jpeg" => "jpg",
            "htm" | "xml" => "html",
            other => other,
        };
        let content_type = if extension == "html" { "text/html" } else { found.mime_type() };
        return Sniffed { extension: extension.into(), content_type: content_type.into() };
    }
    let Ok(text) = std::str::from_utf8(bytes) else { return binary() };
    if text.contains('\0') {
        return binary();
    }
    let start = text.trim_start_matches(['\u{feff}', ' ', '\t', '\r', '\n']);
    if start.starts_with('<') {
        return Sniffed { extension: "html".into(), content_type: "text/html".into() };
    }
    let claimed = name.rsplit_once('.').map(|(_, ext)| ext.to_ascii_lowercase()).unwrap_or_default();
    match TEXT_KINDS.iter().find(|(ext, _)| *ext == claimed) {
        Some((ext, content_type)) => Sniffed { extension: (*ext).into(), content_type: (*content_type).into() },
        None => Sniffed { extension: "txt".into(), content_type: "text/plain".into() },
    }
}

fn binary() -> Sniffed {
    Sniffed { extension: "bin".into(), content_type: "application/octet-stream".into() }
}

/// Whether a file of this canonical extension may show inline (a raster image);
/// SVG, HTML and everything else is only ever downloaded.
pub fn is_inline_image(extension: &str) -> bool {
    INLINE_IMAGES.contains(&extension)
}

/// The name shown for a file: the last part of what the client sent (no folders),
/// without control characters, at most [`NAME_MAX`] characters; `file.<ext>`
/// when nothing is left. It is only ever shown escaped, never used as a path.
pub fn display_name(sent: &str, extension: &str) -> String {
    let last = sent.rsplit(['/', '\\']).next().unwrap_or_default();
    let cleaned: String = last.chars().filter(|c| !c.is_control()).take(NAME_MAX).collect();
    let cleaned = cleaned.trim().trim_start_matches('.').trim();
    if cleaned.is_empty() {
        format!("file.{extension}")
    } else {
        cleaned.to_string()
    }
}

/// A size as people read it: `512 B`, `12 KB`, `3.4 MB`.
pub fn human_size(bytes: i64) -> String {
    const KB: f64 = 1024.0;
    let size = bytes.max(0) as f64;
    if size < KB {
        format!("{bytes} B")
    } else if size < KB * KB {
        format!("{:.0} KB", size / KB)
    } else {
        format!("{:.1} MB", size / KB / KB)
    }
}

/// A file key: 32 lowercase hex digits (128 random bits).
pub fn is_key(text: &str) -> bool {
    text.len() == 32 && text.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// The allowed-types setting read as canonical extensions (`jpeg` counts as `jpg`).
pub fn parse_allowed(setting: &str) -> Vec<String> {
    setting
        .split([',', ' ', '\n'])
        .map(|ext| ext.trim().trim_start_matches('.').to_ascii_lowercase())
        .filter(|ext| !ext.is_empty())
        .map(|ext| if ext == "jpeg" { "jpg".into() } else { ext })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR";

    #[test]
    fn the_content_decides_not_the_name() {
        assert_eq!(sniff(PNG, "cat.txt").extension, "png");
        assert_eq!(sniff(b"<!DOCTYPE html><script>x</script>", "cat.png").extension, "html");
        assert_eq!(sniff(b"  <svg xmlns='http://www.w3.org/2000/svg'/>", "logo.png").extension, "html");
        assert_eq!(
            sniff(b"a,b\n1,2\n", "data.csv"),
            Sniffed { extension: "csv".into(), content_type: "text/csv".into() }
        );
        assert_eq!(sniff(b"hello", "notes.exe").extension, "txt");
        assert_eq!(sniff(b"\x00\x01\x02binary", "x.txt").extension, "bin");
        assert_eq!(sniff(b"\xff\xd8\xff\xe0\0\x10JFIF\0", "photo").extension, "jpg");
    }

    #[test]
    fn names_lose_folders_and_control_characters() {
        assert_eq!(display_name("../../etc/passwd", "txt"), "passwd");
        assert_eq!(display_name("C:\\Users\\me\\report.pdf", "pdf"), "report.pdf");
        assert_eq!(display_name("a\u{0}b\r\n.txt", "txt"), "ab.txt");
        assert_eq!(display_name("../", "png"), "file.png");
        assert_eq!(display_name("..", "png"), "file.png");
        assert_eq!(display_name(&"x".repeat(500), "txt").chars().count(), NAME_MAX);
    }

    #[test]
    fn only_raster_images_show_inline() {
        assert!(is_inline_image("png") && is_inline_image("jpg"));
        assert!(!is_inline_image("html") && !is_inline_image("pdf") && !is_inline_image("svg"));
    }

    #[test]
    fn sizes_read_as_people_say_them() {
        assert_eq!(human_size(512), "512 B");
        assert_eq!(human_size(12 * 1024 + 100), "12 KB");
        assert_eq!(human_size(3_565_158), "3.4 MB");
    }

    #[test]
    fn keys_are_32_lowercase_hex_digits() {
        assert!(is_key(&"a1".repeat(16)));
        assert!(!is_key("../etc/passwd") && !is_key(&"A1".repeat(16)) && !is_key("abc"));
    }

    #[test]
    fn allowed_types_read_loosely() {
        assert_eq!(parse_allowed(" .PNG, jpeg pdf\n"), vec!["png", "jpg", "pdf"]);
    }
}
