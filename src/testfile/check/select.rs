//! Which spans a matcher selects, and how a YAML value compares with a span's value.

use crate::capture::model::{service_name, AnyValue, Batch, Resource, Span};

use super::super::build::any_value;
use super::super::model::{Matcher, Value};

pub(super) fn spans(batches: Option<&Vec<Batch>>) -> Vec<(&Resource, &Span)> {
    batches
        .into_iter()
        .flatten()
        .flat_map(|b| &b.resource_spans)
        .flat_map(|rs| {
            rs.scope_spans
                .iter()
                .flat_map(move |ss| ss.spans.iter().map(move |s| (&rs.resource, s)))
        })
        .collect()
}

/// The attribute a matcher or check names: `resource.` prefix → the resource's.
pub(super) fn lookup<'a>(key: &str, r: &'a Resource, s: &'a Span) -> Option<&'a AnyValue> {
    match key.strip_prefix("resource.") {
        Some(k) => r.attributes.get(k),
        None => s.attributes.get(key),
    }
}

pub(super) fn value_eq(want: &Value, got: &AnyValue) -> bool {
    match (want, got) {
        (Value::Int(a), AnyValue::Double(b)) => (*a as f64 - b).abs() < f64::EPSILON,
        (Value::Double(a), AnyValue::Int(b)) => (a - *b as f64).abs() < f64::EPSILON,
        _ => any_value(want) == *got,
    }
}

pub(super) fn matches(m: &Matcher, r: &Resource, s: &Span) -> bool {
    m.name.as_ref().is_none_or(|n| *n == s.name)
        && m.service
            .as_ref()
            .is_none_or(|n| service_name(r).as_deref() == Some(n))
        && m.kind.is_none_or(|k| k.code() == s.kind)
        && m.attributes
            .iter()
            .all(|(k, v)| lookup(k, r, s).is_some_and(|got| value_eq(v, got)))
}
