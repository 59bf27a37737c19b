//! The capture's own clock, for processors that wait (tail_sampling, groupbytrace): the arrival
//! time `otelcheck record` wrote into the sidecar when the capture has one, else the latest span
//! end time of the request (a tracer sends a span after it ended). Once arrival times are in
//! use, a request without one does not move the clock.

use crate::capture::model::Batch;

#[derive(Debug, Default)]
pub struct ReplayClock {
    /// The arrival time of the request about to be processed, when the capture recorded it.
    pending: Option<u64>,
    /// Whether any arrival time was seen (then the clock is arrival times, not span ends).
    from_arrivals: bool,
}

impl ReplayClock {
    /// `Processor::arrival`: the next request's recorded arrival time.
    pub fn arrival(&mut self, received_unix_nano: u64) {
        self.pending = Some(received_unix_nano);
        self.from_arrivals = true;
    }

    /// Whether the clock runs on recorded arrival times.
    pub fn uses_arrivals(&self) -> bool {
        self.from_arrivals
    }

    /// The time `batch` arrives at; `now` is the clock so far (kept when arrival times are in
    /// use and this request has none).
    pub fn time_of(&mut self, batch: &Batch, now: u64) -> u64 {
        match self.pending.take() {
            Some(t) => t,
            None if self.from_arrivals => now,
            None => batch
                .resource_spans
                .iter()
                .flat_map(|rs| rs.scope_spans.iter())
                .flat_map(|ss| ss.spans.iter())
                .map(|s| s.end_time_unix_nano)
                .max()
                .unwrap_or(0),
        }
    }
}
