//! `tail_sampling` settings. Unmarshal rejects unknown top-level keys (`num_shards` does not
//! exist in v0.156.0) and `Validate()` checks `sampling_strategy` and `tail_storage`; everything
//! about policies (unknown type, empty or duplicate names, status codes, regexes, empty OTTL) is
//! only found when the collector *starts*, so those are warnings here. Unknown keys inside a
//! policy are accepted when their value is a map (upstream keeps them as extension config).

use super::decode::{Decoder, Fields};
use super::{decode_error_mode, ErrorMode, OttlSource};
use crate::config::node::{Node, NodeKind};
use crate::diag::Location;

#[derive(Debug, Clone)]
pub struct Settings {
    /// Go duration text (default `30s`).
    pub decision_wait: String,
    pub decision_wait_after_root_received: String,
    pub num_traces: u64,
    pub block_on_overflow: bool,
    pub expected_new_traces_per_sec: u64,
    pub policies: Vec<Policy>,
    pub sampled_cache_size: i64,
    pub non_sampled_cache_size: i64,
    pub tail_storage: Option<String>,
    pub sample_on_first_match: bool,
    /// `trace-complete` (default) or `span-ingest`.
    pub sampling_strategy: String,
    pub drop_pending_traces_on_shutdown: bool,
    pub maximum_trace_size_bytes: u64,
}

/// One policy; the sub-configs of every type are decoded, whichever `type` says.
#[derive(Debug, Clone)]
pub struct Policy {
    pub name: String,
    pub policy_type: String,
    pub loc: Location,
    /// The type's own block (`latency: {...}`), decoded loosely: keys and scalar values.
    pub config: Vec<(String, Node)>,
    pub subs: Vec<Policy>,
    pub ottl_error_mode: Option<ErrorMode>,
    pub ottl_span: Vec<OttlSource>,
    pub ottl_spanevent: Vec<OttlSource>,
}

const KEYS: &[&str] = &[
    "decision_wait",
    "decision_wait_after_root_received",
    "num_traces",
    "block_on_overflow",
    "expected_new_traces_per_sec",
    "policies",
    "decision_cache",
    "tail_storage",
    "sample_on_first_match",
    "sampling_strategy",
    "drop_pending_traces_on_shutdown",
    "maximum_trace_size_bytes",
];
const LEAF_TYPES: &[&str] = &[
    "always_sample",
    "latency",
    "numeric_attribute",
    "probabilistic",
    "status_code",
    "string_attribute",
    "rate_limiting",
    "span_count",
    "trace_state",
    "boolean_attribute",
    "ottl_condition",
    "bytes_limiting",
    "trace_flags",
];
const SUB_KEYS: &[(&str, &[&str])] = &[
    ("latency", &["threshold_ms", "upper_threshold_ms"]),
    (
        "numeric_attribute",
        &["key", "min_value", "max_value", "invert_match"],
    ),
    ("probabilistic", &["hash_salt", "sampling_percentage"]),
    ("status_code", &["status_codes"]),
    (
        "string_attribute",
        &[
            "key",
            "values",
            "enabled_regex_matching",
            "cache_max_size",
            "invert_match",
        ],
    ),
    ("rate_limiting", &["spans_per_second", "burst_capacity"]),
    ("bytes_limiting", &["bytes_per_second", "burst_capacity"]),
    ("span_count", &["min_spans", "max_spans"]),
    ("trace_state", &["key", "values"]),
    ("boolean_attribute", &["key", "value", "invert_match"]),
    ("ottl_condition", &["error_mode", "span", "spanevent"]),
    (
        "composite",
        &[
            "max_total_spans_per_second",
            "policy_order",
            "composite_sub_policy",
            "rate_allocation",
        ],
    ),
    ("and", &["and_sub_policy"]),
    ("not", &["not_sub_policy"]),
    ("drop", &["drop_sub_policy"]),
];

/// Which level a policy sits at decides which nested types it may have.
#[derive(Clone, Copy, PartialEq)]
enum Level {
    Top,
    CompositeSub,
    AndSub,
    NotSub,
}

