//! Evaluate a compiled tree against one item.
//!
//! Values borrow from the item and from the compiled tree, so a comparison of an attribute with
//! a literal allocates nothing. Errors are plain strings carrying upstream's texts; the caller
//! wraps them into `EvalError`.

use std::borrow::Cow;

use super::compare::compare;
use super::compile::{attr_scope, AttrScope, BoolNode, CallExpr, Expr, KeyExpr, PathExpr};
use super::format::{go_v, rfc3339_nano};
use super::math;
use super::value::Value;
use crate::capture::model::{AnyValue, Attributes, Event, Resource, Scope, Span};
use crate::ottl::otelcol::OtelColField;
use crate::ottl::paths::PathTarget;

/// The item a condition runs on. `span` is `None` for resource/scope conditions, `event` is set
/// only for span-event conditions (with the event's index in its span).
#[derive(Debug, Clone, Copy)]
pub struct EvalItem<'a> {
    pub resource: &'a Resource,
    pub scope: &'a Scope,
    pub span: Option<&'a Span>,
    pub event: Option<(&'a Event, usize)>,
}

type R<T> = Result<T, String>;

/// The per-evaluation cache is empty at the start of each item and conditions cannot write it.
static EMPTY: std::sync::LazyLock<Attributes> = std::sync::LazyLock::new(Attributes::new);

pub fn eval_bool<'a>(node: &'a BoolNode, item: &EvalItem<'a>) -> R<bool> {
    match node {
        BoolNode::Const(b) => Ok(*b),
        BoolNode::Or(items) => {
            for i in items {
                if eval_bool(i, item)? {
                    return Ok(true);
                }
            }
            Ok(false)
        }
        BoolNode::And(items) => {
            for i in items {
                if !eval_bool(i, item)? {
                    return Ok(false);
                }
            }
            Ok(true)
        }
        BoolNode::Not(inner) => eval_bool(inner, item).map(|b| !b),
        BoolNode::Cmp(l, op, r, _) => {
            let a = eval_value(l, item)?;
            let b = eval_value(r, item)?;
            compare(&a, &b, *op)
        }
        BoolNode::Converter(e) => match eval_value(e, item)? {
            Value::Bool(b) => Ok(b),
            other => Err(format!(
                "value returned from Converter in constant expression must be bool but got {}",
                other.go_type()
            )),
        },
    }
}

pub fn eval_value<'a>(e: &'a Expr, item: &EvalItem<'a>) -> R<Value<'a>> {
    match e {
        Expr::Const(v) => Ok(v.reborrow()),
        Expr::Path(p) => eval_path(p, item),
        Expr::Call(c) => eval_call(c, item),
        Expr::List(items) => items
            .iter()
            .map(|i| eval_value(i, item))
            .collect::<R<_>>()
            .map(Value::List),
        Expr::Map(entries) => {
            let mut m = Attributes::new();
            for (k, v) in entries {
                m.upsert(k.clone(), eval_value(v, item)?.to_any()?);
            }
            Ok(Value::Map(Cow::Owned(m)))
        }
        Expr::Math(op, l, r) => {
            let x = eval_value(l, item)?;
            let y = eval_value(r, item)?;
            math::apply(*op, x, y)
        }
        Expr::Negate(inner) => math::negate(eval_value(inner, item)?),
    }
}

fn eval_call<'a>(c: &'a CallExpr, item: &EvalItem<'a>) -> R<Value<'a>> {
    let v = c.func.call(item)?;
    index_result(v, &c.keys, item)
}

fn span<'a>(item: &EvalItem<'a>) -> R<&'a Span> {
    item.span
        .ok_or_else(|| "no span in this context".to_string())
}

fn event<'a>(item: &EvalItem<'a>) -> R<(&'a Event, usize)> {
    item.event
        .ok_or_else(|| "no span event in this context".to_string())
}

fn nanos_to_time(n: u64) -> Value<'static> {
    Value::Time(i64::try_from(n).unwrap_or(i64::MAX))
}

