//! `probabilistic_sampler` on real captures: the kept spans and the tracestate each carries
//! must be exactly what processors.md §5.3/§5.4 computes — recomputed here, independently
//! of the crate, from the spans a pass-through pipeline exports.

use crate::common::*;
use serde_json::Value;
use std::collections::BTreeMap;

/// One exported span: (trace id hex, span id hex) → (tracestate, sampling.priority text).
type Spans = BTreeMap<(String, String), (String, Option<String>)>;

fn config(processor: &str) -> String {
    format!(
        "receivers:\n  otlp:\n    protocols:\n      http:\n  datadog:\n\
         processors:\n  batch:\n{processor}\
         exporters:\n  debug:\n\
         service:\n  pipelines:\n    traces:\n      receivers: [otlp, datadog]\n      \
         processors: [batch{}]\n      exporters: [debug]\n",
        if processor.is_empty() {
            ""
        } else {
            ", probabilistic_sampler"
        }
    )
}

pub(crate) fn priority_text(span: &Value) -> Option<String> {
    let attrs = span["attributes"].as_array()?;
    let a = attrs.iter().find(|a| a["key"] == "sampling.priority")?;
    let v = &a["value"];
    v["stringValue"]
        .as_str()
        .map(str::to_owned)
        .or_else(|| v["intValue"].as_str().map(str::to_owned))
        .or_else(|| v["doubleValue"].as_f64().map(|d| d.to_string()))
}

/// Replay `capture` through `processor` (YAML under `processors:`) and read what was exported.
fn exported(processor: &str, capture: &str) -> (Spans, Value) {
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("c.yaml");
    std::fs::write(&cfg, config(processor)).unwrap();
    let out = dir.path().join("out");
    let run = otelcheck(&[
        "dry-run",
        cfg.to_str().unwrap(),
        capture,
        "--format",
        "json",
        "--write-output",
        out.to_str().unwrap(),
    ]);
    assert!(
        run.code == 0 || run.code == 1,
        "{}{}",
        run.stdout,
        run.stderr
    );
    let text = std::fs::read_to_string(out.join("traces.jsonl")).unwrap_or_default();
    let mut spans = Spans::new();
    for line in text.lines() {
        let v: Value = serde_json::from_str(line).unwrap();
        for rs in v["resourceSpans"].as_array().unwrap() {
            for ss in rs["scopeSpans"].as_array().unwrap() {
                for sp in ss["spans"].as_array().unwrap() {
                    let key = (
                        sp["traceId"].as_str().unwrap_or("").to_owned(),
                        sp["spanId"].as_str().unwrap().to_owned(),
                    );
                    let ts = sp["traceState"].as_str().unwrap_or("").to_owned();
                    spans.insert(key, (ts, priority_text(sp)));
                }
            }
        }
    }
    (spans, json(&run))
}

// --- the documented algorithm, written out again for the test -------------------------

fn fnv1a_32(bytes: &[u8]) -> u32 {
    bytes.iter().fold(0x811c_9dc5u32, |h, b| {
        (h ^ u32::from(*b)).wrapping_mul(0x0100_0193)
    })
}

fn trace_id(hex_text: &str) -> [u8; 16] {
    let mut id = [0u8; 16];
    if !hex_text.is_empty() {
        id.copy_from_slice(&hex::decode(hex_text).unwrap());
    }
    id
}

/// The `th` text of a threshold: 14 hex digits, trailing zeros stripped, `0` for zero.
fn th_text(t: u64) -> String {
    if t == 0 {
        return "0".to_owned();
    }
    format!("{t:014x}").trim_end_matches('0').to_owned()
}

/// sampling.priority as the datadog receiver writes it: "1.000000" keeps, "0.000000" drops.
fn forced(priority: &Option<String>) -> Option<bool> {
    let v: f64 = priority.as_deref()?.parse().ok()?;
    if v == 0.0 {
        Some(false)
    } else if v > 0.0 {
        Some(true)
    } else {
        None
    }
}

