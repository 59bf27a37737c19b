//! Checked AST → executable tree, done once per condition at start-up.
//!
//! Everything upstream decides at parse time is decided here, with the same consequences:
//! paths become direct accessors, enums become ints, literal regexes are compiled, literal
//! converter arguments are converted (a bad literal is a compile error), and boolean constants
//! are folded exactly as `boolean_value.go` folds them (literal comparisons, `true`/`false` in
//! `and`/`or`, `not` of a literal). Folding changes error behaviour (`ERR or true` is true), so
//! it must not be "improved" upon.

use std::borrow::Cow;

use super::compare::compare;
use super::functions::{self, Converter};
use super::value::Value;
use crate::capture::model::Attributes;
use crate::ottl::ast::{self, BoolExpr, CompareOp, Key, MathOp};
use crate::ottl::contexts::{Context, PathMode};
use crate::ottl::paths::{self, PathTarget};

/// A compile-time failure, pointing at the AST node that caused it.
#[derive(Debug, Clone, PartialEq)]
pub struct CompileError {
    pub message: String,
    pub span: ast::Span,
}

/// Whose attributes a path reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum AttrScope {
    Span,
    Resource,
    Scope,
    Event,
}

/// An index key: literal keys are kept apart from expressions because upstream treats them
/// differently (`attributes[1]` is "invalid key type", not an int index attempt).
#[derive(Debug)]
pub enum KeyExpr {
    Str(String),
    Int(i64),
    Expr(Expr),
}

/// A path as the evaluator uses it: the field the one resolver ([`crate::ottl::paths`]) chose,
/// and its compiled keys. The same reference is read by `eval` and written by `field::set`.
#[derive(Debug)]
pub struct PathExpr {
    pub target: PathTarget,
    pub keys: Vec<KeyExpr>,
}

#[derive(Debug)]
pub struct CallExpr {
    pub name: String,
    pub func: Box<dyn Converter>,
    pub keys: Vec<KeyExpr>,
}

/// An executable value expression.
#[derive(Debug)]
pub enum Expr {
    /// A literal (upstream `literalGetter`): takes part in folding.
    Const(Value<'static>),
    Path(PathExpr),
    Call(CallExpr),
    /// A list literal with at least one non-literal element (`[]any`).
    List(Vec<Expr>),
    /// A map literal with at least one non-literal value (built as a `pcommon.Map`).
    Map(Vec<(String, Expr)>),
    Math(MathOp, Box<Expr>, Box<Expr>),
    Negate(Box<Expr>),
}

/// An executable boolean expression.
#[derive(Debug)]
pub enum BoolNode {
    Const(bool),
    Or(Vec<BoolNode>),
    And(Vec<BoolNode>),
    Not(Box<BoolNode>),
    /// A comparison, with the source text of each side (read only by `explain`).
    Cmp(Expr, CompareOp, Expr, Box<[String; 2]>),
    /// A converter used as a boolean: must return a bool at run time.
    Converter(Expr),
}

/// Compilation state: which context and path mode, plus the attribute keys read (for lints).
pub struct Compiler {
    pub ctx: Context,
    pub mode: PathMode,
    pub reads: Vec<(AttrScope, String)>,
    /// The text the AST's spans index (to keep each comparison side as written).
    pub source: String,
}

fn err(message: impl Into<String>, span: ast::Span) -> CompileError {
    CompileError {
        message: message.into(),
        span,
    }
}

impl Compiler {
    pub fn new(ctx: Context, mode: PathMode) -> Self {
        Self {
            ctx,
            mode,
            reads: Vec::new(),
            source: String::new(),
        }
    }

    /// Compile against `text`, the statement or condition the AST was parsed from.
    pub fn with_source(mut self, text: &str) -> Self {
        self.source = text.to_owned();
        self
    }

    /// A node's text as written, or as the AST prints it when the spans do not index `source`.
    fn written<T: std::fmt::Display>(&self, n: &ast::Node<T>) -> String {
        self.source
            .get(n.span.start..n.span.end)
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .map_or_else(|| n.node.to_string(), str::to_owned)
    }

