//! `filter` processor settings in all of its styles: the legacy `spans`/`metrics`/`logs`
//! include/exclude blocks, the explicit-context OTTL lists (`traces.span`, ...) and the
//! context-inferred `*_conditions` lists, with the mixing rules and texts of v0.156.0.
//!
//! Default `error_mode` is `ignore`: the beta gate `processor.filter.defaultErrorModeIgnore`
//! is on by default in v0.156.0 (`processor/filterprocessor/factory.go`).
//!
//! The legacy metric and log blocks are decoded by [`super::filter_legacy`] helpers here; the
//! matcher checks upstream does when it builds the processor run only for `built_for`.

use super::decode::{Decoder, Fields};
use super::groups::{decode_groups, ListSpec, Style};
use super::matching::{self, AttributeMatch, LegacyMatch, MatchProperties, Pattern, RegexpConfig};
use super::{decode_error_mode, ConditionGroup, ErrorMode, OttlSource, Signal};
use crate::config::node::Node;
use crate::diag::Location;

pub use super::filter_legacy::{LogMatchProperties, MetricMatchProperties, SeverityMin};

/// v0.156.0 default (gate `processor.filter.defaultErrorModeIgnore`, beta).
pub const DEFAULT_ERROR_MODE: ErrorMode = ErrorMode::Ignore;

#[derive(Debug, Clone)]
pub struct FilterSettings {
    pub error_mode: ErrorMode,
    pub traces_resource: Vec<OttlSource>,
    pub traces_span: Vec<OttlSource>,
    pub traces_spanevent: Vec<OttlSource>,
    pub trace_conditions: Vec<ConditionGroup>,
    pub spans: Option<LegacyMatch>,
    pub metrics: MetricFilters,
    pub metric_conditions: Vec<ConditionGroup>,
    pub logs: LogFilters,
    pub log_conditions: Vec<ConditionGroup>,
    pub profiles_resource: Vec<OttlSource>,
    pub profiles_profile: Vec<OttlSource>,
    pub profile_conditions: Vec<ConditionGroup>,
}

#[derive(Debug, Clone, Default)]
pub struct MetricFilters {
    pub include: Option<MetricMatchProperties>,
    pub exclude: Option<MetricMatchProperties>,
    pub regexp: Option<RegexpConfig>,
    pub resource: Vec<OttlSource>,
    pub metric: Vec<OttlSource>,
    pub datapoint: Vec<OttlSource>,
}

#[derive(Debug, Clone, Default)]
pub struct LogFilters {
    pub include: Option<LogMatchProperties>,
    pub exclude: Option<LogMatchProperties>,
    pub resource: Vec<OttlSource>,
    pub log_record: Vec<OttlSource>,
}

const KEYS: &[&str] = &[
    "error_mode",
    "spans",
    "metrics",
    "logs",
    "traces",
    "profiles",
    "metric_conditions",
    "log_conditions",
    "trace_conditions",
    "profile_conditions",
];
const ALL_CONTEXTS: &[&str] = &[
    "resource",
    "scope",
    "span",
    "spanevent",
    "metric",
    "datapoint",
    "log",
    "profile",
];

/// Which OTTL lists were written (`!= nil` in upstream's checks: present and not `null`).
#[derive(Default)]
struct Written {
    traces: bool,
    metrics_ottl: bool,
    metrics_legacy: bool,
    logs_ottl: bool,
    logs_legacy: bool,
    profiles: bool,
}

