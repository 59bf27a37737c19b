//! `Batch` → one OTLP JSON line, byte for byte as the collector's file exporter writes it
//! (pdata's generated `MarshalJSON` on a jsoniter stream, v0.156.0).
//!
//! The rules that matter for byte equality: fields in protobuf field-number order; zero values
//! and empty lists omitted, except `resource`, `scope`, `status` and a key/value's `value`,
//! which are always written; 64-bit integers as decimal strings, 32-bit ones and enums as
//! numbers; ids as lowercase hex (omitted when all zero); doubles in Go's shortest form
//! (exponent form below 1e-6 and from 1e21), NaN/±Infinity as strings; bytes as base64;
//! strings escaped the jsoniter way (`\n`, `\r`, `\t`, other control bytes as `\u00xx`, no
//! HTML escaping).

use std::io::{self, Write};

use super::model::{AnyValue, Attributes, Batch, Event, Link, Span};

/// Write `batch` as one `ExportTraceServiceRequest` JSON object followed by `\n`.
pub fn write_otlp_json_line(batch: &Batch, out: &mut impl Write) -> io::Result<()> {
    let mut o = Obj::new();
    o.list("resourceSpans", &batch.resource_spans, |rs| {
        let mut r = Obj::new();
        let mut res = Obj::new();
        res.list("attributes", rs.resource.attributes.entries(), key_value);
        res.uint(
            "droppedAttributesCount",
            u64::from(rs.resource.dropped_attributes_count),
        );
        r.raw("resource", &res.finish());
        r.list("scopeSpans", &rs.scope_spans, |ss| {
            let mut s = Obj::new();
            let mut scope = Obj::new();
            scope.string("name", &ss.scope.name);
            scope.string("version", &ss.scope.version);
            scope.list("attributes", ss.scope.attributes.entries(), key_value);
            scope.uint(
                "droppedAttributesCount",
                u64::from(ss.scope.dropped_attributes_count),
            );
            s.raw("scope", &scope.finish());
            s.list("spans", &ss.spans, span);
            s.string("schemaUrl", &ss.schema_url);
            s.finish()
        });
        r.string("schemaUrl", &rs.schema_url);
        r.finish()
    });
    let mut line = o.finish();
    line.push('\n');
    out.write_all(line.as_bytes())
}

fn span(s: &Span) -> String {
    let mut o = Obj::new();
    o.id("traceId", &s.trace_id);
    o.id("spanId", &s.span_id);
    o.string("traceState", &s.trace_state);
    o.id("parentSpanId", &s.parent_span_id);
    o.uint("flags", u64::from(s.flags));
    o.string("name", &s.name);
    o.int_number("kind", s.kind);
    o.u64_string("startTimeUnixNano", s.start_time_unix_nano);
    o.u64_string("endTimeUnixNano", s.end_time_unix_nano);
    o.list("attributes", s.attributes.entries(), key_value);
    o.uint(
        "droppedAttributesCount",
        u64::from(s.dropped_attributes_count),
    );
    o.list("events", &s.events, event);
    o.uint("droppedEventsCount", u64::from(s.dropped_events_count));
    o.list("links", &s.links, link);
    o.uint("droppedLinksCount", u64::from(s.dropped_links_count));
    let mut status = Obj::new();
    status.string("message", &s.status.message);
    status.int_number("code", s.status.code);
    o.raw("status", &status.finish());
    o.finish()
}

fn event(e: &Event) -> String {
    let mut o = Obj::new();
    o.u64_string("timeUnixNano", e.time_unix_nano);
    o.string("name", &e.name);
    o.list("attributes", e.attributes.entries(), key_value);
    o.uint(
        "droppedAttributesCount",
        u64::from(e.dropped_attributes_count),
    );
    o.finish()
}

