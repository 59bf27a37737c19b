//! A YAML document as a tree of [`Node`]s that remember where they came from.
//!
//! The collector merges several config files, expands `${env:VAR}` and only then decodes each
//! component. We do the same on this tree, so every value still knows its file, line and
//! column when a later stage complains about it. Parsing is done by `serde-saphyr`, whose
//! `Spanned<T>` gives us the positions.

use crate::diag::Location;
use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_saphyr::Spanned;
use std::fmt;
use std::sync::Arc;

/// One YAML value with its position.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    pub kind: NodeKind,
    pub loc: Location,
    /// For scalars written in the source: byte offset of the node in its file, used to map
    /// positions inside a string (an OTTL statement) back into the file.
    pub offset: Option<usize>,
    /// The string as written in the file, when `${...}` expansion changed it: reports show
    /// this text, never the expanded value.
    pub written: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum NodeKind {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    Seq(Vec<Node>),
    Map(Vec<(Key, Node)>),
}

/// A mapping key with its own position (diagnostics about unknown keys point at the key).
#[derive(Debug, Clone, PartialEq)]
pub struct Key {
    pub name: String,
    pub loc: Location,
}

impl Node {
    pub fn new(kind: NodeKind, loc: Location) -> Self {
        Self {
            kind,
            loc,
            offset: None,
            written: None,
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match &self.kind {
            NodeKind::Str(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_map(&self) -> Option<&[(Key, Node)]> {
        match &self.kind {
            NodeKind::Map(m) => Some(m),
            _ => None,
        }
    }

    pub fn as_seq(&self) -> Option<&[Node]> {
        match &self.kind {
            NodeKind::Seq(s) => Some(s),
            _ => None,
        }
    }

    pub fn is_null(&self) -> bool {
        matches!(self.kind, NodeKind::Null)
    }

    /// The value under `key` of a mapping node.
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.as_map()?
            .iter()
            .find(|(k, _)| k.name == key)
            .map(|(_, v)| v)
    }

    /// The key entry (with its position) under `key` of a mapping node.
    pub fn get_entry(&self, key: &str) -> Option<(&Key, &Node)> {
        self.as_map()?
            .iter()
            .find(|(k, _)| k.name == key)
            .map(|(k, v)| (k, v))
    }

    /// A short name of the node's YAML type, for "expected X, found Y" messages.
    pub fn type_name(&self) -> &'static str {
        match self.kind {
            NodeKind::Null => "null",
            NodeKind::Bool(_) => "a boolean",
            NodeKind::Int(_) => "an integer",
            NodeKind::Float(_) => "a number",
            NodeKind::Str(_) => "a string",
            NodeKind::Seq(_) => "a list",
            NodeKind::Map(_) => "a mapping",
        }
    }
}

/// Parse one YAML document. `file` names the source in locations.
///
/// An empty document yields a `Null` node. Errors carry serde-saphyr's message, which already
/// names the line and column.
pub fn parse_yaml(file: &Arc<str>, text: &str) -> Result<Node, String> {
    if text.trim().is_empty()
        || text
            .lines()
            .all(|l| l.trim().is_empty() || l.trim_start().starts_with('#'))
    {
        return Ok(Node::new(NodeKind::Null, Location::new(file.clone(), 1, 1)));
    }
    // The collector reads YAML with go-yaml v3: only true/false are booleans (`yes` stays a
    // string) and a leading 0 means octal (`010` is 8).
    let mut options = serde_saphyr::Options::default();
    options.strict_booleans = true;
    options.legacy_octal_numbers = true;
    // `.inf` / `-.inf` / `.nan` are valid YAML floats the collector accepts.
    options.non_finite_float_policy = serde_saphyr::NonFiniteFloatPolicy::PassThrough;
    let raw: Spanned<RawNode> = serde_saphyr::from_str_with_options(text, options)
        .map_err(|e| plain_budget_error(e.to_string()))?;
    Ok(raw_to_node(file, raw))
}

/// serde-saphyr reports its parse limits in Rust debug form (`budget breached: Depth { depth:
/// 65 }`); say what was exceeded in words instead.
fn plain_budget_error(message: String) -> String {
    const MARK: &str = "budget breached: ";
    let Some(at) = message.find(MARK) else {
        return message;
    };
    // Keep what comes before (serde-saphyr's `error: line L column C: `, read for the location).
    let (before, rest) = (&message[..at], &message[at + MARK.len()..]);
    let number = |s: &str| -> Option<u64> {
        let digits: String = s
            .chars()
            .skip_while(|c| !c.is_ascii_digit())
            .take_while(char::is_ascii_digit)
            .collect();
        digits.parse().ok()
    };
    match (rest.split_whitespace().next(), number(rest)) {
        (Some("Depth"), Some(depth)) => format!(
            "{before}nested more than {} levels deep (otelcheck's limit for a config)",
            depth.saturating_sub(1)
        ),
        _ => format!(
            "{before}too large for a collector config ({}: otelcheck's parser limit)",
            rest.trim()
        ),
    }
}

fn loc_of(file: &Arc<str>, l: &serde_saphyr::Location) -> Location {
    Location::new(file.clone(), l.line() as u32, l.column() as u32)
}

fn raw_to_node(file: &Arc<str>, raw: Spanned<RawNode>) -> Node {
    let loc = loc_of(file, &raw.referenced);
    let offset = raw.referenced.span().byte_offset().map(|o| o as usize);
    let kind = match raw.value {
        RawNode::Null => NodeKind::Null,
        RawNode::Bool(b) => NodeKind::Bool(b),
        RawNode::Int(i) => NodeKind::Int(i),
        RawNode::Float(f) => NodeKind::Float(f),
        RawNode::Str(s) => NodeKind::Str(s),
        RawNode::Seq(items) => {
            NodeKind::Seq(items.into_iter().map(|i| raw_to_node(file, i)).collect())
        }
        RawNode::Map(entries) => NodeKind::Map(
            entries
                .into_iter()
                .map(|(k, v)| {
                    (
                        Key {
                            name: k.value,
                            loc: loc_of(file, &k.referenced),
                        },
                        raw_to_node(file, v),
                    )
                })
                .collect(),
        ),
    };
    Node {
        kind,
        loc,
        offset,
        written: None,
    }
}

/// What serde-saphyr hands us; positions come from the `Spanned` wrappers around it.
enum RawNode {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    Seq(Vec<Spanned<RawNode>>),
    Map(Vec<(Spanned<String>, Spanned<RawNode>)>),
}

impl<'de> Deserialize<'de> for RawNode {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(RawVisitor)
    }
}

struct RawVisitor;

impl<'de> Visitor<'de> for RawVisitor {
    type Value = RawNode;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any YAML value")
    }
    fn visit_unit<E>(self) -> Result<RawNode, E> {
        Ok(RawNode::Null)
    }
    fn visit_none<E>(self) -> Result<RawNode, E> {
        Ok(RawNode::Null)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<RawNode, D::Error> {
        RawNode::deserialize(d)
    }
    fn visit_bool<E>(self, v: bool) -> Result<RawNode, E> {
        Ok(RawNode::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<RawNode, E> {
        Ok(RawNode::Int(v))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<RawNode, E> {
        i64::try_from(v)
            .map(RawNode::Int)
            .or(Ok(RawNode::Float(v as f64)))
    }
    fn visit_i128<E: de::Error>(self, v: i128) -> Result<RawNode, E> {
        i64::try_from(v)
            .map(RawNode::Int)
            .or(Ok(RawNode::Float(v as f64)))
    }
    fn visit_u128<E: de::Error>(self, v: u128) -> Result<RawNode, E> {
        i64::try_from(v)
            .map(RawNode::Int)
            .or(Ok(RawNode::Float(v as f64)))
    }
    fn visit_f64<E>(self, v: f64) -> Result<RawNode, E> {
        Ok(RawNode::Float(v))
    }
    fn visit_str<E>(self, v: &str) -> Result<RawNode, E> {
        Ok(RawNode::Str(v.to_owned()))
    }
    fn visit_string<E>(self, v: String) -> Result<RawNode, E> {
        Ok(RawNode::Str(v))
    }
    fn visit_bytes<E>(self, v: &[u8]) -> Result<RawNode, E> {
        Ok(RawNode::Str(String::from_utf8_lossy(v).into_owned()))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<RawNode, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element()? {
            items.push(item);
        }
        Ok(RawNode::Seq(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<RawNode, A::Error> {
        let mut entries: Vec<(Spanned<String>, Spanned<RawNode>)> = Vec::new();
        while let Some(key) = map.next_key::<Spanned<KeyString>>()? {
            let value = map.next_value()?;
            let key = Spanned::new(key.value.0, key.referenced, key.defined);
            entries.push((key, value));
        }
        Ok(RawNode::Map(entries))
    }
}

/// Map keys: collector configs use strings, but YAML allows `1:` or `true:`; take their text.
struct KeyString(String);

impl<'de> Deserialize<'de> for KeyString {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = KeyString;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a mapping key")
            }
            fn visit_str<E>(self, v: &str) -> Result<KeyString, E> {
                Ok(KeyString(v.to_owned()))
            }
            fn visit_bool<E>(self, v: bool) -> Result<KeyString, E> {
                Ok(KeyString(v.to_string()))
            }
            fn visit_i64<E>(self, v: i64) -> Result<KeyString, E> {
                Ok(KeyString(v.to_string()))
            }
            fn visit_u64<E>(self, v: u64) -> Result<KeyString, E> {
                Ok(KeyString(v.to_string()))
            }
            fn visit_f64<E>(self, v: f64) -> Result<KeyString, E> {
                Ok(KeyString(v.to_string()))
            }
            fn visit_unit<E>(self) -> Result<KeyString, E> {
                Ok(KeyString(String::new()))
            }
        }
        d.deserialize_any(V)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_positions_and_types() {
        let f: Arc<str> = "c.yaml".into();
        let n = parse_yaml(&f, "a:\n  b: 5\n  c: \"x\"\n  d: [1, 2.5, true, ~]\n").unwrap();
        let a = n.get("a").unwrap();
        assert_eq!(a.get("b").unwrap().kind, NodeKind::Int(5));
        let c = a.get("c").unwrap();
        assert_eq!(c.kind, NodeKind::Str("x".into()));
        assert_eq!((c.loc.line, c.loc.column), (3, 6));
        let (k, _) = a.get_entry("d").unwrap();
        assert_eq!((k.loc.line, k.loc.column), (4, 3));
        let d = a.get("d").unwrap().as_seq().unwrap();
        assert_eq!(d[1].kind, NodeKind::Float(2.5));
        assert_eq!(d[3].kind, NodeKind::Null);
    }

    #[test]
    fn reads_scalars_like_go_yaml_v3() {
        let f: Arc<str> = "c.yaml".into();
        let n = parse_yaml(&f, "a: yes\nb: 010\nc: on\nn: 1\n").unwrap();
        assert_eq!(n.get("a").unwrap().kind, NodeKind::Str("yes".into()));
        assert_eq!(n.get("b").unwrap().kind, NodeKind::Int(8));
        assert_eq!(n.get("c").unwrap().kind, NodeKind::Str("on".into()));
        assert!(n.get("n").is_some());
    }
}
