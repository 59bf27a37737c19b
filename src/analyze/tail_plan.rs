//! The OTTL of `tail_sampling` `ottl_condition` policies, parsed and checked once per config
//! (errors point into the YAML) and compiled per processor instance. Conditions run in the
//! span / span-event context with path context names: unprefixed paths are rewritten with
//! the context's prefix, as upstream's `NewBoolExprFor*WithPathContextNames` does.

use super::ottl_rules::{plan_condition, RulePlan};
use crate::config::settings::tail_sampling::{Policy, Settings};
use crate::config::settings::ErrorMode as CfgErrorMode;
use crate::diag::{Diagnostic, Location, Severity, SourceMap};
use crate::lint::RuleAction;
use crate::ottl::runtime::compile_condition;
use crate::ottl::{Context, PathMode};
use crate::processors::tail_sampling::policy::OttlCondition;

struct PolicyPlan {
    at: Location,
    span: Vec<RulePlan>,
    spanevent: Vec<RulePlan>,
    propagate: bool,
}

/// Every `ottl_condition` policy (at any nesting depth) whose conditions all parsed.
#[derive(Default)]
pub struct TailOttlPlan {
    policies: Vec<PolicyPlan>,
}

pub fn plan(s: &Settings, sources: &SourceMap, diags: &mut Vec<Diagnostic>) -> TailOttlPlan {
    let mut out = TailOttlPlan::default();
    let mut found = Vec::new();
    walk(&s.policies, sources, &mut found, &mut out);
    // The collector checks policy OTTL only when it starts (`validate` passes), like every
    // other policy problem: warnings, as `config::settings::tail_sampling` reports them.
    for mut d in found {
        if d.severity == Severity::Error {
            d.severity = Severity::Warning;
            d.notes.push(
                "tail_sampling policies are checked when the collector starts, not by `validate`: the collector would refuse to start"
                    .to_owned(),
            );
        }
        diags.push(d);
    }
    out
}

fn walk(ps: &[Policy], sources: &SourceMap, diags: &mut Vec<Diagnostic>, out: &mut TailOttlPlan) {
    for p in ps {
        walk(&p.subs, sources, diags, out);
        if p.policy_type != "ottl_condition" {
            continue;
        }
        let mut ok = true;
        let mut list = |srcs: &[crate::config::settings::OttlSource], ctx: Context| {
            let mut plans = Vec::new();
            for src in srcs {
                match plan_condition(
                    &src.text,
                    &src.node,
                    sources,
                    Some(PathMode::Explicit(ctx)),
                    &[ctx],
                    RuleAction::Sample,
                    diags,
                ) {
                    Some(plan) => plans.push(plan),
                    None => ok = false,
                }
            }
            plans
        };
        let span = list(&p.ottl_span, Context::Span);
        let spanevent = list(&p.ottl_spanevent, Context::SpanEvent);
        if ok {
            out.policies.push(PolicyPlan {
                at: p.loc.clone(),
                span,
                spanevent,
                // Unset is an empty mode upstream, which skips errors like `silent`.
                propagate: p.ottl_error_mode == Some(CfgErrorMode::Propagate),
            });
        }
    }
}

impl TailOttlPlan {
    /// The compiled conditions of the `ottl_condition` policy at `at`; `None` when they did
    /// not parse or compile (the collector refuses to start; the dry run does not replay).
    pub fn compile(&self, at: &Location) -> Option<OttlCondition> {
        let p = self.policies.iter().find(|p| p.at == *at)?;
        let build = |plans: &[RulePlan]| {
            plans
                .iter()
                .map(|r| compile_condition(&r.ast, &r.text, r.context, r.mode).ok())
                .collect::<Option<Vec<_>>>()
        };
        Some(OttlCondition {
            span: build(&p.span)?,
            spanevent: build(&p.spanevent)?,
            propagate: p.propagate,
        })
    }
}
