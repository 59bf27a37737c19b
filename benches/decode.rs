//! Each capture decoder next to its raw floor on the same bytes (`benches/floors/`): a walk that
//! reads every value and checks every string's UTF-8 but builds nothing. Every format is
//! measured twice, in MB/s (`decode/<format>`) and in spans/s (`decode/<format>/spans`, the
//! floor's figure being the same spans over its time), so the ratio decoder : floor reads off
//! directly. Inputs are the shared captures (`../shared/captures/` beside the repository, or
//! `$OTELCHECK_CAPTURES`); without them the bench says so and measures nothing.
//!
//! `cargo bench --bench decode` (about a minute); `-- datadog` for one format.

#[path = "floors/mod.rs"]
mod floors;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use otelcheck::capture::{decode_capture, CaptureFormat};
use std::path::{Path, PathBuf};
use std::time::Duration;

// The same allocator as the binary, so the numbers are the CLI's.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

// The decoders under test, one line each: when the streaming API lands, change the call here.
// Each returns the number of spans decoded.

fn decode_datadog_v04(bytes: &[u8]) -> usize {
    decode_capture("bench", bytes, Some(CaptureFormat::DatadogV04)).map_or(0, |c| c.spans)
}

fn decode_datadog_v05(bytes: &[u8]) -> usize {
    decode_capture("bench", bytes, Some(CaptureFormat::DatadogV05)).map_or(0, |c| c.spans)
}

fn decode_otlp_proto_stream(bytes: &[u8]) -> usize {
    decode_capture("bench", bytes, Some(CaptureFormat::OtlpProtoStream)).map_or(0, |c| c.spans)
}

fn decode_otlp_json_lines(bytes: &[u8]) -> usize {
    decode_capture("bench", bytes, Some(CaptureFormat::OtlpJson)).map_or(0, |c| c.spans)
}

/// One row of the comparison: a shared capture, its decoder and its floor.
struct Case {
    name: &'static str,
    file: &'static str,
    decode: fn(&[u8]) -> usize,
    floor: floors::Walker,
}

const CASES: [Case; 4] = [
    Case {
        name: "datadog-v0.4",
        file: "orders-ddtrace-js-v04.stream.msgpack",
        decode: decode_datadog_v04,
        floor: floors::msgpack::walk,
    },
    Case {
        name: "datadog-v0.5",
        file: "orders-ddtrace-py-v05.stream.msgpack",
        decode: decode_datadog_v05,
        floor: floors::msgpack::walk,
    },
    Case {
        name: "otlp-proto-stream",
        file: "orders-otel-py.otlp.pbstream",
        decode: decode_otlp_proto_stream,
        floor: floors::protobuf::walk,
    },
    Case {
        name: "otlp-json-lines",
        file: "orders-otel-py.otlp.jsonl",
        decode: decode_otlp_json_lines,
        floor: floors::json::walk,
    },
];

fn captures_dir() -> Option<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    std::env::var_os("OTELCHECK_CAPTURES")
        .map(PathBuf::from)
        .into_iter()
        .chain([
            root.join("../shared/captures"),
            PathBuf::from("/work/shared/captures"),
        ])
        .find(|d| d.is_dir())
}

fn benches(c: &mut Criterion) {
    let Some(dir) = captures_dir() else {
        eprintln!("decode bench: no shared captures (set OTELCHECK_CAPTURES); nothing measured");
        return;
    };
    for case in &CASES {
        let Ok(bytes) = std::fs::read(dir.join(case.file)) else {
            eprintln!("decode bench: {} missing in {}", case.file, dir.display());
            continue;
        };
        let spans = (case.decode)(&bytes);
        assert!(spans > 0, "{} does not decode", case.file);
        assert!(
            floors::walk_all(case.floor, &bytes).is_ok(),
            "the floor cannot walk {}",
            case.file
        );
        let units = [
            ("", Throughput::BytesDecimal(bytes.len() as u64)),
            ("/spans", Throughput::Elements(spans as u64)),
        ];
        for (suffix, throughput) in units {
            let mut g = c.benchmark_group(format!("decode/{}{suffix}", case.name));
            g.throughput(throughput)
                .sample_size(10)
                .warm_up_time(Duration::from_secs(1))
                .measurement_time(Duration::from_secs(3));
            g.bench_function("floor", |b| {
                b.iter(|| floors::walk_all(case.floor, &bytes).map(|w| w.values))
            });
            g.bench_function("otelcheck", |b| b.iter(|| (case.decode)(&bytes)));
            g.finish();
        }
    }
}

criterion_group!(decode_benches, benches);
criterion_main!(decode_benches);
