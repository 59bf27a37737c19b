//! The attribute actions as the report sees them: one rule row per action (its entry as
//! written in the file), and the static findings about them (`from_context` that a capture
//! cannot answer, delete/hash patterns that match every key).

use super::context_unknown;
use crate::config::node::{Node, NodeKind};
use crate::config::settings::actions::{Action, ActionKind};
use crate::diag::{codes, Diagnostic, Location};
use crate::ottl::runtime::{AttrScope, ReadKey};
use crate::processors::api::{RuleAction, RuleInfo};

/// Each action as a rule: its entry as written in the file (no expanded `${env:...}` value).
/// `scope` says where its keys live (span or resource attributes).
pub fn rule_infos(actions: &[Action], scope: AttrScope) -> Vec<RuleInfo> {
    actions
        .iter()
        .map(|a| RuleInfo {
            text: node_text(&a.node),
            location: a.node.loc.clone(),
            action: rule_action(a.action),
            read_keys: needed_key(a)
                .map(|key| ReadKey {
                    scope,
                    key: key.to_owned(),
                })
                .into_iter()
                .collect(),
            examples_on_match: true,
            data_findings: false,
            operands: None,
        })
        .collect()
}

/// Where an action's `from_context` is, for the not-in-capture note.
fn context_location(a: &Action) -> Location {
    a.node
        .get_entry("from_context")
        .map_or_else(|| a.node.loc.clone(), |(k, _)| k.loc.clone())
}

/// `catch-all-rule` for a delete or hash whose `pattern` matches every key: an unanchored
/// regex that can match the empty string (`.*`, `x*`, `a|`) matches inside every key name, so
/// the action removes or hashes every attribute of every span it runs on.
pub fn catch_all_lints(actions: &[Action]) -> Vec<Diagnostic> {
    actions
        .iter()
        .filter(|a| matches!(a.action, Some(ActionKind::Delete | ActionKind::Hash)))
        .filter(|a| a.regex.as_ref().is_some_and(|re| re.is_match("")))
        .map(|a| {
            let verb = if a.action == Some(ActionKind::Delete) { "deletes" } else { "hashes" };
            let at = a
                .node
                .get_entry("pattern")
                .map_or_else(|| a.node.loc.clone(), |(_, v)| v.loc.clone());
            Diagnostic::error(
                codes::CATCH_ALL_RULE,
                format!(
                    "`{}` is a catch-all: pattern {:?} matches the empty string, so (unanchored) it matches every key and the action {verb} every attribute",
                    node_text(&a.node),
                    a.pattern
                ),
            )
            .at(at)
            .with_help("anchor the pattern to the keys you mean, e.g. '^http\\.request\\.header\\.(authorization|cookie)$'")
        })
        .collect()
}

/// One warning per action that reads request metadata a capture does not hold: the dry run
/// replays as if the request had none, which may not be what the collector sees.
pub fn context_warnings(actions: &[Action]) -> Vec<Diagnostic> {
    actions
        .iter()
        .filter(|a| context_unknown(a))
        .map(|a| {
            let fallback = match (a.from_attribute.is_empty(), a.default_value.is_some()) {
                (false, _) => "falls back to `from_attribute`",
                (true, true) => "falls back to `default_value`",
                (true, false) => "does nothing",
            };
            Diagnostic::warning(
                codes::UNSUPPORTED_COMPONENT,
                format!(
                    "`from_context: {}` reads the request's client metadata (peer address, headers, auth), which a capture file does not hold: the dry run replays every request without it, so this `{}` action {fallback}",
                    a.from_context, a.action_text
                ),
            )
            .at(context_location(a))
            .with_help("the collector fills this from the live connection; check the value it gets in a staging collector")
        })
        .collect()
}

/// The key an action can do nothing without: the key it changes (update, delete, hash, extract,
/// convert), or the attribute an insert/upsert copies when it has no other source. A pattern
/// alone names no key.
fn needed_key(a: &Action) -> Option<&str> {
    let key = match a.action? {
        ActionKind::Insert | ActionKind::Upsert => {
            let copies_only = a.value.is_none() && a.default_value.is_none();
            return (copies_only && a.from_context.is_empty() && !a.from_attribute.is_empty())
                .then_some(a.from_attribute.as_str());
        }
        _ => a.key.as_str(),
    };
    (!key.is_empty()).then_some(key)
}

fn rule_action(kind: Option<ActionKind>) -> RuleAction {
    match kind {
        Some(ActionKind::Insert) => RuleAction::Insert,
        Some(ActionKind::Update) => RuleAction::Update,
        Some(ActionKind::Upsert) => RuleAction::Upsert,
        Some(ActionKind::Delete) => RuleAction::Delete,
        Some(ActionKind::Hash) => RuleAction::Hash,
        Some(ActionKind::Extract) => RuleAction::Extract,
        Some(ActionKind::Convert) => RuleAction::Convert,
        None => RuleAction::Pass,
    }
}

/// A YAML node in flow style, scalars as written in the file.
pub fn node_text(node: &Node) -> String {
    if let Some(w) = &node.written {
        return flow_scalar(w);
    }
    match &node.kind {
        NodeKind::Null => "null".into(),
        NodeKind::Bool(b) => b.to_string(),
        NodeKind::Int(i) => i.to_string(),
        NodeKind::Float(f) => f.to_string(),
        NodeKind::Str(s) => flow_scalar(s),
        NodeKind::Seq(items) => {
            let parts: Vec<String> = items.iter().map(node_text).collect();
            format!("[{}]", parts.join(", "))
        }
        NodeKind::Map(entries) => {
            let parts: Vec<String> = entries
                .iter()
                .map(|(k, v)| format!("{}: {}", k.name, node_text(v)))
                .collect();
            format!("{{{}}}", parts.join(", "))
        }
    }
}

/// A string as a flow scalar: quoted only when it would not read back as the same string.
fn flow_scalar(s: &str) -> String {
    let plain = !s.is_empty()
        && !s.contains(": ")
        && !s.contains(", ")
        && !s.contains(" #")
        && !s.starts_with([
            '[', ']', '{', '}', '&', '*', '!', '|', '>', '\'', '"', '%', '@', '`', '#', ' ',
        ])
        && !s.ends_with([' ', ':']);
    if plain {
        s.to_owned()
    } else {
        format!("'{}'", s.replace('\'', "''"))
    }
}
