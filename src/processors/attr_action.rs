//! The attribute actions of `internal/coreinternal/attraction` (contrib v0.156.0), shared by the
//! `attributes` processor (span attributes) and the `resource` processor (resource attributes).
//!
//! Actions run in list order on one attribute map, each seeing the previous one's result, as
//! `AttrProc.Process` does. Every change is handed to a recorder as an [`Edit`] whose protected
//! values (what a delete removes, what a hash replaces, what an update/upsert overwrites) are
//! masked right here, unless the run reveals. Map order follows pdata: `Remove` moves the last
//! entry into the freed slot, `RemoveIf` (pattern delete) keeps order, `Put*` appends.
//!
//! `from_context` reads the request's client metadata (`client.address`, `metadata.*`, `auth.*`),
//! which a capture file does not hold: such an action finds no value and falls through to
//! `from_attribute`/`default_value`, exactly as upstream does for a request without that
//! metadata. [`context_unknown`] lets the report say so.

use sha2::{Digest, Sha256};

use super::api::{DropLevel, Edit, Recorded, RuleAction, RuleInfo};
use crate::capture::model::{AnyValue, Attributes, Key};
use crate::config::node::{Node, NodeKind};
use crate::config::settings::actions::{Action, ActionKind, ConvertedType};
use crate::diag::{codes, Diagnostic, Location};
use crate::ottl::runtime::{AttrScope, ReadKey};

/// One change, by the action (its index in the list) that made it.
pub struct Change {
    pub action: usize,
    pub edit: Edit,
}

/// Run every action on `attrs`; changes are pushed to `out` in the order they happened.
pub fn apply(
    actions: &[Action],
    attrs: &mut Attributes,
    level: DropLevel,
    reveal: bool,
    out: &mut Vec<Change>,
) {
    for (i, a) in actions.iter().enumerate() {
        let mut rec = |field: &str, before: Recorded, after: Recorded| {
            if before != after {
                out.push(Change {
                    action: i,
                    edit: Edit {
                        level,
                        field: field_name(field),
                        before,
                        after,
                    },
                });
            }
        };
        let Some(kind) = a.action else { continue };
        match kind {
            ActionKind::Delete => delete(a, attrs, reveal, &mut rec),
            ActionKind::Insert | ActionKind::Update | ActionKind::Upsert => {
                let Some(v) = source_value(a, attrs) else {
                    continue;
                };
                let existing = attrs.get(&a.key).cloned();
                let write = match kind {
                    ActionKind::Insert => existing.is_none(),
                    ActionKind::Update => existing.is_some(),
                    _ => true,
                };
                if write {
                    let before = Recorded::protected(existing.as_ref(), reveal);
                    rec(&a.key, before, Recorded::Shown(v.clone()));
                    attrs.upsert(Key::of(&a.key), v);
                }
            }
            ActionKind::Hash => hash_action(a, attrs, reveal, &mut rec),
            ActionKind::Extract => extract(a, attrs, reveal, &mut rec),
            ActionKind::Convert => {
                let (Some(to), Some(v)) = (a.converted_type, attrs.get_mut(&a.key)) else {
                    continue;
                };
                let before = v.clone();
                *v = convert(before.clone(), to);
                let after = v.clone();
                // A convert changes the representation, not the secret: both sides shown.
                if !same(&before, &after) {
                    rec(&a.key, Recorded::Shown(before), Recorded::Shown(after));
                }
            }
        }
    }
}

type Rec<'a> = dyn FnMut(&str, Recorded, Recorded) + 'a;

fn delete(a: &Action, attrs: &mut Attributes, reveal: bool, rec: &mut Rec<'_>) {
    if let Some(old) = remove_swap(attrs, &a.key) {
        rec(
            &a.key,
            Recorded::protected(Some(&old), reveal),
            Recorded::Absent,
        );
    }
    if let Some(re) = &a.regex {
        let mut kept = Vec::with_capacity(attrs.len());
        for (k, v) in attrs.entries() {
            if re.is_match(k.as_str()) {
                rec(
                    k.as_str(),
                    Recorded::protected(Some(v), reveal),
                    Recorded::Absent,
                );
            } else {
                kept.push((*k, v.clone()));
            }
        }
        if kept.len() != attrs.len() {
            *attrs = Attributes::from_pairs(kept);
        }
    }
}

