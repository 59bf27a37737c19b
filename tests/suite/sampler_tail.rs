//! `tail_sampling` on real captures. The expected kept traces are recomputed here from the
//! spans a pass-through pipeline exports, with each policy's documented rule (processors.md
//! §6.3) applied to whole traces: in a single-payload capture every span arrives at once, so
//! the collector decides each trace once, at shutdown, with all its spans.

use crate::common::*;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};

#[derive(Debug, Clone)]
struct S {
    span: String,
    name: String,
    events: Vec<String>,
    /// `http.response.status_code` when it is an Int attribute.
    status_int: Option<i64>,
    status: i64,
    route: Option<String>,
    trace_state: String,
    start: u64,
    end: u64,
}

type Traces = BTreeMap<String, Vec<S>>;

fn num(v: &Value) -> u64 {
    v.as_str()
        .and_then(|s| s.parse().ok())
        .or_else(|| v.as_u64())
        .unwrap_or(0)
}

fn read_output(dir: &std::path::Path) -> Traces {
    let text = std::fs::read_to_string(dir.join("traces.jsonl")).unwrap_or_default();
    let mut out = Traces::new();
    for line in text.lines() {
        let v: Value = serde_json::from_str(line).unwrap();
        for rs in v["resourceSpans"].as_array().unwrap() {
            for ss in rs["scopeSpans"].as_array().unwrap() {
                for sp in ss["spans"].as_array().unwrap() {
                    let route = sp["attributes"].as_array().and_then(|a| {
                        a.iter()
                            .find(|kv| kv["key"] == "http.route")
                            .and_then(|kv| kv["value"]["stringValue"].as_str())
                            .map(str::to_owned)
                    });
                    let status_int = sp["attributes"].as_array().and_then(|a| {
                        a.iter()
                            .find(|kv| kv["key"] == "http.response.status_code")
                            .and_then(|kv| kv["value"]["intValue"].as_str())
                            .and_then(|v| v.parse().ok())
                    });
                    let events = sp["events"]
                        .as_array()
                        .map(|es| {
                            es.iter()
                                .filter_map(|e| e["name"].as_str().map(str::to_owned))
                                .collect()
                        })
                        .unwrap_or_default();
                    out.entry(sp["traceId"].as_str().unwrap_or("").to_owned())
                        .or_default()
                        .push(S {
                            span: sp["spanId"].as_str().unwrap().to_owned(),
                            name: sp["name"].as_str().unwrap_or("").to_owned(),
                            events,
                            status_int,
                            status: sp["status"]["code"].as_i64().unwrap_or(0),
                            route,
                            trace_state: sp["traceState"].as_str().unwrap_or("").to_owned(),
                            start: num(&sp["startTimeUnixNano"]),
                            end: num(&sp["endTimeUnixNano"]),
                        });
                }
            }
        }
    }
    out
}

/// Replay `capture` through `config` and read (exported traces, JSON report).
fn replay(config: &str, capture: &str) -> (Traces, Value) {
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
    (read_output(&out), json(&run))
}

fn baseline(capture: &str) -> Traces {
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("pass.yaml");
    std::fs::write(
        &cfg,
        "receivers:\n  otlp:\n    protocols:\n      http:\n  datadog:\nprocessors:\n  batch:\n\
         exporters:\n  debug:\nservice:\n  pipelines:\n    traces:\n      receivers: [otlp, datadog]\n      \
         processors: [batch]\n      exporters: [debug]\n",
    )
    .unwrap();
    replay(cfg.to_str().unwrap(), capture).0
}

fn single_payload_captures() -> Vec<String> {
    vec![
        fixture("captures/orders-otel-py.otlp.pb"),
        fixture("captures/orders-ddtrace-py-v04.msgpack"),
        fixture("captures/orders-ddtrace-js-v05.msgpack"),
    ]
}

fn fnv1a_64(parts: &[&[u8]]) -> u64 {
    parts
        .iter()
        .flat_map(|p| p.iter())
        .fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
            (h ^ u64::from(*b)).wrapping_mul(0x0000_0100_0000_01b3)
        })
}