fn attrs<'a>(scope: AttrScope, item: &EvalItem<'a>) -> R<&'a Attributes> {
    Ok(match scope {
        AttrScope::Span => &span(item)?.attributes,
        AttrScope::Resource => &item.resource.attributes,
        AttrScope::Scope => &item.scope.attributes,
        AttrScope::Event => &event(item)?.0.attributes,
    })
}

fn s(x: &str) -> Value<'_> {
    Value::Str(Cow::Borrowed(x))
}

pub fn eval_path<'a>(p: &'a PathExpr, item: &EvalItem<'a>) -> R<Value<'a>> {
    use crate::ottl::paths::{
        ResourceField as RF, ScopeField as SF, SpanEventField as EF, SpanField as F,
    };
    if let Some(scope) = attr_scope(p.target) {
        return map_path(attrs(scope, item)?, &p.keys, item);
    }
    let base = match p.target {
        PathTarget::Cache => {
            return super::field::read_cache(|c| map_path(c, &p.keys, item).map(Value::into_owned))
        }
        PathTarget::OtelCol(f) => return otelcol(f, &p.keys, item),
        PathTarget::Other(..) => return Err("path not available in a trace pipeline".into()),
        PathTarget::Span(f) => {
            let sp = span(item)?;
            match f {
                F::TraceState | F::TraceStateKey => return trace_state(sp, &p.keys),
                F::TraceId => Value::TraceId(sp.trace_id),
                F::TraceIdString => Value::Str(Cow::Owned(hex::encode(sp.trace_id))),
                F::SpanId => Value::SpanId(sp.span_id),
                F::SpanIdString => Value::Str(Cow::Owned(hex::encode(sp.span_id))),
                F::ParentSpanId => Value::SpanId(sp.parent_span_id),
                F::ParentSpanIdString => Value::Str(Cow::Owned(hex::encode(sp.parent_span_id))),
                F::Name => s(&sp.name),
                F::Kind => Value::Int(sp.kind),
                F::KindString => s(kind_name(sp.kind, false)),
                F::KindDeprecatedString => s(kind_name(sp.kind, true)),
                F::StartTimeUnixNano => Value::Int(sp.start_time_unix_nano as i64),
                F::EndTimeUnixNano => Value::Int(sp.end_time_unix_nano as i64),
                F::StartTime => nanos_to_time(sp.start_time_unix_nano),
                F::EndTime => nanos_to_time(sp.end_time_unix_nano),
                F::DroppedAttributesCount => Value::Int(i64::from(sp.dropped_attributes_count)),
                F::Events => Value::Seq("ptrace.SpanEventSlice", sp.events.len()),
                F::DroppedEventsCount => Value::Int(i64::from(sp.dropped_events_count)),
                F::Links => Value::Seq("ptrace.SpanLinkSlice", sp.links.len()),
                F::DroppedLinksCount => Value::Int(i64::from(sp.dropped_links_count)),
                F::Status => Value::Opaque("ptrace.Status"),
                F::StatusCode => Value::Int(sp.status.code),
                F::StatusMessage => s(&sp.status.message),
                F::Flags => Value::Int(i64::from(sp.flags)),
                F::Attributes => unreachable_attrs()?,
            }
        }
        PathTarget::SpanEvent(f) => {
            let (ev, index) = event(item)?;
            match f {
                EF::Name => s(&ev.name),
                EF::TimeUnixNano => Value::Int(ev.time_unix_nano as i64),
                EF::Time => nanos_to_time(ev.time_unix_nano),
                EF::DroppedAttributesCount => Value::Int(i64::from(ev.dropped_attributes_count)),
                EF::EventIndex => Value::Int(index as i64),
                EF::Attributes => unreachable_attrs()?,
            }
        }
        PathTarget::Resource(f) => match f {
            RF::DroppedAttributesCount => {
                Value::Int(i64::from(item.resource.dropped_attributes_count))
            }
            // The span model keeps schema URLs on ResourceSpans/ScopeSpans, not on the item.
            RF::SchemaUrl => s(""),
            RF::Attributes => unreachable_attrs()?,
        },
        PathTarget::Scope(f) => match f {
            SF::Name => s(&item.scope.name),
            SF::Version => s(&item.scope.version),
            SF::DroppedAttributesCount => {
                Value::Int(i64::from(item.scope.dropped_attributes_count))
            }
            SF::SchemaUrl => s(""),
            SF::Attributes => unreachable_attrs()?,
        },
    };
    Ok(base)
}

