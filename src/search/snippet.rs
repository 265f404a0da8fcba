//! Search snippets built in Rust from the indexed text of the hits shown,
//! rather than by FTS5's `snippet()`: that function re-runs the whole
//! full-text query for every row it is asked about, which made the twenty
//! snippets of a page cost more than the search itself.
//!
//! Words are matched as the index matches them (tokenizer `unicode61
//! remove_diacritics 2`): runs of letters and digits, case and diacritics
//! ignored, each query word a prefix.

use super::query::{MAX_TERM_CHARS, MAX_TERMS};
use super::{MATCH_END, MATCH_START};

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

fn normalise(word: &str) -> String {
    deunicode::deunicode(word).to_lowercase()
}

/// A window of the field with the most matched words (earlier fields win
/// ties), matches wrapped in [`MATCH_START`]/[`MATCH_END`], "…" where cut.
pub(super) fn snippet(fields: &[&str], terms: &[String]) -> String {
    let Some((first, text)) = best_field(fields, terms) else {
        return String::new();
    };
    // Only the window's words are cut again: the text before it is
    // skipped, the text after it is only looked at for one more word.
    let start = first.saturating_sub(BEFORE);
    let mut words = Words::new(text).skip(start);
    let window: Vec<(usize, usize)> = words.by_ref().take(WINDOW).collect();
    let Some(&(mut at, _)) = window.first() else {
        return String::new();
    };
    let mut out = String::with_capacity(160);
    if start > 0 {
        out.push_str("… ");
    }
    for (from, to) in window {
        out.push_str(&text[at..from]);
        if matches(&text[from..to], terms) {
            out.push(MATCH_START);
            out.push_str(&text[from..to]);
            out.push(MATCH_END);
        } else {
            out.push_str(&text[from..to]);
        }
        at = to;
    }
    if words.next().is_some() {
        out.push_str(" …");
    }
    out
}

/// The field with the most matched words (the earlier on ties) and the
/// index of its first matched word; `None` when no field matches. Each
/// field is read once, and no word is kept.
fn best_field<'a>(fields: &[&'a str], terms: &[String]) -> Option<(usize, &'a str)> {
    let initials = initials(terms);
    let mut best: Option<(usize, usize, &str)> = None;
    for &field in fields {
        let (mut hits, mut first) = (0, 0);
        for (n, (from, to)) in Words::new(field).enumerate() {
            let word = &field[from..to];
            let initial = word
                .as_bytes()
                .first()
                .is_none_or(|&b| initials[usize::from(b)]);
            if initial && matches(word, terms) {
                if hits == 0 {
                    first = n;
                }
                hits += 1;
            }
        }
        if hits > best.map_or(0, |b| b.0) {
            best = Some((hits, first, field));
        }
    }
    best.map(|(_, first, field)| (first, field))
}

/// The first bytes a word can start with and still match one of the
/// (normalised, so ASCII) `terms`: their initials in either case, and every
/// byte of a non-ASCII character, which [`matches`] judges itself. Most of
/// a long transcript's words are turned away by this one lookup.
fn initials(terms: &[String]) -> [bool; 256] {
    let mut table = [false; 256];
    for term in terms {
        let Some(&b) = term.as_bytes().first() else {
            return [true; 256];
        };
        table[usize::from(b.to_ascii_lowercase())] = true;
        table[usize::from(b.to_ascii_uppercase())] = true;
    }
    table[0x80..].fill(true);
    table
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

/// The byte ranges of a text's words: runs of alphanumeric characters.
/// ASCII bytes are classed by a byte test; only other characters are
/// decoded and looked up in Unicode's tables.
struct Words<'a> {
    text: &'a str,
    at: usize,
}

impl<'a> Words<'a> {
    fn new(text: &'a str) -> Words<'a> {
        Words { text, at: 0 }
    }

    /// Whether the character at byte `at` (a character boundary) is part
    /// of a word, and its length in bytes.
    fn class(&self, at: usize) -> (bool, usize) {
        match self.text.as_bytes().get(at) {
            Some(b) if b.is_ascii() => (b.is_ascii_alphanumeric(), 1),
            _ => match self.text.get(at..).and_then(|t| t.chars().next()) {
                // Latin-1's letters (å, ä, ö, é, …) without the table lookup:
                // all of U+00C0–U+00FF but × and ÷ are alphabetic.
                Some(c @ '\u{C0}'..='\u{FF}') => (c != '×' && c != '÷', 2),
                Some(c) => (c.is_alphanumeric(), c.len_utf8()),
                None => (false, 1),
            },
        }
    }
}

impl Iterator for Words<'_> {
    type Item = (usize, usize);

    fn next(&mut self) -> Option<(usize, usize)> {
        let mut start = None;
        while self.at < self.text.len() {
            let (word, len) = self.class(self.at);
            match (word, start) {
                (true, None) => start = Some(self.at),
                (false, Some(from)) => {
                    let to = self.at;
                    self.at += len;
                    return Some((from, to));
                }
                _ => {}
            }
            self.at += len;
        }
        start.map(|from| (from, self.text.len()))
    }
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
            let initial = initials(&terms)[usize::from(word.as_bytes()[0])];
            proptest::prop_assert!(initial || !slow, "{word:?} turned away by its initial");
        }

        /// The byte-classing word cutter finds the words that classing
        /// every character by `char::is_alphanumeric` finds.
        #[test]
        fn words_are_runs_of_alphanumeric_characters(text in "[a-zA-Z0-9 ,.!åÖé߀😀×÷\u{AA}\u{BF}-\u{100}\u{300}\u{E000}\t-]{0,40}") {
            let mut expected = Vec::new();
            let mut start = None;
            for (i, c) in text.char_indices().chain(std::iter::once((text.len(), ' '))) {
                match (c.is_alphanumeric(), start) {
                    (true, None) => start = Some(i),
                    (false, Some(s)) => {
                        expected.push((s, i));
                        start = None;
                    }
                    _ => {}
                }
            }
            proptest::prop_assert_eq!(Words::new(&text).collect::<Vec<_>>(), expected);
        }
    }

    /// The field with the most matches wins, whatever their case or
    /// diacritics: every match is counted.
    #[test]
    fn the_field_with_the_most_matches_is_shown() {
        let terms = terms("munt orebro");
        let fields = ["munt och munthe", "Munthe i ÖREBRO, Munthe"];
        assert_eq!(
            show(&snippet(&fields, &terms)),
            "[Munthe] i [ÖREBRO], [Munthe]"
        );
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
