//! Request headers recorded next to a capture (`<capture>.headers.json`).
//!
//! The datadog receiver takes the tracer version, language and runtime version from HTTP
//! headers, not from the body, so a faithful translation needs them. `otelcheck record` and the
//! shared captures write a sidecar listing each payload's byte offset, length, path and
//! headers. Without a sidecar every header is treated as absent, which is what the receiver
//! sees from a client that sends none: the resource then lacks `telemetry.sdk.version`,
//! `telemetry.sdk.language` and `process.runtime.version`, and the scope version is empty.

use std::path::Path;

/// The headers one payload arrived with.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PayloadHeaders {
    pub offset: u64,
    pub length: u64,
    pub path: String,
    pub headers: Vec<(String, String)>,
    /// Arrival time, as `otelcheck record` writes it.
    pub received_unix_nano: Option<u64>,
}

impl PayloadHeaders {
    /// Like Go's `http.Header.Get`: case-insensitive name, first value, "" when absent.
    pub fn get(&self, name: &str) -> &str {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map_or("", |(_, v)| v.as_str())
    }
}

/// All payload headers of one capture, looked up by the payload's byte offset.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CaptureHeaders {
    pub payloads: Vec<PayloadHeaders>,
}

impl CaptureHeaders {
    /// Headers of the payload whose body starts at `offset`, if the sidecar lists it.
    pub fn at_offset(&self, offset: u64) -> Option<&PayloadHeaders> {
        self.payloads.iter().find(|p| p.offset == offset)
    }

    /// Read `<capture>.headers.json` beside `capture`; `None` when absent or unreadable (a
    /// broken sidecar must not make a good capture unusable; headers then count as absent).
    pub fn for_capture(capture: &Path) -> Option<Self> {
        let mut name = capture.file_name()?.to_os_string();
        name.push(".headers.json");
        let text = std::fs::read_to_string(capture.with_file_name(name)).ok()?;
        Self::parse(&text)
    }

    pub fn parse(text: &str) -> Option<Self> {
        let root: serde_json::Value = serde_json::from_str(text).ok()?;
        let payloads = root
            .get("payloads")?
            .as_array()?
            .iter()
            .filter_map(parse_payload)
            .collect();
        Some(Self { payloads })
    }
}

fn parse_payload(v: &serde_json::Value) -> Option<PayloadHeaders> {
    let headers = v
        .get("headers")
        .and_then(|h| h.as_array())
        .map(|pairs| {
            pairs
                .iter()
                .filter_map(|pair| {
                    let k = pair.get(0)?.as_str()?;
                    let val = pair.get(1)?.as_str()?;
                    Some((k.to_string(), val.to_string()))
                })
                .collect()
        })
        .unwrap_or_default();
    Some(PayloadHeaders {
        offset: v.get("offset")?.as_u64()?,
        length: v.get("length").and_then(|l| l.as_u64()).unwrap_or(0),
        path: v
            .get("path")
            .and_then(|p| p.as_str())
            .unwrap_or_default()
            .to_string(),
        headers,
        received_unix_nano: v
            .get("received_unix_nano")
            .and_then(serde_json::Value::as_u64),
    })
}
