//! Stable finding codes (see `shared/spec/cli.md`). CI systems parse these: never rename or
//! reuse one. Codes beyond the spec's list are additions, allowed by the contract.

// --- contract codes (spec) ---
pub const INVALID_OTTL: &str = "invalid-ottl";
pub const NON_UPSTREAM_SYNTAX: &str = "non-upstream-syntax";
pub const CATCH_ALL_RULE: &str = "catch-all-rule";
pub const SERVICE_LOST: &str = "service-lost";
pub const PIPELINE_DROPS_EVERYTHING: &str = "pipeline-drops-everything";
pub const DEAD_RULE: &str = "dead-rule";
pub const UNKNOWN_COMPONENT: &str = "unknown-component";
pub const UNDEFINED_COMPONENT: &str = "undefined-component";
pub const UNUSED_COMPONENT: &str = "unused-component";
pub const UNSUPPORTED_COMPONENT: &str = "unsupported-component";
pub const EVALUATION_ERROR: &str = "evaluation-error";
pub const SENSITIVE_DATA_EXPORTED: &str = "sensitive-data-exported";

// --- additions: config problems the collector itself rejects ---
/// Broken YAML, a missing file, a document that is not a collector config.
pub const INVALID_CONFIG: &str = "invalid-config";
/// A component's settings that the collector rejects (unknown key, wrong type, bad value,
/// a check the collector does when it builds the processor).
pub const INVALID_SETTING: &str = "invalid-setting";
/// Pipeline wiring the collector rejects (no receiver, no exporter, connector misuse, cycles).
pub const INVALID_PIPELINE: &str = "invalid-pipeline";
/// `${env:VAR}` that is not set: it expands to an empty string, as in the collector.
pub const UNSET_VARIABLE: &str = "unset-variable";
/// A capture that reaches no pipeline of its kind.
pub const UNROUTED_CAPTURE: &str = "unrouted-capture";
/// A `filter` processor in a pipeline of a signal it has no rules for (only `metrics:` rules in
/// a traces pipeline): the collector accepts it and it passes everything.
pub const FILTER_WRONG_SIGNAL: &str = "filter-wrong-signal";
