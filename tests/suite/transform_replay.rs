//! The transform processor replayed end to end: each config of `fixtures/replay/transform/`
//! runs on the OTLP capture, and what the exporters receive (`--write-output`) is compared,
//! span by span, with what upstream's semantics give on the same input. The input side is
//! read from a pass-through replay of the same capture, so every expectation is computed from
//! the data, not written down.

use crate::common::*;
use serde_json::Value;

const CAPTURE: &str = "captures/orders-otel-py.otlp.pb";

/// One exported span: resource attributes, span kind, attributes, event attributes.
struct Out {
    resource: Value,
    kind: i64,
    parent: String,
    attrs: serde_json::Map<String, Value>,
    events: Vec<serde_json::Map<String, Value>>,
}

fn attr_map(list: &Value) -> serde_json::Map<String, Value> {
    list.as_array()
        .map(|a| {
            a.iter()
                .map(|kv| (kv["key"].as_str().unwrap().to_owned(), kv["value"].clone()))
                .collect()
        })
        .unwrap_or_default()
}

/// Replay `config` (a fixture path or a written file) and read the exported spans.
fn replay(config: &str) -> (Vec<Out>, Value) {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let cap = fixture(CAPTURE);
    let args = [
        "dry-run",
        config,
        &cap,
        "--format",
        "json",
        "--write-output",
    ];
    let mut all: Vec<&str> = args.to_vec();
    all.push(out.to_str().unwrap());
    let run = otelcheck(&all);
    assert_ne!(run.code, 2, "{}{}", run.stdout, run.stderr);
    let report = json(&run);
    let text = std::fs::read_to_string(out.join("traces.jsonl")).unwrap_or_default();
    let mut spans = Vec::new();
    for line in text.lines() {
        let v: Value = serde_json::from_str(line).unwrap();
        for rs in v["resourceSpans"].as_array().unwrap() {
            for ss in rs["scopeSpans"].as_array().unwrap() {
                for sp in ss["spans"].as_array().unwrap() {
                    let mut attrs = attr_map(&sp["attributes"]);
                    attrs.insert(
                        "__name".into(),
                        serde_json::json!({"stringValue": sp["name"]}),
                    );
                    spans.push(Out {
                        resource: rs["resource"]["attributes"].clone(),
                        kind: sp["kind"].as_i64().unwrap_or(0),
                        parent: sp["parentSpanId"].as_str().unwrap_or("").to_owned(),
                        attrs,
                        events: sp["events"]
                            .as_array()
                            .map(|e| e.iter().map(|e| attr_map(&e["attributes"])).collect())
                            .unwrap_or_default(),
                    });
                }
            }
        }
    }
    (spans, report)
}

/// The capture as the pipeline receives it (no processor).
fn input() -> Vec<Out> {
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("pass.yaml");
    std::fs::write(
        &cfg,
        "receivers: {otlp: {protocols: {grpc: {}}}}\nexporters: {debug: {}}\nservice:\n  pipelines:\n    traces: {receivers: [otlp], exporters: [debug]}\n",
    )
    .unwrap();
    replay(cfg.to_str().unwrap()).0
}

fn s(v: &Value) -> &str {
    v["stringValue"].as_str().unwrap_or("")
}

fn rule<'a>(report: &'a Value, proc: &str, text_start: &str) -> &'a Value {
    processor(report, proc)["rules"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["text"].as_str().unwrap().starts_with(text_start))
        .unwrap_or_else(|| panic!("no rule {text_start}"))
}

#[test]
fn advanced_groups_run_per_context() {
    let before = input();
    let (after, report) = replay(&fixture("replay/transform/advanced_contexts.yaml"));
    assert_eq!(before.len(), after.len(), "transform drops nothing");
    const SERVER: i64 = 2;
    let card = regex::Regex::new("card_number=[0-9]+").unwrap();
    let mut servers = 0;
    let mut routed = 0;
    for (b, a) in before.iter().zip(&after) {
        // Resource group: every resource now says staging.
        let env = attr_map(&a.resource);
        assert_eq!(s(&env["deployment.environment.name"]), "staging");
        if b.kind != SERVER {
            // The group condition keeps non-server spans untouched.
            assert_eq!(b.attrs, a.attrs);
            continue;
        }
        servers += 1;
        assert!(!a.attrs.contains_key("http.request.header.authorization"));
        if let Some(q) = b.attrs.get("url.query") {
            let want = card.replace_all(s(q), "card_number=****").into_owned();
            assert_eq!(s(&a.attrs["url.query"]), want);
        }
        match b.attrs.get("http.route") {
            Some(r) => {
                routed += 1;
                assert_eq!(s(&a.attrs["route.upper"]), s(r).to_uppercase());
            }
            None => assert!(!a.attrs.contains_key("route.upper")),
        }
        for e in &a.events {
            assert_eq!(e["seen"]["boolValue"], true);
        }
    }
    let cond = rule(&report, "transform/advanced", "kind == SPAN_KIND_SERVER");
    assert_eq!(cond["evaluated"], before.len() as u64);
    assert_eq!(cond["matched"], servers);
    let route = rule(
        &report,
        "transform/advanced",
        "set(attributes[\"route.upper\"]",
    );
    assert_eq!(
        route["evaluated"], servers,
        "statements run only where the group condition holds"
    );
    assert_eq!(route["matched"], routed);
    let events: usize = before.iter().map(|b| b.events.len()).sum();
    assert_eq!(
        rule(&report, "transform/advanced", "set(attributes[\"seen\"]")["evaluated"],
        events as u64
    );
}