    pub fn bool_expr(&mut self, e: &ast::Node<BoolExpr>) -> Result<BoolNode, CompileError> {
        Ok(match &e.node {
            BoolExpr::Literal(b) => BoolNode::Const(*b),
            BoolExpr::Or(items) => fold_or(self.bool_list(items)?),
            BoolExpr::And(items) => fold_and(self.bool_list(items)?),
            BoolExpr::Not(inner) => match self.bool_expr(inner)? {
                BoolNode::Const(b) => BoolNode::Const(!b),
                other => BoolNode::Not(Box::new(other)),
            },
            BoolExpr::Comparison { left, op, right } => {
                let l = self.value(left)?;
                let r = self.value(right)?;
                if let (Expr::Const(a), Expr::Const(b)) = (&l, &r) {
                    let folded = compare(a, b, op.node).map_err(|m| err(m, e.span))?;
                    return Ok(BoolNode::Const(folded));
                }
                BoolNode::Cmp(
                    l,
                    op.node,
                    r,
                    Box::new([self.written(&**left), self.written(&**right)]),
                )
            }
            BoolExpr::Converter(call) => BoolNode::Converter(self.call(call, e.span)?),
            BoolExpr::RegexMatch {
                target,
                pattern,
                negated,
                ..
            } => {
                let t = self.value(target)?;
                let p = self.value(pattern)?;
                let func = functions::is_match::build(t, p).map_err(|m| err(m, e.span))?;
                let call = Expr::Call(CallExpr {
                    name: "IsMatch".into(),
                    func,
                    keys: Vec::new(),
                });
                let node = BoolNode::Converter(call);
                if *negated {
                    BoolNode::Not(Box::new(node))
                } else {
                    node
                }
            }
        })
    }

    fn bool_list(&mut self, items: &[ast::Node<BoolExpr>]) -> Result<Vec<BoolNode>, CompileError> {
        items.iter().map(|i| self.bool_expr(i)).collect()
    }

    pub fn value(&mut self, v: &ast::Node<ast::Value>) -> Result<Expr, CompileError> {
        use ast::Value as A;
        let konst = |v: Value<'static>| Ok(Expr::Const(v));
        match &v.node {
            A::Nil => konst(Value::Nil),
            A::String(s) => konst(Value::Str(Cow::Owned(s.clone()))),
            A::Int(i) => konst(Value::Int(*i)),
            A::Float(f) => konst(Value::Float(*f)),
            A::Bool(b) => konst(Value::Bool(*b)),
            A::Bytes(b) => konst(Value::Bytes(Cow::Owned(b.clone()))),
            A::Enum(name) => crate::ottl::enums::resolve_enum(name, self.ctx)
                .map(|i| Expr::Const(Value::Int(i)))
                .ok_or_else(|| err(format!("enum symbol, {name}, not found"), v.span)),
            A::Path(p) => self.path(p, v.span),
            A::Call(c) => self.call(c, v.span),
            A::List(items) => {
                let exprs = items.iter().map(|i| self.value(i)).collect::<Result<Vec<_>, _>>()?;
                Ok(fold_list(exprs))
            }
            A::Map(entries) => self.map_literal(entries, v.span),
            A::Binary { op, left, right } => {
                Ok(Expr::Math(*op, Box::new(self.value(left)?), Box::new(self.value(right)?)))
            }
            A::Negate(inner) => Ok(Expr::Negate(Box::new(self.value(inner)?))),
            A::Plus(inner) | A::Group(inner) => self.value(inner),
            A::FunctionRef(name) => Err(err(
                format!("otelcheck cannot evaluate the function reference {name} in a condition"),
                v.span,
            )),
            A::Lambda { .. } | A::BoolBody(_) => Err(err(
                "lambda expression arguments require the `ottl.functions.enableLambda` feature gate to be enabled",
                v.span,
            )),
        }
    }

    fn map_literal(
        &mut self,
        entries: &[(ast::Node<String>, ast::Node<ast::Value>)],
        span: ast::Span,
    ) -> Result<Expr, CompileError> {
        let mut out: Vec<(String, Expr)> = Vec::with_capacity(entries.len());
        for (k, v) in entries {
            let e = self.value(v)?;
            // A later duplicate key wins (Go map assignment).
            out.retain(|(existing, _)| existing != &k.node);
            out.push((k.node.clone(), e));
        }
        if out.iter().all(|(_, e)| matches!(e, Expr::Const(_))) {
            let mut attrs = Attributes::new();
            for (k, e) in &out {
                if let Expr::Const(c) = e {
                    attrs.upsert(k.clone(), c.to_any().map_err(|m| err(m, span))?);
                }
            }
            return Ok(Expr::Const(Value::Map(Cow::Owned(attrs))));
        }
        Ok(Expr::Map(out))
    }

