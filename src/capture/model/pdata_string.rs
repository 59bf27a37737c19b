//! pdata's `Value.AsString()` (v0.156.0 `pcommon/value.go`): the one text form of a value that
//! processors and OTTL functions use when they need a string (attributes `convert`, OTTL
//! `stringify_all`, `ToKeyValueString`, ...). Maps and slices are JSON without HTML escaping.

use super::AnyValue;

/// pdata `Value.AsString()`.
pub fn as_string(v: &AnyValue) -> String {
    match v {
        AnyValue::Empty => String::new(),
        AnyValue::Str(s) => s.to_string(),
        AnyValue::Bool(b) => b.to_string(),
        AnyValue::Int(i) => i.to_string(),
        AnyValue::Double(d) => float_as_string(*d),
        AnyValue::Bytes(b) => base64_std(b),
        AnyValue::Map(_) | AnyValue::Slice(_) => {
            let mut out = String::new();
            match json_raw(v, &mut out) {
                Ok(()) => out,
                Err(NotJson) => String::new(),
            }
        }
    }
}

/// pdata `float64AsString`: plain shortest digits, exponent form below 1e-6 and from 1e21.
pub fn float_as_string(d: f64) -> String {
    if d.is_nan() {
        return "NaN".into();
    }
    if d.is_infinite() {
        return if d > 0.0 { "Infinity" } else { "-Infinity" }.into();
    }
    go_float(d)
}

/// Go's shortest float text as `encoding/json` writes it: plain digits, exponent form below
/// 1e-6 and from 1e21 on, exponent signed and not zero-padded (`1e+21`, `1e-7`).
fn go_float(d: f64) -> String {
    let abs = d.abs();
    if abs != 0.0 && !(1e-6..1e21).contains(&abs) {
        let e = format!("{d:e}");
        return match e.split_once('e') {
            Some((mant, exp)) if !exp.starts_with('-') => format!("{mant}e+{exp}"),
            _ => e,
        };
    }
    format!("{d}")
}

/// pdata's `marshalJSONNoHTMLEscape` of `AsRaw()` (a `json.Encoder` with HTML escaping off):
/// map keys sorted, bytes as base64, empty as null. A NaN or infinite double makes Go's
/// encoder fail before it writes anything: `Err`, and pdata then returns "".
fn json_raw(v: &AnyValue, out: &mut String) -> Result<(), NotJson> {
    match v {
        AnyValue::Empty => out.push_str("null"),
        AnyValue::Str(s) => json_str(s, out),
        AnyValue::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        AnyValue::Int(i) => out.push_str(&i.to_string()),
        AnyValue::Double(d) if !d.is_finite() => return Err(NotJson),
        AnyValue::Double(d) => out.push_str(&go_float(*d)),
        AnyValue::Bytes(b) => json_str(&base64_std(b), out),
        AnyValue::Slice(items) => {
            out.push('[');
            for (i, e) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                json_raw(e, out)?;
            }
            out.push(']');
        }
        AnyValue::Map(m) => {
            let mut entries: Vec<_> = m.iter().collect();
            entries.sort_by(|a, b| a.0.cmp(b.0));
            out.push('{');
            for (i, (k, e)) in entries.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                json_str(k, out);
                out.push(':');
                json_raw(e, out)?;
            }
            out.push('}');
        }
    }
    Ok(())
}

/// Go's JSON encoder refused the value (a NaN or infinite double).
struct NotJson;

fn json_str(s: &str, out: &mut String) {
    go_json_string(s, false, out);
}

/// A string as Go's `encoding/json` writes it: `<`, `>` and `&` escaped only when
/// `escape_html` (`json.Marshal`'s default; pdata's `AsString` turns it off); U+2028/U+2029
/// and control characters always.
pub fn go_json_string(s: &str, escape_html: bool, out: &mut String) {
    use std::fmt::Write;
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '<' | '>' | '&' if escape_html => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            '\u{2028}' | '\u{2029}' => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// Standard padded base64, as Go's JSON encodes `[]byte`.
fn base64_std(b: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(b)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::capture::model::{Attributes, Key};

    #[test]
    fn maps_are_json_without_html_escaping_and_specials_follow_pdata() {
        let mut m = Attributes::new();
        m.upsert(Key::of("q"), AnyValue::Str("<a&b>\u{2028}".into()));
        assert_eq!(as_string(&AnyValue::Map(m)), "{\"q\":\"<a&b>\\u2028\"}");
        assert_eq!(as_string(&AnyValue::Double(f64::NAN)), "NaN");
        assert_eq!(as_string(&AnyValue::Double(f64::INFINITY)), "Infinity");
        assert_eq!(as_string(&AnyValue::Double(f64::NEG_INFINITY)), "-Infinity");
        // Go's encoder refuses NaN inside a map or slice; pdata then returns "".
        let s = AnyValue::Slice(vec![AnyValue::Int(1), AnyValue::Double(f64::NAN)]);
        assert_eq!(as_string(&s), "");
        assert_eq!(as_string(&AnyValue::Empty), "");
        assert_eq!(as_string(&AnyValue::Bool(true)), "true");
    }
}