fn link(l: &Link) -> String {
    let mut o = Obj::new();
    o.id("traceId", &l.trace_id);
    o.id("spanId", &l.span_id);
    o.string("traceState", &l.trace_state);
    o.list("attributes", l.attributes.entries(), key_value);
    o.uint(
        "droppedAttributesCount",
        u64::from(l.dropped_attributes_count),
    );
    o.uint("flags", u64::from(l.flags));
    o.finish()
}

fn key_value((key, value): &(super::model::Key, AnyValue)) -> String {
    let mut o = Obj::new();
    o.string("key", key);
    o.raw("value", &any_value(value));
    o.finish()
}

fn any_value(v: &AnyValue) -> String {
    let mut o = Obj::new();
    match v {
        AnyValue::Empty => {}
        AnyValue::Str(s) => o.raw("stringValue", &quote(s)),
        AnyValue::Bool(b) => o.raw("boolValue", if *b { "true" } else { "false" }),
        AnyValue::Int(i) => o.raw("intValue", &quote(&i.to_string())),
        AnyValue::Double(d) => o.raw("doubleValue", &go_float(*d)),
        AnyValue::Bytes(b) => o.raw("bytesValue", &quote(&super::base64::encode(b))),
        AnyValue::Slice(items) => {
            let mut a = Obj::new();
            a.list("values", items, any_value);
            o.raw("arrayValue", &a.finish());
        }
        AnyValue::Map(m) => o.raw("kvlistValue", &kv_list(m)),
    }
    o.finish()
}

fn kv_list(m: &Attributes) -> String {
    let mut o = Obj::new();
    o.list("values", m.entries(), key_value);
    o.finish()
}

/// jsoniter `WriteFloat64` behind pdata's special-value handling.
pub fn go_float(v: f64) -> String {
    if v.is_nan() {
        return quote("NaN");
    }
    if v.is_infinite() {
        return quote(if v > 0.0 { "Infinity" } else { "-Infinity" });
    }
    let abs = v.abs();
    if abs != 0.0 && !(1e-6..1e21).contains(&abs) {
        let e = format!("{v:e}");
        // Go writes a sign on positive exponents ("1e+21"); negative ones match after jsoniter
        // trims "e-07" to "e-7".
        return match e.split_once('e') {
            Some((mant, exp)) if !exp.starts_with('-') => format!("{mant}e+{exp}"),
            _ => e,
        };
    }
    format!("{v}")
}

/// A JSON string literal, escaped as jsoniter does without HTML escaping.
pub fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A JSON object under construction; omits what pdata omits.
struct Obj(String);

impl Obj {
    fn new() -> Self {
        Obj(String::from("{"))
    }

    fn raw(&mut self, key: &str, json: &str) {
        if self.0.len() > 1 {
            self.0.push(',');
        }
        self.0.push('"');
        self.0.push_str(key);
        self.0.push_str("\":");
        self.0.push_str(json);
    }

    fn string(&mut self, key: &str, v: &str) {
        if !v.is_empty() {
            self.raw(key, &quote(v));
        }
    }

    fn uint(&mut self, key: &str, v: u64) {
        if v != 0 {
            self.raw(key, &v.to_string());
        }
    }

    fn int_number(&mut self, key: &str, v: i64) {
        if v != 0 {
            // pdata writes enums as int32.
            self.raw(key, &(v as i32).to_string());
        }
    }

    fn u64_string(&mut self, key: &str, v: u64) {
        if v != 0 {
            self.raw(key, &quote(&v.to_string()));
        }
    }

    fn id(&mut self, key: &str, id: &[u8]) {
        if id.iter().any(|b| *b != 0) {
            self.raw(key, &quote(&hex::encode(id)));
        }
    }

    fn list<T>(&mut self, key: &str, items: &[T], f: impl Fn(&T) -> String) {
        if items.is_empty() {
            return;
        }
        let parts: Vec<String> = items.iter().map(f).collect();
        self.raw(key, &format!("[{}]", parts.join(",")));
    }

    fn finish(mut self) -> String {
        self.0.push('}');
        self.0
    }
}
