//! A small decoding layer over [`Node`] that behaves like the collector's `mapstructure`
//! decoder (`confmap.Decode`): unknown keys are errors (`ErrorUnused`), types are strict
//! (`WeaklyTypedInput: false`), except for the hooks the collector installs — a string where a
//! list of strings is expected is split on `,`, and `null` means "not set".
//!
//! Every problem becomes an `invalid-setting` [`Diagnostic`] that points at the offending key or
//! value and says how to fix it. Decoding never stops at the first problem: callers get `None`
//! for a bad field and carry on, so one run reports everything.

use super::OttlSource;
use crate::capture::model::{AnyValue, Attributes};
use crate::config::node::{Key, Node, NodeKind};
use crate::diag::{codes, Diagnostic, Location};

/// Collects diagnostics while a processor's settings are decoded.
#[derive(Debug, Default)]
pub struct Decoder {
    pub diags: Vec<Diagnostic>,
}

/// A mapping whose keys were checked against the fields a struct knows.
pub struct Fields<'a> {
    entries: &'a [(Key, Node)],
    /// The mapstructure-style path of this mapping (`actions[0]`), empty at the top.
    pub path: String,
    pub loc: Location,
}

impl<'a> Fields<'a> {
    /// The value under `key`, unless it is absent or `null` (mapstructure leaves the field unset).
    pub fn get(&self, key: &str) -> Option<&'a Node> {
        self.entry(key).map(|(_, v)| v).filter(|v| !v.is_null())
    }

    /// The key and value under `key`, even when the value is `null`.
    pub fn entry(&self, key: &str) -> Option<(&'a Key, &'a Node)> {
        self.entries
            .iter()
            .find(|(k, _)| k.name == key)
            .map(|(k, v)| (k, v))
    }

    /// The path of a field of this mapping, as mapstructure prints it.
    pub fn child(&self, key: &str) -> String {
        join(&self.path, key)
    }
}

/// `a` + `b` joined with a dot, as in `metrics.include`.
pub fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_owned()
    } else {
        format!("{path}.{key}")
    }
}

/// What a mapstructure error calls the type of a YAML node.
fn go_kind(node: &Node) -> &'static str {
    match node.kind {
        NodeKind::Null => "nil",
        NodeKind::Bool(_) => "bool",
        NodeKind::Int(_) => "int",
        NodeKind::Float(_) => "float64",
        NodeKind::Str(_) => "string",
        NodeKind::Seq(_) => "slice",
        NodeKind::Map(_) => "map",
    }
}

impl Decoder {
    pub fn new() -> Self {
        Self::default()
    }

    /// Record an `invalid-setting` error at `loc` with a hint.
    pub fn error(&mut self, loc: &Location, message: impl Into<String>, help: impl Into<String>) {
        let d = Diagnostic::error(codes::INVALID_SETTING, message)
            .at(loc.clone())
            .with_help(help);
        self.diags.push(d);
    }

    /// Record an `invalid-setting` warning (a problem the collector only finds at start).
    pub fn warning(&mut self, loc: &Location, message: impl Into<String>, help: impl Into<String>) {
        let d = Diagnostic::warning(codes::INVALID_SETTING, message)
            .at(loc.clone())
            .with_help(help);
        self.diags.push(d);
    }

    /// True when an error has been recorded since `mark` (a previous `diags.len()`).
    pub fn failed_since(&self, mark: usize) -> bool {
        self.diags
            .iter()
            .skip(mark)
            .any(|d| d.severity == crate::diag::Severity::Error)
    }

