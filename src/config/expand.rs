//! `${...}` expansion of config values, as the collector's confmap resolver does it.
//!
//! Runs on the merged tree, values only (keys are never expanded), then turns `$$` into `$` in
//! every string. The rules, all from confmap v0.156.0:
//! * The default scheme is `env`, so `${NAME}` is `${env:NAME}`.
//! * The first `}` closes a reference; the last `${` before it opens it, so nested references
//!   (`${env:A:-${env:B}}`) expand inside out. An odd number of `$` right before `${` escapes
//!   it, and the search stops there.
//! * A reference that is the whole value takes the YAML type of what it expands to (`5` is an
//!   int, `[1, 2]` a list, an unset variable null); one embedded in text is spliced in as text.
//! * Results are expanded again until nothing changes (at most 1000 rounds).
//! * otelcheck's own bounds, which the collector lacks (it expands `A=${env:A}${env:A}` until
//!   memory runs out): one value may grow to [`MAX_VALUE_BYTES`], and all expansions of a
//!   config together may produce [`MAX_TOTAL_BYTES`] of text and [`MAX_TOTAL_NODES`] list and
//!   map entries; past that the config is refused with an error naming the value.
//! * `${NAME:-x}` without `env:` is *not* a default: `NAME` is read as a scheme, and fails.
//!
//! Errors are collected, not thrown: each names the value's location.

use super::node::{Node, NodeKind};
use super::scalar::resolve_env_yaml;
use crate::diag::{codes, Diagnostic, Location};
use std::collections::HashMap;

/// Where variables come from: `--set` values win over the environment.
pub struct Env<'a> {
    pub sets: &'a [(String, String)],
    pub vars: &'a HashMap<String, String>,
}

impl Env<'_> {
    fn get(&self, name: &str) -> Option<&str> {
        let set = self
            .sets
            .iter()
            .rev()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str());
        set.or_else(|| self.vars.get(name).map(String::as_str))
    }
}

/// Expand every string value under `node` in place. Warnings (unset variables) and errors
/// (unsupported schemes, bad names) are pushed to `diags`.
/// Returns `(reference, value)` for every variable read, so that reports can mask values.
pub fn expand_tree(
    node: &mut Node,
    env: &Env<'_>,
    diags: &mut Vec<Diagnostic>,
) -> Vec<(String, String)> {
    let mut budget = Budget::default();
    expand_node(node, env, diags, 0, &mut budget);
    unescape_dollars(node);
    budget.values
}

/// Largest value one reference chain may expand to.
pub const MAX_VALUE_BYTES: usize = 1 << 20;
/// Text all expansions of one config may produce together.
pub const MAX_TOTAL_BYTES: usize = 64 << 20;
/// List and map entries all expansions of one config may produce together.
pub const MAX_TOTAL_NODES: usize = 1 << 20;

/// What expansions have produced so far; once spent, every later value is left unexpanded
/// (one error has been reported).
#[derive(Default)]
struct Budget {
    bytes: usize,
    nodes: usize,
    spent: bool,
    /// `(${env:NAME}, value)` of each variable read.
    values: Vec<(String, String)>,
}

impl Budget {
    /// Charge `bytes` and `nodes`; the message when that breaks a bound.
    fn charge(&mut self, bytes: usize, nodes: usize) -> Result<(), String> {
        self.bytes = self.bytes.saturating_add(bytes);
        self.nodes = self.nodes.saturating_add(nodes);
        if self.bytes > MAX_TOTAL_BYTES || self.nodes > MAX_TOTAL_NODES {
            self.spent = true;
            return Err(format!(
                "expansions produce more than {} MiB of text or {MAX_TOTAL_NODES} list/map \
                 entries (does a variable refer to itself?)",
                MAX_TOTAL_BYTES >> 20
            ));
        }
        Ok(())
    }
}

fn count_nodes(kind: &NodeKind) -> usize {
    match kind {
        NodeKind::Seq(items) => items.iter().map(|n| 1 + count_nodes(&n.kind)).sum(),
        NodeKind::Map(entries) => entries.iter().map(|(_, n)| 1 + count_nodes(&n.kind)).sum(),
        _ => 0,
    }
}

