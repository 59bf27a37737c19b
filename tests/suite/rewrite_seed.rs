//! The seed config's rewriting processors on the shared captures: what the pipeline exports,
//! attribute for attribute, and how the report and `--show-diff` show it — with no protected
//! value in any of them.

use crate::common::{fixture, json, otelcheck};
use crate::rewrite_replay::{attr, replay};
use crate::sampler_probabilistic as sampler;
use serde_json::Value;
use sha2::{Digest, Sha256};

const SEED: &str = "seed/fixed.yaml";
const OTLP: &str = "captures/orders-otel-py.otlp.pb";

/// The seed config with only the processors before `attributes/sanitize` (what it receives).
fn baseline_config(dir: &std::path::Path) -> std::path::PathBuf {
    let text = std::fs::read_to_string(fixture(SEED)).unwrap();
    let cut = text.replace(
        "processors: [memory_limiter, filter/health, attributes/sanitize, probabilistic_sampler, batch, resource]",
        "processors: [memory_limiter, filter/health]",
    );
    assert_ne!(
        cut, text,
        "the seed's pipeline line changed; update this test"
    );
    let p = dir.join("baseline.yaml");
    std::fs::write(&p, cut).unwrap();
    p
}

/// pdata `Map.Remove`: the last entry moves into the removed one's slot.
fn remove_swap(list: &mut Vec<Value>, key: &str) {
    if let Some(i) = list.iter().position(|kv| kv["key"] == key) {
        list.swap_remove(i);
    }
}

/// What upstream does to one exported request: attributes/sanitize on each span (delete the
/// authorization header, SHA-256 the e-mail), probabilistic_sampler at 100 % in its default
/// hash_seed mode (every span kept, `ot=rv:…;th:0` written first in its tracestate), then
/// resource (upsert the environment).
fn expected(mut request: Value) -> Value {
    for rs in request["resourceSpans"].as_array_mut().unwrap() {
        let res = rs["resource"]["attributes"].as_array_mut().unwrap();
        let env = serde_json::json!({"stringValue": "production"});
        match res
            .iter_mut()
            .find(|kv| kv["key"] == "deployment.environment.name")
        {
            Some(kv) => kv["value"] = env,
            None => {
                res.push(serde_json::json!({"key": "deployment.environment.name", "value": env}))
            }
        }
        for ss in rs["scopeSpans"].as_array_mut().unwrap() {
            for sp in ss["spans"].as_array_mut().unwrap() {
                let Some(attrs) = sp["attributes"].as_array_mut() else {
                    continue;
                };
                remove_swap(attrs, "http.request.header.authorization");
                if let Some(kv) = attrs.iter_mut().find(|kv| kv["key"] == "user.email") {
                    let email = kv["value"]["stringValue"].as_str().unwrap().to_owned();
                    let digest = hex::encode(Sha256::digest(email.as_bytes()));
                    kv["value"] = serde_json::json!({ "stringValue": digest });
                }
                let (kept, ot) = sampler::hash_seed_expectation(
                    sp["traceId"].as_str().unwrap_or_default(),
                    &sampler::priority_text(sp),
                    0,
                    100.0,
                );
                assert!(kept, "a 100 % sampler keeps every span");
                let incoming = sp["traceState"].as_str().unwrap_or_default().to_owned();
                sp["traceState"] = Value::String(sampler::with_foreign(ot, &incoming));
            }
        }
    }
    request
}

#[test]
fn seed_pipeline_exports_what_the_collector_would_attribute_for_attribute() {
    let dir = tempfile::tempdir().unwrap();
    let capture = fixture(OTLP);
    let (before, _) = replay(&baseline_config(dir.path()), &capture, &[]);
    let (after, report) = replay(std::path::Path::new(&fixture(SEED)), &capture, &[]);
    assert_eq!(before.len(), after.len());
    let want: Vec<Value> = before.into_iter().map(expected).collect();
    assert_eq!(after, want);
    // The input really had what the rules act on.
    let emails = want
        .iter()
        .flat_map(|r| crate::rewrite_replay::spans(std::slice::from_ref(r)))
        .filter(|(_, s)| attr(&s["attributes"], "user.email").is_some())
        .count();
    assert_eq!(emails, 47);
    let unsupported: Vec<&Value> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == "unsupported-component")
        .filter(|f| {
            let m = f["message"].as_str().unwrap_or("");
            m.contains("`attributes`") || m.contains("`resource`")
        })
        .collect();
    assert!(unsupported.is_empty(), "{unsupported:?}");
}

