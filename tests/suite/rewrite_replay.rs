//! Fixture-driven replay of the rewriting processors: every `fixtures/replay/<processor>/*.yaml`
//! is a collector config whose `# expect` lines say what the collector (contrib v0.156.0) exports
//! for `fixtures/replay/input.otlp.json`; the expected values come from upstream's observed
//! behaviour and its algorithms (hashes computed outside otelcheck), never from otelcheck.
//!
//! `# expect <span name | @service> <key> <OTLP JSON AnyValue | absent>` checks one attribute of
//! a span (or of the resource whose `service.name` is given, or of the span named after `@`); `<key>` = `@order` checks the
//! attribute keys in order (comma-separated), `@name` the span name, `@status` the status and
//! `@exported` (`true`/`false`) whether the span was exported at all. `# expect-finding CODE`
//! requires a finding code in the report.

use crate::common::{fixture, json, otelcheck, root};
use serde_json::Value;
use std::path::{Path, PathBuf};

/// Replay `config` on the shared input; the exported requests and the JSON report.
pub fn replay(config: &Path, input: &str, extra: &[&str]) -> (Vec<Value>, Value) {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let mut args = vec![
        "dry-run",
        config.to_str().unwrap(),
        input,
        "--format",
        "json",
        "--write-output",
        out.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    let run = otelcheck(&args);
    assert!(
        run.code == 0 || run.code == 1,
        "{}: exit {}\n{}{}",
        config.display(),
        run.code,
        run.stdout,
        run.stderr
    );
    let report = json(&run);
    let text = std::fs::read_to_string(out.join("traces.jsonl")).unwrap_or_default();
    let requests = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    (requests, report)
}

/// Every exported span with its resource's attributes: (resource attrs, span).
pub fn spans(requests: &[Value]) -> Vec<(Value, Value)> {
    let mut out = Vec::new();
    for r in requests {
        for rs in r["resourceSpans"].as_array().into_iter().flatten() {
            let resource = rs["resource"]["attributes"].clone();
            for ss in rs["scopeSpans"].as_array().into_iter().flatten() {
                for sp in ss["spans"].as_array().into_iter().flatten() {
                    out.push((resource.clone(), sp.clone()));
                }
            }
        }
    }
    out
}

/// The value of `key` in an OTLP JSON attribute list.
pub fn attr<'a>(list: &'a Value, key: &str) -> Option<&'a Value> {
    list.as_array()?
        .iter()
        .find(|kv| kv["key"] == key)
        .map(|kv| &kv["value"])
}

fn keys(list: &Value) -> String {
    list.as_array()
        .into_iter()
        .flatten()
        .map(|kv| kv["key"].as_str().unwrap_or("").to_owned())
        .collect::<Vec<_>>()
        .join(",")
}

fn service(resource: &Value) -> String {
    attr(resource, "service.name")
        .and_then(|v| v["stringValue"].as_str())
        .unwrap_or("")
        .to_owned()
}

/// The span id a span had in the input, by its input name: a rename must not lose the span.
fn input_span_id(name: &str) -> Option<String> {
    let text = std::fs::read_to_string(fixture("replay/input.otlp.json")).ok()?;
    let input: Value = serde_json::from_str(&text).ok()?;
    spans(&[input])
        .into_iter()
        .find(|(_, s)| s["name"] == name)
        .and_then(|(_, s)| s["spanId"].as_str().map(str::to_owned))
}

/// Check one `# expect` line against the export; `Err` says what differs. A span is named by
/// its name in the input.
fn check(line: &str, exported: &[(Value, Value)]) -> Result<(), String> {
    let mut parts = line.splitn(3, ' ');
    let (target, key, want) = (
        parts.next().unwrap_or(""),
        parts.next().unwrap_or(""),
        parts.next().unwrap_or("").trim(),
    );
    let id = input_span_id(target);
    let is_target = |s: &Value| s["spanId"].as_str() == id.as_deref();
    if key == "@exported" {
        let found = exported.iter().any(|(_, s)| is_target(s));
        return if found.to_string() == want {
            Ok(())
        } else {
            Err(format!("{target}: exported is {found}, expected {want}"))
        };
    }
    let list = if let Some(svc) = target.strip_prefix('@') {
        // A service name, or (when redaction removed it) the input name of a span below it.
        let by_span = input_span_id(svc);
        exported
            .iter()
            .find(|(r, s)| {
                service(r) == svc
                    || (by_span.is_some() && s["spanId"].as_str() == by_span.as_deref())
            })
            .map(|(r, _)| r.clone())
    } else {
        exported
            .iter()
            .find(|(_, s)| is_target(s))
            .map(|(_, s)| match key {
                "@name" | "@status" => s.clone(),
                _ => s["attributes"].clone(),
            })
    };
    let Some(list) = list else {
        return Err(format!("{target}: not exported"));
    };
    let got = match key {
        "@order" => Value::String(keys(&list)),
        "@name" => list["name"].clone(),
        "@status" => list["status"].clone(),
        _ => attr(&list, key).cloned().unwrap_or(Value::Null),
    };
    let expected = match (key, want) {
        (_, "absent") => Value::Null,
        ("@order", w) => Value::String(w.to_owned()),
        (_, w) => serde_json::from_str(w).map_err(|e| format!("bad expectation {w}: {e}"))?,
    };
    if got == expected {
        Ok(())
    } else {
        Err(format!("{target} {key}: expected {expected}, got {got}"))
    }
}