    fn path(&mut self, p: &ast::Path, span: ast::Span) -> Result<Expr, CompileError> {
        let path = self.path_ref(p, span)?;
        if let (Some(scope), Some(KeyExpr::Str(k))) = (attr_scope(path.target), path.keys.first()) {
            self.reads.push((scope, k.clone()));
        }
        Ok(Expr::Path(path))
    }

    /// Resolve a path with the checker's resolver and compile its keys; also used for the
    /// paths editors write to.
    pub fn path_ref(&mut self, p: &ast::Path, span: ast::Span) -> Result<PathExpr, CompileError> {
        let resolved =
            paths::resolve_path(p, self.ctx, self.mode).map_err(|e| err(e.message, e.span))?;
        if let PathTarget::Other(ctx, name) = resolved.target {
            return Err(err(
                format!(
                    "otelcheck evaluates trace-side paths only, not the {} path \"{name}\"",
                    ctx.as_str()
                ),
                span,
            ));
        }
        let keys = resolved
            .keys
            .iter()
            .map(|k| self.key(k))
            .collect::<Result<_, _>>()?;
        Ok(PathExpr {
            target: resolved.target,
            keys,
        })
    }

    fn key(&mut self, k: &ast::Node<Key>) -> Result<KeyExpr, CompileError> {
        Ok(match &k.node {
            Key::String(s) => KeyExpr::Str(s.clone()),
            Key::Int(i) => KeyExpr::Int(*i),
            Key::Expr(e) => KeyExpr::Expr(self.value(e)?),
        })
    }

    fn call(&mut self, c: &ast::Call, span: ast::Span) -> Result<Expr, CompileError> {
        let name = c.name.node.as_str();
        let func = functions::compile(self, c).map_err(|m| match m {
            functions::CallError::Arg(m) => err(m, span),
            functions::CallError::Nested(e) => e,
        })?;
        let keys = c
            .keys
            .iter()
            .map(|k| self.key(k))
            .collect::<Result<_, CompileError>>()?;
        Ok(Expr::Call(CallExpr {
            name: name.to_string(),
            func,
            keys,
        }))
    }
}

/// A list literal whose elements are all literals is itself a literal (`newListGetter`).
fn fold_list(exprs: Vec<Expr>) -> Expr {
    if exprs.iter().all(|e| matches!(e, Expr::Const(_))) {
        let values = exprs
            .into_iter()
            .filter_map(|e| match e {
                Expr::Const(c) => Some(c),
                _ => None,
            })
            .collect();
        return Expr::Const(Value::List(values));
    }
    Expr::List(exprs)
}

/// `newOrExprs`: a literal true makes the whole `or` true, literal falses are dropped.
fn fold_or(items: Vec<BoolNode>) -> BoolNode {
    let mut kept = Vec::with_capacity(items.len());
    for item in items {
        match item {
            BoolNode::Const(true) => return BoolNode::Const(true),
            BoolNode::Const(false) => {}
            other => kept.push(other),
        }
    }
    match kept.len() {
        0 => BoolNode::Const(false),
        1 => kept.pop().unwrap_or(BoolNode::Const(false)),
        _ => BoolNode::Or(kept),
    }
}

/// `newAndExprs`: a literal false makes the whole `and` false, literal trues are dropped.
fn fold_and(items: Vec<BoolNode>) -> BoolNode {
    let mut kept = Vec::with_capacity(items.len());
    for item in items {
        match item {
            BoolNode::Const(false) => return BoolNode::Const(false),
            BoolNode::Const(true) => {}
            other => kept.push(other),
        }
    }
    match kept.len() {
        0 => BoolNode::Const(true),
        1 => kept.pop().unwrap_or(BoolNode::Const(true)),
        _ => BoolNode::And(kept),
    }
}

/// Whose attribute map a path target is, if it is one.
pub fn attr_scope(t: PathTarget) -> Option<AttrScope> {
    use crate::ottl::paths::{ResourceField, ScopeField, SpanEventField, SpanField};
    match t {
        PathTarget::Span(SpanField::Attributes) => Some(AttrScope::Span),
        PathTarget::Resource(ResourceField::Attributes) => Some(AttrScope::Resource),
        PathTarget::Scope(ScopeField::Attributes) => Some(AttrScope::Scope),
        PathTarget::SpanEvent(SpanEventField::Attributes) => Some(AttrScope::Event),
        _ => None,
    }
}