#[test]
fn flat_statements_share_one_inferred_span_context() {
    use sha2::Digest;
    let before = input();
    let (after, _) = replay(&fixture("replay/transform/flat_inferred.yaml"));
    let card = regex::Regex::new("[0-9]{13,19}").unwrap();
    for (b, a) in before.iter().zip(&after) {
        // keep_keys on resource attributes ran (once per span, same result).
        let res = attr_map(&a.resource);
        assert!(res.keys().all(|k| k == "service.name"), "{res:?}");
        for (k, v) in &b.attrs {
            if k == "__name" {
                assert_eq!(a.attrs.get(k), Some(v), "span names are not attributes");
                continue;
            }
            let Some(text) = v.get("stringValue").and_then(Value::as_str) else {
                assert_eq!(a.attrs.get(k), Some(v), "non-strings untouched: {k}");
                continue;
            };
            let mut want = if k == "user.id" {
                hex::encode(sha2::Sha256::digest(text.as_bytes()))
            } else {
                text.to_owned()
            };
            want = card.replace_all(&want, "[card]").into_owned();
            let mut cut = want.len().min(64);
            while !want.is_char_boundary(cut) {
                cut -= 1;
            }
            want.truncate(cut);
            assert_eq!(s(&a.attrs[k]), want, "{k}");
        }
        let root = b.parent.is_empty() || b.parent.chars().all(|c| c == '0');
        assert_eq!(a.attrs.contains_key("kind.name"), root);
    }
}

#[test]
fn propagate_drops_the_failing_request_and_ignore_keeps_it() {
    let (after, report) = replay(&fixture("replay/transform/propagate.yaml"));
    assert!(after.is_empty(), "the one request of the capture failed");
    let r = rule(&report, "transform/strict", "set(");
    assert_eq!(r["errors"], 1);
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("ignore.yaml");
    let text = std::fs::read_to_string(fixture("replay/transform/propagate.yaml")).unwrap();
    std::fs::write(
        &cfg,
        text.replace("error_mode: propagate", "error_mode: ignore"),
    )
    .unwrap();
    let before = input();
    let (after, report) = replay(cfg.to_str().unwrap());
    assert_eq!(after.len(), before.len());
    let with_qty = before
        .iter()
        .filter(|b| b.attrs.contains_key("order.qty"))
        .count();
    let r = rule(&report, "transform/strict", "set(");
    assert_eq!(r["errors"], (before.len() - with_qty) as u64);
    assert_eq!(
        after
            .iter()
            .filter(|a| a.attrs.contains_key("qty.plus"))
            .count(),
        with_qty
    );
}

#[test]
fn default_error_mode_is_ignore() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("default.yaml");
    let text = std::fs::read_to_string(fixture("replay/transform/propagate.yaml")).unwrap();
    std::fs::write(&cfg, text.replace("    error_mode: propagate\n", "")).unwrap();
    let before = input();
    let (after, _) = replay(cfg.to_str().unwrap());
    assert_eq!(
        after.len(),
        before.len(),
        "v0.156.0 defaults transform to ignore"
    );
}

/// ottl.md §12: `truncate_all(attributes, utf8_safe = true)` passes upstream's parser (named
/// arguments are not checked for covering the required ones) and runs with limit 0, every
/// string emptied. otelcheck replays it so, and reports it as a catch-all rewrite.
#[test]
fn truncate_all_without_a_limit_runs_with_limit_zero_and_is_reported() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("zero.yaml");
    std::fs::write(
        &cfg,
        "receivers: {otlp: {protocols: {grpc: {}}}}\nprocessors:\n  transform:\n    \
         trace_statements:\n      - truncate_all(span.attributes, utf8_safe = true)\n\
         exporters: {debug: {}}\nservice:\n  pipelines:\n    traces: {receivers: [otlp], \
         processors: [transform], exporters: [debug]}\n",
    )
    .unwrap();
    let before = input();
    let (after, report) = replay(cfg.to_str().unwrap());
    assert_eq!(after.len(), before.len());
    let mut strings = 0;
    for (b, a) in before.iter().zip(&after) {
        for (k, v) in &b.attrs {
            if k == "__name" {
                continue;
            }
            if v.get("stringValue").is_some() {
                strings += 1;
                assert_eq!(a.attrs[k], serde_json::json!({"stringValue": ""}), "{k}");
            } else {
                assert_eq!(&a.attrs[k], v, "{k}: only strings are truncated");
            }
        }
    }
    assert!(strings > 0);
    let finding = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == "catch-all-rule")
        .expect("reported as a catch-all rewrite");
    assert!(
        finding["message"]
            .as_str()
            .unwrap()
            .contains("with limit 0: every string value emptied"),
        "{finding}"
    );
    assert!(!codes(&report).iter().any(|c| c == "invalid-ottl"));
}

