//! §12 "Error modes", condition rows: two ORed conditions through [`ConditionSequence`] under
//! each `error_mode`. Upstream: propagate → error for both lists; ignore (and silent, which
//! only skips the log line) → true for [ERR, match] and false for [no match, ERR].

use otelcheck::ottl::runtime::{ConditionSequence, ErrorMode, EvalItem, SeqOutcome};

use super::harness::{compile, fixture};

const ERR: &str = r#"attributes["missing"] + 1 == 2"#;
const MATCH: &str = r#"name == "GET /x""#;
const NO_MATCH: &str = r#"name == "nope""#;

/// Compile the texts (all valid) into a sequence and evaluate it once on the fixture span.
fn run(texts: &[&str], mode: ErrorMode) -> SeqOutcome {
    let conds = texts
        .iter()
        .map(|t| compile(t).unwrap_or_else(|e| panic!("`{t}` should compile: {e:?}")))
        .collect();
    let seq = ConditionSequence::new(conds, mode);
    let (resource, scope, span) = fixture();
    let item = EvalItem {
        resource: &resource,
        scope: &scope,
        span: Some(&span),
        event: None,
    };
    seq.eval(&item)
}

/// The error the sequence met, by condition index.
fn error_at(o: &SeqOutcome) -> Vec<usize> {
    o.errors.iter().map(|(i, _)| *i).collect()
}

#[test]
fn propagate_err_then_match_fails_before_the_match() {
    let o = run(&[ERR, MATCH], ErrorMode::Propagate);
    assert!(o.failed, "{o:?}");
    assert_eq!(o.matched, None, "the error stops the sequence");
    assert_eq!(error_at(&o), vec![0]);
}

#[test]
fn propagate_no_match_then_err_fails() {
    let o = run(&[NO_MATCH, ERR], ErrorMode::Propagate);
    assert!(o.failed, "{o:?}");
    assert_eq!(o.matched, None);
    assert_eq!(error_at(&o), vec![1]);
    let (_, e) = &o.errors[0];
    assert!(e.message.contains("<nil> must be int64"), "{}", e.message);
}

#[test]
fn ignore_err_then_match_is_true() {
    let o = run(&[ERR, MATCH], ErrorMode::Ignore);
    assert!(!o.failed, "{o:?}");
    assert_eq!(o.matched, Some(1));
    assert_eq!(
        error_at(&o),
        vec![0],
        "the error is still recorded for the report"
    );
}

#[test]
fn ignore_no_match_then_err_is_false() {
    let o = run(&[NO_MATCH, ERR], ErrorMode::Ignore);
    assert!(!o.failed, "{o:?}");
    assert_eq!(o.matched, None);
    assert_eq!(error_at(&o), vec![1]);
}

#[test]
fn silent_behaves_like_ignore() {
    for (texts, matched) in [([ERR, MATCH], Some(1)), ([NO_MATCH, ERR], None)] {
        let o = run(&texts, ErrorMode::Silent);
        assert!(!o.failed, "{texts:?}: {o:?}");
        assert_eq!(o.matched, matched, "{texts:?}");
        assert_eq!(o.errors.len(), 1, "{texts:?}");
    }
}

#[test]
fn propagate_match_first_never_reaches_err() {
    let o = run(&[MATCH, ERR], ErrorMode::Propagate);
    assert_eq!((o.matched, o.failed, o.errors.len()), (Some(0), false, 0));
}
