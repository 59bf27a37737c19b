//! Editors (lower-case functions that change the item) of v0.156.0 `ottlfuncs`.
//!
//! An editor runs in two phases so reading the item and writing it never overlap: [`Editor::plan`]
//! evaluates its arguments and reads its target against an immutable view and returns the
//! [`Write`]s to make; the statement then applies them through [`field::set`]. That matches
//! upstream, where every editor reads (`target.Get`) before it writes (`target.Set`).
//!
//! Parameters come from [`signatures`] (the table the checker reads); binding is the
//! converters' binder, so named arguments and arity errors read the same.

mod maps;
mod replace;
mod semconv;
mod set;

pub use replace::Pattern;

use std::fmt;

use super::compile::{CompileError, Compiler, Expr, PathExpr};
use super::eval::{eval_path, eval_value, EvalItem};
use super::field::{self, KeyVal};
use super::functions::{bind, compile_arg, CallError};
use super::value::Value;
use crate::ottl::ast::{self, Call};
use crate::ottl::signatures::{self, ParamKind, Signature};

type R<T> = Result<T, String>;

/// One write an editor asks for.
#[derive(Debug)]
pub struct Write<'s> {
    pub path: &'s PathExpr,
    pub keys: Vec<KeyVal>,
    pub value: Value<'static>,
}

/// A compiled editor call.
pub trait Editor: fmt::Debug + Send + Sync {
    /// Read the item and decide what to write (nothing, when the editor has no effect).
    fn plan<'s>(&'s self, item: &EvalItem<'_>) -> R<Vec<Write<'s>>>;
}

/// A bound, compiled argument.
#[derive(Debug)]
pub enum Arg {
    Path(PathExpr),
    Expr(Expr),
    /// A bare function name (`SHA256`), for the `Function` parameter of the replace editors.
    FuncRef(String),
}

impl Arg {
    fn path(self) -> R<PathExpr> {
        match self {
            Arg::Path(p) => Ok(p),
            _ => Err("must be a path".into()),
        }
    }
    fn expr(self) -> R<Expr> {
        match self {
            Arg::Expr(e) => Ok(e),
            _ => Err("must be a value".into()),
        }
    }
}

/// The bound arguments of one call, taken by position.
pub struct Args(Vec<Option<Arg>>);

impl Args {
    pub fn take(&mut self, i: usize) -> Option<Arg> {
        self.0.get_mut(i).and_then(Option::take)
    }
    fn path(&mut self, i: usize) -> R<PathExpr> {
        self.take(i).ok_or("missing target")?.path()
    }
    fn expr(&mut self, i: usize) -> R<Expr> {
        self.take(i).ok_or("missing argument")?.expr()
    }
    fn opt_expr(&mut self, i: usize) -> R<Option<Expr>> {
        self.take(i).map(Arg::expr).transpose()
    }
    fn func(&mut self, i: usize) -> Option<String> {
        match self.take(i) {
            Some(Arg::FuncRef(n)) => Some(n),
            _ => None,
        }
    }
}

type Build = fn(Args) -> R<Box<dyn Editor>>;

/// Every editor otelcheck runs, by name.
const EDITORS: &[(&str, Build)] = &[
    ("set", set::build_set),
    ("append", set::build_append),
    ("delete_index", set::build_delete_index),
    ("delete_key", maps::build_delete_key),
    ("delete_matching_keys", maps::build_delete_matching_keys),
    ("keep_keys", maps::build_keep_keys),
    ("keep_matching_keys", maps::build_keep_matching_keys),
    ("limit", maps::build_limit),
    ("truncate_all", maps::build_truncate_all),
    ("merge_maps", maps::build_merge_maps),
    ("flatten", maps::build_flatten),
    ("stringify_all", maps::build_stringify_all),
    ("replace_pattern", replace::build_replace_pattern),
    ("replace_all_patterns", replace::build_replace_all_patterns),
    ("replace_match", replace::build_replace_match),
    ("replace_all_matches", replace::build_replace_all_matches),
];

