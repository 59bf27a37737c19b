//! End-to-end: `otelcheck dry-run` on the seed scenario and real captures.

use crate::common;
use common::*;

/// Health-check server spans per capture, as the captures README lists them.
const HEALTH_CHECKS: &[(&str, u64)] = &[
    ("captures/orders-ddtrace-py-v04.msgpack", 46),
    ("captures/orders-ddtrace-py-v05.msgpack", 54),
    ("captures/orders-ddtrace-js-v04.msgpack", 35),
    ("captures/orders-ddtrace-js-v05.msgpack", 64),
    ("captures/orders-otel-py.otlp.pb", 100),
];

/// The same for the full recordings in `../shared/captures/` (checked when present).
const SHARED_HEALTH_CHECKS: &[(&str, u64, u64)] = &[
    ("orders-ddtrace-py-v04.stream.msgpack", 234, 6847),
    ("orders-ddtrace-py-v05.stream.msgpack", 334, 11264),
    ("orders-ddtrace-js-v04.stream.msgpack", 202, 4268),
    ("orders-ddtrace-js-v05.stream.msgpack", 298, 5919),
    ("orders-otel-py.otlp.pbstream", 437, 2837),
    ("orders-otel-py.otlp.jsonl", 437, 2837),
    ("orders-ddtrace-py-v04.msgpack", 46, 1093),
    ("orders-otel-py.otlp.pb", 100, 480),
];

fn dropped_by_filter(report: &serde_json::Value) -> u64 {
    let p = processor(report, "filter/health");
    p["spans_in"].as_u64().unwrap() - p["spans_out"].as_u64().unwrap()
}

#[test]
fn fixed_seed_drops_exactly_the_health_checks() {
    let config = fixture("seed/fixed.yaml");
    for (capture, expected) in HEALTH_CHECKS {
        let run = otelcheck(&["dry-run", &config, &fixture(capture), "--format", "json"]);
        assert_eq!(run.code, 0, "{capture}: {}{}", run.stdout, run.stderr);
        let report = json(&run);
        assert_eq!(dropped_by_filter(&report), *expected, "{capture}");
        let rules = processor(&report, "filter/health")["rules"]
            .as_array()
            .unwrap()
            .clone();
        let per_rule: u64 = rules.iter().map(|r| r["dropped"].as_u64().unwrap()).sum();
        assert_eq!(per_rule, *expected, "{capture}: per-rule drops add up");
        assert_eq!(report["verdict"], "pass");
    }
}

#[test]
fn fixed_seed_on_every_shared_capture() {
    let config = fixture("seed/fixed.yaml");
    let mut seen = 0;
    for (name, expected, spans) in SHARED_HEALTH_CHECKS {
        let Some(path) = shared_capture(name) else {
            continue;
        };
        seen += 1;
        let run = otelcheck(&["dry-run", &config, &path, "--format", "json"]);
        assert_eq!(run.code, 0, "{name}: {}{}", run.stdout, run.stderr);
        let report = json(&run);
        assert_eq!(
            report["captures"][0]["spans"].as_u64(),
            Some(*spans),
            "{name}"
        );
        assert_eq!(dropped_by_filter(&report), *expected, "{name}");
    }
    if seen == 0 {
        eprintln!("../shared/captures not present: only the bundled fixtures were replayed");
    }
}

#[test]
fn broken_seed_fails_naming_the_rule_and_its_line() {
    let run = otelcheck(&[
        "dry-run",
        "fixtures/seed/broken.yaml",
        "fixtures/captures/orders-ddtrace-py-v04.msgpack",
    ]);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stdout
            .contains("fixtures/seed/broken.yaml:22:41: error[catch-all-rule]"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("fixtures/seed/broken.yaml:22:38: error[non-upstream-syntax]"),
        "{}",
        run.stdout
    );
    // On DataDog traffic `http.target` does not exist: the catch-all finding says the rule is
    // dead there and why (one account, no contradicting dead-rule finding).
    assert!(!run.stdout.contains("warning[dead-rule]"), "{}", run.stdout);
    assert!(
        run.stdout.contains("today it drops nothing"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("closest keys that do occur: http.route"),
        "{}",
        run.stdout
    );
}

#[test]
fn regex_on_route_is_a_catch_all_by_data_even_when_most_spans_lack_the_route() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("c.yaml");
    let text = std::fs::read_to_string(fixture("seed/fixed.yaml")).unwrap();
    let start = text.find("      span:\n").unwrap();
    let end = text.find("  attributes/sanitize:").unwrap();
    let text = format!(
        "{}      span:\n        - 'IsMatch(attributes[\"http.route\"], \"/.*\")'\n{}",
        &text[..start],
        &text[end..]
    );
    std::fs::write(&cfg, text).unwrap();
    let run = otelcheck(&[
        "dry-run",
        cfg.to_str().unwrap(),
        &fixture("captures/orders-ddtrace-py-v04.msgpack"),
        "--format",
        "json",
    ]);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    let report = json(&run);
    let rule = &processor(&report, "filter/health")["rules"][0];
    // Only 95 spans carry a route (the server spans, less two unrouted 404s); it matches them all.
    assert_eq!(rule["matched"].as_u64(), Some(95));
    assert_eq!(rule["evaluated"].as_u64(), Some(1093));
    let data_catch_all = report["findings"].as_array().unwrap().iter().any(|f| {
        f["code"] == "catch-all-rule"
            && f["message"]
                .as_str()
                .unwrap()
                .contains("matched 95 of the 95 spans that carry \"http.route\" (100.0%")
    });
    assert!(data_catch_all, "{report}");
}

