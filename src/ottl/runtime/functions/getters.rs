//! Typed argument getters (`StringGetter`, `IntLikeGetter`, ...): how a run-time value is
//! converted for a parameter of that Go type, with upstream's error texts. The same functions
//! check literal arguments at compile time.

use std::borrow::Cow;

use crate::ottl::runtime::format::string_like;
use crate::ottl::runtime::value::Value;

type R<T> = Result<T, String>;

fn expected(what: &str, v: &Value) -> String {
    match v {
        Value::Nil => format!("expected {what} but got nil"),
        other => format!("expected {what} but got {}", other.go_type()),
    }
}

/// `StringGetter`.
pub fn to_str(v: Value<'_>) -> R<Cow<'_, str>> {
    match v {
        Value::Str(s) => Ok(s),
        other => Err(expected("string", &other)),
    }
}

/// `IntGetter`.
pub fn to_int(v: Value) -> R<i64> {
    match v {
        Value::Int(i) => Ok(i),
        other => Err(expected("int64", &other)),
    }
}

/// `FloatGetter`.
pub fn to_float(v: Value) -> R<f64> {
    match v {
        Value::Float(f) => Ok(f),
        other => Err(expected("float64", &other)),
    }
}

/// `BoolGetter`.
pub fn to_bool(v: Value) -> R<bool> {
    match v {
        Value::Bool(b) => Ok(b),
        other => Err(expected("bool", &other)),
    }
}

/// `PMapGetter`.
pub fn to_map(v: Value<'_>) -> R<Cow<'_, crate::capture::model::Attributes>> {
    match v {
        Value::Map(m) => Ok(m),
        other => Err(expected("pcommon.Map", &other)),
    }
}

/// `StringLikeGetter` (`None` for nil).
pub fn str_like(v: Value<'_>) -> R<Option<Cow<'_, str>>> {
    match v {
        Value::Str(s) => Ok(Some(s)),
        other => Ok(string_like(&other)?.map(Cow::Owned)),
    }
}

/// `FloatLikeGetter` (`None` for nil).
pub fn float_like(v: Value) -> R<Option<f64>> {
    Ok(Some(match v {
        Value::Nil => return Ok(None),
        Value::Float(f) => f,
        Value::Int(i) => i as f64,
        Value::Bool(b) => f64::from(u8::from(b)),
        Value::Str(s) => go_parse_float(&s)?,
        other => return Err(format!("unsupported type: {}", other.go_type())),
    }))
}

/// `IntLikeGetter` (`None` for nil and for an unparsable string).
pub fn int_like(v: Value) -> R<Option<i64>> {
    Ok(match v {
        Value::Nil => None,
        Value::Int(i) => Some(i),
        // Go's float→int conversion truncates; out-of-range values saturate here.
        Value::Float(f) => Some(f as i64),
        Value::Bool(b) => Some(i64::from(b)),
        Value::Str(s) => go_parse_int(&s),
        other => return Err(format!("unsupported type: {}", other.go_type())),
    })
}

/// `BoolLikeGetter` (`None` for nil).
pub fn bool_like(v: Value) -> R<Option<bool>> {
    Ok(Some(match v {
        Value::Nil => return Ok(None),
        Value::Bool(b) => b,
        Value::Int(i) => i != 0,
        Value::Float(f) => f != 0.0,
        Value::Str(s) => match s.as_ref() {
            "1" | "t" | "T" | "TRUE" | "true" | "True" => true,
            "0" | "f" | "F" | "FALSE" | "false" | "False" => false,
            other => {
                return Err(format!(
                    "strconv.ParseBool: parsing {other:?}: invalid syntax"
                ))
            }
        },
        other => return Err(format!("unsupported type: {}", other.go_type())),
    }))
}

/// `DurationGetter`.
pub fn to_duration(v: Value) -> R<i64> {
    match v {
        Value::Duration(d) => Ok(d),
        other => Err(expected("duration", &other)),
    }
}

/// `TimeGetter`.
pub fn to_time(v: Value) -> R<i64> {
    match v {
        Value::Time(t) => Ok(t),
        other => Err(expected("time", &other)),
    }
}

/// `ByteSliceLikeGetter`: bytes as is, strings as their UTF-8 bytes, numbers big-endian.
pub fn bytes_like(v: Value<'_>) -> R<Option<Cow<'_, [u8]>>> {
    Ok(Some(match v {
        Value::Nil => return Ok(None),
        Value::Bytes(b) => b,
        Value::Str(Cow::Borrowed(s)) => Cow::Borrowed(s.as_bytes()),
        Value::Str(Cow::Owned(s)) => Cow::Owned(s.into_bytes()),
        Value::Int(i) => Cow::Owned(i.to_be_bytes().to_vec()),
        Value::Float(f) => Cow::Owned(f.to_bits().to_be_bytes().to_vec()),
        Value::Bool(b) => Cow::Owned(vec![u8::from(b)]),
        other => return Err(format!("unsupported type: {}", other.go_type())),
    }))
}

/// Go `strconv.ParseInt(s, 10, 64)`: optional sign, decimal digits only.
fn go_parse_int(s: &str) -> Option<i64> {
    let digits = s.strip_prefix(['+', '-']).unwrap_or(s);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

/// Go `strconv.ParseFloat(s, 64)` for the common spellings (Rust accepts the same set, plus a
/// few Go rejects such as "infinity" variants, which both accept).
fn go_parse_float(s: &str) -> R<f64> {
    s.parse::<f64>()
        .map_err(|_| format!("strconv.ParseFloat: parsing {s:?}: invalid syntax"))
}
