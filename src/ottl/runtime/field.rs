//! The write half of a field reference: the same [`PathExpr`] the evaluator reads (resolved by
//! the one path resolver, [`crate::ottl::paths`]) is written here, with the setters of
//! v0.156.0's `ctxspan`, `ctxspanevent`, `ctxresource`, `ctxscope` and `ctxutil`.
//!
//! Writing happens in two phases so the borrow of the item for reading ends before it is
//! mutated: the path's keys are evaluated into [`KeyVal`]s while reading, then [`set`] applies
//! the value to an [`ItemMut`].

use std::cell::RefCell;

use super::compile::{KeyExpr, PathExpr};
use super::eval::{eval_value, EvalItem};
use super::value::Value;
use crate::capture::model::{AnyValue, Attributes, Resource, Scope, Span};
use crate::ottl::paths::{PathTarget, ResourceField, ScopeField, SpanEventField, SpanField};

type R<T> = Result<T, String>;

/// A path key after evaluation. Literal keys stay apart from expression results because
/// upstream treats them differently (`Key.String` vs `FetchValueFromExpression`).
#[derive(Debug, Clone, PartialEq)]
pub enum KeyVal {
    LitStr(String),
    LitInt(i64),
    Val(Value<'static>),
}

/// Evaluate a path's keys against the item (the read phase of a write).
pub fn eval_keys(keys: &[KeyExpr], item: &EvalItem<'_>) -> R<Vec<KeyVal>> {
    keys.iter()
        .map(|k| {
            Ok(match k {
                KeyExpr::Str(s) => KeyVal::LitStr(s.clone()),
                KeyExpr::Int(i) => KeyVal::LitInt(*i),
                KeyExpr::Expr(e) => KeyVal::Val(eval_value(e, item)?.into_owned()),
            })
        })
        .collect()
}

/// The item a statement may change: the span (absent in resource/scope contexts) and, in the
/// span-event context, the index of the event.
#[derive(Debug)]
pub struct ItemMut<'a> {
    pub resource: &'a mut Resource,
    pub scope: &'a mut Scope,
    pub span: Option<&'a mut Span>,
    pub event: Option<usize>,
}

thread_local! {
    /// The `cache` map of the item being transformed. Upstream gives every transform context
    /// its own cache, fresh per item; statements run one item at a time on one thread, so the
    /// executor swaps its map in here while it evaluates (see [`with_cache`]). A thread-local
    /// keeps [`EvalItem`] (built in many places) unchanged; conditions that never run in a
    /// statement sequence read it empty, as upstream's filter does.
    static CACHE: RefCell<Attributes> = RefCell::new(Attributes::new());
}

/// Run `f` with `cache` installed as the current item's cache, and take it back afterwards.
pub fn with_cache<T>(cache: &mut Attributes, f: impl FnOnce() -> T) -> T {
    CACHE.with(|c| std::mem::swap(&mut *c.borrow_mut(), cache));
    let out = f();
    CACHE.with(|c| std::mem::swap(&mut *c.borrow_mut(), cache));
    out
}

/// Read the current cache (owned: the cell's borrow ends here).
pub fn read_cache<T>(f: impl FnOnce(&Attributes) -> T) -> T {
    CACHE.with(|c| f(&c.borrow()))
}

/// Write `val` to `path` (keys already evaluated). `nil` is never written, as `set` skips it.
pub fn set(item: &mut ItemMut<'_>, path: &PathExpr, keys: &[KeyVal], val: Value<'_>) -> R<()> {
    match path.target {
        PathTarget::Cache => CACHE.with(|c| set_map_or_value(&mut c.borrow_mut(), keys, val)),
        PathTarget::Span(f) => set_span(span_mut(item)?, f, keys, val),
        PathTarget::SpanEvent(f) => set_event(item, f, keys, val),
        PathTarget::Resource(f) => match f {
            ResourceField::Attributes => set_map_or_value(&mut item.resource.attributes, keys, val),
            ResourceField::DroppedAttributesCount => {
                item.resource.dropped_attributes_count = expect_u32(&val)?;
                Ok(())
            }
            ResourceField::SchemaUrl => Err(not_modelled("resource.schema_url")),
        },
        PathTarget::Scope(f) => match f {
            ScopeField::Attributes => set_map_or_value(&mut item.scope.attributes, keys, val),
            ScopeField::Name => expect_str(&val).map(|s| item.scope.name = s),
            ScopeField::Version => expect_str(&val).map(|s| item.scope.version = s),
            ScopeField::DroppedAttributesCount => {
                item.scope.dropped_attributes_count = expect_u32(&val)?;
                Ok(())
            }
            ScopeField::SchemaUrl => Err(not_modelled("scope.schema_url")),
        },
        PathTarget::OtelCol(_) => Err("otelcol paths are read-only".into()),
        PathTarget::Other(ctx, name) => Err(format!(
            "otelcheck cannot write the {} path \"{name}\"",
            ctx.as_str()
        )),
    }
}

