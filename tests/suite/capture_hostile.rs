//! Malformed and hostile inputs: every one must give a `CaptureError` (with an offset where
//! one makes sense), never a panic and never a partial result.

use std::path::Path;

use otelcheck::capture::model::AnyValue;
use otelcheck::capture::{decode_capture, CaptureFormat};

fn fixture_bytes(name: &str) -> Vec<u8> {
    std::fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("fixtures/captures")
            .join(name),
    )
    .unwrap_or_default()
}

#[test]
fn every_truncation_of_a_real_payload_is_an_error_with_an_offset() {
    for name in [
        "orders-ddtrace-py-v04.first-payload.msgpack",
        "orders-ddtrace-py-v05.first-payload.msgpack",
    ] {
        let bytes = fixture_bytes(name);
        assert!(bytes.len() > 600, "{name} fixture present");
        assert!(decode_capture(name, &bytes, None).is_ok());
        for cut in 1..bytes.len() {
            let err =
                decode_capture(name, &bytes[..cut], None).expect_err("truncated payload must fail");
            let offset = err.offset.expect("an offset");
            assert!(
                offset <= cut as u64,
                "{name} cut {cut}: offset {offset} beyond the data"
            );
        }
    }
}

#[test]
fn bit_flips_never_panic() {
    let bytes = fixture_bytes("orders-ddtrace-py-v04.first-payload.msgpack");
    let mut errors = 0;
    for i in 0..bytes.len() {
        for bit in 0..8 {
            let mut b = bytes.clone();
            b[i] ^= 1 << bit;
            if decode_capture("flipped", &b, None).is_err() {
                errors += 1;
            }
        }
    }
    assert!(errors > 0, "some flips must be detected as corrupt");
}

#[test]
fn garbage_and_empty_inputs_are_errors() {
    let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
    for len in [1usize, 2, 3, 4, 5, 7, 16, 100, 1000] {
        for _ in 0..50 {
            let data: Vec<u8> = (0..len)
                .map(|_| {
                    seed = seed
                        .wrapping_mul(6364136223846793005)
                        .wrapping_add(1442695040888963407);
                    (seed >> 56) as u8
                })
                .collect();
            // Random bytes may happen to be a valid tiny payload; what matters is no panic.
            let _ = decode_capture("garbage", &data, None);
            for f in CaptureFormat::ALL {
                let _ = decode_capture("garbage", &data, Some(f));
            }
        }
    }
    let empty = decode_capture("empty.msgpack", b"", None).expect_err("empty");
    assert!(empty.to_string().contains("empty"));
    assert!(decode_capture("ws.json", b"  \n ", None).is_err());
    assert!(decode_capture("x", b"hello world", None).is_err());
}

#[test]
fn json_forced_as_msgpack_says_what_it_expected() {
    let err = decode_capture(
        "spans.json",
        br#"{"resourceSpans":[]}"#,
        Some(CaptureFormat::DatadogV04),
    )
    .expect_err("json is not msgpack");
    assert_eq!(err.offset, Some(0));
    assert!(err.message.contains("expected an array"), "{}", err.message);
    let text = err.to_string();
    assert!(
        text.contains("spans.json")
            && text.contains("byte offset 0")
            && text.contains("--capture-format"),
        "{text}"
    );
}

