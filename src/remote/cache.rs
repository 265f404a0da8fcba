//! The block cache of [`super::RangeReader`]: least-recently-used blocks,
//! most recent first. A few dozen entries at most, so a linear scan beats
//! any map, and memory stays bounded by `capacity` blocks.

use std::collections::VecDeque;

/// Least-recently-used blocks, most recent first.
pub(crate) struct BlockCache {
    capacity: usize,
    blocks: VecDeque<(u64, Vec<u8>)>,
}

impl BlockCache {
    pub(crate) fn new(capacity: usize) -> Self {
        Self {
            capacity,
            blocks: VecDeque::with_capacity(capacity),
        }
    }

    pub(crate) fn contains(&self, index: u64) -> bool {
        self.blocks.iter().any(|(i, _)| *i == index)
    }

    pub(crate) fn get(&mut self, index: u64) -> Option<&[u8]> {
        let at = self.blocks.iter().position(|(i, _)| *i == index)?;
        let entry = self.blocks.remove(at)?;
        self.blocks.push_front(entry);
        self.blocks.front().map(|(_, b)| b.as_slice())
    }

    pub(crate) fn insert(&mut self, index: u64, block: Vec<u8>) {
        self.blocks.retain(|(i, _)| *i != index);
        self.blocks.push_front((index, block));
        self.blocks.truncate(self.capacity);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn evicts_the_least_recently_used_block() {
        let mut cache = BlockCache::new(2);
        cache.insert(1, vec![1]);
        cache.insert(2, vec![2]);
        assert_eq!(cache.get(1), Some(&[1u8][..]));
        cache.insert(3, vec![3]);
        assert!(cache.contains(1) && cache.contains(3) && !cache.contains(2));
    }

    #[test]
    fn inserting_a_cached_block_replaces_it() {
        let mut cache = BlockCache::new(2);
        cache.insert(1, vec![1]);
        cache.insert(1, vec![9]);
        cache.insert(2, vec![2]);
        assert_eq!(cache.get(1), Some(&[9u8][..]));
    }
}
