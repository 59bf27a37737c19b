//! OTLP JSON captures (read) and OTLP JSON lines (write).
//!
//! Reading is our own serde visitors rather than `opentelemetry-proto`'s serde derive, because
//! the collector's pdata reader is lenient in ways the derive is not: 64-bit integers as strings
//! or numbers, enums as numbers or names, camelCase or snake_case field names, unknown fields
//! skipped. Input is one object, or several (one per line).
//!
//! The visitors build the span model straight from `serde_json`'s parser: no `Value` tree,
//! strings borrowed from the input until the model needs them owned, attribute keys interned
//! from the borrowed text. Each message's fields are parked in slots while its object is read
//! and resolved when the object ends, in a fixed order, so the rules are those of a tree walk:
//! a camelCase field wins over its snake_case twin (a camelCase `null` hides it), a repeated
//! field keeps its last value, and of several problems in one object the one reported is the
//! first in field order, not in byte order. A semantic problem never stops the parse, so a
//! syntax error anywhere in the object is reported instead, as a tree parser would.
//! Writing lives in [`super::otlp_json_write`].

use std::borrow::Cow;
use std::fmt;
use std::marker::PhantomData;

use serde::de::{self, Deserialize, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::Value;

use super::model::{
    span_kind, status_code, AnyValue, Attributes, Batch, Event, Key, Link, Resource, ResourceSpans,
    Scope, ScopeSpans, Span, Status, Str,
};

pub use super::otlp_json_write::write_otlp_json_line;

/// A decode failure: byte offset of the object (or syntax error) and what went wrong.
pub type JsonError = (u64, String);

/// One JSON object of a capture: a traces request, or a request of another signal that a
/// collector file-exporter dump mixes in (skipped, as the collector's readers skip lines
/// without spans).
#[derive(Debug, Clone, PartialEq)]
pub enum JsonItem {
    Traces(Batch),
    /// `metrics`, `logs` or `profiles`.
    OtherSignal(&'static str),
}

/// Decode every request object in `bytes`, each with its byte offset.
pub fn decode(bytes: &[u8]) -> Result<Vec<(u64, Batch)>, JsonError> {
    let items = decode_items(bytes)?;
    let out: Vec<(u64, Batch)> = items
        .into_iter()
        .filter_map(|(o, item)| match item {
            JsonItem::Traces(b) => Some((o, b)),
            JsonItem::OtherSignal(_) => None,
        })
        .collect();
    if out.is_empty() {
        return Err((
            0,
            "expected at least one OTLP JSON traces object, found none".into(),
        ));
    }
    Ok(out)
}

/// Decode every object in `bytes` (one, or several back to back or one per line).
pub fn decode_items(bytes: &[u8]) -> Result<Vec<(u64, JsonItem)>, JsonError> {
    let mut out = Vec::new();
    let mut stream = serde_json::Deserializer::from_slice(bytes).into_iter::<TopLevel>();
    loop {
        let start = skip_ws(bytes, stream.byte_offset());
        match stream.next() {
            None => break,
            Some(Err(e)) => {
                return Err((
                    start as u64,
                    format!(
                        "expected an OTLP JSON object (line {}, column {}): {e}",
                        e.line(),
                        e.column()
                    ),
                ));
            }
            Some(Ok(TopLevel(item))) => {
                let item = item.map_err(|m| {
                    (
                        start as u64,
                        format!("in the OTLP JSON object starting here: {m}"),
                    )
                })?;
                out.push((start as u64, item));
            }
        }
    }
    Ok(out)
}

fn skip_ws(bytes: &[u8], mut pos: usize) -> usize {
    while bytes.get(pos).is_some_and(u8::is_ascii_whitespace) {
        pos += 1;
    }
    pos
}

type R<T> = Result<T, String>;

// ---------------------------------------------------------------------------------------------
// Scalars and skipping

/// One JSON value read for a scalar field: strings borrowed where the input has no escapes;
/// an array or object (never valid in a scalar field) kept as a tree for the error message.
#[derive(Debug)]
enum Scalar<'de> {
    Null,
    Bool(bool),
    I64(i64),
    U64(u64),
    F64(f64),
    Str(Cow<'de, str>),
    Tree(Value),
}

impl<'de> Deserialize<'de> for Scalar<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(ScalarVisitor)
    }
}

struct ScalarVisitor;

impl<'de> Visitor<'de> for ScalarVisitor {
    type Value = Scalar<'de>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_unit<E>(self) -> Result<Self::Value, E> {
        Ok(Scalar::Null)
    }
    fn visit_bool<E>(self, b: bool) -> Result<Self::Value, E> {
        Ok(Scalar::Bool(b))
    }
    fn visit_i64<E>(self, n: i64) -> Result<Self::Value, E> {
        Ok(Scalar::I64(n))
    }
    fn visit_u64<E>(self, n: u64) -> Result<Self::Value, E> {
        Ok(Scalar::U64(n))
    }
    fn visit_f64<E>(self, n: f64) -> Result<Self::Value, E> {
        Ok(Scalar::F64(n))
    }
    fn visit_borrowed_str<E>(self, s: &'de str) -> Result<Self::Value, E> {
        Ok(Scalar::Str(Cow::Borrowed(s)))
    }
    fn visit_str<E>(self, s: &str) -> Result<Self::Value, E> {
        Ok(Scalar::Str(Cow::Owned(s.to_owned())))
    }
    fn visit_string<E>(self, s: String) -> Result<Self::Value, E> {
        Ok(Scalar::Str(Cow::Owned(s)))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
        Value::deserialize(de::value::SeqAccessDeserializer::new(seq)).map(Scalar::Tree)
    }
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
        Value::deserialize(de::value::MapAccessDeserializer::new(map)).map(Scalar::Tree)
    }
}

impl Scalar<'_> {
    fn is_null(&self) -> bool {
        matches!(self, Scalar::Null)
    }

    fn kind(&self) -> &'static str {
        match self {
            Scalar::Null => "null",
            Scalar::Bool(_) => "a boolean",
            Scalar::I64(_) | Scalar::U64(_) | Scalar::F64(_) => "a number",
            Scalar::Str(_) => "a string",
            Scalar::Tree(v) => tree_kind(v),
        }
    }

    /// The value as compact JSON (what `serde_json::Value` displays).
    fn json(&self) -> String {
        match self {
            Scalar::Null => "null".into(),
            Scalar::Bool(b) => b.to_string(),
            Scalar::I64(n) => n.to_string(),
            Scalar::U64(n) => n.to_string(),
            Scalar::F64(n) => Value::from(*n).to_string(),
            Scalar::Str(s) => Value::from(s.as_ref()).to_string(),
            Scalar::Tree(v) => v.to_string(),
        }
    }
}

fn tree_kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// Reads and discards any JSON value, checking it exactly as a tree parser would (strings'
/// UTF-8 and escapes, numbers' range), unlike `IgnoredAny`, which skips more leniently.
struct Skip;

