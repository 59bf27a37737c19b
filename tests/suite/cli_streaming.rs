//! End-to-end: the streaming engine — hostile and special capture files, OTLP JSON dumps that
//! mix signals, recordings framed by their sidecar, `--write-output` safety, and routing the
//! replay cannot follow. Every run is bounded in CPU time and memory by the harness.

use crate::common;
use common::bounded::otelcheck_bounded;
use common::*;
use std::path::Path;

fn seed_fixed() -> String {
    fixture("seed/fixed.yaml")
}

fn run(dir: &Path, args: &[&str]) -> Run {
    otelcheck_bounded(dir, args)
}

#[test]
fn a_file_of_nul_bytes_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("zeros.bin");
    std::fs::write(&f, vec![0u8; 64 * 1024]).unwrap();
    let r = run(dir.path(), &["dry-run", &seed_fixed(), f.to_str().unwrap()]);
    assert_eq!(r.code, 2, "{}{}", r.stdout, r.stderr);
    assert!(r.stderr.contains("unrecognised content"), "{}", r.stderr);
}

#[test]
fn dev_zero_is_refused_without_reading_it_all() {
    let r = run(&root(), &["dry-run", &seed_fixed(), "/dev/zero"]);
    assert_eq!(r.code, 2, "{}{}", r.stdout, r.stderr);
    assert!(r.stderr.contains("/dev/zero"), "{}", r.stderr);
}

#[test]
fn a_huge_length_prefix_is_refused_clearly() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("big.pbstream");
    // A valid first message, then a prefix declaring 2 GiB.
    let body = std::fs::read(fixture("captures/orders-otel-py.otlp.pb")).unwrap();
    let mut bytes = (body.len() as u32).to_be_bytes().to_vec();
    bytes.extend_from_slice(&body);
    bytes.extend_from_slice(&0x8000_0000u32.to_be_bytes());
    bytes.extend_from_slice(&[0x0a; 64]);
    std::fs::write(&f, bytes).unwrap();
    let r = run(dir.path(), &["dry-run", &seed_fixed(), f.to_str().unwrap()]);
    assert_eq!(r.code, 2, "{}{}", r.stdout, r.stderr);
    assert!(r.stderr.contains("larger than 256 MiB"), "{}", r.stderr);
    assert!(
        r.stderr.contains(&format!("offset {}", body.len() + 4)),
        "{}",
        r.stderr
    );
}

#[test]
fn file_exporter_dumps_skip_lines_of_other_signals() {
    let dir = tempfile::tempdir().unwrap();
    let traces =
        std::fs::read_to_string(fixture("captures/orders-otel-py-head3.otlp.jsonl")).unwrap();
    let mixed = format!(
        "{{\"resourceLogs\":[]}}\n{traces}{{\"resourceMetrics\":[{{\"resource\":{{}}}}]}}\n"
    );
    let f = dir.path().join("dump.jsonl");
    std::fs::write(&f, mixed).unwrap();
    let only = run(
        dir.path(),
        &[
            "inspect",
            "--format",
            "json",
            &fixture("captures/orders-otel-py-head3.otlp.jsonl"),
        ],
    );
    let r = run(
        dir.path(),
        &[
            "dry-run",
            &seed_fixed(),
            f.to_str().unwrap(),
            "--format",
            "json",
        ],
    );
    assert!(r.code == 0 || r.code == 1, "{}{}", r.stdout, r.stderr);
    let report = json(&r);
    let expected = json(&only)["captures"][0]["spans"].clone();
    assert_eq!(report["captures"][0]["spans"], expected);
    // The skipped lines are counted and said (JSON field, text summary line).
    assert_eq!(report["captures"][0]["skipped_other_signals"], 2);
    assert!(json(&only)["captures"][0]
        .get("skipped_other_signals")
        .is_none());
    let text = run(dir.path(), &["dry-run", &seed_fixed(), f.to_str().unwrap()]);
    assert!(
        text.stdout
            .contains("(2 OTLP JSON object(s) of other signals skipped)"),
        "{}",
        text.stdout
    );

    let logs = dir.path().join("logs.jsonl");
    std::fs::write(&logs, "{\"resourceLogs\":[]}\n{\"resourceMetrics\":[]}\n").unwrap();
    let r = run(
        dir.path(),
        &["dry-run", &seed_fixed(), logs.to_str().unwrap()],
    );
    assert_eq!(r.code, 2, "{}{}", r.stdout, r.stderr);
    assert!(r.stderr.contains("other signals"), "{}", r.stderr);
}