/// §5.3: (kept, tracestate written) for one span without incoming tracestate.
pub(crate) fn hash_seed_expectation(
    tid: &str,
    prio: &Option<String>,
    seed: u32,
    pct: f32,
) -> (bool, String) {
    let scaled = (pct.min(100.0) * 163.84f32) as u32;
    let id = trace_id(tid);
    let mut bytes = seed.to_le_bytes().to_vec();
    bytes.extend_from_slice(&id);
    let h = fnv1a_32(&bytes);
    let bucket = u64::from(h & 0x3fff);
    let u = u64::from(h >> 18);
    let r = ((16383 - bucket) << 42) | ((u ^ (u << 10)) << 14) | bucket;
    let t = u64::from(16384 - scaled) << 42;
    match forced(prio) {
        Some(true) => (true, format!("ot=rv:{r:014x};th:0")),
        Some(false) => (false, String::new()),
        None => (
            bucket < u64::from(scaled),
            format!("ot=rv:{r:014x};th:{}", th_text(t)),
        ),
    }
}

/// The `ot` member written first, then the span's own (foreign) members.
pub(crate) fn with_foreign(ot: String, incoming: &str) -> String {
    if incoming.is_empty() {
        ot
    } else {
        format!("{ot},{incoming}")
    }
}

fn captures() -> Vec<String> {
    let mut v = vec![
        fixture("captures/orders-otel-py.otlp.pb"),
        fixture("captures/orders-ddtrace-py-v04.msgpack"),
        fixture("captures/orders-ddtrace-js-v05.msgpack"),
    ];
    v.extend(shared_capture("orders-otel-py.otlp.pbstream"));
    v
}

#[test]
fn hash_seed_keeps_exactly_the_documented_trace_ids() {
    let settings: &[(u32, f32)] = &[(0, 50.0), (22, 12.5), (12345, 33.3), (1, 1.0), (7, 99.9)];
    for capture in captures() {
        let (all, _) = exported("", &capture);
        assert!(
            all.len() > 100,
            "{capture}: baseline exported {} spans",
            all.len()
        );
        // Real tracestates here are foreign members only (`edge=lb-4`): kept after `ot`.
        assert!(all.values().all(|(ts, _)| !ts.contains("ot=")), "{capture}");
        for (seed, pct) in settings {
            let p = format!(
                "  probabilistic_sampler:\n    hash_seed: {seed}\n    sampling_percentage: {pct}\n"
            );
            let (kept, report) = exported(&p, &capture);
            let mut expected = Spans::new();
            for (key, (incoming, prio)) in &all {
                let (keep, ts) = hash_seed_expectation(&key.0, prio, *seed, *pct);
                if keep {
                    expected.insert(key.clone(), (with_foreign(ts, incoming), prio.clone()));
                }
            }
            assert_eq!(kept, expected, "{capture} seed {seed} at {pct}%");
            let proc = processor(&report, "probabilistic_sampler");
            assert_eq!(proc["spans_in"].as_u64(), Some(all.len() as u64));
            assert_eq!(proc["spans_out"].as_u64(), Some(expected.len() as u64));
            // Traces too: distinct trace ids handed in, and those with a kept span.
            let traces = |s: &Spans| {
                s.keys()
                    .map(|k| k.0.clone())
                    .collect::<std::collections::BTreeSet<_>>()
                    .len() as u64
            };
            assert_eq!(proc["traces_in"].as_u64(), Some(traces(&all)));
            assert_eq!(proc["traces_out"].as_u64(), Some(traces(&expected)));
            assert!(proc.get("trace_decisions").is_none());
            assert!(
                !codes(&report).contains(&"unsupported-component".to_owned()),
                "{report}"
            );
            // Real trace ids are random: the kept share is within chance of the percentage.
            assert!(
                !codes(&report).contains(&"sampling-ratio-skew".to_owned()),
                "{report}"
            );
        }
    }
}

/// §5.4 `ProbabilityToThresholdWithPrecision`, restated.
fn threshold(p: f64, precision: i64) -> u64 {
    if p == 1.0 {
        return 0;
    }
    let exp = |f: f64| ((f.to_bits() >> 52) & 0x7ff) as i64 - 1022;
    let precision = 14.min((precision + exp(p) / -4).max(precision + exp(1.0 - p) / -4));
    let mut t = (1u64 << 56) - (p * (1u64 << 56) as f64).round() as u64;
    let shift = 4 * (14 - precision);
    if shift > 0 {
        t = ((t + (1 << (shift - 1))) >> shift) << shift;
    }
    t
}

