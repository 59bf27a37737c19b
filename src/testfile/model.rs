//! The test-file format (spec `## test`), as serde types, and reading one file with errors
//! that point at `file:line:column`.
//!
//! ```yaml
//! config: ../otel/collector.yaml     # or a list, merged in order (as --config)
//! tests:
//!   - name: health checks are dropped
//!     capture: ../captures/a.msgpack   # and/or inline `spans:`
//!     expect:
//!       - dropped: [{name: GET /health}]
//! ```

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_saphyr::Spanned;

use crate::diag::{codes, Diagnostic, Location};

/// One value or a list of them (`config: a.yaml` or `config: [a.yaml, b.yaml]`).
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum OneOrMany {
    One(String),
    Many(Vec<String>),
}

impl OneOrMany {
    pub fn items(&self) -> Vec<String> {
        match self {
            OneOrMany::One(s) => vec![s.clone()],
            OneOrMany::Many(v) => v.clone(),
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TestFile {
    pub config: Spanned<OneOrMany>,
    pub tests: Vec<Spanned<TestCase>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TestCase {
    pub name: String,
    #[serde(default)]
    pub capture: Option<Spanned<OneOrMany>>,
    #[serde(default)]
    pub spans: Vec<SpanSpec>,
    #[serde(default)]
    pub expect: Vec<Spanned<Expect>>,
}

/// An attribute value as YAML writes it.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Bool(bool),
    Int(i64),
    Double(f64),
    Str(String),
    List(Vec<Value>),
}

/// By hand rather than `#[serde(untagged)]`, whose error for a map where a value belongs
/// ("data did not match any variant") would not say what an attribute value may be.
impl<'de> Deserialize<'de> for Value {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(ValueVisitor)
    }
}

struct ValueVisitor;

impl<'de> serde::de::Visitor<'de> for ValueVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("an attribute value: a string, number, boolean or list of them")
    }
    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::Int(v))
    }
    fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<Value, E> {
        i64::try_from(v)
            .map(Value::Int)
            .map_err(|_| E::custom(format!("{v} is larger than an OTLP int (int64)")))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        Ok(Value::Double(v))
    }
    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::Str(v.to_owned()))
    }
    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::Str(v))
    }
    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        while let Some(v) = seq.next_element()? {
            items.push(v);
        }
        Ok(Value::List(items))
    }
}

/// An inline span (an OTLP span; its resource and scope are implied).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SpanSpec {
    /// Shorthand for the resource attribute `service.name`.
    #[serde(default)]
    pub service: Option<String>,
    #[serde(default)]
    pub resource: BTreeMap<String, Value>,
    pub name: String,
    #[serde(default)]
    pub kind: Option<SpanKind>,
    #[serde(default)]
    pub status: Option<StatusCode>,
    #[serde(default)]
    pub attributes: BTreeMap<String, Value>,
    /// 32 hex digits; spans with the same id form one trace.
    #[serde(default)]
    pub trace_id: Option<String>,
    /// 16 hex digits.
    #[serde(default)]
    pub span_id: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SpanKind {
    Unspecified,
    Internal,
    Server,
    Client,
    Producer,
    Consumer,
}

impl SpanKind {
    /// The OTLP enum value.
    pub fn code(self) -> i64 {
        match self {
            SpanKind::Unspecified => 0,
            SpanKind::Internal => 1,
            SpanKind::Server => 2,
            SpanKind::Client => 3,
            SpanKind::Producer => 4,
            SpanKind::Consumer => 5,
        }
    }