/// The documented decision of each fixture, on one whole trace.
fn expected(fixture_name: &str, id: &str, spans: &[S]) -> bool {
    match fixture_name {
        // span-ingest: each trace arrives in one piece here, so it is decided on all of it.
        "errors_only" | "span_ingest" => spans.iter().any(|s| s.status == 2),
        "not_error" => !spans.iter().any(|s| s.status == 2),
        "string_attribute" => spans.iter().any(|s| {
            s.route
                .as_deref()
                .is_some_and(|r| r.contains("/orders") && r.starts_with("/orders"))
        }),
        "span_count" => spans.len() >= 12,
        "trace_state" => spans
            .iter()
            .any(|s| s.trace_state.split(',').any(|m| m.trim() == "edge=lb-4")),
        "probabilistic" => {
            let tid = hex::decode(id).unwrap();
            // 25 % of 2^64-1, exactly (a power of two ratio needs no rounding).
            fnv1a_64(&[b"default-hash-seed", &tid]) <= u64::MAX / 4
        }
        "drop_health" => !spans
            .iter()
            .any(|s| matches!(s.route.as_deref(), Some("/health" | "/ready" | "/metrics"))),
        "latency" => {
            let min = spans.iter().map(|s| s.start).min().unwrap();
            let max = spans.iter().map(|s| s.end).max().unwrap();
            (max - min) / 1_000_000 >= 50
        }
        // span: route == "/orders" or name == "payments.charge"; spanevent: name == "exception".
        "ottl_condition" => spans.iter().any(|s| {
            s.route.as_deref() == Some("/orders")
                || s.name == "payments.charge"
                || s.events.iter().any(|e| e == "exception")
        }),
        // `attributes["http.response.status_code"] + 1 > 500` with propagate: in span order,
        // an Int decides when true; a missing or non-Int value is an error that ends the
        // policy (not sampled).
        "ottl_propagate" => {
            for s in spans {
                match s.status_int {
                    Some(v) if v + 1 > 500 => return true,
                    Some(_) => {}
                    None => return false,
                }
            }
            false
        }
        other => panic!("no expectation for {other}"),
    }
}

const EXACT: &[&str] = &[
    "errors_only",
    "not_error",
    "string_attribute",
    "span_count",
    "trace_state",
    "probabilistic",
    "drop_health",
    "latency",
    "ottl_condition",
    "ottl_propagate",
    "span_ingest",
];

fn ids(t: &Traces) -> BTreeSet<String> {
    t.keys().cloned().collect()
}

#[test]
fn each_policy_keeps_exactly_the_documented_traces() {
    for capture in single_payload_captures() {
        let all = baseline(&capture);
        assert!(all.len() > 50, "{capture}");
        for name in EXACT {
            let config = fixture(&format!("replay/tail_sampling/{name}.yaml"));
            let (kept, report) = replay(&config, &capture);
            let want: BTreeSet<String> = all
                .iter()
                .filter(|(id, spans)| expected(name, id, spans))
                .map(|(id, _)| id.clone())
                .collect();
            assert_eq!(ids(&kept), want, "{name} on {capture}");
            // Whole traces: every span of a kept trace, untouched.
            for id in &want {
                let a: BTreeSet<&str> = all[id].iter().map(|s| s.span.as_str()).collect();
                let k: BTreeSet<&str> = kept[id].iter().map(|s| s.span.as_str()).collect();
                assert_eq!(a, k, "{name}: trace {id} kept whole");
            }
            let p = processor(&report, "tail_sampling");
            let spans_in: usize = all.values().map(Vec::len).sum();
            let spans_out: usize = kept.values().map(Vec::len).sum();
            assert_eq!(p["spans_in"].as_u64(), Some(spans_in as u64), "{name}");
            assert_eq!(p["spans_out"].as_u64(), Some(spans_out as u64), "{name}");
            assert!(!codes(&report).contains(&"unsupported-component".to_owned()));
            assert!(!codes(&report).contains(&"trace-split".to_owned()));
            check_trace_counts(name, p, all.len() as u64, want.len() as u64);
        }
    }
}

