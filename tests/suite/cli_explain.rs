//! End-to-end: `otelcheck explain` follows one trace of a real capture through the seed config.

use crate::common;
use common::*;

const CONFIG: &str = "fixtures/seed/fixed.yaml";
const CAPTURE: &str = "fixtures/captures/orders-ddtrace-js-v04.msgpack";

/// A span the dry-run reports as dropped by the `/health` rule: (trace id, span id, rule text).
fn dropped_health_span() -> (String, String, String) {
    let report = json(&otelcheck(&[
        "dry-run", CONFIG, CAPTURE, "--format", "json",
    ]));
    let filter = processor(&report, "filter/health");
    let rule = filter["rules"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["text"].as_str().unwrap().contains("\"/health\""))
        .expect("the /health rule");
    let example = &rule["examples"][0];
    (
        example["trace_id"].as_str().unwrap().to_owned(),
        example["span_id"].as_str().unwrap().to_owned(),
        rule["text"].as_str().unwrap().to_owned(),
    )
}

fn explain_json(args: &[&str]) -> serde_json::Value {
    let mut all = vec!["explain", CONFIG, CAPTURE, "--format", "json"];
    all.extend_from_slice(args);
    let run = otelcheck(&all);
    assert_eq!(run.code, 0, "{}", run.stderr);
    json(&run)
}

#[test]
fn a_dropped_span_ends_at_the_rule_that_dropped_it() {
    let (trace, span, rule) = dropped_health_span();
    let doc = explain_json(&["--trace-id", &trace]);
    assert_eq!(doc["kind"], "explain");
    assert_eq!(doc["trace_id"], trace.as_str());
    let spans = doc["spans"].as_array().unwrap();
    assert!(spans.len() > 1, "the whole trace is explained: {doc}");
    let dropped = spans
        .iter()
        .find(|s| s["span_id"] == span.as_str())
        .unwrap();
    assert_eq!(dropped["exported_by"], serde_json::json!([]));
    let journey = dropped["journey"].as_array().unwrap();
    let last = journey.last().unwrap();
    assert_eq!(last["processor"], "filter/health");
    assert_eq!(last["outcome"], "dropped");
    assert_eq!(last["dropped_by"], rule.as_str());
    let rules = last["rules"].as_array().unwrap();
    let at = rules
        .iter()
        .position(|r| r["text"] == rule.as_str())
        .unwrap();
    assert_eq!(rules[at]["result"], "matched");
    assert_eq!(rules[at]["location"]["line"], 21);
    // The collector ORs a filter's conditions and stops at the first match.
    assert!(rules[at + 1..].iter().all(|r| r["result"] == "skipped"));
    assert!(rules[..at].iter().all(|r| r["result"] == "not-matched"));

    // Every other span of the trace passes every processor and is exported.
    for s in spans.iter().filter(|s| s["span_id"] != span.as_str()) {
        assert_eq!(s["exported_by"], serde_json::json!(["traces"]), "{s}");
        let journey = s["journey"].as_array().unwrap();
        let ids: Vec<&str> = journey
            .iter()
            .map(|p| p["processor"].as_str().unwrap())
            .collect();
        assert_eq!(
            ids,
            [
                "memory_limiter",
                "filter/health",
                "attributes/sanitize",
                "probabilistic_sampler",
                "batch",
                "resource"
            ]
        );
        assert!(journey.iter().all(|p| p["outcome"] != "dropped"));
    }
}

#[test]
fn a_datadog_trace_id_in_decimal_selects_the_same_spans() {
    let (trace, span, _) = dropped_health_span();
    let low = u64::from_str_radix(&trace[16..], 16).unwrap().to_string();
    let by_hex = explain_json(&["--trace-id", &trace]);
    let by_decimal = explain_json(&["--trace-id", &low]);
    assert_eq!(by_hex["spans"], by_decimal["spans"]);
    let decimal_span = u64::from_str_radix(&span, 16).unwrap().to_string();
    let one = explain_json(&["--trace-id", &low, "--span-id", &decimal_span]);
    assert_eq!(one["spans"].as_array().unwrap().len(), 1);
    assert_eq!(one["spans"][0]["span_id"], span.as_str());
}