pub fn decode(d: &mut Decoder, node: &Node) -> Option<Settings> {
    let f = d.fields(node, "", KEYS)?;
    let text = |d: &mut Decoder, k: &str, dflt: &str| {
        f.get(k)
            .and_then(|n| d.string(n, k))
            .unwrap_or_else(|| dflt.to_owned())
    };
    let uint = |d: &mut Decoder, k: &str, dflt: u64| {
        f.get(k)
            .and_then(|n| d.uint(n, k, u64::MAX))
            .unwrap_or(dflt)
    };
    let flag = |d: &mut Decoder, k: &str| f.get(k).and_then(|n| d.boolean(n, k)).unwrap_or(false);
    let mut s = Settings {
        decision_wait: text(d, "decision_wait", "30s"),
        decision_wait_after_root_received: text(d, "decision_wait_after_root_received", "0s"),
        num_traces: uint(d, "num_traces", 50_000),
        block_on_overflow: flag(d, "block_on_overflow"),
        expected_new_traces_per_sec: uint(d, "expected_new_traces_per_sec", 0),
        policies: Vec::new(),
        sampled_cache_size: 0,
        non_sampled_cache_size: 0,
        tail_storage: f
            .get("tail_storage")
            .and_then(|n| d.string(n, "tail_storage")),
        sample_on_first_match: flag(d, "sample_on_first_match"),
        sampling_strategy: text(d, "sampling_strategy", "trace-complete"),
        drop_pending_traces_on_shutdown: flag(d, "drop_pending_traces_on_shutdown"),
        maximum_trace_size_bytes: uint(d, "maximum_trace_size_bytes", 0),
    };
    if let Some(g) = f.get("decision_cache").and_then(|n| {
        d.fields(
            n,
            "decision_cache",
            &["sampled_cache_size", "non_sampled_cache_size"],
        )
    }) {
        s.sampled_cache_size = g
            .get("sampled_cache_size")
            .and_then(|n| d.int(n, "decision_cache.sampled_cache_size"))
            .unwrap_or(0);
        s.non_sampled_cache_size = g
            .get("non_sampled_cache_size")
            .and_then(|n| d.int(n, "decision_cache.non_sampled_cache_size"))
            .unwrap_or(0);
    }
    if let Some(n) = f.get("policies") {
        s.policies = policy_list(d, n, "policies", Level::Top);
    }
    if d.failed_since(0) {
        return None;
    }
    validate(d, &s, &f);
    if d.failed_since(0) {
        return None;
    }
    start_checks(d, &s.policies);
    Some(s)
}

fn policy_list(d: &mut Decoder, node: &Node, path: &str, level: Level) -> Vec<Policy> {
    let items = d.seq(node, path).unwrap_or_default();
    items
        .iter()
        .enumerate()
        .filter_map(|(i, item)| policy(d, item, &format!("{path}[{i}]"), level))
        .collect()
}

fn policy(d: &mut Decoder, node: &Node, path: &str, level: Level) -> Option<Policy> {
    let nested: &[&str] = match level {
        Level::Top => &["composite", "and", "not", "drop"],
        Level::CompositeSub => &["and"],
        Level::AndSub => &["not"],
        Level::NotSub => &[],
    };
    let map = node.as_map().unwrap_or_default();
    // `,remain` keeps unknown keys whose value is a map; anything else is an unmarshal error.
    let mut known: Vec<&str> = vec!["name", "type"];
    known.extend(
        LEAF_TYPES
            .iter()
            .copied()
            .filter(|t| SUB_KEYS.iter().any(|(k, _)| k == t)),
    );
    known.extend(nested.iter().copied());
    let extension: Vec<&str> = map
        .iter()
        .filter(|(k, v)| matches!(v.kind, NodeKind::Map(_)) && !known.contains(&k.name.as_str()))
        .map(|(k, _)| k.name.as_str())
        .collect();
    known.extend(extension);
    let f = d.fields(node, path, &known)?;
    let name = f
        .get("name")
        .and_then(|n| d.string(n, &f.child("name")))
        .unwrap_or_default();
    let policy_type = f
        .get("type")
        .and_then(|n| d.string(n, &f.child("type")))
        .unwrap_or_default();
    let mut p = Policy {
        name,
        policy_type,
        loc: node.loc.clone(),
        config: Vec::new(),
        subs: Vec::new(),
        ottl_error_mode: None,
        ottl_span: Vec::new(),
        ottl_spanevent: Vec::new(),
    };
    for (key, keys) in SUB_KEYS {
        let Some(sub) = f
            .get(key)
            .filter(|_| LEAF_TYPES.contains(key) || nested.contains(key))
        else {
            continue;
        };
        let Some(g) = d.fields(sub, &f.child(key), keys) else {
            continue;
        };
        sub_config(d, &mut p, key, &g, level);
    }
    Some(p)
}

fn sub_config(d: &mut Decoder, p: &mut Policy, key: &str, g: &Fields, level: Level) {
    match key {
        "ottl_condition" => {
            p.ottl_error_mode = g
                .get("error_mode")
                .and_then(|n| decode_error_mode(d, n, &g.child("error_mode")));
            p.ottl_span = g
                .get("span")
                .and_then(|n| d.ottl_list(n, &g.child("span")))
                .unwrap_or_default();
            p.ottl_spanevent = g
                .get("spanevent")
                .and_then(|n| d.ottl_list(n, &g.child("spanevent")))
                .unwrap_or_default();
        }
        "and" | "drop" | "composite" => {
            let list_key = format!("{key}_sub_policy");
            let sub_level = if key == "composite" {
                Level::CompositeSub
            } else {
                Level::AndSub
            };
            if let Some(n) = g.get(&list_key) {
                p.subs = policy_list(d, n, &g.child(&list_key), sub_level);
            }
            let _ = level;
        }
        "not" => {
            if let Some(n) = g.get("not_sub_policy") {
                p.subs = policy(d, n, &g.child("not_sub_policy"), Level::NotSub)
                    .into_iter()
                    .collect();
            }
        }
        _ => {}
    }
    if let Some(map) = g_entries(g) {
        p.config.extend(map);
    }
}

