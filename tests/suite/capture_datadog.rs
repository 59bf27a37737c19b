//! DataDog captures: decoding + translation on real payloads, checked against the counts in
//! `shared/captures/README.md` and against concrete attribute values of real spans.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use otelcheck::capture::model::{AnyValue, Span};
use otelcheck::capture::summary::summarize_one;
use otelcheck::capture::{load_capture, Capture, CaptureFormat};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/captures")
        .join(name)
}

fn load(name: &str) -> Capture {
    match load_capture(&fixture(name), None) {
        Ok(c) => c,
        Err(e) => panic!("{e}"),
    }
}

fn counts(pairs: &[(&str, usize)]) -> BTreeMap<String, usize> {
    pairs.iter().map(|(k, v)| ((*k).to_string(), *v)).collect()
}

/// Span-attribute `service.name` (set from the original service when `_dd.base_service` moved
/// the span under its base service) per span.
fn span_service_names(c: &Capture) -> BTreeMap<String, usize> {
    let mut out = BTreeMap::new();
    for s in all_spans(c) {
        if let Some(AnyValue::Str(v)) = s.attributes.get("service.name") {
            *out.entry(v.to_string()).or_insert(0) += 1;
        }
    }
    out
}

fn all_spans(c: &Capture) -> impl Iterator<Item = &Span> {
    c.payloads
        .iter()
        .flat_map(|b| &b.resource_spans)
        .flat_map(|r| &r.scope_spans)
        .flat_map(|s| &s.spans)
}

#[test]
fn ddtrace_py_v04_counts_match_the_readme() {
    let c = load("orders-ddtrace-py-v04.msgpack");
    assert_eq!(c.format, CaptureFormat::DatadogV04);
    assert_eq!((c.payloads.len(), c.spans, c.traces), (1, 1093, 97));
    let s = summarize_one(&c);
    // sqlite/requests spans carry `_dd.base_service: orders-api`, so the receiver groups them
    // under orders-api and keeps the original service as a span attribute.
    assert_eq!(s.services, counts(&[("orders-api", 1093)]));
    assert_eq!(
        span_service_names(&c),
        counts(&[("requests", 40), ("sqlite", 47)])
    );
    assert_eq!(
        s.span_kinds,
        counts(&[("CLIENT", 87), ("SERVER", 97), ("UNSPECIFIED", 909)])
    );
    assert_eq!(all_spans(&c).filter(|s| s.is_root()).count(), 91);
    assert_eq!(all_spans(&c).filter(|s| s.status.code == 2).count(), 27);
    assert_eq!(
        all_spans(&c).filter(|s| s.status.code == 0).count(),
        0,
        "DataDog spans are never Unset"
    );
}

#[test]
fn ddtrace_py_v05_counts_match_the_readme() {
    let c = load("orders-ddtrace-py-v05.msgpack");
    assert_eq!(c.format, CaptureFormat::DatadogV05);
    assert_eq!((c.payloads.len(), c.spans, c.traces), (1, 1070, 95));
    let s = summarize_one(&c);
    assert_eq!(s.services, counts(&[("orders-api", 1070)]));
    assert_eq!(
        span_service_names(&c),
        counts(&[("requests", 37), ("sqlite", 43)])
    );
    assert_eq!(
        s.span_kinds,
        counts(&[("CLIENT", 80), ("SERVER", 95), ("UNSPECIFIED", 895)])
    );
    assert_eq!(all_spans(&c).filter(|s| s.is_root()).count(), 92);
}

#[test]
fn ddtrace_js_counts_match_the_readme() {
    let c = load("orders-ddtrace-js-v04.msgpack");
    assert_eq!(
        (c.format, c.spans, c.traces),
        (CaptureFormat::DatadogV04, 546, 78)
    );
    let s = summarize_one(&c);
    assert_eq!(s.services, counts(&[("orders-api", 546)]));
    assert_eq!(
        s.span_kinds,
        counts(&[("CLIENT", 38), ("SERVER", 78), ("UNSPECIFIED", 430)])
    );
    assert_eq!(all_spans(&c).filter(|s| s.status.code == 2).count(), 34);

    let c = load("orders-ddtrace-js-v05.msgpack");
    assert_eq!(
        (c.format, c.spans, c.traces),
        (CaptureFormat::DatadogV05, 836, 122)
    );
    let s = summarize_one(&c);
    assert_eq!(
        s.span_kinds,
        counts(&[("CLIENT", 50), ("SERVER", 122), ("UNSPECIFIED", 664)])
    );
}

