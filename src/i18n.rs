//! The user-interface strings Switchboard ships: one file per language in
//! `static/languages/<code>.json`, compiled into the binary. English is the source
//! language: every other file translates exactly English's strings. Saved
//! overrides (the database's `translations` table) are applied over these in
//! `api::translations`; this module never changes.

use std::collections::BTreeMap;
use std::sync::LazyLock;

/// `(code, file)` for every shipped language; English first. Adding a language is
/// a file plus a line here.
const FILES: &[(&str, &str)] = &[
    ("en", include_str!("../static/languages/en.json")),
    ("es", include_str!("../static/languages/es.json")),
    ("it", include_str!("../static/languages/it.json")),
    ("fr", include_str!("../static/languages/fr.json")),
    ("de", include_str!("../static/languages/de.json")),
    ("pt", include_str!("../static/languages/pt.json")),
];

/// Source string -> translation.
pub type Strings = BTreeMap<String, String>;

/// The two string sets a language file holds: the chat widget and help center
/// (`front`), and the admin area (`admin`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Section {
    Front,
    Admin,
}

impl Section {
    pub const ALL: [Section; 2] = [Section::Front, Section::Admin];

    pub fn as_str(self) -> &'static str {
        match self {
            Section::Front => "front",
            Section::Admin => "admin",
        }
    }

    pub fn parse(text: &str) -> Option<Section> {
        Section::ALL.into_iter().find(|s| s.as_str() == text)
    }
}

#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Language {
    #[serde(skip)]
    pub code: &'static str,
    /// The language's English name, as the contract shows it ("Spanish").
    pub name: String,
    pub front: Strings,
    pub admin: Strings,
}

impl Language {
    pub fn strings(&self, section: Section) -> &Strings {
        match section {
            Section::Front => &self.front,
            Section::Admin => &self.admin,
        }
    }
}

/// A broken language file is a build defect that the unit tests below catch, so
/// parsing once at first use and panicking on failure never reaches a user.
static LANGUAGES: LazyLock<Vec<Language>> = LazyLock::new(|| {
    FILES
        .iter()
        .map(|(code, text)| {
            let mut language: Language = serde_json::from_str(text)
                .unwrap_or_else(|err| panic!("static/languages/{code}.json is not a language file: {err}"));
            language.code = code;
            language
        })
        .collect()
});

/// Every shipped language, English first.
pub fn languages() -> &'static [Language] {
    &LANGUAGES
}

pub fn find(code: &str) -> Option<&'static Language> {
    languages().iter().find(|l| l.code == code)
}

/// A language code in its stored spelling: two letters, optionally a two-letter
/// region (`pt-BR` -> `pt-br`), lowercased; `None` for anything else.
pub fn normalize_code(text: &str) -> Option<String> {
    let code = text.trim().to_ascii_lowercase();
    let bytes = code.as_bytes();
    let letters = |range: std::ops::Range<usize>| bytes[range].iter().all(u8::is_ascii_lowercase);
    let valid = match bytes.len() {
        2 => letters(0..2),
        5 => letters(0..2) && bytes[2] == b'-' && letters(3..5),
        _ => false,
    };
    valid.then_some(code)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn english_is_first_and_maps_every_string_to_itself() {
        let english = &languages()[0];
        assert_eq!(english.code, "en");
        assert_eq!(english.name, "English");
        for section in Section::ALL {
            let strings = english.strings(section);
            assert!(strings.len() >= 80, "only {} {} strings", strings.len(), section.as_str());
            for (source, text) in strings {
                assert_eq!(source, text, "English must map {source:?} to itself");
            }
        }
    }

    #[test]
    fn every_shipped_language_translates_exactly_englishs_strings_and_none_is_empty() {
        let english = find("en").unwrap();
        assert!(languages().len() >= 4);
        for language in languages() {
            assert_eq!(normalize_code(language.code).as_deref(), Some(language.code));
            assert!(!language.name.trim().is_empty(), "{} has no name", language.code);
            for section in Section::ALL {
                let keys: Vec<_> = language.strings(section).keys().collect();
                let english_keys: Vec<_> = english.strings(section).keys().collect();
                assert_eq!(keys, english_keys, "{} {} keys differ from English", language.code, section.as_str());
                for (source, text) in language.strings(section) {
                    assert!(!text.trim().is_empty(), "{} {}: {source:?} is empty", language.code, section.as_str());
                    assert_eq!(
                        text.trim(),
                        text,
                        "{} {}: {source:?} has stray spaces",
                        language.code,
                        section.as_str()
                    );
                }
            }
        }
    }

    #[test]
    fn the_shipped_languages_are_the_promised_ones() {
        let codes: Vec<_> = languages().iter().map(|l| l.code).collect();
        assert_eq!(codes, ["en", "es", "it", "fr", "de", "pt"]);
        assert_eq!(find("es").unwrap().front["Send"], "Enviar");
        assert_eq!(find("fr").unwrap().admin["Inbox"], "Boîte de réception");
        assert!(find("xx").is_none());
    }

    #[test]
    fn language_codes_are_two_letters_with_an_optional_region() {
        assert_eq!(normalize_code("ES").as_deref(), Some("es"));
        assert_eq!(normalize_code(" pt-BR ").as_deref(), Some("pt-br"));
        for bad in ["", "e", "eng", "e1", "pt-", "pt-b", "pt_br", "pt-bra", "../en", "é", "es-1x", "pt--br"] {
            assert_eq!(normalize_code(bad), None, "{bad:?}");
        }
    }
}
