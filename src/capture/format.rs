//! Capture formats and content sniffing.
//!
//! Detection looks at bytes, never at file names: recordings get renamed, and a `.json` that is
//! really msgpack must still be read as msgpack. Each check is cheap and conservative; the
//! decoder chosen afterwards does the real validation and reports precise errors.

use std::fmt;
use std::str::FromStr;

use prost::Message;

use super::msgpack::Reader;

/// The formats otelcheck reads (`--capture-format` values are [`CaptureFormat::as_str`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
pub enum CaptureFormat {
    /// DataDog trace intake v0.4 (also v0.3, which has the same body).
    DatadogV04,
    /// DataDog trace intake v0.5 (string table + 12-element span arrays).
    DatadogV05,
    /// One OTLP `ExportTraceServiceRequest` in protobuf.
    OtlpProto,
    /// OTLP protobuf messages, each preceded by a 4-byte big-endian length.
    OtlpProtoStream,
    /// OTLP JSON: one object, or one object per line.
    OtlpJson,
}

/// Which collector receiver a capture's traffic would arrive at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
pub enum ReceiverKind {
    Datadog,
    Otlp,
}

impl CaptureFormat {
    pub const ALL: [CaptureFormat; 5] = [
        CaptureFormat::DatadogV04,
        CaptureFormat::DatadogV05,
        CaptureFormat::OtlpProto,
        CaptureFormat::OtlpProtoStream,
        CaptureFormat::OtlpJson,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            CaptureFormat::DatadogV04 => "datadog-v0.4",
            CaptureFormat::DatadogV05 => "datadog-v0.5",
            CaptureFormat::OtlpProto => "otlp-proto",
            CaptureFormat::OtlpProtoStream => "otlp-proto-stream",
            CaptureFormat::OtlpJson => "otlp-json",
        }
    }

    pub fn receiver_kind(self) -> ReceiverKind {
        match self {
            CaptureFormat::DatadogV04 | CaptureFormat::DatadogV05 => ReceiverKind::Datadog,
            _ => ReceiverKind::Otlp,
        }
    }
}

impl fmt::Display for CaptureFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for CaptureFormat {
    type Err = String;

    /// Accepts the canonical names plus the obvious aliases (`datadog-v0.3`, `v0.4`, `otlp-jsonl`).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let lower = s.trim().to_ascii_lowercase();
        let found = match lower.as_str() {
            "datadog-v0.4" | "datadog-v0.3" | "v0.4" | "v0.3" | "datadog" => {
                CaptureFormat::DatadogV04
            }
            "datadog-v0.5" | "v0.5" => CaptureFormat::DatadogV05,
            "otlp-proto" | "otlp" | "otlp-pb" => CaptureFormat::OtlpProto,
            "otlp-proto-stream" | "otlp-pbstream" => CaptureFormat::OtlpProtoStream,
            "otlp-json" | "otlp-jsonl" => CaptureFormat::OtlpJson,
            _ => {
                let names: Vec<&str> = Self::ALL.iter().map(|f| f.as_str()).collect();
                return Err(format!(
                    "unknown capture format `{s}` (expected one of: {})",
                    names.join(", ")
                ));
            }
        };
        Ok(found)
    }
}

/// Guess the format of `bytes`, or say why none fits.
pub fn sniff(bytes: &[u8]) -> Result<CaptureFormat, String> {
    let first = bytes.iter().copied().find(|b| !b.is_ascii_whitespace());
    match first {
        None => {
            Err("the file is empty (or only whitespace): expected a DataDog or OTLP payload".into())
        }
        // `[` is never how a msgpack payload starts (0x5b is a small integer there): it is JSON,
        // and the JSON decoder says why a top-level array is not OTLP.
        Some(b'{' | b'[') => Ok(CaptureFormat::OtlpJson),
        Some(_) => {
            if let Some(dd) = sniff_datadog(bytes) {
                return Ok(dd);
            }
            // A msgpack array header whose content did not sniff cleanly is still most likely a
            // DataDog payload: let the v0.4 decoder report exactly where it breaks. (A proto
            // stream cannot start with these bytes: its length would exceed 2 GB.)
            if matches!(bytes.first(), Some(0x90..=0x9f | 0xdc | 0xdd)) {
                return Ok(CaptureFormat::DatadogV04);
            }
            if looks_like_proto_stream(bytes) {
                return Ok(CaptureFormat::OtlpProtoStream);
            }
            // A single OTLP request starts with field 1 (resource_spans), wire type LEN.
            if bytes.first() == Some(&0x0a) {
                return Ok(CaptureFormat::OtlpProto);
            }
            Err(format!(
                "unrecognised content starting with byte 0x{:02x}: not a msgpack array (DataDog), \
                 not an OTLP protobuf message or length-prefixed stream, not JSON",
                bytes.first().copied().unwrap_or(0)
            ))
        }
    }
}

/// v0.5 is `[ [str...], traces ]`; v0.4 is `[ [ {span}... ]... ]` (or `[]`).
fn sniff_datadog(bytes: &[u8]) -> Option<CaptureFormat> {
    if looks_like_v05(bytes) {
        return Some(CaptureFormat::DatadogV05);
    }
    let mut r = Reader::new(bytes);
    let n = r.array_len().ok()?;
    if n == 0 {
        return Some(CaptureFormat::DatadogV04);
    }
    let inner = r.array_len().ok()?;
    if inner == 0 {
        return Some(CaptureFormat::DatadogV04);
    }
    (r.peek_is_map() || r.peek_is_nil()).then_some(CaptureFormat::DatadogV04)
}

/// The v0.5 shape from the first bytes alone, so a payload broken further on is still named
/// v0.5: a 2-element array whose first element is an array starting with a string (the string
/// table; a v0.4 trace starts with a span map instead).
fn looks_like_v05(bytes: &[u8]) -> bool {
    if bytes.first() != Some(&0x92) {
        return false;
    }
    let first = match bytes.get(1) {
        Some(0x91..=0x9f) => bytes.get(2),
        Some(0xdc) => bytes.get(4),
        Some(0xdd) => bytes.get(6),
        _ => return false,
    };
    matches!(first, Some(0xa0..=0xbf | 0xd9..=0xdb | 0xc4..=0xc6))
}

/// A 4-byte big-endian length that fits the file and frames a decodable request.
fn looks_like_proto_stream(bytes: &[u8]) -> bool {
    let Some(head) = bytes.get(..4) else {
        return false;
    };
    let len = u32::from_be_bytes([head[0], head[1], head[2], head[3]]) as usize;
    // A stream of empty messages is what a file of NUL bytes looks like, not a capture.
    if len == 0 {
        return false;
    }
    let Some(end) = len.checked_add(4) else {
        return false;
    };
    let Some(body) = bytes.get(4..end) else {
        return false;
    };
    opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest::decode(body)
        .is_ok()
}