#[test]
fn json_report_follows_the_contract() {
    let run = otelcheck(&[
        "dry-run",
        "fixtures/seed/fixed.yaml",
        "--capture",
        "fixtures/captures/orders-otel-py.otlp.pb",
        "--format",
        "json",
    ]);
    let r = json(&run);
    assert_eq!(r["schema"], 1);
    assert_eq!(r["tool"]["name"], "otelcheck");
    assert_eq!(r["configs"][0], "fixtures/seed/fixed.yaml");
    assert_eq!(r["captures"][0]["format"], "otlp-proto");
    assert_eq!(r["captures"][0]["payloads"], 1);
    assert_eq!(r["captures"][0]["spans"], 480);
    let p = &r["pipelines"][0];
    assert_eq!(p["id"], "traces");
    assert_eq!(p["spans_in"], 480);
    assert_eq!(p["spans_out"], 380);
    assert_eq!(p["exporters"][0], "otlp/tempo");
    let f = processor(&r, "filter/health");
    assert_eq!(f["type"], "filter");
    assert_eq!(f["emulated"], true);
    assert_eq!(f["location"]["line"], 17);
    let rule = &f["rules"][0];
    assert_eq!(rule["action"], "drop");
    assert_eq!(rule["location"]["line"], 21);
    assert_eq!(
        rule["text"],
        "kind == SPAN_KIND_SERVER and attributes[\"http.route\"] == \"/health\""
    );
    assert_eq!(rule["matched"], 46);
    let ex = &rule["examples"][0];
    assert_eq!(ex["service"], "orders-api");
    assert_eq!(ex["name"], "GET /health");
    assert_eq!(ex["trace_id"].as_str().unwrap().len(), 32);
    // Every processor of the seed config is emulated now: nothing passes through unexplained.
    for id in ["attributes/sanitize", "probabilistic_sampler", "resource"] {
        assert_eq!(processor(&r, id)["emulated"], true, "{id}");
    }
    assert!(!codes(&r).contains(&"unsupported-component".to_owned()));
}

#[test]
fn write_output_writes_what_the_exporters_receive() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let run = otelcheck(&[
        "dry-run",
        "fixtures/seed/fixed.yaml",
        "fixtures/captures/orders-otel-py.otlp.pb",
        "--write-output",
        out.to_str().unwrap(),
    ]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    let text = std::fs::read_to_string(out.join("traces.jsonl")).unwrap();
    let spans: usize = text
        .lines()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            v["resourceSpans"]
                .as_array()
                .unwrap()
                .iter()
                .flat_map(|rs| rs["scopeSpans"].as_array().unwrap().iter())
                .map(|ss| ss["spans"].as_array().unwrap().len())
                .sum::<usize>()
        })
        .sum();
    assert_eq!(spans, 380);
    assert!(!text.contains("\"GET /health\""));
}

#[test]
fn error_mode_propagate_drops_whole_requests() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("c.yaml");
    let make = |mode: &str| {
        format!(
            "receivers: {{datadog: {{}}}}\nprocessors:\n  filter:\n    error_mode: {mode}\n    traces:\n      span:\n        - 'attributes[\"order.qty\"] + 1 > 100'\nexporters: {{debug: {{}}}}\nservice:\n  pipelines:\n    traces: {{receivers: [datadog], processors: [filter], exporters: [debug]}}\n"
        )
    };
    let capture = fixture("captures/orders-ddtrace-py-v04.msgpack");
    std::fs::write(&cfg, make("propagate")).unwrap();
    let run = otelcheck(&[
        "dry-run",
        cfg.to_str().unwrap(),
        &capture,
        "--format",
        "json",
    ]);
    let r = json(&run);
    assert_eq!(run.code, 1);
    assert_eq!(r["pipelines"][0]["spans_out"], 0);
    assert!(codes(&r).contains(&"pipeline-drops-everything".to_owned()));
    std::fs::write(&cfg, make("ignore")).unwrap();
    let run = otelcheck(&[
        "dry-run",
        cfg.to_str().unwrap(),
        &capture,
        "--format",
        "json",
    ]);
    let r = json(&run);
    assert_eq!(run.code, 0, "{}", run.stdout);
    let rule = &processor(&r, "filter")["rules"][0];
    // 24 create_order spans carry order.qty (a DataDog metric, so a double): no error there.
    assert_eq!(rule["errors"].as_u64(), Some(1093 - 24));
    assert_eq!(r["pipelines"][0]["spans_out"], 1093);
    assert!(codes(&r).contains(&"evaluation-error".to_owned()));
}

