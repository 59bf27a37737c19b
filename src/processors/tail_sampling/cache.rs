//! The decision caches (`decision_cache.sampled_cache_size` / `non_sampled_cache_size`):
//! hashicorp's LRU keyed by the right half of the trace id (bytes 8..16, little-endian), as
//! upstream does, so two traces sharing that half share a cached decision. Size 0 is the
//! no-op cache (nothing is ever found).

use std::collections::{BTreeMap, HashMap};

pub struct DecisionCache {
    size: usize,
    stamp: u64,
    by_key: HashMap<u64, u64>,
    by_age: BTreeMap<u64, u64>,
}

fn key(id: &[u8; 16]) -> u64 {
    let mut half = [0u8; 8];
    half.copy_from_slice(&id[8..]);
    u64::from_le_bytes(half)
}

impl DecisionCache {
    pub fn new(size: i64) -> Self {
        Self {
            size: usize::try_from(size).unwrap_or(0),
            stamp: 0,
            by_key: HashMap::new(),
            by_age: BTreeMap::new(),
        }
    }

    pub fn enabled(&self) -> bool {
        self.size > 0
    }

    fn touch(&mut self, k: u64) {
        if let Some(old) = self.by_key.get(&k) {
            self.by_age.remove(old);
        }
        self.stamp += 1;
        self.by_key.insert(k, self.stamp);
        self.by_age.insert(self.stamp, k);
    }

    /// `Get`: found, and then the most recently used.
    pub fn get(&mut self, id: &[u8; 16]) -> bool {
        let k = key(id);
        if !self.by_key.contains_key(&k) {
            return false;
        }
        self.touch(k);
        true
    }

    /// `Add`: evicts the least recently used entry when full.
    pub fn put(&mut self, id: &[u8; 16]) {
        if !self.enabled() {
            return;
        }
        let k = key(id);
        self.touch(k);
        while self.by_key.len() > self.size {
            if let Some((_, oldest)) = self.by_age.pop_first() {
                self.by_key.remove(&oldest);
            }
        }
    }
}
