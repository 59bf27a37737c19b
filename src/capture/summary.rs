//! What `otelcheck inspect` prints about captures: per capture its format, payload/trace/span
//! counts and what the spans look like after decoding (and DataDog translation), i.e. what the
//! pipeline's processors would see. Plain data; rendering belongs to `report/`.

use rustc_hash::FxHashSet as HashSet;
use std::collections::BTreeMap;

use super::model::{service_name, span_kind};
use super::Capture;

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Summary {
    pub captures: Vec<CaptureSummary>,
    pub total_payloads: usize,
    pub total_traces: usize,
    pub total_spans: usize,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct CaptureSummary {
    pub path: String,
    pub format: &'static str,
    pub receiver: &'static str,
    pub payloads: usize,
    pub traces: usize,
    pub spans: usize,
    /// Spans per `service.name` resource attribute ("" when absent).
    pub services: BTreeMap<String, usize>,
    /// Spans per `service :: span name`.
    pub span_names: BTreeMap<String, usize>,
    /// Spans per kind name (`SERVER`, `CLIENT`, ..., `UNSPECIFIED`).
    pub span_kinds: BTreeMap<String, usize>,
    /// Spans carrying each span attribute key.
    pub attribute_keys: BTreeMap<String, usize>,
    /// Spans whose resource carries each resource attribute key.
    pub resource_attribute_keys: BTreeMap<String, usize>,
    /// Up to three distinct values per span attribute key (masked where they look secret).
    pub attribute_samples: BTreeMap<String, Vec<String>>,
}

pub fn kind_name(kind: i64) -> String {
    match kind {
        span_kind::UNSPECIFIED => "UNSPECIFIED".into(),
        span_kind::INTERNAL => "INTERNAL".into(),
        span_kind::SERVER => "SERVER".into(),
        span_kind::CLIENT => "CLIENT".into(),
        span_kind::PRODUCER => "PRODUCER".into(),
        span_kind::CONSUMER => "CONSUMER".into(),
        other => format!("{other}"),
    }
}

fn bump(map: &mut BTreeMap<String, usize>, key: impl Into<String>) {
    *map.entry(key.into()).or_insert(0) += 1;
}

pub fn summarize_one(c: &Capture) -> CaptureSummary {
    let mut s = CaptureSummary {
        path: c.path.clone(),
        format: c.format.as_str(),
        receiver: match c.format.receiver_kind() {
            super::ReceiverKind::Datadog => "datadog",
            super::ReceiverKind::Otlp => "otlp",
        },
        payloads: c.payloads.len(),
        traces: c.traces,
        spans: c.spans,
        services: BTreeMap::new(),
        span_names: BTreeMap::new(),
        span_kinds: BTreeMap::new(),
        attribute_keys: BTreeMap::new(),
        resource_attribute_keys: BTreeMap::new(),
        attribute_samples: BTreeMap::new(),
    };
    for rs in c.payloads.iter().flat_map(|b| &b.resource_spans) {
        let service = service_name(&rs.resource).unwrap_or_default();
        for span in rs.scope_spans.iter().flat_map(|ss| &ss.spans) {
            bump(&mut s.services, service.clone());
            bump(&mut s.span_names, format!("{service} :: {}", span.name));
            bump(&mut s.span_kinds, kind_name(span.kind));
            let mut seen = HashSet::default();
            for (k, v) in span.attributes.iter() {
                if seen.insert(k) {
                    bump(&mut s.attribute_keys, k);
                }
                let samples = s.attribute_samples.entry(k.to_owned()).or_default();
                if samples.len() < super::samples::PER_KEY {
                    let text = super::samples::sample(k, v);
                    if !samples.contains(&text) {
                        samples.push(text);
                    }
                }
            }
            for (k, _) in rs.resource.attributes.iter() {
                bump(&mut s.resource_attribute_keys, k);
            }
        }
    }
    s
}

pub fn summarize(captures: &[Capture]) -> Summary {
    let captures: Vec<CaptureSummary> = captures.iter().map(summarize_one).collect();
    Summary {
        total_payloads: captures.iter().map(|c| c.payloads).sum(),
        total_traces: captures.iter().map(|c| c.traces).sum(),
        total_spans: captures.iter().map(|c| c.spans).sum(),
        captures,
    }
}