    pub fn from_code(code: i64) -> Option<Self> {
        [
            SpanKind::Unspecified,
            SpanKind::Internal,
            SpanKind::Server,
            SpanKind::Client,
            SpanKind::Producer,
            SpanKind::Consumer,
        ]
        .into_iter()
        .find(|k| k.code() == code)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum StatusCode {
    Unset,
    Ok,
    Error,
}

impl StatusCode {
    pub fn code(self) -> i64 {
        match self {
            StatusCode::Unset => 0,
            StatusCode::Ok => 1,
            StatusCode::Error => 2,
        }
    }
}

/// Selects spans: every given field must hold (attributes are a subset; a `resource.`
/// prefix names a resource attribute).
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Matcher {
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub service: Option<String>,
    #[serde(default)]
    pub kind: Option<SpanKind>,
    #[serde(default)]
    pub attributes: BTreeMap<String, Value>,
}

/// `spans_out: 12` or `spans_out: {min: 1, max: 20}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(untagged)]
pub enum Count {
    Exactly(usize),
    Range {
        #[serde(default)]
        min: Option<usize>,
        #[serde(default)]
        max: Option<usize>,
    },
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AttributeCheck {
    #[serde(default)]
    pub span: Matcher,
    #[serde(default)]
    pub absent: Vec<String>,
    #[serde(default)]
    pub equals: BTreeMap<String, Value>,
}

/// A finding that must be reported: its code, and optionally part of its message.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FindingMatch {
    pub code: String,
    #[serde(default)]
    pub message: Option<String>,
}

/// Expectations about one pipeline.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Expect {
    #[serde(default)]
    pub pipeline: Option<String>,
    #[serde(default)]
    pub dropped: Vec<Matcher>,
    #[serde(default)]
    pub kept: Vec<Matcher>,
    #[serde(default)]
    pub spans_out: Option<Count>,
    #[serde(default)]
    pub exports_nothing: Option<bool>,
    #[serde(default)]
    pub attributes: Vec<AttributeCheck>,
    #[serde(default)]
    pub findings: Vec<FindingMatch>,
    #[serde(default)]
    pub no_findings: Vec<String>,
}

/// A location inside the test file from a serde-saphyr span.
pub fn location(file: &str, at: &serde_saphyr::Location) -> Location {
    Location::new(file, at.line() as u32, at.column() as u32)
}

/// Parse a test file's text; `Err` is a diagnostic at the line and column serde-saphyr names.
pub fn parse(file: &str, text: &str) -> Result<TestFile, Box<Diagnostic>> {
    // As for collector configs (go-yaml v3): only true/false are booleans, so an attribute
    // value `yes` or `on` stays the string it is in the spans.
    let mut options = serde_saphyr::Options::default();
    options.strict_booleans = true;
    serde_saphyr::from_str_with_options::<TestFile>(text, options)
        .map_err(|e| Box::new(parse_error(file, &e.to_string())))
}

fn parse_error(file: &str, message: &str) -> Diagnostic {
    let first = message.lines().next().unwrap_or(message);
    let first = first.strip_prefix("error: ").unwrap_or(first);
    let (loc, what) = split_position(first)
        .map(|(l, c, rest)| (Location::new(file, l, c), rest))
        .unwrap_or_else(|| (Location::new(file, 1, 1), first));
    Diagnostic::error(
        codes::INVALID_TEST_FILE,
        format!("invalid test file: {what}"),
    )
    .at(loc)
    .with_help(
        "a test file has `config:` (a path or a list) and `tests:`, each with `name:`, \
             `capture:` and/or `spans:`, and `expect:` (see the README, \"Test files\")",
    )
}

fn split_position(s: &str) -> Option<(u32, u32, &str)> {
    let rest = s.strip_prefix("line ")?;
    let (line, rest) = rest.split_once(" column ")?;
    let (col, what) = rest.split_once(": ")?;
    Some((line.trim().parse().ok()?, col.trim().parse().ok()?, what))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_true_and_false_are_booleans() {
        let f = parse(
            "t.yaml",
            "config: c.yaml\ntests:\n  - name: x\n    spans: [{name: a, attributes: {a: yes, b: on, c: true, d: 'no'}}]\n",
        )
        .unwrap_or_else(|d| panic!("{}", d.message));
        let attrs = &f.tests[0].value.spans[0].attributes;
        assert_eq!(attrs["a"], Value::Str("yes".to_owned()));
        assert_eq!(attrs["b"], Value::Str("on".to_owned()));
        assert_eq!(attrs["c"], Value::Bool(true));
        assert_eq!(attrs["d"], Value::Str("no".to_owned()));
    }
}