fn not_modelled(what: &str) -> String {
    format!("otelcheck cannot write {what}: the span model does not keep it")
}

fn span_mut<'s>(item: &'s mut ItemMut<'_>) -> R<&'s mut Span> {
    item.span
        .as_deref_mut()
        .ok_or_else(|| "no span in this context".to_string())
}

/// `ExpectType[T]`'s text: `expects int64 but got string`.
fn expects(want: &str, got: &Value) -> String {
    format!("expects {want} but got {}", got.go_type())
}

fn expect_str(v: &Value) -> R<String> {
    match v {
        Value::Str(s) => Ok(s.to_string()),
        other => Err(expects("string", other)),
    }
}

fn expect_int(v: &Value) -> R<i64> {
    match v {
        Value::Int(i) => Ok(*i),
        other => Err(expects("int64", other)),
    }
}

/// Counts are `uint32` in pdata; Go's conversion wraps.
fn expect_u32(v: &Value) -> R<u32> {
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    expect_int(v).map(|i| i as u32)
}

fn expect_time(v: &Value) -> R<u64> {
    match v {
        #[allow(clippy::cast_sign_loss)]
        Value::Time(t) => Ok(*t as u64),
        other => Err(expects("time.Time", other)),
    }
}

/// `ctxcommon.ParseTraceID` / `ParseSpanID`: the length first, then Go's hex error.
fn parse_hex<const N: usize>(s: &str, what: &str) -> R<[u8; N]> {
    if s.len() != N * 2 {
        return Err(format!("{what} must be {} hex characters", N * 2));
    }
    let mut out = [0u8; N];
    hex::decode_to_slice(s, &mut out).map_err(|_| {
        let bad = s.chars().find(|c| !c.is_ascii_hexdigit()).unwrap_or('?');
        format!(
            "encoding/hex: invalid byte: U+{:04X} {bad:?}",
            u32::from(bad)
        )
    })?;
    Ok(out)
}

fn set_span(sp: &mut Span, f: SpanField, keys: &[KeyVal], val: Value<'_>) -> R<()> {
    use SpanField as F;
    #[allow(clippy::cast_sign_loss)]
    match f {
        F::Attributes => return set_map_or_value(&mut sp.attributes, keys, val),
        F::TraceId => match val {
            Value::TraceId(t) => sp.trace_id = t,
            other => return Err(expects("pcommon.TraceID", &other)),
        },
        F::SpanId => match val {
            Value::SpanId(t) => sp.span_id = t,
            other => return Err(expects("pcommon.SpanID", &other)),
        },
        F::ParentSpanId => match val {
            Value::SpanId(t) => sp.parent_span_id = t,
            other => return Err(expects("pcommon.SpanID", &other)),
        },
        F::TraceIdString => sp.trace_id = parse_hex(&expect_str(&val)?, "trace ids")?,
        F::SpanIdString => sp.span_id = parse_hex(&expect_str(&val)?, "span ids")?,
        F::ParentSpanIdString => sp.parent_span_id = parse_hex(&expect_str(&val)?, "span ids")?,
        F::TraceState => sp.trace_state = expect_str(&val)?,
        F::TraceStateKey => return set_trace_state_key(sp, keys, &val),
        F::Name => sp.name = expect_str(&val)?,
        F::Kind => sp.kind = expect_int(&val)?,
        F::KindString => sp.kind = kind_from_name(&expect_str(&val)?, false)?,
        F::KindDeprecatedString => sp.kind = kind_from_name(&expect_str(&val)?, true)?,
        F::StartTimeUnixNano => sp.start_time_unix_nano = expect_int(&val)? as u64,
        F::EndTimeUnixNano => sp.end_time_unix_nano = expect_int(&val)? as u64,
        F::StartTime => sp.start_time_unix_nano = expect_time(&val)?,
        F::EndTime => sp.end_time_unix_nano = expect_time(&val)?,
        F::DroppedAttributesCount => sp.dropped_attributes_count = expect_u32(&val)?,
        F::DroppedEventsCount => sp.dropped_events_count = expect_u32(&val)?,
        F::DroppedLinksCount => sp.dropped_links_count = expect_u32(&val)?,
        F::StatusCode => sp.status.code = expect_int(&val)?,
        F::StatusMessage => sp.status.message = expect_str(&val)?,
        F::Flags => {
            let v = expect_int(&val)?;
            sp.flags =
                u32::try_from(v).map_err(|_| format!("value {v} is out of range for uint32"))?;
        }
        F::Events | F::Links | F::Status => {
            return Err(format!(
                "otelcheck cannot set a whole {} (only its fields)",
                val.go_type()
            ))
        }
    }
    Ok(())
}

