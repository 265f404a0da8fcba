//! Ranked match lists remembered per catalogue snapshot ([`Generation`]),
//! one per text and filters whatever the page: ranking a word found in all
//! 10,000 episodes of the benchmark catalogue costs 10–15 ms of CPU, while a
//! page cut from a kept list costs a slice and twenty rows. [`answers`]
//! keeps finished pages in front of this; this keeps what they are cut from.
//!
//! Requests that want a ranking being computed wait for it instead of
//! computing it again (single flight): a burst of the same new query on
//! two cores costs one rank, not one per connection. A failed or abandoned
//! computation is not kept; the next request for it ranks again.
//!
//! Kept by the one policy of [`super::cache`], bounded by the bytes the
//! lists hold ([`MAX_BYTES`], counted by [`Ranked::heap_bytes`] once a
//! list is finished) and the number of lists ([`MAX_RANKINGS`]); least
//! recently used lists go first.
//!
//! [`answers`]: super::answers

use std::future::Future;
use std::sync::{Arc, Mutex};

use tokio::sync::OnceCell;

use super::cache::{Generation, Kept, lock};
use super::{Query, Ranked, additive_terms, fts_expression, reaches_past_head};

/// Bytes ([`Ranked::heap_bytes`]) kept in all lists together: 8 MB, some
/// thirty lists of every episode of the benchmark catalogue.
pub const MAX_BYTES: usize = 8_000_000;
/// Lists kept, however short.
pub const MAX_RANKINGS: usize = 512;

/// What a ranking depends on besides the snapshot: the FTS expression (so
/// `Munt` and ` munt` share one) and the filters; not the page, except
/// that a query ranked by adding word scores keeps a head-only ranking
/// for its first pages and a whole one for the pages past it (`deep`, see
/// [`combine_head`]).
///
/// [`combine_head`]: super::rank::combine_head
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(super) struct Key {
    expr: Option<String>,
    person: Option<String>,
    theme: Option<String>,
    deep: bool,
}

impl Key {
    pub(super) fn new(q: &Query) -> Key {
        Key {
            expr: fts_expression(&q.text),
            person: q.person.clone(),
            theme: q.theme.clone(),
            deep: reaches_past_head(q) && additive_terms(q).is_some(),
        }
    }
}

/// One ranking, computed or under way.
type Cell = Arc<OnceCell<Arc<Ranked>>>;

/// The cache; shared by all requests.
#[derive(Debug)]
pub struct Rankings {
    inner: Mutex<Kept<Key, Cell>>,
}

impl Default for Rankings {
    fn default() -> Self {
        Rankings::with_limits(MAX_BYTES, MAX_RANKINGS)
    }
}

impl Rankings {
    /// A cache keeping at most `bytes` bytes in at most `rankings` lists.
    fn with_limits(bytes: usize, rankings: usize) -> Rankings {
        Rankings {
            inner: Mutex::new(Kept::new(rankings, bytes)),
        }
    }

    /// The ranking for `q` in `generation`: the one kept, the one another
    /// request is computing, or a new one from `rank` (not kept if it fails).
    pub async fn get_or_rank<E, F, Fut>(
        &self,
        generation: Generation,
        q: &Query,
        rank: F,
    ) -> Result<Arc<Ranked>, E>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<Ranked, E>>,
    {
        let key = Key::new(q);
        let Some(cell) = self.cell(generation, &key) else {
            return rank().await.map(Arc::new);
        };
        let ranked = cell
            .get_or_try_init(|| async { rank().await.map(Arc::new) })
            .await?;
        let ranked = Arc::clone(ranked);
        self.count(generation, &key, &cell, ranked.heap_bytes());
        Ok(ranked)
    }

    /// The slot's cell for `key`, made when missing (counted as 0 bytes
    /// until it is filled); `None` when the cache has moved on to a newer
    /// revision than `generation`.
    fn cell(&self, generation: Generation, key: &Key) -> Option<Cell> {
        let mut kept = lock(&self.inner);
        if !kept.enter(generation) {
            return None;
        }
        if let Some(cell) = kept.get(key) {
            return Some(Arc::clone(cell));
        }
        let cell = Cell::default();
        kept.insert(key.clone(), Arc::clone(&cell), 0);
        Some(cell)
    }