pub fn decode(d: &mut Decoder, node: &Node, built_for: &[Signal]) -> Option<FilterSettings> {
    let f = d.fields(node, "", KEYS)?;
    let mut w = Written::default();
    let error_mode = f
        .get("error_mode")
        .and_then(|n| decode_error_mode(d, n, "error_mode"))
        .unwrap_or(DEFAULT_ERROR_MODE);
    let lists = |d: &mut Decoder,
                 block: &str,
                 keys: &[&str]|
     -> Option<(Vec<Vec<OttlSource>>, bool, Option<Fields>)> {
        let Some(n) = f.get(block) else {
            return Some((vec![Vec::new(); keys.len()], false, None));
        };
        let all: Vec<&str> = keys.to_vec();
        let known = legacy_keys(block, &all);
        let g = d.fields(n, block, &known)?;
        let written = keys.iter().any(|k| g.get(k).is_some());
        let out = keys
            .iter()
            .map(|k| {
                g.get(k)
                    .and_then(|v| d.ottl_list(v, &g.child(k)))
                    .unwrap_or_default()
            })
            .collect();
        Some((out, written, Some(g)))
    };
    let (t, wt, _) = lists(d, "traces", &["resource", "span", "spanevent"]).unwrap_or_default();
    w.traces = wt;
    let (m, wm, mf) = lists(d, "metrics", &["resource", "metric", "datapoint"]).unwrap_or_default();
    w.metrics_ottl = wm;
    let (l, wl, lf) = lists(d, "logs", &["resource", "log_record"]).unwrap_or_default();
    w.logs_ottl = wl;
    let (p, wp, _) = lists(d, "profiles", &["resource", "profile"]).unwrap_or_default();
    w.profiles = wp;
    let spans = f
        .get("spans")
        .and_then(|n| d.fields(n, "spans", &["include", "exclude"]))
        .map(|g| LegacyMatch::decode(d, &g));
    let mut metrics = MetricFilters::default();
    if let Some(g) = &mf {
        metrics.include = g
            .get("include")
            .and_then(|n| super::filter_legacy::decode_metric(d, n, "metrics.include"));
        metrics.exclude = g
            .get("exclude")
            .and_then(|n| super::filter_legacy::decode_metric(d, n, "metrics.exclude"));
        metrics.regexp = g
            .get("regexp")
            .and_then(|n| matching::decode_regexp_config(d, n, "metrics.regexp"));
        w.metrics_legacy = g.get("include").is_some() || g.get("exclude").is_some();
    }
    let mut logs = LogFilters::default();
    if let Some(g) = &lf {
        logs.include = g
            .get("include")
            .and_then(|n| super::filter_legacy::decode_log(d, n, "logs.include"));
        logs.exclude = g
            .get("exclude")
            .and_then(|n| super::filter_legacy::decode_log(d, n, "logs.exclude"));
        w.logs_legacy = g.get("include").is_some() || g.get("exclude").is_some();
    }
    let take = |v: Vec<Vec<OttlSource>>| v.into_iter();
    let (mut ti, mut mi, mut li, mut pi) = (take(t), take(m), take(l), take(p));
    let mut s = FilterSettings {
        error_mode,
        traces_resource: ti.next().unwrap_or_default(),
        traces_span: ti.next().unwrap_or_default(),
        traces_spanevent: ti.next().unwrap_or_default(),
        trace_conditions: Vec::new(),
        spans,
        metrics: MetricFilters {
            resource: mi.next().unwrap_or_default(),
            metric: mi.next().unwrap_or_default(),
            datapoint: mi.next().unwrap_or_default(),
            ..metrics
        },
        metric_conditions: Vec::new(),
        logs: LogFilters {
            resource: li.next().unwrap_or_default(),
            log_record: li.next().unwrap_or_default(),
            ..logs
        },
        log_conditions: Vec::new(),
        profiles_resource: pi.next().unwrap_or_default(),
        profiles_profile: pi.next().unwrap_or_default(),
        profile_conditions: Vec::new(),
    };
    let cond = |d: &mut Decoder,
                key: &str,
                signal_contexts: &[&str]|
     -> (Vec<ConditionGroup>, Option<Location>) {
        let Some((k, n)) = f.entry(key).filter(|(_, n)| !n.is_null()) else {
            return (Vec::new(), None);
        };
        let spec = ListSpec {
            style: Style::Filter,
            known_contexts: ALL_CONTEXTS,
            signal_contexts,
        };
        let groups = decode_groups(d, n, key, &spec).unwrap_or_default();
        let groups = groups
            .into_iter()
            .map(|g| ConditionGroup {
                context: g.context,
                error_mode: g.error_mode,
                conditions: g.conditions,
            })
            .collect();
        (groups, Some(k.loc.clone()))
    };
    let (tc, tc_at) = cond(
        d,
        "trace_conditions",
        &["resource", "scope", "span", "spanevent"],
    );
    let (mc, mc_at) = cond(
        d,
        "metric_conditions",
        &["resource", "scope", "metric", "datapoint"],
    );
    let (lc, lc_at) = cond(d, "log_conditions", &["resource", "scope", "log"]);
    let (pc, pc_at) = cond(d, "profile_conditions", &["resource", "scope", "profile"]);
    (
        s.trace_conditions,
        s.metric_conditions,
        s.log_conditions,
        s.profile_conditions,
    ) = (tc, mc, lc, pc);
    if d.failed_since(0) {
        return None;
    }
    validate_mixing(d, &w, [tc_at, mc_at, lc_at, pc_at], &f);
    if d.failed_since(0) {
        return None;
    }
    for lp in [&s.logs.include, &s.logs.exclude].into_iter().flatten() {
        lp.validate(d);
    }
    for &signal in built_for {
        build(d, &mut s, signal);
    }
    (!d.failed_since(0)).then_some(s)
}