#[test]
fn a_top_level_json_array_is_named_as_such() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("dd.json");
    std::fs::write(&f, "[[{\"trace_id\":1,\"span_id\":2,\"name\":\"x\"}]]\n").unwrap();
    let r = run(dir.path(), &["dry-run", &seed_fixed(), f.to_str().unwrap()]);
    assert_eq!(r.code, 2, "{}{}", r.stdout, r.stderr);
    assert!(r.stderr.contains("top-level JSON array"), "{}", r.stderr);
}

/// A recording that mixes a DataDog v0.4 payload and an OTLP protobuf request, framed by its
/// sidecar as `otelcheck record` writes it, replays both.
#[test]
fn a_mixed_recording_is_framed_by_its_sidecar() {
    let dir = tempfile::tempdir().unwrap();
    let dd = std::fs::read(fixture("captures/orders-ddtrace-py-v04.msgpack")).unwrap();
    let pb = std::fs::read(fixture("captures/orders-otel-py.otlp.pb")).unwrap();
    let f = dir.path().join("rec.bin");
    std::fs::write(&f, [dd.clone(), pb.clone()].concat()).unwrap();
    let sidecar = serde_json::json!({
        "file": "rec.bin",
        "framing": "payload bodies back to back, no separators",
        "payloads": [
            {"index": 0, "offset": 0, "length": dd.len(), "method": "PUT", "path": "/v0.4/traces",
             "headers": [["Content-Type", "application/msgpack"]], "received_unix_nano": 1},
            {"index": 1, "offset": dd.len(), "length": pb.len(), "method": "POST", "path": "/v1/traces",
             "headers": [["Content-Type", "application/x-protobuf"]], "received_unix_nano": 2},
        ]
    });
    std::fs::write(dir.path().join("rec.bin.headers.json"), sidecar.to_string()).unwrap();
    let r = run(
        dir.path(),
        &[
            "dry-run",
            &seed_fixed(),
            f.to_str().unwrap(),
            "--format",
            "json",
        ],
    );
    assert!(r.code == 0 || r.code == 1, "{}{}", r.stdout, r.stderr);
    let report = json(&r);
    let one = |p: &str| {
        json(&run(
            dir.path(),
            &["inspect", "--format", "json", &fixture(p)],
        ))["captures"][0]["spans"]
            .as_u64()
            .unwrap()
    };
    let expected =
        one("captures/orders-ddtrace-py-v04.msgpack") + one("captures/orders-otel-py.otlp.pb");
    assert_eq!(report["captures"][0]["spans"].as_u64(), Some(expected));
    assert_eq!(report["captures"][0]["format"], "recording");
    assert_eq!(report["captures"][0]["payloads"], 2);
}

fn two_pipeline_config(dir: &Path) -> String {
    let cfg = dir.join("two.yaml");
    std::fs::write(
        &cfg,
        "receivers:\n  otlp:\n    protocols: {http: {}}\nexporters:\n  debug: {}\n\
         service:\n  pipelines:\n    traces/a/b: {receivers: [otlp], exporters: [debug]}\n\
         \x20   traces/a_b: {receivers: [otlp], exporters: [debug]}\n",
    )
    .unwrap();
    cfg.display().to_string()
}

#[test]
fn write_output_never_follows_a_link_and_never_shares_a_file() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    std::fs::create_dir(&out).unwrap();
    let outside = dir.path().join("outside.txt");
    std::fs::write(&outside, "keep me").unwrap();
    std::os::unix::fs::symlink(&outside, out.join("traces_a_b.jsonl")).unwrap();
    let cfg = two_pipeline_config(dir.path());
    let capture = fixture("captures/orders-otel-py.otlp.pb");
    let r = run(
        dir.path(),
        &[
            "dry-run",
            &cfg,
            &capture,
            "--write-output",
            out.to_str().unwrap(),
        ],
    );
    assert!(r.code == 0 || r.code == 1, "{}{}", r.stdout, r.stderr);
    assert_eq!(std::fs::read_to_string(&outside).unwrap(), "keep me");
    let first = out.join("traces_a_b.jsonl");
    assert!(!std::fs::symlink_metadata(&first)
        .unwrap()
        .file_type()
        .is_symlink());
    let second = out.join("traces_a_b.2.jsonl");
    let a = std::fs::read(&first).unwrap();
    assert!(!a.is_empty());
    assert_eq!(
        a,
        std::fs::read(&second).unwrap(),
        "both pipelines export the same spans"
    );
}

