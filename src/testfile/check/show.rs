//! How failures show spans, values and matchers: in the words of the test file (YAML flow
//! style), with values a rule protected masked unless `--reveal`.

use std::fmt::Write as _;

use crate::capture::model::{service_name, AnyValue, Resource, Span};

use super::super::model::{Matcher, SpanKind, Value};
use super::Ctx;

/// How many spans a failure lists.
const SHOW: usize = 5;

pub(super) fn kind_name(code: i64) -> String {
    SpanKind::from_code(code).map_or_else(|| code.to_string(), |k| format!("{k:?}").to_lowercase())
}

/// A span as a failure lists it.
pub(super) fn describe(r: &Resource, s: &Span) -> String {
    format!(
        "{} {:?} (kind {}, trace {}, span {})",
        service_name(r).unwrap_or_else(|| "<no service>".to_owned()),
        s.name,
        kind_name(s.kind),
        hex::encode(s.trace_id),
        hex::encode(s.span_id)
    )
}

pub(super) fn show_value(v: &Value) -> String {
    match v {
        Value::Str(s) => format!("{s:?}"),
        Value::Bool(b) => b.to_string(),
        Value::Int(i) => i.to_string(),
        Value::Double(d) => d.to_string(),
        Value::List(items) => format!(
            "[{}]",
            items.iter().map(show_value).collect::<Vec<_>>().join(", ")
        ),
    }
}

pub(super) fn show_any(v: &AnyValue) -> String {
    match v {
        AnyValue::Empty => "<empty>".to_owned(),
        AnyValue::Str(s) => format!("{:?}", &**s),
        AnyValue::Bool(b) => b.to_string(),
        AnyValue::Int(i) => i.to_string(),
        AnyValue::Double(d) => d.to_string(),
        AnyValue::Bytes(b) => format!("bytes {}", hex::encode(b)),
        AnyValue::Slice(items) => format!(
            "[{}]",
            items.iter().map(show_any).collect::<Vec<_>>().join(", ")
        ),
        AnyValue::Map(m) => format!(
            "{{{}}}",
            m.iter()
                .map(|(k, v)| format!("{k}: {}", show_any(v)))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

/// An actual value for a failure message: masked when a rule of the config protected the
/// attribute, unless `--reveal`.
pub(super) fn shown(key: &str, v: &AnyValue, ctx: &Ctx<'_>) -> String {
    if !ctx.reveal && ctx.journey.protected.contains(key) {
        return match v {
            AnyValue::Str(s) => format!("<masked string of {} chars>", s.chars().count()),
            other => format!("<masked {}>", other.type_name()),
        };
    }
    show_any(v)
}

/// A matcher in YAML flow style, as the author wrote it.
pub fn describe_matcher(m: &Matcher) -> String {
    let mut parts = Vec::new();
    if let Some(n) = &m.name {
        parts.push(format!("name: {n}"));
    }
    if let Some(s) = &m.service {
        parts.push(format!("service: {s}"));
    }
    if let Some(k) = m.kind {
        parts.push(format!("kind: {}", format!("{k:?}").to_lowercase()));
    }
    if !m.attributes.is_empty() {
        let attrs: Vec<String> = m
            .attributes
            .iter()
            .map(|(k, v)| format!("{k}: {}", show_value(v)))
            .collect();
        parts.push(format!("attributes: {{{}}}", attrs.join(", ")));
    }
    format!("{{{}}}", parts.join(", "))
}

pub(super) fn list(lines: &[String], total: usize) -> String {
    let mut s: String = lines
        .iter()
        .take(SHOW)
        .map(|l| format!("\n  - {l}"))
        .collect();
    if total > SHOW {
        let _ = write!(s, "\n  ... and {} more", total - SHOW);
    }
    s
}
