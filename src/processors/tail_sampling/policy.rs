//! Tail-sampling policies (contrib v0.156.0 `internal/sampling`), compiled from the decoded
//! settings and evaluated on one trace's buffered spans. Each evaluator follows its upstream
//! counterpart's iteration order, because several of them decide at the first span that
//! qualifies (`latency`'s running min/max is a prefix effect, `invert_match` vetoes at the first
//! match).

use super::limiter::TokenBucket;
use super::w3c_sdk;
use crate::capture::model::{AnyValue, Resource, ResourceSpans, Span};
use crate::config::node::{Node, NodeKind};
use crate::config::settings::tail_sampling::Policy as PolicyCfg;
use crate::ottl::runtime::{CompiledCondition, EvalItem};
use crate::processors::sampling::fnv::fnv1a_64;

/// A policy's verdict on one trace. (`InvertSampled`/`InvertNotSampled` exist upstream but no
/// v0.156.0 policy returns them, so they are not modelled.)
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Verdict {
    Sampled,
    NotSampled,
    Dropped,
    /// An evaluation error (`ottl_condition` with `error_mode: propagate`): the policy is left
    /// out of the final decision.
    Error,
}

/// The compiled conditions of one `ottl_condition` policy.
pub struct OttlCondition {
    pub span: Vec<CompiledCondition>,
    pub spanevent: Vec<CompiledCondition>,
    pub propagate: bool,
}

/// Where a policy's compiled OTTL comes from (planned with the config's sources).
pub type OttlLookup<'a> = dyn Fn(&PolicyCfg) -> Option<OttlCondition> + 'a;

/// What a policy sees: the spans buffered for one trace, in arrival order.
pub struct TraceView<'a> {
    pub id: [u8; 16],
    pub batches: &'a [ResourceSpans],
    pub span_count: i64,
    /// The replay clock at the decision, in Unix nanoseconds.
    pub now_ns: u64,
}

pub enum Evaluator {
    AlwaysSample,
    Latency {
        threshold_ms: i64,
        upper_ms: i64,
    },
    Numeric {
        key: String,
        min: i64,
        max: i64,
        invert: bool,
    },
    Probabilistic {
        salt: String,
        threshold: u64,
    },
    StatusCode(Vec<i64>),
    StringAttr {
        key: String,
        matcher: StringMatcher,
        invert: bool,
    },
    RateLimiting(TokenBucket),
    BytesLimiting(TokenBucket),
    SpanCount {
        min: i64,
        max: i64,
    },
    TraceState {
        key: String,
        values: Vec<String>,
    },
    BooleanAttr {
        key: String,
        value: bool,
        invert: bool,
    },
    TraceFlags,
    Ottl(OttlCondition),
    And(Vec<Evaluator>),
    Not(Box<Evaluator>),
    Drop(Vec<Evaluator>),
    Composite {
        max_total: i64,
        subs: Vec<CompositeSub>,
        current_second: i64,
    },
}

pub struct CompositeSub {
    evaluator: Evaluator,
    allocated: i64,
    used: i64,
}

pub enum StringMatcher {
    Exact(Vec<String>),
    Regex(Vec<regex::Regex>),
}

impl StringMatcher {
    fn matches(&self, v: &str) -> bool {
        match self {
            StringMatcher::Exact(set) => set.iter().any(|s| s == v),
            StringMatcher::Regex(list) => list.iter().any(|r| r.is_match(v)),
        }
    }
}

/// A policy this replay cannot run, and why (the whole processor is then not emulated).
#[derive(Debug, Clone, PartialEq)]
pub struct NotEmulated(pub String);

fn cfg<'a>(p: &'a PolicyCfg, key: &str) -> Option<&'a Node> {
    p.config.iter().find(|(k, _)| k == key).map(|(_, n)| n)
}

fn int(p: &PolicyCfg, key: &str) -> i64 {
    match cfg(p, key).map(|n| &n.kind) {
        Some(NodeKind::Int(i)) => *i,
        Some(NodeKind::Float(f)) => *f as i64,
        Some(NodeKind::Str(s)) => s.trim().parse().unwrap_or(0),
        _ => 0,
    }
}

