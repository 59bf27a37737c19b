//! Literal token text → values, with upstream's conversion rules and error texts:
//! strings are un-quoted one character at a time with Go `strconv.UnquoteChar` semantics
//! (each decoded code point appended as UTF-8), ints go through `ParseInt(text, 0, 64)` (a
//! leading zero means octal), floats through `ParseFloat`, bytes through hex decoding.

/// Decode a string token (quotes included). `Err` carries upstream's message.
pub fn unquote(token: &str) -> Result<String, String> {
    let fail = || format!("invalid quoted string {}: invalid syntax", go_quote(token));
    let inner = token
        .strip_prefix('"')
        .and_then(|t| t.strip_suffix('"'))
        .ok_or_else(fail)?;
    let mut out = String::with_capacity(inner.len());
    let mut chars = inner.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        let esc = chars.next().ok_or_else(fail)?;
        let decoded = match esc {
            'a' => '\u{07}',
            'b' => '\u{08}',
            'f' => '\u{0C}',
            'n' => '\n',
            'r' => '\r',
            't' => '\t',
            'v' => '\u{0B}',
            '\\' => '\\',
            '"' => '"',
            'x' => hex_escape(&mut chars, 2).ok_or_else(fail)?,
            'u' => hex_escape(&mut chars, 4).ok_or_else(fail)?,
            'U' => hex_escape(&mut chars, 8).ok_or_else(fail)?,
            '0'..='7' => octal_escape(esc, &mut chars).ok_or_else(fail)?,
            _ => return Err(fail()),
        };
        out.push(decoded);
    }
    Ok(out)
}

fn hex_escape(chars: &mut impl Iterator<Item = char>, digits: usize) -> Option<char> {
    let mut value: u32 = 0;
    for _ in 0..digits {
        value = value * 16 + chars.next()?.to_digit(16)?;
    }
    // Surrogates and values past U+10FFFF are rejected, as UnquoteChar does.
    char::from_u32(value)
}

fn octal_escape(first: char, chars: &mut impl Iterator<Item = char>) -> Option<char> {
    let mut value = first.to_digit(8)?;
    for _ in 0..2 {
        value = value * 8 + chars.next()?.to_digit(8)?;
    }
    if value > 0o377 {
        return None;
    }
    char::from_u32(value)
}

/// Go `%q`-style quoting, for error messages that show the original token.
pub fn go_quote(text: &str) -> String {
    let mut out = String::from("\"");
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if c.is_control() => out.push_str(&format!("\\x{:02x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// `strconv.ParseInt(text, 0, 64)` on an unsigned digit run.
pub fn parse_int(text: &str) -> Result<i64, String> {
    let (digits, radix) = if text.len() > 1 && text.starts_with('0') {
        (&text[1..], 8)
    } else {
        (text, 10)
    };
    let bad = |what: &str| format!("strconv.ParseInt: parsing {}: {what}", go_quote(text));
    if digits.chars().any(|c| c.to_digit(radix).is_none()) {
        return Err(bad("invalid syntax"));
    }
    i64::from_str_radix(digits, radix).map_err(|_| bad("value out of range"))
}

/// `strconv.ParseFloat(text, 64)` on a float token.
pub fn parse_float(text: &str) -> Result<f64, String> {
    let bad = |what: &str| format!("strconv.ParseFloat: parsing {}: {what}", go_quote(text));
    let value: f64 = text.parse().map_err(|_| bad("invalid syntax"))?;
    if value.is_infinite() {
        return Err(bad("value out of range"));
    }
    Ok(value)
}

/// Decode a bytes token (`0x...`).
pub fn parse_bytes(text: &str) -> Result<Vec<u8>, String> {
    let hex_digits = text.get(2..).unwrap_or_default();
    if hex_digits.len() % 2 != 0 {
        return Err("encoding/hex: odd length hex string".to_string());
    }
    hex::decode(hex_digits).map_err(|e| format!("encoding/hex: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_follow_unquote_char() {
        assert_eq!(unquote(r#""a\\db""#).as_deref(), Ok("a\\db"));
        assert_eq!(unquote(r#""\x41\x7a""#).as_deref(), Ok("Az"));
        assert_eq!(unquote(r#""\101\060""#).as_deref(), Ok("A0"));
        assert_eq!(unquote(r#""\xff""#).map(|s| s.len()), Ok(2));
        assert_eq!(unquote(r#""\U0001F600""#).as_deref(), Ok("😀"));
        // Followed by `g`, not a hex digit: `"a\x4b"` would be the valid escape `\x4b` ("K").
        for bad in [
            r"\d", r"\w", r"\.", r"\/", r"\'", r"\0", r"\x4", r"\400", r"\ud800", r"\ ",
        ] {
            let token = format!("\"a{bad}g\"");
            assert!(unquote(&token).is_err(), "{token} should fail");
        }
        assert_eq!(unquote(r#""a\x4b""#).as_deref(), Ok("aK"));
        assert_eq!(unquote("\"a\nb\"").as_deref(), Ok("a\nb"));
    }

    #[test]
    fn numbers_follow_go() {
        assert_eq!(parse_int("010"), Ok(8));
        assert_eq!(parse_int("007"), Ok(7));
        assert_eq!(parse_int("0200"), Ok(128));
        assert!(parse_int("08").is_err());
        assert!(parse_int("9223372036854775808")
            .unwrap_err()
            .contains("out of range"));
        assert_eq!(parse_float("3."), Ok(3.0));
        assert_eq!(parse_float(".5"), Ok(0.5));
        assert_eq!(parse_float("1.e3"), Ok(1000.0));
        assert_eq!(parse_float(".5E-2"), Ok(0.005));
        assert!(parse_float("1.0e400").is_err());
        assert_eq!(parse_bytes("0x1F"), Ok(vec![0x1f]));
        assert!(parse_bytes("0x1").unwrap_err().contains("odd length"));
    }
}