impl<'de> Deserialize<'de> for Skip {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(SkipVisitor)
    }
}

struct SkipVisitor;

impl<'de> Visitor<'de> for SkipVisitor {
    type Value = Skip;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_unit<E>(self) -> Result<Skip, E> {
        Ok(Skip)
    }
    fn visit_bool<E>(self, _: bool) -> Result<Skip, E> {
        Ok(Skip)
    }
    fn visit_i64<E>(self, _: i64) -> Result<Skip, E> {
        Ok(Skip)
    }
    fn visit_u64<E>(self, _: u64) -> Result<Skip, E> {
        Ok(Skip)
    }
    fn visit_f64<E>(self, _: f64) -> Result<Skip, E> {
        Ok(Skip)
    }
    fn visit_str<E>(self, _: &str) -> Result<Skip, E> {
        Ok(Skip)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Skip, A::Error> {
        while seq.next_element::<Skip>()?.is_some() {}
        Ok(Skip)
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Skip, A::Error> {
        while map.next_key::<Skip>()?.is_some() {
            map.next_value::<Skip>()?;
        }
        Ok(Skip)
    }
}

/// An object key, borrowed from the input unless it has escapes.
struct KeyText<'de>(Cow<'de, str>);

impl<'de> Deserialize<'de> for KeyText<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(KeyTextVisitor)
    }
}

struct KeyTextVisitor;

impl<'de> Visitor<'de> for KeyTextVisitor {
    type Value = KeyText<'de>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an object key")
    }
    fn visit_borrowed_str<E>(self, s: &'de str) -> Result<Self::Value, E> {
        Ok(KeyText(Cow::Borrowed(s)))
    }
    fn visit_str<E>(self, s: &str) -> Result<Self::Value, E> {
        Ok(KeyText(Cow::Owned(s.to_owned())))
    }
    fn visit_string<E>(self, s: String) -> Result<Self::Value, E> {
        Ok(KeyText(Cow::Owned(s)))
    }
}

/// A slot's value that can be JSON `null` (which reads as an absent field).
trait Nullable {
    fn null(&self) -> bool;
}

impl Nullable for Scalar<'_> {
    fn null(&self) -> bool {
        self.is_null()
    }
}

/// Message and array slots hold `None` for `null`.
impl<T> Nullable for Option<T> {
    fn null(&self) -> bool {
        self.is_none()
    }
}

/// A field under its camelCase or snake_case name (pdata accepts both): the camelCase one if
/// present (a `null` there reads as absent, whatever the snake_case one holds).
fn pick<T: Nullable>(camel: Option<T>, snake: Option<T>) -> Option<T> {
    match camel {
        Some(v) => (!v.null()).then_some(v),
        None => snake.filter(|v| !v.null()),
    }
}

/// A field with one name.
fn one<T: Nullable>(slot: Option<T>) -> Option<T> {
    slot.filter(|v| !v.null())
}

fn string(v: Option<Scalar>, name: &str) -> R<String> {
    match v {
        None => Ok(String::new()),
        Some(Scalar::Str(s)) => Ok(s.into_owned()),
        Some(other) => Err(format!("`{name}` must be a string, found {}", other.kind())),
    }
}

/// A protobuf-JSON integer: a number or a decimal string.
fn int_of(v: &Scalar, name: &str) -> R<i128> {
    let parsed = match v {
        Scalar::I64(n) => Some(i128::from(*n)),
        Scalar::U64(n) => Some(i128::from(*n)),
        Scalar::Str(s) => s.trim().parse::<i128>().ok(),
        _ => None,
    };
    parsed.ok_or_else(|| {
        format!(
            "`{name}` must be an integer (number or decimal string), found {}",
            v.json()
        )
    })
}

fn uint<T: TryFrom<i128>>(v: Option<Scalar>, name: &str) -> R<T> {
    let Some(v) = v else {
        return T::try_from(0).map_err(|_| String::new());
    };
    let n = int_of(&v, name)?;
    T::try_from(n).map_err(|_| format!("`{name}` value {n} is out of range"))
}

/// An enum as a number or as its protobuf name (`SPAN_KIND_SERVER`, `STATUS_CODE_ERROR`).
fn enum_value(v: Option<Scalar>, name: &str, from_name: fn(&str) -> Option<i64>) -> R<i64> {
    match v {
        None => Ok(0),
        Some(v) => {
            if let Scalar::Str(s) = &v {
                if let Some(known) = from_name(s) {
                    return Ok(known);
                }
            }
            i64::try_from(int_of(&v, name)?).map_err(|_| format!("`{name}` is out of range"))
        }
    }
}

fn hex_id<const N: usize>(v: Option<Scalar>, name: &str) -> R<[u8; N]> {
    let mut out = [0u8; N];
    match v {
        None => Ok(out),
        Some(Scalar::Str(s)) if s.is_empty() => Ok(out),
        Some(Scalar::Str(s)) => {
            hex::decode_to_slice(s.as_bytes(), &mut out)
                .map_err(|_| format!("`{name}` must be {} hex digits, found \"{s}\"", 2 * N))?;
            Ok(out)
        }
        Some(other) => Err(format!("`{name}` must be a string, found {}", other.kind())),
    }
}

fn double(v: &Scalar) -> R<f64> {
    match v {
        Scalar::I64(n) => Ok(*n as f64),
        Scalar::U64(n) => Ok(*n as f64),
        Scalar::F64(n) => Ok(*n),
        Scalar::Str(s) => match s.as_ref() {
            "NaN" => Ok(f64::NAN),
            "Infinity" => Ok(f64::INFINITY),
            "-Infinity" => Ok(f64::NEG_INFINITY),
            other => other
                .parse()
                .map_err(|_| format!("`doubleValue` must be a number, found \"{other}\"")),
        },
        other => Err(format!(
            "`doubleValue` must be a number, found {}",
            other.kind()
        )),
    }
}

// ---------------------------------------------------------------------------------------------
// Messages

/// An OTLP message read from a JSON object: `field` parks one field's value (it must consume
/// it), `finish` resolves the slots. A message that is not an object reads as all fields absent.
trait Message<'de>: Sized {
    type Fields: Default;
    fn field<A: MapAccess<'de>>(
        f: &mut Self::Fields,
        key: &str,
        map: &mut A,
    ) -> Result<(), A::Error>;
    fn finish(f: Self::Fields) -> R<Self>;
}

/// A message value: `None` for `null`.
struct MessageSeed<T>(PhantomData<T>);

impl<T> MessageSeed<T> {
    fn new() -> Self {
        Self(PhantomData)
    }
}

