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
//! Valid, like [`super::answers`], for one [`Generation`]: a lookup for a
//! newer one empties the cache, one for an older one neither reads nor
//! disturbs it. The oldest words go first once [`MAX_ENTRIES`] scores are
//! kept.
//!
//! [`search::combine`]: crate::search::combine

use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use super::TermScores;
use super::answers::Generation;

/// Scores kept at most, in 16-byte entries ([`TermScores::len`]): 16 MB,
/// e.g. 200 words that match all 10,000 episodes of the benchmark
/// catalogue (held densely, 8 bytes an episode).
pub const MAX_ENTRIES: usize = 1_000_000;

/// Words scored ahead at most, per generation (their scores fit in
/// [`MAX_ENTRIES`] for a catalogue of 10,000 episodes).
pub const WARM_WORDS: usize = 64;

/// Only words in at least this many episodes are scored ahead: scoring a
/// rarer one when asked costs about a millisecond.
pub const WARM_MIN_EPISODES: i64 = 1000;

/// The cache; shared by all requests.
#[derive(Debug, Default)]
pub struct Terms {
    inner: Mutex<Inner>,
    /// A warm-up is running (one at a time).
    warming: AtomicBool,
}

#[derive(Debug, Default)]
struct Inner {
    generation: Option<Generation>,
    map: HashMap<String, Arc<TermScores>>,
    /// Words in the order they were kept, oldest first.
    order: VecDeque<String>,
    entries: usize,
    /// Whether this generation's warm-up has been started.
    warmed: bool,
}

impl Inner {
    /// Whether `generation` may use the cache; a newer one empties it.
    fn enter(&mut self, generation: Generation) -> bool {
        let (map, order, entries, warmed) = (
            &mut self.map,
            &mut self.order,
            &mut self.entries,
            &mut self.warmed,
        );
        generation.enter(&mut self.generation, || {
            map.clear();
            order.clear();
            *entries = 0;
            *warmed = false;
        })
    }

    fn keep(&mut self, term: &str, scores: &Arc<TermScores>) {
        let needed = cost(term, scores);
        if self.map.contains_key(term) || needed > MAX_ENTRIES {
            return;
        }
        self.entries += needed;
        self.map.insert(term.to_string(), Arc::clone(scores));
        self.order.push_back(term.to_string());
        while self.entries > MAX_ENTRIES {
            let Some(oldest) = self.order.pop_front() else {
                break;
            };
            if let Some(gone) = self.map.remove(&oldest) {
                self.entries -= cost(&oldest, &gone);
            }
        }
    }
}

/// What keeping `term` costs, in 16-byte entries: its scores, and its
/// key, map slot and allocations, so that words matching nothing (which
/// anyone can send by the thousand) count too.
fn cost(term: &str, scores: &TermScores) -> usize {
    scores.len() + KEY_ENTRIES + term.len() / 16
}

/// A kept word's fixed cost beyond its scores, in 16-byte entries: two
/// copies of its key, the map slot, the `Arc` and the scores' header
/// (about 190 bytes with the allocator's overhead).
const KEY_ENTRIES: usize = 12;

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
            let mut inner = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
            let usable = inner.enter(generation);
            usable.then(|| inner.map.get(term).cloned()).flatten()
        };
        if let Some(kept) = kept {
            return Ok(kept);
        }
        let scores = Arc::new(compute()?);
        let mut inner = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
        if inner.generation == Some(generation) {
            inner.keep(term, &scores);
        }
        Ok(scores)
    }

    /// Whether to warm `generation` up now: once per generation, when no
    /// other warm-up runs; the caller calls [`Terms::done_warming`] after.
    pub fn start_warming(&self, generation: Generation) -> bool {
        let mut inner = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
        if !inner.enter(generation) || inner.warmed {
            return false;
        }
        if self.warming.swap(true, Ordering::AcqRel) {
            return false;
        }
        inner.warmed = true;
        true
    }

    /// Ends the warm-up [`Terms::start_warming`] allowed.
    pub fn done_warming(&self) {
        self.warming.store(false, Ordering::Release);
    }

    #[cfg(test)]
    /// Scores kept, over all words.
    pub fn entries(&self) -> usize {
        self.inner
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .entries
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
    /// within [`MAX_ENTRIES`], and the oldest go first.
    #[test]
    fn words_matching_nothing_are_bounded_too() {
        let t = Terms::default();
        let mut computed = 0;
        let flood = MAX_ENTRIES / KEY_ENTRIES + 10;
        for i in 0..flood {
            get(&t, G1, &format!("\"x{i}\"*"), &mut computed);
        }
        assert!(t.entries() <= MAX_ENTRIES, "{}", t.entries());
        let kept = t.inner.lock().map(|i| i.map.len()).unwrap_or(0);
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