fn set_event(item: &mut ItemMut<'_>, f: SpanEventField, keys: &[KeyVal], val: Value<'_>) -> R<()> {
    let idx = item.event.ok_or("no span event in this context")?;
    let ev = span_mut(item)?
        .events
        .get_mut(idx)
        .ok_or("span event index out of range")?;
    match f {
        SpanEventField::Attributes => return set_map_or_value(&mut ev.attributes, keys, val),
        SpanEventField::Name => ev.name = expect_str(&val)?,
        #[allow(clippy::cast_sign_loss)]
        SpanEventField::TimeUnixNano => ev.time_unix_nano = expect_int(&val)? as u64,
        SpanEventField::Time => ev.time_unix_nano = expect_time(&val)?,
        SpanEventField::DroppedAttributesCount => ev.dropped_attributes_count = expect_u32(&val)?,
        SpanEventField::EventIndex => return Err("spanevent.event_index is read-only".into()),
    }
    Ok(())
}

/// `kind.string` / `kind.deprecated_string` setters: an unknown name is an error.
fn kind_from_name(s: &str, deprecated: bool) -> R<i64> {
    use crate::capture::model::span_kind::NAMES;
    NAMES
        .iter()
        .position(|(proto, display)| s == if deprecated { *proto } else { *display })
        .map(|i| i as i64)
        .ok_or_else(|| format!("unknown span kind string, {s}"))
}

/// `trace_state["k"] = v`: W3C `Insert` moves the key to the front; an invalid trace state,
/// key or value leaves the span unchanged (upstream ignores those errors).
fn set_trace_state_key(sp: &mut Span, keys: &[KeyVal], val: &Value) -> R<()> {
    let v = expect_str(val)?;
    let Some(members) = super::tracestate::parse(&sp.trace_state) else {
        return Ok(());
    };
    let Some(KeyVal::LitStr(k)) = keys.first() else {
        return Err("trace_state indexing type must be a string".into());
    };
    if let Some(updated) = super::tracestate::insert(&members, k, &v) {
        sp.trace_state = updated;
    }
    Ok(())
}

/// An attribute-map field: no keys replaces the map (`SetMap`), keys write into it
/// (`SetMapValue`).
fn set_map_or_value(m: &mut Attributes, keys: &[KeyVal], val: Value<'_>) -> R<()> {
    let Some((first, rest)) = keys.split_first() else {
        return set_whole_map(m, val);
    };
    let name = map_key_name(first).map_err(|e| format!("cannot set map value: {e}"))?;
    if m.get(&name).is_none() {
        m.upsert(name.as_str(), AnyValue::Empty);
    }
    let slot = m.get_mut(&name).ok_or("internal: key vanished")?;
    set_indexable(slot, rest, val)
}

fn set_whole_map(m: &mut Attributes, val: Value<'_>) -> R<()> {
    match val {
        Value::Nil => Ok(()),
        Value::Map(new) => {
            *m = new.into_owned();
            Ok(())
        }
        other => Err(format!(
            "unsupported type provided for setting a pcommon.Map: {}",
            other.go_type()
        )),
    }
}