/// The `# expect` lines of a fixture config.
fn expectations(config: &Path) -> Vec<String> {
    std::fs::read_to_string(config)
        .unwrap()
        .lines()
        .filter_map(|l| l.strip_prefix("# expect "))
        .map(str::to_owned)
        .collect()
}

/// The `# expect-finding CODE` lines: codes the report must carry (such a fixture may show a
/// processor otelcheck does not emulate).
fn findings_expected(config: &Path) -> Vec<String> {
    std::fs::read_to_string(config)
        .unwrap()
        .lines()
        .filter_map(|l| l.strip_prefix("# expect-finding "))
        .map(str::to_owned)
        .collect()
}

fn configs(processor: &str) -> Vec<PathBuf> {
    let dir = root().join("fixtures/replay").join(processor);
    let mut out: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    out.sort();
    out
}

/// Run every fixture of `processor`; returns how many expectations were checked.
pub fn run_fixtures(processor: &str) -> usize {
    let input = fixture("replay/input.otlp.json");
    let mut failures = Vec::new();
    let mut checked = 0;
    for config in configs(processor) {
        let expects = expectations(&config);
        assert!(!expects.is_empty(), "{} has no # expect", config.display());
        let (requests, report) = replay(&config, &input, &[]);
        let exported = spans(&requests);
        for e in &expects {
            checked += 1;
            if let Err(m) = check(e, &exported) {
                failures.push(format!("{}: {m}", config.display()));
            }
        }
        let codes = crate::common::codes(&report);
        let wanted = findings_expected(&config);
        for code in &wanted {
            if !codes.contains(code) {
                failures.push(format!("{}: no {code} finding", config.display()));
            }
        }
        if !wanted.is_empty() {
            continue;
        }
        // The processor under test is emulated: no pass-through warning about it.
        let unsupported = report["findings"]
            .as_array()
            .into_iter()
            .flatten()
            .any(|f| {
                f["code"] == "unsupported-component"
                    && f["message"]
                        .as_str()
                        .is_some_and(|m| m.contains("does not emulate"))
            });
        assert!(!unsupported, "{}: {report}", config.display());
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    checked
}

#[test]
fn attributes_fixtures_export_what_upstream_exports() {
    assert!(run_fixtures("attributes") >= 40);
}

#[test]
fn resource_fixtures_export_what_upstream_exports() {
    assert!(run_fixtures("resource") >= 7);
}

#[test]
fn span_fixtures_export_what_upstream_exports() {
    assert!(run_fixtures("span") >= 25);
}

#[test]
fn redaction_fixtures_export_what_the_source_says() {
    assert!(run_fixtures("redaction") >= 30);
}

#[test]
fn from_context_is_reported_as_unknowable_from_a_capture() {
    let config = root().join("fixtures/replay/attributes/from_context.yaml");
    let (_, report) = replay(&config, &fixture("replay/input.otlp.json"), &[]);
    let notes: Vec<&Value> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| {
            f["code"] == "unsupported-component"
                && f["message"]
                    .as_str()
                    .is_some_and(|m| m.contains("from_context"))
        })
        .collect();
    assert_eq!(notes.len(), 2, "{report}");
    assert!(notes[0]["location"]["line"].as_u64().unwrap() > 1);
}

/// Every upstream test config of the rewriting processors that the collector accepts runs in
/// a traces pipeline: built, emulated (redaction sanitizers excepted, and said so) and
/// replayed on the small input without failing.
#[test]
fn every_accepted_upstream_rewrite_config_replays() {
    use crate::common::upstream::{block, rows, signals, ROOT};
    use otelcheck::config::node::parse_yaml;
    use otelcheck::engine::counts::Counts;
    use otelcheck::engine::Engine;
    use std::sync::Arc;
    let mut replayed = 0;
    for r in rows().iter().filter(|r| r.expectation == "valid") {
        let ty = r.id.split('/').next().unwrap_or_default();
        if !["attributes", "resource", "span", "redaction"].contains(&ty) {
            continue;
        }
        let text = std::fs::read_to_string(Path::new(ROOT).join(&r.file)).unwrap();
        let name: Arc<str> = r.file.as_str().into();
        let doc = parse_yaml(&name, &text).unwrap();
        let (id, node) = block(&doc, &r.id);
        let sigs = signals(ty, &id, &node);
        if !sigs.contains(&otelcheck::config::settings::Signal::Traces) {
            continue; // a logs- or metrics-only block (e.g. matching log bodies)
        }
        let loaded = crate::upstream_validate::minimal(&name, &text, &id, node, &sigs);
        let analysis = otelcheck::analyze::analyze_loaded(loaded);
        let mut engine = Engine::new(&analysis);
        let slot = engine
            .pipelines()
            .flat_map(|p| p.processors.iter())
            .find(|s| s.id == id)
            .unwrap_or_else(|| panic!("{}: {id} not instantiated", r.file));
        let sanitizer = text.contains("sanitizer") || text.contains("skip_conditions");
        assert!(
            slot.emulated || (ty == "redaction" && sanitizer),
            "{} {id} not emulated",
            r.file
        );
        let mut counts = Counts::for_engine(&engine);
        let input = std::path::PathBuf::from(fixture("replay/input.otlp.json"));
        otelcheck::engine::replay::replay_files(&mut engine, &[input], None, &mut counts, None)
            .unwrap_or_else(|e| panic!("{} {id}: {}", r.file, e.message));
        replayed += 1;
    }
    assert!(replayed >= 20, "only {replayed} upstream configs replayed");
}
