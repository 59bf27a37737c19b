//! Parsers: `ParseJSON`, `ParseKeyValue`, `ExtractPatterns`, `URL`, `ParseInt`.
//!
//! | Converter | Parameters | Result |
//! |---|---|---|
//! | `ParseJSON(target)` | StringGetter | object → map, array → slice; every number is a float64 (Go `encoding/json`); other top-level values are an error |
//! | `ParseKeyValue(target, delimiter?, pair_delimiter?)` | StringGetter, literal strings (`=`, ` `) | map of trimmed string values; quotes group, a pair without delimiter is an error |
//! | `ExtractPatterns(target, pattern)` | StringGetter ×2 | map of the named groups of the first match (empty map when none) |
//! | `URL(target)` | StringGetter | semconv map: `url.original`, `url.domain`, `url.scheme`, `url.path`, `url.port`, `url.query`, `url.fragment`, `url.extension`, user info |
//! | `ParseInt(target, base)` | StringGetter, IntGetter | Go `strconv.ParseInt(target, base, 64)` |
//!
//! Map key order: upstream fills these maps from Go maps, whose iteration order is random;
//! otelcheck keeps the order of the input, which is one of the orders upstream can produce.

use std::borrow::Cow;

use super::{arg, to_int, to_str, Build, Converter, Spec};
use crate::capture::model::{AnyValue, Attributes};
use crate::ottl::runtime::compile::Expr;
use crate::ottl::runtime::editors::Pattern;
use crate::ottl::runtime::eval::{eval_value, EvalItem};
use crate::ottl::runtime::value::Value;

type R<T> = Result<T, String>;

pub const SPECS: &[Spec] = &[
    Spec {
        name: "ParseJSON",
        build: Build::Simple(|mut a| parse_json(&to_str(arg(&mut a, 0))?)),
    },
    Spec {
        name: "ParseKeyValue",
        build: Build::Custom(build_parse_key_value),
    },
    Spec {
        name: "ExtractPatterns",
        build: Build::Custom(build_extract_patterns),
    },
    Spec {
        name: "URL",
        build: Build::Simple(|mut a| {
            let s = to_str(arg(&mut a, 0))?;
            if s.is_empty() {
                return Err("url cannot be empty".into());
            }
            parse_url(&s).map(|m| Value::Map(Cow::Owned(m)))
        }),
    },
    Spec {
        name: "ParseSeverity",
        build: Build::Custom(build_parse_severity),
    },
    Spec {
        name: "ParseInt",
        build: Build::Simple(|mut a| {
            let s = to_str(arg(&mut a, 0))?.into_owned();
            let base = to_int(arg(&mut a, 1))?;
            parse_int(&s, base).map(Value::Int)
        }),
    },
];

fn owned_map(m: Attributes) -> Value<'static> {
    Value::Map(Cow::Owned(m))
}

fn parse_json(s: &str) -> R<Value<'static>> {
    let v: serde_json::Value = serde_json::from_str(s).map_err(|e| e.to_string())?;
    match v {
        serde_json::Value::Object(_) | serde_json::Value::Array(_) => match json_any(v) {
            AnyValue::Map(m) => Ok(owned_map(m)),
            AnyValue::Slice(s) => Ok(Value::Slice(Cow::Owned(s))),
            _ => Err("internal: JSON container lost".into()),
        },
        other => Err(format!(
            "could not convert parsed value of type {} to JSON object",
            match other {
                serde_json::Value::Null => "<nil>",
                serde_json::Value::Bool(_) => "bool",
                serde_json::Value::Number(_) => "float64",
                _ => "string",
            }
        )),
    }
}

/// `pcommon` `FromRaw` of what Go's `json.Unmarshal` into `any` gives.
fn json_any(v: serde_json::Value) -> AnyValue {
    match v {
        serde_json::Value::Null => AnyValue::Empty,
        serde_json::Value::Bool(b) => AnyValue::Bool(b),
        serde_json::Value::Number(n) => AnyValue::Double(n.as_f64().unwrap_or(f64::NAN)),
        serde_json::Value::String(s) => AnyValue::Str(s.as_str().into()),
        serde_json::Value::Array(items) => {
            AnyValue::Slice(items.into_iter().map(json_any).collect())
        }
        serde_json::Value::Object(m) => {
            let mut out = Attributes::with_capacity(m.len());
            for (k, v) in m {
                out.upsert(k.as_str(), json_any(v));
            }
            AnyValue::Map(out)
        }
    }
}

