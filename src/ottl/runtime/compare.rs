//! Comparison semantics (`pkg/ottl/compare.go`): the left operand's Go type picks the rule;
//! values of different types are simply "not equal" (only `!=` is true); nil orders against
//! nothing; int64 meets float64 as float64; maps and lists use deep equality without numeric
//! coercion and support only `==`/`!=`.
//!
//! Comparisons never fail, with one exception: upstream panics comparing two values of the same
//! uncomparable Go type (`Split(..) == Split(..)`); we report that as an error instead.

use std::cmp::Ordering;

use super::value::Value;
use crate::capture::model::{AnyValue, Attributes};
use crate::ottl::ast::CompareOp;

/// `a op b` as upstream evaluates it.
pub fn compare(a: &Value, b: &Value, op: CompareOp) -> Result<bool, String> {
    use Value as V;
    let ne_only = op == CompareOp::Ne;
    Ok(match (a, b) {
        (V::Nil, V::Nil) => matches!(op, CompareOp::Eq | CompareOp::Le | CompareOp::Ge),
        (V::Nil, _) | (_, V::Nil) => ne_only,
        (V::Bool(x), V::Bool(y)) => ordered(x.cmp(y), op),
        (V::Int(x), V::Int(y)) => ordered(x.cmp(y), op),
        (V::Int(x), V::Float(y)) => float_cmp(*x as f64, *y, op),
        (V::Float(x), V::Int(y)) => float_cmp(*x, *y as f64, op),
        (V::Float(x), V::Float(y)) => float_cmp(*x, *y, op),
        (V::Str(x), V::Str(y)) => ordered(x.as_bytes().cmp(y.as_bytes()), op),
        (V::Bytes(x), V::Bytes(y)) => ordered(x.as_ref().cmp(y.as_ref()), op),
        (V::Duration(x), V::Duration(y)) => ordered(x.cmp(y), op),
        (V::Time(x), V::Time(y)) => ordered(x.cmp(y), op),
        (V::Map(x), V::Map(y)) => equality(maps_equal(x, y), op),
        (V::Slice(x), V::Slice(y)) => equality(slices_equal(x, y), op),
        (V::Slice(x), V::List(y)) => equality(list_vs_slice(y, x), op),
        (V::List(x), V::Slice(y)) => equality(list_vs_slice(x, y), op),
        (V::List(x), V::List(y)) => equality(lists_equal(x, y), op),
        (V::TraceId(x), V::TraceId(y)) => equality(x == y, op),
        (V::SpanId(x), V::SpanId(y)) => equality(x == y, op),
        (V::ProfileId(x), V::ProfileId(y)) => equality(x == y, op),
        (V::StrList(_), V::StrList(_)) => {
            return Err("comparing uncomparable type []string".into());
        }
        // ptrace.Status and friends hold pointers: two reads of the same span compare equal.
        (V::Opaque(x), V::Opaque(y)) => equality(x == y, op),
        (V::Seq(x, _), V::Seq(y, _)) => equality(x == y, op),
        _ => ne_only,
    })
}

fn ordered(ord: Ordering, op: CompareOp) -> bool {
    match op {
        CompareOp::Eq => ord == Ordering::Equal,
        CompareOp::Ne => ord != Ordering::Equal,
        CompareOp::Lt => ord == Ordering::Less,
        CompareOp::Le => ord != Ordering::Greater,
        CompareOp::Gt => ord == Ordering::Greater,
        CompareOp::Ge => ord != Ordering::Less,
    }
}

/// IEEE semantics (NaN compares false except `!=`), as Go's operators.
fn float_cmp(x: f64, y: f64, op: CompareOp) -> bool {
    match op {
        CompareOp::Eq => x == y,
        CompareOp::Ne => x != y,
        CompareOp::Lt => x < y,
        CompareOp::Le => x <= y,
        CompareOp::Gt => x > y,
        CompareOp::Ge => x >= y,
    }
}