#[test]
fn text_output_tells_the_journey() {
    let (trace, span, _) = dropped_health_span();
    let run = otelcheck(&[
        "explain",
        CONFIG,
        CAPTURE,
        "--trace-id",
        &trace,
        "--span-id",
        &span,
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    insta::assert_snapshot!(run.stdout);
}

#[test]
fn unknown_or_malformed_ids_are_clear_errors() {
    let missing = otelcheck(&["explain", CONFIG, CAPTURE, "--trace-id", "1"]);
    assert_eq!(missing.code, 2);
    assert!(missing.stdout.is_empty());
    assert!(
        missing
            .stderr
            .contains("no span of trace 1 reached a traces pipeline"),
        "{}",
        missing.stderr
    );
    let bad = otelcheck(&["explain", CONFIG, CAPTURE, "--trace-id", "not-an-id"]);
    assert_eq!(bad.code, 2);
    assert!(bad.stderr.contains("is not a trace id"), "{}", bad.stderr);
    let no_capture = otelcheck(&["explain", CONFIG, "--trace-id", "1"]);
    assert_eq!(no_capture.code, 2);
    assert!(no_capture.stderr.contains("needs at least one capture"));
}

/// The first example span of `processor`'s rule whose text contains `rule_part`, from a dry run.
fn example_of(
    config: &str,
    capture: &str,
    processor_id: &str,
    rule_part: &str,
) -> (String, String) {
    let report = json(&otelcheck(&[
        "dry-run", config, capture, "--format", "json",
    ]));
    let p = processor(&report, processor_id);
    let rule = p["rules"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["text"].as_str().unwrap().contains(rule_part))
        .unwrap_or_else(|| panic!("no rule with {rule_part} in {p}"));
    let e = &rule["examples"][0];
    (
        e["trace_id"].as_str().unwrap().to_owned(),
        e["span_id"].as_str().unwrap().to_owned(),
    )
}

#[test]
fn a_deleted_credential_is_masked_unless_revealed() {
    let capture = "fixtures/captures/orders-ddtrace-py-v04.msgpack";
    let (trace, span) = example_of(CONFIG, capture, "attributes/sanitize", "authorization");
    let args = |reveal: bool| {
        let mut a = vec![
            "explain",
            CONFIG,
            capture,
            "--trace-id",
            &trace,
            "--span-id",
            &span,
            "--format",
            "json",
        ];
        if reveal {
            a.push("--reveal");
        }
        let run = otelcheck(&a);
        assert_eq!(run.code, 0, "{}", run.stderr);
        (json(&run), run.stdout)
    };
    let (doc, text) = args(false);
    let journey = doc["spans"][0]["journey"].as_array().unwrap();
    let sanitize = journey
        .iter()
        .find(|s| s["processor"] == "attributes/sanitize")
        .unwrap();
    assert_eq!(sanitize["outcome"], "changed");
    let change = sanitize["rules"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|r| r["changes"].as_array().unwrap())
        .find(|c| c["field"] == "attributes[\"http.request.header.authorization\"]")
        .expect("the delete is recorded");
    let masked = change["before"].as_str().unwrap();
    assert!(masked.starts_with("<masked string, "), "{masked}");
    assert_eq!(change["after"], serde_json::Value::Null);

    let (revealed, revealed_text) = args(true);
    let secret = revealed["spans"][0]["journey"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|s| s["rules"].as_array().unwrap())
        .flat_map(|r| r["changes"].as_array().unwrap())
        .find(|c| c["field"] == "attributes[\"http.request.header.authorization\"]")
        .and_then(|c| c["before"].as_str())
        .unwrap()
        .to_owned();
    assert!(!secret.starts_with("<masked"), "--reveal shows the value");
    assert!(revealed_text.contains(&secret));
    assert!(!text.contains(&secret), "the masked run never shows it");
}

#[test]
fn a_tail_sampler_names_the_policy_that_kept_or_the_trace_is_sampled_out() {
    let config = "fixtures/replay/tail_sampling/errors_only.yaml";
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().to_str().unwrap();
    let run = otelcheck(&[
        "dry-run",
        config,
        CAPTURE,
        "--write-output",
        out,
        "--format",
        "json",
    ]);
    assert!(run.code <= 1, "{}", run.stderr);
    let exported = std::fs::read_to_string(dir.path().join("traces.jsonl")).unwrap();
    let kept: serde_json::Value =
        serde_json::from_str(exported.lines().next().expect("some trace is kept")).unwrap();
    let kept_trace = kept["resourceSpans"][0]["scopeSpans"][0]["spans"][0]["traceId"]
        .as_str()
        .unwrap()
        .to_owned();
    let doc = {
        let run = otelcheck(&[
            "explain",
            config,
            CAPTURE,
            "--trace-id",
            &kept_trace,
            "--format",
            "json",
        ]);
        assert_eq!(run.code, 0, "{}", run.stderr);
        json(&run)
    };
    for s in doc["spans"].as_array().unwrap() {
        assert_eq!(s["exported_by"], serde_json::json!(["traces"]));
        let step = &s["journey"][0];
        assert_eq!(step["processor"], "tail_sampling");
        assert!(step["rules"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["text"] == "policy \"errors\" (status_code)" && r["result"] == "matched"));
    }
    // The health-check trace has no error: the whole trace is sampled out.
    let (trace, _, _) = dropped_health_span();
    let run = otelcheck(&[
        "explain",
        config,
        CAPTURE,
        "--trace-id",
        &trace,
        "--format",
        "json",
    ]);
    let doc = json(&run);
    for s in doc["spans"].as_array().unwrap() {
        assert_eq!(s["exported_by"], serde_json::json!([]));
        assert_eq!(s["journey"][0]["outcome"], "sampled-out");
    }
}

/// `explain` text for the first example span of a rewriting rule, checked for secrets.
fn explain_rewrite(config: &str, processor_id: &str, rule_part: &str) -> String {
    let capture = "fixtures/captures/orders-otel-py.otlp.pb";
    let (trace, span) = example_of(config, capture, processor_id, rule_part);
    let run = otelcheck(&[
        "explain",
        config,
        capture,
        "--trace-id",
        &trace,
        "--span-id",
        &span,
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    crate::rewrite_seed::assert_no_secret(&run.stdout, &crate::rewrite_seed::protected_values());
    run.stdout
}

#[test]
fn explain_snapshots_of_the_seed_sanitize_and_a_redaction_hold_no_secret() {
    let sanitize = explain_rewrite(CONFIG, "attributes/sanitize", "authorization");
    assert!(sanitize.contains("<masked string, "), "{sanitize}");
    insta::assert_snapshot!("explain_seed_sanitize", sanitize);
    let redaction = explain_rewrite(
        "fixtures/replay/redaction/captures/orders.yaml",
        "redaction",
        "",
    );
    insta::assert_snapshot!("explain_redaction", redaction);
}

/// Every span a dry run's `--write-output` file holds, by span id (what the exporters got).
fn exported_spans(config: &str, capture: &str) -> Vec<serde_json::Value> {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().to_str().unwrap();
    let run = otelcheck(&["dry-run", config, capture, "--write-output", out]);
    assert!(run.code <= 1, "{}", run.stderr);
    let text = std::fs::read_to_string(dir.path().join("traces.jsonl")).unwrap();
    let mut spans = Vec::new();
    for line in text.lines() {
        let doc: serde_json::Value = serde_json::from_str(line).unwrap();
        for rs in doc["resourceSpans"].as_array().unwrap() {
            for ss in rs["scopeSpans"].as_array().unwrap() {
                spans.extend(ss["spans"].as_array().unwrap().iter().cloned());
            }
        }
    }
    spans
}

/// A string attribute of an OTLP JSON span.
fn string_attr<'a>(span: &'a serde_json::Value, key: &str) -> Option<&'a str> {
    span["attributes"]
        .as_array()?
        .iter()
        .find(|a| a["key"] == key)
        .and_then(|a| a["value"]["stringValue"].as_str())
}

/// The rules of `processor`'s step in the journey of the only span of an explain document.
fn rules_at<'a>(doc: &'a serde_json::Value, processor: &str) -> &'a Vec<serde_json::Value> {
    doc["spans"][0]["journey"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["processor"] == processor)
        .unwrap_or_else(|| panic!("{processor} in {doc}"))["rules"]
        .as_array()
        .unwrap()
}