/// The report's trace counts against the independently computed kept set: every trace in is
/// decided once; the kept ones are exactly the traces out, each decided by one policy.
fn check_trace_counts(name: &str, p: &Value, all: u64, kept: u64) {
    assert_eq!(p["traces_in"].as_u64(), Some(all), "{name}");
    assert_eq!(p["traces_out"].as_u64(), Some(kept), "{name}");
    let d = &p["trace_decisions"];
    assert_eq!(d["sampled"].as_u64(), Some(kept), "{name}: {d}");
    assert_eq!(d["evicted"].as_u64(), Some(0), "{name}: {d}");
    let total: u64 = ["sampled", "not_sampled", "dropped"]
        .iter()
        .map(|k| d[k].as_u64().unwrap())
        .sum();
    assert_eq!(total, all, "{name}: {d}");
    let policies: Vec<&Value> = p["rules"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|r| r.get("policy"))
        .collect();
    let decided: u64 = policies
        .iter()
        .map(|c| c["traces_decided"].as_u64().unwrap())
        .sum();
    assert_eq!(decided, kept, "{name}");
    match name {
        "drop_health" => {
            assert_eq!(policies[1]["traces_dropped"].as_u64(), Some(all - kept));
            assert_eq!(d["dropped"].as_u64(), Some(all - kept));
            // A dropped trace stops the evaluation: always_sample saw only the rest.
            assert_eq!(policies[0]["traces_sampled"].as_u64(), Some(kept));
        }
        // span-ingest evaluates each arriving piece, not each trace.
        "span_ingest" => {}
        _ => {
            assert_eq!(policies.len(), 1, "{name}");
            let c = policies[0];
            assert_eq!(c["traces_sampled"].as_u64(), Some(kept), "{name}: {c}");
            assert_eq!(c["traces_inverted"].as_u64(), Some(0), "{name}");
            let errors = p["rules"][0]["errors"].as_u64().unwrap();
            assert_eq!(
                c["traces_not_sampled"].as_u64(),
                Some(all - kept - errors),
                "{name}: {c}"
            );
        }
    }
}

#[test]
fn an_inverted_match_is_counted_and_vetoes_nothing() {
    let config = fixture("replay/tail_sampling/invert_health.yaml");
    for capture in single_payload_captures() {
        let all = baseline(&capture);
        let health = |t: &[S]| {
            t.iter()
                .any(|s| matches!(s.route.as_deref(), Some("/health" | "/ready" | "/metrics")))
        };
        let error = |t: &[S]| t.iter().any(|s| s.status == 2);
        let inverted = all.values().filter(|t| health(t)).count() as u64;
        assert!(inverted > 0, "{capture}");
        // Sampled by the inverted policy (no health route) or by the error policy.
        let want: BTreeSet<String> = all
            .iter()
            .filter(|(_, t)| !health(t) || error(t))
            .map(|(id, _)| id.clone())
            .collect();
        let (kept, report) = replay(&config, &capture);
        assert_eq!(ids(&kept), want, "{capture}");
        let p = processor(&report, "tail_sampling");
        let rules = p["rules"].as_array().unwrap();
        let inv = &rules[0]["policy"];
        assert_eq!(inv["traces_inverted"].as_u64(), Some(inverted), "{inv}");
        assert_eq!(inv["traces_not_sampled"].as_u64(), Some(inverted));
        assert_eq!(
            inv["traces_sampled"].as_u64(),
            Some(all.len() as u64 - inverted)
        );
        assert_eq!(
            inv["traces_decided"].as_u64(),
            Some(all.len() as u64 - inverted)
        );
        let err = &rules[1]["policy"];
        assert_eq!(err["traces_inverted"].as_u64(), Some(0));
        let health_errors = all.values().filter(|t| health(t) && error(t)).count() as u64;
        // The error policy decides only the kept traces the inverted policy turned away.
        assert_eq!(err["traces_decided"].as_u64(), Some(health_errors), "{err}");
        check_trace_counts_generic(p, all.len() as u64, want.len() as u64);
    }
}

fn check_trace_counts_generic(p: &Value, all: u64, kept: u64) {
    assert_eq!(p["traces_in"].as_u64(), Some(all));
    assert_eq!(p["traces_out"].as_u64(), Some(kept));
    assert_eq!(p["trace_decisions"]["sampled"].as_u64(), Some(kept));
    assert_eq!(
        p["trace_decisions"]["not_sampled"].as_u64(),
        Some(all - kept)
    );
}

