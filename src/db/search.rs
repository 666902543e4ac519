//! Turns what a person typed into an FTS5 query. Input is always data: every word
//! becomes a quoted string, so `"`, `*`, `NEAR`, `-`, `:` or `OR` can neither raise a
//! syntax error nor change the query's meaning. Words are ANDed; the last one also
//! matches as a prefix, so results follow the user as they type. User searches
//! also find parts of detail values ([`user_match`]). Control characters (NUL
//! among them, which FTS5 refuses inside a query) separate words.

/// The MATCH expression for `input`, or `None` when it holds nothing searchable.
pub fn match_query(input: &str) -> Option<String> {
    let words: Vec<String> = words(input).into_iter().map(quoted).collect();
    let (last, rest) = words.split_last()?;
    let mut query = rest.join(" ");
    if !query.is_empty() {
        query.push(' ');
    }
    query.push_str(last);
    query.push('*');
    Some(query)
}

/// [`match_query`] restricted to some columns of the FTS table.
pub fn match_query_in(columns: &[&str], input: &str) -> Option<String> {
    match_query(input).map(|query| format!("{{{}}} : ({query})", columns.join(" ")))
}

/// What a user search matches. Every word must match: as [`match_query`] has it
/// (a whole word, the last one also as a prefix) in the names, email or detail
/// values indexed by `users_fts`, or, for a word of three or more characters,
/// anywhere in a detail value, through the trigram index `user_details_trigram`
/// (`5551234567` finds `+15551234567`; punctuation around the word is set aside,
/// so `-bob` is `bob`). Trigrams cannot find shorter words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserMatch {
    /// The words under three characters: a MATCH expression for `users_fts`.
    pub short_words: Option<String>,
    /// The longer words, each of which a user must match one way or the other.
    pub long_words: Vec<WordOrPart>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WordOrPart {
    /// A MATCH expression for `users_fts`.
    pub word: String,
    /// A MATCH expression for `user_details_trigram`.
    pub part: String,
}

/// The [`UserMatch`] for `input`, or `None` when it holds nothing searchable.
pub fn user_match(input: &str) -> Option<UserMatch> {
    let words = words(input);
    let last = words.len().checked_sub(1)?;
    let (mut short_words, mut long_words) = (Vec::new(), Vec::new());
    for (i, word) in words.into_iter().enumerate() {
        let term = if i == last { format!("{}*", quoted(word)) } else { quoted(word) };
        let core = word.trim_matches(|c: char| !c.is_alphanumeric());
        if core.chars().count() >= 3 {
            long_words.push(WordOrPart { word: term, part: quoted(core) });
        } else {
            short_words.push(term);
        }
    }
    Some(UserMatch { short_words: (!short_words.is_empty()).then(|| short_words.join(" ")), long_words })
}

/// The words of `input` worth searching for: those holding a letter or digit.
fn words(input: &str) -> Vec<&str> {
    input
        .split(|c: char| c.is_whitespace() || c.is_control())
        .filter(|word| word.chars().any(char::is_alphanumeric))
        .take(16)
        .collect()
}

fn quoted(word: &str) -> String {
    format!("\"{}\"", word.replace('"', "\"\""))
}

#[cfg(test)]
mod tests {
    use super::*;
    use rusqlite::Connection;

    #[test]
    fn quotes_every_word_and_prefixes_the_last() {
        assert_eq!(match_query("hello wor").unwrap(), "\"hello\" \"wor\"*");
        assert_eq!(match_query("say \"hi\"").unwrap(), "\"say\" \"\"\"hi\"\"\"*");
        assert_eq!(match_query("  "), None);
        assert_eq!(match_query("* - \" :"), None);
        assert_eq!(match_query("ab\0cd").unwrap(), "\"ab\" \"cd\"*", "a NUL separates words");
    }

    #[test]
    fn fts_syntax_in_input_neither_errors_nor_changes_meaning() {
        let conn = Connection::open_in_memory().unwrap();
        conn.execute_batch(
            "CREATE VIRTUAL TABLE t USING fts5(body, tokenize = 'unicode61 remove_diacritics 2');
             INSERT INTO t(rowid, body) VALUES (1, 'the near future'), (2, 'café crème'), (3, 'apples OR pears');",
        )
        .unwrap();
        let hits = |input: &str| -> Vec<i64> {
            let Some(query) = match_query(input) else { return vec![] };
            let mut stmt = conn.prepare("SELECT rowid FROM t WHERE t MATCH ?1 ORDER BY rowid").unwrap();
            stmt.query_map([query], |r| r.get(0)).unwrap().map(Result::unwrap).collect()
        };
        for hostile in [
            "NEAR(the future)",
            "\"unbalanced",
            "body:near",
            "-near",
            "a*b*",
            "OR",
            "AND NOT",
            "^the",
            "(((",
            "{body}",
            "near\0future",
            "\u{1}\u{7f}",
        ] {
            hits(hostile);
        }
        assert_eq!(hits("near fut"), vec![1]);
        assert_eq!(hits("cafe"), vec![2]);
        assert_eq!(hits("apples OR"), vec![3], "OR is a word to find, not an operator");
        assert_eq!(hits("-near"), vec![1], "a leading dash is not NOT");
    }

    #[test]
    fn user_searches_take_longer_words_as_words_or_parts_and_shorter_ones_as_words() {
        let found = user_match("Jo -smith\" 5551234567").unwrap();
        assert_eq!(found.short_words.as_deref(), Some("\"Jo\""));
        assert_eq!(
            found.long_words,
            [
                WordOrPart { word: "\"-smith\"\"\"".into(), part: "\"smith\"".into() },
                WordOrPart { word: "\"5551234567\"*".into(), part: "\"5551234567\"".into() },
            ]
        );
        assert_eq!(user_match("x\"").unwrap().short_words.as_deref(), Some("\"x\"\"\"*"), "quotes are text");
        assert_eq!(user_match("* - \" :"), None);
    }

    #[test]
    fn the_trigram_index_finds_parts_of_words_whatever_the_input() {
        let conn = Connection::open_in_memory().unwrap();
        conn.execute_batch(
            "CREATE VIRTUAL TABLE t USING fts5(body, tokenize = 'trigram remove_diacritics 1');
             INSERT INTO t(rowid, body) VALUES (1, '+15551234567'), (2, 'Nordwind Café'), (3, 'apples OR pears');",
        )
        .unwrap();
        // Every longer word as a part, as a user's details must hold them to match by parts alone.
        let hits = |input: &str| -> Vec<i64> {
            let Some(found) = user_match(input) else { return vec![] };
            let query = found.long_words.iter().map(|w| w.part.as_str()).collect::<Vec<_>>().join(" ");
            if query.is_empty() {
                return vec![];
            }
            let mut stmt = conn.prepare("SELECT rowid FROM t WHERE t MATCH ?1 ORDER BY rowid").unwrap();
            stmt.query_map([query], |r| r.get(0)).unwrap().map(Result::unwrap).collect()
        };
        for hostile in ["NEAR(the future)", "\"unbalanced", "body:near", "a*b*", "AND NOT", "^the", "(((", "{body}"] {
            hits(hostile);
        }
        assert_eq!(hits("5551234567"), vec![1]);
        assert_eq!(hits("WIND cafe"), vec![2], "any case, accents folded");
        assert_eq!(hits("ples OR"), vec![3], "inside a word; OR is a short word, not an operator");
        assert_eq!(hits("-pears"), vec![3], "a leading dash is not NOT");
    }
}