impl<'de, T: Message<'de>> DeserializeSeed<'de> for MessageSeed<T> {
    type Value = Option<R<T>>;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de, T: Message<'de>> Visitor<'de> for MessageSeed<T> {
    type Value = Option<R<T>>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an OTLP JSON message")
    }
    fn visit_unit<E>(self) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_bool<E>(self, _: bool) -> Result<Self::Value, E> {
        Ok(Some(T::finish(T::Fields::default())))
    }
    fn visit_i64<E>(self, _: i64) -> Result<Self::Value, E> {
        Ok(Some(T::finish(T::Fields::default())))
    }
    fn visit_u64<E>(self, _: u64) -> Result<Self::Value, E> {
        Ok(Some(T::finish(T::Fields::default())))
    }
    fn visit_f64<E>(self, _: f64) -> Result<Self::Value, E> {
        Ok(Some(T::finish(T::Fields::default())))
    }
    fn visit_str<E>(self, _: &str) -> Result<Self::Value, E> {
        Ok(Some(T::finish(T::Fields::default())))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
        SkipVisitor.visit_seq(seq)?;
        Ok(Some(T::finish(T::Fields::default())))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut fields = T::Fields::default();
        while let Some(KeyText(key)) = map.next_key()? {
            T::field(&mut fields, &key, &mut map)?;
        }
        Ok(Some(T::finish(fields)))
    }
}

/// A message that is absent or `null`: all fields absent.
fn message<'de, T: Message<'de>>(slot: Option<Option<R<T>>>) -> R<T> {
    slot.flatten()
        .unwrap_or_else(|| T::finish(T::Fields::default()))
}

/// A repeated message field: `None` for `null`; the first failing element's error (the rest of
/// the array is still read, for its syntax).
struct ArraySeed<T> {
    name: &'static str,
    _t: PhantomData<T>,
}

fn array_of<T>(name: &'static str) -> ArraySeed<T> {
    ArraySeed {
        name,
        _t: PhantomData,
    }
}

impl<'de, T: Message<'de>> DeserializeSeed<'de> for ArraySeed<T> {
    type Value = Option<R<Vec<T>>>;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<T> ArraySeed<T> {
    fn not_array<V>(&self, kind: &str) -> Option<R<V>> {
        Some(Err(format!(
            "`{}` must be an array, found {kind}",
            self.name
        )))
    }
}

impl<'de, T: Message<'de>> Visitor<'de> for ArraySeed<T> {
    type Value = Option<R<Vec<T>>>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an array of OTLP JSON messages")
    }
    fn visit_unit<E>(self) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_bool<E>(self, _: bool) -> Result<Self::Value, E> {
        Ok(self.not_array("a boolean"))
    }
    fn visit_i64<E>(self, _: i64) -> Result<Self::Value, E> {
        Ok(self.not_array("a number"))
    }
    fn visit_u64<E>(self, _: u64) -> Result<Self::Value, E> {
        Ok(self.not_array("a number"))
    }
    fn visit_f64<E>(self, _: f64) -> Result<Self::Value, E> {
        Ok(self.not_array("a number"))
    }
    fn visit_str<E>(self, _: &str) -> Result<Self::Value, E> {
        Ok(self.not_array("a string"))
    }
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
        SkipVisitor.visit_map(map)?;
        Ok(self.not_array("an object"))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut out = Vec::new();
        while let Some(item) = seq.next_element_seed(MessageSeed::<T>::new())? {
            match item.unwrap_or_else(|| T::finish(T::Fields::default())) {
                Ok(v) => out.push(v),
                Err(e) => {
                    while seq.next_element::<Skip>()?.is_some() {}
                    return Ok(Some(Err(e)));
                }
            }
        }
        Ok(Some(Ok(out)))
    }
}

/// A repeated field: absent or `null` reads as empty.
fn repeated<T>(slot: Option<Option<R<Vec<T>>>>) -> R<Vec<T>> {
    slot.flatten().unwrap_or_else(|| Ok(Vec::new()))
}

fn scalar<'de, A: MapAccess<'de>>(map: &mut A) -> Result<Option<Scalar<'de>>, A::Error> {
    map.next_value().map(Some)
}

/// A slot set by a field: last one wins.
type Slot<T> = Option<T>;
type MsgSlot<T> = Slot<Option<R<T>>>;
type ArrSlot<T> = Slot<Option<R<Vec<T>>>>;
/// camelCase and snake_case slots of one field.
type Twin<T> = (Slot<T>, Slot<T>);

fn twin<T: Nullable>(t: Twin<T>) -> Option<T> {
    pick(t.0, t.1)
}

// --- the request

/// One top-level JSON value: a traces request, another signal's request, or what is wrong.
struct TopLevel(R<JsonItem>);

impl<'de> Deserialize<'de> for TopLevel {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(TopLevelVisitor)
    }
}

struct TopLevelVisitor;

fn not_object(kind: &str) -> TopLevel {
    let hint = if kind == "an array" {
        " (a top-level JSON array is not OTLP; DataDog JSON trace lists are not supported: \
         record the msgpack payloads the tracer sends instead)"
    } else {
        ""
    };
    TopLevel(Err(format!(
        "expected an object with `resourceSpans`, found {kind}{hint}"
    )))
}

/// Other signals' request fields, in the order they are recognised.
const OTHER_SIGNALS: [(&str, &str, &str); 3] = [
    ("resourceMetrics", "resource_metrics", "metrics"),
    ("resourceLogs", "resource_logs", "logs"),
    ("resourceProfiles", "resource_profiles", "profiles"),
];

