//! `catch-all-rule` for rewriting: deletes, hashes and redactions that remove or mask (nearly)
//! every attribute — statically from the config, and by data from the replay. Bad cases
//! first, near misses after.

use crate::common::{fixture, json, otelcheck};
use serde_json::Value;

fn config(processors: &str, ids: &str) -> String {
    format!(
        "receivers:\n  otlp:\n    protocols:\n      http:\nprocessors:\n{processors}\nexporters:\n  otlp/out:\n    endpoint: localhost:4317\nservice:\n  pipelines:\n    traces:\n      receivers: [otlp]\n      processors: [{ids}]\n      exporters: [otlp/out]\n"
    )
}

/// The catch-all findings of a dry run of `processors` on the shared small input.
fn catch_alls(processors: &str, ids: &str) -> Vec<Value> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("c.yaml");
    std::fs::write(&path, config(processors, ids)).unwrap();
    let run = otelcheck(&[
        "dry-run",
        path.to_str().unwrap(),
        &fixture("replay/input.otlp.json"),
        "--format",
        "json",
    ]);
    assert!(
        run.code == 0 || run.code == 1,
        "{}{}",
        run.stdout,
        run.stderr
    );
    json(&run)["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == "catch-all-rule")
        .cloned()
        .collect()
}

#[test]
fn delete_or_hash_with_a_pattern_matching_every_key() {
    for (pattern, action) in [(".*", "delete"), ("x*", "hash"), ("secret|", "delete")] {
        let found = catch_alls(
            &format!(
                "  attributes/x:\n    actions:\n      - {{pattern: '{pattern}', action: {action}}}"
            ),
            "attributes/x",
        );
        assert!(!found.is_empty(), "{pattern}");
        assert_eq!(found[0]["severity"], "error");
        assert_eq!(
            found[0]["location"]["line"], 8,
            "points at the pattern: {found:?}"
        );
    }
    let resource = catch_alls(
        "  resource:\n    attributes:\n      - {pattern: '.*', action: delete}",
        "resource",
    );
    assert!(!resource.is_empty());
    // Near misses: anchored or specific patterns, and a plain key.
    for action in [
        "{pattern: '^secret', action: delete}",
        "{pattern: 'token$', action: hash}",
        "{key: s, action: delete}",
    ] {
        let found = catch_alls(
            &format!("  attributes/x:\n    actions:\n      - {action}"),
            "attributes/x",
        );
        assert!(found.is_empty(), "{action}: {found:?}");
    }
}

#[test]
fn redaction_that_deletes_or_masks_everything() {
    // No allow-list and no allow_all_keys: fail closed, everything goes.
    let none = catch_alls("  redaction:\n    summary: info", "redaction");
    assert!(none
        .iter()
        .any(|f| f["message"].as_str().unwrap().contains("no `allowed_keys`")));
    let masks = catch_alls(
        "  redaction:\n    allow_all_keys: true\n    blocked_values: ['\\d{16}', '.*']",
        "redaction",
    );
    assert_eq!(masks.len(), 1, "{masks:?}");
    assert!(masks[0]["message"]
        .as_str()
        .unwrap()
        .contains("blocked_values: .*"));
    let keys = catch_alls(
        "  redaction:\n    allow_all_keys: true\n    blocked_key_patterns: ['.*']",
        "redaction",
    );
    assert_eq!(keys.len(), 1, "{keys:?}");
    // An allow-list keeping 2 of 21 keys strips nearly everything (by data).
    let strip = catch_alls("  redaction:\n    allowed_keys: [s, n]", "redaction");
    assert!(
        strip.iter().any(|f| f["message"]
            .as_str()
            .unwrap()
            .contains("deleted 19 of the 21 distinct span attribute keys")),
        "{strip:?}"
    );
    // Near misses: masking what must be hidden, and an allow-list that keeps most keys.
    let fine = catch_alls(
        "  redaction:\n    allow_all_keys: true\n    blocked_values: ['\\d{16}']",
        "redaction",
    );
    assert!(fine.is_empty(), "{fine:?}");
    let most = catch_alls(
        "  redaction:\n    allowed_keys: [s, user.email, http.target, n, d, b, f12, f39, fsp, big, h100, m, sl, by, x, db.svc, op, sa]",
        "redaction",
    );
    assert!(most.is_empty(), "{most:?}");
}

#[test]
fn the_seed_has_no_rewrite_catch_all() {
    let run = otelcheck(&[
        "dry-run",
        "fixtures/seed/fixed.yaml",
        "fixtures/captures/orders-otel-py.otlp.pb",
        "--format",
        "json",
    ]);
    assert_eq!(run.code, 0);
    assert!(!crate::common::codes(&json(&run)).contains(&"catch-all-rule".to_owned()));
}

#[test]
fn a_rewrite_whose_key_never_occurs_is_a_dead_rule() {
    let dead = |capture: &str| -> Vec<Value> {
        let run = otelcheck(&[
            "dry-run",
            "fixtures/seed/fixed.yaml",
            &fixture(capture),
            "--format",
            "json",
        ]);
        json(&run)["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| {
                f["code"] == "dead-rule"
                    && f["message"]
                        .as_str()
                        .unwrap()
                        .contains("attributes/sanitize")
            })
            .cloned()
            .collect()
    };
    // dd-trace-js writes `usr.email`: hashing `user.email` protects nothing.
    let js = dead("captures/orders-ddtrace-js-v05.msgpack");
    assert_eq!(js.len(), 1, "{js:?}");
    assert_eq!(js[0]["location"]["line"], 31);
    assert!(js[0]["notes"].to_string().contains("usr.email"));
    // The OTel SDK writes `user.email`: the rule is alive.
    assert!(dead("captures/orders-otel-py.otlp.pb").is_empty());
}