/// The editors otelcheck runs.
pub fn names() -> impl Iterator<Item = &'static str> {
    EDITORS.iter().map(|(n, _)| *n)
}

/// Whether otelcheck runs the editor `name`.
pub fn implemented(name: &str) -> bool {
    EDITORS.iter().any(|(n, _)| *n == name)
}

/// Compile an editor call (the top-level call of a statement).
pub fn compile(
    c: &mut Compiler,
    call: &Call,
    span: ast::Span,
) -> Result<Box<dyn Editor>, CompileError> {
    let name = call.name.node.as_str();
    let fail = |message: String| CompileError { message, span };
    // The transform processor adds `set_semconv_span_name` in the span context only.
    let transform_only = name == semconv::SIGNATURE.name && c.ctx == crate::ottl::Context::Span;
    let (sig, build): (&Signature, Build) = if transform_only {
        (&semconv::SIGNATURE, semconv::build)
    } else {
        let Some(sig) = signatures::lookup(name).filter(|s| s.is_editor()) else {
            return Err(fail(format!("undefined function \"{name}\"")));
        };
        let Some((_, build)) = EDITORS.iter().find(|(n, _)| *n == name) else {
            return Err(fail(format!("otelcheck cannot run the editor {name} yet")));
        };
        (sig, *build)
    };
    let wrap = |m: String| format!("error while parsing arguments for call to \"{name}\": {m}");
    let slots = bind(sig, &call.args).map_err(|m| fail(wrap(m)))?;
    let params = sig.params.unwrap_or_default();
    let mut args = Vec::with_capacity(slots.len());
    for (pos, (slot, param)) in slots.into_iter().zip(params).enumerate() {
        let Some(v) = slot else {
            args.push(None);
            continue;
        };
        let arg = match (param.kind, &v.node) {
            (k, ast::Value::Path(p)) if k.needs_path() => Arg::Path(c.path_ref(p, v.span)?),
            (k, _) if k.needs_path() => {
                return Err(fail(wrap(format!(
                    "invalid argument at position {pos}: must be a path"
                ))))
            }
            // A bare upper-case name parses as an enum symbol; as a function parameter it names one.
            (ParamKind::FunctionRef, ast::Value::FunctionRef(n) | ast::Value::Enum(n)) => {
                Arg::FuncRef(n.clone())
            }
            (kind, _) => Arg::Expr(compile_arg(c, v, kind).map_err(|e| match e {
                CallError::Arg(m) => fail(wrap(format!("invalid argument at position {pos}: {m}"))),
                CallError::Nested(e) => e,
            })?),
        };
        args.push(Some(arg));
    }
    build(Args(args)).map_err(|m| fail(format!("couldn't create function: {m}")))
}

/// Read a path as a value, detached from the item.
fn read(p: &PathExpr, item: &EvalItem<'_>) -> R<Value<'static>> {
    eval_path(p, item).map(Value::into_owned)
}

/// Evaluate an argument, detached from the item.
fn value(e: &Expr, item: &EvalItem<'_>) -> R<Value<'static>> {
    eval_value(e, item).map(Value::into_owned)
}

/// A write of `value` to `path` (its keys evaluated now, before anything changes).
fn write<'s>(path: &'s PathExpr, item: &EvalItem<'_>, value: Value<'static>) -> R<Write<'s>> {
    Ok(Write {
        path,
        keys: field::eval_keys(&path.keys, item)?,
        value,
    })
}

/// A literal string argument (checked by the checker to be one).
fn literal_str(e: &Expr) -> Option<&str> {
    match e {
        Expr::Const(Value::Str(s)) => Some(s),
        _ => None,
    }
}

fn literal_int(e: &Expr) -> Option<i64> {
    match e {
        Expr::Const(Value::Int(i)) => Some(*i),
        _ => None,
    }
}

fn literal_bool(e: &Expr) -> Option<bool> {
    match e {
        Expr::Const(Value::Bool(b)) => Some(*b),
        _ => None,
    }
}
