//! Each search word's part of the bm25 score, kept for the catalogue
//! snapshot it was computed from, so that a query of several words seen
//! before (in any combination: "samtal demokrati", "demokrati i samtal")
//! is ranked by adding kept scores ([`search::combine`]) instead of FTS5
//! scoring every matching episode again: a new query of three common words
//! cost ~40 ms of bm25 over the benchmark's 10,000 episodes; from kept
//! words it is a merge of their lists.
//!
//! The words in the most episodes are the slow ones to score, and they are
//! few: at the first search of each generation, the most common of them
//! ([`WARM_WORDS`] at most, each in [`WARM_MIN_EPISODES`] or more) are
//! scored in the background ([`Terms::start_warming`]), so even the first
//! listener to combine them waits for a merge, not for bm25.
//!
//! Kept by the one policy of [`super::cache`], for one [`Generation`]: a
//! lookup for a newer one empties the cache, one for an older one neither
//! reads nor disturbs it. The least recently used words go first once
//! [`MAX_BYTES`] are kept.
//!
//! [`search::combine`]: super::rank::combine

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use super::TermScores;
use super::cache::{Generation, Kept, lock};

/// Bytes of scores kept at most ([`TermScores::heap_bytes`], plus each
/// word's [`KEY_BYTES`]): 16 MB, e.g. 200 words that match all 10,000
/// episodes of the benchmark catalogue (held densely, 8 bytes an episode).
pub const MAX_BYTES: usize = 16_000_000;

/// Words scored ahead at most, per generation (their scores fit in
/// [`MAX_BYTES`] for a catalogue of 10,000 episodes).
pub const WARM_WORDS: usize = 64;

/// Only words in at least this many episodes are scored ahead: scoring a
/// rarer one when asked costs about a millisecond.
pub const WARM_MIN_EPISODES: i64 = 1000;

/// The cache; shared by all requests.
#[derive(Debug)]
pub struct Terms {
    inner: Mutex<Inner>,
    /// A warm-up is running (one at a time).
    warming: AtomicBool,
}

impl Default for Terms {
    fn default() -> Self {
        Terms {
            inner: Mutex::new(Inner {
                kept: Kept::new(usize::MAX, MAX_BYTES),
                warmed: None,
            }),
            warming: AtomicBool::new(false),
        }
    }
}

#[derive(Debug)]
struct Inner {
    kept: Kept<String, Arc<TermScores>>,
    /// The generation whose warm-up has been started.
    warmed: Option<Generation>,
}

/// What keeping `term` costs: its scores, and its key, map slot and
/// allocations, so that words matching nothing (which anyone can send by
/// the thousand) count too.
fn cost(term: &str, scores: &TermScores) -> usize {
    scores.heap_bytes() + KEY_BYTES + 2 * term.len()
}

/// A kept word's fixed cost beyond its scores and its text: two copies
/// of its key, the map slot, the `Arc` and the scores' header (about 190
/// bytes with the allocator's overhead).
const KEY_BYTES: usize = 192;

impl Terms {
    /// The scores of `term` for `generation`: kept ones, or `compute`'s
    /// (kept for the next query when the generation is still current).
    pub fn get_or<E>(
        &self,
        generation: Generation,
        term: &str,
        compute: impl FnOnce() -> Result<TermScores, E>,
    ) -> Result<Arc<TermScores>, E> {
        let kept = {
            let mut inner = lock(&self.inner);
            let usable = inner.kept.enter(generation);
            usable.then(|| inner.kept.get(term).cloned()).flatten()
        };
        if let Some(kept) = kept {
            return Ok(kept);
        }
        let scores = Arc::new(compute()?);
        let mut inner = lock(&self.inner);
        if inner.kept.generation() == Some(generation) {
            let bytes = cost(term, &scores);
            inner
                .kept
                .insert(term.to_string(), Arc::clone(&scores), bytes);
        }
        Ok(scores)
    }

    /// Whether to warm `generation` up now: once per generation, when no
    /// other warm-up runs; the caller calls [`Terms::done_warming`] after.
    pub fn start_warming(&self, generation: Generation) -> bool {
        let mut inner = lock(&self.inner);
        if !inner.kept.enter(generation) || inner.warmed == Some(generation) {
            return false;
        }
        if self.warming.swap(true, Ordering::AcqRel) {
            return false;
        }
        inner.warmed = Some(generation);
        true
    }

    /// Ends the warm-up [`Terms::start_warming`] allowed.
    pub fn done_warming(&self) {
        self.warming.store(false, Ordering::Release);
    }

    #[cfg(test)]
    /// Bytes kept, over all words.
    pub fn bytes(&self) -> usize {
        lock(&self.inner).kept.bytes()
    }

    #[cfg(test)]
    /// Words kept.
    pub fn len(&self) -> usize {
        lock(&self.inner).kept.len()
    }
}

#[cfg(test)]
mod tests {
    use super::super::answers::tests::G1;
    use super::*;

    const G2: Generation = Generation {
        revision: 2,
        next_release: None,
    };

    fn get(t: &Terms, g: Generation, term: &str, computed: &mut usize) -> Arc<TermScores> {
        t.get_or(g, term, || {
            *computed += 1;
            Ok::<_, ()>(TermScores::default())
        })
        .expect("scores")
    }

    #[test]
    fn a_word_is_scored_once_per_generation_and_an_older_one_does_not_disturb() {
        let t = Terms::default();
        let mut computed = 0;
        get(&t, G1, "\"samtal\"*", &mut computed);
        get(&t, G1, "\"samtal\"*", &mut computed);
        assert_eq!(computed, 1, "kept");
        get(&t, G2, "\"samtal\"*", &mut computed);
        assert_eq!(computed, 2, "a new generation scores again");
        get(&t, G1, "\"samtal\"*", &mut computed);
        assert_eq!(computed, 3, "an older generation is not served the newer");
        get(&t, G2, "\"samtal\"*", &mut computed);
        assert_eq!(computed, 3, "and did not empty it");
    }

    #[test]
    fn each_generation_is_warmed_once_and_one_warm_up_runs_at_a_time() {
        let t = Terms::default();
        assert!(t.start_warming(G1));
        assert!(!t.start_warming(G1), "once per generation");
        assert!(!t.start_warming(G2), "not while one runs");
        t.done_warming();
        assert!(t.start_warming(G2));
        t.done_warming();
        assert!(!t.start_warming(G1), "not for an older generation");
    }

    /// Words that match nothing still count: a flood of them stays
    /// within [`MAX_BYTES`], and the oldest go first.
    #[test]
    fn words_matching_nothing_are_bounded_too() {
        let t = Terms::default();
        let mut computed = 0;
        let flood = MAX_BYTES / KEY_BYTES + 10;
        for i in 0..flood {
            get(&t, G1, &format!("\"x{i}\"*"), &mut computed);
        }
        assert!(t.bytes() <= MAX_BYTES, "{}", t.bytes());
        let kept = t.len();
        assert!(kept < flood && kept > flood / 2, "{kept} of {flood} kept");
        get(&t, G1, &format!("\"x{}\"*", flood - 1), &mut computed);
        assert_eq!(computed, flood, "the newest is kept");
        get(&t, G1, "\"x0\"*", &mut computed);
        assert_eq!(computed, flood + 1, "the oldest went");
    }

    #[test]
    fn a_failed_scoring_is_not_kept() {
        let t = Terms::default();
        let failed = t.get_or(G1, "a", || Err::<TermScores, _>("disk"));
        assert!(failed.is_err());
        let mut computed = 0;
        get(&t, G1, "a", &mut computed);
        assert_eq!(computed, 1);
    }
}
