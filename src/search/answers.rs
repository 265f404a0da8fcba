//! Search answers remembered for the catalogue snapshot they were computed
//! from, so a page asked again (the same words while typing, a popular
//! name, the next visitor's one-letter prefix) costs a lookup, not even
//! the twenty rows and snippets of a page cut from a kept ranking
//! ([`rankings`](super::rankings), which spares the bm25 ranking itself).
//!
//! An answer is valid while the catalogue's revision is unchanged and no
//! scheduled episode has come out since: the [`Generation`]. A lookup with
//! another generation empties the cache. Least recently used answers go
//! first once [`CAPACITY`] are kept. Only the catalogue's page of results
//! is kept; the view (links, dates, highlighting) is rebuilt per request.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use chrono::{DateTime, Utc};

use super::{Page, Query};

/// Answers kept; each is one page of hits (a few kB), so a few MB at most.
pub const CAPACITY: usize = 512;

/// What an answer depends on besides the query: the catalogue revision
/// and the next scheduled publication (until then, "published until now"
/// selects the same episodes).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Generation {
    /// The catalogue revision of the snapshot.
    pub revision: i64,
    /// When the snapshot's next scheduled episode comes out.
    pub next_release: Option<DateTime<Utc>>,
}

impl Generation {
    /// Whether a cache keeping answers for `kept` may serve this
    /// generation: yes for the same one; for a newer one too, after
    /// `forget` empties it and `kept` becomes this one; no for an older one
    /// (a request that began before the snapshot moved on), which must not
    /// empty what the newer generation's answers are filling.
    pub fn enter(self, kept: &mut Option<Generation>, forget: impl FnOnce()) -> bool {
        match *kept {
            Some(g) if g.revision > self.revision => false,
            Some(g) if g == self => true,
            _ => {
                forget();
                *kept = Some(self);
                true
            }
        }
    }
}

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
#[derive(Debug, Default)]
pub struct Answers {
    inner: Mutex<Inner>,
}

#[derive(Debug, Default)]
struct Inner {
    generation: Option<Generation>,
    /// Each answer with the tick it was last used at.
    map: HashMap<Key, (Arc<Page>, u64)>,
    tick: u64,
}

impl Inner {
    /// Forgets everything when `generation` is not the one kept; `false`
    /// (and nothing forgotten) when the cache has moved on to a newer
    /// revision: a request that began before the snapshot moved on must not
    /// empty the cache the newer snapshot's answers are filling.
    fn enter(&mut self, generation: Generation) -> bool {
        generation.enter(&mut self.generation, || self.map.clear())
    }

    fn evict_oldest(&mut self) {
        let oldest = self
            .map
            .iter()
            .min_by_key(|(_, (_, used))| *used)
            .map(|(k, _)| k.clone());
        if let Some(k) = oldest {
            self.map.remove(&k);
        }
    }
}

impl Answers {
    /// The answer kept for `q` in `generation`, if any.
    pub fn get(&self, generation: Generation, q: &Query) -> Option<Arc<Page>> {
        let key = Key::new(q);
        let mut inner = self.inner.lock().ok()?;
        if !inner.enter(generation) {
            return None;
        }
        inner.tick += 1;
        let tick = inner.tick;
        let (page, used) = inner.map.get_mut(&key)?;
        *used = tick;
        Some(Arc::clone(page))
    }

    /// Keeps `page` as the answer to `q` in `generation`.
    pub fn put(&self, generation: Generation, q: &Query, page: Arc<Page>) {
        let key = Key::new(q);
        let Ok(mut inner) = self.inner.lock() else {
            return;
        };
        if !inner.enter(generation) {
            return;
        }
        if !inner.map.contains_key(&key) && inner.map.len() >= CAPACITY {
            inner.evict_oldest();
        }
        inner.tick += 1;
        let tick = inner.tick;
        inner.map.insert(key, (page, tick));
    }

    #[cfg(test)]
    /// How many answers are kept.
    pub fn len(&self) -> usize {
        self.inner.lock().map_or(0, |i| i.map.len())
    }

    #[cfg(test)]
    /// Whether no answer is kept.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
pub(super) mod tests {
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
