//! Read config files, merge them in order and expand `${...}` references, keeping every
//! value's file position.
//!
//! The collector resolves a config the same way: each `--config` source is parsed, the maps
//! are merged (later files win: maps merge key by key, anything else — scalars, lists, null —
//! replaces), and only then are references expanded. Anything that stops us from producing a
//! tree is an `Err` (exit 2): a missing file, broken YAML, a document that is not a mapping, a
//! reference the collector cannot resolve, or YAML that is not a collector config at all.

use super::expand::{expand_tree, Env};
use super::node::{parse_yaml, Key, Node, NodeKind};
use crate::diag::{codes, Diagnostic, Location, SourceMap};
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;

/// Where variable values come from.
#[derive(Debug, Clone, Default)]
pub struct LoadOptions {
    /// `--set VAR=value`; wins over the environment.
    pub sets: Vec<(String, String)>,
    /// The environment; callers pass `std::env::vars()`, tests inject their own.
    pub env: HashMap<String, String>,
}

/// The merged, expanded config and what loading it noticed.
#[derive(Debug, Clone)]
pub struct LoadedConfig {
    pub files: Vec<Arc<str>>,
    pub sources: SourceMap,
    /// Merged and expanded; always a mapping.
    pub root: Node,
    /// Problems that do not stop the run (unset variables).
    pub warnings: Vec<Diagnostic>,
    /// `(reference, value)` of every variable expansion, so reports can mask the values.
    pub expanded_values: Vec<(String, String)>,
}

/// The top-level keys of a collector config.
pub const TOP_LEVEL_KEYS: &[&str] = &[
    "receivers",
    "processors",
    "exporters",
    "connectors",
    "extensions",
    "service",
];

/// Load and merge `paths` in order.
/// The largest config file otelcheck reads. Real collector configs are kilobytes; a bound keeps
/// a mistaken argument (a 2 GiB file, a device) from exhausting memory.
pub const MAX_CONFIG_BYTES: u64 = 64 << 20;

/// Read a config's text from `input`, refusing more than [`MAX_CONFIG_BYTES`].
pub fn read_bounded(input: impl std::io::Read) -> std::io::Result<String> {
    let mut text = String::new();
    std::io::Read::read_to_string(&mut input.take(MAX_CONFIG_BYTES + 1), &mut text)?;
    if text.len() as u64 > MAX_CONFIG_BYTES {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            format!(
                "larger than {} MiB: that is not a collector config",
                MAX_CONFIG_BYTES >> 20
            ),
        ));
    }
    Ok(text)
}

/// [`read_bounded`] on the file at `path`.
pub fn read_config_file(path: &std::path::Path) -> std::io::Result<String> {
    read_bounded(std::fs::File::open(path)?)
}

