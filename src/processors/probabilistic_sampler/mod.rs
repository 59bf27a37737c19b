//! The `probabilistic_sampler` processor (contrib v0.156.0) for traces.
//!
//! It decides per span (spans of one trace agree unless `sampling.priority` or a per-span
//! tracestate differ), removes the spans it does not sample, prunes emptied scopes and
//! resources, and rewrites the `tracestate` of every sampled span that has a usable one
//! (`ot=rv:…;th:…` in `hash_seed` mode, `ot=th:…` in the consistent modes) — also at 100 %.
//! Three rules are reported so a user sees *why* a span went: the percentage, the
//! `sampling.priority` override, and `fail_closed` on unusable randomness.

pub mod decide;

use super::api::{Ctx, DropLevel, Edit, Failed, Processor, Recorded, RuleAction, RuleInfo};
use crate::capture::model::{AnyValue, Batch};
use crate::config::settings::probabilistic_sampler::{go_g, SamplerMode, Settings};
use crate::diag::{codes, Diagnostic, Location};
use crate::ottl::runtime::EvalItem;
use crate::processors::sampling::{binomial_z, SKEW_SIGMAS};
use decide::{decide, DecidedBy, Mode, Sampler};
use std::collections::HashMap;

/// Rule numbering of this processor.
pub const RULE_PERCENTAGE: usize = 0;
pub const RULE_PRIORITY: usize = 1;
pub const RULE_FAILURE: usize = 2;

pub struct ProbabilisticSampler {
    sampler: Sampler,
    fail_closed: bool,
    rules: Vec<RuleInfo>,
    location: Location,
    /// Per trace decided by the percentage alone (no incoming `th`): kept or not. Bounded:
    /// traces beyond [`MAX_TRACKED`] are not counted.
    by_trace: HashMap<[u8; 16], bool>,
}

/// Traces remembered for the keep-ratio check (16 bytes + a flag each).
const MAX_TRACKED: usize = 1_000_000;

impl ProbabilisticSampler {
    pub fn new(s: &Settings, location: &Location) -> Self {
        let mode = match s.effective_mode() {
            SamplerMode::HashSeed => Mode::HashSeed,
            SamplerMode::Proportional => Mode::Proportional,
            SamplerMode::Equalizing => Mode::Equalizing,
        };
        let sampler = Sampler::new(
            mode,
            s.sampling_percentage,
            s.hash_seed,
            s.sampling_precision,
        );
        let mode_text = match mode {
            Mode::HashSeed => format!("mode hash_seed, hash_seed {}", s.hash_seed),
            Mode::Proportional => format!("mode proportional, precision {}", s.sampling_precision),
            Mode::Equalizing => format!("mode equalizing, precision {}", s.sampling_precision),
        };
        let rule = |text: String, action| RuleInfo {
            text,
            location: location.clone(),
            action,
            read_keys: Vec::new(),
            examples_on_match: false,
            data_findings: false,
            operands: None,
        };
        let rules = vec![
            rule(
                format!(
                    "sampling_percentage: {} ({mode_text})",
                    go_g(s.sampling_percentage)
                ),
                RuleAction::Sample,
            ),
            rule(
                "span attribute sampling.priority (0 drops, > 0 keeps)".to_owned(),
                RuleAction::Sample,
            ),
            rule(
                format!(
                    "fail_closed: {} (unusable tracestate or missing randomness)",
                    s.fail_closed
                ),
                if s.fail_closed {
                    RuleAction::Drop
                } else {
                    RuleAction::Keep
                },
            ),
        ];
        Self {
            sampler,
            fail_closed: s.fail_closed,
            rules,
            location: location.clone(),
            by_trace: HashMap::new(),
        }
    }

    /// The configured sampler (for tests and `explain`).
    pub fn sampler(&self) -> Sampler {
        self.sampler
    }
}

fn rule_of(by: DecidedBy) -> usize {
    match by {
        DecidedBy::Percentage => RULE_PERCENTAGE,
        DecidedBy::Priority => RULE_PRIORITY,
        DecidedBy::Failure(_) => RULE_FAILURE,
    }
}

