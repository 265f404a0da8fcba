//! Search: episodes by free text (titles, notes, people and their titles,
//! themes, transcripts) through SQLite FTS5, combined with person and theme filters.
//!
//! User text never reaches FTS5's query language: it is cut at whitespace
//! and each piece becomes a quoted prefix phrase, so `"`, `*`, `AND (`,
//! unbalanced quotes or 10 kB of text are just words (or nothing), never a
//! syntax error. Ranking is FTS5's bm25 with the title weighted highest.

use rusqlite::{Connection, OptionalExtension, ToSql};
use serde::Serialize;

use super::CatalogError;

/// Marks the start of a matched word in [`Hit::snippet`]; private-use
/// characters, so the web layer can escape the text and then turn them into `<mark>`.
pub const MATCH_START: char = '\u{E000}';
/// Marks the end of a matched word in [`Hit::snippet`].
pub const MATCH_END: char = '\u{E001}';

/// Words beyond this many are ignored; it bounds the work a query can cause.
pub(super) const MAX_TERMS: usize = 12;
/// Characters of a single word beyond this are cut.
pub(super) const MAX_TERM_CHARS: usize = 40;

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
    fn rows(&self) -> (usize, usize) {
        let per_page = self.per_page.clamp(1, 100) as usize;
        ((self.page as usize).saturating_mul(per_page), per_page)
    }
}

/// One matching episode.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Hit {
    /// Episode id.
    pub id: i64,
    /// Episode number.
    pub number: Option<u32>,
    /// Title.
    pub title: String,
    /// Slug.
    pub slug: String,
    /// Publication time, RFC 3339.
    pub published_at: String,
    /// Context around the match, matches wrapped in [`MATCH_START`]/[`MATCH_END`].
    pub snippet: String,
}