pub fn load_configs(
    paths: &[PathBuf],
    opts: &LoadOptions,
) -> Result<LoadedConfig, Vec<Diagnostic>> {
    let mut docs = Vec::new();
    let mut errors = Vec::new();
    for path in paths {
        let name: Arc<str> = path.display().to_string().into();
        match read_config_file(path) {
            Ok(text) => docs.push((name, text)),
            Err(e) => errors.push(
                Diagnostic::error(
                    codes::INVALID_CONFIG,
                    format!("cannot read config file {name}: {e}"),
                )
                .at(Location::new(name.clone(), 1, 1))
                .with_help("check the path and that the file is readable"),
            ),
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    load_docs(docs, opts)
}

/// Load one config given as text; `name` is used in locations.
pub fn load_config_str(
    name: &str,
    text: &str,
    opts: &LoadOptions,
) -> Result<LoadedConfig, Vec<Diagnostic>> {
    load_docs(vec![(name.into(), text.to_owned())], opts)
}

/// Load several configs given as (name, text), merged in order.
pub fn load_config_strs(
    docs: &[(&str, &str)],
    opts: &LoadOptions,
) -> Result<LoadedConfig, Vec<Diagnostic>> {
    load_docs(
        docs.iter()
            .map(|(n, t)| (Arc::from(*n), (*t).to_owned()))
            .collect(),
        opts,
    )
}

fn load_docs(
    docs: Vec<(Arc<str>, String)>,
    opts: &LoadOptions,
) -> Result<LoadedConfig, Vec<Diagnostic>> {
    if docs.is_empty() {
        return Err(vec![Diagnostic::error(
            codes::INVALID_CONFIG,
            "no config file given",
        )
        .with_help("pass at least one collector config file")]);
    }
    let mut sources = SourceMap::default();
    let mut files = Vec::new();
    let mut errors = Vec::new();
    let mut root: Option<Node> = None;
    for (name, text) in docs {
        match parse_document(&name, &text) {
            Ok(doc) => root = Some(merge_opt(root, doc)),
            Err(d) => errors.push(*d),
        }
        sources.insert(name.clone(), text);
        files.push(name);
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let first = files.first().cloned().unwrap_or_else(|| Arc::from(""));
    let mut root = root.unwrap_or_else(|| {
        Node::new(
            NodeKind::Map(Vec::new()),
            Location::new(first.clone(), 1, 1),
        )
    });
    check_is_collector_config(&root, &first)?;
    let mut diags = Vec::new();
    let expanded_values = expand_tree(
        &mut root,
        &Env {
            sets: &opts.sets,
            vars: &opts.env,
        },
        &mut diags,
    );
    let (errors, warnings): (Vec<_>, Vec<_>) = diags
        .into_iter()
        .partition(|d| d.severity == crate::diag::Severity::Error);
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(LoadedConfig {
        files,
        sources,
        root,
        warnings,
        expanded_values,
    })
}

/// Parse one file: a mapping, or an empty document (an empty mapping).
fn parse_document(name: &Arc<str>, text: &str) -> Result<Node, Box<Diagnostic>> {
    let node = parse_yaml(name, text).map_err(|msg| Box::new(yaml_error(name, &msg)))?;
    match node.kind {
        NodeKind::Map(_) => Ok(node),
        NodeKind::Null => Ok(Node::new(NodeKind::Map(Vec::new()), node.loc)),
        _ => Err(Box::new(Diagnostic::error(
            codes::INVALID_CONFIG,
            format!("retrieved value (type={}) cannot be used as a collector config", node.type_name()),
        )
        .at(node.loc)
        .with_help("a collector config is a YAML mapping with receivers, processors, exporters and service"))),
    }
}

/// serde-saphyr's message starts `error: line L column C: what`; keep the position as a
/// location and the first line as the message.
fn yaml_error(name: &Arc<str>, msg: &str) -> Diagnostic {
    let first = msg.lines().next().unwrap_or(msg);
    let first = first.strip_prefix("error: ").unwrap_or(first);
    let (loc, what) = parse_line_column(first)
        .map(|(l, c, rest)| (Location::new(name.clone(), l, c), rest))
        .unwrap_or_else(|| (Location::new(name.clone(), 1, 1), first));
    let (what, help) = plain_yaml_reason(what);
    Diagnostic::error(codes::INVALID_CONFIG, format!("invalid YAML: {what}"))
        .at(loc)
        .with_help(help)
}

/// The YAML library's wording names its own API ("set DuplicateKeyPolicy in Options", "use
/// from_str_multiple"), which means nothing to a user: say what is wrong with the file.
fn plain_yaml_reason(what: &str) -> (String, &'static str) {
    if let Some(rest) = what.strip_prefix("duplicate mapping key: ") {
        let key = rest
            .split(", set DuplicateKeyPolicy")
            .next()
            .unwrap_or(rest);
        return (
            format!("duplicate key `{key}`: it appears twice in the same mapping"),
            "keep one of the two keys; the collector refuses a config with a repeated key",
        );
    }
    if what.starts_with("multiple YAML documents detected") {
        return (
            "the file holds several YAML documents (separated by `---`)".to_owned(),
            "a collector config is one YAML document; merge them, or pass each as its own --config",
        );
    }
    (what.to_owned(), "fix the YAML syntax at this position")
}

fn parse_line_column(s: &str) -> Option<(u32, u32, &str)> {
    let rest = s.strip_prefix("line ")?;
    let (line, rest) = rest.split_once(" column ")?;
    let (col, what) = rest.split_once(": ")?;
    Some((line.trim().parse().ok()?, col.trim().parse().ok()?, what))
}

/// Merged config with nothing a collector would read is somebody else's YAML (a Kubernetes
/// manifest, a compose file); an empty one is upstream's "empty configuration file".
fn check_is_collector_config(root: &Node, first: &Arc<str>) -> Result<(), Vec<Diagnostic>> {
    let entries = root.as_map().unwrap_or_default();
    if entries.is_empty() {
        return Err(vec![Diagnostic::error(
            codes::INVALID_CONFIG,
            "empty configuration file",
        )
        .at(Location::new(first.clone(), 1, 1))
        .with_help(
            "give a collector config with receivers, exporters and service.pipelines",
        )]);
    }
    if entries
        .iter()
        .any(|(k, _)| TOP_LEVEL_KEYS.contains(&k.name.as_str()))
    {
        return Ok(());
    }
    let keys: Vec<&str> = entries.iter().map(|(k, _)| k.name.as_str()).collect();
    let loc = entries
        .first()
        .map(|(k, _)| k.loc.clone())
        .unwrap_or_else(|| root.loc.clone());
    Err(vec![Diagnostic::error(
        codes::INVALID_CONFIG,
        format!("not a collector config: 'otelcol.configSettings' has invalid keys: {}", keys.join(", ")),
    )
    .at(loc)
    .with_help("a collector config has top-level receivers, processors, exporters, connectors, extensions and service")])
}

fn merge_opt(base: Option<Node>, over: Node) -> Node {
    match base {
        Some(b) => merge(b, over),
        None => over,
    }
}

/// Deep merge: both maps → key by key; otherwise the later value wins.
pub fn merge(base: Node, over: Node) -> Node {
    match (base.kind, over.kind) {
        (NodeKind::Map(mut entries), NodeKind::Map(over_entries)) => {
            for (key, value) in over_entries {
                merge_entry(&mut entries, key, value);
            }
            Node {
                kind: NodeKind::Map(entries),
                loc: base.loc,
                offset: base.offset,
                written: base.written,
            }
        }
        (_, kind) => Node { kind, ..over },
    }
}

fn merge_entry(entries: &mut Vec<(Key, Node)>, key: Key, value: Node) {
    match entries.iter_mut().find(|(k, _)| k.name == key.name) {
        Some(slot) => {
            let old = std::mem::replace(&mut slot.1, Node::new(NodeKind::Null, value.loc.clone()));
            let both_maps = old.as_map().is_some() && value.as_map().is_some();
            slot.1 = merge(old, value);
            if !both_maps {
                // The replaced value now comes from the later file: point its key there too.
                slot.0 = key;
            }
        }
        None => entries.push((key, value)),
    }
}