/// pdata `Map.Remove`: the last entry takes the removed one's place.
fn remove_swap(attrs: &mut Attributes, key: &str) -> Option<AnyValue> {
    let idx = attrs
        .entries()
        .iter()
        .position(|(k, _)| k.as_str() == key)?;
    let mut pairs = attrs.entries().to_vec();
    let (_, old) = pairs.swap_remove(idx);
    *attrs = Attributes::from_pairs(pairs);
    Some(old)
}

fn hash_action(a: &Action, attrs: &mut Attributes, reveal: bool, rec: &mut Rec<'_>) {
    if let Some(v) = attrs.get_mut(&a.key) {
        let before = Recorded::protected(Some(v), reveal);
        *v = AnyValue::Str(hash_value(v).into());
        rec(&a.key, before, Recorded::Shown(v.clone()));
    }
    // A key named by `key` that also matches `pattern` is hashed a second time, as upstream.
    if let Some(re) = &a.regex {
        let keys: Vec<Key> = attrs
            .entries()
            .iter()
            .filter(|(k, _)| re.is_match(k.as_str()))
            .map(|(k, _)| *k)
            .collect();
        for k in keys {
            if let Some(v) = attrs.get_mut(k.as_str()) {
                let before = Recorded::protected(Some(v), reveal);
                *v = AnyValue::Str(hash_value(v).into());
                rec(k.as_str(), before, Recorded::Shown(v.clone()));
            }
        }
    }
}

/// `sha2Hasher`: lowercase hex SHA-256 of the value's bytes (string: UTF-8; bool: one byte;
/// int: 8 bytes little-endian; double: its IEEE-754 bits little-endian). Other types (bytes,
/// map, slice, empty) hash nothing and become the empty string.
pub fn hash_value(v: &AnyValue) -> String {
    let bytes: Vec<u8> = match v {
        AnyValue::Str(s) => s.as_bytes().to_vec(),
        AnyValue::Bool(b) => vec![u8::from(*b)],
        AnyValue::Int(i) => i.to_le_bytes().to_vec(),
        AnyValue::Double(d) => d.to_bits().to_le_bytes().to_vec(),
        _ => return String::new(),
    };
    hex::encode(Sha256::digest(&bytes))
}

fn extract(a: &Action, attrs: &mut Attributes, reveal: bool, rec: &mut Rec<'_>) {
    let (Some(re), Some(AnyValue::Str(text))) = (&a.regex, attrs.get(&a.key)) else {
        return;
    };
    let text = text.clone();
    let Some(caps) = re.captures(&text) else {
        return;
    };
    for (i, name) in re.capture_names().enumerate().skip(1) {
        let name = name.map_or("", crate::ottl::runtime::re2::capture_name);
        let got = caps.get(i).map_or("", |m| m.as_str());
        let new = AnyValue::Str(got.into());
        let before = attrs.get(name).cloned();
        // Overwriting an existing value removes it from the export: protected.
        rec(
            name,
            Recorded::protected(before.as_ref(), reveal),
            Recorded::Shown(new.clone()),
        );
        attrs.upsert(Key::of(name), new);
    }
}

/// `getSourceAttributeValue`: `value`, then `from_context` (no client metadata in a capture),
/// then `from_attribute`, then `default_value`.
fn source_value(a: &Action, attrs: &Attributes) -> Option<AnyValue> {
    if let Some(v) = &a.value {
        return Some(v.clone());
    }
    if !a.from_attribute.is_empty() {
        if let Some(v) = attrs.get(&a.from_attribute) {
            return Some(v.clone());
        }
    }
    a.default_value.clone()
}

/// Whether an action reads request metadata that a capture cannot hold.
pub fn context_unknown(a: &Action) -> bool {
    a.value.is_none() && !a.from_context.is_empty()
}

/// `convertValue` (attraction/type_converter.go).
pub fn convert(v: AnyValue, to: ConvertedType) -> AnyValue {
    match (to, v) {
        (ConvertedType::String, AnyValue::Str(s)) => AnyValue::Str(s),
        (ConvertedType::String, other) => AnyValue::Str(as_string(&other).into()),
        (ConvertedType::Int, AnyValue::Double(d)) => AnyValue::Int(go_f64_to_i64(d)),
        (ConvertedType::Int, AnyValue::Bool(b)) => AnyValue::Int(i64::from(b)),
        (ConvertedType::Int, AnyValue::Str(s)) => match s.parse::<i64>() {
            Ok(n) if go_int_syntax(&s) => AnyValue::Int(n),
            _ => AnyValue::Str(s),
        },
        (ConvertedType::Double, AnyValue::Int(i)) => AnyValue::Double(i as f64),
        (ConvertedType::Double, AnyValue::Bool(b)) => AnyValue::Double(f64::from(u8::from(b))),
        (ConvertedType::Double, AnyValue::Str(s)) => match go_parse_float(&s) {
            Some(d) => AnyValue::Double(d),
            None => AnyValue::Str(s),
        },
        (_, other) => other,
    }
}

