//! From decoded filter settings to a replayable plan: every condition parsed, checked against
//! the context upstream would run it in, compiled, and linted. Metrics/logs/profiles
//! conditions are parsed and checked too (the collector rejects a bad one whatever the
//! signal), but only traces are replayed. Also checks transform statements.

use super::ottl_rules::{check_statement_text, plan_condition, RulePlan};
use crate::config::settings::filter::FilterSettings;
use crate::config::settings::matching::LegacyMatch;
use crate::config::settings::transform::TransformSettings;
use crate::config::settings::{
    ConditionGroup, ErrorMode as CfgErrorMode, OttlSource, StatementGroup,
};
use crate::diag::{codes, Diagnostic, SourceMap};
use crate::lint::RuleAction;
use crate::ottl::runtime::{compile_condition, CompiledCondition, ErrorMode};
use crate::ottl::{Context, PathMode};
use crate::processors::filter::{FilterEmulator, Stage};
use crate::processors::legacy_match::LegacySpanFilter;
use crate::processors::rule::Rule;

const TRACE_CONTEXTS: &[Context] = &[
    Context::Resource,
    Context::Scope,
    Context::Span,
    Context::SpanEvent,
];
const METRIC_CONTEXTS: &[Context] = &[
    Context::Resource,
    Context::Scope,
    Context::Metric,
    Context::DataPoint,
];
const LOG_CONTEXTS: &[Context] = &[Context::Resource, Context::Scope, Context::Log];
const PROFILE_CONTEXTS: &[Context] = &[Context::Resource, Context::Scope, Context::Profile];

/// A rule that parsed, checked and compiled. Each pipeline instance compiles its own copy
/// (compiling is cheap; the collector also builds a processor per pipeline).
#[derive(Clone)]
struct ReadyRule {
    plan: RulePlan,
}

impl ReadyRule {
    fn compile(&self) -> Result<CompiledCondition, crate::ottl::runtime::CompileError> {
        compile_condition(
            &self.plan.ast,
            &self.plan.text,
            self.plan.context,
            self.plan.mode,
        )
    }
}

#[derive(Clone, Default)]
struct StagePlan {
    resource: Vec<ReadyRule>,
    scope: Vec<ReadyRule>,
    span: Vec<ReadyRule>,
    spanevent: Vec<ReadyRule>,
    error_mode: Option<ErrorMode>,
}

pub struct FilterPlan {
    stages: Vec<StagePlan>,
    legacy: Option<LegacyMatch>,
}

pub fn runtime_mode(m: CfgErrorMode) -> ErrorMode {
    match m {
        CfgErrorMode::Ignore => ErrorMode::Ignore,
        CfgErrorMode::Silent => ErrorMode::Silent,
        CfgErrorMode::Propagate => ErrorMode::Propagate,
    }
}

pub fn plan(f: &FilterSettings, sources: &SourceMap, diags: &mut Vec<Diagnostic>) -> FilterPlan {
    let mode = runtime_mode(f.error_mode);
    let mut stages = Vec::new();
    if !(f.traces_resource.is_empty() && f.traces_span.is_empty() && f.traces_spanevent.is_empty())
    {
        let mut st = StagePlan {
            error_mode: Some(mode),
            ..StagePlan::default()
        };
        for (list, ctx) in [
            (&f.traces_resource, Context::Resource),
            (&f.traces_span, Context::Span),
            (&f.traces_spanevent, Context::SpanEvent),
        ] {
            for src in list {
                if let Some(r) = ready(
                    src,
                    Some(PathMode::Unprefixed(ctx)),
                    TRACE_CONTEXTS,
                    RuleAction::Drop,
                    sources,
                    diags,
                ) {
                    push(&mut st, r);
                }
            }
        }
        stages.push(st);
    }
    for group in &f.trace_conditions {
        let ctx = group.context.as_ref().and_then(|c| c.context());
        let mut st = StagePlan {
            error_mode: Some(group.error_mode.map_or(mode, runtime_mode)),
            ..StagePlan::default()
        };
        for src in &group.conditions {
            if let Some(r) = ready(
                src,
                ctx.map(PathMode::Explicit),
                TRACE_CONTEXTS,
                RuleAction::Drop,
                sources,
                diags,
            ) {
                push(&mut st, r);
            }
        }
        stages.push(st);
    }
    validate_other_signals(f, sources, diags);
    FilterPlan {
        stages,
        legacy: f.spans.clone(),
    }
}

fn push(st: &mut StagePlan, r: ReadyRule) {
    match r.plan.context {
        Context::Resource => st.resource.push(r),
        Context::Scope => st.scope.push(r),
        Context::SpanEvent => st.spanevent.push(r),
        _ => st.span.push(r),
    }
}

