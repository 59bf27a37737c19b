//! The protobuf floor over an OTLP stream (each `ExportTraceServiceRequest` preceded by its
//! length as a 4-byte big-endian integer): every tag of every nested message is read, every
//! string field checked as UTF-8, every other field skipped by its wire type. The wire format
//! cannot tell a string from a sub-message, so [`field`] holds the OTLP trace schema (the
//! length-delimited fields only); unknown fields are skipped as protobuf readers do.

use super::{Stop, Walk};

/// Walk every complete length-prefixed message at the start of `buf`.
pub fn walk(buf: &[u8], eof: bool, walk: &mut Walk) -> Result<usize, Stop> {
    let mut pos = 0;
    while pos < buf.len() {
        let body = buf
            .get(pos..pos + 4)
            .map(|b| u32::from_be_bytes([b[0], b[1], b[2], b[3]]) as usize)
            .and_then(|n| buf.get(pos + 4..pos + 4 + n));
        let Some(body) = body else {
            if eof {
                return Err(Stop::Invalid(pos, "a message runs past the end".into()));
            }
            break;
        };
        message(body, Msg::Request, 0, walk)
            .map_err(|(at, why)| Stop::Invalid(pos + 4 + at, why))?;
        walk.units += 1;
        pos += 4 + body.len();
    }
    Ok(pos)
}

/// The OTLP trace messages (opentelemetry-proto `trace/v1`, `common/v1`, `resource/v1`).
#[derive(Debug, Clone, Copy)]
enum Msg {
    Request,
    ResourceSpans,
    Resource,
    EntityRef,
    ScopeSpans,
    Scope,
    Span,
    Event,
    Link,
    Status,
    KeyValue,
    AnyValue,
    ArrayValue,
    KeyValueList,
}

/// What a length-delimited field holds.
enum Field {
    Message(Msg),
    Str,
    Bytes,
}

fn field(msg: Msg, number: u64) -> Field {
    use Field::{Bytes, Message, Str};
    match (msg, number) {
        (Msg::Request, 1) => Message(Msg::ResourceSpans),
        (Msg::ResourceSpans, 1) => Message(Msg::Resource),
        (Msg::ResourceSpans, 2) => Message(Msg::ScopeSpans),
        (Msg::Resource, 1)
        | (Msg::Scope, 3)
        | (Msg::Span, 9)
        | (Msg::Event, 3)
        | (Msg::Link, 4) => Message(Msg::KeyValue),
        (Msg::Resource, 3) => Message(Msg::EntityRef),
        (Msg::ScopeSpans, 1) => Message(Msg::Scope),
        (Msg::ScopeSpans, 2) => Message(Msg::Span),
        (Msg::Span, 11) => Message(Msg::Event),
        (Msg::Span, 13) => Message(Msg::Link),
        (Msg::Span, 15) => Message(Msg::Status),
        (Msg::KeyValue, 2) | (Msg::ArrayValue, 1) => Message(Msg::AnyValue),
        (Msg::AnyValue, 5) => Message(Msg::ArrayValue),
        (Msg::AnyValue, 6) => Message(Msg::KeyValueList),
        (Msg::KeyValueList, 1) => Message(Msg::KeyValue),
        // schema_url, names, versions, trace_state, keys, string values, status message.
        (Msg::ResourceSpans | Msg::ScopeSpans, 3)
        | (Msg::EntityRef, 1..=4)
        | (Msg::Scope, 1 | 2)
        | (Msg::Span, 3 | 5)
        | (Msg::Event, 2)
        | (Msg::Link, 3)
        | (Msg::Status, 2)
        | (Msg::KeyValue, 1)
        | (Msg::AnyValue, 1) => Str,
        // ids, bytes values, unknown fields
        _ => Bytes,
    }
}

type R<T> = Result<T, (usize, String)>;

/// Nesting deeper than this is refused (AnyValue arrays and lists can nest without end).
const MAX_DEPTH: usize = 64;

fn message(buf: &[u8], msg: Msg, depth: usize, walk: &mut Walk) -> R<()> {
    if depth > MAX_DEPTH {
        return Err((0, "messages nest too deep".into()));
    }
    let mut pos = 0;
    while pos < buf.len() {
        let tag = varint(buf, &mut pos)?;
        walk.values += 1;
        match tag & 7 {
            0 => {
                varint(buf, &mut pos)?;
            }
            1 => pos += 8,
            5 => pos += 4,
            2 => {
                let n = usize::try_from(varint(buf, &mut pos)?).unwrap_or(usize::MAX);
                let body = buf
                    .get(pos..pos.saturating_add(n))
                    .ok_or_else(|| (pos, "a field runs past its message".to_string()))?;
                match field(msg, tag >> 3) {
                    Field::Message(inner) => {
                        message(body, inner, depth + 1, walk)
                            .map_err(|(at, why)| (pos + at, why))?;
                    }
                    Field::Str => {
                        std::str::from_utf8(body)
                            .map_err(|_| (pos, "a string is not UTF-8".to_string()))?;
                        walk.strings += 1;
                        walk.string_bytes += n as u64;
                    }
                    Field::Bytes => {}
                }
                pos += n;
            }
            wire => return Err((pos, format!("wire type {wire} is not valid"))),
        }
    }
    if pos == buf.len() {
        Ok(())
    } else {
        Err((buf.len(), "a field runs past its message".into()))
    }
}

fn varint(buf: &[u8], pos: &mut usize) -> R<u64> {
    let mut value = 0u64;
    for shift in (0..64).step_by(7) {
        let byte = *buf
            .get(*pos)
            .ok_or_else(|| (*pos, "a varint runs past its message".to_string()))?;
        *pos += 1;
        value |= u64::from(byte & 0x7f) << shift;
        if byte < 0x80 {
            return Ok(value);
        }
    }
    Err((*pos, "a varint is longer than 10 bytes".into()))
}
