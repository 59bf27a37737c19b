//! Map editors: `delete_key`, `delete_matching_keys`, `keep_keys`, `keep_matching_keys`,
//! `limit`, `truncate_all`, `merge_maps`, `flatten`, `stringify_all`.
//!
//! Each reads its target as a `pcommon.Map` (`PMapGetSetter`: nil or a non-map is an error,
//! `expected pcommon.Map but got ...`), changes a copy, and writes the whole map back, as
//! upstream's `target.Set(ctx, tCtx, val)` does.

use std::borrow::Cow;
use std::collections::HashSet;

use super::{literal_bool, literal_int, literal_str, read, value, write, Args, Editor, Write, R};
use crate::capture::model::{AnyValue, Attributes};
use crate::ottl::runtime::compile::{Expr, PathExpr};
use crate::ottl::runtime::eval::EvalItem;
use crate::ottl::runtime::format::pdata_as_string;
use crate::ottl::runtime::functions::{to_map, to_str};
use crate::ottl::runtime::value::Value;

use super::replace::Pattern;

fn read_map(p: &PathExpr, item: &EvalItem<'_>) -> R<Attributes> {
    to_map(read(p, item)?).map(Cow::into_owned)
}

fn write_map<'s>(p: &'s PathExpr, item: &EvalItem<'_>, m: Attributes) -> R<Vec<Write<'s>>> {
    Ok(vec![write(p, item, Value::Map(Cow::Owned(m)))?])
}

/// Keep the entries `keep` says yes to, in order.
fn retain(m: &Attributes, mut keep: impl FnMut(&str, &AnyValue) -> bool) -> Attributes {
    m.entries()
        .iter()
        .filter(|(k, v)| keep(k.as_str(), v))
        .cloned()
        .collect()
}

#[derive(Debug)]
struct DeleteKey {
    target: PathExpr,
    key: Expr,
}

pub fn build_delete_key(mut a: Args) -> R<Box<dyn Editor>> {
    Ok(Box::new(DeleteKey {
        target: a.path(0)?,
        key: a.expr(1)?,
    }))
}

impl Editor for DeleteKey {
    fn plan<'s>(&'s self, item: &EvalItem<'_>) -> R<Vec<Write<'s>>> {
        let m = read_map(&self.target, item)?;
        let key = to_str(value(&self.key, item)?)?.into_owned();
        write_map(&self.target, item, retain(&m, |k, _| k != key))
    }
}

/// `delete_matching_keys` / `keep_matching_keys`: `keep` says which side of the match stays.
#[derive(Debug)]
struct MatchingKeys {
    target: PathExpr,
    pattern: Pattern,
    keep: bool,
}

pub fn build_delete_matching_keys(mut a: Args) -> R<Box<dyn Editor>> {
    matching(&mut a, "delete_matching_keys", false)
}

pub fn build_keep_matching_keys(mut a: Args) -> R<Box<dyn Editor>> {
    matching(&mut a, "keep_matching_keys", true)
}

fn matching(a: &mut Args, name: &'static str, keep: bool) -> R<Box<dyn Editor>> {
    Ok(Box::new(MatchingKeys {
        target: a.path(0)?,
        pattern: Pattern::new(name, a.expr(1)?)?,
        keep,
    }))
}

impl Editor for MatchingKeys {
    fn plan<'s>(&'s self, item: &EvalItem<'_>) -> R<Vec<Write<'s>>> {
        let re = self.pattern.get(item)?;
        let m = read_map(&self.target, item)?;
        write_map(
            &self.target,
            item,
            retain(&m, |k, _| re.is_match(k) == self.keep),
        )
    }
}

#[derive(Debug)]
struct KeepKeys {
    target: PathExpr,
    keys: Vec<Expr>,
}

pub fn build_keep_keys(mut a: Args) -> R<Box<dyn Editor>> {
    let target = a.path(0)?;
    let keys = match a.expr(1)? {
        Expr::List(items) => items,
        Expr::Const(Value::List(items)) => items.into_iter().map(Expr::Const).collect(),
        _ => return Err("keep_keys needs a list of keys".into()),
    };
    Ok(Box::new(KeepKeys { target, keys }))
}

impl Editor for KeepKeys {
    fn plan<'s>(&'s self, item: &EvalItem<'_>) -> R<Vec<Write<'s>>> {
        let m = read_map(&self.target, item)?;
        let mut keep = HashSet::new();
        for k in &self.keys {
            keep.insert(to_str(value(k, item)?)?.into_owned());
        }
        write_map(&self.target, item, retain(&m, |k, _| keep.contains(k)))
    }
}

#[derive(Debug)]
struct Limit {
    target: PathExpr,
    limit: usize,
    priority: Vec<String>,
}