#[test]
fn a_filter_condition_shows_the_value_each_side_of_its_comparisons_had() {
    // A server span the seed keeps, as the exporters receive it: its kind and route are the
    // values the filter's comparisons must have read (no processor of the seed changes them).
    let spans = exported_spans(CONFIG, CAPTURE);
    let span = spans
        .iter()
        .find(|s| s["kind"] == 2 && string_attr(s, "http.route").is_some())
        .expect("a kept server span with a route");
    let route = string_attr(span, "http.route").unwrap();
    let (trace, id) = (
        span["traceId"].as_str().unwrap(),
        span["spanId"].as_str().unwrap(),
    );
    let doc = explain_json(&["--trace-id", trace, "--span-id", id]);
    let rules = rules_at(&doc, "filter/health");
    assert_eq!(rules.len(), 5);
    for r in &rules[..4] {
        assert_eq!(r["result"], "not-matched", "{r}");
        assert_eq!(
            r["operands"],
            serde_json::json!([
                {"expr": "kind", "value": 2},
                {"expr": "attributes[\"http.route\"]", "value": route},
            ])
        );
    }
    // `IsMatch(...)` is a converter, not a comparison: only the two comparisons are shown.
    assert_eq!(rules[4]["operands"].as_array().unwrap().len(), 2);

    let text = otelcheck(&[
        "explain",
        CONFIG,
        CAPTURE,
        "--trace-id",
        trace,
        "--span-id",
        id,
    ]);
    assert!(
        text.stdout
            .contains(&format!("        attributes[\"http.route\"] = {route:?}\n")),
        "{}",
        text.stdout
    );
}