/// A page of results.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Page {
    /// Matches in all pages.
    pub total: u64,
    /// This page's matches, best first.
    pub hits: Vec<Hit>,
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
fn fts_terms(text: &str) -> Vec<String> {
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

/// Every match of a query's text and filters, best first: what each of
/// its pages is cut from ([`page`]), so paging costs a slice, not a rank.
/// The page and page size of the [`Query`] it was ranked for play no part.
///
/// Only the first [`HEAD`] matches are put in order when it is made: a
/// listener reads the first pages, and ordering every match of a common
/// word (10,000 in the benchmark) cost more than choosing the best hundred
/// (`select_nth_unstable`). The rest keep their scores and are ordered the
/// first time a page beyond the head is asked for, once.
#[derive(Debug, Clone, Default)]
pub struct Ranked {
    /// Every match with its score (only the head's when [`Ranked::covers`]
    /// says so): the first `head` best first, the rest unordered (each
    /// ranks after the head).
    scored: Vec<(i64, f64)>,
    head: usize,
    /// Matches in all pages (more than `scored` holds in a head-only ranking).
    total: usize,
    /// The ids after the head in order, once a page needed them.
    tail_order: std::sync::OnceLock<Vec<i64>>,
}

/// Matches a [`Ranked`] puts in order when it is made: the first pages at
/// the largest page size (100), five pages at the website's 20.
pub const HEAD: usize = 100;

impl Ranked {
    /// Ranks `scored` (`(id, bm25)`, any order) as `ORDER BY bm25, rowid
    /// DESC` would (see [`by_score`]), ordering only the best `head` now.
    pub(crate) fn from_scored(mut scored: Vec<(i64, f64)>, head: usize) -> Ranked {
        let head = head.min(scored.len());
        if head < scored.len() {
            scored.select_nth_unstable_by(head, |a, b| by_score(*a, *b));
        }
        scored[..head].sort_unstable_by(|a, b| by_score(*a, *b));
        Ranked {
            total: scored.len(),
            scored,
            head,
            tail_order: std::sync::OnceLock::new(),
        }
    }

    /// Matches in all pages.
    pub fn total(&self) -> u64 {
        self.total as u64
    }

    /// Whether the page `q` asks for can be cut from this ranking: always,
    /// unless it holds only its head ([`combine_head`]) and the page lies
    /// past it ([`reaches_past_head`]).
    pub fn covers(&self, q: &Query) -> bool {
        self.scored.len() == self.total || !reaches_past_head(q)
    }

    /// The ids of matches `from..from + count` in rank order (fewer past
    /// the end, or past the head of a head-only ranking); orders the tail
    /// the first time it is reached.
    pub fn slice(&self, from: usize, count: usize) -> Vec<i64> {
        let end = from.saturating_add(count);
        let mut out: Vec<i64> = self.scored[..self.head]
            .iter()
            .skip(from)
            .take(count)
            .map(|&(id, _)| id)
            .collect();
        if end > self.head && self.head < self.scored.len() {
            let start = from.saturating_sub(self.head);
            let rest = end - self.head;
            out.extend(self.tail_order().iter().take(rest).skip(start));
        }
        out
    }

    /// Every matching id, best first (orders the tail if not done yet).
    pub fn ids(&self) -> Vec<i64> {
        self.slice(0, usize::MAX)
    }

    /// Memory it may hold, in 8-byte words: an id and a score per match
    /// (as allocated), and an id for each match after the head once they
    /// are ordered.
    pub fn words(&self) -> usize {
        2 * self.scored.capacity() + (self.scored.len() - self.head)
    }

    fn tail_order(&self) -> &[i64] {
        self.tail_order.get_or_init(|| {
            let mut tail = self.scored[self.head..].to_vec();
            tail.sort_unstable_by(|a, b| by_score(*a, *b));
            tail.into_iter().map(|(id, _)| id).collect()
        })
    }
}

impl From<Vec<i64>> for Ranked {
    /// A ranking of `ids`, best first.
    fn from(ids: Vec<i64>) -> Ranked {
        Ranked {
            head: ids.len(),
            total: ids.len(),
            scored: ids.into_iter().map(|id| (id, 0.0)).collect(),
            tail_order: std::sync::OnceLock::new(),
        }
    }
}

/// Runs a search: ranks every match ([`rank`]), then cuts the page asked for ([`page`]).
pub fn search(conn: &Connection, q: &Query) -> Result<Page, CatalogError> {
    let ranked = rank(conn, q)?;
    page(conn, &ranked, q)
}

/// Ranks every match of `q`'s text and filters: with text by bm25 (ties
/// to the newer row), without it newest first.
///
/// The scores are read unordered and sorted here rather than by `ORDER BY`,
/// whose sorter (a B-tree kept to `LIMIT`+`OFFSET` rows) cost as much as
/// the scoring for a word in every episode; and the list's length is the
/// count, so there is no second pass to count.
pub fn rank(conn: &Connection, q: &Query) -> Result<Ranked, CatalogError> {
    let expr = fts_expression(&q.text);
    let plan = Plan::new(q, expr.is_some());
    let binds = Binds::new(q, expr.as_deref());
    let mut stmt = conn.prepare_cached(&plan.rank_sql())?;
    if expr.is_some() {
        let scored = stmt
            .query_map(&*binds.named(), |r| Ok((r.get::<_, i64>(0)?, r.get(1)?)))?
            .collect::<Result<Vec<(i64, f64)>, _>>()?;
        Ok(Ranked::from_scored(scored, HEAD))
    } else {
        let ids = stmt
            .query_map(&*binds.named(), |r| r.get(0))?
            .collect::<Result<Vec<i64>, _>>()?;
        Ok(Ranked::from(ids))
    }
}

/// One term's part of the bm25 score of every episode it matches, by
/// episode id: what [`combine`] adds up for a query of several terms.
#[derive(Debug, Clone, PartialEq)]
pub struct TermScores {
    entries: Entries,
    /// Episodes the term matches.
    matches: usize,
}

/// How a [`TermScores`] holds its scores.
#[derive(Debug, Clone, PartialEq)]
enum Entries {
    /// `(id, score)`, ascending by id.
    Sparse(Vec<(i64, f64)>),
    /// The score of id `base + i` at `i`, NaN where the term does not
    /// match: for a word in at least half the ids it spans, looked up by
    /// index instead of sought, in no more memory than `Sparse` (8 bytes
    /// a slot against 16 a match).
    Dense { base: i64, scores: Vec<f64> },
}

impl Default for TermScores {
    fn default() -> TermScores {
        TermScores::new(Vec::new())
    }
}

impl TermScores {
    /// The scores of `scored` (`(id, score)`, any order, ids unique).
    fn new(mut scored: Vec<(i64, f64)>) -> TermScores {
        scored.sort_unstable_by_key(|&(id, _)| id);
        let matches = scored.len();
        let span = match (scored.first(), scored.last()) {
            (Some(&(lo, _)), Some(&(hi, _))) => hi
                .checked_sub(lo)
                .and_then(|d| usize::try_from(d).ok())
                .map(|d| (lo, d + 1)),
            _ => None,
        };
        let entries = match span {
            Some((base, slots)) if slots <= 2 * matches => {
                let mut scores = vec![f64::NAN; slots];
                for (id, score) in scored {
                    if let Some(slot) = usize::try_from(id - base)
                        .ok()
                        .and_then(|i| scores.get_mut(i))
                    {
                        *slot = score;
                    }
                }
                Entries::Dense { base, scores }
            }
            _ => Entries::Sparse(scored),
        };
        TermScores { entries, matches }
    }

    /// The memory it holds, in 16-byte entries (one per match when sparse).
    pub fn len(&self) -> usize {
        match &self.entries {
            Entries::Sparse(v) => v.len(),
            Entries::Dense { scores, .. } => scores.len().div_ceil(2),
        }
    }

    /// Whether the term matches nothing.
    pub fn is_empty(&self) -> bool {
        self.matches == 0
    }

    /// Every `(id, score)`, newest (highest id) first.
    fn newest_first(&self) -> NewestFirst<'_> {
        match &self.entries {
            Entries::Sparse(v) => NewestFirst::Sparse(v.iter().rev()),
            Entries::Dense { base, scores } => NewestFirst::Dense {
                base: *base,
                slots: scores.iter().enumerate().rev(),
            },
        }
    }
}