fn float(p: &PolicyCfg, key: &str) -> f64 {
    match cfg(p, key).map(|n| &n.kind) {
        Some(NodeKind::Int(i)) => *i as f64,
        Some(NodeKind::Float(f)) => *f,
        Some(NodeKind::Str(s)) => s.trim().parse().unwrap_or(0.0),
        _ => 0.0,
    }
}

fn flag(p: &PolicyCfg, key: &str) -> bool {
    match cfg(p, key).map(|n| &n.kind) {
        Some(NodeKind::Bool(b)) => *b,
        Some(NodeKind::Str(s)) => s == "true",
        _ => false,
    }
}

fn text(p: &PolicyCfg, key: &str) -> String {
    cfg(p, key)
        .and_then(|n| match &n.kind {
            NodeKind::Str(s) => Some(s.clone()),
            NodeKind::Int(i) => Some(i.to_string()),
            NodeKind::Bool(b) => Some(b.to_string()),
            _ => None,
        })
        .unwrap_or_default()
}

fn texts(p: &PolicyCfg, key: &str) -> Vec<String> {
    cfg(p, key)
        .and_then(Node::as_seq)
        .unwrap_or_default()
        .iter()
        .filter_map(|n| match &n.kind {
            NodeKind::Str(s) => Some(s.clone()),
            NodeKind::Int(i) => Some(i.to_string()),
            NodeKind::Float(f) => Some(f.to_string()),
            NodeKind::Bool(b) => Some(b.to_string()),
            _ => None,
        })
        .collect()
}

/// `calculateThreshold`: (2^64 - 1) × ratio in a 64-bit-mantissa `big.Float` (rounded to
/// nearest even), truncated to an integer and saturated.
pub fn probabilistic_threshold(ratio: f64) -> u64 {
    if ratio.is_nan() || ratio <= 0.0 {
        return 0;
    }
    if ratio.is_infinite() {
        return u64::MAX;
    }
    let bits = ratio.to_bits();
    let biased = ((bits >> 52) & 0x7ff) as i64;
    let frac = bits & ((1u64 << 52) - 1);
    let (m, mut e) = if biased == 0 {
        (frac, -1074i64)
    } else {
        (frac | (1u64 << 52), biased - 1075)
    };
    let mut product = u128::from(u64::MAX) * u128::from(m);
    let width = 128 - i64::from(product.leading_zeros());
    if width > 64 {
        let shift = width - 64;
        let rem = product & ((1u128 << shift) - 1);
        let half = 1u128 << (shift - 1);
        product >>= shift;
        e += shift;
        if rem > half || (rem == half && product & 1 == 1) {
            product += 1;
            if product == 1u128 << 64 {
                product >>= 1;
                e += 1;
            }
        }
    }
    if e >= 0 {
        if e >= 64 || product.leading_zeros() < 64 + e as u32 {
            return u64::MAX;
        }
        u64::try_from(product << e).unwrap_or(u64::MAX)
    } else if -e >= 128 {
        0
    } else {
        u64::try_from(product >> (-e)).unwrap_or(u64::MAX)
    }
}