#[test]
fn a_where_clause_shows_its_operands_masked_when_the_rule_protects_values() {
    let capture = "fixtures/captures/orders-otel-py.otlp.pb";
    let config = "fixtures/replay/transform/advanced_contexts.yaml";
    // The statement `set(attributes["route.upper"], ToUpperCase(attributes["http.route"]))
    // where attributes["http.route"] != nil` wrote the route it read, upper-cased.
    let spans = exported_spans(config, capture);
    let span = spans
        .iter()
        .find(|s| string_attr(s, "route.upper").is_some())
        .expect("a span the where clause let through");
    let route = string_attr(span, "http.route").unwrap();
    assert_eq!(
        string_attr(span, "route.upper"),
        Some(&*route.to_uppercase())
    );
    let (trace, id) = (
        span["traceId"].as_str().unwrap().to_owned(),
        span["spanId"].as_str().unwrap().to_owned(),
    );
    let explain = |config: &str, reveal: bool| {
        let mut a = vec![
            "explain",
            config,
            capture,
            "--trace-id",
            &trace,
            "--span-id",
            &id,
            "--format",
            "json",
        ];
        if reveal {
            a.push("--reveal");
        }
        let run = otelcheck(&a);
        assert_eq!(run.code, 0, "{}", run.stderr);
        json(&run)
    };
    let doc = explain(config, false);
    let set = rules_at(&doc, "transform/advanced")
        .iter()
        .find(|r| r["text"].as_str().unwrap().contains("route.upper"))
        .unwrap();
    assert_eq!(set["result"], "matched");
    assert_eq!(
        set["operands"],
        serde_json::json!([{"expr": "attributes[\"http.route\"]", "value": route}])
    );

    // A deleting statement protects what it touches: its operands are masked unless --reveal.
    let dir = tempfile::tempdir().unwrap();
    let protecting = dir.path().join("delete.yaml");
    std::fs::write(
        &protecting,
        "receivers:\n  otlp:\n    protocols:\n      grpc:\nprocessors:\n  transform:\n    \
         trace_statements:\n      - delete_key(span.attributes, \"http.route\") where \
         span.attributes[\"http.route\"] == \"/nowhere\"\nexporters:\n  debug:\nservice:\n  \
         pipelines:\n    traces:\n      receivers: [otlp]\n      processors: [transform]\n      \
         exporters: [debug]\n",
    )
    .unwrap();
    let protecting = protecting.to_str().unwrap();
    let masked = explain(protecting, false);
    let rule = &rules_at(&masked, "transform")[0];
    assert_eq!(rule["result"], "not-matched");
    assert_eq!(
        rule["operands"],
        serde_json::json!([{
            "expr": "span.attributes[\"http.route\"]",
            "value": format!("<masked string, {} chars>", route.chars().count()),
        }])
    );
    let revealed = explain(protecting, true);
    assert_eq!(
        rules_at(&revealed, "transform")[0]["operands"][0]["value"],
        route
    );
}