fn key_set(c: &Capture) -> BTreeSet<String> {
    summarize_one(c).attribute_keys.into_keys().collect()
}

#[test]
fn v04_and_v05_of_the_same_tracer_translate_to_the_same_attribute_keys() {
    assert_eq!(
        key_set(&load("orders-ddtrace-py-v04.msgpack")),
        key_set(&load("orders-ddtrace-py-v05.msgpack"))
    );
    assert_eq!(
        key_set(&load("orders-ddtrace-js-v04.msgpack")),
        key_set(&load("orders-ddtrace-js-v05.msgpack"))
    );
}

fn str_attr<'a>(s: &'a Span, key: &str) -> Option<&'a str> {
    match s.attributes.get(key) {
        Some(AnyValue::Str(v)) => Some(v),
        _ => None,
    }
}

#[test]
fn a_real_flask_server_span_translates_like_the_receiver() {
    let c = load("orders-ddtrace-py-v04.msgpack");
    let rs = &c.payloads[0].resource_spans[0];
    let res = &rs.resource.attributes;
    assert_eq!(
        res.get("service.name"),
        Some(&AnyValue::Str("orders-api".into()))
    );
    assert_eq!(
        res.get("telemetry.sdk.name"),
        Some(&AnyValue::Str("Datadog".into()))
    );
    assert_eq!(
        res.get("telemetry.sdk.version"),
        Some(&AnyValue::Str("Datadog-4.16.0".into()))
    );
    assert_eq!(
        res.get("telemetry.sdk.language"),
        Some(&AnyValue::Str("python".into()))
    );
    assert_eq!(
        res.get("process.runtime.version"),
        Some(&AnyValue::Str("3.11.7".into()))
    );
    assert_eq!(
        res.get("service.version"),
        Some(&AnyValue::Str("1.4.2".into()))
    );
    assert_eq!(rs.schema_url, "https://opentelemetry.io/schemas/1.40.0");
    assert_eq!(
        (
            rs.scope_spans[0].scope.name.as_str(),
            rs.scope_spans[0].scope.version.as_str()
        ),
        ("Datadog", "4.16.0")
    );

    let span = all_spans(&c)
        .find(|s| {
            str_attr(s, "dd.span.Resource") == Some("POST /orders/<order_id>/export")
                && s.name == "flask.request"
        })
        .expect("the export request span is in the fixture");
    assert_eq!(span.kind, 2);
    assert_eq!(span.status.code, 2);
    assert_eq!(str_attr(span, "http.request.method"), Some("POST"));
    assert_eq!(
        str_attr(span, "url.full"),
        Some("http://127.0.0.1:18080/orders/ord-998485/export?simulate=corrupt")
    );
    assert_eq!(str_attr(span, "http.response.status_code"), Some("500"));
    assert_eq!(str_attr(span, "client.address"), Some("203.0.113.97"));
    assert_eq!(
        str_attr(span, "user_agent.original"),
        Some("orders-batch-cron/1.0")
    );
    assert_eq!(
        str_attr(span, "deployment.environment.name"),
        Some("staging")
    );
    assert_eq!(str_attr(span, "sampling.priority"), Some("1.000000"));
    assert_eq!(
        str_attr(span, "datadog.trace.id"),
        Some("14270657582602528514")
    );
    assert_eq!(
        span.attributes.get("process.pid"),
        Some(&AnyValue::Double(12687.0))
    );
    assert_eq!(
        span.attributes.get("_sampling_priority_v1"),
        Some(&AnyValue::Double(1.0))
    );
    assert!(span
        .attributes
        .contains_key("http.request.header.authorization"));
    assert!(
        !span.attributes.contains_key("http.method"),
        "meta keys are renamed, not copied"
    );
    // 128-bit id: high half from `_dd.p.tid`, low half the DataDog trace id.
    assert_eq!(
        hex::encode(span.trace_id),
        format!("6b0289f800000000{:016x}", 14270657582602528514u64)
    );
    assert_eq!(
        span.end_time_unix_nano - span.start_time_unix_nano,
        1795328505127382075 - 1795328504708697896
    );
}

