//! Inline spans of a test → one OTLP request. Each span gets its own resource (from
//! `service` and `resource`); ids not given are made up deterministically, so a span without
//! a `trace_id` is a trace of its own and reruns give the same ids.

use crate::capture::model::{
    AnyValue, Attributes, Batch, Resource, ResourceSpans, ScopeSpans, Span, Status, Str,
};

use super::model::{SpanKind, SpanSpec, Value};

/// Start time of the first inline span (2023-11-14T22:13:20Z); each next span starts 1 ms
/// later and lasts 1 ms.
const FIRST_START_NANOS: u64 = 1_700_000_000_000_000_000;
const MILLI: u64 = 1_000_000;

/// An attribute value from YAML.
pub fn any_value(v: &Value) -> AnyValue {
    match v {
        Value::Bool(b) => AnyValue::Bool(*b),
        Value::Int(i) => AnyValue::Int(*i),
        Value::Double(d) => AnyValue::Double(*d),
        Value::Str(s) => AnyValue::Str(Str::from(s.as_str())),
        Value::List(items) => AnyValue::Slice(items.iter().map(any_value).collect()),
    }
}

fn attributes<'a>(pairs: impl Iterator<Item = (&'a String, &'a Value)>) -> Attributes {
    pairs
        .map(|(k, v)| (crate::capture::model::Key::of(k), any_value(v)))
        .collect()
}

fn hex_id<const N: usize>(text: &str, what: &str) -> Result<[u8; N], String> {
    let bytes =
        hex::decode(text.trim()).map_err(|_| format!("{what} {text:?} is not hexadecimal"))?;
    bytes
        .try_into()
        .map_err(|_| format!("{what} {text:?} must be {} hex digits", N * 2))
}

/// The request the test's inline spans form; `Err` names the span and field at fault.
pub fn batch(specs: &[SpanSpec]) -> Result<Batch, String> {
    let mut resource_spans = Vec::with_capacity(specs.len());
    for (i, s) in specs.iter().enumerate() {
        let n = i as u64 + 1;
        let at = |e: String| format!("span {} ({:?}): {e}", i + 1, s.name);
        let trace_id = match &s.trace_id {
            Some(t) => hex_id::<16>(t, "trace_id").map_err(at)?,
            None => u128::from(n).to_be_bytes(),
        };
        let span_id = match &s.span_id {
            Some(t) => hex_id::<8>(t, "span_id").map_err(at)?,
            None => n.to_be_bytes(),
        };
        let mut resource = attributes(s.resource.iter());
        if let Some(service) = &s.service {
            resource.upsert("service.name", AnyValue::Str(Str::from(service.as_str())));
        }
        let start = FIRST_START_NANOS + i as u64 * MILLI;
        let span = Span {
            trace_id,
            span_id,
            name: s.name.clone(),
            kind: s.kind.unwrap_or(SpanKind::Unspecified).code(),
            start_time_unix_nano: start,
            end_time_unix_nano: start + MILLI,
            attributes: attributes(s.attributes.iter()),
            status: Status {
                code: s.status.map_or(0, |c| c.code()),
                message: String::new(),
            },
            ..Span::default()
        };
        resource_spans.push(ResourceSpans {
            resource: Resource {
                attributes: resource,
                dropped_attributes_count: 0,
            },
            scope_spans: vec![ScopeSpans {
                spans: vec![span],
                ..ScopeSpans::default()
            }],
            schema_url: String::new(),
        });
    }
    Ok(Batch { resource_spans })
}