    /// Check that `node` is a mapping (or `null`, an empty one) with only `known` keys.
    pub fn fields<'a>(&mut self, node: &'a Node, path: &str, known: &[&str]) -> Option<Fields<'a>> {
        let entries: &'a [(Key, Node)] = match &node.kind {
            NodeKind::Map(m) => m,
            NodeKind::Null => &[],
            _ => {
                let msg = format!("'{path}' expected a map, got '{}'", go_kind(node));
                self.error(
                    &node.loc,
                    msg,
                    format!("write `{}` as a mapping of keys to values", leaf(path)),
                );
                return None;
            }
        };
        let unknown: Vec<&Key> = entries
            .iter()
            .map(|(k, _)| k)
            .filter(|k| !known.contains(&k.name.as_str()))
            .collect();
        if !unknown.is_empty() {
            let names: Vec<&str> = unknown.iter().map(|k| k.name.as_str()).collect();
            let msg = if path.is_empty() {
                format!("has invalid keys: {}", names.join(", "))
            } else {
                format!("'{path}' has invalid keys: {}", names.join(", "))
            };
            for k in unknown {
                self.error(&k.loc, msg.clone(), unknown_key_help(&k.name, known));
            }
        }
        Some(Fields {
            entries,
            path: path.to_owned(),
            loc: node.loc.clone(),
        })
    }

    /// A string field. Like mapstructure without weak typing, a number or bool is refused.
    pub fn string(&mut self, node: &Node, path: &str) -> Option<String> {
        match &node.kind {
            NodeKind::Str(s) => Some(s.clone()),
            NodeKind::Null => Some(String::new()),
            _ => {
                self.type_error(node, path, "string");
                None
            }
        }
    }

    pub fn boolean(&mut self, node: &Node, path: &str) -> Option<bool> {
        match node.kind {
            NodeKind::Bool(b) => Some(b),
            NodeKind::Null => Some(false),
            _ => {
                self.type_error(node, path, "bool");
                None
            }
        }
    }

    /// A signed integer field (Go `int`/`int64`). mapstructure does not convert a float64.
    pub fn int(&mut self, node: &Node, path: &str) -> Option<i64> {
        match node.kind {
            NodeKind::Int(i) => Some(i),
            NodeKind::Null => Some(0),
            _ => {
                self.type_error(node, path, "int");
                None
            }
        }
    }

    /// An unsigned integer field no larger than `max` (Go `uint32`/`uint64`).
    pub fn uint(&mut self, node: &Node, path: &str, max: u64) -> Option<u64> {
        let i = self.int(node, path)?;
        match u64::try_from(i) {
            Ok(u) if u <= max => Some(u),
            _ => {
                let msg = format!("cannot parse '{path}', {i} overflows uint");
                self.error(
                    &node.loc,
                    msg,
                    format!("`{}` must be a whole number from 0 to {max}", leaf(path)),
                );
                None
            }
        }
    }

    /// A float field: mapstructure accepts integers here.
    pub fn float(&mut self, node: &Node, path: &str) -> Option<f64> {
        match node.kind {
            NodeKind::Float(f) => Some(f),
            NodeKind::Int(i) => Some(i as f64),
            NodeKind::Null => Some(0.0),
            _ => {
                self.type_error(node, path, "float64");
                None
            }
        }
    }

    /// A sequence field. `null` is an empty list.
    pub fn seq<'a>(&mut self, node: &'a Node, path: &str) -> Option<&'a [Node]> {
        match &node.kind {
            NodeKind::Seq(items) => Some(items),
            NodeKind::Null => Some(&[]),
            _ => {
                let msg = format!(
                    "'{path}': source data must be an array or slice, got {}",
                    go_kind(node)
                );
                self.error(
                    &node.loc,
                    msg,
                    format!(
                        "expected a list, found {}: write `{}` as a YAML list",
                        node.type_name(),
                        leaf(path)
                    ),
                );
                None
            }
        }
    }

    /// A `[]string` field. A single string is split on `,` (the collector's
    /// `StringToSliceHookFunc`); every item keeps its node.
    pub fn strings(&mut self, node: &Node, path: &str) -> Option<Vec<(String, Node)>> {
        if let NodeKind::Str(s) = &node.kind {
            if s.is_empty() {
                return Some(Vec::new());
            }
            return Some(s.split(',').map(|p| (p.to_owned(), node.clone())).collect());
        }
        let items = self.seq(node, path)?;
        let mut out = Vec::with_capacity(items.len());
        let mut ok = true;
        for (i, item) in items.iter().enumerate() {
            match self.string(item, &format!("{path}[{i}]")) {
                Some(s) => out.push((s, item.clone())),
                None => ok = false,
            }
        }
        ok.then_some(out)
    }

    /// A list of OTTL strings, kept with their nodes for the OTTL stage.
    pub fn ottl_list(&mut self, node: &Node, path: &str) -> Option<Vec<OttlSource>> {
        let items = self.strings(node, path)?;
        Some(
            items
                .into_iter()
                .map(|(text, node)| OttlSource { text, node })
                .collect(),
        )
    }

    /// Compile a Go RE2 pattern with the `regex` crate (the syntaxes agree on what configs use).
    pub fn regex(
        &mut self,
        pattern: &str,
        node: &Node,
        message: impl FnOnce(&str) -> String,
    ) -> Option<regex::Regex> {
        match crate::ottl::runtime::re2::build(pattern) {
            Ok(re) => Some(re),
            Err(e) => {
                let reason = super::matching::go_regex_error(pattern, &e);
                self.error(
                    &node.loc,
                    message(&reason),
                    "fix the regular expression (Go RE2 syntax)",
                );
                None
            }
        }
    }

    fn type_error(&mut self, node: &Node, path: &str, want: &str) {
        let shown = scalar_text(node);
        let msg = format!(
            "'{path}' expected type '{want}', got unconvertible type '{}', value: '{shown}'",
            go_kind(node)
        );
        let help = match want {
            "string" => format!(
                "quote the value of `{}` so YAML reads it as a string",
                leaf(path)
            ),
            "[]string" => format!("expected a list, found {}", node.type_name()),
            _ => format!(
                "`{}` must be {}, found {}",
                leaf(path),
                article(want),
                node.type_name()
            ),
        };
        self.error(&node.loc, msg, help);
    }
}

