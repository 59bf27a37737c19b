//! Wiring verdicts against upstream's core test configs (EXPECTATIONS.md core rows), both as
//! written (their test-only `nop` components are not in contrib) and with `nop` replaced by
//! real components: receiver otlp, processor batch, exporter debug, connector forward,
//! extension zpages.

use otelcheck::config::{build_model, check_wiring, load_config_str, load_configs, LoadOptions};
use otelcheck::diag::{Diagnostic, Severity};
use std::path::PathBuf;

fn check_file(rel: &str) -> Vec<Diagnostic> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/config/upstream")
        .join(rel);
    let loaded = match load_configs(&[path], &LoadOptions::default()) {
        Ok(l) => l,
        Err(e) => return e,
    };
    run(&loaded)
}

fn check_text(text: &str) -> Vec<Diagnostic> {
    match load_config_str("t.yaml", text, &LoadOptions::default()) {
        Ok(l) => run(&l),
        Err(e) => e,
    }
}

fn run(loaded: &otelcheck::config::LoadedConfig) -> Vec<Diagnostic> {
    let (cfg, mut diags) = build_model(loaded);
    diags.extend(loaded.warnings.iter().cloned());
    if let Some(cfg) = cfg {
        diags.extend(check_wiring(&cfg));
    }
    for d in &diags {
        assert!(d.location.is_some(), "no location: {d:?}");
        assert!(d.help.is_some(), "no help: {d:?}");
    }
    diags
}

fn errors(diags: &[Diagnostic]) -> Vec<(&'static str, &str)> {
    diags
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .map(|d| (d.code, d.message.as_str()))
        .collect()
}

fn unknown_types(diags: &[Diagnostic]) -> Vec<&str> {
    let mut v: Vec<&str> = diags
        .iter()
        .filter(|d| d.code == "unknown-component")
        .filter_map(|d| {
            d.message
                .split("unknown type: \"")
                .nth(1)?
                .split('"')
                .next()
        })
        .collect();
    v.sort_unstable();
    v.dedup();
    v
}

/// Errors other than the unknown `nop`-style types.
fn other_errors(diags: &[Diagnostic]) -> Vec<(&'static str, &str)> {
    errors(diags)
        .into_iter()
        .filter(|(c, _)| *c != "unknown-component")
        .collect()
}

#[test]
fn invalid_references_missing_processor() {
    let expected =
        r#"service::pipelines::traces: references processor "invalid" which is not configured"#;
    for dir in ["core", "substituted"] {
        let d = check_file(&format!("{dir}/otelcol-invalid.yaml"));
        assert_eq!(
            other_errors(&d),
            [("undefined-component", expected)],
            "{dir}"
        );
        let at = d
            .iter()
            .find(|x| x.code == "undefined-component")
            .and_then(|x| x.location.clone())
            .unwrap();
        assert_eq!(
            (at.line, at.column),
            if dir == "core" { (14, 20) } else { (18, 20) }
        );
    }
    assert_eq!(
        unknown_types(&check_file("core/otelcol-invalid.yaml")),
        ["nop"]
    );
    assert!(unknown_types(&check_file("substituted/otelcol-invalid.yaml")).is_empty());
}

