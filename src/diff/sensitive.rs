//! The seam for `sensitive-data-exposed`: HEAD newly exports a value that BASE removed or
//! masked.
//!
//! The sensitive-value scanner (credentials, card numbers, e-mail addresses at the
//! exporters; `findings/sensitive.rs`, built separately) is not part of this build. When it
//! lands, it produces one [`Exposure`] per pipeline, attribute key and kind of value it
//! found at that pipeline's exporters; the diff then runs it on each side's exported spans
//! (a second observer beside [`super::fates::Fates`], attached in `cli/diff.rs` where the
//! fates observer is) and hands both lists to [`compare`], which is implemented and tested
//! here. Until then [`Scan::NotAvailable`] is reported as such (`"sensitive": "not-checked"`
//! in JSON, a note in text and Markdown): the diff never claims a check it did not run.

use crate::diag::{codes, Diagnostic, Location};

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

/// Scan one side's exported spans. The scanner is not in this build (see the module docs).
pub fn scan() -> Scan {
    Scan::NotAvailable
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
        assert_eq!(scan().status(), "not-checked");
    }
}
