//! Run-time values of the evaluator.
//!
//! Upstream passes Go `any` values around; the Go *type* matters as much as the value (a
//! `pcommon.Map` and a `map[string]any`, a `pcommon.Slice` and a `[]any` behave differently in
//! comparisons and indexing). Each variant here stands for exactly one Go type so those rules can
//! be followed to the letter. Values borrow from the span and from the compiled condition
//! (`Cow::Borrowed`) so comparing an attribute with a literal never allocates.

use std::borrow::Cow;

use crate::capture::model::{AnyValue, Attributes};

/// One OTTL run-time value; the doc of each variant names the Go type it stands for.
#[derive(Debug, Clone, PartialEq)]
pub enum Value<'a> {
    /// Go `nil` (also an Empty `pcommon.Value` and an empty Bytes value read from a path).
    Nil,
    /// `bool`
    Bool(bool),
    /// `int64`
    Int(i64),
    /// `float64`
    Float(f64),
    /// `string`
    Str(Cow<'a, str>),
    /// `[]byte`
    Bytes(Cow<'a, [u8]>),
    /// `pcommon.Map` (attributes, map literals, ParseJSON results).
    Map(Cow<'a, Attributes>),
    /// `pcommon.Slice` (slice attributes).
    Slice(Cow<'a, [AnyValue]>),
    /// `[]any` (list literals).
    List(Vec<Value<'a>>),
    /// `[]string` (Split results).
    StrList(Vec<String>),
    /// `pcommon.TraceID`
    TraceId([u8; 16]),
    /// `pcommon.SpanID`
    SpanId([u8; 8]),
    /// `pprofile.ProfileID` (the `ProfileID` converter; no span field holds one)
    ProfileId([u8; 16]),
    /// `time.Time`, as Unix nanoseconds (UTC).
    Time(i64),
    /// `time.Duration`, nanoseconds.
    Duration(i64),
    /// A value of another Go type that conditions can only pass around (`ptrace.Status`, the
    /// events or links slice). The string is its Go `%T` name.
    Opaque(&'static str),
    /// A span's events or links slice (`ptrace.SpanEventSlice`, `ptrace.SpanLinkSlice`): only
    /// its Go type name and length are observable from a condition (`Len(span.events)`).
    Seq(&'static str, usize),
}

impl<'a> Value<'a> {
    /// The Go `%T` spelling of the value's type, as upstream error texts print it.
    pub fn go_type(&self) -> &'static str {
        match self {
            Value::Nil => "<nil>",
            Value::Bool(_) => "bool",
            Value::Int(_) => "int64",
            Value::Float(_) => "float64",
            Value::Str(_) => "string",
            Value::Bytes(_) => "[]uint8",
            Value::Map(_) => "pcommon.Map",
            Value::Slice(_) => "pcommon.Slice",
            Value::List(_) => "[]interface {}",
            Value::StrList(_) => "[]string",
            Value::TraceId(_) => "pcommon.TraceID",
            Value::SpanId(_) => "pcommon.SpanID",
            Value::ProfileId(_) => "pprofile.ProfileID",
            Value::Time(_) => "time.Time",
            Value::Duration(_) => "time.Duration",
            Value::Opaque(t) | Value::Seq(t, _) => t,
        }
    }

    /// Borrow an owned value (e.g. a constant of the compiled tree) without copying strings.
    pub fn reborrow(&self) -> Value<'_> {
        match self {
            Value::Str(s) => Value::Str(Cow::Borrowed(s.as_ref())),
            Value::Bytes(b) => Value::Bytes(Cow::Borrowed(b.as_ref())),
            Value::Map(m) => Value::Map(Cow::Borrowed(m.as_ref())),
            Value::Slice(s) => Value::Slice(Cow::Borrowed(s.as_ref())),
            Value::List(l) => Value::List(l.iter().map(Value::reborrow).collect()),
            Value::StrList(l) => Value::StrList(l.clone()),
            Value::Nil => Value::Nil,
            Value::Bool(b) => Value::Bool(*b),
            Value::Int(i) => Value::Int(*i),
            Value::Float(f) => Value::Float(*f),
            Value::TraceId(t) => Value::TraceId(*t),
            Value::SpanId(s) => Value::SpanId(*s),
            Value::ProfileId(p) => Value::ProfileId(*p),
            Value::Time(t) => Value::Time(*t),
            Value::Duration(d) => Value::Duration(*d),
            Value::Opaque(t) => Value::Opaque(t),
            Value::Seq(t, n) => Value::Seq(t, *n),
        }
    }

    /// Detach from any borrow (used for compile-time constants).
    pub fn into_owned(self) -> Value<'static> {
        match self {
            Value::Str(s) => Value::Str(Cow::Owned(s.into_owned())),
            Value::Bytes(b) => Value::Bytes(Cow::Owned(b.into_owned())),
            Value::Map(m) => Value::Map(Cow::Owned(m.into_owned())),
            Value::Slice(s) => Value::Slice(Cow::Owned(s.into_owned())),
            Value::List(l) => Value::List(l.into_iter().map(Value::into_owned).collect()),
            Value::StrList(l) => Value::StrList(l),
            Value::Nil => Value::Nil,
            Value::Bool(b) => Value::Bool(b),
            Value::Int(i) => Value::Int(i),
            Value::Float(f) => Value::Float(f),
            Value::TraceId(t) => Value::TraceId(t),
            Value::SpanId(s) => Value::SpanId(s),
            Value::ProfileId(p) => Value::ProfileId(p),
            Value::Time(t) => Value::Time(t),
            Value::Duration(d) => Value::Duration(d),
            Value::Opaque(t) => Value::Opaque(t),
            Value::Seq(t, n) => Value::Seq(t, n),
        }
    }

    /// Unwrap a pdata value as upstream's `GetValue` does: Empty and empty Bytes read as nil.
    pub fn from_any(v: &'a AnyValue) -> Value<'a> {
        match v {
            AnyValue::Empty => Value::Nil,
            AnyValue::Str(s) => Value::Str(Cow::Borrowed(s)),
            AnyValue::Bool(b) => Value::Bool(*b),
            AnyValue::Int(i) => Value::Int(*i),
            AnyValue::Double(d) => Value::Float(*d),
            AnyValue::Bytes(b) if b.is_empty() => Value::Nil,
            AnyValue::Bytes(b) => Value::Bytes(Cow::Borrowed(b)),
            AnyValue::Slice(s) => Value::Slice(Cow::Borrowed(s)),
            AnyValue::Map(m) => Value::Map(Cow::Borrowed(m)),
        }
    }

    /// Store a raw value into pdata as `pcommon.Value.FromRaw` does (map literals are built this
    /// way). Types pdata cannot hold are an error, with upstream's text.
    pub fn to_any(&self) -> Result<AnyValue, String> {
        Ok(match self {
            Value::Nil => AnyValue::Empty,
            Value::Bool(b) => AnyValue::Bool(*b),
            Value::Int(i) => AnyValue::Int(*i),
            Value::Float(f) => AnyValue::Double(*f),
            Value::Str(s) => AnyValue::Str(s.as_ref().into()),
            Value::Bytes(b) => AnyValue::Bytes(b.to_vec()),
            Value::Map(m) => AnyValue::Map(m.as_ref().clone()),
            Value::Slice(s) => AnyValue::Slice(s.to_vec()),
            Value::List(l) => {
                AnyValue::Slice(l.iter().map(Value::to_any).collect::<Result<_, _>>()?)
            }
            Value::StrList(l) => {
                AnyValue::Slice(l.iter().map(|s| AnyValue::Str(s.as_str().into())).collect())
            }
            other => return Err(format!("<Invalid value type {}>", other.go_type())),
        })
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::Str(s) => Some(s),
            _ => None,
        }
    }

    pub fn is_nil(&self) -> bool {
        matches!(self, Value::Nil)
    }
}

impl From<&str> for Value<'static> {
    fn from(s: &str) -> Self {
        Value::Str(Cow::Owned(s.to_string()))
    }
}
