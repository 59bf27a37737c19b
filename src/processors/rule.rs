//! One compiled drop condition of a filter processor. Counting what it did is the observers'
//! job: the rule only knows its text, place and compiled condition.

use std::sync::Arc;

use super::api::{RuleAction, RuleInfo};
use crate::diag::Location;
use crate::ottl::runtime::{CompiledCondition, EvalItem};
use crate::ottl::Context;

/// A drop condition of a filter processor.
pub struct Rule {
    pub text: String,
    pub location: Location,
    pub context: Context,
    /// Shared with the rule's [`RuleInfo`] so `explain` can ask for operand values.
    pub condition: Arc<CompiledCondition>,
}

impl Rule {
    pub fn new(
        text: String,
        location: Location,
        context: Context,
        condition: CompiledCondition,
    ) -> Self {
        Self {
            text,
            location,
            context,
            condition: Arc::new(condition),
        }
    }

    /// Evaluate: `Ok(true)` when the rule matched, or the error's message.
    pub fn eval(&self, item: &EvalItem<'_>) -> Result<bool, String> {
        self.condition.eval(item).map_err(|e| e.message)
    }

    pub fn info(&self) -> RuleInfo {
        RuleInfo {
            text: self.text.clone(),
            location: self.location.clone(),
            action: RuleAction::Drop,
            read_keys: self.condition.attribute_keys_read(),
            examples_on_match: true,
            data_findings: true,
            operands: Some(self.condition.clone()),
        }
    }
}
