//! Read-only traversal of the AST in source order. Checks, custom grammar errors and context
//! inference all need "every value / call / path below here"; they share this walk.

use super::ast::{Argument, BoolExpr, Call, Key, Node, Statement, Value};

/// What a walk reports. Every method has an empty default.
pub trait Visitor {
    /// Called for every value node (before its children).
    fn value(&mut self, _value: &Node<Value>) {}
    /// Called for every boolean node (before its children).
    fn bool_expr(&mut self, _expr: &Node<BoolExpr>) {}
}

pub fn statement(stmt: &Statement, v: &mut dyn Visitor) {
    call(&stmt.editor.node, v);
    if let Some(cond) = &stmt.condition {
        bool_expr(cond, v);
    }
}

pub fn bool_expr(expr: &Node<BoolExpr>, v: &mut dyn Visitor) {
    v.bool_expr(expr);
    match &expr.node {
        BoolExpr::Or(items) | BoolExpr::And(items) => items.iter().for_each(|i| bool_expr(i, v)),
        BoolExpr::Not(inner) => bool_expr(inner, v),
        BoolExpr::Comparison { left, right, .. } => {
            value(left, v);
            value(right, v);
        }
        BoolExpr::RegexMatch {
            target, pattern, ..
        } => {
            value(target, v);
            value(pattern, v);
        }
        BoolExpr::Converter(c) => call(c, v),
        BoolExpr::Literal(_) => {}
    }
}

pub fn value(node: &Node<Value>, v: &mut dyn Visitor) {
    v.value(node);
    match &node.node {
        Value::Path(p) => p.segments.iter().for_each(|s| keys(&s.node.keys, v)),
        Value::Call(c) => call(c, v),
        Value::List(items) => items.iter().for_each(|i| value(i, v)),
        Value::Map(items) => items.iter().for_each(|(_, i)| value(i, v)),
        Value::Binary { left, right, .. } => {
            value(left, v);
            value(right, v);
        }
        Value::Negate(i) | Value::Plus(i) | Value::Group(i) => value(i, v),
        Value::Lambda { body, .. } => value(body, v),
        Value::BoolBody(b) => bool_expr(b, v),
        _ => {}
    }
}

/// The arguments and keys of a call (the call node itself is reported by its parent).
pub fn call(c: &Call, v: &mut dyn Visitor) {
    c.args.iter().for_each(|a| argument(a, v));
    keys(&c.keys, v);
}

fn argument(arg: &Node<Argument>, v: &mut dyn Visitor) {
    value(&arg.node.value, v);
}

pub fn keys(keys: &[Node<Key>], v: &mut dyn Visitor) {
    for k in keys {
        if let Key::Expr(e) = &k.node {
            value(e, v);
        }
    }
}
