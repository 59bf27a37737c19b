//! The report every command produces, as data, plus one renderer per output format.
//!
//! Field names are the JSON contract of `shared/spec/cli.md` (`"schema": 1`): add fields
//! freely, never rename or drop one.

pub mod accounting;
pub mod diff_view;
pub mod dropped;
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
    pub pipelines: Vec<ConfigPipeline>,
    pub findings: Vec<Finding>,
    /// `--show-diff`: per rewriting processor, a unified diff of a few changed spans.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub diffs: Vec<diff_view::ProcessorDiff>,
    pub summary: Summary,
    /// `pass`, `fail` (something at or above the --fail-on threshold) or `error` (could not
    /// run: the findings say why).
    pub verdict: &'static str,
}

/// Counts over the findings kept, plus how many were suppressed (so none vanish silently).
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct Summary {
    pub errors: usize,
    pub warnings: usize,
    pub infos: usize,
    pub suppressed: usize,
}

/// A pipeline's report with the config it belongs to (several independent configs can be
/// checked in one run). Serialised flat: `{"config": ..., "id": ..., ...}`.
#[derive(Debug, Clone, Serialize)]
pub struct ConfigPipeline {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub config: Option<String>,
    #[serde(flatten)]
    pub pipeline: PipelineReport,
}

impl std::ops::Deref for ConfigPipeline {
    type Target = PipelineReport;
    fn deref(&self) -> &PipelineReport {
        &self.pipeline
    }
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
    /// OTLP JSON objects of other signals (metrics, logs lines of a collector file-exporter
    /// dump) that were skipped; only in the report when there were some.
    #[serde(skip_serializing_if = "is_zero_usize")]
    pub skipped_other_signals: usize,
}

fn is_zero_usize(n: &usize) -> bool {
    *n == 0
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
    /// Samplers and `groupbytrace`: distinct trace ids handed to the processor.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub traces_in: Option<u64>,
    /// Samplers and `groupbytrace`: distinct trace ids it released (a trace counts once,
    /// even when part of it was dropped).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub traces_out: Option<u64>,
    /// Tail samplers: their final decisions, one per trace decided.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub trace_decisions: Option<TraceDecisions>,
}

/// A tail sampler's final decisions (`evicted`: pushed out by `num_traces` undecided).
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct TraceDecisions {
    pub sampled: u64,
    pub not_sampled: u64,
    pub dropped: u64,
    pub evicted: u64,
}

/// One top-level tail-sampling policy's verdicts on the traces it evaluated.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct PolicyCounts {
    pub traces_sampled: u64,
    pub traces_not_sampled: u64,
    /// `invert_match` policies: traces not sampled because the inverted match found the value
    /// (v0.156.0 returns a plain "not sampled", so other policies may still sample them).
    pub traces_inverted: u64,
    pub traces_dropped: u64,
    /// Kept traces this policy decided: the first policy to sample them.
    pub traces_decided: u64,
}

#[derive(Debug, Clone, Default, Serialize)]
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
    /// Rewriting rules: how many changes they made (one per field per span or resource).
    #[serde(skip_serializing_if = "is_zero64")]
    pub edits: u64,
    /// Rewriting rules: spans with at least one change (resource-level changes not counted).
    #[serde(skip_serializing_if = "is_zero64")]
    pub spans_changed: u64,
    /// Rewriting rules: the fields they touched, with how many changes each.
    #[serde(skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub fields: std::collections::BTreeMap<String, u64>,
    /// Top-level tail-sampling policies: traces per verdict.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub policy: Option<PolicyCounts>,
    /// Dropping rules: the most frequent span names among all the spans they dropped.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub dropped_names: Vec<DroppedValue>,
    /// Dropping rules: the most frequent services among all the spans they dropped.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub dropped_services: Vec<DroppedValue>,
}

/// A span name or service and how many of a rule's dropped spans had it.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct DroppedValue {
    pub value: String,
    pub spans: u64,
}

/// A tail sampler's decisions in words (text and markdown reports).
pub(crate) fn decisions_text(d: &TraceDecisions) -> String {
    format!(
        "decided {} sampled, {} not sampled, {} dropped, {} evicted",
        d.sampled, d.not_sampled, d.dropped, d.evicted
    )
}

/// A policy's verdicts in words (text and markdown reports).
pub(crate) fn policy_text(c: &PolicyCounts) -> String {
    format!(
        "traces sampled {}, not sampled {}, inverted {}, dropped {}; decided {} kept",
        c.traces_sampled,
        c.traces_not_sampled,
        c.traces_inverted,
        c.traces_dropped,
        c.traces_decided
    )
}

#[allow(clippy::trivially_copy_pass_by_ref)] // serde's skip_serializing_if passes a reference
fn is_zero64(n: &u64) -> bool {
    *n == 0
}

/// One example span (ids in hex, service, name).
pub use crate::processors::api::Example;

/// `line`/`column` are absent when the finding is about a whole file (e.g. it cannot be read).
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct JsonLocation {
    pub file: String,
    #[serde(skip_serializing_if = "is_zero")]
    pub line: u32,
    #[serde(skip_serializing_if = "is_zero")]
    pub column: u32,
}

#[allow(clippy::trivially_copy_pass_by_ref)] // serde's skip_serializing_if passes a reference
fn is_zero(n: &u32) -> bool {
    *n == 0
}

impl JsonLocation {
    /// Whether this names a position inside the file (not just the file).
    pub fn has_position(&self) -> bool {
        self.line > 0
    }
}

impl std::fmt::Display for JsonLocation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.has_position() {
            write!(f, "{}:{}:{}", self.file, self.line, self.column)
        } else {
            f.write_str(&self.file)
        }
    }
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
    /// The config this finding belongs to (absent for findings about captures or the run).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub config: Option<String>,
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
            config: None,
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
            diffs: Vec::new(),
            summary: Summary::default(),
            verdict: "pass",
        }
    }

    /// Set the summary counts and the verdict from the findings and the failure threshold;
    /// returns whether it failed. `suppressed` is how many findings were filtered out.
    pub fn decide(&mut self, fail_on: Severity, suppressed: usize) -> bool {
        let count = |s: Severity| self.findings.iter().filter(|f| f.severity == s).count();
        self.summary = Summary {
            errors: count(Severity::Error),
            warnings: count(Severity::Warning),
            infos: count(Severity::Info),
            suppressed,
        };
        let failed = self.findings.iter().any(|f| f.severity >= fail_on);
        self.verdict = if failed { "fail" } else { "pass" };
        failed
    }

    /// Mark the run as one that could not complete (exit 2); the findings say why.
    pub fn set_error(&mut self) {
        self.verdict = "error";
    }
}
