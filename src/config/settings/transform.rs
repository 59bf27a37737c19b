//! `transform` processor settings: `trace_statements`, `metric_statements`, `log_statements`
//! and `profile_statements` in basic (flat strings) or advanced (groups) style, top-level
//! `error_mode` and `flatten_data`.
//!
//! Default `error_mode`: `ignore`. In v0.156.0 the `processor.transform.defaultErrorModeIgnore`
//! gate is beta (enabled by default; stable only after v0.156.0), so an unset `error_mode` is
//! `ignore` (re-verified against v0.156.0 for the shared reference, `ottl.md` §6). See
//! [`DEFAULT_ERROR_MODE`], the one place to change it.

use super::decode::Decoder;
use super::groups::{decode_groups, ListSpec, Style};
use super::{decode_error_mode, ErrorMode, StatementGroup};
use crate::config::node::Node;

/// See the module doc.
pub const DEFAULT_ERROR_MODE: ErrorMode = ErrorMode::Ignore;

#[derive(Debug, Clone)]
pub struct TransformSettings {
    pub error_mode: ErrorMode,
    /// Whether `error_mode` was written (so a later stage can say "defaulted").
    pub error_mode_set: bool,
    pub trace_statements: Vec<StatementGroup>,
    pub metric_statements: Vec<StatementGroup>,
    pub log_statements: Vec<StatementGroup>,
    pub profile_statements: Vec<StatementGroup>,
    pub flatten_data: bool,
}

const KEYS: &[&str] = &[
    "error_mode",
    "trace_statements",
    "metric_statements",
    "log_statements",
    "profile_statements",
    "flatten_data",
];
const ALL_CONTEXTS: &[&str] = &[
    "resource",
    "scope",
    "span",
    "spanevent",
    "metric",
    "datapoint",
    "exemplar",
    "log",
    "profile",
];

pub fn decode(d: &mut Decoder, node: &Node) -> Option<TransformSettings> {
    let f = d.fields(node, "", KEYS)?;
    let explicit = f
        .get("error_mode")
        .and_then(|n| decode_error_mode(d, n, "error_mode"));
    let list = |d: &mut Decoder, key: &str, signal_contexts: &[&str]| -> Vec<StatementGroup> {
        let Some(n) = f.get(key) else {
            return Vec::new();
        };
        let spec = ListSpec {
            style: Style::Transform,
            known_contexts: ALL_CONTEXTS,
            signal_contexts,
        };
        decode_groups(d, n, key, &spec).unwrap_or_default()
    };
    let trace_statements = list(
        d,
        "trace_statements",
        &["resource", "scope", "span", "spanevent"],
    );
    let metric_statements = list(
        d,
        "metric_statements",
        &["resource", "scope", "metric", "datapoint"],
    );
    let log_statements = list(d, "log_statements", &["resource", "scope", "log"]);
    let profile_statements = list(d, "profile_statements", &["resource", "scope", "profile"]);
    let flatten_data = f
        .get("flatten_data")
        .and_then(|n| d.boolean(n, "flatten_data"))
        .unwrap_or(false);
    if flatten_data {
        let loc = f
            .get("flatten_data")
            .map(|n| n.loc.clone())
            .unwrap_or_else(|| f.loc.clone());
        d.error(
            &loc,
            "'flatten_data' requires the 'transform.flatten.logs' feature gate to be enabled",
            "remove `flatten_data`; otelcheck runs with default feature gates",
        );
    }
    if d.failed_since(0) {
        return None;
    }
    Some(TransformSettings {
        error_mode: explicit.unwrap_or(DEFAULT_ERROR_MODE),
        error_mode_set: explicit.is_some(),
        trace_statements,
        metric_statements,
        log_statements,
        profile_statements,
        flatten_data,
    })
}
