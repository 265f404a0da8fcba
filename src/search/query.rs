//! Query cleaning: the [`Query`] a search asks, and the FTS5 expression
//! its free text becomes. User text never reaches FTS5's query language:
//! it is cut at whitespace and each piece becomes a quoted prefix phrase,
//! so `"`, `*`, `AND (`, unbalanced quotes or 10 kB of text are just words
//! (or nothing), never a syntax error.

/// Words beyond this many are ignored; it bounds the work a query can cause.
pub(crate) const MAX_TERMS: usize = 12;
/// Characters of a single word beyond this are cut.
pub(crate) const MAX_TERM_CHARS: usize = 40;

/// A search request.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Query {
    /// Free text; may be empty (then only the filters apply, newest first).
    pub text: String,
    /// Only episodes this person (slug) takes part in.
    pub person: Option<String>,
    /// Only episodes with this theme (slug).
    pub theme: Option<String>,
    /// 0-based page.
    pub page: u32,
    /// Results per page (1–100).
    pub per_page: u32,
    /// Only episodes published at or before this Unix time (the website
    /// passes "now" so scheduled episodes stay hidden until their time).
    pub published_until: Option<i64>,
}

impl Query {
    /// The ranks the page asked for covers: its first (0-based) and how
    /// many, at 1 to 100 a page.
    pub(crate) fn rows(&self) -> (usize, usize) {
        let per_page = self.per_page.clamp(1, 100) as usize;
        ((self.page as usize).saturating_mul(per_page), per_page)
    }
}

/// The FTS5 expression for user text: each whitespace-separated word a
/// quoted prefix phrase, all required. `None` when the text holds no word.
///
/// What counts as a word *inside* a chunk is left to FTS5: the chunk goes
/// in as an FTS5 string (`"` doubled, everything else literal), which the
/// index's own tokenizer cuts exactly as it cut the indexed text. Cutting
/// words in Rust instead (`char::is_alphanumeric`) disagreed with
/// `unicode61` (private-use characters are word characters there), so a
/// word copied from an episode could fail to find it. Pieces of ASCII
/// punctuation alone are dropped (they hold no word); any other piece is
/// kept, since FTS5 may see a word where Rust sees none (`🎙` is a token
/// of unicode61), and a piece in which it sees none matches everything
/// within the AND, so keeping it costs nothing.
///
/// ASCII letters are lowered, as the tokenizer lowers them anyway: `Samtal`
/// and `samtal` are one expression, so they share a cached ranking. Other
/// letters are left for the tokenizer, whose case folding Rust's does not
/// match everywhere (`İ`).
pub fn fts_expression(text: &str) -> Option<String> {
    let terms = fts_terms(text);
    (!terms.is_empty()).then(|| terms.join(" "))
}

/// The pieces of [`fts_expression`], one quoted prefix phrase per word.
pub(crate) fn fts_terms(text: &str) -> Vec<String> {
    text
        // Control characters separate too: FTS5 reads a NUL as the end of
        // the query ("unterminated string").
        .split(|c: char| c.is_whitespace() || c.is_control())
        .filter(|w| w.chars().any(|c| !c.is_ascii_punctuation()))
        .take(MAX_TERMS)
        .map(|w| {
            let w: String = w
                .chars()
                .take(MAX_TERM_CHARS)
                .map(|c| c.to_ascii_lowercase())
                .collect();
            format!("\"{}\"*", w.replace('"', "\"\""))
        })
        .collect()
}

/// The terms of `q`'s text, when its ranking is the sum of theirs: one or
/// more terms, each with a letter or digit, and no person or theme filter.
/// `None` for any other query, which [`rank`](super::sql::rank) ranks whole. (One term's
/// scores are its ranking: a common word scored ahead is ranked at once,
/// not by ~10 ms of bm25 at its first search after each change.)
///
/// Why this holds: FTS5's bm25 is a sum over the query's phrases, each
/// part depending only on that phrase (its IDF over the whole table, its
/// weighted hits in the row, the row's length), added in phrase order
/// from 0 and negated at the end. Summing each term's own (negated) score
/// in the same order gives the same double exactly, and the rows matching
/// every term are those matching the AND of them. So a query of common
/// words already seen costs a merge instead of scoring 10,000 rows again.
pub fn additive_terms(q: &Query) -> Option<Vec<String>> {
    if q.person.is_some() || q.theme.is_some() {
        return None;
    }
    let terms = fts_terms(&q.text);
    let plain = terms
        .iter()
        .all(|t| t.chars().any(|c| c.is_ascii_alphanumeric()));
    (!terms.is_empty() && plain).then_some(terms)
}

#[cfg(test)]
mod tests {
    use super::fts_expression;

    #[test]
    fn hostile_text_becomes_plain_prefix_terms() {
        assert_eq!(fts_expression("munt"), Some("\"munt\"*".into()));
        assert_eq!(
            fts_expression("\" * AND ( OR"),
            Some("\"and\"* \"or\"*".into())
        );
        assert_eq!(fts_expression("sAmTaL"), fts_expression("samtal"));
        assert_eq!(fts_expression("\"\"\" ((( ***"), None);
        assert_eq!(
            fts_expression("Örebro LÄN"),
            Some("\"Örebro\"* \"lÄn\"*".into())
        );
        let long = "ord ".repeat(3000);
        assert_eq!(
            fts_expression(&long).map(|e| e.matches('*').count()),
            Some(12)
        );
    }
}