/// [`TermScores::newest_first`].
enum NewestFirst<'a> {
    Sparse(std::iter::Rev<std::slice::Iter<'a, (i64, f64)>>),
    Dense {
        base: i64,
        slots: std::iter::Rev<std::iter::Enumerate<std::slice::Iter<'a, f64>>>,
    },
}

impl Iterator for NewestFirst<'_> {
    type Item = (i64, f64);

    fn next(&mut self) -> Option<(i64, f64)> {
        match self {
            NewestFirst::Sparse(entries) => entries.next().copied(),
            NewestFirst::Dense { base, slots } => slots
                .find(|(_, s)| !s.is_nan())
                .map(|(i, &s)| (*base + i as i64, s)),
        }
    }
}

/// Where a walk newest first ([`for_each_match`]) has got to in one list.
struct Cursor<'a> {
    list: &'a TermScores,
    /// Sparse: how many entries are not past the ids already asked for.
    upto: usize,
}

/// What a [`Cursor`] knows of an id.
enum Step {
    Found(f64),
    Absent,
    /// Neither this id nor any older one matches.
    Exhausted,
}

impl<'a> Cursor<'a> {
    fn new(list: &'a TermScores) -> Cursor<'a> {
        let upto = match &list.entries {
            Entries::Sparse(v) => v.len(),
            Entries::Dense { .. } => 0,
        };
        Cursor { list, upto }
    }

    /// `id`'s score; every id asked before must be newer.
    fn step(&mut self, id: i64) -> Step {
        match &self.list.entries {
            Entries::Sparse(v) => {
                self.upto = seek_back(&v[..self.upto], id);
                match self.upto.checked_sub(1).map(|last| v[last]) {
                    Some((other, s)) if other == id => Step::Found(s),
                    Some(_) => Step::Absent,
                    None => Step::Exhausted,
                }
            }
            Entries::Dense { base, scores } => {
                if id < *base {
                    return Step::Exhausted;
                }
                match usize::try_from(id - base).ok().and_then(|i| scores.get(i)) {
                    Some(&s) if !s.is_nan() => Step::Found(s),
                    _ => Step::Absent,
                }
            }
        }
    }
}

/// Calls `found` with every id in all `lists` and the sum of its scores,
/// added in list order (see [`additive_terms`]), newest first.
///
/// When every list is dense (a query of common words) the ids they share
/// are walked by index, and a NaN sum marks an id some list lacks. Else
/// the list with the fewest matches leads, and each id it holds is looked
/// up in the others.
fn for_each_match(lists: &[&TermScores], mut found: impl FnMut(i64, f64)) {
    let dense: Option<Vec<(i64, &[f64])>> = lists
        .iter()
        .map(|l| match &l.entries {
            Entries::Dense { base, scores } => Some((*base, scores.as_slice())),
            Entries::Sparse(_) => None,
        })
        .collect();
    match dense {
        Some(dense) => for_each_dense_match(&dense, found),
        None => {
            let Some(lead) = lists.iter().min_by_key(|l| l.matches) else {
                return;
            };
            let mut cursors: Vec<Cursor> = lists.iter().map(|l| Cursor::new(l)).collect();
            'next: for (id, _) in lead.newest_first() {
                let mut sum = 0.0;
                for (k, cursor) in cursors.iter_mut().enumerate() {
                    let s = match cursor.step(id) {
                        Step::Found(s) => s,
                        Step::Absent => continue 'next,
                        Step::Exhausted => return,
                    };
                    sum = if k == 0 { s } else { sum + s };
                }
                found(id, sum);
            }
        }
    }
}

/// [`for_each_match`] over dense lists (`(base, scores)`, not empty).
fn for_each_dense_match(lists: &[(i64, &[f64])], mut found: impl FnMut(i64, f64)) {
    let Some(((first_base, first), rest)) = lists.split_first() else {
        return;
    };
    // The ids every list spans; each slice below is cut to them.
    let end = |&(base, scores): &(i64, &[f64])| base + scores.len() as i64;
    let lo = lists.iter().map(|l| l.0).max().unwrap_or(0);
    let hi = lists.iter().map(end).min().unwrap_or(0);
    if lo >= hi {
        return;
    }
    fn window(scores: &[f64], base: i64, lo: i64, hi: i64) -> Option<&[f64]> {
        let from = usize::try_from(lo - base).ok()?;
        let to = usize::try_from(hi - base).ok()?;
        scores.get(from..to)
    }
    let Some(first) = window(first, *first_base, lo, hi) else {
        return;
    };
    let Some(rest) = rest
        .iter()
        .map(|&(base, scores)| window(scores, base, lo, hi))
        .collect::<Option<Vec<&[f64]>>>()
    else {
        return;
    };
    for i in (0..first.len()).rev() {
        let mut sum = first[i];
        for list in &rest {
            sum += list[i];
        }
        if !sum.is_nan() {
            found(lo + i as i64, sum);
        }
    }
}

/// The terms of `q`'s text, when its ranking is the sum of theirs: one or
/// more terms, each with a letter or digit, and no person or theme filter.
/// `None` for any other query, which [`rank`] ranks whole. (One term's
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

