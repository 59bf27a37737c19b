//! One span's sampling decision, as `commonShouldSampleLogic` (v0.156.0) takes it: find the
//! randomness and the tracestate carrier (per mode), check their consistency, pick a threshold
//! (the mode's, or `fail_closed`'s on error), let `sampling.priority` override it, sample iff
//! T ≤ R, and on a sampled span with a carrier write the threshold into `tracestate`.

use crate::capture::model::{AnyValue, Span};
use crate::processors::sampling::fnv::fnv1a_32;
use crate::processors::sampling::go_float::{parse_sign, Sign};
use crate::processors::sampling::otep235::{
    probability_to_threshold, Randomness, Threshold, MIN_PROBABILITY,
};
use crate::processors::sampling::tracestate::{TraceStateError, W3cTraceState};

/// Hash buckets of `hash_seed` mode (14 bits).
const NUM_BUCKETS: u32 = 0x4000;
/// `percentageScaleFactor`, which Go applies to the float32 percentage in float32.
const SCALE_FACTOR: f32 = 163.84;

/// The configured sampler (`makeSampler`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Sampler {
    /// 0 %, or a hash_seed percentage that scales to no bucket.
    Never,
    Hashing {
        seed: u32,
        threshold: Threshold,
    },
    Equalizing {
        threshold: Threshold,
    },
    Proportional {
        ratio: f64,
        precision: i64,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    HashSeed,
    Proportional,
    Equalizing,
}

impl Sampler {
    pub fn new(mode: Mode, pct: f32, seed: u32, precision: i64) -> Sampler {
        let pct = if pct > 100.0 { 100.0 } else { pct };
        if pct == 0.0 {
            return Sampler::Never;
        }
        let ratio = (f64::from(pct) / 100.0).max(MIN_PROBABILITY);
        match mode {
            Mode::Equalizing => Sampler::Equalizing {
                threshold: probability_to_threshold(ratio, precision).unwrap_or(Threshold::ALWAYS),
            },
            Mode::Proportional => Sampler::Proportional { ratio, precision },
            Mode::HashSeed => {
                // Go: uint32(pct * percentageScaleFactor), the product rounded to float32.
                let scaled = (pct * SCALE_FACTOR) as u32;
                if scaled == 0 {
                    return Sampler::Never;
                }
                Sampler::Hashing {
                    seed,
                    threshold: Threshold(u64::from(NUM_BUCKETS - scaled) << 42),
                }
            }
        }
    }
}

impl Sampler {
    /// The probability the configured percentage samples with (`None` for the never-sampler).
    pub fn probability(&self) -> Option<f64> {
        match self {
            Sampler::Never => None,
            Sampler::Hashing { threshold, .. } | Sampler::Equalizing { threshold } => {
                Some(threshold.probability())
            }
            Sampler::Proportional { ratio, precision } => {
                probability_to_threshold(*ratio, *precision).map(Threshold::probability)
            }
        }
    }
}

/// `randomnessFromBytes`: the 32-bit FNV-1a hash of (seed LE ‖ trace id) mapped to 56 bits so
/// that T ≤ R exactly when the 14-bit bucket is below the scaled rate.
pub fn hash_randomness(trace_id: &[u8; 16], seed: u32) -> Randomness {
    let h = fnv1a_32(&[&seed.to_le_bytes(), trace_id]);
    let bucket = u64::from(h & (NUM_BUCKETS - 1));
    let reversed = u64::from(NUM_BUCKETS - 1) - bucket;
    let unused = u64::from(h >> 18);
    let mixed = unused ^ (unused << 10);
    Randomness((reversed << 42) | (mixed << 14) | bucket)
}

/// Why a span's randomness or tracestate could not be used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Problem {
    TraceState(TraceStateError),
    MissingRandomness,
    RandomnessInUse,
    ThresholdInUse,
    InconsistentThreshold,
}

impl Problem {
    pub fn describe(self) -> &'static str {
        match self {
            Problem::TraceState(e) => e.describe(),
            Problem::MissingRandomness => "missing randomness (all-zero trace id)",
            Problem::RandomnessInUse => {
                "item has sampling randomness, equalizing or proportional mode recommended"
            }
            Problem::ThresholdInUse => {
                "item has sampling threshold, equalizing or proportional mode recommended"
            }
            Problem::InconsistentThreshold => {
                "inconsistent arriving threshold: item should not have been sampled"
            }
        }
    }
}

/// What decided a span's fate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DecidedBy {
    /// The configured percentage (threshold against randomness).
    Percentage,
    /// `fail_closed` after a problem.
    Failure(Problem),
    /// The `sampling.priority` span attribute.
    Priority,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Decision {
    pub sampled: bool,
    pub by: DecidedBy,
    /// The tracestate upstream writes back onto a sampled span (it may equal the old one).
    pub trace_state: Option<String>,
}

/// `sampling.priority` read from span attributes (never the resource): 0 forces a drop,
/// a positive number forces a keep, anything else defers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Priority {
    Defer,
    Keep,
    Drop,
}