impl Evaluator {
    /// Build the evaluator of one (possibly nested) policy.
    pub fn compile(p: &PolicyCfg, ottl: &OttlLookup<'_>) -> Result<Evaluator, NotEmulated> {
        let no = |why: &str| {
            Err(NotEmulated(format!(
                "policy {:?} ({}): {why}",
                p.name, p.policy_type
            )))
        };
        Ok(match p.policy_type.as_str() {
            "always_sample" => Evaluator::AlwaysSample,
            "latency" => Evaluator::Latency {
                threshold_ms: int(p, "threshold_ms"),
                upper_ms: int(p, "upper_threshold_ms"),
            },
            "numeric_attribute" => {
                let (min, max) = (int(p, "min_value"), int(p, "max_value"));
                if min == 0 && max == 0 {
                    return no("min_value and max_value are both 0 (unset): the collector starts, then crashes at the first decision");
                }
                Evaluator::Numeric {
                    key: text(p, "key"),
                    min: if min == 0 { i64::MIN } else { min },
                    max: if max == 0 { i64::MAX } else { max },
                    invert: flag(p, "invert_match"),
                }
            }
            "probabilistic" => {
                let salt = text(p, "hash_salt");
                Evaluator::Probabilistic {
                    salt: if salt.is_empty() {
                        "default-hash-seed".to_owned()
                    } else {
                        salt
                    },
                    threshold: probabilistic_threshold(float(p, "sampling_percentage") / 100.0),
                }
            }
            "status_code" => {
                let mut codes = Vec::new();
                for c in texts(p, "status_codes") {
                    codes.push(match c.as_str() {
                        "OK" => 1,
                        "ERROR" => 2,
                        "UNSET" => 0,
                        _ => {
                            return no(&format!(
                                "unknown status code {c:?}: the collector refuses to start"
                            ))
                        }
                    });
                }
                if codes.is_empty() {
                    return no("no status codes: the collector refuses to start");
                }
                Evaluator::StatusCode(codes)
            }
            "string_attribute" => {
                let values = texts(p, "values");
                let matcher = if flag(p, "enabled_regex_matching") {
                    let mut list = Vec::new();
                    for v in &values {
                        match crate::ottl::runtime::re2::build(v) {
                            Ok(r) => list.push(r),
                            Err(_) => {
                                return no(&format!(
                                    "invalid regex `{v}`: the collector refuses to start"
                                ))
                            }
                        }
                    }
                    StringMatcher::Regex(list)
                } else {
                    StringMatcher::Exact(values.into_iter().filter(|v| !v.is_empty()).collect())
                };
                Evaluator::StringAttr {
                    key: text(p, "key"),
                    matcher,
                    invert: flag(p, "invert_match"),
                }
            }
            "rate_limiting" => {
                let rate = int(p, "spans_per_second");
                let burst = int(p, "burst_capacity");
                Evaluator::RateLimiting(TokenBucket::new(
                    rate as f64,
                    if burst > 0 {
                        burst
                    } else {
                        rate.saturating_mul(2)
                    },
                ))
            }
            "span_count" => Evaluator::SpanCount {
                // int32 settings upstream.
                min: i64::from(int(p, "min_spans") as i32),
                max: i64::from(int(p, "max_spans") as i32),
            },
            "trace_state" => {
                let key = text(p, "key");
                let values = texts(p, "values")
                    .into_iter()
                    .filter(|v| !v.is_empty() && key.len() + v.len() < 256)
                    .collect();
                Evaluator::TraceState { key, values }
            }
            "boolean_attribute" => Evaluator::BooleanAttr {
                key: text(p, "key"),
                value: flag(p, "value"),
                invert: flag(p, "invert_match"),
            },
            "trace_flags" => Evaluator::TraceFlags,
            "and" => Evaluator::And(compile_all(&p.subs, ottl)?),
            "drop" => Evaluator::Drop(compile_all(&p.subs, ottl)?),
            "not" => match p.subs.first() {
                Some(sub) => Evaluator::Not(Box::new(Evaluator::compile(sub, ottl)?)),
                None => return no("not_sub_policy is missing"),
            },
            "composite" => composite(p, ottl)?,
            "bytes_limiting" => {
                let rate = int(p, "bytes_per_second");
                let burst = int(p, "burst_capacity");
                Evaluator::BytesLimiting(TokenBucket::new(
                    rate as f64,
                    if burst > 0 {
                        burst
                    } else {
                        rate.saturating_mul(2)
                    },
                ))
            }
            "ottl_condition" => match ottl(p) {
                Some(c) => Evaluator::Ottl(c),
                None => {
                    return no(
                        "its OTTL conditions did not compile (the collector refuses to start)",
                    )
                }
            },
            other => return no(&format!("unknown policy type {other:?}")),
        })
    }

    /// `IsStateful`: the policies `span-ingest` refuses.
    pub fn is_stateful(&self) -> bool {
        match self {
            Evaluator::Latency { upper_ms, .. } => *upper_ms > 0,
            Evaluator::SpanCount { max, .. } => *max > 0,
            Evaluator::RateLimiting(_) | Evaluator::BytesLimiting(_) => true,
            Evaluator::And(subs) | Evaluator::Drop(subs) => subs.iter().any(Evaluator::is_stateful),
            Evaluator::Not(sub) => sub.is_stateful(),
            Evaluator::Composite { subs, .. } => subs.iter().any(|s| s.evaluator.is_stateful()),
            _ => false,
        }
    }

