//! `groupbytrace` on real captures. It never changes a span; what it changes is which spans
//! travel together and when. The expected requests are recomputed here from the requests a
//! pass-through pipeline exports (the input as the collector receives it), following
//! upstream's algorithm (v0.156.0 `batchpersignal.SplitTraces`, a ring buffer of
//! `num_traces` slots, one `wait_duration` timer per new trace; README "Sampler emulation").

use crate::common::*;
use serde_json::Value;
use std::collections::{BTreeSet, HashMap};

/// One resource-spans entry holding one scope: (resource JSON, scope JSON, span ids).
#[derive(Debug, Clone, PartialEq, Eq)]
struct Piece {
    resource: String,
    scope: String,
    spans: Vec<String>,
}

/// A request as exported: its pieces (one per resource-spans × scope-spans entry).
type Request = Vec<Piece>;

/// The trace id of each span id seen.
type TraceOf = HashMap<String, String>;

fn read_requests(path: &std::path::Path, trace_of: &mut TraceOf) -> Vec<Request> {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let mut out = Vec::new();
    for line in text.lines() {
        let v: Value = serde_json::from_str(line).unwrap();
        let mut req = Request::new();
        for rs in v["resourceSpans"].as_array().unwrap() {
            for ss in rs["scopeSpans"].as_array().unwrap() {
                let spans = ss["spans"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|sp| {
                        let id = sp["spanId"].as_str().unwrap().to_owned();
                        let tid = sp["traceId"].as_str().unwrap_or("").to_owned();
                        trace_of.insert(id.clone(), tid);
                        id
                    })
                    .collect();
                req.push(Piece {
                    resource: rs["resource"].to_string(),
                    scope: ss["scope"].to_string(),
                    spans,
                });
            }
        }
        out.push(req);
    }
    out
}

