//! processors.md "Observed behaviour" D, replayed through the processor: each row was
//! observed on a real v0.156.0 collector. Traces are single-span unless stated; all spans
//! arrive at once, so every trace is decided at the end of input (shutdown).

use super::TailSampler;
use crate::capture::model::{AnyValue, Batch, Resource, ResourceSpans, ScopeSpans, Span};
use crate::config::settings::{decode_processor, ProcessorSettings};
use crate::diag::Location;
use crate::processors::api::{Ctx, Observer, ProcRef, Processor, RuleRef, TraceDecision};

#[derive(Default)]
struct Decisions(Vec<([u8; 16], TraceDecision, Option<usize>)>);

impl Observer for Decisions {
    fn decided(
        &mut self,
        _at: ProcRef,
        id: &[u8; 16],
        d: TraceDecision,
        policy: Option<RuleRef>,
        _spans: usize,
    ) {
        self.0.push((*id, d, policy.map(|r| r.rule)));
    }
}

fn sampler(yaml: &str) -> TailSampler {
    let file: std::sync::Arc<str> = "t.yaml".into();
    let node = crate::config::node::parse_yaml(&file, yaml).unwrap();
    let (settings, diags) = decode_processor("tail_sampling", &node, &[]);
    let Some(ProcessorSettings::TailSampling(s)) = settings else {
        panic!("{diags:?}");
    };
    TailSampler::new(&s, &Location::new("t.yaml", 1, 1), &|_| None).expect("emulated")
}

fn id(n: u8) -> [u8; 16] {
    let mut t = [0u8; 16];
    t[15] = n;
    t[0] = 0xab;
    t
}

fn span(trace: u8) -> Span {
    Span {
        trace_id: id(trace),
        span_id: [trace, 1, 0, 0, 0, 0, 0, 1],
        start_time_unix_nano: 1_000_000_000_000,
        end_time_unix_nano: 1_000_100_000_000,
        ..Span::default()
    }
}

fn attr(mut s: Span, k: &str, v: AnyValue) -> Span {
    s.attributes.upsert(k, v);
    s
}

fn batch(resource: Resource, spans: Vec<Span>) -> Batch {
    Batch {
        resource_spans: vec![ResourceSpans {
            resource,
            scope_spans: vec![ScopeSpans {
                spans,
                ..ScopeSpans::default()
            }],
            schema_url: String::new(),
        }],
    }
}

/// Replay `batches`, flush, and return the kept trace numbers (byte 15 of the id).
fn kept_with(yaml: &str, batches: Vec<Batch>) -> (Vec<u8>, Decisions) {
    let mut s = sampler(yaml);
    let mut obs = Decisions::default();
    let mut out = Vec::new();
    {
        let mut ctx = Ctx {
            at: ProcRef {
                pipeline: 0,
                processor: 0,
            },
            observer: &mut obs,
            reveal: false,
        };
        for b in batches {
            s.process(b, &mut ctx, &mut out).unwrap();
        }
        s.flush(&mut ctx, &mut out);
    }
    let mut kept: Vec<u8> = out
        .iter()
        .flat_map(|b| b.resource_spans.iter())
        .flat_map(|rs| rs.scope_spans.iter())
        .flat_map(|ss| ss.spans.iter())
        .map(|s| s.trace_id[15])
        .collect();
    kept.sort_unstable();
    kept.dedup();
    (kept, obs)
}

fn kept(yaml: &str, spans: Vec<Span>) -> Vec<u8> {
    kept_with(yaml, vec![batch(Resource::default(), spans)]).0
}

fn policy(body: &str) -> String {
    format!("policies:\n{body}")
}

fn s(v: &str) -> AnyValue {
    AnyValue::Str(v.into())
}