fn equality(equal: bool, op: CompareOp) -> bool {
    match op {
        CompareOp::Eq => equal,
        CompareOp::Ne => !equal,
        _ => false,
    }
}

/// `pcommon.Map.Equal`: same key set, each value equal by type and value.
pub fn maps_equal(a: &Attributes, b: &Attributes) -> bool {
    a.len() == b.len()
        && a.iter()
            .all(|(k, v)| b.get(k).is_some_and(|w| any_equal(v, w)))
}

fn slices_equal(a: &[AnyValue], b: &[AnyValue]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| any_equal(x, y))
}

/// `pcommon.Value.Equal`: strict types, floats by `==`.
fn any_equal(a: &AnyValue, b: &AnyValue) -> bool {
    match (a, b) {
        (AnyValue::Map(x), AnyValue::Map(y)) => maps_equal(x, y),
        (AnyValue::Slice(x), AnyValue::Slice(y)) => slices_equal(x, y),
        (AnyValue::Double(x), AnyValue::Double(y)) => x == y,
        _ => a == b,
    }
}

/// `reflect.DeepEqual(list, slice.AsRaw())`. AsRaw turns nested maps into `map[string]any`, which
/// never deep-equals a `pcommon.Map` element of the list literal.
fn list_vs_slice(list: &[Value], slice: &[AnyValue]) -> bool {
    list.len() == slice.len() && list.iter().zip(slice).all(|(v, a)| raw_equal(v, a))
}

fn raw_equal(v: &Value, a: &AnyValue) -> bool {
    match (v, a) {
        (Value::Nil, AnyValue::Empty) => true,
        (Value::Bool(x), AnyValue::Bool(y)) => x == y,
        (Value::Int(x), AnyValue::Int(y)) => x == y,
        (Value::Float(x), AnyValue::Double(y)) => x == y,
        (Value::Str(x), AnyValue::Str(y)) => **x == **y,
        (Value::Bytes(x), AnyValue::Bytes(y)) => x.as_ref() == y.as_slice(),
        (Value::List(x), AnyValue::Slice(y)) => list_vs_slice(x, y),
        _ => false,
    }
}

/// `reflect.DeepEqual` of two `[]any`.
fn lists_equal(a: &[Value], b: &[Value]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| deep_equal(x, y))
}

fn deep_equal(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::List(x), Value::List(y)) => lists_equal(x, y),
        (Value::Map(x), Value::Map(y)) => maps_equal(x, y),
        (Value::Float(x), Value::Float(y)) => x == y,
        (Value::Slice(x), Value::Slice(y)) => slices_equal(x, y),
        _ => std::mem::discriminant(a) == std::mem::discriminant(b) && a == b,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::borrow::Cow;

    fn s(x: &str) -> Value<'static> {
        Value::Str(Cow::Owned(x.into()))
    }

    #[test]
    fn nil_rules() {
        assert!(compare(&Value::Nil, &Value::Nil, CompareOp::Le).unwrap());
        assert!(!compare(&Value::Nil, &Value::Nil, CompareOp::Lt).unwrap());
        assert!(!compare(&Value::Nil, &Value::Int(5), CompareOp::Lt).unwrap());
        assert!(compare(&s("a"), &Value::Nil, CompareOp::Ne).unwrap());
    }

    #[test]
    fn mixed_numbers_promote_and_other_types_are_unequal() {
        assert!(compare(&Value::Int(200), &Value::Float(200.0), CompareOp::Eq).unwrap());
        assert!(!compare(&Value::Int(200), &s("200"), CompareOp::Eq).unwrap());
        assert!(!compare(&s("200"), &Value::Int(100), CompareOp::Gt).unwrap());
        assert!(compare(&s("B"), &s("a"), CompareOp::Lt).unwrap());
        assert!(compare(&Value::Bool(true), &Value::Bool(false), CompareOp::Gt).unwrap());
    }

    #[test]
    fn string_lists_cannot_be_compared() {
        let l = Value::StrList(vec!["a".into()]);
        assert!(compare(&l, &l, CompareOp::Eq).is_err());
    }
}
