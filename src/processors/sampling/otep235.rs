//! OTEP 235 consistent-probability sampling numbers, as `pkg/sampling` (v0.156.0) computes
//! them: a 56-bit *threshold* T and 56-bit *randomness* R; an item is sampled iff T ≤ R.

/// 2^56: one more than the largest randomness value; also the "never sample" threshold.
pub const MAX_ADJUSTED_COUNT: u64 = 1 << 56;
/// `MinSamplingProbability`: 2^-56.
pub const MIN_PROBABILITY: f64 = 1.0 / MAX_ADJUSTED_COUNT as f64;
/// Hex digits of a full threshold or randomness value.
pub const NUM_HEX_DIGITS: i64 = 14;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Threshold(pub u64);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Randomness(pub u64);

impl Threshold {
    pub const ALWAYS: Threshold = Threshold(0);
    pub const NEVER: Threshold = Threshold(MAX_ADJUSTED_COUNT);

    pub fn should_sample(self, rnd: Randomness) -> bool {
        self.0 <= rnd.0
    }

    /// `(2^56 - T) / 2^56`, in float64 as upstream.
    pub fn probability(self) -> f64 {
        (MAX_ADJUSTED_COUNT - self.0) as f64 / MAX_ADJUSTED_COUNT as f64
    }

    /// The `th` text: 14 hex digits with trailing zeros removed, `0` for always, empty for
    /// never (upstream writes no `th` then).
    pub fn tvalue(self) -> String {
        match self {
            Threshold::ALWAYS => "0".to_owned(),
            Threshold::NEVER => String::new(),
            Threshold(t) => Randomness(t).rvalue().trim_end_matches('0').to_owned(),
        }
    }

    /// `TValueToThreshold`: 1 to 14 hex digits, extended with zeros on the right.
    pub fn parse(text: &str) -> Option<Threshold> {
        let len = i64::try_from(text.len()).ok()?;
        if text.is_empty() || len > NUM_HEX_DIGITS {
            return None;
        }
        let v = parse_hex_u64(text)?;
        Some(Threshold(v << (4 * (NUM_HEX_DIGITS - len))))
    }
}

impl Randomness {
    /// `AllProbabilitiesRandomness`: what a missing randomness reads as (2^56 - 1).
    pub const ALL: Randomness = Randomness(MAX_ADJUSTED_COUNT - 1);

    /// The `rv` text: exactly 14 lower-case hex digits.
    pub fn rvalue(self) -> String {
        if self.0 >= MAX_ADJUSTED_COUNT {
            return String::new();
        }
        format!("{:014x}", self.0)
    }

    /// `RValueToRandomness`: exactly 14 hex digits.
    pub fn parse(text: &str) -> Option<Randomness> {
        if text.len() != 14 {
            return None;
        }
        parse_hex_u64(text).map(Randomness)
    }

    /// `TraceIDToRandomness`: the low 56 bits of the trace id's last 8 bytes, big-endian.
    pub fn of_trace_id(id: &[u8; 16]) -> Randomness {
        let mut low = [0u8; 8];
        low.copy_from_slice(&id[8..]);
        Randomness(u64::from_be_bytes(low) & (MAX_ADJUSTED_COUNT - 1))
    }
}

/// Go `strconv.ParseUint(s, 16, 64)`: hex digits only (no sign, no prefix, no underscores).
fn parse_hex_u64(text: &str) -> Option<u64> {
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    u64::from_str_radix(text, 16).ok()
}

/// Go `math.Frexp`'s exponent for a finite positive or zero `f` (mantissa in [0.5, 1)).
fn frexp_exponent(f: f64) -> i64 {
    if f == 0.0 || !f.is_finite() {
        return 0;
    }
    let bits = f.to_bits();
    let biased = ((bits >> 52) & 0x7ff) as i64;
    if biased == 0 {
        // Subnormal: normalise first, as Go does.
        return frexp_exponent(f * (1u64 << 52) as f64) - 52;
    }
    biased - 1022
}

/// `ProbabilityToThresholdWithPrecision`. `None` is `ErrProbabilityRange` (outside
/// [2^-56, 1]). Precision 0 means 14; the precision grows for probabilities near 0 or 1 so
/// the rounded threshold still means something.
pub fn probability_to_threshold(fraction: f64, precision: i64) -> Option<Threshold> {
    let precision = if precision == 0 {
        NUM_HEX_DIGITS
    } else {
        precision
    };
    if !(MIN_PROBABILITY..=1.0).contains(&fraction) {
        return None;
    }
    if fraction == 1.0 {
        return Some(Threshold::ALWAYS);
    }
    let exp_f = frexp_exponent(fraction);
    let exp_r = frexp_exponent(1.0 - fraction);
    // Go's integer division truncates toward zero, as Rust's does.
    let precision = NUM_HEX_DIGITS.min((precision + exp_f / -4).max(precision + exp_r / -4));
    let scaled = (fraction * MAX_ADJUSTED_COUNT as f64).round() as u64;
    let mut threshold = MAX_ADJUSTED_COUNT - scaled;
    let shift = 4 * (NUM_HEX_DIGITS - precision);
    if shift != 0 {
        let half = 1u64 << (shift - 1);
        threshold = ((threshold + half) >> shift) << shift;
    }
    Some(Threshold(threshold))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn th(p: f64, prec: i64) -> String {
        probability_to_threshold(p, prec).unwrap().tvalue()
    }

    #[test]
    fn thresholds_of_processors_md_5_4() {
        assert_eq!(th(0.5, 4), "8");
        // 33.3 % as the float32 the config holds.
        let p333 = f64::from(33.3f32) / 100.0;
        assert_eq!(th(p333, 2), "ab");
        assert_eq!(th(p333, 1), "b");
        assert_eq!(th(1.0, 4), "0");
        assert!(probability_to_threshold(MIN_PROBABILITY / 2.0, 4).is_none());
        assert!(probability_to_threshold(1.5, 4).is_none());
    }

    #[test]
    fn tvalue_and_rvalue_text() {
        assert_eq!(Threshold::parse("fd70").unwrap().tvalue(), "fd7");
        assert_eq!(Threshold::parse("8").unwrap().0, 8 << 52);
        assert!(Threshold::parse("").is_none());
        assert!(Threshold::parse("zz").is_none());
        assert!(Threshold::parse("123456789012345").is_none());
        assert_eq!(Threshold::NEVER.tvalue(), "");
        assert_eq!(Randomness::ALL.rvalue(), "ffffffffffffff");
        assert!(Randomness::parse("12345").is_none());
        assert!(Randomness::parse("+2345678901234").is_none());
        let id: [u8; 16] = core::array::from_fn(|i| i as u8 + 1);
        assert_eq!(Randomness::of_trace_id(&id).0, 0x000a_0b0c_0d0e_0f10);
    }

    #[test]
    fn frexp_matches_go() {
        assert_eq!(frexp_exponent(0.5), 0);
        assert_eq!(frexp_exponent(1.0), 1);
        assert_eq!(frexp_exponent(0.25), -1);
        assert_eq!(frexp_exponent(MIN_PROBABILITY), -55);
    }
}
