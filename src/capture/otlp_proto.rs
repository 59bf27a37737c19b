//! OTLP protobuf captures: one `ExportTraceServiceRequest`, or a stream of them each preceded
//! by its length as a 4-byte big-endian integer.
//!
//! Decoding uses the `opentelemetry-proto` prost types, then converts to [`model`] the way the
//! collector's OTLP receiver would see it: trace ids must be 16 bytes and span ids 8 (or empty),
//! else the receiver rejects the request, so do we. Repeated attribute keys keep the first value
//! (pdata's `Get` finds the first one).

use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest;
use opentelemetry_proto::tonic::common::v1::{any_value, AnyValue as PbAnyValue, KeyValue};
use opentelemetry_proto::tonic::trace::v1 as pb;
use prost::Message;

use super::model::{
    AnyValue, Attributes, Batch, Event, Link, Resource, ResourceSpans, Scope, ScopeSpans, Span,
    Status,
};

/// A decode failure: byte offset (of the message that failed) and what went wrong.
pub type ProtoError = (u64, String);

/// Decode one request.
pub fn decode_single(bytes: &[u8]) -> Result<Batch, ProtoError> {
    let traces = ExportTraceServiceRequest::decode(bytes)
        .map_err(|e| format!("expected an OTLP ExportTraceServiceRequest in protobuf: {e}"))
        .and_then(convert);
    traces.map_err(|m| match other_signal(bytes) {
        Some(signal) => (
            0,
            format!("this holds OTLP {signal}, not traces: otelcheck replays traces only"),
        ),
        None => (0, m),
    })
}

/// `metrics` or `logs` when `bytes` is a well-formed request of that signal with content:
/// such a file fails as a traces request, and saying why beats a protobuf-internal message.
fn other_signal(bytes: &[u8]) -> Option<&'static str> {
    use opentelemetry_proto::tonic::collector::logs::v1::ExportLogsServiceRequest;
    use opentelemetry_proto::tonic::collector::metrics::v1::ExportMetricsServiceRequest;
    let metrics = ExportMetricsServiceRequest::decode(bytes)
        .ok()
        .is_some_and(|r| {
            r.resource_metrics
                .iter()
                .flat_map(|rm| &rm.scope_metrics)
                .flat_map(|sm| &sm.metrics)
                .any(|m| !m.name.is_empty() && m.data.is_some())
        });
    if metrics {
        return Some("metrics");
    }
    let logs = ExportLogsServiceRequest::decode(bytes)
        .ok()
        .is_some_and(|r| {
            r.resource_logs
                .iter()
                .flat_map(|rl| &rl.scope_logs)
                .any(|sl| !sl.log_records.is_empty())
        });
    logs.then_some("logs")
}

fn convert(req: ExportTraceServiceRequest) -> Result<Batch, String> {
    let resource_spans = req
        .resource_spans
        .into_iter()
        .map(resource_spans)
        .collect::<Result<_, _>>()?;
    Ok(Batch { resource_spans })
}

fn resource_spans(rs: pb::ResourceSpans) -> Result<ResourceSpans, String> {
    let resource = rs.resource.map_or_else(Resource::default, |r| Resource {
        attributes: attributes(r.attributes),
        dropped_attributes_count: r.dropped_attributes_count,
    });
    let scope_spans = rs
        .scope_spans
        .into_iter()
        .map(scope_spans)
        .collect::<Result<_, _>>()?;
    Ok(ResourceSpans {
        resource,
        scope_spans,
        schema_url: rs.schema_url,
    })
}

fn scope_spans(ss: pb::ScopeSpans) -> Result<ScopeSpans, String> {
    let scope = ss.scope.map_or_else(Scope::default, |s| Scope {
        name: s.name,
        version: s.version,
        attributes: attributes(s.attributes),
        dropped_attributes_count: s.dropped_attributes_count,
    });
    let spans = ss.spans.into_iter().map(span).collect::<Result<_, _>>()?;
    Ok(ScopeSpans {
        scope,
        spans,
        schema_url: ss.schema_url,
    })
}

/// A pdata id: exactly N bytes, or empty (all zeros).
pub fn id<const N: usize>(bytes: &[u8], what: &str) -> Result<[u8; N], String> {
    if bytes.is_empty() {
        return Ok([0; N]);
    }
    <[u8; N]>::try_from(bytes).map_err(|_| {
        format!(
            "{what} has {} bytes, expected {N} (the OTLP receiver rejects it)",
            bytes.len()
        )
    })
}

fn span(s: pb::Span) -> Result<Span, String> {
    Ok(Span {
        trace_id: id(&s.trace_id, "trace_id")?,
        span_id: id(&s.span_id, "span_id")?,
        parent_span_id: id(&s.parent_span_id, "parent_span_id")?,
        trace_state: s.trace_state,
        flags: s.flags,
        name: s.name,
        kind: i64::from(s.kind),
        start_time_unix_nano: s.start_time_unix_nano,
        end_time_unix_nano: s.end_time_unix_nano,
        attributes: attributes(s.attributes),
        dropped_attributes_count: s.dropped_attributes_count,
        events: s.events.into_iter().map(event).collect(),
        dropped_events_count: s.dropped_events_count,
        links: s.links.into_iter().map(link).collect::<Result<_, _>>()?,
        dropped_links_count: s.dropped_links_count,
        status: s.status.map_or_else(Status::default, |st| Status {
            code: i64::from(st.code),
            message: st.message,
        }),
    })
}

fn event(e: pb::span::Event) -> Event {
    Event {
        time_unix_nano: e.time_unix_nano,
        name: e.name,
        attributes: attributes(e.attributes),
        dropped_attributes_count: e.dropped_attributes_count,
    }
}

fn link(l: pb::span::Link) -> Result<Link, String> {
    Ok(Link {
        trace_id: id(&l.trace_id, "link trace_id")?,
        span_id: id(&l.span_id, "link span_id")?,
        trace_state: l.trace_state,
        attributes: attributes(l.attributes),
        dropped_attributes_count: l.dropped_attributes_count,
        flags: l.flags,
    })
}

fn attributes(kvs: Vec<KeyValue>) -> Attributes {
    first_wins(
        kvs.into_iter()
            .map(|kv| (kv.key, kv.value.map_or(AnyValue::Empty, any_value))),
    )
}

/// Build an attribute map keeping the first value of a repeated key, in linear time even for
/// hostile inputs with huge maps.
pub fn first_wins(pairs: impl Iterator<Item = (String, AnyValue)>) -> Attributes {
    Attributes::first_wins(pairs.map(|(k, v)| (super::model::Key::of(&k), v)))
}

fn any_value(v: PbAnyValue) -> AnyValue {
    match v.value {
        None | Some(any_value::Value::StringValueStrindex(_)) => AnyValue::Empty,
        Some(any_value::Value::StringValue(s)) => AnyValue::Str(s.into()),
        Some(any_value::Value::BoolValue(b)) => AnyValue::Bool(b),
        Some(any_value::Value::IntValue(i)) => AnyValue::Int(i),
        Some(any_value::Value::DoubleValue(d)) => AnyValue::Double(d),
        Some(any_value::Value::BytesValue(b)) => AnyValue::Bytes(b),
        Some(any_value::Value::ArrayValue(a)) => {
            AnyValue::Slice(a.values.into_iter().map(any_value).collect())
        }
        Some(any_value::Value::KvlistValue(kv)) => AnyValue::Map(attributes(kv.values)),
    }
}