/// A probabilistic sampler at 50 % on a real capture: which traces it keeps is recomputed
/// from the documented hash_seed algorithm (processors.md §5.3); `explain` shows the rule as
/// `kept` on a kept trace's spans (with the tracestate it writes) and `sampled out` on a
/// dropped one's, which no pipeline exports.
#[test]
fn a_probabilistic_sampler_reads_kept_or_sampled_out_per_span() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("c.yaml");
    std::fs::write(
        &config,
        "receivers:\n  otlp:\n    protocols:\n      http:\nprocessors:\n  probabilistic_sampler:\n    \
         hash_seed: 0\n    sampling_percentage: 50\nexporters:\n  debug:\nservice:\n  pipelines:\n    \
         traces:\n      receivers: [otlp]\n      processors: [probabilistic_sampler]\n      exporters: [debug]\n",
    )
    .unwrap();
    let config = config.to_str().unwrap();
    let capture = "fixtures/captures/orders-otel-py.otlp.pb";
    // The capture's trace ids, as a pass-through replay exports them.
    let pass = dir.path().join("pass.yaml");
    std::fs::write(
        &pass,
        "receivers:\n  otlp:\n    protocols:\n      http:\nprocessors:\n  batch:\nexporters:\n  debug:\n\
         service:\n  pipelines:\n    traces:\n      receivers: [otlp]\n      processors: [batch]\n      exporters: [debug]\n",
    )
    .unwrap();
    let out = dir.path().join("out");
    let run = otelcheck(&[
        "dry-run",
        pass.to_str().unwrap(),
        capture,
        "--write-output",
        out.to_str().unwrap(),
    ]);
    assert!(run.code <= 1, "{}", run.stderr);
    let mut traces: Vec<(String, Option<String>)> = Vec::new();
    for line in std::fs::read_to_string(out.join("traces.jsonl"))
        .unwrap()
        .lines()
    {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        for rs in v["resourceSpans"].as_array().unwrap() {
            for ss in rs["scopeSpans"].as_array().unwrap() {
                for sp in ss["spans"].as_array().unwrap() {
                    let t = sp["traceId"].as_str().unwrap().to_owned();
                    traces.push((t, crate::sampler_probabilistic::priority_text(sp)));
                }
            }
        }
    }
    assert!(
        traces.iter().all(|(_, p)| p.is_none()),
        "no priority override here"
    );
    let keep = |t: &str| crate::sampler_probabilistic::hash_seed_expectation(t, &None, 0, 50.0);
    let kept = traces.iter().find(|(t, _)| keep(t).0).unwrap().0.clone();
    let dropped = traces.iter().find(|(t, _)| !keep(t).0).unwrap().0.clone();
    let explain = |trace: &str, format: &str| {
        let run = otelcheck(&[
            "explain",
            config,
            capture,
            "--trace-id",
            trace,
            "--format",
            format,
        ]);
        assert_eq!(run.code, 0, "{}", run.stderr);
        run.stdout
    };
    let rule = "`sampling_percentage: 50 (mode hash_seed, hash_seed 0)`";
    let text = explain(&kept, "text");
    let doc: serde_json::Value = serde_json::from_str(&explain(&kept, "json")).unwrap();
    let spans = doc["spans"].as_array().unwrap();
    assert!(!spans.is_empty());
    for s in spans {
        assert_eq!(s["exported_by"], serde_json::json!(["traces"]), "{s}");
    }
    assert_eq!(
        text.matches(&format!("{rule} kept")).count(),
        spans.len(),
        "{text}"
    );
    assert!(!text.contains("sampled out"), "{text}");
    // The tracestate the kept spans carry is the documented one.
    assert!(
        text.contains(&format!("-> \"{}\"", keep(&kept).1)),
        "{text}"
    );

    let text = explain(&dropped, "text");
    let doc: serde_json::Value = serde_json::from_str(&explain(&dropped, "json")).unwrap();
    let spans = doc["spans"].as_array().unwrap();
    assert!(!spans.is_empty());
    for s in spans {
        assert_eq!(s["exported_by"], serde_json::json!([]), "{s}");
        assert_eq!(s["journey"][0]["outcome"], "sampled-out", "{s}");
    }
    assert_eq!(
        text.matches(&format!("{rule} sampled out")).count(),
        spans.len(),
        "{text}"
    );
    assert!(!text.contains(" kept"), "{text}");
}