impl<'de> Visitor<'de> for TopLevelVisitor {
    type Value = TopLevel;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an OTLP JSON request object")
    }
    fn visit_unit<E>(self) -> Result<TopLevel, E> {
        Ok(not_object("null"))
    }
    fn visit_bool<E>(self, _: bool) -> Result<TopLevel, E> {
        Ok(not_object("a boolean"))
    }
    fn visit_i64<E>(self, _: i64) -> Result<TopLevel, E> {
        Ok(not_object("a number"))
    }
    fn visit_u64<E>(self, _: u64) -> Result<TopLevel, E> {
        Ok(not_object("a number"))
    }
    fn visit_f64<E>(self, _: f64) -> Result<TopLevel, E> {
        Ok(not_object("a number"))
    }
    fn visit_str<E>(self, _: &str) -> Result<TopLevel, E> {
        Ok(not_object("a string"))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<TopLevel, A::Error> {
        SkipVisitor.visit_seq(seq)?;
        Ok(not_object("an array"))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<TopLevel, A::Error> {
        let mut spans: Twin<Option<R<Vec<ResourceSpans>>>> = (None, None);
        let mut signals = [false; OTHER_SIGNALS.len()];
        let mut keys: Vec<Cow<'de, str>> = Vec::new();
        while let Some(KeyText(key)) = map.next_key()? {
            match key.as_ref() {
                "resourceSpans" => spans.0 = Some(map.next_value_seed(array_of("resourceSpans"))?),
                "resource_spans" => spans.1 = Some(map.next_value_seed(array_of("resourceSpans"))?),
                other => {
                    if let Some(i) = OTHER_SIGNALS
                        .iter()
                        .position(|(camel, snake, _)| other == *camel || other == *snake)
                    {
                        signals[i] = true;
                    }
                    map.next_value::<Skip>()?;
                }
            }
            keys.push(key);
        }
        let spans = twin(spans);
        if spans.is_none() {
            if let Some(i) = signals.iter().position(|&s| s) {
                return Ok(TopLevel(Ok(JsonItem::OtherSignal(OTHER_SIGNALS[i].2))));
            }
            // `{}` is a valid empty request, but an object with other keys and no
            // `resourceSpans` is some other JSON document (a headers sidecar, a config): say so
            // instead of reading 0 spans.
            if !keys.is_empty() {
                keys.sort_unstable();
                keys.dedup();
                let keys: Vec<&str> = keys.iter().map(AsRef::as_ref).take(5).collect();
                return Ok(TopLevel(Err(format!(
                    "expected `resourceSpans`, found only the keys {}",
                    keys.join(", ")
                ))));
            }
        }
        Ok(TopLevel(repeated(spans).map(|resource_spans| {
            JsonItem::Traces(Batch { resource_spans })
        })))
    }
}

// --- resource and scope

#[derive(Default)]
struct ResourceSpansFields<'de> {
    resource: MsgSlot<Resource>,
    scope_spans: Twin<Option<R<Vec<ScopeSpans>>>>,
    schema_url: Twin<Scalar<'de>>,
}

impl<'de> Message<'de> for ResourceSpans {
    type Fields = ResourceSpansFields<'de>;

    fn field<A: MapAccess<'de>>(
        f: &mut Self::Fields,
        key: &str,
        map: &mut A,
    ) -> Result<(), A::Error> {
        match key {
            "resource" => f.resource = Some(map.next_value_seed(MessageSeed::new())?),
            "scopeSpans" => f.scope_spans.0 = Some(map.next_value_seed(array_of("scopeSpans"))?),
            "scope_spans" => f.scope_spans.1 = Some(map.next_value_seed(array_of("scopeSpans"))?),
            "schemaUrl" => f.schema_url.0 = scalar(map)?,
            "schema_url" => f.schema_url.1 = scalar(map)?,
            _ => {
                map.next_value::<Skip>()?;
            }
        }
        Ok(())
    }

    fn finish(f: Self::Fields) -> R<Self> {
        let resource = message(f.resource)?;
        let scope_spans = repeated(twin(f.scope_spans))?;
        Ok(ResourceSpans {
            resource,
            scope_spans,
            schema_url: string(twin(f.schema_url), "schemaUrl")?,
        })
    }
}

#[derive(Default)]
struct ResourceFields<'de> {
    attributes: ArrSlot<KeyValue>,
    dropped: Twin<Scalar<'de>>,
}

/// The `attributes` field and `droppedAttributesCount` fields every attribute owner has.
fn attribute_field<'de, A: MapAccess<'de>>(
    key: &str,
    map: &mut A,
    attributes: &mut ArrSlot<KeyValue>,
    dropped: &mut Twin<Scalar<'de>>,
) -> Result<bool, A::Error> {
    match key {
        "attributes" => *attributes = Some(map.next_value_seed(array_of("attributes"))?),
        "droppedAttributesCount" => dropped.0 = scalar(map)?,
        "dropped_attributes_count" => dropped.1 = scalar(map)?,
        _ => return Ok(false),
    }
    Ok(true)
}

fn skip_value<'de, A: MapAccess<'de>>(map: &mut A) -> Result<(), A::Error> {
    map.next_value::<Skip>().map(|_| ())
}

impl<'de> Message<'de> for Resource {
    type Fields = ResourceFields<'de>;

    fn field<A: MapAccess<'de>>(
        f: &mut Self::Fields,
        key: &str,
        map: &mut A,
    ) -> Result<(), A::Error> {
        if !attribute_field(key, map, &mut f.attributes, &mut f.dropped)? {
            skip_value(map)?;
        }
        Ok(())
    }

    fn finish(f: Self::Fields) -> R<Self> {
        Ok(Resource {
            attributes: attributes(f.attributes)?,
            dropped_attributes_count: uint(twin(f.dropped), "droppedAttributesCount")?,
        })
    }
}

#[derive(Default)]
struct ScopeSpansFields<'de> {
    scope: MsgSlot<Scope>,
    spans: ArrSlot<Span>,
    schema_url: Twin<Scalar<'de>>,
}

impl<'de> Message<'de> for ScopeSpans {
    type Fields = ScopeSpansFields<'de>;

    fn field<A: MapAccess<'de>>(
        f: &mut Self::Fields,
        key: &str,
        map: &mut A,
    ) -> Result<(), A::Error> {
        match key {
            "scope" => f.scope = Some(map.next_value_seed(MessageSeed::new())?),
            "spans" => f.spans = Some(map.next_value_seed(array_of("spans"))?),
            "schemaUrl" => f.schema_url.0 = scalar(map)?,
            "schema_url" => f.schema_url.1 = scalar(map)?,
            _ => skip_value(map)?,
        }
        Ok(())
    }

    fn finish(f: Self::Fields) -> R<Self> {
        let scope = message(f.scope)?;
        let spans = repeated(one(f.spans))?;
        Ok(ScopeSpans {
            scope,
            spans,
            schema_url: string(twin(f.schema_url), "schemaUrl")?,
        })
    }
}

#[derive(Default)]
struct ScopeFields<'de> {
    name: Slot<Scalar<'de>>,
    version: Slot<Scalar<'de>>,
    attributes: ArrSlot<KeyValue>,
    dropped: Twin<Scalar<'de>>,
}

impl<'de> Message<'de> for Scope {
    type Fields = ScopeFields<'de>;

    fn field<A: MapAccess<'de>>(
        f: &mut Self::Fields,
        key: &str,
        map: &mut A,
    ) -> Result<(), A::Error> {
        match key {
            "name" => f.name = scalar(map)?,
            "version" => f.version = scalar(map)?,
            _ => {
                if !attribute_field(key, map, &mut f.attributes, &mut f.dropped)? {
                    skip_value(map)?;
                }
            }
        }
        Ok(())
    }

    fn finish(f: Self::Fields) -> R<Self> {
        Ok(Scope {
            name: string(one(f.name), "name")?,
            version: string(one(f.version), "version")?,
            attributes: attributes(f.attributes)?,
            dropped_attributes_count: uint(twin(f.dropped), "droppedAttributesCount")?,
        })
    }
}

// --- spans

