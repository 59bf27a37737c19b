//! End-to-end cost per span: decoding captures, and replaying them through a filter-only
//! pipeline with three conditions (`fixtures/bench/filter-only.yaml`). Throughput is reported in
//! spans, so criterion prints spans/s. The largest shared capture is used when `../shared` is
//! present; otherwise the bundled single-payload fixture.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use otelcheck::analyze::analyze;
use otelcheck::analyze::Analysis;
use otelcheck::capture::model::Batch;
use otelcheck::capture::{decode_capture, load_capture};
use otelcheck::config::LoadOptions;
use otelcheck::engine::counts::Counts;
use otelcheck::engine::Engine;
use std::path::{Path, PathBuf};

// The same allocator as the binary, so the numbers are the CLI's.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn capture_path() -> PathBuf {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let shared = root.join("../shared/captures/orders-ddtrace-py-v05.stream.msgpack");
    if shared.exists() {
        shared
    } else {
        root.join("fixtures/captures/orders-ddtrace-py-v04.msgpack")
    }
}

/// The engine with the dry-run's counts observer over already decoded requests.
fn replay(
    analysis: &Analysis,
    kind: otelcheck::capture::ReceiverKind,
    payloads: Vec<Batch>,
) -> Counts {
    let mut engine = Engine::new(analysis);
    let mut counts = Counts::for_engine(&engine);
    for b in payloads {
        engine.push(kind, b, &mut counts);
    }
    engine.finish(&mut counts);
    counts
}

fn benches(c: &mut Criterion) {
    let path = capture_path();
    let bytes = std::fs::read(&path).expect("capture");
    let capture = load_capture(&path, None).expect("decodes");
    let config = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/bench/filter-only.yaml");
    let analysis = analyze(&[config], &LoadOptions::default()).expect("config loads");

    let mut g = c.benchmark_group(
        path.file_name()
            .and_then(|n| n.to_str())
            .unwrap_or("capture")
            .to_owned(),
    );
    g.throughput(Throughput::Elements(capture.spans as u64));
    g.sample_size(20);
    g.bench_function("decode", |b| {
        b.iter(|| decode_capture("bench", &bytes, None).expect("decodes"))
    });
    g.bench_function("replay_filter_only", |b| {
        b.iter_batched(
            || capture.payloads.clone(),
            |payloads| replay(&analysis, capture.format.receiver_kind(), payloads),
            criterion::BatchSize::LargeInput,
        )
    });
    g.bench_function("decode_and_replay", |b| {
        b.iter(|| {
            let cap = decode_capture("bench", &bytes, None).expect("decodes");
            replay(&analysis, cap.format.receiver_kind(), cap.payloads)
        })
    });
    g.finish();
}

criterion_group!(replay_benches, benches);
criterion_main!(replay_benches);