/// Every episode `term` (one piece of [`fts_expression`]) matches with its
/// bm25 part, under `q`'s publication limit (`q`'s text is not used).
pub fn term_scores(conn: &Connection, term: &str, q: &Query) -> Result<TermScores, CatalogError> {
    let plan = Plan::new(q, true);
    let binds = Binds::new(q, Some(term));
    let mut stmt = conn.prepare_cached(&plan.rank_sql())?;
    let scores = stmt
        .query_map(&*binds.named(), |r| Ok((r.get::<_, i64>(0)?, r.get(1)?)))?
        .collect::<Result<Vec<(i64, f64)>, _>>()?;
    Ok(TermScores::new(scores))
}

/// The words in at least `min_docs` episodes, most common first, at most
/// `max`, as [`fts_expression`] pieces (`"samtal"*`): the only words whose
/// scoring is slow (it costs per matching episode), worth scoring ahead.
/// From FTS5's own vocabulary (a temporary `fts5vocab` table, so it works
/// on a read-only connection).
pub fn common_terms(
    conn: &Connection,
    min_docs: i64,
    max: usize,
) -> Result<Vec<String>, CatalogError> {
    conn.execute_batch(
        "CREATE VIRTUAL TABLE IF NOT EXISTS temp.episode_search_vocab \
         USING fts5vocab(main, episode_search, row)",
    )?;
    let mut stmt = conn.prepare_cached(
        "SELECT term FROM temp.episode_search_vocab WHERE doc >= ?1 ORDER BY doc DESC LIMIT ?2",
    )?;
    let max = i64::try_from(max).unwrap_or(i64::MAX);
    let terms = stmt
        .query_map(rusqlite::params![min_docs, max], |r| r.get::<_, String>(0))?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(terms
        .into_iter()
        .map(|t| format!("\"{}\"*", t.replace('"', "\"\"")))
        .collect())
}

/// Whether the page `q` asks for ends past the first [`HEAD`] matches,
/// where a head-only ranking ([`combine_head`]) cannot cut it.
pub fn reaches_past_head(q: &Query) -> bool {
    let (from, count) = q.rows();
    from.saturating_add(count) > HEAD
}

/// The first `head` ([`HEAD`]) matches of [`combine`]'s ranking and the
/// number of all of them, for the first pages ([`Ranked::covers`]): no
/// list as long as the matches (10,000 for three common words) is written,
/// sorted or kept.
///
/// The sums gather in a buffer of twice the head, cut back to the best
/// `head` whenever it fills; after a cut, a sum no better than the worst
/// kept is dropped at once. Episodes are walked newest first: ties go to
/// the newer, so where many score alike (one template's notes, say) the
/// head fills with the first and the rest are dropped at one comparison.
pub fn combine_head(lists: &[&TermScores], head: usize) -> Ranked {
    let order = |a: &(i64, f64), b: &(i64, f64)| by_score(*a, *b);
    let mut best: Vec<(i64, f64)> = Vec::with_capacity(2 * head);
    // The score of the worst kept after a cut. Ids come newest first, so
    // every one kept is newer than the next, which loses a tie with it.
    let mut worst: Option<f64> = None;
    let mut total = 0;
    for_each_match(lists, |id, sum| {
        total += 1;
        if head == 0 || worst.is_some_and(|w| sum >= w) {
            return;
        }
        best.push((id, sum));
        if best.len() == 2 * head {
            best.select_nth_unstable_by(head - 1, order);
            best.truncate(head);
            worst = Some(best[head - 1].1);
        }
    });
    if best.len() > head {
        best.select_nth_unstable_by(head, order);
        best.truncate(head);
    }
    best.sort_unstable_by(order);
    Ranked {
        head: best.len(),
        scored: best,
        total,
        tail_order: std::sync::OnceLock::new(),
    }
}

/// How many entries of `scores` (ascending by id) have an id not above
/// `id`, galloping back from the end: in the lists of common words the
/// entry sought is usually the last, in rarer ones far back.
fn seek_back(scores: &[(i64, f64)], id: i64) -> usize {
    let n = scores.len();
    // Where every episode matches, the entry sought is the last or the one before.
    if n == 0 || scores[n - 1].0 <= id {
        return n;
    }
    if n >= 2 && scores[n - 2].0 <= id {
        return n - 1;
    }
    let (mut hi, mut bound) = (n - 1, 2);
    // Every entry from `hi` on is above `id`.
    while bound <= hi && scores[hi - bound].0 > id {
        hi -= bound;
        bound *= 2;
    }
    let lo = (hi + 1).saturating_sub(bound);
    lo + scores[lo..hi].partition_point(|&(other, _)| other <= id)
}

/// The ranking of a query whose terms' scores are `lists`, in the query's
/// term order (see [`additive_terms`]): the episodes in all of them, by
/// the sum of their scores, as [`rank`] orders them.
pub fn combine(lists: &[&TermScores]) -> Ranked {
    let most = lists.iter().map(|l| l.matches).min().unwrap_or(0);
    let mut all = Vec::with_capacity(most);
    for_each_match(lists, |id, sum| all.push((id, sum)));
    // Sized for the rarest word: give back what the others cut away
    // (not when most is kept, since that copies the list).
    if all.len() < all.capacity() / 2 {
        all.shrink_to_fit();
    }
    Ranked::from_scored(all, HEAD)
}

