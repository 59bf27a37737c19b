//! `ExtractGrokPatterns(target, pattern, named_captures_only?, pattern_definitions?)`, as
//! upstream v0.156.0 runs it with github.com/elastic/go-grok v0.3.1:
//!
//! - `%{NAME}`, `%{NAME:field}` and `%{NAME:field:type}` are expanded (up to 1000 passes,
//!   each replacing every reference found) into `(?P<field>...)` groups, or plain groups for
//!   a bare `%{NAME}` when only named captures are wanted; names are looked up in the
//!   `pattern_definitions` (`NAME=definition`, later ones win), then in go-grok's own sets
//!   (`grok_patterns.rs`);
//! - the expansion is compiled as Go RE2 (`re2.rs`); groups get unique names first, since Go
//!   allows a name twice and the `regex` crate does not;
//! - the first match gives a map from each non-empty named group to its text (a later group
//!   of the same name overwrites an earlier one; `___` in a name reads back as `.`), typed by
//!   its hint: `int`/`long` (Go `strconv.Atoi`), `float`/`double` (`ParseFloat`),
//!   `bool`/`boolean` (`ParseBool`), `string`; a text that does not convert fails the call.

use std::borrow::Cow;

use regex::Regex;

use super::grok_patterns::PATTERNS;
use super::{to_str, Build, Converter, Spec};
use crate::capture::model::{AnyValue, Attributes};
use crate::ottl::runtime::compile::Expr;
use crate::ottl::runtime::eval::{eval_value, EvalItem};
use crate::ottl::runtime::value::Value;

type R<T> = Result<T, String>;

pub const SPECS: &[Spec] = &[Spec {
    name: "ExtractGrokPatterns",
    build: Build::Custom(build_grok),
}];

/// go-grok's `dotSep`: a `.` in a field name inside the regex.
const DOT_SEP: &str = "___";

/// A compiled grok expression.
#[derive(Debug)]
struct Compiled {
    re: Regex,
    /// The name of each capture group as Go sees it (index = group number; `None` unnamed).
    names: Vec<Option<String>>,
    /// Type hints by (Go) group name.
    hints: Vec<(String, String)>,
}

#[derive(Debug)]
struct Grok {
    target: Expr,
    /// The pattern compiled at build time when it is a literal, else its expression.
    pattern: Result<Compiled, Expr>,
    named_only: bool,
    definitions: Vec<(String, String)>,
}

/// Go `%q` of a string (the printable text patterns hold).
pub(crate) fn go_quote(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\x{:02x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn literal_strings(e: Option<Expr>) -> R<Vec<String>> {
    let strs = |items: Vec<Value>| -> R<Vec<String>> {
        items
            .into_iter()
            .map(|v| match v {
                Value::Str(s) => Ok(s.into_owned()),
                _ => Err("pattern definitions must be string literals".to_string()),
            })
            .collect()
    };
    match e {
        None => Ok(Vec::new()),
        Some(Expr::Const(Value::List(items))) => strs(items),
        Some(Expr::Const(Value::StrList(items))) => Ok(items),
        Some(Expr::List(items)) => items
            .into_iter()
            .map(|e| match e {
                Expr::Const(Value::Str(s)) => Ok(s.into_owned()),
                _ => Err("pattern definitions must be string literals".to_string()),
            })
            .collect(),
        Some(_) => Err("pattern definitions must be a list of string literals".into()),
    }
}

fn build_grok(mut args: Vec<Option<Expr>>) -> R<Box<dyn Converter>> {
    let mut take = |i: usize| args.get_mut(i).and_then(Option::take);
    let target = take(0).ok_or("missing target")?;
    let pattern = take(1).ok_or("missing pattern")?;
    let named_only = matches!(take(2), Some(Expr::Const(Value::Bool(true))));
    let mut definitions: Vec<(String, String)> = Vec::new();
    for (i, d) in literal_strings(take(3))?.into_iter().enumerate() {
        let Some((name, def)) = d.split_once('=') else {
            let shown = if d.len() > 20 {
                let cut = (0..=17).rev().find(|n| d.is_char_boundary(*n)).unwrap_or(0);
                format!("{}...", &d[..cut])
            } else {
                d.clone()
            };
            return Err(format!(
                "pattern {} supplied to ExtractGrokPatterns at index {i} has incorrect format, \
                 expecting PATTERNNAME=pattern definition",
                go_quote(&shown)
            ));
        };
        if name.contains(':') {
            return Err(format!(
                "pattern ID {} should not contain ':'",
                go_quote(name)
            ));
        }
        definitions.retain(|(n, _)| n != name);
        definitions.push((name.to_string(), def.to_string()));
    }
    let pattern = match pattern {
        Expr::Const(Value::Str(p)) => {
            let c = compile(&p, named_only, &definitions)?;
            if named_only && !c.names.iter().any(Option::is_some) {
                return Err(
                    "at least 1 named capture group must be supplied in the given regex".into(),
                );
            }
            Ok(c)
        }
        other => Err(other),
    };
    Ok(Box::new(Grok {
        target,
        pattern,
        named_only,
        definitions,
    }))
}

fn lookup<'d>(name: &str, definitions: &'d [(String, String)]) -> Option<&'d str> {
    if let Some((_, d)) = definitions.iter().find(|(n, _)| n == name) {
        return Some(d);
    }
    PATTERNS
        .binary_search_by(|(n, _)| (*n).cmp(name))
        .ok()
        .map(|i| PATTERNS[i].1)
}

