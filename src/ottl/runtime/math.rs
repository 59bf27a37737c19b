//! Math on run-time values (`pkg/ottl/math.go`): int64 and float64 (mixed → float64, int64
//! wraps, division by zero is an error for both), and `+`/`-` between time.Time and
//! time.Duration. Error texts follow upstream, printing operands with Go's `%v`.

use super::format::go_v;
use super::value::Value;
use crate::ottl::ast::MathOp;

/// `x op y`.
pub fn apply(op: MathOp, x: Value, y: Value) -> Result<Value<'static>, String> {
    match x {
        Value::Int(a) => match y {
            Value::Int(b) => int_op(a, b, op).map(Value::Int),
            Value::Float(b) => float_op(a as f64, b, op).map(Value::Float),
            other => Err(format!("{} must be int64 or float64", go_v(&other))),
        },
        Value::Float(a) => match y {
            Value::Int(b) => float_op(a, b as f64, op).map(Value::Float),
            Value::Float(b) => float_op(a, b, op).map(Value::Float),
            other => Err(format!("{} must be int64 or float64", go_v(&other))),
        },
        Value::Time(t) => time_op(t, y, op),
        Value::Duration(d) => duration_op(d, y, op),
        other => Err(format!(
            "{} must be int64, float64, time.Time or time.Duration",
            go_v(&other)
        )),
    }
}

/// Unary minus on a non-literal operand.
pub fn negate(x: Value) -> Result<Value<'static>, String> {
    match x {
        Value::Int(i) => Ok(Value::Int(i.wrapping_neg())),
        Value::Float(f) => Ok(Value::Float(-f)),
        other => Err(format!(
            "unsupported unary minus operation on type {}",
            other.go_type()
        )),
    }
}

const DIV_ZERO: &str = "attempted to divide by 0";
const TIME_ONLY_ADD_SUB: &str =
    "only addition and subtraction supported for time.Time and time.Duration";

fn int_op(a: i64, b: i64, op: MathOp) -> Result<i64, String> {
    Ok(match op {
        MathOp::Add => a.wrapping_add(b),
        MathOp::Sub => a.wrapping_sub(b),
        MathOp::Mul => a.wrapping_mul(b),
        MathOp::Div if b == 0 => return Err(DIV_ZERO.into()),
        // Go: MinInt64 / -1 wraps to MinInt64 (no panic).
        MathOp::Div => a.wrapping_div(b),
    })
}

fn float_op(a: f64, b: f64, op: MathOp) -> Result<f64, String> {
    Ok(match op {
        MathOp::Add => a + b,
        MathOp::Sub => a - b,
        MathOp::Mul => a * b,
        MathOp::Div if b == 0.0 => return Err(DIV_ZERO.into()),
        MathOp::Div => a / b,
    })
}

fn time_op(t: i64, y: Value, op: MathOp) -> Result<Value<'static>, String> {
    match (op, y) {
        (MathOp::Add, Value::Duration(d)) => Ok(Value::Time(t.wrapping_add(d))),
        (MathOp::Add, other) => Err(format!(
            "time.Time must be added to time.Duration; found {} instead",
            go_v(&other)
        )),
        (MathOp::Sub, Value::Time(u)) => Ok(Value::Duration(t.saturating_sub(u))),
        (MathOp::Sub, Value::Duration(d)) => Ok(Value::Time(t.wrapping_sub(d))),
        (MathOp::Sub, other) => Err(format!(
            "time.Time or time.Duration must be subtracted from time.Time; found {} instead",
            go_v(&other)
        )),
        _ => Err(TIME_ONLY_ADD_SUB.into()),
    }
}

fn duration_op(d: i64, y: Value, op: MathOp) -> Result<Value<'static>, String> {
    match (op, y) {
        (MathOp::Add, Value::Duration(e)) => Ok(Value::Duration(d.wrapping_add(e))),
        (MathOp::Add, Value::Time(t)) => Ok(Value::Time(t.wrapping_add(d))),
        (MathOp::Add, other) => Err(format!(
            "time.Duration must be added to time.Duration or time.Time; found {} instead",
            go_v(&other)
        )),
        (MathOp::Sub, Value::Duration(e)) => Ok(Value::Duration(d.wrapping_sub(e))),
        (MathOp::Sub, other) => Err(format!(
            "time.Duration must be subtracted from time.Duration; found {} instead",
            go_v(&other)
        )),
        _ => Err(TIME_ONLY_ADD_SUB.into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integer_math_truncates_and_wraps() {
        assert_eq!(
            apply(MathOp::Div, Value::Int(-7), Value::Int(2)),
            Ok(Value::Int(-3))
        );
        assert_eq!(
            apply(MathOp::Add, Value::Int(i64::MAX), Value::Int(1)),
            Ok(Value::Int(i64::MIN))
        );
        assert_eq!(
            apply(MathOp::Div, Value::Int(7), Value::Float(2.0)),
            Ok(Value::Float(3.5))
        );
    }

    #[test]
    fn division_by_zero_and_type_errors() {
        assert_eq!(
            apply(MathOp::Div, Value::Float(1.0), Value::Float(0.0)),
            Err(DIV_ZERO.to_string())
        );
        assert_eq!(
            apply(MathOp::Add, Value::Int(1), Value::Nil),
            Err("<nil> must be int64 or float64".to_string())
        );
        assert_eq!(
            negate(Value::Duration(1)),
            Err("unsupported unary minus operation on type time.Duration".to_string())
        );
    }
}