/// The order of `ORDER BY bm25(…), rowid DESC`: lower scores first (bm25
/// is negated, so better matches are lower), SQLite's numeric comparison
/// (`-0.0` equals `0.0`), then the newer row. Ids are unique, so the order
/// is total and an unstable sort gives the one answer.
fn by_score(a: (i64, f64), b: (i64, f64)) -> std::cmp::Ordering {
    a.1.partial_cmp(&b.1)
        .unwrap_or(std::cmp::Ordering::Equal)
        .then(b.0.cmp(&a.0))
}

/// The page `q` asks for out of `ranked`: its rows, and snippets cut for
/// `q`'s words. An episode removed since the ranking is left out rather
/// than failing the page (the next catalogue revision ranks without it).
pub fn page(conn: &Connection, ranked: &Ranked, q: &Query) -> Result<Page, CatalogError> {
    let (from, per_page) = q.rows();
    // One read transaction for the page's forty statements: alone, each
    // would lock and unlock the catalogue and its WAL index (fcntl and
    // shared-memory locks), a fifth of a broad search's CPU. A caller's
    // own transaction serves as well.
    let read = conn
        .is_autocommit()
        .then(|| conn.unchecked_transaction())
        .transpose()?;
    let mut hits = Vec::with_capacity(per_page);
    for id in ranked.slice(from, per_page) {
        if let Some(hit) = hit_row(conn, id)? {
            hits.push(hit);
        }
    }
    if fts_expression(&q.text).is_some() {
        add_snippets(conn, &q.text, &mut hits)?;
    }
    if let Some(read) = read {
        read.finish()?;
    }
    Ok(Page {
        total: ranked.total(),
        hits,
    })
}

/// The shape of the SQL for one request. Only the filters that are set
/// appear in it (rather than `(?2 IS NULL OR …)` for each), so SQLite can
/// drive a search from a filter's rows; with text, the filters test the
/// FTS rowid and never join the wide `episode` row, and ties in rank go
/// to the newer row id. Every fragment is a constant: user input is bound.
struct Plan {
    /// `FROM … WHERE …` up to the filters.
    from: &'static str,
    /// The filter terms, each starting with `AND`.
    filters: String,
    /// With text, the score matches are ranked by (see [`by_score`]).
    score: Option<&'static str>,
    /// The selected episode id.
    id: &'static str,
}

/// Without text, the order of the matches.
const NEWEST_FIRST: &str = "e.published_utc DESC, e.number DESC";

impl Plan {
    fn new(q: &Query, text: bool) -> Plan {
        let (from, score, id, test) = if text {
            (
                "episode_search s WHERE episode_search MATCH :text",
                // Title, people, themes, notes, transcript.
                Some("bm25(episode_search, 10.0, 5.0, 3.0, 1.0, 0.5)"),
                "s.rowid",
                // Unary `+`: asked for rowids, FTS5 would run the MATCH
                // once per rowid (300 ms for a theme of 200 episodes).
                "+s.rowid",
            )
        } else {
            ("episode e WHERE 1", None, "e.id", "e.id")
        };
        let mut filters = String::new();
        if q.theme.is_some() {
            filters.push_str(&format!(
                " AND {test} IN (SELECT episode_id FROM episode_theme WHERE theme_slug = :theme)"
            ));
        }
        if q.person.is_some() && q.theme.is_some() && !text {
            // Without text SQLite drives from the first IN list; a theme's
            // episodes are checked one by one for the person, since the
            // host's list would be every episode.
            filters.push_str(
                " AND EXISTS (SELECT 1 FROM appearance a JOIN person p ON p.id = a.person_id WHERE a.episode_id = e.id AND p.slug = :person)",
            );
        } else if q.person.is_some() {
            filters.push_str(&format!(
                " AND {test} IN (SELECT a.episode_id FROM appearance a JOIN person p ON p.id = a.person_id WHERE p.slug = :person)"
            ));
        }
        if q.published_until.is_some() {
            // Scheduled episodes are few: excluding them is cheaper than
            // reading every match's publication time.
            filters.push_str(&format!(
                " AND {test} NOT IN (SELECT id FROM episode WHERE published_utc > :until)"
            ));
        }
        Plan {
            from,
            filters,
            score,
            id,
        }
    }

    /// Every match's id (and with text its bm25 score, unordered); without
    /// text, ordered newest first.
    fn rank_sql(&self) -> String {
        match self.score {
            Some(score) => format!(
                "SELECT {}, {score} FROM {}{}",
                self.id, self.from, self.filters
            ),
            None => format!(
                "SELECT {} FROM {}{} ORDER BY {}",
                self.id, self.from, self.filters, NEWEST_FIRST
            ),
        }
    }
}

/// The values bound to a [`Plan`]'s parameters (only those it names).
struct Binds<'a> {
    text: Option<&'a str>,
    person: Option<&'a str>,
    theme: Option<&'a str>,
    until: Option<i64>,
}