/// Attribute targets return early through [`attr_scope`]; reaching this is a bug, reported as
/// an evaluation error rather than a panic.
fn unreachable_attrs() -> R<Value<'static>> {
    Err("internal: attribute path not resolved as a map".into())
}

/// `otelcol.*` as upstream reads it for a request without client info or gRPC metadata,
/// which is every replayed payload: no address, empty maps, and nil for any entry. Client
/// maps still resolve their first key (a bad dynamic key fails); gRPC returns before that.
fn otelcol<'a>(f: OtelColField, keys: &'a [KeyExpr], item: &EvalItem<'a>) -> R<Value<'a>> {
    match (f, keys.first()) {
        (OtelColField::ClientAddr, _) | (OtelColField::GrpcMetadata, Some(_)) => Ok(Value::Nil),
        (_, None) => Ok(Value::Map(Cow::Borrowed(&EMPTY))),
        (_, Some(_)) => map_path(&EMPTY, keys.get(..1).unwrap_or_default(), item),
    }
}

/// Span kind names (`kind.string`, `kind.deprecated_string`); unknown kinds read as "".
fn kind_name(kind: i64, deprecated: bool) -> &'static str {
    let name = if deprecated {
        crate::capture::model::span_kind::proto_name(kind)
    } else {
        crate::capture::model::span_kind::display_name(kind)
    };
    name.unwrap_or("")
}

fn trace_state<'a>(sp: &'a Span, keys: &'a [KeyExpr]) -> R<Value<'a>> {
    let Some(key) = keys.first() else {
        return Ok(s(&sp.trace_state));
    };
    // Upstream parses the W3C trace state first: an invalid one reads as nil.
    let Some(members) = super::tracestate::parse(&sp.trace_state) else {
        return Ok(Value::Nil);
    };
    let KeyExpr::Str(k) = key else {
        return Err("trace_state indexing type must be a string".into());
    };
    let found = members
        .iter()
        .find(|(name, _)| name == k)
        .map_or("", |(_, v)| v);
    Ok(s(found))
}

/// A resolved key of a path: `(text, int)` pairs are not needed, upstream resolves per use.
fn map_key<'a>(k: &'a KeyExpr, item: &EvalItem<'a>) -> R<Cow<'a, str>> {
    match k {
        KeyExpr::Str(s) => Ok(Cow::Borrowed(s)),
        KeyExpr::Int(_) => Err("unable to resolve a string index in map: invalid key type".into()),
        KeyExpr::Expr(e) => match eval_value(e, item)? {
            Value::Str(s) => Ok(s),
            other => Err(format!(
                "unable to resolve a string index in map: could not resolve key for map/slice, expecting 'string' but got '{}'",
                other.go_type()
            )),
        },
    }
}

fn slice_index<'a>(k: &'a KeyExpr, item: &EvalItem<'a>) -> R<i64> {
    match k {
        KeyExpr::Int(i) => Ok(*i),
        KeyExpr::Str(_) => Err("unable to resolve an integer index in slice: invalid key type".into()),
        KeyExpr::Expr(e) => match eval_value(e, item)? {
            Value::Int(i) => Ok(i),
            other => Err(format!(
                "unable to resolve an integer index in slice: could not resolve key for map/slice, expecting 'int64' but got '{}'",
                other.go_type()
            )),
        },
    }
}

