//! Go's text renderings of values, reproduced because users see them: `%v` in error texts
//! (`abc must be int64, float64, time.Time or time.Duration`) and `encoding/json` in the
//! string-like conversion (`IsMatch(attributes["m"], ...)` matches against compact JSON with
//! sorted keys and HTML escaping).

use super::value::Value;
use crate::capture::model::{AnyValue, Attributes};

/// Go `strconv.FormatFloat(f, 'g', -1, 64)`, which is what `%v` prints for a float64.
pub fn go_float_v(f: f64) -> String {
    go_float(f, |exp| !(-4..21).contains(&exp))
}

/// Go `encoding/json`'s float64 encoding (`1e+21`, `1e-7`, `200`).
pub fn json_float(f: f64) -> String {
    let abs = f.abs();
    if abs != 0.0 && !(1e-6..1e21).contains(&abs) {
        // 'e' format, then json trims the leading zero of a negative two-digit exponent.
        let s = go_float(f, |_| true);
        return s.replacen("e-0", "e-", 1);
    }
    go_float(f, |_| false)
}

/// Shortest round-trip digits, in exponent form when `use_exp(decimal exponent)` says so, with
/// Go's exponent spelling (`e+21`, `e-07`).
fn go_float(f: f64, use_exp: impl Fn(i32) -> bool) -> String {
    if f.is_nan() {
        return "NaN".into();
    }
    if f.is_infinite() {
        return if f > 0.0 {
            "+Inf".into()
        } else {
            "-Inf".into()
        };
    }
    let sci = format!("{f:e}"); // e.g. "1.5e3", "-2e-7"
    let (mantissa, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    if f != 0.0 && use_exp(exp) {
        let sign = if exp < 0 { '-' } else { '+' };
        return format!("{mantissa}e{sign}{:02}", exp.abs());
    }
    format!("{f}")
}

/// Go `%v` of a value, as used in upstream error texts.
pub fn go_v(v: &Value) -> String {
    match v {
        Value::Nil => "<nil>".into(),
        Value::Bool(b) => b.to_string(),
        Value::Int(i) => i.to_string(),
        Value::Float(f) => go_float_v(*f),
        Value::Str(s) => s.to_string(),
        Value::Bytes(b) => bytes_v(b),
        // The id types are Stringers: `%v` prints hex, nothing for an all-zero id.
        Value::TraceId(b) | Value::ProfileId(b) => id_v(b),
        Value::SpanId(b) => id_v(b),
        Value::Time(t) => go_time_v(*t),
        Value::Duration(d) => go_duration(*d),
        Value::StrList(l) => format!("[{}]", l.join(" ")),
        Value::List(l) => format!("[{}]", l.iter().map(go_v).collect::<Vec<_>>().join(" ")),
        other => other.go_type().to_string(),
    }
}

fn id_v(b: &[u8]) -> String {
    if b.iter().all(|&x| x == 0) {
        String::new()
    } else {
        hex::encode(b)
    }
}

fn bytes_v(b: &[u8]) -> String {
    let parts: Vec<String> = b.iter().map(u8::to_string).collect();
    format!("[{}]", parts.join(" "))
}

/// The string-like conversion of `StringLikeGetter` (IsMatch target, Concat elements, String):
/// `None` for nil, `Err` with upstream's text when Go's JSON encoder refuses the value.
pub fn string_like(v: &Value) -> Result<Option<String>, String> {
    Ok(Some(match v {
        Value::Nil => return Ok(None),
        Value::Str(s) => s.to_string(),
        Value::Bytes(b) => hex::encode(b.as_ref()),
        other => {
            let mut out = String::new();
            json_value(other, &mut out).map_err(|t| format!("unsupported type: {t}"))?;
            out
        }
    }))
}

/// Go `json.Marshal` of a run-time value; the error is the Go type that cannot be encoded.
pub fn json_value(v: &Value, out: &mut String) -> Result<(), &'static str> {
    match v {
        Value::Nil => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Int(i) | Value::Duration(i) => out.push_str(&i.to_string()),
        Value::Float(f) if !f.is_finite() => return Err("float64"),
        Value::Float(f) => out.push_str(&json_float(*f)),
        Value::Str(s) => json_string(s, out),
        Value::Bytes(b) => json_string(&base64_std(b), out),
        Value::Map(m) => json_map(m, out)?,
        Value::Slice(s) => json_slice(s, out)?,
        Value::List(l) => {
            out.push('[');
            for (i, e) in l.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                match e {
                    // A pcommon.Map inside []any is a struct with no exported fields.
                    Value::Map(_) | Value::Slice(_) => out.push_str("{}"),
                    other => json_value(other, out)?,
                }
            }
            out.push(']');
        }
        Value::StrList(l) => {
            out.push('[');
            for (i, s) in l.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                json_string(s, out);
            }
            out.push(']');
        }
        Value::TraceId(b) | Value::ProfileId(b) => json_byte_array(b, out),
        Value::SpanId(b) => json_byte_array(b, out),
        Value::Time(t) => {
            out.push('"');
            out.push_str(&rfc3339_nano(*t));
            out.push('"');
        }
        Value::Opaque(_) | Value::Seq(..) => out.push_str("{}"),
    }
    Ok(())
}

fn json_byte_array(b: &[u8], out: &mut String) {
    out.push('[');
    for (i, x) in b.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str(&x.to_string());
    }
    out.push(']');
}

