//! The `*_conditions` (filter) and `*_statements` (transform) lists, which come in two styles:
//! basic (a list of OTTL strings, context inferred from path prefixes) and advanced (a list of
//! `{context, conditions, statements, error_mode}` groups). Upstream's custom `Unmarshal` turns a
//! basic list into one group without a context; we do the same.
//!
//! The two processors differ in details we keep: filter rejects a `null` item and any mix of
//! styles; transform only rejects a group that comes *after* a string (strings after groups are
//! gathered into one extra group at the end).

use super::decode::{Decoder, Fields};
use super::{decode_error_mode, ContextName, ErrorMode, OttlSource};
use crate::config::node::{Node, NodeKind};

/// A group of OTTL conditions (filter `trace_conditions` entries; a flat list becomes one group
/// with `context: None`).
#[derive(Debug, Clone, PartialEq)]
pub struct ConditionGroup {
    pub context: Option<ContextName>,
    pub error_mode: Option<ErrorMode>,
    pub conditions: Vec<OttlSource>,
}

/// A group of OTTL statements with optional guard conditions (transform `trace_statements`).
#[derive(Debug, Clone, PartialEq)]
pub struct StatementGroup {
    pub context: Option<ContextName>,
    pub error_mode: Option<ErrorMode>,
    pub conditions: Vec<OttlSource>,
    pub statements: Vec<OttlSource>,
}

/// Which processor's list this is.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Style {
    Filter,
    Transform,
}

/// What one list looks like for one signal.
pub(crate) struct ListSpec<'s> {
    pub style: Style,
    /// Context names the processor's unmarshal accepts at all.
    pub known_contexts: &'s [&'s str],
    /// Context names the signal's parser collection has (checked in `Validate`).
    pub signal_contexts: &'s [&'s str],
}

pub(crate) const MIXED_STYLES: &str =
    "configuring multiple configuration styles is not supported, please use only Basic configuration or only Advanced configuration";

const FILTER_GROUP_KEYS: &[&str] = &["context", "conditions", "error_mode"];
const TRANSFORM_GROUP_KEYS: &[&str] = &[
    "context",
    "conditions",
    "statements",
    "error_mode",
    "shared_cache",
    "flatten",
];

/// Decode a list of groups under `path` (e.g. `trace_conditions`). `None` on any error.
pub(crate) fn decode_groups(
    d: &mut Decoder,
    node: &Node,
    path: &str,
    spec: &ListSpec,
) -> Option<Vec<StatementGroup>> {
    let Some(items) = node.as_seq() else {
        if node.is_null() {
            return Some(Vec::new());
        }
        let msg = format!(
            "invalid {path} type, expected: array, got: {}",
            node.type_name()
        );
        d.error(
            &node.loc,
            msg,
            format!("expected a list, found {}", node.type_name()),
        );
        return None;
    };
    let mark = d.diags.len();
    let mut groups = Vec::new();
    let mut basic: Vec<OttlSource> = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let item_path = format!("{path}[{i}]");
        match &item.kind {
            NodeKind::Str(text) => {
                if spec.style == Style::Filter && !groups.is_empty() {
                    d.error(
                        &item.loc,
                        MIXED_STYLES,
                        "write every entry as a string, or every entry as a group",
                    );
                    return None;
                }
                basic.push(OttlSource {
                    text: text.clone(),
                    node: item.clone(),
                });
            }
            NodeKind::Null => {
                let what = if spec.style == Style::Filter {
                    "condition"
                } else {
                    "statement"
                };
                d.error(
                    &item.loc,
                    format!("{what} cannot be empty"),
                    format!("remove the empty list item or write a {what}"),
                );
                return None;
            }
            _ => {
                if !basic.is_empty() {
                    d.error(
                        &item.loc,
                        MIXED_STYLES,
                        "write every entry as a string, or every entry as a group",
                    );
                    return None;
                }
                if let Some(g) = decode_group(d, item, &item_path, spec) {
                    groups.push(g);
                }
            }
        }
    }
    if !basic.is_empty() {
        let mut g = StatementGroup {
            context: None,
            error_mode: None,
            conditions: Vec::new(),
            statements: Vec::new(),
        };
        if spec.style == Style::Filter {
            g.conditions = basic;
        } else {
            g.statements = basic;
        }
        groups.push(g);
    }
    (!d.failed_since(mark)).then_some(groups)
}

fn decode_group(
    d: &mut Decoder,
    node: &Node,
    path: &str,
    spec: &ListSpec,
) -> Option<StatementGroup> {
    let keys = if spec.style == Style::Filter {
        FILTER_GROUP_KEYS
    } else {
        TRANSFORM_GROUP_KEYS
    };
    let f = d.fields(node, path, keys)?;
    let context = f
        .get("context")
        .and_then(|n| decode_context(d, n, &f.child("context"), spec));
    let error_mode = f
        .get("error_mode")
        .and_then(|n| decode_error_mode(d, n, &f.child("error_mode")));
    let conditions = list(d, &f, "conditions");
    let statements = list(d, &f, "statements");
    if spec.style == Style::Transform {
        for key in ["shared_cache", "flatten"] {
            if let Some(n) = f.get(key) {
                d.boolean(n, &f.child(key));
            }
        }
    }
    let group = StatementGroup {
        context,
        error_mode,
        conditions,
        statements,
    };
    check_signal_context(d, &group, spec);
    Some(group)
}

fn list(d: &mut Decoder, f: &Fields, key: &str) -> Vec<OttlSource> {
    f.get(key)
        .and_then(|n| d.ottl_list(n, &f.child(key)))
        .unwrap_or_default()
}

fn decode_context(
    d: &mut Decoder,
    node: &Node,
    path: &str,
    spec: &ListSpec,
) -> Option<ContextName> {
    let text = d.string(node, path)?.to_lowercase();
    if spec.known_contexts.contains(&text.as_str()) {
        return Some(ContextName {
            name: text,
            loc: node.loc.clone(),
        });
    }
    let msg = format!("'{path}' unknown context {text}");
    let help =
        match spec.signal_contexts.iter().max_by(|a, b| {
            strsim::jaro_winkler(&text, a).total_cmp(&strsim::jaro_winkler(&text, b))
        }) {
            Some(best) if strsim::jaro_winkler(&text, best) >= 0.8 => format!(
                "did you mean \"{best}\"? valid contexts here: {}",
                spec.signal_contexts.join(", ")
            ),
            _ => format!("valid contexts here: {}", spec.signal_contexts.join(", ")),
        };
    d.error(&node.loc, msg, help);
    None
}

/// `Validate()` parses each group with the signal's parser collection, which has no parser for a
/// context of another signal (`context: log` in `trace_conditions`).
fn check_signal_context(d: &mut Decoder, g: &StatementGroup, spec: &ListSpec) {
    let Some(ctx) = &g.context else { return };
    if spec.signal_contexts.contains(&ctx.name.as_str()) {
        return;
    }
    let (what, texts) = if spec.style == Style::Filter {
        ("conditions", &g.conditions)
    } else {
        ("statements", &g.statements)
    };
    let shown: Vec<&str> = texts.iter().map(|s| s.text.as_str()).collect();
    let msg = format!(
        "unknown context \"{}\" for {what}: [{}]",
        ctx.name,
        shown.join(" ")
    );
    d.error(
        &ctx.loc,
        msg,
        format!(
            "this list accepts the contexts {}",
            spec.signal_contexts.join(", ")
        ),
    );
}
