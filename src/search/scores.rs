//! One word's bm25 scores per episode ([`TermScores`], held sparsely or
//! densely) and the walk that adds up several words' scores over the
//! episodes all of them match ([`for_each_match`]).

/// One term's part of the bm25 score of every episode it matches, by
/// episode id: what [`combine`] adds up for a query of several terms.
#[derive(Debug, Clone, PartialEq)]
pub struct TermScores {
    entries: Entries,
    /// Episodes the term matches.
    pub(super) matches: usize,
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
    pub(super) fn new(mut scored: Vec<(i64, f64)>) -> TermScores {
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

    /// Bytes its scores hold: 16 per match when sparse (an id and a
    /// score), 8 per id spanned when dense. What the terms cache counts.
    pub fn heap_bytes(&self) -> usize {
        match &self.entries {
            Entries::Sparse(v) => 16 * v.len(),
            Entries::Dense { scores, .. } => 8 * scores.len(),
        }
    }

    #[cfg(test)]
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
pub(super) fn for_each_match(lists: &[&TermScores], mut found: impl FnMut(i64, f64)) {
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

#[cfg(test)]
mod tests {
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
        assert_eq!(dense.heap_bytes(), 50 * 8, "50 slots of 8 bytes");
        assert_eq!(sparse.heap_bytes(), 29 * 16);
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
}