#[test]
fn legacy_include_exclude_counts() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("c.yaml");
    std::fs::write(
        &cfg,
        "receivers: {datadog: {}}\nprocessors:\n  filter/legacy:\n    spans:\n      exclude:\n        match_type: regexp\n        span_names: ['^flask\\.']\n        attributes:\n          - {key: component, value: '^flask$'}\nexporters: {debug: {}}\nservice:\n  pipelines:\n    traces: {receivers: [datadog], processors: [filter/legacy], exporters: [debug]}\n",
    )
    .unwrap();
    let run = otelcheck(&[
        "dry-run",
        cfg.to_str().unwrap(),
        &fixture("captures/orders-ddtrace-py-v04.msgpack"),
        "--format",
        "json",
    ]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    let r = json(&run);
    let rule = &processor(&r, "filter/legacy")["rules"][0];
    assert_eq!(rule["action"], "drop");
    assert!(rule["text"]
        .as_str()
        .unwrap()
        .starts_with("spans.exclude (regexp"));
    let dropped = rule["dropped"].as_u64().unwrap();
    // Every flask.* span of the capture carries component=flask.
    let flask: u64 = 97 * 8 + 5 + 4 + 9 + 74;
    assert_eq!(dropped, flask);
}

#[test]
fn bad_captures_exit_2_with_file_and_reason() {
    let dir = tempfile::tempdir().unwrap();
    let real = std::fs::read(fixture("captures/orders-ddtrace-py-v04.msgpack")).unwrap();
    let cases: Vec<(&str, Vec<u8>)> = vec![
        ("empty.msgpack", Vec::new()),
        (
            "garbage.bin",
            b"\x00\x01garbage\xff\xfe not a capture".to_vec(),
        ),
        ("truncated.msgpack", real[..real.len() / 2].to_vec()),
        ("config.json", b"{\"receivers\": {}}".to_vec()),
    ];
    for (name, bytes) in cases {
        let path = dir.path().join(name);
        std::fs::write(&path, bytes).unwrap();
        let run = otelcheck(&[
            "dry-run",
            "fixtures/seed/fixed.yaml",
            path.to_str().unwrap(),
        ]);
        assert_eq!(run.code, 2, "{name}: {}{}", run.stdout, run.stderr);
        assert!(run.stderr.contains(name), "{name}: {}", run.stderr);
        assert!(run.stdout.is_empty(), "{name}: no partial report");
        assert!(!run.stderr.contains("panicked"), "{name}");
    }
}

#[test]
fn forced_wrong_format_is_a_clear_error() {
    let run = otelcheck(&[
        "dry-run",
        "fixtures/seed/fixed.yaml",
        "fixtures/captures/orders-otel-py.otlp.pb",
        "--capture-format",
        "datadog-v0.5",
    ]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("orders-otel-py.otlp.pb"),
        "{}",
        run.stderr
    );
}

#[test]
fn text_report_snapshot() {
    let run = otelcheck(&[
        "dry-run",
        "fixtures/seed/broken.yaml",
        "fixtures/captures/orders-ddtrace-js-v05.msgpack",
    ]);
    insta::assert_snapshot!("dry_run_broken_js_v05", run.stdout);
    let run = otelcheck(&[
        "dry-run",
        "fixtures/seed/fixed.yaml",
        "fixtures/captures/orders-ddtrace-js-v05.msgpack",
    ]);
    insta::assert_snapshot!("dry_run_fixed_js_v05", run.stdout);
}

#[test]
fn inspect_lists_formats_and_keys() {
    let run = otelcheck(&[
        "inspect",
        "fixtures/captures/orders-ddtrace-py-v05.msgpack",
        "--format",
        "json",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let r = json(&run);
    let c = &r["captures"][0];
    assert_eq!(c["format"], "datadog-v0.5");
    assert_eq!(c["spans"], 1070);
    assert_eq!(c["traces"], 95);
    assert!(c["attribute_keys"]["http.route"].as_u64().unwrap() > 0);
    assert!(
        c["attribute_keys"].get("http.url").is_none(),
        "renamed to url.full by the receiver"
    );
}
