//! DataDog trace intake decoders: v0.3/v0.4 (span maps) and v0.5 (string table + span arrays).
//!
//! They follow the agent's `pkg/proto/pbgo/trace` decoders field by field (see
//! [`super::msgpack`] for the lenient scalar rules). Maps with repeated keys keep the last
//! value, as a Go map does, but in first-seen position so output order stays stable.
//! A payload file may hold several payloads back to back; [`decode_one`] reads one and says
//! where it ended.

use super::model::{Key, Str};
use super::msgpack::{DecodeError, Reader, Result};

/// One DataDog span exactly as the agent decodes it (before any OTLP translation).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DdSpan {
    pub service: String,
    pub name: String,
    pub resource: String,
    pub trace_id: u64,
    pub span_id: u64,
    pub parent_id: u64,
    pub start: i64,
    pub duration: i64,
    pub error: i32,
    /// Keys are interned as they are read: real payloads repeat a few hundred keys. Values are
    /// the model's shared strings: they move into the span's attributes as they are.
    pub meta: Vec<(Key, Str)>,
    pub metrics: Vec<(Key, f64)>,
    pub span_type: String,
    pub span_links: Vec<DdSpanLink>,
}

/// A native v0.4 `span_links` entry.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DdSpanLink {
    pub trace_id: u64,
    pub trace_id_high: u64,
    pub span_id: u64,
    pub attributes: Vec<(String, String)>,
    pub tracestate: String,
    pub flags: u32,
}

impl DdSpan {
    pub fn meta(&self, key: &str) -> Option<&str> {
        self.meta
            .iter()
            .find(|(k, _)| **k == *key)
            .map(|(_, v)| &**v)
    }

    /// [`DdSpan::meta`] by interned key: a pointer comparison per tag.
    pub fn meta_key(&self, key: Key) -> Option<&str> {
        self.meta.iter().find(|(k, _)| *k == key).map(|(_, v)| &**v)
    }

    pub fn metric(&self, key: &str) -> Option<f64> {
        self.metrics
            .iter()
            .find(|(k, _)| **k == *key)
            .map(|(_, v)| *v)
    }
}

/// One decoded payload: its traces (chunks), and where it sat in the file.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DdPayload {
    pub offset: u64,
    pub length: u64,
    pub traces: Vec<Vec<DdSpan>>,
}

/// Which body layout to decode.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DdVersion {
    V04,
    V05,
}

/// Decode the one payload at the start of `bytes`: its traces and how many bytes it took.
pub fn decode_one(bytes: &[u8], version: DdVersion) -> Result<(Vec<Vec<DdSpan>>, usize)> {
    let mut r = Reader::new(bytes);
    let traces = match version {
        DdVersion::V04 => decode_v04(&mut r)?,
        DdVersion::V05 => decode_v05(&mut r)?,
    };
    Ok((traces, r.pos()))
}

/// Go-map semantics for a decoded map (a repeated key keeps its first position, last value).
fn dedupe<K, V>(entries: Vec<(K, V)>) -> Vec<(K, V)>
where
    K: std::ops::Deref<Target = str> + Clone + Eq + std::hash::Hash,
{
    super::model::dedupe_keys(entries)
}

// ---------------------------------------------------------------- v0.4

fn decode_v04(r: &mut Reader) -> Result<Vec<Vec<DdSpan>>> {
    let n_traces = r.array_len()?;
    let mut traces = Vec::with_capacity(n_traces as usize);
    for _ in 0..n_traces {
        let n_spans = r.array_len()?;
        let mut spans = Vec::with_capacity(n_spans as usize);
        for _ in 0..n_spans {
            if r.peek_is_nil() {
                // The agent keeps a nil span pointer; the collector receiver then dereferences it
                // and the request dies. Nothing of this payload would reach a pipeline.
                return Err(r.error(
                    "found a nil span: the datadog receiver cannot translate this payload",
                ));
            }
            spans.push(decode_span_map(r)?);
        }
        traces.push(spans);
    }
    Ok(traces)
}

