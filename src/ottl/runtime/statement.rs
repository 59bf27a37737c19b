//! Statements: an editor call with an optional `where` clause, compiled once and executed per
//! item. Reading (the `where` clause, the editor's arguments and target) happens against an
//! immutable view of the item; the writes the editor asks for are applied afterwards.

use super::compile::{BoolNode, CompileError, Compiler};
use super::editors::{self, Editor};
use super::eval::{eval_bool, EvalItem};
use super::field::{self, ItemMut};
use super::EvalError;
use crate::ottl::ast;
use crate::ottl::contexts::{Context, PathMode};

/// A statement ready to run.
#[derive(Debug)]
pub struct CompiledStatement {
    editor: Box<dyn Editor>,
    condition: Option<BoolNode>,
    text: String,
    name: String,
}

/// What running a statement on one item did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ran {
    /// The `where` clause was false: the editor did not run.
    Skipped,
    /// The editor ran (it may still have changed nothing).
    Applied,
}

/// Compile a checked statement for `ctx`.
pub fn compile_statement(
    stmt: &ast::Statement,
    text: &str,
    ctx: Context,
    mode: PathMode,
) -> Result<CompiledStatement, CompileError> {
    let mut c = Compiler::new(ctx, mode).with_source(text);
    let editor = editors::compile(&mut c, &stmt.editor.node, stmt.editor.span)?;
    let condition = stmt
        .condition
        .as_ref()
        .map(|cond| c.bool_expr(cond))
        .transpose()?;
    Ok(CompiledStatement {
        editor,
        // `where true` is folded away; `where false` stays a constant that never runs.
        condition: condition.filter(|c| !matches!(c, BoolNode::Const(true))),
        text: text.to_string(),
        name: stmt.editor.node.name.node.clone(),
    })
}

impl ItemMut<'_> {
    /// The read-only view conditions and arguments are evaluated against.
    pub fn view(&self) -> EvalItem<'_> {
        let span = self.span.as_deref();
        EvalItem {
            resource: self.resource,
            scope: self.scope,
            span,
            event: self
                .event
                .and_then(|i| span.and_then(|s| s.events.get(i)).map(|e| (e, i))),
        }
    }
}

impl CompiledStatement {
    /// Run on one item: evaluate the `where` clause, then the editor.
    pub fn execute(&self, item: &mut ItemMut<'_>) -> Result<Ran, EvalError> {
        if !self.where_true(&item.view())? {
            return Ok(Ran::Skipped);
        }
        self.apply(item)?;
        Ok(Ran::Applied)
    }

    /// The `where` clause on one item (true when there is none).
    pub fn where_true(&self, item: &EvalItem<'_>) -> Result<bool, EvalError> {
        match &self.condition {
            None => Ok(true),
            Some(c) => eval_bool(c, item).map_err(|message| EvalError { message }),
        }
    }

    /// The value each side of each comparison of the `where` clause has on `item` (none
    /// without a clause); for `explain`.
    pub fn where_operands(&self, item: &EvalItem<'_>) -> Vec<super::Operand> {
        self.condition
            .as_ref()
            .map(|c| super::operands::of(c, item))
            .unwrap_or_default()
    }

    /// Run the editor, ignoring the `where` clause (the caller evaluated it).
    pub fn apply(&self, item: &mut ItemMut<'_>) -> Result<(), EvalError> {
        let fail = |message: String| EvalError { message };
        let writes = self.editor.plan(&item.view()).map_err(fail)?;
        for w in writes {
            field::set(item, w.path, &w.keys, w.value).map_err(fail)?;
        }
        Ok(())
    }

    pub fn text(&self) -> &str {
        &self.text
    }

    /// The editor's name (`set`, `delete_key`, ...).
    pub fn editor_name(&self) -> &str {
        &self.name
    }

    /// True when the `where` clause folded to `false`: the statement can never run.
    pub fn never_runs(&self) -> bool {
        matches!(self.condition, Some(BoolNode::Const(false)))
    }
}
