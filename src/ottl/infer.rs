//! Context inference as v0.156.0's `priorityContextInferrer` does it for one condition or
//! statement: the most specific path prefix wins (by a fixed priority list); if that context
//! lacks a function or enum symbol the text uses, its lower contexts are tried in priority
//! order and the first that has them all is taken.

use std::collections::BTreeSet;

use super::ast::{BoolExpr, Node, Statement, Value};
use super::contexts::Context;
use super::enums::resolve_enum;
use super::signatures;
use super::walk::{self, Visitor};

/// Upstream's default priority, most specific first.
const PRIORITY: [&str; 10] = [
    "log",
    "exemplar",
    "datapoint",
    "metric",
    "spanevent",
    "span",
    "profile",
    "scope",
    "instrumentation_scope",
    "resource",
];

/// What inference looks at: each path's context prefix, the functions and enum symbols used.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct InferenceHints {
    /// Grammar-level context candidates of every path, in source order (`""` when a path has
    /// no prefix).
    pub path_contexts: Vec<String>,
    pub functions: BTreeSet<String>,
    pub enums: BTreeSet<String>,
}

impl InferenceHints {
    pub fn from_condition(cond: &Node<BoolExpr>) -> Self {
        let mut h = Self::default();
        walk::bool_expr(cond, &mut h);
        h
    }

    pub fn from_statement(stmt: &Statement) -> Self {
        let mut h = Self::default();
        h.functions.insert(stmt.editor.node.name.node.clone());
        walk::statement(stmt, &mut h);
        h
    }

    /// Hints of several texts inferred together (a group's statements and conditions).
    #[must_use]
    pub fn merged(mut self, other: Self) -> Self {
        self.path_contexts.extend(other.path_contexts);
        self.functions.extend(other.functions);
        self.enums.extend(other.enums);
        self
    }
}

impl Visitor for InferenceHints {
    fn value(&mut self, value: &Node<Value>) {
        match &value.node {
            Value::Path(p) => {
                let ctx = match p.segments.as_slice() {
                    [first, _, ..] if first.node.keys.is_empty() => first.node.name.clone(),
                    _ => String::new(),
                };
                self.path_contexts.push(ctx);
            }
            Value::Call(c) => {
                self.functions.insert(c.name.node.clone());
            }
            Value::Enum(e) => {
                self.enums.insert(e.clone());
            }
            _ => {}
        }
    }

    fn bool_expr(&mut self, expr: &Node<BoolExpr>) {
        if let BoolExpr::Converter(c) = &expr.node {
            self.functions.insert(c.name.node.clone());
        }
    }
}

fn priority(name: &str) -> usize {
    PRIORITY
        .iter()
        .position(|p| *p == name)
        .unwrap_or(usize::MAX)
}

fn context_named(name: &str, candidates: &[Context]) -> Option<Context> {
    let name = if name == "instrumentation_scope" {
        "scope"
    } else {
        name
    };
    candidates.iter().copied().find(|c| c.as_str() == name)
}

/// Infer the context among `candidates` (listed from the highest level down, e.g. resource,
/// scope, span, spanevent; the contexts after one are its lower contexts).
/// `Err` is upstream's inference error text.
pub fn infer_context(
    hints: &InferenceHints,
    candidates: &[Context],
    editors_allowed: bool,
) -> Result<Context, String> {
    let mut best: Option<&str> = None;
    for p in &hints.path_contexts {
        if best.is_none_or(|b| priority(p) < priority(b)) {
            best = Some(p);
        }
    }
    let inferred = match best {
        Some(b) if !b.is_empty() => b,
        _ => {
            return Err(
                "unable to infer context: no path starts with a context name; a path's \
                        first segment must be a valid context name"
                    .to_string(),
            )
        }
    };
    let validate = |ctx_name: &str| -> Result<Context, String> {
        let ctx = context_named(ctx_name, candidates)
            .ok_or_else(|| format!("inferred context \"{ctx_name}\" is not a valid candidate"))?;
        for f in &hints.functions {
            let ok = signatures::lookup(f)
                .is_some_and(|s| signatures::available(s, ctx, editors_allowed))
                || super::check::transform_function_available(f, ctx, editors_allowed);
            if !ok {
                return Err(format!(
                    "inferred context \"{ctx_name}\" does not support the function \"{f}\""
                ));
            }
        }
        for e in &hints.enums {
            if resolve_enum(e, ctx).is_none() {
                return Err(format!(
                    "inferred context \"{ctx_name}\" does not support the enum symbol \"{e}\""
                ));
            }
        }
        Ok(ctx)
    };
    let first_err = match validate(inferred) {
        Ok(ctx) => return Ok(ctx),
        Err(e) => e,
    };
    let Some(ctx) = context_named(inferred, candidates) else {
        return Err(first_err);
    };
    let mut lower: Vec<Context> = candidates
        .iter()
        .copied()
        .skip_while(|c| *c != ctx)
        .skip(1)
        .collect();
    lower.sort_by_key(|c| priority(c.as_str()));
    lower
        .into_iter()
        .find_map(|c| validate(c.as_str()).ok())
        .ok_or(first_err)
}