#[derive(Default)]
struct SpanFields<'de> {
    status: MsgSlot<Status>,
    trace_id: Twin<Scalar<'de>>,
    span_id: Twin<Scalar<'de>>,
    parent_span_id: Twin<Scalar<'de>>,
    trace_state: Twin<Scalar<'de>>,
    flags: Slot<Scalar<'de>>,
    name: Slot<Scalar<'de>>,
    kind: Slot<Scalar<'de>>,
    start: Twin<Scalar<'de>>,
    end: Twin<Scalar<'de>>,
    attributes: ArrSlot<KeyValue>,
    dropped_attributes: Twin<Scalar<'de>>,
    events: ArrSlot<Event>,
    dropped_events: Twin<Scalar<'de>>,
    links: ArrSlot<Link>,
    dropped_links: Twin<Scalar<'de>>,
}

impl<'de> Message<'de> for Span {
    type Fields = SpanFields<'de>;

    fn field<A: MapAccess<'de>>(
        f: &mut Self::Fields,
        key: &str,
        map: &mut A,
    ) -> Result<(), A::Error> {
        match key {
            "traceId" => f.trace_id.0 = scalar(map)?,
            "trace_id" => f.trace_id.1 = scalar(map)?,
            "spanId" => f.span_id.0 = scalar(map)?,
            "span_id" => f.span_id.1 = scalar(map)?,
            "parentSpanId" => f.parent_span_id.0 = scalar(map)?,
            "parent_span_id" => f.parent_span_id.1 = scalar(map)?,
            "traceState" => f.trace_state.0 = scalar(map)?,
            "trace_state" => f.trace_state.1 = scalar(map)?,
            "flags" => f.flags = scalar(map)?,
            "name" => f.name = scalar(map)?,
            "kind" => f.kind = scalar(map)?,
            "startTimeUnixNano" => f.start.0 = scalar(map)?,
            "start_time_unix_nano" => f.start.1 = scalar(map)?,
            "endTimeUnixNano" => f.end.0 = scalar(map)?,
            "end_time_unix_nano" => f.end.1 = scalar(map)?,
            "events" => f.events = Some(map.next_value_seed(array_of("events"))?),
            "droppedEventsCount" => f.dropped_events.0 = scalar(map)?,
            "dropped_events_count" => f.dropped_events.1 = scalar(map)?,
            "links" => f.links = Some(map.next_value_seed(array_of("links"))?),
            "droppedLinksCount" => f.dropped_links.0 = scalar(map)?,
            "dropped_links_count" => f.dropped_links.1 = scalar(map)?,
            "status" => f.status = Some(map.next_value_seed(MessageSeed::new())?),
            _ => {
                if !attribute_field(key, map, &mut f.attributes, &mut f.dropped_attributes)? {
                    skip_value(map)?;
                }
            }
        }
        Ok(())
    }

    fn finish(f: Self::Fields) -> R<Self> {
        let status = message(f.status)?;
        Ok(Span {
            trace_id: hex_id(twin(f.trace_id), "traceId")?,
            span_id: hex_id(twin(f.span_id), "spanId")?,
            parent_span_id: hex_id(twin(f.parent_span_id), "parentSpanId")?,
            trace_state: string(twin(f.trace_state), "traceState")?,
            flags: uint(one(f.flags), "flags")?,
            name: string(one(f.name), "name")?,
            kind: enum_value(one(f.kind), "kind", span_kind::from_proto_name)?,
            start_time_unix_nano: uint(twin(f.start), "startTimeUnixNano")?,
            end_time_unix_nano: uint(twin(f.end), "endTimeUnixNano")?,
            attributes: attributes(f.attributes)?,
            dropped_attributes_count: uint(twin(f.dropped_attributes), "droppedAttributesCount")?,
            events: repeated(one(f.events))?,
            dropped_events_count: uint(twin(f.dropped_events), "droppedEventsCount")?,
            links: repeated(one(f.links))?,
            dropped_links_count: uint(twin(f.dropped_links), "droppedLinksCount")?,
            status,
        })
    }
}

#[derive(Default)]
struct StatusFields<'de> {
    code: Slot<Scalar<'de>>,
    message: Slot<Scalar<'de>>,
}

impl<'de> Message<'de> for Status {
    type Fields = StatusFields<'de>;

    fn field<A: MapAccess<'de>>(
        f: &mut Self::Fields,
        key: &str,
        map: &mut A,
    ) -> Result<(), A::Error> {
        match key {
            "code" => f.code = scalar(map)?,
            "message" => f.message = scalar(map)?,
            _ => skip_value(map)?,
        }
        Ok(())
    }

    fn finish(f: Self::Fields) -> R<Self> {
        Ok(Status {
            code: enum_value(one(f.code), "code", status_code::from_proto_name)?,
            message: string(one(f.message), "message")?,
        })
    }
}

#[derive(Default)]
struct EventFields<'de> {
    time: Twin<Scalar<'de>>,
    name: Slot<Scalar<'de>>,
    attributes: ArrSlot<KeyValue>,
    dropped: Twin<Scalar<'de>>,
}

impl<'de> Message<'de> for Event {
    type Fields = EventFields<'de>;

    fn field<A: MapAccess<'de>>(
        f: &mut Self::Fields,
        key: &str,
        map: &mut A,
    ) -> Result<(), A::Error> {
        match key {
            "timeUnixNano" => f.time.0 = scalar(map)?,
            "time_unix_nano" => f.time.1 = scalar(map)?,
            "name" => f.name = scalar(map)?,
            _ => {
                if !attribute_field(key, map, &mut f.attributes, &mut f.dropped)? {
                    skip_value(map)?;
                }
            }
        }
        Ok(())
    }

    fn finish(f: Self::Fields) -> R<Self> {
        Ok(Event {
            time_unix_nano: uint(twin(f.time), "timeUnixNano")?,
            name: string(one(f.name), "name")?,
            attributes: attributes(f.attributes)?,
            dropped_attributes_count: uint(twin(f.dropped), "droppedAttributesCount")?,
        })
    }
}

#[derive(Default)]
struct LinkFields<'de> {
    trace_id: Twin<Scalar<'de>>,
    span_id: Twin<Scalar<'de>>,
    trace_state: Twin<Scalar<'de>>,
    attributes: ArrSlot<KeyValue>,
    dropped: Twin<Scalar<'de>>,
    flags: Slot<Scalar<'de>>,
}

impl<'de> Message<'de> for Link {
    type Fields = LinkFields<'de>;

