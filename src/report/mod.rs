//! The report every command produces, as data, plus one renderer per output format.
//!
//! Field names are the JSON contract of `shared/spec/cli.md` (`"schema": 1`): add fields
//! freely, never rename or drop one.

pub mod github;
pub mod inspect;
pub mod json;
pub mod junit;
pub mod markdown;
pub mod rows;
pub mod sarif;
pub mod table;
pub mod text;

use crate::diag::{Diagnostic, Location, Severity};
use serde::Serialize;

pub const SCHEMA_VERSION: u32 = 1;

#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub schema: u32,
    pub tool: Tool,
    pub configs: Vec<String>,
    pub captures: Vec<CaptureInfo>,
    pub pipelines: Vec<PipelineReport>,
    pub findings: Vec<Finding>,
    /// `pass` or `fail` (fail = something at or above the --fail-on threshold).
    pub verdict: &'static str,
}

#[derive(Debug, Clone, Serialize)]
pub struct Tool {
    pub name: &'static str,
    pub version: &'static str,
}

impl Default for Tool {
    fn default() -> Self {
        Self {
            name: "otelcheck",
            version: env!("CARGO_PKG_VERSION"),
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct CaptureInfo {
    pub path: String,
    pub format: String,
    pub payloads: usize,
    pub traces: usize,
    pub spans: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct PipelineReport {
    pub id: String,
    pub spans_in: usize,
    pub spans_out: usize,
    pub services_in: Vec<String>,
    pub services_out: Vec<String>,
    pub processors: Vec<ProcessorReport>,
    pub exporters: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ProcessorReport {
    pub id: String,
    #[serde(rename = "type")]
    pub ty: String,
    pub emulated: bool,
    pub location: Option<JsonLocation>,
    pub spans_in: usize,
    pub spans_out: usize,
    pub rules: Vec<RuleReport>,
}

#[derive(Debug, Clone, Serialize)]
pub struct RuleReport {
    pub text: String,
    pub location: Option<JsonLocation>,
    pub action: &'static str,
    pub evaluated: u64,
    /// The rule alone was true.
    pub matched: u64,
    /// Spans this rule was the first to drop.
    pub dropped: u64,
    pub errors: u64,
    pub examples: Vec<Example>,
}

/// One example span (ids in hex, service, name).
pub use crate::processors::api::Example;

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct JsonLocation {
    pub file: String,
    pub line: u32,
    pub column: u32,
}

impl From<&Location> for JsonLocation {
    fn from(l: &Location) -> Self {
        Self {
            file: l.file.to_string(),
            line: l.line,
            column: l.column,
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Finding {
    pub code: &'static str,
    pub severity: Severity,
    pub message: String,
    pub location: Option<JsonLocation>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub help: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
}

impl From<&Diagnostic> for Finding {
    fn from(d: &Diagnostic) -> Self {
        let mut notes = d.notes.clone();
        notes.extend(
            d.labels
                .iter()
                .map(|l| format!("{}: {}", l.location, l.message)),
        );
        Self {
            code: d.code,
            severity: d.severity,
            message: d.message.clone(),
            location: d.location.as_ref().map(JsonLocation::from),
            help: d.help.clone(),
            notes,
        }
    }
}

impl Report {
    pub fn new(configs: Vec<String>) -> Self {
        Self {
            schema: SCHEMA_VERSION,
            tool: Tool::default(),
            configs,
            captures: Vec::new(),
            pipelines: Vec::new(),
            findings: Vec::new(),
            verdict: "pass",
        }
    }

    /// Set the verdict from the findings and the failure threshold; returns whether it failed.
    pub fn decide(&mut self, fail_on: Severity) -> bool {
        let failed = self.findings.iter().any(|f| f.severity >= fail_on);
        self.verdict = if failed { "fail" } else { "pass" };
        failed
    }
}
