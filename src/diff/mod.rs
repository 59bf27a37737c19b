//! `otelcheck diff`: what changes when the same captures go through HEAD's config instead of
//! BASE's. Both sides are ordinary dry-run replays (same engine, same counts); the
//! [`fates::Fates`] observer adds which spans each pipeline exported and which attribute keys
//! they carried. This module compares the two and decides the diff's own findings; rendering
//! is in [`render`], the command in `cli/diff.rs`.

pub mod fates;
mod findings;
pub mod render;
pub mod rules;
pub mod sensitive;

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use crate::diag::{codes, Diagnostic, Location, Severity};
use crate::report::{Example, Finding, Report, Summary, Tool};
use fates::{Fates, PipelineFates};
pub use findings::base_refused_only;
use findings::{refusal, regressions};
use rules::{RuleChange, Sides};

/// How many example spans a pipeline shows per direction.
pub const MAX_EXAMPLES: usize = 5;

/// One side of the diff after its replay.
pub struct Side {
    /// The side's dry-run report (its own findings do not decide the diff's exit code).
    pub report: Report,
    pub fates: Fates,
    /// Pipeline index → (id as written, where it is defined).
    pub pipelines: BTreeMap<usize, (String, Location)>,
    pub sensitive: sensitive::Scan,
}

impl Side {
    fn fates_of(&self, id: &str) -> Option<&PipelineFates> {
        let index = self.pipelines.iter().find(|(_, (p, _))| p == id)?.0;
        self.fates.pipelines.get(index)
    }

    fn location(&self, id: &str) -> Option<Location> {
        self.pipelines
            .values()
            .find(|(p, _)| p == id)
            .map(|(_, l)| l.clone())
    }

    fn ids(&self) -> Vec<&str> {
        self.pipelines.values().map(|(p, _)| p.as_str()).collect()
    }
}

/// An attribute key and the exported spans carrying it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct KeyCount {
    pub key: String,
    pub spans: usize,
}

/// One pipeline's change (the spec's `changes.pipelines[]`).
#[derive(Debug, Clone, Serialize)]
pub struct PipelineChange {
    pub id: String,
    /// `base` or `head` when the pipeline exists on one side only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub only_in: Option<&'static str>,
    pub spans_out: Sides<Option<usize>>,
    pub services_lost: Vec<String>,
    pub services_gained: Vec<String>,
    pub spans_newly_dropped: usize,
    pub spans_newly_kept: usize,
    pub examples_newly_dropped: Vec<Example>,
    pub examples_newly_kept: Vec<Example>,
    pub attributes_newly_exposed: Vec<KeyCount>,
    pub attributes_newly_removed: Vec<KeyCount>,
}