#[test]
fn string_attribute_regex_is_unanchored() {
    let spans = || {
        vec![
            attr(span(1), "k", s("/v1/api/x")),
            attr(span(2), "k", s("/api/x")),
            attr(span(3), "k", s("/API/x")),
            attr(span(4), "k", s("api")),
        ]
    };
    let p = |re: &str| {
        policy(&format!(
            "  - {{name: a, type: string_attribute, string_attribute: {{key: k, values: [\"{re}\"], enabled_regex_matching: true}}}}\n"
        ))
    };
    assert_eq!(kept(&p("^/api"), spans()), vec![2]);
    assert_eq!(kept(&p("/api"), spans()), vec![1, 2]);
    assert_eq!(kept(&p("api"), spans()), vec![1, 2, 4]);
}

#[test]
fn string_attribute_empty_values() {
    let p = policy("  - {name: a, type: string_attribute, string_attribute: {key: k, values: [\"/api/x\", \"\"]}}\n");
    assert_eq!(
        kept(
            &p,
            vec![attr(span(1), "k", s("/api/x")), attr(span(2), "k", s(""))]
        ),
        vec![1]
    );
    // `^$` matches only a resource attribute that is empty.
    let re = policy("  - {name: a, type: string_attribute, string_attribute: {key: k, values: [\"^$\"], enabled_regex_matching: true}}\n");
    let mut res = Resource::default();
    res.attributes.upsert("k", s(""));
    let (k, _) = kept_with(
        &re,
        vec![
            batch(res, vec![span(1)]),
            batch(Resource::default(), vec![attr(span(2), "k", s(""))]),
        ],
    );
    assert_eq!(k, vec![1]);
}

#[test]
fn numeric_attribute_zero_means_unset() {
    let spans = || {
        vec![
            attr(span(1), "n", AnyValue::Int(-3)),
            attr(span(2), "n", AnyValue::Int(0)),
            attr(span(3), "n", AnyValue::Int(5)),
            attr(span(4), "n", AnyValue::Int(10)),
            attr(span(5), "n", AnyValue::Double(5.0)),
            attr(span(6), "n", s("5")),
            attr(span(7), "n", AnyValue::Int(11)),
            attr(span(8), "n", AnyValue::Int(1 << 40)),
        ]
    };
    let p = |min: i64, max: i64, inv: bool| {
        policy(&format!("  - {{name: a, type: numeric_attribute, numeric_attribute: {{key: n, min_value: {min}, max_value: {max}, invert_match: {inv}}}}}\n"))
    };
    assert_eq!(kept(&p(0, 10, false), spans()), vec![1, 2, 3, 4, 5, 6]);
    assert_eq!(kept(&p(5, 0, false), spans()), vec![3, 4, 7, 8]);
    let mut inv = spans();
    inv.push(span(9));
    assert_eq!(kept(&p(5, 10, true), inv), vec![1, 2, 5, 6, 7, 8, 9]);
}

#[test]
fn both_zero_numeric_is_not_emulated() {
    let file: std::sync::Arc<str> = "t.yaml".into();
    let yaml = policy("  - {name: a, type: numeric_attribute, numeric_attribute: {key: n}}\n");
    let node = crate::config::node::parse_yaml(&file, &yaml).unwrap();
    let Some(ProcessorSettings::TailSampling(st)) = decode_processor("tail_sampling", &node, &[]).0
    else {
        panic!()
    };
    let why = super::not_emulated(&st, &|_| None).unwrap();
    assert!(why.0.contains("crashes"), "{}", why.0);
    assert!(TailSampler::new(&st, &Location::new("t.yaml", 1, 1), &|_| None).is_none());
}

fn timed(trace: u8, start_ms: f64, end_ms: f64) -> Span {
    let base = 1_000_000_000_000u64;
    let mut sp = span(trace);
    sp.start_time_unix_nano = base + (start_ms * 1e6) as u64;
    sp.end_time_unix_nano = base + (end_ms * 1e6) as u64;
    sp
}

