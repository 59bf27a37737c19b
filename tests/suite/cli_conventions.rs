//! End-to-end: the conventions users bring from other linters — `-` and directories as
//! config arguments, independent positional configs vs merged `--config`, `--version`,
//! completions, `rule`/`rules`, `--quiet`, tables that fit the terminal, `inspect`'s JSON
//! envelope, and a dry run that replays nothing.

use crate::common;
use common::*;
use std::io::Write as _;
use std::path::Path;
use std::process::{Command, Stdio};

const FIXED: &str = "fixtures/seed/fixed.yaml";
const BROKEN: &str = "fixtures/seed/broken.yaml";
const CAPTURE: &str = "fixtures/captures/orders-ddtrace-py-v04.msgpack";

/// Run in `dir` with optional standard input and extra environment.
fn run_with(dir: &Path, args: &[&str], stdin: Option<&str>, env: &[(&str, &str)]) -> Run {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_otelcheck"));
    cmd.args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env_remove("DEPLOY_ENV")
        .env_remove("COLUMNS")
        .env_remove("GITHUB_STEP_SUMMARY")
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().expect("the otelcheck binary runs");
    if let (Some(text), Some(mut input)) = (stdin, child.stdin.take()) {
        input.write_all(text.as_bytes()).expect("stdin");
    }
    let out = child.wait_with_output().expect("waits");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

fn seed(name: &str) -> String {
    std::fs::read_to_string(root().join(name)).expect("seed config")
}

#[test]
fn dash_reads_the_config_from_standard_input() {
    let r = run_with(
        &root(),
        &["validate", "-", "--format", "json"],
        Some(&seed(BROKEN)),
        &[],
    );
    assert_eq!(r.code, 1, "{}", r.stderr);
    let doc = json(&r);
    assert_eq!(doc["configs"], serde_json::json!(["<stdin>"]));
    assert_eq!(doc["findings"][0]["location"]["file"], "<stdin>");
    // dry-run reads it the same way and replays the capture through it.
    let r = run_with(
        &root(),
        &["dry-run", "-", CAPTURE, "--format", "json"],
        Some(&seed(FIXED)),
        &[],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let doc = json(&r);
    assert_eq!(doc["configs"], serde_json::json!(["<stdin>"]));
    assert_eq!(doc["pipelines"][0]["spans_in"], 1093);
}

#[test]
fn a_directory_means_every_yaml_file_under_it_each_on_its_own() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::create_dir_all(dir.path().join("otel/nested")).expect("mkdir");
    std::fs::write(dir.path().join("otel/a.yaml"), seed(FIXED)).expect("write");
    std::fs::write(dir.path().join("otel/nested/b.yml"), seed(BROKEN)).expect("write");
    std::fs::write(dir.path().join("otel/notes.txt"), "not a config").expect("write");
    let r = run_with(
        dir.path(),
        &["validate", "otel", "--format", "json"],
        None,
        &[],
    );
    assert_eq!(r.code, 1, "{}", r.stderr);
    let doc = json(&r);
    assert_eq!(
        doc["configs"],
        serde_json::json!(["otel/a.yaml", "otel/nested/b.yml"])
    );
    let findings = doc["findings"].as_array().cloned().unwrap_or_default();
    assert!(findings.iter().any(|f| f["code"] == "catch-all-rule"));
    // Each finding says which config it belongs to; the broken rule is only in b.yml.
    for f in &findings {
        assert_eq!(f["config"], f["location"]["file"], "{f}");
    }
    assert!(findings
        .iter()
        .filter(|f| f["code"] == "catch-all-rule")
        .all(|f| f["config"] == "otel/nested/b.yml"));
}

#[test]
fn positional_configs_are_independent_and_config_flags_merge() {
    let dir = tempfile::tempdir().expect("tempdir");
    // An override file is not a whole collector on its own.
    std::fs::write(
        dir.path().join("over.yaml"),
        "processors:\n  filter/health:\n    traces:\n      span:\n        - 'attributes[\"http.route\"] == \"/health\"'\n",
    )
    .expect("write");
    std::fs::write(dir.path().join("base.yaml"), seed(BROKEN)).expect("write");
    let alone = run_with(
        dir.path(),
        &["validate", "base.yaml", "over.yaml", "--format", "json"],
        None,
        &[],
    );
    let doc = json(&alone);
    assert_eq!(
        doc["configs"],
        serde_json::json!(["base.yaml", "over.yaml"])
    );
    assert!(
        codes(&doc).contains(&"catch-all-rule".to_owned()),
        "base.yaml is checked as written"
    );
    let merged = run_with(
        dir.path(),
        &[
            "validate",
            "--config",
            "base.yaml",
            "--config",
            "over.yaml",
            "--format",
            "json",
        ],
        None,
        &[],
    );
    assert_eq!(merged.code, 0, "{}", merged.stdout);
    assert_eq!(
        json(&merged)["configs"],
        serde_json::json!(["base.yaml + over.yaml"])
    );
}

#[test]
fn dry_run_replays_each_config_on_its_own() {
    let r = otelcheck(&["dry-run", FIXED, BROKEN, CAPTURE, "--format", "json"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    let doc = json(&r);
    let configs: Vec<&str> = doc["pipelines"]
        .as_array()
        .map(|ps| ps.iter().filter_map(|p| p["config"].as_str()).collect())
        .unwrap_or_default();
    assert_eq!(configs, [FIXED, BROKEN]);
    // Both replayed the whole capture.
    assert_eq!(
        doc["pipelines"][0]["spans_in"],
        doc["pipelines"][1]["spans_in"]
    );
    assert_ne!(
        doc["pipelines"][0]["spans_out"],
        doc["pipelines"][1]["spans_out"]
    );
}

#[test]
fn version_names_the_emulated_collector() {
    let r = otelcheck(&["--version"]);
    assert_eq!(r.code, 0);
    assert!(
        r.stdout
            .contains("opentelemetry-collector-contrib v0.156.0"),
        "{}",
        r.stdout
    );
}

#[test]
fn completions_and_man_page_are_generated() {
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let r = otelcheck(&["completions", shell]);
        assert_eq!(r.code, 0, "{shell}: {}", r.stderr);
        assert!(r.stdout.contains("dry-run"), "{shell}");
    }
    let r = otelcheck(&["man"]);
    assert_eq!(r.code, 0);
    assert!(
        r.stdout.contains(".TH otelcheck"),
        "{}",
        &r.stdout[..200.min(r.stdout.len())]
    );
}

#[test]
fn rule_explains_a_code_and_suggests_on_a_typo() {
    let r = otelcheck(&["rule", "catch-all-rule"]);
    assert_eq!(r.code, 0);
    assert!(
        r.stdout.starts_with("catch-all-rule (error)"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.contains("Example:") && r.stdout.contains("Fix:"),
        "{}",
        r.stdout
    );
    let r = otelcheck(&["rule", "dead-rules"]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("did you mean `dead-rule`?"),
        "{}",
        r.stderr
    );
}

#[test]
fn rules_lists_every_code_with_its_documentation() {
    let r = otelcheck(&["rules", "--format", "json"]);
    assert_eq!(r.code, 0);
    let doc = json(&r);
    let rules = doc["rules"].as_array().cloned().unwrap_or_default();
    assert!(rules.len() >= 25, "{}", rules.len());
    for rule in &rules {
        for key in ["code", "severity", "summary", "why", "example", "fix"] {
            assert!(
                rule[key].as_str().is_some_and(|s| !s.is_empty()),
                "{rule} lacks {key}"
            );
        }
        let text = otelcheck(&["rule", rule["code"].as_str().unwrap_or_default()]);
        assert_eq!(text.code, 0, "{rule}");
    }
    // The README's code list is this table.
    let table = otelcheck(&["rules", "--format", "markdown"]).stdout;
    let readme = std::fs::read_to_string(root().join("README.md")).expect("README");
    assert!(
        readme.contains(&table),
        "README's code list is stale; paste `otelcheck rules --format markdown`"
    );
}

#[test]
fn quiet_prints_only_the_findings() {
    let r = otelcheck(&["dry-run", BROKEN, CAPTURE, "--quiet"]);
    assert_eq!(r.code, 1);
    assert!(
        !r.stdout.contains("pipeline traces ("),
        "no table: {}",
        r.stdout
    );
    assert!(
        !r.stdout.contains("\nfail: "),
        "no summary line: {}",
        r.stdout
    );
    assert!(r.stdout.contains("error[catch-all-rule]"));
    let v = otelcheck(&["dry-run", BROKEN, CAPTURE, "--verbose", "--no-progress"]);
    assert!(
        v.stderr
            .contains("replayed fixtures/seed/broken.yaml: 1093 spans from 1 capture(s)"),
        "{}",
        v.stderr
    );
}

#[test]
fn tables_fit_the_width_and_name_the_file_once() {
    for columns in ["80", "120"] {
        let r = run_with(
            &root(),
            &["dry-run", FIXED, CAPTURE],
            None,
            &[("COLUMNS", columns)],
        );
        let width: usize = columns.parse().unwrap_or(0);
        let table: Vec<&str> = r
            .stdout
            .lines()
            .filter(|l| l.starts_with(['│', '┌', '└', '╞']))
            .collect();
        assert!(!table.is_empty(), "{}", r.stdout);
        for line in &table {
            assert!(line.chars().count() <= width, "{columns}: {line}");
        }
        assert!(
            r.stdout
                .contains("pipeline traces (fixtures/seed/fixed.yaml)"),
            "{}",
            r.stdout
        );
        assert!(table.iter().any(|l| l.contains(":21:12")));
        assert!(
            !table.iter().any(|l| l.contains("fixed.yaml:")),
            "file named once"
        );
        // The lines below the table that name the dropped spans fit as well.
        for line in r.stdout.lines().filter(|l| l.contains(" dropped ")) {
            assert!(line.chars().count() <= width, "{columns}: {line}");
        }
        // Wrapped rule rows keep their indent.
        let rule_lines = table.iter().filter(|l| l.starts_with("│   ")).count();
        assert!(rule_lines >= 5, "{}", r.stdout);
    }
    // inspect's tables fit too (long sample values wrap), and still name every key.
    for (columns, width) in [(Some("80"), 80), (None, 100)] {
        let env: Vec<(&str, &str)> = columns.map(|c| ("COLUMNS", c)).into_iter().collect();
        let r = run_with(&root(), &["inspect", CAPTURE], None, &env);
        assert_eq!(r.code, 0, "{}", r.stderr);
        let widest = r
            .stdout
            .lines()
            .filter(|l| l.starts_with(['│', '┌', '└', '╞']))
            .map(|l| l.chars().count())
            .max()
            .unwrap_or(0);
        assert!(
            widest > 0 && widest <= width,
            "{widest} > {width}: {}",
            r.stdout
        );
        assert!(r.stdout.contains("http.route"), "{}", r.stdout);
    }
    // Not a terminal and no COLUMNS: 100.
    let r = otelcheck(&["dry-run", FIXED, CAPTURE]);
    assert!(r
        .stdout
        .lines()
        .all(|l| l.chars().count() <= 100 || !l.starts_with('│')));
    // The dropped spans are named below the table, counted over every span the rule dropped
    // (not only the three examples the report keeps).
    assert!(
        r.stdout
            .contains(":21:12 dropped 24: flask.request ×24; services: orders-api ×24"),
        "{}",
        r.stdout
    );
    let doc = json(&otelcheck(&["dry-run", FIXED, CAPTURE, "--format", "json"]));
    let rules = processor(&doc, "filter/health")["rules"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    for rule in rules.iter().filter(|r| r["dropped"].as_u64() > Some(0)) {
        let named: u64 = rule["dropped_names"]
            .as_array()
            .map(|v| v.iter().filter_map(|n| n["spans"].as_u64()).sum())
            .unwrap_or(0);
        assert_eq!(Some(named), rule["dropped"].as_u64(), "{rule}");
    }
}

#[test]
fn inspect_json_carries_the_envelope() {
    let r = otelcheck(&["inspect", CAPTURE, "--format", "json"]);
    assert_eq!(r.code, 0);
    let doc = json(&r);
    assert_eq!(doc["schema"], 1);
    assert_eq!(doc["kind"], "inspect");
    assert_eq!(doc["tool"]["name"], "otelcheck");
    let help = otelcheck(&["inspect", "--help"]).stdout;
    assert!(!help.contains("sarif"), "{help}");
    assert!(help.contains("--color"), "{help}");
    let colored = otelcheck(&["inspect", CAPTURE, "--color", "always"]).stdout;
    assert!(colored.starts_with("\x1b[1m"), "{colored}");
    let plain = otelcheck(&["inspect", CAPTURE]).stdout;
    assert!(!plain.contains('\x1b'), "{plain}");
}

#[test]
fn a_config_without_traces_pipeline_says_nothing_was_replayed() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        dir.path().join("m.yaml"),
        "receivers:\n  datadog: {}\nexporters:\n  debug: {}\nservice:\n  pipelines:\n    metrics:\n      receivers: [datadog]\n      exporters: [debug]\n",
    )
    .expect("write");
    let capture = root().join(CAPTURE).display().to_string();
    let r = run_with(
        dir.path(),
        &["dry-run", "m.yaml", &capture, "--format", "json"],
        None,
        &[],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let doc = json(&r);
    assert_eq!(codes(&doc), ["nothing-replayed"]);
    let message = doc["findings"][0]["message"].as_str().unwrap_or_default();
    assert!(
        message.contains("no traces pipeline (only metrics)"),
        "{message}"
    );
    let strict = run_with(
        dir.path(),
        &["dry-run", "m.yaml", &capture, "--fail-on", "warning"],
        None,
        &[],
    );
    assert_eq!(strict.code, 1, "{}", strict.stdout);
    assert!(
        !strict.stdout.contains("add a `datadog` receiver"),
        "{}",
        strict.stdout
    );
}

#[test]
fn write_output_with_several_configs_uses_a_folder_per_config() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("out");
    let r = otelcheck(&[
        "dry-run",
        FIXED,
        BROKEN,
        CAPTURE,
        "--write-output",
        &out.display().to_string(),
        "-q",
    ]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    for stem in ["fixed", "broken"] {
        let file = out.join(stem).join("traces.jsonl");
        let text =
            std::fs::read_to_string(&file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        assert!(text.lines().count() > 0, "{}", file.display());
    }
}

#[test]
fn progress_runs_over_the_bytes_read_on_a_terminal_only() {
    // 16 MiB or more of capture (the seed capture's payloads back to back) shows a bar.
    let dir = tempfile::tempdir().expect("tempdir");
    let big = dir.path().join("big.msgpack");
    let one = std::fs::read(root().join(CAPTURE)).expect("capture");
    let copies = (16 << 20) / one.len() + 1;
    std::fs::write(&big, one.repeat(copies)).expect("write");
    let size = (one.len() * copies) as f64 / f64::from(1 << 20);
    let total = format!("/{size:.2} MiB");
    let big = big.display().to_string();

    // Not a terminal: no bar, whatever the size.
    let r = otelcheck(&["dry-run", FIXED, &big, "--format", "json"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(!r.stderr.contains("replaying"), "{}", r.stderr);

    // On a terminal (a pseudo-terminal from util-linux `script`): the bar counts bytes of
    // the capture files, so decoding is covered from the first byte read.
    let has_script = Command::new("script")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !has_script {
        eprintln!("skipped the terminal half: no `script` (util-linux) on this machine");
        return;
    }
    let bin = env!("CARGO_BIN_EXE_otelcheck");
    let run = |extra: &str| {
        let cmd = format!("'{bin}' dry-run {FIXED} '{big}' --format json{extra}");
        let out = Command::new("script")
            .args(["-qec", &cmd, "/dev/null"])
            .current_dir(root())
            .env("NO_COLOR", "1")
            .env_remove("COLUMNS")
            .stdin(Stdio::null())
            .output()
            .expect("script runs");
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let tty = run("");
    assert!(tty.contains("replaying "), "{tty}");
    assert!(
        tty.contains(&total),
        "the bar's total is the file size {total}: {tty}"
    );
    let quiet = run(" --no-progress");
    assert!(!quiet.contains("replaying "), "{quiet}");
}

#[test]
fn the_package_says_how_to_install_and_ships_its_license_and_schema() {
    let cargo = std::fs::read_to_string(root().join("Cargo.toml")).expect("Cargo.toml");
    assert!(cargo.contains("license = \"Apache-2.0\""));
    let license = std::fs::read_to_string(root().join("LICENSE")).expect("LICENSE file");
    assert!(license.contains("Apache License") && license.contains("Version 2.0"));
    // The release binary carries no debug info; symbols for profiling are a separate profile.
    let release = cargo
        .split("[profile.release]")
        .nth(1)
        .and_then(|s| s.split("\n[").next())
        .unwrap_or_default();
    assert!(!release.contains("debug ="), "{release}");
    assert!(cargo.contains("[profile.profiling]"));
    let readme = std::fs::read_to_string(root().join("README.md")).expect("README");
    for needed in [
        "Rust toolchain",
        "cargo install --locked --path .",
        "first build",
    ] {
        assert!(readme.contains(needed), "README lacks {needed:?}");
    }
    // The JSON contract ships in the repository, and a real report validates against it.
    let schema: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(root().join("docs/report.schema.json")).expect("schema"),
    )
    .expect("schema is JSON");
    let validator = jsonschema::validator_for(&schema).expect("schema compiles");
    let doc = json(&otelcheck(&[
        "dry-run", BROKEN, CAPTURE, "--format", "json",
    ]));
    assert!(validator.is_valid(&doc), "{doc:#}");
}
