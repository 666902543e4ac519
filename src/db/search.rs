//! Turns what a person typed into an FTS5 query. Input is always data: every word
//! becomes a quoted string, so `"`, `*`, `NEAR`, `-`, `:` or `OR` can neither raise a
//! syntax error nor change the query's meaning. Words are ANDed; the last one also
//! matches as a prefix, so results follow the user as they type. Control
//! characters (NUL among them, which FTS5 refuses inside a query) separate words.

/// The MATCH expression for `input`, or `None` when it holds nothing searchable.
pub fn match_query(input: &str) -> Option<String> {
    let words: Vec<String> = input
        .split(|c: char| c.is_whitespace() || c.is_control())
        .filter(|word| word.chars().any(char::is_alphanumeric))
        .take(16)
        .map(|word| format!("\"{}\"", word.replace('"', "\"\"")))
        .collect();
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
}