/// The text of top-level block `id` of an upstream test config (its line and the indented
/// lines below it).
fn block_text(file: &str, id: &str) -> String {
    let mut out = String::new();
    let mut inside = false;
    for line in file.lines() {
        if !line.starts_with(' ') && !line.is_empty() {
            inside = line.trim_end() == format!("{id}:");
        }
        if inside {
            out.push_str(line);
            out.push('\n');
        }
    }
    out
}

#[test]
fn every_accepted_upstream_transform_config_replays_without_error() {
    let path = "fixtures/config/upstream/processor/transformprocessor/testdata/config.yaml";
    let file = std::fs::read_to_string(root().join(path)).unwrap();
    let rows: Vec<_> = crate::common::upstream::rows()
        .into_iter()
        .filter(|r| r.file.ends_with("transformprocessor/testdata/config.yaml"))
        .filter(|r| r.expectation == "valid")
        .collect();
    assert!(
        rows.len() >= 7,
        "the valid transform rows of expectations.tsv"
    );
    let dir = tempfile::tempdir().unwrap();
    for r in rows {
        let id = r.id.split_whitespace().next().unwrap().to_owned();
        let block: String = block_text(&file, &id)
            .lines()
            .map(|l| format!("  {l}\n"))
            .collect();
        let cfg = format!(
            "receivers: {{otlp: {{protocols: {{grpc: {{}}}}}}}}\nprocessors:\n{block}exporters: {{debug: {{}}}}\nservice:\n  pipelines:\n    traces: {{receivers: [otlp], processors: [{id}], exporters: [debug]}}\n"
        );
        let p = dir.path().join("c.yaml");
        std::fs::write(&p, &cfg).unwrap();
        let (_, report) = replay(p.to_str().unwrap());
        // A catch-all is about meaning, not validity: upstream's `keep_keys(attributes,
        // ["http.method", "http.path"])` really strips every key of this capture.
        let errors: Vec<&Value> = report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["severity"] == "error" && f["code"] != "catch-all-rule")
            .collect();
        assert!(errors.is_empty(), "{id}: {errors:#?}\n{cfg}");
        assert_eq!(processor(&report, &id)["emulated"], true, "{id}");
    }
}

/// The semantic-convention name ottl.md §5.3 derives, for the attribute sets of the capture
/// (HTTP server and client, database client, messaging producer and consumer).
fn semconv_name(kind: i64, a: &serde_json::Map<String, Value>, name: &str) -> String {
    let get = |k: &str| a.get(k).map(|v| s(v).to_owned());
    let http = |subject: &str| {
        get("http.request.method").map(|m| match get(subject) {
            Some(x) => format!("{m} {x}"),
            None => m,
        })
    };
    let messaging = || {
        get("messaging.system")?;
        let dest = get("messaging.destination.name");
        Some(match (get("messaging.operation.name"), dest) {
            (Some(o), Some(d)) => format!("{o} {d}"),
            (None, Some(d)) => d,
            (Some(o), None) => o,
            (None, None) => get("messaging.system")?,
        })
    };
    let db = || {
        get("db.system.name")?;
        let target = match (get("db.namespace"), get("db.collection.name")) {
            (Some(n), Some(c)) => format!("{n}.{c}"),
            (None, Some(c)) => c,
            (Some(n), None) => n,
            (None, None) => String::new(),
        };
        Some(match get("db.operation.name") {
            Some(o) if !target.is_empty() => format!("{o} {target}"),
            Some(o) => o,
            None => target,
        })
    };
    let found = match kind {
        2 => http("http.route").or_else(messaging),
        3 => http("url.template").or_else(db).or_else(messaging),
        4 | 5 => messaging(),
        _ => None,
    };
    found.unwrap_or_else(|| name.to_owned())
}