#[test]
fn a_failed_run_leaves_the_previous_output_in_place() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let cfg = two_pipeline_config(dir.path());
    let good = fixture("captures/orders-otel-py.otlp.pb");
    let r = run(
        dir.path(),
        &[
            "dry-run",
            &cfg,
            &good,
            "--write-output",
            out.to_str().unwrap(),
        ],
    );
    assert!(r.code == 0 || r.code == 1, "{}{}", r.stdout, r.stderr);
    let before = std::fs::read(out.join("traces_a_b.jsonl")).unwrap();
    // A capture whose second request is cut short fails the run after the first was exported.
    let body = std::fs::read(&good).unwrap();
    let mut bytes = Vec::new();
    for cut in [body.len(), body.len() / 2] {
        bytes.extend_from_slice(&(body.len() as u32).to_be_bytes());
        bytes.extend_from_slice(&body[..cut]);
    }
    let bad = dir.path().join("cut.pbstream");
    std::fs::write(&bad, bytes).unwrap();
    let r = run(
        dir.path(),
        &[
            "dry-run",
            &cfg,
            bad.to_str().unwrap(),
            "--write-output",
            out.to_str().unwrap(),
        ],
    );
    assert_eq!(r.code, 2, "{}{}", r.stdout, r.stderr);
    assert!(r.stderr.contains("truncated"), "{}", r.stderr);
    assert_eq!(std::fs::read(out.join("traces_a_b.jsonl")).unwrap(), before);
    let leftovers: Vec<_> = std::fs::read_dir(&out).unwrap().collect();
    assert_eq!(leftovers.len(), 2, "no temporary file is left behind");
}

#[test]
fn routing_the_replay_cannot_follow_is_said() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("routing.yaml");
    std::fs::write(
        &cfg,
        "receivers:\n  otlp:\n    protocols: {http: {}}\n  otlp/2:\n    protocols: {grpc: {}}\n\
         exporters:\n  debug: {}\nconnectors:\n  routing:\n    default_pipelines: [traces/rest]\n\
         \x20   table:\n      - condition: 'attributes[\"x\"] == \"y\"'\n        pipelines: [traces/rest]\n\
         service:\n  pipelines:\n    traces/in: {receivers: [otlp, otlp/2], exporters: [routing]}\n\
         \x20   traces/rest: {receivers: [routing], exporters: [debug]}\n\
         \x20   traces/direct: {receivers: [otlp/2], exporters: [debug]}\n",
    )
    .unwrap();
    let r = run(
        dir.path(),
        &[
            "dry-run",
            cfg.to_str().unwrap(),
            &fixture("captures/orders-otel-py.otlp.pb"),
            "--format",
            "json",
        ],
    );
    assert!(r.code == 0 || r.code == 1, "{}{}", r.stdout, r.stderr);
    let messages: Vec<String> = json(&r)["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["message"].as_str().unwrap_or("").to_owned())
        .collect();
    assert!(
        messages.iter().any(|m| m.contains("`routing` connector")),
        "{messages:?}"
    );
    assert!(
        messages.iter().any(|m| m.contains("otlp, otlp/2")),
        "{messages:?}"
    );
}

