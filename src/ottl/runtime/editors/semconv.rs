//! `set_semconv_span_name(semconvVersion, originalSpanNameAttribute?)`, the transform
//! processor's own span-context editor (`internal/traces`): the span gets the low-cardinality
//! name the semantic conventions derive from its attributes (HTTP, RPC, DB, messaging by span
//! kind); with the optional attribute name, a changed name's old value is kept there.
//!
//! Accepted versions follow `ottl.md` §5.3 for v0.156.0: 1.37.0 … 1.40.0 (the stored source we
//! could read is older and accepts only 1.37.0; the derivation is the same).

use std::borrow::Cow;

use super::{literal_str, Args, Editor, Write, R};
use crate::capture::model::{AnyValue, Attributes, Span};
use crate::ottl::paths::{PathTarget, SpanField};
use crate::ottl::runtime::compile::{KeyExpr, PathExpr};
use crate::ottl::runtime::eval::EvalItem;
use crate::ottl::runtime::field::KeyVal;
use crate::ottl::runtime::format::pdata_as_string;
use crate::ottl::runtime::value::Value;
use crate::ottl::signatures::{Param, ParamKind, Signature};

pub const SIGNATURE: Signature = Signature {
    name: "set_semconv_span_name",
    params: Some(&[
        Param {
            name: "SemconvVersion",
            kind: ParamKind::LiteralString,
            optional: false,
        },
        Param {
            name: "OriginalSpanNameAttribute",
            kind: ParamKind::LiteralString,
            optional: true,
        },
    ]),
};

const MIN: (u64, u64, u64) = (1, 37, 0);
const MAX: (u64, u64, u64) = (1, 40, 0);

#[derive(Debug)]
struct SetSemconvSpanName {
    name: PathExpr,
    original: Option<(String, PathExpr)>,
}

fn parse_version(v: &str) -> R<(u64, u64, u64)> {
    let fail = || format!("failed to parse semconv version \"{v}\": invalid semantic version");
    let core = v.strip_prefix('v').unwrap_or(v);
    let core = core.split(['-', '+']).next().unwrap_or("");
    let parts: Vec<u64> = core
        .split('.')
        .map(|p| p.parse::<u64>().map_err(|_| fail()))
        .collect::<R<_>>()?;
    match parts.as_slice() {
        [a, b, c] => Ok((*a, *b, *c)),
        _ => Err(fail()),
    }
}

pub fn build(mut a: Args) -> R<Box<dyn Editor>> {
    let version = a.expr(0)?;
    let version = literal_str(&version).ok_or("semconvVersion must be a string literal")?;
    let v = parse_version(version)?;
    if v < MIN || v > MAX {
        return Err(format!(
            "unsupported semconv version \"{version}\": must be between 1.37.0 and 1.40.0"
        ));
    }
    let original = match a.opt_expr(1)? {
        None => None,
        Some(e) => {
            let key = literal_str(&e)
                .ok_or("originalSpanNameAttribute must be a string literal")?
                .to_string();
            if key.is_empty() {
                return Err("originalSpanNameAttribute cannot be an empty string".into());
            }
            let path = PathExpr {
                target: PathTarget::Span(SpanField::Attributes),
                keys: vec![KeyExpr::Str(key.clone())],
            };
            Some((key, path))
        }
    };
    Ok(Box::new(SetSemconvSpanName {
        name: PathExpr {
            target: PathTarget::Span(SpanField::Name),
            keys: Vec::new(),
        },
        original,
    }))
}

impl Editor for SetSemconvSpanName {
    fn plan<'s>(&'s self, item: &EvalItem<'_>) -> R<Vec<Write<'s>>> {
        let span = item.span.ok_or("set_semconv_span_name needs a span")?;
        let new = derive(span);
        let mut out = vec![Write {
            path: &self.name,
            keys: Vec::new(),
            value: Value::Str(Cow::Owned(new.clone())),
        }];
        if let Some((key, path)) = &self.original {
            if new != span.name {
                out.push(Write {
                    path,
                    keys: vec![KeyVal::LitStr(key.clone())],
                    value: Value::Str(Cow::Owned(span.name.clone())),
                });
            }
        }
        Ok(out)
    }
}

fn text(v: &AnyValue) -> String {
    pdata_as_string(v)
}

/// The first of `keys` present.
fn first<'a>(a: &'a Attributes, keys: &[&str]) -> Option<&'a AnyValue> {
    keys.iter().find_map(|k| a.get(k))
}

fn derive(span: &Span) -> String {
    let a = &span.attributes;
    let found = match span.kind {
        2 => http(a, "http.route")
            .or_else(|| rpc(a))
            .or_else(|| messaging(a)),
        3 => http(a, "url.template")
            .or_else(|| rpc(a))
            .or_else(|| db(a))
            .or_else(|| messaging(a)),
        4 | 5 => messaging(a),
        _ => None,
    };
    found.unwrap_or_else(|| span.name.clone())
}

