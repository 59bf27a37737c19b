//! End-to-end `otelcheck diff` on the seed configs and real captures: what HEAD newly drops
//! or keeps, which findings fail the run, and the text, Markdown and JSON documents.

use crate::common::{json, otelcheck, root};
use std::collections::BTreeSet;

const FIXED: &str = "fixtures/seed/fixed.yaml";
const BROKEN: &str = "fixtures/seed/broken.yaml";
/// The broken rule as the collector would accept it (IsMatch on `url.full`).
const UPSTREAM_BROKEN: &str = "fixtures/diff/broken-upstream.yaml";
const PY_V04: &str = "fixtures/captures/orders-ddtrace-py-v04.msgpack";

fn diff_json(base: &str, head: &str, extra: &[&str]) -> (i32, serde_json::Value) {
    let mut args = vec![
        "diff",
        base,
        head,
        PY_V04,
        "--format",
        "json",
        "--no-config-file",
    ];
    args.extend_from_slice(extra);
    let run = otelcheck(&args);
    (run.code, json(&run))
}

fn codes(doc: &serde_json::Value) -> Vec<String> {
    doc["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|f| f["code"].as_str().unwrap_or_default().to_owned())
        .collect()
}

/// (trace id, span id) of every span a dry run's `--write-output` file holds: the output
/// writer is another observer than the diff's, so this checks the diff independently.
fn exported_ids(config: &str) -> BTreeSet<(String, String)> {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = dir.path().display().to_string();
    let run = otelcheck(&[
        "dry-run",
        config,
        PY_V04,
        "--write-output",
        &out,
        "--no-config-file",
    ]);
    assert!(run.code <= 1, "{}", run.stderr);
    let text = std::fs::read_to_string(dir.path().join("traces.jsonl")).expect("traces.jsonl");
    let mut ids = BTreeSet::new();
    for line in text.lines() {
        let req: serde_json::Value = serde_json::from_str(line).expect("OTLP JSON line");
        for rs in req["resourceSpans"].as_array().into_iter().flatten() {
            for ss in rs["scopeSpans"].as_array().into_iter().flatten() {
                for s in ss["spans"].as_array().into_iter().flatten() {
                    ids.insert((
                        s["traceId"].as_str().unwrap_or_default().to_owned(),
                        s["spanId"].as_str().unwrap_or_default().to_owned(),
                    ));
                }
            }
        }
    }
    ids
}

#[test]
fn upstream_broken_rule_reports_exactly_the_spans_it_newly_drops_and_fails() {
    let (code, doc) = diff_json(FIXED, UPSTREAM_BROKEN, &[]);
    assert_eq!(code, 1, "{doc}");
    assert_eq!(codes(&doc), ["more-spans-dropped"]);
    let p = &doc["changes"]["pipelines"][0];
    let base = exported_ids(FIXED);
    let head = exported_ids(UPSTREAM_BROKEN);
    let newly_dropped: BTreeSet<_> = base.difference(&head).cloned().collect();
    let newly_kept = head.difference(&base).count();
    // The capture README: 97 HTTP server spans and 40 `requests` client spans carry a URL
    // (url.full), 46 of the server spans are health checks BASE already drops: 137 - 46.
    assert_eq!(newly_dropped.len(), 91);
    assert_eq!(p["spans_newly_dropped"], 91);
    assert_eq!(p["spans_newly_kept"].as_u64(), Some(newly_kept as u64));
    assert_eq!(p["spans_newly_kept"], 0);
    assert_eq!(p["spans_out"]["base"].as_u64(), Some(base.len() as u64));
    assert_eq!(p["spans_out"]["head"].as_u64(), Some(head.len() as u64));
    for e in p["examples_newly_dropped"].as_array().expect("examples") {
        let id = (
            e["trace_id"].as_str().unwrap_or_default().to_owned(),
            e["span_id"].as_str().unwrap_or_default().to_owned(),
        );
        assert!(newly_dropped.contains(&id), "{e} was not newly dropped");
    }
    // The rule that changed, with its counts on each side and a unified diff of its text.
    let rule = &doc["changes"]["rules"][0];
    assert_eq!(rule["change"], "changed");
    assert_eq!(rule["processor"], "filter/health");
    assert_eq!(rule["dropped"]["base"], 24);
    assert_eq!(rule["dropped"]["head"], 137);
    let text_diff = rule["text_diff"].as_str().unwrap_or_default();
    assert!(
        text_diff.contains("+IsMatch(attributes[\"url.full\"], \"/.*\")"),
        "{text_diff}"
    );
    // The finding points at the rule that newly drops.
    let at = &doc["findings"][0]["location"];
    assert_eq!(
        (at["file"].as_str(), at["line"].as_u64()),
        (Some(UPSTREAM_BROKEN), Some(24))
    );
}

#[test]
fn the_reverse_keeps_more_and_passes() {
    let (code, doc) = diff_json(UPSTREAM_BROKEN, FIXED, &[]);
    assert_eq!(code, 0, "{doc}");
    let p = &doc["changes"]["pipelines"][0];
    assert_eq!(p["spans_newly_dropped"], 0);
    assert_eq!(p["spans_newly_kept"], 91);
    assert_eq!(doc["verdict"], "pass");
}

#[test]
fn max_extra_drop_allows_a_smaller_loss() {
    // HEAD exports 91 of BASE's 1047 spans fewer: 8.7 %.
    let (code, _) = diff_json(FIXED, UPSTREAM_BROKEN, &["--max-extra-drop", "9"]);
    assert_eq!(code, 0);
    let (code, _) = diff_json(FIXED, UPSTREAM_BROKEN, &["--max-extra-drop", "8"]);
    assert_eq!(code, 1);
}

#[test]
fn seed_fixed_to_broken_fails_because_the_collector_would_refuse_head() {
    let (code, doc) = diff_json(FIXED, BROKEN, &[]);
    assert_eq!(code, 1, "{doc}");
    assert_eq!(codes(&doc), ["config-refused"]);
    let f = &doc["findings"][0];
    assert_eq!(f["location"]["file"], BROKEN);
    assert_eq!(f["location"]["line"], 22);
    // As otelcheck evaluates `=~`, the broken rule drops nothing here (no span carries
    // http.target): HEAD keeps the 46 health checks BASE drops and newly drops none.
    let p = &doc["changes"]["pipelines"][0];
    assert_eq!(p["spans_newly_dropped"], 0);
    assert_eq!(p["spans_newly_kept"], 46);
    assert_eq!(doc["head"]["verdict"], "fail");
}

#[test]
fn seed_broken_to_fixed_passes() {
    let (code, doc) = diff_json(BROKEN, FIXED, &[]);
    assert_eq!(code, 0, "{doc}");
    assert_eq!(doc["base_refused"], true);
    assert_eq!(doc["changes"]["pipelines"][0]["spans_newly_dropped"], 46);
    assert!(codes(&doc).is_empty());
}

#[test]
fn a_config_against_itself_reports_no_change() {
    for config in [FIXED, BROKEN] {
        let (code, doc) = diff_json(config, config, &[]);
        assert_eq!(code, 0, "{config}: {doc}");
        assert!(codes(&doc).is_empty());
        let p = &doc["changes"]["pipelines"][0];
        assert_eq!(p["spans_newly_dropped"], 0);
        assert_eq!(p["spans_newly_kept"], 0);
        assert_eq!(p["spans_out"]["base"], p["spans_out"]["head"]);
        assert!(doc["changes"]["rules"]
            .as_array()
            .expect("rules")
            .iter()
            .all(|r| r["change"] == "same"));
        let text = otelcheck(&["diff", config, config, PY_V04, "--no-config-file"]).stdout;
        assert!(
            text.contains("no change: HEAD exports exactly what BASE exports"),
            "{text}"
        );
    }
}

#[test]
fn a_removed_pipeline_fails_and_an_added_one_is_info() {
    let (code, doc) = diff_json(FIXED, "fixtures/diff/renamed-pipeline.yaml", &[]);
    assert_eq!(code, 1, "{doc}");
    let mut found = codes(&doc);
    found.sort();
    assert_eq!(found, ["pipeline-added", "pipeline-removed"]);
    let removed = doc["findings"]
        .as_array()
        .and_then(|fs| fs.iter().find(|f| f["code"] == "pipeline-removed"))
        .expect("pipeline-removed");
    assert_eq!(removed["location"]["file"], FIXED);
    // --ignore accepts the removal.
    let (code, _) = diff_json(
        FIXED,
        "fixtures/diff/renamed-pipeline.yaml",
        &["--ignore", "pipeline-removed"],
    );
    assert_eq!(code, 0);
}

#[test]
fn unusable_input_is_exit_2_with_a_document() {
    let run = otelcheck(&[
        "diff",
        FIXED,
        "fixtures/diff/missing.yaml",
        PY_V04,
        "--format",
        "json",
    ]);
    assert_eq!(run.code, 2);
    assert_eq!(json(&run)["verdict"], "error");
    let run = otelcheck(&["diff", FIXED, BROKEN]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("at least one capture"),
        "{}",
        run.stderr
    );
}

#[test]
fn action_yml_calls_diff_with_arguments_it_accepts() {
    let action = std::fs::read_to_string(root().join("action.yml")).expect("action.yml");
    assert!(
        action.contains("otelcheck diff \"$BASE\" \"$CONFIG\" \"${captures[@]}\" --max-extra-drop")
    );
    let dir = tempfile::tempdir().expect("temp dir");
    let sarif = dir.path().join("o.sarif");
    let report = format!("sarif={}", sarif.display());
    let run = otelcheck(&[
        "diff",
        FIXED,
        UPSTREAM_BROKEN,
        PY_V04,
        "--max-extra-drop",
        "0",
        "--format",
        "markdown",
        "--report",
        &report,
        "--no-config-file",
    ]);
    assert_eq!(run.code, 1);
    let doc: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&sarif).expect("sarif written"))
            .expect("SARIF JSON");
    assert_eq!(doc["runs"][0]["results"][0]["ruleId"], "more-spans-dropped");
}