pub fn build_limit(mut a: Args) -> R<Box<dyn Editor>> {
    let target = a.path(0)?;
    let limit = int_or_zero(a.opt_expr(1)?)?;
    let priority = string_list(a.opt_expr(2)?)?;
    if limit < 0 {
        return Err(format!(
            "invalid limit for limit function, {limit} cannot be negative"
        ));
    }
    let limit = usize::try_from(limit).unwrap_or(usize::MAX);
    if limit < priority.len() {
        return Err(format!(
            "invalid limit for limit function, {limit} cannot be less than number of priority attributes {}",
            priority.len()
        ));
    }
    Ok(Box::new(Limit {
        target,
        limit,
        priority,
    }))
}

/// A literal int parameter; a required one left unset by named arguments keeps Go's zero value
/// (`truncate_all(attributes, utf8_safe = true)` runs with limit 0).
fn int_or_zero(e: Option<Expr>) -> R<i64> {
    match e {
        None => Ok(0),
        Some(e) => literal_int(&e).ok_or_else(|| "must be an int literal".into()),
    }
}

fn string_list(e: Option<Expr>) -> R<Vec<String>> {
    let items: Vec<Value> = match e {
        None => Vec::new(),
        Some(Expr::Const(Value::List(items))) => items,
        Some(Expr::List(items)) => items
            .into_iter()
            .map(|e| match e {
                Expr::Const(v) => Ok(v),
                _ => Err("must be a list of string literals".to_string()),
            })
            .collect::<R<_>>()?,
        Some(_) => return Err("must be a list of string literals".into()),
    };
    items
        .into_iter()
        .map(|v| to_str(v).map(Cow::into_owned))
        .collect()
}

impl Editor for Limit {
    fn plan<'s>(&'s self, item: &EvalItem<'_>) -> R<Vec<Write<'s>>> {
        let m = read_map(&self.target, item)?;
        if m.len() <= self.limit {
            return Ok(Vec::new());
        }
        // Priority keys present are counted first; other keys fill the rest in map order.
        let mut count = self.priority.iter().filter(|k| m.contains_key(k)).count();
        let kept = retain(&m, |k, _| {
            if self.priority.iter().any(|p| p == k) {
                return true;
            }
            if count < self.limit {
                count += 1;
                return true;
            }
            false
        });
        write_map(&self.target, item, kept)
    }
}

#[derive(Debug)]
struct TruncateAll {
    target: PathExpr,
    limit: usize,
    utf8_safe: bool,
}

pub fn build_truncate_all(mut a: Args) -> R<Box<dyn Editor>> {
    let target = a.path(0)?;
    let limit = int_or_zero(a.opt_expr(1)?)?;
    if limit < 0 {
        return Err(format!(
            "invalid limit for truncate_all function, {limit} cannot be negative"
        ));
    }
    let utf8_safe = match a.opt_expr(2)? {
        Some(e) => literal_bool(&e).ok_or("utf8_safe must be a bool literal")?,
        None => true,
    };
    Ok(Box::new(TruncateAll {
        target,
        limit: usize::try_from(limit).unwrap_or(usize::MAX),
        utf8_safe,
    }))
}

/// Cut `s` to at most `limit` bytes; UTF-8-safe backs up to a character boundary. Unsafe
/// cutting can split a character; Go keeps the bytes, Rust strings cannot, so the broken tail
/// becomes U+FFFD (the one place the emulation differs, and only for that character).
fn truncate(s: &str, limit: usize, utf8_safe: bool) -> String {
    let mut at = limit;
    if utf8_safe {
        while at > 0 && !s.is_char_boundary(at) {
            at -= 1;
        }
        return s[..at].to_string();
    }
    String::from_utf8_lossy(&s.as_bytes()[..at]).into_owned()
}

