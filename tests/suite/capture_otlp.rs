//! OTLP captures (protobuf, protobuf stream, JSON) and the OTLP JSON writer.

use std::path::{Path, PathBuf};

use otelcheck::capture::model::{AnyValue, Attributes, Batch};
use otelcheck::capture::otlp_json;
use otelcheck::capture::summary::summarize_one;
use otelcheck::capture::{
    decode_capture, load_capture, write_otlp_json_line, CaptureFormat, ReceiverKind,
};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/captures")
        .join(name)
}

fn shared(name: &str) -> Option<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    ["../shared/captures", "../../shared/captures"]
        .iter()
        .map(|d| root.join(d).join(name))
        .find(|p| p.exists())
}

#[test]
fn otlp_proto_fixture_matches_the_readme() {
    let c =
        load_capture(&fixture("orders-otel-py.otlp.pb"), None).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(c.format, CaptureFormat::OtlpProto);
    assert_eq!(c.format.receiver_kind(), ReceiverKind::Otlp);
    assert_eq!((c.payloads.len(), c.spans, c.traces), (1, 480, 225));
    let s = summarize_one(&c);
    let kinds: Vec<(&str, usize)> = s.span_kinds.iter().map(|(k, v)| (k.as_str(), *v)).collect();
    assert_eq!(
        kinds,
        [
            ("CLIENT", 147),
            ("CONSUMER", 25),
            ("INTERNAL", 84),
            ("PRODUCER", 25),
            ("SERVER", 199)
        ]
    );
    assert_eq!(s.services.get("orders-api"), Some(&480));
    assert_eq!(s.attribute_keys.len(), 38);
    let spans = c.payloads[0]
        .resource_spans
        .iter()
        .flat_map(|r| &r.scope_spans)
        .flat_map(|s| &s.spans);
    assert_eq!(spans.clone().filter(|s| s.status.code == 2).count(), 37);
    assert_eq!(spans.clone().filter(|s| !s.links.is_empty()).count(), 25);
    assert_eq!(spans.filter(|s| s.is_root()).count(), 215);
}

#[test]
fn otlp_jsonl_lines_are_read_one_request_per_line() {
    let c = load_capture(&fixture("orders-otel-py-head3.otlp.jsonl"), None)
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(c.format, CaptureFormat::OtlpJson);
    let per_payload: Vec<usize> = c.payloads.iter().map(Batch::span_count).collect();
    assert_eq!(per_payload, [5, 44, 42]);
    let first = &c.payloads[0].resource_spans[0];
    assert_eq!(
        first.resource.attributes.get("process.pid"),
        Some(&AnyValue::Int(21253))
    );
    let span = &first.scope_spans[0].spans[0];
    assert_eq!(
        hex::encode(span.trace_id),
        "db7aca5825b2116aae6cff55ce0c3f08"
    );
    assert_eq!(
        (span.flags, span.kind, span.trace_state.as_str()),
        (256, 1, "edge=lb-6")
    );
    assert_eq!(span.start_time_unix_nano, 1795328590429762414);
}

#[test]
fn jsonl_and_pbstream_of_the_same_run_decode_to_the_same_batches() {
    let (Some(pb), Some(js)) = (
        shared("orders-otel-py.otlp.pbstream"),
        shared("orders-otel-py.otlp.jsonl"),
    ) else {
        return;
    };
    let pb = load_capture(&pb, None).unwrap_or_else(|e| panic!("{e}"));
    let js = load_capture(&js, None).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(pb.format, CaptureFormat::OtlpProtoStream);
    assert_eq!((pb.payloads.len(), pb.spans, pb.traces), (52, 2837, 987));
    assert!(pb.payloads == js.payloads, "span-for-span equal");
}

fn round_trip(batches: &[Batch]) {
    let mut out = Vec::new();
    for b in batches {
        write_otlp_json_line(b, &mut out).unwrap_or_else(|e| panic!("{e}"));
    }
    let back: Vec<Batch> = otlp_json::decode(&out)
        .unwrap_or_else(|e| panic!("{e:?}"))
        .into_iter()
        .map(|(_, b)| b)
        .collect();
    assert!(
        back == batches,
        "written OTLP JSON reads back to the same batches"
    );
}