/// `ctxutil.GetMapValue` + `getIndexableValue`: a missing key reads as nil (also mid-path).
fn map_path<'a>(m: &'a Attributes, keys: &'a [KeyExpr], item: &EvalItem<'a>) -> R<Value<'a>> {
    let Some((first, rest)) = keys.split_first() else {
        return Ok(Value::Map(Cow::Borrowed(m)));
    };
    let k = map_key(first, item).map_err(|e| format!("cannot get map value: {e}"))?;
    let Some(mut val) = m.get(&k) else {
        return Ok(Value::Nil);
    };
    for key in rest {
        val = match val {
            AnyValue::Map(inner) => match inner.get(&map_key(key, item)?) {
                Some(v) => v,
                None => return Ok(Value::Nil),
            },
            AnyValue::Slice(items) => {
                let i = slice_index(key, item)?;
                match usize::try_from(i).ok().and_then(|u| items.get(u)) {
                    Some(v) => v,
                    None => return Err(format!("index {i} out of bounds")),
                }
            }
            other => {
                return Err(format!(
                    "type {} does not support string indexing",
                    other.type_name()
                ));
            }
        };
    }
    Ok(Value::from_any(val))
}

enum ResKey<'a> {
    Str(Cow<'a, str>),
    Int(i64),
}

fn result_key<'a>(k: &'a KeyExpr, item: &EvalItem<'a>) -> R<ResKey<'a>> {
    match k {
        KeyExpr::Str(s) => Ok(ResKey::Str(Cow::Borrowed(s))),
        KeyExpr::Int(i) => Ok(ResKey::Int(*i)),
        KeyExpr::Expr(e) => match eval_value(e, item)? {
            Value::Str(s) => Ok(ResKey::Str(s)),
            Value::Int(i) => Ok(ResKey::Int(i)),
            Value::Nil => Err("key expression returned nil, expected an int or string".into()),
            other => Err(format!(
                "key expression must evaluate to string or int, got {}",
                other.go_type()
            )),
        },
    }
}

/// `getIndexedValue`: indexing a converter's result is stricter than indexing a path.
fn index_result<'a>(mut v: Value<'a>, keys: &'a [KeyExpr], item: &EvalItem<'a>) -> R<Value<'a>> {
    for k in keys {
        v = match result_key(k, item)? {
            ResKey::Str(key) => match v {
                Value::Map(m) => match m {
                    Cow::Borrowed(m) => Value::from_any(m.get(&key).ok_or("key not found in map")?),
                    Cow::Owned(m) => {
                        Value::from_any(m.get(&key).ok_or("key not found in map")?).into_owned()
                    }
                },
                other => {
                    return Err(format!(
                        "type {} does not support string indexing",
                        other.go_type()
                    ))
                }
            },
            ResKey::Int(i) => {
                let oob = || format!("index {i} out of bounds");
                let idx = usize::try_from(i).map_err(|_| oob())?;
                match v {
                    Value::Slice(items) => {
                        let el = items.get(idx).ok_or_else(oob)?;
                        Value::from_any(el).into_owned()
                    }
                    Value::List(mut items) => {
                        if idx >= items.len() {
                            return Err(oob());
                        }
                        items.swap_remove(idx)
                    }
                    Value::StrList(mut items) => {
                        if idx >= items.len() {
                            return Err(oob());
                        }
                        Value::Str(Cow::Owned(items.swap_remove(idx)))
                    }
                    Value::Bytes(b) => Value::Int(i64::from(*b.get(idx).ok_or_else(oob)?)),
                    other => {
                        return Err(format!(
                            "type {} does not support int indexing",
                            other.go_type()
                        ))
                    }
                }
            }
        };
    }
    Ok(v)
}

/// Debug rendering of a value, for reports (`%v`-like, times as RFC 3339).
pub fn display_value(v: &Value) -> String {
    match v {
        Value::Time(t) => rfc3339_nano(*t),
        other => go_v(other),
    }
}