/// `GetMapKeyName`: a literal string, or an expression that gave a string.
fn map_key_name(k: &KeyVal) -> R<String> {
    match k {
        KeyVal::LitStr(s) | KeyVal::Val(Value::Str(std::borrow::Cow::Owned(s))) => Ok(s.clone()),
        KeyVal::Val(Value::Str(s)) => Ok(s.to_string()),
        KeyVal::LitInt(_) => Err("unable to resolve a string index in map: invalid key type".into()),
        KeyVal::Val(other) => Err(format!(
            "unable to resolve a string index in map: could not resolve key for map/slice, expecting 'string' but got '{}'",
            other.go_type()
        )),
    }
}

fn slice_index(k: &KeyVal) -> R<i64> {
    match k {
        KeyVal::LitInt(i) | KeyVal::Val(Value::Int(i)) => Ok(*i),
        KeyVal::LitStr(_) => Err("unable to resolve an integer index in slice: invalid key type".into()),
        KeyVal::Val(other) => Err(format!(
            "unable to resolve an integer index in slice: could not resolve key for map/slice, expecting 'int64' but got '{}'",
            other.go_type()
        )),
    }
}

/// `SetIndexableValue`: walk (creating maps/slices through empty values), then `SetValue`.
fn set_indexable(mut cur: &mut AnyValue, keys: &[KeyVal], val: Value<'_>) -> R<()> {
    for k in keys {
        cur = match cur {
            AnyValue::Map(m) => {
                let name = map_key_name(k)?;
                if m.get(&name).is_none() {
                    m.upsert(name.as_str(), AnyValue::Empty);
                }
                m.get_mut(&name).ok_or("internal: key vanished")?
            }
            AnyValue::Slice(items) => {
                let i = slice_index(k)?;
                let len = items.len();
                usize::try_from(i)
                    .ok()
                    .filter(|u| *u < len)
                    .and_then(|u| items.get_mut(u))
                    .ok_or_else(|| format!("index {i} out of bounds"))?
            }
            AnyValue::Empty => {
                let (is_int, name, n) = match k {
                    KeyVal::LitStr(s) => (false, s.clone(), 0),
                    KeyVal::LitInt(i) | KeyVal::Val(Value::Int(i)) => (true, String::new(), *i),
                    KeyVal::Val(Value::Str(s)) => (false, s.to_string(), 0),
                    KeyVal::Val(_) => return Err(
                        "neither a string nor an int index was given, this is an error in the OTTL"
                            .into(),
                    ),
                };
                *cur = if is_int {
                    let pad = usize::try_from(n).unwrap_or(0);
                    // Upstream appends `n` empty values; a huge index would exhaust memory
                    // here as it would in the collector, so it is refused instead.
                    if pad > MAX_CREATED_SLICE {
                        return Err(format!(
                            "otelcheck refuses to create a slice of {n} empty values (limit {MAX_CREATED_SLICE})"
                        ));
                    }
                    AnyValue::Slice(vec![AnyValue::Empty; pad + 1])
                } else {
                    let mut m = Attributes::new();
                    m.upsert(name.as_str(), AnyValue::Empty);
                    AnyValue::Map(m)
                };
                match cur {
                    AnyValue::Slice(items) => items.last_mut(),
                    AnyValue::Map(m) => m.get_mut(&name),
                    _ => None,
                }
                .ok_or("internal: container vanished")?
            }
            other => {
                return Err(format!(
                    "type {} does not support string indexing",
                    other.type_name()
                ))
            }
        };
    }
    set_value(cur, val)
}

/// The longest slice a write through an empty value may create.
const MAX_CREATED_SLICE: usize = 1 << 20;

/// `ctxutil.SetValue`: nil leaves the value as it is; Go types pdata cannot hold are errors.
pub fn set_value(cur: &mut AnyValue, val: Value<'_>) -> R<()> {
    if val.is_nil() {
        return Ok(());
    }
    match &val {
        Value::Time(_)
        | Value::Duration(_)
        | Value::TraceId(_)
        | Value::SpanId(_)
        | Value::ProfileId(_)
        | Value::Opaque(_)
        | Value::Seq(..) => Err(format!(
            "unsupported type {} for set operation; current value type is {}",
            val.go_type(),
            cur.type_name()
        )),
        _ => {
            *cur = val.to_any()?;
            Ok(())
        }
    }
}
