//! The values each side of every comparison of a compiled condition has on one item, with
//! each side's text as written: what `otelcheck explain` shows next to a rule's result.
//!
//! This is a separate walk over the compiled tree, run only when an observer asks for it, so
//! the evaluator's hot path is unchanged. Every comparison is visited (also those a
//! short-circuiting `and`/`or` would not reach), each side that is not a literal is evaluated
//! on its own, and a side that fails to evaluate carries upstream's error text. Literal sides
//! are left out: their value is the text of the rule.

use std::fmt;

use super::compile::{BoolNode, Expr};
use super::eval::{eval_value, EvalItem};
use super::format::go_v;
use super::value::Value;
use super::{CompiledCondition, CompiledStatement};
use crate::capture::model::AnyValue;

/// One side of a comparison and the value it had.
#[derive(Debug, Clone, PartialEq)]
pub struct Operand {
    /// The side as written in the rule (`attributes["http.route"]`, `Len(name)`).
    pub expr: String,
    pub value: OperandValue,
}

/// What a side evaluated to.
#[derive(Debug, Clone, PartialEq)]
pub enum OperandValue {
    /// A value a span field could hold (`Empty` is Go's `nil`).
    Value(AnyValue),
    /// A value of another Go type (time, duration, ids), as upstream's `%v` prints it.
    Text(String),
    /// The side failed to evaluate: upstream's message.
    Error(String),
}

/// A compiled rule that can tell the values of its comparisons (what `explain` asks).
pub trait OperandSource: fmt::Debug + Send + Sync {
    fn operands(&self, item: &EvalItem<'_>) -> Vec<Operand>;
}

impl OperandSource for CompiledCondition {
    fn operands(&self, item: &EvalItem<'_>) -> Vec<Operand> {
        CompiledCondition::operands(self, item)
    }
}

impl OperandSource for CompiledStatement {
    fn operands(&self, item: &EvalItem<'_>) -> Vec<Operand> {
        self.where_operands(item)
    }
}

/// Every comparison of `node`, in the order written.
pub fn of(node: &BoolNode, item: &EvalItem<'_>) -> Vec<Operand> {
    let mut out = Vec::new();
    walk(node, item, &mut out);
    out
}

fn walk(node: &BoolNode, item: &EvalItem<'_>, out: &mut Vec<Operand>) {
    match node {
        BoolNode::Const(_) | BoolNode::Converter(_) => {}
        BoolNode::Or(items) | BoolNode::And(items) => {
            for i in items {
                walk(i, item, out);
            }
        }
        BoolNode::Not(inner) => walk(inner, item, out),
        BoolNode::Cmp(l, _, r, sides) => {
            for (e, text) in [(l, &sides[0]), (r, &sides[1])] {
                if matches!(e, Expr::Const(_)) {
                    continue;
                }
                out.push(Operand {
                    expr: text.clone(),
                    value: side(e, item),
                });
            }
        }
    }
}

fn side(e: &Expr, item: &EvalItem<'_>) -> OperandValue {
    match eval_value(e, item) {
        Err(message) => OperandValue::Error(message),
        Ok(Value::TraceId(id)) => OperandValue::Text(hex::encode(id)),
        Ok(Value::SpanId(id)) => OperandValue::Text(hex::encode(id)),
        Ok(v) => v
            .to_any()
            .map_or_else(|_| OperandValue::Text(go_v(&v)), OperandValue::Value),
    }
}
