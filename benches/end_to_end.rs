//! The whole CLI as users run it, process start included: `otelcheck dry-run` of the seed fixed
//! config (`fixtures/seed/fixed.yaml`) on a DataDog v0.4 capture made by
//! `scripts/make-large-capture.py` (the shared dd-trace-js stream repeated 4x, distinct trace ids
//! per copy), and `otelcheck validate` of the same config. The binary is run rather than library
//! calls so the engine can change underneath without touching this bench; the 60x figures with
//! peak RSS come from `scripts/compare.sh`.
//!
//! `cargo bench --bench end_to_end` (about a minute). Needs `python3` and the shared captures;
//! without them the dry-run is skipped with a message.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

const COPIES: u32 = 4;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Generate the capture once into `target/bench-captures/` and reuse it after.
fn large_capture() -> Option<PathBuf> {
    let out = root().join(format!(
        "target/bench-captures/orders-ddtrace-js-v04.x{COPIES}.stream.msgpack"
    ));
    if out.exists() {
        return Some(out);
    }
    let status = Command::new("python3")
        .arg(root().join("scripts/make-large-capture.py"))
        .args(["--copies", &COPIES.to_string()])
        .arg(&out)
        .stdout(Stdio::null())
        .status();
    match status {
        Ok(s) if s.success() => Some(out),
        other => {
            eprintln!(
                "end_to_end bench: cannot generate {} ({other:?}); dry-run skipped",
                out.display()
            );
            None
        }
    }
}

/// Run the built CLI with its report thrown away; a fatal error (exit 2) fails the bench.
fn otelcheck(args: &[&Path]) {
    let status = Command::new(env!("CARGO_BIN_EXE_otelcheck"))
        .args(args)
        .args(["--format", "json"])
        .stdout(Stdio::null())
        .status()
        .expect("otelcheck runs");
    assert_ne!(status.code(), Some(2), "otelcheck {args:?} failed");
}

fn benches(c: &mut Criterion) {
    let config = root().join("fixtures/seed/fixed.yaml");
    let mut g = c.benchmark_group("end_to_end");
    g.warm_up_time(Duration::from_secs(1));
    g.bench_function("validate_seed_fixed", |b| {
        b.iter(|| otelcheck(&[Path::new("validate"), &config]));
    });
    if let Some(capture) = large_capture() {
        let bytes = std::fs::metadata(&capture).map_or(0, |m| m.len());
        g.throughput(Throughput::BytesDecimal(bytes))
            .sample_size(10)
            .measurement_time(Duration::from_secs(10));
        g.bench_function(format!("dry_run_seed_fixed/datadog-v0.4-x{COPIES}"), |b| {
            b.iter(|| otelcheck(&[Path::new("dry-run"), &config, &capture]));
        });
    }
    g.finish();
}

criterion_group!(end_to_end_benches, benches);
criterion_main!(end_to_end_benches);
