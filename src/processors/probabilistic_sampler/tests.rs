//! The worked examples of `processors.md` §5 and "Observed behaviour" A–C, decided span by
//! span. Each row there was observed on a real v0.156.0 collector.

use super::decide::{decide, hash_randomness, DecidedBy, Mode, Problem, Sampler};
use crate::capture::model::{AnyValue, Span};
use crate::processors::sampling::tracestate::TraceStateError;

fn tid(hex_text: &str) -> [u8; 16] {
    let v = hex::decode(hex_text).unwrap();
    v.try_into().unwrap()
}

fn span(trace: &str, state: &str) -> Span {
    Span {
        trace_id: tid(trace),
        trace_state: state.to_owned(),
        ..Span::default()
    }
}

fn with_priority(mut s: Span, v: AnyValue) -> Span {
    s.attributes.upsert("sampling.priority", v);
    s
}

/// (sampled, tracestate written) for one span.
fn run(mode: Mode, pct: f32, seed: u32, prec: i64, fail_closed: bool, s: &Span) -> (bool, String) {
    let d = decide(&Sampler::new(mode, pct, seed, prec), fail_closed, s);
    (
        d.sampled,
        d.trace_state.unwrap_or_else(|| s.trace_state.clone()),
    )
}

fn hash(pct: f32, seed: u32, s: &Span) -> (bool, String) {
    run(Mode::HashSeed, pct, seed, 4, true, s)
}

const T1: &str = "0102030405060708090a0b0c0d0e0f10";
const T2: &str = "4bf92f3577b34da6a3ce929d0e0e4736";

#[test]
fn table_a_hash_seed_single_spans() {
    let rows: &[(&str, u32, f32, Option<&str>)] = &[
        (T1, 0, 50.0, Some("ot=rv:976837c4f25a25;th:8")),
        (T1, 22, 50.0, None),
        (T1, 22, 99.9, Some("ot=rv:2ef03615863443;th:0044")),
        (T2, 0, 12.5, Some("ot=rv:fdc80d0b42008d;th:e")),
        (T2, 1, 33.3, None),
        (T2, 12345, 50.0, None),
        ("0af7651916cd43dd8448eb211c80319c", 22, 1.0, None),
        (
            "00000000000000000000000000000001",
            1,
            50.0,
            Some("ot=rv:fda0022c8b0097;th:8"),
        ),
        (
            "80000000000000000000000000000000",
            0,
            99.9,
            Some("ot=rv:eca839fe7c04d5;th:0044"),
        ),
        (
            "000000000000000000000000000000ff",
            12345,
            100.0,
            Some("ot=rv:e4f818822106c1;th:0"),
        ),
        ("7fffffffffffffffffffffffffffffff", 22, 0.01, None),
    ];
    for (t, seed, pct, expected) in rows {
        let (sampled, ts) = hash(*pct, *seed, &span(t, ""));
        assert_eq!(sampled, expected.is_some(), "{t} seed {seed} at {pct}%");
        if let Some(e) = expected {
            assert_eq!(ts, *e, "{t} seed {seed} at {pct}%");
        }
    }
}

#[test]
fn hash_and_bucket_of_the_reference_ids() {
    // h = 0xdf241a25 (bucket 6693) for seed 0, 0xd863b443 (bucket 13379) for seed 22.
    let r0 = hash_randomness(&tid(T1), 0);
    assert_eq!(r0.0 & 0x3fff, 6693);
    assert_eq!(r0.0 >> 42, 16383 - 6693);
    assert_eq!(hash_randomness(&tid(T1), 22).0 & 0x3fff, 13379);
}

#[test]
fn scaled_rates_of_5_3() {
    let scaled = |pct: f32| match Sampler::new(Mode::HashSeed, pct, 0, 4) {
        Sampler::Hashing { threshold, .. } => 16384 - (threshold.0 >> 42),
        Sampler::Never => 0,
        other => panic!("{other:?}"),
    };
    let rows: &[(f32, u64)] = &[
        (0.006, 0),
        (0.0062, 1),
        (0.01, 1),
        (1.0, 163),
        (10.0, 1638),
        (12.5, 2048),
        (15.3, 2506),
        (25.0, 4096),
        (33.3, 5455),
        (33.33, 5460),
        (50.0, 8192),
        (99.9, 16367),
        (99.99, 16382),
        (100.0, 16384),
        (150.0, 16384),
    ];
    for (pct, want) in rows {
        assert_eq!(scaled(*pct), *want, "{pct}%");
    }
}