fn decode_span_map(r: &mut Reader) -> Result<DdSpan> {
    let n = r.map_len()?;
    let mut s = DdSpan::default();
    for _ in 0..n {
        let key = r.str_or_bin().map_err(|e| DecodeError {
            message: format!("span map key: {}", e.message),
            ..e
        })?;
        match key {
            b"service" => s.service = r.dd_string()?,
            b"name" => s.name = r.dd_string()?,
            b"resource" => s.resource = r.dd_string()?,
            b"trace_id" => s.trace_id = r.dd_u64()?,
            b"span_id" => s.span_id = r.dd_u64()?,
            b"parent_id" => s.parent_id = r.dd_u64()?,
            b"start" => s.start = r.dd_i64()?,
            b"duration" => s.duration = r.dd_i64()?,
            b"error" => s.error = r.dd_i32()?,
            b"type" => s.span_type = r.dd_string()?,
            b"meta" => s.meta = string_map(r)?,
            b"metrics" => s.metrics = metrics_map(r)?,
            b"meta_struct" => skip_meta_struct(r)?,
            b"span_links" => s.span_links = span_links(r)?,
            _ => r.skip()?,
        }
    }
    Ok(s)
}

fn string_map(r: &mut Reader) -> Result<Vec<(Key, Str)>> {
    keyed_map(r, Reader::dd_str)
}

fn metrics_map(r: &mut Reader) -> Result<Vec<(Key, f64)>> {
    keyed_map(r, Reader::dd_f64)
}

/// A msgpack map with string keys (nil = empty), values read by `value`; Go-map semantics for
/// repeated keys.
fn keyed_map<'b, V>(
    r: &mut Reader<'b>,
    value: impl Fn(&mut Reader<'b>) -> Result<V>,
) -> Result<Vec<(Key, V)>> {
    if r.eat_nil() {
        return Ok(Vec::new());
    }
    let n = r.map_len()?;
    let mut out = Vec::with_capacity(n as usize);
    for _ in 0..n {
        let k = r.dd_key()?;
        let v = value(r)?;
        out.push((k, v));
    }
    Ok(super::model::dedupe_interned(out))
}

/// `meta_struct` (AppSec/IAST payloads) is validated and dropped: the receiver never reads it.
fn skip_meta_struct(r: &mut Reader) -> Result<()> {
    let n = r.map_len()?;
    for _ in 0..n {
        r.str_or_bin()?;
        r.str_or_bin()?;
    }
    Ok(())
}

fn span_links(r: &mut Reader) -> Result<Vec<DdSpanLink>> {
    let n = r.array_len()?;
    let mut links = Vec::with_capacity(n as usize);
    for _ in 0..n {
        if r.peek_is_nil() {
            // Same as a nil span: the receiver would dereference the nil link and fail.
            return Err(r.error(
                "found a nil span link: the datadog receiver cannot translate this payload",
            ));
        }
        links.push(span_link(r)?);
    }
    Ok(links)
}

fn span_link(r: &mut Reader) -> Result<DdSpanLink> {
    let n = r.map_len()?;
    let mut l = DdSpanLink::default();
    for _ in 0..n {
        match r.str_or_bin()? {
            b"trace_id" => l.trace_id = r.strict_u64()?,
            b"trace_id_high" => l.trace_id_high = r.strict_u64()?,
            b"span_id" => l.span_id = r.strict_u64()?,
            b"tracestate" => {
                l.tracestate = super::msgpack::utf8_as_agent(r.str_or_bin()?).into_owned()
            }
            b"flags" => l.flags = r.strict_u32()?,
            b"attributes" => {
                let m = r.map_len()?;
                for _ in 0..m {
                    let k = super::msgpack::utf8_as_agent(r.str_or_bin()?).into_owned();
                    let v = super::msgpack::utf8_as_agent(r.str_or_bin()?).into_owned();
                    l.attributes.push((k, v));
                }
                l.attributes = dedupe(std::mem::take(&mut l.attributes));
            }
            _ => r.skip()?,
        }
    }
    Ok(l)
}