#[derive(Debug)]
struct ParseKeyValue {
    target: Expr,
    delimiter: String,
    pair_delimiter: String,
}

fn literal_or(e: Option<Expr>, default: &str, what: &str) -> R<String> {
    match e {
        None => Ok(default.to_string()),
        Some(Expr::Const(Value::Str(s))) if s.is_empty() => {
            Err(format!("{what} cannot be set to an empty string"))
        }
        Some(Expr::Const(Value::Str(s))) => Ok(s.into_owned()),
        Some(_) => Err(format!("{what} must be a string literal")),
    }
}

fn build_parse_key_value(mut args: Vec<Option<Expr>>) -> R<Box<dyn Converter>> {
    let mut take = |i: usize| args.get_mut(i).and_then(Option::take);
    let target = take(0).ok_or("missing target")?;
    let delimiter = literal_or(take(1), "=", "delimiter")?;
    let pair_delimiter = literal_or(take(2), " ", "pair delimiter")?;
    if pair_delimiter == delimiter {
        return Err(format!(
            "pair delimiter {pair_delimiter:?} cannot be equal to delimiter {delimiter:?}"
        ));
    }
    Ok(Box::new(ParseKeyValue {
        target,
        delimiter,
        pair_delimiter,
    }))
}

impl Converter for ParseKeyValue {
    fn call<'a>(&'a self, item: &EvalItem<'a>) -> R<Value<'a>> {
        let source = to_str(eval_value(&self.target, item)?)?;
        if source.is_empty() {
            return Err("cannot parse from empty target".into());
        }
        let pairs = split_string(&source, &self.pair_delimiter)
            .map_err(|e| format!("splitting source {source:?} into pairs failed: {e}"))?;
        let mut out = Attributes::with_capacity(pairs.len());
        let mut errors = Vec::new();
        for p in &pairs {
            match p.split_once(self.delimiter.as_str()) {
                Some((k, v)) => out.upsert(k.trim(), AnyValue::Str(v.trim().into())),
                None => errors.push(format!("cannot split {p:?} into 2 items, got 1 item(s)")),
            }
        }
        if !errors.is_empty() {
            return Err(format!(
                "failed to split pairs into key-values: {}",
                errors.join("; ")
            ));
        }
        Ok(owned_map(out))
    }
}

/// `parseutils.SplitString`: split on `delimiter` outside `"..."`/`'...'` quotes (the quotes
/// are dropped, a backslash keeps the next quote literal and is itself kept); empty pieces
/// are skipped.
fn split_string(input: &str, delimiter: &str) -> R<Vec<String>> {
    let bytes = input.as_bytes();
    let d = delimiter.as_bytes();
    let mut result = Vec::new();
    let mut current: Vec<u8> = Vec::new();
    let mut quote: u8 = 0;
    let mut escaped = false;
    let mut i = 0;
    while i < bytes.len() {
        if quote == 0 && bytes[i..].starts_with(d) {
            if !current.is_empty() {
                result.push(String::from_utf8_lossy(&current).into_owned());
                current.clear();
            }
            i += d.len();
            continue;
        }
        let b = bytes[i];
        i += 1;
        if escaped {
            escaped = false;
        } else {
            if quote == 0 && (b == b'"' || b == b'\'') {
                quote = b;
                continue;
            }
            if b == quote {
                quote = 0;
                continue;
            }
            escaped = b == b'\\';
        }
        current.push(b);
    }
    if quote != 0 {
        return Err("never reached the end of a quoted value".into());
    }
    if !current.is_empty() {
        result.push(String::from_utf8_lossy(&current).into_owned());
    }
    Ok(result)
}

#[derive(Debug)]
struct ExtractPatterns {
    target: Expr,
    pattern: Pattern,
}