    fn field<A: MapAccess<'de>>(
        f: &mut Self::Fields,
        key: &str,
        map: &mut A,
    ) -> Result<(), A::Error> {
        match key {
            "traceId" => f.trace_id.0 = scalar(map)?,
            "trace_id" => f.trace_id.1 = scalar(map)?,
            "spanId" => f.span_id.0 = scalar(map)?,
            "span_id" => f.span_id.1 = scalar(map)?,
            "traceState" => f.trace_state.0 = scalar(map)?,
            "trace_state" => f.trace_state.1 = scalar(map)?,
            "flags" => f.flags = scalar(map)?,
            _ => {
                if !attribute_field(key, map, &mut f.attributes, &mut f.dropped)? {
                    skip_value(map)?;
                }
            }
        }
        Ok(())
    }

    fn finish(f: Self::Fields) -> R<Self> {
        Ok(Link {
            trace_id: hex_id(twin(f.trace_id), "traceId")?,
            span_id: hex_id(twin(f.span_id), "spanId")?,
            trace_state: string(twin(f.trace_state), "traceState")?,
            attributes: attributes(f.attributes)?,
            dropped_attributes_count: uint(twin(f.dropped), "droppedAttributesCount")?,
            flags: uint(one(f.flags), "flags")?,
        })
    }
}

// --- attributes and values

/// One `{key, value}` of an attribute list.
struct KeyValue(Key, AnyValue);

#[derive(Default)]
struct KeyValueFields<'de> {
    key: Slot<Scalar<'de>>,
    value: MsgSlot<AnyValue>,
}

impl<'de> Message<'de> for KeyValue {
    type Fields = KeyValueFields<'de>;

    fn field<A: MapAccess<'de>>(
        f: &mut Self::Fields,
        key: &str,
        map: &mut A,
    ) -> Result<(), A::Error> {
        match key {
            "key" => f.key = scalar(map)?,
            "value" => f.value = Some(map.next_value_seed(MessageSeed::new())?),
            _ => skip_value(map)?,
        }
        Ok(())
    }

    fn finish(f: Self::Fields) -> R<Self> {
        let key = match one(f.key) {
            None => Key::of(""),
            // Interning looks the borrowed text up: no allocation for a key seen before.
            Some(Scalar::Str(s)) => Key::of(&s),
            Some(other) => {
                return Err(format!("`key` must be a string, found {}", other.kind()));
            }
        };
        let value = message(f.value)?;
        Ok(KeyValue(key, value))
    }
}

/// An attribute list, the first of a repeated key kept (see `Attributes::first_wins`).
fn attributes(slot: ArrSlot<KeyValue>) -> R<Attributes> {
    let pairs = repeated(one(slot))?;
    Ok(Attributes::first_wins_vec(
        pairs.into_iter().map(|KeyValue(k, v)| (k, v)).collect(),
    ))
}

/// `AnyValue`'s fields, in the order a tree walk looks for them: the first present one wins.
const VALUE_FIELDS: [(&str, &str); 7] = [
    ("stringValue", "string_value"),
    ("boolValue", "bool_value"),
    ("intValue", "int_value"),
    ("doubleValue", "double_value"),
    ("arrayValue", "array_value"),
    ("kvlistValue", "kvlist_value"),
    ("bytesValue", "bytes_value"),
];

/// The `VALUE_FIELDS` an object holds, in byte order, each as the value it would give (`None`
/// for `null`) under its slot number (`2 * i` camelCase, `2 * i + 1` snake_case). Almost
/// every value object has one field, which is kept inline.
#[derive(Default)]
struct AnyValueFields {
    first: Option<(usize, Option<R<AnyValue>>)>,
    more: Vec<(usize, Option<R<AnyValue>>)>,
}

fn value_field<'de, A: MapAccess<'de>>(
    i: usize,
    map: &mut A,
) -> Result<Option<R<AnyValue>>, A::Error> {
    Ok(match i {
        4 => map
            .next_value_seed(MessageSeed::<ArrayValue>::new())?
            .map(|r| r.map(|a| AnyValue::Slice(a.0))),
        5 => map
            .next_value_seed(MessageSeed::<KvList>::new())?
            .map(|r| r.map(|m| AnyValue::Map(m.0))),
        _ => {
            let v: Scalar = map.next_value()?;
            if v.is_null() {
                return Ok(None);
            }
            Some(scalar_value(i, v))
        }
    })
}

fn scalar_value(i: usize, v: Scalar) -> R<AnyValue> {
    match (i, v) {
        (0, Scalar::Str(Cow::Borrowed(s))) => Ok(AnyValue::Str(Str::from(s))),
        (0, Scalar::Str(Cow::Owned(s))) => Ok(AnyValue::Str(Str::from(s))),
        (0, _) => Err("`stringValue` must be a string".into()),
        (1, Scalar::Bool(b)) => Ok(AnyValue::Bool(b)),
        (1, _) => Err("`boolValue` must be a boolean".into()),
        (2, v) => {
            let n = int_of(&v, "intValue")?;
            i64::try_from(n)
                .map(AnyValue::Int)
                .map_err(|_| format!("`intValue` {n} is out of int64 range"))
        }
        (3, v) => double(&v).map(AnyValue::Double),
        (_, Scalar::Str(s)) => super::base64::decode(&s)
            .map(AnyValue::Bytes)
            .ok_or_else(|| format!("`bytesValue` is not valid base64: \"{s}\"")),
        (_, _) => Err("`bytesValue` must be a base64 string".into()),
    }
}

impl<'de> Message<'de> for AnyValue {
    type Fields = AnyValueFields;

    fn field<A: MapAccess<'de>>(
        f: &mut Self::Fields,
        key: &str,
        map: &mut A,
    ) -> Result<(), A::Error> {
        let Some(slot) = VALUE_FIELDS
            .iter()
            .flat_map(|(camel, snake)| [camel, snake])
            .position(|name| key == *name)
        else {
            return skip_value(map);
        };
        let value = (slot, value_field(slot / 2, map)?);
        if f.first.is_none() {
            f.first = Some(value);
        } else {
            f.more.push(value);
        }
        Ok(())
    }

    fn finish(f: Self::Fields) -> R<Self> {
        let Some(first) = f.first else {
            return Ok(AnyValue::Empty);
        };
        if f.more.is_empty() {
            // One field: its value, or nothing for `null`.
            return first.1.unwrap_or(Ok(AnyValue::Empty));
        }
        // Several: the last of each name, then the first present field in `VALUE_FIELDS` order.
        let mut slots: [Slot<Option<R<AnyValue>>>; 14] = Default::default();
        for (slot, value) in std::iter::once(first).chain(f.more) {
            slots[slot] = Some(value);
        }
        let mut slots = slots.into_iter();
        while let (Some(camel), Some(snake)) = (slots.next(), slots.next()) {
            if let Some(v) = pick(camel, snake).flatten() {
                return v;
            }
        }
        Ok(AnyValue::Empty)
    }
}

/// `arrayValue`: `{values: [AnyValue]}`.
struct ArrayValue(Vec<AnyValue>);

struct ValuesFields<T> {
    values: ArrSlot<T>,
}

impl<T> Default for ValuesFields<T> {
    fn default() -> Self {
        Self { values: None }
    }
}

impl<'de> Message<'de> for ArrayValue {
    type Fields = ValuesFields<AnyValue>;

