//! The sign of a number as Go's `strconv.ParseFloat(s, 64)` reads it, for the
//! `sampling.priority` attribute the datadog receiver writes as a string (`"1.000000"`).
//! Go accepts more than Rust's `f64::from_str`: hex floats (`0x1p-2`) and digit-separating
//! underscores (`1_000`); it refuses an out-of-range value (`1e400`), where Rust says infinity.

/// What a parsed value means to the sampler.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sign {
    Zero,
    Positive,
    Negative,
    /// NaN: neither zero, positive nor negative.
    NaN,
}

/// `None` when Go's `ParseFloat` returns an error.
pub fn parse_sign(text: &str) -> Option<Sign> {
    let (negative, body) = match text.as_bytes().first() {
        Some(b'+') => (false, &text[1..]),
        Some(b'-') => (true, &text[1..]),
        _ => (false, text),
    };
    let lower = body.to_ascii_lowercase();
    let value = if lower == "inf" || lower == "infinity" {
        f64::INFINITY
    } else if lower == "nan" {
        return Some(Sign::NaN);
    } else if let Some(hex) = lower.strip_prefix("0x") {
        hex_float(hex)?
    } else {
        decimal(&lower)?
    };
    Some(if value == 0.0 {
        Sign::Zero
    } else if negative {
        Sign::Negative
    } else {
        Sign::Positive
    })
}

/// Underscores only between digits (Go's `underscoreOK`, base prefix handled by the caller).
fn underscores_ok(body: &str, digit: fn(u8) -> bool, after_prefix: bool) -> bool {
    let b = body.as_bytes();
    b.iter().enumerate().all(|(i, &c)| {
        if c != b'_' {
            return true;
        }
        let before = if i == 0 {
            after_prefix
        } else {
            digit(b[i - 1])
        };
        before && b.get(i + 1).is_some_and(|&n| digit(n))
    })
}

fn decimal(body: &str) -> Option<f64> {
    let ok_chars = body
        .bytes()
        .all(|c| c.is_ascii_digit() || matches!(c, b'.' | b'e' | b'+' | b'-' | b'_'));
    if body.is_empty() || !ok_chars || !underscores_ok(body, |c| c.is_ascii_digit(), false) {
        return None;
    }
    let cleaned: String = body.chars().filter(|&c| c != '_').collect();
    if cleaned.starts_with(['+', '-']) {
        return None; // a second sign
    }
    let v: f64 = cleaned.parse().ok()?;
    // Go reports overflow as an error; Rust returns infinity.
    v.is_finite().then_some(v)
}

/// A hex float after `0x`: hex mantissa (optional point), then a mandatory `p` exponent.
fn hex_float(body: &str) -> Option<f64> {
    if !underscores_ok(body, |c| c.is_ascii_hexdigit(), true) {
        return None;
    }
    let cleaned: String = body.chars().filter(|&c| c != '_').collect();
    let (mantissa, exp) = cleaned.split_once('p')?;
    let exp: i32 = exp.parse().ok()?;
    let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
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
    let v = v * 2f64.powi(exp);
    v.is_finite().then_some(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn processors_md_5_6_table() {
        for s in ["0.000000", "-0", "0", "0x0p0"] {
            assert_eq!(parse_sign(s), Some(Sign::Zero), "{s}");
        }
        for s in [
            "1",
            "1.000000",
            "1e3",
            "Inf",
            "1_000",
            "0x1p-2",
            "+infinity",
        ] {
            assert_eq!(parse_sign(s), Some(Sign::Positive), "{s}");
        }
        assert_eq!(parse_sign("-1.000000"), Some(Sign::Negative));
        assert_eq!(parse_sign("NaN"), Some(Sign::NaN));
        for s in [
            "abc", "", " 1", "1_", "_1", "1__0", "1e400", "0x1", "--1", "1 ",
        ] {
            assert_eq!(parse_sign(s), None, "{s}");
        }
    }
}