#[test]
fn snapshots_of_text_markdown_and_json() {
    let args = |f: &'static str| {
        [
            "diff",
            FIXED,
            UPSTREAM_BROKEN,
            PY_V04,
            "--format",
            f,
            "--no-config-file",
        ]
    };
    insta::assert_snapshot!(
        "diff_fixed_to_upstream_broken_text",
        otelcheck(&args("text")).stdout
    );
    insta::assert_snapshot!(
        "diff_fixed_to_upstream_broken_markdown",
        otelcheck(&args("markdown")).stdout
    );
    let doc = json(&otelcheck(&args("json")));
    // The two dry-run reports are the dry-run's contract; the diff's own part is snapshotted.
    let own = serde_json::json!({
        "schema": doc["schema"], "kind": doc["kind"], "max_extra_drop": doc["max_extra_drop"],
        "changes": doc["changes"], "sensitive": doc["sensitive"], "base_refused": doc["base_refused"],
        "findings": doc["findings"], "summary": doc["summary"], "verdict": doc["verdict"],
        "base_configs": doc["base"]["configs"], "head_configs": doc["head"]["configs"],
    });
    insta::assert_json_snapshot!("diff_fixed_to_upstream_broken_json", own);
}

#[test]
fn the_project_file_sets_max_extra_drop_and_the_flag_wins() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join(".otelcheck.yaml"), "max-extra-drop: 9\n").expect("write");
    let abs = |p: &str| root().join(p).display().to_string();
    let (base, head, capture) = (abs(FIXED), abs(UPSTREAM_BROKEN), abs(PY_V04));
    // HEAD loses 8.7 % of BASE's spans: within the file's 9 %, beyond the flag's 8 %.
    let run = crate::common::otelcheck_in(dir.path(), &["diff", &base, &head, &capture]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    let run = crate::common::otelcheck_in(
        dir.path(),
        &["diff", &base, &head, &capture, "--max-extra-drop", "8"],
    );
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
}

