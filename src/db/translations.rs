//! Every statement about `translations` (the saved overrides of the shipped UI
//! strings) and `translation_versions` (a snapshot of all overrides after each save
//! or restore).

use crate::domain::PAGE_SIZE;
use crate::i18n::{Section, Strings};
use rusqlite::types::Type;
use rusqlite::{params, Connection, OptionalExtension};
use std::collections::BTreeMap;

/// language code -> section -> source string -> text. Only strings that differ
/// from the shipped ones, and no empty maps, so two sets compare equal exactly
/// when they show the same texts.
pub type Overrides = BTreeMap<String, BTreeMap<Section, Strings>>;

/// A version as listed: what changed when, by whom.
#[derive(Debug, Clone)]
pub struct VersionRow {
    pub id: i64,
    pub creation_time: String,
    pub saved_by: Option<i64>,
    /// The language codes whose overrides this version changed.
    pub languages: Vec<String>,
    pub restored_from: Option<i64>,
}

pub struct NewVersion<'a> {
    pub now: &'a str,
    pub saved_by: i64,
    pub languages: &'a [String],
    pub overrides: &'a Overrides,
    pub restored_from: Option<i64>,
}

pub fn overrides(conn: &Connection) -> rusqlite::Result<Overrides> {
    let mut stmt = conn.prepare_cached("SELECT language, section, source, text FROM translations")?;
    let mut rows = stmt.query([])?;
    let mut all = Overrides::new();
    while let Some(row) = rows.next()? {
        let section = section_of(&row.get::<_, String>(1)?)?;
        all.entry(row.get(0)?).or_default().entry(section).or_default().insert(row.get(2)?, row.get(3)?);
    }
    Ok(all)
}

/// The overrides of one language, by section.
pub fn overrides_of(conn: &Connection, language: &str) -> rusqlite::Result<BTreeMap<Section, Strings>> {
    let mut stmt = conn.prepare_cached("SELECT section, source, text FROM translations WHERE language = ?1")?;
    let mut rows = stmt.query([language])?;
    let mut sections: BTreeMap<Section, Strings> = BTreeMap::new();
    while let Some(row) = rows.next()? {
        sections.entry(section_of(&row.get::<_, String>(0)?)?).or_default().insert(row.get(1)?, row.get(2)?);
    }
    Ok(sections)
}

/// Makes `sections` the whole override set of `language` (none when `None`).
pub fn replace_language(
    conn: &Connection,
    language: &str,
    sections: Option<&BTreeMap<Section, Strings>>,
) -> rusqlite::Result<()> {
    conn.prepare_cached("DELETE FROM translations WHERE language = ?1")?.execute([language])?;
    let mut insert =
        conn.prepare_cached("INSERT INTO translations (language, section, source, text) VALUES (?1, ?2, ?3, ?4)")?;
    for (section, strings) in sections.into_iter().flatten() {
        for (source, text) in strings {
            insert.execute(params![language, section.as_str(), source, text])?;
        }
    }
    Ok(())
}

pub fn add_version(conn: &Connection, version: &NewVersion) -> rusqlite::Result<i64> {
    conn.prepare_cached(
        "INSERT INTO translation_versions (creation_time, saved_by, languages, overrides, restored_from)
         VALUES (?1, ?2, ?3, ?4, ?5)",
    )?
    .execute(params![
        version.now,
        version.saved_by,
        to_json(version.languages)?,
        to_json(version.overrides)?,
        version.restored_from,
    ])?;
    Ok(conn.last_insert_rowid())
}

/// The overrides as they stood after version `id`, if it exists.
pub fn version_overrides(conn: &Connection, id: i64) -> rusqlite::Result<Option<Overrides>> {
    let text: Option<String> = conn
        .prepare_cached("SELECT overrides FROM translation_versions WHERE id = ?1")?
        .query_row([id], |row| row.get(0))
        .optional()?;
    text.map(|text| from_json(&text, 0)).transpose()
}

/// The IDs of the newest `count` versions, newest first.
pub fn latest_version_ids(conn: &Connection, count: i64) -> rusqlite::Result<Vec<i64>> {
    let mut stmt = conn.prepare_cached("SELECT id FROM translation_versions ORDER BY id DESC LIMIT ?1")?;
    let ids = stmt.query_map([count], |row| row.get(0))?.collect();
    ids
}

/// One page of versions, newest first.
pub fn list_versions(conn: &Connection, offset: i64) -> rusqlite::Result<Vec<VersionRow>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT id, creation_time, saved_by, languages, restored_from FROM translation_versions
         ORDER BY id DESC LIMIT {PAGE_SIZE} OFFSET ?1"
    ))?;
    let rows = stmt
        .query_map([offset], |row| {
            Ok(VersionRow {
                id: row.get(0)?,
                creation_time: row.get(1)?,
                saved_by: row.get(2)?,
                languages: from_json(&row.get::<_, String>(3)?, 3)?,
                restored_from: row.get(4)?,
            })
        })?
        .collect();
    rows
}

fn section_of(text: &str) -> rusqlite::Result<Section> {
    Section::parse(text).ok_or_else(|| {
        rusqlite::Error::FromSqlConversionFailure(1, Type::Text, format!("unknown section '{text}'").into())
    })
}

fn to_json<T: serde::Serialize + ?Sized>(value: &T) -> rusqlite::Result<String> {
    serde_json::to_string(value).map_err(|err| rusqlite::Error::ToSqlConversionFailure(Box::new(err)))
}

fn from_json<T: serde::de::DeserializeOwned>(text: &str, column: usize) -> rusqlite::Result<T> {
    serde_json::from_str(text)
        .map_err(|err| rusqlite::Error::FromSqlConversionFailure(column, Type::Text, Box::new(err)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn database() -> Connection {
        let mut conn = Connection::open_in_memory().unwrap();
        crate::db::migrate::run(&mut conn).unwrap();
        conn.execute_batch(
            "INSERT INTO users (id, user_type, creation_time, last_activity, token_nonce, token_lookup)
             VALUES (1, 'admin', 't', 't', 'n', 'l')",
        )
        .unwrap();
        conn
    }

    #[test]
    fn overrides_and_version_snapshots_round_trip() {
        let conn = database();
        let mut all = Overrides::new();
        all.entry("es".into()).or_default().entry(Section::Front).or_default().insert("Send".into(), "Mandar".into());
        replace_language(&conn, "es", all.get("es")).unwrap();
        assert_eq!(overrides(&conn).unwrap(), all);
        assert_eq!(overrides_of(&conn, "es").unwrap()[&Section::Front]["Send"], "Mandar");
        assert!(overrides_of(&conn, "fr").unwrap().is_empty());

        let languages = ["es".to_string()];
        let version = NewVersion {
            now: "2024-01-01 00:00:00",
            saved_by: 1,
            languages: &languages,
            overrides: &all,
            restored_from: None,
        };
        let id = add_version(&conn, &version).unwrap();
        assert_eq!(version_overrides(&conn, id).unwrap(), Some(all));
        assert_eq!(version_overrides(&conn, id + 1).unwrap(), None);
        let listed = list_versions(&conn, 0).unwrap();
        assert_eq!((listed[0].id, listed[0].saved_by, listed[0].languages.clone()), (id, Some(1), vec!["es".into()]));

        replace_language(&conn, "es", None).unwrap();
        assert!(overrides(&conn).unwrap().is_empty());
        conn.execute("DELETE FROM users WHERE id = 1", []).unwrap();
        assert_eq!(list_versions(&conn, 0).unwrap()[0].saved_by, None, "history outlives its author");
    }
}
