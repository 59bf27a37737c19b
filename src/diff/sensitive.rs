//! `sensitive-data-exposed`: HEAD newly exports a value that BASE removed or masked.
//!
//! Each side's replay runs the dry-run's sensitive-value scan (credentials, card numbers,
//! e-mail addresses: [`crate::findings::sensitive`]) at the exporters, remembering which spans
//! carried which (field, kind). A HEAD exposure counts only on spans BASE also exported
//! without it: a span BASE *dropped* and HEAD keeps is a change in what is kept (reported as
//! newly kept), not a protection HEAD lost. The comparison is by (pipeline, field, kind) and
//! span identity, never by value, so no value is needed to say it is newly exposed.

use std::collections::{BTreeMap, BTreeSet};

use super::fates::SpanKey;
use crate::capture::model::Batch;
use crate::diag::{codes, Diagnostic, Location};
use crate::findings::sensitive::{scan_resource, scan_span};
use crate::processors::api::Observer;

/// A kind of value the scanner flagged in one field at a pipeline's exporters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Exposure {
    pub pipeline: String,
    /// The field as the report names it (`attributes["user.email"]`).
    pub key: String,
    /// What the value looks like: `a credential`, `a card number`, `an e-mail address`.
    pub kind: String,
    /// The exported spans carrying such a value.
    pub spans: BTreeSet<SpanKey>,
}

/// What the scanner said about one side.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scan {
    /// The side was not replayed (its config could not be read): nothing was compared.
    NotAvailable,
    Scanned(Vec<Exposure>),
}

impl Scan {
    /// The JSON report's `sensitive` field.
    pub fn status(&self) -> &'static str {
        match self {
            Scan::NotAvailable => "not-checked",
            Scan::Scanned(_) => "checked",
        }
    }
}

/// A scanner the diff can run on each side's replay.
pub trait ExposureScanner: Observer {
    /// What the exporters of each pipeline received that looks sensitive; `pipelines` maps
    /// the engine's pipeline index to the pipeline id.
    fn exposures(&self, pipelines: &BTreeMap<usize, String>) -> Vec<Exposure>;
}

/// A fresh scanner for one side's replay.
pub fn scanner() -> Option<Box<dyn ExposureScanner>> {
    Some(Box::<SpanExposures>::default())
}

/// The observer: per pipeline index, (field, kind) → the exported spans carrying it.
#[derive(Debug, Default)]
pub struct SpanExposures {
    found: BTreeMap<usize, BTreeMap<(String, &'static str), BTreeSet<SpanKey>>>,
}

impl Observer for SpanExposures {
    fn exported(&mut self, pipeline: usize, batch: &Batch) {
        let into = self.found.entry(pipeline).or_default();
        for rs in &batch.resource_spans {
            let resource_hits = scan_resource(&rs.resource);
            for ss in &rs.scope_spans {
                for span in &ss.spans {
                    let key = (span.trace_id, span.span_id);
                    for h in scan_span(span)
                        .into_iter()
                        .chain(resource_hits.iter().cloned())
                    {
                        into.entry((h.field, h.kind.as_str()))
                            .or_default()
                            .insert(key);
                    }
                }
            }
        }
    }
}

impl ExposureScanner for SpanExposures {
    fn exposures(&self, pipelines: &BTreeMap<usize, String>) -> Vec<Exposure> {
        self.found
            .iter()
            .filter_map(|(index, found)| Some((pipelines.get(index)?, found)))
            .flat_map(|(pipeline, found)| {
                found.iter().map(move |((field, kind), spans)| Exposure {
                    pipeline: pipeline.clone(),
                    key: field.clone(),
                    kind: (*kind).to_owned(),
                    spans: spans.clone(),
                })
            })
            .collect()
    }
}

/// What one side's scanner (if any) found.
pub fn scan(scanner: Option<&dyn ExposureScanner>, pipelines: &BTreeMap<usize, String>) -> Scan {
    scanner.map_or(Scan::NotAvailable, |s| {
        Scan::Scanned(s.exposures(pipelines))
    })
}

/// `sensitive-data-exposed` for every (pipeline, field, kind) HEAD exports on spans that BASE
/// exported without it. `base_exported(pipeline, span)` says whether BASE exported a span
/// through that pipeline; `at` gives HEAD's location of a pipeline. Pipelines only on one
/// side are not compared (they are `pipeline-added` / `pipeline-removed`), hence `in_both`.
pub fn compare(
    base: &[Exposure],
    head: &[Exposure],
    in_both: impl Fn(&str) -> bool,
    base_exported: impl Fn(&str, &SpanKey) -> bool,
    at: impl Fn(&str) -> Option<Location>,
) -> Vec<Diagnostic> {
    let empty = BTreeSet::new();
    let mut out = Vec::new();
    for h in head.iter().filter(|h| in_both(&h.pipeline)) {
        let before = base
            .iter()
            .find(|b| b.pipeline == h.pipeline && b.key == h.key && b.kind == h.kind)
            .map_or(&empty, |b| &b.spans);
        let newly = h
            .spans
            .iter()
            .filter(|s| !before.contains(s) && base_exported(&h.pipeline, s))
            .count();
        if newly == 0 {
            continue;
        }
        out.push(
            Diagnostic::error(
                codes::SENSITIVE_DATA_EXPOSED,
                format!(
                    "pipeline {}: HEAD exports `{}` values that look like {} on {newly} span(s) \
                     that BASE exported without them (BASE removed or masked them)",
                    h.pipeline, h.key, h.kind
                ),
            )
            .at_opt(at(&h.pipeline))
            .with_help(
                "keep the rule of BASE that deleted, hashed or redacted this attribute, or add one",
            ),
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn span(n: u8) -> SpanKey {
        ([n; 16], [n; 8])
    }

    fn exp(pipeline: &str, key: &str, kind: &str, spans: &[u8]) -> Exposure {
        Exposure {
            pipeline: pipeline.to_owned(),
            key: key.to_owned(),
            kind: kind.to_owned(),
            spans: spans.iter().map(|n| span(*n)).collect(),
        }
    }

    #[test]
    fn only_values_on_spans_base_exported_without_them_are_exposed() {
        let base = [exp("traces", "user.email", "an e-mail address", &[1, 2])];
        let head = [
            // Same spans as BASE: nothing new.
            exp("traces", "user.email", "an e-mail address", &[1, 2]),
            // BASE exported spans 1 and 2 without the header: newly exposed on both.
            exp("traces", "auth", "a credential", &[1, 2]),
            // Span 9 was dropped by BASE: newly kept, not newly exposed.
            exp("traces", "url", "a card number", &[9]),
            // A pipeline only in HEAD is not compared.
            exp("traces/new", "card", "a card number", &[1]),
        ];
        let base_exported = |_: &str, s: &SpanKey| *s == span(1) || *s == span(2);
        let found = compare(&base, &head, |p| p == "traces", base_exported, |_| None);
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(found[0]
            .message
            .contains("`auth` values that look like a credential on 2 span(s)"));
        assert_eq!(found[0].code, codes::SENSITIVE_DATA_EXPOSED);
        assert_eq!(scan(None, &BTreeMap::new()).status(), "not-checked");
    }
}