/// The keys a `traces`/`metrics`/`logs`/`profiles` block knows.
fn legacy_keys<'k>(block: &str, ottl: &[&'k str]) -> Vec<&'k str> {
    let mut keys = ottl.to_vec();
    match block {
        "metrics" => keys.extend(["include", "exclude", "regexp"]),
        "logs" => keys.extend(["include", "exclude"]),
        _ => {}
    }
    keys
}

/// `validateInferredContextConfig` then `validateExplicitContextConfig`: first problem wins.
fn validate_mixing(d: &mut Decoder, w: &Written, inferred: [Option<Location>; 4], f: &Fields) {
    let at = |key: &str| {
        f.entry(key)
            .map(|(k, _)| k.loc.clone())
            .unwrap_or_else(|| f.loc.clone())
    };
    let [tc, mc, lc, pc] = inferred;
    let checks: [(Option<Location>, bool, &str); 4] = [
        (
            tc,
            w.traces,
            r#"cannot use context inferred trace conditions "trace_conditions" and the settings "traces.resource", "traces.span", "traces.spanevent" at the same time"#,
        ),
        (
            mc,
            w.metrics_ottl || w.metrics_legacy,
            r#"cannot use context inferred metric conditions "metric_conditions" and the settings "metrics.resource", "metrics.metric", "metrics.datapoint", "metrics.include", "metrics.exclude" at the same time"#,
        ),
        (
            lc,
            w.logs_ottl || w.logs_legacy,
            r#"cannot use context inferred log conditions "log_conditions" and the settings "logs.resource", "logs.log", "logs.include", "logs.exclude" at the same time"#,
        ),
        (
            pc,
            w.profiles,
            r#"cannot use context inferred profile conditions "profile_conditions" and the settings "profiles.resource", "profiles.profile" at the same time"#,
        ),
    ];
    for (loc, other, msg) in checks {
        if let (Some(loc), true) = (loc, other) {
            d.error(
                &loc,
                msg,
                "keep either the context-inferred list or the older per-signal settings, not both",
            );
            return;
        }
    }
    let spans_legacy = f.get("spans").is_some_and(|s| {
        s.get("include").is_some_and(|n| !n.is_null())
            || s.get("exclude").is_some_and(|n| !n.is_null())
    });
    let explicit: [(bool, &str, &str); 3] = [
        (
            w.traces && spans_legacy,
            "spans",
            r#"cannot use "traces.resource", "traces.span", "traces.spanevent" and the span settings "spans.include", "spans.exclude" at the same time"#,
        ),
        (
            w.metrics_ottl && w.metrics_legacy,
            "metrics",
            r#"cannot use "metrics.resource", "metrics.metric", "metrics.datapoint" and the settings "metrics.include", "metrics.exclude" at the same time"#,
        ),
        (
            w.logs_ottl && w.logs_legacy,
            "logs",
            r#"cannot use "logs.resource", "logs.log" and the settings "logs.include", "logs.exclude" at the same time"#,
        ),
    ];
    if let Some((_, key, msg)) = explicit.iter().find(|(bad, _, _)| *bad) {
        d.error(
            &at(key),
            *msg,
            "move the include/exclude rules into OTTL conditions, or drop the OTTL lists",
        );
    }
}

