//! Hostile inputs and unsafe outputs not covered elsewhere (issue 11, items 2, 4, 6, 7 and 8,
//! plus deeply nested YAML found while auditing them), each through the built binary under
//! the CPU and address-space bounds of `common::bounded`.

use crate::common;

use common::bounded::{
    assert_exit, filter_config, otelcheck_bounded, otelcheck_bounded_stdout_to, temp_file,
};

#[test]
fn a_two_gib_sparse_capture_is_refused_without_reading_it() {
    let dir = tempfile::tempdir().expect("tempdir");
    let f = dir.path().join("sparse.bin");
    let file = std::fs::File::create(&f).expect("create");
    file.set_len(2 << 30).expect("a sparse file");
    let run = otelcheck_bounded(
        dir.path(),
        &[
            "dry-run",
            &common::fixture("seed/fixed.yaml"),
            f.to_str().expect("utf-8"),
        ],
    );
    assert_exit(&run, &[2]);
    assert!(
        run.stderr
            .contains("sparse.bin at byte offset 0: unrecognised content"),
        "{}",
        run.stderr
    );
}

#[test]
fn ten_thousand_rules_replay_within_bounds() {
    // Each rule is dead on the capture, so there are as many findings as rules; finding
    // their source lines and merging them was quadratic before (50,000 rules: > 60 s).
    let conds: Vec<String> = (0..10_000).map(|i| format!("name == \"x{i}\"")).collect();
    let (dir, path) = temp_file("config.yaml", filter_config(&conds).as_bytes());
    let run = otelcheck_bounded(
        dir.path(),
        &[
            "dry-run",
            path.to_str().expect("utf-8"),
            &common::fixture("captures/orders-otel-py-head3.otlp.jsonl"),
        ],
    );
    assert_exit(&run, &[0]);
    assert_eq!(run.stdout.matches("warning[dead-rule]").count(), 10_000);
    assert!(
        run.stdout
            .contains("config.yaml:10007:12: warning[dead-rule] `name == \"x9999\"`"),
        "{}",
        &run.stdout[run.stdout.len().saturating_sub(3000)..]
    );
}

const ONE_PIPELINE: &str = "receivers:\n  otlp:\n    protocols: {http: {}}\nexporters:\n  debug: {}\nservice:\n  pipelines:\n    traces: {receivers: [otlp], exporters: [debug]}\n";

#[test]
fn a_dangling_link_in_the_output_dir_creates_nothing_outside() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("out");
    std::fs::create_dir(&out).expect("out");
    let target = dir.path().join("created-outside.jsonl");
    std::os::unix::fs::symlink(&target, out.join("traces.jsonl")).expect("link");
    let cfg = dir.path().join("one.yaml");
    std::fs::write(&cfg, ONE_PIPELINE).expect("config");
    let run = otelcheck_bounded(
        dir.path(),
        &[
            "dry-run",
            cfg.to_str().expect("utf-8"),
            &common::fixture("captures/orders-otel-py-head3.otlp.jsonl"),
            "--write-output",
            out.to_str().expect("utf-8"),
        ],
    );
    assert_exit(&run, &[0, 1]);
    assert!(!target.exists(), "a file was created through the link");
    let meta = std::fs::symlink_metadata(out.join("traces.jsonl")).expect("written");
    assert!(meta.file_type().is_file());
    assert!(meta.len() > 0);
    // An output file gets the mode a plain create gives (0666 less the umask), not the
    // owner-only mode of a temporary file: group and others may read what they could before.
    use std::os::unix::fs::PermissionsExt;
    let umask = current_umask();
    assert_eq!(meta.permissions().mode() & 0o777, 0o666 & !umask);
}

/// The process umask, read from `/proc/self/status` (Linux); 0o022 when it is not there.
fn current_umask() -> u32 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("Umask:"))
                .and_then(|v| u32::from_str_radix(v.trim(), 8).ok())
        })
        .unwrap_or(0o022)
}

#[test]
fn a_report_to_a_full_stdout_is_exit_2() {
    let full = std::path::Path::new("/dev/full");
    if !full.exists() {
        return;
    }
    for format in ["text", "json"] {
        let run = otelcheck_bounded_stdout_to(
            &common::root(),
            full,
            &[
                "validate",
                &common::fixture("seed/fixed.yaml"),
                "--format",
                format,
            ],
        );
        assert_exit(&run, &[2]);
        assert!(
            run.stderr
                .contains("cannot write the report to standard output"),
            "{}",
            run.stderr
        );
    }
}

#[test]
fn an_invalid_setting_names_its_own_reference_when_values_repeat() {
    // Two variables with the same value: the message must name the one this setting uses,
    // and never the value.
    let yaml = "receivers:\n  otlp:\n    protocols: {grpc: {endpoint: \"${env:HOST}\"}}\nprocessors:\n  probabilistic_sampler:\n    sampling_percentage: ${env:PCT}\nexporters:\n  debug: {}\nservice:\n  pipelines:\n    traces:\n      receivers: [otlp]\n      processors: [probabilistic_sampler]\n      exporters: [debug]\n";
    let (dir, path) = temp_file("config.yaml", yaml.as_bytes());
    let run = otelcheck_bounded(
        dir.path(),
        &[
            "validate",
            path.to_str().expect("utf-8"),
            "--set",
            "HOST=s3cr3t-shared",
            "--set",
            "PCT=s3cr3t-shared",
        ],
    );
    assert_exit(&run, &[1, 2]);
    let out = format!("{}{}", run.stdout, run.stderr);
    assert!(!out.contains("s3cr3t-shared"), "{out}");
    assert!(
        out.contains("config.yaml:6:26: error[invalid-setting]")
            && out.contains("value: '${env:PCT}'"),
        "{out}"
    );
}

#[test]
fn deeply_nested_yaml_is_refused_in_words() {
    for (yaml, want) in [
        (
            format!(
                "receivers: {}1{}\n",
                "{a: ".repeat(50_000),
                "}".repeat(50_000)
            ),
            "config.yaml:1:264: error[invalid-config] invalid YAML: nested more than 64 levels deep",
        ),
        (
            format!(
                "receivers: {}{}\n",
                "[".repeat(100_000),
                "]".repeat(100_000)
            ),
            "invalid YAML",
        ),
    ] {
        let (dir, path) = temp_file("config.yaml", yaml.as_bytes());
        let run = otelcheck_bounded(dir.path(), &["validate", path.to_str().expect("utf-8")]);
        assert_exit(&run, &[2]);
        assert!(
            run.stderr.contains("config.yaml:1:") && run.stderr.contains(want),
            "{}",
            &run.stderr[..run.stderr.len().min(2000)]
        );
        assert!(!run.stderr.contains("budget breached"), "{}", run.stderr);
    }
}
