//! Argument checks of upstream's `buildArgs`/`buildArg`: order of named arguments, count,
//! parameter names, and per-parameter kinds (paths, literal-only, lists, function references,
//! and the parse-time conversion of literal values into typed getters).

use super::super::ast::{Call, Node, Span, Value};
use super::super::enums::resolve_enum;
use super::super::error::{OttlError, OttlErrorKind};
use super::super::paths::resolve_path;
use super::super::signatures::{self, ParamKind, Signature};
use super::Checker;

pub(super) fn check_args(c: &Checker, call: &Call, sig: &Signature, span: Span) -> Vec<OttlError> {
    let args = &call.args;
    let mut seen_named = false;
    for arg in args {
        match (&arg.node.name, seen_named) {
            (Some(_), _) => seen_named = true,
            (None, true) => {
                return vec![OttlError::invalid(
                    "unnamed argument used after named argument",
                    arg.span,
                )]
            }
            (None, false) => {}
        }
    }
    if args.len() < sig.required() || args.len() > sig.total() {
        let msg = format!(
            "incorrect number of arguments. Expected: {} Received: {}",
            sig.total(),
            args.len()
        );
        return vec![OttlError::invalid(msg, span)];
    }
    let Some(params) = sig.params else {
        return Vec::new();
    };
    let mut filled = vec![false; params.len()];
    let mut errors = Vec::new();
    for (i, arg) in args.iter().enumerate() {
        let index = match &arg.node.name {
            None => i,
            Some(name) => match sig.param_named(&name.node) {
                Some((index, _)) => index,
                None => {
                    let msg = format!("no such parameter: {}", name.node);
                    errors.push(OttlError::invalid(msg, name.span));
                    continue;
                }
            },
        };
        let Some(param) = params.get(index) else {
            continue;
        };
        if std::mem::replace(&mut filled[index], true) {
            let msg = format!(
                "parameter \"{}\" is given more than once; upstream accepts this and then panics when the statement runs",
                param.name
            );
            errors.push(OttlError::invalid(msg, arg.span));
            continue;
        }
        let prefix = format!("invalid argument at position {i}: ");
        errors.extend(
            arg_errors(c, &arg.node.value, param.kind)
                .into_iter()
                .map(|e| e.prefixed(&prefix)),
        );
    }
    for (param, given) in params.iter().zip(&filled) {
        if !param.optional && !given && errors.is_empty() {
            errors.push(missing_required(&call.name.node, param.name, span));
        }
    }
    errors
}

/// Problems of one argument value for a parameter kind (without the position prefix).
fn arg_errors(c: &Checker, value: &Node<Value>, kind: ParamKind) -> Vec<OttlError> {
    let err = |msg: &str| vec![OttlError::invalid(msg, value.span)];
    match kind {
        ParamKind::FunctionRef => match &value.node {
            Value::Enum(name) | Value::FunctionRef(name) => {
                let known = signatures::lookup(name)
                    .is_some_and(|s| signatures::available(s, c.ctx, c.opts.editors_allowed));
                if known {
                    Vec::new()
                } else {
                    err(&format!("undefined function {name}"))
                }
            }
            _ => err("invalid function name given"),
        },
        ParamKind::List(inner) => match &value.node {
            Value::List(items) => items
                .iter()
                .enumerate()
                .flat_map(|(j, item)| {
                    let prefix = format!("error while parsing list argument at index {j}: ");
                    arg_errors(c, item, *inner)
                        .into_iter()
                        .map(move |e| e.prefixed(&prefix))
                })
                .collect(),
            _ => err(&format!(
                "must be a list of type {}",
                list_elem_name(*inner)
            )),
        },
        k if k.needs_path() => match &value.node {
            Value::Path(p) => match resolve_path(p, c.ctx, c.opts.mode) {
                Ok(_) => c.value(value),
                Err(e) => vec![e],
            },
            _ => err("must be a path"),
        },
        ParamKind::LiteralString => literal_only(
            value,
            matches!(value.node, Value::String(_)),
            "must be a string",
        ),
        ParamKind::LiteralBool => literal_only(
            value,
            matches!(value.node, Value::Bool(_)),
            "must be a bool",
        ),
        // A sign makes math, not a literal: folded negatives are rejected like upstream.
        ParamKind::LiteralInt => literal_only(
            value,
            matches!(value.node, Value::Int(n) if n >= 0),
            "must be an int",
        ),
        ParamKind::LiteralFloat => literal_only(
            value,
            matches!(value.node, Value::Float(f) if f.is_sign_positive()),
            "must be a float",
        ),
        ParamKind::Enum => match &value.node {
            Value::Enum(name) if resolve_enum(name, c.ctx).is_some() => Vec::new(),
            _ => err("must be an Enum"),
        },
        getter => {
            let mut errors = c.value(value);
            if errors.is_empty() {
                if let Some(msg) = literal_conversion_error(&value.node, getter) {
                    errors.push(OttlError::invalid(msg, value.span));
                }
            }
            errors
        }
    }
}

