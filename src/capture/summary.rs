//! What `otelcheck inspect` prints about captures: per capture its format, payload/trace/span
//! counts and what the spans look like after decoding (and DataDog translation), i.e. what the
//! pipeline's processors would see. Plain data; rendering belongs to `report/`.

use rustc_hash::FxHashSet as HashSet;
use std::collections::BTreeMap;

use super::model::{service_name, span_kind, Batch};
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

/// Count one more `key`; the key is copied only the first time it is seen.
fn bump(map: &mut BTreeMap<String, usize>, key: &str) {
    match map.get_mut(key) {
        Some(n) => *n += 1,
        None => {
            map.insert(key.to_owned(), 1);
        }
    }
}

/// Builds one capture's summary a request at a time, so `inspect` reads a capture of any size
/// in the memory of one request (plus the per-key and per-name counters).
struct Summarizer {
    s: CaptureSummary,
}

impl Summarizer {
    fn new(path: &str, format: super::CaptureFormat) -> Self {
        Summarizer {
            s: CaptureSummary {
                path: path.to_owned(),
                format: format.as_str(),
                receiver: match format.receiver_kind() {
                    super::ReceiverKind::Datadog => "datadog",
                    super::ReceiverKind::Otlp => "otlp",
                },
                payloads: 0,
                traces: 0,
                spans: 0,
                services: BTreeMap::new(),
                span_names: BTreeMap::new(),
                span_kinds: BTreeMap::new(),
                attribute_keys: BTreeMap::new(),
                resource_attribute_keys: BTreeMap::new(),
                attribute_samples: BTreeMap::new(),
            },
        }
    }

    fn add(&mut self, batch: &Batch) {
        let s = &mut self.s;
        for rs in &batch.resource_spans {
            let service = service_name(&rs.resource).unwrap_or_default();
            // `service :: span name`, the service part written once per resource.
            let mut name = format!("{service} :: ");
            for span in rs.scope_spans.iter().flat_map(|ss| &ss.spans) {
                bump(&mut s.services, &service);
                name.truncate(service.len() + 4);
                name.push_str(&span.name);
                bump(&mut s.span_names, &name);
                bump(&mut s.span_kinds, &kind_name(span.kind));
                let mut seen = HashSet::default();
                for (k, v) in span.attributes.iter() {
                    if seen.insert(k) {
                        bump(&mut s.attribute_keys, k);
                    }
                    let samples = match s.attribute_samples.get_mut(k) {
                        Some(full) if full.len() >= super::samples::PER_KEY => continue,
                        Some(samples) => samples,
                        None => s.attribute_samples.entry(k.to_owned()).or_default(),
                    };
                    let text = super::samples::sample(k, v);
                    if !samples.contains(&text) {
                        samples.push(text);
                    }
                }
                for (k, _) in rs.resource.attributes.iter() {
                    bump(&mut s.resource_attribute_keys, k);
                }
            }
        }
    }

    fn finish(mut self, payloads: usize, traces: usize, spans: usize) -> CaptureSummary {
        self.s.payloads = payloads;
        self.s.traces = traces;
        self.s.spans = spans;
        self.s
    }
}

/// The summary of a capture already in memory.
pub fn summarize_one(c: &Capture) -> CaptureSummary {
    let mut sum = Summarizer::new(&c.path, c.format);
    for batch in &c.payloads {
        sum.add(batch);
    }
    sum.finish(c.payloads.len(), c.traces, c.spans)
}

/// Summarise a capture while streaming it: each request is counted and dropped, so memory stays
/// flat in the capture's size. A request that cannot be decoded fails the whole summary.
pub fn summarize_stream<R: std::io::Read>(
    mut src: super::source::CaptureSource<R>,
) -> Result<CaptureSummary, super::CaptureError> {
    let mut sum = Summarizer::new(src.name(), src.format());
    for req in src.by_ref() {
        sum.add(&req?.batch);
    }
    let stats = src.into_stats();
    Ok(sum.finish(stats.payloads, stats.traces(), stats.spans))
}

/// The totals over several capture summaries.
pub fn combine(captures: Vec<CaptureSummary>) -> Summary {
    Summary {
        total_payloads: captures.iter().map(|c| c.payloads).sum(),
        total_traces: captures.iter().map(|c| c.traces).sum(),
        total_spans: captures.iter().map(|c| c.spans).sum(),
        captures,
    }
}

pub fn summarize(captures: &[Capture]) -> Summary {
    combine(captures.iter().map(summarize_one).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `inspect` streams; its summary must be the one of the whole capture held in memory.
    #[test]
    fn streamed_summary_equals_the_in_memory_one() {
        for name in [
            "orders-ddtrace-py-v04.msgpack",
            "orders-ddtrace-js-v05.msgpack",
        ] {
            let path = format!("{}/fixtures/captures/{name}", env!("CARGO_MANIFEST_DIR"));
            let bytes = std::fs::read(&path).unwrap();
            let whole = super::super::decode_capture(&path, &bytes, None).unwrap();
            let src =
                super::super::source::CaptureSource::new(&path, &bytes[..], None, None).unwrap();
            let streamed = summarize_stream(src).unwrap();
            assert_eq!(streamed, summarize_one(&whole), "{name}");
            assert!(streamed.spans > 0 && !streamed.attribute_samples.is_empty());
        }
    }
}
