//! A sequence of conditions ORed as the filter processor does (`ottl.ConditionSequence` with
//! `OrExprs`), with `error_mode` semantics:
//! * `propagate`: the first error ends the sequence (result false + the error);
//! * `ignore` / `silent`: the erroring condition counts as false and evaluation goes on.
//!
//! Per-condition counters (evaluated / matched / errors) are kept in atomics so the dry run can
//! report per rule without the caller threading state through.

use std::sync::atomic::{AtomicU64, Ordering};

use super::{CompiledCondition, EvalError, EvalItem};

/// The processor's `error_mode`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ErrorMode {
    Ignore,
    Silent,
    #[default]
    Propagate,
}

impl ErrorMode {
    /// Parse a config value (matched case-insensitively, as upstream).
    pub fn parse(s: &str) -> Option<Self> {
        match s.to_ascii_lowercase().as_str() {
            "ignore" => Some(ErrorMode::Ignore),
            "silent" => Some(ErrorMode::Silent),
            "propagate" => Some(ErrorMode::Propagate),
            _ => None,
        }
    }
}

/// What one evaluation of the sequence gave.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SeqOutcome {
    /// Index of the first condition that was true (the one that "drops" the item).
    pub matched: Option<usize>,
    /// Errors met, with the index of the condition that raised each.
    pub errors: Vec<(usize, EvalError)>,
    /// `propagate` stopped the sequence on an error.
    pub failed: bool,
}

/// Counters for one condition.
#[derive(Debug, Default)]
pub struct Counters {
    pub evaluated: AtomicU64,
    pub matched: AtomicU64,
    pub errors: AtomicU64,
}

/// A snapshot of [`Counters`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct CountSnapshot {
    pub evaluated: u64,
    pub matched: u64,
    pub errors: u64,
}

#[derive(Debug)]
pub struct ConditionSequence {
    conds: Vec<CompiledCondition>,
    mode: ErrorMode,
    counters: Vec<Counters>,
}

impl ConditionSequence {
    pub fn new(conds: Vec<CompiledCondition>, mode: ErrorMode) -> Self {
        let counters = conds.iter().map(|_| Counters::default()).collect();
        Self {
            conds,
            mode,
            counters,
        }
    }

    pub fn conditions(&self) -> &[CompiledCondition] {
        &self.conds
    }

    pub fn mode(&self) -> ErrorMode {
        self.mode
    }

    fn run_one(
        &self,
        i: usize,
        cond: &CompiledCondition,
        item: &EvalItem<'_>,
    ) -> Result<bool, EvalError> {
        let r = cond.eval(item);
        if let Some(c) = self.counters.get(i) {
            c.evaluated.fetch_add(1, Ordering::Relaxed);
            match r {
                Ok(true) => c.matched.fetch_add(1, Ordering::Relaxed),
                Ok(false) => 0,
                Err(_) => c.errors.fetch_add(1, Ordering::Relaxed),
            };
        }
        r
    }

    /// Evaluate as the processor does: short-circuit on the first true condition.
    pub fn eval(&self, item: &EvalItem<'_>) -> SeqOutcome {
        let mut out = SeqOutcome::default();
        for (i, cond) in self.conds.iter().enumerate() {
            match self.run_one(i, cond, item) {
                Ok(true) => {
                    out.matched = Some(i);
                    return out;
                }
                Ok(false) => {}
                Err(e) => {
                    out.errors.push((i, e));
                    if self.mode == ErrorMode::Propagate {
                        out.failed = true;
                        return out;
                    }
                }
            }
        }
        out
    }

    /// Evaluate every condition on its own (no short-circuit, counters untouched), so a report
    /// can say which rules would have matched alone.
    pub fn eval_each(&self, item: &EvalItem<'_>) -> Vec<Result<bool, EvalError>> {
        self.conds.iter().map(|c| c.eval(item)).collect()
    }

    /// Counters of condition `i` so far.
    pub fn counts(&self, i: usize) -> CountSnapshot {
        self.counters
            .get(i)
            .map_or_else(CountSnapshot::default, |c| CountSnapshot {
                evaluated: c.evaluated.load(Ordering::Relaxed),
                matched: c.matched.load(Ordering::Relaxed),
                errors: c.errors.load(Ordering::Relaxed),
            })
    }
}
