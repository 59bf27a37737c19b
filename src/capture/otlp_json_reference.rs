//! The previous OTLP JSON reader (a walk over a `serde_json::Value` tree), kept for tests only:
//! the streaming reader in [`super::otlp_json`] must give the same batches and the same errors on
//! every input (see the differential tests there).

use serde_json::Value;

use super::model::{
    span_kind, status_code, AnyValue, Attributes, Batch, Event, Link, Resource, ResourceSpans,
    Scope, ScopeSpans, Span, Status,
};
use super::otlp_json::{JsonError, JsonItem};
use super::otlp_proto::first_wins;

/// Decode every object in `bytes` (one, or several back to back or one per line).
pub fn decode_items(bytes: &[u8]) -> Result<Vec<(u64, JsonItem)>, JsonError> {
    let mut out = Vec::new();
    let mut stream = serde_json::Deserializer::from_slice(bytes).into_iter::<Value>();
    loop {
        let start = skip_ws(bytes, stream.byte_offset());
        match stream.next() {
            None => break,
            Some(Err(e)) => {
                return Err((
                    start as u64,
                    format!(
                        "expected an OTLP JSON object (line {}, column {}): {e}",
                        e.line(),
                        e.column()
                    ),
                ));
            }
            Some(Ok(v)) => {
                if let Some(signal) = other_signal(&v) {
                    out.push((start as u64, JsonItem::OtherSignal(signal)));
                    continue;
                }
                let batch = request(&v).map_err(|m| {
                    (
                        start as u64,
                        format!("in the OTLP JSON object starting here: {m}"),
                    )
                })?;
                out.push((start as u64, JsonItem::Traces(batch)));
            }
        }
    }
    Ok(out)
}

/// The signal of an OTLP metrics/logs/profiles request object (no `resourceSpans`).
fn other_signal(v: &Value) -> Option<&'static str> {
    if field(v, "resourceSpans", "resource_spans").is_some() {
        return None;
    }
    [
        ("resourceMetrics", "resource_metrics", "metrics"),
        ("resourceLogs", "resource_logs", "logs"),
        ("resourceProfiles", "resource_profiles", "profiles"),
    ]
    .into_iter()
    .find(|(camel, snake, _)| v.get(camel).is_some() || v.get(snake).is_some())
    .map(|(_, _, signal)| signal)
}

fn skip_ws(bytes: &[u8], mut pos: usize) -> usize {
    while bytes.get(pos).is_some_and(u8::is_ascii_whitespace) {
        pos += 1;
    }
    pos
}

type R<T> = Result<T, String>;

/// A field under its camelCase or snake_case name (pdata accepts both).
fn field<'v>(obj: &'v Value, camel: &str, snake: &str) -> Option<&'v Value> {
    obj.get(camel)
        .or_else(|| obj.get(snake))
        .filter(|v| !v.is_null())
}

fn array<'v>(obj: &'v Value, camel: &str, snake: &str) -> R<&'v [Value]> {
    match field(obj, camel, snake) {
        None => Ok(&[]),
        Some(Value::Array(items)) => Ok(items),
        Some(other) => Err(format!("`{camel}` must be an array, found {}", kind(other))),
    }
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

fn string(obj: &Value, camel: &str, snake: &str) -> R<String> {
    match field(obj, camel, snake) {
        None => Ok(String::new()),
        Some(Value::String(s)) => Ok(s.clone()),
        Some(other) => Err(format!("`{camel}` must be a string, found {}", kind(other))),
    }
}

/// A protobuf-JSON integer: a number or a decimal string.
fn int_of(v: &Value, name: &str) -> R<i128> {
    let parsed = match v {
        Value::Number(n) => n
            .as_i64()
            .map(i128::from)
            .or_else(|| n.as_u64().map(i128::from)),
        Value::String(s) => s.trim().parse::<i128>().ok(),
        _ => None,
    };
    parsed
        .ok_or_else(|| format!("`{name}` must be an integer (number or decimal string), found {v}"))
}

fn uint<T: TryFrom<i128>>(obj: &Value, camel: &str, snake: &str) -> R<T> {
    let Some(v) = field(obj, camel, snake) else {
        return T::try_from(0).map_err(|_| String::new());
    };
    let n = int_of(v, camel)?;
    T::try_from(n).map_err(|_| format!("`{camel}` value {n} is out of range"))
}