/// What the traces/metrics/logs factory builds besides OTTL (which the OTTL stage checks).
fn build(d: &mut Decoder, s: &mut FilterSettings, signal: Signal) {
    match signal {
        Signal::Traces
            if s.trace_conditions.is_empty()
                && !has_any(&[&s.traces_resource, &s.traces_span, &s.traces_spanevent]) =>
        {
            if let Some(spans) = &mut s.spans {
                spans.build(d, Signal::Traces);
            }
        }
        Signal::Metrics
            if s.metric_conditions.is_empty()
                && !has_any(&[&s.metrics.resource, &s.metrics.metric, &s.metrics.datapoint]) =>
        {
            let mark = d.diags.len();
            for mp in [&mut s.metrics.include, &mut s.metrics.exclude]
                .into_iter()
                .flatten()
            {
                if !mp.build_resources(d) {
                    break;
                }
            }
            if !d.failed_since(mark) {
                for mp in [&mut s.metrics.include, &mut s.metrics.exclude]
                    .into_iter()
                    .flatten()
                {
                    if !mp.build_names(d) {
                        break;
                    }
                }
            }
            note(d, mark, "metrics");
        }
        Signal::Logs
            if s.log_conditions.is_empty() && !has_any(&[&s.logs.resource, &s.logs.log_record]) =>
        {
            let mark = d.diags.len();
            for lp in [&s.logs.include, &s.logs.exclude].into_iter().flatten() {
                if let Some(mut mp) = lp.match_properties() {
                    if !mp.build(d, Signal::Logs) {
                        break;
                    }
                }
            }
            for diag in d.diags.iter_mut().skip(mark) {
                diag.message = format!("failed to build skip matcher: {}", diag.message);
            }
        }
        _ => {}
    }
}

fn has_any(lists: &[&Vec<OttlSource>]) -> bool {
    lists.iter().any(|l| !l.is_empty())
}

fn note(d: &mut Decoder, mark: usize, signal: &str) {
    for diag in d.diags.iter_mut().skip(mark) {
        diag.notes.push(format!(
            "the collector checks this when it builds the processor for a {signal} pipeline"
        ));
    }
}

/// Shared with [`super::filter_legacy`]: a name list plus attribute matchers.
pub(crate) fn patterns(items: Vec<(String, Node)>) -> Vec<Pattern> {
    items
        .into_iter()
        .map(|(text, node)| Pattern {
            text,
            node,
            regex: None,
        })
        .collect()
}

/// Shared with [`super::filter_legacy`].
pub(crate) fn empty_match(
    loc: Location,
    match_type: &str,
    resources: Vec<AttributeMatch>,
) -> MatchProperties {
    MatchProperties {
        match_type: matching::MatchType::parse(match_type),
        match_type_text: match_type.to_owned(),
        loc,
        regexp: None,
        services: Vec::new(),
        span_names: Vec::new(),
        span_kinds: Vec::new(),
        log_bodies: Vec::new(),
        log_severity_texts: Vec::new(),
        log_severity_number: None,
        metric_names: Vec::new(),
        attributes: Vec::new(),
        resources,
        libraries: Vec::new(),
    }
}