#[test]
fn base_and_head_are_dry_run_reports_and_sarif_is_valid() {
    let load = |p: &str| -> serde_json::Value {
        serde_json::from_str(&std::fs::read_to_string(root().join(p)).expect("schema file"))
            .expect("schema JSON")
    };
    let report = jsonschema::validator_for(&load("docs/report.schema.json")).expect("compiles");
    let sarif = jsonschema::validator_for(&load("tests/suite/schemas/sarif-schema-2.1.0.json"))
        .expect("compiles");
    let (_, doc) = diff_json(FIXED, UPSTREAM_BROKEN, &[]);
    for side in ["base", "head"] {
        let errors: Vec<String> = report
            .iter_errors(&doc[side])
            .map(|e| e.to_string())
            .collect();
        assert!(errors.is_empty(), "{side}: {errors:?}");
    }
    let run = otelcheck(&[
        "diff",
        FIXED,
        UPSTREAM_BROKEN,
        PY_V04,
        "--format",
        "sarif",
        "--no-config-file",
    ]);
    let errors: Vec<String> = sarif
        .iter_errors(&json(&run))
        .map(|e| e.to_string())
        .collect();
    assert!(errors.is_empty(), "sarif: {errors:?}");
}

#[test]
fn a_service_dropped_whole_is_lost() {
    let (code, doc) = diff_json(FIXED, "fixtures/diff/drop-service.yaml", &[]);
    assert_eq!(code, 1, "{doc}");
    let mut found = codes(&doc);
    found.sort();
    assert_eq!(found, ["more-spans-dropped", "service-lost"]);
    let p = &doc["changes"]["pipelines"][0];
    assert_eq!(p["services_lost"], serde_json::json!(["orders-api"]));
    assert_eq!(p["spans_out"]["head"], 0);
    // Every span BASE exported is newly dropped, none newly kept.
    assert_eq!(p["spans_newly_dropped"], p["spans_out"]["base"]);
    assert_eq!(p["spans_newly_kept"], 0);
    let lost = doc["findings"]
        .as_array()
        .and_then(|fs| fs.iter().find(|f| f["code"] == "service-lost"))
        .expect("service-lost");
    assert!(lost["message"]
        .as_str()
        .unwrap_or_default()
        .contains("`orders-api`"));
    assert_eq!(lost["location"]["file"], "fixtures/diff/drop-service.yaml");
    assert_eq!(lost["location"]["line"], 13);
}

