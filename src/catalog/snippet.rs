//! Search snippets built in Rust from the indexed text of the hits shown,
//! rather than by FTS5's `snippet()`: that function re-runs the whole
//! full-text query for every row it is asked about, which made the twenty
//! snippets of a page cost more than the search itself.
//!
//! Words are matched as the index matches them (tokenizer `unicode61
//! remove_diacritics 2`): runs of letters and digits, case and diacritics
//! ignored, each query word a prefix.

use super::search::{MATCH_END, MATCH_START, MAX_TERM_CHARS, MAX_TERMS};

/// Words of context a snippet shows.
const WINDOW: usize = 12;
/// Words shown before the first match.
const BEFORE: usize = 3;

/// The query's words, normalised for matching; bounded as the FTS
/// expression is, so a 10 kB query costs no more here than there.
pub(super) fn terms(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .take(MAX_TERMS)
        .map(|w| normalise(&w.chars().take(MAX_TERM_CHARS).collect::<String>()))
        .collect()
}

/// One word of a text: its byte range and whether it matches a term.
struct Token {
    from: usize,
    to: usize,
    hit: bool,
}

fn normalise(word: &str) -> String {
    deunicode::deunicode(word).to_lowercase()
}

/// A window of the field with the most matched words (earlier fields win
/// ties), matches wrapped in [`MATCH_START`]/[`MATCH_END`], "…" where cut.
pub(super) fn snippet(fields: &[&str], terms: &[String]) -> String {
    let mut best: Option<(usize, &str, Vec<Token>)> = None;
    for field in fields {
        let tokens = tokens(field, terms);
        let hits = tokens.iter().filter(|t| t.hit).count();
        if hits > best.as_ref().map_or(0, |b| b.0) {
            best = Some((hits, field, tokens));
        }
    }
    let Some((_, text, tokens)) = best else {
        return String::new();
    };
    let first = tokens.iter().position(|t| t.hit).unwrap_or(0);
    let start = first.saturating_sub(BEFORE);
    let end = (start + WINDOW).min(tokens.len());
    let mut out = String::with_capacity(160);
    if start > 0 {
        out.push_str("… ");
    }
    let mut at = tokens[start].from;
    for &Token { from, to, hit } in &tokens[start..end] {
        out.push_str(&text[at..from]);
        if hit {
            out.push(MATCH_START);
            out.push_str(&text[from..to]);
            out.push(MATCH_END);
        } else {
            out.push_str(&text[from..to]);
        }
        at = to;
    }
    if end < tokens.len() {
        out.push_str(" …");
    }
    out
}

/// Whether `word` starts with one of the (normalised) `terms`. Most words
/// are ASCII, and for them normalising is ASCII lower case: compared in
/// place, without the two allocations of [`normalise`] (a transcript has
/// thousands of words, and every hit on a page has its text scanned).
fn matches(word: &str, terms: &[String]) -> bool {
    if word.is_ascii() {
        let w = word.as_bytes();
        return terms
            .iter()
            .any(|t| w.len() >= t.len() && w[..t.len()].eq_ignore_ascii_case(t.as_bytes()));
    }
    // Most words cannot match: skip normalising when the first letter,
    // transliterated alone, starts no term (`Örebro` is only normalised for
    // terms starting with `o`).
    let first = word.chars().next().and_then(deunicode::deunicode_char);
    if let Some(&b) = first.and_then(|f| f.as_bytes().first()) {
        let b = b.to_ascii_lowercase();
        if !terms
            .iter()
            .any(|t| t.as_bytes().first().is_none_or(|&c| c == b))
        {
            return false;
        }
    }
    let word = normalise(word);
    terms.iter().any(|t| word.starts_with(t.as_str()))
}

/// The words of `text`, each marked when it matches a term.
fn tokens(text: &str, terms: &[String]) -> Vec<Token> {
    let mut out = Vec::new();
    let mut start = None;
    for (i, c) in text
        .char_indices()
        .chain(std::iter::once((text.len(), ' ')))
    {
        match (c.is_alphanumeric(), start) {
            (true, None) => start = Some(i),
            (false, Some(s)) => {
                let hit = matches(&text[s..i], terms);
                out.push(Token {
                    from: s,
                    to: i,
                    hit,
                });
                start = None;
            }
            _ => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn show(s: &str) -> String {
        s.replace(MATCH_START, "[").replace(MATCH_END, "]")
    }

    #[test]
    fn matches_ignore_case_and_diacritics_and_are_prefixes() {
        let terms = terms("orebro munt");
        let fields = [
            "Titel utan träff",
            "Ett samtal i Örebro län med Nils Munthe, programledare, och många andra gäster från hela landet",
        ];
        assert_eq!(
            show(&snippet(&fields, &terms)),
            "Ett samtal i [Örebro] län med Nils [Munthe], programledare, och många andra …"
        );
    }

    proptest::proptest! {
        #[test]
        fn matching_in_place_agrees_with_normalising(word in "[a-zA-Z0-9åäöÅÄÖéüßæøłÆØ]{1,8}", term in "[a-zA-ZåÖéßæÆøØł]{0,4}") {
            let terms = terms(&term);
            let slow = terms.iter().any(|t| normalise(&word).starts_with(t.as_str()));
            proptest::prop_assert_eq!(matches(&word, &terms), slow);
        }
    }

    #[test]
    fn long_text_is_cut_around_the_first_match() {
        let text = "ett två tre fyra fem sex sju åtta nio tio elva tolv tretton fjorton Åsa femton sexton sjutton arton nitton tjugo tjugoett";
        assert_eq!(
            show(&snippet(&[text], &terms("asa"))),
            "… tolv tretton fjorton [Åsa] femton sexton sjutton arton nitton tjugo tjugoett"
        );
        assert_eq!(snippet(&["inget här"], &terms("x")), "");
        assert_eq!(terms(&"ord ".repeat(3000)).len(), 12);
    }
}
