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

mod rules;
mod value;

pub use rules::{catch_all_lints, context_warnings, node_text, rule_infos};
pub use value::{as_string, convert, float_as_string};

use sha2::{Digest, Sha256};

use super::api::{DropLevel, Edit, Recorded};
use crate::capture::model::{AnyValue, Attributes, Key};
use crate::config::settings::actions::{Action, ActionKind};

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

/// Type and value equal (a convert of `1` to double is a change even though `1 == 1.0`).
fn same(a: &AnyValue, b: &AnyValue) -> bool {
    std::mem::discriminant(a) == std::mem::discriminant(b) && a == b
}

/// The edit's field name, as an OTTL path names it.
pub fn field_name(key: &str) -> String {
    format!("attributes[{}]", serde_json::Value::String(key.to_owned()))
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
}