impl<'a> Binds<'a> {
    fn new(q: &'a Query, expr: Option<&'a str>) -> Binds<'a> {
        Binds {
            text: expr,
            person: q.person.as_deref(),
            theme: q.theme.as_deref(),
            until: q.published_until,
        }
    }

    fn named(&self) -> Vec<(&'static str, &dyn ToSql)> {
        let mut out: Vec<(&'static str, &dyn ToSql)> = Vec::with_capacity(6);
        if let Some(v) = &self.text {
            out.push((":text", v));
        }
        if let Some(v) = &self.person {
            out.push((":person", v));
        }
        if let Some(v) = &self.theme {
            out.push((":theme", v));
        }
        if let Some(v) = &self.until {
            out.push((":until", v));
        }
        out
    }
}

/// One hit's row (`None` when the episode is gone); its snippet is the
/// summary until [`add_snippets`].
fn hit_row(conn: &Connection, id: i64) -> Result<Option<Hit>, CatalogError> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, number, title, slug, published_at, coalesce(summary, '') FROM episode WHERE id = ?1",
    )?;
    Ok(stmt
        .query_row([id], |r| {
            Ok(Hit {
                id: r.get(0)?,
                number: r.get(1)?,
                title: r.get(2)?,
                slug: r.get(3)?,
                published_at: r.get(4)?,
                snippet: r.get(5)?,
            })
        })
        .optional()?)
}

/// Cuts each hit's snippet from its indexed text, in Rust (see [`super::snippet`]).
fn add_snippets(conn: &Connection, text: &str, hits: &mut [Hit]) -> Result<(), CatalogError> {
    let terms = super::snippet::terms(text);
    let mut row = conn.prepare_cached(
        "SELECT title, people, themes, body, transcript FROM episode_search WHERE rowid = ?1",
    )?;
    for hit in hits {
        // People, notes, transcript, themes, title: where a match says
        // most beyond the title the result already shows. NULL when empty.
        // Read in place from SQLite's row, not copied out (a transcript
        // can be long, and only a window of it is kept).
        let snippet = row
            .query_row([hit.id], |r| {
                let mut fields = [""; 5];
                for (field, column) in fields.iter_mut().zip([1, 3, 4, 2, 0]) {
                    *field = match r.get_ref(column)? {
                        rusqlite::types::ValueRef::Null => "",
                        value => value.as_str().map_err(|e| {
                            rusqlite::Error::FromSqlConversionFailure(
                                column,
                                value.data_type(),
                                Box::new(e),
                            )
                        })?,
                    };
                }
                Ok(super::snippet::snippet(&fields, &terms))
            })
            .optional()?;
        if let Some(snippet) = snippet.filter(|s| !s.is_empty()) {
            hit.snippet = snippet;
        }
    }
    Ok(())
}

/// The SQL that (re)builds search rows for the episodes the WHERE clause selects.
const REINDEX: &str = "INSERT INTO episode_search (rowid, title, people, themes, body, transcript)
    SELECT e.id, e.title,
        (SELECT group_concat(p.name || ' ' || coalesce(a.affiliation, '') || ' ' ||
                coalesce((SELECT group_concat(alias, ' ') FROM person_alias WHERE person_id = p.id), ''), ' ')
         FROM appearance a JOIN person p ON p.id = a.person_id WHERE a.episode_id = e.id),
        (SELECT group_concat(t.name, ' ') FROM episode_theme et JOIN theme t ON t.slug = et.theme_slug
         WHERE et.episode_id = e.id),
        coalesce(e.summary, '') || ' ' || e.description,
        coalesce((SELECT text FROM episode_transcript WHERE episode_id = e.id), '')
    FROM episode e";

/// Rebuilds the search row of one episode; call after writing it.
pub(crate) fn reindex(conn: &Connection, episode_id: i64) -> Result<(), CatalogError> {
    conn.execute("DELETE FROM episode_search WHERE rowid = ?1", [episode_id])?;
    conn.execute(&format!("{REINDEX} WHERE e.id = ?1"), [episode_id])?;
    Ok(())
}

/// Merges the index's segments into one (FTS5 `optimize`): after a bulk
/// import, searches over many matches run about half as fast without it.
pub fn optimize(conn: &Connection) -> Result<(), CatalogError> {
    conn.execute(
        "INSERT INTO episode_search (episode_search) VALUES ('optimize')",
        [],
    )?;
    Ok(())
}