/// The ASCII `\w` of Go's `%{(\w+(?::[\w+.]+(?::\w+)?)?)}`.
fn reference() -> &'static Regex {
    static RE: std::sync::OnceLock<Regex> = std::sync::OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(r"%\{([0-9A-Za-z_]+(?::[0-9A-Za-z_+.]+(?::[0-9A-Za-z_]+)?)?)\}")
            .unwrap_or_else(|_| unreachable!("a fixed pattern"))
    })
}

/// An expansion this large is a pattern that references itself.
const MAX_EXPANSION: usize = 1 << 20;

/// go-grok `expand`: the RE2 pattern and its type hints.
fn expand(
    pattern: &str,
    named_only: bool,
    definitions: &[(String, String)],
) -> R<(String, Vec<(String, String)>)> {
    let mut hints: Vec<(String, String)> = Vec::new();
    let mut expanded = pattern.to_string();
    for _ in 0..1000 {
        let refs: Vec<(String, String)> = reference()
            .captures_iter(&expanded)
            .map(|c| (c[0].to_string(), c[1].to_string()))
            .collect();
        if refs.is_empty() {
            break;
        }
        for (whole, inner) in refs {
            let parts: Vec<&str> = inner.split(':').collect();
            let id = parts[0];
            let target = match parts.get(1) {
                Some(t) => t.replace('.', DOT_SEP),
                None => id.to_string(),
            };
            if let Some(hint) = parts.get(2) {
                hints.retain(|(n, _)| *n != target);
                hints.push((target.clone(), (*hint).to_string()));
            }
            let Some(known) = lookup(id, definitions) else {
                return Err(format!(
                    "pattern definition {} unknown: parsing failed",
                    go_quote(id)
                ));
            };
            let replacement = if named_only && parts.len() == 1 {
                format!("({known})")
            } else {
                format!("(?P<{target}>{known})")
            };
            expanded = expanded.replace(&whole, &replacement);
            if expanded.len() > MAX_EXPANSION {
                return Err(format!(
                    "otelcheck cannot expand the grok pattern {}: it grows past {MAX_EXPANSION} \
                     bytes (a definition that refers to itself?)",
                    go_quote(pattern)
                ));
            }
        }
    }
    Ok((expanded, hints))
}

/// The length of a Go repetition `{n}`, `{n,}` or `{n,m}` at the start of `s`.
fn repetition_len(s: &str) -> Option<usize> {
    let b = s.as_bytes();
    let digits = |from: usize| b[from..].iter().take_while(|c| c.is_ascii_digit()).count();
    let mut i = 1;
    let n = digits(i);
    if n == 0 {
        return None;
    }
    i += n;
    if b.get(i) == Some(&b',') {
        i += 1;
        i += digits(i);
    }
    (b.get(i) == Some(&b'}')).then_some(i + 1)
}

