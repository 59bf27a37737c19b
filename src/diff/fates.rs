//! The diff's observer: per pipeline, which spans reached the exporters (by trace and span
//! id, with service and name for examples) and which attribute keys they carried. Compared
//! across the two configs, this says which spans HEAD newly drops or keeps and which
//! attributes it newly exposes or removes.
//!
//! Memory is bounded by the capture's span count (an id pair and two interned string
//! indices per span), not by its bytes: the spans themselves are never kept.

use std::collections::{BTreeMap, HashMap};

use crate::capture::model::{service_name, Batch};
use crate::processors::api::{Example, Observer};

/// A span's identity across the two replays: the same capture yields the same ids.
pub type SpanKey = ([u8; 16], [u8; 8]);

/// What one pipeline's exporters received.
#[derive(Debug, Default)]
pub struct PipelineFates {
    /// Exported spans by identity: how many times (a capture may repeat a span), and the
    /// interned service and name for examples.
    pub exported: HashMap<SpanKey, Exported>,
    /// Attribute key → exported spans carrying it. Resource attributes are prefixed
    /// `resource.` (as test files name them), span attributes are bare.
    pub attribute_spans: BTreeMap<String, usize>,
}

#[derive(Debug, Clone, Copy)]
pub struct Exported {
    pub count: usize,
    service: u32,
    name: u32,
}

/// The observer: fates per pipeline index, plus the string table examples point into.
#[derive(Debug, Default)]
pub struct Fates {
    pub pipelines: BTreeMap<usize, PipelineFates>,
    strings: Vec<String>,
    index: HashMap<String, u32>,
}

impl Fates {
    fn intern(&mut self, s: &str) -> u32 {
        if let Some(&i) = self.index.get(s) {
            return i;
        }
        let i = u32::try_from(self.strings.len()).unwrap_or(u32::MAX);
        self.strings.push(s.to_owned());
        self.index.insert(s.to_owned(), i);
        i
    }

    /// The example a recorded span stands for.
    pub fn example(&self, key: &SpanKey, e: &Exported) -> Example {
        let text = |i: u32| self.strings.get(i as usize).cloned().unwrap_or_default();
        Example {
            trace_id: hex::encode(key.0),
            span_id: hex::encode(key.1),
            service: text(e.service),
            name: text(e.name),
        }
    }
}

impl Fates {
    /// The service name of an exported span, as interned.
    pub fn service(&self, e: &Exported) -> &str {
        self.strings
            .get(e.service as usize)
            .map_or("", String::as_str)
    }
}

/// Add `n` spans to `key`'s count, allocating the key only the first time it is seen.
fn bump(counts: &mut BTreeMap<String, usize>, key: &str, n: usize) {
    match counts.get_mut(key) {
        Some(c) => *c += n,
        None => {
            counts.insert(key.to_owned(), n);
        }
    }
}

impl Observer for Fates {
    fn exported(&mut self, pipeline: usize, batch: &Batch) {
        for rs in &batch.resource_spans {
            let service = service_name(&rs.resource).unwrap_or_default();
            let service = self.intern(&service);
            let spans: usize = rs.scope_spans.iter().map(|s| s.spans.len()).sum();
            let names: Vec<u32> = rs
                .scope_spans
                .iter()
                .flat_map(|ss| &ss.spans)
                .map(|span| self.intern(&span.name))
                .collect();
            let p = self.pipelines.entry(pipeline).or_default();
            for (k, _) in rs.resource.attributes.iter() {
                bump(&mut p.attribute_spans, &format!("resource.{k}"), spans);
            }
            for (span, name) in rs.scope_spans.iter().flat_map(|ss| &ss.spans).zip(names) {
                p.exported
                    .entry((span.trace_id, span.span_id))
                    .and_modify(|e| e.count += 1)
                    .or_insert(Exported {
                        count: 1,
                        service,
                        name,
                    });
                for (k, _) in span.attributes.iter() {
                    bump(&mut p.attribute_spans, k, 1);
                }
            }
        }
    }
}
