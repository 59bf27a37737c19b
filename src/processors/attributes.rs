//! The `attributes` processor (contrib v0.156.0) for traces: the attribute actions of
//! [`super::attr_action`] on each span's attributes (not the resource's, not events'), for the
//! spans the optional `include`/`exclude` blocks select (`internal/filter`, native path).
//!
//! Rules, in this processor's numbering: one per action, in list order, then (when present)
//! the include/exclude selection. An action rule is evaluated on every selected span and
//! "matches" the spans it changed; the selection rule matches the spans it let through.

use super::api::{Ctx, Failed, Processor, RuleAction, RuleInfo};
use super::attr_action::{self, Change};
use super::legacy_match::{matches_span, LegacySpanFilter};
use crate::capture::model::Batch;
use crate::config::settings::actions::Action;
use crate::config::settings::attributes::AttributesSettings;
use crate::config::settings::matching::LegacyMatch;
use crate::ottl::runtime::EvalItem;

pub struct AttributesProcessor {
    actions: Vec<Action>,
    matching: LegacyMatch,
}

impl AttributesProcessor {
    pub fn new(s: &AttributesSettings) -> Self {
        Self {
            actions: s.actions.clone(),
            matching: s.matching.clone(),
        }
    }

    fn has_selection(&self) -> bool {
        self.matching.include.is_some() || self.matching.exclude.is_some()
    }
}

impl Processor for AttributesProcessor {
    fn process(
        &mut self,
        mut batch: Batch,
        ctx: &mut Ctx<'_>,
        out: &mut Vec<Batch>,
    ) -> Result<(), Failed> {
        let selection_rule = ctx.at.rule(self.actions.len());
        let mut changes: Vec<Change> = Vec::new();
        for rs in &mut batch.resource_spans {
            let resource = &rs.resource;
            for ss in &mut rs.scope_spans {
                let scope = &ss.scope;
                for span in &mut ss.spans {
                    if self.has_selection() {
                        // Upstream's skip expression: not(include) or exclude.
                        let selected = self
                            .matching
                            .include
                            .as_ref()
                            .is_none_or(|p| matches_span(p, resource, scope, span))
                            && !self
                                .matching
                                .exclude
                                .as_ref()
                                .is_some_and(|p| matches_span(p, resource, scope, span));
                        let item = EvalItem {
                            resource,
                            scope,
                            span: Some(span),
                            event: None,
                        };
                        ctx.observer.evaluated(selection_rule, &item, Ok(selected));
                        if !selected {
                            continue;
                        }
                    }
                    changes.clear();
                    let mut attrs = std::mem::take(&mut span.attributes);
                    attr_action::apply(
                        &self.actions,
                        &mut attrs,
                        super::api::DropLevel::Span,
                        ctx.reveal,
                        &mut changes,
                    );
                    span.attributes = attrs;
                    let item = EvalItem {
                        resource,
                        scope,
                        span: Some(span),
                        event: None,
                    };
                    for i in 0..self.actions.len() {
                        let changed = changes.iter().any(|c| c.action == i);
                        ctx.observer.evaluated(ctx.at.rule(i), &item, Ok(changed));
                    }
                    for c in &changes {
                        ctx.observer.edited(
                            ctx.at.rule(c.action),
                            resource,
                            scope,
                            Some(span),
                            &c.edit,
                        );
                    }
                }
            }
        }
        out.push(batch);
        Ok(())
    }

    fn rules(&self) -> Vec<RuleInfo> {
        let mut rules =
            attr_action::rule_infos(&self.actions, crate::ottl::runtime::AttrScope::Span);
        rules.extend(selection_info(&self.matching));
        rules
    }
}

/// The include/exclude blocks as one rule that "matches" the spans the actions run on.
pub fn selection_info(m: &LegacyMatch) -> Option<RuleInfo> {
    let block = m.include.as_ref().or(m.exclude.as_ref())?;
    let legacy = LegacySpanFilter::new(m);
    let parts: Vec<RuleInfo> = legacy.rules();
    let text = parts
        .iter()
        .map(|r| r.text.trim_start_matches("spans.").to_owned())
        .collect::<Vec<_>>()
        .join(", ");
    Some(RuleInfo {
        text,
        location: block.loc.clone(),
        action: RuleAction::Pass,
        read_keys: Vec::new(),
        examples_on_match: false,
        data_findings: false,
        operands: None,
    })
}