/// Give every named group a unique name (`g0`, `g1`, ...) and return the Go names in group
/// order, and escape the braces Go reads as literals; escapes and bracketed classes are
/// copied as they are.
fn rename_groups(p: &str) -> (String, Vec<String>) {
    let mut out = String::with_capacity(p.len());
    let mut names = Vec::new();
    let b = p.as_bytes();
    let mut i = 0;
    let mut in_class = false;
    while i < b.len() {
        let c = b[i];
        if c == b'\\' {
            let n = p[i + 1..].chars().next().map_or(0, char::len_utf8);
            let mut end = i + 1 + n;
            // `\p{Greek}`, `\x{263a}`: the braces belong to the escape.
            if matches!(b.get(i + 1), Some(b'p' | b'P' | b'x')) && b.get(end) == Some(&b'{') {
                if let Some(close) = p[end..].find('}') {
                    end += close + 1;
                }
            }
            out.push_str(&p[i..end]);
            i = end;
            continue;
        }
        if in_class {
            if c == b']' {
                in_class = false;
            }
        } else if c == b'[' {
            in_class = true;
            // A `]` first in the class is literal.
            let mut j = i + 1;
            if b.get(j) == Some(&b'^') {
                j += 1;
            }
            if b.get(j) == Some(&b']') {
                out.push_str(&p[i..=j]);
                i = j + 1;
                continue;
            }
        } else if c == b'{' {
            // Go reads `{` as a repetition only in `{n}`, `{n,}`, `{n,m}`; otherwise it is a
            // literal, which the `regex` crate wants escaped.
            match repetition_len(&p[i..]) {
                Some(n) => {
                    out.push_str(&p[i..i + n]);
                    i += n;
                }
                None => {
                    out.push_str("\\{");
                    i += 1;
                }
            }
            continue;
        } else if c == b'}' {
            out.push_str("\\}");
            i += 1;
            continue;
        } else if c == b'(' {
            let opener = if p[i..].starts_with("(?P<") {
                4
            } else if p[i..].starts_with("(?<")
                && !p[i..].starts_with("(?<=")
                && !p[i..].starts_with("(?<!")
            {
                3
            } else {
                0
            };
            if opener > 0 {
                if let Some(end) = p[i + opener..].find('>') {
                    names.push(p[i + opener..i + opener + end].to_string());
                    out.push_str(&format!("(?P<g{}>", names.len() - 1));
                    i += opener + end + 1;
                    continue;
                }
            }
        }
        let n = p[i..].chars().next().map_or(1, char::len_utf8);
        out.push_str(&p[i..i + n]);
        i += n;
    }
    (out, names)
}

fn compile(pattern: &str, named_only: bool, definitions: &[(String, String)]) -> R<Compiled> {
    let invalid = |e: String| {
        format!(
            "the regex pattern supplied to ExtractGrokPatterns '{}' is not a valid pattern: {e}",
            go_quote(pattern)
        )
    };
    let (expanded, hints) = expand(pattern, named_only, definitions).map_err(invalid)?;
    let (renamed, go_names) = rename_groups(&expanded);
    let re = match crate::ottl::runtime::re2::compile(&renamed) {
        Ok(re) => re,
        // Go's message names the pattern as expanded, not the renamed one.
        Err(e) => return Err(invalid(e.replace(&renamed, &expanded))),
    };
    let names = re
        .capture_names()
        .map(|n| {
            n.and_then(|n| n.strip_prefix('g'))
                .and_then(|k| k.parse::<usize>().ok())
                .and_then(|k| go_names.get(k).cloned())
        })
        .collect();
    Ok(Compiled { re, names, hints })
}

/// Go `strconv.ParseBool`.
fn parse_bool(s: &str) -> R<bool> {
    match s {
        "1" | "t" | "T" | "TRUE" | "true" | "True" => Ok(true),
        "0" | "f" | "F" | "FALSE" | "false" | "False" => Ok(false),
        _ => Err(format!(
            "strconv.ParseBool: parsing {}: invalid syntax",
            go_quote(s)
        )),
    }
}

/// Go `strconv.Atoi` (64-bit).
fn atoi(s: &str) -> R<i64> {
    let digits = s.strip_prefix(['+', '-']).unwrap_or(s);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!(
            "strconv.Atoi: parsing {}: invalid syntax",
            go_quote(s)
        ));
    }
    s.parse::<i64>()
        .map_err(|_| format!("strconv.Atoi: parsing {}: value out of range", go_quote(s)))
}

/// Go `strconv.ParseFloat(s, 64)` for decimal text (what grok's number patterns match);
/// hexadecimal floats and underscores are refused as not emulated.
fn parse_float(s: &str) -> R<f64> {
    let bad = || {
        format!(
            "strconv.ParseFloat: parsing {}: invalid syntax",
            go_quote(s)
        )
    };
    let body = s.strip_prefix(['+', '-']).unwrap_or(s);
    let lower = body.to_ascii_lowercase();
    if lower.starts_with("0x") || body.contains('_') {
        return Err(format!(
            "otelcheck cannot convert {} to a float yet (Go's hexadecimal and underscore forms)",
            go_quote(s)
        ));
    }
    let word = matches!(lower.as_str(), "inf" | "infinity" | "nan");
    let numeric = !body.is_empty()
        && body
            .bytes()
            .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'e' | b'E' | b'+' | b'-'));
    if !word && !numeric {
        return Err(bad());
    }
    let v: f64 = s.parse().map_err(|_| bad())?;
    if v.is_infinite() && !word {
        return Err(format!(
            "strconv.ParseFloat: parsing {}: value out of range",
            go_quote(s)
        ));
    }
    Ok(v)
}