#[test]
fn latency_thresholds_and_prefix_effect() {
    let lower = policy("  - {name: a, type: latency, latency: {threshold_ms: 1000}}\n");
    assert_eq!(
        kept(
            &lower,
            vec![
                timed(1, 0.0, 999.9),
                timed(2, 0.0, 1000.0),
                timed(3, 0.0, 1000.5)
            ]
        ),
        vec![2, 3]
    );
    let band = policy(
        "  - {name: a, type: latency, latency: {threshold_ms: 1000, upper_threshold_ms: 2000}}\n",
    );
    assert_eq!(
        kept(
            &band,
            vec![
                timed(1, 0.0, 1000.0),
                timed(2, 0.0, 1000.5),
                timed(3, 0.0, 2500.0),
                timed(4, 0.0, 1500.0),
                timed(5, 0.0, 2000.0),
                timed(6, 0.0, 2000.5),
            ]
        ),
        vec![4, 5, 6]
    );
    // Two-span traces: [1500 ms, 3000 ms] kept, [3000, 1500] dropped, [0-100, 1400-1500] kept.
    let mut a = timed(7, 0.0, 3000.0);
    a.span_id[7] = 2;
    let mut b = timed(8, 0.0, 1500.0);
    b.span_id[7] = 2;
    let mut c = timed(9, 1400.0, 1500.0);
    c.span_id[7] = 2;
    let spans = vec![
        timed(7, 0.0, 1500.0),
        a,
        timed(8, 0.0, 3000.0),
        b,
        timed(9, 0.0, 100.0),
        c,
    ];
    assert_eq!(kept(&band, spans), vec![7, 9]);
}

#[test]
fn boolean_status_flags_span_count_trace_state() {
    let b = policy(
        "  - {name: a, type: boolean_attribute, boolean_attribute: {key: b, value: false}}\n",
    );
    assert_eq!(
        kept(
            &b,
            vec![
                attr(span(1), "b", AnyValue::Bool(false)),
                attr(span(2), "b", s("true")),
                attr(span(3), "b", AnyValue::Int(1)),
                attr(span(4), "b", AnyValue::Bool(true)),
            ]
        ),
        vec![1, 2, 3]
    );
    let mut err = span(2);
    err.status.code = 2;
    let st = policy("  - {name: a, type: status_code, status_code: {status_codes: [ERROR]}}\n");
    assert_eq!(kept(&st, vec![span(1), err]), vec![2]);
    let flags = policy("  - {name: a, type: trace_flags}\n");
    let with_flags = |t, f| {
        let mut sp = span(t);
        sp.flags = f;
        sp
    };
    assert_eq!(
        kept(
            &flags,
            vec![
                with_flags(1, 1),
                with_flags(2, 257),
                with_flags(3, 0),
                with_flags(4, 256)
            ]
        ),
        vec![1, 2]
    );
    // span_count 2..3: 1 and 5 spans dropped, 2 and 3 kept; 3 spans in 3 requests kept.
    let sc = policy("  - {name: a, type: span_count, span_count: {min_spans: 2, max_spans: 3}}\n");
    let n_spans = |t: u8, n: u8| -> Vec<Span> {
        (0..n)
            .map(|i| {
                let mut sp = span(t);
                sp.span_id[7] = i + 10;
                sp
            })
            .collect()
    };
    let mut all = n_spans(1, 1);
    all.extend(n_spans(2, 2));
    all.extend(n_spans(3, 3));
    all.extend(n_spans(4, 5));
    assert_eq!(kept(&sc, all), vec![2, 3]);
    let split: Vec<Batch> = n_spans(6, 3)
        .into_iter()
        .map(|sp| batch(Resource::default(), vec![sp]))
        .collect();
    assert_eq!(kept_with(&sc, split).0, vec![6]);
    let ts = policy("  - {name: a, type: trace_state, trace_state: {key: vendor, values: [a]}}\n");
    let states = [
        "vendor=a",
        "ot=th:8,vendor=a",
        " vendor=a ,foo=b",
        " vendor = a ",
        "Vendor=a,vendor=a",
        "vendor=b",
    ];
    let spans = states
        .iter()
        .enumerate()
        .map(|(i, st)| {
            let mut sp = span(i as u8 + 1);
            sp.trace_state = (*st).to_owned();
            sp
        })
        .collect();
    assert_eq!(kept(&ts, spans), vec![1, 2, 3]);
}