/// Values the seed's rules protect, as they appear in the capture (never in a report).
pub(crate) fn protected_values() -> Vec<String> {
    let (spans, _) = replay(
        &baseline_config(tempfile::tempdir().unwrap().path()),
        &fixture(OTLP),
        &[],
    );
    let mut out = Vec::new();
    for (_, s) in crate::rewrite_replay::spans(&spans) {
        if let Some(v) = attr(&s["attributes"], "user.email") {
            out.push(v["stringValue"].as_str().unwrap().to_owned());
        }
        if let Some(v) = attr(&s["attributes"], "http.request.header.authorization") {
            for e in v["arrayValue"]["values"].as_array().unwrap() {
                out.push(e["stringValue"].as_str().unwrap().to_owned());
            }
        }
    }
    assert!(out.len() > 100);
    out
}

pub(crate) fn assert_no_secret(text: &str, secrets: &[String]) {
    for s in secrets {
        assert!(!text.contains(s.as_str()), "a protected value leaked: {s}");
    }
    // The token part alone must not leak either.
    for s in secrets {
        if let Some(tok) = s.strip_prefix("Bearer ") {
            assert!(!text.contains(tok), "a protected token leaked");
        }
    }
}

#[test]
fn report_and_show_diff_for_the_seed_mask_protected_values() {
    let secrets = protected_values();
    let run = |extra: &[&str]| {
        let mut args = vec![
            "dry-run",
            "fixtures/seed/fixed.yaml",
            "fixtures/captures/orders-otel-py.otlp.pb",
        ];
        args.extend_from_slice(extra);
        otelcheck(&args)
    };
    let text = run(&["--show-diff"]);
    assert_eq!(text.code, 0, "{}{}", text.stdout, text.stderr);
    assert_no_secret(&text.stdout, &secrets);
    let diff_start = text
        .stdout
        .find("\nchanges by attributes/sanitize")
        .unwrap();
    insta::assert_snapshot!("rewrite_seed_show_diff", &text.stdout[diff_start..]);
    let rows: Vec<&str> = text
        .stdout
        .lines()
        .filter(|l| l.contains("changed") && l.contains("span(s)"))
        .collect();
    insta::assert_snapshot!("rewrite_seed_rule_summary", rows.join("\n"));

    let j = run(&["--show-diff", "--format", "json"]);
    assert_no_secret(&j.stdout, &secrets);
    let report = json(&j);
    let schema: Value = serde_json::from_str(
        &std::fs::read_to_string(crate::common::root().join("docs/report.schema.json")).unwrap(),
    )
    .unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let errors: Vec<String> = validator
        .iter_errors(&report)
        .map(|e| e.to_string())
        .collect();
    assert!(errors.is_empty(), "{errors:?}");
    let sanitize = crate::common::processor(&report, "attributes/sanitize");
    insta::assert_json_snapshot!("rewrite_seed_sanitize_json", sanitize);
    // attributes/sanitize, probabilistic_sampler (its tracestate rewrite) and resource.
    assert_eq!(report["diffs"].as_array().unwrap().len(), 3);

    // --reveal shows what was deleted and hashed.
    let revealed = run(&["--show-diff", "--reveal"]);
    assert!(secrets.iter().any(|s| revealed.stdout.contains(s.as_str())));
}

