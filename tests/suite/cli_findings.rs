//! End-to-end: findings that tell one coherent, true story — the seed's rule as one account
//! (static catch-all, dead in this capture), catch-all counts under --max-match-ratio, and a
//! row for every dropped span (error_mode: propagate).

use crate::common;
use common::*;

const BROKEN: &str = "fixtures/seed/broken.yaml";
const FIXED: &str = "fixtures/seed/fixed.yaml";
const CAPTURE: &str = "fixtures/captures/orders-ddtrace-py-v04.msgpack";

#[test]
fn the_seed_rule_gets_one_coherent_account() {
    let r = otelcheck(&["dry-run", BROKEN, CAPTURE, "--format", "json"]);
    assert_eq!(r.code, 1);
    let doc = json(&r);
    let on_rule: Vec<&serde_json::Value> = doc["findings"]
        .as_array()
        .map(|fs| fs.iter().filter(|f| f["location"]["line"] == 22).collect())
        .unwrap_or_default();
    let found: Vec<&str> = on_rule.iter().filter_map(|f| f["code"].as_str()).collect();
    assert_eq!(
        found,
        ["non-upstream-syntax", "catch-all-rule"],
        "no contradicting dead-rule"
    );
    let catch_all = on_rule[1];
    let message = catch_all["message"].as_str().unwrap_or_default();
    assert!(message.starts_with("statically a catch-all"), "{message}");
    assert!(message.contains("today it drops nothing"), "{message}");
    assert!(message.contains("it drops every such span"), "{message}");
    // Where the data is: the closest keys the capture has.
    let notes = catch_all["notes"].to_string();
    assert!(notes.contains("http.route"), "{notes}");
    // The table agrees: the rule matched 0.
    let rule = &processor(&doc, "filter/health")["rules"][0];
    assert_eq!(rule["matched"], 0);
}

#[test]
fn catch_all_reports_the_real_counts_below_ratio_one() {
    let r = otelcheck(&[
        "dry-run",
        FIXED,
        CAPTURE,
        "--format",
        "json",
        "--max-match-ratio",
        "0.02",
        "--select",
        "catch-all-rule",
    ]);
    let doc = json(&r);
    let rules = processor(&doc, "filter/health")["rules"].clone();
    let first = doc["findings"][0]["message"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let (matched, evaluated) = (rules[0]["matched"].as_u64(), rules[0]["evaluated"].as_u64());
    let expected = format!(
        "it matched {} of the {} spans it was evaluated on",
        matched.unwrap_or(0),
        evaluated.unwrap_or(0)
    );
    assert!(first.contains(&expected), "{first}");
    assert!(!first.contains("matched all"), "{first}");
    assert!(first.contains("--max-match-ratio 0.02"), "{first}");
}

#[test]
fn propagate_drops_have_a_row() {
    let dir = tempfile::tempdir().expect("tempdir");
    let cfg = dir.path().join("c.yaml");
    std::fs::write(
        &cfg,
        "receivers: {datadog: {}}\nprocessors:\n  filter:\n    error_mode: propagate\n    traces:\n      span:\n        - 'attributes[\"order.qty\"] + 1 > 100'\nexporters: {debug: {}}\nservice:\n  pipelines:\n    traces: {receivers: [datadog], processors: [filter], exporters: [debug]}\n",
    )
    .expect("write");
    let r = otelcheck(&[
        "dry-run",
        &cfg.display().to_string(),
        CAPTURE,
        "--format",
        "json",
    ]);
    let doc = json(&r);
    let proc = processor(&doc, "filter");
    let dropped = proc["spans_in"].as_u64().unwrap_or(0) - proc["spans_out"].as_u64().unwrap_or(0);
    assert!(dropped > 0);
    let rows: u64 = proc["rules"]
        .as_array()
        .map(|rs| rs.iter().filter_map(|r| r["dropped"].as_u64()).sum())
        .unwrap_or(0);
    assert_eq!(rows, dropped, "every dropped span has a row: {proc:#}");
    let last = proc["rules"]
        .as_array()
        .and_then(|rs| rs.last())
        .cloned()
        .unwrap_or_default();
    assert_eq!(
        last["text"],
        "(whole requests failed by error_mode: propagate)"
    );
    let text = otelcheck(&["dry-run", &cfg.display().to_string(), CAPTURE]);
    assert!(
        text.stdout.contains("(whole requests failed by"),
        "{}",
        text.stdout
    );
}

#[test]
fn unrouted_help_names_the_receiver_that_exists_elsewhere() {
    let dir = tempfile::tempdir().expect("tempdir");
    let cfg = dir.path().join("c.yaml");
    std::fs::write(
        &cfg,
        "receivers: {datadog: {}, otlp: {protocols: {grpc: {}}}}\nexporters: {debug: {}}\nservice:\n  pipelines:\n    traces: {receivers: [otlp], exporters: [debug]}\n    metrics: {receivers: [datadog], exporters: [debug]}\n",
    )
    .expect("write");
    let r = otelcheck(&[
        "dry-run",
        &cfg.display().to_string(),
        CAPTURE,
        "--format",
        "json",
    ]);
    let doc = json(&r);
    let f = doc["findings"]
        .as_array()
        .and_then(|fs| fs.iter().find(|f| f["code"] == "unrouted-capture"))
        .cloned()
        .unwrap_or_default();
    let help = f["help"].as_str().unwrap_or_default();
    assert!(
        help.contains("the `datadog` receiver is used only by metrics"),
        "{f}"
    );
    assert!(!help.starts_with("add a"), "{help}");
}
