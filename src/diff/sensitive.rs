//! The seam for `sensitive-data-exposed`: HEAD newly exports a value that BASE removed or
//! masked.
//!
//! The sensitive-value scanner (credentials, card numbers, e-mail addresses at the
//! exporters; `findings/sensitive.rs`, built separately) is not part of this build. To plug
//! it in, implement [`ExposureScanner`] for it (an observer of the replay that, at the end,
//! lists one [`Exposure`] per pipeline, attribute key and kind of value found at that
//! pipeline's exporters) and return it from [`scanner`]: `cli/diff.rs` already attaches
//! what [`scanner`] returns beside the fates observer on each side, and [`compare`] (here,
//! tested) turns the two lists into `sensitive-data-exposed` findings. Until then
//! [`Scan::NotAvailable`] is reported as such (`"sensitive": "not-checked"` in JSON, a note
//! in text and Markdown): the diff never claims a check it did not run.

use std::collections::BTreeMap;

use crate::diag::{codes, Diagnostic, Location};
use crate::processors::api::Observer;

/// A value the scanner flagged at a pipeline's exporters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Exposure {
    pub pipeline: String,
    /// The attribute key (`resource.` prefix for resource attributes).
    pub key: String,
    /// What the value looks like: `credential`, `card-number`, `email`, ...
    pub kind: String,
    /// Exported spans carrying such a value.
    pub spans: usize,
}

/// What the scanner said about one side.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scan {
    /// No scanner in this build: nothing was compared.
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

/// A fresh scanner for one side's replay; `None` while the scanner is not in this build.
pub fn scanner() -> Option<Box<dyn ExposureScanner>> {
    None
}

/// What one side's scanner (if any) found.
pub fn scan(scanner: Option<&dyn ExposureScanner>, pipelines: &BTreeMap<usize, String>) -> Scan {
    scanner.map_or(Scan::NotAvailable, |s| {
        Scan::Scanned(s.exposures(pipelines))
    })
}

/// `sensitive-data-exposed` for every (pipeline, key, kind) HEAD exports and BASE did not;
/// `at` gives HEAD's location of a pipeline. Pipelines only on one side are not compared
/// (they are `pipeline-added` / `pipeline-removed`), hence `in_both`.
pub fn compare(
    base: &[Exposure],
    head: &[Exposure],
    in_both: impl Fn(&str) -> bool,
    at: impl Fn(&str) -> Option<Location>,
) -> Vec<Diagnostic> {
    head.iter()
        .filter(|h| in_both(&h.pipeline))
        .filter(|h| {
            !base
                .iter()
                .any(|b| b.pipeline == h.pipeline && b.key == h.key && b.kind == h.kind)
        })
        .map(|h| {
            Diagnostic::error(
                codes::SENSITIVE_DATA_EXPOSED,
                format!(
                    "pipeline {}: HEAD exports `{}` values that look like {} on {} span(s); BASE \
                     exported none (it removed or masked them)",
                    h.pipeline, h.key, h.kind, h.spans
                ),
            )
            .at_opt(at(&h.pipeline))
            .with_help(
                "keep the rule of BASE that deleted, hashed or redacted this attribute, or add one",
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn exp(pipeline: &str, key: &str, kind: &str) -> Exposure {
        Exposure {
            pipeline: pipeline.to_owned(),
            key: key.to_owned(),
            kind: kind.to_owned(),
            spans: 3,
        }
    }

    #[test]
    fn only_values_base_did_not_export_in_shared_pipelines_are_exposed() {
        let base = [exp("traces", "user.email", "email")];
        let head = [
            exp("traces", "user.email", "email"),
            exp("traces", "http.request.header.authorization", "credential"),
            exp("traces/new", "card", "card-number"),
        ];
        let found = compare(&base, &head, |p| p == "traces", |_| None);
        assert_eq!(found.len(), 1);
        assert!(found[0]
            .message
            .contains("`http.request.header.authorization` values that look like credential"));
        assert_eq!(found[0].code, codes::SENSITIVE_DATA_EXPOSED);
        assert_eq!(scan(None, &BTreeMap::new()).status(), "not-checked");
    }
}
