//! Recorded traffic: one decoder per capture format, all producing [`model::Batch`]es.
//!
//! [`load_capture`] reads a file (plus its `<file>.headers.json` sidecar, see [`headers`]),
//! detects the format by content ([`format::sniff`]) unless one is forced, decodes every
//! payload and, for DataDog payloads, translates them exactly as the contrib `datadog`
//! receiver does. The result is all-or-nothing: any malformed payload fails the whole capture
//! with a [`CaptureError`] that says where and why.

mod base64;
pub mod datadog_keys;
pub mod datadog_links_events;
pub mod datadog_msgpack;
mod datadog_names;
pub mod datadog_translate;
pub mod error;
pub mod format;
pub mod headers;
pub mod model;
pub mod msgpack;
pub mod otlp_json;
mod otlp_json_write;
pub mod otlp_proto;
pub mod summary;

use rustc_hash::FxHashSet as HashSet;
use std::path::Path;

pub use error::CaptureError;
pub use format::{CaptureFormat, ReceiverKind};
pub use headers::CaptureHeaders;
pub use otlp_json::write_otlp_json_line;
pub use summary::{summarize, Summary};

use datadog_msgpack::DdVersion;
use datadog_translate::{translate_payload, TraceIdCache, TracerInfo};

/// A decoded capture: one [`model::Batch`] per recorded request, in file order.
#[derive(Debug, Clone, PartialEq)]
pub struct Capture {
    pub path: String,
    pub format: CaptureFormat,
    pub payloads: Vec<model::Batch>,
    /// Distinct trace ids (16-byte, after translation) over all payloads.
    pub traces: usize,
    pub spans: usize,
}

/// Read, detect (unless `forced`) and decode the capture at `path`.
pub fn load_capture(path: &Path, forced: Option<CaptureFormat>) -> Result<Capture, CaptureError> {
    let name = path.display().to_string();
    let bytes = std::fs::read(path)
        .map_err(|e| CaptureError::new(&name, None, format!("cannot read the file: {e}")))?;
    let headers = CaptureHeaders::for_capture(path);
    decode_capture_with_headers(&name, &bytes, forced, headers.as_ref())
}

/// Decode capture bytes with no header sidecar (DataDog headers count as absent).
pub fn decode_capture(
    name: &str,
    bytes: &[u8],
    forced: Option<CaptureFormat>,
) -> Result<Capture, CaptureError> {
    decode_capture_with_headers(name, bytes, forced, None)
}

/// Decode capture bytes, taking DataDog request headers from `headers` when given.
pub fn decode_capture_with_headers(
    name: &str,
    bytes: &[u8],
    forced: Option<CaptureFormat>,
    headers: Option<&CaptureHeaders>,
) -> Result<Capture, CaptureError> {
    if bytes.is_empty() {
        return Err(CaptureError::new(
            name,
            None,
            "the file is empty: expected a DataDog or OTLP payload",
        ));
    }
    let format = match forced {
        Some(f) => f,
        None => format::sniff(bytes).map_err(|m| CaptureError::new(name, Some(0), m))?,
    };
    let payloads = match format {
        CaptureFormat::DatadogV04 => datadog(name, bytes, DdVersion::V04, headers)?,
        CaptureFormat::DatadogV05 => datadog(name, bytes, DdVersion::V05, headers)?,
        CaptureFormat::OtlpProto => vec![otlp_proto::decode_single(bytes)
            .map_err(|(o, m)| CaptureError::new(name, Some(o), m))?],
        CaptureFormat::OtlpProtoStream => otlp_proto::decode_stream(bytes)
            .map_err(|(o, m)| CaptureError::new(name, Some(o), m))?
            .into_iter()
            .map(|(_, b)| b)
            .collect(),
        CaptureFormat::OtlpJson => otlp_json::decode(bytes)
            .map_err(|(o, m)| CaptureError::new(name, Some(o), m))?
            .into_iter()
            .map(|(_, b)| b)
            .collect(),
    };
    Ok(capture(name, format, payloads))
}

fn datadog(
    name: &str,
    bytes: &[u8],
    version: DdVersion,
    headers: Option<&CaptureHeaders>,
) -> Result<Vec<model::Batch>, CaptureError> {
    let decoded = datadog_msgpack::decode_all(bytes, version).map_err(|e| {
        let what = if version == DdVersion::V04 {
            "DataDog v0.4"
        } else {
            "DataDog v0.5"
        };
        CaptureError::new(
            name,
            Some(e.offset),
            format!("invalid {what} payload: {}", e.message),
        )
    })?;
    // One cache for the whole capture, as one receiver instance would keep across requests.
    let mut cache = TraceIdCache::default();
    Ok(decoded
        .into_iter()
        .map(|p| {
            let info =
                TracerInfo::from_headers(headers.and_then(|h| h.at_offset(p.offset)), version);
            translate_payload(p, &info, &mut cache)
        })
        .collect())
}

fn capture(name: &str, format: CaptureFormat, payloads: Vec<model::Batch>) -> Capture {
    let spans = payloads.iter().map(model::Batch::span_count).sum();
    let traces: HashSet<[u8; 16]> = payloads
        .iter()
        .flat_map(|b| &b.resource_spans)
        .flat_map(|rs| &rs.scope_spans)
        .flat_map(|ss| &ss.spans)
        .map(|s| s.trace_id)
        .collect();
    Capture {
        path: name.to_string(),
        format,
        payloads,
        traces: traces.len(),
        spans,
    }
}
