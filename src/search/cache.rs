//! The one policy all of search's caches follow ([`Kept`]): values for one
//! catalogue [`Generation`], bounded by a count and by the bytes they
//! hold, least recently used out first. Also the one lock rule ([`lock`]).

use std::borrow::Borrow;
use std::collections::{BTreeMap, HashMap};
use std::hash::Hash;
use std::sync::{Mutex, MutexGuard, PoisonError};

use chrono::{DateTime, Utc};

/// What every kept value depends on besides its key: the catalogue
/// revision and the next scheduled publication (until then, "published
/// until now" selects the same episodes).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Generation {
    /// The catalogue revision of the snapshot.
    pub revision: i64,
    /// When the snapshot's next scheduled episode comes out.
    pub next_release: Option<DateTime<Utc>>,
}

/// Locks a cache, recovering it when poisoned: the rule for every lock in
/// search. A cache's critical sections run only its own bookkeeping (no
/// SQL, no caller's code), so a panic inside one is a bug whose worst
/// effect is a byte count off; serving on beats failing every search.
pub(super) fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Values kept for one [`Generation`]: at most `max_values` of them,
/// holding at most `max_bytes` together; the least recently used go
/// first. A lookup for a newer generation empties it; one for an older
/// generation (a request that began before the catalogue moved on) is
/// refused and disturbs nothing.
#[derive(Debug)]
pub(super) struct Kept<K, V> {
    generation: Option<Generation>,
    map: HashMap<K, Slot<V>>,
    /// Every key by the tick of its last use, oldest first.
    by_use: BTreeMap<u64, K>,
    bytes: usize,
    tick: u64,
    max_values: usize,
    max_bytes: usize,
}

#[derive(Debug)]
struct Slot<V> {
    value: V,
    used: u64,
    bytes: usize,
}

impl<K: Hash + Eq + Clone, V> Kept<K, V> {
    /// An empty cache with these bounds.
    pub(super) fn new(max_values: usize, max_bytes: usize) -> Kept<K, V> {
        Kept {
            generation: None,
            map: HashMap::new(),
            by_use: BTreeMap::new(),
            bytes: 0,
            tick: 0,
            max_values,
            max_bytes,
        }
    }

    /// Whether `generation` may use the cache: yes for the one kept; for a
    /// newer one too, after everything is forgotten; no for an older one.
    pub(super) fn enter(&mut self, generation: Generation) -> bool {
        match self.generation {
            Some(g) if g.revision > generation.revision => false,
            Some(g) if g == generation => true,
            _ => {
                self.map.clear();
                self.by_use.clear();
                self.bytes = 0;
                self.generation = Some(generation);
                true
            }
        }
    }

    /// The generation kept.
    pub(super) fn generation(&self) -> Option<Generation> {
        self.generation
    }

    /// The value kept for `key`, now the most recently used.
    pub(super) fn get<Q>(&mut self, key: &Q) -> Option<&V>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        let tick = self.next_tick();
        let slot = self.map.get_mut(key)?;
        if let Some(k) = self.by_use.remove(&slot.used) {
            self.by_use.insert(tick, k);
        }
        slot.used = tick;
        Some(&slot.value)
    }

    /// The value kept for `key` and the bytes counted for it, as they are.
    pub(super) fn peek<Q>(&self, key: &Q) -> Option<(&V, usize)>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        self.map.get(key).map(|s| (&s.value, s.bytes))
    }

    /// Keeps `value` for `key` (replacing any), counted as `bytes`, then
    /// drops the least recently used until the bounds hold. A value larger
    /// than the whole cache is not kept.
    pub(super) fn insert(&mut self, key: K, value: V, bytes: usize) {
        if bytes > self.max_bytes {
            return;
        }
        if let Some(old) = self.map.remove(&key) {
            self.by_use.remove(&old.used);
            self.bytes -= old.bytes;
        }
        while self.map.len() >= self.max_values && self.evict_oldest() {}
        let used = self.next_tick();
        self.by_use.insert(used, key.clone());
        self.map.insert(key, Slot { value, used, bytes });
        self.bytes += bytes;
        while self.bytes > self.max_bytes && self.evict_oldest() {}
    }

    /// Counts `bytes` for the value kept for `key` (one that grew, or was
    /// under way when kept), then drops the least recently used until the
    /// bounds hold.
    pub(super) fn set_bytes(&mut self, key: &K, bytes: usize) {
        let Some(slot) = self.map.get_mut(key) else {
            return;
        };
        self.bytes = self.bytes - slot.bytes + bytes;
        slot.bytes = bytes;
        while self.bytes > self.max_bytes && self.evict_oldest() {}
    }

    #[cfg(test)]
    /// How many values are kept.
    pub(super) fn len(&self) -> usize {
        self.map.len()
    }

    #[cfg(test)]
    /// The bytes counted for all values kept.
    pub(super) fn bytes(&self) -> usize {
        self.bytes
    }

    fn next_tick(&mut self) -> u64 {
        self.tick += 1;
        self.tick
    }

    /// Drops the least recently used value; `false` when none is kept.
    fn evict_oldest(&mut self) -> bool {
        let Some((_, key)) = self.by_use.pop_first() else {
            return false;
        };
        if let Some(slot) = self.map.remove(&key) {
            self.bytes -= slot.bytes;
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const G1: Generation = Generation {
        revision: 1,
        next_release: None,
    };

    #[test]
    fn the_least_recently_used_go_first_by_count_and_by_bytes() {
        let mut kept: Kept<&str, u32> = Kept::new(3, 100);
        assert!(kept.enter(G1));
        kept.insert("a", 1, 10);
        kept.insert("b", 2, 10);
        kept.insert("c", 3, 10);
        assert_eq!(kept.get(&"a"), Some(&1));
        kept.insert("d", 4, 10);
        assert_eq!((kept.len(), kept.bytes()), (3, 30));
        assert!(kept.get(&"b").is_none(), "least recently used");
        kept.set_bytes(&"d", 95);
        assert!(kept.get(&"c").is_none() && kept.get(&"a").is_none());
        assert_eq!((kept.len(), kept.bytes()), (1, 95));
        kept.insert("huge", 5, 101);
        assert!(kept.get(&"huge").is_none(), "larger than the cache");
        let g2 = Generation { revision: 2, ..G1 };
        assert!(kept.enter(g2) && kept.len() == 0);
        kept.insert("e", 6, 1);
        assert!(!kept.enter(G1), "older");
        assert_eq!(kept.get(&"e"), Some(&6), "and undisturbed");
    }
}