/// `json.Marshal(map.AsRaw())`: keys sorted byte-wise.
fn json_map(m: &Attributes, out: &mut String) -> Result<(), &'static str> {
    let mut entries: Vec<&(crate::capture::model::Key, AnyValue)> = m.entries().iter().collect();
    entries.sort_by(|a, b| a.0.as_str().cmp(b.0.as_str()));
    out.push('{');
    for (i, (k, v)) in entries.into_iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        json_string(k, out);
        out.push(':');
        json_value(&Value::from_any_raw(v), out)?;
    }
    out.push('}');
    Ok(())
}

fn json_slice(s: &[AnyValue], out: &mut String) -> Result<(), &'static str> {
    out.push('[');
    for (i, v) in s.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        json_value(&Value::from_any_raw(v), out)?;
    }
    out.push(']');
    Ok(())
}

impl<'a> Value<'a> {
    /// `AsRaw()` of one pdata value: like `from_any`, but empty bytes stay bytes (AsRaw keeps a
    /// non-nil empty slice).
    pub fn from_any_raw(v: &'a AnyValue) -> Value<'a> {
        match v {
            AnyValue::Bytes(b) => Value::Bytes(std::borrow::Cow::Borrowed(b)),
            other => Value::from_any(other),
        }
    }
}

/// Go's JSON string encoding with HTML escaping on (the `json.Marshal` default).
pub fn json_string(s: &str, out: &mut String) {
    crate::capture::model::pdata_string::go_json_string(s, true, out);
}

/// pdata `Value.AsString` (one implementation, in the span model).
pub fn pdata_as_string(v: &AnyValue) -> String {
    crate::capture::model::pdata_string::as_string(v)
}

/// Standard base64 with padding (how Go's JSON encodes `[]byte`).
pub fn base64_std(b: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(b)
}

/// Civil date (year, month, day) of a day count since 1970-01-01 (Howard Hinnant's algorithm).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

/// Split Unix nanoseconds into (date, h, m, s, nanos) in UTC.
pub(crate) fn split_time(t: i64) -> ((i64, u32, u32), i64, i64, i64, i64) {
    let secs = t.div_euclid(1_000_000_000);
    let nanos = t.rem_euclid(1_000_000_000);
    let days = secs.div_euclid(86_400);
    let sod = secs.rem_euclid(86_400);
    (
        civil_from_days(days),
        sod / 3600,
        sod % 3600 / 60,
        sod % 60,
        nanos,
    )
}

fn frac(nanos: i64) -> String {
    if nanos == 0 {
        return String::new();
    }
    let s = format!(".{nanos:09}");
    s.trim_end_matches('0').to_string()
}

/// `time.Time.MarshalJSON` text (RFC 3339 with trimmed nanoseconds), UTC.
pub fn rfc3339_nano(t: i64) -> String {
    let ((y, mo, d), h, mi, s, n) = split_time(t);
    format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}{}Z", frac(n))
}

/// `time.Time` `%v` (`2023-11-14 22:13:20 +0000 UTC`).
pub fn go_time_v(t: i64) -> String {
    let ((y, mo, d), h, mi, s, n) = split_time(t);
    format!(
        "{y:04}-{mo:02}-{d:02} {h:02}:{mi:02}:{s:02}{} +0000 UTC",
        frac(n)
    )
}

/// `time.Duration.String()` (`5ms`, `1m0s`, `1.5s`).
pub fn go_duration(d: i64) -> String {
    if d == 0 {
        return "0s".into();
    }
    let neg = d < 0;
    let u = d.unsigned_abs();
    let body = if u < 1_000_000_000 {
        let (unit, div) = if u < 1_000 {
            ("ns", 1)
        } else if u < 1_000_000 {
            ("µs", 1_000)
        } else {
            ("ms", 1_000_000)
        };
        format!("{}{unit}", frac_units(u, div))
    } else {
        let secs = u / 1_000_000_000;
        let rem = u % 1_000_000_000;
        let s_part = format!("{}{}s", secs % 60, frac(rem as i64));
        let mins = secs / 60;
        if mins == 0 {
            s_part
        } else if mins < 60 {
            format!("{mins}m{s_part}")
        } else {
            format!("{}h{}m{s_part}", mins / 60, mins % 60)
        }
    };
    if neg {
        format!("-{body}")
    } else {
        body
    }
}

fn frac_units(u: u64, div: u64) -> String {
    let whole = u / div;
    let rem = u % div;
    if rem == 0 {
        return whole.to_string();
    }
    let width = div.to_string().len() - 1;
    let digits = format!("{rem:0width$}");
    format!("{whole}.{}", digits.trim_end_matches('0'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn floats_print_like_go() {
        assert_eq!(go_float_v(200.0), "200");
        assert_eq!(go_float_v(1e21), "1e+21");
        assert_eq!(go_float_v(1e-5), "1e-05");
        assert_eq!(json_float(1e21), "1e+21");
        assert_eq!(json_float(1e-7), "1e-7");
        assert_eq!(json_float(2.5), "2.5");
    }

    #[test]
    fn times_and_durations_print_like_go() {
        assert_eq!(
            rfc3339_nano(1_700_000_000_000_000_000),
            "2023-11-14T22:13:20Z"
        );
        assert_eq!(go_duration(5_000_000), "5ms");
        assert_eq!(go_duration(60_000_000_000), "1m0s");
        assert_eq!(go_duration(1_500_000_000), "1.5s");
        assert_eq!(go_duration(3_600_000_000_000), "1h0m0s");
    }

    #[test]
    fn json_escapes_html_and_base64_bytes() {
        let mut out = String::new();
        json_string("<&>", &mut out);
        assert_eq!(out, r#""\u003c\u0026\u003e""#);
        assert_eq!(base64_std(&[1, 2, 3]), "AQID");
        assert_eq!(base64_std(&[1]), "AQ==");
    }
}
