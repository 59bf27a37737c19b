//! Value conversions and generic helpers: `String`, `Int`, `Double`, `Bool`, `Len`, `Concat`,
//! `Coalesce`, `Log`.
//!
//! | Converter | Parameters | Result |
//! |---|---|---|
//! | `String(target)` | StringLikeGetter | string form (nil → nil); `String(attributes["by"])` = `"010203"` |
//! | `Int(target)` | IntLikeGetter | int64; unparsable string → nil; `Int(-2.7)` = -2; `Int(true)` = 1 |
//! | `Double(target)` | FloatLikeGetter | float64; unparsable string is an error |
//! | `Bool(target)` | BoolLikeGetter | bool; numbers are `!= 0`; unparsable string is an error |
//! | `Len(target)` | Getter | byte length of a string, length of a map/slice/list/bytes; other types error |
//! | `Concat(values[], delimiter)` | list literal of StringLikeGetter, StringGetter | joined string forms; nil → `<nil>` |
//! | `Coalesce(values[])` | list literal of Getter | first non-nil value, else nil |
//! | `Log(target)` | FloatLikeGetter | natural log; input ≤ 0 is an error |
//! | `ContainsValue(target, item)` | PSliceGetter, Getter | a slice element equals `item` by the comparison rules |

use std::borrow::Cow;

use super::{arg, bool_like, float_like, int_like, str_like, to_str, Build, Spec};
use crate::ottl::ast::CompareOp;
use crate::ottl::runtime::compare::compare;
use crate::ottl::runtime::format::go_float_v;
use crate::ottl::runtime::value::Value;

type R<T> = Result<T, String>;

const LEN_TYPES: &str = "target arg must be of type string, []any, map[string]any, pcommon.Map, pcommon.Slice, pcommon.Value (of type String, Map, Slice) or a supported slice type from the plog, pmetric or ptrace packages";

pub const SPECS: &[Spec] = &[
    Spec {
        name: "ContainsValue",
        build: Build::Simple(|mut a| {
            let target = arg(&mut a, 0);
            let item = arg(&mut a, 1);
            contains_value(target, &item).map(Value::Bool)
        }),
    },
    Spec {
        name: "String",
        build: Build::Simple(|mut a| Ok(str_like(arg(&mut a, 0))?.map_or(Value::Nil, Value::Str))),
    },
    Spec {
        name: "Int",
        build: Build::Simple(|mut a| Ok(int_like(arg(&mut a, 0))?.map_or(Value::Nil, Value::Int))),
    },
    Spec {
        name: "Double",
        build: Build::Simple(|mut a| {
            Ok(float_like(arg(&mut a, 0))?.map_or(Value::Nil, Value::Float))
        }),
    },
    Spec {
        name: "Bool",
        build: Build::Simple(
            |mut a| Ok(bool_like(arg(&mut a, 0))?.map_or(Value::Nil, Value::Bool)),
        ),
    },
    Spec {
        name: "Len",
        build: Build::Simple(|mut a| len(arg(&mut a, 0)).map(Value::Int)),
    },
    Spec {
        name: "Concat",
        build: Build::Simple(|mut a| {
            let vals = arg(&mut a, 0);
            let delim = to_str(arg(&mut a, 1))?;
            concat(vals, &delim)
        }),
    },
    Spec {
        name: "Coalesce",
        build: Build::Simple(|mut a| match arg(&mut a, 0) {
            Value::List(items) => Ok(items
                .into_iter()
                .find(|v| !v.is_nil())
                .unwrap_or(Value::Nil)),
            _ => Err("Coalesce requires at least one argument".into()),
        }),
    },
    Spec {
        name: "Log",
        build: Build::Simple(|mut a| {
            let v = arg(&mut a, 0);
            match float_like(v)? {
                None => Err("invalid input: <nil>".into()),
                Some(x) if x <= 0.0 => Err(format!(
                    "invalid input: expected number greater than zero but got {}",
                    go_float_v(x)
                )),
                Some(x) => Ok(Value::Float(x.ln())),
            }
        }),
    },
];

fn len(v: Value) -> R<i64> {
    let n = match &v {
        Value::Str(s) => s.len(),
        Value::Map(m) => m.len(),
        Value::Slice(s) => s.len(),
        Value::List(l) => l.len(),
        Value::StrList(l) => l.len(),
        Value::Bytes(b) => b.len(),
        Value::Seq(_, n) => *n,
        other => {
            return Err(format!(
                "Len: unsupported target type {}. {LEN_TYPES}",
                other.go_type()
            ))
        }
    };
    Ok(i64::try_from(n).unwrap_or(i64::MAX))
}

fn concat<'a>(vals: Value<'a>, delim: &str) -> R<Value<'a>> {
    let Value::List(items) = vals else {
        return Err("Concat expects a list of values".into());
    };
    let mut out = String::new();
    for (i, v) in items.into_iter().enumerate() {
        if i > 0 {
            out.push_str(delim);
        }
        match str_like(v)? {
            Some(s) => out.push_str(&s),
            None => out.push_str("<nil>"),
        }
    }
    Ok(Value::Str(Cow::Owned(out)))
}

/// `ContainsValue`: the target must be a slice (`PSliceGetter`), elements compare with `==`.
fn contains_value(target: Value, item: &Value) -> R<bool> {
    let eq = |v: &Value| compare(v, item, CompareOp::Eq);
    match target {
        Value::Slice(items) => {
            for v in items.iter() {
                if eq(&Value::from_any(v))? {
                    return Ok(true);
                }
            }
            Ok(false)
        }
        Value::List(items) => {
            for v in &items {
                if eq(v)? {
                    return Ok(true);
                }
            }
            Ok(false)
        }
        Value::Nil => Err("expected pcommon.Slice but got nil".into()),
        other => Err(format!(
            "expected pcommon.Slice but got {}",
            other.go_type()
        )),
    }
}