#[test]
fn written_otlp_json_round_trips() {
    for name in [
        "orders-otel-py.otlp.pb",
        "orders-ddtrace-py-v04.msgpack",
        "orders-ddtrace-js-v05.msgpack",
    ] {
        let c = load_capture(&fixture(name), None).unwrap_or_else(|e| panic!("{e}"));
        round_trip(&c.payloads);
    }
    // Every value type, special doubles and escapes.
    let mut attrs = Attributes::new();
    attrs.upsert("s", AnyValue::Str("a\"b\\c\n\u{1}é".into()));
    attrs.upsert("b", AnyValue::Bool(true));
    attrs.upsert("i", AnyValue::Int(-9_007_199_254_740_993));
    attrs.upsert("d", AnyValue::Double(1.5e-7));
    attrs.upsert("big", AnyValue::Double(1e21));
    attrs.upsert("inf", AnyValue::Double(f64::NEG_INFINITY));
    attrs.upsert("bytes", AnyValue::Bytes(vec![0, 255, 7]));
    attrs.upsert(
        "slice",
        AnyValue::Slice(vec![AnyValue::Int(1), AnyValue::Empty]),
    );
    attrs.upsert("map", AnyValue::Map(attrs.clone()));
    let mut c =
        load_capture(&fixture("orders-otel-py.otlp.pb"), None).unwrap_or_else(|e| panic!("{e}"));
    c.payloads[0].resource_spans[0].scope_spans[0].spans[0].attributes = attrs;
    round_trip(&c.payloads);
}

#[test]
fn the_writer_follows_pdata_field_order_and_encodings() {
    let js = b"{\"resourceSpans\":[{\"scopeSpans\":[{\"spans\":[{\"traceId\":\"0102030405060708090a0b0c0d0e0f10\",\"spanId\":\"0102030405060708\",\"flags\":256,\"name\":\"n\",\"kind\":2,\"startTimeUnixNano\":\"5\",\"endTimeUnixNano\":\"7\",\"attributes\":[{\"key\":\"d\",\"value\":{\"doubleValue\":1e21}},{\"key\":\"i\",\"value\":{\"intValue\":3}}],\"status\":{\"code\":\"STATUS_CODE_OK\"}}]}]}]}";
    let c = decode_capture("one.json", js, None).unwrap_or_else(|e| panic!("{e}"));
    let mut out = Vec::new();
    write_otlp_json_line(&c.payloads[0], &mut out).unwrap_or_else(|e| panic!("{e}"));
    let expected = "{\"resourceSpans\":[{\"resource\":{},\"scopeSpans\":[{\"scope\":{},\"spans\":[{\"traceId\":\"0102030405060708090a0b0c0d0e0f10\",\"spanId\":\"0102030405060708\",\"flags\":256,\"name\":\"n\",\"kind\":2,\"startTimeUnixNano\":\"5\",\"endTimeUnixNano\":\"7\",\"attributes\":[{\"key\":\"d\",\"value\":{\"doubleValue\":1e+21}},{\"key\":\"i\",\"value\":{\"intValue\":\"3\"}}],\"status\":{\"code\":1}}]}]}]}\n";
    assert_eq!(String::from_utf8_lossy(&out), expected);
}

#[test]
fn otlp_errors_name_the_offset() {
    let bytes = std::fs::read(fixture("orders-otel-py.otlp.pb")).unwrap_or_default();
    let mut stream = (bytes.len() as u32).to_be_bytes().to_vec();
    stream.extend_from_slice(&bytes);
    let c = decode_capture("s.pbstream", &stream, None).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!((c.format, c.spans), (CaptureFormat::OtlpProtoStream, 480));
    stream.extend_from_slice(&[0, 0, 1, 0, 0x0a]);
    let err = decode_capture("s.pbstream", &stream, Some(CaptureFormat::OtlpProtoStream))
        .expect_err("truncated frame");
    assert_eq!(err.offset, Some(4 + bytes.len() as u64));
    let err = decode_capture(
        "x.pb",
        &bytes[..bytes.len() / 2],
        Some(CaptureFormat::OtlpProto),
    )
    .expect_err("truncated message");
    assert!(
        err.message.contains("ExportTraceServiceRequest"),
        "{}",
        err.message
    );
    let err = decode_capture("l.jsonl", b"{}\n{\"resourceSpans\": 3}\n", None)
        .expect_err("bad second line");
    assert_eq!(err.offset, Some(3));
    let err = decode_capture("l.jsonl", b"{\"resourceSpans\":[]}\n{oops", None)
        .expect_err("syntax error");
    assert_eq!(err.offset, Some(21));
}
