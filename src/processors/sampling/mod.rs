//! What both samplers share with upstream's `pkg/sampling` (OTEP 235): 56-bit thresholds and
//! randomness, probability-to-threshold rounding, the W3C `tracestate` and its `ot` member,
//! and the FNV hashes the hash-based decisions use.

pub mod fnv;
pub mod go_float;
pub mod otep235;
pub mod tracestate;

/// How far `kept` of `n` independent trials lies from the expected share `p`, in standard
/// deviations; `None` when there is too little to judge (fewer than 30 trials, or p at 0/1).
pub fn binomial_z(n: u64, kept: u64, p: f64) -> Option<f64> {
    if n < 30 || p <= 0.0 || p >= 1.0 {
        return None;
    }
    let n = n as f64;
    let sd = (n * p * (1.0 - p)).sqrt();
    Some((kept as f64 - n * p) / sd)
}

/// Beyond this many standard deviations a skew is reported (about 6 in 100,000 by chance).
pub const SKEW_SIGMAS: f64 = 4.0;

#[cfg(test)]
mod tests {
    use super::binomial_z;

    #[test]
    fn binomial_distance() {
        assert_eq!(binomial_z(29, 0, 0.5), None);
        assert_eq!(binomial_z(100, 50, 0.5), Some(0.0));
        assert_eq!(binomial_z(100, 70, 0.5), Some(4.0));
        assert_eq!(binomial_z(100, 0, 1.0), None);
    }
}