fn http(a: &Attributes, subject: &str) -> Option<String> {
    let method = text(first(a, &["http.request.method", "http.method"])?);
    Some(match a.get(subject) {
        Some(s) => format!("{method} {}", text(s)),
        None => method,
    })
}

fn rpc(a: &Attributes) -> Option<String> {
    let system = first(a, &["rpc.system.name", "rpc.system"])?;
    let method = first(a, &["rpc.method", "rpc.grpc.method"]).map(text);
    let service = first(a, &["rpc.service", "rpc.grpc.service"]).map(text);
    Some(match (service, method) {
        (Some(s), Some(m)) => format!("{s}/{m}"),
        (None, Some(m)) => m,
        (Some(s), None) => format!("{s}/*"),
        (None, None) => text(system),
    })
}

fn address(a: &Attributes) -> Option<String> {
    let host = text(a.get("server.address")?);
    Some(match a.get("server.port") {
        Some(p) => format!("{host}:{}", text(p)),
        None => host,
    })
}

fn db(a: &Attributes) -> Option<String> {
    let system = first(a, &["db.system.name", "db.system"])?;
    if let Some(s) = a.get("db.query.summary") {
        return Some(text(s));
    }
    let op = first(a, &["db.operation.name", "db.operation"])
        .map(text)
        .unwrap_or_default();
    let target = db_target(a);
    Some(match (op.is_empty(), target.is_empty()) {
        (false, false) => format!("{op} {target}"),
        (false, true) => op,
        (true, false) => target,
        (true, true) => text(system),
    })
}

fn db_target(a: &Attributes) -> String {
    let ns = first(a, &["db.namespace", "db.name"])
        .map(text)
        .unwrap_or_default();
    let join = |x: &AnyValue| {
        if ns.is_empty() {
            text(x)
        } else {
            format!("{ns}.{}", text(x))
        }
    };
    if let Some(c) = a.get("db.collection.name") {
        return join(c);
    }
    if let Some(p) = a.get("db.stored_procedure.name") {
        return join(p);
    }
    if !ns.is_empty() {
        return ns;
    }
    address(a).unwrap_or_default()
}

fn messaging(a: &Attributes) -> Option<String> {
    let system = a.get("messaging.system")?;
    let op = first(a, &["messaging.operation.name", "messaging.operation"]).map(text);
    let dest = destination(a);
    Some(match (op, dest.is_empty()) {
        (Some(o), false) => format!("{o} {dest}"),
        (None, false) => dest,
        (Some(o), true) => o,
        (None, true) => text(system),
    })
}

fn destination(a: &Attributes) -> String {
    let is_true = |k: &str| matches!(a.get(k), Some(AnyValue::Bool(true)));
    if is_true("messaging.destination.temporary") {
        return "(temporary)".into();
    }
    if is_true("messaging.destination.anonymous") {
        return "(anonymous)".into();
    }
    if let Some(t) = a.get("messaging.destination.template") {
        return text(t);
    }
    if let Some(n) = first(a, &["messaging.destination.name", "messaging.destination"]) {
        return text(n);
    }
    address(a).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn span(kind: i64, attrs: &[(&str, &str)]) -> Span {
        let mut a = Attributes::new();
        for (k, v) in attrs {
            a.upsert(*k, AnyValue::Str((*v).into()));
        }
        Span {
            kind,
            name: "orig".into(),
            attributes: a,
            ..Default::default()
        }
    }

    #[test]
    fn derivation_by_kind() {
        let s = span(
            2,
            &[("http.request.method", "GET"), ("http.route", "/users/:id")],
        );
        assert_eq!(derive(&s), "GET /users/:id");
        let s = span(
            3,
            &[
                ("db.system.name", "postgresql"),
                ("db.operation.name", "SELECT"),
                ("db.namespace", "shop"),
                ("db.collection.name", "orders"),
            ],
        );
        assert_eq!(derive(&s), "SELECT shop.orders");
        let s = span(
            4,
            &[
                ("messaging.system", "kafka"),
                ("messaging.operation.name", "send"),
                ("messaging.destination.name", "orders"),
            ],
        );
        assert_eq!(derive(&s), "send orders");
        let s = span(1, &[("http.request.method", "GET")]);
        assert_eq!(derive(&s), "orig");
        let s = span(2, &[("rpc.system", "grpc"), ("rpc.service", "Cart")]);
        assert_eq!(derive(&s), "Cart/*");
    }

    #[test]
    fn versions() {
        assert_eq!(parse_version("1.38.0"), Ok((1, 38, 0)));
        assert!(parse_version("x")
            .unwrap_err()
            .contains("failed to parse semconv version"));
    }
}