/// Rebuilds every search row; call when names shared by many episodes
/// (theme names, people's aliases) change.
pub(crate) fn reindex_all(conn: &Connection) -> Result<(), CatalogError> {
    conn.execute("DELETE FROM episode_search", [])?;
    conn.execute(REINDEX, [])?;
    Ok(())
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

    /// Ordering only the head gives the order of a full sort, on every
    /// page, wherever the head ends; the tail is ordered once.
    #[test]
    fn a_ranking_ordered_only_at_its_head_pages_as_a_full_sort() {
        // Scores with many ties (ties go to the newer, higher id), -0.0
        // equal to 0.0, in an order unlike the answer.
        let scored: Vec<(i64, f64)> = (0..57)
            .map(|i: i64| {
                let score = match i % 5 {
                    0 => -0.0,
                    1 => 0.0,
                    k => -(k as f64) * 0.5 - ((i * 7) % 3) as f64,
                };
                ((i * 37) % 101, score)
            })
            .collect();
        let mut full = scored.clone();
        full.sort_by(|a, b| {
            a.1.partial_cmp(&b.1)
                .unwrap_or(std::cmp::Ordering::Equal)
                .then(b.0.cmp(&a.0))
        });
        let expected: Vec<i64> = full.iter().map(|(id, _)| *id).collect();
        for head in [0, 1, 5, 20, 56, 57, 100] {
            let ranked = super::Ranked::from_scored(scored.clone(), head);
            assert_eq!(ranked.total(), 57);
            for per_page in [1, 7, 20, 100] {
                let mut paged = Vec::new();
                for from in (0..70).step_by(per_page) {
                    paged.extend(ranked.slice(from, per_page));
                }
                assert_eq!(paged, expected, "head {head}, pages of {per_page}");
            }
            assert_eq!(ranked.ids(), expected, "head {head}");
            assert!(ranked.slice(57, 10).is_empty() && ranked.slice(usize::MAX, 3).is_empty());
            assert_eq!(ranked.words(), 2 * 57 + (57 - head.min(57)));
        }
    }

    /// Lists held densely (most ids) and sparsely (few) combine alike,
    /// whichever drives the walk: every id in all of them, scores added
    /// in list order, newest first.
    #[test]
    fn dense_and_sparse_lists_combine_as_a_plain_intersection() {
        use super::{Entries, TermScores, for_each_match};
        let score = |id: i64, k: i64| -((id * 31 + k * 7) % 23) as f64 - 0.5 * k as f64;
        let make = |ids: Vec<i64>, k: i64| -> (Vec<(i64, f64)>, TermScores) {
            let scored: Vec<(i64, f64)> = ids.iter().map(|&id| (id, score(id, k))).collect();
            (scored.clone(), TermScores::new(scored))
        };
        let (a, dense) = make((0..50).rev().collect(), 1);
        let (b, sparse) = make((0..200).step_by(7).collect(), 2);
        let (c, holes) = make((10..60).filter(|i| i % 3 != 0).collect(), 3);
        assert!(matches!(dense.entries, Entries::Dense { .. }));
        assert!(matches!(sparse.entries, Entries::Sparse(_)));
        assert!(matches!(holes.entries, Entries::Dense { .. }));
        let lookup = |list: &[(i64, f64)], id: i64| list.iter().find(|e| e.0 == id).map(|e| e.1);
        for (order, raw) in [
            (vec![&dense, &sparse, &holes], [&a, &b, &c]),
            (vec![&sparse, &holes, &dense], [&b, &c, &a]),
            (vec![&holes, &dense], [&c, &a, &a]),
        ] {
            let mut expected = Vec::new();
            for id in (-5..250).rev() {
                let parts: Option<Vec<f64>> =
                    raw[..order.len()].iter().map(|l| lookup(l, id)).collect();
                if let Some(parts) = parts {
                    expected.push((id, parts.iter().skip(1).fold(parts[0], |acc, s| acc + s)));
                }
            }
            let mut found = Vec::new();
            for_each_match(&order, |id, sum| found.push((id, sum)));
            assert!(!expected.is_empty());
            assert_eq!(found, expected);
        }
        assert_eq!(dense.len(), 25, "50 slots of 8 bytes");
        assert_eq!(sparse.len(), 29);
        assert!(TermScores::default().is_empty());
    }

    /// Galloping back finds what a binary search finds, for near and
    /// far targets, at the ends and past them.
    #[test]
    fn seeking_back_counts_the_ids_not_above() {
        let mut sorted: Vec<(i64, f64)> = (0..40).map(|i: i64| (i * i % 97 + 3 * i, 0.0)).collect();
        sorted.sort_by_key(|&(id, _)| id);
        sorted.dedup_by_key(|e| e.0);
        for upto in 0..=sorted.len() {
            for id in -1..=sorted.last().map_or(0, |e| e.0) + 2 {
                let expected = sorted[..upto].partition_point(|&(o, _)| o <= id);
                assert_eq!(
                    super::seek_back(&sorted[..upto], id),
                    expected,
                    "upto {upto}, id {id}"
                );
            }
        }
    }

    mod properties {
        use super::super::{Query, fts_expression, search};
        use proptest::prelude::*;
        use rusqlite::Connection;

        thread_local! {
            /// The real schema in memory, with one episode whose searchable
            /// body each case replaces, and a scratch FTS5 table with the
            /// same tokenizer to count the words FTS5 sees in a text.
            static DB: Connection = {
                let mut conn = Connection::open_in_memory().expect("memory db");
                crate::catalog::migrate(&mut conn).expect("migrations");
                conn.execute_batch(
                    "INSERT INTO episode (id, guid, episode_type, title, slug, published_at,
                         published_utc, audio_file, audio_bytes, audio_mime, audio_duration_ms,
                         created_at, updated_at)
                     VALUES (1, 'g', 'full', 't', 's', '2022-01-01T06:00:00+01:00', 0,
                         'a.mp3', 1, 'audio/mpeg', 1, '', '');
                     CREATE VIRTUAL TABLE scratch USING fts5(x, tokenize = 'unicode61 remove_diacritics 2');
                     CREATE VIRTUAL TABLE scratch_words USING fts5vocab(scratch, 'instance');",
                )
                .expect("fixture");
                conn
            };
        }

        /// Indexes `body` as the episode's notes.
        fn index(conn: &Connection, body: &str) {
            conn.execute("DELETE FROM episode_search", [])
                .expect("delete");
            conn.execute(
                "INSERT INTO episode_search (rowid, title, people, themes, body, transcript)
                 VALUES (1, '', '', '', ?1, '')",
                [body],
            )
            .expect("index");
        }

        /// How many words FTS5's tokenizer finds in `text`.
        fn words(conn: &Connection, text: &str) -> i64 {
            conn.execute("DELETE FROM scratch", []).expect("delete");
            conn.execute("INSERT INTO scratch (x) VALUES (?1)", [text])
                .expect("insert");
            conn.query_row("SELECT count(*) FROM scratch_words", [], |r| r.get(0))
                .expect("count")
        }

        /// Searches, failing the case on any SQL or FTS5 error.
        fn found(conn: &Connection, text: &str) -> Result<bool, TestCaseError> {
            let q = Query {
                text: text.into(),
                per_page: 10,
                ..Query::default()
            };
            let page = search(conn, &q).map_err(|e| {
                TestCaseError::fail(format!("{text:?} -> {:?}: {e}", fts_expression(text)))
            })?;
            Ok(page.hits.iter().any(|h| h.id == 1))
        }

        /// Text a user (or a bot) types: FTS5 operators and syntax, column
        /// filters, quotes, private-use and combining characters, words.
        fn hostile() -> impl Strategy<Value = String> {
            let pieces: Vec<&'static str> = vec![
                "\"",
                "'",
                "*",
                "^",
                "-",
                "+",
                ":",
                "(",
                ")",
                "{",
                "}",
                ",",
                ".",
                "_",
                "\0",
                " ",
                "AND",
                "OR",
                "NOT",
                "NEAR",
                "NEAR(",
                "NEAR/3",
                "title:",
                "people:",
                "{title body}:",
                "-title:",
                "\"\"",
                "munt",
                "Örebro",
                "Munthe",
                "\u{E000}",
                "a\u{E000}b",
                "\u{903}",
                "e\u{301}",
                "x_y",
                "1.5",
                "🎙",
                "ß",
                "İ",
                "ǅ",
                "١٢",
            ];
            prop_oneof![
                4 => proptest::collection::vec(proptest::sample::select(pieces), 0..12)
                    .prop_map(|v| v.concat()),
                4 => any::<String>(),
                // 10 kB and more, cheaply: a short hostile run repeated.
                1 => "[a-zA-Z0-9\"*():^ -]{1,40}".prop_map(|s| s.repeat(10_000 / s.len() + 1)),
            ]
        }

        #[test]
        fn a_nul_in_the_query_is_not_an_fts5_syntax_error() {
            DB.with(|conn| {
                index(conn, "and");
                assert!(found(conn, "\0AND").expect("query runs"));
            });
        }

        #[test]
        fn a_symbol_fts5_counts_as_a_word_finds_its_episode() {
            // `🎙` is no letter to Rust but a token to unicode61; dropping it
            // left `"ः"*`, a mark FTS5 indexes as nothing, which found nothing.
            DB.with(|conn| {
                index(conn, "🎙\0ः");
                assert!(found(conn, "🎙\0ः").expect("query runs"));
                assert!(found(conn, "🎙").expect("query runs"));
            });
        }

        #[test]
        fn words_glued_by_a_private_use_character_find_their_episode() {
            // unicode61 counts U+E000 as a letter, Rust does not: the query
            // was cut into `"a"* "b"*` while the index holds one word `a\u{E000}b`.
            DB.with(|conn| {
                index(conn, "x a\u{E000}b y");
                assert!(found(conn, "a\u{E000}b").expect("query runs"));
            });
        }

        proptest! {
            #[test]
            fn any_text_is_a_query_sqlite_accepts_and_finds_its_own_words(text in hostile()) {
                DB.with(|conn| {
                    index(conn, &text);
                    let whole = found(conn, &text)?;
                    // Missing is right only when FTS5 sees no word in it either.
                    if !whole {
                        prop_assert_eq!(words(conn, &text), 0, "{:?} as {:?} does not find itself", text, fts_expression(&text));
                    }
                    // Word by word only for short texts: long ones repeat theirs.
                    let words_to_try = if text.len() > 1000 { 0 } else { 12 };
                    for word in text.split_whitespace().take(words_to_try) {
                        if !found(conn, word)? && word.chars().count() <= 40 {
                            prop_assert_eq!(words(conn, word), 0, "{:?} in {:?} ({:?}) not found", word, text, fts_expression(word));
                        }
                    }
                    Ok(())
                })?;
            }
        }
    }
}
