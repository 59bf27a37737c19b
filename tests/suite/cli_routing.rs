//! End-to-end: how a capture reaches pipelines — a receiver shared by two pipelines fans out a
//! copy to each, a `forward` connector chains pipelines, and a capture no pipeline would receive
//! is replayed everywhere with a warning. Also the service-lost and drops-everything findings.

use crate::common;
use common::*;

fn span(trace: u8, id: u8, name: &str) -> String {
    format!(
        r#"{{"traceId":"{:032x}","spanId":"{:016x}","name":"{name}","kind":2,"startTimeUnixNano":"1700000000000000000","endTimeUnixNano":"1700000000005000000"}}"#,
        trace, id
    )
}

fn resource(service: &str, spans: &[String]) -> String {
    format!(
        r#"{{"resource":{{"attributes":[{{"key":"service.name","value":{{"stringValue":"{service}"}}}}]}},"scopeSpans":[{{"scope":{{"name":"lib"}},"spans":[{}]}}]}}"#,
        spans.join(",")
    )
}

/// One OTLP JSON request: 3 spans of `payments`, 2 of `orders`.
fn capture() -> String {
    let payments = [
        span(1, 1, "charge"),
        span(1, 2, "authorize"),
        span(2, 3, "charge"),
    ];
    let orders = [span(3, 4, "GET /orders"), span(3, 5, "SELECT")];
    format!(
        r#"{{"resourceSpans":[{},{}]}}"#,
        resource("payments", &payments),
        resource("orders", &orders)
    )
}

const CONFIG: &str = r#"
receivers:
  otlp:
    protocols: {http: {}}
processors:
  filter/no-payments:
    traces:
      resource:
        - 'attributes["service.name"] == "payments"'
  filter/drop-rest:
    traces:
      span:
        - 'name != ""'
exporters:
  debug: {}
connectors:
  forward: {}
service:
  pipelines:
    traces/a:
      receivers: [otlp]
      processors: [filter/no-payments]
      exporters: [forward]
    traces/b:
      receivers: [otlp]
      exporters: [debug]
    traces/c:
      receivers: [forward]
      processors: [filter/drop-rest]
      exporters: [debug]
"#;

fn pipeline<'a>(r: &'a serde_json::Value, id: &str) -> &'a serde_json::Value {
    r["pipelines"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["id"] == id)
        .unwrap_or_else(|| panic!("{id}: {r}"))
}

#[test]
fn fan_out_forward_connector_and_data_findings() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("c.yaml");
    let cap = dir.path().join("capture.jsonl");
    std::fs::write(&cfg, CONFIG).unwrap();
    std::fs::write(&cap, capture()).unwrap();
    let run = otelcheck(&[
        "dry-run",
        cfg.to_str().unwrap(),
        cap.to_str().unwrap(),
        "--format",
        "json",
    ]);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    let r = json(&run);
    assert_eq!(r["captures"][0]["format"], "otlp-json");
    let (a, b, c) = (
        pipeline(&r, "traces/a"),
        pipeline(&r, "traces/b"),
        pipeline(&r, "traces/c"),
    );
    // Each pipeline of the shared receiver gets its own copy.
    assert_eq!(
        (a["spans_in"].as_u64(), a["spans_out"].as_u64()),
        (Some(5), Some(2))
    );
    assert_eq!(
        (b["spans_in"].as_u64(), b["spans_out"].as_u64()),
        (Some(5), Some(5))
    );
    // traces/c only sees what traces/a exported through the forward connector.
    assert_eq!(
        (c["spans_in"].as_u64(), c["spans_out"].as_u64()),
        (Some(2), Some(0))
    );
    let rule = &a["processors"][0]["rules"][0];
    assert_eq!(
        (
            rule["evaluated"].as_u64(),
            rule["matched"].as_u64(),
            rule["dropped"].as_u64()
        ),
        (Some(2), Some(1), Some(3))
    );
    let findings = r["findings"].as_array().unwrap();
    let has = |code: &str, text: &str| {
        findings
            .iter()
            .any(|f| f["code"] == code && f["message"].as_str().unwrap().contains(text))
    };
    assert!(has("service-lost", "\"payments\""), "{r}");
    assert!(has("pipeline-drops-everything", "traces/c"), "{r}");
    assert!(!has("service-lost", "traces/b"), "{r}");
}

#[test]
fn a_capture_no_pipeline_receives_is_replayed_everywhere_with_a_warning() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("c.yaml");
    let cap = dir.path().join("capture.json");
    std::fs::write(
        &cfg,
        "receivers: {datadog: {}}\nexporters: {debug: {}}\nservice:\n  pipelines:\n    traces: {receivers: [datadog], exporters: [debug]}\n",
    )
    .unwrap();
    std::fs::write(&cap, capture()).unwrap();
    let run = otelcheck(&[
        "dry-run",
        cfg.to_str().unwrap(),
        cap.to_str().unwrap(),
        "--format",
        "json",
    ]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    let r = json(&run);
    assert_eq!(pipeline(&r, "traces")["spans_out"].as_u64(), Some(5));
    assert!(codes(&r).contains(&"unrouted-capture".to_owned()), "{r}");
}