fn literal_only(value: &Node<Value>, ok: bool, msg: &str) -> Vec<OttlError> {
    if ok {
        Vec::new()
    } else {
        vec![OttlError::invalid(msg, value.span)]
    }
}

fn list_elem_name(kind: ParamKind) -> String {
    match kind {
        ParamKind::LiteralString | ParamKind::LiteralInt | ParamKind::LiteralFloat => {
            kind.go_name().to_string()
        }
        other => format!("{}[...]", other.go_name()),
    }
}

/// A list of literals is a literal `[]interface {}` too; the typed getters that cannot take a
/// list refuse it at parse time (`IsMatch(name, ["a"])`). Slice and "like" getters convert
/// lists, so they are left to the runtime.
fn literal_list(value: &Value, kind: ParamKind) -> Option<&'static str> {
    let Value::List(items) = value else {
        return None;
    };
    let typed = matches!(
        kind,
        ParamKind::StringGetter
            | ParamKind::IntGetter
            | ParamKind::FloatGetter
            | ParamKind::BoolGetter
            | ParamKind::PMapGetter
            | ParamKind::DurationGetter
            | ParamKind::TimeGetter
    );
    let all_literal = items.iter().all(|i| literal_type(&i.node).is_some());
    (typed && all_literal).then_some("[]interface {}")
}

/// The Go type of a literal as a getter sees it, or `None` when the value is not a literal.
fn literal_type(value: &Value) -> Option<&'static str> {
    Some(match value {
        Value::Nil => "nil",
        Value::String(_) => "string",
        Value::Int(_) | Value::Enum(_) => "int64",
        Value::Float(_) => "float64",
        Value::Bool(_) => "bool",
        Value::Bytes(_) => "[]uint8",
        _ => return None,
    })
}

/// Upstream converts literal arguments to the parameter's getter type at parse time, so a
/// literal of the wrong type is a parse error (`IsBool("true")`, `Double("x")`). The
/// conversion and its message are the runtime's typed getters — the one implementation of
/// each getter — applied to the literal.
fn literal_conversion_error(value: &Value, kind: ParamKind) -> Option<String> {
    use crate::ottl::runtime::Value as V;
    let checked = matches!(
        kind,
        ParamKind::StringGetter
            | ParamKind::IntGetter
            | ParamKind::FloatGetter
            | ParamKind::BoolGetter
            | ParamKind::PMapGetter
            | ParamKind::PSliceGetter
            | ParamKind::DurationGetter
            | ParamKind::TimeGetter
            | ParamKind::FloatLikeGetter
            | ParamKind::BoolLikeGetter
            | ParamKind::IntLikeGetter
    );
    if !checked {
        return None;
    }
    let v = match value {
        Value::Nil => V::Nil,
        Value::String(s) => V::Str(s.clone().into()),
        // Only the type matters for the check.
        Value::Int(i) => V::Int(*i),
        Value::Enum(_) => V::Int(0),
        Value::Float(f) => V::Float(*f),
        Value::Bool(b) => V::Bool(*b),
        Value::Bytes(b) => V::Bytes(b.clone().into()),
        Value::List(_) if literal_list(value, kind).is_some() => V::List(Vec::new()),
        _ => return None,
    };
    crate::ottl::runtime::functions::check_literal(kind, &v).err()
}

/// A required parameter left out by named arguments: upstream does not check, and runs with
/// the Go zero value. For `truncate_all`'s limit that is 0 — every string emptied — which
/// otelcheck replays and reports (`limit` has three required parameters, so its limit cannot
/// be left out without naming another twice); any other parameter (a getter, a path) would be
/// a nil the function dereferences, so it stays an error.
fn missing_required(function: &str, param: &str, span: Span) -> OttlError {
    let effect = match (function, param) {
        ("truncate_all", "Limit") => Some("every string value emptied"),
        _ => None,
    };
    match effect {
        Some(effect) => OttlError::new(
            OttlErrorKind::ZeroValue,
            format!(
                "required parameter \"{param}\" is not given; upstream accepts this and runs {function} with limit 0: {effect}"
            ),
            span,
        ),
        None => OttlError::invalid(
            format!(
                "required parameter \"{param}\" is not given; upstream accepts this and runs with the zero value"
            ),
            span,
        ),
    }
}