#[test]
fn a_metrics_protobuf_file_is_named_as_such() {
    use opentelemetry_proto::tonic::collector::metrics::v1::ExportMetricsServiceRequest;
    use opentelemetry_proto::tonic::metrics::v1::{
        metric::Data, Gauge, Metric, NumberDataPoint, ResourceMetrics, ScopeMetrics,
    };
    use prost::Message;
    let req = ExportMetricsServiceRequest {
        resource_metrics: vec![ResourceMetrics {
            scope_metrics: vec![ScopeMetrics {
                metrics: vec![Metric {
                    name: "http.server.request.duration".into(),
                    data: Some(Data::Gauge(Gauge {
                        data_points: vec![NumberDataPoint::default()],
                    })),
                    ..Metric::default()
                }],
                ..ScopeMetrics::default()
            }],
            ..ResourceMetrics::default()
        }],
    };
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("metrics.pb");
    std::fs::write(&f, req.encode_to_vec()).unwrap();
    let r = run(dir.path(), &["dry-run", &seed_fixed(), f.to_str().unwrap()]);
    assert_eq!(r.code, 2, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stderr.contains("this holds OTLP metrics, not traces"),
        "{}",
        r.stderr
    );
}

#[test]
fn a_logs_protobuf_file_is_named_as_such() {
    use opentelemetry_proto::tonic::collector::logs::v1::ExportLogsServiceRequest;
    use opentelemetry_proto::tonic::common::v1::{any_value, AnyValue};
    use opentelemetry_proto::tonic::logs::v1::{LogRecord, ResourceLogs, ScopeLogs};
    use prost::Message;
    let req = ExportLogsServiceRequest {
        resource_logs: vec![ResourceLogs {
            scope_logs: vec![ScopeLogs {
                log_records: vec![LogRecord {
                    time_unix_nano: 1,
                    severity_text: "INFO".into(),
                    body: Some(AnyValue {
                        value: Some(any_value::Value::StringValue("hello".into())),
                    }),
                    ..LogRecord::default()
                }],
                ..ScopeLogs::default()
            }],
            ..ResourceLogs::default()
        }],
    };
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("logs.pb");
    std::fs::write(&f, req.encode_to_vec()).unwrap();
    let r = run(dir.path(), &["dry-run", &seed_fixed(), f.to_str().unwrap()]);
    assert_eq!(r.code, 2, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stderr.contains("this holds OTLP logs, not traces"),
        "{}",
        r.stderr
    );
}

#[test]
fn a_broken_v05_payload_is_named_v05() {
    let dir = tempfile::tempdir().unwrap();
    let good = std::fs::read(fixture("captures/orders-ddtrace-py-v05.msgpack")).unwrap();
    let f = dir.path().join("cut.msgpack");
    std::fs::write(&f, &good[..good.len() / 3]).unwrap();
    let r = run(dir.path(), &["dry-run", &seed_fixed(), f.to_str().unwrap()]);
    assert_eq!(r.code, 2, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stderr.contains("invalid DataDog v0.5 payload"),
        "{}",
        r.stderr
    );
}

#[test]
fn inspect_shows_sample_values_with_secrets_masked() {
    let r = otelcheck(&[
        "inspect",
        "--format",
        "json",
        &fixture("captures/orders-ddtrace-py-v04.msgpack"),
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let samples = &json(&r)["captures"][0]["attribute_samples"];
    let route = samples["http.route"]
        .as_array()
        .expect("http.route samples");
    assert!(route
        .iter()
        .any(|v| v.as_str().is_some_and(|s| s.starts_with("/orders"))));
    for key in ["http.request.header.authorization", "user.email"] {
        let values = samples[key].as_array().expect(key);
        assert!(!values.is_empty());
        assert!(
            values
                .iter()
                .all(|v| v.as_str().is_some_and(|s| s.starts_with("<masked"))),
            "{key}: {values:?}"
        );
    }
    // No card number or e-mail address from the capture reaches the output.
    assert!(!r.stdout.contains('@'), "an e-mail address leaked");
    let digits = regex::Regex::new(r"\d{13,}").unwrap();
    assert!(!digits.is_match(&r.stdout), "a card number leaked");
}

#[test]
fn a_huge_config_file_is_refused_without_reading_it_all() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("huge.yaml");
    // A sparse 2 GiB file: nothing is written, reading it yields zeros.
    let file = std::fs::File::create(&f).unwrap();
    file.set_len(2 << 30).unwrap();
    let r = run(dir.path(), &["validate", f.to_str().unwrap()]);
    assert_eq!(r.code, 2, "{}{}", r.stdout, r.stderr);
    assert!(r.stderr.contains("larger than 64 MiB"), "{}", r.stderr);
}