    fn field<A: MapAccess<'de>>(
        f: &mut Self::Fields,
        key: &str,
        map: &mut A,
    ) -> Result<(), A::Error> {
        match key {
            "values" => f.values = Some(map.next_value_seed(array_of("values"))?),
            _ => skip_value(map)?,
        }
        Ok(())
    }

    fn finish(f: Self::Fields) -> R<Self> {
        repeated(one(f.values)).map(ArrayValue)
    }
}

/// `kvlistValue`: `{values: [KeyValue]}`.
struct KvList(Attributes);

impl<'de> Message<'de> for KvList {
    type Fields = ValuesFields<KeyValue>;

    fn field<A: MapAccess<'de>>(
        f: &mut Self::Fields,
        key: &str,
        map: &mut A,
    ) -> Result<(), A::Error> {
        match key {
            "values" => f.values = Some(map.next_value_seed(array_of("values"))?),
            _ => skip_value(map)?,
        }
        Ok(())
    }

    fn finish(f: Self::Fields) -> R<Self> {
        attributes(f.values).map(KvList)
    }
}

#[cfg(test)]
mod tests {
    //! The streaming reader against the tree walk it replaced (kept in
    //! `otlp_json_reference`): same batches, same errors, same offsets, on real captures, on
    //! edge cases and on mutated captures.

    use super::super::otlp_json_reference as reference;
    use super::decode_items;

    fn same(input: &[u8]) {
        let new = format!("{:?}", decode_items(input));
        let old = format!("{:?}", reference::decode_items(input));
        assert_eq!(
            new,
            old,
            "input: {}",
            String::from_utf8_lossy(&input[..input.len().min(400)])
        );
    }

    fn fixture_lines() -> Vec<Vec<u8>> {
        let root = env!("CARGO_MANIFEST_DIR");
        let mut lines = Vec::new();
        for path in [
            "fixtures/captures/orders-otel-py-head3.otlp.jsonl",
            "fixtures/replay/tail_sampling/late-error.otlp.jsonl",
            "fixtures/replay/probabilistic_sampler/sequential-ids.otlp.jsonl",
        ] {
            let bytes = std::fs::read(format!("{root}/{path}")).unwrap();
            same(&bytes);
            lines.extend(
                bytes
                    .split(|&b| b == b'\n')
                    .filter(|l| !l.is_empty())
                    .map(<[u8]>::to_vec),
            );
        }
        lines
    }