#[test]
fn probabilistic_policy_hash() {
    let mut sp = span(0);
    sp.trace_id = core::array::from_fn(|i| i as u8 + 1); // byte 15 = 0x10
    let p = |pct: &str| {
        policy(&format!(
            "  - {{name: a, type: probabilistic, probabilistic: {{sampling_percentage: {pct}}}}}\n"
        ))
    };
    assert_eq!(kept(&p("50"), vec![sp.clone()]), Vec::<u8>::new());
    assert_eq!(kept(&p("99.9"), vec![sp]), vec![0x10]);
}

#[test]
fn precedence_of_drop_sampled_and_invert() {
    let spans = || {
        let mut e = attr(span(1), "k", s("/api/x"));
        e.status.code = 2;
        let mut e2 = span(2);
        e2.status.code = 2;
        vec![e, e2, attr(span(3), "k", s("/api/x")), span(4)]
    };
    let inv = "  - {name: i, type: string_attribute, string_attribute: {key: k, values: [/api/x], invert_match: true}}\n";
    let always = "  - {name: al, type: always_sample}\n";
    let err = "  - {name: e, type: status_code, status_code: {status_codes: [ERROR]}}\n";
    let drop_err = "  - {name: d, type: drop, drop: {drop_sub_policy: [{name: de, type: status_code, status_code: {status_codes: [ERROR]}}]}}\n";
    assert_eq!(
        kept(&policy(&format!("{always}{inv}")), spans()),
        vec![1, 2, 3, 4]
    );
    assert_eq!(
        kept(&policy(&format!("{err}{inv}")), spans()),
        vec![1, 2, 4]
    );
    assert_eq!(kept(&policy(&format!("{drop_err}{inv}")), spans()), vec![4]);
    assert_eq!(
        kept(&policy(&format!("{always}{drop_err}")), spans()),
        vec![3, 4]
    );
    assert_eq!(
        kept(
            &format!(
                "sample_on_first_match: true\n{}",
                policy(&format!("{always}{drop_err}"))
            ),
            spans()
        ),
        vec![3, 4]
    );
    assert_eq!(kept(&policy(drop_err), spans()), Vec::<u8>::new());
    assert_eq!(kept("policies: []\n", spans()), Vec::<u8>::new());
    // Which policy decided: the drop policy for dropped traces, the first sampler otherwise.
    let (_, d) = kept_with(
        &policy(&format!("{always}{drop_err}")),
        vec![batch(Resource::default(), spans())],
    );
    assert!(d
        .0
        .iter()
        .any(|(_, dec, p)| *dec == TraceDecision::Dropped && *p == Some(1)));
    assert!(d
        .0
        .iter()
        .any(|(_, dec, p)| *dec == TraceDecision::Sampled && *p == Some(0)));
}

#[test]
fn not_and_composite() {
    let spans = || {
        let mut e = span(1);
        e.status.code = 2;
        let mut m = span(3);
        m.span_id[7] = 9;
        vec![e, span(2), span(3), m]
    };
    let not = policy("  - {name: n, type: not, not: {not_sub_policy: {name: e, type: status_code, status_code: {status_codes: [ERROR]}}}}\n");
    assert_eq!(kept(&not, spans()), vec![2, 3]);
    let and = policy("  - {name: x, type: and, and: {and_sub_policy: [{name: c, type: span_count, span_count: {min_spans: 2}}, {name: n, type: not, not: {not_sub_policy: {name: e, type: status_code, status_code: {status_codes: [ERROR]}}}}]}}\n");
    assert_eq!(kept(&and, spans()), vec![3]);
    let composite = |alloc: &str| {
        policy(&format!("  - {{name: c, type: composite, composite: {{max_total_spans_per_second: 1000, policy_order: [a, e], composite_sub_policy: [{{name: e, type: status_code, status_code: {{status_codes: [ERROR]}}}}, {{name: a, type: always_sample}}], rate_allocation: [{alloc}]}}}}\n"))
    };
    assert_eq!(
        kept(&composite("{policy: a, percent: 100}"), spans()),
        vec![2, 3]
    );
    assert_eq!(
        kept(&composite("{policy: e, percent: 0}"), spans()),
        vec![1]
    );
}