#[test]
fn set_semconv_span_name_renames_and_keeps_the_original() {
    let before = input();
    let (after, _) = replay(&fixture("replay/transform/semconv_span_name.yaml"));
    let mut renamed = 0;
    for (b, a) in before.iter().zip(&after) {
        let old = s(&b.attrs["__name"]).to_owned();
        let want = semconv_name(b.kind, &b.attrs, &old);
        assert_eq!(s(&a.attrs["__name"]), want);
        if want != old {
            renamed += 1;
            assert_eq!(s(&a.attrs["span.original_name"]), old);
        } else {
            assert!(!a.attrs.contains_key("span.original_name"));
        }
    }
    assert!(renamed > 0);
}

#[test]
fn set_semconv_span_name_outside_the_accepted_versions_is_invalid() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("v.yaml");
    let text = std::fs::read_to_string(fixture("replay/transform/semconv_span_name.yaml")).unwrap();
    std::fs::write(&cfg, text.replace("\"1.38.0\"", "\"1.41.0\"")).unwrap();
    let run = otelcheck(&["validate", cfg.to_str().unwrap(), "--format", "json"]);
    let report = json(&run);
    let f = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == "invalid-ottl")
        .expect("invalid-ottl finding");
    let msg = f["message"].as_str().unwrap();
    assert!(msg.contains("must be between 1.37.0 and 1.40.0"), "{msg}");
    assert_eq!(f["location"]["line"], 12);
}

#[test]
fn rule_text_is_shown_as_written_never_with_env_values() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("env.yaml");
    let text = std::fs::read_to_string(fixture("replay/transform/advanced_contexts.yaml")).unwrap();
    std::fs::write(
        &cfg,
        text.replace("\"staging\"", "\"${env:TOKEN_FOR_TEST}\""),
    )
    .unwrap();
    let cap = fixture(CAPTURE);
    let run = otelcheck(&[
        "dry-run",
        cfg.to_str().unwrap(),
        &cap,
        "--format",
        "json",
        "--set",
        "TOKEN_FOR_TEST=s3cr3t-value",
    ]);
    assert_ne!(run.code, 2, "{}{}", run.stdout, run.stderr);
    assert!(!run.stdout.contains("s3cr3t-value"));
    let report = json(&run);
    let r = rule(&report, "transform/advanced", "set(attributes[\"deployment");
    assert!(r["text"]
        .as_str()
        .unwrap()
        .contains("${env:TOKEN_FOR_TEST}"));
}

#[test]
fn a_flat_group_infers_one_context_for_all_its_statements() {
    // `set_semconv_span_name` has no path: alone it infers nothing, but the group's other
    // statement makes the whole group run in the span context, as upstream does.
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("g.yaml");
    std::fs::write(
        &cfg,
        "receivers: {otlp: {protocols: {grpc: {}}}}\nprocessors:\n  transform:\n    trace_statements:\n      - set_semconv_span_name(\"1.37.0\")\n      - set(span.attributes[\"renamed\"], true)\nexporters: {debug: {}}\nservice:\n  pipelines:\n    traces: {receivers: [otlp], processors: [transform], exporters: [debug]}\n",
    )
    .unwrap();
    let (after, report) = replay(cfg.to_str().unwrap());
    let errors: Vec<&Value> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["severity"] == "error")
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
    assert_eq!(processor(&report, "transform")["emulated"], true);
    assert!(after.iter().all(|a| a.attrs.contains_key("renamed")));
}

/// The dry-run table of every transform fixture, pinned: per statement evaluated, `where`
/// true and errors on the OTLP capture.
#[test]
fn replay_tables() {
    insta::glob!("../../fixtures/replay/transform", "*.yaml", |path| {
        let run = otelcheck(&["dry-run", path.to_str().unwrap(), &fixture(CAPTURE)]);
        assert_ne!(run.code, 2, "{}", run.stderr);
        // The config's path differs per machine; the table does not.
        let shown = path.display().to_string();
        insta::assert_snapshot!(run.stdout.replace(&shown, "FIXTURE"));
    });
}

#[test]
fn a_statement_otelcheck_cannot_run_makes_the_processor_not_emulated_and_says_so() {
    let call = unevaluated_span_converter_call();
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("x.yaml");
    std::fs::write(
        &cfg,
        format!("receivers: {{otlp: {{protocols: {{grpc: {{}}}}}}}}\nprocessors:\n  transform:\n    trace_statements:\n      - 'set(span.attributes[\"x\"], {call})'\nexporters: {{debug: {{}}}}\nservice:\n  pipelines:\n    traces: {{receivers: [otlp], processors: [transform], exporters: [debug]}}\n"),
    )
    .unwrap();
    let before = input();
    let (after, report) = replay(cfg.to_str().unwrap());
    assert_eq!(processor(&report, "transform")["emulated"], false);
    assert!(codes(&report).contains(&"unsupported-component".to_owned()));
    // Passed through unchanged, never half-run.
    assert_eq!(after.len(), before.len());
    assert!(after.iter().all(|a| !a.attrs.contains_key("x")));
}