/// Convert a YAML value as `pcommon.Value.FromRaw` would (used for attribute values).
pub fn any_value(node: &Node) -> AnyValue {
    match &node.kind {
        NodeKind::Null => AnyValue::Empty,
        NodeKind::Bool(b) => AnyValue::Bool(*b),
        NodeKind::Int(i) => AnyValue::Int(*i),
        NodeKind::Float(f) => AnyValue::Double(*f),
        NodeKind::Str(s) => AnyValue::Str(s.as_str().into()),
        NodeKind::Seq(items) => AnyValue::Slice(items.iter().map(any_value).collect()),
        NodeKind::Map(entries) => AnyValue::Map(Attributes::from_pairs(
            entries
                .iter()
                .map(|(k, v)| (crate::capture::model::Key::of(&k.name), any_value(v)))
                .collect(),
        )),
    }
}

/// `did you mean "x"?` plus the list of valid keys.
pub fn unknown_key_help(name: &str, known: &[&str]) -> String {
    let best = known
        .iter()
        .map(|k| (strsim::jaro_winkler(name, k), *k))
        .filter(|(score, _)| *score >= 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0));
    let list = known.join(", ");
    match best {
        Some((_, k)) => format!("did you mean \"{k}\"? valid keys: {list}"),
        None => format!("remove the key; valid keys: {list}"),
    }
}

fn leaf(path: &str) -> &str {
    path.rsplit('.').next().unwrap_or(path)
}

fn article(want: &str) -> String {
    match want {
        "int" => "an integer".to_owned(),
        "bool" => "true or false".to_owned(),
        "float64" => "a number".to_owned(),
        other => format!("a {other}"),
    }
}

fn scalar_text(node: &Node) -> String {
    // A value `${env:...}` produced is shown as written: the reference, never the value.
    if let Some(written) = &node.written {
        return written.clone();
    }
    match &node.kind {
        NodeKind::Bool(b) => b.to_string(),
        NodeKind::Int(i) => i.to_string(),
        NodeKind::Float(f) => f.to_string(),
        NodeKind::Str(s) => s.clone(),
        NodeKind::Null => String::new(),
        NodeKind::Seq(_) => "[...]".to_owned(),
        NodeKind::Map(_) => "map[...]".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::node::parse_yaml;
    use std::sync::Arc;

    fn yaml(text: &str) -> Node {
        let f: Arc<str> = "t.yaml".into();
        parse_yaml(&f, text).unwrap()
    }

    #[test]
    fn unknown_key_names_the_closest_valid_key() {
        let n = yaml("matchtype: strict\nservices: [a]\n");
        let mut d = Decoder::new();
        d.fields(&n, "include", &["match_type", "services"]);
        assert_eq!(d.diags.len(), 1);
        assert_eq!(d.diags[0].message, "'include' has invalid keys: matchtype");
        assert!(d.diags[0]
            .help
            .as_deref()
            .unwrap()
            .starts_with("did you mean \"match_type\"?"));
        assert_eq!(
            d.diags[0].location.as_ref().map(|l| (l.line, l.column)),
            Some((1, 1))
        );
    }

    #[test]
    fn string_splits_into_a_list_but_int_is_not_a_string() {
        let n = yaml("a: x,y\nb: 5\nc: {k: v}\n");
        let mut d = Decoder::new();
        let a = d.strings(n.get("a").unwrap(), "a").unwrap();
        assert_eq!(
            a.iter().map(|(s, _)| s.as_str()).collect::<Vec<_>>(),
            ["x", "y"]
        );
        assert!(d.string(n.get("b").unwrap(), "b").is_none());
        assert!(d.diags[0]
            .message
            .contains("expected type 'string', got unconvertible type 'int'"));
        assert!(d.strings(n.get("c").unwrap(), "c").is_none());
        assert!(d.diags[1]
            .help
            .as_deref()
            .unwrap()
            .starts_with("expected a list, found a mapping"));
    }
}
