//! Recorded traffic: one decoder per capture format, all producing [`model::Batch`]es.
//!
//! [`source::CaptureSource`] reads a file (plus its `<file>.headers.json` sidecar, see
//! [`headers`]) incrementally, detects the format by content ([`format::sniff`]) unless one is
//! forced, and yields one decoded request at a time; DataDog payloads are translated exactly as
//! the contrib `datadog` receiver does. A malformed request ends the stream with a
//! [`CaptureError`] that says where and why. [`load_capture`] collects a whole (small) capture.

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
#[cfg(test)]
mod otlp_json_reference;
mod otlp_json_write;
pub mod otlp_proto;
pub mod samples;
pub mod source;
pub mod summary;

use std::path::Path;

pub use error::CaptureError;
pub use format::{CaptureFormat, ReceiverKind};
pub use headers::CaptureHeaders;
pub use otlp_json::write_otlp_json_line;
pub use summary::{summarize, Summary};

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

/// Read, detect (unless `forced`) and decode the whole capture at `path` into memory.
/// The replay streams instead ([`source::CaptureSource`]); this is for small captures and tests.
pub fn load_capture(path: &Path, forced: Option<CaptureFormat>) -> Result<Capture, CaptureError> {
    collect(source::CaptureSource::open(path, forced)?)
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
    collect(source::CaptureSource::new(
        name,
        bytes,
        forced,
        headers.cloned(),
    )?)
}

fn collect<R: std::io::Read>(mut src: source::CaptureSource<R>) -> Result<Capture, CaptureError> {
    let mut payloads = Vec::new();
    for req in src.by_ref() {
        payloads.push(req?.batch);
    }
    let format = src.format();
    let path = src.name().to_owned();
    let stats = src.into_stats();
    Ok(Capture {
        path,
        format,
        traces: stats.traces(),
        spans: stats.spans,
        payloads,
    })
}