    /// Counts a finished ranking's bytes (once), then drops the least
    /// recently used lists until the kept bytes fit.
    fn count(&self, generation: Generation, key: &Key, cell: &Cell, bytes: usize) {
        let mut kept = lock(&self.inner);
        if kept.generation() != Some(generation) {
            return;
        }
        let counted = match kept.peek(key) {
            Some((kept_cell, counted)) if Arc::ptr_eq(kept_cell, cell) => counted,
            _ => return,
        };
        if counted == 0 {
            // An empty list still counts one, so it is counted only once.
            kept.set_bytes(key, bytes.max(1));
        }
    }

    #[cfg(test)]
    /// How many rankings are kept (or under way).
    pub fn len(&self) -> usize {
        lock(&self.inner).len()
    }

    #[cfg(test)]
    /// Bytes ([`Ranked::heap_bytes`]) kept in all finished rankings.
    pub fn bytes(&self) -> usize {
        lock(&self.inner).bytes()
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use tokio::sync::Notify;

    use super::super::answers::tests::{G1, query};
    use super::*;

    /// Ranks `ids`, counting the calls.
    async fn ranked(
        cache: &Rankings,
        generation: Generation,
        q: &Query,
        calls: &AtomicUsize,
        ids: Vec<i64>,
    ) -> Result<Arc<Ranked>, String> {
        cache
            .get_or_rank(generation, q, || async {
                calls.fetch_add(1, Ordering::SeqCst);
                Ok(Ranked::from(ids))
            })
            .await
    }

    #[tokio::test]
    async fn concurrent_requests_for_one_new_query_rank_it_once() {
        let cache = Arc::new(Rankings::default());
        let calls = Arc::new(AtomicUsize::new(0));
        let go = Arc::new(Notify::new());
        // The first five pages of 20: one head-only ranking.
        let tasks: Vec<_> = (0..5)
            .map(|page| {
                let (cache, calls, go) = (cache.clone(), calls.clone(), go.clone());
                tokio::spawn(async move {
                    cache
                        .get_or_rank(G1, &query("Samtal", page), || async {
                            calls.fetch_add(1, Ordering::SeqCst);
                            go.notified().await;
                            Ok::<_, String>(Ranked::from(vec![3, 2, 1]))
                        })
                        .await
                })
            })
            .collect();
        // Let every request reach the cache before the ranking finishes.
        while calls.load(Ordering::SeqCst) == 0 {
            tokio::task::yield_now().await;
        }
        for _ in 0..100 {
            tokio::task::yield_now().await;
        }
        go.notify_waiters();
        let mut answers = Vec::new();
        for t in tasks {
            answers.push(t.await.expect("task").expect("ranked"));
        }
        assert_eq!(calls.load(Ordering::SeqCst), 1, "one rank for all");
        assert!(answers.iter().all(|a| Arc::ptr_eq(a, &answers[0])));
        assert_eq!(answers[0].ids(), [3, 2, 1]);
    }

    #[tokio::test]
    async fn pages_and_case_share_a_ranking_other_words_and_filters_do_not() {
        let cache = Rankings::default();
        let calls = AtomicUsize::new(0);
        ranked(&cache, G1, &query("munt", 0), &calls, vec![1])
            .await
            .expect("rank");
        ranked(&cache, G1, &query(" MUNT ", 4), &calls, vec![2])
            .await
            .expect("rank");
        assert_eq!(calls.load(Ordering::SeqCst), 1);
        // Past the hundred a head-only ranking holds, pages share a whole one.
        for page in [7, 5, 9] {
            ranked(&cache, G1, &query("Munt", page), &calls, vec![5])
                .await
                .expect("rank");
        }
        assert_eq!(calls.load(Ordering::SeqCst), 2);
        let several = Query {
            person: Some("nils-munthe".into()),
            ..query("munt", 7)
        };
        ranked(&cache, G1, &several, &calls, vec![6])
            .await
            .expect("rank");
        ranked(&cache, G1, &Query { page: 0, ..several }, &calls, vec![6])
            .await
            .expect("rank");
        assert_eq!(
            calls.load(Ordering::SeqCst),
            3,
            "a filtered query is ranked whole, once for every page"
        );
        ranked(&cache, G1, &query("munth", 0), &calls, vec![3])
            .await
            .expect("rank");
        let theme = Query {
            theme: Some("tema-7".into()),
            ..query("munt", 0)
        };
        let found = ranked(&cache, G1, &theme, &calls, vec![4])
            .await
            .expect("rank");
        assert_eq!(found.ids(), [4]);
        assert_eq!(calls.load(Ordering::SeqCst), 5);
    }

    #[tokio::test]
    async fn a_failed_or_abandoned_ranking_is_not_kept() {
        let cache = Arc::new(Rankings::default());
        let failed: Result<Arc<Ranked>, String> = cache
            .get_or_rank(G1, &query("a", 0), || async { Err("disk".to_string()) })
            .await;
        assert!(failed.is_err());
        let calls = AtomicUsize::new(0);
        ranked(&cache, G1, &query("a", 0), &calls, vec![1])
            .await
            .expect("ranked again");
        assert_eq!(calls.load(Ordering::SeqCst), 1);
        // A request dropped while ranking (its client left) leaves the
        // ranking to the next request rather than to no one.
        let c = cache.clone();
        let stuck = tokio::spawn(async move {
            c.get_or_rank(G1, &query("b", 0), || {
                std::future::pending::<Result<Ranked, String>>()
            })
            .await
        });
        while cache.len() < 2 {
            tokio::task::yield_now().await;
        }
        stuck.abort();
        let next = ranked(&cache, G1, &query("b", 0), &calls, vec![5]).await;
        assert_eq!(next.expect("ranked").ids(), [5]);
    }

    #[tokio::test]
    async fn a_new_generation_forgets_and_an_older_one_does_not_disturb_it() {
        let cache = Rankings::default();
        let calls = AtomicUsize::new(0);
        ranked(&cache, G1, &query("a", 0), &calls, vec![1])
            .await
            .expect("rank");
        let g2 = Generation { revision: 2, ..G1 };
        let new = ranked(&cache, g2, &query("a", 0), &calls, vec![1, 9]).await;
        assert_eq!(new.expect("rank").ids(), [1, 9], "ranked again");
        let late = ranked(&cache, G1, &query("late", 0), &calls, vec![7]).await;
        assert_eq!(
            late.expect("rank").ids(),
            [7],
            "an older request is answered"
        );
        assert_eq!(cache.len(), 1, "but not kept");
        ranked(&cache, g2, &query("a", 0), &calls, vec![])
            .await
            .expect("rank");
        assert_eq!(calls.load(Ordering::SeqCst), 3, "the newer ranking is kept");
    }

    #[tokio::test]
    async fn the_least_recently_used_rankings_go_when_their_words_do_not_fit() {
        let cache = Rankings::with_limits(8 * 20, 3);
        let calls = AtomicUsize::new(0);
        let four = || vec![1, 2, 3, 4];
        ranked(&cache, G1, &query("a", 0), &calls, four())
            .await
            .expect("rank");
        ranked(&cache, G1, &query("b", 0), &calls, four())
            .await
            .expect("rank");
        ranked(&cache, G1, &query("a", 1), &calls, four())
            .await
            .expect("used again");
        ranked(&cache, G1, &query("c", 0), &calls, four())
            .await
            .expect("rank");
        // Each list of four holds 8 words (an id and a score per match).
        assert_eq!(
            (cache.len(), cache.bytes()),
            (2, 8 * 16),
            "b went: 24 words > 20"
        );
        assert_eq!(calls.load(Ordering::SeqCst), 3);
        ranked(&cache, G1, &query("a", 0), &calls, four())
            .await
            .expect("kept");
        assert_eq!(calls.load(Ordering::SeqCst), 3, "a was kept");
        for text in ["d", "e", "f"] {
            ranked(&cache, G1, &query(text, 0), &calls, vec![])
                .await
                .expect("rank");
        }
        assert_eq!(cache.len(), 3, "at most three lists, however short");
    }
}
