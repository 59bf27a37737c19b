//! What the recorder tells the user: a live progress line and, once stopped, what it recorded
//! (payloads per endpoint, traces, spans, services).
//!
//! Every recorded body was decoded by the capture decoders before it was accepted, so the
//! counts come from those decoded payloads (services through `capture::summary`, after
//! DataDog translation, as `inspect` shows them). That holds for a recording that mixes
//! DataDog and OTLP payloads too.

use crate::capture::{summary::summarize_one, Capture};
use rustc_hash::FxHashSet as HashSet;
use std::collections::BTreeMap;
use std::fmt::Write as _;

/// Why the recorder stopped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StopReason {
    Interrupted,
    MaxPayloads(u64),
    Duration(std::time::Duration),
    Failed(String),
}

#[derive(Debug, Default)]
pub struct Tally {
    /// (payloads, bytes) per `METHOD /path`.
    endpoints: BTreeMap<String, (usize, u64)>,
    traces: HashSet<[u8; 16]>,
    spans: usize,
    services: BTreeMap<String, usize>,
    /// Requests answered with an error status, per status.
    refused: BTreeMap<u16, usize>,
}

impl Tally {
    pub fn add(&mut self, endpoint: String, bytes: usize, capture: &Capture) {
        let e = self.endpoints.entry(endpoint).or_default();
        e.0 += 1;
        e.1 += bytes as u64;
        self.spans += capture.spans;
        for (service, n) in summarize_one(capture).services {
            *self.services.entry(service).or_default() += n;
        }
        let ids = capture
            .payloads
            .iter()
            .flat_map(|b| &b.resource_spans)
            .flat_map(|rs| &rs.scope_spans)
            .flat_map(|ss| &ss.spans)
            .map(|s| s.trace_id);
        self.traces.extend(ids);
    }

    pub fn refused(&mut self, status: u16) {
        *self.refused.entry(status).or_default() += 1;
    }

    pub fn payloads(&self) -> usize {
        self.endpoints.values().map(|e| e.0).sum()
    }

    pub fn progress_line(&self) -> String {
        format!(
            "recorded {} payload(s), {} span(s) from {} service(s)",
            self.payloads(),
            self.spans,
            self.services.len()
        )
    }

    /// The closing report; `file` and `sidecar` are the paths written.
    pub fn render(&self, file: &str, sidecar: &str, bytes: u64, reason: &StopReason) -> String {
        let mut out = String::new();
        let why = match reason {
            StopReason::Interrupted => "interrupted".to_owned(),
            StopReason::MaxPayloads(n) => format!("--max-payloads {n} reached"),
            StopReason::Duration(d) => {
                format!("--duration {} elapsed", humantime::format_duration(*d))
            }
            StopReason::Failed(m) => format!("failed: {m}"),
        };
        let _ = writeln!(out, "otelcheck record stopped ({why}).");
        let _ = writeln!(
            out,
            "{file}: {} payload(s), {bytes} byte(s), {} trace(s), {} span(s); headers in {sidecar}",
            self.payloads(),
            self.traces.len(),
            self.spans
        );
        for (endpoint, (n, b)) in &self.endpoints {
            let _ = writeln!(out, "  {endpoint}: {n} payload(s), {b} byte(s)");
        }
        if !self.services.is_empty() {
            let _ = writeln!(out, "services (spans):");
            for (service, n) in &self.services {
                let name = if service.is_empty() {
                    "(no service.name)"
                } else {
                    service
                };
                let _ = writeln!(out, "  {name}: {n}");
            }
        }
        if !self.refused.is_empty() {
            let list: Vec<String> = self
                .refused
                .iter()
                .map(|(s, n)| format!("{s} ×{n}"))
                .collect();
            let _ = writeln!(out, "requests refused (not recorded): {}", list.join(", "));
        }
        if self.payloads() == 0 {
            let _ = writeln!(
                out,
                "nothing was recorded: point the tracer at the addresses above \
                 (DD_TRACE_AGENT_URL, OTEL_EXPORTER_OTLP_ENDPOINT)."
            );
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::capture::load_capture;
    use std::path::Path;

    #[test]
    fn counts_services_and_traces_across_payloads() {
        let fixture = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("fixtures/captures/orders-ddtrace-py-v04.first-payload.msgpack");
        let capture = load_capture(&fixture, None).unwrap();
        let mut t = Tally::default();
        t.add("PUT /v0.4/traces".into(), 730, &capture);
        t.add("PUT /v0.4/traces".into(), 730, &capture);
        t.refused(413);
        assert_eq!(t.payloads(), 2);
        assert_eq!(t.spans, 2 * capture.spans);
        // The same payload twice: its traces are counted once.
        assert_eq!(t.traces.len(), capture.traces);
        let text = t.render(
            "r.bin",
            "r.bin.headers.json",
            1460,
            &StopReason::MaxPayloads(2),
        );
        assert!(text.contains("--max-payloads 2 reached"), "{text}");
        assert!(
            text.contains("PUT /v0.4/traces: 2 payload(s), 1460 byte(s)"),
            "{text}"
        );
        assert!(text.contains("413 ×1"), "{text}");
    }
}