    /// Whether the policy sets `invert_match`: then its "not sampled" verdicts are inverted
    /// matches (v0.156.0 returns them as plain `NotSampled`, no longer `InvertNotSampled`).
    pub fn inverts(&self) -> bool {
        match self {
            Evaluator::Numeric { invert, .. }
            | Evaluator::StringAttr { invert, .. }
            | Evaluator::BooleanAttr { invert, .. } => *invert,
            _ => false,
        }
    }

    /// A probabilistic policy's share of traces (threshold / 2^64).
    pub fn sampling_probability(&self) -> Option<f64> {
        match self {
            Evaluator::Probabilistic { threshold, .. } => {
                Some(*threshold as f64 / 18_446_744_073_709_551_616.0)
            }
            _ => None,
        }
    }

    /// Evaluate on one trace. Stateful policies (rate limits, composite budgets) read the
    /// replay clock from `t.now_ns`.
    pub fn evaluate(&mut self, t: &TraceView<'_>) -> Verdict {
        use Verdict::*;
        match self {
            Evaluator::AlwaysSample => Sampled,
            Evaluator::Latency {
                threshold_ms,
                upper_ms,
            } => latency(t.batches, *threshold_ms, *upper_ms),
            Evaluator::Numeric {
                key,
                min,
                max,
                invert,
            } => {
                let hit = |v: Option<&AnyValue>| {
                    v.is_some_and(|v| {
                        let n = int_of(v);
                        n >= *min && n <= *max
                    })
                };
                attribute_condition(
                    t.batches,
                    *invert,
                    |r| hit(r.attributes.get(key)),
                    |s| hit(s.attributes.get(key)),
                )
            }
            Evaluator::Probabilistic { salt, threshold } => {
                if fnv1a_64(&[salt.as_bytes(), &t.id]) <= *threshold {
                    Sampled
                } else {
                    NotSampled
                }
            }
            Evaluator::StatusCode(codes) => any_span(t.batches, |s| codes.contains(&s.status.code)),
            Evaluator::StringAttr {
                key,
                matcher,
                invert,
            } => attribute_condition(
                t.batches,
                *invert,
                |r| {
                    r.attributes
                        .get(key)
                        .is_some_and(|v| matcher.matches(str_of(v)))
                },
                // Empty span values are never tested.
                |s| {
                    s.attributes
                        .get(key)
                        .map(str_of)
                        .is_some_and(|v| !v.is_empty() && matcher.matches(v))
                },
            ),
            Evaluator::RateLimiting(bucket) => {
                if bucket.allow_n(t.now_ns, t.span_count) {
                    Sampled
                } else {
                    NotSampled
                }
            }
            Evaluator::BytesLimiting(bucket) => {
                let size = super::proto_size::traces_size(t.batches) as i64;
                if bucket.allow_n(t.now_ns, size) {
                    Sampled
                } else {
                    NotSampled
                }
            }
            Evaluator::SpanCount { min, max } => {
                let n = t.span_count;
                if n >= *min && (*max == 0 || n <= *max) {
                    Sampled
                } else {
                    NotSampled
                }
            }
            Evaluator::TraceState { key, values } => any_span(t.batches, |s| {
                w3c_sdk::get(&s.trace_state, key).is_some_and(|v| values.contains(&v))
            }),
            Evaluator::BooleanAttr { key, value, invert } => attribute_condition(
                t.batches,
                *invert,
                |r| r.attributes.get(key).is_some_and(|v| bool_of(v) == *value),
                |s| s.attributes.get(key).is_some_and(|v| bool_of(v) == *value),
            ),
            Evaluator::TraceFlags => any_span(t.batches, |s| s.flags & 0x01 != 0),
            Evaluator::Ottl(c) => ottl_condition(c, t.batches),
            Evaluator::And(subs) => {
                for sub in subs.iter_mut() {
                    match sub.evaluate(t) {
                        Error => return Error,
                        NotSampled => return NotSampled,
                        _ => {}
                    }
                }
                Sampled
            }
            Evaluator::Drop(subs) => {
                for sub in subs.iter_mut() {
                    match sub.evaluate(t) {
                        Error => return Error,
                        NotSampled => return NotSampled,
                        _ => {}
                    }
                }
                Dropped
            }
            Evaluator::Not(sub) => match sub.evaluate(t) {
                Sampled => NotSampled,
                NotSampled => Sampled,
                other => other,
            },
            Evaluator::Composite {
                max_total,
                subs,
                current_second,
            } => {
                let second = (t.now_ns / 1_000_000_000) as i64;
                if *current_second != second {
                    *current_second = second;
                    for s in subs.iter_mut() {
                        s.used = 0;
                    }
                }
                for s in subs.iter_mut() {
                    let v = s.evaluator.evaluate(t);
                    if v == Error {
                        return Error;
                    }
                    if v == Sampled {
                        let would = s.used + t.span_count;
                        if would <= s.allocated && would <= *max_total {
                            s.used = would;
                            return Sampled;
                        }
                        return NotSampled;
                    }
                }
                NotSampled
            }
        }
    }
}

