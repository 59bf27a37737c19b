//! Stable finding codes (see `shared/spec/cli.md`) and THE table that documents them.
//!
//! CI systems parse these identifiers: never rename or reuse one. Every code has exactly one
//! [`CodeDoc`] row in [`TABLE`]; `otelcheck rule CODE`, `otelcheck rules`, the SARIF rule
//! metadata and the README's code list are all generated from it, and a test checks that no
//! code lacks documentation.

use super::Severity;

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
pub const MORE_SPANS_DROPPED: &str = "more-spans-dropped";
pub const SENSITIVE_DATA_EXPOSED: &str = "sensitive-data-exposed";
pub const PIPELINE_REMOVED: &str = "pipeline-removed";
pub const PIPELINE_ADDED: &str = "pipeline-added";
pub const TRACE_SPLIT: &str = "trace-split";
pub const TEST_FAILED: &str = "test-failed";

// --- additions beyond the spec's list (allowed by the contract) ---
/// A capture that cannot be read or decoded (exit 2).
pub const INVALID_CAPTURE: &str = "invalid-capture";
/// A dry run that replayed nothing (no traces pipeline): passing it would be vacuous.
pub const NOTHING_REPLAYED: &str = "nothing-replayed";
/// A `filter` processor in a pipeline of a signal it has no rules for (only `metrics:` rules in
/// a traces pipeline): the collector accepts it and it passes everything.
pub const FILTER_WRONG_SIGNAL: &str = "filter-wrong-signal";
/// `diff`: HEAD's config would be refused by the collector at start, BASE's would not.
pub const CONFIG_REFUSED: &str = "config-refused";
/// `test`: a test file that cannot be read, parsed or run (exit 2).
pub const INVALID_TEST_FILE: &str = "invalid-test-file";
/// `.otelcheck.yaml` cannot be read, or has a key or value otelcheck does not take (exit 2).
pub const INVALID_PROJECT_FILE: &str = "invalid-project-file";
/// A sampler kept a share of traces further from its configured percentage than binomial
/// chance allows (trace ids that are not random, or too few traces to judge are excluded).
pub const SAMPLING_RATIO_SKEW: &str = "sampling-ratio-skew";

/// One row of the code table: everything a user needs to understand a finding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CodeDoc {
    pub code: &'static str,
    pub severity: Severity,
    /// One line: what the finding says.
    pub summary: &'static str,
    /// Why it matters (a short paragraph).
    pub why: &'static str,
    /// A config fragment (or command) that triggers it.
    pub example: &'static str,
    /// How to fix or what to write instead.
    pub fix: &'static str,
}

/// The documentation of `code`, when it is a known code.
pub fn lookup(code: &str) -> Option<&'static CodeDoc> {
    TABLE.iter().find(|d| d.code == code)
}