impl Processor for ProbabilisticSampler {
    fn process(
        &mut self,
        mut batch: Batch,
        ctx: &mut Ctx<'_>,
        out: &mut Vec<Batch>,
    ) -> Result<(), Failed> {
        for rs in &mut batch.resource_spans {
            let resource = &rs.resource;
            for ss in &mut rs.scope_spans {
                let scope = &ss.scope;
                ss.spans.retain_mut(|span| {
                    let d = decide(&self.sampler, self.fail_closed, span);
                    if d.by == DecidedBy::Percentage
                        && !span.trace_state.contains("th:")
                        && (self.by_trace.len() < MAX_TRACKED
                            || self.by_trace.contains_key(&span.trace_id))
                    {
                        self.by_trace.entry(span.trace_id).or_insert(d.sampled);
                    }
                    let rule = ctx.at.rule(rule_of(d.by));
                    // "evaluated" = spans this rule decided, "matched" = those it dropped.
                    let item = EvalItem {
                        resource,
                        scope,
                        span: Some(span),
                        event: None,
                    };
                    ctx.observer.evaluated(rule, &item, Ok(!d.sampled));
                    if !d.sampled {
                        ctx.observer
                            .dropped(rule, DropLevel::Span, resource, scope, span);
                        return false;
                    }
                    if let Some(ts) = d.trace_state.filter(|ts| *ts != span.trace_state) {
                        let edit = Edit {
                            level: DropLevel::Span,
                            field: "trace_state".to_owned(),
                            before: state_value(&span.trace_state),
                            after: Recorded::Shown(AnyValue::Str(ts.as_str().into())),
                        };
                        span.trace_state = ts;
                        ctx.observer
                            .edited(rule, resource, scope, Some(span), &edit);
                    }
                    true
                });
            }
        }
        batch.prune_empty();
        // Upstream skips the rest of the pipeline when nothing remains.
        if !batch.resource_spans.is_empty() {
            out.push(batch);
        }
        Ok(())
    }

    fn rules(&self) -> Vec<RuleInfo> {
        self.rules.clone()
    }

    fn findings(&self) -> Vec<Diagnostic> {
        let Some(p) = self.sampler.probability() else {
            return self.never_finding().into_iter().collect();
        };
        let n = self.by_trace.len() as u64;
        let kept = self.by_trace.values().filter(|k| **k).count() as u64;
        match binomial_z(n, kept, p) {
            Some(z) if z.abs() > SKEW_SIGMAS => vec![Diagnostic::warning(
                codes::SAMPLING_RATIO_SKEW,
                format!(
                    "probabilistic_sampler kept {kept} of the {n} traces its percentage decided ({:.1}%), configured {:.2}%: {z:+.1} standard deviations from what random trace ids give",
                    100.0 * kept as f64 / n as f64,
                    100.0 * p
                ),
            )
            .at(self.location.clone())
            .with_help("the trace ids in this capture are not random enough for hash sampling; check how they are generated")],
            _ => Vec::new(),
        }
    }
}

impl ProbabilisticSampler {
    /// A percentage that samples nothing (0 %, or a hash_seed percentage below one bucket)
    /// is a catch-all drop of every trace it decided.
    fn never_finding(&self) -> Option<Diagnostic> {
        let n = self.by_trace.len() as u64;
        if self.sampler != Sampler::Never || n < MIN_EVIDENCE {
            return None;
        }
        Some(
            Diagnostic::error(
                codes::CATCH_ALL_RULE,
                format!(
                    "`{}` samples nothing: it dropped all {n} traces its percentage decided (only a positive sampling.priority span attribute gets a span through)",
                    self.rules[RULE_PERCENTAGE].text
                ),
            )
            .at(self.location.clone())
            .with_help("a hash_seed percentage below 0.0062 % (one bucket of 16384) is 0; raise sampling_percentage or remove the sampler from the pipeline"),
        )
    }
}

/// Fewer traces than this is too little evidence for a catch-all verdict.
const MIN_EVIDENCE: u64 = 10;

fn state_value(text: &str) -> Recorded {
    if text.is_empty() {
        Recorded::Absent
    } else {
        Recorded::Shown(AnyValue::Str(text.into()))
    }
}

#[cfg(test)]
mod tests;