#[test]
fn seed_diffs_hold_on_every_shared_capture() {
    let mut captures: Vec<String> = std::fs::read_dir(root().join("fixtures/captures"))
        .expect("fixtures/captures")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| !p.to_string_lossy().ends_with(".headers.json"))
        .map(|p| p.display().to_string())
        .collect();
    captures.sort();
    assert!(captures.len() >= 8, "{captures:?}");
    for capture in &captures {
        let run = |base: &str, head: &str| {
            let r = otelcheck(&[
                "diff",
                base,
                head,
                capture,
                "--format",
                "json",
                "--no-config-file",
            ]);
            (r.code, json(&r))
        };
        let (code, doc) = run(FIXED, BROKEN);
        assert_eq!(code, 1, "{capture}");
        assert_eq!(codes(&doc), ["config-refused"], "{capture}");
        // As emulated, the broken rule drops nothing; HEAD newly keeps exactly what BASE's
        // rules dropped.
        let p = &doc["changes"]["pipelines"][0];
        let base_dropped: u64 = doc["base"]["pipelines"][0]["processors"]
            .as_array()
            .into_iter()
            .flatten()
            .flat_map(|proc| proc["rules"].as_array().into_iter().flatten())
            .map(|r| r["dropped"].as_u64().unwrap_or(0))
            .sum();
        assert_eq!(p["spans_newly_dropped"], 0, "{capture}");
        assert_eq!(
            p["spans_newly_kept"].as_u64(),
            Some(base_dropped),
            "{capture}"
        );
        let (code, doc) = run(BROKEN, FIXED);
        assert_eq!(code, 0, "{capture}: {}", doc["findings"]);
        let (code, doc) = run(FIXED, FIXED);
        assert_eq!(code, 0, "{capture}");
        assert_eq!(doc["changes"]["pipelines"][0]["spans_newly_dropped"], 0);
    }
}

#[test]
fn dropping_a_delete_rule_newly_exposes_the_credential_it_removed() {
    // HEAD is the seed without the rule that deletes the authorization header.
    let seed = std::fs::read_to_string(root().join(FIXED)).unwrap();
    let leaky = seed.replace(
        "      - key: http.request.header.authorization\n        action: delete\n",
        "",
    );
    assert_ne!(
        leaky, seed,
        "the seed's delete rule changed; update this test"
    );
    let dir = tempfile::tempdir().unwrap();
    let head = dir.path().join("leaky.yaml");
    std::fs::write(&head, leaky).unwrap();
    let (code, doc) = diff_json(FIXED, head.to_str().unwrap(), &[]);
    assert_eq!(code, 1);
    assert_eq!(doc["sensitive"], "checked");
    assert_eq!(codes(&doc), ["sensitive-data-exposed"]);
    let finding = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == "sensitive-data-exposed")
        .unwrap();
    let message = finding["message"].as_str().unwrap();
    assert!(
        message.contains("http.request.header.authorization") && message.contains("credential"),
        "{message}"
    );
    // The finding says what kind of value, never the value itself.
    assert!(!doc.to_string().to_lowercase().contains("bearer "), "{doc}");

    // The reverse (adding the delete) exposes nothing new and passes.
    let (code, doc) = diff_json(head.to_str().unwrap(), FIXED, &[]);
    assert_eq!(code, 0, "{doc}");
    assert!(codes(&doc).is_empty());
}
