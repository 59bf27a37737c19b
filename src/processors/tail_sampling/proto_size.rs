//! Protobuf sizes of buffered spans, exactly as pdata's generated `SizeProto` (v0.156.0)
//! counts them: what `bytes_limiting` spends (`TracesSize` of the whole trace) and
//! `maximum_trace_size_bytes` adds up (`ResourceSpansSize` per received piece). pdata always
//! writes the span's ids, parent id and status and the resource and scope messages, even when
//! empty, so this follows its rules rather than a generic proto3 encoder's.

use crate::capture::model::{AnyValue, Attributes, Event, Link, ResourceSpans, Span};

/// Bytes of a varint (`proto.Sov`).
fn sov(v: u64) -> u64 {
    u64::from((64 - (v | 1).leading_zeros()).div_ceil(7))
}

/// A length-delimited field with a one-byte tag.
fn field(len: u64) -> u64 {
    1 + sov(len) + len
}

/// A string/bytes field, left out when empty.
fn text(len: usize) -> u64 {
    if len == 0 {
        0
    } else {
        field(len as u64)
    }
}

/// A uint32 varint field, left out when zero.
fn count(v: u32) -> u64 {
    if v == 0 {
        0
    } else {
        1 + sov(u64::from(v))
    }
}

fn id(bytes: &[u8]) -> u64 {
    // TraceID / SpanID: 0 bytes when all zero; the field itself is always written.
    field(if bytes.iter().all(|b| *b == 0) {
        0
    } else {
        bytes.len() as u64
    })
}

fn any_value(v: &AnyValue) -> u64 {
    match v {
        AnyValue::Empty => 0,
        AnyValue::Str(s) => field(s.len() as u64),
        AnyValue::Bool(_) => 2,
        // Negative ints are 10-byte varints (the uint64 of their two's complement).
        AnyValue::Int(i) => 1 + sov(*i as u64),
        AnyValue::Double(_) => 9,
        AnyValue::Bytes(b) => field(b.len() as u64),
        AnyValue::Slice(items) => field(items.iter().map(|v| field(any_value(v))).sum()),
        AnyValue::Map(m) => field(attributes(m)),
    }
}

/// The repeated KeyValue field's total size.
fn attributes(a: &Attributes) -> u64 {
    a.iter()
        .map(|(k, v)| field(text(k.len()) + field(any_value(v))))
        .sum()
}

fn event(e: &Event) -> u64 {
    let time = if e.time_unix_nano != 0 { 9 } else { 0 };
    time + text(e.name.len()) + attributes(&e.attributes) + count(e.dropped_attributes_count)
}

fn link(l: &Link) -> u64 {
    id(&l.trace_id)
        + id(&l.span_id)
        + text(l.trace_state.len())
        + attributes(&l.attributes)
        + count(l.dropped_attributes_count)
        + if l.flags != 0 { 5 } else { 0 }
}

fn span(s: &Span) -> u64 {
    let fixed64 = |v: u64| if v != 0 { 9 } else { 0 };
    let status = text(s.status.message.len())
        + if s.status.code != 0 {
            1 + sov(s.status.code as u64)
        } else {
            0
        };
    id(&s.trace_id)
        + id(&s.span_id)
        + text(s.trace_state.len())
        + id(&s.parent_span_id)
        // Field 16: a two-byte tag and a fixed32.
        + if s.flags != 0 { 6 } else { 0 }
        + text(s.name.len())
        + if s.kind != 0 { 1 + sov(s.kind as u64) } else { 0 }
        + fixed64(s.start_time_unix_nano)
        + fixed64(s.end_time_unix_nano)
        + attributes(&s.attributes)
        + count(s.dropped_attributes_count)
        + s.events.iter().map(|e| field(event(e))).sum::<u64>()
        + count(s.dropped_events_count)
        + s.links.iter().map(|l| field(link(l))).sum::<u64>()
        + count(s.dropped_links_count)
        + field(status)
}

/// `ResourceSpansSize`: the ResourceSpans message, without its own field tag.
pub fn resource_spans_size(rs: &ResourceSpans) -> u64 {
    let resource =
        attributes(&rs.resource.attributes) + count(rs.resource.dropped_attributes_count);
    let scopes: u64 = rs
        .scope_spans
        .iter()
        .map(|ss| {
            let scope = text(ss.scope.name.len())
                + text(ss.scope.version.len())
                + attributes(&ss.scope.attributes)
                + count(ss.scope.dropped_attributes_count);
            field(
                field(scope)
                    + ss.spans.iter().map(|s| field(span(s))).sum::<u64>()
                    + text(ss.schema_url.len()),
            )
        })
        .sum();
    field(resource) + scopes + text(rs.schema_url.len())
}

/// `TracesSize`: a TracesData holding these ResourceSpans.
pub fn traces_size(pieces: &[ResourceSpans]) -> u64 {
    pieces.iter().map(|rs| field(resource_spans_size(rs))).sum()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::capture::model::ScopeSpans;

    #[test]
    fn sizes_follow_pdata() {
        assert_eq!(sov(0), 1);
        assert_eq!(sov(127), 1);
        assert_eq!(sov(128), 2);
        assert_eq!(sov(u64::MAX), 10);
        // An empty ResourceSpans still carries its empty resource: tag + length 0.
        let rs = ResourceSpans::default();
        assert_eq!(resource_spans_size(&rs), 2);
        assert_eq!(traces_size(std::slice::from_ref(&rs)), 4);
        let mut s = Span {
            trace_id: [1; 16],
            span_id: [2; 8],
            name: "x".to_owned(),
            ..Span::default()
        };
        s.attributes.upsert("k", AnyValue::Int(-1));
        let rs = ResourceSpans {
            scope_spans: vec![ScopeSpans {
                spans: vec![s],
                ..ScopeSpans::default()
            }],
            ..ResourceSpans::default()
        };
        // span: trace_id 2+16, span_id 2+8, parent 2+0, name 2+1, attribute 2+(3 key +
        // 2+(1+10) value) = 18, status 2+0 → 53; scope spans: scope 2 + span 2+53 = 57;
        // resource spans: resource 2 + 2+57 = 61.
        assert_eq!(resource_spans_size(&rs), 61);
    }
}
