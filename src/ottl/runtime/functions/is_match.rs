//! `IsMatch(target, pattern)`: true when the RE2 `pattern` matches anywhere in `target`.
//!
//! | Parameter | Type | Notes |
//! |---|---|---|
//! | `target` | StringLikeGetter | non-strings converted (int, float shortest form, bool, bytes as lowercase hex, maps/slices as JSON); nil → `false` |
//! | `pattern` | StringGetter | a literal is compiled once at compile time (a bad one is a compile error); otherwise compiled per evaluation |
//!
//! Examples: `IsMatch(name, "^GET")`, `IsMatch(attributes["i"], "^200$")` (true for the int 200).

use regex::Regex;

use super::{str_like, to_str, Build, Converter, Spec};
use crate::ottl::runtime::compile::Expr;
use crate::ottl::runtime::eval::{eval_value, EvalItem};
use crate::ottl::runtime::re2;
use crate::ottl::runtime::value::Value;

pub const SPECS: &[Spec] = &[Spec {
    name: "IsMatch",
    build: Build::Custom(|mut args| {
        let pattern = args.pop().flatten();
        let target = args.pop().flatten();
        match (target, pattern) {
            (Some(t), Some(p)) => build(t, p),
            _ => Err("IsMatch needs a target and a pattern".into()),
        }
    }),
}];

#[derive(Debug)]
enum Pattern {
    Fixed(Regex),
    Dynamic(Expr),
}

#[derive(Debug)]
pub struct IsMatch {
    target: Expr,
    pattern: Pattern,
}

/// Build from compiled arguments (also used for the non-upstream `=~` operator).
pub fn build(target: Expr, pattern: Expr) -> Result<Box<dyn Converter>, String> {
    let pattern = match pattern {
        Expr::Const(Value::Str(p)) => Pattern::Fixed(re2::compile(&p).map_err(|e| {
            format!("the regex pattern supplied to IsMatch '{p:?}' is not a valid pattern: {e}")
        })?),
        Expr::Const(other) => return Err(to_str(other).err().unwrap_or_default()),
        dynamic => Pattern::Dynamic(dynamic),
    };
    Ok(Box::new(IsMatch { target, pattern }))
}

impl Converter for IsMatch {
    fn call<'a>(&'a self, item: &EvalItem<'a>) -> Result<Value<'a>, String> {
        let dynamic;
        let re = match &self.pattern {
            Pattern::Fixed(re) => re,
            Pattern::Dynamic(e) => {
                let p = to_str(eval_value(e, item)?).map_err(|m| {
                    format!(
                        "the regex pattern supplied to IsMatch '\"\"' is not a valid pattern: {m}"
                    )
                })?;
                dynamic = re2::compile(&p)?;
                &dynamic
            }
        };
        let target = eval_value(&self.target, item)?;
        Ok(Value::Bool(match str_like(target)? {
            Some(s) => re.is_match(&s),
            None => false,
        }))
    }
}