#[test]
fn the_error_only_pipeline_is_no_longer_shown_exporting_everything() {
    let capture = fixture("captures/orders-ddtrace-py-v04.msgpack");
    let (kept, report) = replay(&fixture("replay/tail_sampling/errors_only.yaml"), &capture);
    let all = baseline(&capture);
    let with_error = all
        .values()
        .filter(|t| t.iter().any(|s| s.status == 2))
        .count();
    assert!(with_error > 0 && with_error < all.len());
    assert_eq!(kept.len(), with_error);
    let rules = processor(&report, "tail_sampling")["rules"]
        .as_array()
        .unwrap()
        .clone();
    // Policy row: evaluated on every trace, matched (sampled) the error traces.
    assert_eq!(
        rules[0]["evaluated"].as_u64(),
        Some(all.len() as u64),
        "{rules:?}"
    );
    assert_eq!(rules[0]["matched"].as_u64(), Some(with_error as u64));
    let not_kept: usize = all
        .iter()
        .filter(|(id, _)| !kept.contains_key(*id))
        .map(|(_, t)| t.len())
        .sum();
    assert_eq!(rules[1]["dropped"].as_u64(), Some(not_kept as u64));
}

#[test]
fn rate_limiting_keeps_whole_traces_within_the_budget() {
    let capture = fixture("captures/orders-ddtrace-py-v04.msgpack");
    let all = baseline(&capture);
    let (kept, _) = replay(
        &fixture("replay/tail_sampling/rate_limiting.yaml"),
        &capture,
    );
    // All traces are decided in the same instant: the bucket (burst 200) holds the sum.
    let spans: usize = kept.values().map(Vec::len).sum();
    assert!(spans > 0 && spans <= 200, "{spans}");
    for (id, t) in &kept {
        assert_eq!(t.len(), all[id].len(), "trace {id} kept whole");
    }
}

#[test]
fn policies_that_cannot_be_replayed_say_so_and_pass_through() {
    let capture = fixture("captures/orders-otel-py.otlp.pb");
    let all = baseline(&capture);
    for (name, why) in [
        (
            "span_ingest_stateful",
            "requires all policies to be stateless",
        ),
        ("numeric_both_zero", "crashes at the first decision"),
    ] {
        let (kept, report) = replay(
            &fixture(&format!("replay/tail_sampling/{name}.yaml")),
            &capture,
        );
        assert_eq!(ids(&kept), ids(&all), "{name}");
        let msgs: Vec<&str> = report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["code"] == "unsupported-component")
            .filter_map(|f| f["message"].as_str())
            .collect();
        assert!(msgs.iter().any(|m| m.contains(why)), "{name}: {msgs:?}");
    }
}

/// A whole run (many requests over minutes): traces are decided as the capture's clock
/// passes `decision_wait`; with a wait longer than the run everything is decided at the end
/// and the result is the whole-trace one.
#[test]
fn stream_capture_decides_on_the_capture_clock() {
    let Some(capture) = shared_capture("orders-otel-py.otlp.pbstream") else {
        eprintln!("../shared/captures not present");
        return;
    };
    let all = baseline(&capture);
    let errors: BTreeSet<String> = all
        .iter()
        .filter(|(_, t)| t.iter().any(|s| s.status == 2))
        .map(|(id, _)| id.clone())
        .collect();
    let (kept, _) = replay(&fixture("replay/tail_sampling/errors_only.yaml"), &capture);
    // Sound whatever the timing: a kept trace has an error span somewhere.
    assert!(ids(&kept).is_subset(&errors));
    let dir = tempfile::tempdir().unwrap();
    let long = dir.path().join("long.yaml");
    let text = std::fs::read_to_string(fixture("replay/tail_sampling/errors_only.yaml"))
        .unwrap()
        .replace("    policies:", "    decision_wait: 100000s\n    policies:");
    std::fs::write(&long, text).unwrap();
    let (kept_long, report) = replay(long.to_str().unwrap(), &capture);
    assert_eq!(ids(&kept_long), errors);
    assert!(!codes(&report).contains(&"trace-split".to_owned()));
    // A 1 s wait splits the traces whose spans end more than a second or two apart.
    let short = dir.path().join("short.yaml");
    let text = std::fs::read_to_string(fixture("replay/tail_sampling/not_error.yaml"))
        .unwrap()
        .replace("    policies:", "    decision_wait: 1s\n    policies:");
    std::fs::write(&short, text).unwrap();
    let (_, report) = replay(short.to_str().unwrap(), &capture);
    assert!(
        codes(&report).contains(&"trace-split".to_owned()),
        "{report}"
    );
}