impl Editor for TruncateAll {
    fn plan<'s>(&'s self, item: &EvalItem<'_>) -> R<Vec<Write<'s>>> {
        let m = read_map(&self.target, item)?;
        let out = m
            .entries()
            .iter()
            .map(|(k, v)| match v {
                AnyValue::Str(s) if s.len() > self.limit => (
                    *k,
                    AnyValue::Str(truncate(s, self.limit, self.utf8_safe).into()),
                ),
                _ => (*k, v.clone()),
            })
            .collect();
        write_map(&self.target, item, out)
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Strategy {
    Insert,
    Update,
    Upsert,
}

#[derive(Debug)]
struct MergeMaps {
    target: PathExpr,
    source: Expr,
    strategy: Strategy,
}

pub fn build_merge_maps(mut a: Args) -> R<Box<dyn Editor>> {
    let target = a.path(0)?;
    let source = a.expr(1)?;
    let s = a.expr(2)?;
    let strategy = match literal_str(&s).unwrap_or_default() {
        "insert" => Strategy::Insert,
        "update" => Strategy::Update,
        "upsert" => Strategy::Upsert,
        other => {
            return Err(format!(
                "invalid value for strategy, {other}, must be 'insert', 'update' or 'upsert'"
            ))
        }
    };
    Ok(Box::new(MergeMaps {
        target,
        source,
        strategy,
    }))
}

impl Editor for MergeMaps {
    fn plan<'s>(&'s self, item: &EvalItem<'_>) -> R<Vec<Write<'s>>> {
        let mut m = read_map(&self.target, item)?;
        let src = to_map(value(&self.source, item)?)?;
        for (k, v) in src.iter() {
            let present = m.contains_key(k);
            match self.strategy {
                Strategy::Insert if !present => m.upsert(k, v.clone()),
                Strategy::Update if present => m.upsert(k, v.clone()),
                Strategy::Upsert => m.upsert(k, v.clone()),
                _ => {}
            }
        }
        write_map(&self.target, item, m)
    }
}

#[derive(Debug)]
struct Flatten {
    target: PathExpr,
    prefix: String,
    depth: i64,
    resolve_conflicts: bool,
}

pub fn build_flatten(mut a: Args) -> R<Box<dyn Editor>> {
    let target = a.path(0)?;
    let prefix = a
        .opt_expr(1)?
        .and_then(|e| literal_str(&e).map(str::to_string))
        .unwrap_or_default();
    let depth = match a.opt_expr(2)? {
        Some(e) => {
            let d = literal_int(&e).ok_or("depth must be an int literal")?;
            if d < 1 {
                return Err(format!(
                    "invalid depth '{d}' for flatten function, must be greater than 0"
                ));
            }
            d
        }
        None => i64::MAX,
    };
    let resolve_conflicts = a
        .opt_expr(3)?
        .and_then(|e| literal_bool(&e))
        .unwrap_or(false);
    Ok(Box::new(Flatten {
        target,
        prefix,
        depth,
        resolve_conflicts,
    }))
}

/// Upstream's `flattenData`: the result map plus the conflict counters.
struct Flattener {
    out: Attributes,
    seen: std::collections::HashMap<String, usize>,
    resolve: bool,
    max: i64,
}

impl Flattener {
    fn map(&mut self, m: &Attributes, prefix: &str, depth: i64) {
        let prefix = if prefix.is_empty() {
            String::new()
        } else {
            format!("{prefix}.")
        };
        for (k, v) in m.iter() {
            self.value(k, v, depth, &prefix);
        }
    }

    fn slice(&mut self, s: &[AnyValue], prefix: &str, depth: i64) {
        for (i, v) in s.iter().enumerate() {
            self.value(&i.to_string(), v, depth + 1, prefix);
        }
    }

    fn value(&mut self, k: &str, v: &AnyValue, depth: i64, prefix: &str) {
        match v {
            AnyValue::Map(m) if depth < self.max => self.map(m, &format!("{prefix}{k}"), depth + 1),
            AnyValue::Slice(items) if depth < self.max => {
                for (i, el) in items.iter().enumerate() {
                    let at = format!("{prefix}{k}.{i}");
                    match el {
                        AnyValue::Map(m) if depth + 1 < self.max => self.map(m, &at, depth + 2),
                        AnyValue::Slice(s) if depth + 1 < self.max => self.slice(s, &at, depth + 2),
                        _ if self.resolve => self.conflict(&format!("{prefix}{k}"), el),
                        _ => self.out.upsert(at.as_str(), el.clone()),
                    }
                }
            }
            _ => {
                let key = format!("{prefix}{k}");
                if self.resolve {
                    self.conflict(&key, v);
                } else {
                    self.out.upsert(key.as_str(), v.clone());
                }
            }
        }
    }

    fn conflict(&mut self, key: &str, v: &AnyValue) {
        if self.out.contains_key(key) {
            let n = self.seen.entry(key.to_string()).or_insert(0);
            let new_key = format!("{key}.{n}");
            *n += 1;
            self.out.upsert(new_key.as_str(), v.clone());
        } else {
            self.seen.insert(key.to_string(), 0);
            self.out.upsert(key, v.clone());
        }
    }
}

impl Editor for Flatten {
    fn plan<'s>(&'s self, item: &EvalItem<'_>) -> R<Vec<Write<'s>>> {
        let m = read_map(&self.target, item)?;
        let mut f = Flattener {
            out: Attributes::new(),
            seen: std::collections::HashMap::new(),
            resolve: self.resolve_conflicts,
            max: self.depth,
        };
        f.map(&m, &self.prefix, 0);
        write_map(&self.target, item, f.out)
    }
}

#[derive(Debug)]
struct StringifyAll {
    target: PathExpr,
}

pub fn build_stringify_all(mut a: Args) -> R<Box<dyn Editor>> {
    Ok(Box::new(StringifyAll { target: a.path(0)? }))
}

impl Editor for StringifyAll {
    fn plan<'s>(&'s self, item: &EvalItem<'_>) -> R<Vec<Write<'s>>> {
        let m = read_map(&self.target, item)?;
        let mut out = Attributes::with_capacity(m.len());
        for (k, v) in m.entries() {
            let s = match v {
                AnyValue::Str(_) => v.clone(),
                other => AnyValue::Str(pdata_as_string(other).as_str().into()),
            };
            out.upsert(*k, s);
        }
        write_map(&self.target, item, out)
    }
}