fn build_extract_patterns(mut args: Vec<Option<Expr>>) -> R<Box<dyn Converter>> {
    let mut take = |i: usize| args.get_mut(i).and_then(Option::take);
    let target = take(0).ok_or("missing target")?;
    let pattern = Pattern::new("ExtractPatterns", take(1).ok_or("missing pattern")?)?;
    Ok(Box::new(ExtractPatterns { target, pattern }))
}

impl Converter for ExtractPatterns {
    fn call<'a>(&'a self, item: &EvalItem<'a>) -> R<Value<'a>> {
        let re = self.pattern.get(item)?;
        if re.capture_names().flatten().next().is_none() {
            return Err(
                "at least 1 named capture group must be supplied in the given regex".into(),
            );
        }
        let s = to_str(eval_value(&self.target, item)?)?;
        let mut out = Attributes::new();
        if let Some(caps) = re.captures(&s) {
            for (i, name) in re.capture_names().enumerate().skip(1) {
                if let Some(name) = name {
                    let v = caps.get(i).map_or("", |m| m.as_str());
                    // Go's `(?P<0>...)`-style names survive the RE2 translation renamed;
                    // report them under the name the user wrote.
                    out.upsert(
                        crate::ottl::runtime::re2::capture_name(name),
                        AnyValue::Str(v.into()),
                    );
                }
            }
        }
        Ok(owned_map(out))
    }
}

/// `strconv.ParseInt(s, base, 64)` with Go's error text.
fn parse_int(s: &str, base: i64) -> R<i64> {
    let fail = |why: &str| format!("strconv.ParseInt: parsing {s:?}: {why}");
    if base != 0 && !(2..=36).contains(&base) {
        return Err(fail(&format!("invalid base {base}")));
    }
    let (neg, body) = match s.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, s.strip_prefix('+').unwrap_or(s)),
    };
    let (radix, digits) = if base == 0 {
        let lower = body.to_ascii_lowercase();
        if lower.starts_with("0x") {
            (16, &body[2..])
        } else if lower.starts_with("0b") {
            (2, &body[2..])
        } else if lower.starts_with("0o") {
            (8, &body[2..])
        } else if body.len() > 1 && body.starts_with('0') {
            (8, &body[1..])
        } else {
            (10, body)
        }
    } else {
        (u32::try_from(base).unwrap_or(10), body)
    };
    let digits: String = if base == 0 {
        digits.replace('_', "")
    } else {
        digits.to_string()
    };
    if digits.is_empty() {
        return Err(fail("invalid syntax"));
    }
    let mag = u128::from_str_radix(&digits, radix).map_err(|_| fail("invalid syntax"))?;
    let v = if neg { -(mag as i128) } else { mag as i128 };
    i64::try_from(v).map_err(|_| fail("value out of range"))
}

/// Go's `url.Parse` for the shapes `URL` meets (`scheme://user:pw@host:port/path?query#frag`,
/// `/path?query`), mapped as `parseutils.urlToSemconvMap` does. The path is percent-decoded as
/// Go's `URL.Path` is; `url.original` is the input (Go re-serialises it, which gives the same
/// text for every URL without characters Go would re-escape).
fn parse_url(s: &str) -> R<Attributes> {
    let mut m = Attributes::new();
    let (rest, fragment) = match s.split_once('#') {
        Some((r, f)) => (r, Some(f)),
        None => (s, None),
    };
    let (scheme, rest) = split_scheme(rest);
    let (rest, query) = match rest.split_once('?') {
        Some((r, q)) => (r, Some(q)),
        None => (rest, None),
    };
    let (authority, path) = match rest.strip_prefix("//") {
        Some(r) => match r.find('/') {
            Some(i) => (Some(&r[..i]), &r[i..]),
            None => (Some(r), ""),
        },
        None => (None, rest),
    };
    let path = percent_decode(path).ok_or_else(|| format!("parse {s:?}: invalid URL escape"))?;
    m.upsert("url.original", AnyValue::Str(s.into()));
    let (userinfo, hostport) = match authority {
        Some(a) => match a.rsplit_once('@') {
            Some((u, h)) => (Some(u), h),
            None => (None, a),
        },
        None => (None, ""),
    };
    let (host, port) = split_host_port(hostport);
    m.upsert("url.domain", AnyValue::Str(host.into()));
    m.upsert("url.scheme", AnyValue::Str(scheme.into()));
    m.upsert("url.path", AnyValue::Str(path.as_str().into()));
    if let Some(p) = port.filter(|p| !p.is_empty()) {
        let n: i64 = p
            .parse()
            .map_err(|_| format!("parse {s:?}: invalid port {p:?} after host"))?;
        m.upsert("url.port", AnyValue::Int(n));
    }
    if let Some(f) = fragment.filter(|f| !f.is_empty()) {
        let f = percent_decode(f).unwrap_or_else(|| f.to_string());
        m.upsert("url.fragment", AnyValue::Str(f.as_str().into()));
    }
    if let Some(u) = userinfo {
        m.upsert("url.user_info", AnyValue::Str(u.into()));
        let (name, pw) = match u.split_once(':') {
            Some((n, p)) => (n, Some(p)),
            None => (u, None),
        };
        if !name.is_empty() {
            let name = percent_decode(name).unwrap_or_else(|| name.to_string());
            m.upsert("url.username", AnyValue::Str(name.as_str().into()));
        }
        if let Some(p) = pw {
            let p = percent_decode(p).unwrap_or_else(|| p.to_string());
            m.upsert("url.password", AnyValue::Str(p.as_str().into()));
        }
    }
    if let Some(q) = query.filter(|q| !q.is_empty()) {
        m.upsert("url.query", AnyValue::Str(q.into()));
    }
    if let Some(i) = path.rfind('.') {
        if i + 1 < path.len() {
            m.upsert("url.extension", AnyValue::Str(path[i + 1..].into()));
        }
    }
    Ok(m)
}