fn convert(text: &str, hint: Option<&str>, name: &str) -> R<AnyValue> {
    Ok(match hint {
        None | Some("string") => AnyValue::Str(text.into()),
        Some("double" | "float") => AnyValue::Double(parse_float(text)?),
        Some("int" | "long") => AnyValue::Int(atoi(text)?),
        Some("bool" | "boolean") => AnyValue::Bool(parse_bool(text)?),
        Some(_) => return Err(format!("invalid type for {name}: type not specified")),
    })
}

impl Compiled {
    fn parse(&self, text: &str) -> R<Attributes> {
        let mut out = Attributes::new();
        let Some(caps) = self.re.captures(text) else {
            return Ok(out);
        };
        for (i, name) in self.names.iter().enumerate() {
            let Some(name) = name else { continue };
            let Some(m) = caps.get(i).filter(|m| !m.as_str().is_empty()) else {
                continue;
            };
            let hint = self
                .hints
                .iter()
                .find(|(n, _)| n == name)
                .map(|(_, h)| h.as_str());
            let v = convert(m.as_str(), hint, name)?;
            out.upsert(name.replace(DOT_SEP, ".").as_str(), v);
        }
        Ok(out)
    }
}

impl Converter for Grok {
    fn call<'a>(&'a self, item: &EvalItem<'a>) -> R<Value<'a>> {
        let runtime;
        let compiled = match &self.pattern {
            Ok(c) => c,
            Err(e) => {
                let p = to_str(eval_value(e, item)?)?;
                runtime = compile(&p, self.named_only, &self.definitions)?;
                &runtime
            }
        };
        if self.named_only && !compiled.names.iter().any(Option::is_some) {
            return Err(
                "at least 1 named capture group must be supplied in the given regex".into(),
            );
        }
        let text = to_str(eval_value(&self.target, item)?)?;
        compiled.parse(&text).map(|m| Value::Map(Cow::Owned(m)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn run(text: &str, pattern: &str, named_only: bool, defs: &[&str]) -> R<serde_json::Value> {
        let defs: Vec<(String, String)> = defs
            .iter()
            .filter_map(|d| d.split_once('='))
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect();
        let c = compile(pattern, named_only, &defs)?;
        let m = c.parse(text)?;
        Ok(m.iter()
            .map(|(k, v)| {
                let v = match v {
                    AnyValue::Str(s) => json!(&**s),
                    AnyValue::Int(i) => json!(i),
                    AnyValue::Double(f) => json!(f),
                    AnyValue::Bool(b) => json!(b),
                    other => json!(format!("{other:?}")),
                };
                (k.to_string(), v)
            })
            .collect::<serde_json::Map<_, _>>()
            .into())
    }

    /// Upstream `Test_extractGrokPatterns_patterns` rows (upstream checks the expected keys).
    #[test]
    fn upstream_rows() {
        assert_eq!(
            run("a=b c=d", r"^a=(?P<a>\w+)\s+c=(?P<c>\w+)$", false, &[]),
            Ok(json!({"a": "b", "c": "d"}))
        );
        assert_eq!(run("a=b c=d", r"^a=(?P<a>\w+)$", false, &[]), Ok(json!({})));
        let uri = "http://user:password@example.com:80/path?query=string";
        let got = run(uri, "%{URI}", false, &[]).unwrap();
        for (k, v) in [
            ("URIPROTO", "http"),
            ("USER", "user"),
            ("URIHOST", "example.com:80"),
            ("IPORHOST", "example.com"),
            ("POSINT", "80"),
            ("URIPATH", "/path"),
            ("URIQUERY", "query=string"),
        ] {
            assert_eq!(got[k], json!(v), "{k} in {got}");
        }
        let got = run(uri, "%{ELB_URI}", true, &[]).unwrap();
        for (k, v) in [
            ("url.scheme", json!("http")),
            ("url.username", json!("user")),
            ("url.domain", json!("example.com")),
            ("url.port", json!(80)),
            ("url.path", json!("/path")),
            ("url.query", json!("query=string")),
        ] {
            assert_eq!(got[k], v, "{k} in {got}");
        }
        let got = run(
            "2024-06-18 12:34:56 UTC johndoe 12345 67890",
            "%{DATESTAMP:timestamp} %{TZ:event.timezone} %{DATA:user.name} \
             %{GREEDYDATA:postgresql.log.connection_id} %{POSINT:process.pid:int}",
            true,
            &[],
        )
        .unwrap();
        assert_eq!(
            got,
            json!({"timestamp": "24-06-18 12:34:56", "event.timezone": "UTC",
                "user.name": "johndoe", "postgresql.log.connection_id": "12345",
                "process.pid": 67890})
        );
        let got = run(
            "2024-06-18 12:34:56 otel",
            "%{MYPATTERN}",
            true,
            &[
                "MYPATTERN=%{MYDATEPATTERN:timestamp} otel",
                "MYDATEPATTERN=%{DATE}[- ]%{TIME}",
            ],
        )
        .unwrap();
        assert_eq!(got, json!({"timestamp": "24-06-18 12:34:56"}));
    }

    #[test]
    fn validation_rows() {
        let s = |v: &str| Some(Expr::Const(Value::Str(v.to_string().into())));
        let lit_list = |v: &[&str]| {
            Some(Expr::Const(Value::List(
                v.iter().map(|x| Value::Str(x.to_string().into())).collect(),
            )))
        };
        // A bad regex fails (here at build time: the pattern is a literal).
        let e = build_grok(vec![s("foobar"), s("("), None, None]).unwrap_err();
        assert!(
            e.starts_with("the regex pattern supplied to ExtractGrokPatterns '\"(\"' is not a valid pattern: error parsing regexp"),
            "{e}"
        );
        assert!(build_grok(vec![s("foobar"), s("(.*)"), None, None]).is_ok());
        assert_eq!(
            build_grok(vec![
                s("x"),
                s("%{URI}"),
                None,
                lit_list(&["PAT:TERN=invalid"])
            ])
            .unwrap_err(),
            "pattern ID \"PAT:TERN\" should not contain ':'"
        );
        assert_eq!(
            build_grok(vec![
                s("x"),
                s("%{URI}"),
                None,
                lit_list(&["a very long pattern without an equals sign"])
            ])
            .unwrap_err(),
            "pattern \"a very long patte...\" supplied to ExtractGrokPatterns at index 0 has \
             incorrect format, expecting PATTERNNAME=pattern definition"
        );
        assert!(build_grok(vec![s("x"), s("%{NOPE}"), None, None])
            .unwrap_err()
            .contains("pattern definition \"NOPE\" unknown: parsing failed"));
        assert_eq!(
            build_grok(vec![
                s("x"),
                s("(.*)"),
                Some(Expr::Const(Value::Bool(true))),
                None
            ])
            .unwrap_err(),
            "at least 1 named capture group must be supplied in the given regex"
        );
    }

    #[test]
    fn types_and_repeated_names() {
        assert_eq!(
            run(
                "1.5 true 7",
                "%{NUMBER:a:float} %{WORD:b:bool} %{INT:c:long}",
                true,
                &[]
            ),
            Ok(json!({"a": 1.5, "b": true, "c": 7}))
        );
        assert_eq!(
            run("x", "%{WORD:a:int}", true, &[]).unwrap_err(),
            "strconv.Atoi: parsing \"x\": invalid syntax"
        );
        // The same name twice (Go allows it): the later non-empty group wins.
        assert_eq!(
            run("a b", "%{WORD:w} %{WORD:w}", true, &[]),
            Ok(json!({"w": "b"}))
        );
        // Braces Go reads as literals, and escapes that carry braces.
        assert_eq!(
            run("{x} é", r"\{(?P<a>\w)\} (?P<b>\p{L})", false, &[]),
            Ok(json!({"a": "x", "b": "é"}))
        );
        assert_eq!(
            run("{x}", r"{(?P<a>\w)}", false, &[]),
            Ok(json!({"a": "x"}))
        );
    }

    /// Every named pattern expands and compiles, as with Go's regexp; CISCOFW733100 opens a
    /// `[` class (`%{DATA:[cisco...}`) that nothing closes, which Go refuses too
    /// ("missing closing ]", where otelcheck's message is the `regex` crate's).
    #[test]
    fn every_known_pattern_compiles() {
        assert!(compile("%{CISCOFW733100}", false, &[]).is_err());
        let failing: Vec<String> = PATTERNS
            .iter()
            .filter(|(name, _)| *name != "CISCOFW733100")
            .filter_map(|(name, _)| {
                compile(&format!("%{{{name}}}"), false, &[])
                    .err()
                    .map(|e| format!("{name}: {e}"))
            })
            .collect();
        assert!(failing.is_empty(), "{failing:#?}");
    }
}
