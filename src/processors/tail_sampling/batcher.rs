//! Upstream's `idbatcher`: a ring of `max(1, decision_wait in whole seconds)` batches plus the
//! batch being filled. Each tick (one second) takes the oldest batch for decision and puts the
//! current one in its slot, so a trace is decided between `decision_wait` and one second more
//! after its first span arrived. Upstream batches are Go maps (random order within a tick);
//! here a batch keeps arrival order.

pub type TraceId = [u8; 16];

pub struct Batcher {
    take_id: u64,
    batches: Vec<Vec<TraceId>>,
    current: Vec<TraceId>,
    stopped: bool,
    last_batch_id: u64,
}

impl Batcher {
    pub fn new(num_batches: u64) -> Self {
        let n = usize::try_from(num_batches.max(1)).unwrap_or(1);
        Self {
            take_id: 0,
            batches: vec![Vec::new(); n],
            current: Vec::new(),
            stopped: false,
            last_batch_id: u64::MAX,
        }
    }

    fn len(&self) -> u64 {
        self.batches.len() as u64
    }

    /// Add to the batch being filled; returns the id of the batch the trace will be decided in.
    pub fn add_to_current(&mut self, id: TraceId) -> u64 {
        self.current.push(id);
        self.take_id + self.len()
    }

    /// `MoveToEarlierBatch` (decision_wait_after_root_received).
    pub fn move_earlier(&mut self, id: TraceId, current_batch: u64, from_now: u64) -> u64 {
        let proposed = self.take_id + from_now;
        if proposed >= current_batch {
            return current_batch;
        }
        self.remove(id, current_batch);
        let idx = (proposed % self.len()) as usize;
        self.batches[idx].push(id);
        proposed
    }

    /// `RemoveFromBatch`.
    pub fn remove(&mut self, id: TraceId, batch: u64) {
        let current_id = self.take_id + self.len();
        if batch == current_id {
            self.current.retain(|x| *x != id);
        } else if batch >= self.take_id && batch < current_id {
            let idx = (batch % self.len()) as usize;
            self.batches[idx].retain(|x| *x != id);
        }
    }

    /// `CloseCurrentAndTakeFirstBatch`: the batch due now, and whether more remain (only
    /// false after `stop`).
    pub fn tick(&mut self) -> (Vec<TraceId>, bool) {
        if self.take_id < self.last_batch_id {
            let idx = (self.take_id % self.len()) as usize;
            let taken = if self.stopped {
                std::mem::take(&mut self.batches[idx])
            } else {
                let current = std::mem::take(&mut self.current);
                std::mem::replace(&mut self.batches[idx], current)
            };
            self.take_id += 1;
            return (taken, true);
        }
        (std::mem::take(&mut self.current), false)
    }

    /// Nothing waits in any batch: idle ticks can be skipped.
    pub fn is_empty(&self) -> bool {
        self.current.is_empty() && self.batches.iter().all(Vec::is_empty)
    }

    /// Skip `n` idle ticks at once (only valid when `is_empty`).
    pub fn skip(&mut self, n: u64) {
        self.take_id += n;
    }

    /// Shutdown: the remaining batches, then the current one, are taken without refilling.
    pub fn stop(&mut self) {
        self.stopped = true;
        self.last_batch_id = self.take_id + self.len();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_trace_is_taken_after_n_ticks() {
        let mut b = Batcher::new(3);
        let id = [1; 16];
        assert_eq!(b.add_to_current(id), 3);
        assert!(b.tick().0.is_empty()); // tick 1: current moves into the ring
        assert!(b.tick().0.is_empty());
        assert!(b.tick().0.is_empty());
        assert_eq!(b.tick().0, vec![id]); // tick 4: 3 ticks after it entered the ring
    }

    #[test]
    fn stop_drains_everything() {
        let mut b = Batcher::new(2);
        b.add_to_current([1; 16]);
        b.tick();
        b.add_to_current([2; 16]);
        b.stop();
        let mut all = Vec::new();
        loop {
            let (batch, more) = b.tick();
            all.extend(batch);
            if !more {
                break;
            }
        }
        assert_eq!(all, vec![[1; 16], [2; 16]]);
    }
}