fn compile_all(subs: &[PolicyCfg], ottl: &OttlLookup<'_>) -> Result<Vec<Evaluator>, NotEmulated> {
    subs.iter().map(|p| Evaluator::compile(p, ottl)).collect()
}

fn composite(p: &PolicyCfg, ottl: &OttlLookup<'_>) -> Result<Evaluator, NotEmulated> {
    let max_total = int(p, "max_total_spans_per_second");
    let default = max_total as f64 / p.subs.len().max(1) as f64;
    // rate_allocation: [{policy, percent}]; a sub without an entry gets 0.
    let mut allocation: Vec<(String, f64)> = Vec::new();
    for entry in cfg(p, "rate_allocation")
        .and_then(Node::as_seq)
        .unwrap_or_default()
    {
        let name = entry.get("policy").and_then(Node::as_str).unwrap_or("");
        let percent = match entry.get("percent").map(|n| &n.kind) {
            Some(NodeKind::Int(i)) => *i,
            Some(NodeKind::Float(f)) => *f as i64,
            _ => 0,
        };
        let sps = if percent > 0 {
            percent as f64 / 100.0 * max_total as f64
        } else {
            default
        };
        match allocation.iter_mut().find(|(n, _)| n == name) {
            Some(slot) => slot.1 = sps,
            None => allocation.push((name.to_owned(), sps)),
        }
    }
    let mut subs = Vec::new();
    for sub in &p.subs {
        let allocated = allocation
            .iter()
            .find(|(n, _)| *n == sub.name)
            .map_or(0, |(_, v)| *v as i64);
        subs.push(CompositeSub {
            evaluator: Evaluator::compile(sub, ottl)?,
            allocated,
            used: 0,
        });
    }
    Ok(Evaluator::Composite {
        max_total,
        subs,
        current_second: 0,
    })
}

/// For each span in order: its span conditions (ORed), then each of its events against the
/// span-event conditions; Sampled at the first true. With `propagate` the first evaluation
/// error ends the policy with an error; otherwise an erroring condition counts as false.
fn ottl_condition(c: &OttlCondition, batches: &[ResourceSpans]) -> Verdict {
    // A condition sequence: first true wins; errors stop it only with propagate.
    let seq = |conds: &[CompiledCondition], item: &EvalItem<'_>| -> Result<bool, ()> {
        for cond in conds {
            match cond.eval(item) {
                Ok(true) => return Ok(true),
                Ok(false) => {}
                Err(_) if c.propagate => return Err(()),
                Err(_) => {}
            }
        }
        Ok(false)
    };
    for rs in batches {
        for ss in &rs.scope_spans {
            for span in &ss.spans {
                let item = EvalItem {
                    resource: &rs.resource,
                    scope: &ss.scope,
                    span: Some(span),
                    event: None,
                };
                if !c.span.is_empty() {
                    match seq(&c.span, &item) {
                        Err(()) => return Verdict::Error,
                        Ok(true) => return Verdict::Sampled,
                        Ok(false) => {}
                    }
                }
                if c.spanevent.is_empty() {
                    continue;
                }
                for (idx, event) in span.events.iter().enumerate() {
                    let item = EvalItem {
                        resource: &rs.resource,
                        scope: &ss.scope,
                        span: Some(span),
                        event: Some((event, idx)),
                    };
                    match seq(&c.spanevent, &item) {
                        Err(()) => return Verdict::Error,
                        Ok(true) => return Verdict::Sampled,
                        Ok(false) => {}
                    }
                }
            }
        }
    }
    Verdict::NotSampled
}