fn priority(span: &Span) -> Priority {
    let sign = match span.attributes.get("sampling.priority") {
        Some(AnyValue::Int(v)) => Some(match v.signum() {
            0 => Sign::Zero,
            1 => Sign::Positive,
            _ => Sign::Negative,
        }),
        Some(AnyValue::Double(v)) if v.is_nan() => None,
        Some(AnyValue::Double(v)) => Some(if *v == 0.0 {
            Sign::Zero
        } else if *v > 0.0 {
            Sign::Positive
        } else {
            Sign::Negative
        }),
        Some(AnyValue::Str(s)) => parse_sign(s),
        _ => None,
    };
    match sign {
        Some(Sign::Zero) => Priority::Drop,
        Some(Sign::Positive) => Priority::Keep,
        _ => Priority::Defer,
    }
}

/// The randomness a sampler found: `None` is upstream's missing-randomness method (which
/// reads as 2^56-1 when a priority forces the span through).
struct Found {
    rnd: Option<Randomness>,
    carrier: Option<W3cTraceState>,
    problem: Option<Problem>,
}

fn randomness_from_span(sampler: &Sampler, span: &Span) -> Found {
    let (state, parse_err) = W3cTraceState::parse(&span.trace_state);
    let tid_empty = span.trace_id == [0; 16];
    match sampler {
        Sampler::Never => Found {
            // The never-sampler keeps the carrier even after a parse error, and is never
            // "missing" randomness.
            rnd: Some(Randomness::ALL),
            carrier: Some(state),
            problem: parse_err.map(Problem::TraceState),
        },
        Sampler::Hashing { seed, .. } => {
            let rnd = (!tid_empty).then(|| hash_randomness(&span.trace_id, *seed));
            if let Some(e) = parse_err {
                return Found {
                    rnd,
                    carrier: None,
                    problem: Some(Problem::TraceState(e)),
                };
            }
            let problem = if state.ot.randomness().is_some() {
                Some(Problem::RandomnessInUse)
            } else if state.ot.threshold().is_some() {
                Some(Problem::ThresholdInUse)
            } else {
                None
            };
            if problem.is_some() {
                return Found {
                    rnd,
                    carrier: None,
                    problem,
                };
            }
            let mut state = state;
            state.ot.set_randomness(rnd.unwrap_or(Randomness::ALL));
            Found {
                rnd,
                carrier: Some(state),
                problem: None,
            }
        }
        Sampler::Equalizing { .. } | Sampler::Proportional { .. } => {
            if let Some(e) = parse_err {
                return Found {
                    rnd: None,
                    carrier: None,
                    problem: Some(Problem::TraceState(e)),
                };
            }
            let rnd = state
                .ot
                .randomness()
                .or_else(|| (!tid_empty).then(|| Randomness::of_trace_id(&span.trace_id)));
            Found {
                rnd,
                carrier: Some(state),
                problem: None,
            }
        }
    }
}

fn mode_threshold(sampler: &Sampler, carrier: Option<&W3cTraceState>) -> Threshold {
    let incoming = carrier.and_then(|c| c.ot.threshold());
    match sampler {
        Sampler::Never => Threshold::NEVER,
        Sampler::Hashing { threshold, .. } => *threshold,
        Sampler::Equalizing { threshold } => match incoming {
            Some(t) if *threshold < t => t,
            _ => *threshold,
        },
        Sampler::Proportional { ratio, precision } => {
            let p = incoming.map_or(1.0, Threshold::probability);
            probability_to_threshold(p * ratio, *precision).unwrap_or(Threshold::NEVER)
        }
    }
}

/// Decide one span. Pure: the caller applies the tracestate.
pub fn decide(sampler: &Sampler, fail_closed: bool, span: &Span) -> Decision {
    let Found {
        rnd,
        mut carrier,
        mut problem,
    } = randomness_from_span(sampler, span);
    if problem.is_none() {
        // consistencyCheck
        match rnd {
            None => problem = Some(Problem::MissingRandomness),
            Some(r) => {
                if let Some(c) = carrier.as_mut() {
                    if c.ot.threshold().is_some_and(|t| !t.should_sample(r)) {
                        c.ot.clear_threshold();
                        problem = Some(Problem::InconsistentThreshold);
                    }
                }
            }
        }
    }
    let (mut threshold, mut by) = match problem {
        Some(p) if fail_closed => (Threshold::NEVER, DecidedBy::Failure(p)),
        Some(p) => (Threshold::ALWAYS, DecidedBy::Failure(p)),
        None => (
            mode_threshold(sampler, carrier.as_ref()),
            DecidedBy::Percentage,
        ),
    };
    match priority(span) {
        Priority::Drop => (threshold, by) = (Threshold::NEVER, DecidedBy::Priority),
        Priority::Keep => (threshold, by) = (Threshold::ALWAYS, DecidedBy::Priority),
        Priority::Defer => {}
    }
    let sampled = threshold.should_sample(rnd.unwrap_or(Randomness::ALL));
    let trace_state = match carrier {
        Some(mut c) if sampled => {
            // A refused update (it would raise the probability) is only logged upstream.
            let _ = c.ot.update_threshold(threshold);
            Some(c.serialize())
        }
        _ => None,
    };
    Decision {
        sampled,
        by,
        trace_state,
    }
}
