//! End-to-end: messages speak the user's language — no YAML-library API names, right
//! articles, snippets aligned with the token underlined.

use crate::common;
use common::*;

fn write(dir: &tempfile::TempDir, name: &str, text: &str) -> String {
    let path = dir.path().join(name);
    std::fs::write(&path, text).expect("write");
    path.display().to_string()
}

#[test]
fn yaml_errors_do_not_leak_the_library_api() {
    let dir = tempfile::tempdir().expect("tempdir");
    let dup = write(&dir, "dup.yaml", "receivers: {}\nreceivers: {}\n");
    let r = otelcheck(&["validate", &dup]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr
            .contains("duplicate key `receivers`: it appears twice"),
        "{}",
        r.stderr
    );
    assert!(!r.stderr.contains("DuplicateKeyPolicy"), "{}", r.stderr);
    let multi = write(&dir, "multi.yaml", "receivers: {}\n---\nexporters: {}\n");
    let r = otelcheck(&["validate", &multi]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("several YAML documents"), "{}", r.stderr);
    assert!(!r.stderr.contains("from_str_multiple"), "{}", r.stderr);
}

#[test]
fn articles_fit_the_noun() {
    let dir = tempfile::tempdir().expect("tempdir");
    let cfg = write(
        &dir,
        "c.yaml",
        "receivers: {datadog: {}}\nexporters: {debg: {}}\nservice: {pipelines: {traces: {receivers: [datadog], exporters: [debg]}}}\n",
    );
    let r = otelcheck(&["validate", &cfg]);
    assert!(r.stdout.contains("is not an exporter of"), "{}", r.stdout);
    let ok = write(
        &dir,
        "ok.yaml",
        "receivers: {datadog: {}}\nexporters: {debug: {}}\nservice: {pipelines: {traces: {receivers: [datadog], exporters: [debug]}}}\n",
    );
    let r = otelcheck(&["dry-run", &ok, &fixture("captures/orders-otel-py.otlp.pb")]);
    assert!(r.stdout.contains("has an `otlp` receiver"), "{}", r.stdout);
    assert!(!r.stdout.contains("a `otlp`"), "{}", r.stdout);
}

#[test]
fn snippets_align_and_underline_the_token() {
    let r = otelcheck(&["validate", "fixtures/seed/broken.yaml"]);
    let lines: Vec<&str> = r.stdout.lines().collect();
    let at = lines
        .iter()
        .position(|l| l.contains("error[non-upstream-syntax]"))
        .expect("the finding");
    // `   |` / `22 |` / `   |   ^^` / `   = help:` share one gutter.
    assert_eq!(lines[at + 1], "   |");
    assert!(lines[at + 2].starts_with("22 |"), "{}", lines[at + 2]);
    assert!(
        lines[at + 3].trim_end().ends_with("^^"),
        "`=~` is underlined: {}",
        lines[at + 3]
    );
    let help = lines[at + 4..]
        .iter()
        .find(|l| l.contains("= help:"))
        .copied()
        .unwrap_or_default();
    assert!(help.starts_with("   = help:"), "{help}");
}