#[test]
fn hash_seed_edge_cases() {
    let zero = "00000000000000000000000000000000";
    assert!(!hash(50.0, 7, &span(zero, "")).0);
    let d = decide(
        &Sampler::new(Mode::HashSeed, 50.0, 7, 4),
        true,
        &span(zero, ""),
    );
    assert_eq!(d.by, DecidedBy::Failure(Problem::MissingRandomness));
    assert_eq!(
        run(Mode::HashSeed, 50.0, 7, 4, false, &span(zero, "")),
        (true, "ot=rv:ffffffffffffff;th:0".to_owned())
    );
    // Foreign members are kept after the ot member.
    assert_eq!(
        hash(50.0, 0, &span(T1, "foo=bar")),
        (true, "ot=rv:976837c4f25a25;th:8,foo=bar".to_owned())
    );
    // rv or th already present, or a broken header: dropped; fail open keeps it unchanged.
    for state in ["ot=th:8", "ot=rv:00000000000000", "bad state!!", "Vendor=a"] {
        assert!(!hash(50.0, 0, &span(T1, state)).0, "{state}");
        assert_eq!(
            run(Mode::HashSeed, 50.0, 0, 4, false, &span(T1, state)),
            (true, state.to_owned()),
            "{state}"
        );
    }
}

#[test]
fn table_b_consistent_modes() {
    // R of T1 in the consistent modes is its low 56 bits: 0x0a0b0c0d0e0f10 (below th:8), so
    // use an id with large randomness for the "kept" rows.
    let hi = "000000000000000000ffffffffffffff";
    let p = |pct, prec, state: &str| run(Mode::Proportional, pct, 0, prec, true, &span(hi, state));
    let e = |pct, prec, state: &str| run(Mode::Equalizing, pct, 0, prec, true, &span(hi, state));
    let kept = |s: &str| (true, s.to_owned());
    assert_eq!(p(50.0, 4, ""), kept("ot=th:8"));
    assert_eq!(p(50.0, 4, "ot=th:c"), kept("ot=th:e"));
    assert_eq!(p(50.0, 4, "ot=th:0"), kept("ot=th:8"));
    assert_eq!(p(50.0, 4, "ot=th:fd70"), kept("ot=th:feb8"));
    assert_eq!(
        p(50.0, 4, "ot=rv:ff9c2e2317cb32;th:4"),
        kept("ot=rv:ff9c2e2317cb32;th:a")
    );
    assert_eq!(
        p(50.0, 4, "foo=bar,ot=th:8;xy:abc"),
        kept("ot=th:c;xy:abc,foo=bar")
    );
    assert_eq!(p(33.3, 2, ""), kept("ot=th:ab"));
    assert_eq!(p(33.3, 2, "ot=th:8"), kept("ot=th:d5"));
    assert_eq!(p(33.3, 2, "ot=th:fd70"), kept("ot=th:ff26"));
    assert_eq!(e(50.0, 4, ""), kept("ot=th:8"));
    assert_eq!(e(50.0, 4, "ot=th:0"), kept("ot=th:8"));
    assert_eq!(e(50.0, 4, "ot=th:c"), kept("ot=th:c"));
    assert_eq!(e(50.0, 4, "ot=th:80001"), kept("ot=th:80001"));
    assert_eq!(e(50.0, 4, "ot=th:fd70"), kept("ot=th:fd7"));
    assert_eq!(
        e(50.0, 4, "ot=rv:8fe5fe3d8d780f;th:4"),
        kept("ot=rv:8fe5fe3d8d780f;th:8")
    );
    assert_eq!(e(33.3, 1, ""), kept("ot=th:b"));
    // Rounding at 100 %: proportional rewrites to the precision, equalizing leaves it.
    assert_eq!(p(100.0, 4, "ot=th:05290d6a04e625"), kept("ot=th:05291"));
    assert_eq!(
        e(100.0, 4, "ot=th:05290d6a04e625"),
        kept("ot=th:05290d6a04e625")
    );
    // Inconsistent arriving th (R of T1 < th:8): dropped; fail open keeps with th:0.
    assert!(!run(Mode::Proportional, 50.0, 0, 4, true, &span(T1, "ot=th:8")).0);
    assert_eq!(
        run(Mode::Proportional, 50.0, 0, 4, false, &span(T1, "ot=th:8")),
        kept("ot=th:0")
    );
}

#[test]
fn consistent_modes_errors_and_explicit_randomness() {
    let zero = "00000000000000000000000000000000";
    for mode in [Mode::Proportional, Mode::Equalizing] {
        for state in ["ot=rv:12345", "ot=th:zz", "bad state!!"] {
            assert!(!run(mode, 50.0, 0, 4, true, &span(T1, state)).0, "{state}");
            assert_eq!(
                run(mode, 50.0, 0, 4, false, &span(T1, state)),
                (true, state.to_owned())
            );
        }
        assert_eq!(
            run(mode, 50.0, 0, 4, true, &span(zero, "ot=rv:88888888888888")),
            (true, "ot=rv:88888888888888;th:8".to_owned())
        );
        assert!(!run(mode, 50.0, 0, 4, true, &span(zero, "")).0);
        assert_eq!(
            run(mode, 50.0, 0, 4, false, &span(zero, "")),
            (true, "ot=th:0".to_owned())
        );
    }
}

