//! The `transform` processor (contrib v0.156.0) for traces, in dry-run form.
//!
//! Groups run in order over the whole request. A group runs once per item of its context
//! (each resource, scope, span or span event); its `conditions` (ORed) gate the item, then its
//! statements run in order, each with its own `where`. Errors follow the group's `error_mode`:
//! `propagate` stops the request — the collector drops it whole, and so do we — while
//! `ignore` / `silent` go on with the next statement (a failing condition counts as false).
//! Each item gets a fresh `cache`.
//!
//! What happened is told to the observer per rule: `evaluated` (a statement's `where`, or a
//! group condition), `error_hit`, and one `edited` per changed field. A value removed or
//! rewritten by a protecting editor (`delete_*`, `keep_*`, `limit`, `truncate_all`,
//! `replace_*`) is recorded masked unless `--reveal`.

mod diff;
pub mod plan;

use crate::capture::model::{Attributes, Batch, Resource, Scope, Span};
use std::sync::Arc;

use crate::ottl::runtime::{with_cache, EvalItem, ItemMut, OperandSource};
use crate::ottl::Context;
use crate::processors::api::{Ctx, Failed, Processor, RuleAction, RuleInfo};
use crate::processors::ErrorMode;

pub use plan::{plan, NotPlanned, TransformPlan};
use plan::{Group, PlannedRule, RuleKind};

/// One transform processor instance (the compiled plan is shared).
pub struct TransformProcessor {
    plan: TransformPlan,
}

impl TransformPlan {
    pub fn instantiate(&self) -> TransformProcessor {
        TransformProcessor { plan: self.clone() }
    }
}

/// How a rule is reported: the editor decides the action.
fn action(rule: &PlannedRule) -> RuleAction {
    match &rule.kind {
        RuleKind::Condition(_) => RuleAction::Pass,
        RuleKind::Statement(s) => match s.editor_name() {
            "delete_key"
            | "delete_matching_keys"
            | "keep_keys"
            | "keep_matching_keys"
            | "limit"
            | "delete_index" => RuleAction::Delete,
            "replace_pattern"
            | "replace_all_patterns"
            | "replace_match"
            | "replace_all_matches"
            | "truncate_all" => RuleAction::Redact,
            _ => RuleAction::Set,
        },
    }
}

/// Whether the values an editor removes or rewrites are protected (masked when recorded).
fn protects(rule: &PlannedRule) -> bool {
    matches!(action(rule), RuleAction::Delete | RuleAction::Redact)
}

impl Processor for TransformProcessor {
    fn process(
        &mut self,
        mut batch: Batch,
        ctx: &mut Ctx<'_>,
        out: &mut Vec<Batch>,
    ) -> Result<(), Failed> {
        for group in self.plan.groups.iter() {
            if run_group(&self.plan.rules, group, &mut batch, ctx).is_err() {
                return Err(Failed);
            }
        }
        out.push(batch);
        Ok(())
    }

    fn rules(&self) -> Vec<RuleInfo> {
        self.plan
            .rules
            .iter()
            .map(|r| RuleInfo {
                text: r.text.clone(),
                location: r.location.clone(),
                action: action(r),
                read_keys: match &r.kind {
                    RuleKind::Condition(c) => c.attribute_keys_read(),
                    RuleKind::Statement(_) => Vec::new(),
                },
                examples_on_match: true,
                // A statement whose `where` matches every span is normal (`truncate_all` on
                // everything), not a catch-all; drop-oriented data findings do not apply.
                data_findings: false,
                operands: Some(match &r.kind {
                    RuleKind::Condition(c) => c.clone() as Arc<dyn OperandSource>,
                    RuleKind::Statement(s) => s.clone(),
                }),
            })
            .collect()
    }
}