#[test]
fn proportional_keeps_by_trace_id_randomness() {
    for capture in captures().into_iter().take(2) {
        let (all, _) = exported("", &capture);
        for (pct, precision) in [(50.0f32, 4), (33.3, 2), (10.0, 4), (100.0, 4)] {
            let p = format!(
                "  probabilistic_sampler:\n    mode: proportional\n    sampling_percentage: {pct}\n    sampling_precision: {precision}\n"
            );
            let (kept, _) = exported(&p, &capture);
            let t = threshold(f64::from(pct) / 100.0, precision);
            let mut expected = Spans::new();
            for (key, (incoming, prio)) in &all {
                let id = trace_id(&key.0);
                let r = u64::from_be_bytes(id[8..].try_into().unwrap()) & ((1 << 56) - 1);
                let keep = match forced(prio) {
                    Some(k) => k,
                    None => t <= r,
                };
                let th = if forced(prio) == Some(true) { 0 } else { t };
                if keep {
                    let ts = with_foreign(format!("ot=th:{}", th_text(th)), incoming);
                    expected.insert(key.clone(), (ts, prio.clone()));
                }
            }
            assert_eq!(
                kept, expected,
                "{capture} proportional {pct}% precision {precision}"
            );
        }
    }
}

#[test]
fn seed_config_at_100_percent_exports_everything_and_is_emulated() {
    for capture in captures() {
        let run = otelcheck(&[
            "dry-run",
            "fixtures/seed/fixed.yaml",
            &capture,
            "--format",
            "json",
        ]);
        assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
        let report = json(&run);
        let p = processor(&report, "probabilistic_sampler");
        assert_eq!(p["spans_in"], p["spans_out"], "{capture}");
        assert!(p["spans_in"].as_u64().unwrap() > 0);
        let unsupported: Vec<&Value> = report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["code"] == "unsupported-component")
            .collect();
        assert!(
            unsupported.iter().all(|f| !f["message"]
                .as_str()
                .unwrap_or("")
                .contains("probabilistic_sampler")),
            "{unsupported:?}"
        );
    }
}

#[test]
fn zero_percent_drops_all_but_priority_forced_spans() {
    // DataDog spans carry sampling.priority "1.000000" / "2.000000": forced through at 0 %.
    let capture = fixture("captures/orders-ddtrace-py-v04.msgpack");
    let (all, _) = exported("", &capture);
    let p = "  probabilistic_sampler:\n    sampling_percentage: 0\n";
    let (kept, _) = exported(p, &capture);
    let expected: Spans = all
        .iter()
        .filter(|(_, (_, prio))| forced(prio) == Some(true))
        .map(|(k, (ts, prio))| {
            (
                k.clone(),
                (with_foreign("ot=th:0".to_owned(), ts), prio.clone()),
            )
        })
        .collect();
    assert_eq!(kept, expected);
    let otlp = fixture("captures/orders-otel-py.otlp.pb");
    let (kept, report) = exported(p, &otlp);
    assert!(kept.is_empty());
    // A sampler that samples nothing is a catch-all (the DataDog spans above were all
    // decided by their priority, so there it is not).
    assert!(
        codes(&report).contains(&"catch-all-rule".to_owned()),
        "{report}"
    );
    let (_, report) = exported(p, &capture);
    assert!(
        !codes(&report).contains(&"catch-all-rule".to_owned()),
        "{report}"
    );
}

#[test]
fn non_random_trace_ids_are_reported_as_a_skew() {
    // 200 single-span traces with sequential ids 1..=200.
    let capture = fixture("replay/probabilistic_sampler/sequential-ids.otlp.jsonl");
    let run = |config: &str| {
        let r = otelcheck(&["dry-run", &fixture(config), &capture, "--format", "json"]);
        json(&r)
    };
    // proportional reads the low 56 bits: all tiny, all below the 50 % threshold.
    let report = run("replay/probabilistic_sampler/proportional-50.yaml");
    let skew: Vec<&Value> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == "sampling-ratio-skew")
        .collect();
    assert_eq!(skew.len(), 1, "{report}");
    let msg = skew[0]["message"].as_str().unwrap();
    assert!(msg.contains("kept 0 of the 200 traces"), "{msg}");
    // hash_seed hashes the whole id: the same ids are kept at about half.
    let report = run("replay/probabilistic_sampler/hash-seed-50.yaml");
    assert!(!codes(&report).contains(&"sampling-ratio-skew".to_owned()));
    let p = processor(&report, "probabilistic_sampler");
    let out = p["spans_out"].as_u64().unwrap();
    assert!((60..=140).contains(&out), "{out}");
}