#[test]
fn rate_limiting_decided_together() {
    let p = policy("  - {name: r, type: rate_limiting, rate_limiting: {spans_per_second: 2}}\n");
    let spans: Vec<Span> = (1..=10).map(span).collect();
    assert_eq!(kept(&p, spans).len(), 4);
    let p = policy("  - {name: r, type: rate_limiting, rate_limiting: {spans_per_second: 5, burst_capacity: 6}}\n");
    assert_eq!(kept(&p, (1..=10).map(span).collect()).len(), 6);
    let big: Vec<Span> = (0..7)
        .map(|i| {
            let mut sp = span(1);
            sp.span_id[7] = i + 10;
            sp
        })
        .collect();
    assert!(kept(&p, big).is_empty());
}

#[test]
fn decision_wait_late_spans_follow_the_decision_and_count_as_split() {
    let p = format!(
        "decision_wait: 2s\n{}",
        policy("  - {name: e, type: status_code, status_code: {status_codes: [ERROR]}}\n")
    );
    let at = |t: u8, end_s: u64, err: bool, sid: u8| {
        let mut sp = span(t);
        sp.span_id[7] = sid;
        sp.start_time_unix_nano = end_s * 1_000_000_000;
        sp.end_time_unix_nano = end_s * 1_000_000_000;
        if err {
            sp.status.code = 2;
        }
        batch(Resource::default(), vec![sp])
    };
    // Trace 1: a plain span at t=100s, its error span at t=110s, long after the decision
    // (at most 3 s later): the collector decided "not sampled" on the first span alone.
    // Trace 2: both spans within a second: kept.
    let batches = vec![
        at(1, 100, false, 1),
        at(2, 100, false, 1),
        at(2, 100, true, 2),
        at(1, 110, true, 2),
        at(3, 111, false, 1),
    ];
    let mut s = sampler(&p);
    let mut obs = Decisions::default();
    let mut out = Vec::new();
    let mut ctx = Ctx {
        at: ProcRef {
            pipeline: 0,
            processor: 0,
        },
        observer: &mut obs,
        reveal: false,
    };
    for b in batches {
        s.process(b, &mut ctx, &mut out).unwrap();
    }
    // Decided before the flush: trace 2 was released by a tick.
    assert_eq!(out.len(), 1);
    s.flush(&mut ctx, &mut out);
    let kept: Vec<u8> = out
        .iter()
        .flat_map(|b| &b.resource_spans)
        .flat_map(|rs| &rs.scope_spans)
        .flat_map(|ss| &ss.spans)
        .map(|s| s.trace_id[15])
        .collect();
    assert_eq!(kept, vec![2, 2]);
    assert_eq!(s.counts.traces_split, 1);
    assert_eq!(s.counts.late_spans, 1);
    assert_eq!(s.findings().len(), 1);
}

#[test]
fn num_traces_evicts_the_oldest_undecided_trace() {
    let p = format!(
        "num_traces: 2\n{}",
        policy("  - {name: a, type: always_sample}\n")
    );
    let (k, d) = kept_with(
        &p,
        vec![batch(Resource::default(), vec![span(1), span(2), span(3)])],
    );
    assert!(d
        .0
        .iter()
        .any(|(t, dec, _)| t[15] == 1 && *dec == TraceDecision::Evicted));
    assert_eq!(k, vec![2, 3]);
}

#[test]
fn bytes_limiting_spends_the_pdata_size_of_each_trace() {
    use super::proto_size::traces_size;
    let spans: Vec<Span> = (1..=10).map(span).collect();
    let one = traces_size(&batch(Resource::default(), vec![span(1)]).resource_spans) as i64;
    // A burst of exactly three traces' bytes keeps three of the ten decided together.
    let p = policy(&format!(
        "  - {{name: b, type: bytes_limiting, bytes_limiting: {{bytes_per_second: 1, burst_capacity: {}}}}}\n",
        3 * one
    ));
    assert_eq!(kept(&p, spans), vec![1, 2, 3]);
}