impl PipelineChange {
    /// Whether HEAD exports exactly what BASE exports in this pipeline.
    pub fn is_unchanged(&self) -> bool {
        self.only_in.is_none()
            && self.spans_out.base == self.spans_out.head
            && self.spans_newly_dropped == 0
            && self.spans_newly_kept == 0
            && self.attributes_newly_exposed.is_empty()
            && self.attributes_newly_removed.is_empty()
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Changes {
    pub pipelines: Vec<PipelineChange>,
    pub rules: Vec<RuleChange>,
}

/// The diff's JSON document (`"kind": "diff"`).
#[derive(Debug, Clone, Serialize)]
pub struct DiffReport {
    pub schema: u32,
    pub kind: &'static str,
    pub tool: Tool,
    pub max_extra_drop: f64,
    pub base: Report,
    pub head: Report,
    pub changes: Changes,
    /// Whether sensitive values were compared (`checked`) or not (`not-checked`: a side
    /// could not be replayed).
    pub sensitive: &'static str,
    /// The collector would refuse BASE's config at start but not HEAD's: data regressions
    /// are not raised (BASE exports nothing in reality).
    pub base_refused: bool,
    /// The diff's own findings (service-lost, more-spans-dropped, ...).
    pub findings: Vec<Finding>,
    pub summary: Summary,
    pub verdict: &'static str,
}

/// Compare the two sides: the changes, and the findings that decide the exit code.
pub fn compare(base: &Side, head: &Side, max_extra_drop: f64) -> (Changes, Vec<Diagnostic>) {
    let base_refused = base_refused_only(base, head);
    let rules = rules::compare(&base.report.pipelines, &head.report.pipelines);
    let mut pipelines = Vec::new();
    let mut diags: Vec<Diagnostic> = refusal(base, head).into_iter().collect();
    let (base_ids, head_ids) = (base.ids(), head.ids());
    for id in &head_ids {
        if base_ids.contains(id) {
            let change = pipeline_change(id, base, head);
            if !base_refused {
                diags.extend(regressions(
                    &change,
                    head.location(id),
                    &rules,
                    max_extra_drop,
                ));
            }
            pipelines.push(change);
        } else {
            pipelines.push(one_sided(id, head, "head"));
            diags.push(
                Diagnostic::new(
                    codes::PIPELINE_ADDED,
                    Severity::Info,
                    format!("pipeline {id} exists only in HEAD"),
                )
                .at_opt(head.location(id)),
            );
        }
    }
    for id in base_ids.iter().filter(|id| !head_ids.contains(id)) {
        pipelines.push(one_sided(id, base, "base"));
        let out = pipelines
            .last()
            .map_or(0, |p| p.spans_out.base.unwrap_or(0));
        diags.push(
            Diagnostic::error(
                codes::PIPELINE_REMOVED,
                format!("pipeline {id} of BASE is missing from HEAD; BASE exported {out} spans through it"),
            )
            .at_opt(base.location(id))
            .with_help("keep the pipeline in HEAD, or accept its removal with --ignore pipeline-removed"),
        );
    }
    if let (false, sensitive::Scan::Scanned(b), sensitive::Scan::Scanned(h)) =
        (base_refused, &base.sensitive, &head.sensitive)
    {
        diags.extend(sensitive::compare(
            b,
            h,
            |p| base_ids.contains(&p) && head_ids.contains(&p),
            |p, span| {
                base.fates_of(p)
                    .is_some_and(|f| f.exported.contains_key(span))
            },
            |p| head.location(p),
        ));
    }
    (Changes { pipelines, rules }, diags)
}

fn spans_out(side: &Side, id: &str) -> Option<usize> {
    side.report
        .pipelines
        .iter()
        .find(|p| p.id == id)
        .map(|p| p.spans_out)
}

fn one_sided(id: &str, side: &Side, which: &'static str) -> PipelineChange {
    let out = spans_out(side, id);
    PipelineChange {
        id: id.to_owned(),
        only_in: Some(which),
        spans_out: if which == "base" {
            Sides {
                base: out,
                head: None,
            }
        } else {
            Sides {
                base: None,
                head: out,
            }
        },
        services_lost: Vec::new(),
        services_gained: Vec::new(),
        spans_newly_dropped: 0,
        spans_newly_kept: 0,
        examples_newly_dropped: Vec::new(),
        examples_newly_kept: Vec::new(),
        attributes_newly_exposed: Vec::new(),
        attributes_newly_removed: Vec::new(),
    }
}

fn pipeline_change(id: &str, base: &Side, head: &Side) -> PipelineChange {
    let empty = PipelineFates::default();
    let b = base.fates_of(id).unwrap_or(&empty);
    let h = head.fates_of(id).unwrap_or(&empty);
    let (bs, hs) = (services(base, b), services(head, h));
    let (dropped, dropped_examples) = missing_from(base, b, h);
    let (kept, kept_examples) = missing_from(head, h, b);
    PipelineChange {
        id: id.to_owned(),
        only_in: None,
        spans_out: Sides {
            base: spans_out(base, id),
            head: spans_out(head, id),
        },
        services_lost: bs.difference(&hs).cloned().collect(),
        services_gained: hs.difference(&bs).cloned().collect(),
        spans_newly_dropped: dropped,
        spans_newly_kept: kept,
        examples_newly_dropped: dropped_examples,
        examples_newly_kept: kept_examples,
        attributes_newly_exposed: keys_only_in(&h.attribute_spans, &b.attribute_spans),
        attributes_newly_removed: keys_only_in(&b.attribute_spans, &h.attribute_spans),
    }
}

/// Services with at least one exported span (named as the dry-run report names them).
fn services(side: &Side, f: &PipelineFates) -> BTreeSet<String> {
    let names: BTreeSet<&str> = f.exported.values().map(|e| side.fates.service(e)).collect();
    names
        .into_iter()
        .map(|s| {
            if s.is_empty() {
                "<nil-service-name>".to_owned()
            } else {
                s.to_owned()
            }
        })
        .collect()
}

/// Spans `from` exported that `other` did not (counting repeats), with a few examples in a
/// stable order (service, name, ids).
fn missing_from(side: &Side, from: &PipelineFates, other: &PipelineFates) -> (usize, Vec<Example>) {
    let mut total = 0;
    let mut examples = Vec::new();
    for (key, e) in &from.exported {
        let there = other.exported.get(key).map_or(0, |o| o.count);
        let missing = e.count.saturating_sub(there);
        if missing > 0 {
            total += missing;
            examples.push(side.fates.example(key, e));
        }
    }
    examples.sort_by(|a, b| {
        (&a.service, &a.name, &a.trace_id, &a.span_id).cmp(&(
            &b.service,
            &b.name,
            &b.trace_id,
            &b.span_id,
        ))
    });
    examples.truncate(MAX_EXAMPLES);
    (total, examples)
}

fn keys_only_in(a: &BTreeMap<String, usize>, b: &BTreeMap<String, usize>) -> Vec<KeyCount> {
    a.iter()
        .filter(|(k, _)| !b.contains_key(*k))
        .map(|(k, n)| KeyCount {
            key: k.clone(),
            spans: *n,
        })
        .collect()
}