/// Run `config` on `capture`: (exported requests, span → trace, JSON report).
fn run(config: &str, capture: &str) -> (Vec<Request>, TraceOf, Value) {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let run = otelcheck(&[
        "dry-run",
        config,
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
    let mut trace_of = TraceOf::new();
    let reqs = read_requests(&out.join("traces.jsonl"), &mut trace_of);
    (reqs, trace_of, json(&run))
}

/// The input as the collector receives it: what a pass-through pipeline exports.
fn input(capture: &str) -> (Vec<Request>, TraceOf) {
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("pass.yaml");
    std::fs::write(
        &cfg,
        "receivers:\n  otlp:\n    protocols:\n      http:\n  datadog:\nprocessors:\n  batch:\n\
         exporters:\n  debug:\nservice:\n  pipelines:\n    traces:\n      receivers: [otlp, datadog]\n      \
         processors: [batch]\n      exporters: [debug]\n",
    )
    .unwrap();
    let (reqs, trace_of, _) = run(cfg.to_str().unwrap(), capture);
    (reqs, trace_of)
}

/// `SplitTraces` of one request: per piece, the spans of each trace (first-seen order).
fn split(req: &Request, trace_of: &TraceOf) -> Vec<(String, Piece)> {
    let mut out = Vec::new();
    for p in req {
        let mut order: Vec<String> = Vec::new();
        let mut by: HashMap<String, Vec<String>> = HashMap::new();
        for s in &p.spans {
            let t = trace_of[s].clone();
            if !by.contains_key(&t) {
                order.push(t.clone());
            }
            by.entry(t).or_default().push(s.clone());
        }
        for t in order {
            let spans = by.remove(&t).unwrap();
            out.push((
                t,
                Piece {
                    resource: p.resource.clone(),
                    scope: p.scope.clone(),
                    spans,
                },
            ));
        }
    }
    out
}

fn captures() -> Vec<String> {
    let mut v = vec![
        fixture("captures/orders-otel-py.otlp.pb"),
        fixture("captures/orders-ddtrace-py-v04.msgpack"),
        fixture("captures/orders-ddtrace-js-v05.msgpack"),
    ];
    v.extend(shared_capture("orders-otel-py.otlp.pbstream"));
    v.extend(shared_capture("orders-ddtrace-py-v05.stream.msgpack"));
    v
}

fn trace_ids(reqs: &[Request], trace_of: &TraceOf) -> BTreeSet<String> {
    reqs.iter()
        .flatten()
        .flat_map(|p| p.spans.iter().map(|s| trace_of[s].clone()))
        .collect()
}

/// A wait longer than the capture: nothing is released before the end of input, then every
/// trace goes out whole as one request, its pieces in arrival order (not merged per
/// resource), the traces in the order they were first seen.
#[test]
fn held_traces_leave_one_request_per_trace_in_first_seen_order() {
    let config = fixture("replay/groupbytrace/hold.yaml");
    for capture in captures() {
        let (inp, trace_of) = input(&capture);
        let mut order: Vec<String> = Vec::new();
        let mut groups: HashMap<String, Request> = HashMap::new();
        for req in &inp {
            for (t, piece) in split(req, &trace_of) {
                if !groups.contains_key(&t) {
                    order.push(t.clone());
                }
                groups.entry(t).or_default().push(piece);
            }
        }
        let want: Vec<Request> = order.iter().map(|t| groups[t].clone()).collect();
        let (got, _, report) = run(&config, &capture);
        assert_eq!(got.len(), want.len(), "{capture}");
        assert!(got == want, "{capture}: regrouped requests differ");
        // More than one request per trace came in for some trace, or the test proves little.
        assert!(inp.len() < want.len() || want.iter().any(|r| r.len() > 1));
        let p = processor(&report, "groupbytrace");
        assert_eq!(p["emulated"], true, "{p}");
        let spans: usize = inp.iter().flatten().map(|p| p.spans.len()).sum();
        assert_eq!(p["spans_in"].as_u64(), Some(spans as u64));
        assert_eq!(p["spans_out"].as_u64(), Some(spans as u64));
        let traces = trace_ids(&inp, &trace_of).len() as u64;
        assert_eq!(p["traces_in"].as_u64(), Some(traces));
        assert_eq!(p["traces_out"].as_u64(), Some(traces));
        assert_eq!(p["rules"][0]["dropped"].as_u64(), Some(0));
    }
}

/// `wait_duration: 0s`: each request's traces are released when the next request arrives,
/// one request per trace of each request; the last request's at the end of input.
#[test]
fn a_zero_wait_releases_each_requests_traces_at_the_next_request() {
    let config = fixture("replay/groupbytrace/immediate.yaml");
    for capture in captures() {
        let (inp, trace_of) = input(&capture);
        let mut want: Vec<Request> = Vec::new();
        for req in &inp {
            let mut order: Vec<String> = Vec::new();
            let mut groups: HashMap<String, Request> = HashMap::new();
            for (t, piece) in split(req, &trace_of) {
                if !groups.contains_key(&t) {
                    order.push(t.clone());
                }
                groups.entry(t).or_default().push(piece);
            }
            want.extend(order.iter().map(|t| groups[t].clone()));
        }
        let (got, _, _) = run(&config, &capture);
        assert!(
            got == want,
            "{capture}: {} vs {} requests",
            got.len(),
            want.len()
        );
    }
}

/// `num_traces: 2`: the ring has two slots and advances one slot per new trace; the trace in
/// the reused slot is discarded (upstream deletes it from storage, it is not released). Its
/// timer keeps running: should the trace id come back, that older timer releases it.
#[test]
fn a_full_ring_discards_the_trace_in_the_reused_slot() {
    let config = fixture("replay/groupbytrace/evict.yaml");
    for capture in captures() {
        let (inp, trace_of) = input(&capture);
        // The ring, written out again: slot index, slots, and the groups held.
        let mut index: Option<usize> = None;
        let mut slots: [Option<String>; 2] = [None, None];
        let mut held: Vec<(String, Request)> = Vec::new();
        let mut timers: Vec<String> = Vec::new();
        let mut discarded = 0u64;
        for req in &inp {
            for (t, piece) in split(req, &trace_of) {
                if let Some(g) = held.iter_mut().find(|(id, _)| *id == t) {
                    g.1.push(piece);
                    continue;
                }
                let i = index.map_or(0, |i| (i + 1) % 2);
                index = Some(i);
                if let Some(old) = slots[i].take() {
                    let at = held.iter().position(|(id, _)| *id == old).unwrap();
                    discarded += held
                        .remove(at)
                        .1
                        .iter()
                        .map(|p| p.spans.len() as u64)
                        .sum::<u64>();
                }
                slots[i] = Some(t.clone());
                timers.push(t.clone());
                held.push((t, vec![piece]));
            }
        }
        // At the end the timers fire in the order they were set; an evicted trace's timer
        // still runs and releases the trace if its id came back meanwhile.
        let mut want: Vec<Request> = Vec::new();
        for t in timers {
            if let Some(at) = held.iter().position(|(id, _)| *id == t) {
                want.push(held.remove(at).1);
            }
        }
        assert!(discarded > 0, "{capture}");
        let (got, _, report) = run(&config, &capture);
        assert!(
            got == want,
            "{capture}: {} vs {} requests",
            got.len(),
            want.len()
        );
        let p = processor(&report, "groupbytrace");
        assert_eq!(p["rules"][0]["dropped"].as_u64(), Some(discarded), "{p}");
        assert_eq!(p["rules"][0]["action"], "drop");
        assert_eq!(p["traces_out"].as_u64(), Some(want.len() as u64));
    }
}

/// Downstream sees the regrouped requests: the error span of late-error.otlp.jsonl arrives
/// 60 s after its trace's first span, too late for a tail sampler's 5 s decision_wait on its
/// own (tail_sampling tests) — behind a groupbytrace holding traces 90 s, the tail sampler
/// gets the whole trace in one request and keeps it, with no split trace.
#[test]
fn a_tail_sampler_after_groupbytrace_sees_whole_traces() {
    let capture = fixture("replay/tail_sampling/late-error.otlp.jsonl");
    let (got, trace_of, report) = run(&fixture("replay/groupbytrace/before_tail.yaml"), &capture);
    assert_eq!(got.len(), 1, "{got:?}");
    assert_eq!(got[0].len(), 2, "one entry per piece received");
    assert_eq!(trace_ids(&got, &trace_of).len(), 1);
    assert!(
        !codes(&report).contains(&"trace-split".to_owned()),
        "{report}"
    );
    let tail = processor(&report, "tail_sampling");
    assert_eq!(
        tail["trace_decisions"]["sampled"].as_u64(),
        Some(1),
        "{tail}"
    );
    // Without groupbytrace the same tail sampler decides on the first span alone.
    let (alone, _, report) = run(&fixture("replay/tail_sampling/late_error.yaml"), &capture);
    assert!(alone.is_empty());
    assert!(codes(&report).contains(&"trace-split".to_owned()));
}

/// A wait shorter than the trace's spread: the first piece leaves groupbytrace (due 10 s) and
/// reaches the tail sampler, which decides on it alone 5 s on; the error span, arriving 60 s
/// in, leaves groupbytrace at its own due time (70 s) — after that decision — so it follows
/// "not sampled" and the trace is reported split, as in the collector.
#[test]
fn a_short_wait_still_splits_the_trace_for_the_tail_sampler() {
    let capture = fixture("replay/tail_sampling/late-error.otlp.jsonl");
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("c.yaml");
    let text = std::fs::read_to_string(fixture("replay/groupbytrace/before_tail.yaml"))
        .unwrap()
        .replace("wait_duration: 90s", "wait_duration: 10s");
    assert!(text.contains("10s"));
    std::fs::write(&cfg, text).unwrap();
    let (got, _, report) = run(cfg.to_str().unwrap(), &capture);
    assert!(got.is_empty(), "{got:?}");
    assert!(
        codes(&report).contains(&"trace-split".to_owned()),
        "{report}"
    );
    let g = processor(&report, "groupbytrace");
    // The trace left groupbytrace twice (two groups), both reaching the tail sampler.
    assert_eq!(g["spans_out"].as_u64(), Some(2));
    let tail = processor(&report, "tail_sampling");
    assert_eq!(
        tail["trace_decisions"]["not_sampled"].as_u64(),
        Some(1),
        "{tail}"
    );
}

/// Settings the collector refuses are not replayed: the processor says so and passes through.
#[test]
fn unsupported_settings_are_not_emulated() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("c.yaml");
    let text = std::fs::read_to_string(fixture("replay/groupbytrace/hold.yaml"))
        .unwrap()
        .replace(
            "wait_duration: 1000h",
            "wait_duration: 1s\n    store_on_disk: true",
        );
    std::fs::write(&cfg, text).unwrap();
    let capture = fixture("captures/orders-otel-py.otlp.pb");
    let (inp, _) = input(&capture);
    let (got, _, report) = run(cfg.to_str().unwrap(), &capture);
    assert!(got == inp);
    assert_eq!(processor(&report, "groupbytrace")["emulated"], false);
}

/// The dry-run table for a two-slot ring on the shared OTLP capture: the drop row holds the
/// discarded traces' spans, and the line below the table the traces in and out (both checked
/// against the recomputed ring in `a_full_ring_discards_the_trace_in_the_reused_slot`).
#[test]
fn report_snapshot() {
    let run = otelcheck(&[
        "dry-run",
        "fixtures/replay/groupbytrace/evict.yaml",
        "fixtures/captures/orders-otel-py.otlp.pb",
    ]);
    assert!(run.code <= 1, "{}", run.stderr);
    insta::assert_snapshot!("groupbytrace_evict", run.stdout);
}