/// Go `int64(d)` on amd64: truncation toward zero; NaN and out-of-range give the "integer
/// indefinite" value `math.MinInt64`.
fn go_f64_to_i64(d: f64) -> i64 {
    // 2^63 as f64 is exact; every double in [-2^63, 2^63) truncates into range.
    const LIMIT: f64 = 9_223_372_036_854_775_808.0;
    if d.is_nan() || !(-LIMIT..LIMIT).contains(&d) {
        i64::MIN
    } else {
        d.trunc() as i64
    }
}

/// `strconv.ParseInt(s, 10, 64)` takes an optional sign and decimal digits only; Rust's parse
/// agrees except that it also rejects nothing Go accepts, so only the `+`-less forms matter.
fn go_int_syntax(s: &str) -> bool {
    let digits = s.strip_prefix(['+', '-']).unwrap_or(s);
    !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit())
}

/// `strconv.ParseFloat(s, 64)`: decimal and hex floats, `inf`/`infinity`/`nan` in any case,
/// `_` only between digits with a base prefix — the common forms; anything Rust cannot parse
/// either is a failure (value left unchanged).
fn go_parse_float(s: &str) -> Option<f64> {
    let body = s.strip_prefix(['+', '-']).unwrap_or(s);
    let lower = body.to_ascii_lowercase();
    if matches!(lower.as_str(), "inf" | "infinity" | "nan") {
        return s.to_ascii_lowercase().parse::<f64>().ok();
    }
    if body.is_empty()
        || !body
            .bytes()
            .all(|b| b.is_ascii_digit() || b"eE.+-".contains(&b))
    {
        return None;
    }
    s.parse::<f64>().ok()
}

/// pdata `Value.AsString()`.
pub fn as_string(v: &AnyValue) -> String {
    match v {
        AnyValue::Empty => String::new(),
        AnyValue::Str(s) => s.to_string(),
        AnyValue::Bool(b) => b.to_string(),
        AnyValue::Int(i) => i.to_string(),
        AnyValue::Double(d) => float_as_string(*d),
        AnyValue::Bytes(b) => base64_std(b),
        AnyValue::Map(_) | AnyValue::Slice(_) => {
            let mut out = String::new();
            json_raw(v, &mut out);
            out
        }
    }
}

/// pdata `float64AsString`: plain shortest digits, exponent form below 1e-6 and from 1e21.
pub fn float_as_string(d: f64) -> String {
    if d.is_nan() {
        return "NaN".into();
    }
    if d.is_infinite() {
        return if d > 0.0 { "Infinity" } else { "-Infinity" }.into();
    }
    go_float(d)
}

/// Go's shortest float text as `encoding/json` writes it: plain digits, exponent form below
/// 1e-6 and from 1e21 on, exponent signed and not zero-padded (`1e+21`, `1e-7`).
fn go_float(d: f64) -> String {
    let abs = d.abs();
    if abs != 0.0 && !(1e-6..1e21).contains(&abs) {
        let e = format!("{d:e}");
        return match e.split_once('e') {
            Some((mant, exp)) if !exp.starts_with('-') => format!("{mant}e+{exp}"),
            _ => e,
        };
    }
    format!("{d}")
}

/// `json.Marshal` (HTML escaping off) of `AsRaw()`: map keys sorted, bytes as base64, empty as
/// null. A NaN or infinite double makes Go's encoder fail, and pdata then returns "".
fn json_raw(v: &AnyValue, out: &mut String) {
    match v {
        AnyValue::Empty => out.push_str("null"),
        AnyValue::Str(s) => json_str(s, out),
        AnyValue::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        AnyValue::Int(i) => out.push_str(&i.to_string()),
        AnyValue::Double(d) => out.push_str(&go_float(*d)),
        AnyValue::Bytes(b) => json_str(&base64_std(b), out),
        AnyValue::Slice(items) => {
            out.push('[');
            for (i, e) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                json_raw(e, out);
            }
            out.push(']');
        }
        AnyValue::Map(m) => {
            let mut entries: Vec<_> = m.iter().collect();
            entries.sort_by(|a, b| a.0.cmp(b.0));
            out.push('{');
            for (i, (k, e)) in entries.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                json_str(k, out);
                out.push(':');
                json_raw(e, out);
            }
            out.push('}');
        }
    }
}