/// An enum as a number or as its protobuf name (`SPAN_KIND_SERVER`, `STATUS_CODE_ERROR`).
fn enum_value(obj: &Value, camel: &str, from_name: fn(&str) -> Option<i64>) -> R<i64> {
    match field(obj, camel, camel) {
        None => Ok(0),
        Some(v) => {
            if let Some(known) = v.as_str().and_then(from_name) {
                return Ok(known);
            }
            i64::try_from(int_of(v, camel)?).map_err(|_| format!("`{camel}` is out of range"))
        }
    }
}

fn hex_id<const N: usize>(obj: &Value, camel: &str, snake: &str) -> R<[u8; N]> {
    let s = string(obj, camel, snake)?;
    if s.is_empty() {
        return Ok([0; N]);
    }
    let mut out = [0u8; N];
    hex::decode_to_slice(&s, &mut out)
        .map_err(|_| format!("`{camel}` must be {} hex digits, found \"{s}\"", 2 * N))?;
    Ok(out)
}

fn request(v: &Value) -> R<Batch> {
    if !v.is_object() {
        let hint = if v.is_array() {
            " (a top-level JSON array is not OTLP; DataDog JSON trace lists are not supported: \
             record the msgpack payloads the tracer sends instead)"
        } else {
            ""
        };
        return Err(format!(
            "expected an object with `resourceSpans`, found {}{hint}",
            kind(v)
        ));
    }
    // `{}` is a valid empty request, but an object with other keys and no `resourceSpans` is
    // some other JSON document (a headers sidecar, a config): say so instead of reading 0 spans.
    if let Some(obj) = v.as_object() {
        if !obj.is_empty() && field(v, "resourceSpans", "resource_spans").is_none() {
            let keys: Vec<&str> = obj.keys().map(String::as_str).take(5).collect();
            return Err(format!(
                "expected `resourceSpans`, found only the keys {}",
                keys.join(", ")
            ));
        }
    }
    let resource_spans = array(v, "resourceSpans", "resource_spans")?
        .iter()
        .map(resource_spans)
        .collect::<R<_>>()?;
    Ok(Batch { resource_spans })
}

fn resource_spans(v: &Value) -> R<ResourceSpans> {
    let resource = match field(v, "resource", "resource") {
        None => Resource::default(),
        Some(r) => Resource {
            attributes: attributes(r)?,
            dropped_attributes_count: uint(
                r,
                "droppedAttributesCount",
                "dropped_attributes_count",
            )?,
        },
    };
    let scope_spans = array(v, "scopeSpans", "scope_spans")?
        .iter()
        .map(scope_spans)
        .collect::<R<_>>()?;
    Ok(ResourceSpans {
        resource,
        scope_spans,
        schema_url: string(v, "schemaUrl", "schema_url")?,
    })
}

fn scope_spans(v: &Value) -> R<ScopeSpans> {
    let scope = match field(v, "scope", "scope") {
        None => Scope::default(),
        Some(s) => Scope {
            name: string(s, "name", "name")?,
            version: string(s, "version", "version")?,
            attributes: attributes(s)?,
            dropped_attributes_count: uint(
                s,
                "droppedAttributesCount",
                "dropped_attributes_count",
            )?,
        },
    };
    let spans = array(v, "spans", "spans")?
        .iter()
        .map(span)
        .collect::<R<_>>()?;
    Ok(ScopeSpans {
        scope,
        spans,
        schema_url: string(v, "schemaUrl", "schema_url")?,
    })
}

fn span(v: &Value) -> R<Span> {
    let status = match field(v, "status", "status") {
        None => Status::default(),
        Some(s) => Status {
            code: enum_value(s, "code", status_code::from_proto_name)?,
            message: string(s, "message", "message")?,
        },
    };
    Ok(Span {
        trace_id: hex_id(v, "traceId", "trace_id")?,
        span_id: hex_id(v, "spanId", "span_id")?,
        parent_span_id: hex_id(v, "parentSpanId", "parent_span_id")?,
        trace_state: string(v, "traceState", "trace_state")?,
        flags: uint(v, "flags", "flags")?,
        name: string(v, "name", "name")?,
        kind: enum_value(v, "kind", span_kind::from_proto_name)?,
        start_time_unix_nano: uint(v, "startTimeUnixNano", "start_time_unix_nano")?,
        end_time_unix_nano: uint(v, "endTimeUnixNano", "end_time_unix_nano")?,
        attributes: attributes(v)?,
        dropped_attributes_count: uint(v, "droppedAttributesCount", "dropped_attributes_count")?,
        events: array(v, "events", "events")?
            .iter()
            .map(event)
            .collect::<R<_>>()?,
        dropped_events_count: uint(v, "droppedEventsCount", "dropped_events_count")?,
        links: array(v, "links", "links")?
            .iter()
            .map(link)
            .collect::<R<_>>()?,
        dropped_links_count: uint(v, "droppedLinksCount", "dropped_links_count")?,
        status,
    })
}

