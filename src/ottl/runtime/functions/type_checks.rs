//! Type tests: `IsString`, `IsInt`, `IsDouble`, `IsBool`, `IsMap`, `IsList`, and `IsRootSpan`.
//!
//! | Converter | Parameter | True when |
//! |---|---|---|
//! | `IsString(target)` | StringGetter | target is a string |
//! | `IsInt(target)` | IntGetter | target is an int64 (no conversion: a double is false) |
//! | `IsDouble(target)` | FloatGetter | target is a float64 |
//! | `IsBool(target)` | BoolGetter | target is a bool |
//! | `IsMap(target)` | PMapGetter | target is a map |
//! | `IsList(target)` | Getter | target is a slice or list |
//! | `IsRootSpan()` | — | the span's parent span id is all zeros (arguments are ignored) |
//!
//! Upstream runs the typed getter and answers false on a *type* error, so nil is false, while an
//! error from evaluating the argument itself still propagates. A literal of the wrong type is a
//! compile error (`IsBool("true")`), because typed literals are converted at parse time.

use super::{to_bool, to_float, to_int, to_map, to_str, Build, Converter, Spec};
use crate::ottl::runtime::eval::EvalItem;
use crate::ottl::runtime::value::Value;

macro_rules! is_type {
    ($name:literal, $check:expr) => {
        Spec {
            name: $name,
            build: Build::Simple(|mut a| Ok(Value::Bool($check(super::arg(&mut a, 0))))),
        }
    };
}

pub const SPECS: &[Spec] = &[
    is_type!("IsString", |v| to_str(v).is_ok()),
    is_type!("IsInt", |v| to_int(v).is_ok()),
    is_type!("IsDouble", |v| to_float(v).is_ok()),
    is_type!("IsBool", |v| to_bool(v).is_ok()),
    is_type!("IsMap", |v| to_map(v).is_ok()),
    is_type!("IsList", |v| matches!(
        v,
        Value::Slice(_) | Value::List(_) | Value::StrList(_)
    )),
    Spec {
        name: "IsRootSpan",
        build: Build::Custom(|_| Ok(Box::new(IsRootSpan))),
    },
];

#[derive(Debug)]
struct IsRootSpan;

impl Converter for IsRootSpan {
    fn call<'a>(&'a self, item: &EvalItem<'a>) -> Result<Value<'a>, String> {
        let span = item.span.ok_or("IsRootSpan needs a span")?;
        Ok(Value::Bool(span.is_root()))
    }
}