/// One group over the request; `Err` when a `propagate` error fails it.
fn run_group(
    rules: &[PlannedRule],
    group: &Group,
    batch: &mut Batch,
    ctx: &mut Ctx<'_>,
) -> Result<(), Failed> {
    for rs in &mut batch.resource_spans {
        let resource = &mut rs.resource;
        if group.context == Context::Resource {
            let mut scope = Scope::default();
            let mut item = ItemMut {
                resource,
                scope: &mut scope,
                span: None,
                event: None,
            };
            run_item(rules, group, &mut item, ctx)?;
            continue;
        }
        for ss in &mut rs.scope_spans {
            let scope = &mut ss.scope;
            if group.context == Context::Scope {
                let mut item = ItemMut {
                    resource: &mut *resource,
                    scope,
                    span: None,
                    event: None,
                };
                run_item(rules, group, &mut item, ctx)?;
                continue;
            }
            for span in &mut ss.spans {
                if group.context == Context::Span {
                    let mut item = ItemMut {
                        resource: &mut *resource,
                        scope: &mut *scope,
                        span: Some(span),
                        event: None,
                    };
                    run_item(rules, group, &mut item, ctx)?;
                    continue;
                }
                for idx in 0..span.events.len() {
                    let mut item = ItemMut {
                        resource: &mut *resource,
                        scope: &mut *scope,
                        span: Some(&mut *span),
                        event: Some(idx),
                    };
                    run_item(rules, group, &mut item, ctx)?;
                }
            }
        }
    }
    Ok(())
}

/// A group on one item, with a fresh cache.
fn run_item(
    rules: &[PlannedRule],
    group: &Group,
    item: &mut ItemMut<'_>,
    ctx: &mut Ctx<'_>,
) -> Result<(), Failed> {
    with_cache(&mut Attributes::new(), || {
        if !conditions_pass(rules, group, &item.view(), ctx)? {
            return Ok(());
        }
        for &i in &group.statements {
            run_statement(rules, i, group, item, ctx)?;
        }
        Ok(())
    })
}

/// The group's ORed conditions (true when there are none). Each condition is evaluated and
/// counted; upstream stops at the first true one, and so does the gate.
fn conditions_pass(
    rules: &[PlannedRule],
    group: &Group,
    item: &EvalItem<'_>,
    ctx: &mut Ctx<'_>,
) -> Result<bool, Failed> {
    if group.conditions.is_empty() {
        return Ok(true);
    }
    for &i in &group.conditions {
        let RuleKind::Condition(c) = &rules[i].kind else {
            continue;
        };
        match c.eval(item) {
            Ok(b) => {
                ctx.observer.evaluated(ctx.at.rule(i), item, Ok(b));
                if b {
                    return Ok(true);
                }
            }
            Err(e) => {
                ctx.observer
                    .evaluated(ctx.at.rule(i), item, Err(e.message.as_str()));
                ctx.observer.error_hit(ctx.at.rule(i), &e.message);
                if group.error_mode == ErrorMode::Propagate {
                    return Err(Failed);
                }
            }
        }
    }
    Ok(false)
}

/// One statement on one item: `where`, then the editor, then the edits it made.
fn run_statement(
    rules: &[PlannedRule],
    i: usize,
    group: &Group,
    item: &mut ItemMut<'_>,
    ctx: &mut Ctx<'_>,
) -> Result<(), Failed> {
    let rule = &rules[i];
    let RuleKind::Statement(stmt) = &rule.kind else {
        return Ok(());
    };
    let at = ctx.at.rule(i);
    let verdict = {
        let view = item.view();
        let v = stmt.where_true(&view);
        let shown = v.as_ref().map(|b| *b).map_err(|e| e.message.as_str());
        ctx.observer.evaluated(at, &view, shown);
        v
    };
    let fail = |ctx: &mut Ctx<'_>, message: &str| {
        ctx.observer.error_hit(at, message);
        if group.error_mode == ErrorMode::Propagate {
            Err(Failed)
        } else {
            Ok(())
        }
    };
    match verdict {
        Err(e) => return fail(ctx, &e.message),
        Ok(false) => return Ok(()),
        Ok(true) => {}
    }
    let before = diff::Snapshot::of(item);
    let result = stmt.apply(item);
    let edits = before.edits(item, protects(rule), ctx.reveal);
    if !edits.is_empty() {
        let resource: &Resource = item.resource;
        let scope: &Scope = item.scope;
        let span: Option<&Span> = item.span.as_deref();
        for e in &edits {
            ctx.observer.edited(at, resource, scope, span, e);
        }
    }
    match result {
        Ok(()) => Ok(()),
        Err(e) => fail(ctx, &e.message),
    }
}