#[test]
fn child_spans_without_dd_p_tid_get_the_cached_128_bit_id() {
    let c = load("orders-ddtrace-py-v04.msgpack");
    let mut by_low: BTreeMap<[u8; 8], BTreeSet<[u8; 16]>> = BTreeMap::new();
    for s in all_spans(&c) {
        let low: [u8; 8] = s.trace_id[8..].try_into().unwrap_or_default();
        by_low.entry(low).or_default().insert(s.trace_id);
    }
    assert_eq!(by_low.len(), 97);
    assert!(
        by_low.values().all(|ids| ids.len() == 1),
        "every DataDog trace maps to exactly one 128-bit id"
    );
    assert!(
        all_spans(&c).all(|s| s.trace_id[..8] != [0; 8]),
        "every trace in this capture has a _dd.p.tid"
    );
}

#[test]
fn base_service_spans_keep_their_original_service_as_span_attribute() {
    let c = load("orders-ddtrace-py-v04.msgpack");
    let sql = all_spans(&c)
        .find(|s| s.name == "sqlite.query")
        .expect("a sqlite span");
    assert_eq!(str_attr(sql, "service.name"), Some("sqlite"));
    assert_eq!(str_attr(sql, "_dd.base_service"), Some("orders-api"));
    assert_eq!(sql.kind, 3);
    assert_eq!(sql.status.code, 1);
}

#[test]
fn without_a_headers_sidecar_the_tracer_fields_are_absent() {
    let bytes =
        std::fs::read(fixture("orders-ddtrace-js-v04.first-payload.msgpack")).unwrap_or_default();
    let c = otelcheck::capture::decode_capture("x.msgpack", &bytes, None)
        .unwrap_or_else(|e| panic!("{e}"));
    let rs = &c.payloads[0].resource_spans[0];
    assert!(!rs.resource.attributes.contains_key("telemetry.sdk.version"));
    assert!(!rs
        .resource
        .attributes
        .contains_key("telemetry.sdk.language"));
    assert_eq!(rs.scope_spans[0].scope.version, "");
    let with = load("orders-ddtrace-js-v04.first-payload.msgpack");
    let res = &with.payloads[0].resource_spans[0].resource.attributes;
    assert_eq!(
        res.get("telemetry.sdk.language"),
        Some(&AnyValue::Str("nodejs".into()))
    );
    assert_eq!(
        res.get("process.runtime.version"),
        Some(&AnyValue::Str("v20.20.2".into()))
    );
}

/// The shared captures directory beside the repo (`../shared`, or `../../shared` from a
/// worktree under `wt/`), if present.
fn shared_dir() -> Option<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    ["../shared/captures", "../../shared/captures"]
        .iter()
        .map(|p| root.join(p))
        .find(|p| p.is_dir())
}

/// The multi-payload stream files are not copied into the repo; when the shared captures are
/// next to the repo, check them too.
#[test]
fn stream_files_when_present() {
    let Some(dir) = shared_dir() else { return };
    let cases = [
        ("orders-ddtrace-py-v04.stream.msgpack", 43, 6847, 451),
        ("orders-ddtrace-py-v05.stream.msgpack", 85, 11264, 701),
        ("orders-ddtrace-js-v04.stream.msgpack", 37, 4268, 423),
        ("orders-ddtrace-js-v05.stream.msgpack", 47, 5919, 603),
    ];
    for (name, payloads, spans, traces) in cases {
        let path = dir.join(name);
        if !path.exists() {
            continue;
        }
        let c = load_capture(&path, None).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            (c.payloads.len(), c.spans, c.traces),
            (payloads, spans, traces),
            "{name}"
        );
    }
}