/// Every code, in the order the spec lists them.
pub const TABLE: &[CodeDoc] = &[
    CodeDoc {
        code: INVALID_OTTL,
        severity: Severity::Error,
        summary: "OTTL the collector's parser would reject",
        why: "The collector refuses to start when a statement or condition does not parse, calls \
              an unknown function, passes wrong arguments or names an unknown path.",
        example: "filter:\n  traces:\n    span:\n      - 'IsMatch(attributes[\"http.route\"])'",
        fix: "Write the statement as v0.156.0 accepts it, e.g. \
              `IsMatch(attributes[\"http.route\"], \"^/health\")`.",
    },
    CodeDoc {
        code: NON_UPSTREAM_SYNTAX,
        severity: Severity::Error,
        summary: "syntax otelcheck understands but the collector does not",
        why: "Operators such as `=~` and `!~` read naturally but the collector's OTTL grammar has \
              no such operator: the config would not load.",
        example: "span:\n  - 'attributes[\"http.route\"] =~ \"^/health\"'",
        fix: "Use the function form: `IsMatch(attributes[\"http.route\"], \"^/health\")` \
              (`not IsMatch(...)` for `!~`); `otelcheck validate --fix` rewrites it in place.",
    },
    CodeDoc {
        code: CATCH_ALL_RULE,
        severity: Severity::Error,
        summary: "a drop or sample rule that matches every span it tests, or a delete/redaction that removes (nearly) every attribute",
        why: "A rule that matches everything removes all the data of the pipeline (or of every \
              span carrying the attribute it tests) while the collector reports itself healthy. \
              The same goes for a delete or hash whose key pattern matches every key \
              (`pattern: .*`), a redaction without `allowed_keys`, and an allow-list that strips \
              most of the keys the capture carries: the spans survive, their content does not.",
        example: "span:\n  - 'IsMatch(attributes[\"http.target\"], \"/.*\")'",
        fix: "Anchor and narrow the pattern to what must go, e.g. \
              `attributes[\"http.route\"] == \"/health\"`; raise `--max-match-ratio` only for \
              rules meant to drop most spans.",
    },
    CodeDoc {
        code: SERVICE_LOST,
        severity: Severity::Error,
        summary: "a service present in the capture has no span left after a pipeline",
        why: "A whole service vanishing from traces is almost never intended and hard to notice \
              in production.",
        example: "span:\n  - 'resource.attributes[\"service.name\"] != \"checkout\"'",
        fix: "Narrow the rule that drops the service's spans (the dry-run table names it), or \
              add an `# otelcheck: ignore[service-lost]` comment if the drop is deliberate.",
    },
    CodeDoc {
        code: PIPELINE_DROPS_EVERYTHING,
        severity: Severity::Error,
        summary: "a pipeline exports no span at all from a non-empty capture",
        why: "The exporters would receive nothing: every trace of the pipeline is lost.",
        example: "span:\n  - 'true'",
        fix: "Find the processor whose `out` column falls to 0 in the dry-run table and narrow \
              its rules.",
    },
    CodeDoc {
        code: DEAD_RULE,
        severity: Severity::Warning,
        summary: "a rule that matched no span",
        why: "A rule that never matches usually tests an attribute under a name the data does not \
              use (e.g. `http.target` where the DataDog receiver writes `http.route`).",
        example: "span:\n  - 'attributes[\"http.target\"] == \"/health\"'",
        fix: "Use the key the capture carries (the finding lists the closest existing keys), or \
              delete the rule.",
    },
    CodeDoc {
        code: UNKNOWN_COMPONENT,
        severity: Severity::Error,
        summary: "a component type the collector does not know",
        why: "The collector refuses to start on an unknown receiver, processor, exporter, \
              connector or extension type.",
        example: "processors:\n  fliter: {}",
        fix: "Use a component type that collector-contrib v0.156.0 ships (the finding suggests \
              the closest one).",
    },
    CodeDoc {
        code: UNDEFINED_COMPONENT,
        severity: Severity::Error,
        summary: "a pipeline names a component that is not defined",
        why: "The collector refuses to start when a pipeline references an id missing from its \
              section.",
        example: "service:\n  pipelines:\n    traces:\n      processors: [batch/missing]",
        fix: "Define the component under its section, or fix the id in the pipeline.",
    },
    CodeDoc {
        code: UNUSED_COMPONENT,
        severity: Severity::Warning,
        summary: "a component defined but used by no pipeline",
        why: "It is never built, so its settings have no effect; often a typo in a pipeline.",
        example: "processors:\n  filter/health: {...}   # in no pipeline",
        fix: "Add it to the pipeline it was meant for, or delete it.",
    },
    CodeDoc {
        code: UNSUPPORTED_COMPONENT,
        severity: Severity::Warning,
        summary: "a component otelcheck cannot emulate; spans pass through it unchanged",
        why: "Its settings are validated, but the dry-run counts after it do not include what it \
              would do.",
        example: "processors:\n  spanmetrics: {}",
        fix: "Nothing to fix in the config; read the dry-run numbers after this processor with \
              that in mind.",
    },
    CodeDoc {
        code: EVALUATION_ERROR,
        severity: Severity::Warning,
        summary: "a rule raised errors on some spans",
        why: "Depending on `error_mode` the collector ignores the rule for those spans, or drops \
              the whole request (`propagate`).",
        example: "span:\n  - 'Int(attributes[\"http.status\"]) > 499'",
        fix: "Guard the rule (e.g. `attributes[\"x\"] != nil and ...`) or set `error_mode` \
              deliberately.",
    },
    CodeDoc {
        code: SENSITIVE_DATA_EXPORTED,
        severity: Severity::Warning,
        summary: "exported spans still carry values that look like credentials, cards or e-mails",
        why: "Whatever the exporters receive is stored by the tracing backend.",
        example: "# a span attribute http.request.header.authorization: Bearer ...",
        fix: "Delete, hash or redact the attribute with an `attributes`, `transform` or \
              `redaction` processor.",
    },
    CodeDoc {
        code: INVALID_CONFIG,
        severity: Severity::Error,
        summary: "a file that is not a readable collector config",
        why: "Missing files, broken YAML and documents that are not a mapping stop the collector \
              (and otelcheck: exit 2).",
        example: "receivers:\n  otlp:\n   protocols: [",
        fix: "Fix the YAML at the position shown.",
    },
    CodeDoc {
        code: INVALID_SETTING,
        severity: Severity::Error,
        summary: "component settings the collector rejects",
        why: "An unknown key, a wrong type or an out-of-range value stops the collector at start.",
        example: "filter:\n  error_mod: ignore",
        fix: "Use the key and value type the component documents (the finding suggests the \
              closest key).",
    },
    CodeDoc {
        code: INVALID_PIPELINE,
        severity: Severity::Error,
        summary: "pipeline wiring the collector rejects",
        why: "A pipeline without receivers or exporters, a misused connector or a cycle stops the \
              collector at start.",
        example: "service:\n  pipelines:\n    traces:\n      receivers: [otlp]",
        fix: "Give every pipeline at least one receiver and one exporter of its signal.",
    },
    CodeDoc {
        code: UNSET_VARIABLE,
        severity: Severity::Warning,
        summary: "a ${env:VAR} reference to a variable that is not set",
        why: "It expands to an empty string, as in the collector, which silently changes rules.",
        example: "span:\n  - 'attributes[\"env\"] == \"${env:DEPLOY_ENV}\"'",
        fix: "Set the variable, pass `--set VAR=value`, or write a default: `${env:VAR:-prod}`.",
    },
    CodeDoc {
        code: UNROUTED_CAPTURE,
        severity: Severity::Warning,
        summary: "no traces pipeline has a receiver of the capture's kind",
        why: "The collector would never see this traffic; otelcheck replays it through every \
              traces pipeline instead, which may not be what production does.",
        example: "# a DataDog capture, but the pipeline only has an `otlp` receiver",
        fix: "Add a receiver of the capture's kind (`datadog` or `otlp`) to the traces pipeline.",
    },
    CodeDoc {
        code: MORE_SPANS_DROPPED,
        severity: Severity::Error,
        summary: "diff: HEAD exports fewer spans than BASE beyond --max-extra-drop",
        why: "The change loses data the current config keeps.",
        example: "otelcheck diff main.yaml pr.yaml capture.msgpack",
        fix: "Check the rules the diff lists as changed; raise --max-extra-drop if intended.",
    },
    CodeDoc {
        code: SENSITIVE_DATA_EXPOSED,
        severity: Severity::Error,
        summary: "diff: HEAD newly exports a value that BASE removed or masked",
        why: "The change would ship credentials or personal data to the backend.",
        example: "# BASE deletes http.request.header.authorization, HEAD does not",
        fix: "Keep the delete/hash/redact rule of BASE.",
    },
    CodeDoc {
        code: PIPELINE_REMOVED,
        severity: Severity::Error,
        summary: "diff: a pipeline present in BASE is missing from HEAD",
        why: "Everything that pipeline exported is lost.",
        example: "# BASE has traces/tempo, HEAD does not",
        fix: "Keep the pipeline, or accept the finding with --ignore pipeline-removed.",
    },
    CodeDoc {
        code: PIPELINE_ADDED,
        severity: Severity::Info,
        summary: "diff: a pipeline only in HEAD",
        why: "Informational: new data flows.",
        example: "# HEAD adds traces/debug",
        fix: "Nothing to fix.",
    },
    CodeDoc {
        code: TRACE_SPLIT,
        severity: Severity::Warning,
        summary: "a trace's spans are spread wider than a tail sampler's decision_wait",
        why: "The real collector decides on part of the trace, so sampling differs from the \
              dry run.",
        example: "tail_sampling:\n  decision_wait: 1s   # spans of one trace arrive 5 s apart",
        fix: "Raise decision_wait above the trace's spread.",
    },
    CodeDoc {
        code: TEST_FAILED,
        severity: Severity::Error,
        summary: "test: an expectation did not hold",
        why: "The config does not do what its test file says it must.",
        example: "expect:\n  - dropped: [{name: GET /health}]",
        fix: "Fix the config or the expectation; the failure shows the spans involved.",
    },
    CodeDoc {
        code: INVALID_CAPTURE,
        severity: Severity::Error,
        summary: "a capture that cannot be read or decoded",
        why: "Nothing can be replayed from it (exit 2).",
        example: "otelcheck dry-run c.yaml missing.msgpack",
        fix: "Check the path; if the file is valid but detected wrongly, pass --capture-format.",
    },
    CodeDoc {
        code: NOTHING_REPLAYED,
        severity: Severity::Warning,
        summary: "a dry run replayed nothing: the config has no traces pipeline",
        why: "A run that replays no span cannot find anything, so its pass would be vacuous.",
        example: "service:\n  pipelines:\n    metrics: {...}   # and no traces pipeline",
        fix: "Add a traces pipeline (with a receiver of the capture's kind), or run \
              `otelcheck validate` instead of `dry-run`.",
    },
    CodeDoc {
        code: FILTER_WRONG_SIGNAL,
        severity: Severity::Warning,
        summary: "a filter with no rules for the signal of the pipeline it sits in",
        why: "The collector accepts a filter whose only rules are for another signal (say \
              `metrics:` rules in a traces pipeline), and that filter passes everything: the \
              drop the author meant never happens.",
        example: "filter/drop:\n  metrics:\n    metric: ['name == \"x\"']\n# used in service.pipelines.traces",
        fix: "Write the rules for the pipeline's signal (`traces:` / `trace_conditions:`), or \
              move the filter to the pipeline whose signal its rules are for.",
    },
    CodeDoc {
        code: CONFIG_REFUSED,
        severity: Severity::Error,
        summary: "diff: the collector would refuse HEAD's config at start, not BASE's",
        why: "A collector that does not start exports nothing: whatever the dry run shows HEAD's \
              rules doing, deploying HEAD loses every span BASE exported.",
        example: "# HEAD: filter rule 'attributes[\"http.target\"] =~ \"/.*\"' (=~ is not OTTL)",
        fix: "Fix HEAD's error-level findings (`otelcheck validate HEAD` lists them).",
    },
    CodeDoc {
        code: INVALID_TEST_FILE,
        severity: Severity::Error,
        summary: "test: a test file that cannot be read, parsed or run",
        why: "Its tests cannot run, so nothing they promise is checked (exit 2).",
        example: "tests:\n  - name: x\n    expect:\n      - droped: [{name: GET /health}]   # unknown key",
        fix: "Fix the file at the position shown; the README section \"Test files\" lists every key.",
    },
    CodeDoc {
        code: INVALID_PROJECT_FILE,
        severity: Severity::Error,
        summary: "the project file .otelcheck.yaml cannot be read or has a key or value otelcheck does not take",
        why: "The project file sets defaults for flags and per-file ignores for every run in the \
              repository; a typo in it would silently change what fails, so the run stops (exit 2).",
        example: "# .otelcheck.yaml\nfail_on: warning   # the key is fail-on",
        fix: "Fix the key or value at the position shown (keys: fail-on, ignore, select, \
              max-match-ratio, max-extra-drop, format, color, per-file-ignores), or pass \
              --no-config-file to skip the file.",
    },
    CodeDoc {
        code: SAMPLING_RATIO_SKEW,
        severity: Severity::Warning,
        summary: "a sampler's observed keep ratio differs from its percentage beyond chance",
        why: "Hash-based samplers keep a configured share of traces only when trace ids are \
              random. A share more than 4 standard deviations away from the percentage means \
              the ids are not (sequential or partly constant ids, a proxy that rewrites them), \
              so the sampled volume in production will not be what the config says.",
        example: "probabilistic_sampler:\n  sampling_percentage: 10   # kept 0 of 500 traces",
        fix: "Check how the trace ids are generated; sample on randomness that is random \
              (W3C random trace-id flag, or `mode: proportional` with an `rv` value).",
    },
];