fn event(v: &Value) -> R<Event> {
    Ok(Event {
        time_unix_nano: uint(v, "timeUnixNano", "time_unix_nano")?,
        name: string(v, "name", "name")?,
        attributes: attributes(v)?,
        dropped_attributes_count: uint(v, "droppedAttributesCount", "dropped_attributes_count")?,
    })
}

fn link(v: &Value) -> R<Link> {
    Ok(Link {
        trace_id: hex_id(v, "traceId", "trace_id")?,
        span_id: hex_id(v, "spanId", "span_id")?,
        trace_state: string(v, "traceState", "trace_state")?,
        attributes: attributes(v)?,
        dropped_attributes_count: uint(v, "droppedAttributesCount", "dropped_attributes_count")?,
        flags: uint(v, "flags", "flags")?,
    })
}

/// The `attributes` array of `owner` (a list of `{key, value}`).
fn attributes(owner: &Value) -> R<Attributes> {
    key_values(array(owner, "attributes", "attributes")?)
}

fn key_values(items: &[Value]) -> R<Attributes> {
    let pairs = items
        .iter()
        .map(|kv| {
            Ok((
                string(kv, "key", "key")?,
                field(kv, "value", "value").map_or(Ok(AnyValue::Empty), any_value)?,
            ))
        })
        .collect::<R<Vec<_>>>()?;
    Ok(first_wins(pairs.into_iter()))
}

fn any_value(v: &Value) -> R<AnyValue> {
    if let Some(s) = field(v, "stringValue", "string_value") {
        return s
            .as_str()
            .map(|s| AnyValue::Str(super::model::Str::from(s)))
            .ok_or_else(|| "`stringValue` must be a string".into());
    }
    if let Some(b) = field(v, "boolValue", "bool_value") {
        return b
            .as_bool()
            .map(AnyValue::Bool)
            .ok_or_else(|| "`boolValue` must be a boolean".into());
    }
    if let Some(i) = field(v, "intValue", "int_value") {
        let n = int_of(i, "intValue")?;
        return i64::try_from(n)
            .map(AnyValue::Int)
            .map_err(|_| format!("`intValue` {n} is out of int64 range"));
    }
    if let Some(d) = field(v, "doubleValue", "double_value") {
        return double(d).map(AnyValue::Double);
    }
    if let Some(a) = field(v, "arrayValue", "array_value") {
        return Ok(AnyValue::Slice(
            array(a, "values", "values")?
                .iter()
                .map(any_value)
                .collect::<R<_>>()?,
        ));
    }
    if let Some(m) = field(v, "kvlistValue", "kvlist_value") {
        return Ok(AnyValue::Map(key_values(array(m, "values", "values")?)?));
    }
    if let Some(b) = field(v, "bytesValue", "bytes_value") {
        let s = b.as_str().ok_or("`bytesValue` must be a base64 string")?;
        return super::base64::decode(s)
            .map(AnyValue::Bytes)
            .ok_or_else(|| format!("`bytesValue` is not valid base64: \"{s}\""));
    }
    Ok(AnyValue::Empty)
}

fn double(v: &Value) -> R<f64> {
    match v {
        Value::Number(n) => n
            .as_f64()
            .ok_or_else(|| "`doubleValue` is not a finite number".into()),
        Value::String(s) => match s.as_str() {
            "NaN" => Ok(f64::NAN),
            "Infinity" => Ok(f64::INFINITY),
            "-Infinity" => Ok(f64::NEG_INFINITY),
            other => other
                .parse()
                .map_err(|_| format!("`doubleValue` must be a number, found \"{other}\"")),
        },
        other => Err(format!(
            "`doubleValue` must be a number, found {}",
            kind(other)
        )),
    }
}