#[test]
fn maximum_trace_size_bytes_refuses_big_traces_at_once() {
    use super::proto_size::resource_spans_size;
    let piece = |t: u8, n: u8| -> Vec<Span> {
        (0..n)
            .map(|i| {
                let mut sp = span(t);
                sp.span_id[7] = i + 10;
                sp
            })
            .collect()
    };
    let two = resource_spans_size(&batch(Resource::default(), piece(1, 2)).resource_spans[0]);
    let p = format!(
        "maximum_trace_size_bytes: {two}\n{}",
        policy("  - {name: a, type: always_sample}\n")
    );
    // Trace 1 (2 spans) fits exactly; trace 2 (3 spans) is over the limit.
    let mut spans = piece(1, 2);
    spans.extend(piece(2, 3));
    let (k, d) = kept_with(&p, vec![batch(Resource::default(), spans)]);
    assert_eq!(k, vec![1]);
    assert!(d
        .0
        .iter()
        .any(|(t, dec, by)| t[15] == 2 && *dec == TraceDecision::NotSampled && by.is_none()));
}

#[test]
fn span_ingest_decides_on_each_piece() {
    let p = format!(
        "sampling_strategy: span-ingest\n{}",
        policy("  - {name: e, type: status_code, status_code: {status_codes: [ERROR]}}\n")
    );
    let mut err = span(1);
    err.span_id[7] = 9;
    err.status.code = 2;
    // Trace 1: a plain piece (held), then an error piece: sampled, both released together.
    // Trace 2: never an error: not sampled at its tick (here: the end).
    let batches = vec![
        batch(Resource::default(), vec![span(1)]),
        batch(Resource::default(), vec![span(2)]),
        batch(Resource::default(), vec![err]),
    ];
    let (k, d) = kept_with(&p, batches.clone());
    assert_eq!(k, vec![1]);
    assert!(d
        .0
        .iter()
        .any(|(t, dec, by)| t[15] == 2 && *dec == TraceDecision::NotSampled && by.is_none()));
    // A drop policy that did not drop stops the evaluation: nothing is sampled on ingest.
    let with_drop = format!(
        "sampling_strategy: span-ingest\n{}",
        policy(
            "  - {name: e, type: status_code, status_code: {status_codes: [ERROR]}}\n  - {name: d, type: drop, drop: {drop_sub_policy: [{name: x, type: trace_flags}]}}\n"
        )
    );
    assert_eq!(kept_with(&with_drop, batches).0, Vec::<u8>::new());
}

#[test]
fn span_ingest_refuses_stateful_policies() {
    let file: std::sync::Arc<str> = "t.yaml".into();
    let yaml = format!(
        "sampling_strategy: span-ingest\n{}",
        policy("  - {name: c, type: span_count, span_count: {min_spans: 1, max_spans: 5}}\n")
    );
    let node = crate::config::node::parse_yaml(&file, &yaml).unwrap();
    let Some(ProcessorSettings::TailSampling(st)) = decode_processor("tail_sampling", &node, &[]).0
    else {
        panic!()
    };
    let why = super::not_emulated(&st, &|_| None).unwrap();
    assert!(why.0.contains("is stateful"), "{}", why.0);
}

