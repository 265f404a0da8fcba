//! Search answers remembered for the catalogue snapshot they were computed
//! from, so a page asked again (the same words while typing, a popular
//! name, the next visitor's one-letter prefix) costs a lookup, not even
//! the twenty rows and snippets of a page cut from a kept ranking
//! ([`rankings`](super::rankings), which spares the bm25 ranking itself).
//!
//! An answer is valid while the catalogue's revision is unchanged and no
//! scheduled episode has come out since: the [`Generation`]. Kept by the
//! one policy of [`super::cache`]: a lookup with a newer generation
//! empties the cache, an older one neither reads nor disturbs it; least
//! recently used answers go first once [`CAPACITY`] (or [`MAX_BYTES`]) are kept. Only the catalogue's page of results
//! is kept; the view (links, dates, highlighting) is rebuilt per request.

use std::sync::{Arc, Mutex};

use super::cache::{Generation, Kept, lock};
use super::{Page, Query};

/// Answers kept; each is one page of hits (a few kB), so a few MB at most.
pub const CAPACITY: usize = 512;

/// Bytes of answers kept, a bound the count ([`CAPACITY`]) reaches first
/// unless pages carry unusually long snippets.
pub const MAX_BYTES: usize = 8 << 20;

/// A query as the catalogue reads it (see [`super::rankings`]' key: the
/// FTS expression rather than the raw text, so `munt` and `  munt` share an
/// answer), and the page.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct Key {
    query: super::rankings::Key,
    page: u32,
    per_page: u32,
}

impl Key {
    fn new(q: &Query) -> Key {
        Key {
            query: super::rankings::Key::new(q),
            page: q.page,
            per_page: q.per_page,
        }
    }
}

/// The cache; shared by all requests.
#[derive(Debug)]
pub struct Answers {
    inner: Mutex<Kept<Key, Arc<Page>>>,
}

impl Default for Answers {
    fn default() -> Self {
        Answers {
            inner: Mutex::new(Kept::new(CAPACITY, MAX_BYTES)),
        }
    }
}

impl Answers {
    /// The answer kept for `q` in `generation`, if any.
    pub fn get(&self, generation: Generation, q: &Query) -> Option<Arc<Page>> {
        let mut kept = lock(&self.inner);
        if !kept.enter(generation) {
            return None;
        }
        kept.get(&Key::new(q)).cloned()
    }

    /// Keeps `page` as the answer to `q` in `generation`.
    pub fn put(&self, generation: Generation, q: &Query, page: Arc<Page>) {
        let mut kept = lock(&self.inner);
        if kept.enter(generation) {
            let bytes = page.heap_bytes();
            kept.insert(Key::new(q), page, bytes);
        }
    }

    #[cfg(test)]
    /// How many answers are kept.
    pub fn len(&self) -> usize {
        lock(&self.inner).len()
    }

    #[cfg(test)]
    /// Whether no answer is kept.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
pub(super) mod tests {
    use chrono::Utc;

    use super::*;

    /// Page `page` (of 20) of `text`: shared by the search caches' tests.
    pub(in crate::search) fn query(text: &str, page: u32) -> Query {
        Query {
            text: text.into(),
            page,
            per_page: 20,
            ..Query::default()
        }
    }

    fn page(total: u64) -> Arc<Page> {
        Arc::new(Page {
            total,
            hits: Vec::new(),
        })
    }

    /// A catalogue snapshot, shared by the search caches' tests.
    pub(in crate::search) const G1: Generation = Generation {
        revision: 1,
        next_release: None,
    };

    #[test]
    fn same_words_share_an_answer_and_other_pages_do_not() {
        let answers = Answers::default();
        answers.put(G1, &query("munt", 0), page(7));
        assert_eq!(
            answers.get(G1, &query("  munt\t", 0)).map(|p| p.total),
            Some(7)
        );
        assert!(answers.get(G1, &query("munt", 1)).is_none());
        assert!(answers.get(G1, &query("munthe", 0)).is_none());
    }

    #[test]
    fn a_new_revision_or_release_forgets_every_answer() {
        let answers = Answers::default();
        answers.put(G1, &query("a", 0), page(1));
        let g2 = Generation { revision: 2, ..G1 };
        assert!(answers.get(g2, &query("a", 0)).is_none());
        assert!(answers.is_empty());
        answers.put(g2, &query("a", 0), page(2));
        let released = Generation {
            next_release: Some(Utc::now()),
            ..g2
        };
        assert!(answers.get(released, &query("a", 0)).is_none());
        answers.put(G1, &query("late", 0), page(3));
        assert!(
            answers.is_empty(),
            "an answer from an older revision is dropped"
        );
        answers.put(g2, &query("a", 0), page(2));
        assert!(answers.get(G1, &query("a", 0)).is_none());
        assert_eq!(
            answers.get(g2, &query("a", 0)).map(|p| p.total),
            Some(2),
            "a lookup from an older revision empties nothing"
        );
    }

    #[test]
    fn the_least_recently_used_answer_goes_first() {
        let answers = Answers::default();
        for i in 0..CAPACITY as u32 {
            answers.put(G1, &query("ord", i), page(u64::from(i)));
        }
        assert!(answers.get(G1, &query("ord", 0)).is_some());
        answers.put(G1, &query("nytt", 0), page(0));
        assert_eq!(answers.len(), CAPACITY);
        assert!(answers.get(G1, &query("ord", 0)).is_some(), "used lately");
        assert!(answers.get(G1, &query("ord", 1)).is_none(), "oldest");
    }
}