fn g_entries(g: &Fields) -> Option<Vec<(String, Node)>> {
    let keys = [
        "threshold_ms",
        "upper_threshold_ms",
        "key",
        "min_value",
        "max_value",
        "invert_match",
        "hash_salt",
        "sampling_percentage",
        "status_codes",
        "values",
        "enabled_regex_matching",
        "cache_max_size",
        "spans_per_second",
        "burst_capacity",
        "bytes_per_second",
        "min_spans",
        "max_spans",
        "value",
        "max_total_spans_per_second",
        "policy_order",
        "rate_allocation",
    ];
    Some(
        keys.iter()
            .filter_map(|k| g.get(k).map(|n| ((*k).to_owned(), n.clone())))
            .collect(),
    )
}

/// `Config.Validate()`.
fn validate(d: &mut Decoder, s: &Settings, f: &Fields) {
    if s.sampling_strategy != "trace-complete" && s.sampling_strategy != "span-ingest" {
        let loc = f
            .get("sampling_strategy")
            .map(|n| n.loc.clone())
            .unwrap_or_else(|| f.loc.clone());
        let msg = format!(
            "invalid sampling_strategy {:?}, expected one of \"trace-complete\" or \"span-ingest\"",
            s.sampling_strategy
        );
        d.error(&loc, msg, "use trace-complete or span-ingest");
    } else if let (Some(_), Some(n)) = (&s.tail_storage, f.get("tail_storage")) {
        let gate = "processor.tailsamplingprocessor.tailstorageextension";
        d.error(&n.loc, format!("'tail_storage' requires the {gate:?} feature gate to be enabled, use --feature-gates=+{gate}"), "remove `tail_storage`; otelcheck runs with default feature gates");
    }
}

/// What `loadSamplingPolicies` would refuse at start: warnings, since `validate` passes.
fn start_checks(d: &mut Decoder, policies: &[Policy]) {
    let mut seen: Vec<&str> = Vec::new();
    for p in policies {
        if p.name.is_empty() {
            d.warning(
                &p.loc,
                "policy name cannot be empty",
                "give every policy a unique `name`; the collector refuses to start",
            );
            return;
        }
        if seen.contains(&p.name.as_str()) {
            d.warning(
                &p.loc,
                format!("duplicate policy name {:?}", p.name),
                "rename one of the policies; the collector refuses to start",
            );
            return;
        }
        seen.push(&p.name);
        if let Some(why) = evaluator_problem(p) {
            d.warning(
                &p.loc,
                format!("failed to create policy evaluator for {:?}: {why}", p.name),
                "fix the policy; the collector validates this only when it starts",
            );
            return;
        }
    }
}

fn evaluator_problem(p: &Policy) -> Option<String> {
    let get = |k: &str| p.config.iter().find(|(n, _)| n == k).map(|(_, v)| v);
    match p.policy_type.as_str() {
        "status_code" => {
            let codes: Vec<&str> = get("status_codes")
                .and_then(|n| n.as_seq())
                .unwrap_or_default()
                .iter()
                .filter_map(Node::as_str)
                .collect();
            if codes.is_empty() {
                return Some("expected at least one status code to filter on".to_owned());
            }
            codes
                .iter()
                .find(|c| !["OK", "ERROR", "UNSET"].contains(c))
                .map(|c| format!("unknown status code {c:?}, supported: OK, ERROR, UNSET"))
        }
        "string_attribute"
            if get("enabled_regex_matching")
                .is_some_and(|n| matches!(n.kind, NodeKind::Bool(true))) =>
        {
            let values: Vec<&str> = get("values")
                .and_then(|n| n.as_seq())
                .unwrap_or_default()
                .iter()
                .filter_map(Node::as_str)
                .collect();
            values
                .iter()
                .find(|v| crate::ottl::runtime::re2::build(v).is_err())
                .map(|v| format!("invalid regex `{v}`"))
        }
        "ottl_condition" if p.ottl_span.is_empty() && p.ottl_spanevent.is_empty() => {
            Some("expected at least one OTTL condition to filter on".to_owned())
        }
        "and" | "drop" | "composite" | "not" => p.subs.iter().find_map(evaluator_problem),
        t if LEAF_TYPES.contains(&t) => None,
        t => Some(format!("unknown sampling policy type {t}")),
    }
}