#[test]
fn policies_that_keep_everything_or_nothing_are_findings() {
    let capture = fixture("captures/orders-otel-py.otlp.pb");
    let traces = baseline(&capture).len() as u64;
    let (_, report) = replay(&fixture("replay/tail_sampling/catch_all.yaml"), &capture);
    let f: Vec<&Value> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == "catch-all-rule")
        .collect();
    assert_eq!(f.len(), 1, "{report}");
    let msg = f[0]["message"].as_str().unwrap();
    assert!(msg.contains(&format!("({traces} of {traces})")), "{msg}");
    assert_eq!(report["verdict"], "fail");
    // No trace of this capture has 12 spans: the span_count policy is dead.
    let (kept, report) = replay(&fixture("replay/tail_sampling/span_count.yaml"), &capture);
    assert!(kept.is_empty());
    assert!(codes(&report).contains(&"dead-rule".to_owned()), "{report}");
    // always_sample keeping everything is its purpose, not a finding.
    let (_, report) = replay(&fixture("replay/tail_sampling/drop_health.yaml"), &capture);
    assert!(
        !codes(&report).contains(&"catch-all-rule".to_owned()),
        "{report}"
    );
}

/// The clock is the sidecar's arrival times when the capture has them: the error span that
/// arrived 60 s after its trace's first span (decision_wait 5 s) comes too late, so the
/// collector decided "not sampled" on the first span alone. Without the sidecar the clock is
/// the span end times (1 ms apart) and the whole trace is decided at once, and kept.
#[test]
fn arrival_times_from_the_sidecar_drive_the_decision_clock() {
    let config = fixture("replay/tail_sampling/late_error.yaml");
    let capture = fixture("replay/tail_sampling/late-error.otlp.jsonl");
    let (kept, report) = replay(&config, &capture);
    assert!(kept.is_empty(), "{kept:?}");
    let split: Vec<&Value> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == "trace-split")
        .collect();
    assert_eq!(split.len(), 1, "{report}");
    assert!(split[0]["message"]
        .as_str()
        .unwrap()
        .contains("arrival times"));
    let dir = tempfile::tempdir().unwrap();
    let bare = dir.path().join("late-error.otlp.jsonl");
    std::fs::copy(&capture, &bare).unwrap();
    let (kept, report) = replay(&config, bare.to_str().unwrap());
    assert_eq!(kept.values().map(Vec::len).sum::<usize>(), 2);
    assert!(!codes(&report).contains(&"trace-split".to_owned()));
}

/// Fan-out and chains: the same processor id in two pipelines is two instances, each sampling
/// the spans its own pipeline hands it (after a filter there, the rewritten stream).
#[test]
fn each_pipeline_samples_its_own_stream() {
    let capture = fixture("captures/orders-otel-py.otlp.pb");
    let all = baseline(&capture);
    let error_spans: u64 = all.values().flatten().filter(|s| s.status == 2).count() as u64;
    let error_trace_spans: u64 = all
        .values()
        .filter(|t| t.iter().any(|s| s.status == 2))
        .map(|t| t.len() as u64)
        .sum();
    assert!(error_spans > 0);
    let run = otelcheck(&[
        "dry-run",
        &fixture("replay/tail_sampling/fan_out.yaml"),
        &capture,
        "--format",
        "json",
    ]);
    let report = json(&run);
    let pipelines = report["pipelines"].as_array().unwrap();
    let proc_of = |p: &Value, id: &str| -> (u64, u64) {
        let x = p["processors"]
            .as_array()
            .unwrap()
            .iter()
            .find(|x| x["id"] == id)
            .unwrap();
        (
            x["spans_in"].as_u64().unwrap(),
            x["spans_out"].as_u64().unwrap(),
        )
    };
    let total: u64 = all.values().map(|t| t.len() as u64).sum();
    assert_eq!(
        proc_of(&pipelines[0], "tail_sampling"),
        (total, error_trace_spans)
    );
    assert_eq!(
        proc_of(&pipelines[1], "tail_sampling"),
        (total - error_spans, 0),
        "the filter ran first: no error left to keep"
    );
}