/// pdata `Value.Int()`: the int, or 0 for any other type.
fn int_of(v: &AnyValue) -> i64 {
    match v {
        AnyValue::Int(i) => *i,
        _ => 0,
    }
}

/// pdata `Value.Str()`: the string, or "" for any other type.
fn str_of(v: &AnyValue) -> &str {
    match v {
        AnyValue::Str(s) => s,
        _ => "",
    }
}

/// pdata `Value.Bool()`: the bool, or false for any other type.
fn bool_of(v: &AnyValue) -> bool {
    matches!(v, AnyValue::Bool(true))
}

fn spans(rs: &ResourceSpans) -> impl Iterator<Item = &Span> {
    rs.scope_spans.iter().flat_map(|ss| ss.spans.iter())
}

/// `hasSpanWithCondition`: Sampled at the first span for which `check` holds.
fn any_span(batches: &[ResourceSpans], mut check: impl FnMut(&Span) -> bool) -> Verdict {
    if batches.iter().flat_map(spans).any(&mut check) {
        Verdict::Sampled
    } else {
        Verdict::NotSampled
    }
}

/// `hasResourceOrSpanWithCondition` and its inverted form: per resource, the resource first,
/// then its spans. Inverted, the first match anywhere means NotSampled.
fn attribute_condition(
    batches: &[ResourceSpans],
    invert: bool,
    resource: impl Fn(&Resource) -> bool,
    span: impl Fn(&Span) -> bool,
) -> Verdict {
    for rs in batches {
        if resource(&rs.resource) || spans(rs).any(&span) {
            return if invert {
                Verdict::NotSampled
            } else {
                Verdict::Sampled
            };
        }
    }
    if invert {
        Verdict::Sampled
    } else {
        Verdict::NotSampled
    }
}

/// Running min(start)/max(end) in iteration order; decides at the first span after which the
/// whole-millisecond duration qualifies.
fn latency(batches: &[ResourceSpans], threshold_ms: i64, upper_ms: i64) -> Verdict {
    let (mut min, mut max) = (0u64, 0u64);
    any_span(batches, |s| {
        if min == 0 || s.start_time_unix_nano < min {
            min = s.start_time_unix_nano;
        }
        if max == 0 || s.end_time_unix_nano > max {
            max = s.end_time_unix_nano;
        }
        // Go: Duration (int64 ns) .Milliseconds() truncates toward zero.
        let d = (max as i64).wrapping_sub(min as i64) / 1_000_000;
        if upper_ms == 0 {
            d >= threshold_ms
        } else {
            threshold_ms < d && d <= upper_ms
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn probabilistic_threshold_of_processors_md() {
        assert_eq!(probabilistic_threshold(0.5), 0x7fff_ffff_ffff_ffff);
        // The policy divides the float64 percentage: 99.9 / 100 = 0.9990000000000001.
        assert_eq!(probabilistic_threshold(99.9 / 100.0), 0xffbe_76c8_b439_5fff);
        assert_eq!(probabilistic_threshold(0.999), 0xffbe_76c8_b439_57ff);
        assert_eq!(probabilistic_threshold(1.0), u64::MAX);
        assert_eq!(probabilistic_threshold(1.5), u64::MAX);
        assert_eq!(probabilistic_threshold(0.0), 0);
        let id: [u8; 16] = core::array::from_fn(|i| i as u8 + 1);
        assert_eq!(
            fnv1a_64(&[b"default-hash-seed", &id]),
            0xdbcf_64d5_420f_4cad
        );
    }
}