fn ready(
    src: &OttlSource,
    ctx: Option<PathMode>,
    allowed: &[Context],
    action: RuleAction,
    sources: &SourceMap,
    diags: &mut Vec<Diagnostic>,
) -> Option<ReadyRule> {
    let plan = plan_condition(&src.text, &src.node, sources, ctx, allowed, action, diags)?;
    let rule = ReadyRule { plan };
    match rule.compile() {
        Ok(_) => Some(rule),
        Err(e) => {
            diags.push(
                Diagnostic::warning(
                    codes::UNSUPPORTED_COMPONENT,
                    format!("otelcheck cannot evaluate `{}` yet ({}); the dry run treats it as never matching", rule.plan.text, e.message),
                )
                .at(rule.plan.location.clone())
                .with_help("the collector accepts this condition; otelcheck's counts for this processor are a lower bound"),
            );
            None
        }
    }
}

/// Parse and check the metrics/logs/profiles side so a broken condition there is reported.
fn validate_other_signals(f: &FilterSettings, sources: &SourceMap, diags: &mut Vec<Diagnostic>) {
    let explicit: [(&[OttlSource], Context, &[Context]); 7] = [
        (&f.metrics.resource, Context::Resource, METRIC_CONTEXTS),
        (&f.metrics.metric, Context::Metric, METRIC_CONTEXTS),
        (&f.metrics.datapoint, Context::DataPoint, METRIC_CONTEXTS),
        (&f.logs.resource, Context::Resource, LOG_CONTEXTS),
        (&f.logs.log_record, Context::Log, LOG_CONTEXTS),
        (&f.profiles_resource, Context::Resource, PROFILE_CONTEXTS),
        (&f.profiles_profile, Context::Profile, PROFILE_CONTEXTS),
    ];
    for (list, ctx, allowed) in explicit {
        for src in list {
            plan_condition(
                &src.text,
                &src.node,
                sources,
                Some(PathMode::Unprefixed(ctx)),
                allowed,
                RuleAction::Other,
                diags,
            );
        }
    }
    let grouped: [(&[ConditionGroup], &[Context]); 3] = [
        (&f.metric_conditions, METRIC_CONTEXTS),
        (&f.log_conditions, LOG_CONTEXTS),
        (&f.profile_conditions, PROFILE_CONTEXTS),
    ];
    for (groups, allowed) in grouped {
        for g in groups {
            let ctx = g
                .context
                .as_ref()
                .and_then(|c| c.context())
                .map(PathMode::Explicit);
            for src in &g.conditions {
                plan_condition(
                    &src.text,
                    &src.node,
                    sources,
                    ctx,
                    allowed,
                    RuleAction::Other,
                    diags,
                );
            }
        }
    }
}

/// Parse and check every transform statement and group condition.
pub fn check_transform(t: &TransformSettings, sources: &SourceMap, diags: &mut Vec<Diagnostic>) {
    let signals: [(&[StatementGroup], &[Context]); 4] = [
        (&t.trace_statements, TRACE_CONTEXTS),
        (&t.metric_statements, METRIC_CONTEXTS),
        (&t.log_statements, LOG_CONTEXTS),
        (&t.profile_statements, PROFILE_CONTEXTS),
    ];
    for (groups, allowed) in signals {
        for g in groups {
            let ctx = g.context.as_ref().and_then(|c| c.context());
            for src in &g.conditions {
                plan_condition(
                    &src.text,
                    &src.node,
                    sources,
                    ctx.map(PathMode::Explicit),
                    allowed,
                    RuleAction::Other,
                    diags,
                );
            }
            // Without `context:` the transform infers one context for the whole group.
            let group_ctx = match ctx {
                Some(_) => None,
                None => super::ottl_rules::group_context(&g.statements, &g.conditions, allowed),
            };
            for src in &g.statements {
                match group_ctx {
                    Some(c) => super::ottl_rules::check_statement_in(
                        &src.text,
                        &src.node,
                        sources,
                        super::ottl_rules::StatementContext::Fixed(c, PathMode::Inferred),
                        diags,
                    ),
                    None => {
                        check_statement_text(&src.text, &src.node, sources, ctx, allowed, diags)
                    }
                }
            }
        }
    }
}

impl FilterPlan {
    /// A fresh emulator (its own counters) for one pipeline.
    pub fn instantiate(&self) -> FilterEmulator {
        let mut rules = Vec::new();
        let mut stages = Vec::new();
        for sp in &self.stages {
            let mut idx = |list: &[ReadyRule]| -> Vec<usize> {
                list.iter()
                    .filter_map(|r| {
                        let compiled = r.compile().ok()?;
                        rules.push(Rule::new(
                            r.plan.text.clone(),
                            r.plan.location.clone(),
                            r.plan.context,
                            compiled,
                        ));
                        Some(rules.len() - 1)
                    })
                    .collect()
            };
            let stage = Stage {
                resource: idx(&sp.resource),
                scope: idx(&sp.scope),
                span: idx(&sp.span),
                spanevent: idx(&sp.spanevent),
                error_mode: sp.error_mode.unwrap_or(ErrorMode::Ignore),
            };
            stages.push(stage);
        }
        FilterEmulator {
            rules,
            stages,
            legacy: self.legacy.as_ref().map(LegacySpanFilter::new),
        }
    }
}
