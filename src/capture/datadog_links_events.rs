//! Span links and span events of a DataDog span, as the receiver's `setSpanLinks` /
//! `setSpanEvents` build them.
//!
//! Native v0.4 `span_links` win; otherwise the `_dd.span_links` meta JSON is parsed (ids as
//! decimal numbers or hex strings). Events come from the `events` meta JSON (native
//! `span_events` are not decoded, see the module docs of `datadog_translate`). Parse failures
//! are logged upstream and otherwise ignored, so here they are silent too — with upstream's
//! quirk that a link whose ids fail to decode stays appended with what was set so far.

use super::datadog_msgpack::{DdSpan, DdSpanLink};
use super::model::{AnyValue, Attributes, Event, Link};
use serde_json::Value;

/// Links for `span` (call before the meta keys are turned into attributes).
pub fn links(span: &DdSpan, meta_links: Option<&str>) -> Vec<Link> {
    if !span.span_links.is_empty() {
        return span.span_links.iter().map(native_link).collect();
    }
    let mut out = Vec::new();
    if let Some(raw) = meta_links {
        meta_links_into(raw, &mut out);
    }
    out
}

fn native_link(l: &DdSpanLink) -> Link {
    let mut attributes = Attributes::new();
    for (k, v) in &l.attributes {
        attributes.upsert(k.as_str(), AnyValue::Str(v.as_str().into()));
    }
    Link {
        trace_id: trace_id(l.trace_id_high, l.trace_id),
        span_id: l.span_id.to_be_bytes(),
        trace_state: l.tracestate.clone(),
        attributes,
        dropped_attributes_count: 0,
        flags: l.flags,
    }
}

pub fn trace_id(high: u64, low: u64) -> [u8; 16] {
    let mut id = [0u8; 16];
    id[..8].copy_from_slice(&high.to_be_bytes());
    id[8..].copy_from_slice(&low.to_be_bytes());
    id
}

fn meta_links_into(raw: &str, out: &mut Vec<Link>) {
    let Ok(Value::Array(items)) = serde_json::from_str::<Value>(raw) else {
        return;
    };
    // Go's json.Unmarshal into the link struct fails as a whole on a type mismatch.
    if !items.iter().all(link_shape_ok) {
        return;
    }
    for item in &items {
        out.push(Link::default());
        let Some(link) = out.last_mut() else { return };
        if fill_link(item, link).is_none() {
            return;
        }
    }
}

fn link_shape_ok(v: &Value) -> bool {
    let Some(obj) = v.as_object() else {
        return v.is_null();
    };
    let str_or_null = |k: &str| obj.get(k).is_none_or(|x| x.is_string() || x.is_null());
    let flags_ok = obj
        .get("flags")
        .is_none_or(|f| f.is_null() || f.as_u64().is_some_and(|n| n <= u64::from(u32::MAX)));
    let attrs_ok = obj
        .get("attributes")
        .is_none_or(|a| a.is_object() || a.is_null());
    str_or_null("tracestate") && flags_ok && attrs_ok
}

fn fill_link(v: &Value, link: &mut Link) -> Option<()> {
    link.trace_id = link_trace_id(v.get("trace_id"), v.get("trace_id_high"))?;
    link.span_id = link_span_id(v.get("span_id"))?;
    link.trace_state = v
        .get("tracestate")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();
    link.flags = v.get("flags").and_then(Value::as_u64).unwrap_or(0) as u32;
    if let Some(Value::Object(attrs)) = v.get("attributes") {
        for (k, val) in attrs {
            link.attributes.upsert(k.clone(), from_json(val));
        }
    }
    Some(())
}

/// A JSON number as Go decodes it into uint64: a non-negative integer literal; `null` is 0.
fn raw_u64(v: Option<&Value>) -> Option<u64> {
    match v? {
        Value::Null => Some(0),
        other => other.as_u64(),
    }
}

fn link_trace_id(low: Option<&Value>, high: Option<&Value>) -> Option<[u8; 16]> {
    if let Some(Value::String(s)) = low {
        return hex_id::<16>(s);
    }
    let low = raw_u64(low)?;
    let high = if high.is_some() { raw_u64(high)? } else { 0 };
    Some(trace_id(high, low))
}

fn link_span_id(v: Option<&Value>) -> Option<[u8; 8]> {
    if let Some(Value::String(s)) = v {
        return hex_id::<8>(s);
    }
    Some(raw_u64(v)?.to_be_bytes())
}

/// otel-go `TraceIDFromHex`/`SpanIDFromHex`: exact length, lowercase hex, not all zero.
fn hex_id<const N: usize>(s: &str) -> Option<[u8; N]> {
    if s.len() != 2 * N
        || !s
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    {
        return None;
    }
    let mut out = [0u8; N];
    hex::decode_to_slice(s, &mut out).ok()?;
    (out != [0u8; N]).then_some(out)
}

/// Events from the `events` meta JSON: `[{time_unix_nano, name, attributes}]`.
pub fn events(meta_events: Option<&str>) -> Vec<Event> {
    let Some(raw) = meta_events else {
        return Vec::new();
    };
    let Ok(Value::Array(items)) = serde_json::from_str::<Value>(raw) else {
        return Vec::new();
    };
    let mut out = Vec::with_capacity(items.len());
    for item in &items {
        match event(item) {
            Some(e) => out.push(e),
            None => return Vec::new(),
        }
    }
    out
}

fn event(v: &Value) -> Option<Event> {
    if v.is_null() {
        return Some(Event::default());
    }
    let obj = v.as_object()?;
    let mut e = Event {
        time_unix_nano: raw_u64(obj.get("time_unix_nano"))
            .or(obj.get("time_unix_nano").is_none().then_some(0))?,
        name: match obj.get("name") {
            None | Some(Value::Null) => String::new(),
            Some(Value::String(s)) => s.clone(),
            Some(_) => return None,
        },
        ..Event::default()
    };
    match obj.get("attributes") {
        None | Some(Value::Null) => {}
        Some(Value::Object(attrs)) => {
            for (k, val) in attrs {
                e.attributes.upsert(k.clone(), from_json(val));
            }
        }
        Some(_) => return None,
    }
    Some(e)
}

/// pdata `FromRaw` over a Go `any` decoded from JSON (numbers are float64).
fn from_json(v: &Value) -> AnyValue {
    match v {
        Value::Null => AnyValue::Empty,
        Value::Bool(b) => AnyValue::Bool(*b),
        Value::Number(n) => AnyValue::Double(n.as_f64().unwrap_or(0.0)),
        Value::String(s) => AnyValue::Str(s.as_str().into()),
        Value::Array(items) => AnyValue::Slice(items.iter().map(from_json).collect()),
        Value::Object(m) => {
            let mut attrs = Attributes::new();
            for (k, val) in m {
                attrs.upsert(k.clone(), from_json(val));
            }
            AnyValue::Map(attrs)
        }
    }
}
