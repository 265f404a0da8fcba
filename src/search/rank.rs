//! Ranking types and their arithmetic: a [`Ranked`] list of matches
//! (ordered only at its [`HEAD`] until a page past it is asked for), and
//! the rankings summed from kept per-word scores ([`combine`],
//! [`combine_head`]). No SQL here.

use super::query::Query;
use super::scores::{TermScores, for_each_match};

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

/// Whether the page `q` asks for ends past the first [`HEAD`] matches,
/// where a head-only ranking ([`combine_head`]) cannot cut it.
pub fn reaches_past_head(q: &Query) -> bool {
    let (from, count) = q.rows();
    from.saturating_add(count) > HEAD
}

/// The ranking of `scored` (`(id, bm25)`, any order), ordered at its [`HEAD`].
pub(super) fn by_bm25(scored: Vec<(i64, f64)>) -> Ranked {
    Ranked::from_scored(scored, HEAD)
}

/// The ranking of a query whose terms' scores are `lists` (see
/// [`combine`]), enough for the page `q` asks for: only the head when
/// the page lies in it ([`combine_head`]), else whole.
pub(super) fn summed(q: &Query, lists: &[&TermScores]) -> Ranked {
    if reaches_past_head(q) {
        combine(lists)
    } else {
        combine_head(lists, HEAD)
    }
}

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

    #[cfg(test)]
    /// Every matching id, best first (orders the tail if not done yet).
    pub fn ids(&self) -> Vec<i64> {
        self.slice(0, usize::MAX)
    }

    /// Bytes it may hold: an id and a score (8 bytes each) per match as
    /// allocated, and an id for each match after the head once they are
    /// ordered. What the rankings cache counts it as.
    pub fn heap_bytes(&self) -> usize {
        8 * (2 * self.scored.capacity() + (self.scored.len() - self.head))
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

#[cfg(test)]
mod tests {
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
            assert_eq!(ranked.heap_bytes(), 8 * (2 * 57 + (57 - head.min(57))));
        }
    }
}
