//! `golang.org/x/time/rate`'s token bucket as `AllowN` uses it: it starts full, refills at
//! `rate` tokens per second up to `burst`, and an event of n tokens passes only if n ≤ burst
//! and the tokens are there now. Time is the replay clock, in nanoseconds.

pub struct TokenBucket {
    rate: f64,
    burst: i64,
    tokens: f64,
    last_ns: Option<u64>,
}

impl TokenBucket {
    pub fn new(rate: f64, burst: i64) -> Self {
        Self {
            rate,
            burst,
            tokens: 0.0,
            last_ns: None,
        }
    }

    pub fn allow_n(&mut self, now_ns: u64, n: i64) -> bool {
        if self.rate == 0.0 {
            // A zero limit spends the burst once and never refills.
            if self.burst >= n {
                self.burst -= n;
                return true;
            }
            return false;
        }
        // The zero `last` of a new limiter makes the first refill fill the bucket.
        let tokens = match self.last_ns {
            None => self.burst as f64,
            Some(last) => {
                let elapsed = now_ns.saturating_sub(last) as f64 / 1e9;
                (self.tokens + elapsed * self.rate).min(self.burst as f64)
            }
        };
        let left = tokens - n as f64;
        // Go turns the shortfall into a whole-nanosecond wait; a wait of 0 ns still passes.
        let wait_ns = if left < 0.0 {
            (-left / self.rate * 1e9) as i64
        } else {
            0
        };
        let ok = n <= self.burst && wait_ns <= 0;
        if ok {
            self.last_ns = Some(self.last_ns.map_or(now_ns, |l| l.max(now_ns)));
            self.tokens = left;
        }
        ok
    }
}

#[cfg(test)]
mod tests {
    use super::TokenBucket;

    #[test]
    fn processors_md_table_d_rate_rows() {
        // spans_per_second 2 (burst 4): 10 single-span traces at one instant keep 4.
        let mut b = TokenBucket::new(2.0, 4);
        assert_eq!((0..10).filter(|_| b.allow_n(5, 1)).count(), 4);
        assert!(!TokenBucket::new(2.0, 4).allow_n(5, 7), "bigger than burst");
        let mut b = TokenBucket::new(5.0, 6);
        assert_eq!((0..10).filter(|_| b.allow_n(5, 1)).count(), 6);
        // One second later, 5 more tokens.
        assert_eq!((0..10).filter(|_| b.allow_n(1_000_000_005, 1)).count(), 5);
    }
}
