//! `probabilistic_sampler` settings and `Config.Validate()`, which the collector runs for every
//! configured instance, used in a pipeline or not. Error texts are upstream's, including Go's
//! float formatting of the float32 percentage (`-15.300000%`, `+Inf%`, `1e-15%`).

use super::decode::Decoder;
use crate::config::node::Node;

/// `mode`: unset means `hash_seed`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SamplerMode {
    HashSeed,
    Proportional,
    Equalizing,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Settings {
    /// Go `float32`: the YAML number rounded to single precision.
    pub sampling_percentage: f32,
    pub hash_seed: u32,
    /// `None` when unset (behaves as `hash_seed`).
    pub mode: Option<SamplerMode>,
    /// Default true.
    pub fail_closed: bool,
    /// Default 4.
    pub sampling_precision: i64,
    /// Logs only: `traceID` (default) or `record`.
    pub attribute_source: String,
    pub from_attribute: String,
    pub sampling_priority: String,
}

impl Settings {
    pub fn effective_mode(&self) -> SamplerMode {
        self.mode.unwrap_or(SamplerMode::HashSeed)
    }
}

const KEYS: &[&str] = &[
    "sampling_percentage",
    "hash_seed",
    "mode",
    "fail_closed",
    "sampling_precision",
    "attribute_source",
    "from_attribute",
    "sampling_priority",
];

/// 2^-56, `sampling.MinSamplingProbability`.
const MIN_PROBABILITY: f64 = 1.0 / 72_057_594_037_927_936.0;

pub fn decode(d: &mut Decoder, node: &Node) -> Option<Settings> {
    let f = d.fields(node, "", KEYS)?;
    let mut s = Settings {
        sampling_percentage: 0.0,
        hash_seed: 0,
        mode: None,
        fail_closed: true,
        sampling_precision: 4,
        attribute_source: "traceID".to_owned(),
        from_attribute: String::new(),
        sampling_priority: String::new(),
    };
    if let Some(n) = f.get("sampling_percentage") {
        s.sampling_percentage = d.float(n, "sampling_percentage").unwrap_or(0.0) as f32;
    }
    if let Some(n) = f.get("hash_seed") {
        s.hash_seed = d
            .uint(n, "hash_seed", u64::from(u32::MAX))
            .and_then(|v| u32::try_from(v).ok())
            .unwrap_or(0);
    }
    if let Some(n) = f.get("mode") {
        s.mode = decode_mode(d, n);
    }
    if let Some(n) = f.get("fail_closed") {
        s.fail_closed = d.boolean(n, "fail_closed").unwrap_or(true);
    }
    if let Some(n) = f.get("sampling_precision") {
        s.sampling_precision = d.int(n, "sampling_precision").unwrap_or(4);
    }
    for (key, slot) in [
        ("attribute_source", &mut s.attribute_source),
        ("from_attribute", &mut s.from_attribute),
        ("sampling_priority", &mut s.sampling_priority),
    ] {
        if let Some(v) = f.get(key).and_then(|n| d.string(n, key)) {
            *slot = v;
        }
    }
    if d.failed_since(0) {
        return None;
    }
    validate(d, &s, node);
    (!d.failed_since(0)).then_some(s)
}

fn decode_mode(d: &mut Decoder, n: &Node) -> Option<SamplerMode> {
    let text = d.string(n, "mode")?;
    match text.as_str() {
        "" => None,
        "hash_seed" => Some(SamplerMode::HashSeed),
        "proportional" => Some(SamplerMode::Proportional),
        "equalizing" => Some(SamplerMode::Equalizing),
        _ => {
            d.error(
                &n.loc,
                format!("'mode' unsupported sampler mode {text:?}"),
                "use hash_seed, proportional or equalizing (case-sensitive)",
            );
            None
        }
    }
}

/// `Config.Validate()`, first error only, as upstream.
fn validate(d: &mut Decoder, s: &Settings, node: &Node) {
    let loc_of = |key: &str| {
        node.get(key)
            .map(|n| n.loc.clone())
            .unwrap_or_else(|| node.loc.clone())
    };
    let pct = f64::from(s.sampling_percentage);
    let ratio = pct / 100.0;
    let problem = if pct.is_infinite() || pct.is_nan() {
        Some((
            format!("sampling rate is invalid: {}%", go_f(s.sampling_percentage)),
            "sampling_percentage",
        ))
    } else if ratio < 0.0 {
        Some((
            format!(
                "sampling rate is negative: {}%",
                go_f(s.sampling_percentage)
            ),
            "sampling_percentage",
        ))
    } else if ratio > 0.0 && ratio < MIN_PROBABILITY {
        Some((
            format!(
                "sampling rate is too small: {}%",
                go_g(s.sampling_percentage)
            ),
            "sampling_percentage",
        ))
    } else if !s.attribute_source.is_empty()
        && s.attribute_source != "traceID"
        && s.attribute_source != "record"
    {
        Some((
            format!(
                "invalid attribute source: {}. Expected: traceID or record",
                s.attribute_source
            ),
            "attribute_source",
        ))
    } else if s.sampling_precision == 0 {
        Some((
            "invalid sampling precision: 0".to_owned(),
            "sampling_precision",
        ))
    } else if s.sampling_precision > 14 {
        Some((
            format!(
                "sampling precision is too great, should be <= 14: {}",
                s.sampling_precision
            ),
            "sampling_precision",
        ))
    } else {
        None
    };
    if let Some((msg, key)) = problem {
        let help = match key {
            "sampling_percentage" => {
                "use a percentage from 0 to 100 (values above 100 sample everything)"
            }
            "sampling_precision" => "use a precision from 1 to 14 hex digits (default 4)",
            _ => "use traceID or record",
        };
        d.error(&loc_of(key), msg, help);
    }
}

/// Go `%f` of a float32: six decimals, `+Inf`/`-Inf`/`NaN`.
pub fn go_f(v: f32) -> String {
    if v.is_nan() {
        "NaN".to_owned()
    } else if v.is_infinite() {
        if v > 0.0 { "+Inf" } else { "-Inf" }.to_owned()
    } else {
        format!("{v:.6}")
    }
}

/// Go `%g` of a float32: shortest digits; exponent form when the exponent is < -4 or >= 6
/// (strconv's rule for the shortest `%g`).
pub fn go_g(v: f32) -> String {
    if !v.is_finite() {
        return go_f(v);
    }
    let sci = format!("{v:e}"); // e.g. "1e-15", "1.5e2"
    let (mantissa, exp) = sci.split_once('e').unwrap_or((sci.as_str(), "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    if (-4..6).contains(&exp) {
        format!("{v}")
    } else {
        let sign = if exp < 0 { '-' } else { '+' };
        format!("{mantissa}e{sign}{:02}", exp.abs())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_float_formatting() {
        assert_eq!(go_f(-15.3), "-15.300000");
        assert_eq!(go_f(f32::INFINITY), "+Inf");
        assert_eq!(go_g(1e-15), "1e-15");
        assert_eq!(go_g(0.5), "0.5");
        assert_eq!(go_g(1234567.0), "1.234567e+06");
    }
}
