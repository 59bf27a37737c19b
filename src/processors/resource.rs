//! The `resource` processor (contrib v0.156.0) for traces: the attribute actions of
//! [`super::attr_action`] on every resource's attributes (empty resources included; no
//! include/exclude). `from_attribute` sees resource attributes only.
//!
//! Rules: one per action. An action is evaluated once per span (a resource change reaches
//! every span below it) and matches the spans whose resource it changed; each change itself is
//! recorded once per resource, with no span.

use super::api::{Ctx, DropLevel, Failed, Processor, RuleInfo};
use super::attr_action::{self, Change};
use crate::capture::model::Batch;
use crate::config::settings::actions::Action;
use crate::config::settings::resource::ResourceSettings;
use crate::ottl::runtime::EvalItem;

pub struct ResourceProcessor {
    actions: Vec<Action>,
}

impl ResourceProcessor {
    pub fn new(s: &ResourceSettings) -> Self {
        Self {
            actions: s.actions.clone(),
        }
    }
}

impl Processor for ResourceProcessor {
    fn process(
        &mut self,
        mut batch: Batch,
        ctx: &mut Ctx<'_>,
        out: &mut Vec<Batch>,
    ) -> Result<(), Failed> {
        let mut changes: Vec<Change> = Vec::new();
        for rs in &mut batch.resource_spans {
            changes.clear();
            attr_action::apply(
                &self.actions,
                &mut rs.resource.attributes,
                DropLevel::Resource,
                ctx.reveal,
                &mut changes,
            );
            let empty = crate::capture::model::Scope::default();
            for c in &changes {
                ctx.observer
                    .edited(ctx.at.rule(c.action), &rs.resource, &empty, None, &c.edit);
            }
            for ss in &rs.scope_spans {
                for span in &ss.spans {
                    let item = EvalItem {
                        resource: &rs.resource,
                        scope: &ss.scope,
                        span: Some(span),
                        event: None,
                    };
                    for i in 0..self.actions.len() {
                        let changed = changes.iter().any(|c| c.action == i);
                        ctx.observer.evaluated(ctx.at.rule(i), &item, Ok(changed));
                    }
                }
            }
        }
        out.push(batch);
        Ok(())
    }

    fn rules(&self) -> Vec<RuleInfo> {
        attr_action::rule_infos(&self.actions, crate::ottl::runtime::AttrScope::Resource)
    }
}
