//! `set`, `append` and `delete_index`.

use std::borrow::Cow;

use super::{read, value, write, Args, Editor, Write, R};
use crate::capture::model::AnyValue;
use crate::ottl::runtime::compile::{Expr, PathExpr};
use crate::ottl::runtime::eval::EvalItem;
use crate::ottl::runtime::functions::to_int;
use crate::ottl::runtime::value::Value;

/// `set(target, value)`: a nil value writes nothing ("no fields currently support null").
#[derive(Debug)]
struct Set {
    target: PathExpr,
    value: Expr,
}

pub fn build_set(mut a: Args) -> R<Box<dyn Editor>> {
    Ok(Box::new(Set {
        target: a.path(0)?,
        value: a.expr(1)?,
    }))
}

impl Editor for Set {
    fn plan<'s>(&'s self, item: &EvalItem<'_>) -> R<Vec<Write<'s>>> {
        let v = value(&self.value, item)?;
        if v.is_nil() {
            return Ok(Vec::new());
        }
        Ok(vec![write(&self.target, item, v)?])
    }
}

/// `append(target, value?, values?)`: the target's elements (a scalar becomes the first
/// element, nil none), then `value`, then `values`, written back as a slice.
#[derive(Debug)]
struct Append {
    target: PathExpr,
    value: Option<Expr>,
    values: Vec<Expr>,
}

pub fn build_append(mut a: Args) -> R<Box<dyn Editor>> {
    let target = a.path(0)?;
    let value = a.opt_expr(1)?;
    let values = match a.opt_expr(2)? {
        None => None,
        Some(Expr::List(items)) => Some(items),
        Some(Expr::Const(Value::List(items))) => Some(items.into_iter().map(Expr::Const).collect()),
        Some(_) => return Err("values must be a list".into()),
    };
    if value.is_none() && values.is_none() {
        return Err(
            "at least one of the optional arguments ('value' or 'values') must be provided".into(),
        );
    }
    Ok(Box::new(Append {
        target,
        value,
        values: values.unwrap_or_default(),
    }))
}

impl Editor for Append {
    fn plan<'s>(&'s self, item: &EvalItem<'_>) -> R<Vec<Write<'s>>> {
        let mut out: Vec<AnyValue> = match read(&self.target, item)? {
            Value::Nil => Vec::new(),
            Value::Slice(s) => s.into_owned(),
            Value::Map(_) => return Err("<Invalid value type pcommon.Map>".into()),
            other => match other.to_any()? {
                AnyValue::Slice(s) => s,
                v => vec![v],
            },
        };
        for e in self.value.iter().chain(&self.values) {
            out.push(value(e, item)?.to_any()?);
        }
        Ok(vec![write(
            &self.target,
            item,
            Value::Slice(Cow::Owned(out)),
        )?])
    }
}

/// `delete_index(target, start, end?)`: removes `[start, end)` (end defaults to start + 1).
#[derive(Debug)]
struct DeleteIndex {
    target: PathExpr,
    start: Expr,
    end: Option<Expr>,
}

pub fn build_delete_index(mut a: Args) -> R<Box<dyn Editor>> {
    Ok(Box::new(DeleteIndex {
        target: a.path(0)?,
        start: a.expr(1)?,
        end: a.opt_expr(2)?,
    }))
}

impl Editor for DeleteIndex {
    fn plan<'s>(&'s self, item: &EvalItem<'_>) -> R<Vec<Write<'s>>> {
        let mut items = match read(&self.target, item)? {
            Value::Slice(s) => s.into_owned(),
            Value::Nil => return Err("expected pcommon.Slice but got nil".into()),
            other => match other.to_any() {
                Ok(AnyValue::Slice(s)) => s,
                _ => {
                    return Err(format!(
                        "expected pcommon.Slice but got {}",
                        other.go_type()
                    ))
                }
            },
        };
        let start = to_int(value(&self.start, item)?)?;
        let end = match &self.end {
            Some(e) => to_int(value(e, item)?)?,
            None => start.saturating_add(1),
        };
        let len = i64::try_from(items.len()).unwrap_or(i64::MAX);
        if !(start == 0 && end == len) {
            if start < 0 || start >= len {
                return Err(format!(
                    "startIndex {start} out of bounds for slice of length {len}"
                ));
            }
            if end < start {
                return Err(format!(
                    "endIndex {end} cannot be less than startIndex {start}"
                ));
            }
            if end > len {
                return Err(format!(
                    "deletion range [{start}:{end}] out of bounds for slice of length {len}"
                ));
            }
        }
        let (s, e) = (
            usize::try_from(start).unwrap_or(0),
            usize::try_from(end).unwrap_or(0),
        );
        items.drain(s..e.max(s));
        Ok(vec![write(
            &self.target,
            item,
            Value::Slice(Cow::Owned(items)),
        )?])
    }
}
