//! The test command's observer: per pipeline, the requests that entered and those its
//! exporters received (test inputs are small, so whole spans are kept), which rule dropped
//! which span, and which attributes a rule protected (their values are masked in failure
//! messages unless `--reveal`).

use std::collections::{BTreeMap, BTreeSet, HashMap};

use crate::capture::model::{Batch, Resource, Scope, Span};
use crate::processors::api::{DropLevel, Edit, Observer, ProcRef, Recorded, RuleRef};

pub type SpanKey = ([u8; 16], [u8; 8]);

#[derive(Debug, Default)]
pub struct Journey {
    pub entered: BTreeMap<usize, Vec<Batch>>,
    pub exported: BTreeMap<usize, Vec<Batch>>,
    /// (pipeline index, span) → the rule that dropped it.
    pub dropped_by: HashMap<(usize, SpanKey), RuleRef>,
    /// Attribute keys (`resource.` prefix for resource attributes) some rule protected.
    pub protected: BTreeSet<String>,
    /// Processors that failed requests (`error_mode: propagate`): at → requests failed.
    pub failed: BTreeMap<ProcRef, u64>,
}

/// `attributes["k"]` → `k` (with `resource.` in front at resource level); other fields
/// (`name`, `status.code`) are not attributes and never masked here.
fn attribute_key(edit: &Edit) -> Option<String> {
    let key = edit
        .field
        .strip_prefix("attributes[\"")?
        .strip_suffix("\"]")?;
    Some(match edit.level {
        DropLevel::Resource => format!("resource.{key}"),
        _ => key.to_owned(),
    })
}

impl Observer for Journey {
    fn entered(&mut self, pipeline: usize, batch: &Batch) {
        self.entered
            .entry(pipeline)
            .or_default()
            .push(batch.clone());
    }

    fn exported(&mut self, pipeline: usize, batch: &Batch) {
        self.exported
            .entry(pipeline)
            .or_default()
            .push(batch.clone());
    }

    fn request_failed(&mut self, at: ProcRef, _spans: usize) {
        *self.failed.entry(at).or_default() += 1;
    }

    fn dropped(
        &mut self,
        rule: RuleRef,
        _level: DropLevel,
        _resource: &Resource,
        _scope: &Scope,
        span: &Span,
    ) {
        self.dropped_by
            .entry((rule.pipeline, (span.trace_id, span.span_id)))
            .or_insert(rule);
    }

    fn edited(
        &mut self,
        _rule: RuleRef,
        _resource: &Resource,
        _scope: &Scope,
        _span: Option<&Span>,
        edit: &Edit,
    ) {
        let masked = |r: &Recorded| matches!(r, Recorded::Masked { .. });
        if masked(&edit.before) || masked(&edit.after) {
            if let Some(k) = attribute_key(edit) {
                self.protected.insert(k);
            }
        }
    }
}