#[test]
fn decision_cache_keeps_late_spans_with_their_decision_after_eviction() {
    let at = |t: u8, end_s: u64, err: bool, sid: u8| {
        let mut sp = span(t);
        sp.span_id[7] = sid;
        sp.start_time_unix_nano = end_s * 1_000_000_000;
        sp.end_time_unix_nano = end_s * 1_000_000_000;
        if err {
            sp.status.code = 2;
        }
        batch(Resource::default(), vec![sp])
    };
    // Trace 1 (error) is decided and kept; trace 2 pushes its entry out (num_traces 1);
    // then a late span of trace 1 arrives.
    let batches = || {
        vec![
            at(1, 100, true, 1),
            at(2, 110, false, 1),
            at(1, 120, false, 2),
        ]
    };
    let base = "decision_wait: 1s\nnum_traces: 1\n";
    let p = policy("  - {name: e, type: status_code, status_code: {status_codes: [ERROR]}}\n");
    let count_spans = |yaml: &str| {
        let mut s = sampler(yaml);
        let mut obs = Decisions::default();
        let mut out = Vec::new();
        let mut ctx = Ctx {
            at: ProcRef {
                pipeline: 0,
                processor: 0,
            },
            observer: &mut obs,
            reveal: false,
        };
        for b in batches() {
            s.process(b, &mut ctx, &mut out).unwrap();
        }
        s.flush(&mut ctx, &mut out);
        out.iter()
            .flat_map(|b| &b.resource_spans)
            .flat_map(|rs| &rs.scope_spans)
            .flat_map(|ss| &ss.spans)
            .filter(|s| s.trace_id[15] == 1)
            .count()
    };
    // No cache: the late span starts a new entry, decided alone (no error): dropped.
    assert_eq!(count_spans(&format!("{base}{p}")), 1);
    // A sampled-decision cache remembers trace 1: the late span follows it.
    assert_eq!(
        count_spans(&format!(
            "{base}decision_cache: {{sampled_cache_size: 10}}\n{p}"
        )),
        2
    );
}

/// Spans at given end times (seconds), one request each, through `yaml`; returns the
/// sampler (for its counts) and the kept trace numbers.
fn timeline(yaml: &str, spans: Vec<(u8, u64, bool, bool)>) -> (TailSampler, Vec<u8>) {
    let mut s = sampler(yaml);
    let mut obs = Decisions::default();
    let mut out = Vec::new();
    let mut ctx = Ctx {
        at: ProcRef {
            pipeline: 0,
            processor: 0,
        },
        observer: &mut obs,
        reveal: false,
    };
    for (i, (t, end_s, err, root)) in spans.into_iter().enumerate() {
        let mut sp = span(t);
        sp.span_id[7] = i as u8 + 1;
        sp.start_time_unix_nano = end_s * 1_000_000_000;
        sp.end_time_unix_nano = end_s * 1_000_000_000;
        if !root {
            sp.parent_span_id = [9; 8];
        }
        if err {
            sp.status.code = 2;
        }
        s.process(batch(Resource::default(), vec![sp]), &mut ctx, &mut out)
            .unwrap();
    }
    s.flush(&mut ctx, &mut out);
    let mut kept: Vec<u8> = out
        .iter()
        .flat_map(|b| &b.resource_spans)
        .flat_map(|rs| &rs.scope_spans)
        .flat_map(|ss| &ss.spans)
        .map(|s| s.trace_id[15])
        .collect();
    kept.dedup();
    (s, kept)
}

#[test]
fn decision_wait_after_root_received_decides_early() {
    let p = policy("  - {name: e, type: status_code, status_code: {status_codes: [ERROR]}}\n");
    // A root span at 100 s, its error child at 105 s.
    let spans = vec![(1, 100, false, true), (1, 105, true, false)];
    let (s, kept) = timeline(&format!("decision_wait: 10s\n{p}"), spans.clone());
    assert_eq!((kept, s.counts.traces_split), (vec![1], 0));
    // With the root seen, the decision moves to 1 s later: the child comes too late.
    let (s, kept) = timeline(
        &format!("decision_wait: 10s\ndecision_wait_after_root_received: 1s\n{p}"),
        spans,
    );
    assert_eq!((kept, s.counts.traces_split), (Vec::<u8>::new(), 1));
}

#[test]
fn drop_pending_traces_on_shutdown() {
    let p = policy("  - {name: a, type: always_sample}\n");
    let spans = vec![(1, 100, false, true), (2, 200, false, true)];
    // Trace 1 is decided by a tick before trace 2 arrives; trace 2 is pending at the end.
    let (_, kept) = timeline(&format!("decision_wait: 5s\n{p}"), spans.clone());
    assert_eq!(kept, vec![1, 2]);
    let (s, kept) = timeline(
        &format!("decision_wait: 5s\ndrop_pending_traces_on_shutdown: true\n{p}"),
        spans,
    );
    assert_eq!(kept, vec![1]);
    assert_eq!(s.counts.traces_evicted, 1);
}