// ---------------------------------------------------------------- v0.5

fn decode_v05(r: &mut Reader) -> Result<Vec<Vec<DdSpan>>> {
    let at = r.pos();
    let n = r.array_len()?;
    if n != 2 {
        return Err(r.error_at(
            at,
            format!("a v0.5 payload is an array of 2 elements (string table, traces), found {n}"),
        ));
    }
    let n_strings = r.array_len()?;
    let mut dict = StringTable {
        strings: Vec::with_capacity(n_strings as usize),
        keys: Vec::new(),
    };
    for _ in 0..n_strings {
        dict.strings.push(r.dd_str()?);
    }
    dict.keys = vec![None; dict.strings.len()];
    let n_traces = r.array_len()?;
    let mut traces = Vec::with_capacity(n_traces as usize);
    for _ in 0..n_traces {
        let n_spans = r.array_len()?;
        let mut spans = Vec::with_capacity(n_spans as usize);
        for _ in 0..n_spans {
            spans.push(decode_span_array(r, &mut dict)?);
        }
        traces.push(spans);
    }
    Ok(traces)
}

/// A v0.5 payload's string table: each entry is decoded (UTF-8 repaired) once, and interned
/// once the first time a span uses it as a tag key; spans then share the entries.
struct StringTable {
    strings: Vec<Str>,
    keys: Vec<Option<Key>>,
}

impl StringTable {
    fn index(&self, r: &mut Reader) -> Result<usize> {
        let at = r.pos();
        let idx = r.strict_u32()? as usize;
        if idx < self.strings.len() {
            Ok(idx)
        } else {
            Err(r.error_at(
                at,
                format!(
                    "dictionary index {idx} out of range (the string table has {} entries)",
                    self.strings.len()
                ),
            ))
        }
    }

    fn str(&self, r: &mut Reader) -> Result<Str> {
        Ok(self.strings[self.index(r)?].clone())
    }

    fn string(&self, r: &mut Reader) -> Result<String> {
        Ok(self.strings[self.index(r)?].to_string())
    }

    fn key(&mut self, r: &mut Reader) -> Result<Key> {
        let at = r.pos();
        let idx = self.index(r)?;
        if let Some(k) = self.keys[idx] {
            return Ok(k);
        }
        let k = Key::new(&self.strings[idx]).map_err(|e| r.error_at(at, e.to_string()))?;
        self.keys[idx] = Some(k);
        Ok(k)
    }
}

fn decode_span_array(r: &mut Reader, dict: &mut StringTable) -> Result<DdSpan> {
    let at = r.pos();
    let n = r.array_len()?;
    if n != 12 {
        return Err(r.error_at(
            at,
            format!("encoded span needs exactly 12 elements in array, found {n}"),
        ));
    }
    let mut s = DdSpan {
        service: dict.string(r)?,
        name: dict.string(r)?,
        resource: dict.string(r)?,
        trace_id: r.dd_u64()?,
        span_id: r.dd_u64()?,
        parent_id: r.dd_u64()?,
        start: r.dd_i64()?,
        duration: r.dd_i64()?,
        error: r.dd_i32()?,
        ..DdSpan::default()
    };
    let n_meta = r.map_len()?;
    for _ in 0..n_meta {
        let k = dict.key(r)?;
        let v = dict.str(r)?;
        s.meta.push((k, v));
    }
    s.meta = super::model::dedupe_interned(std::mem::take(&mut s.meta));
    let n_metrics = r.map_len()?;
    for _ in 0..n_metrics {
        let k = dict.key(r)?;
        let v = r.dd_f64()?;
        s.metrics.push((k, v));
    }
    s.metrics = super::model::dedupe_interned(std::mem::take(&mut s.metrics));
    s.span_type = dict.string(r)?;
    Ok(s)
}