/// `depth` counts lists/maps that came out of variables: a variable whose value is a list
/// holding a reference to itself would otherwise never end.
fn expand_node(
    node: &mut Node,
    env: &Env<'_>,
    diags: &mut Vec<Diagnostic>,
    depth: usize,
    budget: &mut Budget,
) {
    if budget.spent {
        return;
    }
    match &mut node.kind {
        NodeKind::Str(s) => {
            let loc = node.loc.clone();
            let written = s.clone();
            let mut ctx = Ctx {
                env,
                loc: &loc,
                diags,
                values: &mut budget.values,
            };
            let Some(kind) = expand_value(s, &mut ctx) else {
                return;
            };
            let nested = matches!(kind, NodeKind::Seq(_) | NodeKind::Map(_));
            let bytes = match &kind {
                NodeKind::Str(t) => t.len(),
                _ => 0,
            };
            if let Err(msg) = budget.charge(bytes, count_nodes(&kind)) {
                diags.push(expansion_error(msg, &loc));
                return;
            }
            node.kind = kind;
            node.offset = None;
            node.written = Some(written);
            relocate(node, &loc);
            if nested && depth < MAX_NESTING {
                expand_node(node, env, diags, depth + 1, budget);
            } else if nested {
                diags.push(expansion_error(
                    "too many recursive expansions".into(),
                    &loc,
                ));
            }
        }
        NodeKind::Seq(items) => items
            .iter_mut()
            .for_each(|n| expand_node(n, env, diags, depth, budget)),
        NodeKind::Map(entries) => entries
            .iter_mut()
            .for_each(|(_, n)| expand_node(n, env, diags, depth, budget)),
        _ => {}
    }
}

const MAX_NESTING: usize = 32;

struct Ctx<'a, 'b> {
    env: &'a Env<'a>,
    loc: &'b Location,
    diags: &'b mut Vec<Diagnostic>,
    values: &'b mut Vec<(String, String)>,
}

/// What a reference expanded to.
enum Value {
    Text(String),
    /// A whole-value reference that decoded to something other than a string.
    Typed(NodeKind),
}

/// Expand one string value; `None` when nothing changed (or on error, already reported).
fn expand_value(s: &str, ctx: &mut Ctx<'_, '_>) -> Option<NodeKind> {
    let mut current = Value::Text(s.to_owned());
    let mut changed_any = false;
    for _ in 0..1000 {
        let next = match &current {
            Value::Text(t) => expand_once(t, ctx),
            // Strings inside a decoded list/map are expanded by the caller's later walk.
            Value::Typed(_) => Ok(None),
        };
        match next {
            Ok(Some(v)) => {
                current = v;
                changed_any = true;
            }
            Ok(None) => return changed_any.then(|| into_kind(current)),
            Err(msg) => {
                ctx.diags.push(expansion_error(msg, ctx.loc));
                return None;
            }
        }
    }
    ctx.diags.push(expansion_error(
        "too many recursive expansions".into(),
        ctx.loc,
    ));
    None
}

fn into_kind(v: Value) -> NodeKind {
    match v {
        Value::Text(t) => NodeKind::Str(t),
        Value::Typed(k) => k,
    }
}

/// One round: find the first expandable reference and replace it.
fn expand_once(s: &str, ctx: &mut Ctx<'_, '_>) -> Result<Option<Value>, String> {
    if !s.contains("${") || !s.contains('}') {
        return Ok(None);
    }
    let Some(uri) = find_uri(s) else {
        return Ok(None);
    };
    let retrieved = retrieve(uri, ctx)?;
    if uri == s {
        return Ok(Some(match retrieved {
            Retrieved::Text(t) => Value::Text(t),
            Retrieved::Yaml(kind, _) => Value::Typed(kind),
        }));
    }
    let text = match retrieved {
        Retrieved::Text(t) => t,
        Retrieved::Yaml(_, Some(raw)) => raw,
        Retrieved::Yaml(_, None) => {
            return Err(format!(
                "expanding {uri}: retrieved value does not have unambiguous string representation"
            ));
        }
    };
    let uses = s.matches(uri).count();
    let grown = (s.len() - uses * uri.len()).saturating_add(uses.saturating_mul(text.len()));
    if grown > MAX_VALUE_BYTES {
        return Err(format!(
            "expanding {uri}: the value grows past {} KiB (does a variable refer to itself?)",
            MAX_VALUE_BYTES >> 10
        ));
    }
    Ok(Some(Value::Text(s.replace(uri, &text))))
}

/// The first reference to expand, as upstream's `findURI` picks it: up to the first `}`,
/// from the last `${` before it; `None` if escaped by an odd run of `$`.
fn find_uri(input: &str) -> Option<&str> {
    let close = input.find('}')?;
    let Some(open) = input[..=close].rfind("${") else {
        let rest = &input[close + 1..];
        return if rest.contains('}') {
            find_uri(rest)
        } else {
            None
        };
    };
    let dollars = input[..open]
        .bytes()
        .rev()
        .take_while(|b| *b == b'$')
        .count();
    if dollars % 2 == 1 {
        return None;
    }
    Some(&input[open..=close])
}