#[test]
fn never_sampler() {
    for (mode, pct) in [
        (Mode::HashSeed, 0.0),
        (Mode::HashSeed, 0.005),
        (Mode::Proportional, 0.0),
    ] {
        let r = |state: &str, fc| run(mode, pct, 0, 4, fc, &span(T1, state));
        assert!(!r("", true).0);
        assert!(
            !r("", false).0,
            "a valid tracestate is dropped even failing open"
        );
        assert_eq!(r("bad state!!", false), (true, "ot=th:0".to_owned()));
        assert_eq!(
            r("foo=bar,ot=rv:12345,baz=q", false),
            (true, "ot=th:0,foo=bar,baz=q".to_owned())
        );
        assert!(!r("bad state!!", true).0);
    }
    // Forced through by priority: th:0, no rv; an existing th stays (members reordered).
    let forced = with_priority(span(T1, ""), AnyValue::Int(1));
    assert_eq!(
        run(Mode::HashSeed, 0.0, 0, 4, true, &forced),
        (true, "ot=th:0".to_owned())
    );
    let forced = with_priority(span(T1, "a=b,ot=th:8"), AnyValue::Int(1));
    assert_eq!(
        run(Mode::HashSeed, 0.0, 0, 4, true, &forced),
        (true, "ot=th:8,a=b".to_owned())
    );
}

#[test]
fn table_c_sampling_priority() {
    // T1 seed 22 at 50 % is dropped by its hash, seed 0 kept.
    let drop_values = [
        AnyValue::Int(0),
        AnyValue::Double(0.0),
        AnyValue::Str("0.000000".into()),
        AnyValue::Str("-0".into()),
    ];
    for v in drop_values {
        let s = with_priority(span(T1, ""), v.clone());
        assert!(!hash(50.0, 0, &s).0, "{v:?}");
        assert!(!hash(100.0, 0, &s).0, "{v:?} at 100%");
        assert_eq!(
            decide(&Sampler::new(Mode::HashSeed, 50.0, 0, 4), true, &s).by,
            DecidedBy::Priority
        );
    }
    let keep_values = [
        AnyValue::Int(1),
        AnyValue::Int(7),
        AnyValue::Double(0.5),
        AnyValue::Str("1".into()),
        AnyValue::Str("1.000000".into()),
        AnyValue::Str("1e3".into()),
        AnyValue::Str("Inf".into()),
        AnyValue::Str("1_000".into()),
        AnyValue::Str("0x1p-2".into()),
    ];
    for v in keep_values {
        let s = with_priority(span(T1, ""), v.clone());
        assert_eq!(
            hash(50.0, 22, &s),
            (true, "ot=rv:2ef03615863443;th:0".to_owned()),
            "{v:?}"
        );
        assert!(hash(0.0, 22, &s).0, "{v:?} at 0%");
        let zero = with_priority(span("00000000000000000000000000000000", ""), v.clone());
        assert_eq!(
            hash(50.0, 22, &zero),
            (true, "ot=rv:ffffffffffffff;th:0".to_owned())
        );
        let in_use = with_priority(span(T1, "ot=rv:00000000000000"), v.clone());
        assert_eq!(
            hash(50.0, 22, &in_use),
            (true, "ot=rv:00000000000000".to_owned())
        );
        assert_eq!(
            run(Mode::Proportional, 50.0, 0, 4, true, &in_use),
            (true, "ot=rv:00000000000000;th:0".to_owned())
        );
    }
    let defer_values = [
        AnyValue::Int(-1),
        AnyValue::Double(-0.5),
        AnyValue::Str("-1.000000".into()),
        AnyValue::Str("abc".into()),
        AnyValue::Str("".into()),
        AnyValue::Str(" 1".into()),
        AnyValue::Str("NaN".into()),
        AnyValue::Bool(true),
        AnyValue::Bool(false),
    ];
    for v in defer_values {
        let s = with_priority(span(T1, ""), v.clone());
        assert!(!hash(50.0, 22, &s).0, "{v:?}");
        assert!(hash(50.0, 0, &s).0, "{v:?}");
    }
}

#[test]
fn a_parse_error_is_named() {
    let d = decide(
        &Sampler::new(Mode::Proportional, 50.0, 0, 4),
        true,
        &span(T1, "ot=rv:12345"),
    );
    assert_eq!(
        d.by,
        DecidedBy::Failure(Problem::TraceState(TraceStateError::RValue))
    );
}
