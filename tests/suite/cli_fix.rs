//! End-to-end: `validate --fix` rewrites `=~`/`!~` to `IsMatch(...)` in place, keeping
//! comments and layout; `--diff` only shows the unified diff.

use crate::common;
use common::*;
use std::path::Path;
use std::process::Command;

fn run_in(dir: &Path, args: &[&str]) -> Run {
    let out = Command::new(env!("CARGO_BIN_EXE_otelcheck"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .expect("the otelcheck binary runs");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

#[test]
fn diff_shows_and_fix_applies_the_is_match_rewrite() {
    let dir = tempfile::tempdir().expect("tempdir");
    let original = std::fs::read_to_string(root().join("fixtures/seed/broken.yaml"))
        .expect("seed")
        .replace(
            "processors:\n",
            "processors:\n  filter/neg:\n    traces:\n      span:\n        - name !~ \"^GET\"   # plain scalar\n        - \"attributes[\\\"db.statement\\\"] =~ \\\"^SELECT\\\\\\\\s\\\"\"\n",
        );
    let path = dir.path().join("c.yaml");
    std::fs::write(&path, &original).expect("write");

    let r = run_in(dir.path(), &["validate", "c.yaml", "--diff"]);
    assert_eq!(
        r.code, 1,
        "a diff with changes fails like ruff --diff: {}",
        r.stderr
    );
    assert!(
        r.stdout.contains("--- c.yaml\n+++ c.yaml\n"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout
            .contains("+        - 'IsMatch(attributes[\"http.target\"], \"/.*\")'"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout
            .contains("+        - not IsMatch(name, \"^GET\")   # plain scalar"),
        "{}",
        r.stdout
    );
    // A double-quoted scalar is decoded, rewritten and encoded back.
    assert!(
        r.stdout.contains(
            "+        - \"IsMatch(attributes[\\\"db.statement\\\"], \\\"^SELECT\\\\\\\\s\\\")\""
        ),
        "{}",
        r.stdout
    );
    assert_eq!(
        std::fs::read_to_string(&path).unwrap_or_default(),
        original,
        "--diff changes nothing"
    );

    // A JSON report on standard output stays one document: the diff goes to stderr.
    let copy = dir.path().join("copy.yaml");
    std::fs::write(&copy, &original).expect("write");
    let r = run_in(
        dir.path(),
        &["validate", "copy.yaml", "--fix", "--format", "json"],
    );
    let doc = json(&r);
    assert!(r.stderr.contains("+++ copy.yaml"), "{}", r.stderr);
    assert!(!codes(&doc).contains(&"non-upstream-syntax".to_owned()));

    // --fix rewrites, then checks the file as it now is (like `ruff check --fix`): the
    // catch-all is still an error, so the exit code is 1.
    let r = run_in(dir.path(), &["validate", "c.yaml", "--fix"]);
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stderr.contains("fixed 3 rule(s) in c.yaml"),
        "{}",
        r.stderr
    );
    assert!(
        r.stdout.starts_with("--- c.yaml\n"),
        "diff first: {}",
        r.stdout
    );
    assert!(r.stdout.contains("error[catch-all-rule]"), "{}", r.stdout);
    assert!(!r.stdout.contains("non-upstream-syntax"), "{}", r.stdout);
    let fixed = std::fs::read_to_string(&path).unwrap_or_default();
    // Only the two rule lines changed: comments and layout are the same bytes.
    let changed: Vec<(&str, &str)> = original
        .lines()
        .zip(fixed.lines())
        .filter(|(a, b)| a != b)
        .collect();
    assert_eq!(changed.len(), 3, "{changed:#?}");
    assert_eq!(original.lines().count(), fixed.lines().count());

    // The collector's syntax now: no non-upstream-syntax finding is left (the catch-all is).
    let r = run_in(dir.path(), &["validate", "c.yaml", "--format", "json"]);
    let found = codes(&json(&r));
    assert!(
        !found.contains(&"non-upstream-syntax".to_owned()),
        "{found:?}"
    );
    assert!(found.contains(&"catch-all-rule".to_owned()), "{found:?}");
    // Nothing left to fix.
    let r = run_in(dir.path(), &["validate", "c.yaml", "--diff"]);
    assert_eq!((r.code, r.stdout.as_str()), (0, ""));
}