/// Policy OTTL is checked when the collector starts, not by `validate`: a warning, and the
/// instance is not replayed.
#[test]
fn invalid_policy_ottl_is_a_start_time_warning() {
    let config = fixture("replay/tail_sampling/ottl_invalid.yaml");
    let run = otelcheck(&["validate", &config, "--format", "json"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    let report = json(&run);
    let f = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == "invalid-ottl")
        .unwrap_or_else(|| panic!("{report}"));
    assert_eq!(f["severity"], "warning");
    assert!(codes(&report).contains(&"unsupported-component".to_owned()));
}

#[test]
fn report_snapshots() {
    for (name, capture) in [
        ("errors_only", "captures/orders-ddtrace-py-v04.msgpack"),
        ("drop_health", "captures/orders-otel-py.otlp.pb"),
        ("bytes_limiting", "captures/orders-otel-py.otlp.pb"),
    ] {
        let run = otelcheck(&[
            "dry-run",
            &format!("fixtures/replay/tail_sampling/{name}.yaml"),
            &format!("fixtures/{capture}"),
        ]);
        insta::assert_snapshot!(format!("tail_sampling_{name}"), run.stdout);
    }
}

/// Chains and fan-out end to end: a tail sampler after a transform sees the rewritten spans
/// (its `string_attribute` policy reads an attribute only the transform sets); the same
/// request fanned out to a second pipeline is a separate copy, sampled by a separate instance
/// of the same `tail_sampling` id, which never sees that attribute.
#[test]
fn a_sampler_after_a_transform_sees_rewritten_spans_and_each_pipeline_its_own_copy() {
    let config = fixture("replay/tail_sampling/after_transform.yaml");
    for capture in single_payload_captures() {
        let all = baseline(&capture);
        let want: BTreeSet<String> = all
            .iter()
            .filter(|(_, t)| t.iter().any(|s| s.route.as_deref() == Some("/orders")))
            .map(|(id, _)| id.clone())
            .collect();
        assert!(!want.is_empty() && want.len() < all.len(), "{capture}");
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out");
        let run = otelcheck(&[
            "dry-run",
            &config,
            &capture,
            "--format",
            "json",
            "--write-output",
            out.to_str().unwrap(),
        ]);
        assert!(run.code == 0 || run.code == 1, "{}", run.stderr);
        let report = json(&run);
        let text = std::fs::read_to_string(out.join("traces_marked.jsonl")).unwrap();
        let mut kept: BTreeMap<String, usize> = BTreeMap::new();
        for line in text.lines() {
            let v: Value = serde_json::from_str(line).unwrap();
            for rs in v["resourceSpans"].as_array().unwrap() {
                for ss in rs["scopeSpans"].as_array().unwrap() {
                    for sp in ss["spans"].as_array().unwrap() {
                        let tid = sp["traceId"].as_str().unwrap().to_owned();
                        *kept.entry(tid).or_default() += 1;
                        // The exported span carries the transform's mark where it applied.
                        let route = sp["attributes"].as_array().and_then(|a| {
                            a.iter()
                                .find(|kv| kv["key"] == "http.route")
                                .and_then(|kv| kv["value"]["stringValue"].as_str())
                        });
                        let audit = sp["attributes"].as_array().is_some_and(|a| {
                            a.iter().any(|kv| {
                                kv["key"] == "audit" && kv["value"]["stringValue"] == "yes"
                            })
                        });
                        assert_eq!(audit, route == Some("/orders"), "{sp}");
                    }
                }
            }
        }
        assert_eq!(
            kept.keys().cloned().collect::<BTreeSet<_>>(),
            want,
            "{capture}"
        );
        for (id, n) in &kept {
            assert_eq!(*n, all[id].len(), "trace {id} kept whole");
        }
        let plain = std::fs::read_to_string(out.join("traces_plain.jsonl")).unwrap_or_default();
        assert!(plain.trim().is_empty(), "traces/plain kept something");
        let pipelines = report["pipelines"].as_array().unwrap();
        let tail = |i: usize| {
            pipelines[i]["processors"]
                .as_array()
                .unwrap()
                .iter()
                .find(|p| p["id"] == "tail_sampling")
                .unwrap()
                .clone()
        };
        let (marked, plain) = (tail(0), tail(1));
        assert_eq!(marked["traces_in"].as_u64(), Some(all.len() as u64));
        assert_eq!(marked["traces_out"].as_u64(), Some(want.len() as u64));
        assert_eq!(
            marked["rules"][0]["policy"]["traces_decided"].as_u64(),
            Some(want.len() as u64)
        );
        // The second instance saw every trace too, and sampled none: its own state.
        assert_eq!(plain["traces_in"].as_u64(), Some(all.len() as u64));
        assert_eq!(plain["traces_out"].as_u64(), Some(0));
        assert_eq!(
            plain["rules"][0]["policy"]["traces_sampled"].as_u64(),
            Some(0)
        );
    }
}

/// Two instances of one `tail_sampling` id keep separate state: each pipeline's
/// `rate_limiting` bucket (burst 200 spans, every trace decided in the same instant) fills on
/// its own, so together they export more than one bucket holds.
#[test]
fn the_same_rate_limited_sampler_in_two_pipelines_has_two_budgets() {
    let capture = fixture("captures/orders-ddtrace-py-v04.msgpack");
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("c.yaml");
    let text = std::fs::read_to_string(fixture("replay/tail_sampling/rate_limiting.yaml"))
        .unwrap()
        .replace(
            "exporters: [debug]\n",
            "exporters: [debug]\n    traces/2:\n      receivers: [otlp, datadog]\n      processors: [tail_sampling]\n      exporters: [debug]\n",
        );
    assert!(text.contains("traces/2"), "{text}");
    std::fs::write(&cfg, text).unwrap();
    let run = otelcheck(&[
        "dry-run",
        cfg.to_str().unwrap(),
        &capture,
        "--format",
        "json",
    ]);
    let report = json(&run);
    let pipelines = report["pipelines"].as_array().unwrap();
    assert_eq!(pipelines.len(), 2, "{report}");
    let outs: Vec<u64> = pipelines
        .iter()
        .map(|p| p["spans_out"].as_u64().unwrap())
        .collect();
    assert!(outs.iter().all(|n| *n > 0 && *n <= 200), "{outs:?}");
    assert_eq!(outs[0], outs[1], "same input, same budget, same result");
    assert!(outs[0] + outs[1] > 200, "{outs:?}");
}

/// The markdown report lists, below a pipeline's table, a tail sampler's traces and decisions
/// and each policy's verdicts (the counts are checked in `each_policy_keeps_exactly_the_documented_traces`).
#[test]
fn markdown_report_snapshot() {
    let run = otelcheck(&[
        "dry-run",
        "fixtures/replay/tail_sampling/drop_health.yaml",
        "fixtures/captures/orders-otel-py.otlp.pb",
        "--format",
        "markdown",
    ]);
    assert!(run.code <= 1, "{}", run.stderr);
    insta::assert_snapshot!("tail_sampling_drop_health_markdown", run.stdout);
}

/// The trace counts are part of the JSON contract: the shipped schema names them, and
/// reports that carry them (a tail sampler with a drop policy, groupbytrace, a probabilistic
/// sampler) validate against it.
#[test]
fn trace_counts_are_in_the_report_schema() {
    let text =
        std::fs::read_to_string(crate::common::root().join("docs/report.schema.json")).unwrap();
    let schema: Value = serde_json::from_str(&text).unwrap();
    let props = |def: &str| schema["$defs"][def]["properties"].clone();
    for key in ["traces_in", "traces_out", "trace_decisions"] {
        assert!(props("processor").get(key).is_some(), "processor.{key}");
    }
    let policy = &props("rule")["policy"]["properties"];
    for key in [
        "traces_sampled",
        "traces_not_sampled",
        "traces_inverted",
        "traces_dropped",
        "traces_decided",
    ] {
        assert!(policy.get(key).is_some(), "rule.policy.{key}");
    }
    let validator = jsonschema::validator_for(&schema).unwrap();
    let capture = fixture("captures/orders-otel-py.otlp.pb");
    for config in [
        "replay/tail_sampling/drop_health.yaml",
        "replay/tail_sampling/invert_health.yaml",
        "replay/groupbytrace/evict.yaml",
        "replay/probabilistic_sampler/hash-seed-50.yaml",
    ] {
        let (_, report) = replay(&fixture(config), &capture);
        let errors: Vec<String> = validator
            .iter_errors(&report)
            .map(|e| format!("{e} at {}", e.instance_path()))
            .collect();
        assert!(errors.is_empty(), "{config}: {errors:#?}");
        let procs = report["pipelines"][0]["processors"].as_array().unwrap();
        assert!(
            procs.iter().any(|p| p["traces_in"].as_u64().is_some()),
            "{config}"
        );
    }
}