/// A provider's answer: text (a YAML string, kept verbatim) or a decoded YAML value with its
/// text, when it has one.
enum Retrieved {
    Text(String),
    Yaml(NodeKind, Option<String>),
}

fn retrieve(reference: &str, ctx: &mut Ctx<'_, '_>) -> Result<Retrieved, String> {
    let inner = reference
        .get(2..reference.len().saturating_sub(1))
        .unwrap_or_default();
    let uri = if inner.contains(':') {
        inner.to_owned()
    } else {
        format!("env:{inner}")
    };
    let (scheme, opaque) = split_uri(&uri).ok_or_else(|| format!("invalid uri: {uri:?}"))?;
    if opaque.contains('$') {
        return Err(format!(
            "the uri {uri:?} contains unsupported characters ('$')"
        ));
    }
    match scheme {
        "env" => env_provider(opaque, ctx),
        "file" | "yaml" | "http" | "https" => Err(format!(
            "scheme {scheme:?} of uri {uri:?} is supported by the collector but not resolved by otelcheck"
        )),
        _ => Err(format!("scheme {scheme:?} is not supported for uri {uri:?}")),
    }
}

/// `scheme:opaque`, scheme = `[A-Za-z][A-Za-z0-9+.-]+` (at least two characters).
fn split_uri(uri: &str) -> Option<(&str, &str)> {
    let (scheme, opaque) = uri.split_once(':')?;
    let mut chars = scheme.chars();
    let ok = chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && scheme.len() >= 2
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '.' | '-'));
    ok.then_some((scheme, opaque))
}

fn env_provider(opaque: &str, ctx: &mut Ctx<'_, '_>) -> Result<Retrieved, String> {
    let (name, default) = match opaque.split_once(":-") {
        Some((n, d)) => (n, Some(d)),
        None => (opaque, None),
    };
    if !valid_env_name(name) {
        return Err(format!(
            "environment variable {name:?} has invalid name: must match regex ^[a-zA-Z_][a-zA-Z0-9_]*$"
        ));
    }
    let value = match (ctx.env.get(name), default) {
        (Some(v), _) => {
            ctx.values.push((format!("${{env:{name}}}"), v.to_owned()));
            v.to_owned()
        }
        (None, Some("")) => return Ok(Retrieved::Text(String::new())),
        (None, Some(d)) => d.to_owned(),
        (None, None) => {
            ctx.diags.push(unset_warning(name, ctx.loc));
            String::new()
        }
    };
    Ok(match resolve_env_yaml(&value) {
        NodeKind::Str(_) => Retrieved::Text(value),
        // Every value read from YAML keeps its text: an unset variable inside text is "".
        kind => Retrieved::Yaml(kind, Some(value)),
    })
}

fn valid_env_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// Values decoded from a variable get the position of the value that referenced it.
fn relocate(node: &mut Node, loc: &Location) {
    node.loc = loc.clone();
    match &mut node.kind {
        NodeKind::Seq(items) => items.iter_mut().for_each(|n| relocate(n, loc)),
        NodeKind::Map(entries) => entries.iter_mut().for_each(|(k, n)| {
            k.loc = loc.clone();
            relocate(n, loc);
        }),
        _ => {}
    }
}

/// `$$` → `$` in every string, after expansion.
fn unescape_dollars(node: &mut Node) {
    match &mut node.kind {
        NodeKind::Str(s) if s.contains("$$") => *s = s.replace("$$", "$"),
        NodeKind::Seq(items) => items.iter_mut().for_each(unescape_dollars),
        NodeKind::Map(entries) => entries.iter_mut().for_each(|(_, n)| unescape_dollars(n)),
        _ => {}
    }
}

fn unset_warning(name: &str, loc: &Location) -> Diagnostic {
    Diagnostic::warning(codes::UNSET_VARIABLE, format!("configuration references unset environment variable {name:?}"))
        .at(loc.clone())
        .with_help(format!(
            "set {name} in the environment or pass `--set {name}=VALUE`; as the whole value it becomes null, inside text an empty string"
        ))
}

fn expansion_error(msg: String, loc: &Location) -> Diagnostic {
    Diagnostic::error(
        codes::INVALID_CONFIG,
        format!("cannot resolve the configuration: {msg}"),
    )
    .at(loc.clone())
    .with_help(
        "write references as ${env:NAME} or ${env:NAME:-default}; escape a literal `$` as `$$`",
    )
}