#[test]
fn invalid_components_reports_the_unknown_processor() {
    // The `nop` receiver and exporter are built into otelcol-contrib v0.156.0 (its manifest
    // lists `nopreceiver` and `nopexporter`), so only the processor is unknown.
    let d = check_file("core/otelcol-invalid-components.yaml");
    assert_eq!(unknown_types(&d), ["nosuchprocessor"]);
    let d = check_file("substituted/otelcol-invalid-components.yaml");
    assert_eq!(unknown_types(&d), ["nosuchprocessor"]);
    let msg = d
        .iter()
        .find(|x| x.code == "unknown-component")
        .map(|x| x.message.as_str());
    assert_eq!(
        msg,
        Some(r#"'processors' unknown type: "nosuchprocessor" for id: "nosuchprocessor""#)
    );
}

#[test]
fn invalid_telemetry_key() {
    for dir in ["core", "substituted"] {
        let d = check_file(&format!("{dir}/otelcol-invalid-telemetry.yaml"));
        assert_eq!(
            other_errors(&d),
            [(
                "invalid-config",
                "'service.telemetry' has invalid keys: unknown"
            )],
            "{dir}"
        );
    }
}

#[test]
fn connector_used_only_as_receiver() {
    let expected = r#"connector "nop/connector1" used as receiver in [logs/in2] pipeline but not used in any supported exporter pipeline"#;
    assert_eq!(
        other_errors(&check_file(
            "core/otelcol-invalid-connector-unused-exp.yaml"
        )),
        [("invalid-pipeline", expected)]
    );
    let d = check_file("substituted/otelcol-invalid-connector-unused-exp.yaml");
    assert_eq!(
        other_errors(&d),
        [(
            "invalid-pipeline",
            expected.replace("nop/", "forward/").as_str()
        )]
    );
}

#[test]
fn connector_used_only_as_exporter() {
    let expected = r#"connector "nop/connector1" used as exporter in [logs/in2] pipeline but not used in any supported receiver pipeline"#;
    assert_eq!(
        other_errors(&check_file(
            "core/otelcol-invalid-connector-unused-rec.yaml"
        )),
        [("invalid-pipeline", expected)]
    );
    let d = check_file("substituted/otelcol-invalid-connector-unused-rec.yaml");
    assert_eq!(
        other_errors(&d),
        [(
            "invalid-pipeline",
            expected.replace("nop/", "forward/").as_str()
        )]
    );
}

#[test]
fn cyclic_connector() {
    let expected = r#"cycle detected: connector "nop/forward" (traces to traces) -> connector "nop/forward" (traces to traces)"#;
    assert_eq!(
        other_errors(&check_file("core/otelcol-cyclic-connector.yaml")),
        [("invalid-pipeline", expected)]
    );
    let d = check_file("substituted/otelcol-cyclic-connector.yaml");
    let sub = expected.replace("nop/forward", "forward/forward");
    assert_eq!(other_errors(&d), [("invalid-pipeline", sub.as_str())]);
}

#[test]
fn valid_files_have_no_other_errors() {
    for f in [
        "otelcol-valid-connector-use.yaml",
        "otelcol-otelconftelemetry.yaml",
    ] {
        assert_eq!(
            other_errors(&check_file(&format!("core/{f}"))),
            [],
            "core/{f}"
        );
        assert_eq!(
            errors(&check_file(&format!("substituted/{f}"))),
            [],
            "substituted/{f}"
        );
    }
    // `nop` as-is: only the unknown type
    assert_eq!(other_errors(&check_file("core/otelcol-nop.yaml")), []);
    assert_eq!(unknown_types(&check_file("core/otelcol-nop.yaml")), ["nop"]);
}

#[test]
fn log_to_file_is_valid_with_an_unset_variable() {
    let d = check_file("core/otelcol-log-to-file.yaml");
    assert_eq!(errors(&d), []);
    let warn: Vec<_> = d
        .iter()
        .map(|x| (x.code, x.location.as_ref().map(|l| l.line)))
        .collect();
    assert_eq!(warn, [("unset-variable", Some(20))]);
}

#[test]
fn secure_tracing_example_is_valid() {
    assert_eq!(check_file("examples/secure-tracing.yaml"), []);
}

#[test]
fn forward_connector_cannot_turn_traces_into_logs() {
    // otelcol-nop.yaml wires nop/con traces -> logs; `forward` only keeps the signal.
    let d = check_file("substituted/otelcol-nop.yaml");
    let errs = other_errors(&d);
    assert!(errs.contains(&("invalid-pipeline", r#"connector "forward/con" used as exporter in [traces] pipeline but not used in any supported receiver pipeline"#)), "{errs:?}");
    assert!(errs.contains(&("invalid-pipeline", r#"connector "forward/con" used as receiver in [logs] pipeline but not used in any supported exporter pipeline"#)), "{errs:?}");
}

#[test]
fn statuswatcher_needs_test_only_components() {
    let d = check_file("substituted/otelcol-statuswatcher.yaml");
    assert_eq!(unknown_types(&d), ["statuswatcher", "unhealthy"]);
    assert_eq!(other_errors(&d), []);
}

#[test]
fn receiver_type_from_test_factories() {
    let d = check_file("core/otelcol-invalid-receiver-type.yaml");
    assert_eq!(unknown_types(&d), ["nop", "nop_logs"]);
}

const BASE: &str = "receivers:\n  otlp:\nexporters:\n  debug:\nprocessors:\n  batch:\n";

#[test]
fn pipeline_rules() {
    let d = check_text(&format!(
        "{BASE}service:\n  pipelines:\n    traces:\n      processors: [batch, batch]\n"
    ));
    let errs = errors(&d);
    assert!(errs.contains(&(
        "invalid-pipeline",
        "service::pipelines::traces: must have at least one receiver"
    )));
    assert!(errs.contains(&(
        "invalid-pipeline",
        "service::pipelines::traces: must have at least one exporter"
    )));
    assert!(errs.contains(&(
        "invalid-pipeline",
        r#"service::pipelines::traces: references processor "batch" multiple times"#
    )));
    let d = check_text(&format!("{BASE}service:\n  pipelines: {{}}\n"));
    assert_eq!(
        errors(&d),
        [(
            "invalid-pipeline",
            "service::pipelines: service must have at least one pipeline"
        )]
    );
    let d = check_text(&format!("{BASE}service:\n  pipelines:\n    foo:\n      receivers: [otlp]\n      exporters: [debug]\n"));
    assert_eq!(
        errors(&d),
        [(
            "invalid-pipeline",
            r#"service::pipelines: in "foo" id: unknown pipeline signal: "foo""#
        )]
    );
}

#[test]
fn section_and_key_checks() {
    let d = check_text("processors:\n  batch:\nservice:\n  pipelines:\n    traces:\n      receivers: [otlp]\n      exporters: [debug]\n");
    let errs = errors(&d);
    assert!(
        errs.contains(&(
            "invalid-config",
            "no receiver configuration specified in config"
        )),
        "{errs:?}"
    );
    assert!(
        errs.contains(&(
            "invalid-config",
            "no exporter configuration specified in config"
        )),
        "{errs:?}"
    );
    let d = check_text(&format!("{BASE}foo: 1\nservice:\n  bogus: 1\n  pipelines:\n    traces:\n      receivers: [otlp]\n      exporters: [debug]\n"));
    let errs = errors(&d);
    assert!(
        errs.contains(&(
            "invalid-config",
            "'otelcol.configSettings' has invalid keys: foo"
        )),
        "{errs:?}"
    );
    assert!(
        errs.contains(&("invalid-config", "'service' has invalid keys: bogus")),
        "{errs:?}"
    );
    let d = check_text("receivers:\n  otlp:\nexporters:\n  debug/:\n  debug:\nservice:\n  extensions: [health_check]\n  pipelines:\n    traces:\n      receivers: [otlp]\n      exporters: [debug]\n");
    let errs = errors(&d);
    assert!(
        errs.contains(&(
            "invalid-config",
            r#"'exporters' in "debug/" id: the part after / should not be empty"#
        )),
        "{errs:?}"
    );
    assert!(
        errs.contains(&(
            "undefined-component",
            r#"service::extensions: references extension "health_check" which is not configured"#
        )),
        "{errs:?}"
    );
}

#[test]
fn unknown_types_get_a_suggestion() {
    let d = check_text(&format!("{BASE}  atributes:\nservice:\n  pipelines:\n    traces:\n      receivers: [otlp]\n      processors: [atributes]\n      exporters: [debug]\n"));
    let u = d.iter().find(|x| x.code == "unknown-component").unwrap();
    assert!(
        u.help
            .as_deref()
            .unwrap_or("")
            .contains("did you mean \"attributes\""),
        "{:?}",
        u.help
    );
    assert_eq!(
        u.location.as_ref().map(|l| (l.line, l.column)),
        Some((7, 3))
    );
}

#[test]
fn unused_components_warn() {
    let d = check_text("receivers:\n  otlp:\n  otlp/2:\nexporters:\n  debug:\nextensions:\n  zpages:\nservice:\n  pipelines:\n    traces:\n      receivers: [otlp]\n      exporters: [debug]\n");
    let warns: Vec<_> = d
        .iter()
        .filter(|x| x.severity == Severity::Warning)
        .map(|x| (x.code, x.message.as_str()))
        .collect();
    assert_eq!(
        warns,
        [
            (
                "unused-component",
                r#"receiver "otlp/2" is configured but not used in any pipeline"#
            ),
            (
                "unused-component",
                r#"extension "zpages" is configured but not enabled in service.extensions"#
            )
        ]
    );
}

#[test]
fn signal_support_and_shared_processors() {
    let text = "receivers:\n  otlp:\n  zipkin:\nexporters:\n  debug:\nprocessors:\n  span:\n  batch:\nservice:\n  pipelines:\n    traces:\n      receivers: [otlp, zipkin]\n      processors: [batch, span]\n      exporters: [debug]\n    logs:\n      receivers: [zipkin]\n      processors: [batch, span]\n      exporters: [debug]\n";
    let d = check_text(text);
    let errs = errors(&d);
    assert_eq!(
        errs,
        [
            (
                "invalid-pipeline",
                r#"failed to create "zipkin" receiver for data type "logs": telemetry type is not supported"#
            ),
            (
                "invalid-pipeline",
                r#"failed to create "span" processor, in pipeline "logs": telemetry type is not supported"#
            ),
        ]
    );
}

#[test]
fn ambiguous_connector_id() {
    let d = check_text("receivers:\n  otlp:\nexporters:\n  debug:\nconnectors:\n  debug:\nservice:\n  pipelines:\n    traces:\n      receivers: [otlp]\n      exporters: [debug]\n");
    assert!(errors(&d).iter().any(|(c, m)| *c == "invalid-config" && m.starts_with(r#"connectors::debug: ambiguous ID: Found both "debug" exporter and "debug" connector"#)), "{d:?}");
}

#[test]
fn spanmetrics_connector_turns_traces_into_metrics() {
    let text = "receivers:\n  otlp:\nexporters:\n  debug:\nconnectors:\n  spanmetrics:\nservice:\n  pipelines:\n    traces:\n      receivers: [otlp]\n      exporters: [spanmetrics]\n    metrics:\n      receivers: [spanmetrics]\n      exporters: [debug]\n";
    assert_eq!(errors(&check_text(text)), []);
}

#[test]
fn cycle_through_processors_names_them() {
    let text = "receivers:\n  otlp:\nexporters:\n  debug:\nprocessors:\n  batch:\nconnectors:\n  forward:\nservice:\n  pipelines:\n    traces:\n      receivers: [otlp, forward]\n      processors: [batch]\n      exporters: [forward, debug]\n";
    let d = check_text(text);
    let errs = other_errors(&d);
    assert_eq!(
        errs,
        [(
            "invalid-pipeline",
            r#"cycle detected: connector "forward" (traces to traces) -> processor "batch" in pipeline "traces" -> connector "forward" (traces to traces)"#
        )]
    );
}
