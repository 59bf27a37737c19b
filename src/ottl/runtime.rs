//! The OTTL evaluator for conditions: compile a checked AST once, evaluate it per item with
//! upstream v0.156.0 semantics (comparison, math, folding, indexing, converters, error texts).
//!
//! Entry points: [`compile_condition`] → [`CompiledCondition::eval`], and
//! [`ConditionSequence`] for a filter-style ORed list with an `error_mode`.

pub mod compare;
pub mod compile;
pub mod conditions;
pub mod editors;
pub mod eval;
pub mod field;
pub mod format;
pub mod functions;
pub mod math;
pub mod operands;
pub mod re2;
mod re2_limits;
pub mod statement;
pub mod tracestate;
pub mod value;

use std::fmt;

pub use compile::{AttrScope, CompileError};
pub use conditions::{ConditionSequence, ErrorMode, SeqOutcome};
pub use eval::EvalItem;
pub use field::{with_cache, ItemMut};
pub use operands::{Operand, OperandSource, OperandValue};
pub use statement::{compile_statement, CompiledStatement, Ran};
pub use value::Value;

use crate::ottl::ast;
use crate::ottl::contexts::{Context, PathMode};

/// A run-time failure, with upstream's text (e.g. `attempted to divide by 0`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EvalError {
    pub message: String,
}

impl fmt::Display for EvalError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for EvalError {}

/// An attribute key a condition reads with a literal key (for the dead-rule lint).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ReadKey {
    pub scope: AttrScope,
    pub key: String,
}

/// A condition ready to run: the executable tree plus the text it came from.
#[derive(Debug)]
pub struct CompiledCondition {
    root: compile::BoolNode,
    text: String,
    reads: Vec<ReadKey>,
}

/// Compile one condition for `ctx`, with paths written as `mode` says.
pub fn compile_condition(
    cond: &ast::Node<ast::BoolExpr>,
    text: &str,
    ctx: Context,
    mode: PathMode,
) -> Result<CompiledCondition, CompileError> {
    let mut c = compile::Compiler::new(ctx, mode).with_source(text);
    let root = c.bool_expr(cond)?;
    let mut reads: Vec<ReadKey> = c
        .reads
        .into_iter()
        .map(|(scope, key)| ReadKey { scope, key })
        .collect();
    reads.sort();
    reads.dedup();
    Ok(CompiledCondition {
        root,
        text: text.to_string(),
        reads,
    })
}

impl CompiledCondition {
    /// Evaluate against one item.
    pub fn eval(&self, item: &EvalItem<'_>) -> Result<bool, EvalError> {
        eval::eval_bool(&self.root, item).map_err(|message| EvalError { message })
    }

    pub fn text(&self) -> &str {
        &self.text
    }

    /// Attribute keys read with literal keys, sorted and deduplicated.
    pub fn attribute_keys_read(&self) -> Vec<ReadKey> {
        self.reads.clone()
    }

    /// The value each side of each comparison has on `item` (for `explain`; see [`operands`]).
    pub fn operands(&self, item: &EvalItem<'_>) -> Vec<Operand> {
        operands::of(&self.root, item)
    }

    /// True when folding reduced the condition to a constant (`"a" == "b"`, `x or true`).
    pub fn constant(&self) -> Option<bool> {
        match self.root {
            compile::BoolNode::Const(b) => Some(b),
            _ => None,
        }
    }
}