#[test]
fn a_non_otlp_json_object_is_rejected_not_read_as_empty() {
    let err =
        decode_capture("h.json", br#"{"file":"x","payloads":[]}"#, None).expect_err("not OTLP");
    assert!(err.message.contains("resourceSpans"), "{}", err.message);
    let ok = decode_capture("e.json", b"{}", None).expect("an empty request is valid");
    assert_eq!(ok.spans, 0);
}

// ---- hand-built msgpack ------------------------------------------------------------------

fn str(buf: &mut Vec<u8>, s: &str) {
    rmp::encode::write_str(buf, s).ok();
}

/// A v0.4 payload with one trace of one span, the span map written by `fields`.
fn v04(n_fields: u32, fields: impl Fn(&mut Vec<u8>)) -> Vec<u8> {
    let mut b = Vec::new();
    rmp::encode::write_array_len(&mut b, 1).ok();
    rmp::encode::write_array_len(&mut b, 1).ok();
    rmp::encode::write_map_len(&mut b, n_fields).ok();
    fields(&mut b);
    b
}

#[test]
fn lenient_scalars_follow_the_agent() {
    let bytes = v04(9, |b| {
        str(b, "service");
        rmp::encode::write_bin(b, b"svc\xff").ok(); // bin + invalid UTF-8
        str(b, "trace_id");
        rmp::encode::write_i8(b, -1).ok(); // negative → two's complement
        str(b, "span_id");
        rmp::encode::write_u8(b, 7).ok();
        str(b, "parent_id");
        rmp::encode::write_nil(b).ok(); // nil → 0
        str(b, "start");
        rmp::encode::write_u32(b, 1000).ok();
        str(b, "duration");
        rmp::encode::write_i16(b, 5).ok();
        str(b, "unknown_key");
        rmp::encode::write_array_len(b, 2).ok(); // skipped
        rmp::encode::write_map_len(b, 1).ok();
        str(b, "a");
        rmp::encode::write_f32(b, 1.0).ok();
        rmp::encode::write_nil(b).ok();
        str(b, "metrics");
        rmp::encode::write_map_len(b, 2).ok();
        str(b, "_sampling_priority_v1");
        rmp::encode::write_uint(b, 2).ok(); // int accepted as float
        str(b, "process_id");
        rmp::encode::write_f64(b, 42.0).ok();
        str(b, "meta");
        rmp::encode::write_map_len(b, 1).ok();
        str(b, "http.method");
        str(b, "GET");
    });
    let c = decode_capture("lenient", &bytes, None).unwrap_or_else(|e| panic!("{e}"));
    let rs = &c.payloads[0].resource_spans[0];
    assert_eq!(
        rs.resource.attributes.get("service.name"),
        Some(&AnyValue::Str("svc\u{fffd}".into()))
    );
    let span = &rs.scope_spans[0].spans[0];
    assert_eq!(span.trace_id[8..], [0xff; 8]);
    assert_eq!(span.span_id, 7u64.to_be_bytes());
    assert!(span.is_root());
    assert_eq!(
        (span.start_time_unix_nano, span.end_time_unix_nano),
        (1000, 1005)
    );
    assert_eq!(
        span.attributes.get("sampling.priority"),
        Some(&AnyValue::Str("2.000000".into()))
    );
    assert_eq!(
        span.attributes.get("process.pid"),
        Some(&AnyValue::Double(42.0))
    );
    assert_eq!(
        span.attributes.get("http.request.method"),
        Some(&AnyValue::Str("GET".into()))
    );
}

fn expect_err(bytes: &[u8], needle: &str) {
    let err = decode_capture("hostile", bytes, None).expect_err(needle);
    assert!(
        err.message.contains(needle),
        "expected `{needle}` in: {}",
        err.message
    );
    assert!(err.offset.is_some());
}

#[test]
fn strict_rules_reject_what_the_agent_rejects() {
    expect_err(
        &v04(1, |b| {
            str(b, "start");
            rmp::encode::write_u64(b, u64::MAX).ok();
        }),
        "overflows int64",
    );
    expect_err(
        &v04(1, |b| {
            str(b, "error");
            rmp::encode::write_u32(b, u32::MAX).ok();
        }),
        "overflows int32",
    );
    expect_err(
        &v04(1, |b| {
            str(b, "metrics");
            rmp::encode::write_map_len(b, 1).ok();
            str(b, "m");
            rmp::encode::write_f32(b, 1.5).ok();
        }),
        "float32",
    );
    expect_err(
        &v04(1, |b| {
            str(b, "service");
            rmp::encode::write_u8(b, 1).ok();
        }),
        "expected a string",
    );
}

#[test]
fn declared_sizes_beyond_the_data_are_rejected_before_allocating() {
    expect_err(&[0xdd, 0xff, 0xff, 0xff, 0xff], "25000000");
    expect_err(&[0xdd, 0x00, 0x10, 0x00, 0x00, 0x90], "bytes are left");
    expect_err(
        &[0x91, 0x91, 0xdf, 0x00, 0x10, 0x00, 0x00],
        "bytes are left",
    );
    expect_err(&[0x91, 0x91, 0x81, 0xdb, 0xff, 0xff, 0xff, 0xff], "needed");
}

fn v05(dict: &[&str], span: impl Fn(&mut Vec<u8>)) -> Vec<u8> {
    let mut b = Vec::new();
    rmp::encode::write_array_len(&mut b, 2).ok();
    rmp::encode::write_array_len(&mut b, dict.len() as u32).ok();
    for s in dict {
        str(&mut b, s);
    }
    rmp::encode::write_array_len(&mut b, 1).ok();
    rmp::encode::write_array_len(&mut b, 1).ok();
    span(&mut b);
    b
}

fn v05_span(b: &mut Vec<u8>, len: u32, service_index: u32) {
    rmp::encode::write_array_len(b, len).ok();
    rmp::encode::write_u32(b, service_index).ok();
    for _ in 0..2 {
        rmp::encode::write_uint(b, 1).ok();
    }
    for _ in 0..6 {
        rmp::encode::write_uint(b, 3).ok();
    }
    rmp::encode::write_map_len(b, 0).ok();
    rmp::encode::write_map_len(b, 0).ok();
    rmp::encode::write_uint(b, 0).ok();
}

#[test]
fn v05_span_arrays_and_string_indexes_are_checked() {
    let ok = v05(&["", "svc", "op"], |b| v05_span(b, 12, 1));
    let c = decode_capture("v05", &ok, None).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!((c.format, c.spans), (CaptureFormat::DatadogV05, 1));
    expect_err(
        &v05(&["", "svc", "op"], |b| v05_span(b, 11, 1)),
        "exactly 12 elements",
    );
    expect_err(
        &v05(&["", "svc", "op"], |b| v05_span(b, 12, 9)),
        "dictionary index 9 out of range",
    );
}

#[test]
fn an_empty_array_is_a_v04_payload_without_traces() {
    let c = decode_capture("empty-array", &[0x90], None).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        (c.format, c.payloads.len(), c.spans, c.traces),
        (CaptureFormat::DatadogV04, 1, 0, 0)
    );
}