fn json_str(s: &str, out: &mut String) {
    use std::fmt::Write;
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\u{2028}' | '\u{2029}' => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

fn base64_std(b: &[u8]) -> String {
    const ALPHA: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(b.len().div_ceil(3) * 4);
    for chunk in b.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |acc, (i, x)| acc | (u32::from(*x) << (16 - 8 * i)));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(ALPHA[((n >> (18 - 6 * i)) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// Type and value equal (a convert of `1` to double is a change even though `1 == 1.0`).
fn same(a: &AnyValue, b: &AnyValue) -> bool {
    std::mem::discriminant(a) == std::mem::discriminant(b) && a == b
}

/// The edit's field name, as an OTTL path names it.
pub fn field_name(key: &str) -> String {
    format!("attributes[{}]", serde_json::Value::String(key.to_owned()))
}

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_bytes_per_type_match_upstream_examples() {
        // Reference values from the upstream hasher's input bytes, computed independently.
        assert_eq!(
            hash_value(&AnyValue::Str("abc".into())),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(
            hash_value(&AnyValue::Int(42)),
            hex::encode(Sha256::digest(42i64.to_le_bytes()))
        );
        assert!(hash_value(&AnyValue::Int(42)).starts_with("ed049108bc18f2c6"));
        assert!(hash_value(&AnyValue::Bool(true)).starts_with("4bf5122f344554c5"));
        assert_eq!(hash_value(&AnyValue::Bytes(vec![1, 2])), "");
        assert_eq!(hash_value(&AnyValue::Empty), "");
    }

    #[test]
    fn as_string_follows_pdata() {
        assert_eq!(as_string(&AnyValue::Double(1.5)), "1.5");
        assert_eq!(as_string(&AnyValue::Double(100.0)), "100");
        assert_eq!(as_string(&AnyValue::Double(1e21)), "1e+21");
        assert_eq!(as_string(&AnyValue::Double(1e-7)), "1e-7");
        assert_eq!(as_string(&AnyValue::Bytes(b"hi!".to_vec())), "aGkh");
        assert_eq!(as_string(&AnyValue::Bytes(b"hi".to_vec())), "aGk=");
        let mut m = Attributes::new();
        m.upsert(Key::of("b"), AnyValue::Str("x".into()));
        m.upsert(Key::of("a"), AnyValue::Int(1));
        assert_eq!(as_string(&AnyValue::Map(m)), r#"{"a":1,"b":"x"}"#);
        let s = AnyValue::Slice(vec![
            AnyValue::Int(1),
            AnyValue::Str("x".into()),
            AnyValue::Bool(true),
        ]);
        assert_eq!(as_string(&s), r#"[1,"x",true]"#);
    }

    #[test]
    fn convert_table() {
        use ConvertedType::*;
        assert_eq!(convert(AnyValue::Double(1.5), Int), AnyValue::Int(1));
        assert_eq!(
            convert(AnyValue::Double(1e21), Int),
            AnyValue::Int(i64::MIN)
        );
        assert_eq!(convert(AnyValue::Bool(true), Int), AnyValue::Int(1));
        assert_eq!(convert(AnyValue::Str("12".into()), Int), AnyValue::Int(12));
        for bad in ["3.9", " 12", ""] {
            let v = AnyValue::Str(bad.into());
            assert_eq!(convert(v.clone(), Int), v);
        }
        assert_eq!(
            convert(AnyValue::Str(" 12".into()), Double),
            AnyValue::Str(" 12".into())
        );
        assert_eq!(
            convert(AnyValue::Str("2.5".into()), Double),
            AnyValue::Double(2.5)
        );
        assert_eq!(convert(AnyValue::Int(3), Double), AnyValue::Double(3.0));
        assert_eq!(convert(AnyValue::Empty, String), AnyValue::Str("".into()));
    }
}
