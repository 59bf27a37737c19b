//! pdata value conversions the attribute actions need, as Go computes them: `convert`
//! (`attraction/type_converter.go`) and `Value.AsString()` with its float and JSON forms.

use crate::capture::model::AnyValue;
use crate::config::settings::actions::ConvertedType;

/// `convertValue` (attraction/type_converter.go).
pub fn convert(v: AnyValue, to: ConvertedType) -> AnyValue {
    match (to, v) {
        (ConvertedType::String, AnyValue::Str(s)) => AnyValue::Str(s),
        (ConvertedType::String, other) => AnyValue::Str(as_string(&other).into()),
        (ConvertedType::Int, AnyValue::Double(d)) => AnyValue::Int(go_f64_to_i64(d)),
        (ConvertedType::Int, AnyValue::Bool(b)) => AnyValue::Int(i64::from(b)),
        (ConvertedType::Int, AnyValue::Str(s)) => match s.parse::<i64>() {
            Ok(n) if go_int_syntax(&s) => AnyValue::Int(n),
            _ => AnyValue::Str(s),
        },
        (ConvertedType::Double, AnyValue::Int(i)) => AnyValue::Double(i as f64),
        (ConvertedType::Double, AnyValue::Bool(b)) => AnyValue::Double(f64::from(u8::from(b))),
        (ConvertedType::Double, AnyValue::Str(s)) => match go_parse_float(&s) {
            Some(d) => AnyValue::Double(d),
            None => AnyValue::Str(s),
        },
        (_, other) => other,
    }
}

/// Go `int64(d)` on amd64: truncation toward zero; NaN and out-of-range give the "integer
/// indefinite" value `math.MinInt64`.
fn go_f64_to_i64(d: f64) -> i64 {
    // 2^63 as f64 is exact; every double in [-2^63, 2^63) truncates into range.
    const LIMIT: f64 = 9_223_372_036_854_775_808.0;
    if d.is_nan() || !(-LIMIT..LIMIT).contains(&d) {
        i64::MIN
    } else {
        d.trunc() as i64
    }
}

/// `strconv.ParseInt(s, 10, 64)` takes an optional sign and decimal digits only; Rust's parse
/// agrees except that it also rejects nothing Go accepts, so only the `+`-less forms matter.
fn go_int_syntax(s: &str) -> bool {
    let digits = s.strip_prefix(['+', '-']).unwrap_or(s);
    !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit())
}

/// `strconv.ParseFloat(s, 64)`: decimal and hexadecimal floats, `inf`/`infinity`/`nan` in any
/// case; a failure leaves the value unchanged. (Go's `_` digit separators are honoured in hex
/// floats only; Go also accepts them there alone.)
fn go_parse_float(s: &str) -> Option<f64> {
    let body = s.strip_prefix(['+', '-']).unwrap_or(s);
    let lower = body.to_ascii_lowercase();
    if matches!(lower.as_str(), "inf" | "infinity" | "nan") {
        return s.to_ascii_lowercase().parse::<f64>().ok();
    }
    if let Some(hex) = lower.strip_prefix("0x") {
        let v = hex_float(hex)?;
        return Some(if s.starts_with('-') { -v } else { v });
    }
    if body.is_empty()
        || !body
            .bytes()
            .all(|b| b.is_ascii_digit() || b"eE.+-".contains(&b))
    {
        return None;
    }
    s.parse::<f64>().ok()
}

/// A Go hexadecimal float after `0x`: hex digits with an optional point, then a mandatory
/// binary exponent (`1p-2` = 0.25, `1.8p1` = 3); `_` may separate digits.
fn hex_float(text: &str) -> Option<f64> {
    let (mantissa, exp) = text.split_once('p')?;
    let exp: i32 = exp.parse().ok()?;
    let mantissa = mantissa.replace('_', "");
    let (int, frac) = mantissa.split_once('.').unwrap_or((&mantissa, ""));
    if int.is_empty() && frac.is_empty() {
        return None;
    }
    let mut v = 0f64;
    for c in int.chars() {
        v = v * 16.0 + f64::from(c.to_digit(16)?);
    }
    let mut scale = 1.0 / 16.0;
    for c in frac.chars() {
        v += f64::from(c.to_digit(16)?) * scale;
        scale /= 16.0;
    }
    Some(v * 2f64.powi(exp))
}

pub use crate::capture::model::pdata_string::{as_string, float_as_string};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::capture::model::{Attributes, Key};

    #[test]
    fn as_string_follows_pdata() {
        assert_eq!(as_string(&AnyValue::Double(1.5)), "1.5");
        assert_eq!(as_string(&AnyValue::Double(100.0)), "100");
        assert_eq!(as_string(&AnyValue::Double(1e21)), "1e+21");
        assert_eq!(as_string(&AnyValue::Double(1e-7)), "1e-7");
        assert_eq!(as_string(&AnyValue::Bytes(b"hi!".to_vec())), "aGkh");
        assert_eq!(as_string(&AnyValue::Bytes(b"hi".to_vec())), "aGk=");
        let mut m = Attributes::new();
        m.upsert(Key::of("b"), AnyValue::Str("x".into()));
        m.upsert(Key::of("a"), AnyValue::Int(1));
        assert_eq!(as_string(&AnyValue::Map(m)), r#"{"a":1,"b":"x"}"#);
        let s = AnyValue::Slice(vec![
            AnyValue::Int(1),
            AnyValue::Str("x".into()),
            AnyValue::Bool(true),
        ]);
        assert_eq!(as_string(&s), r#"[1,"x",true]"#);
    }

    #[test]
    fn convert_table() {
        use ConvertedType::*;
        assert_eq!(convert(AnyValue::Double(1.5), Int), AnyValue::Int(1));
        assert_eq!(
            convert(AnyValue::Double(1e21), Int),
            AnyValue::Int(i64::MIN)
        );
        assert_eq!(convert(AnyValue::Bool(true), Int), AnyValue::Int(1));
        assert_eq!(convert(AnyValue::Str("12".into()), Int), AnyValue::Int(12));
        for bad in ["3.9", " 12", ""] {
            let v = AnyValue::Str(bad.into());
            assert_eq!(convert(v.clone(), Int), v);
        }
        assert_eq!(
            convert(AnyValue::Str(" 12".into()), Double),
            AnyValue::Str(" 12".into())
        );
        assert_eq!(
            convert(AnyValue::Str("2.5".into()), Double),
            AnyValue::Double(2.5)
        );
        assert_eq!(convert(AnyValue::Int(3), Double), AnyValue::Double(3.0));
        // strconv.ParseFloat takes Go's hexadecimal floats.
        assert_eq!(
            convert(AnyValue::Str("0x1p-2".into()), Double),
            AnyValue::Double(0.25)
        );
        assert_eq!(
            convert(AnyValue::Str("-0x1.8p1".into()), Double),
            AnyValue::Double(-3.0)
        );
        assert_eq!(
            convert(AnyValue::Str("0x1".into()), Double),
            AnyValue::Str("0x1".into())
        );
        assert_eq!(convert(AnyValue::Empty, String), AnyValue::Str("".into()));
    }
}