/// `getScheme`: letters first, then letters, digits, `+`, `-`, `.`, up to a `:`.
fn split_scheme(s: &str) -> (&str, &str) {
    for (i, c) in s.char_indices() {
        match c {
            'a'..='z' | 'A'..='Z' => {}
            '0'..='9' | '+' | '-' | '.' if i > 0 => {}
            ':' if i > 0 => return (&s[..i], &s[i + 1..]),
            _ => return ("", s),
        }
    }
    ("", s)
}

/// `Hostname()` / `Port()`: brackets around IPv6 hosts are dropped.
fn split_host_port(h: &str) -> (&str, Option<&str>) {
    if let Some(rest) = h.strip_prefix('[') {
        if let Some((host, after)) = rest.split_once(']') {
            return (host, after.strip_prefix(':'));
        }
    }
    match h.rsplit_once(':') {
        Some((host, port)) if port.bytes().all(|b| b.is_ascii_digit()) => (host, Some(port)),
        _ => (h, None),
    }
}

fn percent_decode(s: &str) -> Option<String> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            let hex = s.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    Some(String::from_utf8_lossy(&out).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_string_keeps_quoted_delimiters() {
        assert_eq!(
            split_string(r#"a=1 b="x y" c='z'"#, " ").unwrap(),
            ["a=1", "b=x y", "c=z"]
        );
        assert!(split_string(r#"a="x"#, " ").is_err());
    }

    #[test]
    fn url_semconv_map() {
        let m = parse_url("https://u:p@example.com:8443/a/b.json?x=1#frag").unwrap();
        let get = |k| m.get(k).cloned();
        assert_eq!(get("url.domain"), Some(AnyValue::Str("example.com".into())));
        assert_eq!(get("url.port"), Some(AnyValue::Int(8443)));
        assert_eq!(get("url.path"), Some(AnyValue::Str("/a/b.json".into())));
        assert_eq!(get("url.extension"), Some(AnyValue::Str("json".into())));
        assert_eq!(get("url.query"), Some(AnyValue::Str("x=1".into())));
        assert_eq!(get("url.password"), Some(AnyValue::Str("p".into())));
        assert_eq!(get("url.fragment"), Some(AnyValue::Str("frag".into())));
    }

    #[test]
    fn parse_int_like_go() {
        assert_eq!(parse_int("0x1f", 0), Ok(31));
        assert_eq!(parse_int("-101", 2), Ok(-5));
        assert!(parse_int("9223372036854775808", 10)
            .unwrap_err()
            .contains("out of range"));
        assert!(parse_int("12", 1).unwrap_err().contains("invalid base 1"));
    }
}

/// `ParseSeverity(target, mapping)`: the level whose criteria match the value — a string
/// against `equals` lists, an int against `range` (`{"min":..,"max":..}` or `"2xx"`…`"5xx"`).
/// Upstream walks the levels in Go map order, which is random: when several levels match,
/// otelcheck answers with the first in the mapping as written, one of upstream's answers.
/// A mapping that is not a literal, or is malformed, fails every call (as upstream).
#[derive(Debug)]
pub struct ParseSeverity {
    target: Expr,
    mapping: Result<Vec<(String, Vec<Criteria>)>, String>,
}

#[derive(Debug)]
struct Criteria {
    equals: Vec<String>,
    range: Option<(i64, i64)>,
}

pub fn build_parse_severity(mut args: Vec<Option<Expr>>) -> R<Box<dyn Converter>> {
    let mut take = |i: usize| args.get_mut(i).and_then(Option::take);
    let target = take(0).ok_or("missing target")?;
    let mapping = match take(1) {
        Some(Expr::Const(Value::Map(m))) => severity_mapping(&m),
        _ => Err("severity mapping must be a literal PMap".to_string()),
    };
    Ok(Box::new(ParseSeverity { target, mapping }))
}

fn severity_mapping(m: &Attributes) -> R<Vec<(String, Vec<Criteria>)>> {
    let mut out = Vec::new();
    for (level, list) in m.iter() {
        let AnyValue::Slice(items) = list else {
            return Err("severity mapping criteria must be []any".into());
        };
        let mut crits = Vec::new();
        for it in items {
            let AnyValue::Map(c) = it else {
                return Err("severity mapping criteria items must be map[string]any".into());
            };
            crits.push(criteria(c).map_err(|e| format!("invalid severity mapping criteria: {e}"))?);
        }
        out.push((level.to_string(), crits));
    }
    Ok(out)
}

fn criteria(c: &Attributes) -> R<Criteria> {
    let mut out = Criteria {
        equals: Vec::new(),
        range: None,
    };
    if let Some(e) = c.get("equals") {
        let AnyValue::Slice(items) = e else {
            return Err("equals must be a list".into());
        };
        for i in items {
            let AnyValue::Str(s) = i else {
                return Err("equals values must be strings".into());
            };
            out.equals.push(s.to_string());
        }
    }
    if let Some(r) = c.get("range") {
        out.range = Some(match r {
            AnyValue::Map(m) => {
                let min = m.get("min").ok_or("range must have a min value")?;
                let max = m.get("max").ok_or("range must have a max value")?;
                let AnyValue::Int(min) = min else {
                    return Err("min must be an int64".into());
                };
                let AnyValue::Int(max) = max else {
                    return Err("max must be an int64".into());
                };
                (*min, *max)
            }
            AnyValue::Str(s) => match s.as_ref() {
                "2xx" => (200, 299),
                "3xx" => (300, 399),
                "4xx" => (400, 499),
                "5xx" => (500, 599),
                other => return Err(format!("unknown range placeholder: {other}")),
            },
            _ => return Err("range must be a map or a known placeholder string".into()),
        });
    }
    Ok(out)
}

impl Converter for ParseSeverity {
    fn call<'a>(&'a self, item: &EvalItem<'a>) -> R<Value<'a>> {
        let mapping = self.mapping.as_ref().map_err(Clone::clone)?;
        let v =
            eval_value(&self.target, item).map_err(|e| format!("could not get log level: {e}"))?;
        let shown = crate::ottl::runtime::format::go_v(&v);
        for (level, crits) in mapping {
            for c in crits {
                let hit = match &v {
                    Value::Str(s) => c.equals.iter().any(|e| e == s.as_ref()),
                    Value::Int(i) => c.range.is_some_and(|(lo, hi)| *i >= lo && *i <= hi),
                    other => {
                        return Err(format!(
                            "could not map log level: could not evaluate log level of value '{shown}': unsupported value type: {}",
                            other.go_type()
                        ))
                    }
                };
                if hit {
                    return Ok(Value::Str(Cow::Owned(level.clone())));
                }
            }
        }
        Err(format!(
            "could not map log level: no matching log level found for value '{shown}'"
        ))
    }
}