#[test]
fn rule_text_shows_env_references_never_their_values() {
    let out = otelcheck(&[
        "dry-run",
        "fixtures/seed/fixed.yaml",
        "fixtures/captures/orders-otel-py.otlp.pb",
        "--show-diff",
        "--format",
        "json",
        "--set",
        "DEPLOY_ENV=s3cr3t-env-value",
    ]);
    assert!(!out.stdout.contains("s3cr3t-env-value"), "{}", out.stdout);
    let report = json(&out);
    let rule = &crate::common::processor(&report, "resource")["rules"][0];
    assert!(rule["text"]
        .as_str()
        .unwrap()
        .contains("${env:DEPLOY_ENV:-production}"));
    assert!(report["diffs"].to_string().contains("${env:DEPLOY_ENV"));
}

#[test]
fn sensitive_data_exported_on_the_seed() {
    for capture in [
        OTLP,
        "captures/orders-ddtrace-py-v04.msgpack",
        "captures/orders-ddtrace-js-v05.msgpack",
    ] {
        let run = otelcheck(&[
            "dry-run",
            "fixtures/seed/fixed.yaml",
            &fixture(capture),
            "--format",
            "json",
        ]);
        let report = json(&run);
        let found: Vec<String> = report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["code"] == "sensitive-data-exported")
            .map(|f| f["message"].as_str().unwrap().to_owned())
            .collect();
        let url_key = if capture == OTLP {
            "url.query"
        } else {
            "url.full"
        };
        for kind in ["a card number", "an e-mail address"] {
            assert!(
                found
                    .iter()
                    .any(|m| m.contains(&format!("attributes[\"{url_key}\"] looks like {kind}"))),
                "{capture}: {found:?}"
            );
        }
        // Deleted and hashed by attributes/sanitize: not exported.
        assert!(
            !found
                .iter()
                .any(|m| m.contains("authorization") || m.contains("\"user.email\"")),
            "{capture}: {found:?}"
        );
    }
    // Without the sanitizer, the authorization header and e-mail are exported and reported.
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(fixture(SEED))
        .unwrap()
        .replace("attributes/sanitize, ", "");
    let cfg = dir.path().join("c.yaml");
    std::fs::write(&cfg, text).unwrap();
    let report = json(&otelcheck(&[
        "dry-run",
        cfg.to_str().unwrap(),
        &fixture(OTLP),
        "--format",
        "json",
    ]));
    let msgs = report["findings"].to_string();
    assert!(
        msgs.contains(
            "attributes[\\\"http.request.header.authorization\\\"] looks like a credential"
        ),
        "{msgs}"
    );
    assert!(
        msgs.contains("attributes[\\\"user.email\\\"] looks like an e-mail address"),
        "{msgs}"
    );
}

#[test]
fn redaction_on_the_shared_captures_masks_and_the_report_leaks_nothing() {
    let secrets = protected_values();
    let config = "fixtures/replay/redaction/captures/orders.yaml";
    let capture = "fixtures/captures/orders-otel-py.otlp.pb";
    let text = otelcheck(&["dry-run", config, capture, "--show-diff"]);
    assert_eq!(text.code, 0, "{}{}", text.stdout, text.stderr);
    assert_no_secret(&text.stdout, &secrets);
    let rows: Vec<&str> = text
        .stdout
        .lines()
        .filter(|l| l.contains("changed") && l.contains("span(s)"))
        .collect();
    insta::assert_snapshot!("rewrite_redaction_rule_summary", rows.join("\n"));
    let diff_start = text.stdout.find("\nchanges by redaction").unwrap();
    insta::assert_snapshot!("rewrite_redaction_show_diff", &text.stdout[diff_start..]);
    // What it masked is no longer exported as sensitive data.
    let j = json(&otelcheck(&[
        "dry-run", config, capture, "--format", "json",
    ]));
    assert!(
        !crate::common::codes(&j).contains(&"sensitive-data-exported".to_owned()),
        "{}",
        j["findings"]
    );
    let (out, _) = replay(std::path::Path::new(config), &fixture(OTLP), &[]);
    let masked_queries = crate::rewrite_replay::spans(&out)
        .into_iter()
        .filter_map(|(_, s)| attr(&s["attributes"], "url.query").cloned())
        .filter(|v| {
            v["stringValue"]
                .as_str()
                .unwrap()
                .contains("card_number=****")
        })
        .count();
    assert_eq!(masked_queries, 15);
}