    #[test]
    fn same_as_the_tree_walk_on_captures() {
        assert!(fixture_lines().len() >= 3);
        // The shared capture, where this checkout has it.
        let shared = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../shared/captures/orders-otel-py.otlp.jsonl"
        );
        if let Ok(bytes) = std::fs::read(shared) {
            same(&bytes);
        }
    }

    fn span_line(span: &str) -> String {
        format!(r#"{{"resourceSpans":[{{"scopeSpans":[{{"spans":[{span}]}}]}}]}}"#)
    }

    fn value_line(value: &str) -> String {
        span_line(&format!(
            r#"{{"attributes":[{{"key":"k","value":{value}}}]}}"#
        ))
    }

    #[test]
    fn same_as_the_tree_walk_on_edge_cases() {
        let tops = [
            "{}",
            "{} {}",
            "{}x",
            "[1, {\"a\": 2}]",
            "5",
            "\"x\"",
            "null",
            "true",
            r#"{"resourceSpans":null,"resource_spans":[{}]}"#,
            r#"{"resource_spans":[{}],"resourceSpans":null}"#,
            r#"{"resource_spans":[{"scope_spans":[{"spans":[{"name":"s"}]}]}]}"#,
            r#"{"resourceSpans":[],"resourceSpans":[{}]}"#,
            r#"{"resourceSpans":5}"#,
            r#"{"resourceSpans":{"a":1}}"#,
            r#"{"resourceMetrics":null}"#,
            r#"{"resource_logs":[],"resourceProfiles":[]}"#,
            r#"{"resourceMetrics":[],"resourceSpans":[]}"#,
            r#"{"zeta":1,"alpha":2,"beta":3,"gamma":4,"delta":5,"eps":6,"alpha":7}"#,
            r#"{"resource\u0053pans":[{"schema\u0055rl":"s\u00e9"}]}"#,
            r#"{"resourceSpans":[null,5,"x",[1],{"resource":7,"schemaUrl":5}]}"#,
            r#"{"resourceSpans":[{"resource":{"attributes":[{"key":"a","value":{"intValue":"1"}}],"droppedAttributesCount":"-1"}}]}"#,
            r#"{"resourceSpans":[{"scopeSpans":[{"scope":{"name":"n","version":3}}]}]}"#,
            r#"{"resourceSpans":[{"scopeSpans":[{"scope":{"name":1},"spans":[{"traceId":"zz"}]}]}]}"#,
            r#"{"resourceSpans":[{"x":"\ud800"}]}"#,
            r#"{"resourceSpans":[{"x":1e400}]}"#,
            r#"{"resourceSpans":[{"x":[1,2,}]}"#,
            "{\"resourceSpans\":[{\"x\":\"a\u{1}b\"}]}",
        ];
        for t in tops {
            same(t.as_bytes());
        }
        same(b"{\"resourceSpans\":[{\"x\":\"\xff\"}]}");
        same(b"{\"resourceSpans\":[{\"schemaUrl\":\"\xc3\xa9\"}]}");
        let spans = [
            r#"{"traceId":"zz"}"#,
            r#"{"traceId":5}"#,
            r#"{"traceId":"","spanId":"","parent_span_id":"0102030405060708"}"#,
            r#"{"trace_id":"000102030405060708090a0b0c0d0e0f","traceId":null}"#,
            r#"{"traceId":"000102030405060708090a0b0c0d0e0","spanId":"xx"}"#,
            r#"{"name":5,"traceId":"zz"}"#,
            r#"{"kind":"SPAN_KIND_CLIENT"}"#,
            r#"{"kind":"bogus"}"#,
            r#"{"kind":1.5}"#,
            r#"{"kind":100000000000000000000}"#,
            r#"{"kind":"9223372036854775808"}"#,
            r#"{"kind":[1,{"a":"\u00e9\n"}]}"#,
            r#"{"kind":{"x":null}}"#,
            r#"{"kind":true}"#,
            r#"{"kind":"  3 "}"#,
            r#"{"kind":"+3"}"#,
            r#"{"flags":-1}"#,
            r#"{"flags":4294967296}"#,
            r#"{"flags":"\u0031"}"#,
            r#"{"startTimeUnixNano":" 12 ","endTimeUnixNano":18446744073709551615}"#,
            r#"{"start_time_unix_nano":"-1"}"#,
            r#"{"startTimeUnixNano":null,"start_time_unix_nano":"5"}"#,
            r#"{"status":{"code":"STATUS_CODE_ERROR","message":7}}"#,
            r#"{"status":{"code":"STATUS_CODE_OK","message":"m"},"name":"n"}"#,
            r#"{"status":{"code":-9223372036854775809}}"#,
            r#"{"status":5,"traceState":"ts","trace_state":"x"}"#,
            r#"{"events":[{"timeUnixNano":"1","name":"e","attributes":[{"key":"a"}],"droppedAttributesCount":2},null]}"#,
            r#"{"events":{"a":1}}"#,
            r#"{"events":[{"time_unix_nano":1.0}]}"#,
            r#"{"links":[{"traceId":"000102030405060708090a0b0c0d0e0f","spanId":"0102030405060708","flags":1,"traceState":"t"}]}"#,
            r#"{"links":[{"flags":"x"}],"droppedLinksCount":"3","droppedEventsCount":4,"dropped_attributes_count":5}"#,
            r#"{"links":"x","events":"y"}"#,
            r#"{"attributes":{"key":"a"}}"#,
            r#"{"attributes":[{"key":5}]}"#,
            r#"{"attributes":[5,null,{"value":{"intValue":1}}]}"#,
            r#"{"attributes":[{"key":"a","value":{"intValue":1}},{"key":"a","value":{"intValue":2}},{"key":"b"}]}"#,
        ];
        for s in spans {
            same(span_line(s).as_bytes());
        }
        let many: Vec<String> = (0..40)
            .map(|i| format!(r#"{{"key":"k{}","value":{{"intValue":{i}}}}}"#, i % 23))
            .collect();
        same(span_line(&format!(r#"{{"attributes":[{}]}}"#, many.join(","))).as_bytes());
        let values = [
            "null",
            "5",
            "[]",
            r#"{}"#,
            r#"{"stringValue":5,"boolValue":true}"#,
            r#"{"boolValue":"x","stringValue":"a"}"#,
            r#"{"stringValue":null,"string_value":"b"}"#,
            r#"{"string_value":"b","stringValue":null}"#,
            r#"{"stringValue":"a\"b\u00e9"}"#,
            r#"{"intValue":"12","intValue":"x"}"#,
            r#"{"intValue":1.5}"#,
            r#"{"intValue":"1.5"}"#,
            r#"{"intValue":[1,{"a":"\u00e9"}]}"#,
            r#"{"intValue":"9223372036854775808"}"#,
            r#"{"intValue":-9223372036854775808}"#,
            r#"{"int_value":"\"q\""}"#,
            r#"{"doubleValue":"Infinity"}"#,
            r#"{"doubleValue":"-Infinity"}"#,
            r#"{"doubleValue":"NaN"}"#,
            r#"{"doubleValue":"inf"}"#,
            r#"{"doubleValue":"1e5"}"#,
            r#"{"doubleValue":"x"}"#,
            r#"{"doubleValue":true}"#,
            r#"{"doubleValue":[]}"#,
            r#"{"doubleValue":3}"#,
            r#"{"doubleValue":18446744073709551615}"#,
            r#"{"doubleValue":-0.0}"#,
            r#"{"doubleValue":1.7976931348623157e308}"#,
            r#"{"bytesValue":"!!"}"#,
            r#"{"bytesValue":"aGk="}"#,
            r#"{"bytes_value":5}"#,
            r#"{"arrayValue":{"values":[null,1,{"intValue":2}]}}"#,
            r#"{"arrayValue":{"values":5}}"#,
            r#"{"arrayValue":5}"#,
            r#"{"arrayValue":{"values":[{"intValue":"x"}]},"bytesValue":"!!"}"#,
            r#"{"arrayValue":null,"array_value":{"values":[{"boolValue":true}]}}"#,
            r#"{"kvlistValue":{"values":[{"key":"a"},{"key":"a","value":{"intValue":1}}]}}"#,
            r#"{"kvlist_value":{"values":[{"key":1}]},"stringValue":"wins"}"#,
            r#"{"kvlistValue":{"values":{"key":"a"}}}"#,
            r#"{"unknown":{"deep":[1,2,{"x":null}]},"boolValue":false}"#,
            r#"{"stringValue":"a","stringValue":null,"string_value":"b"}"#,
            r#"{"string_value":"b","stringValue":"a","stringValue":null}"#,
            r#"{"bytesValue":"aGk=","boolValue":null,"bool_value":true,"intValue":"x"}"#,
            r#"{"int_value":"x","intValue":3,"intValue":null}"#,
            r#"{"kvlistValue":{"values":[]},"arrayValue":{"values":[]},"doubleValue":null}"#,
        ];
        for v in values {
            same(value_line(v).as_bytes());
        }
        // Nesting past serde_json's recursion limit, and just under it.
        for depth in [20, 40, 60] {
            let mut v = r#"{"intValue":1}"#.to_owned();
            for _ in 0..depth {
                v = format!(r#"{{"arrayValue":{{"values":[{v}]}}}}"#);
            }
            same(value_line(&v).as_bytes());
        }
    }

    /// A small deterministic generator (xorshift), so failures reproduce.
    struct Rng(u64);

    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }
        fn below(&mut self, n: usize) -> usize {
            (self.next() % n as u64) as usize
        }
    }

    #[test]
    fn same_as_the_tree_walk_on_mutated_captures() {
        let lines = fixture_lines();
        let snippets: [&[u8]; 24] = [
            b"null",
            b"\"x\"",
            b"\"\"",
            b"1.5",
            b"-1",
            b"7",
            b"\"NaN\"",
            b"{}",
            b"[]",
            b"true",
            b"\"SPAN_KIND_SERVER\"",
            b"\"18446744073709551616\"",
            b"[1,{\"a\":2}]",
            b"{\"values\":[1]}",
            b"\"zz\"",
            b"\"",
            b",",
            b"}",
            b"]",
            b":",
            b"\\",
            b"\xff",
            b" ",
            b"",
        ];
        let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
        for _ in 0..3000 {
            let mut line = lines[rng.below(lines.len())].clone();
            // Replace a value (after a `":`), or a few bytes anywhere.
            let starts: Vec<usize> = line
                .windows(2)
                .enumerate()
                .filter(|(_, w)| w == b"\":")
                .map(|(i, _)| i + 2)
                .collect();
            for _ in 0..1 + rng.below(3) {
                let (at, len) = if rng.below(4) > 0 && !starts.is_empty() {
                    let at = starts[rng.below(starts.len())].min(line.len());
                    let end = line[at..]
                        .iter()
                        .position(|b| b",}]".contains(b))
                        .map_or(line.len(), |p| at + p);
                    (at, end - at)
                } else {
                    let at = rng.below(line.len());
                    (at, rng.below(4).min(line.len() - at))
                };
                let snippet = snippets[rng.below(snippets.len())];
                line.splice(at..at + len, snippet.iter().copied());
            }
            same(&line);
        }
    }
}