/// The closest known code to `typo`, for "did you mean".
pub fn closest(typo: &str) -> Option<&'static str> {
    TABLE
        .iter()
        .map(|d| (strsim::jaro_winkler(typo, d.code), d.code))
        .filter(|(score, _)| *score > 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, code)| code)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_is_documented_once() {
        let mut seen = std::collections::HashSet::new();
        for d in TABLE {
            assert!(seen.insert(d.code), "{} twice", d.code);
            for (what, text) in [
                ("summary", d.summary),
                ("why", d.why),
                ("example", d.example),
                ("fix", d.fix),
            ] {
                assert!(!text.trim().is_empty(), "{} has no {what}", d.code);
            }
        }
    }

    #[test]
    fn every_code_used_in_the_sources_has_a_row() {
        // Scan this file's constants: each `pub const X: &str = "code"` must be in the table.
        let me = include_str!("codes.rs");
        for line in me
            .lines()
            .filter(|l| l.starts_with("pub const ") && l.contains(": &str"))
        {
            let code = line.split('"').nth(1).unwrap_or_default();
            assert!(lookup(code).is_some(), "{code} has no documentation row");
        }
    }

    #[test]
    fn closest_suggests_a_near_code() {
        assert_eq!(closest("dead-rules"), Some(DEAD_RULE));
        assert_eq!(closest("zzzz"), None);
    }
}
